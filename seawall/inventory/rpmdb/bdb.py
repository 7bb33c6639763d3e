"""The Berkeley DB hash file ``Packages`` of rpm before 4.16 (RHEL/CentOS <= 8, Amazon Linux 2 ...).

Page 0 is the metadata page (magic ``0x061561`` at byte 12, page size at 20, encryption at 24,
flags at 26, last page number at 32), in the byte order of the machine that wrote it. Every
page starts with a 26-byte header (page number at 8, previous/next page at 12/16, entry count
at 20, free-space offset at 22, type at 25), followed by 2-byte item offsets. Hash pages hold
key/data pairs: a key is the 4-byte header number, a value is an inline item or a reference to
a chain of overflow pages (on those, the free-space offset field is the data length).

Instead of walking hash buckets, every hash page is read in file order (freed pages are
re-typed invalid), so a damaged bucket chain loses only its own records.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from seawall.inventory.rpmdb.header import RpmDbError

HASH_MAGIC = 0x061561
OTHER_MAGICS = {0x053162: "btree", 0x042253: "queue", 0x074582: "heap"}

P_HASH_UNSORTED = 2
P_OVERFLOW = 7
P_HASHMETA = 8
P_HASH = 13

H_KEYDATA = 1
H_OFFPAGE = 3

PAGE_HEADER_SIZE = 26
CHECKSUM_HEADER_SIZE = 32
"""Page header plus the alignment and 4-byte checksum of a checksummed database."""
DBMETA_CHKSUM = 0x01
INSTANCE_COUNTER_KEY = b"\0\0\0\0"


@dataclass(frozen=True)
class _Meta:
    order: str
    page_size: int
    pages: int
    declared_pages: int
    overhead: int


def byte_order(content: bytes) -> str | None:
    """``"<"`` or ``">"`` when the content starts like any Berkeley DB file, else ``None``."""
    if len(content) < 16:
        return None
    for order in "<>":
        (magic,) = struct.unpack_from(f"{order}I", content, 12)
        if magic == HASH_MAGIC or magic in OTHER_MAGICS:
            return order
    return None


def read_blobs(content: bytes, problems: list[str]) -> Iterator[bytes]:
    """Every stored header blob, in page order; damaged records are described in ``problems``."""
    meta = _read_meta(content)
    if meta.pages < meta.declared_pages:
        problems.append(f"Berkeley DB file truncated: {meta.pages} of {meta.declared_pages} pages")
    for pgno in range(1, meta.pages):
        base = pgno * meta.page_size
        if content[base + 25] in (P_HASH, P_HASH_UNSORTED):
            yield from _page_values(content, meta, pgno, problems)


def _read_meta(content: bytes) -> _Meta:
    order = byte_order(content)
    if order is None:
        raise RpmDbError("not a Berkeley DB file")
    if len(content) < 512:
        raise RpmDbError("Berkeley DB file shorter than its metadata")
    magic, _version, page_size = struct.unpack_from(f"{order}III", content, 12)
    if magic != HASH_MAGIC:
        raise RpmDbError(f"Berkeley DB {OTHER_MAGICS[magic]} database, not the hash rpm uses")
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise RpmDbError(f"Berkeley DB page size {page_size} is invalid")
    if len(content) < page_size:
        raise RpmDbError("Berkeley DB file shorter than one page")
    encrypted, page_type, flags = content[24], content[25], content[26]
    if encrypted:
        raise RpmDbError("encrypted Berkeley DB is not supported")
    if page_type != P_HASHMETA:
        raise RpmDbError(f"Berkeley DB metadata page has type {page_type}")
    (last_pgno,) = struct.unpack_from(f"{order}I", content, 32)
    pages = min(len(content) // page_size, last_pgno + 1)
    overhead = CHECKSUM_HEADER_SIZE if flags & DBMETA_CHKSUM else PAGE_HEADER_SIZE
    return _Meta(order, page_size, pages, last_pgno + 1, overhead)


def _page_values(content: bytes, meta: _Meta, pgno: int, problems: list[str]) -> Iterator[bytes]:
    page = content[pgno * meta.page_size : (pgno + 1) * meta.page_size]
    (entries,) = struct.unpack_from(f"{meta.order}H", page, 20)
    index_end = meta.overhead + 2 * entries
    if entries % 2 or index_end > meta.page_size:
        problems.append(f"Berkeley DB page {pgno} has a bad entry count {entries}")
        return
    offsets = struct.unpack_from(f"{meta.order}{entries}H", page, meta.overhead)
    for i in range(0, entries, 2):
        limit = meta.page_size if i == 0 else offsets[i - 1]
        key_start, data_start = offsets[i], offsets[i + 1]
        if not index_end <= data_start < key_start < limit:
            problems.append(f"Berkeley DB page {pgno} item {i} is out of place")
            continue
        key, item = page[key_start:limit], page[data_start:key_start]
        if key[0] == H_KEYDATA and key[1:] == INSTANCE_COUNTER_KEY:
            continue  # rpm's record 0 holds the last header number, not a header
        if item[0] == H_KEYDATA:
            yield item[1:]
        elif item[0] == H_OFFPAGE and len(item) >= 12:
            start, length = struct.unpack_from(f"{meta.order}II", item, 4)
            value = _overflow(content, meta, start, length)
            if isinstance(value, str):
                problems.append(f"Berkeley DB page {pgno} item {i}: {value}")
            else:
                yield value
        else:
            problems.append(f"Berkeley DB page {pgno} item {i} has unsupported type {item[0]}")


def _overflow(content: bytes, meta: _Meta, pgno: int, length: int) -> bytes | str:
    """The value stored in the overflow chain from ``pgno``, or why it cannot be read."""
    if length > len(content):
        return f"overflow item claims {length} bytes"
    chunks: list[bytes] = []
    total = 0
    seen: set[int] = set()
    room = meta.page_size - meta.overhead
    while pgno:
        if pgno in seen:
            return f"overflow chain loops back to page {pgno}"
        if pgno >= meta.pages:
            return f"overflow chain leaves the file at page {pgno}"
        seen.add(pgno)
        base = pgno * meta.page_size
        if content[base + 25] != P_OVERFLOW:
            return f"overflow chain reaches page {pgno} of type {content[base + 25]}"
        next_pgno, _entries, size = struct.unpack_from(f"{meta.order}IHH", content, base + 16)
        if size > room or total + size > length:
            return f"overflow page {pgno} holds {size} bytes, more than fit"
        chunks.append(content[base + meta.overhead : base + meta.overhead + size])
        total += size
        pgno = next_pgno
    if total != length:
        return f"overflow chain holds {total} of {length} bytes"
    return b"".join(chunks)
