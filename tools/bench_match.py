"""Benchmark: matching an inventory of 5,000 packages against the bundled database (issue 7: <= 0.5 s).

Run: .venv/bin/python tools/bench_match.py [--db PATH]. The inventory is made of real package names that
the database has advisories for (PyPI, npm, Go, RubyGems, crates, Alpine), at old versions, plus names
with none, so both hits and misses are measured. Prints the median of 5 runs.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.match.matcher import Matcher  # noqa: E402
from seawall.model import ImageInfo, Inventory, OSInfo, Package  # noqa: E402
from seawall.vulndb import resolve_db_path  # noqa: E402
from seawall.vulndb.store import VulnStore  # noqa: E402

TYPES = {"pypi": "pypi", "npm": "npm", "go": "golang", "rubygems": "gem", "cargo": "cargo"}
VERSIONS = {
    "pypi": "1.0",
    "npm": "1.0.0",
    "golang": "v1.0.0",
    "gem": "1.0.0",
    "cargo": "1.0.0",
    "apk": "1.0-r0",
}


def sample_inventory(db: Path, size: int, known_share: float = 0.75) -> Inventory:
    rng = random.Random(5000)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    table = "affected" if "affected" in tables else tables[0]
    rows = conn.execute(f"SELECT DISTINCT namespace, name FROM {table}").fetchall()
    conn.close()
    packages: list[Package] = []
    for namespace, name in rng.sample(rows, min(len(rows), size * 2)):
        if namespace in TYPES:
            kind = TYPES[namespace]
            packages.append(Package(kind, name, VERSIONS[kind]))
        elif namespace == "alpine:3.11":
            packages.append(Package("apk", name, VERSIONS["apk"], source_name=name))
        if len(packages) >= int(size * known_share):
            break
    while len(packages) < size:
        packages.append(Package("npm", f"no-such-package-{len(packages)}", "1.0.0"))
    return Inventory(ImageInfo("bench"), OSInfo("alpine", "3.11.5"), tuple(packages))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--packages", type=int, default=5000)
    args = parser.parse_args()
    db = resolve_db_path(args.db)
    with VulnStore.open(db) as store:
        for share in (0.75, 0.1):
            inventory = sample_inventory(db, args.packages, share)
            Matcher(store).match(inventory)  # warm the page cache (a new matcher each run: no advisory cache)
            times, findings = [], 0
            for _ in range(5):
                started = time.perf_counter()
                findings = len(Matcher(store).match(inventory).findings)
                times.append(time.perf_counter() - started)
            print(
                f"matching {len(inventory.packages)} packages, {share:.0%} of them known to the database: "
                f"{statistics.median(times):.3f} s median of 5 ({findings} findings); target <= 0.5 s"
            )


if __name__ == "__main__":
    main()
