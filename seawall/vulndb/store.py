"""The SQLite store: one file, read by every scan, written only by a build (see :mod:`seawall.vulndb.build`).

Layout (schema version :data:`SCHEMA_VERSION`, also in ``PRAGMA user_version``; the file is marked
with ``PRAGMA application_id`` :data:`APPLICATION_ID`):

- ``meta(key, value)``: ``schema_version``, ``built_at``, ``content_digest``, ``seawall_version``.
- ``sources``: one row per feed source: importer and its version, location, input fingerprint,
  provenance (repository, revision, date), counts and warnings, and the digest of its rows.
- ``advisories(rowid, source, id, data)``: one row per advisory of a source (JSON in ``data``).
- ``affected(advisory, ord, namespace, name, status, data, advisory_id, source)``: indexed by
  ``(namespace, name)`` and by ``name`` (search across namespaces); the advisory's ID and source are
  repeated so that a lookup reads one table.
- ``ids(id, advisory)``: each advisory's own ID, aliases and upstream IDs (search by any of them).
- ``cve_links(advisory, cve, direct)``: derived at the end of a build: every CVE of an advisory's
  alias group (``direct`` 1; aliases merged transitively across sources, so KEV/EPSS/NVD reach GHSA,
  PYSEC, GO and RUSTSEC records), and the CVEs it lists as ``related`` (``direct`` 0).
- ``enrichment(source, kind, key, data)``: ``kev``, ``epss``, ``nvd`` rows keyed by CVE.

The content digest is a SHA-256 over the sources' names and row digests: the logical content,
independent of row order, build time and file layout. It is checked by :meth:`VulnStore.verify`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall import __version__
from seawall.vulndb import codec
from seawall.vulndb.errors import DatabaseError
from seawall.vulndb.model import (
    Advisory,
    AffectedMatch,
    AffectedPackage,
    CveRecord,
    Enrichment,
    EpssScore,
    KevEntry,
    Record,
    Status,
)
from seawall.vulndb.parsing import CVE_ID

SCHEMA_VERSION = 1  # bump whenever a table or the stored JSON (codec.py) changes: old files are rebuilt
_STATUSES = {s.value: s for s in Status}
_ENRICHMENT_ORDER = "ORDER BY key, kind, source"
READ_CACHE_KIB = 32768  # SQLite's page cache for readers: lookups hit random pages (2 MiB by default)
_LOOKUP = "SELECT advisory_id, source, advisory, status, data FROM affected WHERE namespace = ? AND name = ?"
APPLICATION_ID = 0x53574442  # "SWDB"
_MAGIC = b"SQLite format 3\x00"

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY, importer TEXT NOT NULL, importer_version INTEGER NOT NULL,
    location TEXT NOT NULL, fingerprint TEXT NOT NULL, repository TEXT NOT NULL, revision TEXT NOT NULL,
    date TEXT NOT NULL, imported_at TEXT NOT NULL, counts TEXT NOT NULL, warnings TEXT NOT NULL,
    digest TEXT NOT NULL DEFAULT '');
CREATE TABLE advisories (
    rowid INTEGER PRIMARY KEY, source TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (source, id));
CREATE TABLE affected (
    advisory INTEGER NOT NULL, ord INTEGER NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL, data TEXT NOT NULL, advisory_id TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE ids (id TEXT NOT NULL, advisory INTEGER NOT NULL);
CREATE TABLE cve_links (advisory INTEGER NOT NULL, cve TEXT NOT NULL, direct INTEGER NOT NULL);
CREATE TABLE enrichment (
    source TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
    UNIQUE (source, kind, key));
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS affected_by_package ON affected (namespace, name);
CREATE INDEX IF NOT EXISTS affected_by_name ON affected (name);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected (advisory);
CREATE INDEX IF NOT EXISTS ids_by_id ON ids (id);
CREATE INDEX IF NOT EXISTS ids_by_advisory ON ids (advisory);
CREATE INDEX IF NOT EXISTS cve_links_by_advisory ON cve_links (advisory);
CREATE INDEX IF NOT EXISTS cve_links_by_cve ON cve_links (cve);
CREATE INDEX IF NOT EXISTS enrichment_by_key ON enrichment (key);
"""


@dataclass(frozen=True)
class SourceInfo:
    """One source as the metadata records it."""

    name: str
    importer: str
    importer_version: int
    location: str
    fingerprint: str
    repository: str
    revision: str
    date: str
    imported_at: str
    counts: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    digest: str = ""


# --- checks on the file itself ------------------------------------------------------------------


def check_file(path: Path) -> None:
    """Cheap structural checks before SQLite opens the file: magic, our application id, truncation."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        raise DatabaseError(
            f"no vulnerability database at {path} (build one: seawall db build --from PATH)"
        ) from None
    except OSError as error:
        raise DatabaseError(f"cannot read the vulnerability database {path}: {error.strerror}") from None
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise DatabaseError(f"{path} is not a vulnerability database (not an SQLite file)")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    if struct.unpack(">I", header[68:72])[0] != APPLICATION_ID:
        raise DatabaseError(f"{path} is not a Seawall vulnerability database")
    if valid_for == change_counter and page_count * page_size != size:
        raise DatabaseError(
            f"{path} is truncated or corrupt ({size} bytes, its header says {page_count * page_size})"
        )


@contextmanager
def _guard(path: Path) -> Iterator[None]:
    """SQLite's corruption errors become one-line DatabaseErrors."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path}: corrupt vulnerability database ({error})") from None
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise DatabaseError(f"{path}: corrupt vulnerability database (bad row: {error!r})") from None


def source_digest(conn: sqlite3.Connection, name: str) -> str:
    """SHA-256 over one source's rows in a canonical order."""
    digest = hashlib.sha256()
    query = "SELECT id, data FROM advisories WHERE source = ? ORDER BY id"
    for advisory_id, data in conn.execute(query, (name,)):
        digest.update(f"A\t{advisory_id}\t{data}\n".encode())
    query = (
        "SELECT advisory_id, ord, namespace, name, status, data FROM affected WHERE source = ? "
        "ORDER BY advisory_id, ord"
    )
    for row in conn.execute(query, (name,)):
        digest.update(("P\t" + "\t".join(str(v) for v in row) + "\n").encode())
    query = "SELECT kind, key, data FROM enrichment WHERE source = ? ORDER BY kind, key"
    for kind, key, data in conn.execute(query, (name,)):
        digest.update(f"E\t{kind}\t{key}\t{data}\n".encode())
    return "sha256:" + digest.hexdigest()


def content_digest(source_digests: Iterable[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, value in sorted(source_digests):
        digest.update(f"{name}\t{value}\n".encode())
    return "sha256:" + digest.hexdigest()


def _source_info(row: tuple[Any, ...]) -> SourceInfo:
    name, importer, version, location, fingerprint, repository, revision, date, imported_at = row[:9]
    return SourceInfo(
        name=name,
        importer=importer,
        importer_version=version,
        location=location,
        fingerprint=fingerprint,
        repository=repository,
        revision=revision,
        date=date,
        imported_at=imported_at,
        counts=json.loads(row[9]),
        warnings=tuple(json.loads(row[10])),
        digest=row[11],
    )


# --- reading --------------------------------------------------------------------------------------


class VulnStore:
    """Read-only access to a built database. Open with :meth:`open`; close when done (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> VulnStore:
        check_file(path)
        uri = path.resolve().as_uri() + "?mode=ro"
        with _guard(path):
            conn = sqlite3.connect(uri, uri=True)
            conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    raise DatabaseError(
                        f"{path} has schema version {version}; this Seawall reads version {SCHEMA_VERSION} "
                        "(rebuild it with seawall db build)"
                    )
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            except BaseException:
                conn.close()
                raise
        if "content_digest" not in meta:
            conn.close()
            raise DatabaseError(f"{path} is an unfinished build (no content digest)")
        return cls(path, conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> VulnStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # metadata

    def metadata(self) -> dict[str, str]:
        with _guard(self.path):
            return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def sources(self) -> list[SourceInfo]:
        query = (
            "SELECT name, importer, importer_version, location, fingerprint, repository, revision, date, "
            "imported_at, counts, warnings, digest FROM sources ORDER BY name"
        )
        with _guard(self.path):
            return [_source_info(row) for row in self._conn.execute(query)]

    def counts(self) -> dict[str, int]:
        """Rows per kind: advisories, affected entries, namespaces, and enrichment per kind."""
        with _guard(self.path):
            result = {
                "advisories": self._conn.execute("SELECT count(*) FROM advisories").fetchone()[0],
                "affected": self._conn.execute("SELECT count(*) FROM affected").fetchone()[0],
                "namespaces": self._conn.execute(
                    "SELECT count(*) FROM (SELECT DISTINCT namespace FROM affected)"
                ).fetchone()[0],
            }
            for kind, count in self._conn.execute("SELECT kind, count(*) FROM enrichment GROUP BY kind"):
                result[kind] = count
            return result

    def namespaces(self) -> list[str]:
        with _guard(self.path):
            return [
                row[0] for row in self._conn.execute("SELECT DISTINCT namespace FROM affected ORDER BY 1")
            ]

    # lookups

    def lookup(self, namespace: str, name: str) -> list[AffectedMatch]:
        """Every affected entry for a package; ``name`` normalised by ``namespace.normalize_name``."""
        query = _LOOKUP
        decode = self._decode
        with _guard(self.path):
            rows = self._conn.execute(query, (namespace, name)).fetchall()
            try:
                return [
                    AffectedMatch(advisory_id, source, row, namespace, name, _STATUSES[status], data, decode)
                    for advisory_id, source, row, status, data in rows
                ]
            except KeyError as error:
                raise DatabaseError(f"{self.path}: corrupt vulnerability database (status {error})") from None

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[AffectedMatch]]:
        """:meth:`lookup` for many ``(namespace, name)`` keys; keys without any entry are left out.

        (One indexed query per key is as fast as one joined query here: the rows dominate.)
        """
        found: dict[tuple[str, str], list[AffectedMatch]] = {}
        for namespace, name in dict.fromkeys(keys):
            matches = self.lookup(namespace, name)
            if matches:
                found[namespace, name] = matches
        return found

    def lookup_name(self, names: Iterable[str]) -> list[AffectedMatch]:
        """Affected entries with one of these names in any namespace (``db search PACKAGE``)."""
        wanted = sorted(set(names))
        marks = ",".join("?" * len(wanted))
        query = (
            "SELECT advisory_id, source, advisory, namespace, name, status, data FROM affected "
            f"WHERE name IN ({marks})"
        )
        with _guard(self.path):
            rows = self._conn.execute(query, wanted).fetchall()
        return sorted(self._matches(rows), key=lambda m: (m.namespace, m.name, m.advisory_id))

    def _matches(self, rows: list[tuple[Any, ...]]) -> list[AffectedMatch]:
        try:
            return [
                AffectedMatch(
                    advisory_id, source, row, namespace, name, _STATUSES[status], data, self._decode
                )
                for advisory_id, source, row, namespace, name, status, data in rows
            ]
        except KeyError as error:
            raise DatabaseError(f"{self.path}: corrupt vulnerability database (status {error})") from None

    def _decode(self, namespace: str, name: str, status: Status, data: str) -> AffectedPackage:
        with _guard(self.path):
            return codec.affected_from(namespace, name, status, data)

    def advisory(self, row: int, with_affected: bool = True) -> Advisory:
        """The advisory stored at ``row`` (an AffectedMatch's ``row``); without its affected entries
        when ``with_affected`` is false (matching needs only the text, references and ratings)."""
        with _guard(self.path):
            found = self._conn.execute(
                "SELECT id, source, data FROM advisories WHERE rowid = ?", (row,)
            ).fetchone()
            if found is None:
                raise DatabaseError(f"{self.path}: no advisory at row {row}")
            if not with_affected:
                return codec.advisory_from(found[0], found[1], found[2], ())
            query = "SELECT namespace, name, status, data FROM affected WHERE advisory = ? ORDER BY ord"
            affected = tuple(codec.affected_from(*r) for r in self._conn.execute(query, (row,)))
            return codec.advisory_from(found[0], found[1], found[2], affected)

    def find_rows(self, identifier: str) -> list[int]:
        """Rows of advisories with this ID or alias, or in the alias group of this CVE."""
        query = (
            "SELECT advisory FROM ids WHERE id = ? "
            "UNION SELECT advisory FROM cve_links WHERE cve = ? AND direct = 1"
        )
        with _guard(self.path):
            return sorted(r[0] for r in self._conn.execute(query, (identifier, identifier)))

    def advisories(self, identifier: str) -> list[Advisory]:
        return [self.advisory(row) for row in self.find_rows(identifier)]

    def cves(self, row: int, related: bool = False) -> list[str]:
        """The CVEs of an advisory's alias group (and those it lists as related, if asked)."""
        query = "SELECT DISTINCT cve FROM cve_links WHERE advisory = ?" + (
            "" if related else " AND direct = 1"
        )
        with _guard(self.path):
            return sorted(r[0] for r in self._conn.execute(query, (row,)))

    def enrichment(self, cves: Iterable[str]) -> Enrichment:
        """KEV, EPSS and NVD entries for these CVEs."""
        wanted = sorted(set(cves))
        kev: list[KevEntry] = []
        epss: list[EpssScore] = []
        nvd: list[CveRecord] = []
        with _guard(self.path):
            for start in range(0, len(wanted), 500):  # SQLite bounds the number of parameters
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT kind, key, data FROM enrichment WHERE key IN ({marks}) " + _ENRICHMENT_ORDER
                for kind, key, data in self._conn.execute(query, chunk):
                    record = codec.enrichment_from(kind, key, data)
                    if isinstance(record, KevEntry):
                        kev.append(record)
                    elif isinstance(record, EpssScore):
                        epss.append(record)
                    else:
                        nvd.append(record)
        return Enrichment(tuple(wanted), tuple(kev), tuple(epss), tuple(nvd))

    def enrichment_for(self, row: int, related: bool = False) -> Enrichment:
        return self.enrichment(self.cves(row, related))

    def advisories_at(self, rows: Iterable[int]) -> dict[int, tuple[Advisory, Enrichment]]:
        """Many advisories (without affected entries) and their enrichment, in a few batched queries:
        what matching needs for its findings."""
        wanted = sorted(set(rows))
        texts: dict[int, Advisory] = {}
        cves: dict[int, list[str]] = {row: [] for row in wanted}
        with _guard(self.path):
            for start in range(0, len(wanted), 500):  # SQLite bounds the number of parameters
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT rowid, id, source, data FROM advisories WHERE rowid IN ({marks})"
                for row, advisory_id, source, data in self._conn.execute(query, chunk):
                    texts[row] = codec.advisory_from(advisory_id, source, data, ())
                query = (
                    f"SELECT DISTINCT advisory, cve FROM cve_links WHERE advisory IN ({marks}) AND direct = 1"
                )
                for row, cve in self._conn.execute(query, chunk):
                    cves[row].append(cve)
        missing = [row for row in wanted if row not in texts]
        if missing:
            raise DatabaseError(f"{self.path}: no advisory at row {missing[0]}")
        every_cve = {cve for found in cves.values() for cve in found}
        enrichment = self.enrichment(every_cve) if every_cve else Enrichment()
        out: dict[int, tuple[Advisory, Enrichment]] = {}
        for row in wanted:
            mine = set(cves[row])
            out[row] = (
                texts[row],
                Enrichment(
                    tuple(sorted(mine)),
                    tuple(k for k in enrichment.kev if k.cve in mine),
                    tuple(e for e in enrichment.epss if e.cve in mine),
                    tuple(n for n in enrichment.nvd if n.cve in mine),
                ),
            )
        return out

    # integrity

    def verify(self) -> list[str]:
        """Problems found by SQLite's quick_check and by recomputing every digest (empty: all good)."""
        problems: list[str] = []
        with _guard(self.path):
            result = [r[0] for r in self._conn.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                problems.extend(f"sqlite: {line}" for line in result[:10])
                return problems
            digests = []
            for name, stored in self._conn.execute(
                "SELECT name, digest FROM sources ORDER BY name"
            ).fetchall():
                actual = source_digest(self._conn, name)
                digests.append((name, actual))
                if actual != stored:
                    problems.append(f"source {name}: content digest mismatch")
            if content_digest(digests) != self.metadata().get("content_digest"):
                problems.append("content digest mismatch")
        return problems


# --- writing --------------------------------------------------------------------------------------


class StoreWriter:
    """Writes a database file in place; the build service gives it a temporary file and renames it."""

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = OFF")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute("PRAGMA cache_size = -65536")
        self._conn.execute("PRAGMA temp_store = MEMORY")
        self._deleted = False
        self._seen: dict[tuple[str, str], bytes] = {}
        if fresh:
            self._conn.executescript(_TABLES)
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self._conn.execute("DELETE FROM meta WHERE key = 'content_digest'")  # unfinished until finish()

    def close(self) -> None:
        self._conn.close()

    def source_names(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT name FROM sources")]

    def drop_source(self, name: str) -> None:
        """Remove every row a source put in (before re-importing it, or when it is no longer wanted)."""
        conn = self._conn
        conn.execute("BEGIN")
        conn.execute("DELETE FROM affected WHERE source = ?", (name,))
        conn.execute(
            "DELETE FROM ids WHERE advisory IN (SELECT rowid FROM advisories WHERE source = ?)", (name,)
        )
        conn.execute("DELETE FROM advisories WHERE source = ?", (name,))
        conn.execute("DELETE FROM enrichment WHERE source = ?", (name,))
        conn.execute("DELETE FROM sources WHERE name = ?", (name,))
        conn.execute("COMMIT")
        self._deleted = True

    def begin(self) -> None:
        self._conn.execute("BEGIN")

    def commit(self) -> None:
        self._conn.execute("COMMIT")

    def add(self, source: str, record: Record) -> str:
        """Store one record: ``added``, or ``identical``/``conflict`` when the source already holds an
        advisory with this ID (with the same or other content; the first one is kept)."""
        if not isinstance(record, Advisory):
            kind, key, data = codec.enrichment_to(record)
            self._conn.execute(
                "INSERT OR REPLACE INTO enrichment (source, kind, key, data) VALUES (?, ?, ?, ?)",
                (source, kind, key, data),
            )
            return "added"
        data = codec.advisory_to(record)
        affected = [
            (index, p.namespace, p.name, p.status.value, codec.affected_to(p), record.id, source)
            for index, p in enumerate(record.affected)
        ]
        hasher = hashlib.blake2b(data.encode(), digest_size=16)
        for item in affected:
            hasher.update(f"\t{item[1]}\t{item[2]}\t{item[3]}\t{item[4]}\n".encode())
        fingerprint = hasher.digest()
        seen = self._seen.setdefault((source, record.id), fingerprint)
        if seen is not fingerprint:
            return "identical" if seen == fingerprint else "conflict"
        cursor = self._conn.execute(
            "INSERT INTO advisories (source, id, data) VALUES (?, ?, ?)", (source, record.id, data)
        )
        row = cursor.lastrowid
        self._conn.executemany(
            "INSERT INTO affected (advisory, ord, namespace, name, status, data, advisory_id, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(row, *item) for item in affected],
        )
        identifiers = dict.fromkeys((record.id, *record.aliases, *record.upstream))
        self._conn.executemany(
            "INSERT INTO ids (id, advisory) VALUES (?, ?)", [(i, row) for i in identifiers]
        )
        return "added"

    def record_source(self, info: SourceInfo) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO sources (name, importer, importer_version, location, fingerprint, "
            "repository, revision, date, imported_at, counts, warnings, digest) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            (
                info.name,
                info.importer,
                info.importer_version,
                info.location,
                info.fingerprint,
                info.repository,
                info.revision,
                info.date,
                info.imported_at,
                codec.dumps(info.counts),
                codec.dumps(list(info.warnings)),
            ),
        )

    def _link_aliases(self) -> None:
        """Rebuild ``cve_links``: union-find over each advisory's IDs, then every CVE of each group."""
        conn = self._conn
        parent: dict[str, str] = {}

        def find(item: str) -> str:
            root = item
            while parent.setdefault(root, root) != root:
                root = parent[root]
            while parent[item] != root:
                parent[item], item = root, parent[item]
            return root

        by_advisory: dict[int, list[str]] = {}
        for identifier, advisory in conn.execute("SELECT id, advisory FROM ids"):
            by_advisory.setdefault(advisory, []).append(identifier)
        for identifiers in by_advisory.values():
            first = find(identifiers[0])
            for other in identifiers[1:]:
                root = find(other)
                if root != first:
                    parent[root] = first
        group_cves: dict[str, set[str]] = {}
        for identifier in parent:
            if CVE_ID.match(identifier):
                group_cves.setdefault(find(identifier), set()).add(identifier)
        rows: list[tuple[int, str, int]] = []
        direct: dict[int, set[str]] = {}
        for advisory, identifiers in by_advisory.items():
            cves = group_cves.get(find(identifiers[0]), set())
            direct[advisory] = cves
            rows.extend((advisory, cve, 1) for cve in sorted(cves))
        query = "SELECT rowid, data FROM advisories WHERE data LIKE '%\"related\"%'"
        for advisory, data in conn.execute(query).fetchall():
            for cve in dict.fromkeys(json.loads(data).get("related", ())):
                if CVE_ID.match(cve) and cve not in direct.get(advisory, ()):
                    rows.append((advisory, cve, 0))
        conn.execute("BEGIN")
        conn.execute("DELETE FROM cve_links")
        conn.executemany("INSERT INTO cve_links (advisory, cve, direct) VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")

    def finish(self, built_at: str, changed: Iterable[str]) -> str:
        """Indexes, alias links, digests of the ``changed`` sources, metadata; returns the content digest."""
        conn = self._conn
        conn.executescript(_INDEXES)
        self._link_aliases()
        conn.execute("BEGIN")
        for name in changed:
            conn.execute("UPDATE sources SET digest = ? WHERE name = ?", (source_digest(conn, name), name))
        digests = conn.execute("SELECT name, digest FROM sources").fetchall()
        digest = content_digest(digests)
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "built_at": built_at,
            "seawall_version": __version__,
            "content_digest": digest,
        }
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        if self._deleted:
            conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = DELETE")
        return digest


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
