"""Benchmark: lint 1,000 workload manifests (the corpus, cycled) with the workload library.

Usage: .venv/bin/python tools/bench_workload.py [--count 1000] [--budget 3.0]
Prints the wall time for reading, detecting and linting every file, and exits 1 over the budget.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.checks.workload import detect_workload, lint_workload  # noqa: E402

CORPUS = REPO / "tests" / "checks" / "workload" / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=3.0, help="seconds allowed for --count manifests")
    args = parser.parse_args()
    sources = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    with tempfile.TemporaryDirectory(prefix="seawall-bench-") as tmp:
        files = []
        for n in range(args.count):
            source = sources[n % len(sources)]
            target = Path(tmp) / f"{n:05d}-{source.name}"
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
            files.append(target)
        start = time.perf_counter()
        results = 0
        for path in files:
            text = path.read_text(encoding="utf-8")
            if detect_workload(str(path), text):
                results += len(lint_workload(str(path), text))
        elapsed = time.perf_counter() - start
    lines = (
        sum(source.read_text(encoding="utf-8").count("\n") for source in sources) * args.count // len(sources)
    )
    print(
        f"{args.count} manifests (~{lines} lines, {len(sources)} distinct): "
        f"{elapsed:.2f} s, {results} results"
    )
    print(f"budget {args.budget:.1f} s: {'ok' if elapsed <= args.budget else 'OVER'}")
    return 0 if elapsed <= args.budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
