"""Exit codes through the real entry point: 0 clean, 1 or --exit-code N on findings, 2 bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import REPO, SHARED

INSECURE = SHARED / "recipes" / "contexts" / "lang" / "Dockerfile"


def seawall(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seawall", *args], capture_output=True, text=True, cwd=REPO)


def test_lint_findings_exit_1_or_the_code_asked(tmp_path: Path) -> None:
    assert seawall("lint", str(INSECURE)).returncode == 1
    assert seawall("lint", str(INSECURE), "--exit-code", "7").returncode == 7
    assert seawall("lint", str(INSECURE), "--exit-code", "0").returncode == 0


def test_lint_clean_file_exits_0(tmp_path: Path) -> None:
    clean = tmp_path / "Dockerfile"
    digest = "sha256:" + "a" * 64
    clean.write_text(
        f"FROM gcr.io/distroless/static@{digest}\nCOPY app /app\nUSER 65532:65532\n"
        'HEALTHCHECK CMD ["/app", "health"]\nENTRYPOINT ["/app"]\n'
    )
    result = seawall("lint", str(clean), "--severity", "HIGH,CRITICAL")
    assert result.returncode == 0, result.stdout


def test_lint_missing_file_exits_2() -> None:
    result = seawall("lint", "/no/such/Dockerfile")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_lint_html_report(tmp_path: Path) -> None:
    out = tmp_path / "lint.html"
    result = seawall("lint", str(INSECURE), "-f", "html", "-o", str(out))
    assert result.returncode == 1
    page = out.read_text()
    assert "SW-DF-022" in page and "SW-DF-001" in page
    assert "Hx7/sF0pQ2rT8vK9mN3bL5cJ1wE6yU4iO0aZ8dXq" not in page, "secret values are never shown"
    assert "<script src=" not in page and "<link " not in page, "self-contained: nothing loaded"


def test_lint_json_validates_against_our_schema(tmp_path: Path) -> None:
    import json

    import jsonschema

    out = tmp_path / "lint.json"
    corpus = REPO / "tests" / "checks"
    seawall("lint", str(INSECURE), str(corpus / "workload" / "corpus"), "-f", "json", "-o", str(out))
    document = json.loads(out.read_text())
    schema = json.loads((REPO / "seawall" / "schemas" / "seawall-checks.schema.json").read_text())
    jsonschema.validate(document, schema)
    families = {r["family"] for r in document["results"]}
    assert {"dockerfile", "kubernetes", "compose", "oci-runtime"} <= families
