"""PHP Composer packages: what ``vendor/composer/installed.json`` says is installed, and
what ``composer.lock`` pins.

installed.json is a list of packages (Composer 1) or ``{"packages": [...], "dev-package-names":
[...]}`` (Composer 2, which names the dev packages). composer.lock holds ``packages`` and
``packages-dev``; the latter are marked ``dev``. Names are ``vendor/package`` as Composer writes
them; ``license`` is a string or a list of strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.model import Facts, Package

MAX_PACKAGES = 20_000
MAX_LICENSES = 32
MAX_FIELD = 256

_LICENSE_SPLIT = re.compile(r",?[_ ]+(?:or|and)[_ ]+|,[ ]*", re.IGNORECASE)


def _load_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as error:
        raise AnalyzerError(f"invalid JSON: {str(error)[:120]}") from None


def _licenses(value: object) -> tuple[str, ...]:
    """A list as is; a string split on "or", "and" and commas (``"MIT or BSD-2-Clause"``), as Trivy does."""
    if isinstance(value, str):
        items: list[object] = [part.strip("() ") for part in _LICENSE_SPLIT.split(value[:4096])]
    else:
        items = value if isinstance(value, list) else []
    names = (item.strip() for item in items[:MAX_LICENSES] if isinstance(item, str))
    return tuple(dict.fromkeys(name for name in names if name and len(name) <= MAX_FIELD))


def _packages(entries: Iterable[object], analyzer: str, dev_names: frozenset[str] | None) -> list[Package]:
    """Packages of entries with a string name and version; ``dev_names=None`` marks all dev."""
    packages: list[Package] = []
    for entry in entries:
        if len(packages) >= MAX_PACKAGES:
            break
        if not isinstance(entry, dict):
            continue
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            continue
        if len(name) > MAX_FIELD or len(version) > MAX_FIELD:
            continue
        dev = dev_names is None or name in dev_names
        packages.append(
            Package(
                type="composer",
                name=name,
                version=version,
                licenses=_licenses(entry.get("license")),
                found_by=analyzer,
                properties=(("dev", "true"),) if dev else (),
            )
        )
    return packages


def _list(value: object, what: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AnalyzerError(f"{what} is not a list")
    return value


def parse_installed(document: Any, analyzer: str) -> list[Package]:
    """Packages of an installed.json in either Composer 1 or Composer 2 form."""
    if isinstance(document, list):
        return _packages(document, analyzer, frozenset())
    if not isinstance(document, dict):
        raise AnalyzerError("installed.json is neither a list nor an object")
    dev_names = _list(document.get("dev-package-names"), "dev-package-names")
    devs = frozenset(name for name in dev_names if isinstance(name, str))
    return _packages(_list(document.get("packages"), "packages"), analyzer, devs)


def parse_lock(document: Any, analyzer: str) -> list[Package]:
    """Packages of a composer.lock: runtime ones, then dev ones marked ``dev``."""
    if not isinstance(document, dict):
        raise AnalyzerError("composer.lock is not a JSON object")
    runtime = _packages(_list(document.get("packages"), "packages"), analyzer, frozenset())
    dev = _packages(_list(document.get("packages-dev"), "packages-dev"), analyzer, None)
    return (runtime + dev)[:MAX_PACKAGES]


@register
class ComposerInstalledAnalyzer(Analyzer):
    """Packages Composer installed into a vendor directory."""

    name = "composer-installed"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"installed.json"})
    max_size = 16 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith("composer/installed.json") and (
            path == "composer/installed.json" or path.endswith("/composer/installed.json")
        )

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts(packages=tuple(parse_installed(_load_json(content), self.name)))


@register
class ComposerLockAnalyzer(Analyzer):
    """Packages a Composer lock file pins, dev ones marked."""

    name = "composer-lock"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"composer.lock"})
    max_size = 16 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith("composer.lock") and path.rpartition("/")[2] == "composer.lock"

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts(packages=tuple(parse_lock(_load_json(content), self.name)))
