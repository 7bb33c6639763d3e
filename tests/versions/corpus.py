"""Real versions and ranges for the differential tests, read from the shared feeds and fixtures.

Every function streams the upstream archive in ``../shared/vulndata`` (or walks the fixture tree) and
returns a sorted tuple, so the tests are deterministic. The feeds are the published data of each
ecosystem: the versions in them are what the version schemes meet in practice. Results are kept in
``tests/versions/.cache`` keyed by the inputs' sizes and times and the extracting code, because reading
the archives takes seconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import isal.igzip

from tests.paths import FIXTURES, SHARED

VULNDATA = SHARED / "vulndata"
CACHE = Path(__file__).parent / ".cache"
F = TypeVar("F", bound=Callable[[], Any])


def _inputs_stamp() -> str:
    parts = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(VULNDATA.glob("*.tar.gz"))]
    parts.append(str(FIXTURES.stat().st_mtime_ns))
    return "|".join(parts)


def _code_text(code: Any) -> str:
    """A stable rendering of a code object (nested code objects included, no memory addresses)."""
    consts = [_code_text(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
    return code.co_code.hex() + "|" + "|".join(consts)


def cached(func: F) -> F:
    """Memoise ``func`` for the session and on disk; a tuple or a dict of tuples round-trips through JSON."""
    digest = hashlib.sha256(f"{_inputs_stamp()}|{_code_text(func.__code__)}".encode()).hexdigest()
    path = CACHE / f"{func.__name__}-{digest[:16]}.json"

    @functools.cache
    def wrapper() -> Any:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = None
        if data is None:
            value = func()
            try:  # best effort; pytest-xdist workers may race to write the same file
                CACHE.mkdir(exist_ok=True)
                for stale in CACHE.glob(f"{func.__name__}-*.json"):
                    if stale != path:
                        stale.unlink(missing_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(value))
                tmp.replace(path)
            except OSError:
                pass
            return value
        if isinstance(data, dict):
            return {k: tuple(v) for k, v in data.items()}
        return tuple(data)

    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def archive_texts(name: str, wanted: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    """``(member path, text)`` of the members of ``vulndata/<name>.tar.gz`` whose path ``wanted`` accepts."""
    with isal.igzip.open(VULNDATA / f"{name}.tar.gz") as raw, tarfile.open(fileobj=raw, mode="r|") as archive:
        for member in archive:
            if member.isfile() and wanted(member.name):
                handle = archive.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read().decode("utf-8", "replace")


def fixture_texts(*patterns: str) -> Iterator[tuple[Path, str]]:
    for pattern in patterns:
        for path in sorted(FIXTURES.rglob(pattern)):
            if path.is_file():
                yield path, path.read_text("utf-8", "replace")


def _finish(values: set[str]) -> tuple[str, ...]:
    return tuple(sorted(v for v in values if v and len(v) <= 200))


# --- Debian and Ubuntu --------------------------------------------------------------------------------

_DSA_FIX = re.compile(r"^\t\[[a-z-]+\] - (\S+) (\S+)", re.MULTILINE)
_UCT_FIX = re.compile(r"^[a-z-]+_(\S+): (?:released|not-affected) \(([^)\s]+)\)", re.MULTILINE)
_STATUS_VERSION = re.compile(r"^Version: (\S+)$", re.MULTILINE)


@cached
def debian_versions_by_package() -> dict[str, tuple[str, ...]]:
    """Fixed versions in the Debian security tracker's DSA/DLA lists and Ubuntu's CVE tracker, by package."""
    found: dict[str, set[str]] = {}
    lists = archive_texts("debian-tracker-lists-2023", lambda n: n.endswith(("/DSA/list", "/DLA/list")))
    for _, text in lists:
        for package, version in _DSA_FIX.findall(text):
            if version[0].isdigit():
                found.setdefault(package, set()).add(version)
    for _, text in archive_texts("ubuntu-cve-tracker-2020", lambda n: "/active/CVE-" in n):
        for package, version in _UCT_FIX.findall(text):
            if version[0].isdigit():
                found.setdefault(package, set()).add(version)
    return {package: _finish(versions) for package, versions in sorted(found.items())}


@cached
def debian_status_versions() -> tuple[str, ...]:
    """Installed versions in the dpkg status fixtures of Trivy and Syft."""
    found: set[str] = set()
    for path, text in fixture_texts("status", "*.status", "status.d/*"):
        if "dpkg" in str(path) or "status" in path.name:
            found.update(_STATUS_VERSION.findall(text))
    return _finish(found)


# --- RPM ----------------------------------------------------------------------------------------------


_ALMA_TOKEN = re.compile(r'"name":\s*"([^"]+)"|"(?:introduced|fixed|last_affected)":\s*"([^"]+)"')


@cached
def rpm_versions_by_package() -> dict[str, tuple[str, ...]]:
    """``epoch:version-release`` strings of AlmaLinux's OSV advisories, by package."""
    found: dict[str, set[str]] = {}
    for _, text in archive_texts("almalinux-osv", lambda n: n.endswith(".json")):
        name = ""
        for match in _ALMA_TOKEN.finditer(text):
            if match.group(1) is not None:
                name = match.group(1)
            elif match.group(2) != "0":
                found.setdefault(name, set()).add(match.group(2))
    return {name: _finish(versions) for name, versions in sorted(found.items())}


# --- Alpine and Wolfi ---------------------------------------------------------------------------------

_SECFIX = re.compile(r"^ {8}['\"]?([0-9][^:'\"\s]*)['\"]?:\s*$", re.MULTILINE)


@cached
def apk_versions() -> tuple[str, ...]:
    """Fixed versions of the Alpine secdb (legacy releases, the v3.15 sample) and the Wolfi secdb sample."""
    found: set[str] = set()
    for _, text in archive_texts("alpine-secdb-legacy", lambda n: n.endswith(".yaml")):
        found.update(_SECFIX.findall(text))
    samples = archive_texts(
        "vunnel-test-fixtures", lambda n: "/providers/alpine/" in n or "/secdb/security.json" in n
    )
    for name, text in samples:
        if name.endswith(".yaml"):
            found.update(_SECFIX.findall(text))
        else:
            for package in json.loads(text).get("packages", []):
                found.update(package.get("pkg", {}).get("secfixes", {}))
    return _finish(found - {"0"})


# --- Python -------------------------------------------------------------------------------------------

_OSV_EVENT = re.compile(
    r"^\s*-?\s*(?:introduced|fixed|last_affected): ['\"]?([^'\"\s]+)['\"]?\s*$", re.MULTILINE
)
_VERSIONS_BLOCK = re.compile(r"^ {2}versions:\n((?: {2}- .*\n?)+)", re.MULTILINE)
_LIST_ITEM = re.compile(r"^ {2}- ['\"]?([^'\"\s]+)['\"]?\s*$", re.MULTILINE)


@cached
def pypi_versions() -> tuple[str, ...]:
    """Versions named by the PyPA advisory database (range events and affected-version lists)."""
    found: set[str] = set()
    for _, text in archive_texts("pypa-advisory-database", lambda n: n.endswith(".yaml")):
        found.update(_OSV_EVENT.findall(text))
        for block in _VERSIONS_BLOCK.findall(text):
            found.update(_LIST_ITEM.findall(block))
    return _finish(found - {"0"})


# --- npm ----------------------------------------------------------------------------------------------


@cached
def npm_ranges() -> tuple[str, ...]:
    """``vulnerable_versions`` and ``patched_versions`` of the Node.js security WG's npm advisories."""
    found: set[str] = set()
    for _, text in archive_texts("nodejs-security-wg", lambda n: "/vuln/npm/" in n and n.endswith(".json")):
        record = json.loads(text)
        for key in ("vulnerable_versions", "patched_versions"):
            if isinstance(record.get(key), str):
                found.add(record[key])
    return _finish(found)


_LOCK_VERSION = re.compile(r'"version":\s*"([^"]+)"')
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$', re.MULTILINE)
_RANGE_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?")


@cached
def npm_versions() -> tuple[str, ...]:
    """Versions in npm, yarn and pnpm lockfile fixtures and in the advisories' ranges."""
    found: set[str] = set()
    for _, text in fixture_texts("package-lock.json", "yarn.lock", "package.json"):
        found.update(_LOCK_VERSION.findall(text))
        found.update(_YARN_VERSION.findall(text))
    for text in npm_ranges():
        found.update(_RANGE_VERSION.findall(text))
    return _finish({v for v in found if v[:1].isdigit()})


# --- Go -----------------------------------------------------------------------------------------------


@cached
def go_versions() -> tuple[str, ...]:
    """Versions in the Go vulnerability database's OSV ranges (SemVer without the ``v``)."""
    found: set[str] = set()
    for _, text in archive_texts("golang-vulndb", lambda n: "/data/osv/" in n and n.endswith(".json")):
        for affected in json.loads(text).get("affected", []):
            for event in (e for r in affected.get("ranges", []) for e in r.get("events", [])):
                found.update(event.values())
    return _finish(found - {"0"})


# --- Rust ---------------------------------------------------------------------------------------------

_TOML_LIST = re.compile(r"^(?:patched|unaffected)\s*=\s*\[([^\]]*)\]", re.MULTILINE)
_QUOTED = re.compile(r'"([^"]*)"')
_CARGO_LOCK_VERSION = re.compile(r'^version = "([^"]+)"$', re.MULTILINE)


@cached
def cargo_requirements() -> tuple[str, ...]:
    """The ``patched`` and ``unaffected`` requirements of the RustSec advisory database."""
    found: set[str] = set()
    for _, text in archive_texts("rustsec-advisory-db", lambda n: "/crates/" in n and n.endswith(".md")):
        for body in _TOML_LIST.findall(text):
            found.update(_QUOTED.findall(body))
    return _finish(found)


@cached
def cargo_versions() -> tuple[str, ...]:
    """Versions in the Cargo.lock fixtures and in RustSec's requirements."""
    found: set[str] = set()
    for _, text in fixture_texts("Cargo.lock"):
        found.update(_CARGO_LOCK_VERSION.findall(text))
    for text in cargo_requirements():
        found.update(_RANGE_VERSION.findall(text))
    return _finish(found)


# --- Ruby ---------------------------------------------------------------------------------------------

_GEM_REQUIREMENT = re.compile(r"^\s+- ['\"]([^'\"]+)['\"]\s*$", re.MULTILINE)
_GEM_BLOCK = re.compile(r"^(?:patched|unaffected)_versions:\s*\n((?:\s+- .*\n?)+)", re.MULTILINE)
_GEMFILE_LOCK = re.compile(r"^ {4}\S+ \(([^)]+)\)$", re.MULTILINE)
_GEM_VERSION = re.compile(r"[0-9]+(?:\.[0-9a-zA-Z]+)*")


@cached
def gem_requirements() -> tuple[str, ...]:
    """``patched_versions`` and ``unaffected_versions`` entries of the RubySec advisory database."""
    found: set[str] = set()
    for _, text in archive_texts("rubysec-ruby-advisory-db", lambda n: "/gems/" in n and n.endswith(".yml")):
        for block in _GEM_BLOCK.findall(text):
            found.update(_GEM_REQUIREMENT.findall(block))
    return _finish(found)


@cached
def gem_versions() -> tuple[str, ...]:
    found: set[str] = set()
    for _, text in fixture_texts("Gemfile.lock", "*.gemspec"):
        found.update(v for v in _GEMFILE_LOCK.findall(text) if "," not in v)
    for text in gem_requirements():
        found.update(_GEM_VERSION.findall(text))
    return _finish(found)


# --- Java, .NET, PHP fixtures -------------------------------------------------------------------------

_POM_VERSION = re.compile(r"<version>\s*([^<$\s{}]+)\s*</version>")
_POM_PROPERTIES = re.compile(r"^version=(\S+)$", re.MULTILINE)


@cached
def maven_versions() -> tuple[str, ...]:
    """Versions in the pom.xml and pom.properties fixtures of Trivy and Syft."""
    found: set[str] = set()
    for _, text in fixture_texts("pom.xml", "pom.properties"):
        found.update(_POM_VERSION.findall(text))
        found.update(_POM_PROPERTIES.findall(text))
    return _finish({v for v in found if "[" not in v and "(" not in v})


_NUGET_KEY = re.compile(r'"[A-Za-z0-9_.-]+/([0-9][^"]*)"')
_NUGET_RESOLVED = re.compile(r'"resolved":\s*"([^"]+)"')
_NUGET_CONFIG = re.compile(r'version="([^"]+)"')


@cached
def nuget_versions() -> tuple[str, ...]:
    """Versions in the .deps.json, packages.lock.json and packages.config fixtures."""
    found: set[str] = set()
    for _, text in fixture_texts("*.deps.json", "packages.lock.json", "packages.config"):
        found.update(_NUGET_KEY.findall(text))
        found.update(_NUGET_RESOLVED.findall(text))
        found.update(_NUGET_CONFIG.findall(text))
    return _finish(found)


@cached
def composer_versions() -> tuple[str, ...]:
    """Versions in the composer.lock and installed.json fixtures."""
    found: set[str] = set()
    for _, text in fixture_texts("composer.lock", "installed.json"):
        found.update(_LOCK_VERSION.findall(text))
    return _finish(found)
