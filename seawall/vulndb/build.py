"""Building the database from feed sources: ``seawall db build --from PATH ...``.

The database holds exactly the sources of the last build. Each source is one ``--from`` path; its
name is the file or directory name without archive suffixes (``pypa-advisory-database``), its format
is detected (or forced with ``FORMAT:PATH``, e.g. ``nvd:/data/nvd``).

A build is atomic: it writes ``.<db>.<pid>.tmp`` beside the target, fsyncs it and renames it over the
target, so a crash at any point leaves the previous database as it was. It is incremental: an input
fingerprint per source (the importer's name and version, and the file's SHA-256 or a tree's paths,
sizes and mtimes) is stored in the metadata; when the previous database is intact, it is copied and
only the sources whose fingerprint changed are dropped and imported again.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from seawall.vulndb.errors import DatabaseError, FeedError, SourceError
from seawall.vulndb.feeds import Importer, ImportReport, detect_importer, get_importer
from seawall.vulndb.model import Advisory, CveRecord, EpssScore, KevEntry, Record
from seawall.vulndb.reader import Provenance, SourceReader
from seawall.vulndb.store import SourceInfo, StoreWriter, VulnStore, fsync_file

log = logging.getLogger("seawall")

_ARCHIVE_SUFFIXES = (".gz", ".zst", ".tgz", ".tar", ".zip", ".json", ".csv", ".yaml", ".yml")
_KINDS: dict[type, str] = {Advisory: "advisories", KevEntry: "kev", EpssScore: "epss", CveRecord: "nvd"}


@dataclass(frozen=True)
class SourceSpec:
    """One ``--from`` argument: where the source is, its name, and its format when forced."""

    path: Path
    name: str
    importer: str = ""


@dataclass
class SourceOutcome:
    name: str
    importer: str
    reused: bool
    report: ImportReport | None = None
    provenance: Provenance = field(default_factory=Provenance)
    seconds: float = 0.0


@dataclass
class BuildResult:
    path: Path
    content_digest: str
    changed: bool
    outcomes: list[SourceOutcome]
    seconds: float


def source_name(path: Path) -> str:
    """``pypa-advisory-database.tar.gz`` -> ``pypa-advisory-database``."""
    name = path.name or path.resolve().name
    stripped = True
    while stripped:
        stripped = False
        for suffix in _ARCHIVE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, stripped = name[: -len(suffix)], True
    return name


def parse_source(argument: str) -> SourceSpec:
    """``PATH`` or ``FORMAT:PATH`` (FORMAT a registered importer, when PATH itself does not exist)."""
    from seawall.vulndb.feeds import all_importers

    prefix, sep, rest = argument.partition(":")
    if sep and rest and not Path(argument).exists() and prefix in {i.name for i in all_importers()}:
        path = Path(rest)
        return SourceSpec(path, source_name(path), prefix)
    path = Path(argument)
    return SourceSpec(path, source_name(path))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """One build at a time per database (readers never wait: they keep the file they opened)."""
    lock_path = target.parent / f".{target.name}.lock"
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another build of %s is running; waiting for it", target)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files left by builds that were killed (we hold the lock: none is running)."""
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            log.info("removed %s, left by an interrupted build", leftover)


def _previous(target: Path) -> dict[str, SourceInfo] | None:
    """The sources of the current database, or None when there is none or it cannot be trusted."""
    if not target.exists():
        return None
    try:
        with VulnStore.open(target) as store:
            problems = store.verify()
            if problems:
                raise DatabaseError("; ".join(problems[:3]))
            return {s.name: s for s in store.sources()}
    except DatabaseError as error:
        log.warning("the existing database cannot be reused (%s); importing every source again", error)
        return None


def _add(writer: StoreWriter, source: str, record: Record, report: ImportReport, path: str) -> None:
    outcome = writer.add(source, record)
    if outcome == "added":
        report.count(_KINDS[type(record)])
    elif outcome == "identical":
        report.count("duplicates")  # the same record twice (AlmaLinux files one errata per release)
    else:
        report.warn(
            path, f"advisory {getattr(record, 'id', '?')} given twice with different content; first kept"
        )


def _import(writer: StoreWriter, spec: SourceSpec, reader: SourceReader, importer: Importer) -> ImportReport:
    report = ImportReport(spec.name)
    writer.begin()
    for feed_file in reader.files(importer.wants, importer.max_size):
        report.count("files")
        if feed_file.error:
            report.warn(feed_file.path, feed_file.error)
            continue
        try:
            records = list(importer.parse(feed_file.path, feed_file.content, report))
        except FeedError as error:
            report.count("skipped_files")
            report.warn(feed_file.path, str(error))
            continue
        except Exception as error:  # a bug of ours on odd input must not abort the build; say so
            report.count("skipped_files")
            report.warn(feed_file.path, f"unexpected error, file skipped (please report): {error!r}")
            continue
        for record in records:
            _add(writer, spec.name, record, report, feed_file.path)
    for record in importer.finish(report):
        _add(writer, spec.name, record, report, spec.name)
    writer.commit()
    return report


def build_database(target: Path, specs: list[SourceSpec]) -> BuildResult:
    """Build (or update) the database at ``target`` from exactly these sources."""
    started = time.monotonic()
    if not specs:
        raise SourceError("no sources given (use --from PATH)")
    names = [spec.name for spec in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourceError(f"two sources named {duplicates[0]!r}: rename one of the paths")
    target = target.absolute()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SourceError(f"cannot create {target.parent}: {error.strerror}") from None
    with _locked(target):
        _remove_stale_temporaries(target)
        plans: list[tuple[SourceSpec, SourceReader, Importer, str]] = []
        for spec in specs:
            reader = SourceReader(spec.path)
            importer = get_importer(spec.importer) if spec.importer else detect_importer(reader)
            fingerprint = f"{importer.name}/{importer.version}/{reader.fingerprint()}"
            plans.append((spec, reader, importer, fingerprint))
        previous = _previous(target)
        changed = [
            plan
            for plan in plans
            if previous is None or (old := previous.get(plan[0].name)) is None or old.fingerprint != plan[3]
        ]
        removed = sorted(set(previous or ()) - set(names))
        outcomes = [
            SourceOutcome(spec.name, importer.name, reused=True)
            for spec, _, importer, _ in plans
            if all(spec is not plan[0] for plan in changed)
        ]
        if previous is not None and not changed and not removed:
            with VulnStore.open(target) as store:
                digest = store.metadata()["content_digest"]
            return BuildResult(target, digest, False, outcomes, time.monotonic() - started)
        temporary = target.parent / f".{target.name}.{os.getpid()}.tmp"
        try:
            if previous is not None:
                shutil.copyfile(target, temporary)
            writer = StoreWriter(temporary, fresh=previous is None)
            try:
                for name in removed:
                    writer.drop_source(name)
                for spec, reader, importer, fingerprint in changed:
                    source_started = time.monotonic()
                    if previous is not None and spec.name in previous:
                        writer.drop_source(spec.name)
                    report = _import(writer, spec, reader, importer)
                    provenance = reader.provenance
                    writer.record_source(
                        SourceInfo(
                            name=spec.name,
                            importer=importer.name,
                            importer_version=importer.version,
                            location=str(spec.path.absolute()),
                            fingerprint=fingerprint,
                            repository=provenance.repository,
                            revision=provenance.revision,
                            date=report.date or provenance.date,
                            imported_at=_now(),
                            counts=dict(sorted(report.counts.items())),
                            warnings=tuple(report.warnings),
                        )
                    )
                    elapsed = time.monotonic() - source_started
                    outcomes.append(
                        SourceOutcome(spec.name, importer.name, False, report, provenance, elapsed)
                    )
                digest = writer.finish(_now(), [plan[0].name for plan in changed])
            finally:
                writer.close()
            fsync_file(temporary)
            os.replace(temporary, target)
            fsync_file(target.parent)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    outcomes.sort(key=lambda o: names.index(o.name))
    return BuildResult(target, digest, True, outcomes, time.monotonic() - started)
