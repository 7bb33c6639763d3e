"""Alpine secdb: ``v3.x/main.yaml`` and ``v3.x/community.yaml`` (the legacy alpine-secdb repository),
or today's ``v3.x/main.json`` and ``community.json`` (the same structure in JSON).

A secdb file is one repository of one release: ``distroversion`` (``v3.11``), ``reponame``,
``packages[].pkg.name`` (a source package, apk's ``origin``) and ``pkg.secfixes``, a mapping from the
version that fixed something to the identifiers it fixed. Version ``0`` means the package was never
affected in Alpine (status ``not_affected``).

One advisory per vulnerability (its CVE, or an XSA/TALOS/... ID when it has none), with one affected
package per (release, package) in namespace ``alpine:3.x``: status ``fixed``, the fixed version, and
the OSV-style range ``introduced 0, fixed V`` in the ``apk`` scheme. When a package lists the same
vulnerability under several versions (a fix carried into a later upstream release, or completed later),
it is affected below the lowest one, the first the secdb calls fixed (precision over recall); all of
them are kept in ``fixed``. Entries name more than one identifier for the same issue
(``CVE-2018-10472 XSA-258``, ``CVE-2017-12122 TALOS-2017-0488``): the first CVE is the advisory ID,
the others aliases; a remark in parentheses is kept in ``notes``. Advisories are assembled across
files, so a release's ``main`` and ``community`` and both formats of one file can be read together.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seawall.versions import InvalidVersion, VersionScheme, scheme
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.model import (
    Advisory,
    AffectedPackage,
    Event,
    EventKind,
    Range,
    RangeType,
    Record,
    Status,
)
from seawall.vulndb.namespace import namespace_of, scheme_of
from seawall.vulndb.parsing import items, load_json, load_yaml, mapping, text

NOT_AFFECTED = "0"
BUDGET = 500_000  # packages + versions + identifiers of one file (bounds YAML alias bombs); real: ~30,000
_STEMS = ("main", "community", "testing")
_SUFFIXES = (".yaml", ".yml", ".json")
_RELEASE = re.compile(r"^v?(\d+\.\d+|edge)$")
_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$")
_CVE = re.compile(r"CVE[-_ ](\d{4})-(\d{4,})")
_OTHER_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]{1,60}$")  # XSA-258, TALOS-2017-0488
_REMARK = re.compile(r"\(([^()]{1,200})\)")


@functools.lru_cache(maxsize=4096)
def identifiers(entry: str) -> tuple[tuple[str, ...], str]:
    """The identifiers in one secfixes entry, first CVE first, and any remark in parentheses.

    ``CVE-2018-10472 XSA-258`` -> ``(CVE-2018-10472, XSA-258)``; ``CVE_2019-1234`` and
    ``CVE 2018-16859`` (typos in the data) -> ``CVE-2019-1234``, ``CVE-2018-16859``;
    ``CVE-2017-17434-1`` (part one of a fix) -> ``CVE-2017-17434``; ``CVE-????-?????  XSA-284`` ->
    ``(XSA-284,)``; ``CVE-2019-5482 (was fixed in libpcap)`` keeps the remark.
    """
    remarks = _REMARK.findall(entry)
    rest = _REMARK.sub(" ", entry)
    cves = [f"CVE-{m.group(1)}-{m.group(2)}" for m in _CVE.finditer(rest)]
    others = [
        token
        for token in rest.split()
        if not token.upper().startswith("CVE") and _OTHER_ID.match(token) and any(c.isdigit() for c in token)
    ]
    return tuple(dict.fromkeys(cves + others)), "; ".join(r.strip() for r in remarks)


_Fix = tuple[tuple[str, ...], str, str, str]  # identifiers, package, fixed version, remark


@dataclass
class _Entry:
    """What the secdb says about one vulnerability in one (release, package)."""

    fixed: dict[str, None] = field(default_factory=dict)  # empty: listed under version 0 only
    notes: dict[str, None] = field(default_factory=dict)


@dataclass
class _Vulnerability:
    aliases: dict[str, None] = field(default_factory=dict)
    packages: dict[tuple[str, str], _Entry] = field(default_factory=dict)


class _Budget:
    def __init__(self) -> None:
        self.left = BUDGET

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise FeedError(f"secdb file too large (more than {BUDGET} entries)")


def _ascending(versions: list[str], apk: VersionScheme) -> list[str]:
    try:
        return sorted(versions, key=apk.key)
    except InvalidVersion:
        return versions


def _empty(value: Any) -> bool:
    """A YAML null (read as "" by the string-only loader) or a JSON null."""
    return value is None or value == ""


@register
class AlpineSecdbImporter(Importer):
    name = "alpine-secdb"
    version = 1
    priority = 20

    def __init__(self) -> None:
        self._vulnerabilities: dict[str, _Vulnerability] = {}
        self._apk = scheme(scheme_of("alpine"))

    def wants(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        stem, dot, suffix = name.partition(".")
        return bool(dot) and stem in _STEMS and f".{suffix}" in _SUFFIXES

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:8192]
        return b"distroversion" in head and b"packages" in head

    def _load(self, path: str, content: bytes) -> Any:
        return load_json(content) if path.endswith(".json") else load_yaml(content)

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        doc = self._load(path, content)
        if not isinstance(doc, dict):
            raise FeedError("not a secdb file (expected a mapping)")
        distroversion = text(doc.get("distroversion"), 40).strip()
        if not distroversion:  # Wolfi's and Chainguard's security.json: read their OSV feeds instead
            raise FeedError("no distroversion: not the secdb of an Alpine release")
        release = _RELEASE.match(distroversion)
        if release is None:
            raise FeedError(f"invalid distroversion {distroversion!r}")
        namespace = namespace_of(f"Alpine:v{release.group(1)}")
        if not _empty(doc.get("packages")) and not isinstance(doc.get("packages"), list):
            raise FeedError("packages is not a list")
        budget = _Budget()
        packages = items(doc.get("packages"), BUDGET)
        budget.spend(len(packages))
        fixes: list[_Fix] = []  # applied once the whole file is read: a file given up adds nothing
        for index, raw in enumerate(packages):
            package = mapping(mapping(raw).get("pkg"))
            name = text(package.get("name"), 300).strip()
            if not _PACKAGE.match(name):
                report.warn(f"{path}[{index}]", f"package with an invalid name {name[:60]!r} skipped")
                continue
            fixes += self._package(name, package.get("secfixes"), budget, report, f"{path}[{index}]")
        for found, name, version, remark in fixes:
            vulnerability = self._vulnerabilities.setdefault(found[0], _Vulnerability())
            vulnerability.aliases.update(dict.fromkeys(found[1:]))
            state = vulnerability.packages.setdefault((namespace, name), _Entry())
            if version == NOT_AFFECTED:
                report.count("not_affected")
            else:
                state.fixed[version] = None
                report.count("fixes")
            if remark:
                state.notes[remark] = None
        report.count("secdb_files")
        return ()

    def _package(
        self, name: str, secfixes: Any, budget: _Budget, report: ImportReport, where: str
    ) -> list[_Fix]:
        """One package's secfixes as (identifiers, package, version, remark) tuples."""
        if _empty(secfixes):
            return []
        if not isinstance(secfixes, dict):
            report.warn(where, f"{name}: secfixes is not a mapping, package skipped")
            return []
        fixes: list[_Fix] = []
        budget.spend(len(secfixes))
        for raw_version, raw_entries in secfixes.items():
            version = text(raw_version, 200).strip()
            if version != NOT_AFFECTED and not self._apk.valid(version):
                report.warn(where, f"{name}: fixed version {version[:60]!r} is not an apk version, skipped")
                continue
            entries = items(raw_entries, BUDGET)
            budget.spend(len(entries))
            for raw_entry in entries:
                entry = text(raw_entry, 1000).strip()
                found, remark = identifiers(entry)
                if not found:
                    report.warn(where, f"{name} {version}: no vulnerability identifier in {entry[:60]!r}")
                    continue
                fixes.append((found, name, version, remark))
        return fixes

    def finish(self, report: ImportReport) -> Iterable[Record]:
        vulnerabilities, self._vulnerabilities = self._vulnerabilities, {}
        for advisory_id in sorted(vulnerabilities):
            vulnerability = vulnerabilities[advisory_id]
            affected = [
                self._affected(namespace, name, vulnerability.packages[(namespace, name)], self._apk)
                for namespace, name in sorted(vulnerability.packages)
            ]
            aliases = tuple(a for a in vulnerability.aliases if a != advisory_id)
            yield Advisory(id=advisory_id, aliases=aliases, affected=tuple(affected))

    @staticmethod
    def _affected(namespace: str, name: str, entry: _Entry, apk: VersionScheme) -> AffectedPackage:
        notes = "; ".join(entry.notes)
        if not entry.fixed:
            return AffectedPackage(namespace, name, Status.NOT_AFFECTED, notes=notes)
        fixed = _ascending(list(entry.fixed), apk)
        events = (Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, fixed[0]))
        return AffectedPackage(
            namespace=namespace,
            name=name,
            status=Status.FIXED,
            ranges=(Range(RangeType.ECOSYSTEM, scheme_of(namespace), events),),
            fixed=tuple(fixed),
            notes=notes,
        )
