"""``seawall db``: build, inspect and search the vulnerability database."""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from seawall.cli.options import collect, global_options
from seawall.cli.output import write_output
from seawall.errors import UsageError

log = logging.getLogger("seawall")
DEFAULT_MAX_AGE = "7d"
_AGE = re.compile(r"^(\d+)([smhdw]?)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


@click.group()
@global_options
@click.pass_context
def db(ctx: click.Context, /, **kwargs: Any) -> None:
    """Build, inspect and search the vulnerability database.

    \b
    The database is --db, else $SEAWALL_DB, else $XDG_DATA_HOME/seawall/vuln.db.
    \b
    Example:
      seawall db build --from pypa-advisory-database.tar.gz --from cisa-kev.tar.gz
      seawall db search CVE-2019-1020019
    """
    collect(ctx, kwargs)


def _db_path(ctx: click.Context, kwargs: dict[str, Any]) -> Path:
    from seawall.vulndb import resolve_db_path

    return resolve_db_path(collect(ctx, kwargs).db)


# --- build ------------------------------------------------------------------------------------------


@db.command()
@click.option(
    "--from",
    "sources",
    multiple=True,
    required=True,
    metavar="PATH",
    help="A feed as published: directory, .zip, .tar[.gz|.zst] or file; FORMAT:PATH forces a format.",
)
@global_options
@click.pass_context
def build(ctx: click.Context, /, sources: tuple[str, ...], **kwargs: Any) -> None:
    """Build the database from feed sources (only changed sources are imported again).

    \b
    Example:
      seawall db build --from golang-vulndb.tar.gz --from pypa-advisory-database.tar.gz \\
                       --from almalinux-osv.tar.gz --from cisa-kev.tar.gz
    """
    options = collect(ctx, kwargs)
    from seawall.vulndb import resolve_db_path
    from seawall.vulndb.build import build_database, parse_source

    result = build_database(resolve_db_path(options.db), [parse_source(source) for source in sources])

    def say(text: str) -> None:
        if not options.quiet:
            click.echo(text, err=True)

    for outcome in result.outcomes:
        if outcome.reused or outcome.report is None:
            say(f"{outcome.name}: unchanged")
            continue
        counts = outcome.report.counts
        records = ", ".join(f"{counts[k]} {k}" for k in ("advisories", "kev", "epss", "nvd") if counts.get(k))
        extras = ", ".join(
            f"{counts[k]} {k.replace('_', ' ')}"
            for k in ("withdrawn", "git_ranges", "rejected", "skipped_files", "warnings")
            if counts.get(k)
        )
        extras = f" ({extras})" if extras else ""
        took = f"{outcome.seconds:.1f} s"
        say(f"{outcome.name} ({outcome.importer}): {records or 'no records'}{extras} in {took}")
        for warning in outcome.report.warnings[:10]:
            log.warning("%s: %s", outcome.name, warning)
        more = counts.get("warnings", 0) - min(10, len(outcome.report.warnings))
        if more > 0:
            log.warning("%s: %d more warnings (db status --format json lists 50)", outcome.name, more)
    state = "written" if result.changed else "up to date"
    say(f"{result.path}: {state}, {result.content_digest} ({result.seconds:.1f} s)")


# --- status -----------------------------------------------------------------------------------------


def parse_age(text: str) -> float:
    """``90m``, ``12h``, ``7d``, ``2w`` or a number of days -> seconds."""
    match = _AGE.match(text.strip())
    if not match:
        raise UsageError(f"bad age {text!r}: use a number with s, m, h, d or w (e.g. 7d)")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _age_of(stamp: str, now: datetime) -> float | None:
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when).total_seconds()


def _human_age(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} seconds"


@db.command()
@click.option(
    "--max-age", default=DEFAULT_MAX_AGE, show_default=True, help="Warn when the database is older."
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--no-verify", is_flag=True, help="Skip the integrity check (SQLite check and content digests)."
)
@global_options
@click.pass_context
def status(ctx: click.Context, /, max_age: str, fmt: str, no_verify: bool, **kwargs: Any) -> None:
    """Show the database's age, sources and counts, after checking its integrity.

    \b
    Example:
      seawall db status --max-age 24h
    """
    limit = parse_age(max_age)
    path = _db_path(ctx, kwargs)
    from seawall.vulndb.errors import DatabaseError
    from seawall.vulndb.store import VulnStore

    with VulnStore.open(path) as store:
        if not no_verify:
            problems = store.verify()
            if problems:
                raise DatabaseError(f"{path} is corrupt: {'; '.join(problems[:3])}")
        meta = store.metadata()
        sources = store.sources()
        counts = store.counts()
    now = datetime.now(UTC)
    age = _age_of(meta.get("built_at", ""), now)
    if age is None or age > limit:
        log.warning(
            "the vulnerability database was built %s ago (more than --max-age %s): update it",
            _human_age(age) if age is not None else "an unknown time",
            max_age,
        )
    if fmt == "json":
        data = {
            "path": str(path),
            "schema_version": int(meta.get("schema_version", "0")),
            "built_at": meta.get("built_at", ""),
            "age_seconds": age,
            "content_digest": meta.get("content_digest", ""),
            "seawall_version": meta.get("seawall_version", ""),
            "counts": counts,
            "sources": [dataclasses.asdict(s) for s in sources],
        }
        write_output(json.dumps(data, indent=2) + "\n", None)
        return
    lines = [
        f"Database:  {path}",
        f"Built:     {meta.get('built_at', '?')} ({_human_age(age) + ' ago' if age is not None else '?'})"
        f" by Seawall {meta.get('seawall_version', '?')}, schema {meta.get('schema_version', '?')}",
        f"Digest:    {meta.get('content_digest', '')}" + ("" if no_verify else " (verified)"),
        "Content:   "
        + ", ".join(f"{counts.get(k, 0):,} {k}" for k in ("advisories", "affected", "namespaces"))
        + "; enrichment: "
        + ", ".join(f"{k.upper()} {counts.get(k, 0):,}" for k in ("kev", "epss", "nvd")),
        "",
    ]
    rows = [("SOURCE", "FORMAT", "REVISION", "DATE", "RECORDS", "WARNINGS")]
    for source in sources:
        records = sum(source.counts.get(k, 0) for k in ("advisories", "kev", "epss", "nvd"))
        rows.append(
            (
                source.name,
                source.importer,
                source.revision[:12] or "-",
                source.date[:10] or "-",
                f"{records:,}",
                str(source.counts.get("warnings", 0)),
            )
        )
    lines.extend(_table(rows))
    write_output("\n".join(lines) + "\n", None)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


# --- search -----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Dataclasses -> JSON-ready values; Severity and other enums by name or value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@db.command()
@click.argument("query")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@global_options
@click.pass_context
def search(ctx: click.Context, /, query: str, fmt: str, **kwargs: Any) -> None:
    """Find advisories by ID or alias (CVE, GHSA, PYSEC ...) or by package name in every namespace.

    \b
    QUERY: an advisory ID or alias, a package name, or NAMESPACE/NAME (pypi/django, almalinux:9/openssl)
    \b
    Example:
      seawall db search CVE-2019-1020019
      seawall db search jinja2 --format json
    """
    path = _db_path(ctx, kwargs)
    from seawall.vulndb.namespace import normalize_name
    from seawall.vulndb.store import VulnStore

    query = query.strip()
    if not query:
        raise UsageError("empty search")
    with VulnStore.open(path) as store:
        rows = store.find_rows(query)
        if rows:
            advisories = [store.advisory(row) for row in rows]
            enrichments = [store.enrichment_for(row) for row in rows]
            if fmt == "json":
                data = [
                    {**_plain(a), "enrichment": _plain(e)}
                    for a, e in zip(advisories, enrichments, strict=True)
                ]
                write_output(json.dumps(data, indent=2) + "\n", None)
            else:
                write_output(_advisory_text(advisories, enrichments), None)
            return
        namespace, sep, name = query.partition("/")  # namespaces never hold a "/"
        if sep and namespace in store.namespaces():
            matches = store.lookup(namespace, normalize_name(namespace, name))
        else:
            candidates = {
                query,
                query.lower(),
                normalize_name("pypi", query),
                normalize_name("cargo", query),
            }
            matches = store.lookup_name(candidates)
        if fmt == "json":
            data = [{"advisory": m.advisory_id, "source": m.source, **_plain(m.package)} for m in matches]
            write_output(json.dumps(data, indent=2) + "\n", None)
            return
        if not matches:
            click.echo(f"no advisory or package matches {query!r}", err=True)
            return
        rows_out = [("ADVISORY", "NAMESPACE", "PACKAGE", "STATUS", "AFFECTED", "FIXED")]
        for m in matches:
            affected = (
                " || ".join(r.describe() for r in m.package.ranges) or f"{len(m.package.versions)} versions"
            )
            rows_out.append(
                (
                    m.advisory_id,
                    m.package.namespace,
                    m.package.name,
                    m.package.status.value,
                    _clip(affected, 60),
                    _clip(", ".join(m.package.fixed), 40) or "-",
                )
            )
        write_output("\n".join(_table(rows_out)) + "\n", None)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _rating_line(rating: Any) -> str:
    score = f" {rating.score}" if rating.score is not None else ""
    rater = f"{rating.source} {rating.method}{score}"
    return f"  severity:  {rating.severity.name} ({rater}) {rating.vector}".rstrip()


def _advisory_text(advisories: list[Any], enrichments: list[Any]) -> str:
    out: list[str] = []
    for advisory, enrichment in zip(advisories, enrichments, strict=True):
        out.append(
            f"{advisory.id}  [{advisory.source}]  {advisory.summary or advisory.details[:100]}".rstrip()
        )
        if advisory.aliases or advisory.upstream:
            out.append(f"  aliases:   {', '.join((*advisory.aliases, *advisory.upstream))}")
        if advisory.related:
            more = " ..." if len(advisory.related) > 10 else ""
            out.append(f"  related:   {', '.join(advisory.related[:10])}{more}")
        if advisory.published or advisory.modified:
            out.append(f"  published: {advisory.published or '-'}  modified: {advisory.modified or '-'}")
        out.extend(_rating_line(rating) for rating in advisory.ratings)
        out.extend(_rating_line(rating) for record in enrichment.nvd for rating in record.ratings)
        for kev in enrichment.kev:
            out.append(f"  KEV:       {kev.cve} added {kev.date_added}, due {kev.due_date or '-'}")
        for epss in enrichment.epss:
            date = f", {epss.date[:10]}" if epss.date else ""
            out.append(f"  EPSS:      {epss.cve} {epss.score:.5f} (percentile {epss.percentile:.5f}{date})")
        for package in advisory.affected:
            ranges = " || ".join(r.describe() for r in package.ranges) or f"{len(package.versions)} versions"
            fixed = f"; fixed in {', '.join(package.fixed)}" if package.fixed else ""
            out.append(
                f"  affects:   {package.namespace}/{package.name} {ranges} [{package.status.value}]{fixed}"
            )
        out.append("")
    return "\n".join(out)
