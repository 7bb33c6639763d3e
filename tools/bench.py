"""Benchmarks: Seawall side by side with Trivy in one run, figures as ratios (machines here are noisy).

Run with `make bench`. Builds (or reuses) the test images of tests/images.py, then measures:
cold SBOM wall time for docker-archive and gzip OCI-layout input (Seawall and Trivy, each with an
empty cache), warm (cached) wall time, peak RSS, and peak RSS on an image with a 200,000-file layer.
Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import images  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "elapsed = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(r.returncode, elapsed, rss, r.stderr.decode()[-300:].replace(chr(10), ' '))\n"
)


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command``, in a fresh measuring process."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    code, elapsed, rss, err = out.stdout.split(" ", 3)
    if code != "0":
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(command)}: {err}")
    return float(elapsed), int(rss) / 1024


def seawall(target: str, cache: Path, *extra: str) -> list[str]:
    return [
        str(REPO / ".venv/bin/seawall"),
        "--cache-dir",
        str(cache),
        "sbom",
        target,
        "-f",
        "cyclonedx",
        *extra,
    ]


def trivy(target: Path, cache: Path) -> list[str]:
    binary = shutil.which("trivy") or str(REPO / ".venv/bin/trivy")
    return [
        binary,
        "image",
        "--cache-dir",
        str(cache),
        "--input",
        str(target),
        "--format",
        "cyclonedx",
        "--skip-db-update",
        "--offline-scan",
        "--quiet",
    ]


def cold(command_for_cache: object, runs: int = RUNS) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(runs):
        cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
        try:
            elapsed, peak = measure(command_for_cache(cache))  # type: ignore[operator]
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        times.append(elapsed)
        rss.append(peak)
    return statistics.median(times), max(rss)


def main() -> None:
    app = images.app_image()
    many = images.many_files_image()
    rows: list[tuple[str, str, str]] = []
    for label, path, target in [
        ("docker-archive", app["docker_archive"], f"docker-archive:{app['docker_archive']}"),
        ("OCI layout, gzip", app["oci"], f"oci:{app['oci']}"),
    ]:
        ours, ours_rss = cold(lambda c, t=target: seawall(t, c))
        theirs, theirs_rss = cold(lambda c, p=path: trivy(p, c))
        rows.append(
            (
                f"cold SBOM, app image, {label}",
                f"{ours:.2f} s / {ours_rss:.0f} MiB",
                f"{theirs:.2f} s / {theirs_rss:.0f} MiB (ratio {ours / theirs:.2f})",
            )
        )
    warm_cache = Path(tempfile.mkdtemp(prefix="bench-warm-"))
    target = f"oci:{app['oci']}"
    measure(seawall(target, warm_cache))
    warm = [measure(seawall(target, warm_cache)) for _ in range(RUNS)]
    rows.append(
        (
            "warm SBOM (cached), app image",
            f"{statistics.median(t for t, _ in warm):.2f} s / {max(r for _, r in warm):.0f} MiB",
            "-",
        )
    )
    shutil.rmtree(warm_cache, ignore_errors=True)
    small_rss = cold(lambda c: seawall(f"oci:{app['oci']}", c), 1)[1]
    many_time, many_rss = cold(lambda c: seawall(f"oci:{many['oci']}", c), 1)
    rows.append(
        (
            "cold SBOM, 200,000-file layer",
            f"{many_time:.2f} s / {many_rss:.0f} MiB",
            f"peak RSS {many_rss / small_rss:.2f}x the app image's",
        )
    )
    print("| measurement | Seawall (wall / peak RSS) | Trivy 0.76 / note |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(json.dumps({"runs": RUNS, "python": sys.version.split()[0], "cpus": os.cpu_count()}))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
