"""``seawall db build | status | search`` as a user runs them: real processes, exit codes, stdout, stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.vulndb.data import GO, KEV, PYPA, subset_archive

# Registers the db group as seawall/cli/main.py does (harmless once main.py registers it itself).
ENTRY = "from seawall.cli.main import cli, main\nfrom seawall.cli.db import db\ncli.add_command(db)\nmain()\n"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "SEAWALL_DB"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    pypa = subset_archive(
        root / "pypa-advisory-database.tar.gz",
        PYPA,
        [
            "pypa-advisory-database/vulns/salt/PYSEC-2020-102.yaml",
            "pypa-advisory-database/vulns/jinja2/PYSEC-2014-8.yaml",
        ],
    )
    go = subset_archive(root / "golang-vulndb.tar.gz", GO, ["golang-vulndb/data/osv/GO-2025-3459.json"])
    path = root / "vuln.db"
    result = run("db", "build", "--db", str(path), "--from", str(pypa), "--from", str(go), "--from", str(KEV))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"{path}: written, sha256:" in result.stderr
    return path


def test_status_table(db: Path) -> None:
    result = run("db", "status", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "(verified)" in result.stdout
    assert "3 advisories" in result.stdout and "KEV 1,404" in result.stdout
    lines = {
        line.split()[0]: line.split() for line in result.stdout.splitlines() if line and line[0].islower()
    }
    assert lines["pypa-advisory-database"][1:4] == ["osv", "57da901aadaf", "2026-07-23"]
    assert lines["cisa-kev"][1:5] == ["kev", "eacf03ec6637", "2025-08-25", "1,404"]
    assert "older" not in result.stderr


def test_status_json_and_max_age(db: Path) -> None:
    result = run("db", "status", "--db", str(db), "--format", "json", "--max-age", "0s")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["content_digest"].startswith("sha256:")
    assert {s["name"] for s in data["sources"]} == {"pypa-advisory-database", "golang-vulndb", "cisa-kev"}
    assert data["counts"]["kev"] == 1404
    assert "more than --max-age 0s" in result.stderr
    bad = run("db", "status", "--db", str(db), "--max-age", "soon")
    assert bad.returncode == 2 and "bad age" in bad.stderr


def test_search_by_alias_shows_advisory_and_enrichment(db: Path) -> None:
    result = run("db", "search", "CVE-2020-11651", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("PYSEC-2020-102  [pypa-advisory-database]")
    assert "KEV:       CVE-2020-11651 added 2021-11-03, due 2022-05-03" in result.stdout
    assert (
        "affects:   pypi/salt <2019.2.4 || >=3000, <3000.2 [fixed]; fixed in 2019.2.4, 3000.2"
        in result.stdout
    )


def test_search_by_package_across_namespaces(db: Path) -> None:
    result = run("db", "search", "Jinja2", "--db", str(db))  # PEP 503 normalised
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["ADVISORY", "NAMESPACE", "PACKAGE", "STATUS", "AFFECTED", "FIXED"]
    assert row.split() == ["PYSEC-2014-8", "pypi", "jinja2", "fixed", "<2.7.2", "2.7.2"]
    scoped = run("db", "search", "go/github.com/wazuh/wazuh", "--db", str(db), "--format", "json")
    assert scoped.returncode == 0, scoped.stderr
    (entry,) = json.loads(scoped.stdout)
    assert entry["advisory"] == "GO-2025-3459"
    assert entry["fixed"] == ["4.9.1+incompatible"]
    assert entry["ranges"][0]["events"] == [
        {"kind": "introduced", "version": "4.4.0+incompatible"},
        {"kind": "fixed", "version": "4.9.1+incompatible"},
    ]
    none = run("db", "search", "no-such-thing", "--db", str(db))
    assert none.returncode == 0 and none.stdout == "" and "no advisory or package" in none.stderr


def test_search_json_by_id(db: Path) -> None:
    result = run("db", "search", "GO-2025-3459", "--format", "json", env={"SEAWALL_DB": str(db)})
    assert result.returncode == 0, result.stderr
    (advisory,) = json.loads(result.stdout)
    assert advisory["aliases"] == ["CVE-2025-24016"]
    assert advisory["enrichment"]["kev"][0]["date_added"] == "2025-06-10"
    assert advisory["affected"][0]["status"] == "fixed"


def test_default_location_is_under_xdg_data_home(tmp_path: Path) -> None:
    result = run("db", "status", env={"XDG_DATA_HOME": str(tmp_path), "SEAWALL_DEFAULT_BUNDLE": "off"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"seawall: error: no vulnerability database at {tmp_path}/seawall/vuln.db "
        "(build one: seawall db build --from PATH)"
    )


def test_corrupt_database_exits_2(db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    data = db.read_bytes()
    broken.write_bytes(data[: len(data) - 8192])
    for command in (["status"], ["search", "salt"]):
        result = run("db", *command, "--db", str(broken))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("seawall: error: ") and "truncated or corrupt" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_quiet_build_says_nothing(db: Path, tmp_path: Path) -> None:
    result = run("--quiet", "db", "build", "--db", str(tmp_path / "q.db"), "--from", str(KEV))
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""
    assert (tmp_path / "q.db").exists()


def test_build_errors_exit_2(tmp_path: Path) -> None:
    result = run("db", "build", "--db", str(tmp_path / "v.db"), "--from", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr and not (tmp_path / "v.db").exists()
