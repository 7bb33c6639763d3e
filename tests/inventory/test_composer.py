"""Composer installed.json and composer.lock against Trivy's and Syft's fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.composer import MAX_PACKAGES, ComposerInstalledAnalyzer, ComposerLockAnalyzer
from seawall.model import Package
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "php" / "composer"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "php" / "composer"
SYFT_DIR = SYFT_CATALOGERS / "php"
INSTALLED = ComposerInstalledAnalyzer()
LOCK = ComposerLockAnalyzer()
INSTALLED_PATH = "var/www/vendor/composer/installed.json"


def _tables(directory: Path, name: str) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((directory / name).read_text())["tables"]
    return tables


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


def _summary(packages: tuple[Package, ...]) -> set[tuple[str, str, bool, tuple[str, ...]]]:
    assert all(p.type == "composer" for p in packages)
    return {(p.name, p.version, p.property("dev") == "true", p.licenses) for p in packages}


def _trivy_summary(packages: list[dict[str, Any]]) -> set[tuple[str, str, bool, tuple[str, ...]]]:
    return {(p["Name"], p["Version"], bool(p.get("Dev")), tuple(p.get("Licenses", []))) for p in packages}


def test_trivy_parser_happy_lock() -> None:
    tables = _tables(PARSER_DIR, "_transcribed_expected.parse_test.json")
    [case] = tables["TestParse"][0]
    want = tables["var:" + case["wantPkgs"]["_ident"]][0]
    facts = LOCK.analyze("app/composer.lock", (PARSER_DIR / case["file"]).read_bytes())
    assert _summary(facts.packages) == _trivy_summary(want)
    assert all(p.found_by == "composer-lock" for p in facts.packages)


COMPOSER_CASES = _tables(FANAL_DIR, "_transcribed_expected.composer_test.json")[
    "Test_composerAnalyzer_PostAnalyze"
][0]


@pytest.mark.parametrize("case", COMPOSER_CASES, ids=lambda c: c["name"])
def test_trivy_lock_analyzer_cases(case: dict[str, Any]) -> None:
    content = (FANAL_DIR / case["dir"] / "composer.lock").read_bytes()
    if not case["want"]:  # "broken composer.lock": Trivy reports nothing, we report why
        with pytest.raises(AnalyzerError):
            LOCK.analyze("composer.lock", content)
        return
    [application] = case["want"]["Applications"]
    assert _summary(LOCK.analyze("composer.lock", content).packages) == _trivy_summary(
        application["Packages"]
    )


VENDOR = _tables(FANAL_DIR, "_transcribed_expected.vendor_test.json")


@pytest.mark.parametrize("case", VENDOR["Test_composerVendorAnalyzer_Analyze"][0], ids=lambda c: c["name"])
def test_trivy_installed_analyzer_cases(case: dict[str, Any]) -> None:
    content = (FANAL_DIR / case["inputFile"]).read_bytes()
    if "wantErr" in case:
        with pytest.raises(AnalyzerError):
            INSTALLED.analyze(INSTALLED_PATH, content)
        return
    [application] = case["want"]["Applications"]
    facts = INSTALLED.analyze(INSTALLED_PATH, content)
    assert _summary(facts.packages) == _trivy_summary(application["Packages"])
    assert all(p.found_by == "composer-installed" for p in facts.packages)


@pytest.mark.parametrize("case", VENDOR["Test_composerVendorAnalyzer_Required"][0], ids=lambda c: c["name"])
def test_trivy_installed_required(case: dict[str, Any]) -> None:
    assert INSTALLED.wants(case["filePath"], _info(case["filePath"])) is case["want"]


def _syft_license(call: str) -> tuple[str, ...]:
    return tuple(re.findall(r'Context\(ctx, "([^"]+)"', call))


@pytest.mark.parametrize("version", ["composer_1", "composer_2"])
def test_syft_installed(version: str) -> None:
    want = _tables(SYFT_DIR, "_transcribed_expected.parse_installed_json_test.json")["var:expectedPkgs"][0]
    content = (SYFT_DIR / "testdata" / "vendor" / version / "installed.json").read_bytes()
    packages = INSTALLED.analyze(INSTALLED_PATH, content).packages
    got = {(p.name, p.version, p.licenses) for p in packages}
    assert got == {(p["Name"], p["Version"], _syft_license(p["Licenses"]["_call"])) for p in want}
    dev = {p.name for p in packages if p.property("dev") == "true"}
    assert dev == (set() if version == "composer_1" else {"behat/mink"})  # Composer 2 names its dev packages


def test_syft_lock() -> None:
    """Syft reports only the runtime packages; we add packages-dev, marked dev."""
    want = _tables(SYFT_DIR, "_transcribed_expected.parse_composer_lock_test.json")["var:expectedPkgs"][0]
    path = SYFT_DIR / "testdata" / "composer.lock"
    packages = LOCK.analyze("composer.lock", path.read_bytes()).packages
    runtime = {(p.name, p.version, p.licenses) for p in packages if p.property("dev") is None}
    assert runtime == {(p["Name"], p["Version"], _syft_license(p["Licenses"]["_call"])) for p in want}
    dev_in_file = {(p["name"], p["version"]) for p in json.loads(path.read_text())["packages-dev"]}
    assert {(p.name, p.version) for p in packages if p.property("dev") == "true"} == dev_in_file


def test_syft_globs() -> None:
    tables = _tables(SYFT_DIR, "_transcribed_expected.cataloger_test.json")
    [lock_case] = tables["Test_ComposerLockCataloger_Globs"][0]
    [installed_case] = tables["Test_ComposerInstalledCataloger_Globs"][0]
    root = SYFT_DIR / lock_case["fixture"]
    relative = [str(p.relative_to(root)) for p in root.rglob("*")]
    assert [p for p in relative if LOCK.wants(p, _info(p))] == lock_case["expected"]
    # Syft takes any installed.json; like Trivy we take only Composer's own (vendor/composer/).
    assert installed_case["expected"] == ["src/installed.json"]
    assert not [p for p in relative if INSTALLED.wants(p, _info(p))]
    with pytest.raises(AnalyzerError):  # the placeholder reads "bogus"
        LOCK.analyze("src/composer.lock", (root / "src" / "composer.lock").read_bytes())


@pytest.mark.parametrize(
    ("analyzer", "path"),
    [
        (LOCK, "app/composer.json"),
        (LOCK, "app/composer.lock.bak"),
        (LOCK, "app/mycomposer.lock"),
        (INSTALLED, "app/vendor/installed.json"),
        (INSTALLED, "app/vendor/composer/installed.php"),
        (INSTALLED, "app/node_modules/.package-lock.json"),
    ],
)
def test_not_wanted(analyzer: ComposerLockAnalyzer | ComposerInstalledAnalyzer, path: str) -> None:
    assert not analyzer.wants(path, _info(path))


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b'"x"', b"42", b'{"packages": {}}', b'{"packages-dev": "x"}', b"{" * 50_000, b"\xff\xfe\x00"],
)
def test_malformed_lock(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        LOCK.analyze("composer.lock", content)


@pytest.mark.parametrize(
    "content", [b"[", b'"x"', b'{"packages": 1}', b'{"dev-package-names": {}}', b"[" * 50_000]
)
def test_malformed_installed(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        INSTALLED.analyze(INSTALLED_PATH, content)


def test_hostile_entries_are_skipped() -> None:
    document = {
        "packages": [
            {"name": "a/b", "version": "1.0", "license": ["MIT", 3, {"x": 1}]},
            {"name": "c/d", "version": 2},
            {"name": ["e/f"], "version": "1.0"},
            "g/h",
            {"name": "i/j", "version": "1.0", "license": {"MIT": True}},
        ],
        "dev-package-names": ["i/j", 7],
    }
    packages = INSTALLED.analyze(INSTALLED_PATH, json.dumps(document).encode()).packages
    assert _summary(packages) == {("a/b", "1.0", False, ("MIT",)), ("i/j", "1.0", True, ())}


def test_huge_input_is_bounded() -> None:
    assert LOCK.max_size <= 64 * 1024 * 1024 and INSTALLED.max_size <= 64 * 1024 * 1024
    entries = [{"name": f"v/p{i}", "version": "1.0"} for i in range(MAX_PACKAGES + 10)]
    document = {"packages": entries, "packages-dev": entries}
    assert len(LOCK.analyze("composer.lock", json.dumps(document).encode()).packages) == MAX_PACKAGES
    assert len(INSTALLED.analyze(INSTALLED_PATH, json.dumps(entries).encode()).packages) == MAX_PACKAGES
