"""Go build info against Trivy's and Syft's expectations; Trivy itself and Debian's Built-Using as oracles."""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo, FileKind
from seawall.inventory.analyzers.go_binary import (
    MAGIC,
    GoBinaryAnalyzer,
    Module,
    packages,
    parse_modinfo,
    read_build_info,
    stdlib_version,
)
from seawall.model import Facts
from tests.paths import REPO, SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "golang" / "binary"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "golang" / "binary"
ANALYZER = GoBinaryAnalyzer()
SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


PARSE = _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")
INTERNAL = _tables(PARSER_DIR / "_transcribed_expected.parse_internal_test.json")
FANAL = _tables(FANAL_DIR / "_transcribed_expected.binary_test.json")
SYFT = _tables(SYFT_CATALOGERS / "golang" / "_transcribed_expected.parse_go_binary_test.json")


def _pairs(facts: Facts) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in facts.packages}


def _trivy_expectation(wanted: list[dict[str, Any]], ldflags_main: bool) -> set[tuple[str, str]]:
    """Trivy's packages, with the main module as the binary records it.

    Trivy reports a ``(devel)`` main module with an empty version and takes a version from
    ``-ldflags -X`` when there is one; we keep the module version the build info records.
    """
    expected = set()
    for package in wanted:
        version = package["Version"]
        if package.get("Relationship", {}).get("_ident", "").endswith("RelationshipRoot") and (
            version == "" or ldflags_main
        ):
            version = "(devel)"
        expected.add((package["Name"], version))
    return expected


def _parse_cases() -> list[Any]:
    cases = []
    for case in PARSE["TestParse"][0]:
        path = PARSER_DIR / case["inputFile"]
        marks = (
            [] if path.exists() else [pytest.mark.skip(reason=f"{case['inputFile']} is not in the fixtures")]
        )
        cases.append(pytest.param(case, id=case["name"], marks=marks))
    return cases


@pytest.mark.parametrize("case", _parse_cases())
def test_trivy_parser_cases(case: dict[str, Any]) -> None:
    path = PARSER_DIR / case["inputFile"]
    facts = ANALYZER.analyze(case["inputFile"], path.read_bytes())
    if "wantErr" in case:  # "unrecognized executable format": not an executable, nothing to report
        assert facts.empty
        return
    wanted = case["wantPkgs"]
    if isinstance(wanted, dict):
        wanted = PARSE[f"var:{wanted['_ident']}"][0]
    assert _pairs(facts) == _trivy_expectation(wanted, "ldflags" in case["name"])
    assert all(p.type == "golang" and p.found_by == "go-binary" for p in facts.packages)


def test_toolchain_property_on_the_main_module() -> None:
    facts = ANALYZER.analyze("x", (PARSER_DIR / "testdata" / "semver-main-module-version.macho").read_bytes())
    main = next(p for p in facts.packages if p.name == "go.etcd.io/bbolt")
    assert main.property("go:toolchain") == "go1.20.6"
    stdlib = next(p for p in facts.packages if p.name == "stdlib")
    assert stdlib.version == "v1.20.6" and stdlib.properties == ()


def test_trivy_analyzer_cases() -> None:
    for case in FANAL["Test_gobinaryLibraryAnalyzer_Analyze"][0]:
        facts = ANALYZER.analyze(case["inputFile"], (FANAL_DIR / case["inputFile"]).read_bytes())
        if "want" not in case:  # not a Go binary, broken ELF: no packages and no error
            assert facts.empty, case["name"]
            continue
        (application,) = case["want"]["Applications"]
        assert _pairs(facts) == _trivy_expectation(application["Packages"], False)


def test_wants_trivy_cases() -> None:
    modes = {"testdata/0755": 0o755, "testdata/binary.exe": 0o755, "testdata/0644": 0o644}
    for case in FANAL["Test_gobinaryLibraryAnalyzer_Required"][0]:
        path = case["filePath"]
        if isinstance(path, dict):
            path = "testdata/0755"
        if path == "testdata/symlink":
            info = FileInfo(path, 0, 0o777, FileKind.SYMLINK, link_target="0755")
        else:
            info = FileInfo(path, 0, modes[path])
        assert ANALYZER.wants(path, info) is case["want"], case["name"]
    assert not ANALYZER.wants("big", FileInfo("big", ANALYZER.max_size + 1, 0o755))
    assert not ANALYZER.wants("dir", FileInfo("dir", 0, 0o755, FileKind.DIRECTORY))


@pytest.mark.parametrize("case", INTERNAL["TestParseStdlibVersion"][0], ids=lambda c: c["name"])
def test_stdlib_version(case: dict[str, str]) -> None:
    assert stdlib_version(case["goVersion"]) == case["want"]


def test_stdlib_version_of_a_development_toolchain() -> None:
    assert stdlib_version("devel go1.23-1234abcd") == ""


def _syft_modinfo(build: dict[str, Any]) -> str:
    """The module text the linker would write for one of Syft's BuildInfo literals."""
    lines = []
    if build.get("Path"):
        lines.append(f"path\t{build['Path']}")
    main = build.get("Main")
    if main:
        lines.append(f"mod\t{main['Path']}\t{main.get('Version', '')}\t")
    for dep in build.get("Deps", []):
        replace = dep.get("Replace")
        version = dep.get("Version", "")
        if replace:
            lines.append(f"dep\t{dep['Path']}\t{version}")
            lines.append(f"=>\t{replace['Path']}\t{replace.get('Version', '')}\t{replace.get('Sum', '')}")
        else:
            lines.append(f"dep\t{dep['Path']}\t{version}\t{dep.get('Sum', '')}")
    return "\n".join(lines) + "\n"


SYFT_CASES = [
    "package without name",
    "parse a mod without main module",
    "parse a populated mod string and returns packages when a replace directive exists",
    "parse a populated mod string and returns packages but no source info",
]


@pytest.mark.parametrize("name", SYFT_CASES)
def test_syft_dependency_cases(name: str) -> None:
    case = next(c for c in SYFT["TestBuildGoPkgInfo"][0] if c["name"] == name)
    build = case["mod"]["BuildInfo"]
    info = parse_modinfo("go1.22.2", _syft_modinfo(build))
    main = (build.get("Main") or {}).get("Path")
    ours = {(p.name, p.version) for p in packages(info) if p.name not in ("stdlib", main)}
    # entries without a name stand for Syft's main-module variables
    assert ours == {(p["Name"], p.get("Version", "")) for p in case["expected"] if "Name" in p}


def test_syft_command_line_arguments_case() -> None:
    """Syft reports the synthetic ``command-line-arguments`` module; it is no module, so we do not."""
    name = (
        "parse a populated mod string and returns packages when a replace directive and synthetic main module"
    )
    case = next(c for c in SYFT["TestBuildGoPkgInfo"][0] if c["name"].startswith(name))
    build = case["mod"]["BuildInfo"]
    for dep in build["Deps"]:  # the literal's versions are Go identifiers standing for "(devel)"
        dep["Version"] = dep["Version"] if isinstance(dep["Version"], str) else "(devel)"
        if "Replace" in dep:
            dep["Replace"]["Version"] = "(devel)"
    build["Main"]["Version"] = "(devel)"
    ours = {(p.name, p.version) for p in packages(parse_modinfo("go1.22.2", _syft_modinfo(build)))}
    expected = {(p["Name"], p["Version"]) for p in case["expected"]} - {("command-line-arguments", "")}
    assert ours - {("stdlib", "v1.22.2")} == expected


def test_local_replacement_keeps_the_required_path() -> None:
    info = parse_modinfo(
        "go1.21.0", "mod\texample.com/app\t(devel)\t\ndep\texample.com/lib\tv0.0.0\n=>\t./lib\t(devel)\t\n"
    )
    (lib,) = [p for p in packages(info) if p.name == "example.com/lib"]
    assert lib.version == "" and lib.property("go:replaced-by") == "./lib"
    assert info.deps == (Module("example.com/lib", "v0.0.0", Module("./lib", "(devel)")),)


def _elf(payload: bytes, base: int, bits: int, big_endian: bool, section: str) -> bytes:
    """A minimal static ELF: one PT_LOAD segment mapping ``payload`` at ``base``, named ``section``."""
    o = ">" if big_endian else "<"
    w = "I" if bits == 32 else "Q"
    ehsize, phsize, shsize = (52, 32, 40) if bits == 32 else (64, 56, 64)
    names = b"\0" + section.encode() + b"\0.shstrtab\0"
    data_off = ehsize + phsize
    names_off = data_off + len(payload)
    sh_off = names_off + len(names)
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if big_endian else 1, 1]) + bytes(9)
    header = ident + struct.pack(
        f"{o}HHI{w}{w}{w}IHHHHHH", 2, 3, 1, base, ehsize, sh_off, 0, ehsize, phsize, 1, shsize, 3, 2
    )
    if bits == 32:
        program = struct.pack(f"{o}8I", 1, data_off, base, base, len(payload), len(payload), 6, 16)
        sections = struct.pack(f"{o}10I", *[0] * 10)
        sections += struct.pack(f"{o}10I", 1, 1, 3, base, data_off, len(payload), 0, 0, 16, 0)
        sections += struct.pack(f"{o}10I", 2 + len(section), 3, 0, 0, names_off, len(names), 0, 0, 1, 0)
    else:
        program = struct.pack(f"{o}IIQQQQQQ", 1, 6, data_off, base, base, len(payload), len(payload), 16)
        sections = bytes(64)
        sections += struct.pack(f"{o}IIQQQQIIQQ", 1, 1, 3, base, data_off, len(payload), 0, 0, 16, 0)
        sections += struct.pack(
            f"{o}IIQQQQIIQQ", 2 + len(section), 3, 0, 0, names_off, len(names), 0, 0, 1, 0
        )
    return header + program + payload + names + sections


MODINFO = (
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\tv1.2.3\th1:aaaa\n"
    "dep\texample.com/lib\tv0.1.0\th1:bbbb\n"
    "dep\texample.com/old\tv1.0.0\n"
    "=>\texample.com/new\tv1.1.0\th1:cccc\n"
    "build\tGOOS=linux\n"
)
EXPECTED = {
    ("example.com/app", "v1.2.3"),
    ("stdlib", "v1.16.15"),
    ("example.com/lib", "v0.1.0"),
    ("example.com/new", "v1.1.0"),
}


def _macho(payload: bytes, base: int, bits: int, big_endian: bool, section: str) -> bytes:
    """A minimal Mach-O: one writable ``__DATA`` segment holding one section named ``section``."""
    o = ">" if big_endian else "<"
    w = "I" if bits == 32 else "Q"
    header_size, segment_size, section_size = (28, 56, 68) if bits == 32 else (32, 72, 80)
    data_off = header_size + segment_size + section_size
    magic = {32: 0xFEEDFACE, 64: 0xFEEDFACF}[bits]
    header = struct.pack(f"{o}IiiIIII", magic, 7, 3, 2, 1, segment_size + section_size, 0)
    header += b"" if bits == 32 else bytes(4)
    size = len(payload)
    segment = struct.pack(
        f"{o}II16s{w}{w}{w}{w}iiII",
        0x1 if bits == 32 else 0x19,
        segment_size + section_size,
        b"__DATA",
        base,
        size,
        data_off,
        size,
        3,
        3,
        1,
        0,
    )
    sect = struct.pack(
        f"{o}16s16s{w}{w}IIIIIII" + ("" if bits == 32 else "I"),
        section.encode(),
        b"__DATA",
        base,
        size,
        data_off,
        4,
        0,
        0,
        0,
        0,
        0,
        *(() if bits == 32 else (0,)),
    )
    return header + segment + sect + payload


def _pe(payload: bytes, base: int, bits: int, big_endian: bool, section: str) -> bytes:
    """A minimal PE (always little-endian): one initialized, writable ``.data`` section at ``base``."""
    image_base = base - 0x1000
    optional = bytearray(224 if bits == 32 else 240)
    if bits == 32:
        optional[0:2], optional[28:32] = struct.pack("<H", 0x10B), struct.pack("<I", image_base)
    else:
        optional[0:2], optional[24:32] = struct.pack("<H", 0x20B), struct.pack("<Q", image_base)
    machine = 0x14C if bits == 32 else 0x8664
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, len(optional), 0x102)
    data_off = 0x40 + len(coff) + len(optional) + 40
    table = struct.pack(
        "<8sIIIIIIHHI", b".data", len(payload), 0x1000, len(payload), data_off, 0, 0, 0, 0, 0xC0000040
    )
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40)
    return dos + coff + bytes(optional) + table + payload


def _pointer_format(bits: int, big_endian: bool, container: Any = _elf) -> bytes:
    """A Go 1.13-1.17 style binary: the header points at two Go string headers."""
    base = 0x10000
    version = b"go1.16.15"
    ptr = bits // 8
    fmt = (">" if big_endian else "<") + ("I" if ptr == 4 else "Q")
    mod = SENTINEL_START + MODINFO.encode() + SENTINEL_END
    strings_at = 32 + 4 * ptr
    header = MAGIC + bytes([ptr, 1 if big_endian else 0])
    header += struct.pack(fmt, base + 32) + struct.pack(fmt, base + 32 + 2 * ptr)
    header = header.ljust(32, b"\0")
    string_headers = struct.pack(fmt, base + strings_at) + struct.pack(fmt, len(version))
    string_headers += struct.pack(fmt, base + strings_at + len(version)) + struct.pack(fmt, len(mod))
    return container(header + string_headers + version + mod, base, bits, big_endian, _SECTIONS[container])


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out) + bytes([value])


def _inline_format(bits: int, big_endian: bool, container: Any = _elf) -> bytes:
    version = b"go1.16.15"
    mod = SENTINEL_START + MODINFO.encode() + SENTINEL_END
    header = (MAGIC + bytes([bits // 8, 2])).ljust(32, b"\0")
    payload = header + _uvarint(len(version)) + version + _uvarint(len(mod)) + mod
    return container(payload, 0x10000, bits, big_endian, _SECTIONS[container])


_SECTIONS = {_elf: ".go.buildinfo", _macho: "__go_buildinfo", _pe: ".data"}


@pytest.mark.parametrize("bits", [32, 64])
@pytest.mark.parametrize(
    ("container", "big_endian"),
    [(_elf, False), (_elf, True), (_macho, False), (_macho, True), (_pe, False)],
    ids=["elf-le", "elf-be", "macho-le", "macho-be", "pe"],
)
@pytest.mark.parametrize("build", [_pointer_format, _inline_format], ids=["pointers", "inline"])
def test_synthetic_formats(build: Any, container: Any, bits: int, big_endian: bool) -> None:
    content = build(bits, big_endian, container)
    assert _pairs(ANALYZER.analyze("app", content)) == EXPECTED


def test_without_named_section_the_writable_segment_is_searched() -> None:
    content = _pointer_format(64, False).replace(b".go.buildinfo", b".renamedsect!")
    assert _pairs(ANALYZER.analyze("app", content)) == EXPECTED


def test_magic_off_the_16_byte_alignment_is_ignored() -> None:
    aligned = _inline_format(64, False)
    start = aligned.index(MAGIC)
    payload = aligned[start : aligned.index(b"\0.go.buildinfo\0")]
    assert _pairs(ANALYZER.analyze("app", _elf(payload, 0x10000, 64, False, ".go.buildinfo"))) == EXPECTED
    shifted = _elf(bytes(8) + payload, 0x10000, 64, False, ".go.buildinfo")
    assert ANALYZER.analyze("app", shifted).empty


def test_sad_paths() -> None:
    assert ANALYZER.analyze("x", b"").empty
    assert ANALYZER.analyze("x", b"#!/bin/sh\n" + MAGIC + bytes(64)).empty
    assert ANALYZER.analyze("x", random.Random(1).randbytes(4096) + MAGIC + bytes(32)).empty
    headerless = b"\x7fELF\x02\x01\x01" + bytes(57) + MAGIC + bytes(64)  # no sections, no segments
    assert ANALYZER.analyze("x", headerless).empty
    with pytest.raises(AnalyzerError, match="corrupt executable"):
        ANALYZER.analyze("x", b"\x7fELF\x07\x01\x01" + bytes(9) + MAGIC + bytes(64))


def test_pointers_outside_the_file() -> None:
    content = bytearray(_pointer_format(64, False))
    at = content.index(MAGIC) + 16
    content[at : at + 8] = struct.pack("<Q", 0xDEAD0000)
    with pytest.raises(AnalyzerError, match="outside the file"):
        ANALYZER.analyze("x", bytes(content))


def test_inline_string_longer_than_its_section() -> None:
    content = bytearray(_inline_format(64, False))
    at = content.index(MAGIC) + 32
    content[at : at + 1] = _uvarint(1 << 20)[:1]
    content[at + 1 : at + 1] = _uvarint(1 << 20)[1:]
    with pytest.raises(AnalyzerError):
        ANALYZER.analyze("x", bytes(content))


def test_bad_pointer_size() -> None:
    content = bytearray(_pointer_format(64, False))
    content[content.index(MAGIC) + 14] = 3
    with pytest.raises(AnalyzerError, match="pointer size"):
        ANALYZER.analyze("x", bytes(content))


@pytest.mark.parametrize("name", ["test.elf", "test.exe", "test.macho", "goexperiment"])
def test_mutated_binaries_raise_only_analyzer_error(name: str) -> None:
    original = (PARSER_DIR / "testdata" / name).read_bytes()
    start = original.index(MAGIC)
    rng = random.Random(name)
    for _ in range(60):
        content = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            position = start + rng.randrange(0, 0x200) if rng.random() < 0.8 else rng.randrange(0, 2048)
            content[position] = rng.randrange(256)
        with contextlib.suppress(AnalyzerError):
            ANALYZER.analyze(name, bytes(content))
    assert read_build_info(original) is not None


def test_truncated_binary() -> None:
    original = (PARSER_DIR / "testdata" / "test.elf").read_bytes()
    for size in (100, 1000, original.index(MAGIC) + 20, len(original) // 2):
        try:
            facts = ANALYZER.analyze("x", original[:size])
        except AnalyzerError:
            continue
        assert facts.empty


HOST_BINARIES = [
    Path("/usr/bin/umoci"),
    Path("/usr/bin/skopeo"),
    Path("/usr/lib/google-cloud-sdk/bin/kpt"),
    Path("/usr/lib/google-cloud-sdk/bin/kubectl"),
]
TRIVY = REPO / ".venv" / "bin" / "trivy"


@pytest.mark.slow
@pytest.mark.skipif(not TRIVY.exists(), reason="no trivy binary in the virtualenv")
@pytest.mark.parametrize("binary", HOST_BINARIES, ids=lambda p: p.name)
def test_trivy_oracle_on_host_binaries(binary: Path, tmp_path: Path) -> None:
    """Trivy's ``gobinary`` packages for a real Go program (only read here, never run)."""
    if not binary.exists():
        pytest.skip(f"{binary} not installed")
    shutil.copy(binary, tmp_path / binary.name)
    run = subprocess.run(
        [
            *(str(TRIVY), "rootfs", "--cache-dir", str(tmp_path / "cache"), "--format", "json"),
            *("--list-all-pkgs", "--offline-scan", "--scanners", "", "-q", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (result,) = [r for r in json.loads(run.stdout)["Results"] if r["Type"] == "gobinary"]
    facts = ANALYZER.analyze(binary.name, (tmp_path / binary.name).read_bytes())
    info = read_build_info((tmp_path / binary.name).read_bytes())
    assert info is not None
    main = info.main.path if info.main else None
    theirs = {(p["Name"], p.get("Version", "")) for p in result["Packages"] if p["Name"] != main}
    # Trivy drops "(devel)" versions; the main module's version it may take from -ldflags.
    ours = {(p.name, "" if p.version == "(devel)" else p.version) for p in facts.packages if p.name != main}
    assert ours == theirs
    assert ("stdlib", stdlib_version(info.go_version)) in theirs


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_toolchain_matches_debian_built_using() -> None:
    """Debian records the Go compiler a package was built with in its Built-Using field."""
    run = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Built-Using}", "umoci"], capture_output=True, text=True
    )
    if run.returncode != 0 or not Path("/usr/bin/umoci").exists():
        pytest.skip("umoci is not installed")
    golang = [part.strip() for part in run.stdout.split(",") if part.strip().startswith("golang-1.")]
    (entry,) = golang
    upstream = entry.split("(= ")[1].split("-")[0]
    facts = ANALYZER.analyze("usr/bin/umoci", Path("/usr/bin/umoci").read_bytes())
    assert ("stdlib", f"v{upstream}") in _pairs(facts)
