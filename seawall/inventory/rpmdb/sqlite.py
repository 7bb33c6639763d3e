"""rpm's SQLite backend ``rpmdb.sqlite`` (rpm 4.16+: Fedora, RHEL 9, Rocky/Alma 9 ...).

Headers are the ``blob`` column of table ``Packages(hnum, blob)``. The file is opened from memory
(``deserialize``), never written to disk. A database left in WAL mode is read as a rollback
journal database (what is already checkpointed into the main file; a separate ``-wal`` file is
another layer entry and is not consulted). The schema is hostile input too: ``Packages`` must be
a plain table with plain columns, and a progress budget stops any runaway statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from seawall.inventory.rpmdb.header import MAX_DATA_LENGTH, RpmDbError

MAGIC = b"SQLite format 3\0"
HEADER_SIZE = 100
WAL_VERSION = 2
LEGACY_VERSIONS = b"\x01\x01"
PROGRESS_STEP = 10_000
"""Virtual-machine instructions between two progress checks."""


def read_blobs(content: bytes, problems: list[str]) -> Iterator[bytes]:
    """Every header blob in ``Packages``, in row order; non-blob rows are described in ``problems``."""
    if len(content) < HEADER_SIZE or not content.startswith(MAGIC):
        raise RpmDbError("not an SQLite database")
    connection = sqlite3.connect(":memory:")
    try:
        rows = _open_rows(connection, content)
        while True:
            try:
                row = rows.fetchone()
            except (sqlite3.Error, UnicodeDecodeError) as error:
                raise _failure(error) from error
            if row is None:
                return
            hnum, blob = row
            if isinstance(blob, bytes):
                yield blob
            else:
                problems.append(f"SQLite row {hnum!r} holds no blob")
    finally:
        connection.close()


def _open_rows(connection: sqlite3.Connection, content: bytes) -> sqlite3.Cursor:
    data = content
    if WAL_VERSION in content[18:20]:  # the file format read/write versions
        data = content[:18] + LEGACY_VERSIONS + content[20:]
    # a plain table scan runs far fewer instructions than the file has bytes; a longer run is a trap
    budget = [1 + (len(content) + 1_000_000) // PROGRESS_STEP]

    def progress() -> int:
        budget[0] -= 1
        return 1 if budget[0] < 0 else 0

    try:
        connection.deserialize(data)
        del data
        connection.text_factory = _text
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_DATA_LENGTH)
        connection.set_progress_handler(progress, PROGRESS_STEP)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA trusted_schema = OFF")
        _check_schema(connection)
        return connection.execute('SELECT hnum, blob FROM "Packages"')
    except (sqlite3.Error, UnicodeDecodeError) as error:
        raise _failure(error) from error


def _failure(error: Exception) -> RpmDbError:
    # SQLite quotes the damaged bytes in some messages; Python then fails to decode the message
    if isinstance(error, UnicodeDecodeError):
        return RpmDbError("SQLite: malformed database (undecodable error message)")
    return RpmDbError(f"SQLite: {error}")


def _text(value: bytes) -> str:
    """Text columns of a hostile file need not be UTF-8."""
    return value.decode("utf-8", "replace")


def _check_schema(connection: sqlite3.Connection) -> None:
    found = connection.execute(
        "SELECT type, sql FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE"
    ).fetchall()
    if not found:
        raise RpmDbError("SQLite database has no Packages table")
    kind, sql = found[0]
    if kind != "table" or not isinstance(sql, str) or sql.lstrip().upper().startswith("CREATE VIRTUAL"):
        raise RpmDbError("SQLite Packages is not a plain table")
    hidden = {
        str(name).lower(): flag
        for _cid, name, *_rest, flag in connection.execute('PRAGMA table_xinfo("Packages")')
    }
    if hidden.get("hnum") != 0 or hidden.get("blob") != 0:
        raise RpmDbError("SQLite Packages lacks plain hnum and blob columns")
