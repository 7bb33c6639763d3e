""".NET applications: the ``*.deps.json`` file the SDK publishes beside every app.

``libraries`` names each package, project and runtime pack as ``Name/Version``. Like Trivy, a
library the runtime target lists without any runtime, runtimeTargets or native asset is skipped:
it was referenced at build time but nothing of it ships (the framework provides it). When the
runtime target is missing from ``targets`` every library is kept.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.model import Facts, Package

MAX_PACKAGES = 20_000
KEPT_TYPES = ("package", "project", "runtimepack")
RUNTIME_ASSETS = ("runtime", "runtimeTargets", "native")
RUNTIME_PACK_PREFIX = "runtimepack."


def load_json(content: bytes) -> Any:
    """Decoded JSON, or AnalyzerError for anything that is not (including absurd nesting)."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as error:
        raise AnalyzerError(f"invalid JSON: {str(error)[:120]}") from None


def _runtime_target(document: dict[str, Any]) -> dict[str, Any] | None:
    """The ``targets`` entry named by ``runtimeTarget.name``, or None when there is none."""
    runtime = document.get("runtimeTarget")
    targets = document.get("targets")
    if not isinstance(runtime, dict) or not isinstance(targets, dict):
        return None
    name = runtime.get("name")
    target = targets.get(name) if isinstance(name, str) else None
    return target if isinstance(target, dict) else None


def _ships(target: dict[str, Any] | None, key: str) -> bool:
    """Whether the runtime target deploys some asset of the library (or does not say)."""
    if target is None or key not in target:
        return True
    entry = target[key]
    return isinstance(entry, dict) and any(entry.get(asset) for asset in RUNTIME_ASSETS)


def parse_deps(document: Any) -> list[tuple[str, str, str]]:
    """(name, version, library type) of the libraries the app ships."""
    if not isinstance(document, dict):
        raise AnalyzerError("deps.json is not a JSON object")
    libraries = document.get("libraries")
    if not isinstance(libraries, dict):
        return []
    target = _runtime_target(document)
    found: list[tuple[str, str, str]] = []
    for key, library in libraries.items():
        if not isinstance(library, dict) or not isinstance(library.get("type"), str):
            continue
        kind = library["type"].lower()
        parts = key.split("/")
        if kind not in KEPT_TYPES or len(parts) != 2 or not all(parts) or not _ships(target, key):
            continue
        name, version = parts
        if kind == "runtimepack":
            name = name.removeprefix(RUNTIME_PACK_PREFIX)
        found.append((name, version, kind))
        if len(found) >= MAX_PACKAGES:
            break
    return found


@register
class DotnetDepsAnalyzer(Analyzer):
    """NuGet packages, projects and runtime packs of a published .NET app."""

    name = "dotnet-deps"
    version = 1
    suffixes: ClassVar[tuple[str, ...]] = (".deps.json",)
    max_size = 16 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith(".deps.json")

    def analyze(self, path: str, content: bytes) -> Facts:
        packages = tuple(
            Package(
                type="nuget",
                name=name,
                version=version,
                found_by=self.name,
                properties=(("dotnet:library-type", kind),) if kind != "package" else (),
            )
            for name, version, kind in parse_deps(load_json(content))
        )
        return Facts(packages=packages)
