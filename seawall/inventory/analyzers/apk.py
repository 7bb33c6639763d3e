"""apk's database ``lib/apk/db/installed`` (also ``usr/lib/apk/db/installed``).

One stanza per installed package, stanzas separated by blank lines, each line ``<letter>:<value>``.
Used letters: ``P`` name, ``V`` version, ``A`` architecture, ``o`` origin (the source package),
``L`` licence, ``F`` a directory and ``R`` a file in the last ``F`` directory. A malformed stanza
(a line that is not ``X:value``, a repeated single-valued field, no P or V) is skipped with a
warning; a file that is not text, or in which no stanza could be used, is an AnalyzerError.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, register
from seawall.model import Facts, Package

NAME = "apk"
_PATHS = frozenset({"lib/apk/db/installed", "usr/lib/apk/db/installed"})
_SINGLE = frozenset("PVAoL")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]{0,255}")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._~-]{0,255}")
_ARCH = re.compile(r"[A-Za-z0-9_-]{0,64}")
_SPDX_OPERATORS = frozenset({"AND", "OR", "WITH"})
MAX_WARNINGS = 20
MAX_STANZAS = 100_000
MAX_LINES = 2_000_000  # Alpine's base image has about 2 000 lines, a large image some 300 000
PATH_MAX = 4096
MAX_LICENSE = 1024


@dataclass
class _Stanza:
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    directory: str = ""
    error: str = ""

    def add(self, number: int, line: str) -> None:
        if len(line) < 2 or line[1] != ":":
            self.error = f"line {number}: not an 'X:value' line"
            return
        key, value = line[0], line[2:]
        if key == "F":
            self.directory = value.strip("/")
        elif key == "R":
            entry = value.strip("/")
            if entry and len(entry) + len(self.directory) < PATH_MAX:
                self.files.append(f"{self.directory}/{entry}" if self.directory else entry)
        elif key in _SINGLE:
            if key in self.fields:
                self.error = f"line {number}: repeated field {key}"
            else:
                self.fields[key] = value.strip()


def _stanzas(text: str) -> Iterator[_Stanza]:
    stanza: _Stanza | None = None
    for number, raw in enumerate(io.StringIO(text, newline="\n"), start=1):
        if number > MAX_LINES:
            raise AnalyzerError(f"more than {MAX_LINES} lines")
        line = raw.rstrip("\r\n")
        if not line or line.isspace():
            if stanza is not None:
                yield stanza
            stanza = None
            continue
        if stanza is None:
            stanza = _Stanza(line=number)
        if not stanza.error:
            stanza.add(number, line)
    if stanza is not None:
        yield stanza


def split_licenses(value: str) -> tuple[str, ...]:
    """An SPDX expression stays whole; an old space-separated list (``MIT BSD GPL2+``) is split."""
    if len(value) > MAX_LICENSE:
        return ()
    words = value.split()
    if not words:
        return ()
    if "(" in value or _SPDX_OPERATORS.intersection(words):
        return (" ".join(words),)
    return tuple(words)


def _package(stanza: _Stanza) -> Package | str:
    """The package of a stanza, or why it was skipped."""
    if stanza.error:
        return stanza.error
    name, version = stanza.fields.get("P", ""), stanza.fields.get("V", "")
    if not _NAME.fullmatch(name):
        return "invalid package name (P)" if name else "no package name (P)"
    if not _VERSION.fullmatch(version):
        return f"{name}: " + ("invalid version (V)" if version else "no version (V)")
    arch = stanza.fields.get("A", "")
    if not _ARCH.fullmatch(arch):
        return f"{name}: invalid architecture (A)"
    origin = stanza.fields.get("o", "")
    if origin and not _NAME.fullmatch(origin):
        return f"{name}: invalid origin (o)"
    return Package(
        type="apk",
        name=name,
        version=version,
        arch=arch,
        source_name=origin or name,
        source_version=version,
        licenses=split_licenses(stanza.fields.get("L", "")),
        found_by=NAME,
    )


def parse_installed(path: str, content: bytes) -> Facts:
    """Packages and owned files of an apk ``installed`` database."""
    if b"\x00" in content:
        raise AnalyzerError("binary content, not an apk database")
    packages: list[Package] = []
    owned: dict[str, list[str]] = {}
    problems: list[str] = []
    skipped = 0
    truncated = False
    for count, stanza in enumerate(_stanzas(content.decode("utf-8", errors="replace"))):
        if count == MAX_STANZAS:
            truncated = True
            break
        result = _package(stanza)
        if isinstance(result, str):
            skipped += 1
            if len(problems) < MAX_WARNINGS:
                problems.append(f"stanza at line {stanza.line} skipped: {result}")
            continue
        packages.append(result)
        if stanza.files:
            owned.setdefault(result.name, []).extend(stanza.files)
    if skipped and not packages:
        raise AnalyzerError(f"no usable stanza; {problems[0]}")
    if skipped > len(problems):
        problems.append(f"{skipped - len(problems)} more warnings")
    if truncated:
        problems.append(f"more than {MAX_STANZAS} stanzas, the rest ignored")
    return Facts(
        packages=tuple(packages),
        owned_files={name: tuple(files) for name, files in owned.items()},
        warnings=tuple(f"{path}: {problem}" for problem in problems),
    )


@register
class ApkAnalyzer(Analyzer):
    name = NAME
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"installed"})

    def wants(self, path: str, info: FileInfo) -> bool:
        return path in _PATHS

    def analyze(self, path: str, content: bytes) -> Facts:
        return parse_installed(path, content)
