"""Installed rpm packages, from any of rpm's three database formats (BDB, SQLite, ndb)."""

from __future__ import annotations

from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.inventory.rpmdb import RpmDbError, RpmHeader, parse_header, read_blobs
from seawall.model import Facts, Package

DB_DIRS = ("var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/")
DB_FILES = ("Packages", "rpmdb.sqlite", "Packages.db")
WANTED = frozenset(directory + name for directory in DB_DIRS for name in DB_FILES)

PUBKEY_PACKAGE = "gpg-pubkey"
SOURCE_SUFFIXES = (".src.rpm", ".nosrc.rpm")


def split_source_rpm(source_rpm: str) -> tuple[str, str, str] | None:
    """``name-version-release.src.rpm`` -> ``(name, version, release)``; ``None`` if it is not one."""
    for suffix in SOURCE_SUFFIXES:
        if source_rpm.endswith(suffix):
            parts = source_rpm[: -len(suffix)].rsplit("-", 2)
            if len(parts) == 3 and all(parts):
                return parts[0], parts[1], parts[2]
            return None
    return None


def evr(epoch: int | None, version: str, release: str) -> str:
    """rpm's ``[EPOCH:]VERSION-RELEASE``; an epoch the header does not carry is left out (0 is kept)."""
    prefix = "" if epoch is None else f"{epoch}:"
    return f"{prefix}{version}-{release}"


def to_package(header: RpmHeader, found_by: str) -> Package:
    source_name = source_version = ""
    source = split_source_rpm(header.source_rpm)
    if source is not None:
        source_name = source[0]
        source_version = evr(header.epoch, source[1], source[2])
    properties = []
    if header.modularity_label:
        properties.append(("rpm:modularitylabel", header.modularity_label))
    if header.vendor:
        properties.append(("rpm:vendor", header.vendor))
    return Package(
        type="rpm",
        name=header.name,
        version=evr(header.epoch, header.version, header.release),
        arch=header.arch,
        source_name=source_name,
        source_version=source_version,
        licenses=(header.license,) if header.license else (),
        found_by=found_by,
        properties=tuple(sorted(properties)),
    )


@register
class RpmAnalyzer(Analyzer):
    """Reads ``Packages`` (Berkeley DB), ``rpmdb.sqlite`` or ``Packages.db`` (ndb) by their magic."""

    name = "rpm"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset(path.rpartition("/")[2] for path in WANTED)
    max_size = 512 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path in WANTED

    def analyze(self, path: str, content: bytes) -> Facts:
        if not content:
            return Facts()  # an rpmdb.sqlite that was never written to is an empty database
        problems: list[str] = []
        file_problems: list[str] = []
        packages: list[Package] = []
        owned: dict[str, dict[str, None]] = {}
        headers = 0
        try:
            for blob in read_blobs(content, problems):
                try:
                    header = parse_header(blob)
                except RpmDbError as error:
                    problems.append(str(error))
                    continue
                headers += 1
                if header.name == PUBKEY_PACKAGE:
                    continue
                packages.append(to_package(header, self.name))
                if header.file_error:
                    file_problems.append(f"{header.name}: {header.file_error}")
                if header.files:
                    owned.setdefault(header.name, {}).update(dict.fromkeys(header.files))
        except RpmDbError as error:
            raise AnalyzerError(f"rpm database: {error}") from error
        if problems and not headers:
            raise AnalyzerError(f"rpm database: no readable package ({problems[0]})")
        warnings = []
        if problems:
            warnings.append(
                f"rpm database: {len(problems)} unreadable record(s) skipped, first: {problems[0]}"
            )
        if file_problems:
            warnings.append(
                f"rpm database: file lists of {len(file_problems)} package(s) unreadable, "
                f"first: {file_problems[0]}"
            )
        return Facts(
            packages=tuple(packages),
            owned_files={name: tuple(paths) for name, paths in owned.items()},
            warnings=tuple(warnings),
        )
