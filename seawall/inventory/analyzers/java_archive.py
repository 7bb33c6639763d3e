"""Java archives (``.jar``, ``.war``, ``.ear``, ``.par``, ``.jpi``, ``.hpi``): Maven coordinates.

Per archive, as Trivy does offline: every ``pom.properties`` with a groupId, artifactId and version
is a package (each coordinate once per archive, whether or not it names the archive itself, so
shaded jars report what they embed); without one, the main section of ``META-INF/MANIFEST.MF``
(groupId from ``Implementation-Vendor-Id``, ``Bundle-SymbolicName`` up to its last dot,
``Implementation-Vendor`` or ``Specification-Vendor``; artifactId from ``Implementation-Title``,
``Specification-Title`` or ``Bundle-Name``; version from ``Implementation-Version``,
``Specification-Version`` or ``Bundle-Version``); without that, the file name ``name-1.2.3.jar``
(artifactId and version, no groupId). Archives inside archives (``WEB-INF/lib/x.jar``,
``BOOT-INF/lib/x.jar``) are read the same way, located as ``app.war!/WEB-INF/lib/x.jar``.

Hostile archives are bounded: nesting depth, entries per archive, the size of every entry read, and
the decompressed bytes read in total. An entry over its limit, a corrupt nested archive or an
exhausted budget is skipped with a warning; an outer file that is not a zip is an AnalyzerError.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, FileKind, MiB, register
from seawall.model import Facts, Location, Package

NAME = "java-archive"
ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".par", ".jpi", ".hpi")
MAX_DEPTH = 4
MAX_ENTRIES = 200_000
MAX_NESTED_SIZE = 64 * MiB
MAX_TOTAL_READ = 256 * MiB
MAX_ARCHIVES = 10_000
_MAX_MANIFEST = 1 * MiB
_MAX_PROPERTIES = 64 * 1024
_MAX_WARNINGS = 20
_MAX_FIELD = 512
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
)

Coordinates = tuple[str, str, str]


class _NotAZip(Exception):
    pass


@dataclass
class _Walk:
    """What one ``analyze`` call has read so far, found so far and what it had to skip."""

    remaining: int
    archives: int = 0
    found: dict[Coordinates, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)

    def add(self, coordinates: Coordinates, location: str) -> None:
        locations = self.found.setdefault(coordinates, [])
        if location not in locations:
            locations.append(location)


def parse_manifest(text: str) -> dict[str, str]:
    """The main section of a JAR manifest, attribute names in lower case.

    A line starting with one space continues the previous value (lines are wrapped at 72 bytes);
    the main section ends at the first empty line. Lines that are not ``Name: value`` are ignored.
    """
    attributes: dict[str, str] = {}
    key: str | None = None
    started = False
    for line in _LINE_BREAK.split(text):
        if not line:
            if started:
                break
            continue
        started = True
        if line.startswith(" "):
            if key is not None:
                attributes[key] += line[1:]
            continue
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if not colon or not name or name in attributes:
            key = None
            continue
        key = name
        attributes[key] = value[1:] if value.startswith(" ") else value
    return {name: value.strip() for name, value in attributes.items()}


def parse_properties(text: str) -> dict[str, str]:
    """A Java ``.properties`` file: ``key=value``, ``key: value`` or ``key value``; ``#``/``!`` comments."""
    properties: dict[str, str] = {}
    pending = ""
    for raw in _LINE_BREAK.split(text):
        line = pending + raw.lstrip()
        pending = ""
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending = line[:-1]
            continue
        if not line or line[0] in "#!":
            continue
        match = re.match(r"((?:[^=:\s\\]|\\.)+)\s*[=:\s]?\s*(.*)", line)
        if match:
            properties.setdefault(_unescape(match.group(1)), _unescape(match.group(2)).strip())
    return properties


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        escaped = match.group(1)
        if escaped.startswith("u") and len(escaped) == 5:
            return chr(int(escaped[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(escaped, escaped)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", replace, value)


def pom_coordinates(properties: dict[str, str]) -> Coordinates | None:
    coordinates = (
        properties.get("groupId", "").strip(),
        properties.get("artifactId", "").strip(),
        properties.get("version", "").strip(),
    )
    return coordinates if all(_usable(part) for part in coordinates) else None


def manifest_coordinates(attributes: dict[str, str]) -> Coordinates | None:
    symbolic = attributes.get("bundle-symbolicname", "").split(";")[0].strip()
    bundle_group = symbolic.rsplit(".", 1)[0] if "." in symbolic.strip(".") else symbolic
    group = _first(attributes, "implementation-vendor-id") or bundle_group
    group = group or _first(attributes, "implementation-vendor", "specification-vendor")
    artifact = _first(attributes, "implementation-title", "specification-title", "bundle-name")
    version = _first(attributes, "implementation-version", "specification-version", "bundle-version")
    coordinates = (group, artifact, version)
    return coordinates if all(_usable(part) for part in coordinates) else None


def _first(attributes: dict[str, str], *names: str) -> str:
    for name in names:
        value = attributes.get(name, "")
        if value:
            return value
    return ""


def filename_coordinates(filename: str) -> Coordinates | None:
    """``commons-lang3-3.11.jar`` -> ("", "commons-lang3", "3.11"): split before the first ``-<digit>``."""
    stem = filename.rsplit("/", 1)[-1]
    stem = stem[: stem.rfind(".")] if "." in stem else stem
    match = re.match(r"(.+?)-(\d.*)\Z", stem)
    if match is None or not (_usable(match.group(1)) and _usable(match.group(2))):
        return None
    return ("", match.group(1), match.group(2))


def _usable(value: str) -> bool:
    return 0 < len(value) <= _MAX_FIELD and value.isprintable()


def _open(data: bytes) -> zipfile.ZipFile:
    if data.count(_CENTRAL_DIRECTORY_ENTRY) > MAX_ENTRIES:
        raise _NotAZip(f"more than {MAX_ENTRIES} entries")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as error:
        raise _NotAZip(str(error)[:100] or type(error).__name__) from None


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, walk: _Walk, where: str) -> bytes | None:
    """An entry's bytes, or None (with a warning) if it is over ``cap``, the budget, or unreadable."""
    if info.file_size > cap:
        walk.warn(f"{where}: {info.file_size} bytes uncompressed, over the {cap}-byte limit; skipped")
        return None
    if info.file_size > walk.remaining:
        walk.warn(f"{where}: decompression budget of {MAX_TOTAL_READ} bytes exhausted; skipped")
        return None
    if info.flag_bits & 0x1:
        walk.warn(f"{where}: encrypted; skipped")
        return None
    limit = min(cap, walk.remaining)
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except _ZIP_ERRORS as error:
        walk.warn(f"{where}: unreadable ({str(error)[:80] or type(error).__name__}); skipped")
        return None
    if len(data) > limit:
        walk.warn(f"{where}: decompresses past its limit; skipped")
        return None
    walk.remaining -= len(data)
    return data


def _walk_archive(data: bytes, location: str, depth: int, walk: _Walk) -> None:
    archive = _open(data)
    poms: dict[Coordinates, None] = {}
    manifest: Coordinates | None = None
    nested: list[zipfile.ZipInfo] = []
    for info in archive.infolist():
        name = info.filename
        if name.rsplit("/", 1)[-1] == "pom.properties":
            raw = _read(archive, info, _MAX_PROPERTIES, walk, f"{location}!/{name}")
            coordinates = pom_coordinates(parse_properties(raw.decode("utf-8", "replace"))) if raw else None
            if coordinates is not None:
                poms[coordinates] = None
        elif name.upper() == "META-INF/MANIFEST.MF":
            raw = _read(archive, info, _MAX_MANIFEST, walk, f"{location}!/{name}")
            manifest = manifest_coordinates(parse_manifest(raw.decode("utf-8", "replace"))) if raw else None
        elif name.lower().endswith(ARCHIVE_SUFFIXES):
            nested.append(info)
    fallback = manifest or filename_coordinates(location)
    for coordinates in list(poms) or ([fallback] if fallback else []):
        walk.add(coordinates, location)
    for info in nested:
        where = f"{location}!/{info.filename}"
        if depth + 1 > MAX_DEPTH:
            walk.warn(f"{where}: archives nested deeper than {MAX_DEPTH} levels are not read")
            continue
        if walk.archives >= MAX_ARCHIVES:
            walk.warn(f"{location}: more than {MAX_ARCHIVES} nested archives; the rest are not read")
            return
        walk.archives += 1
        inner = _read(archive, info, MAX_NESTED_SIZE, walk, where)
        if inner is None:
            continue
        try:
            _walk_archive(inner, where, depth + 1, walk)
        except _NotAZip as error:
            walk.warn(f"{where}: not a readable zip archive ({error})")


def analyze_archive(path: str, content: bytes) -> Facts:
    walk = _Walk(remaining=MAX_TOTAL_READ)
    try:
        _walk_archive(content, path, 0, walk)
    except _NotAZip as error:
        raise AnalyzerError(f"not a readable zip archive: {error}") from None
    packages = tuple(
        Package(
            "maven",
            artifact,
            version,
            namespace=group,
            found_by=NAME,
            locations=tuple(Location(where) for where in locations),
        )
        for (group, artifact, version), locations in walk.found.items()
    )
    return Facts(packages=packages, warnings=tuple(walk.warnings))


@register
class JavaArchiveAnalyzer(Analyzer):
    name = NAME
    version = 1
    suffixes: ClassVar[tuple[str, ...]] = ARCHIVE_SUFFIXES
    max_size = 128 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return info.kind is FileKind.REGULAR and path[-4:].lower() in ARCHIVE_SUFFIXES

    def analyze(self, path: str, content: bytes) -> Facts:
        return analyze_archive(path, content)
