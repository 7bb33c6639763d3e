"""rpm's native ``Packages.db`` ("ndb", used by SUSE): slot pages pointing at blobs.

Layout (all little-endian): a 32-byte file header (``RpmP``, version 0, generation, number of
slot pages, next package index) shares the first 4096-byte page with the slots; each 16-byte
slot is ``Slot``, package index, block offset and block count (blocks of 16 bytes; offset 0 is
an empty slot). A blob is a 16-byte head (``BlbS``, package index, timestamp, length), the
header bytes, padding, and a 12-byte tail (checksum, length, ``BlbE``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from seawall.inventory.rpmdb.header import RpmDbError

MAGIC = b"RpmP"
SLOT_MAGIC = b"Slot"
BLOB_HEAD_MAGIC = b"BlbS"
BLOB_TAIL_MAGIC = b"BlbE"
VERSION = 0
FILE_HEADER_SIZE = 32
PAGE_SIZE = 4096
SLOT_SIZE = 16
BLOCK_SIZE = 16
BLOB_HEAD_SIZE = 16
BLOB_TAIL_SIZE = 12


def read_blobs(content: bytes, problems: list[str]) -> Iterator[bytes]:
    """Every stored header blob, in file order; damaged records are described in ``problems``."""
    if len(content) < FILE_HEADER_SIZE or not content.startswith(MAGIC):
        raise RpmDbError("not an ndb Packages.db")
    version, _generation, slot_pages = struct.unpack_from("<III", content, 4)
    if version != VERSION:
        raise RpmDbError(f"ndb version {version} is not supported")
    if slot_pages == 0 or slot_pages * PAGE_SIZE > len(content):
        raise RpmDbError(f"ndb claims {slot_pages} slot pages in {len(content)} bytes")
    file_blocks = len(content) // BLOCK_SIZE
    first_data_block = slot_pages * PAGE_SIZE // BLOCK_SIZE
    slots: list[tuple[int, int, int]] = []
    for offset in range(FILE_HEADER_SIZE, slot_pages * PAGE_SIZE, SLOT_SIZE):
        if content[offset : offset + 4] != SLOT_MAGIC:
            raise RpmDbError(f"ndb slot at byte {offset} is corrupt")
        index, block, blocks = struct.unpack_from("<III", content, offset + 4)
        if block == 0:
            continue
        if index == 0 or blocks == 0 or block < first_data_block or block + blocks > file_blocks:
            problems.append(f"ndb slot for package {index} points outside the file")
            continue
        slots.append((block, blocks, index))
    for block, blocks, index in sorted(slots):
        blob = _blob(content, block, blocks, index)
        if isinstance(blob, str):
            problems.append(f"ndb package {index}: {blob}")
        else:
            yield blob


def _blob(content: bytes, block: int, blocks: int, index: int) -> bytes | str:
    """The header bytes of one blob, or why they cannot be trusted."""
    start = block * BLOCK_SIZE
    end = start + blocks * BLOCK_SIZE
    if blocks * BLOCK_SIZE < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE:
        return "blob too small"
    if content[start : start + 4] != BLOB_HEAD_MAGIC:
        return "bad blob head"
    head_index, _stamp, length = struct.unpack_from("<III", content, start + 4)
    if head_index != index:
        return f"blob belongs to package {head_index}"
    if (BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE + BLOCK_SIZE - 1) // BLOCK_SIZE != blocks:
        return f"blob length {length} does not fit its {blocks} blocks"
    _checksum, tail_length = struct.unpack_from("<II", content, end - BLOB_TAIL_SIZE)
    if tail_length != length or content[end - 4 : end] != BLOB_TAIL_MAGIC:
        return "bad blob tail"
    return content[start + BLOB_HEAD_SIZE : start + BLOB_HEAD_SIZE + length]
