"""Installed gemspecs against Trivy's and Syft's fixtures, with RubyGems itself as the oracle."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.gemspec import GemspecAnalyzer
from seawall.model import Package
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "ruby" / "gemspec"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "ruby" / "gemspec"
SYFT_DIR = SYFT_CATALOGERS / "ruby"
ANALYZER = GemspecAnalyzer()


def _tables(directory: Path, name: str) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((directory / name).read_text())["tables"]
    return tables


def _analyze(path: Path) -> Package:
    facts = ANALYZER.analyze("usr/lib/ruby/gems/3.1.0/specifications/x.gemspec", path.read_bytes())
    assert len(facts.packages) == 1
    return facts.packages[0]


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


PARSER_CASES = _tables(PARSER_DIR, "_transcribed_expected.parse_test.json")["TestParse"][0]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["name"] for c in PARSER_CASES])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    path = PARSER_DIR / case["inputFile"]
    if "wantErr" in case:
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze("specifications/x.gemspec", path.read_bytes())
        return
    [want] = case["want"]
    package = _analyze(path)
    assert (package.type, package.name, package.version) == ("gem", want["Name"], want["Version"])
    assert package.found_by == "gemspec"
    if case["inputFile"].endswith("normal01.gemspec"):
        # `spec.licenses = "MIT"`: Trivy ignores a bare string, RubyGems takes it (Array("MIT")),
        # see test_rubygems_oracle; we follow RubyGems.
        assert package.licenses == ("MIT",)
    else:
        assert list(package.licenses) == want.get("Licenses", [])


FANAL = _tables(FANAL_DIR, "_transcribed_expected.gemspec_test.json")


@pytest.mark.parametrize("case", FANAL["Test_gemspecLibraryAnalyzer_Analyze"][0], ids=lambda c: c["name"])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    path = FANAL_DIR / case["inputFile"]
    if case.get("wantErr"):
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze("specifications/x.gemspec", path.read_bytes())
        return
    [application] = case["want"]["Applications"]
    want = {(p["Name"], p["Version"], tuple(p["Licenses"])) for p in application["Packages"]}
    package = _analyze(path)
    assert {(package.name, package.version, package.licenses)} == want


@pytest.mark.parametrize("case", FANAL["Test_gemspecLibraryAnalyzer_Required"][0], ids=lambda c: c["name"])
def test_trivy_required(case: dict[str, Any]) -> None:
    path = case["filePath"].lstrip("/")  # the layer pass hands over relative paths
    assert ANALYZER.wants(path, _info(path)) is case["want"]


def test_syft_globs() -> None:
    [case] = _tables(SYFT_DIR, "_transcribed_expected.cataloger_test.json")["Test_GemSpec_Globs"][0]
    root = SYFT_DIR / case["fixture"]
    wanted = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if ANALYZER.wants(str(p.relative_to(root)), _info(""))
    )
    assert wanted == sorted(case["expected"])
    for relative in case["expected"]:  # placeholders reading "bogus": not gemspecs
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze(relative, (root / relative).read_bytes())


@pytest.mark.parametrize(
    "path",
    [
        "usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec",
        "app/rake.gemspec",
        "specifications/x.gemspec.bak",
    ],
)
def test_source_gemspecs_not_wanted(path: str) -> None:
    assert not ANALYZER.wants(path, _info(path))


def _oracle_cases() -> list[Path]:
    return sorted(
        [
            *PARSER_DIR.glob("testdata/*.gemspec"),
            *FANAL_DIR.glob("testdata/*.gemspec"),
            *SYFT_DIR.glob("testdata/*.gemspec"),
        ]
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
def test_rubygems_oracle() -> None:
    """Gem::Specification.load on the upstream fixtures (it evaluates them: upstream files only)."""
    paths = _oracle_cases()
    script = (
        "require 'json'; ARGV.each { |p| s = Gem::Specification.load(p); "
        "puts JSON.generate(s ? [s.name, s.version.to_s, s.licenses] : nil) }"
    )
    run = subprocess.run(
        ["ruby", "-e", script, *map(str, paths)], capture_output=True, text=True, timeout=60, check=True
    )
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) == len(paths)
    compared = 0
    for path, result in zip(paths, results, strict=True):
        if result is None or not result[0] or not result[1]:
            with pytest.raises(AnalyzerError):
                ANALYZER.analyze("specifications/x.gemspec", path.read_bytes())
            continue
        package = _analyze(path)
        assert [package.name, package.version, list(package.licenses)] == result, path.name
        compared += 1
    assert compared >= 6


def _spec(body: str, var: str = "s") -> bytes:
    return f"# -*- encoding: utf-8 -*-\nGem::Specification.new do |{var}|\n{body}\nend\n".encode()


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ('  s.name = %q{rake}\n  s.version = "0.8.7"', ("rake", "0.8.7", ())),
        ("  s.name = 'rack'\n  s.version = '3.0.8'\n  s.license = 'MIT'", ("rack", "3.0.8", ("MIT",))),
        (
            '  s.name = "json".freeze\n  s.version = Gem::Version.new("2.6.3")\n'
            '  s.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]',
            ("json", "2.6.3", ("Ruby", "BSD-2-Clause")),
        ),
        (
            '  s.name = %q<nokogiri>.freeze\n  s.version = "1.15.4".freeze\n  s.licenses = []',
            ("nokogiri", "1.15.4", ()),
        ),
        ('  s.name = "a"\n  s.version = "1"\n  s.version = "2"', ("a", "2", ())),
        ('  s.name = "a" # the name\n  s.version = "1" if true\n  s.licenses = ["MIT"] + x', ("a", "1", ())),
    ],
)
def test_literal_forms(body: str, want: tuple[str, str, tuple[str, ...]]) -> None:
    [package] = ANALYZER.analyze("specifications/x.gemspec", _spec(body)).packages
    assert (package.name, package.version, package.licenses) == want


@pytest.mark.parametrize(
    "content",
    [
        _spec('  s.name = "async".freeze'),  # no version
        _spec('  s.version = "1.0"'),  # no name
        _spec('  s.name = "x#{1 + 1}"\n  s.version = "1.0"'),  # interpolation: not a literal
        _spec('  s.name = File.read("/etc/passwd")\n  s.version = "1.0"'),  # code, never run
        _spec('  s.name = "a b"\n  s.version = "1.0"'),  # no gem name has spaces
        _spec('  s.name = "a" + suffix\n  s.version = "1.0"'),  # an expression, not a literal
        _spec('  s.name = "a"\n  s.version = "1.0".succ'),
        b"\xff\xfe\x00garbage",
        b"",
    ],
)
def test_malformed_gemspecs(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("specifications/x.gemspec", content)


def test_huge_input_is_bounded() -> None:
    assert ANALYZER.max_size <= 16 * 1024 * 1024
    filler = '  s.files = ["' + "a" * 200_000 + '"]\n'
    content = _spec(filler * 20 + '  s.name = "big"\n  s.version = "' + "9" * 100_000 + '"')
    started = time.monotonic()
    with pytest.raises(AnalyzerError):  # a 100 kB version is not a version
        ANALYZER.analyze("specifications/x.gemspec", content)
    content = _spec(filler * 20 + '  s.name = "big"\n  s.version = "1.0"\n' + "x" * 3_000_000)
    [package] = ANALYZER.analyze("specifications/x.gemspec", content).packages
    assert (package.name, package.version) == ("big", "1.0")
    assert time.monotonic() - started < 5
