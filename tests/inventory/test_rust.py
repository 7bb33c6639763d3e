"""Rust: ``cargo auditable`` binaries and ``Cargo.lock`` against Trivy's and Syft's expectations."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo, FileKind
from seawall.inventory.analyzers.cargo_lock import CargoLockAnalyzer
from seawall.inventory.analyzers.rust_binary import RustBinaryAnalyzer
from seawall.model import Facts
from tests.inventory.test_go_binary import _elf
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

BINARY_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "rust" / "binary"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "rust" / "binary"
CARGO_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "rust" / "cargo"
SYFT_DIR = SYFT_CATALOGERS / "rust"
BINARY = RustBinaryAnalyzer()
LOCK = CargoLockAnalyzer()


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


def _pairs(facts: Facts) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in facts.packages}


# cargo auditable binaries

BINARY_TABLES = _tables(BINARY_DIR / "_transcribed_expected.parse_test.json")
FANAL_TABLES = _tables(FANAL_DIR / "_transcribed_expected.binary_test.json")


@pytest.mark.parametrize("case", BINARY_TABLES["TestParse"][0], ids=lambda c: c["name"])
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    facts = BINARY.analyze(case["inputFile"], (BINARY_DIR / case["inputFile"]).read_bytes())
    if "wantErr" in case:  # "unrecognized executable format": not an executable, nothing to report
        assert facts.empty
        return
    wanted = BINARY_TABLES[f"var:{case['want']['_ident']}"][0]
    assert _pairs(facts) == {(p["Name"], p["Version"]) for p in wanted}
    assert all(p.type == "cargo" and p.found_by == "rust-binary" for p in facts.packages)
    # both crates of the fixture are built from local paths ("source": "local")
    assert all(p.property("cargo:source") == "local" for p in facts.packages)


def test_trivy_analyzer_cases() -> None:
    for case in FANAL_TABLES["Test_rustBinaryLibraryAnalyzer_Analyze"][0]:
        facts = BINARY.analyze(case["inputFile"], (FANAL_DIR / case["inputFile"]).read_bytes())
        if "want" not in case:  # not a Rust binary, broken ELF: nothing and no error
            assert facts.empty, case["name"]
            continue
        (application,) = case["want"]["Applications"]
        assert _pairs(facts) == {(p["Name"], p["Version"]) for p in application["Packages"]}


def test_wants_trivy_cases() -> None:
    modes = {"testdata/0755": 0o755, "testdata/0644": 0o644}
    for case in FANAL_TABLES["Test_rustBinaryLibraryAnalyzer_Required"][0]:
        path = case["filePath"] if isinstance(case["filePath"], str) else "testdata/0755"
        if path == "testdata/symlink":
            info = FileInfo(path, 0, 0o777, FileKind.SYMLINK, link_target="0755")
        else:
            info = FileInfo(path, 0, modes[path])
        assert BINARY.wants(path, info) is case["want"], case["name"]


def _auditable(document: Any = None, raw: bytes | None = None) -> bytes:
    data = raw if raw is not None else zlib.compress(json.dumps(document).encode())
    return _elf(data, 0x20000, 64, False, ".dep-v0")


def test_build_dependencies_are_left_out() -> None:
    document = {
        "packages": [
            {"name": "app", "version": "0.1.0", "source": "local", "dependencies": [1, 2], "root": True},
            {"name": "serde", "version": "1.0.215", "source": "registry", "kind": "runtime"},
            {"name": "cc", "version": "1.2.0", "source": "registry", "kind": "build"},
            {"name": "no-version", "source": "registry"},
            "not an object",
        ]
    }
    facts = BINARY.analyze("app", _auditable(document))
    assert _pairs(facts) == {("app", "0.1.0"), ("serde", "1.0.215")}
    serde = next(p for p in facts.packages if p.name == "serde")
    assert serde.properties == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not zlib at all", "not zlib"),
        (zlib.compress(b" " * (33 * 1024 * 1024)), "decompresses to more than"),
        (zlib.compress(b"[" * 200_000 + b"]" * 200_000), "not JSON|no package list"),
        (zlib.compress(b'{"packages": 3}'), "no package list"),
        (zlib.compress(b"\xff\xfe"), "not JSON"),
    ],
    ids=["not-zlib", "zlib-bomb", "deep-json", "wrong-shape", "not-utf8"],
)
def test_bad_audit_data(raw: bytes, message: str) -> None:
    with pytest.raises(AnalyzerError, match=message):
        BINARY.analyze("app", _auditable(raw=raw))


def test_sad_paths() -> None:
    assert BINARY.analyze("x", b"random text mentioning .dep-v0").empty
    assert BINARY.analyze("x", b"\x7fELF\x02\x01\x01" + bytes(57)).empty
    with pytest.raises(AnalyzerError, match="corrupt executable"):
        BINARY.analyze("x", b"\x7fELF\x09\x01" + bytes(20) + b".dep-v0")
    truncated = (BINARY_DIR / "testdata" / "test.elf").read_bytes()[:-1024]
    with pytest.raises(AnalyzerError):
        BINARY.analyze("x", truncated)


# Cargo.lock

CARGO_TABLES = _tables(CARGO_DIR / "_transcribed_expected.parse_test.json")
CARGO_CASES = {
    "cargo_normal.lock": "var:cargoNormalPkgs",
    "cargo_mixed.lock": "var:cargoMixedPkgs",
    "cargo_v3.lock": "var:cargoV3Pkgs",
}


@pytest.mark.parametrize(("name", "table"), CARGO_CASES.items())
def test_trivy_cargo_lock_cases(name: str, table: str) -> None:
    facts = LOCK.analyze("Cargo.lock", (CARGO_DIR / "testdata" / name).read_bytes())
    assert _pairs(facts) == {(p["Name"], p["Version"]) for p in CARGO_TABLES[table][0]}
    assert facts.warnings == ()
    assert all(p.type == "cargo" and p.found_by == "cargo-lock" for p in facts.packages)


def test_crates_without_source_are_local() -> None:
    text = (CARGO_DIR / "testdata" / "cargo_v3.lock").read_text()
    local = set(re.findall(r'name = "([^"]+)"\nversion = "[^"]+"\n(?!source)', text))
    facts = LOCK.analyze("Cargo.lock", text.encode())
    assert local and {p.name for p in facts.packages if p.property("cargo:source") == "local"} == local


def test_trivy_invalid_lock_file() -> None:
    with pytest.raises(AnalyzerError, match="not valid TOML"):
        LOCK.analyze("Cargo.lock", (CARGO_DIR / "testdata" / "cargo_invalid.lock").read_bytes())


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


SYFT_LOCK_TABLES = _tables(SYFT_DIR / "_transcribed_expected.parse_cargo_lock_test.json")
SYFT_CATALOGER_TABLES = _tables(SYFT_DIR / "_transcribed_expected.cataloger_test.json")


@pytest.mark.parametrize(
    ("fixture", "idents"),
    [
        ("Cargo.lock", SYFT_LOCK_TABLES["var:expectedPkgs"][0]),
        ("Cargo.lock-with-git-deps", SYFT_LOCK_TABLES["var:expectedPkgs"][1]),
        ("path-deps/Cargo.lock", SYFT_LOCK_TABLES["var:expectedPkgs"][2]),
        ("image-audit/Cargo.lock", SYFT_CATALOGER_TABLES["var:expectedPkgs"][0]),  # lock file version 4
    ],
)
def test_syft_cargo_lock_cases(fixture: str, idents: list[dict[str, str]]) -> None:
    """Syft's expectations are Go variable names (``windowsSys52``, ``regexGit``): match by prefix.

    Syft keeps a registry crate and a git crate of the same name and version apart; a package key
    has no source, so we report such a pair once.
    """
    expected = [_normalised(ident["_ident"]) for ident in idents]
    ours = [
        _normalised(p.name)
        for p in LOCK.analyze("Cargo.lock", (SYFT_DIR / "testdata" / fixture).read_bytes()).packages
    ]
    assert all(any(e.startswith(name) for name in ours) for e in expected)
    assert all(any(e.startswith(name) for e in expected) for name in ours)
    if "git" not in fixture:
        assert len(ours) == len(expected)


def test_cargo_lock_v1_root_table_and_bad_entries() -> None:
    text = """
[root]
name = "app"
version = "0.1.0"
dependencies = ["libc 0.2.54 (registry+https://example.invalid/index)"]

[[package]]
name = "libc"
version = "0.2.54"
source = "registry+https://example.invalid/index"

[[package]]
name = "no-version"
source = "registry+https://example.invalid/index"

[[package]]
name = "libc"
version = "0.2.54"
source = "registry+https://example.invalid/index"
"""
    facts = LOCK.analyze("Cargo.lock", text.encode())
    assert [(p.name, p.version) for p in facts.packages] == [("app", "0.1.0"), ("libc", "0.2.54")]
    assert facts.packages[0].property("cargo:source") == "local"
    assert len(facts.warnings) == 1 and "#3" in facts.warnings[0]


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"a = " + b"[" * 100_000 + b"]" * 100_000,
        b'package = "x"',
        b"[[package]\nname = 1",
    ],
    ids=["not-utf8", "deep-nesting", "package-not-tables", "broken-toml"],
)
def test_bad_lock_files(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        LOCK.analyze("Cargo.lock", content)


def test_cargo_lock_wants() -> None:
    assert LOCK.wants("Cargo.lock", FileInfo("Cargo.lock", 100, 0o644))
    assert LOCK.wants("src/app/Cargo.lock", FileInfo("src/app/Cargo.lock", 100, 0o644))
    for path in ["src/appCargo.lock", "Cargo.lock.orig", "Cargo.toml", "cargo.lock"]:
        assert not LOCK.wants(path, FileInfo(path, 100, 0o644)), path
    assert not LOCK.wants("Cargo.lock", FileInfo("Cargo.lock", 0, 0o777, FileKind.SYMLINK))
    # Syft's glob test: of testdata/glob-paths only src/Cargo.lock is a lock file
    root = SYFT_DIR / "testdata" / "glob-paths"
    found = [
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and LOCK.wants(str(p.relative_to(root)), FileInfo(str(p.relative_to(root)), 1, 0o644))
    ]
    assert found == SYFT_CATALOGER_TABLES["Test_CargoLockCataloger_Globs"][0][0]["expected"]
