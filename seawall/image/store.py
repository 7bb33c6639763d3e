"""Named byte stores that images are read from: a directory, or the members of an uncompressed tar.

A tar store indexes its members by seeking past their content (headers only), so opening a member
later is a seek, and several members can be read at once from separate file handles.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from seawall.errors import ImageError, LayerError
from seawall.image.tarstream import TarReader, normalize_path, resolve_link
from seawall.model import FileKind

SMALL_LIMIT = 16 * 1024 * 1024  # manifests, configs, index files


class BlobStore(ABC):
    """Where an image's files live. Names are relative paths (``blobs/sha256/abc``)."""

    label: str

    @abstractmethod
    def open(self, name: str) -> BinaryIO:
        """A fresh read handle on the named member; :class:`ImageError` if it does not exist."""

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    def size(self, name: str) -> int | None:
        return None

    def read_small(self, name: str, limit: int = SMALL_LIMIT) -> bytes:
        """A small member (JSON) read whole, refusing anything over ``limit``."""
        with self.open(name) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise ImageError(f"{self.label}: {name} is larger than {limit} bytes")
        return data


class DirStore(BlobStore):
    """An OCI image layout directory. Members must be regular files inside the directory."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)

    def _path(self, name: str) -> Path:
        clean, escaped = normalize_path(name)
        path = (self.root / clean).resolve()
        if escaped or not path.is_relative_to(self.root):
            raise ImageError(f"{self.label}: {name!r} points outside the image layout")
        return path

    def open(self, name: str) -> BinaryIO:
        path = self._path(name)
        try:
            if not path.is_file():
                raise ImageError(f"{self.label}: missing {name}")
            return path.open("rb")
        except OSError as error:
            raise ImageError(f"{self.label}: cannot read {name}: {error.strerror}") from None

    def exists(self, name: str) -> bool:
        try:
            return self._path(name).is_file()
        except ImageError:
            return False

    def size(self, name: str) -> int | None:
        try:
            return self._path(name).stat().st_size
        except (OSError, ImageError):
            return None


class _Slice:
    """A read-only window on one member of an uncompressed tar file."""

    def __init__(self, path: Path, offset: int, size: int) -> None:
        self._file = path.open("rb")
        self._file.seek(offset)
        self._left = size

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n < 0 else min(n, self._left)
        data = self._file.read(n)
        self._left -= len(data)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> _Slice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class _Member:
    offset: int
    size: int
    kind: FileKind
    link: str = ""


class TarStore(BlobStore):
    """Members of an uncompressed tar archive (docker save, oci-archive), found by one header scan."""

    MAX_LINK_HOPS = 8

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)
        self.members: dict[str, _Member] = {}
        file_size = path.stat().st_size
        with path.open("rb") as handle:
            reader = TarReader(handle, seekable=True)
            try:
                for entry in reader:
                    info = entry.info
                    if entry.escaped:
                        continue
                    link = info.link_target if info.kind in (FileKind.SYMLINK, FileKind.HARDLINK) else ""
                    self.members[info.path] = _Member(reader.offset, info.size, info.kind, link)
            except LayerError as error:
                raise ImageError(f"{self.label}: not a readable tar archive ({error})") from None
        for name, member in self.members.items():
            if member.offset + member.size > file_size:
                raise ImageError(f"{self.label}: truncated archive ({name} extends past the end)")

    def _resolve(self, name: str) -> _Member:
        current, _ = normalize_path(name)
        for _ in range(self.MAX_LINK_HOPS):
            member = self.members.get(current)
            if member is None:
                raise ImageError(f"{self.label}: missing {name}")
            if member.kind is FileKind.REGULAR:
                return member
            if member.kind is FileKind.SYMLINK:
                current, _ = resolve_link(current, member.link)
            elif member.kind is FileKind.HARDLINK:
                current, _ = normalize_path(member.link)
            else:
                raise ImageError(f"{self.label}: {name} is not a file")
        raise ImageError(f"{self.label}: too many links resolving {name}")

    def open(self, name: str) -> BinaryIO:
        member = self._resolve(name)
        return _Slice(self.path, member.offset, member.size)  # type: ignore[return-value]

    def exists(self, name: str) -> bool:
        try:
            self._resolve(name)
        except ImageError:
            return False
        return True

    def size(self, name: str) -> int | None:
        try:
            return self._resolve(name).size
        except ImageError:
            return None


class MemoryStore(BlobStore):
    """Small members kept from a sequential read of a compressed archive."""

    def __init__(self, label: str, members: dict[str, bytes], links: dict[str, str]) -> None:
        self.label = label
        self.members = members
        self.links = links

    def _resolve(self, name: str) -> str:
        current, _ = normalize_path(name)
        for _ in range(8):
            if current in self.members:
                return current
            if current not in self.links:
                break
            current, _ = resolve_link(current, self.links[current])
        raise ImageError(f"{self.label}: missing {name}")

    def open(self, name: str) -> BinaryIO:
        import io

        return io.BytesIO(self.members[self._resolve(name)])

    def exists(self, name: str) -> bool:
        try:
            self._resolve(name)
        except ImageError:
            return False
        return True


def file_size(path: Path) -> int:
    return os.stat(path).st_size
