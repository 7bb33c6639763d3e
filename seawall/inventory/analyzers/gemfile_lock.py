"""Bundler lockfiles (``Gemfile.lock``): the gems of the GEM, GIT, PATH and PLUGIN SOURCE sections.

Each source section lists its resolved gems under ``specs:`` indented by four spaces, as
``name (version)`` or ``name (version-platform)``; deeper lines are their requirements. The
DEPENDENCIES, PLATFORMS, RUBY VERSION, CHECKSUMS and BUNDLED WITH sections name no installed gem.
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, FileInfo, MiB, register
from seawall.model import Facts, Package

MAX_PACKAGES = 20_000
MAX_LINE = 4096
SOURCE_SECTIONS = {"GEM": "", "GIT": "git", "PATH": "path", "PLUGIN SOURCE": "plugin"}

# Four spaces, a name, and a parenthesised version whose platform follows the first "-".
_SPEC = re.compile(r"    ([^\s()!]{1,256}) \(([^\s()-]{1,256})(?:-([^\s()]{1,256}))?\)")


def parse_lockfile(text: str) -> tuple[list[tuple[str, str, str]], bool]:
    """(name, version, source kind) of every locked gem, and whether the list was cut at the cap."""
    gems: dict[tuple[str, str], str] = {}
    source: str | None = None
    for line in text.splitlines():
        if not line or len(line) > MAX_LINE:
            continue
        if not line[0].isspace():
            source = SOURCE_SECTIONS.get(line.rstrip())
            continue
        if source is None:
            continue
        match = _SPEC.fullmatch(line.rstrip())
        if match is None:
            continue
        if len(gems) >= MAX_PACKAGES:
            return [(n, v, s) for (n, v), s in gems.items()], True
        gems.setdefault((match.group(1), match.group(2)), source)
    return [(n, v, s) for (n, v), s in gems.items()], False


@register
class GemfileLockAnalyzer(Analyzer):
    """Locked gems of a Bundler application."""

    name = "gemfile-lock"
    version = 1
    suffixes: ClassVar[tuple[str, ...]] = (".lock", "gems.locked")
    max_size = 8 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        base = path.rpartition("/")[2]
        return (base.startswith("Gemfile") and base.endswith(".lock")) or base == "gems.locked"

    def analyze(self, path: str, content: bytes) -> Facts:
        gems, truncated = parse_lockfile(content.decode("utf-8", errors="replace"))
        packages = tuple(
            Package(
                type="gem",
                name=name,
                version=version,
                found_by=self.name,
                properties=(("gem:source", source),) if source else (),
            )
            for name, version, source in gems
        )
        warnings = (f"{path}: more than {MAX_PACKAGES} gems, the rest ignored",) if truncated else ()
        return Facts(packages=packages, warnings=warnings)
