"""``seawall db``: build, inspect and search the vulnerability database."""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from seawall.cli.options import collect, global_options
from seawall.cli.output import write_output
from seawall.errors import UsageError

if TYPE_CHECKING:
    from seawall.vulndb.build import BuildResult
    from seawall.vulndb.update import DbSettings

log = logging.getLogger("seawall")
DEFAULT_MAX_AGE = "7d"
_AGE = re.compile(r"^(\d+)([smhdw]?)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


@click.group()
@global_options
@click.pass_context
def db(ctx: click.Context, /, **kwargs: Any) -> None:
    """Build, update, move, inspect and search the vulnerability database.

    \b
    The database is --db, else $SEAWALL_DB, else $XDG_DATA_HOME/seawall/vuln.db; when there
    is none yet, the offline database shipped with Seawall is installed there on first use.
    Settings (sources, mirrors, max_age): $SEAWALL_DB_CONFIG, else ~/.config/seawall/db.yaml.
    \b
    Example:
      seawall db build --from pypa-advisory-database.tar.gz --from cisa-kev.tar.gz
      seawall db search CVE-2019-1020019
      seawall db pull oci://registry.example.com/security/seawall-db:1
    """
    collect(ctx, kwargs)


def _db_path(ctx: click.Context, kwargs: dict[str, Any], install_default: bool = True) -> Path:
    from seawall.vulndb import resolve_db_path

    return resolve_db_path(collect(ctx, kwargs).db, install_default)


def _say(ctx: click.Context) -> Callable[[str], None]:
    """Progress on stderr, unless --quiet."""
    options = ctx.meta.get("seawall.options")
    quiet = bool(getattr(options, "quiet", False))

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    return say


def _size(count: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


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
    path = _db_path(ctx, kwargs, install_default=False)
    from seawall.vulndb.build import build_database, parse_source

    result = build_database(path, [parse_source(source) for source in sources])
    _report_build(result, _say(ctx))


def _report_build(result: BuildResult, say: Callable[[str], None]) -> None:
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
    "--max-age",
    envvar="SEAWALL_DB_MAX_AGE",
    default=None,
    help=f"Warn when the database is older [env SEAWALL_DB_MAX_AGE; else max_age in the settings; "
    f"else {DEFAULT_MAX_AGE}].",
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--no-verify", is_flag=True, help="Skip the integrity check (SQLite check and content digests)."
)
@global_options
@click.pass_context
def status(ctx: click.Context, /, max_age: str | None, fmt: str, no_verify: bool, **kwargs: Any) -> None:
    """Show the database's age, sources and counts, after checking its integrity.

    \b
    Example:
      seawall db status --max-age 24h
    """
    if not max_age:
        max_age = _settings(None).max_age or DEFAULT_MAX_AGE
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


# --- settings ---------------------------------------------------------------------------------------


def _settings(path: Path | None) -> DbSettings:
    from seawall.vulndb.update import load_settings

    return load_settings(path)


_CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Database settings file [env SEAWALL_DB_CONFIG; default ~/.config/seawall/db.yaml].",
)


# --- update -----------------------------------------------------------------------------------------


@db.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME=URL",
    help="A source to fetch (repeatable; replaces the configured list). NAME=FORMAT:URL forces a format; "
    "URL may be a local path.",
)
@_CONFIG_OPTION
@global_options
@click.pass_context
def update(ctx: click.Context, /, sources: tuple[str, ...], config_file: Path | None, **kwargs: Any) -> None:
    """Fetch the upstream sources over HTTPS and rebuild the database from them.

    \b
    Downloads are cached under --cache-dir (db-sources/NAME/), revalidated with ETag and
    If-Modified-Since, and resumed when a connection drops; proxy variables are honoured.
    Only sources whose download changed are imported again. Without --source, the sources
    are those of the settings file, else OSV's per-ecosystem dumps, CISA KEV and EPSS.
    \b
    Example:
      seawall db update
      seawall db update --source osv-pypi=https://mirror.example.com/osv/PyPI/all.zip \\
                        --source kev=https://mirror.example.com/kev.json
    """
    path = _db_path(ctx, kwargs, install_default=False)
    options = collect(ctx, {})
    from seawall.inventory.cache import default_cache_dir
    from seawall.vulndb.update import configured_sources, parse_source_option, update_database

    settings = _settings(config_file)
    chosen = configured_sources([parse_source_option(s) for s in sources], settings)
    say = _say(ctx)
    result = update_database(path, chosen, options.cache_dir or default_cache_dir())
    for fetched in result.fetched:
        if fetched.outcome == "local":
            say(f"{fetched.source.name}: {fetched.path} (local)")
        elif fetched.outcome == "not-modified":
            say(f"{fetched.source.name}: not modified upstream")
        else:
            say(f"{fetched.source.name}: {fetched.outcome}, {_size(fetched.received)}")
    if result.build is not None:
        _report_build(result.build, say)


# --- export / import --------------------------------------------------------------------------------


_LEVEL_OPTION = click.option(
    "--level",
    type=click.IntRange(1, 22),
    default=None,
    help="zstd compression level (default 10; 19 is ~15% smaller and ~10x slower).",
)


@db.command(name="export")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False))
@_LEVEL_OPTION
@global_options
@click.pass_context
def export_command(ctx: click.Context, /, output: Path, level: int | None, **kwargs: Any) -> None:
    """Write the database to one compressed, checksummed bundle file (for an air-gapped machine).

    \b
    The database is verified first; the file is written atomically.
    \b
    Example:
      seawall db export seawall-db.bundle      # then, on the other side: seawall db import seawall-db.bundle
    """
    path = _db_path(ctx, kwargs)
    from seawall.vulndb.bundle import DEFAULT_LEVEL, export_bundle

    manifest = export_bundle(path, output, level or DEFAULT_LEVEL)
    _say(ctx)(
        f"{output}: {_size(manifest.payload.size)} (database {_size(manifest.payload.database_size)}), "
        f"{manifest.content_digest}"
    )


@db.command(name="import")
@click.argument("bundle", type=click.Path(path_type=Path, dir_okay=False))
@global_options
@click.pass_context
def import_command(ctx: click.Context, /, bundle: Path, **kwargs: Any) -> None:
    """Replace the database with the one in a bundle made by db export.

    \b
    The bundle's checksum, schema version and content digest are all checked before the
    database in use is replaced (atomically); a truncated or corrupt bundle changes nothing.
    \b
    Example:
      seawall db import /media/usb/seawall-db.bundle
    """
    path = _db_path(ctx, kwargs, install_default=False)
    from seawall.vulndb.bundle import import_bundle

    manifest = import_bundle(bundle, path)
    _say(ctx)(f"{path}: imported {manifest.content_digest} (built {manifest.built_at or '?'})")


# --- push / pull ------------------------------------------------------------------------------------


@db.command()
@click.argument("reference", metavar="oci://REGISTRY/REPO:TAG")
@_LEVEL_OPTION
@global_options
@click.pass_context
def push(ctx: click.Context, /, reference: str, level: int | None, **kwargs: Any) -> None:
    """Push the database to a registry as an OCI artifact (any OCI registry serves as a mirror).

    \b
    Example:
      seawall db push oci://registry.example.com/security/seawall-db:1
    """
    path = _db_path(ctx, kwargs)
    from seawall.vulndb.bundle import DEFAULT_LEVEL
    from seawall.vulndb.oci import push_database

    result = push_database(path, reference, level=level or DEFAULT_LEVEL)
    _say(ctx)(
        f"{result.reference}@{result.manifest_digest}: {_size(result.layer_size)}, {result.content_digest}"
    )


@db.command()
@click.argument("reference", metavar="[oci://REGISTRY/REPO:TAG]", required=False)
@click.option(
    "--mirror",
    "mirrors",
    multiple=True,
    metavar="LOCATION",
    help="Another place to pull from when the one before fails (repeatable, tried in order): "
    "oci://REGISTRY/REPO:TAG, or REGISTRY[:PORT] for the same repository and tag there. "
    "Default: the settings file's mirrors.",
)
@click.option("--force", is_flag=True, help="Download even when the local database is the same.")
@_CONFIG_OPTION
@global_options
@click.pass_context
def pull(
    ctx: click.Context,
    /,
    reference: str | None,
    mirrors: tuple[str, ...],
    force: bool,
    config_file: Path | None,
    **kwargs: Any,
) -> None:
    """Fetch the database from a registry, falling back to mirrors (on 429, 5xx, network errors...).

    \b
    Nothing is downloaded when the local database already has the content digest that the
    artifact's manifest announces. A download replaces the database only after its digests
    and integrity are checked.
    \b
    Example:
      seawall db pull oci://registry.example.com/security/seawall-db:1 --mirror mirror.example.com:5000
    """
    path = _db_path(ctx, kwargs, install_default=False)
    from seawall.vulndb.oci import mirror_location, parse_location, pull_database

    primary = parse_location(reference) if reference else None
    extra = list(mirrors) or list(_settings(config_file).mirrors)
    locations = ([primary] if primary else []) + [mirror_location(m, primary) for m in extra]
    result = pull_database(path, locations, force=force)
    artifact = result.artifact
    if result.changed:
        _say(ctx)(
            f"{path}: {artifact.content_digest} from {result.location} ({_size(artifact.layer_size)}, "
            f"built {artifact.built_at or '?'})"
        )
    else:
        _say(ctx)(f"{path}: up to date with {result.location} ({artifact.content_digest})")
