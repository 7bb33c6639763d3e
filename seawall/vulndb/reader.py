"""Reading a feed source as published: a directory tree, a zip (OSV's ``all.zip``), a tar archive (plain,
gzip or zstd), or one file (plain, gzip or zstd: ``epss_scores-current.csv.gz``).

Archives are streamed member by member and never unpacked to disk; every file is read with a size
cap, and a compressed stream that expands like a decompression bomb is refused. A ``.source_commit``
file at the top (``COMMIT DATE`` then ``OWNER+REPO``, as in ../shared/vulndata) gives the provenance.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from seawall.errors import LayerError
from seawall.image.blob import GZIP_MAGIC, ZSTD_MAGIC, decompressed
from seawall.image.tarstream import TarReader, normalize_path
from seawall.model import FileKind
from seawall.vulndb.errors import SourceError

MiB = 1024 * 1024
MAX_FILE_BYTES = 64 * MiB
BOMB_RATIO = 100  # feeds are text and compress ~10x; past BOMB_AFTER bytes more than this is refused
BOMB_AFTER = 256 * MiB
PROVENANCE_FILE = ".source_commit"
_COMPRESSED_SUFFIXES = (".gz", ".zst")


def _decompression_errors() -> tuple[type[BaseException], ...]:
    import zstandard
    from isal import isal_zlib

    isal_error = cast("type[BaseException]", isal_zlib.error)
    return (OSError, EOFError, zlib.error, isal_error, zstandard.ZstdError, ValueError)


_BROKEN = _decompression_errors()
_BROKEN_TAR: tuple[type[BaseException], ...] = (LayerError, *_BROKEN)


@dataclass(frozen=True)
class Provenance:
    """Where a source's data comes from: repository (``owner/name``), revision (commit) and its date."""

    repository: str = ""
    revision: str = ""
    date: str = ""


@dataclass(frozen=True)
class FeedFile:
    """One file of a source: its path inside the source and its bytes, or why it was not read."""

    path: str
    content: bytes = b""
    error: str = ""


def parse_provenance(text: str) -> Provenance:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    revision, _, date = (lines[0] if lines else "").partition(" ")
    repository = lines[1].replace("+", "/", 1) if len(lines) > 1 else ""
    return Provenance(repository=repository[:200], revision=revision[:80], date=date.strip()[:40])


class _Counted:
    """Counts decompressed bytes; refuses a stream that expands far beyond its compressed size."""

    def __init__(self, stream: BinaryIO, compressed_size: int, label: str) -> None:
        self._stream = stream
        self._limit = max(BOMB_AFTER, BOMB_RATIO * compressed_size)
        self._label = label
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self.count += len(data)
        if self.count > self._limit:
            raise SourceError(
                f"{self._label}: refused, expands beyond {self._limit} bytes (a decompression bomb)"
            )
        return data

    def readable(self) -> bool:
        return True


def _is_tar_header(block: bytes) -> bool:
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar":
        return True
    try:
        stored = int(block[148:156].strip(b"\0 ") or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(block[:148]) + 8 * 32 + sum(block[156:512])


class SourceReader:
    """The files of one source, in a stable order, whatever its packaging."""

    def __init__(self, path: Path, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.path = path
        self.max_file_bytes = max_file_bytes
        self.provenance = Provenance()
        try:
            info = path.stat()
        except OSError as error:
            raise SourceError(f"cannot read {path}: {error.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            self.kind = "dir"
        elif stat.S_ISREG(info.st_mode):
            self.kind = self._file_kind()
        else:
            raise SourceError(f"{path} is neither a file nor a directory")

    def _open(self) -> BinaryIO:
        try:
            return self.path.open("rb")
        except OSError as error:
            raise SourceError(f"cannot read {self.path}: {error.strerror}") from None

    def _file_kind(self) -> str:
        with self._open() as handle:
            head = handle.read(8)
            if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
                return "zip"
            compressed = head.startswith((GZIP_MAGIC, ZSTD_MAGIC))
            handle.seek(0)
            stream, _ = decompressed(handle)
            try:
                block = _read_exactly(stream, 512)
            except _BROKEN as error:
                raise SourceError(f"{self.path}: corrupt compressed file ({error})") from None
        if block.count(0) != len(block) and _is_tar_header(block):
            return "tar"
        return "compressed-file" if compressed else "file"

    def fingerprint(self) -> str:
        """A digest that changes when the input changes: file bytes, or a tree's paths, sizes and mtimes."""
        digest = hashlib.sha256()
        if self.kind == "dir":
            for rel, full in self._walk():
                st = os.lstat(full)
                digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "replace"))
            return "tree:" + digest.hexdigest()
        with self._open() as handle:
            for chunk in iter(lambda: handle.read(MiB), b""):
                digest.update(chunk)
        return "sha256:" + digest.hexdigest()

    def files(self, wants: Callable[[str], bool], max_bytes: int | None = None) -> Iterator[FeedFile]:
        """Every file ``wants(path)`` accepts; ``.source_commit`` is read on the way into ``provenance``.

        Files larger than ``max_bytes`` (default: the reader's cap) come with an error instead.
        """
        if max_bytes is not None:
            self.max_file_bytes = max_bytes
        if self.kind == "dir":
            yield from self._dir_files(wants)
        elif self.kind == "zip":
            yield from self._zip_files(wants)
        elif self.kind == "tar":
            yield from self._tar_files(wants)
        else:
            yield from self._single_file(wants)

    def _note_provenance(self, path: str, content: bytes) -> None:
        self.provenance = parse_provenance(content[:4096].decode("utf-8", "replace"))

    @staticmethod
    def _is_provenance(path: str) -> bool:
        parts = path.split("/")
        return parts[-1] == PROVENANCE_FILE and len(parts) <= 2

    def _walk(self) -> Iterator[tuple[str, str]]:
        root = str(self.path)
        for directory, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(directory, name)
                if not os.path.isfile(full) or os.path.islink(full):
                    continue
                yield os.path.relpath(full, root).replace(os.sep, "/"), full

    def _dir_files(self, wants: Callable[[str], bool]) -> Iterator[FeedFile]:
        for rel, full in self._walk():
            is_provenance = self._is_provenance(rel)
            if not is_provenance and not wants(rel):
                continue
            try:
                with open(full, "rb") as handle:
                    content = handle.read(self.max_file_bytes + 1)
            except OSError as error:
                yield FeedFile(rel, error=f"cannot read: {error.strerror}")
                continue
            yield from self._deliver(rel, content, is_provenance)

    def _deliver(self, path: str, content: bytes, is_provenance: bool) -> Iterator[FeedFile]:
        if is_provenance:
            self._note_provenance(path, content)
        elif len(content) > self.max_file_bytes:
            yield FeedFile(path, error=f"larger than {self.max_file_bytes} bytes, skipped")
        else:
            yield FeedFile(path, content)

    def _zip_files(self, wants: Callable[[str], bool]) -> Iterator[FeedFile]:
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as error:
            raise SourceError(f"{self.path}: corrupt zip archive ({error})") from None
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                path, escaped = normalize_path(info.filename)
                is_provenance = self._is_provenance(path)
                if escaped or not path or not (is_provenance or wants(path)):
                    continue
                if info.file_size > self.max_file_bytes or info.flag_bits & 0x1:
                    yield FeedFile(path, error="too large or encrypted, skipped")
                    continue
                try:
                    with archive.open(info) as member:
                        content = member.read(self.max_file_bytes + 1)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as error:
                    raise SourceError(f"{self.path}: corrupt zip member {path} ({error})") from None
                yield from self._deliver(path, content, is_provenance)

    def _decompressed(self, handle: BinaryIO) -> BinaryIO:
        stream, kind = decompressed(handle)
        if kind == "none":
            return stream
        size = self.path.stat().st_size
        counted: BinaryIO = _Counted(stream, size, str(self.path))  # type: ignore[assignment]
        return counted

    def _tar_files(self, wants: Callable[[str], bool]) -> Iterator[FeedFile]:
        with self._open() as handle:
            reader = TarReader(self._decompressed(handle))
            try:
                for entry in reader:
                    info = entry.info
                    if info.kind is not FileKind.REGULAR or entry.escaped or not info.path:
                        continue
                    is_provenance = self._is_provenance(info.path)
                    if not (is_provenance or wants(info.path)):
                        continue
                    if info.size > self.max_file_bytes:
                        yield FeedFile(info.path, error=f"larger than {self.max_file_bytes} bytes, skipped")
                        continue
                    yield from self._deliver(info.path, reader.read_content(info.size), is_provenance)
            except _BROKEN_TAR as error:
                raise SourceError(f"{self.path}: corrupt archive ({error})") from None

    def _single_file(self, wants: Callable[[str], bool]) -> Iterator[FeedFile]:
        name = self.path.name
        if self.kind == "compressed-file":
            for suffix in _COMPRESSED_SUFFIXES:
                name = name.removesuffix(suffix)
        if not wants(name):
            return
        with self._open() as handle:
            stream = self._decompressed(handle)
            try:
                content = _read_exactly(stream, self.max_file_bytes + 1)
            except _BROKEN as error:
                raise SourceError(f"{self.path}: corrupt compressed file ({error})") from None
        yield from self._deliver(name, content, False)


def _read_exactly(stream: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes (fewer only at the end of the stream)."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        data = stream.read(min(remaining, MiB))
        if not data:
            break
        chunks.append(data)
        remaining -= len(data)
    return b"".join(chunks)
