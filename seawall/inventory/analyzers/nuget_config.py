"""NuGet ``packages.config`` files of classic .NET Framework projects.

``<packages><package id="X" version="1.2.3" developmentDependency="true"/></packages>``. The XML
is read with expat and any DTD is refused, so no entity can expand or reach outside the file.
Development dependencies (build-time tools) are kept and marked ``dev``.
"""

from __future__ import annotations

from typing import ClassVar
from xml.parsers import expat

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.model import Facts, Package

MAX_PACKAGES = 20_000
MAX_DEPTH = 64
MAX_FIELD = 256


class _Refused(Exception):
    """Raised from expat callbacks to stop on content we will not parse."""


class _Collector:
    """Expat callbacks collecting ``package`` elements directly under the ``packages`` root."""

    def __init__(self) -> None:
        self.depth = 0
        self.root = ""
        self.found: dict[tuple[str, str], bool] = {}

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused("nesting too deep")
        if self.depth == 1:
            self.root = tag
        elif self.depth == 2 and self.root == "packages" and tag == "package":
            self._package(attributes)

    def end(self, tag: str) -> None:
        self.depth -= 1

    def _package(self, attributes: dict[str, str]) -> None:
        name = attributes.get("id", "").strip()
        version = attributes.get("version", "").strip()
        if not name or not version or len(name) > MAX_FIELD or len(version) > MAX_FIELD:
            return
        if len(self.found) >= MAX_PACKAGES:
            raise _Refused(f"more than {MAX_PACKAGES} packages")
        dev = attributes.get("developmentDependency", "").strip().lower() == "true"
        self.found[(name, version)] = self.found.get((name, version), True) and dev


def _refuse_dtd(*_: object) -> int:
    raise _Refused("DTDs and entities are not accepted")


def parse_packages_config(content: bytes) -> list[tuple[str, str, bool]]:
    """(id, version, development dependency) of each package element."""
    collector = _Collector()
    parser = expat.ParserCreate()
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    try:
        parser.Parse(content, True)
    except expat.ExpatError as error:
        raise AnalyzerError(f"invalid XML: {error}") from None
    except _Refused as error:
        raise AnalyzerError(f"packages.config refused: {error}") from None
    if collector.root != "packages":
        raise AnalyzerError("not a packages.config: the root element is not <packages>")
    return [(name, version, dev) for (name, version), dev in collector.found.items()]


@register
class NugetConfigAnalyzer(Analyzer):
    """NuGet packages a classic .NET project restores."""

    name = "nuget-config"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"packages.config"})
    max_size = 4 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith("packages.config") and path.rpartition("/")[2] == "packages.config"

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts(
            packages=tuple(
                Package(
                    type="nuget",
                    name=name,
                    version=version,
                    found_by=self.name,
                    properties=(("dev", "true"),) if dev else (),
                )
                for name, version, dev in parse_packages_config(content)
            )
        )
