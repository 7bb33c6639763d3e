"""Image sources: what a TARGET names, and how its manifest, config and layers are found.

``oci:DIR[:TAG]``, ``docker-archive:FILE[:TAG]``, ``oci-archive:FILE[:TAG]``, ``dir:ROOTFS``, or a bare
path (auto-detected). An uncompressed archive is indexed by its tar headers and read at random;
a compressed archive (``docker save | gzip``) is read once, front to back, analyzing each layer as
it passes (see :class:`SequentialArchive`).
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from seawall.errors import ImageError, LayerError, UsageError
from seawall.image.blob import HashingReader, compression_of, decompressed
from seawall.image.manifest import (
    INDEX_TYPES,
    MANIFEST_TYPES,
    REF_NAME,
    Descriptor,
    Platform,
    ResolvedImage,
    choose_platform,
    image_info_from_config,
    load_json,
    resolve_descriptor,
)
from seawall.image.store import BlobStore, DirStore, MemoryStore, TarStore
from seawall.image.tarstream import TarEntry, TarReader
from seawall.model import FileInfo, FileKind, ImageInfo, LayerInfo

KINDS = ("oci", "docker-archive", "oci-archive", "dir")
SMALL_MEMBER = 4 * 1024 * 1024
SMALL_TOTAL = 256 * 1024 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    kind: str
    path: Path
    tag: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.path}" + (f":{self.tag}" if self.tag else "")


def _split_tag(rest: str) -> tuple[str, str]:
    """``path:tag`` -> (path, tag) when ``path`` exists and the tag is not part of the path."""
    if os.path.exists(rest):
        return rest, ""
    path, sep, tag = rest.rpartition(":")
    if sep and path and "/" not in tag:
        return path, tag
    return rest, ""


def parse_target(text: str) -> Target:
    """Parse a TARGET; a bare path is auto-detected from what is on disk."""
    kind, sep, rest = text.partition(":")
    if sep and kind in KINDS:
        path, tag = _split_tag(rest) if kind != "dir" else (rest, "")
        if not path:
            raise UsageError(f"bad target {text!r}: no path after {kind}:")
        return Target(kind, Path(path), tag)
    if sep and kind == "registry":
        return _registry_target(rest.removeprefix("//"))
    if sep and kind in ("docker", "docker-daemon", "containers-storage", "podman"):
        raise UsageError(
            f"target kind {kind!r} is not supported (name a registry image as REGISTRY/REPO[:TAG|@DIGEST])"
        )
    bare = Path(text)
    if bare.is_dir():
        return Target("oci" if (bare / "oci-layout").is_file() else "dir", bare)
    if bare.is_file():
        return Target(_detect_archive(bare), bare)
    if os.path.exists(text):
        raise UsageError(f"{text}: not a file or directory")
    from seawall.registry.reference import looks_like_reference

    if looks_like_reference(text):
        return _registry_target(text)
    raise UsageError(
        f"{text}: no such file or directory, nor an image reference "
        "(use oci:DIR, docker-archive:FILE, oci-archive:FILE, dir:ROOTFS or REGISTRY/REPO[:TAG|@DIGEST])"
    )


def _registry_target(text: str) -> Target:
    """A registry image, its reference normalised (``alpine`` is ``docker.io/library/alpine:latest``)."""
    from seawall.registry.reference import parse_reference

    return Target("registry", Path(str(parse_reference(text))))


def _detect_archive(path: Path) -> str:
    """docker-archive or oci-archive, from the member names at the start of the archive."""
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if compression_of(head) == "none" and len(head) and not _looks_like_tar(handle):
            raise UsageError(f"{path}: not an image archive (neither tar nor compressed tar)")
        handle.seek(0)
        stream, compression = decompressed(handle)
        names: list[str] = []
        try:  # an uncompressed archive is read by seeking past members: no layer is read to detect it
            reader = TarReader(handle, seekable=True) if compression == "none" else TarReader(stream)
            if compression == "none":
                handle.seek(0)
            for entry in reader:
                names.append(entry.info.path)
                if entry.info.path in ("manifest.json", "repositories"):
                    return "docker-archive"
                if len(names) > 64:
                    break
        except (LayerError, OSError, EOFError):
            pass
    if "oci-layout" in names or "index.json" in names:
        return "oci-archive"
    return "docker-archive"


def _looks_like_tar(handle: BinaryIO) -> bool:
    block = handle.read(512)
    return len(block) == 512 and (block[257:262] == b"ustar" or block.count(0) < 512)


class ImageSource:
    """A random-access image: resolve once, then open layer blobs in any order, even concurrently."""

    def __init__(self, store: BlobStore, resolved: ResolvedImage) -> None:
        self.store = store
        self.resolved = resolved

    @property
    def info(self) -> ImageInfo:
        return self.resolved.info

    def open_layer(self, index: int) -> BinaryIO:
        return self.store.open(self.resolved.layer_names[index])


def _oci_top(store: BlobStore, tag: str, platform: Platform | None, reference: str) -> ResolvedImage:
    """Resolve an OCI image layout (directory or archive) to one image."""
    if store.exists("oci-layout"):
        layout = load_json(store.read_small("oci-layout"), f"{reference}: oci-layout")
        if not isinstance(layout, dict) or layout.get("imageLayoutVersion") != "1.0.0":
            raise ImageError(f"{reference}: unsupported OCI layout version")
    index = load_json(store.read_small("index.json"), f"{reference}: index.json")
    entries = index.get("manifests") if isinstance(index, dict) else None
    if not isinstance(entries, list):
        raise ImageError(f"{reference}: index.json has no manifests list")
    descriptors = [Descriptor.parse(e, f"{reference}: index.json") for e in entries]
    descriptors = [d for d in descriptors if d.media_type in MANIFEST_TYPES | INDEX_TYPES or not d.media_type]
    if tag:
        descriptors = [d for d in descriptors if d.annotations.get(REF_NAME) == tag]
        if not descriptors:
            raise ImageError(f"{reference}: no image tagged {tag!r} in the layout")
    if not descriptors:
        raise ImageError(f"{reference}: the layout holds no image")
    names = {d.annotations.get(REF_NAME, "") for d in descriptors}
    if len(descriptors) > 1 and len(names) > 1:
        raise ImageError(
            f"{reference}: the layout holds several images ({', '.join(sorted(n or '?' for n in names))}); "
            "name one with oci:DIR:TAG"
        )
    chosen = choose_platform(descriptors, platform, reference) if len(descriptors) > 1 else descriptors[0]
    return resolve_descriptor(store, chosen, platform, reference)


def _docker_top(store: BlobStore, tag: str, reference: str) -> ResolvedImage:
    """Resolve a docker-save archive through its manifest.json."""
    manifest = load_json(store.read_small("manifest.json"), f"{reference}: manifest.json")
    if not isinstance(manifest, list) or not manifest or not all(isinstance(m, dict) for m in manifest):
        raise ImageError(f"{reference}: manifest.json is not a list of images")
    chosen: dict[str, Any] = manifest[0]
    if tag:
        tagged = [
            m
            for m in manifest
            if any(str(t).endswith(f":{tag}") or t == tag for t in m.get("RepoTags") or [])
        ]
        if not tagged:
            raise ImageError(f"{reference}: no image tagged {tag!r} in the archive")
        chosen = tagged[0]
    elif len(manifest) > 1:
        raise ImageError(f"{reference}: the archive holds {len(manifest)} images; name one with :TAG")
    config_name, layer_names = chosen.get("Config"), chosen.get("Layers")
    if not isinstance(config_name, str) or not isinstance(layer_names, list):
        raise ImageError(f"{reference}: manifest.json lacks Config or Layers")
    config_raw = store.read_small(config_name)
    config = load_json(config_raw, f"{reference}: config")
    config_digest = "sha256:" + hashlib.sha256(config_raw).hexdigest()
    layers: list[tuple[str, int, str]] = []
    for name in layer_names:
        if not isinstance(name, str):
            raise ImageError(f"{reference}: a layer name in manifest.json is not a string")
        layers.append(("", store.size(name) or 0, "application/vnd.docker.image.rootfs.diff.tar"))
    tags = tuple(str(t) for t in chosen.get("RepoTags") or [])
    info, config = image_info_from_config(config, reference, layers, tags)
    info = ImageInfo(**{**info.__dict__, "config_digest": config_digest, "manifest_digest": ""})
    return ResolvedImage(info, config, tuple(layer_names))


def resolve(
    store: BlobStore, kind: str, tag: str, platform: Platform | None, reference: str
) -> ResolvedImage:
    if kind == "docker-archive" or (kind == "oci-archive" and not store.exists("index.json")):
        if not store.exists("manifest.json"):
            raise ImageError(f"{reference}: not a docker-archive (no manifest.json)")
        return _docker_top(store, tag, reference)
    if not store.exists("index.json"):
        raise ImageError(f"{reference}: not an OCI image layout (no index.json)")
    return _oci_top(store, tag, platform, reference)


def open_random_access(target: Target, platform: Platform | None) -> ImageSource | None:
    """An ImageSource, or None when the target is a compressed archive that must be read in sequence."""
    reference = str(target)
    if target.kind == "registry":
        from seawall.image.remote import open_registry_image

        return open_registry_image(str(target.path), platform)
    if target.kind == "oci":
        if not target.path.is_dir():
            raise ImageError(f"{reference}: not a directory")
        store: BlobStore = DirStore(target.path)
        return ImageSource(store, resolve(store, "oci", target.tag, platform, reference))
    try:
        with target.path.open("rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise ImageError(f"{target.path}: {error.strerror}") from None
    if compression_of(head) != "none":
        return None
    store = TarStore(target.path)
    return ImageSource(store, resolve(store, target.kind, target.tag, platform, reference))


@dataclass
class BlobRead:
    """A large archive member analyzed as it streamed past, with the digest of its bytes."""

    digest: str
    result: Any


class SequentialArchive:
    """One front-to-back read of a compressed archive.

    Small members (manifests, configs, small layers) are kept in memory, bounded; each large member
    is handed to ``analyze`` while it streams. Afterwards the image is resolved from the small
    members, and each layer is matched to its analysis by member name.
    """

    def __init__(self, target: Target) -> None:
        self.target = target

    def read(
        self, platform: Platform | None, analyze: Callable[[BinaryIO, str], T]
    ) -> tuple[ResolvedImage, MemoryStore, dict[str, tuple[str, T]]]:
        reference = str(self.target)
        small: dict[str, bytes] = {}
        links: dict[str, str] = {}
        large: dict[str, tuple[str, T]] = {}
        kept = 0
        try:
            with self.target.path.open("rb") as handle:
                stream, _ = decompressed(handle)
                reader = TarReader(stream)
                for entry in reader:
                    info = entry.info
                    if entry.escaped:
                        continue
                    if info.kind in (FileKind.SYMLINK, FileKind.HARDLINK):
                        links[info.path] = (
                            info.link_target if info.kind is FileKind.SYMLINK else "/" + info.link_target
                        )
                        continue
                    if info.kind is not FileKind.REGULAR:
                        continue
                    if info.size <= SMALL_MEMBER and kept + info.size <= SMALL_TOTAL:
                        small[info.path] = reader.read_content(info.size)
                        kept += info.size
                        continue
                    hashed = HashingReader(_MemberStream(reader, info))  # type: ignore[arg-type]
                    result = analyze(hashed, f"{reference}: {info.path}")  # type: ignore[arg-type]
                    while hashed.read(1024 * 1024):
                        pass
                    large[info.path] = (hashed.digest, result)
        except OSError as error:
            raise ImageError(f"{reference}: cannot read the archive ({error})") from None
        except EOFError:
            raise ImageError(f"{reference}: the compressed archive is truncated") from None
        except LayerError as error:
            raise ImageError(f"{reference}: {error}") from None
        store = MemoryStore(reference, small, links)
        resolved = resolve(store, self.target.kind, self.target.tag, platform, reference)
        return resolved, store, large


class _MemberStream:
    """The content of the current member of a TarReader, as a stream."""

    def __init__(self, reader: TarReader, info: FileInfo) -> None:
        self._reader = reader
        self._left = info.size

    def read(self, n: int = -1) -> bytes:
        n = self._left if n < 0 else min(n, self._left)
        if n <= 0:
            return b""
        data = self._reader.read_content(n)
        self._left -= len(data)
        return data

    def readable(self) -> bool:
        return True


class RootfsWalker:
    """A root filesystem directory presented as one layer's entries. Links are never followed."""

    MAX_DEPTH = 256

    def __init__(self, root: Path) -> None:
        self.root = root
        self._current: str | None = None

    def __iter__(self) -> Iterator[TarEntry]:
        stack: list[tuple[str, int]] = [("", 0)]
        while stack:
            relative, depth = stack.pop()
            directory = self.root / relative if relative else self.root
            try:
                with os.scandir(directory) as it:
                    items = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for item in items:
                path = f"{relative}/{item.name}" if relative else item.name
                try:
                    st = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat_module.S_ISDIR(st.st_mode):
                    if depth < self.MAX_DEPTH:
                        stack.append((path, depth + 1))
                    kind = FileKind.DIRECTORY
                elif stat_module.S_ISREG(st.st_mode):
                    kind = FileKind.REGULAR
                elif stat_module.S_ISLNK(st.st_mode):
                    kind = FileKind.SYMLINK
                else:
                    kind = FileKind.OTHER
                link = os.readlink(item.path) if kind is FileKind.SYMLINK else ""
                size = st.st_size if kind is FileKind.REGULAR else 0
                self._current = path if kind is FileKind.REGULAR else None
                yield TarEntry(FileInfo(path, size, st.st_mode & 0o7777, kind, link, st.st_uid, st.st_gid))

    def read_content(self, limit: int) -> bytes:
        if self._current is None:
            return b""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.root / self._current, flags)
        except OSError as error:
            raise LayerError(f"cannot read {self._current}: {error.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            return handle.read(limit)


def rootfs_image(target: Target) -> ImageInfo:
    if not target.path.is_dir():
        raise ImageError(f"{target}: not a directory")
    layer = LayerInfo(digest="", diff_id="", size=0, media_type="dir")
    return ImageInfo(reference=str(target), layers=(layer,))
