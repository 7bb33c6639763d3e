"""Readers for rpm's package databases, without librpm.

Three storage formats hold the same header blobs: Berkeley DB hash (``Packages``), SQLite
(``rpmdb.sqlite``) and rpm's own ndb (``Packages.db``). :func:`read_blobs` recognises the format
from the content and yields the blobs; :func:`~seawall.inventory.rpmdb.header.parse_header`
reads one blob.
"""

from __future__ import annotations

from collections.abc import Iterator

from seawall.inventory.rpmdb import bdb, ndb, sqlite
from seawall.inventory.rpmdb.header import RpmDbError, RpmHeader, parse_header

__all__ = ["BDB", "NDB", "SQLITE", "RpmDbError", "RpmHeader", "detect_format", "parse_header", "read_blobs"]

BDB = "bdb"
NDB = "ndb"
SQLITE = "sqlite"


def detect_format(content: bytes) -> str | None:
    """``"bdb"``, ``"sqlite"`` or ``"ndb"`` by the content's magic number, else ``None``."""
    if content.startswith(sqlite.MAGIC):
        return SQLITE
    if content.startswith(ndb.MAGIC):
        return NDB
    if bdb.byte_order(content) is not None:
        return BDB
    return None


def read_blobs(content: bytes, problems: list[str]) -> Iterator[bytes]:
    """Every header blob of an rpm database file, whichever its format.

    Raises :class:`RpmDbError` when the file as a whole is unreadable; a damaged record is
    skipped and described in ``problems``.
    """
    kind = detect_format(content)
    if kind == SQLITE:
        return sqlite.read_blobs(content, problems)
    if kind == NDB:
        return ndb.read_blobs(content, problems)
    if kind == BDB:
        return bdb.read_blobs(content, problems)
    raise RpmDbError("not an rpm database (no Berkeley DB, SQLite or ndb magic)")
