"""*.deps.json against Trivy's and Syft's fixtures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.dotnet_deps import MAX_PACKAGES, DotnetDepsAnalyzer
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "dotnet" / "core_deps"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "dotnet" / "deps"
SYFT_DIR = SYFT_CATALOGERS / "dotnet"
ANALYZER = DotnetDepsAnalyzer()


def _tables(directory: Path, name: str) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((directory / name).read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _pairs(content: bytes) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in ANALYZER.analyze("app/x.deps.json", content).packages}


PARSER_CASES = _tables(PARSER_DIR, "_transcribed_expected.parse_test.json")["TestParse"][0]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["name"] for c in PARSER_CASES])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    content = (PARSER_DIR / case["file"]).read_bytes()
    if "wantErr" in case:
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze("app/x.deps.json", content)
        return
    facts = ANALYZER.analyze("app/x.deps.json", content)
    assert {(p.name, p.version) for p in facts.packages} == {
        (p["Name"], p["Version"]) for p in case["want"] or []
    }
    assert all(p.type == "nuget" and p.found_by == "dotnet-deps" for p in facts.packages)


def test_library_kinds_are_recorded() -> None:
    packages = ANALYZER.analyze(
        "app/x.deps.json", (PARSER_DIR / "testdata/self-contained.deps.json").read_bytes()
    )
    kinds = {p.name: p.property("dotnet:library-type") for p in packages.packages}
    assert kinds == {
        "ExampleApp1": "project",
        "Newtonsoft.Json": None,
        "Microsoft.NETCore.App.Runtime.linux-x64": "runtimepack",
        "Microsoft.AspNetCore.App.Runtime.linux-x64": "runtimepack",
    }


FANAL = _tables(FANAL_DIR, "_transcribed_expected.deps_test.json")


@pytest.mark.parametrize("case", FANAL["Test_depsLibraryAnalyzer_Analyze"][0], ids=lambda c: c["name"])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    content = (FANAL_DIR / case["inputFile"]).read_bytes()
    if "wantErr" in case:
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze(case["inputFile"], content)
        return
    [application] = case["want"]["Applications"]
    assert _pairs(content) == {(p["Name"], p["Version"]) for p in application["Packages"]}


@pytest.mark.parametrize("case", FANAL["Test_depsLibraryAnalyzer_Required"][0], ids=lambda c: c["name"])
def test_trivy_required(case: dict[str, Any]) -> None:
    assert ANALYZER.wants(case["filePath"], _info(case["filePath"])) is case["want"]


@pytest.mark.parametrize("path", ["app/x.deps.json.bak", "app/deps.json5", "app/x.runtimeconfig.json"])
def test_other_files_not_wanted(path: str) -> None:
    assert not ANALYZER.wants(path, _info(path))


def test_syft_globs() -> None:
    [case, *_] = _tables(SYFT_DIR, "_transcribed_expected.cataloger_test.json")["TestCataloger_Globs"][0]
    assert case["name"] == "obtain deps.json files"
    root = SYFT_DIR / case["fixture"]
    relative = [str(p.relative_to(root)) for p in root.rglob("*")]
    assert sorted(p for p in relative if ANALYZER.wants(p, _info(p))) == case["expected"]
    with pytest.raises(AnalyzerError):  # the glob fixture is a placeholder, not JSON
        ANALYZER.analyze(case["expected"][0], (root / case["expected"][0]).read_bytes())


def test_syft_dir_example() -> None:
    """Syft lists all 14 libraries; Trivy (and we) drop those the runtime target ships nothing of."""
    syft_expected = _tables(SYFT_DIR, "_transcribed_expected.cataloger_test.json")["var:expectedPkgs"][0]
    path = SYFT_DIR / "testdata" / "dir-example-1" / "TestLibrary.deps.json"
    document = json.loads(path.read_text())
    target = document["targets"][document["runtimeTarget"]["name"]]
    libraries = {tuple(key.split("/")) for key in document["libraries"]}
    assert len(libraries) == len(syft_expected) == 14
    no_assets = {
        ("System.Diagnostics.DiagnosticSource", "6.0.0"),
        ("System.Runtime.CompilerServices.Unsafe", "6.0.0"),
    }
    for name, version in no_assets:
        assert not {"runtime", "runtimeTargets", "native"} & set(target[f"{name}/{version}"])
    assert _pairs(path.read_bytes()) == libraries - no_assets


def test_reference_assemblies_are_not_packages() -> None:
    path = SYFT_DIR / "testdata" / "deps-with-referenceassembly" / "MyApp.deps.json"
    assert _pairs(path.read_bytes()) == {("MyApp", "1.0.0"), ("Newtonsoft.Json", "13.0.3")}


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[1, 2]", b'"deps"', b"\xff\xfe\x00\x00", b"[" * 100_000 + b"]" * 100_000, b'{"a": NaN'],
)
def test_malformed_json(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("app/x.deps.json", content)


@pytest.mark.parametrize(
    ("document", "want"),
    [
        ({"libraries": []}, set()),
        (
            {"libraries": {"A/1.0": "package", "B/1.0": {"type": ["package"]}, "C": {"type": "package"}}},
            set(),
        ),
        ({"libraries": {"A/1/2": {"type": "package"}, "/1.0": {"type": "package"}}}, set()),
        (
            {
                "runtimeTarget": {"name": ["x"]},
                "targets": {"x": 1},
                "libraries": {"A/1.0": {"type": "project"}},
            },
            {("A", "1.0")},
        ),
        ({"runtimeTarget": "x", "targets": [], "libraries": {"A/1.0": {"type": "Package"}}}, {("A", "1.0")}),
        (
            {
                "runtimeTarget": {"name": "x"},
                "targets": {"x": {"A/1.0": []}},
                "libraries": {"A/1.0": {"type": "package"}},
            },
            set(),
        ),
    ],
)
def test_hostile_shapes_are_skipped(document: dict[str, Any], want: set[tuple[str, str]]) -> None:
    assert _pairs(json.dumps(document).encode()) == want


def test_huge_input_is_bounded() -> None:
    assert ANALYZER.max_size <= 64 * 1024 * 1024
    libraries = {f"Lib{i}/1.0.{i}": {"type": "package"} for i in range(MAX_PACKAGES + 1000)}
    started = time.monotonic()
    assert len(_pairs(json.dumps({"libraries": libraries}).encode())) == MAX_PACKAGES
    assert time.monotonic() - started < 5
