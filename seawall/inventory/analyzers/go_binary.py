"""Go binaries: the module list the Go linker embeds (what ``go version -m`` prints).

The linker writes a 32-byte header starting with ``\\xff Go buildinf:`` into ``.go.buildinfo`` (ELF),
``__go_buildinfo`` (Mach-O) or the start of the first writable data section or segment, 16-byte aligned.
Byte 14 is the pointer size, byte 15 the flags. Since Go 1.18 (flag bit 2) the toolchain version and
the module text follow the header inline as varint-length strings; before, two pointers (in the
binary's byte order, big-endian when the flags are non-zero) lead to Go string headers elsewhere.

The module text has lines ``path``, ``mod`` (main module), ``dep`` and ``=>`` (the replacement of
the preceding ``dep``), tab-separated. Packages: the main module (``(devel)`` kept as-is) with the
toolchain as property ``go:toolchain``, every dependency (its replacement's path and version when
replaced; a replacement by a local directory keeps the original path with an empty version), and the
standard library as ``stdlib`` with version ``v1.x.y`` (Trivy's convention). ``command-line-arguments``,
the name ``go build file.go`` gives to what it builds, is no module and is left out.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from seawall.inventory.analyzer import AnalyzerError, ExecutableAnalyzer, MiB, register
from seawall.inventory.executable import (
    Executable,
    ExecutableError,
    Format,
    Region,
    looks_executable,
    parse_executable,
)
from seawall.model import Facts, Package

NAME = "go-binary"
MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_ALIGN = 16
_MAX_SEARCH = 32 * MiB
_MAX_STRING = 4 * MiB
_MAX_DEPS = 100_000
_SENTINEL = 16
_SYNTHETIC_MODULE = "command-line-arguments"  # what ``go build file.go`` calls the package it builds
_STDLIB = re.compile(r"go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)")


@dataclass(frozen=True)
class Module:
    path: str
    version: str = ""
    replace: Module | None = None


@dataclass(frozen=True)
class BuildInfo:
    go_version: str
    path: str = ""
    main: Module | None = None
    deps: tuple[Module, ...] = ()


def read_build_info(content: bytes) -> BuildInfo | None:
    """The build info of a Go executable; None if ``content`` carries none."""
    if not looks_executable(content) or MAGIC not in content:
        return None  # every Go build info header carries the magic: no need to parse other executables
    try:
        exe = parse_executable(content)
    except ExecutableError as error:
        raise AnalyzerError(f"corrupt executable: {error}") from None
    region = _data_region(exe)
    if region is None:
        return None
    found = _find_header(content, region)
    if found is None:
        return None
    version, modinfo = _read_strings(content, exe, found, region.offset + region.file_size)
    if not version:
        return None
    return parse_modinfo(version, _strip_sentinels(modinfo))


def _data_region(exe: Executable) -> Region | None:
    """Where the linker put the build info header (Go's ``DataStart``)."""
    if exe.format is Format.ELF:
        named = exe.section(".go.buildinfo")
    elif exe.format is Format.MACHO:
        named = exe.section("__go_buildinfo")
    else:
        named = None
    if named is not None and named.file_size:
        return named
    for region in exe.segments:
        if region.writable and not region.executable and region.file_size and region.addr:
            return region
    return None


def _find_header(content: bytes, region: Region) -> int | None:
    start = region.offset
    end = start + min(region.file_size, _MAX_SEARCH)
    pos = content.find(MAGIC, start, end)
    while pos >= 0:
        if (pos - start) % _ALIGN == 0 and end - pos >= _HEADER:
            return pos
        pos = content.find(MAGIC, pos + 1, end)
    return None


def _read_strings(content: bytes, exe: Executable, pos: int, end: int) -> tuple[str, str]:
    ptr_size, flags = content[pos + 14], content[pos + 15]
    if flags & 2:
        version, after = _varint_string(content, pos + _HEADER, end)
        modinfo, _ = _varint_string(content, after, end)
        return version, modinfo
    if ptr_size not in (4, 8):
        raise AnalyzerError(f"Go build info with pointer size {ptr_size}")
    fmt = (">" if flags else "<") + ("I" if ptr_size == 4 else "Q")
    (version_addr,) = struct.unpack_from(fmt, content, pos + 16)
    (mod_addr,) = struct.unpack_from(fmt, content, pos + 16 + ptr_size)
    version = _pointer_string(content, exe, fmt, ptr_size, version_addr)
    return version, _pointer_string(content, exe, fmt, ptr_size, mod_addr)


def _varint_string(content: bytes, pos: int, end: int) -> tuple[str, int]:
    length, shift = 0, 0
    for _ in range(10):
        if pos >= end:
            raise AnalyzerError("truncated Go build info")
        byte = content[pos]
        pos += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    else:
        raise AnalyzerError("bad varint in Go build info")
    if length > _MAX_STRING or pos + length > end:
        raise AnalyzerError("Go build info string runs past its section")
    return content[pos : pos + length].decode("utf-8", "replace"), pos + length


def _pointer_string(content: bytes, exe: Executable, fmt: str, ptr_size: int, addr: int) -> str:
    header = exe.read_address(content, addr, 2 * ptr_size)
    if header is None:
        raise AnalyzerError("Go build info points outside the file")
    (data_addr,) = struct.unpack_from(fmt, header, 0)
    (length,) = struct.unpack_from(fmt, header, ptr_size)
    if length > _MAX_STRING:
        raise AnalyzerError("Go build info string too long")
    data = exe.read_address(content, data_addr, length)
    if data is None:
        raise AnalyzerError("Go build info points outside the file")
    return data.decode("utf-8", "replace")


def _strip_sentinels(modinfo: str) -> str:
    """The module text sits between two 16-byte markers; without them there is none."""
    if len(modinfo) >= 2 * _SENTINEL + 1 and modinfo[-_SENTINEL - 1] == "\n":
        return modinfo[_SENTINEL:-_SENTINEL]
    return ""


def parse_modinfo(go_version: str, text: str) -> BuildInfo:
    """Build info from the toolchain version and the module text; malformed lines are skipped."""
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    for line in text.split("\n"):
        word, _, rest = line.partition("\t")
        if word == "path":
            path = rest
        elif word == "mod":
            main = _module(rest)
        elif word == "dep" and len(deps) < _MAX_DEPS:
            deps.append(_module(rest))
        elif word == "=>" and deps and deps[-1].replace is None:
            last = deps[-1]
            deps[-1] = Module(last.path, last.version, _module(rest))
    return BuildInfo(go_version, path, main, tuple(deps))


def _module(fields: str) -> Module:
    parts = fields.split("\t")
    return Module(parts[0], parts[1] if len(parts) > 1 else "")


def stdlib_version(go_version: str) -> str:
    """``go1.22.3 X:boringcrypto`` -> ``v1.22.3``; empty for a development toolchain."""
    match = _STDLIB.match(go_version)
    return f"v{match.group(1)}" if match else ""


def _is_local(path: str) -> bool:
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or path in (".", "..") or path[1:3] == ":\\"


def packages(info: BuildInfo) -> tuple[Package, ...]:
    stdlib = stdlib_version(info.go_version)
    toolchain = f"go{stdlib[1:]}" if stdlib else info.go_version.strip()[:100]
    found: dict[tuple[str, str], Package] = {}

    def add(name: str, version: str, properties: tuple[tuple[str, str], ...] = ()) -> None:
        found.setdefault(
            (name, version), Package("golang", name, version, found_by=NAME, properties=properties)
        )

    if info.main is not None and info.main.path not in ("", _SYNTHETIC_MODULE):
        add(info.main.path, info.main.version, (("go:toolchain", toolchain),) if toolchain else ())
    if stdlib:
        add("stdlib", stdlib)
    for dep in info.deps:
        if dep.path in ("", _SYNTHETIC_MODULE):
            continue
        replace = dep.replace
        if replace is None:
            add(dep.path, dep.version)
        elif _is_local(replace.path):
            add(dep.path, "", (("go:replaced-by", replace.path),))
        elif replace.path:
            add(replace.path, replace.version)
    return tuple(found.values())


@register
class GoBinaryAnalyzer(ExecutableAnalyzer):
    name = NAME
    version = 1

    def analyze(self, path: str, content: bytes) -> Facts:
        info = read_build_info(content)
        if info is None:
            return Facts()
        return Facts(packages=packages(info))
