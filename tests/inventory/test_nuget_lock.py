"""packages.lock.json against Trivy's and Syft's fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.nuget_lock import MAX_PACKAGES, NugetLockAnalyzer
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "nuget" / "lock"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "dotnet" / "nuget"
SYFT_DIR = SYFT_CATALOGERS / "dotnet"
ANALYZER = NugetLockAnalyzer()

# parse_testcase.go names one expectation per fixture file.
PARSER_FILES = {
    "nuGetSimple": "packages_lock_simple.json",
    "nuGetSubDependencies": "packages_lock_subdependencies.json",
    "nuGetLegacy": "packages_lock_legacy.json",
    "nuGetMultiTarget": "packages_lock_multi.json",
}


def _tables(directory: Path, name: str) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((directory / name).read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _pairs(content: bytes) -> list[tuple[str, str]]:
    return [(p.name, p.version) for p in ANALYZER.analyze("src/packages.lock.json", content).packages]


PARSER = _tables(PARSER_DIR, "_transcribed_expected.parse_testcase.json")


@pytest.mark.parametrize(("variable", "filename"), sorted(PARSER_FILES.items()))
def test_trivy_parser_cases(variable: str, filename: str) -> None:
    want = {(p["Name"], p["Version"]) for p in PARSER["var:" + variable][0]}
    pairs = _pairs((PARSER_DIR / "testdata" / filename).read_bytes())
    assert len(pairs) == len(set(pairs))  # one package per name and version, over all frameworks
    assert set(pairs) == want


FANAL = _tables(FANAL_DIR, "_transcribed_expected.nuget_test.json")
LOCK_CASES = [
    c for c in FANAL["Test_nugetLibraryAnalyzer_Analyze"][0] if c["dir"].startswith("testdata/lock")
]


@pytest.mark.parametrize("case", LOCK_CASES, ids=lambda c: c["name"])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    content = (FANAL_DIR / case["dir"] / "packages.lock.json").read_bytes()
    applications = case["want"]["Applications"] if case["want"] else []
    want = {(p["Name"], p["Version"]) for app in applications for p in app["Packages"]}
    packages = ANALYZER.analyze("src/packages.lock.json", content).packages
    assert {(p.name, p.version) for p in packages} == want
    assert all(p.type == "nuget" and p.found_by == "nuget-lock" for p in packages)


@pytest.mark.parametrize("case", FANAL["Test_nugetLibraryAnalyzer_Required"][0], ids=lambda c: c["name"])
def test_trivy_required(case: dict[str, Any]) -> None:
    path = case["filePath"]
    assert ANALYZER.wants(path, _info(path)) is (case["want"] and path.endswith(".json"))


@pytest.mark.parametrize("path", ["src/my-packages.lock.json", "src/packages.lock.json.bak", "packages.lock"])
def test_other_files_not_wanted(path: str) -> None:
    assert not ANALYZER.wants(path, _info(path))


def test_syft_lockfile() -> None:
    """Syft expects nine packages, log4net twice (one per framework)."""
    want = _tables(SYFT_DIR, "_transcribed_expected.parse_packages_lock_test.json")["var:expectedPkgs"][0]
    pairs = _pairs((SYFT_DIR / "testdata" / "packages.lock.json").read_bytes())
    assert len(pairs) == len(want) == 9
    assert {v for n, v in pairs if n == "log4net"} == {"2.0.5", "1.2.15"}


def test_project_entries_are_skipped() -> None:
    document = json.loads((PARSER_DIR / "testdata" / "packages_lock_legacy.json").read_text())
    projects = [
        n for deps in document["dependencies"].values() for n, e in deps.items() if e["type"] == "Project"
    ]
    assert projects == ["my.project"]
    assert "my.project" not in {n for n, _ in _pairs(json.dumps(document).encode())}


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"version": 1}', b'{"dependencies": []}', b"[" * 100_000, b"\x00\x01"],
)
def test_malformed(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("src/packages.lock.json", content)


def test_hostile_entries_are_skipped() -> None:
    document = {
        "dependencies": {
            "net8.0": {
                "A": {"type": "Direct", "resolved": "1.0"},
                "B": {"resolved": 1},
                "C": [],
                "D": {"type": {}},
            },
            "net6.0": ["x"],
        }
    }
    assert _pairs(json.dumps(document).encode()) == [("A", "1.0")]


def test_huge_input_is_bounded() -> None:
    assert ANALYZER.max_size <= 64 * 1024 * 1024
    entries = {f"P{i}": {"type": "Transitive", "resolved": "1.0"} for i in range(MAX_PACKAGES + 100)}
    assert len(_pairs(json.dumps({"dependencies": {"net8.0": entries}}).encode())) == MAX_PACKAGES
