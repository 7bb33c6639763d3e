"""OCI and Docker manifests, indexes and configs: parsing, platform choice, layer list.

Everything read here is checked before use: media types are known, digests well-formed, blob
contents hash to their digests, and the config's diff_ids line up with the manifest's layers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from seawall.errors import DigestMismatch, ImageError, UsageError
from seawall.image.blob import parse_digest
from seawall.image.store import BlobStore
from seawall.model import ImageInfo, LayerInfo

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
CONFIG_TYPES = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
LAYER_TYPES = frozenset(
    {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar.zstd",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    }
)
REF_NAME = "org.opencontainers.image.ref.name"
MAX_INDEX_DEPTH = 4


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise UsageError(f"bad platform {text!r}: expected OS/ARCH[/VARIANT], e.g. linux/arm64/v8")
        return cls(*parts)

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def matches(self, other: dict[str, Any]) -> bool:
        if other.get("os") != self.os or other.get("architecture") != self.architecture:
            return False
        return not self.variant or other.get("variant", "") == self.variant


DEFAULT_PLATFORM = Platform("linux", "amd64")


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    platform: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, where: str) -> Descriptor:
        if not isinstance(raw, dict):
            raise ImageError(f"{where}: a descriptor is not an object")
        digest, size = raw.get("digest"), raw.get("size")
        if not isinstance(digest, str) or not isinstance(size, int) or size < 0:
            raise ImageError(f"{where}: a descriptor lacks a valid digest or size")
        parse_digest(digest)
        platform = raw.get("platform") if isinstance(raw.get("platform"), dict) else {}
        annotations = raw.get("annotations") if isinstance(raw.get("annotations"), dict) else {}
        return cls(str(raw.get("mediaType", "")), digest, size, platform or {}, annotations or {})


@dataclass(frozen=True)
class ResolvedImage:
    """An image ready to analyze: what it is, and where each layer's blob is in the store."""

    info: ImageInfo
    config: dict[str, Any]
    layer_names: tuple[str, ...]


def load_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ImageError(f"{what} is not valid JSON ({error})") from None


def blob_name(digest: str) -> str:
    algorithm, hexdigest = parse_digest(digest)
    return f"blobs/{algorithm}/{hexdigest}"


def read_verified(store: BlobStore, descriptor: Descriptor, name: str | None = None) -> bytes:
    """A small blob, checked against the descriptor's size and digest."""
    name = name or blob_name(descriptor.digest)
    data = store.read_small(name)
    algorithm, hexdigest = parse_digest(descriptor.digest)
    if hashlib.new(algorithm, data).hexdigest() != hexdigest:
        raise DigestMismatch(f"{store.label}: {name} does not match its digest {descriptor.digest}")
    if len(data) != descriptor.size:
        raise ImageError(f"{store.label}: {name} is {len(data)} bytes, its descriptor says {descriptor.size}")
    return data


def _manifest_media_type(document: dict[str, Any], declared: str) -> str:
    media = str(document.get("mediaType") or declared)
    if not media:
        media = OCI_INDEX if "manifests" in document else OCI_MANIFEST
    return media


def choose_platform(candidates: list[Descriptor], platform: Platform | None, where: str) -> Descriptor:
    """Pick one manifest of an index for the platform asked (default linux/amd64)."""
    if len(candidates) == 1 and platform is None:
        return candidates[0]
    wanted = platform or DEFAULT_PLATFORM
    matching = [d for d in candidates if wanted.matches(d.platform)]
    unlabeled = [d for d in candidates if not d.platform]  # e.g. a nested index: look inside
    if not matching and unlabeled:
        return unlabeled[0]
    if not matching:
        available = sorted(
            "/".join(
                p
                for p in (
                    d.platform.get("os", "?"),
                    d.platform.get("architecture", "?"),
                    d.platform.get("variant", ""),
                )
                if p
            )
            for d in candidates
        )
        raise ImageError(
            f"{where}: no image for platform {wanted} (available: {', '.join(available) or 'none'})"
        )
    return matching[0]


def resolve_descriptor(
    store: BlobStore, descriptor: Descriptor, platform: Platform | None, reference: str, depth: int = 0
) -> ResolvedImage:
    """Follow indexes down to one image manifest, then read its config."""
    if depth > MAX_INDEX_DEPTH:
        raise ImageError(f"{reference}: indexes nested more than {MAX_INDEX_DEPTH} deep")
    raw = read_verified(store, descriptor)
    document = load_json(raw, f"{reference}: manifest {descriptor.digest}")
    if not isinstance(document, dict):
        raise ImageError(f"{reference}: manifest {descriptor.digest} is not an object")
    media = _manifest_media_type(document, descriptor.media_type)
    if media in INDEX_TYPES:
        entries = document.get("manifests")
        if not isinstance(entries, list):
            raise ImageError(f"{reference}: index {descriptor.digest} has no manifests list")
        parsed = [Descriptor.parse(e, reference) for e in entries]
        images = [d for d in parsed if d.media_type in MANIFEST_TYPES | INDEX_TYPES]
        chosen = choose_platform(images, platform, reference)
        return resolve_descriptor(store, chosen, platform, reference, depth + 1)
    if media not in MANIFEST_TYPES:
        raise ImageError(f"{reference}: unsupported manifest media type {media!r}")
    return _resolve_manifest(store, document, descriptor.digest, reference)


def _resolve_manifest(
    store: BlobStore, document: dict[str, Any], manifest_digest: str, reference: str
) -> ResolvedImage:
    config_descriptor = Descriptor.parse(document.get("config"), f"{reference}: config")
    if config_descriptor.media_type and config_descriptor.media_type not in CONFIG_TYPES:
        raise ImageError(
            f"{reference}: not a container image (config media type {config_descriptor.media_type!r})"
        )
    layers_raw = document.get("layers")
    if not isinstance(layers_raw, list):
        raise ImageError(f"{reference}: manifest has no layers list")
    layers = [Descriptor.parse(item, f"{reference}: layer") for item in layers_raw]
    for layer in layers:
        if layer.media_type not in LAYER_TYPES:
            raise ImageError(f"{reference}: unsupported layer media type {layer.media_type!r}")
    config = load_json(read_verified(store, config_descriptor), f"{reference}: config")
    info, config = image_info_from_config(
        config, reference, [(d.digest, d.size, d.media_type) for d in layers]
    )
    info = ImageInfo(
        **{**info.__dict__, "manifest_digest": manifest_digest, "config_digest": config_descriptor.digest}
    )
    return ResolvedImage(info, config, tuple(blob_name(d.digest) for d in layers))


def image_info_from_config(
    config: Any, reference: str, layers: list[tuple[str, int, str]], repo_tags: tuple[str, ...] = ()
) -> tuple[ImageInfo, dict[str, Any]]:
    """ImageInfo from an image config and the manifest's (digest, size, media type) per layer."""
    if not isinstance(config, dict):
        raise ImageError(f"{reference}: the image config is not an object")
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(diff_ids, list) or not all(isinstance(d, str) for d in diff_ids):
        raise ImageError(f"{reference}: the image config has no rootfs.diff_ids")
    for diff_id in diff_ids:
        parse_digest(diff_id)
    if len(diff_ids) != len(layers):
        raise ImageError(
            f"{reference}: the config lists {len(diff_ids)} diff_ids but the manifest {len(layers)} layers"
        )
    history = [h for h in config.get("history", []) if isinstance(h, dict)]
    created_by = [str(h.get("created_by", "")) for h in history if not h.get("empty_layer")]
    if len(created_by) != len(layers):
        created_by = [""] * len(layers)
    layer_infos = tuple(
        LayerInfo(digest=digest, diff_id=diff_id, size=size, media_type=media, created_by=created)
        for (digest, size, media), diff_id, created in zip(layers, diff_ids, created_by, strict=True)
    )
    info = ImageInfo(
        reference=reference,
        os=str(config.get("os", "")),
        architecture=str(config.get("architecture", "")),
        variant=str(config.get("variant", "")),
        layers=layer_infos,
        repo_tags=repo_tags,
        created=str(config.get("created", "")),
        config=config,
    )
    return info, config
