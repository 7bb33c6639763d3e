"""Yarn lockfiles: ``yarn.lock`` of Yarn classic (v1) and Yarn berry (v2+).

Classic has its own format: an unindented line lists the descriptors an entry satisfies
(``"@babel/x@^7.0.0", "@babel/x@^7.4.4":``), indented ``key value`` lines follow (``version
"7.4.4"``; npm-style lockfiles quote keys too). The package name is the descriptor's, or the target
of an ``npm:`` alias (``foo-debug@npm:debug@^4.3`` is ``debug``). Descriptors with another protocol
(``file:``, ``git+https:``, ``https:``, ``link:`` ...) are not registry packages and are skipped.

Berry is YAML with a ``__metadata`` entry; each entry's ``resolution`` (``debug@npm:4.3.4``) names
the package. Only the ``npm:`` protocol is a registry package: ``workspace:`` (the project and its
workspaces), ``patch:``, ``portal:``, ``link:``, ``file:`` and git resolutions are skipped.

A lockfile does not say which packages are dev dependencies (that needs ``package.json``).
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.inventory.analyzers.node_package import plain_version, split_name_at, valid_npm_name
from seawall.inventory.analyzers.pnpm_lock import load_yaml_documents
from seawall.model import Facts, Package

_LOCK_NAME = "yarn.lock"
_PROTOCOL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_RANGE_START = frozenset("0123456789^~<>=*")
MAX_PACKAGES = 200_000
# A parsed lockfile takes ten to twenty times its size in memory; real ones stay far below this.
LOCKFILE_MAX_SIZE = 32 * MiB


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


def split_descriptor(descriptor: str) -> tuple[str, str, str]:
    """``(name, protocol, reference)`` of ``name@[protocol:]reference``; name ``""`` if malformed."""
    name, reference = split_name_at(descriptor)
    match = _PROTOCOL.match(reference)
    if match is None:
        return name, "", reference
    return name, match.group(1), reference[match.end() :]


def registry_name(descriptor: str) -> str:
    """The registry package a classic descriptor installs, or ``""`` if it is not one."""
    name, protocol, reference = split_descriptor(descriptor)
    if protocol == "npm" and reference and reference[0] not in _RANGE_START:
        # An alias: npm:real-name or npm:real-name@range, the real name possibly scoped.
        if reference.startswith("@"):
            name = split_name_at(reference)[0] or reference
        else:
            name = reference.partition("@")[0]
    elif protocol not in ("", "npm"):
        return ""
    return name if valid_npm_name(name) else ""


def _descriptors(header: str) -> list[str]:
    return [_unquote(part) for part in header.split(",") if part.strip()]


def parse_classic(text: str, path: str) -> dict[tuple[str, str], None]:
    """``{(name, version): None}`` of a classic lockfile, in file order."""
    found: dict[tuple[str, str], None] = {}
    descriptors: list[str] = []
    version = ""

    def flush() -> None:
        if not descriptors or not plain_version(version):
            return
        for descriptor in descriptors:
            name = registry_name(descriptor)
            if name:
                found[(name, version)] = None
                break

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r ")
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            flush()
            if not line.endswith(":"):
                raise AnalyzerError(f"{path}: line {number}: not a yarn.lock entry")
            descriptors, version = _descriptors(line[:-1]), ""
            if len(found) >= MAX_PACKAGES:
                raise AnalyzerError(f"{path}: more than {MAX_PACKAGES} packages")
        elif indent == 2 and descriptors:
            key, _, value = stripped.partition(" ")
            if _unquote(key) == "version":
                version = _unquote(value)
    flush()
    return found


def parse_berry(content: bytes, path: str) -> dict[tuple[str, str], None]:
    """``{(name, version): None}`` of a berry (YAML) lockfile."""
    documents = load_yaml_documents(content, path, max_documents=1)
    document = documents[0] if documents else None
    if not isinstance(document, dict):
        raise AnalyzerError(f"{path}: lockfile is not a mapping")
    found: dict[tuple[str, str], None] = {}
    for key, entry in document.items():
        if key == "__metadata" or not isinstance(entry, dict):
            continue
        resolution = entry.get("resolution")
        if not isinstance(resolution, str):
            resolution = _descriptors(key)[0] if isinstance(key, str) and key.strip() else ""
        name, protocol, _ = split_descriptor(resolution)
        version = entry.get("version")
        if protocol != "npm" or not isinstance(version, str) or not valid_npm_name(name):
            continue
        if plain_version(version):
            found[(name, version)] = None
        if len(found) > MAX_PACKAGES:
            raise AnalyzerError(f"{path}: more than {MAX_PACKAGES} packages")
    return found


def is_berry(text: str) -> bool:
    return text.startswith("__metadata:") or "\n__metadata:" in text


@register
class YarnLockAnalyzer(Analyzer):
    """``yarn.lock`` (classic and berry) outside ``node_modules`` and ``.yarn``."""

    name = "yarn-lock"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({_LOCK_NAME})
    max_size = LOCKFILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        if path != _LOCK_NAME and not path.endswith("/" + _LOCK_NAME):
            return False
        # Lockfiles shipped inside installed packages (node_modules, yarn's unplugged copies) are
        # not the project's.
        return "node_modules/" not in path and not path.startswith(".yarn/") and "/.yarn/" not in path

    def analyze(self, path: str, content: bytes) -> Facts:
        if b"\x00" in content:
            raise AnalyzerError(f"{path}: binary content")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnalyzerError(f"{path}: not UTF-8") from exc
        found = parse_berry(content, path) if is_berry(text) else parse_classic(text, path)
        packages = tuple(
            Package(type="npm", name=name, version=version, found_by=self.name)
            for name, version in sorted(found)
        )
        return Facts(packages=packages)
