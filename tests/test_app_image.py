"""End to end on the multi-layer app image the suite builds: our inventory against the installing tools.

The reference view of the image is made by umoci (the OCI reference unpacker, which applies layers and
whiteouts itself); then dpkg-query, importlib.metadata and npm read that root filesystem the way the
tools that installed the packages see it. Our inventory is built from the image without unpacking.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.model import Inventory
from tests import images

SITE = "usr/local/lib/python3.11/site-packages"


@pytest.fixture(scope="module")
def unpacked(app_image: images.BuiltImage, tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("app")
    subprocess.run(
        ["umoci", "raw", "unpack", "--image", f"{app_image['oci']}:latest", str(bundle / "rootfs")],
        check=True,
        capture_output=True,
    )
    return bundle / "rootfs"


@pytest.fixture(scope="module")
def inventory(app_image: images.BuiltImage, tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    builder = InventoryBuilder.create(tmp_path_factory.mktemp("cache"), use_cache=False)
    return builder.build(parse_target(f"oci:{app_image['oci']}"))


def of_type(inventory: Inventory, kind: str) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in inventory.packages if p.type == kind and not p.os_managed}


def test_debian_packages_match_dpkg_query(unpacked: Path, inventory: Inventory) -> None:
    out = subprocess.run(
        [
            "dpkg-query",
            f"--admindir={unpacked / 'var/lib/dpkg'}",
            "-W",
            "-f",
            "${Package}\t${Version}\t${db:Status-Abbrev}\t${source:Package}\t${source:Version}\n",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    expected = {(name, version) for name, version, status, *_ in rows if status.strip() == "ii"}
    assert len(expected) > 100  # bookworm minbase + python3-minimal and its dependencies
    assert of_type(inventory, "deb") == expected
    sources = {name: (src, srcver) for name, _, _, src, srcver in rows}
    for package in inventory.packages:
        if package.type == "deb":
            assert (package.source_name, package.source_version) == sources[package.name]


def test_python_packages_match_importlib_metadata(unpacked: Path, inventory: Inventory) -> None:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "found = m.distributions(path=[sys.argv[1]])\n"
        "print(json.dumps(sorted([d.metadata['Name'], d.version] for d in found)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(unpacked / SITE)], check=True, capture_output=True, text=True
    )
    expected = {(name, version) for name, version in json.loads(out.stdout)}
    assert len(expected) == 20
    assert of_type(inventory, "pypi") == expected
    django = next(p for p in inventory.packages if p.name == "Django")
    assert (
        django.locations[0].path.startswith(SITE)
        and django.locations[0].layer == inventory.image.layers[2].diff_id
    )


def test_npm_packages_match_npm_query(unpacked: Path, inventory: Inventory) -> None:
    out = subprocess.run(
        ["npm", "query", "*", "--offline"], cwd=unpacked / "app", check=True, capture_output=True, text=True
    ).stdout
    expected = {(p["name"], p["version"]) for p in json.loads(out) if "node_modules" in p.get("location", "")}
    assert len(expected) > 60
    found = {
        (p.name, p.version)
        for p in inventory.packages
        if p.type == "npm" and any("node_modules" in loc.path for loc in p.locations)
    }
    assert found == expected


def test_the_go_binary_and_its_toolchain(inventory: Inventory) -> None:
    go = [p for p in inventory.packages if p.type == "golang"]
    assert go and all(loc.path == "usr/local/bin/umoci" for p in go for loc in p.locations)
    assert any(p.name == "stdlib" and p.version.startswith("v1.") for p in go)


def test_zstd_copy_gives_the_same_inventory(
    app_image_zstd: images.OciImage, inventory: Inventory, tmp_path: Path
) -> None:
    builder = InventoryBuilder.create(tmp_path, use_cache=False)
    again = builder.build(parse_target(f"oci:{app_image_zstd['oci']}"))
    assert again.packages == inventory.packages
