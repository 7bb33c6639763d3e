"""Installed Python distributions against Trivy's and Syft's fixtures and ``importlib.metadata``."""

from __future__ import annotations

import importlib.metadata
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo, FileKind
from seawall.inventory.analyzers.python_dist import HEADER_MAX_BYTES, MAX_EGG_ENTRIES, PythonDistAnalyzer
from tests.paths import REPO, SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "python" / "packaging"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "python" / "packaging"
SYFT_DIR = SYFT_CATALOGERS / "python"
ANALYZER = PythonDistAnalyzer()


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


def _info(path: str, kind: FileKind = FileKind.REGULAR) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644, kind=kind)


def _scan(root: Path) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """(name, version) of every wanted file under ``root`` (paths start with its name), and the errors."""
    found: set[tuple[str, str]] = set()
    errors: dict[str, str] = {}
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(root.parent).as_posix()
        if not file.is_file() or not ANALYZER.wants(relative, _info(relative)):
            continue
        try:
            facts = ANALYZER.analyze(relative, file.read_bytes())
        except AnalyzerError as exc:
            errors[relative] = str(exc)
            continue
        found |= {(p.name, p.version) for p in facts.packages}
    return found, errors


def _comparable(licenses: list[str] | None) -> tuple[str, ...]:
    """Trivy's licences minus what we deliberately do not report: the setuptools placeholder
    ``UNKNOWN`` and ``file://`` references to licence files (we see one file at a time)."""
    return tuple(text for text in licenses or () if text != "UNKNOWN" and not text.startswith("file://"))


PARSER_CASES = _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")["TestParse"][0]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["input"].rpartition("/")[2] for c in PARSER_CASES])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    content = (PARSER_DIR / case["input"]).read_bytes()
    path = "usr/lib/python3/site-packages/x.dist-info/METADATA"
    if case.get("wantErr"):
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze(path, content)
        return
    packages = ANALYZER.analyze(path, content).packages
    assert [(p.name, p.version) for p in packages] == [(w["Name"], w["Version"]) for w in case["want"]]
    assert [p.licenses for p in packages] == [_comparable(w["Licenses"]) for w in case["want"]]
    assert all(p.type == "pypi" and p.found_by == "python-dist" for p in packages)


FANAL_CASES = _tables(FANAL_DIR / "_transcribed_expected.packaging_test.json")
ANALYZE_CASES = FANAL_CASES["Test_packagingAnalyzer_Analyze"][0]


@pytest.mark.parametrize("case", ANALYZE_CASES, ids=[c["name"] for c in ANALYZE_CASES])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    root = FANAL_DIR / case["dir"]
    want = [p for app in case["want"]["Applications"] for p in app["Packages"]]
    for package in want:
        facts = ANALYZER.analyze(package["FilePath"], (root / package["FilePath"]).read_bytes())
        assert [(p.name, p.version) for p in facts.packages] == [(package["Name"], package["Version"])]
        if case["name"] != "license file in dist.info":  # Trivy classifies the LICENSE.txt beside it
            assert facts.packages[0].licenses == tuple(package["Licenses"])
    assert _scan(root)[0] == {(p["Name"], p["Version"]) for p in want}


REQUIRED_CASES = FANAL_CASES["Test_packagingAnalyzer_Required"][0]


@pytest.mark.parametrize("case", REQUIRED_CASES, ids=[c["name"] for c in REQUIRED_CASES])
def test_trivy_required_cases(case: dict[str, Any]) -> None:
    expected = case["want"] and case["name"] != "wheel license"  # Trivy reads LICENSE files, we do not
    assert ANALYZER.wants(case["filePath"], _info(case["filePath"])) is expected


EGG_CASES = _tables(FANAL_DIR / "_transcribed_expected.egg_test.json")["Test_eggAnalyzer_Analyze"][0]


@pytest.mark.parametrize("case", EGG_CASES, ids=[c["name"] for c in EGG_CASES])
def test_trivy_zipped_eggs(case: dict[str, Any]) -> None:
    path = "usr/lib/python2.7/site-packages/" + case["inputFile"].rpartition("/")[2]
    assert ANALYZER.wants(path, _info(path))
    facts = ANALYZER.analyze(path, (FANAL_DIR / case["inputFile"]).read_bytes())
    want = [p for app in (case["want"] or {}).get("Applications", []) for p in app["Packages"]]
    assert [(p.name, p.version) for p in facts.packages] == [(w["Name"], w["Version"]) for w in want]
    if want and case["name"] != "egg zip with license file":  # Trivy reads EGG-INFO/LICENSE.txt
        assert facts.packages[0].licenses == tuple(want[0]["Licenses"])


SYFT_CASES = _tables(SYFT_DIR / "_transcribed_expected.cataloger_test.json")
INSTALLED_CASES = SYFT_CASES["Test_InstalledPackageCataloger"][0]


@pytest.mark.parametrize("case", INSTALLED_CASES, ids=[c["name"] for c in INSTALLED_CASES])
def test_syft_installed_cases(case: dict[str, Any]) -> None:
    found, errors = _scan(SYFT_DIR / case["fixture"])
    want = {(p["Name"], p.get("Version", "")) for p in case["expectedPackages"]}
    if case["name"] == "egg-file-no-version":
        # Syft reports a package without a version; we cannot match one and call the file malformed.
        assert found == set()
        assert list(errors) == ["no-version/no-version-py3.8.egg-info"]
        return
    assert errors == {}
    # Syft lower-cases the name in its package (Metadata keeps "Pygments"); we keep the metadata's.
    assert {(name.lower(), version) for name, version in found} == want


def test_syft_globs_select_exactly_the_metadata_files() -> None:
    case = SYFT_CASES["Test_PackageCataloger_Globs"][0][0]
    root = SYFT_DIR / case["fixture"]
    wanted = {
        file.relative_to(root).as_posix()
        for file in root.rglob("*")
        if file.is_file() and ANALYZER.wants(file.relative_to(root).as_posix(), _info(""))
    }
    assert wanted == set(case["expected"])


def test_syft_ignored_packages() -> None:
    for case in SYFT_CASES["Test_PackageCataloger_IgnorePackage"][0]:
        path = case["MetadataFixture"].rpartition("/")[2]
        assert ANALYZER.wants(path, _info(path))
        assert ANALYZER.analyze(path, (SYFT_DIR / case["MetadataFixture"]).read_bytes()).packages == ()


def test_syft_metadata_parser_cases() -> None:
    tables = _tables(SYFT_DIR / "_transcribed_expected.parse_wheel_egg_metadata_test.json")
    cases = tables["TestParseWheelEggMetadata"][0] + tables["TestParseWheelEggMetadataInvalid"][0]
    for case in cases:
        expected = case["ExpectedMetadata"]["PythonPackage"]
        facts = ANALYZER.analyze(case["Fixture"], (SYFT_DIR / case["Fixture"]).read_bytes())
        assert [(p.name, p.version) for p in facts.packages] == [(expected["Name"], expected["Version"])]


def test_syft_repeated_field_keeps_the_last() -> None:
    cases = _tables(SYFT_DIR / "_transcribed_expected.parse_wheel_egg_metadata_test.json")
    for case in cases["Test_extractRFC5322Fields"][0]:
        facts = ANALYZER.analyze("x.dist-info/METADATA", case["input"].lstrip("\n").encode())
        assert [(p.name, p.version) for p in facts.packages] == [
            (case["want"]["Name"], case["want"]["Version"])
        ]


def test_syft_regular_egg_info_files() -> None:
    cases = _tables(SYFT_DIR / "_transcribed_expected.parse_wheel_egg_metadata_test.json")
    for path, regular_egg_file in cases["TestIsRegularEggFile"][0]:
        if regular_egg_file:
            assert ANALYZER.wants(path.lstrip("/"), _info(path))
            assert not ANALYZER.wants(path.lstrip("/"), _info(path, FileKind.DIRECTORY))


def _oracle_sites() -> list[Path]:
    candidates = [
        *sorted((REPO / ".venv" / "lib").glob("python3*/site-packages")),
        Path("/usr/lib/python3/dist-packages"),
    ]
    return [site for site in candidates if site.is_dir()]


@pytest.mark.parametrize("site", _oracle_sites(), ids=str)
def test_importlib_metadata_oracle(site: Path) -> None:
    """Every distribution importlib.metadata finds in a real site-packages, and nothing else."""
    expected = {(d.metadata["Name"], d.version) for d in importlib.metadata.distributions(path=[str(site)])}
    prefix = "usr/lib/python3/" + site.name + "/"
    found: set[tuple[str, str]] = set()
    for file in site.rglob("*"):
        relative = prefix + file.relative_to(site).as_posix()
        if file.is_file() and ANALYZER.wants(relative, _info(relative)):
            found |= {(p.name, p.version) for p in ANALYZER.analyze(relative, file.read_bytes()).packages}
    assert expected
    assert found == expected


TRICKY_METADATA = {
    "crlf": (
        b"Metadata-Version: 2.1\r\nName: crlf-dist\r\nVersion: 1.0\r\nLicense-Expression: MIT\r\n\r\nbody"
    ),
    "folded": (
        b"Metadata-Version: 1.1\nSummary: first line\n        second line\n\tthird\n"
        b"Name: folded_dist\nVersion: 2.0.post1\nLicense: BSD\n"
    ),
    "body": b"Metadata-Version: 2.1\nName: body-dist\nVersion: 3.0rc1\n\nName: fake\nVersion: 9.9\n",
    "lower-case-fields": b"metadata-version: 2.1\nname: lower.dist\nversion: 1!4.0+local.7\n",
}


@pytest.mark.parametrize("key", sorted(TRICKY_METADATA))
def test_header_parsing_matches_importlib_metadata(tmp_path: Path, key: str) -> None:
    dist_info = tmp_path / f"{key}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_bytes(TRICKY_METADATA[key])
    oracle = importlib.metadata.PathDistribution(dist_info).metadata
    facts = ANALYZER.analyze(f"{key}.dist-info/METADATA", TRICKY_METADATA[key])
    assert [(p.name, p.version) for p in facts.packages] == [(oracle["Name"], oracle["Version"])]
    declared = oracle.get_all("License-Expression") or oracle.get_all("License") or []
    assert facts.packages[0].licenses == tuple(declared)


@pytest.mark.parametrize(
    "path",
    [
        "random/PKG-INFO",
        "usr/lib/python3/dist-packages/pkg/METADATA",
        "usr/lib/python3/dist-packages/x-1.0.dist-info/RECORD",
        "usr/lib/python3/dist-packages/x-1.0.dist-info/LICENSE",
        "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA.bak",
        "METADATA",
        "srv/app/egg-info.txt",
    ],
)
def test_unrelated_files_are_not_wanted(path: str) -> None:
    assert not ANALYZER.wants(path, _info(path))


def test_directories_named_like_metadata_are_not_wanted() -> None:
    for path in ("site-packages/x-1.0.egg-info", "site-packages/x-1.0-py3.egg"):
        assert not ANALYZER.wants(path, _info(path, FileKind.DIRECTORY))
        assert ANALYZER.wants(path, _info(path))


@pytest.mark.parametrize(
    "content",
    [
        b"Metadata-Version: 2.1\nName: no-version\n",
        b"Metadata-Version: 2.1\nVersion: 1.0\n",
        b"Name: spaced\nVersion: 1.0 beta\n",
        b"Name: x\x00\nVersion: 1.0\n",
        b"<html>not metadata</html>",
    ],
)
def test_malformed_metadata_is_an_analyzer_error(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("site-packages/x.dist-info/METADATA", content)


def test_empty_metadata_is_no_package() -> None:
    assert ANALYZER.analyze("site-packages/x.egg-info", b"\n \n").packages == ()


def test_licence_text_in_the_license_field_is_not_a_licence_name() -> None:
    content = b"Name: x\nVersion: 1\nLicense: Copyright (c) someone\n        Permission is hereby granted\n"
    assert ANALYZER.analyze("x.dist-info/METADATA", content).packages[0].licenses == ()


def test_generic_classifiers_are_not_licences() -> None:
    content = b"Name: x\nVersion: 1\nLicense: GPL\nClassifier: License :: OSI Approved\n"
    assert ANALYZER.analyze("x.dist-info/METADATA", content).packages[0].licenses == ("GPL",)


def _egg(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_truncated_and_corrupt_eggs_are_analyzer_errors() -> None:
    egg = (FANAL_DIR / "testdata/egg-zip/kitchen-1.2.6-py2.7.egg").read_bytes()
    for broken in (egg[: len(egg) // 2], egg[:-30], b"not a zip at all", b""):
        with pytest.raises(AnalyzerError):
            ANALYZER.analyze("site-packages/kitchen.egg", broken)


def test_egg_with_too_many_entries_is_refused() -> None:
    egg = bytearray(_egg({"EGG-INFO/PKG-INFO": b"Name: x\nVersion: 1\n"}))
    end = egg.rfind(b"PK\x05\x06")
    count = (MAX_EGG_ENTRIES + 1).to_bytes(2, "little")
    egg[end + 8 : end + 12] = count + count
    with pytest.raises(AnalyzerError, match="too many"):
        ANALYZER.analyze("site-packages/x.egg", bytes(egg))


def test_egg_member_is_read_with_a_cap() -> None:
    """A compressed member inflating to 64 MiB is read only up to the header cap."""
    bomb = b"Name: bomb\nVersion: 1.0\nSummary: x\n" + b" " * (64 * 1024 * 1024)
    egg = _egg({"EGG-INFO/PKG-INFO": bomb})
    assert len(egg) < HEADER_MAX_BYTES
    facts = ANALYZER.analyze("site-packages/bomb.egg", egg)
    assert [(p.name, p.version) for p in facts.packages] == [("bomb", "1.0")]
