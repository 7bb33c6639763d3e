"""Hostile and damaged rpm databases and header blobs: AnalyzerError or counted warnings, nothing else."""

from __future__ import annotations

import os
import random
import sqlite3
import struct
import time

import pytest

from seawall.inventory.analyzer import AnalyzerError
from seawall.inventory.analyzers.rpm import RpmAnalyzer
from seawall.inventory.rpmdb import RpmDbError, detect_format, parse_header
from seawall.inventory.rpmdb.header import (
    TAG_ARCH,
    TAG_BASENAMES,
    TAG_DIRINDEXES,
    TAG_DIRNAMES,
    TAG_EPOCH,
    TAG_NAME,
    TAG_RELEASE,
    TAG_SOURCERPM,
    TAG_VERSION,
)
from tests.inventory.test_rpm import BDB_LIBUUID, NDB_SLE15, rocky_rpmdb
from tests.paths import SYFT_CATALOGERS

ANALYZER = RpmAnalyzer()
PAGE = 4096

STRING, STRING_ARRAY, INT32 = 6, 8, 4


def header_blob(*entries: tuple[int, int, bytes, int], il: int | None = None) -> bytes:
    """A stored header: counts, 16-byte index entries (tag, type, offset, count), data."""
    index, data = b"", b""
    for tag, kind, payload, count in entries:
        index += struct.pack(">iiiI", tag, kind, len(data), count)
        data += payload
    return struct.pack(">II", len(entries) if il is None else il, len(data)) + index + data


def text(tag: int, value: str) -> tuple[int, int, bytes, int]:
    return tag, STRING, value.encode() + b"\0", 1


def texts(tag: int, *values: str) -> tuple[int, int, bytes, int]:
    return tag, STRING_ARRAY, b"".join(v.encode() + b"\0" for v in values), len(values)


def ints(tag: int, *values: int) -> tuple[int, int, bytes, int]:
    return tag, INT32, struct.pack(f">{len(values)}I", *values), len(values)


NEVRA = (text(TAG_NAME, "tool"), text(TAG_VERSION, "1.0"), text(TAG_RELEASE, "2"), text(TAG_ARCH, "aarch64"))


def sqlite_db(
    *blobs: object, schema: str = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)"
) -> bytes:
    connection = sqlite3.connect(":memory:")
    connection.execute(schema)
    if blobs:
        connection.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def real_blob() -> bytes:
    connection = sqlite3.connect(":memory:")
    connection.deserialize(rocky_rpmdb())
    (blob,) = connection.execute("SELECT blob FROM Packages ORDER BY hnum LIMIT 1").fetchone()
    connection.close()
    assert isinstance(blob, bytes)
    return blob


def patched(content: bytes, offset: int, value: bytes) -> bytes:
    return content[:offset] + value + content[offset + len(value) :]


# ------------------------------------------------------------------------------- header blob


def test_minimal_header_parses() -> None:
    header = parse_header(
        header_blob(
            *NEVRA,
            ints(TAG_EPOCH, 0),
            text(TAG_SOURCERPM, "tool-src-1.0-2.src.rpm"),
            texts(TAG_DIRNAMES, "/usr/bin/", "/etc/"),
            texts(TAG_BASENAMES, "tool", "tool.conf", "tool2"),
            ints(TAG_DIRINDEXES, 0, 1, 0),
        )
    )
    assert (header.name, header.version, header.release, header.arch) == ("tool", "1.0", "2", "aarch64")
    assert header.epoch == 0
    assert header.files == ("usr/bin/tool", "etc/tool.conf", "usr/bin/tool2")
    facts = ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", sqlite_db(header_blob(*NEVRA, ints(TAG_EPOCH, 0))))
    (package,) = facts.packages
    assert package.version == "0:1.0-2"  # rpm shows EPOCH 0 when the header carries it
    assert (package.source_name, package.source_version) == ("", "")


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"", "truncated"),
        (b"\0\0\0", "truncated"),
        (struct.pack(">II", 0xFFFFFFFF, 0), "index entries"),
        (struct.pack(">II", 0x7FFFFFFF, 16) + b"\0" * 64, "index entries"),
        (struct.pack(">II", 0, 0), "index entries"),
        (struct.pack(">II", 1, 0x7FFFFFFF) + b"\0" * 32, "bytes of data"),
        (struct.pack(">II", 1000, 10) + b"\0" * 100, "needs"),
        (header_blob(text(TAG_NAME, "x"))[:-3], "needs"),
        (header_blob(text(TAG_VERSION, "1"), (TAG_NAME, STRING, b"no terminator", 1)), "unterminated"),
        (header_blob(text(TAG_VERSION, "1"), text(TAG_RELEASE, "1")), "lacks NAME"),
        (header_blob(*NEVRA, (TAG_EPOCH, STRING, b"1\0", 1)), "not INT32"),
        (header_blob(*NEVRA, (TAG_EPOCH, INT32, b"\0\0", 1)), "runs past"),
        (header_blob((TAG_NAME, STRING, b"x\0", 0), text(TAG_VERSION, "1")), "outside"),
        (header_blob(*NEVRA, (TAG_EPOCH, INT32, b"\0" * 8, 3)), "runs past"),
        (header_blob(ints(TAG_NAME, 7), text(TAG_VERSION, "1")), "not a string"),
    ],
)
def test_corrupt_header_is_rejected(blob: bytes, reason: str) -> None:
    with pytest.raises(RpmDbError, match=reason):
        parse_header(blob)


def test_negative_offset_is_rejected() -> None:
    blob = bytearray(header_blob(*NEVRA))
    struct.pack_into(">i", blob, 8 + 8, -16)  # the first entry's offset
    with pytest.raises(RpmDbError, match="outside"):
        parse_header(bytes(blob))


def test_huge_index_count_in_a_database_is_an_analyzer_error() -> None:
    with pytest.raises(AnalyzerError, match="index entries"):
        ANALYZER.analyze(
            "var/lib/rpm/rpmdb.sqlite", sqlite_db(struct.pack(">II", 0x7FFFFFFF, 0) + b"\0" * 64)
        )


def test_bad_file_list_keeps_the_package_with_a_warning() -> None:
    blob = header_blob(
        *NEVRA, texts(TAG_DIRNAMES, "/usr/"), texts(TAG_BASENAMES, "a", "b"), ints(TAG_DIRINDEXES, 0, 5)
    )
    facts = ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", sqlite_db(blob))
    assert [p.name for p in facts.packages] == ["tool"]
    assert facts.owned_files == {}
    assert len(facts.warnings) == 1 and "out of range" in facts.warnings[0]
    mismatch = header_blob(
        *NEVRA, texts(TAG_DIRNAMES, "/"), texts(TAG_BASENAMES, "a", "b"), ints(TAG_DIRINDEXES, 0)
    )
    assert (
        "directory indexes" in ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", sqlite_db(mismatch)).warnings[0]
    )


def test_one_bad_record_among_good_ones_is_a_counted_warning() -> None:
    facts = ANALYZER.analyze(
        "var/lib/rpm/rpmdb.sqlite",
        sqlite_db(real_blob(), b"garbage!", "not a blob", header_blob(*NEVRA)),
    )
    assert sorted(p.name for p in facts.packages) == ["tool", "zlib"]
    (warning,) = facts.warnings
    assert "2 unreadable record(s)" in warning


# ----------------------------------------------------------------------------- whole files


def test_empty_file_is_an_empty_database() -> None:
    assert ANALYZER.analyze("usr/lib/sysimage/rpm/rpmdb.sqlite", b"").empty


@pytest.mark.parametrize(
    "content",
    [
        (SYFT_CATALOGERS / "redhat/testdata/glob-paths/var/lib/rpm/Packages").read_bytes(),  # "bogus"
        os.urandom(3 * PAGE),
        b"\0" * PAGE,
        b"RpmP",
        b"SQLite format 3\0",
    ],
    ids=["syft-bogus", "random", "zeros", "ndb-magic-only", "sqlite-magic-only"],
)
def test_garbage_is_an_analyzer_error(content: bytes) -> None:
    assert detect_format(b"bogus") is None
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("var/lib/rpm/Packages", content)


# ------------------------------------------------------------------------------------- ndb


@pytest.mark.parametrize("size", [20, 40, PAGE - 1, PAGE, PAGE + 100])
def test_truncated_ndb_is_an_analyzer_error(size: int) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("var/lib/rpm/Packages.db", NDB_SLE15.read_bytes()[:size])


def test_half_an_ndb_keeps_what_it_holds_and_counts_the_rest() -> None:
    content = NDB_SLE15.read_bytes()
    facts = ANALYZER.analyze("var/lib/rpm/Packages.db", content[: len(content) // 2])
    assert 0 < len(facts.packages) < 35
    (warning,) = facts.warnings
    assert f"{35 - len(facts.packages)} unreadable record(s)" in warning


def test_ndb_bad_version_and_slot_magic() -> None:
    content = NDB_SLE15.read_bytes()
    with pytest.raises(AnalyzerError, match="version"):
        ANALYZER.analyze("var/lib/rpm/Packages.db", patched(content, 4, struct.pack("<I", 7)))
    with pytest.raises(AnalyzerError, match="slot"):
        ANALYZER.analyze("var/lib/rpm/Packages.db", patched(content, 48, b"Junk"))
    with pytest.raises(AnalyzerError, match="slot pages"):
        ANALYZER.analyze("var/lib/rpm/Packages.db", patched(content, 12, struct.pack("<I", 0xFFFFFFFF)))


def test_ndb_damaged_blobs_are_counted() -> None:
    content = NDB_SLE15.read_bytes()
    _index, block, blocks = struct.unpack_from("<III", content, 32 + 4)  # the first slot
    start, end = block * 16, (block + blocks) * 16
    broken_head = patched(content, start, b"XXXX")
    broken_tail = patched(content, end - 4, b"XXXX")
    wrong_length = patched(content, start + 12, struct.pack("<I", 10**9))
    for damaged in (broken_head, broken_tail, wrong_length):
        facts = ANALYZER.analyze("var/lib/rpm/Packages.db", damaged)
        assert len(facts.packages) == 34
        assert "1 unreadable record(s)" in facts.warnings[0]
    huge_slot = patched(content, 32 + 12, struct.pack("<I", 0xFFFFFFF0))
    assert len(ANALYZER.analyze("var/lib/rpm/Packages.db", huge_slot).packages) == 34


# ------------------------------------------------------------------------------------- bdb


@pytest.mark.parametrize("size", [16, 100, PAGE - 1, PAGE * 2, PAGE * 5, PAGE * 22])
def test_truncated_bdb_is_an_analyzer_error(size: int) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("var/lib/rpm/Packages", BDB_LIBUUID.read_bytes()[:size])


def test_bdb_overflow_cycle_is_detected() -> None:
    content = BDB_LIBUUID.read_bytes()
    assert content[10 * PAGE + 25] == 7  # page 10 is an overflow page of the one header
    looped = patched(content, 10 * PAGE + 16, struct.pack("<I", 5))  # next page: back to 5
    with pytest.raises(AnalyzerError, match="loops back"):
        ANALYZER.analyze("var/lib/rpm/Packages", looped)
    onto_itself = patched(content, 10 * PAGE + 16, struct.pack("<I", 10))
    with pytest.raises(AnalyzerError, match="loops back"):
        ANALYZER.analyze("var/lib/rpm/Packages", onto_itself)


@pytest.mark.parametrize(
    ("offset", "value", "reason"),
    [
        (20, struct.pack("<I", 1000), "page size"),
        (20, struct.pack("<I", 1 << 20), "page size"),
        (12, struct.pack("<I", 0x053162), "btree"),
        (24, b"\x01", "encrypted"),
        (25, b"\x09", "metadata page"),
        (2 * PAGE + 20, struct.pack("<H", 3), "entry count"),  # odd number of items on the hash page
        (2 * PAGE + 20, struct.pack("<H", 5000), "entry count"),
        (2 * PAGE + 26, struct.pack("<H", 10), "out of place"),  # key item offset inside the index
        (3 * PAGE + 22, struct.pack("<H", 5000), "more than fit"),  # overflow page length
        (3 * PAGE + 25, b"\x0d", "of type"),  # chain reaches a non-overflow page
        (3 * PAGE + 16, struct.pack("<I", 0x7FFFFFFF), "leaves the file"),
    ],
)
def test_corrupt_bdb_is_an_analyzer_error(offset: int, value: bytes, reason: str) -> None:
    with pytest.raises(AnalyzerError, match=reason):
        ANALYZER.analyze("var/lib/rpm/Packages", patched(BDB_LIBUUID.read_bytes(), offset, value))


def test_bdb_overflow_length_claim_beyond_file() -> None:
    content = BDB_LIBUUID.read_bytes()
    (entries,) = struct.unpack_from("<H", content, 2 * PAGE + 20)
    assert entries == 2
    (data_offset,) = struct.unpack_from("<H", content, 2 * PAGE + 28)  # second item: the value
    assert content[2 * PAGE + data_offset] == 3  # an off-page (overflow) reference
    claims = patched(content, 2 * PAGE + data_offset + 8, struct.pack("<I", 0xFFFFFFFF))
    with pytest.raises(AnalyzerError, match="claims"):
        ANALYZER.analyze("var/lib/rpm/Packages", claims)
    short = patched(content, 2 * PAGE + data_offset + 8, struct.pack("<I", 100))
    with pytest.raises(AnalyzerError, match="more than fit"):
        ANALYZER.analyze("var/lib/rpm/Packages", short)


# ---------------------------------------------------------------------------------- sqlite


@pytest.mark.parametrize("size", [50, 100, 1024, PAGE, PAGE * 3])
def test_truncated_sqlite_is_an_analyzer_error(size: int) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", rocky_rpmdb()[:size])


def test_sqlite_garbage_after_magic_is_an_analyzer_error() -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\0" + os.urandom(8 * PAGE))


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ("CREATE TABLE Other (hnum INTEGER PRIMARY KEY, blob BLOB)", "no Packages"),
        (
            "CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            "SELECT i AS hnum, zeroblob(1000000) AS blob FROM n",
            "not a plain table",
        ),
        (
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, size INTEGER, "
            "blob BLOB GENERATED ALWAYS AS (zeroblob(size)) VIRTUAL)",
            "plain hnum and blob",
        ),
        ("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, data BLOB)", "plain hnum and blob"),
    ],
)
def test_hostile_sqlite_schema_is_refused(schema: str, reason: str) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute(schema)
    content = connection.serialize()
    connection.close()
    started = time.monotonic()
    with pytest.raises(AnalyzerError, match=reason):
        ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", content)
    assert time.monotonic() - started < 2


def test_sqlite_without_rows_is_empty_and_quiet() -> None:
    facts = ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", sqlite_db())
    assert facts.empty


def test_sqlite_rows_without_blobs_only_is_an_analyzer_error() -> None:
    with pytest.raises(AnalyzerError, match="no readable package"):
        ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", sqlite_db("text", 42, None))


def test_sqlite_error_quoting_undecodable_bytes_is_an_analyzer_error() -> None:
    content = sqlite_db()
    at = content.find(b"CREATE TABLE Packages") + len(b"CREATE")
    damaged = patched(content, at, b"\xff")  # SQLite's message quotes it: not UTF-8
    with pytest.raises(AnalyzerError, match="malformed"):
        ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", damaged)


def test_random_mutations_raise_only_analyzer_errors() -> None:
    """A small, seeded mutation run over each format: a result or AnalyzerError, never another error."""
    rng = random.Random(20240611)
    for source in (NDB_SLE15.read_bytes(), BDB_LIBUUID.read_bytes(), rocky_rpmdb()):
        outcomes = {"facts": 0, "error": 0}
        for _ in range(40):
            damaged = bytearray(source)
            for _ in range(rng.choice([1, 5, 50])):
                at = rng.randrange(len(damaged) - 4)
                damaged[at : at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff\xff\xff"])
            try:
                ANALYZER.analyze("var/lib/rpm/Packages", bytes(damaged))
                outcomes["facts"] += 1
            except AnalyzerError:
                outcomes["error"] += 1
        assert outcomes["facts"] and outcomes["error"]  # the mutations reached both kinds of outcome
