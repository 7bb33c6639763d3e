"""``seawall scan`` as a CI step: real image, real feed sample, gate, suppression, JSON schema, SBOM input."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import jsonschema
import pytest

from seawall.vulndb.build import build_database, parse_source
from tests.paths import IMAGES, REPO, SHARED

IMAGE = f"oci:{IMAGES / 'oci' / 'alpine-synth'}"
SCHEMA = REPO / "seawall" / "schemas" / "seawall-scan.schema.json"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Alpine v3.15 secdb sample: zlib fixed 1.2.12-r0 (CVE-2018-25032), 1.2.12-r2 (CVE-2022-37434)."""
    root = tmp_path_factory.mktemp("db")
    with tarfile.open(SHARED / "vulndata" / "vunnel-test-fixtures.tar.gz") as tar:
        for member in tar:
            if "providers/alpine/test-fixtures/input/secdb/v3.15/" in member.name and member.isfile():
                target = root / "secdb" / "v3.15" / Path(member.name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    build_database(root / "vuln.db", [parse_source(str(root / "secdb"))])
    return root / "vuln.db"


def seawall(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seawall", *args], capture_output=True, text=True, cwd=cwd)


def test_table_names_the_fix_and_exit_code_gates(db: Path, tmp_path: Path) -> None:
    result = seawall("scan", IMAGE, "--db", str(db), "--cache-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "CVE-2022-37434" in result.stdout and "1.2.12-r2" in result.stdout
    assert "zlib" in result.stdout and "Upgrade advice" in result.stdout
    gated = seawall("scan", IMAGE, "--db", str(db), "--cache-dir", str(tmp_path), "--exit-code", "1")
    assert gated.returncode == 1


def test_json_validates_against_our_schema(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    result = seawall("scan", IMAGE, "--db", str(db), "--no-cache", "-f", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    ids = {v["id"]: v for v in document["vulnerabilities"]}
    assert set(ids) == {"CVE-2018-25032", "CVE-2022-37434"}
    assert ids["CVE-2018-25032"]["fixed_versions"] == ["1.2.12-r0"]
    assert ids["CVE-2018-25032"]["package"]["purl"].startswith("pkg:apk/alpine/zlib@1.2.11-r3")


def test_severity_filter_hides_and_does_not_count(db: Path, tmp_path: Path) -> None:
    """The sample carries no severities: with --severity CRITICAL nothing is shown, so nothing fails."""
    result = seawall("scan", IMAGE, "--db", str(db), "--no-cache", "-s", "CRITICAL", "--exit-code", "1")
    assert result.returncode == 0, result.stdout
    assert "CVE-2022-37434" not in result.stdout


def test_ignorefile_suppresses_and_expiry_restores(db: Path, tmp_path: Path) -> None:
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(
        "- id: CVE-2018-25032\n  reason: zlib deflate with Z_FIXED is not used\n  expires: 2999-01-01\n"
        "- id: CVE-2022-37434\n  reason: inflateGetHeader is not called\n  expires: 2000-01-01\n"
    )
    result = seawall(
        "scan",
        IMAGE,
        "--db",
        str(db),
        "--no-cache",
        "--ignorefile",
        str(ignore),
        "--exit-code",
        "1",
        "--show-suppressed",
    )
    assert result.returncode == 1, "the expired entry no longer suppresses CVE-2022-37434"
    assert "expired" in result.stderr
    assert "zlib deflate with Z_FIXED is not used" in result.stdout


def test_sbom_input_gives_the_same_findings(db: Path, tmp_path: Path) -> None:
    sbom = tmp_path / "bom.json"
    assert seawall("sbom", IMAGE, "-f", "cyclonedx", "-o", str(sbom), "--no-cache").returncode == 0
    out = tmp_path / "from-sbom.json"
    result = seawall("scan", "--sbom", str(sbom), "--db", str(db), "-f", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert {v["id"] for v in json.loads(out.read_text())["vulnerabilities"]} == {
        "CVE-2018-25032",
        "CVE-2022-37434",
    }


def test_corrupt_database_is_a_clean_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\0" + b"\xff" * 4000)
    result = seawall("scan", IMAGE, "--db", str(broken), "--no-cache")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_end_of_life_release_is_a_finding_of_the_vuln_scan(db: Path, tmp_path: Path) -> None:
    """Alpine 3.11 reached its end of life on 2021-11-01 (alpinelinux.org releases page)."""
    out = tmp_path / "scan.json"
    sample = REPO / "samples" / "alpine-311.docker.tar.gz"
    result = seawall("scan", str(sample), "--db", str(db), "--no-cache", "-f", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    checks = json.loads(out.read_text())["checks"]
    assert [c["rule_id"] for c in checks] == ["SW-IMG-008"]
    assert "2021-11-01" in checks[0]["message"]
