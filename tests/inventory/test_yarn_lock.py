"""yarn.lock (classic and berry) against Trivy's and Syft's fixtures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.yarn_lock import YarnLockAnalyzer, registry_name, split_descriptor
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "nodejs" / "yarn"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "nodejs" / "yarn"
SYFT_DIR = SYFT_CATALOGERS / "javascript"
ANALYZER = YarnLockAnalyzer()
PATH = "srv/app/yarn.lock"


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _pairs(content: bytes) -> set[tuple[str, str]]:
    packages = ANALYZER.analyze(PATH, content).packages
    assert all(p.type == "npm" and p.found_by == "yarn-lock" and not p.properties for p in packages)
    return {(p.name, p.version) for p in packages}


PARSER_TABLES = _tables(PARSER_DIR / "_transcribed_expected.parse_testcase.json")
PARSER_CASES = _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")["TestParse"][0]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["file"].rpartition("/")[2] for c in PARSER_CASES])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    want = PARSER_TABLES["var:" + case["want"]["_ident"]][0] if case.get("want") else []
    assert _pairs((PARSER_DIR / case["file"]).read_bytes()) == {(p["Name"], p["Version"]) for p in want}


FANAL_TABLES = _tables(FANAL_DIR / "_transcribed_expected.yarn_test.json")


def _manifest_packages(directory: Path) -> set[tuple[str, str]]:
    """Packages Trivy takes from the project's package.json files (root and workspaces)."""
    found = set()
    for manifest in directory.rglob("package.json"):
        if "node_modules" in manifest.parts or ".yarn" in manifest.parts:
            continue
        try:
            data = json.loads(manifest.read_text())
        except ValueError:  # the "wrong package.json" case
            continue
        found.add((data.get("name"), data.get("version")))
    return found


@pytest.mark.parametrize("case", FANAL_TABLES["Test_yarnLibraryAnalyzer_Analyze"][0], ids=lambda c: c["name"])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    """Trivy's analyzer also reports the root and workspace packages from package.json and marks
    dev dependencies from it; the lockfile alone gives the rest, without dev flags."""
    directory = FANAL_DIR / case["dir"]
    (lock,) = directory.rglob("yarn.lock")
    want = {
        (p["Name"], p["Version"])
        for app in (case["want"] or {}).get("Applications", [])
        for p in app["Packages"]
        if "Name" in p
    }
    assert _pairs(lock.read_bytes()) == want - _manifest_packages(directory)


@pytest.mark.parametrize(
    "case", FANAL_TABLES["Test_yarnLibraryAnalyzer_Required"][0], ids=lambda c: c["name"]
)
def test_trivy_required_cases(case: dict[str, Any]) -> None:
    # Trivy's yarn analyzer also reads package.json, licence files and the yarn cache; we do not.
    expected = case["want"] and case["filePath"].endswith("yarn.lock")
    assert ANALYZER.wants(case["filePath"], _info(case["filePath"])) is expected


SYFT_TABLES = _tables(SYFT_DIR / "_transcribed_expected.parse_yarn_lock_test.json")
SYFT_EXPECTED = SYFT_TABLES["var:expectedPkgs"]
# The transcription keeps Syft's expected lists in test order without fixture names; each was
# matched to its fixture by hand. Differences, from deliberate choices:
# * Syft reports berry workspaces (the project "c0n-fab_u.laTION@workspace:."); we skip them;
# * for classic entries Syft takes the name from the resolved URL ("something-i-made-up",
#   "@4lolo/resize-observer-polyfill"), we take the descriptor's as Trivy does;
# * Syft reports a git dependency ("should-type@https://github.com/...") with its tag; we skip
#   non-registry protocols as Trivy does.
SYFT_CASES = [
    ("yarn-berry", SYFT_EXPECTED[0], {("c0n-fab_u.laTION", "7.7.7")}, set()),
    ("yarn-berry-dups", SYFT_EXPECTED[1], set(), set()),
    ("yarn", SYFT_EXPECTED[2], {("something-i-made-up", "7.7.7")}, {("c0n-fab_u.laTION", "7.7.7")}),
    (
        "yarn-dups",
        SYFT_EXPECTED[4],
        {("@4lolo/resize-observer-polyfill", "1.5.2"), ("should-type", "1.3.0")},
        {("resize-observer-polyfill", "1.5.2")},
    ),
    ("yarn-dev-deps", SYFT_TABLES["var:pkgs"][0], set(), set()),
    ("yarn-berry-dev-deps", SYFT_TABLES["var:pkgs"][2], set(), set()),
]


@pytest.mark.parametrize("fixture, expected, dropped, added", SYFT_CASES, ids=[c[0] for c in SYFT_CASES])
def test_syft_fixtures(
    fixture: str, expected: list[dict[str, Any]], dropped: set[tuple[str, str]], added: set[tuple[str, str]]
) -> None:
    want = {(p["Name"], p["Version"]) for p in expected}
    assert dropped <= want
    assert _pairs((SYFT_DIR / "testdata" / fixture / "yarn.lock").read_bytes()) == (want - dropped) | added


def test_syft_package_names_of_descriptor_lines() -> None:
    for case in SYFT_TABLES["TestParseYarnFindPackageNames"][0]:
        descriptor = case["line"].rstrip(":").split(",")[0].strip().strip('"')
        if "@workspace:" in descriptor:
            # A workspace is named, but it is not a registry package.
            assert split_descriptor(descriptor)[0] == case["expected"]
            assert registry_name(descriptor) == ""
        else:
            assert registry_name(descriptor) == case["expected"]


@pytest.mark.parametrize(
    "path, wanted",
    [
        ("yarn.lock", True),
        ("srv/app/yarn.lock", True),
        ("srv/app/node_modules/x/yarn.lock", False),
        ("srv/app/.yarn/unplugged/x/yarn.lock", False),
        ("srv/app/yarn.lock.bak", False),
        ("srv/app/old-yarn.lock", False),
    ],
)
def test_wanted_files(path: str, wanted: bool) -> None:
    assert ANALYZER.wants(path, _info(path)) is wanted


@pytest.mark.parametrize(
    "content",
    [
        b"<html>\n<body>not a lockfile</body>\n",
        b"\x00\x01\x02",
        b"\xff\xfe version",
        b"__metadata:\n  version: 6\n'bad: [unclosed\n",
        b"__metadata:\n  x: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b"__metadata:\n  version: 6\n---\n- second document\n",
    ],
)
def test_malformed_lockfiles_are_analyzer_errors(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze(PATH, content)


def test_yaml_aliases_are_not_expanded() -> None:
    """A 'billion laughs' lockfile: aliases stay shared references, nothing is walked twice."""
    lines = [b"__metadata:\n  version: 6\n", b'a0: &a0 ["x", "x"]\n']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n".encode() for i in range(1, 12)]
    start = time.monotonic()
    assert _pairs(b"".join(lines)) == set()
    assert time.monotonic() - start < 2


def test_classic_quoting_and_aliases() -> None:
    content = b"""# yarn lockfile v1

"@scope/real@npm:@scope/real@^2", alias-a@npm:@scope/real@^2:
  "version" "2.1.0"

plain@^1.0.0, "plain@>= 1.2 < 2":
  version "1.5.0"
  dependencies:
    other "^1"

tagged@latest:
  version "3.0.0"

linked@link:../linked:
  version "0.0.0"
"""
    assert _pairs(content) == {("@scope/real", "2.1.0"), ("plain", "1.5.0"), ("tagged", "3.0.0")}
