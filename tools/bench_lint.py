"""Benchmark: lint 1,000 Dockerfiles (the corpus, repeated) in one process. Target: <= 5 s.

Usage: .venv/bin/python tools/bench_lint.py [N]   (prints files, seconds, files per second)
The time covers parsing and every rule; reading the files is done before the clock starts, and
the rule modules are imported first (start-up is measured separately by the CLI benchmarks).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.checks.dockerfile.engine import checks  # noqa: E402
from seawall.checks.dockerfile.lint import lint  # noqa: E402
from seawall.cli.lint import is_dockerfile_name  # noqa: E402

CORPUS = REPO / "tests/checks/dockerfile/corpus"
TARGET_SECONDS = 5.0


def bench_lint(count: int = 1000, corpus: Path = CORPUS) -> tuple[int, float, int]:
    """Lint ``count`` Dockerfiles taken round-robin from ``corpus``: (files, seconds, results)."""
    texts = [
        path.read_text(encoding="utf-8") for path in sorted(corpus.iterdir()) if is_dockerfile_name(path.name)
    ]
    checks()
    results = 0
    start = time.perf_counter()
    for index in range(count):
        results += len(lint(texts[index % len(texts)], f"Dockerfile.{index}"))
    return count, time.perf_counter() - start, results


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    files, seconds, results = bench_lint(count)
    verdict = "met" if seconds <= TARGET_SECONDS * files / 1000 else "NOT met"
    print(
        f"{files} Dockerfiles linted in {seconds:.2f} s ({files / seconds:.0f}/s, {results} results); "
        f"target <= {TARGET_SECONDS * files / 1000:.1f} s: {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
