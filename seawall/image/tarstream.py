"""A streaming tar reader for hostile input.

Reads ustar, GNU (long names, long links) and pax (path, linkpath, size, uid, gid) entries from a
non-seekable stream, one pass, in large chunks. Each entry's content can be read (up to a cap) or is
skipped; nothing is ever written to disk. Every size is checked before it is trusted: a header
that claims more data than the stream holds ends in :class:`~seawall.errors.LayerError`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from seawall.errors import LayerError
from seawall.model import FileInfo, FileKind

BLOCK = 512
CHUNK = 1024 * 1024
MAX_META_SIZE = 1024 * 1024  # pax and GNU long-name records
_HEADER_ONLY = frozenset({b"1", b"2", b"3", b"4", b"5", b"6"})
_KINDS = {
    b"0": FileKind.REGULAR,
    b"\0": FileKind.REGULAR,
    b"7": FileKind.REGULAR,
    b"1": FileKind.HARDLINK,
    b"2": FileKind.SYMLINK,
    b"5": FileKind.DIRECTORY,
}


@dataclass
class TarEntry:
    """One member: its normalised header facts and whether its path had to be clamped."""

    info: FileInfo
    escaped: bool = False


def normalize_path(name: str) -> tuple[str, bool]:
    """``./a/../b/`` -> ``b``. Returns the path inside the image root and whether ``..`` tried to leave it.

    The result never starts with ``/`` or contains ``..``: a path that climbs above the root is
    clamped at the root, as a chroot would, and flagged.
    """
    if name.startswith("./"):
        name = name[2:]
    already_normal = "/." not in name and "//" not in name and not name.startswith((".", "/"))
    if already_normal and not name.endswith("/"):
        return name, False  # the common case
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


def resolve_link(path: str, target: str) -> tuple[str, bool]:
    """Where a symlink at ``path`` points inside the image view (absolute targets start at the root)."""
    base = "" if target.startswith("/") else posixpath.dirname(path)
    return normalize_path(f"{base}/{target}")


class _Buffered:
    """Large reads from the underlying stream, small reads served from memory."""

    def __init__(self, stream: BinaryIO, seekable: bool = False) -> None:
        self._stream = stream
        self._seekable = seekable
        self._buf = b""
        self._pos = 0
        self.offset = 0  # bytes consumed by the tar reader

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or fewer only at the end of the stream."""
        available = len(self._buf) - self._pos
        if n <= available:
            data = self._buf[self._pos : self._pos + n]
            self._pos += n
            self.offset += n
            return data
        parts = [self._buf[self._pos :]]
        need = n - available
        self._buf, self._pos = b"", 0
        while need > 0:
            chunk = self._stream.read(max(CHUNK, need))
            if not chunk:
                break
            if len(chunk) > need:
                parts.append(chunk[:need])
                self._buf, self._pos = chunk, need
                need = 0
            else:
                parts.append(chunk)
                need -= len(chunk)
        data = b"".join(parts)
        self.offset += len(data)
        return data

    def skip(self, n: int) -> int:
        """Discard ``n`` bytes; returns how many were really there."""
        available = len(self._buf) - self._pos
        if n <= available:
            self._pos += n
            self.offset += n
            return n
        skipped = available
        self._buf, self._pos = b"", 0
        if self._seekable:  # indexing an archive on disk: jump over content (checked against its size later)
            self._stream.seek(n - skipped, 1)
            self.offset += n
            return n
        while skipped < n:
            chunk = self._stream.read(CHUNK)
            if not chunk:
                break
            take = min(len(chunk), n - skipped)
            if take < len(chunk):
                self._buf, self._pos = chunk, take
            skipped += take
        self.offset += skipped
        return skipped

    def drain(self) -> None:
        """Read the rest of the stream (so that digests over all of it are complete)."""
        self._buf, self._pos = b"", 0
        if self._seekable:
            return
        while self._stream.read(CHUNK):
            pass


def _octal(field: bytes, what: str) -> int:
    if field and field[0] & 0x80:  # GNU base-256 for big numbers
        if field[0] & 0x40:
            raise LayerError(f"corrupt tar header: negative {what}")
        value = field[0] & 0x3F
        for byte in field[1:]:
            value = (value << 8) | byte
        return value
    text = field.split(b"\0", 1)[0].translate(None, b" ")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise LayerError(f"corrupt tar header: {what} is not a number") from None


def _cstr(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _pax_int(records: dict[str, str], key: str) -> int:
    try:
        value = int(records[key])
    except ValueError:
        raise LayerError(f"corrupt pax header: {key} is not a number") from None
    if value < 0:
        raise LayerError(f"corrupt pax header: negative {key}")
    return value


def _parse_pax(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:
            break
        space = data.find(b" ", pos)
        if space < 0:
            raise LayerError("corrupt pax header")
        try:
            length = int(data[pos:space])
        except ValueError:
            raise LayerError("corrupt pax header: bad record length") from None
        if length <= 0 or pos + length > len(data):
            raise LayerError("corrupt pax header: record length out of range")
        record = data[space + 1 : pos + length - 1]
        key, sep, value = record.partition(b"=")
        if sep:
            records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


class TarReader:
    """Iterate entries of a tar stream; between iterations, ``read_content`` may read the current one."""

    def __init__(self, stream: BinaryIO, seekable: bool = False) -> None:
        self._in = _Buffered(stream, seekable)
        self._remaining = 0  # unread content bytes of the current entry
        self._padding = 0
        self._global_pax: dict[str, str] = {}

    @property
    def offset(self) -> int:
        return self._in.offset

    def read_content(self, limit: int) -> bytes:
        """The current entry's content, at most ``limit`` bytes (callers check the size first)."""
        n = min(self._remaining, limit)
        data = self._in.read(n)
        if len(data) < n:
            raise LayerError("truncated layer: the stream ends inside a file")
        self._remaining -= len(data)
        return data

    def _finish_entry(self) -> None:
        need = self._remaining + self._padding
        if need and self._in.skip(need) < need:
            raise LayerError("truncated layer: the stream ends inside a file")
        self._remaining = self._padding = 0

    def _read_record(self, size: int, what: str) -> bytes:
        if size > MAX_META_SIZE:
            raise LayerError(f"corrupt tar: {what} record of {size} bytes")
        data = self._in.read(size)
        padding = -size % BLOCK
        if len(data) < size or self._in.skip(padding) < padding:
            raise LayerError(f"truncated layer inside a {what} record")
        return data

    def __iter__(self) -> Iterator[TarEntry]:
        pax: dict[str, str] = {}
        long_name = long_link = ""
        while True:
            self._finish_entry()
            header = self._in.read(BLOCK)
            if not header:
                return  # end of stream without the end-of-archive blocks: accepted, like GNU tar
            if len(header) < BLOCK:
                raise LayerError("truncated layer: partial tar header")
            if header.count(0) == BLOCK:
                self._in.drain()
                return
            stored = _octal(header[148:156], "checksum")
            computed = sum(header) - sum(header[148:156]) + 8 * 32
            if stored != computed:
                raise LayerError(f"corrupt tar header at byte {self._in.offset - BLOCK} (bad checksum)")
            typeflag = header[156:157]
            size = _octal(header[124:136], "size")
            if typeflag in (b"x", b"X"):
                pax = _parse_pax(self._read_record(size, "pax"))
                continue
            if typeflag == b"g":
                self._global_pax.update(_parse_pax(self._read_record(size, "pax")))
                continue
            if typeflag == b"L":
                long_name = _cstr(self._read_record(size, "long name"))
                continue
            if typeflag == b"K":
                long_link = _cstr(self._read_record(size, "long link"))
                continue
            merged = {**self._global_pax, **pax} if self._global_pax else pax
            name = _cstr(header[0:100])
            if header[257:262] == b"ustar":
                prefix = _cstr(header[345:500]) if header[262:263] == b"\0" else ""
                if prefix:
                    name = f"{prefix}/{name}"
            name = merged.get("path") or long_name or name
            link = merged.get("linkpath") or long_link or _cstr(header[157:257])
            if "size" in merged:
                size = _pax_int(merged, "size")
            kind = _KINDS.get(typeflag, FileKind.OTHER)
            # links, devices, directories and FIFOs carry no data whatever their size field says
            size_in_stream = 0 if typeflag in _HEADER_ONLY else size
            path, escaped = normalize_path(name)
            info = FileInfo(
                path=path,
                size=size if kind is FileKind.REGULAR else 0,
                mode=_octal(header[100:108], "mode") & 0o7777,
                kind=kind,
                link_target=link,
                uid=_pax_int(merged, "uid") if "uid" in merged else _octal(header[108:116], "uid"),
                gid=_pax_int(merged, "gid") if "gid" in merged else _octal(header[116:124], "gid"),
            )
            pax, long_name, long_link = {}, "", ""
            self._remaining = size_in_stream
            self._padding = -size_in_stream % BLOCK
            yield TarEntry(info, escaped)
