"""Hostile input: every case ends in a one-line error or a warning, never a traceback or a write."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from seawall.errors import ImageError, LayerError
from seawall.image import blob as blob_module
from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.model import Inventory
from tests.factory import Entry, Layout, dpkg_status, layer_tar, oci_image

OS = ("etc/os-release", b"ID=debian\nVERSION_ID=12\n")


def build(root: Path, tmp_path: Path) -> Inventory:
    return InventoryBuilder.create(tmp_path / "cache", use_cache=False).build(parse_target(f"oci:{root}"))


def _manifest(root: Path) -> dict:  # type: ignore[type-arg]
    descriptor = json.loads((root / "index.json").read_text())["manifests"][0]
    return json.loads((root / "blobs/sha256" / descriptor["digest"].split(":")[1]).read_text())  # type: ignore[no-any-return]


def test_truncated_layer(tmp_path: Path) -> None:
    layer = layer_tar([OS, ("var/lib/dpkg/status", dpkg_status(("bash", "1")) * 50)])
    layout = Layout(tmp_path / "img")
    truncated = gzip.compress(layer)[:-200]
    digest = layout.blob(truncated)
    descriptor = layout.image([layer], "gzip")
    # point the manifest at the truncated blob: rewrite it by hand
    manifest = _manifest_of(layout, descriptor)
    manifest["layers"][0].update(digest=digest, size=len(truncated))
    layout.add(_store_manifest(layout, manifest), "latest")
    with pytest.raises(LayerError, match=r"corrupt or truncated compressed data|truncated"):
        build(tmp_path / "img", tmp_path)


def _manifest_of(layout: Layout, descriptor: dict) -> dict:  # type: ignore[type-arg]
    return json.loads((layout.root / "blobs/sha256" / descriptor["digest"].split(":")[1]).read_text())  # type: ignore[no-any-return]


def _store_manifest(layout: Layout, manifest: dict) -> dict:  # type: ignore[type-arg]
    data = json.dumps(manifest).encode()
    return {"mediaType": manifest["mediaType"], "digest": layout.blob(data), "size": len(data)}


def test_path_escapes_are_clamped_and_reported(tmp_path: Path) -> None:
    layer = layer_tar(
        [
            OS,
            ("../../../var/lib/dpkg/status", dpkg_status(("escaped", "1"))),
            Entry("etc/evil", kind="symlink", link="../../../../etc/shadow"),
        ]
    )
    inventory = build(oci_image(tmp_path / "img", [layer]), tmp_path)
    assert {p.name for p in inventory.packages} == {
        "escaped"
    }  # read as /var/lib/dpkg/status, inside the view
    assert any("climbs out of the layer root" in w for w in inventory.warnings)


def test_device_files_are_never_read(tmp_path: Path) -> None:
    layer = layer_tar([OS, Entry("var/lib/dpkg/status", kind="char")])
    assert build(oci_image(tmp_path / "img", [layer]), tmp_path).packages == ()


def test_blob_symlinked_out_of_the_layout(tmp_path: Path) -> None:
    root = oci_image(tmp_path / "img", [layer_tar([OS])])
    layer_digest = _manifest(root)["layers"][0]["digest"].split(":")[1]
    blob = root / "blobs/sha256" / layer_digest
    outside = tmp_path / "outside"
    outside.write_bytes(blob.read_bytes())
    blob.unlink()
    os.symlink(outside, blob)
    with pytest.raises(ImageError, match="outside the image layout"):
        build(root, tmp_path)


def test_malformed_digest_in_index(tmp_path: Path) -> None:
    root = oci_image(tmp_path / "img", [layer_tar([OS])])
    index = json.loads((root / "index.json").read_text())
    index["manifests"][0]["digest"] = "sha256:../../../etc/passwd"
    (root / "index.json").write_text(json.dumps(index))
    with pytest.raises(ImageError, match="malformed digest"):
        build(root, tmp_path)


def test_not_json_manifest(tmp_path: Path) -> None:
    root = oci_image(tmp_path / "img", [layer_tar([OS])])
    (root / "index.json").write_text("{not json")
    with pytest.raises(ImageError, match="not valid JSON"):
        build(root, tmp_path)


def test_decompression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """16 MiB of zeros gzip to ~16 KiB (ratio ~1000): refused once past the check threshold."""
    monkeypatch.setattr(blob_module, "BOMB_CHECK_AFTER", 1024 * 1024)
    layer = layer_tar([OS, ("zeros", bytes(16 * 1024 * 1024))])
    with pytest.raises(LayerError, match="decompression bomb"):
        build(oci_image(tmp_path / "img", [layer], "gzip"), tmp_path)


def test_layer_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAWALL_MAX_LAYER_BYTES", str(1024 * 1024))
    layer = layer_tar([OS, ("big", os.urandom(2 * 1024 * 1024))])
    with pytest.raises(LayerError, match="size limit"):
        build(oci_image(tmp_path / "img", [layer], "none"), tmp_path)


def test_corrupt_package_database_is_a_warning(tmp_path: Path) -> None:
    layer = layer_tar(
        [
            OS,
            ("var/lib/dpkg/status", b"\x00\xff garbage \n\n Package\n"),
            ("lib/apk/db/installed", b"P:\nV:\n\n"),
        ]
    )
    inventory = build(oci_image(tmp_path / "img", [layer]), tmp_path)
    assert inventory.packages == ()
    assert inventory.os is not None


def test_nothing_written_outside_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    layer = layer_tar([OS, ("../../tmp/seawall-pwned", b"x"), ("/abs/seawall-pwned", b"x")])
    build(oci_image(tmp_path / "img", [layer]), tmp_path)
    assert not Path("/tmp/seawall-pwned").exists()
    assert not Path("/abs").exists()
    assert list(workdir.iterdir()) == []
    assert {p.name for p in tmp_path.iterdir()} == {"cwd", "img"}  # no cache dir: built with use_cache=False
