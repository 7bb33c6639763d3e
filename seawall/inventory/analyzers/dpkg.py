"""dpkg's database: installed packages and the files each one owns.

* ``var/lib/dpkg/status``: one deb822 stanza per package dpkg knows. Only stanzas whose Status says
  the package is on disk count (``install ok installed``, ``hold ok installed``, also a pending
  trigger); ``config-files``, ``half-installed``, ``not-installed`` and stanzas without Status are
  skipped, as ``dpkg-query -W`` does (with a warning if they lack Package or Version as well).
* ``var/lib/dpkg/status.d/<name>``: distroless images write one control stanza per file there, with
  no Status field: a stanza without Status counts as installed in these files.
* ``var/lib/dpkg/info/<name>[:<arch>].list``: the paths a package installed, giving ``owned_files``.

A malformed stanza (continuation without a field, a line without a colon, a duplicate field, one of
the fields used here spanning lines, no Package or Version, an invalid version) is skipped with a
warning; the others are kept. A file that is not text, or in which no stanza could be used although
some were present, is an AnalyzerError.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, register
from seawall.model import Facts, Package

NAME = "dpkg"
_ROOTS = ("var/lib/dpkg/", "usr/lib/dpkg/")
_STATUS_D = "status.d/"
_INFO = "info/"
# Control files distroless images may put beside a status.d stanza file; not package stanzas.
_NOT_STANZA_SUFFIXES = (
    ".md5sums",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".conffiles",
    ".list",
    ".shlibs",
    ".symbols",
    ".triggers",
    ".templates",
    ".config",
)
_FIELDS = frozenset({"package", "version", "architecture", "source", "status"})
_INSTALLED_STATES = frozenset({"installed", "triggers-pending", "triggers-awaited"})
_PACKAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]{0,255}")
_VERSION = re.compile(r"(?:[0-9]{1,10}:)?[A-Za-z0-9][A-Za-z0-9.+~:-]{0,255}")
_ARCH = re.compile(r"[A-Za-z0-9_-]{0,64}")
_SOURCE = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9+._-]{0,255})(?:\s*\((?P<version>[^()\s]{1,256})\))?")
MAX_WARNINGS = 20
MAX_STANZAS = 100_000  # a full Debian archive has about 70 000 binary packages
MAX_LINES = 5_000_000  # a status file of 5 000 packages has about 150 000
MAX_FIELDS = 1000
MAX_LIST_LINES = 1_000_000
PATH_MAX = 4096


@dataclass
class Stanza:
    """One deb822 paragraph: the fields we use (keys in lower case) or why it is malformed."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)
    error: str = ""


def decode_text(content: bytes) -> str:
    """Text of a package database; binary content is an :class:`AnalyzerError`."""
    if b"\x00" in content:
        raise AnalyzerError("binary content, not a text database")
    return content.decode("utf-8", errors="replace").replace("\r\n", "\n")


def iter_stanzas(text: str, keep: frozenset[str] = _FIELDS) -> Iterator[Stanza]:
    """The paragraphs of a deb822 text, keeping only the values of the fields in ``keep``.

    Lines are read one at a time (each still ending in its newline), never all split at once.
    """
    stanza: Stanza | None = None
    seen: set[str] = set()
    current = ""
    for number, line in enumerate(io.StringIO(text, newline="\n"), start=1):
        if number > MAX_LINES:
            raise AnalyzerError(f"more than {MAX_LINES} lines")
        if line.isspace():
            if stanza is not None:
                yield stanza
            stanza, current = None, ""
            continue
        if line.startswith("#"):
            continue
        if stanza is None:
            stanza, seen = Stanza(line=number), set()
        if stanza.error:
            continue
        if line[0] in " \t":
            if not current:
                stanza.error = f"line {number}: continuation line without a field"
            elif current in keep:  # none of the fields we use spans lines
                stanza.error = f"line {number}: field {current!r} continued on another line"
            continue
        key, sep, value = line.partition(":")
        key = key.rstrip().lower()
        if not sep or not key or " " in key or "\t" in key:
            stanza.error = f"line {number}: not a 'Field: value' line"
        elif key in seen:
            stanza.error = f"line {number}: duplicate field {key[:40]!r}"
        elif len(seen) == MAX_FIELDS:
            stanza.error = f"line {number}: more than {MAX_FIELDS} fields"
        else:
            seen.add(key)
            current = key
            if key in keep:
                stanza.fields[key] = value.strip()
    if stanza is not None:
        yield stanza


def _is_installed(status: str) -> bool | None:
    """Whether a Status value says the package is on disk; ``None`` if it is not a Status value."""
    words = status.split()
    if len(words) != 3:
        return None
    return words[2] in _INSTALLED_STATES


class _Warnings:
    """Collects warnings, keeping the first few and counting the rest."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_WARNINGS:
            self.items.append(message)

    def result(self) -> tuple[str, ...]:
        """The warnings, each naming the file."""
        extra = self.count - len(self.items)
        items = [*self.items, f"{extra} more warnings"] if extra else self.items
        return tuple(f"{self.path}: {item}" for item in items)


def _package(stanza: Stanza, status_optional: bool, warnings: _Warnings) -> Package | None:
    """The installed package a stanza describes, ``None`` if it is not installed or unusable."""
    fields = stanza.fields
    where = f"stanza at line {stanza.line}"
    if stanza.error:
        warnings.add(f"{where} skipped: {stanza.error}")
        return None
    if "status" in fields:
        installed = _is_installed(fields["status"])
        if installed is None:
            warnings.add(f"{where} skipped: malformed Status")
            return None
        if not installed:
            return None
    name, version = fields.get("package", ""), fields.get("version", "")
    if not _PACKAGE.fullmatch(name):
        warnings.add(f"{where} skipped: " + ("invalid Package" if name else "no Package"))
        return None
    if not _VERSION.fullmatch(version):
        warnings.add(f"{where} ({name}) skipped: " + ("invalid Version" if version else "no Version"))
        return None
    if "status" not in fields and not status_optional:
        return None  # dpkg itself takes a status stanza without Status for not installed
    arch = fields.get("architecture", "")
    if not _ARCH.fullmatch(arch):
        warnings.add(f"{where} ({name}) skipped: invalid Architecture")
        return None
    source_name, source_version = name, version
    if fields.get("source"):
        match = _SOURCE.fullmatch(fields["source"])
        if match is None:
            warnings.add(f"{where} ({name}): invalid Source ignored")
        else:
            source_name = match.group("name")
            if match.group("version"):
                if _VERSION.fullmatch(match.group("version")):
                    source_version = match.group("version")
                else:
                    warnings.add(f"{where} ({name}): invalid Source version ignored")
    return Package(
        type="deb",
        name=name,
        version=version,
        arch=arch,
        source_name=source_name,
        source_version=source_version,
        found_by=NAME,
    )


def parse_status(path: str, content: bytes, status_optional: bool = False) -> Facts:
    """Installed packages of a status file (``status_optional`` for distroless status.d files)."""
    warnings = _Warnings(path)
    packages: list[Package] = []
    for count, stanza in enumerate(iter_stanzas(decode_text(content))):
        if count == MAX_STANZAS:
            warnings.add(f"more than {MAX_STANZAS} stanzas, the rest ignored")
            break
        package = _package(stanza, status_optional, warnings)
        if package is not None:
            packages.append(package)
    if warnings.count and not packages:
        raise AnalyzerError(f"no usable stanza; {warnings.items[0]}")
    return Facts(packages=tuple(packages), warnings=warnings.result())


def parse_list(path: str, content: bytes) -> Facts:
    """``owned_files`` from an ``info/<name>[:<arch>].list`` file.

    Lines are absolute paths of files and directories alike. A path that is the parent of another
    listed path is a directory and is dropped; an empty directory cannot be told from a file and stays.
    """
    stem = path.rsplit("/", 1)[-1].removesuffix(".list")
    name = stem.split(":", 1)[0]
    if not _PACKAGE.fullmatch(name):
        raise AnalyzerError("not a package file list name")
    warnings = _Warnings(path)
    paths: dict[str, None] = {}
    for count, line in enumerate(io.StringIO(decode_text(content), newline="\n")):
        if count == MAX_LIST_LINES:
            warnings.add(f"more than {MAX_LIST_LINES} lines, the rest ignored")
            break
        entry = line.rstrip("\r\n").lstrip("/")
        if len(entry) > PATH_MAX:
            warnings.add(f"a path longer than {PATH_MAX} characters ignored")
        elif entry and entry != ".":
            paths[entry] = None
    directories = _directories(paths)
    files = tuple(path for path in paths if path not in directories)
    return Facts(owned_files={name: files} if files else {}, warnings=warnings.result())


def _directories(paths: dict[str, None]) -> set[str]:
    """The paths that have another path below them.

    Sorted with ``/`` as the lowest character, everything below a directory follows it at once.
    """
    ordered = sorted(paths, key=lambda path: path.replace("/", "\x00"))
    return {path for path, following in pairwise(ordered) if following.startswith(path + "/")}


def _kind(path: str) -> str:
    """``status``, ``status.d``, ``list`` or ``""`` for a path under a dpkg root."""
    for root in _ROOTS:
        if not path.startswith(root):
            continue
        rest = path[len(root) :]
        if rest == "status":
            return "status"
        if rest.startswith(_STATUS_D):
            leaf = rest[len(_STATUS_D) :]
            if leaf and "/" not in leaf and not leaf.endswith(_NOT_STANZA_SUFFIXES):
                return "status.d"
        elif rest.startswith(_INFO) and rest.endswith(".list") and "/" not in rest[len(_INFO) :]:
            return "list"
    return ""


@register
class DpkgAnalyzer(Analyzer):
    name = NAME
    version = 1
    prefixes: ClassVar[tuple[str, ...]] = _ROOTS

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.startswith(_ROOTS) and _kind(path) != ""

    def analyze(self, path: str, content: bytes) -> Facts:
        kind = _kind(path)
        if kind == "list":
            return parse_list(path, content)
        return parse_status(path, content, status_optional=kind == "status.d")
