"""Small images written by the tests themselves: tar layers from a spec, OCI layouts, docker archives.

Used for precise cases (whiteouts, hostile entries, platforms) that real images do not isolate;
the real images come from tests/images.py.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_MEDIA = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}

DPKG_STATUS = """Package: {name}
Status: install ok installed
Architecture: amd64
Version: {version}
Description: test package

"""


def dpkg_status(*packages: tuple[str, str]) -> bytes:
    return "".join(DPKG_STATUS.format(name=n, version=v) for n, v in packages).encode()


@dataclass
class Entry:
    """One tar entry. ``kind``: file, dir, symlink, hardlink, char."""

    path: str
    data: bytes = b""
    kind: str = "file"
    link: str = ""
    mode: int = 0o644
    size: int | None = None  # claimed size when it must differ from len(data)


def layer_tar(entries: list[Entry | tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for item in entries:
            entry = Entry(item[0], item[1]) if isinstance(item, tuple) else item
            info = tarfile.TarInfo(entry.path)
            info.mode = entry.mode
            if entry.kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif entry.kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, entry.link
                tar.addfile(info)
            elif entry.kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, entry.link
                tar.addfile(info)
            elif entry.kind == "char":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
                tar.addfile(info)
            else:
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
    return out.getvalue()


def compress(data: bytes, how: str) -> bytes:
    if how == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    if how == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    return data


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Layout:
    """An OCI image layout being written."""

    root: Path
    index: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        (self.root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (self.root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')

    def blob(self, data: bytes) -> str:
        digest = sha256(data)
        (self.root / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
        return digest

    def image(
        self,
        layers: list[bytes],
        compression: str = "gzip",
        platform: tuple[str, str] = ("linux", "amd64"),
        config_extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Write layers, config and manifest; return the manifest's descriptor (not yet indexed)."""
        layer_descriptors = []
        for raw in layers:
            blob = compress(raw, compression)
            layer_descriptors.append(
                {"mediaType": LAYER_MEDIA[compression], "digest": self.blob(blob), "size": len(blob)}
            )
        config = {
            "architecture": platform[1],
            "os": platform[0],
            "rootfs": {"type": "layers", "diff_ids": [sha256(raw) for raw in layers]},
            "history": [{"created_by": f"step {i}"} for i in range(len(layers))],
            "config": {},
            **(config_extra or {}),
        }
        config_bytes = json.dumps(config).encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": self.blob(config_bytes), "size": len(config_bytes)},
            "layers": layer_descriptors,
        }
        manifest_bytes = json.dumps(manifest).encode()
        return {
            "mediaType": OCI_MANIFEST,
            "digest": self.blob(manifest_bytes),
            "size": len(manifest_bytes),
            "platform": {"os": platform[0], "architecture": platform[1]},
        }

    def nested_index(self, descriptors: list[dict[str, Any]]) -> dict[str, Any]:
        data = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors}).encode()
        return {"mediaType": OCI_INDEX, "digest": self.blob(data), "size": len(data)}

    def add(self, descriptor: dict[str, Any], tag: str = "") -> None:
        if tag:
            descriptor = {**descriptor, "annotations": {"org.opencontainers.image.ref.name": tag}}
        self.index.append(descriptor)
        self.save()

    def save(self) -> None:
        (self.root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": self.index}))


def oci_image(root: Path, layers: list[bytes], compression: str = "gzip", tag: str = "latest") -> Path:
    layout = Layout(root)
    layout.add(layout.image(layers, compression), tag)
    return root


def docker_archive(path: Path, layers: list[bytes], tags: tuple[str, ...] = ("test/image:latest",)) -> Path:
    """A ``docker save`` archive: layer tars named by digest, config JSON, manifest.json."""
    config = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [sha256(raw) for raw in layers]},
        "history": [{"created_by": f"step {i}"} for i in range(len(layers))],
    }
    config_bytes = json.dumps(config).encode()
    members: list[tuple[str, bytes]] = []
    names = []
    for raw in layers:
        name = f"{sha256(raw).split(':')[1]}/layer.tar"
        members.append((name, raw))
        names.append(name)
    config_name = f"{sha256(config_bytes).split(':')[1]}.json"
    members.append((config_name, config_bytes))
    manifest = [{"Config": config_name, "RepoTags": list(tags), "Layers": names}]
    members.append(("manifest.json", json.dumps(manifest).encode()))
    path.write_bytes(layer_tar(list(members)))
    return path


def tar_of_directory(root: Path) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for child in sorted(root.iterdir()):
            tar.add(child, arcname=child.name)
    return out.getvalue()
