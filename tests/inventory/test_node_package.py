"""package.json manifests against Trivy's and Syft's fixtures and ``npm ls`` over a real tree."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.node_package import NodePackageAnalyzer
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PKG_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "nodejs" / "pkg"
PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "nodejs" / "packagejson"
SYFT_DIR = SYFT_CATALOGERS / "javascript"
ANALYZER = NodePackageAnalyzer()
PATH = "usr/lib/node_modules/x/package.json"


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _packages(content: bytes) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(p.name, p.version, p.licenses) for p in ANALYZER.analyze(PATH, content).packages]


PKG_TABLES = _tables(PKG_DIR / "_transcribed_expected.pkg_test.json")
ANALYZE_CASES = PKG_TABLES["Test_nodePkgLibraryAnalyzer_Analyze"][0]


@pytest.mark.parametrize("case", ANALYZE_CASES, ids=[c["name"] for c in ANALYZE_CASES])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    content = (PKG_DIR / case["inputFile"]).read_bytes()
    if "wantErr" in case:
        with pytest.raises(AnalyzerError, match=case["wantErr"]):
            ANALYZER.analyze(PATH, content)
        return
    want = [p for app in (case.get("want") or {}).get("Applications", []) for p in app["Packages"]]
    assert _packages(content) == [(p["Name"], p["Version"], tuple(p["Licenses"])) for p in want]


PACKAGE_ROOT_CASES = (
    PKG_TABLES["TestIsPackageRoot"][0] + PKG_TABLES["Test_nodePkgLibraryAnalyzer_Required"][0]
)


@pytest.mark.parametrize("case", PACKAGE_ROOT_CASES, ids=[c["name"] for c in PACKAGE_ROOT_CASES])
def test_trivy_package_root_cases(case: dict[str, Any]) -> None:
    path = case.get("path") or case["filePath"]
    assert ANALYZER.wants(path, _info(path)) is case["want"]


# Trivy's packagejson parser fixtures; its expected values are not transcribed, so each one is
# what the fixture file itself declares (spot-checked by hand), with Trivy's licence rules.
PARSER_FIXTURES = {
    "package.json": [("bootstrap", "5.0.2", ("MIT",))],
    "legacy_package.json": [("angular", "4.1.2", ("ISC",))],
    "legacy_array_package.json": [("tv4", "1.3.0", ("Public Domain", "MIT"))],
    "mixed_array_license_package.json": [("mixed-array-license", "1.0.0", ("MIT",))],
    "empty_array_license_package.json": [("empty-array-license", "1.0.0", ())],
    "null_license_package.json": [("null-license", "1.0.0", ())],
    "invalid_license_package.json": [("weird-license", "1.0.0", ())],
    "unknown_license_object_package.json": [("unknown-license-object", "1.0.0", ())],
    "workspace_as_map_package.json": [("example", "1.0.0", ())],
    "without_version_package.json": [],
    "without_name_and_version_package.json": [],
}


@pytest.mark.parametrize("name", sorted(PARSER_FIXTURES))
def test_trivy_packagejson_fixtures(name: str) -> None:
    assert _packages((PARSER_DIR / "testdata" / name).read_bytes()) == PARSER_FIXTURES[name]


@pytest.mark.parametrize("name", ["invalid_package.json", "invalid_name.json"])
def test_trivy_invalid_packagejson_fixtures(name: str) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze(PATH, (PARSER_DIR / "testdata" / name).read_bytes())


def test_trivy_name_rule() -> None:
    for case in _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")["TestIsValidName"][0]:
        content = json.dumps({"name": case["name"], "version": "1.0.0"}).encode()
        if not case["name"]:
            assert _packages(content) == []
        elif case["want"]:
            assert _packages(content) == [(case["name"], "1.0.0", ())]
        else:
            with pytest.raises(AnalyzerError):
                ANALYZER.analyze(PATH, content)


SYFT_CASES = _tables(SYFT_DIR / "_transcribed_expected.parse_package_json_test.json")["TestParsePackageJSON"][
    0
]
_SYFT_LICENSE = re.compile(r'NewLicenseFromLocationsWithContext\(ctx, "([^"]+)"')


@pytest.mark.parametrize("case", SYFT_CASES, ids=[c["Fixture"].rpartition("/")[2] for c in SYFT_CASES])
def test_syft_package_json_cases(case: dict[str, Any]) -> None:
    want = case["ExpectedPkg"]
    licenses = _SYFT_LICENSE.findall((want.get("Licenses") or {}).get("_call", ""))
    content = (SYFT_DIR / case["Fixture"]).read_bytes()
    assert _packages(content) == [(want["Name"], want["Version"], tuple(licenses))]


def test_syft_partial_manifest_is_no_package() -> None:
    assert _packages((SYFT_DIR / "testdata/pkg-json/package-partial.json").read_bytes()) == []


@pytest.mark.parametrize(
    "path",
    [
        "node_modules/rxjs/ajax/package.json",
        "node_modules/@angular/core/testing/package.json",
        "node_modules/@angular/package.json",
        "node_modules/.bin/package.json",
        "node_modules/x/package.json.bak",
        "node_modules/x/package-lock.json",
        "app/node_modules/x/lib/deep/package.json",
    ],
)
def test_helper_and_other_files_are_not_wanted(path: str) -> None:
    assert not ANALYZER.wants(path, _info(path))


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "x", "version": "1.0.0"',
        b'["name", "x"]',
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": "x", "version": "1.0.0 beta"}',
        b'{"name": "x", "version": "git+https://example.invalid/x.git"}',
        b'{"name": "../../etc", "version": "1.0.0"}',
    ],
)
def test_malformed_manifests_are_analyzer_errors(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze(PATH, content)


def test_overlong_or_unprintable_licences_are_dropped() -> None:
    content = json.dumps({"name": "x", "version": "1.0.0", "license": ["MIT", "A" * 500, "Bad\nName"]})
    assert _packages(content.encode()) == [("x", "1.0.0", ("MIT",))]


# A tree as npm would have installed it; `npm query "*"` reads it offline and is the oracle (it
# names an aliased package, installed as node_modules/x, by its real name, as its manifest does).
TREE: dict[str, dict[str, Any]] = {
    "package.json": {
        "name": "app",
        "version": "1.0.0",
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
    "node_modules/a/lib/package.json": {"name": "a-helper", "version": "9.9.9"},
    "node_modules/@s/b/package.json": {"name": "@s/b", "version": "2.0.0", "dependencies": {"c": "^1"}},
    "node_modules/@s/b/esm/package.json": {"type": "module"},
    "node_modules/c/package.json": {"name": "c", "version": "1.0.5", "licenses": [{"type": "BSD"}]},
    "node_modules/x/package.json": {"name": "c", "version": "1.0.6"},
    "node_modules/d/package.json": {"name": "d", "version": "1.0.0"},
}


def _npm_query(root: Path) -> set[tuple[str, str]]:
    env = {
        **os.environ,
        "npm_config_cache": str(root / ".npm-cache"),
        "npm_config_offline": "true",
        "npm_config_update_notifier": "false",
    }
    result = subprocess.run(
        ["npm", "query", "*"], cwd=root, env=env, capture_output=True, check=True, timeout=60
    )
    return {(node["name"], node["version"]) for node in json.loads(result.stdout)}


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_npm_oracle(tmp_path: Path) -> None:
    for relative, manifest in TREE.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(json.dumps(manifest))
    expected = _npm_query(tmp_path)
    found: set[tuple[str, str]] = set()
    for file in tmp_path.rglob("package.json"):
        relative = "srv/app/" + file.relative_to(tmp_path).as_posix()
        if ANALYZER.wants(relative, _info(relative)):
            found |= {(p.name, p.version) for p in ANALYZER.analyze(relative, file.read_bytes()).packages}
    assert {("app", "1.0.0"), ("c", "1.0.6"), ("c", "3.1.0")} <= expected
    assert found == expected
