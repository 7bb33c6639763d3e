"""Differential SBOM report: Seawall against Trivy on the same images, per package type.

Usage: .venv/bin/python tools/trivy_diff.py [IMAGE ...]   (default: the test images; Markdown on stdout)
Both tools write CycloneDX; packages are compared by (purl type, name, version), names normalised
the way each ecosystem compares them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from packageurl import PackageURL

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _key(purl: str) -> tuple[str, str, str] | None:
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    name = f"{parsed.namespace}/{parsed.name}" if parsed.namespace else parsed.name
    if parsed.type == "maven":
        name = f"{parsed.namespace}:{parsed.name}"
    if parsed.type == "pypi":
        name = name.lower().replace("_", "-")
    version = parsed.version or ""
    if parsed.qualifiers and parsed.qualifiers.get("epoch"):  # Trivy: epoch qualifier (deb, rpm)
        version = f"{parsed.qualifiers['epoch']}:{version}"
    return parsed.type, name, version


def packages(document: dict) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    found = set()
    for component in document.get("components", []):
        purl = component.get("purl")
        if purl:
            key = _key(purl)
            if key:
                found.add(key)
    return found


def run_seawall(image: Path) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(
        [str(REPO / ".venv/bin/seawall"), "sbom", str(image), "-f", "cyclonedx", "--no-cache"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def run_trivy(image: Path) -> dict:  # type: ignore[type-arg]
    binary = shutil.which("trivy") or str(REPO / ".venv/bin/trivy")
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run(
            [
                binary,
                "image",
                "--cache-dir",
                cache,
                "--input",
                str(image),
                "--format",
                "cyclonedx",
                "--skip-db-update",
                "--offline-scan",
                "--quiet",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def report(image: Path) -> None:
    ours, theirs = packages(run_seawall(image)), packages(run_trivy(image))
    by_type: dict[str, dict[str, set[tuple[str, str, str]]]] = defaultdict(lambda: defaultdict(set))
    for key in ours | theirs:
        side = "both" if key in ours and key in theirs else "seawall" if key in ours else "trivy"
        by_type[key[0]][side].add(key)
    print(f"\n### {image.name}\n")
    print("| type | both | only Seawall | only Trivy |")
    print("|---|---|---|---|")
    for kind in sorted(by_type):
        sides = by_type[kind]

        def show(side: str, sides: dict[str, set[tuple[str, str, str]]] = sides) -> str:
            items = sorted(sides[side])
            listed = ", ".join(f"{n} {v}" for _, n, v in items[:6]) + (" ..." if len(items) > 6 else "")
            return f"{len(items)}" + (f" ({listed})" if items and side != "both" else "")

        print(f"| {kind} | {show('both')} | {show('seawall')} | {show('trivy')} |")


def main() -> None:
    targets = [Path(a) for a in sys.argv[1:]]
    if not targets:
        from tests import images

        targets = [images.app_image()["docker_archive"], images.bookworm_image()["docker_archive"]]
        shared = REPO.parent / "shared" / "images"
        targets += [
            shared / "alpine-311.docker.tar.gz",
            shared / "rocky-synth-latest.docker.tar",
            shared / "alpine-synth-latest.docker.tar",
        ]
    for image in targets:
        report(image)


if __name__ == "__main__":
    main()
