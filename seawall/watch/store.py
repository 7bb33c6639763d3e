"""The results store, through SQLAlchemy Core: SQLite by default, any SQLAlchemy URL otherwise.

Tables: ``repositories``, ``tags`` (what each tag pointed at when last seen), ``images`` (one row per
digest: its CycloneDX SBOM), ``findings`` (per digest, advisory and package, with when first seen and
whether a notification has gone out) and ``runs``. Every write is one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from seawall.errors import SeawallError

STORE_ENV = "SEAWALL_RESULTS_STORE"

metadata = sa.MetaData()
repositories = sa.Table(
    "repositories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("registry", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.UniqueConstraint("registry", "name"),
)
tags = sa.Table(
    "tags",
    metadata,
    sa.Column("repository_id", sa.Integer, sa.ForeignKey("repositories.id"), primary_key=True),
    sa.Column("tag", sa.String(128), primary_key=True),
    sa.Column("digest", sa.String(160), nullable=False, index=True),
    sa.Column("last_seen", sa.String(32), nullable=False),
)
images = sa.Table(
    "images",
    metadata,
    sa.Column("digest", sa.String(160), primary_key=True),
    sa.Column("sbom", sa.Text, nullable=False),
    sa.Column("indexed_at", sa.String(32), nullable=False),
    sa.Column("matched_db", sa.String(160), nullable=False, default=""),  # DB content digest last matched
)
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("digest", sa.String(160), primary_key=True),
    sa.Column("advisory", sa.String(128), primary_key=True),
    sa.Column("package", sa.String(255), primary_key=True),
    sa.Column("version", sa.String(255), primary_key=True),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("fixed", sa.String(255), nullable=False, default=""),
    sa.Column("first_seen", sa.String(32), nullable=False),
    sa.Column("db_digest", sa.String(160), nullable=False),
    sa.Column("notified", sa.Boolean, nullable=False, default=False),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("target", sa.String(512), nullable=False),
    sa.Column("started", sa.String(32), nullable=False),
    sa.Column("finished", sa.String(32), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("db_digest", sa.String(160), nullable=False, default=""),
    sa.Column("error", sa.Text, nullable=False, default=""),
)


class StoreError(SeawallError):
    """The results store cannot be opened, read or written."""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_store_url() -> str:
    """``$SEAWALL_RESULTS_STORE``, else SQLite at ``$XDG_DATA_HOME/seawall/results.db``."""
    if os.environ.get(STORE_ENV):
        return os.environ[STORE_ENV]
    base = os.environ.get("XDG_DATA_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return f"sqlite:///{root / 'seawall' / 'results.db'}"


@dataclass(frozen=True)
class FindingRow:
    digest: str
    advisory: str
    package: str
    version: str
    severity: str
    fixed: str
    first_seen: str = ""


@dataclass(frozen=True)
class TagRow:
    registry: str
    repository: str
    tag: str
    digest: str
    last_seen: str


class ResultsStore:
    """One results database; create with :meth:`open`, close when done."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> ResultsStore:
        url = url or default_store_url()
        try:
            parsed = sa.engine.make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
                Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(parsed)
            metadata.create_all(engine)
        except (SQLAlchemyError, OSError, ValueError) as error:
            raise StoreError(f"results store {_safe(url)}: {_reason(error)}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, statements: Iterable[Any]) -> None:
        try:
            with self.engine.begin() as conn:
                for statement in statements:
                    conn.execute(statement)
        except SQLAlchemyError as error:
            raise StoreError(f"results store: {_reason(error)}") from None

    def _read(self, statement: Any) -> list[sa.Row[Any]]:
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(statement))
        except SQLAlchemyError as error:
            raise StoreError(f"results store: {_reason(error)}") from None

    # images

    def known_digests(self) -> set[str]:
        return {row.digest for row in self._read(sa.select(images.c.digest))}

    def add_image(self, digest: str, sbom: str) -> None:
        self._write(
            [
                sa.delete(images).where(images.c.digest == digest),
                sa.insert(images).values(digest=digest, sbom=sbom, indexed_at=now(), matched_db=""),
            ]
        )

    def stale(self, digests: Iterable[str], db_digest: str) -> list[str]:
        """The digests among these that are stored but not yet matched against this database."""
        wanted = sorted(set(digests))
        found: list[str] = []
        for start in range(0, len(wanted), 500):
            query = sa.select(images.c.digest).where(
                images.c.digest.in_(wanted[start : start + 500]), images.c.matched_db != db_digest
            )
            found.extend(row.digest for row in self._read(query))
        return sorted(found)

    def sboms(self, digests: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(digests))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._read(sa.select(images.c.digest, images.c.sbom).where(images.c.digest.in_(chunk)))
            found.update((row.digest, row.sbom) for row in rows)
        return found

    # tags

    def set_tags(self, registry: str, repository: str, current: dict[str, str]) -> None:
        """Record the tags of a repository as seen now (tags gone from the registry are dropped)."""
        seen = now()
        try:
            with self.engine.begin() as conn:
                row = conn.execute(
                    sa.select(repositories.c.id).where(
                        repositories.c.registry == registry, repositories.c.name == repository
                    )
                ).first()
                if row is None:
                    result = conn.execute(sa.insert(repositories).values(registry=registry, name=repository))
                    key = result.inserted_primary_key
                    repository_id = int(key[0]) if key is not None else 0
                else:
                    repository_id = int(row.id)
                conn.execute(sa.delete(tags).where(tags.c.repository_id == repository_id))
                if current:
                    conn.execute(
                        sa.insert(tags),
                        [
                            {"repository_id": repository_id, "tag": t, "digest": d, "last_seen": seen}
                            for t, d in sorted(current.items())
                        ],
                    )
        except SQLAlchemyError as error:
            raise StoreError(f"results store: {_reason(error)}") from None

    def prune_repositories(self, registry: str, present: set[str]) -> None:
        """Forget the tags of repositories the registry no longer lists (their images stay stored)."""
        rows = self._read(
            sa.select(repositories.c.id, repositories.c.name).where(repositories.c.registry == registry)
        )
        gone = [int(r.id) for r in rows if r.name not in present]
        if gone:
            self._write([sa.delete(tags).where(tags.c.repository_id.in_(gone))])

    def tag_rows(self, registry: str = "") -> list[TagRow]:
        query = sa.select(
            repositories.c.registry, repositories.c.name, tags.c.tag, tags.c.digest, tags.c.last_seen
        ).join(tags, tags.c.repository_id == repositories.c.id)
        if registry:
            query = query.where(repositories.c.registry == registry)
        rows = self._read(query.order_by(repositories.c.registry, repositories.c.name, tags.c.tag))
        return [TagRow(r.registry, r.name, r.tag, r.digest, r.last_seen) for r in rows]

    # findings

    def replace_findings(self, digest: str, found: Iterable[FindingRow], db_digest: str) -> int:
        """The findings of a digest as matched now: new ones added (first seen now), gone ones removed,
        kept ones keep when they were first seen and whether they were notified. Returns how many are new."""
        wanted = {(f.advisory, f.package, f.version): f for f in found}
        seen = now()
        try:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    sa.select(findings.c.advisory, findings.c.package, findings.c.version).where(
                        findings.c.digest == digest
                    )
                )
                existing = {(r.advisory, r.package, r.version) for r in rows}
                for advisory, package, version in existing - set(wanted):
                    conn.execute(
                        sa.delete(findings).where(
                            findings.c.digest == digest,
                            findings.c.advisory == advisory,
                            findings.c.package == package,
                            findings.c.version == version,
                        )
                    )
                new = [wanted[key] for key in sorted(set(wanted) - existing)]
                if new:
                    conn.execute(
                        sa.insert(findings),
                        [
                            {
                                "digest": digest,
                                "advisory": f.advisory,
                                "package": f.package,
                                "version": f.version,
                                "severity": f.severity,
                                "fixed": f.fixed,
                                "first_seen": seen,
                                "db_digest": db_digest,
                                "notified": False,
                            }
                            for f in new
                        ],
                    )
                conn.execute(sa.update(images).where(images.c.digest == digest).values(matched_db=db_digest))
        except SQLAlchemyError as error:
            raise StoreError(f"results store: {_reason(error)}") from None
        return len(new)

    def findings_of(self, digests: Iterable[str], pending_only: bool = False) -> list[FindingRow]:
        wanted = sorted(set(digests))
        found: list[FindingRow] = []
        for start in range(0, len(wanted), 500):
            query = sa.select(findings).where(findings.c.digest.in_(wanted[start : start + 500]))
            if pending_only:
                query = query.where(findings.c.notified.is_(False))
            for r in self._read(query):
                found.append(
                    FindingRow(r.digest, r.advisory, r.package, r.version, r.severity, r.fixed, r.first_seen)
                )
        found.sort(key=lambda f: (f.digest, f.advisory, f.package, f.version))
        return found

    def mark_notified(self, rows: Iterable[FindingRow]) -> None:
        self._write(
            sa.update(findings)
            .where(
                findings.c.digest == f.digest,
                findings.c.advisory == f.advisory,
                findings.c.package == f.package,
                findings.c.version == f.version,
            )
            .values(notified=True)
            for f in rows
        )

    # runs

    def start_run(self, kind: str, target: str) -> int:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    sa.insert(runs).values(kind=kind, target=target, started=now(), status="running")
                )
                key = result.inserted_primary_key
        except SQLAlchemyError as error:
            raise StoreError(f"results store: {_reason(error)}") from None
        return int(key[0]) if key is not None else 0

    def finish_run(self, run_id: int, status: str, db_digest: str = "", error: str = "") -> None:
        self._write(
            [
                sa.update(runs)
                .where(runs.c.id == run_id)
                .values(finished=now(), status=status, db_digest=db_digest, error=error[:2000])
            ]
        )

    def last_db_digest(self, target: str) -> str:
        """The database content digest of the last successful run on ``target`` ("" if none)."""
        rows = self._read(
            sa.select(runs.c.db_digest)
            .where(runs.c.target == target, runs.c.status == "ok")
            .order_by(runs.c.id.desc())
            .limit(1)
        )
        return str(rows[0].db_digest) if rows else ""

    def run_statuses(self, target: str) -> list[str]:
        rows = self._read(sa.select(runs.c.status).where(runs.c.target == target).order_by(runs.c.id))
        return [str(r.status) for r in rows]


def _safe(url: str) -> str:
    """A URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "(unparsable URL)"


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).splitlines()
    return text[0][:300] if text else type(error).__name__
