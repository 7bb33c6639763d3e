"""Build the offline database shipped with Seawall: ``seawall/data/vulndb.bundle`` and its ``NOTICE``.

Run: ``.venv/bin/python tools/build_bundle.py [--vulndata DIR] [--level N] [--keep-db PATH]``.

The bundle holds the permissively licensed feeds of ../shared/vulndata (issue 3, deliverable 5). A feed
that no registered importer reads yet is skipped and said so; it is picked up automatically once its
importer exists (importers register themselves in ``seawall/vulndb/feeds/``). The NOTICE names each
source included, its upstream, repository, commit and date (the archive's ``.source_commit``) and its
licence (the table of ../shared/vulndata/MANIFEST.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.vulndb.build import SourceSpec, build_database, source_name  # noqa: E402
from seawall.vulndb.bundle import export_bundle  # noqa: E402
from seawall.vulndb.errors import SourceError  # noqa: E402
from seawall.vulndb.feeds import detect_importer  # noqa: E402
from seawall.vulndb.reader import Provenance, SourceReader  # noqa: E402
from seawall.vulndb.store import VulnStore  # noqa: E402

VULNDATA = REPO.parent / "shared" / "vulndata"
DATA = REPO / "seawall" / "data"
DEFAULT_BUNDLE = (  # issue 3, deliverable 5: the permissively licensed feeds
    "pypa-advisory-database.tar.gz",
    "golang-vulndb.tar.gz",
    "rustsec-advisory-db.tar.gz",
    "rubysec-ruby-advisory-db.tar.gz",
    "almalinux-osv.tar.gz",
    "cisa-kev.tar.gz",
    "nodejs-security-wg.tar.gz",
    "alpine-secdb-legacy.tar.gz",
)
SIZE_LIMIT = 40 * 1024 * 1024  # above this, ask before committing the file


def manifest_table(path: Path) -> dict[str, dict[str, str]]:
    """The rows of MANIFEST.md's table, by archive name."""
    rows: dict[str, dict[str, str]] = {}
    header: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not header:
            header = cells
        elif not set(cells[0]) <= set("-: "):
            rows[cells[0]] = dict(zip(header, cells, strict=False))
    return rows


def choose_sources(vulndata: Path) -> list[SourceSpec]:
    specs = []
    for archive in DEFAULT_BUNDLE:
        path = vulndata / archive
        if not path.exists():
            print(f"{archive}: missing, skipped", file=sys.stderr)
            continue
        try:
            importer = detect_importer(SourceReader(path))
        except SourceError as error:
            print(f"{archive}: skipped, no importer reads it yet ({error})", file=sys.stderr)
            continue
        specs.append(SourceSpec(path, source_name(path), importer.name))
    return specs


def provenance(archive: Path) -> Provenance:
    """The archive's ``.source_commit`` (read on the way through it)."""
    reader = SourceReader(archive)
    for _ in reader.files(lambda path: False):
        pass
    return reader.provenance


def notice(database: Path, table: dict[str, dict[str, str]], archives: dict[str, Path]) -> str:
    with VulnStore.open(database) as store:
        meta = store.metadata()
        sources = store.sources()
    lines = [
        "Seawall's offline vulnerability database (seawall/data/vulndb.bundle)",
        "=" * 70,
        "",
        "The database shipped with Seawall is built by tools/build_bundle.py from the upstream sources",
        "below, each used under its licence. The records were converted into Seawall's database format;",
        "nothing was added to them. The data is provided as is, without warranty, by its authors.",
        "",
        f"Built {meta.get('built_at', '?')} by Seawall {meta.get('seawall_version', '?')}; "
        f"content digest {meta.get('content_digest', '?')}.",
        "",
    ]
    for source in sources:
        archive = archives[source.name]
        row = table.get(archive.name, {})
        origin = provenance(archive)
        counts = ", ".join(
            f"{source.counts[k]} {k}" for k in ("advisories", "kev", "epss", "nvd") if source.counts.get(k)
        )
        lines += [
            source.name,
            f"  upstream:   {row.get('upstream', '?')}",
            f"  repository: https://github.com/{origin.repository}"
            if origin.repository
            else "  repository: ?",
            f"  commit:     {origin.revision or '?'} ({origin.date or '?'})",
            f"  licence:    {row.get('licence', '?')}",
            f"  records:    {counts or 'none'}",
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vulndata", type=Path, default=VULNDATA)
    parser.add_argument("--level", type=int, default=19, help="zstd level (19: smallest, ~2 min)")
    parser.add_argument("--keep-db", type=Path, help="keep the database built at this path")
    parser.add_argument("--output", type=Path, default=DATA / "vulndb.bundle")
    parser.add_argument("--notice-from", type=Path, help="only write the NOTICE, for this database")
    args = parser.parse_args()
    specs = choose_sources(args.vulndata)
    table = manifest_table(args.vulndata / "MANIFEST.md")
    archives = {spec.name: spec.path for spec in specs}
    notice_path = args.output.with_name("NOTICE")
    if args.notice_from:
        notice_path.write_text(notice(args.notice_from, table, archives), encoding="utf-8")
        return 0
    if not specs:
        print("no source can be imported", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        database = args.keep_db or Path(scratch) / "vuln.db"
        started = time.monotonic()
        result = build_database(database, specs)
        print(
            f"built {database} in {time.monotonic() - started:.0f} s: {result.content_digest}",
            file=sys.stderr,
        )
        for outcome in result.outcomes:
            counts = dict(outcome.report.counts) if outcome.report else "reused"
            print(f"  {outcome.name} ({outcome.importer}): {counts}", file=sys.stderr)
        started = time.monotonic()
        manifest = export_bundle(database, args.output, args.level)
        print(
            f"wrote {args.output}: {manifest.payload.size / 1e6:.1f} MB "
            f"(database {manifest.payload.database_size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
        notice_path.write_text(notice(database, table, archives), encoding="utf-8")
        print(f"wrote {notice_path}", file=sys.stderr)
    if manifest.payload.size > SIZE_LIMIT:
        print(f"warning: the bundle is larger than {SIZE_LIMIT // 1024 // 1024} MiB", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
