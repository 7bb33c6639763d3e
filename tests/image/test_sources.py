"""Image sources: every TARGET kind, platform choice, digest verification, and their errors."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.errors import DigestMismatch, ImageError, UsageError
from seawall.image.manifest import Platform
from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.inventory.cache import LayerCache
from seawall.model import Inventory
from tests.factory import Layout, docker_archive, dpkg_status, layer_tar, oci_image, tar_of_directory
from tests.paths import IMAGES

OS_RELEASE = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'


def _base_layer(*packages: tuple[str, str]) -> bytes:
    return layer_tar([("etc/os-release", OS_RELEASE), ("var/lib/dpkg/status", dpkg_status(*packages))])


def build(target: str, tmp_path: Path, platform: str | None = None, use_cache: bool = False) -> Inventory:
    builder = InventoryBuilder.create(tmp_path / "cache", use_cache=use_cache)
    return builder.build(parse_target(target), Platform.parse(platform) if platform else None)


def names(inventory: Inventory) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in inventory.packages}


@pytest.mark.parametrize("compression", ["none", "gzip", "zstd"])
def test_oci_layout_each_compression(tmp_path: Path, compression: str) -> None:
    oci_image(tmp_path / "img", [_base_layer(("bash", "5.2-1"))], compression)
    inventory = build(f"oci:{tmp_path / 'img'}", tmp_path)
    assert names(inventory) == {("bash", "5.2-1")}
    assert inventory.os is not None and inventory.os.distro == "debian-12"
    assert inventory.packages[0].locations[0].layer == inventory.image.layers[0].diff_id


def test_docker_archive_plain_and_gzip(tmp_path: Path) -> None:
    archive = docker_archive(
        tmp_path / "img.tar", [_base_layer(("bash", "5.2-1")), _base_layer(("zsh", "5.9"))]
    )
    zipped = tmp_path / "img.tar.gz"
    zipped.write_bytes(gzip.compress(archive.read_bytes()))
    for target in (f"docker-archive:{archive}", str(archive), str(zipped)):
        inventory = build(target, tmp_path)
        assert names(inventory) == {("zsh", "5.9")}, target
        assert inventory.image.repo_tags == ("test/image:latest",)
        assert inventory.image.config["history"][1] == {"created_by": "step 1"}
        assert [layer.created_by for layer in inventory.image.layers] == ["step 0", "step 1"]


def test_oci_archive(tmp_path: Path) -> None:
    oci_image(tmp_path / "img", [_base_layer(("bash", "5.2-1"))])
    archive = tmp_path / "img.oci.tar"
    archive.write_bytes(tar_of_directory(tmp_path / "img"))
    assert parse_target(str(archive)).kind == "oci-archive"
    assert names(build(f"oci-archive:{archive}", tmp_path)) == {("bash", "5.2-1")}
    zipped = tmp_path / "img.oci.tar.gz"
    zipped.write_bytes(gzip.compress(archive.read_bytes()))
    assert names(build(f"oci-archive:{zipped}", tmp_path)) == {("bash", "5.2-1")}


def test_rootfs_directory(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "etc/os-release").write_bytes(OS_RELEASE)
    (root / "var/lib/dpkg/status").write_bytes(dpkg_status(("bash", "5.2-1")))
    (root / "evil").symlink_to("/etc/shadow")
    assert parse_target(str(root)).kind == "dir"
    assert names(build(f"dir:{root}", tmp_path)) == {("bash", "5.2-1")}


def test_multi_platform_nested_index(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "img")
    amd = layout.image([_base_layer(("amd-only", "1"))], platform=("linux", "amd64"))
    arm = layout.image([_base_layer(("arm-only", "1"))], platform=("linux", "arm64"))
    inner = layout.nested_index([amd, arm])
    layout.add(layout.nested_index([inner]), "latest")
    target = f"oci:{tmp_path / 'img'}:latest"
    assert names(build(target, tmp_path)) == {("amd-only", "1")}
    assert names(build(target, tmp_path, platform="linux/arm64")) == {("arm-only", "1")}
    with pytest.raises(
        ImageError, match=r"no image for platform linux/s390x \(available: linux/amd64, linux/arm64\)"
    ):
        build(target, tmp_path, platform="linux/s390x")


def test_tag_selection(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "img")
    layout.add(layout.image([_base_layer(("one", "1"))]), "v1")
    layout.add(layout.image([_base_layer(("two", "2"))]), "v2")
    assert names(build(f"oci:{tmp_path / 'img'}:v2", tmp_path)) == {("two", "2")}
    with pytest.raises(ImageError, match="several images"):
        build(f"oci:{tmp_path / 'img'}", tmp_path)
    with pytest.raises(ImageError, match="no image tagged 'v3'"):
        build(f"oci:{tmp_path / 'img'}:v3", tmp_path)


def test_wrong_layer_digest_is_refused(tmp_path: Path) -> None:
    root = oci_image(tmp_path / "img", [_base_layer(("bash", "5.2-1"))], "none")
    manifest = json.loads((root / "index.json").read_text())["manifests"][0]
    document = json.loads((root / "blobs/sha256" / manifest["digest"].split(":")[1]).read_text())
    blob = root / "blobs/sha256" / document["layers"][0]["digest"].split(":")[1]
    data = bytearray(blob.read_bytes())
    data[600] ^= 1  # inside the status file's content
    blob.chmod(0o644)
    blob.write_bytes(bytes(data))
    with pytest.raises(DigestMismatch, match="does not match"):
        build(f"oci:{root}", tmp_path)


def test_missing_blob(tmp_path: Path) -> None:
    root = oci_image(tmp_path / "img", [_base_layer(("bash", "5.2-1"))])
    manifest = json.loads((root / "index.json").read_text())["manifests"][0]
    document = json.loads((root / "blobs/sha256" / manifest["digest"].split(":")[1]).read_text())
    (root / "blobs/sha256" / document["layers"][0]["digest"].split(":")[1]).unlink()
    with pytest.raises(ImageError, match="missing blobs/sha256/"):
        build(f"oci:{root}", tmp_path)


def test_diff_id_mismatch_in_docker_archive(tmp_path: Path) -> None:
    layers = [_base_layer(("bash", "5.2-1"))]
    archive = docker_archive(tmp_path / "img.tar", layers)
    data = archive.read_bytes().replace(b"5.2-1", b"5.2-2")
    archive.write_bytes(data)
    with pytest.raises(DigestMismatch):
        build(str(archive), tmp_path)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("docker://alpine", "not supported"),
        ("/no/such/path", "no such file or directory"),
        ("oci:", "no path"),
    ],
)
def test_bad_targets(target: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_target(target)


def test_platform_syntax() -> None:
    assert Platform.parse("linux/arm64/v8") == Platform("linux", "arm64", "v8")
    with pytest.raises(UsageError):
        Platform.parse("linux")


def test_real_alpine_gzip_docker_save(tmp_path: Path) -> None:
    """The real Alpine 3.11 image, docker save piped through gzip: 14 apk packages (apk's own list)."""
    inventory = build(str(IMAGES / "alpine-311.docker.tar.gz"), tmp_path)
    assert inventory.os is not None and (inventory.os.family, inventory.os.version) == ("alpine", "3.11.5")
    assert len([p for p in inventory.packages if p.type == "apk"]) == 14
    assert ("musl", "1.1.24-r2") in names(inventory)


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is installed by `make test`")
def test_skopeo_written_archives_agree(tmp_path: Path) -> None:
    """skopeo (the reference implementation) converts the OCI layout; every form gives one inventory."""
    source = IMAGES / "oci" / "bookworm-minbase"
    archive = tmp_path / "b.docker.tar"
    zstd_layout = tmp_path / "b-zstd"
    subprocess.run(
        ["skopeo", "copy", "-q", f"oci:{source}:latest", f"docker-archive:{archive}:b:latest"], check=True
    )
    subprocess.run(
        [
            "skopeo",
            "copy",
            "-q",
            "--dest-compress-format",
            "zstd",
            "--dest-compress",
            f"oci:{source}:latest",
            f"oci:{zstd_layout}:latest",
        ],
        check=True,
    )
    reference = names(build(f"oci:{source}", tmp_path))
    assert len(reference) == 99
    assert names(build(f"docker-archive:{archive}", tmp_path)) == reference
    assert names(build(f"oci:{zstd_layout}:latest", tmp_path)) == reference


def test_cache_key_changes_with_analyzer_versions(tmp_path: Path) -> None:
    one = LayerCache(tmp_path, {"dpkg": 1})
    two = LayerCache(tmp_path, {"dpkg": 2})
    assert one._path("sha256:" + "a" * 64) != two._path("sha256:" + "a" * 64)
