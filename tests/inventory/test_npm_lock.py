"""npm lockfiles against Trivy's and Syft's fixtures and against npm itself (shrinkwrap + ls)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.npm_lock import MAX_DEPTH, NpmLockAnalyzer, name_from_path
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "nodejs" / "npm"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "nodejs" / "npm"
SYFT_DIR = SYFT_CATALOGERS / "javascript"
ANALYZER = NpmLockAnalyzer()
PATH = "srv/app/package-lock.json"

Triple = tuple[str, str, bool]


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _triples(content: bytes) -> set[Triple]:
    """(name, version, dev) of every package in a lockfile."""
    packages = ANALYZER.analyze(PATH, content).packages
    assert all(p.type == "npm" and p.found_by == "npm-lock" for p in packages)
    return {(p.name, p.version, p.property("dev") == "true") for p in packages}


PARSER_TABLES = _tables(PARSER_DIR / "_transcribed_expected.parse_testcase.json")
PARSER_CASES = _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")["TestParse"][0]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["name"] for c in PARSER_CASES])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    want = PARSER_TABLES["var:" + case["want"]["_ident"]][0] if case["want"] else []
    # Trivy reports a workspace without a version (version ""); nothing can match it, we skip it.
    want = [p for p in want if p["Version"]]
    packages = ANALYZER.analyze(PATH, (PARSER_DIR / case["file"]).read_bytes()).packages
    assert {(p.name, p.version, p.property("dev") == "true") for p in packages} == {
        (p["Name"], p["Version"], bool(p.get("Dev"))) for p in want
    }
    licenses = {(p.name, p.version): p.licenses for p in packages}
    for expected in want:
        if (expected["Name"], expected["Version"]) == ("pause-stream", "0.0.11"):
            # "license": ["MIT", "Apache2"]: Trivy drops a list of strings, Syft keeps it (so do we).
            assert licenses[("pause-stream", "0.0.11")] == ("MIT", "Apache2")
            continue
        assert licenses[(expected["Name"], expected["Version"])] == tuple(expected.get("Licenses") or ())


def test_trivy_name_from_path() -> None:
    for case in _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")["TestPkgNameFromPath"][0]:
        assert name_from_path(case["path"]) == case["expected"]


FANAL_TABLES = _tables(FANAL_DIR / "_transcribed_expected.npm_test.json")


@pytest.mark.parametrize("case", FANAL_TABLES["Test_npmLibraryAnalyzer_Analyze"][0], ids=lambda c: c["name"])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    content = (FANAL_DIR / case["dir"] / "package-lock.json").read_bytes()
    if not case["want"]:
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze(PATH, content)
        return
    want = [p for app in case["want"]["Applications"] for p in app["Packages"]]
    # Trivy adds licences from node_modules/*/package.json; a lockfile alone does not have them.
    assert _triples(content) == {(p["Name"], p["Version"], bool(p.get("Dev"))) for p in want}


@pytest.mark.parametrize(
    "case", FANAL_TABLES["Test_nodePkgLibraryAnalyzer_Required"][0], ids=lambda c: c["name"]
)
def test_trivy_required_cases(case: dict[str, Any]) -> None:
    # Trivy's npm analyzer also reads node_modules/*/package.json; here that is node-package's job.
    expected = case["want"] and case["filePath"].endswith("package-lock.json")
    assert ANALYZER.wants(case["filePath"], _info(case["filePath"])) is expected


SYFT_TABLES = _tables(SYFT_DIR / "_transcribed_expected.parse_package_lock_test.json")
SYFT_EXPECTED = SYFT_TABLES["var:expectedPkgs"]
# The transcription keeps Syft's expected lists in test order without the fixture names; each list
# was matched to its fixture by hand. Syft reports the project root (roots: the root entry's name)
# and leaves dev dependencies out.
SYFT_CASES = [
    ("package-lock.json", SYFT_EXPECTED[0], None),
    ("nested-package-lock-1.json", SYFT_EXPECTED[1], None),
    ("package-lock-2.json", SYFT_EXPECTED[2], ("npm", "6.14.6")),
    ("package-lock-3.json", SYFT_EXPECTED[3], ("lock-v3-fixture", "1.0.0")),
    ("array-license-package-lock.json", SYFT_EXPECTED[4], ("tmp", "1.0.0")),
    ("alias-package-lock-1.json", SYFT_TABLES["var:commonPkgs"][0], None),
    ("alias-package-lock-2.json", SYFT_TABLES["var:commonPkgs"][0], None),
]


@pytest.mark.parametrize("fixture, expected, root", SYFT_CASES, ids=[c[0] for c in SYFT_CASES])
def test_syft_fixtures(fixture: str, expected: list[dict[str, Any]], root: tuple[str, str] | None) -> None:
    packages = ANALYZER.analyze(PATH, (SYFT_DIR / "testdata/pkg-lock" / fixture).read_bytes()).packages
    production = {(p.name, p.version) for p in packages if p.property("dev") is None}
    want = {(p["Name"], p["Version"]) for p in expected} - {root}
    assert production == want


def test_syft_licences() -> None:
    packages = ANALYZER.analyze(
        PATH, (SYFT_DIR / "testdata/pkg-lock/array-license-package-lock.json").read_bytes()
    )
    assert {p.name: p.licenses for p in packages.packages} == {
        "pause-stream": ("MIT", "Apache2"),
        "through": ("MIT",),
    }


def test_dev_flag_holds_only_when_every_copy_is_dev() -> None:
    """Syft's nested v1 fixture: what is nested in a dev dependency is dev too."""
    triples = _triples((SYFT_DIR / "testdata/pkg-lock/nested-package-lock-1.json").read_bytes())
    assert {(name, version) for name, version, dev in triples if dev} == {
        ("dev-parent", "1.0.0"),
        ("dev-nested", "1.0.0"),
    }


@pytest.mark.parametrize(
    "path, wanted",
    [
        ("package-lock.json", True),
        ("srv/app/npm-shrinkwrap.json", True),
        ("srv/app/node_modules/x/npm-shrinkwrap.json", False),
        ("srv/app/node_modules/.package-lock.json", False),
        ("srv/app/old-package-lock.json", False),
        ("srv/app/package-lock.json.orig", False),
    ],
)
def test_wanted_files(path: str, wanted: bool) -> None:
    assert ANALYZER.wants(path, _info(path)) is wanted


@pytest.mark.parametrize(
    "content",
    [b"{broken}", b'{"lockfileVersion": 3, "packages": {', b"[1, 2]", b'{"name": "not a lock"}', b"\x00\x01"],
)
def test_malformed_lockfiles_are_analyzer_errors(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze(PATH, content)


def test_absurd_json_nesting_is_an_analyzer_error() -> None:
    content = b'{"lockfileVersion": 1, "dependencies": ' + b'{"a": ' * 200_000 + b"1" + b"}" * 200_001
    with pytest.raises(AnalyzerError, match="nested"):
        ANALYZER.analyze(PATH, content)


def test_deep_v1_nesting_is_bounded() -> None:
    """A chain nested far deeper than npm ever writes: the walk stops at MAX_DEPTH with a warning."""
    level: dict[str, Any] = {}
    root = level
    for index in range(MAX_DEPTH * 4):
        nested: dict[str, Any] = {}
        level[f"p{index}"] = {"version": "1.0.0", "dependencies": nested}
        level = nested
    facts = ANALYZER.analyze(PATH, json.dumps({"lockfileVersion": 1, "dependencies": root}).encode())
    assert len(facts.packages) == MAX_DEPTH
    assert facts.warnings and "nested deeper" in facts.warnings[0]


def test_odd_entries_are_skipped() -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "root", "version": "1.0.0"},
            "node_modules/ok": {"version": "1.0.0"},
            "node_modules/local": {"version": "file:../local"},
            "node_modules/no-version": {},
            "node_modules/bad-entry": "string",
            "node_modules/dangling": {"link": True, "resolved": "missing/dir"},
            "node_modules/self": {"link": True, "resolved": ""},
            "node_modules/x/node_modules/": {"version": "1.0.0"},
        },
    }
    assert _triples(json.dumps(lock).encode()) == {("ok", "1.0.0", False)}


# npm is the oracle: it writes lockfiles of every version from an installed tree (offline), and
# `npm query "*"` lists that tree's packages with their real names (aliases resolved) and dev flags.
TREE: dict[str, dict[str, Any]] = {
    "package.json": {
        "name": "app",
        "version": "1.0.0",
        "workspaces": ["packages/w"],
        "dependencies": {"a": "^1.0.0", "@s/b": "2.0.0", "x": "npm:c@^1.0.0"},
        "devDependencies": {"d": "1.0.0"},
    },
    "node_modules/a/package.json": {
        "name": "a",
        "version": "1.2.3",
        "license": "MIT",
        "dependencies": {"c": "^3"},
    },
    "node_modules/a/node_modules/c/package.json": {"name": "c", "version": "3.1.0"},
    "node_modules/@s/b/package.json": {"name": "@s/b", "version": "2.0.0", "dependencies": {"c": "^1"}},
    "node_modules/c/package.json": {"name": "c", "version": "1.0.5"},
    "node_modules/x/package.json": {"name": "c", "version": "1.0.6"},
    "node_modules/d/package.json": {"name": "d", "version": "1.0.0", "dependencies": {"e": "^1"}},
    "node_modules/e/package.json": {"name": "e", "version": "1.1.0"},
    "packages/w/package.json": {"name": "w", "version": "0.1.0", "dependencies": {"c": "^1"}},
}


def _npm(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "npm_config_cache": str(root / ".npm-cache"),
        "npm_config_offline": "true",
        "npm_config_update_notifier": "false",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
    }
    result = subprocess.run(["npm", *args], cwd=root, env=env, capture_output=True, check=True, timeout=60)
    return result.stdout.decode()


@pytest.fixture(scope="module")
def npm_tree(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """What npm lists for the tree, and the lockfile of each version it writes for it."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    root = tmp_path_factory.mktemp("npm-tree")
    for relative, manifest in TREE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(json.dumps(manifest))
    (root / "node_modules/w").symlink_to("../packages/w")
    nodes = json.loads(_npm(root, "query", "*"))
    result: dict[Any, Any] = {
        "listed": {(n["name"], n["version"], bool(n.get("dev"))) for n in nodes if n["location"]}
    }
    for version in (1, 2, 3):
        _npm(root, "shrinkwrap", f"--lockfile-version={version}")
        result[version] = (root / "npm-shrinkwrap.json").read_bytes()
        (root / "npm-shrinkwrap.json").unlink()
    return result


@pytest.mark.parametrize("version", [1, 2, 3])
def test_npm_oracle(npm_tree: dict[Any, Any], version: int) -> None:
    lock = npm_tree[version]
    assert json.loads(lock)["lockfileVersion"] == version
    listed: set[Triple] = npm_tree["listed"]
    if version == 1:
        # Version 1 records a workspace as "version": "file:packages/w", which is no registry version.
        listed = listed - {("w", "0.1.0", False)}
    assert {("c", "1.0.6", False), ("e", "1.1.0", True)} <= listed
    assert _triples(lock) == listed
