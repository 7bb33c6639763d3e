"""Benchmarks of secret detection: scanner throughput, and what the secrets analyzer adds to a layer pass.

Usage: .venv/bin/python tools/bench_secrets.py [--image DOCKER_ARCHIVE] [DIR ...]

1. :func:`bench_scanner`: every text file under the directories (default ``/usr/lib/python3*``) is
   read into memory, then scanned twice: under its own path (library code: specific rules only, as
   in an image) and under ``app/`` (application code: the generic rules too). Reports MB/s.
2. :func:`bench_layers`: the layers of a docker-archive image (default: the app image of
   tests/images.py, if it is built) go through the layer pass with the inventory analyzers, then with
   the secrets analyzer added; the difference is the cost of secret detection in the single pass.
Machines here are shared and noisy: each figure is the best of ``BENCH_RUNS`` (default 3) runs.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.inventory.analyzer import all_analyzers  # noqa: E402
from seawall.inventory.layer_pass import LayerPass  # noqa: E402
from seawall.secrets.allow import MAX_FILE_SIZE, decode_text  # noqa: E402
from seawall.secrets.scanner import SecretScanner  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


@dataclass
class Throughput:
    files: int
    size: int
    seconds: float
    findings: int

    @property
    def mb_per_s(self) -> float:
        return self.size / 1e6 / self.seconds


def text_files(roots: list[Path]) -> list[tuple[str, bytes]]:
    """(relative path, content) of the text files under ``roots`` that the scanner would read."""
    found = []
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                path = Path(directory) / name
                if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FILE_SIZE:
                    continue
                content = path.read_bytes()
                if content and decode_text(content) is not None:
                    found.append((str(path).lstrip("/"), content))
    return found


def _best(run: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def bench_scanner(files: list[tuple[str, bytes]], as_application: bool) -> Throughput:
    """Scan every file; ``as_application`` puts it under ``app/`` so the generic rules run too.

    Allow rules on the path (tests, documentation) are bypassed by scanning under a neutral name, so
    every byte counts as scanned; library code is scanned under a ``dist-packages`` path."""
    scanner = SecretScanner()
    prefix = "app/src" if as_application else "usr/lib/python3/dist-packages/bench"
    named = [(f"{prefix}/{i}{Path(path).suffix}", content) for i, (path, content) in enumerate(files)]
    findings = sum(len(scanner.scan(p, c).findings) for p, c in named)
    seconds = _best(lambda: [scanner.scan(p, c) for p, c in named])
    return Throughput(len(named), sum(len(c) for _, c in named), seconds, findings)


def _layers(archive: Path) -> list[bytes]:
    with tarfile.open(archive) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))  # type: ignore[arg-type]
        return [outer.extractfile(name).read() for name in manifest[0]["Layers"]]  # type: ignore[union-attr]


def bench_layers(archive: Path) -> tuple[float, float, int]:
    """(seconds with the inventory analyzers, seconds with the secrets analyzer too, findings).

    The two configurations alternate, run after run, so that load from other processes hits both."""
    layers = _layers(archive)
    inventory = LayerPass(all_analyzers(("vuln",)))
    with_secrets = LayerPass(all_analyzers(("vuln", "secret")))
    base, more = [], []
    for _ in range(RUNS):
        base.append(_best(lambda: [inventory.run(io.BytesIO(blob), "layer") for blob in layers], 1))
        more.append(_best(lambda: [with_secrets.run(io.BytesIO(blob), "layer") for blob in layers], 1))
    results = [with_secrets.run(io.BytesIO(blob), "layer") for blob in layers]
    findings = sum(len(f.findings) for r in results for per in r.facts.values() for f in per.values())
    return min(base), min(more), findings


def _app_image() -> Path | None:
    built = sorted(glob.glob("/var/tmp/seawall-test-images/app-*/app.docker.tar"))
    return Path(built[-1]) if built else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--image", type=Path, default=None)
    args = parser.parse_args()
    roots = args.dirs or [Path(p) for p in sorted(glob.glob("/usr/lib/python3*"))]
    files = text_files(roots)
    print(f"scanner over {', '.join(map(str, roots))}: {len(files)} text files")
    print("| scanned as | files | MB | best of runs | MB/s | findings |")
    print("|---|---|---|---|---|---|")
    for label, as_application in (
        ("library code (specific rules)", False),
        ("application code (all rules)", True),
    ):
        t = bench_scanner(files, as_application)
        row = f"| {label} | {t.files} | {t.size / 1e6:.1f} | {t.seconds:.2f} s | {t.mb_per_s:.0f} |"
        print(f"{row} {t.findings} |")
    image = args.image or _app_image()
    if image is None:
        print("no app image built (tests/images.py); layer benchmark skipped")
        return
    base, more, findings = bench_layers(image)
    print(f"\nlayer pass over {image} (one process, all layers, best of {RUNS}):")
    print(f"- inventory analyzers: {base:.2f} s")
    print(
        f"- with the secrets analyzer: {more:.2f} s (+{(more - base) / base * 100:.0f}%), {findings} secrets"
    )


if __name__ == "__main__":
    main()
