"""Section and segment tables of ELF, PE and Mach-O files, with binutils (readelf, objdump) as oracle."""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from seawall.inventory.executable import (
    MAX_SECTIONS,
    ExecutableError,
    Format,
    looks_executable,
    parse_executable,
    region_bytes,
)
from tests.paths import TRIVY_FIXTURES

GO_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "golang" / "binary" / "testdata"
RUST_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "rust" / "binary" / "testdata"
GO_MAGIC = b"\xff Go buildinf:"
ELF_FILES = [GO_DIR / "test.elf", GO_DIR / "goexperiment", RUST_DIR / "test.elf"]
PE_FILES = [GO_DIR / "test.exe", RUST_DIR / "test.exe"]

needs_readelf = pytest.mark.skipif(shutil.which("readelf") is None, reason="binutils readelf not installed")
needs_objdump = pytest.mark.skipif(shutil.which("objdump") is None, reason="binutils objdump not installed")


def _readelf(args: list[str], path: Path) -> str:
    return subprocess.run(
        ["readelf", "-W", *args, str(path)], check=True, capture_output=True, text=True
    ).stdout


@needs_readelf
@pytest.mark.parametrize("path", ELF_FILES, ids=lambda p: f"{p.parent.parent.parent.name}-{p.name}")
def test_elf_sections_match_readelf(path: Path) -> None:
    expected = []
    for line in _readelf(["-S"], path).splitlines():
        match = re.match(
            r"\s*\[\s*[1-9]\d*\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line
        )
        if match:
            name, kind, addr, off, size = match.groups()
            file_size = 0 if kind == "NOBITS" else int(size, 16)
            expected.append((name, int(addr, 16), int(off, 16), file_size))
    exe = parse_executable(path.read_bytes())
    assert exe.format is Format.ELF and exe.bits == 64 and not exe.big_endian
    assert [(s.name, s.addr, s.offset, s.file_size) for s in exe.sections] == expected


@needs_readelf
@pytest.mark.parametrize("path", ELF_FILES[:2], ids=lambda p: p.name)
def test_elf_load_segments_match_readelf(path: Path) -> None:
    expected = []
    for line in _readelf(["-l"], path).splitlines():
        fields = line.split()
        if fields[:1] == ["LOAD"]:
            offset, vaddr, _, filesz, memsz = (int(value, 16) for value in fields[1:6])
            flags = "".join(fields[6:-1])
            expected.append((vaddr, offset, filesz, memsz, "W" in flags, "E" in flags))
    exe = parse_executable(path.read_bytes())
    got = [(s.addr, s.offset, s.file_size, s.mem_size, s.writable, s.executable) for s in exe.segments]
    assert got == expected and expected


@needs_objdump
@pytest.mark.parametrize("path", PE_FILES, ids=lambda p: f"{p.parent.parent.parent.name}-{p.name}")
def test_pe_sections_match_objdump(path: Path) -> None:
    listing = subprocess.run(["objdump", "-h", str(path)], check=True, capture_output=True, text=True).stdout
    expected = {}
    for line in listing.splitlines():
        match = re.match(r"\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if match:
            name, _size, vma, offset = match.groups()
            expected[name] = (int(vma, 16), int(offset, 16))
    exe = parse_executable(path.read_bytes())
    assert exe.format is Format.PE and exe.bits == 64
    assert {s.name: (s.addr, s.offset) for s in exe.sections} == expected


def test_go_buildinfo_section_is_where_the_magic_is() -> None:
    """On all three formats the named section (or its address) leads to the linker's header."""
    for path, name in [(GO_DIR / "test.elf", ".go.buildinfo"), (GO_DIR / "test.macho", "__go_buildinfo")]:
        content = path.read_bytes()
        exe = parse_executable(content)
        section = exe.section(name)
        assert section is not None
        assert region_bytes(content, section, 14) == GO_MAGIC
        assert exe.read_address(content, section.addr, 14) == GO_MAGIC
    assert parse_executable((GO_DIR / "test.macho").read_bytes()).format is Format.MACHO


@pytest.mark.parametrize("name", ["test.elf", "test.exe", "test.macho"])
def test_cargo_auditable_section_decompresses_to_json(name: str) -> None:
    content = (RUST_DIR / name).read_bytes()
    section = parse_executable(content).section(".dep-v0")
    assert section is not None
    assert zlib.decompress(region_bytes(content, section)).startswith(b'{"packages":')


def test_read_address_outside_every_segment() -> None:
    content = (GO_DIR / "test.elf").read_bytes()
    exe = parse_executable(content)
    top = max(s.addr + s.mem_size for s in exe.segments)
    assert exe.read_address(content, top + 16, 8) is None
    assert exe.read_address(content, -1, 8) is None


def _elf32_big_endian(payload: bytes) -> bytes:
    """A minimal 32-bit big-endian ELF: one PT_LOAD segment, sections .data and .shstrtab."""
    names = b"\0.data\0.shstrtab\0"
    data_off = 52 + 32
    names_off = data_off + len(payload)
    sh_off = names_off + len(names)
    header = b"\x7fELF\x01\x02\x01" + bytes(9)
    header += struct.pack(">HHIIIIIHHHHHH", 2, 8, 1, 0x400000, 52, sh_off, 0, 52, 32, 1, 40, 3, 2)
    program = struct.pack(">IIIIIIII", 1, data_off, 0x10000 + data_off, 0, len(payload), len(payload), 6, 4)
    null = bytes(40)
    data = struct.pack(">IIIIIIIIII", 1, 1, 3, 0x10000 + data_off, data_off, len(payload), 0, 0, 4, 0)
    strtab = struct.pack(">IIIIIIIIII", 7, 3, 0, 0, names_off, len(names), 0, 0, 1, 0)
    return header + program + payload + names + null + data + strtab


def test_elf32_big_endian() -> None:
    content = _elf32_big_endian(b"hello, world")
    exe = parse_executable(content)
    assert (exe.format, exe.bits, exe.big_endian) == (Format.ELF, 32, True)
    section = exe.section(".data")
    assert section is not None and region_bytes(content, section) == b"hello, world"
    assert exe.read_address(content, section.addr + 7, 5) == b"world"
    assert [s.name for s in exe.sections] == [".data", ".shstrtab"]
    assert exe.segments[0].writable and not exe.segments[0].executable


def test_looks_executable() -> None:
    assert looks_executable(b"\x7fELF\x02\x01")
    assert looks_executable(b"MZ\x90\x00")
    assert looks_executable(b"\xcf\xfa\xed\xfe")
    assert not looks_executable(b"#!/bin/sh\n")
    assert not looks_executable(b"\xca\xfe\xba\xbe")  # fat Mach-O or a Java class: not supported
    assert not looks_executable(b"")


@pytest.mark.parametrize(
    "content",
    [
        b"\x7fELF",
        b"\x7fELF\x03\x01" + bytes(60),
        (GO_DIR / "test.elf").read_bytes()[:64],
        (GO_DIR / "test.elf").read_bytes()[:1000],
        (RUST_DIR / "test.elf").read_bytes()[:-1024],
        b"MZ" + bytes(100),
        b"MZ" + bytes(58) + struct.pack("<I", 64) + b"PE\0\0" + bytes(8),
        b"\xcf\xfa\xed\xfe" + struct.pack("<iiIIII", 7, 3, 2, 100, 1 << 30, 0),
        b"\xcf\xfa\xed\xfe" + struct.pack("<iiIIII", 7, 3, 2, 1_000_000, 8, 0),
        b"#!/bin/sh\n",
    ],
    ids=[
        "magic-only",
        "bad-class",
        "header-only",
        "go-truncated",
        "rust-truncated",
        "mz-only",
        "pe-truncated",
        "macho-cmds",
        "macho-ncmds",
        "script",
    ],
)
def test_corrupt_headers_raise_executable_error(content: bytes) -> None:
    with pytest.raises(ExecutableError):
        parse_executable(content)


def test_too_many_sections() -> None:
    header = b"\x7fELF\x02\x01\x01" + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0, 0, 64, 0, 64, 56, 0, 64, MAX_SECTIONS + 1, 0)
    with pytest.raises(ExecutableError, match="too many"):
        parse_executable(header + bytes(64))


@pytest.mark.parametrize("name", ["test.elf", "test.exe", "test.macho"])
def test_mutated_headers_never_raise_anything_else(name: str) -> None:
    original = (GO_DIR / name).read_bytes()
    rng = random.Random(name)
    for _ in range(150):
        content = bytearray(original[: rng.choice([len(original), 8192, 4096, 600])])
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(min(len(content), 1024))
            content[position] = rng.randrange(256)
        try:
            exe = parse_executable(bytes(content))
        except ExecutableError:
            continue
        for section in exe.sections:
            assert section.file_size == 0 or section.offset + section.file_size <= len(content)


@pytest.mark.parametrize("bits", [32, 64])
def test_synthetic_macho_and_pe(bits: int) -> None:
    from tests.inventory.test_go_binary import _macho, _pe

    payload = b"payload bytes"
    macho = parse_executable(_macho(payload, 0x4000, bits, True, "__sect"))
    assert (macho.format, macho.bits, macho.big_endian) == (Format.MACHO, bits, True)
    section = macho.section("__sect", "__DATA")
    assert section is not None and (section.addr, section.file_size) == (0x4000, len(payload))
    assert macho.section("__sect", "__TEXT") is None
    content = _pe(payload, 0x401000, bits, False, "")
    pe = parse_executable(content)
    assert (pe.format, pe.bits) == (Format.PE, bits)
    (data,) = pe.sections
    assert data.name == ".data" and data.writable and not data.executable
    assert pe.read_address(content, 0x401000 + 8, 5) == b"bytes"
