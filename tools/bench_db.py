"""Vulnerability database benchmarks: building from the default-bundle feeds, and lookups.

Run: ``.venv/bin/python tools/bench_db.py [--keep DB]``. Measures, each in a fresh process:

- building from every default-bundle feed of ../shared/vulndata that a registered importer reads
  (wall time, peak RSS of the build process, DB file size), then rebuilding with no change;
- 5,000 ``(namespace, name)`` lookups, warm (the DB file in the page cache, the store open): keys
  that all have advisories (the worst case), the same with every entry decoded, ``lookup_many``,
  and an inventory-like mix where one key in ten has advisories.

Prints a Markdown table for docs/benchmarks.md. Targets (issue 3): build <= 60 s and <= 500 MiB peak
RSS on 2 cores; DB <= 150 MB; 5,000 lookups <= 0.2 s warm.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VULNDATA = REPO.parent / "shared" / "vulndata"
DEFAULT_BUNDLE = (  # issue 3, deliverable 5
    "pypa-advisory-database.tar.gz",
    "golang-vulndb.tar.gz",
    "rustsec-advisory-db.tar.gz",
    "rubysec-ruby-advisory-db.tar.gz",
    "almalinux-osv.tar.gz",
    "cisa-kev.tar.gz",
    "nodejs-security-wg.tar.gz",
    "alpine-secdb-legacy.tar.gz",
)

_BUILD = (
    "import json, resource, sys, time\n"
    "from pathlib import Path\n"
    "from seawall.vulndb.build import build_database, parse_source\n"
    "t = time.perf_counter()\n"
    "r = build_database(Path(sys.argv[1]), [parse_source(a) for a in sys.argv[2:]])\n"
    "print(json.dumps({'seconds': time.perf_counter() - t, 'digest': r.content_digest,\n"
    "  'rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,\n"
    "  'sources': {o.name: dict(o.report.counts) if o.report else 'reused' for o in r.outcomes}}))\n"
)

_LOOKUPS = (
    "import json, random, sqlite3, sys, time\n"
    "from pathlib import Path\n"
    "from seawall.vulndb.store import VulnStore\n"
    "db, n = Path(sys.argv[1]), int(sys.argv[2])\n"
    "keys = sqlite3.connect(db).execute('SELECT DISTINCT namespace, name FROM affected').fetchall()\n"
    "random.seed(3)\n"
    "hits = random.sample(keys, min(n, len(keys)))\n"
    "mixed = [k if i % 10 == 0 else (k[0], k[1] + '-none') for i, k in enumerate(hits)]\n"
    "store = VulnStore.open(db)\n"
    "def timed(fn):\n"
    "    fn()\n"  # warm-up: page cache and statement cache
    "    best = float('inf')\n"
    "    for _ in range(3):\n"
    "        t = time.perf_counter(); out = fn(); best = min(best, time.perf_counter() - t)\n"
    "    return best, out\n"
    "def single(ks):\n"
    "    return lambda: sum(len(store.lookup(ns, name)) for ns, name in ks)\n"
    "def decoded():\n"
    "    return sum(len(m.package.ranges) >= 0 for ns, name in hits for m in store.lookup(ns, name))\n"
    "result = {}\n"
    "result['hits'] = timed(single(hits))\n"
    "result['hits_decoded'] = timed(decoded)\n"
    "result['lookup_many'] = timed(lambda: sum(map(len, store.lookup_many(hits).values())))\n"
    "result['mixed'] = timed(single(mixed))\n"
    "out = {k: {'seconds': v[0], 'entries': v[1]} for k, v in result.items()}\n"
    "print(json.dumps(out | {'keys': len(hits)}))\n"
)


def run_json(script: str, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"benchmark failed: {out.stderr[-2000:]}")
    data: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def available_feeds() -> list[Path]:
    """Default-bundle archives that some registered importer recognises (others are not written yet)."""
    from seawall.vulndb.errors import SourceError
    from seawall.vulndb.feeds import detect_importer
    from seawall.vulndb.reader import SourceReader

    feeds = []
    for name in DEFAULT_BUNDLE:
        path = VULNDATA / name
        try:
            detect_importer(SourceReader(path))
        except SourceError as error:
            print(f"skipped {name}: {error}", file=sys.stderr)
            continue
        feeds.append(path)
    return feeds


def bench_build(db: Path, feeds: list[Path]) -> dict[str, object]:
    """A build from scratch, then a rebuild with nothing changed."""
    db.unlink(missing_ok=True)
    first = run_json(_BUILD, str(db), *map(str, feeds))
    again = run_json(_BUILD, str(db), *map(str, feeds))
    return {"build": first, "rebuild": again, "size_mb": db.stat().st_size / 1e6}


def bench_lookups(db: Path, n: int = 5000) -> dict[str, object]:
    return run_json(_LOOKUPS, str(db), str(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()
    feeds = available_feeds()
    with tempfile.TemporaryDirectory(prefix="seawall-bench-db-") as tmp:
        db = args.keep or Path(tmp) / "vuln.db"
        started = time.perf_counter()
        built = bench_build(db, feeds)
        lookups = bench_lookups(db)
        total = time.perf_counter() - started
    build, rebuild = built["build"], built["rebuild"]
    assert isinstance(build, dict) and isinstance(rebuild, dict) and isinstance(lookups, dict)
    print(f"feeds: {', '.join(f.name for f in feeds)}\n")
    print("| measurement | result | target |")
    print("|---|---|---|")
    figures = f"{build['seconds']:.1f} s, peak RSS {build['rss_mib']:.0f} MiB"
    print(f"| build from scratch | {figures} | <= 60 s, <= 500 MiB |")
    print(f"| rebuild, nothing changed | {rebuild['seconds']:.1f} s | - |")
    print(f"| DB file | {built['size_mb']:.1f} MB | <= 150 MB |")
    for key, label in (
        ("hits", "5,000 lookups, every key has advisories"),
        ("hits_decoded", "the same, every entry decoded"),
        ("lookup_many", "the same keys, one lookup_many"),
        ("mixed", "5,000 lookups, one key in ten has advisories"),
    ):
        entry = lookups[key]
        assert isinstance(entry, dict)
        print(f"| {label} | {entry['seconds']:.3f} s ({entry['entries']} entries) | <= 0.2 s |")
    print(f"\n(benchmark wall time {total:.0f} s; build detail: {json.dumps(build['sources'])})")


if __name__ == "__main__":
    main()
