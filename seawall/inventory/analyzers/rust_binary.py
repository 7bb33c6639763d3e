"""Rust binaries built with ``cargo auditable``: the dependency list embedded in the executable.

``cargo auditable`` stores zlib-compressed JSON in a section ``.dep-v0`` (also on Mach-O, in segment
``__DATA``; ``__dep_v0`` is accepted there too):
``{"packages": [{"name", "version", "source", "kind", "dependencies", "root"}, ...]}``.
Every package is reported except build-time ones (``kind: "build"``), as Trivy does; a crate built
from a local path carries the property ``cargo:source=local``.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, TypeGuard

from seawall.inventory.analyzer import AnalyzerError, ExecutableAnalyzer, MiB, register
from seawall.inventory.executable import (
    ExecutableError,
    Format,
    looks_executable,
    parse_executable,
    region_bytes,
)
from seawall.model import Facts, Package

NAME = "rust-binary"
_SECTION = ".dep-v0"
_MACHO_SECTION = "__dep_v0"
_MAX_COMPRESSED = 8 * MiB
_MAX_JSON = 32 * MiB
_MAX_PACKAGES = 100_000
_MAX_FIELD = 1024
LOCAL = ("cargo:source", "local")


def read_audit_data(content: bytes) -> bytes | None:
    """The decompressed ``cargo auditable`` JSON of an executable; None if it has none."""
    if not looks_executable(content) or (
        _SECTION.encode() not in content and _MACHO_SECTION.encode() not in content
    ):
        return None
    try:
        exe = parse_executable(content)
    except ExecutableError as error:
        raise AnalyzerError(f"corrupt executable: {error}") from None
    section = exe.section(_SECTION)
    if section is None and exe.format is Format.MACHO:
        section = exe.section(_MACHO_SECTION)
    if section is None or not section.file_size:
        return None
    if section.file_size > _MAX_COMPRESSED:
        raise AnalyzerError(f"{_SECTION} section too large ({section.file_size} bytes)")
    decompressor = zlib.decompressobj()
    try:
        data = decompressor.decompress(region_bytes(content, section), _MAX_JSON + 1)
    except zlib.error as error:
        raise AnalyzerError(f"{_SECTION} section is not zlib data: {error}") from None
    if len(data) > _MAX_JSON or decompressor.unconsumed_tail:
        raise AnalyzerError(f"{_SECTION} section decompresses to more than {_MAX_JSON} bytes")
    return data


def parse_audit_data(data: bytes) -> tuple[Package, ...]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise AnalyzerError(f"{_SECTION} section is not JSON: {str(error)[:100]}") from None
    entries = document.get("packages") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise AnalyzerError(f"{_SECTION} JSON has no package list")
    if len(entries) > _MAX_PACKAGES:
        raise AnalyzerError(f"{_SECTION} JSON lists too many packages ({len(entries)})")
    found: dict[tuple[str, str], Package] = {}
    for entry in entries:
        package = _package(entry)
        if package is not None:
            found.setdefault((package.name, package.version), package)
    return tuple(found.values())


def _package(entry: Any) -> Package | None:
    if not isinstance(entry, dict) or entry.get("kind", "runtime") == "build":
        return None
    name, version = entry.get("name"), entry.get("version")
    if _text(name) and _text(version):
        properties = (LOCAL,) if entry.get("source") == "local" else ()
        return Package("cargo", name, version, found_by=NAME, properties=properties)
    return None


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= _MAX_FIELD


@register
class RustBinaryAnalyzer(ExecutableAnalyzer):
    name = NAME
    version = 1

    def analyze(self, path: str, content: bytes) -> Facts:
        data = read_audit_data(content)
        if data is None:
            return Facts()
        return Facts(packages=parse_audit_data(data))
