"""npm lockfiles: ``package-lock.json`` and ``npm-shrinkwrap.json``, lockfile versions 1, 2 and 3.

Versions 2 and 3 list every installed package in ``packages``, keyed by its install path
(``node_modules/a/node_modules/@s/b``); the package name is the entry's ``name`` (set for aliases)
or the path after the last ``node_modules/``. The root entry ``""`` is the project itself and is
skipped, entries outside ``node_modules`` are workspace folders, reported only through the
``link`` entry that installs them (under the link's name, with the target's version). Version 1
nests ``dependencies`` objects keyed by name (what is nested in a dev dependency is a dev dependency
too); an alias writes its version as ``npm:real@1.2.3``.

Packages whose version is not a registry version (``file:``, git URLs) are skipped. A package is
marked ``("dev", "true")`` when every copy of it in the lockfile is a dev dependency.
"""

from __future__ import annotations

from typing import Any, ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.inventory.analyzers.node_package import (
    load_json,
    npm_licenses,
    plain_version,
    split_name_at,
    valid_npm_name,
)
from seawall.model import Facts, Package

_LOCK_NAMES = ("package-lock.json", "npm-shrinkwrap.json")
_NODE_MODULES = "node_modules/"
MAX_DEPTH = 64
MAX_PACKAGES = 200_000
# A parsed lockfile takes ten to twenty times its size in memory; real ones stay far below this.
LOCKFILE_MAX_SIZE = 32 * MiB


def name_from_path(path: str) -> str:
    """The package name an install path implies: ``node_modules/a/node_modules/@s/b`` -> ``@s/b``."""
    index = (path + "/").rfind(_NODE_MODULES)
    if index < 0:
        return path
    return path[index + len(_NODE_MODULES) :]


def _in_node_modules(path: str) -> bool:
    return path.startswith(_NODE_MODULES) or ("/" + _NODE_MODULES) in path


class _Collector:
    """Packages of one lockfile, deduplicated by name and version."""

    def __init__(self, found_by: str) -> None:
        self.found_by = found_by
        self.packages: dict[tuple[str, str], tuple[bool, tuple[str, ...]]] = {}
        self.warnings: list[str] = []

    def add(self, name: str, version: str, dev: bool, licenses: tuple[str, ...]) -> None:
        if not valid_npm_name(name) or not plain_version(version):
            return
        key = (name, version)
        known = self.packages.get(key)
        if known is None:
            if len(self.packages) >= MAX_PACKAGES:
                raise AnalyzerError(f"more than {MAX_PACKAGES} packages")
            self.packages[key] = (dev, licenses)
        else:
            self.packages[key] = (known[0] and dev, known[1] or licenses)

    def facts(self, path: str) -> Facts:
        packages = tuple(
            Package(
                type="npm",
                name=name,
                version=version,
                licenses=licenses,
                found_by=self.found_by,
                properties=(("dev", "true"),) if dev else (),
            )
            for (name, version), (dev, licenses) in sorted(self.packages.items())
        )
        warnings = tuple(f"{path}: {warning}" for warning in dict.fromkeys(self.warnings))
        return Facts(packages=packages, warnings=warnings)


def _parse_packages(packages: dict[str, Any], out: _Collector) -> None:
    """Lockfile versions 2 and 3: the flat ``packages`` map."""
    for path, entry in packages.items():
        if not path or not isinstance(entry, dict):
            continue
        if entry.get("link") is True:
            target_path = entry.get("resolved")
            target = packages.get(target_path) if isinstance(target_path, str) and target_path else None
            if not isinstance(target, dict):
                continue
            name = name_from_path(path)
            source = target
        elif _in_node_modules(path):
            declared = entry.get("name")
            name = declared if isinstance(declared, str) and declared else name_from_path(path)
            source = entry
        else:
            continue
        version = source.get("version")
        if not isinstance(version, str):
            continue
        dev = entry.get("dev") is True or source.get("dev") is True
        out.add(name, version, dev, npm_licenses(source))


def _parse_dependencies(dependencies: dict[str, Any], out: _Collector) -> None:
    """Lockfile version 1: nested ``dependencies`` maps, walked without recursion."""
    stack: list[tuple[dict[str, Any], int, bool]] = [(dependencies, 1, False)]
    while stack:
        level, depth, dev_parent = stack.pop()
        for name, entry in level.items():
            if not isinstance(entry, dict):
                continue
            dev = dev_parent or entry.get("dev") is True
            version = entry.get("version")
            if isinstance(version, str):
                real_name = name
                if version.startswith("npm:"):
                    real_name, version = split_name_at(version[4:])
                out.add(real_name, version, dev, ())
            nested = entry.get("dependencies")
            if isinstance(nested, dict) and nested:
                if depth >= MAX_DEPTH:
                    out.warnings.append(f"dependencies nested deeper than {MAX_DEPTH} levels ignored")
                    continue
                stack.append((nested, depth + 1, dev))


@register
class NpmLockAnalyzer(Analyzer):
    """``package-lock.json`` / ``npm-shrinkwrap.json`` outside ``node_modules``."""

    name = "npm-lock"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset(_LOCK_NAMES)
    max_size = LOCKFILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        if not path.endswith(_LOCK_NAMES):
            return False
        base = path.rpartition("/")[2]
        return base in _LOCK_NAMES and _NODE_MODULES not in path

    def analyze(self, path: str, content: bytes) -> Facts:
        document = load_json(content, path)
        if not isinstance(document, dict):
            raise AnalyzerError(f"{path}: lockfile is not an object")
        out = _Collector(self.name)
        packages = document.get("packages")
        dependencies = document.get("dependencies")
        if isinstance(packages, dict):
            _parse_packages(packages, out)
        elif isinstance(dependencies, dict):
            _parse_dependencies(dependencies, out)
        elif "lockfileVersion" not in document:
            raise AnalyzerError(f"{path}: not an npm lockfile")
        return out.facts(path)
