"""NuGet lock files (``packages.lock.json``): the resolved packages of every target framework.

``dependencies`` maps each framework to ``{name: {"type", "resolved", ...}}``; entries of type
``Project`` are other projects of the solution, not packages, and are skipped as Trivy does.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.model import Facts, Package

MAX_PACKAGES = 20_000


def _load_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as error:
        raise AnalyzerError(f"invalid JSON: {str(error)[:120]}") from None


def _is_project(kind: object) -> bool:
    return isinstance(kind, str) and kind.lower() == "project"


def parse_lock(document: Any) -> list[tuple[str, str]]:
    """Unique (name, version) pairs over all frameworks, in file order."""
    if not isinstance(document, dict):
        raise AnalyzerError("packages.lock.json is not a JSON object")
    frameworks = document.get("dependencies")
    if not isinstance(frameworks, dict):
        raise AnalyzerError("packages.lock.json without a dependencies object")
    found: dict[tuple[str, str], None] = {}
    for entries in frameworks.values():
        if not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if not isinstance(entry, dict) or _is_project(entry.get("type")):
                continue
            version = entry.get("resolved")
            if not name or not isinstance(version, str) or not version:
                continue
            found[(name, version)] = None
            if len(found) >= MAX_PACKAGES:
                return list(found)
    return list(found)


@register
class NugetLockAnalyzer(Analyzer):
    """NuGet packages locked for a .NET project."""

    name = "nuget-lock"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"packages.lock.json"})
    max_size = 16 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith("packages.lock.json") and path.rpartition("/")[2] == "packages.lock.json"

    def analyze(self, path: str, content: bytes) -> Facts:
        pairs = parse_lock(_load_json(content))
        return Facts(
            packages=tuple(
                Package(type="nuget", name=name, version=version, found_by=self.name)
                for name, version in pairs
            )
        )
