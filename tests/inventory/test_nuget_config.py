"""packages.config against Trivy's fixtures; hostile XML refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.nuget_config import MAX_PACKAGES, NugetConfigAnalyzer
from tests.paths import TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "nuget" / "config"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "dotnet" / "nuget"
ANALYZER = NugetConfigAnalyzer()


def _tables(directory: Path, name: str) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((directory / name).read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _analyze(content: bytes) -> dict[tuple[str, str], bool]:
    packages = ANALYZER.analyze("src/packages.config", content).packages
    assert all(p.type == "nuget" and p.found_by == "nuget-config" for p in packages)
    return {(p.name, p.version): p.property("dev") == "true" for p in packages}


PARSER_CASES = _tables(PARSER_DIR, "_transcribed_expected.parse_test.json")["TestParse"][0]


@pytest.mark.parametrize("case", PARSER_CASES, ids=lambda c: c["name"])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    content = (PARSER_DIR / case["inputFile"]).read_bytes()
    if "wantErr" in case:
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze("src/packages.config", content)
        return
    found = _analyze(content)
    # Trivy drops developmentDependency="true" packages; we keep them marked dev.
    assert {key for key, dev in found.items() if not dev} == {(p["Name"], p["Version"]) for p in case["want"]}


def test_development_dependency_is_marked() -> None:
    found = _analyze((PARSER_DIR / "testdata" / "dev_dependency.config").read_bytes())
    assert found[("Microsoft.Net.Compilers", "1.0.0")] is True


FANAL = _tables(FANAL_DIR, "_transcribed_expected.nuget_test.json")


def test_trivy_analyzer_config_case() -> None:
    [case] = [c for c in FANAL["Test_nugetLibraryAnalyzer_Analyze"][0] if c["dir"] == "testdata/config"]
    [application] = case["want"]["Applications"]
    found = _analyze((FANAL_DIR / case["dir"] / application["FilePath"]).read_bytes())
    assert found == {(p["Name"], p["Version"]): False for p in application["Packages"]}


@pytest.mark.parametrize("case", FANAL["Test_nugetLibraryAnalyzer_Required"][0], ids=lambda c: c["name"])
def test_trivy_required(case: dict[str, Any]) -> None:
    path = case["filePath"]
    assert ANALYZER.wants(path, _info(path)) is (case["want"] and path.endswith(".config"))


@pytest.mark.parametrize("path", ["src/web.config", "src/packages.config.bak", "src/nuget.config"])
def test_other_files_not_wanted(path: str) -> None:
    assert not ANALYZER.wants(path, _info(path))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE packages [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<packages><package id="&d;" version="1.0"/></packages>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE packages [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<packages><package id="&x;" version="1.0"/></packages>"""


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<packages>",
        b"<configuration/>",
        b'{"packages": []}',
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b'<packages><package id="&undefined;" version="1"/></packages>',
        b"<packages>" + b"<a>" * 1000 + b"</a>" * 1000 + b"</packages>",
    ],
)
def test_malformed_or_hostile(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("src/packages.config", content)


def test_only_direct_package_children_count() -> None:
    content = b"""<packages>
      <package id="A" version="1.0"/>
      <package id="B"/>
      <package version="2.0"/>
      <group><package id="C" version="3.0"/></group>
    </packages>"""
    assert _analyze(content) == {("A", "1.0"): False}


def test_huge_input_is_bounded() -> None:
    assert ANALYZER.max_size <= 64 * 1024 * 1024
    body = b"".join(b'<package id="P%d" version="1.0"/>' % i for i in range(MAX_PACKAGES + 1))
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("src/packages.config", b"<packages>" + body + b"</packages>")
