"""Installed Python distributions: their core metadata file.

Which files (as Trivy and Syft look for them, directory suffixes matched case-insensitively):

* ``*.dist-info/METADATA`` (wheels, pip) and ``*.egg-info/METADATA``;
* ``*.egg-info/PKG-INFO`` and ``*.egg/EGG-INFO/PKG-INFO`` (setuptools, eggs);
* a ``*.egg-info`` regular file (distutils installs the metadata as a single file);
* a zipped ``*.egg`` file: its ``EGG-INFO/PKG-INFO`` member.

The metadata is e-mail header style (core metadata spec): ``Field: value`` lines, indented lines
continue the previous field, the first empty line ends the headers (a description may follow as the
body). Only the headers are read: ``Name``, ``Version`` (the last one wins) and the licence, taken
from ``License-Expression``, else the ``License ::`` classifiers, else a one-line ``License`` field.
The ``Python`` distribution that CPython itself installs is not a package of its own.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, FileKind, MiB, register
from seawall.model import Facts, Package

HEADER_MAX_BYTES = 1 * MiB
EGG_MEMBER = "EGG-INFO/PKG-INFO"
EGG_MAX_SIZE = 64 * MiB
MAX_EGG_ENTRIES = 50_000
_EOCD = b"PK\x05\x06"
_EOCD_SEARCH = 22 + 65535
_FILE_KINDS = (FileKind.REGULAR, FileKind.HARDLINK)
_FIELD = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]*):[ \t]?(.*)")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.!+_-]{0,127}")
_NAME_MAX = 200
_MAX_LICENSES = 16
_LICENSE_MAX = 200
_IGNORED_CLASSIFIERS = frozenset({"OSI Approved", "DFSG approved"})
_IGNORED_LICENSES = frozenset({"", "UNKNOWN"})
_IGNORED_NAMES = frozenset({"Python"})


def parse_headers(text: str) -> dict[str, list[str]]:
    """Every field of the header block, in order, keyed by lower-case field name.

    Continuation lines are joined to their field with ``\n``. Parsing stops at the first empty
    line or at the first line that is neither a field nor a continuation (what follows is body, as
    in Syft's ``PKG-INFO-INVALID`` fixture).
    """
    lines_of: dict[str, list[list[str]]] = {}
    current: list[str] | None = None
    for raw in text.split("\n"):
        line = raw.removesuffix("\r")
        if not line:
            break
        if line[0] in " \t":
            if current is not None:
                current.append(line.strip())
            continue
        match = _FIELD.fullmatch(line)
        if match is None:
            break
        current = [match.group(2).strip()]
        lines_of.setdefault(match.group(1).lower(), []).append(current)
    return {name: ["\n".join(lines) for lines in values] for name, values in lines_of.items()}


def _last(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name)
    return values[-1].strip() if values else ""


def _short(text: str) -> str:
    """A licence text fit for a report: one printable line, or nothing."""
    return text if len(text) <= _LICENSE_MAX and text.isprintable() else ""


def licenses_from(fields: dict[str, list[str]]) -> tuple[str, ...]:
    """The declared licences: ``License-Expression``, else classifiers, else ``License``."""
    expression = _short(_last(fields, "license-expression"))
    if expression:
        return (expression,)
    found: list[str] = []
    for classifier in fields.get("classifier", []):
        parts = [part.strip() for part in classifier.split("::")]
        if len(parts) < 2 or parts[0] != "License" or parts[-1] in _IGNORED_CLASSIFIERS:
            continue
        text = _short(parts[-1])
        if text and text not in found:
            found.append(text)
    if found:
        return tuple(found[:_MAX_LICENSES])
    license_field = _short(_last(fields, "license"))
    return () if license_field in _IGNORED_LICENSES else (license_field,)


def package_from_metadata(content: bytes, path: str, found_by: str) -> Package | None:
    """The distribution a metadata file describes; ``None`` for an empty file or CPython's own."""
    if b"\x00" in content[:HEADER_MAX_BYTES]:
        raise AnalyzerError(f"{path}: binary content")
    text = content[:HEADER_MAX_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    if not text.strip():
        return None
    fields = parse_headers(text)
    name = _last(fields, "name")
    version = _last(fields, "version")
    if not name or not version:
        raise AnalyzerError(f"{path}: no Name or Version field")
    if len(name) > _NAME_MAX or not name.isprintable():
        raise AnalyzerError(f"{path}: invalid Name")
    if _VERSION.fullmatch(version) is None:
        raise AnalyzerError(f"{path}: invalid Version {version[:40]!r}")
    if name in _IGNORED_NAMES:
        return None
    return Package(type="pypi", name=name, version=version, licenses=licenses_from(fields), found_by=found_by)


def _zip_entry_count(content: bytes) -> int:
    """The entry count the end-of-central-directory record declares (``-1`` without a record)."""
    start = content.rfind(_EOCD, max(0, len(content) - _EOCD_SEARCH))
    if start < 0 or start + 22 > len(content):
        return -1
    return int.from_bytes(content[start + 10 : start + 12], "little")


def read_egg_metadata(content: bytes, path: str) -> bytes | None:
    """The ``EGG-INFO/PKG-INFO`` member of a zipped egg, or ``None`` if it has none."""
    count = _zip_entry_count(content)
    if count < 0:
        raise AnalyzerError(f"{path}: not a zip archive")
    if count > MAX_EGG_ENTRIES:
        raise AnalyzerError(f"{path}: too many zip entries")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            try:
                member = archive.getinfo(EGG_MEMBER)
            except KeyError:
                return None
            with archive.open(member) as stream:
                data = stream.read(HEADER_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise AnalyzerError(f"{path}: unreadable egg: {str(exc)[:80]}") from exc
    except (RuntimeError, NotImplementedError, ValueError) as exc:
        raise AnalyzerError(f"{path}: unsupported egg: {str(exc)[:80]}") from exc
    return data[:HEADER_MAX_BYTES]


def is_metadata_path(path: str) -> bool:
    """Whether ``path`` names a distribution's metadata file (not a zipped egg)."""
    directory, _, base = path.rpartition("/")
    parent = directory.rpartition("/")[2].lower()
    if base == "METADATA":
        return parent.endswith(("dist-info", ".egg-info"))
    if base == "PKG-INFO":
        return parent.endswith("egg-info")
    return False


@register
class PythonDistAnalyzer(Analyzer):
    """``METADATA`` / ``PKG-INFO`` of installed distributions, ``*.egg-info`` files and zipped eggs."""

    name = "python-dist"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"METADATA", "PKG-INFO"})
    suffixes: ClassVar[tuple[str, ...]] = (".egg-info", ".egg")
    max_size = EGG_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        if path.endswith(("/METADATA", "/PKG-INFO")):
            return is_metadata_path(path)
        if path.endswith((".egg-info", ".egg")):
            return info.kind in _FILE_KINDS
        return False

    def analyze(self, path: str, content: bytes) -> Facts:
        if path.endswith(".egg"):
            metadata = read_egg_metadata(content, path)
            if metadata is None:
                return Facts()
            content = metadata
        package = package_from_metadata(content, path, self.name)
        return Facts(packages=(package,) if package else ())
