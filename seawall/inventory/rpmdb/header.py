"""The rpm header blob, as stored in every rpm package database.

A stored header is the "header without magic": two big-endian 32-bit counts, ``il`` index entries
and ``dl`` bytes of data, then ``il`` entries of 16 bytes (tag, type, offset, count) and the data
store the offsets point into. Only the tags Seawall needs are decoded; every count and offset is
checked against the blob before it is used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_SOURCERPM = 1044
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118
TAG_MODULARITYLABEL = 5096

TYPE_INT32 = 4
TYPE_STRING = 6
TYPE_STRING_ARRAY = 8
TYPE_I18NSTRING = 9

ENTRY_SIZE = 16
MAX_INDEX_ENTRIES = 0x10000
"""More tags than any real package carries (rpm itself refuses 16M); a bigger count is corruption."""
MAX_DATA_LENGTH = 256 * 1024 * 1024
"""rpm's own limit for a header's data store."""

_WANTED = frozenset(
    {
        TAG_NAME,
        TAG_VERSION,
        TAG_RELEASE,
        TAG_EPOCH,
        TAG_VENDOR,
        TAG_LICENSE,
        TAG_ARCH,
        TAG_OLDFILENAMES,
        TAG_SOURCERPM,
        TAG_DIRINDEXES,
        TAG_BASENAMES,
        TAG_DIRNAMES,
        TAG_MODULARITYLABEL,
    }
)
_STRING_TYPES = (TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING)


class RpmDbError(ValueError):
    """Bytes that are not a readable rpm database or header; the message is a short reason."""


@dataclass(frozen=True)
class RpmHeader:
    """What Seawall reads from one installed package's header. Absent strings are ``""``."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str = ""
    source_rpm: str = ""
    license: str = ""
    vendor: str = ""
    modularity_label: str = ""
    files: tuple[str, ...] = ()
    file_error: str = ""
    """Why the file list could not be read (the package itself is still good), or ``""``."""


@dataclass(frozen=True)
class _Entry:
    type: int
    offset: int
    count: int


class HeaderBlob:
    """The index of one header blob, decoding the wanted tags on demand."""

    def __init__(self, blob: bytes) -> None:
        if len(blob) < 8:
            raise RpmDbError(f"header of {len(blob)} bytes is truncated")
        il, dl = struct.unpack_from(">II", blob, 0)
        if il == 0 or il > MAX_INDEX_ENTRIES:
            raise RpmDbError(f"header claims {il} index entries")
        if dl > MAX_DATA_LENGTH:
            raise RpmDbError(f"header claims {dl} bytes of data")
        data_start = 8 + il * ENTRY_SIZE
        if data_start + dl > len(blob):
            raise RpmDbError(f"header needs {data_start + dl} bytes but has {len(blob)}")
        self._blob = blob
        self._start = data_start
        self._end = data_start + dl
        self._entries: dict[int, _Entry] = {}
        for tag, kind, offset, count in struct.iter_unpack(">iiiI", blob[8:data_start]):
            if tag in _WANTED:
                if offset < 0 or offset >= dl or count == 0 or count > dl:
                    raise RpmDbError(f"header tag {tag} points outside its data")
                self._entries[tag] = _Entry(kind, offset, count)  # a later (dribble) entry wins

    def has(self, tag: int) -> bool:
        return tag in self._entries

    def strings(self, tag: int) -> list[str] | None:
        """A string or string-array tag's values; ``None`` when the header lacks the tag."""
        entry = self._entries.get(tag)
        if entry is None:
            return None
        if entry.type not in _STRING_TYPES:
            raise RpmDbError(f"header tag {tag} has type {entry.type}, not a string")
        count = 1 if entry.type == TYPE_STRING else entry.count
        values: list[str] = []
        position = self._start + entry.offset
        for _ in range(count):
            end = self._blob.find(b"\0", position, self._end)
            if end < 0:
                raise RpmDbError(f"header tag {tag} has an unterminated string")
            values.append(self._blob[position:end].decode("utf-8", "replace"))
            position = end + 1
        return values

    def string(self, tag: int) -> str:
        """The first value of a string tag, ``""`` when absent."""
        values = self.strings(tag)
        return values[0] if values else ""

    def int32s(self, tag: int) -> tuple[int, ...] | None:
        """An INT32 tag's values (unsigned); ``None`` when the header lacks the tag."""
        entry = self._entries.get(tag)
        if entry is None:
            return None
        if entry.type != TYPE_INT32:
            raise RpmDbError(f"header tag {tag} has type {entry.type}, not INT32")
        start = self._start + entry.offset
        if start + 4 * entry.count > self._end:
            raise RpmDbError(f"header tag {tag} runs past its data")
        return struct.unpack_from(f">{entry.count}I", self._blob, start)

    def file_paths(self) -> tuple[str, ...]:
        """Installed paths without the leading slash, from BASENAMES/DIRNAMES/DIRINDEXES (or OLDFILENAMES)."""
        basenames = self.strings(TAG_BASENAMES)
        if basenames is None:
            old = self.strings(TAG_OLDFILENAMES) or []
            return tuple(p for p in (name.lstrip("/") for name in old) if p)
        dirnames = self.strings(TAG_DIRNAMES) or []
        indexes = self.int32s(TAG_DIRINDEXES) or ()
        if len(indexes) != len(basenames):
            raise RpmDbError(f"{len(basenames)} file names but {len(indexes)} directory indexes")
        paths: list[str] = []
        for base, index in zip(basenames, indexes, strict=True):
            if index >= len(dirnames):
                raise RpmDbError(f"directory index {index} out of range")
            path = (dirnames[index] + base).lstrip("/")
            if path:
                paths.append(path)
        return tuple(paths)


def parse_header(blob: bytes) -> RpmHeader:
    """Read one stored header blob. Raises :class:`RpmDbError` when it is corrupt."""
    header = HeaderBlob(blob)
    name = header.string(TAG_NAME)
    version = header.string(TAG_VERSION)
    release = header.string(TAG_RELEASE)
    if not name or not version or not release:
        raise RpmDbError("header lacks NAME, VERSION or RELEASE")
    epochs = header.int32s(TAG_EPOCH)
    files: tuple[str, ...] = ()
    file_error = ""
    try:
        files = header.file_paths()
    except RpmDbError as error:
        file_error = str(error)
    return RpmHeader(
        name=name,
        version=version,
        release=release,
        epoch=epochs[0] if epochs else None,
        arch=header.string(TAG_ARCH),
        source_rpm=header.string(TAG_SOURCERPM),
        license=header.string(TAG_LICENSE),
        vendor=header.string(TAG_VENDOR),
        modularity_label=header.string(TAG_MODULARITYLABEL),
        files=files,
        file_error=file_error,
    )
