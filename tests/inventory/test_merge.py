"""Layer merge: whiteouts, opaque directories, rewritten databases, introducing layers, the cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.model import Inventory
from tests.factory import Entry, docker_archive, dpkg_status, layer_tar, oci_image, sha256

OS = ("etc/os-release", b"ID=debian\nVERSION_ID=12\n")
METADATA = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.25.1\n\n"
SITE = "usr/lib/python3/dist-packages/requests-2.25.1.dist-info"


def build(root: Path, tmp_path: Path, use_cache: bool = False) -> tuple[Inventory, InventoryBuilder]:
    builder = InventoryBuilder.create(tmp_path / "cache", use_cache=use_cache)
    return builder.build(parse_target(f"oci:{root}")), builder


def test_rewritten_database_and_introducing_layer(tmp_path: Path) -> None:
    layers = [
        layer_tar([OS, ("var/lib/dpkg/status", dpkg_status(("libc6", "2.36-9"), ("bash", "5.2-1")))]),
        layer_tar(
            [("var/lib/dpkg/status", dpkg_status(("libc6", "2.36-9"), ("bash", "5.2-1"), ("curl", "7.88")))]
        ),
        layer_tar([("var/lib/dpkg/status", dpkg_status(("libc6", "2.36-9"), ("curl", "7.88")))]),
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    by_name = {p.name: p for p in inventory.packages}
    assert set(by_name) == {"libc6", "curl"}, "bash was removed in the last layer"
    assert by_name["libc6"].locations[0].layer == sha256(layers[0])
    assert by_name["curl"].locations[0].layer == sha256(layers[1])
    assert by_name["curl"].distro == "debian-12"


def test_whiteout_and_opaque_directory(tmp_path: Path) -> None:
    layers = [
        layer_tar(
            [
                OS,
                (f"{SITE}/METADATA", METADATA),
                ("opt/app/node_modules/x/package.json", b'{"name": "x", "version": "1.0.0"}'),
            ]
        ),
        layer_tar(
            [
                Entry("usr/lib/python3/dist-packages/.wh.requests-2.25.1.dist-info", b""),
                Entry("opt/app/.wh..wh..opq", b""),
            ]
        ),
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    assert inventory.packages == ()


def test_upper_layer_symlink_hides_lower_file(tmp_path: Path) -> None:
    layers = [
        layer_tar([OS, ("var/lib/dpkg/status", dpkg_status(("bash", "5.2-1")))]),
        layer_tar([Entry("var/lib/dpkg/status", kind="symlink", link="/nowhere")]),
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    assert inventory.packages == ()


def test_same_package_in_two_places_is_one_package_with_two_locations(tmp_path: Path) -> None:
    pkg = b'{"name": "lodash", "version": "4.17.15"}'
    layers = [
        layer_tar([("a/node_modules/lodash/package.json", pkg), ("b/node_modules/lodash/package.json", pkg)])
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    (lodash,) = inventory.packages
    assert [loc.path for loc in lodash.locations] == [
        "a/node_modules/lodash/package.json",
        "b/node_modules/lodash/package.json",
    ]


def test_os_managed_language_package(tmp_path: Path) -> None:
    """A dist-info that Debian's python3-requests installed is marked OS-managed, not reported twice."""
    status = dpkg_status(("python3-requests", "2.28.1+dfsg-1"))
    listing = f"/.\n/usr\n/{SITE}\n/{SITE}/METADATA\n".encode()
    layers = [
        layer_tar(
            [
                OS,
                ("var/lib/dpkg/status", status),
                ("var/lib/dpkg/info/python3-requests.list", listing),
                (f"{SITE}/METADATA", METADATA),
            ]
        )
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    (requests,) = [p for p in inventory.packages if p.type == "pypi"]
    assert requests.os_managed


def test_hardlink_to_analyzed_file(tmp_path: Path) -> None:
    layers = [
        layer_tar(
            [
                OS,
                (f"{SITE}/METADATA", METADATA),
                Entry("srv/copy.dist-info/METADATA", kind="hardlink", link=f"{SITE}/METADATA"),
            ]
        )
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    (requests,) = inventory.packages
    assert {loc.path for loc in requests.locations} == {f"{SITE}/METADATA", "srv/copy.dist-info/METADATA"}


def test_second_scan_reads_no_layer_content(tmp_path: Path) -> None:
    """Warm scan: with every layer blob deleted, the cached results still give the same inventory."""
    layers = [
        layer_tar([OS, ("var/lib/dpkg/status", dpkg_status(("bash", "5.2-1")))]),
        layer_tar([("x", b"1")]),
    ]
    root = oci_image(tmp_path / "img", layers)
    cold, builder = build(root, tmp_path, use_cache=True)
    assert (builder.stats.analyzed, builder.stats.cached) == (2, 0)
    for layer in cold.image.layers:
        (root / "blobs/sha256" / layer.digest.split(":")[1]).unlink()
    warm, builder = build(root, tmp_path, use_cache=True)
    assert (builder.stats.analyzed, builder.stats.cached) == (0, 2)
    assert warm == cold


def test_warm_docker_archive_and_damaged_cache_entry(tmp_path: Path) -> None:
    layers = [layer_tar([OS, ("var/lib/dpkg/status", dpkg_status(("bash", "5.2-1")))])]
    archive = docker_archive(tmp_path / "img.tar", layers)
    builder = InventoryBuilder.create(tmp_path / "cache", use_cache=True)
    cold = builder.build(parse_target(str(archive)))
    for entry in (tmp_path / "cache").rglob("*.json.zst"):
        entry.write_bytes(b"garbage")
    again = builder.build(parse_target(str(archive)))
    assert builder.stats.analyzed == 1, "a damaged entry is a miss"
    assert again == cold
    shutil.rmtree(tmp_path / "cache")


def test_only_the_live_rpm_database_counts(tmp_path: Path) -> None:
    """After rpm's database move, a stale var/lib/rpm copy beside usr/lib/sysimage/rpm is ignored."""
    import io
    import tarfile

    from tests.paths import IMAGES

    with tarfile.open(IMAGES / "rocky-synth-latest.docker.tar") as outer:
        manifest = json.loads(outer.extractfile("manifest.json").read())  # type: ignore[union-attr]
        layer = outer.extractfile(manifest[0]["Layers"][0]).read()  # type: ignore[union-attr]
    with tarfile.open(fileobj=io.BytesIO(layer)) as inner:
        sqlite = inner.extractfile("./var/lib/rpm/rpmdb.sqlite").read()  # type: ignore[union-attr]
        release = inner.extractfile("./etc/os-release").read()  # type: ignore[union-attr]
    stale = dpkg_status()  # any bytes: an empty/garbage old database must not matter either
    layers = [
        layer_tar(
            [
                ("etc/os-release", release),
                ("usr/lib/sysimage/rpm/rpmdb.sqlite", sqlite),
                ("var/lib/rpm/Packages", stale),
            ]
        ),
        layer_tar([("var/lib/rpm/rpmdb.sqlite", sqlite)]),
    ]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    assert len(inventory.packages) == 6
    assert {loc.path for p in inventory.packages for loc in p.locations} == {
        "usr/lib/sysimage/rpm/rpmdb.sqlite"
    }


def test_distroless_debian_without_release_files(tmp_path: Path) -> None:
    """No release file, only dpkg status.d stanzas (Google's distroless layout): Debian, release unknown."""
    stanza = b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\nSource: tzdata\n\n"
    layers = [layer_tar([("var/lib/dpkg/status.d/tzdata", stanza)])]
    inventory, _ = build(oci_image(tmp_path / "img", layers), tmp_path)
    assert inventory.os is not None and inventory.os.family == "debian" and inventory.os.version == ""
    (tzdata,) = inventory.packages
    assert (tzdata.name, tzdata.version, tzdata.distro) == ("tzdata", "2024a-0+deb12u1", "debian")
    assert any("distroless" in w for w in inventory.warnings)
