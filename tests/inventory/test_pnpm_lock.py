"""pnpm-lock.yaml (lockfile versions 5.x, 6.x, 9) against Trivy's and Syft's fixtures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.pnpm_lock import (
    MAX_DOCUMENTS,
    PnpmLockAnalyzer,
    load_yaml_documents,
    parse_key,
)
from tests.paths import FIXTURES, SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "nodejs" / "pnpm"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "nodejs" / "pnpm"
SYFT_DIR = SYFT_CATALOGERS / "javascript"
ANALYZER = PnpmLockAnalyzer()
PATH = "srv/app/pnpm-lock.yaml"

Triple = tuple[str, str, bool]


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _triples(content: bytes) -> set[Triple]:
    packages = ANALYZER.analyze(PATH, content).packages
    assert all(p.type == "npm" and p.found_by == "pnpm-lock" for p in packages)
    return {(p.name, p.version, p.property("dev") == "true") for p in packages}


PARSER_TABLES = _tables(PARSER_DIR / "_transcribed_expected.parse_testcase.json")
PARSER_TESTS = _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")
# "v6" (pnpm-lock_v6.yaml) is missing from the transcription: its expected list is not there.
PARSER_CASES = [c for c in PARSER_TESTS["TestParse"][0] if "var:" + c["want"]["_ident"] in PARSER_TABLES]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["name"] for c in PARSER_CASES])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    content = (PARSER_DIR / case["file"]).read_bytes()
    want = {
        (p["Name"], p.get("Version") or "", bool(p.get("Dev")))
        for p in PARSER_TABLES["var:" + case["want"]["_ident"]][0]
    }
    found = _triples(content)
    if b"lockfileVersion: '9.0'" not in content:
        # Lockfile versions 5 and 6: Trivy drops the packages marked "dev: true"; we keep them, flagged.
        assert {t for t in found if not t[2]} == want
        assert len({t for t in found if t[2]}) == content.count(b"\n    dev: true")
        return
    if case["name"] == "v9":
        want.discard(("package1", "", False))  # a local directory: no version, nothing to match
    if case["name"] == "v9 with same version and different peers for dependency":
        # Trivy keeps one copy per peer set (one dev, one not); one package is dev only if all are.
        want.discard(("jest-pnp-resolver", "1.2.3", True))
    assert found == want


def test_trivy_key_cases() -> None:
    for case in PARSER_TESTS["Test_parsePnpmKey"][0]:
        assert parse_key(case["pkg"], int(case["lockFileVer"])) == (case["wantName"], case["wantVersion"]), (
            case
        )


FANAL_TABLES = _tables(FANAL_DIR / "_transcribed_expected.pnpm_test.json")


@pytest.mark.parametrize(
    "case", FANAL_TABLES["Test_pnpmPkgLibraryAnalyzer_Analyze"][0], ids=lambda c: c["name"]
)
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    content = (FANAL_DIR / case["dir"] / "pnpm-lock.yaml").read_bytes()
    if not case["want"]:
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze(PATH, content)
        return
    want = [p for app in case["want"]["Applications"] for p in app["Packages"]]
    # Trivy adds licences from node_modules/**/package.json; the lockfile alone does not have them.
    assert _triples(content) == {(p["Name"], p["Version"], False) for p in want}


@pytest.mark.parametrize(
    "case", FANAL_TABLES["Test_pnpmPkgLibraryAnalyzer_Required"][0], ids=lambda c: c["name"]
)
def test_trivy_required_cases(case: dict[str, Any]) -> None:
    expected = case["want"] and case["filePath"].endswith("pnpm-lock.yaml")  # package.json: node-package
    assert ANALYZER.wants(case["filePath"], _info(case["filePath"])) is expected


SYFT_TABLES = _tables(SYFT_DIR / "_transcribed_expected.parse_pnpm_lock_test.json")
SYFT_EXPECTED = SYFT_TABLES["var:expectedPkgs"]


def _syft(expected: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(p["Name"], p["Version"]) for p in expected}


def _fixture(name: str) -> bytes:
    return (SYFT_DIR / "testdata" / name / "pnpm-lock.yaml").read_bytes()


# The transcription keeps Syft's expected lists in test order without fixture names; each was
# matched to its fixture by hand.
@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("pnpm-v6", SYFT_EXPECTED[2]),
        ("pnpm-v5-peer-suffix", SYFT_EXPECTED[3]),
        ("pnpm-v9-snapshots", SYFT_EXPECTED[4]),
        ("pnpm-v9", SYFT_TABLES["var:expected"][0]),
    ],
)
def test_syft_fixtures(fixture: str, expected: list[dict[str, Any]]) -> None:
    assert {(name, version) for name, version, _ in _triples(_fixture(fixture))} == _syft(expected)


def test_syft_trimmed_v5_lockfile() -> None:
    """Syft's pnpm fixture lists only one of its packages; the importer's own dependencies name the
    rest. Syft reports the production ones (and, in one test, the listed dev package)."""
    found = _triples(_fixture("pnpm"))
    assert {(n, v) for n, v, dev in found if not dev} == _syft(SYFT_EXPECTED[1])
    assert _syft(SYFT_EXPECTED[0]) <= {(n, v) for n, v, _ in found}
    assert ("@bcoe/v8-coverage", "0.2.3", True) in found
    assert ("typescript", "4.7.4", True) in found


def test_syft_multi_document_lockfile() -> None:
    """pnpm 11 writes pnpm's own install (packageManagerDependencies) as a first YAML document;
    Syft reports it, Trivy (and we) report only the project's document."""
    found = {(n, v) for n, v, _ in _triples(_fixture("pnpm-multi-doc"))}
    assert found == _syft(SYFT_EXPECTED[5]) - {
        ("pnpm", "12.0.0-rc.3"),
        ("@pnpm/exe.linux-x64", "12.0.0-rc.3"),
    }


def test_syft_document_version_cases() -> None:
    for case in SYFT_TABLES["Test_pnpmDocumentVersion"][0]:
        if "established" in case:
            continue
        if case.get("wantErr"):
            with pytest.raises(AnalyzerError):
                ANALYZER.analyze(PATH, case["doc"].encode())
        else:
            assert ANALYZER.analyze(PATH, case["doc"].encode()).packages == ()


def test_later_document_inherits_the_version() -> None:
    content = b"lockfileVersion: '6.0'\npackages: {}\n---\npackages:\n  /left-pad@1.0.0:\n    dev: false\n"
    assert _triples(content) == {("left-pad", "1.0.0", False)}


def test_v9_dev_flags_follow_the_graph() -> None:
    content = b"""lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      prod-a: {specifier: ^1, version: 1.0.0}
      aliased: {specifier: npm:real@^2, version: real@2.0.0}
    devDependencies:
      dev-a: {specifier: ^1, version: 1.0.0(peer@3.0.0)}
packages:
  prod-a@1.0.0: {resolution: {integrity: x}}
  dev-a@1.0.0: {resolution: {integrity: x}}
  shared@1.0.0: {resolution: {integrity: x}}
  dev-only@1.0.0: {resolution: {integrity: x}}
  real@2.0.0: {resolution: {integrity: x}}
  real-dep@1.0.0: {resolution: {integrity: x}}
  peer@3.0.0: {resolution: {integrity: x}}
  orphan@1.0.0: {resolution: {integrity: x}}
snapshots:
  prod-a@1.0.0:
    dependencies: {shared: 1.0.0}
  dev-a@1.0.0(peer@3.0.0):
    dependencies: {shared: 1.0.0, dev-only: 1.0.0, peer: 3.0.0}
  shared@1.0.0: {}
  dev-only@1.0.0:
    dependencies: {dev-a: 1.0.0(peer@3.0.0)}
  real@2.0.0:
    optionalDependencies: {real-dep: 1.0.0}
  real-dep@1.0.0: {}
  peer@3.0.0: {}
  orphan@1.0.0: {}
"""
    assert _triples(content) == {
        ("prod-a", "1.0.0", False),
        ("shared", "1.0.0", False),
        ("real", "2.0.0", False),
        ("real-dep", "1.0.0", False),
        ("orphan", "1.0.0", False),
        ("dev-a", "1.0.0", True),
        ("dev-only", "1.0.0", True),
        ("peer", "3.0.0", True),
    }


@pytest.mark.parametrize(
    "path, wanted",
    [
        ("pnpm-lock.yaml", True),
        ("srv/app/pnpm-lock.yaml", True),
        ("srv/app/node_modules/x/pnpm-lock.yaml", False),
        ("srv/app/node_modules/.pnpm/lock.yaml", False),
        ("srv/app/pnpm-lock.yaml.orig", False),
    ],
)
def test_wanted_files(path: str, wanted: bool) -> None:
    assert ANALYZER.wants(path, _info(path)) is wanted


@pytest.mark.parametrize(
    "content",
    [
        b"lockfileVersion: 5.4\npackages:\n  /a/1.0.0: {oops\n",
        b"\x00\x01",
        b"- a list\n- not a lockfile\n",
        b"lockfileVersion: nope\n",
        b"lockfileVersion: '9.0'\nx: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b"lockfileVersion: '9.0'\n" + b"---\n{}\n" * (MAX_DOCUMENTS + 1),
    ],
)
def test_malformed_lockfiles_are_analyzer_errors(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze(PATH, content)


def test_syft_corrupt_fixture_is_an_analyzer_error() -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze(PATH, _fixture("corrupt"))


def test_yaml_aliases_are_not_expanded() -> None:
    """A 'billion laughs' lockfile: shared YAML nodes are never walked more than once."""
    lines = [b"lockfileVersion: '9.0'\n", b'a0: &a0 {dependencies: {x: "1"}}\n']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n".encode() for i in range(1, 12)]
    lines += [b"packages:\n  x@1.0.0: *a11\n", b"snapshots:\n  x@1.0.0: *a11\n"]
    lines += [b"importers:\n  .:\n    dependencies: {x: {specifier: '1', version: 1.0.0}}\n"]
    start = time.monotonic()
    assert _triples(b"".join(lines)) == {("x", "1.0.0", False)}
    assert time.monotonic() - start < 2


YAML_FIXTURES = sorted(
    path
    for pattern in ("**/*.yaml", "**/*.yml", "**/yarn*.lock")
    for path in FIXTURES.glob(pattern)
    if path.is_file()
)


def test_yaml_documents_match_pyyaml() -> None:
    """The event-built documents equal PyYAML's BaseLoader result on every YAML fixture we have."""
    assert len(YAML_FIXTURES) > 40
    for path in YAML_FIXTURES:
        content = path.read_bytes()
        try:
            expected: Any = [d if d != "" else None for d in yaml.load_all(content, Loader=yaml.BaseLoader)]
        except yaml.YAMLError:
            with pytest.raises(AnalyzerError):
                load_yaml_documents(content, str(path), max_documents=1000)
            continue
        assert load_yaml_documents(content, str(path), max_documents=1000) == expected, path


@pytest.mark.parametrize("content", [b"a: *nowhere\n", b"? [complex, key]\n: value\n"])
def test_unsupported_yaml_is_an_analyzer_error(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        load_yaml_documents(content, "x.yaml")
