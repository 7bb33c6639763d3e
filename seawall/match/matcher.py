"""Inventory x vulnerability database -> findings, each explained (data source, rule, range, severity)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from seawall.match.finding import VulnFinding
from seawall.match.severity import best_cvss, choose_severity
from seawall.match.targets import RHEL_MAPPING_TARGET, Target, strip_vendor_suffix, targets_for
from seawall.model import Inventory, Package, Severity
from seawall.versions import InvalidVersion, VersionScheme, scheme
from seawall.vulndb.model import Advisory, AffectedMatch, AffectedPackage, Enrichment, Range, Status
from seawall.vulndb.store import VulnStore

log = logging.getLogger(__name__)

NOT_REPORTED = frozenset({Status.NOT_AFFECTED})


class VendorSuffixInsensitive(VersionScheme):
    """A scheme that compares RHEL-family releases without a rebuild's vendor suffix (``.alma``)."""

    name = "rpm-rhel-family"

    def __init__(self, base: VersionScheme) -> None:
        self.base = base

    def compare(self, a: str, b: str) -> int:
        return self.base.compare(strip_vendor_suffix(a), strip_vendor_suffix(b))


@dataclass
class MatchReport:
    """Findings plus what could not be judged (so the report can say what was not checked)."""

    findings: list[VulnFinding] = field(default_factory=list)
    unparsable: list[str] = field(default_factory=list)
    packages_checked: int = 0
    namespaces: set[str] = field(default_factory=set)


def _scheme_for(range_: Range, target: Target) -> VersionScheme:
    base = scheme(range_.scheme)
    return VendorSuffixInsensitive(base) if target.rule.startswith("rhel-family") else base


def _affected_by(entry: AffectedPackage, target: Target) -> tuple[bool, str]:
    """Whether the installed version is affected, and the range (or list) that says so."""
    version = target.version
    if version in entry.versions:
        return True, f"listed version {version}"
    if not entry.ranges:
        if entry.versions:
            return False, ""
        # distribution "open" entries: every version of the package is affected
        return True, "all versions"
    for range_ in entry.ranges:
        if range_.contains(version, _scheme_for(range_, target)):
            return True, range_.describe()
    return False, ""


def _later_fixes(entry: AffectedPackage, target: Target) -> tuple[str, ...]:
    """Fixed versions above the installed one, lowest first: what to upgrade to."""
    fixes = set(entry.fixed)
    for range_ in entry.ranges:
        fixes.update(range_.fixed)
    if not fixes or not entry.ranges:
        return tuple(sorted(fixes))
    chosen = _scheme_for(entry.ranges[0], target)
    later: list[str] = []
    for fix in fixes:
        try:
            if chosen.compare(fix, target.version) > 0:
                later.append(fix)
        except InvalidVersion:
            continue
    return tuple(sorted(later, key=functools.cmp_to_key(chosen.compare)))


def _same_kind_of_name(properties: dict[str, str], target: Target) -> bool:
    """A source-package lookup accepts only entries the feed marks as source packages, and the reverse."""
    marked = properties.get("package", "")
    if target.rule == "rpm-source-package":
        return marked == "source"
    return not (marked == "source" and target.rule == "rpm-package")


def _same_module(properties: dict[str, str], package: Package) -> bool:
    """A modular RPM (``rpm:modularitylabel`` name:stream:version:context) matches only advisories of its
    module stream; a non-modular one only advisories without a module."""
    label = package.property("rpm:modularitylabel") or ""
    stream = ":".join(label.split(":")[:2]) if label else ""
    return properties.get("rpm:module", "") == stream


class Matcher:
    """Matches inventories against one open database."""

    def __init__(self, store: VulnStore, include_informational: bool = False) -> None:
        self.store = store
        self.include_informational = include_informational
        self._namespaces = set(store.namespaces())
        self._advisories: dict[int, tuple[Advisory, Enrichment]] = {}

    def _lookups(self, package: Package, inventory: Inventory) -> list[Target]:
        targets = targets_for(package, inventory.os)
        own = [t for t in targets if not t.rule.startswith("rhel-family")]
        if any(t.namespace in self._namespaces for t in own):
            return own  # the distribution's own data decides; no mapping then
        return targets

    def match(self, inventory: Inventory) -> MatchReport:
        report = MatchReport()
        wanted: list[tuple[Package, Target]] = []
        for package in inventory.packages:
            lookups = self._lookups(package, inventory)
            if lookups:
                report.packages_checked += 1
            wanted.extend((package, target) for target in lookups)
        found = self.store.lookup_many((t.namespace, t.name) for _, t in wanted)
        affected: list[tuple[Package, Target, AffectedMatch, str]] = []
        for package, target in wanted:
            matches = found.get((target.namespace, target.name), [])
            if matches:
                report.namespaces.add(target.namespace)
            for candidate in matches:
                described = self._affected(package, target, candidate, report)
                if described is not None:
                    affected.append((package, target, candidate, described))
        self._advisories.update(
            self.store.advisories_at(c.row for _, _, c, _ in affected if c.row not in self._advisories)
        )
        seen: set[tuple[str, str, str]] = set()
        for package, target, candidate, described in affected:
            key = (candidate.advisory_id, package.name, package.version)
            if key in seen:
                continue
            seen.add(key)
            report.findings.append(self._finding(package, target, candidate, described))
        report.findings.sort(key=lambda f: (-int(f.severity), f.package.name, f.advisory_id))
        return report

    def _affected(
        self, package: Package, target: Target, candidate: AffectedMatch, report: MatchReport
    ) -> str | None:
        """The range that makes this package affected, or None when it is not (or cannot be judged)."""
        if candidate.status in NOT_REPORTED:
            return None
        entry = candidate.package
        properties = dict(entry.properties)
        if not self.include_informational and properties.get("informational"):
            return None
        if not _same_kind_of_name(properties, target) or not _same_module(properties, package):
            return None
        try:
            affected, described = _affected_by(entry, target)
        except InvalidVersion as error:
            report.unparsable.append(f"{package.name} {target.version}: {error}")
            return None
        except KeyError as error:  # a range in a scheme we do not have: never guess
            report.unparsable.append(f"{candidate.advisory_id}: no version scheme {error}")
            return None
        if not affected:
            return None
        return described

    def _finding(
        self, package: Package, target: Target, candidate: AffectedMatch, described: str
    ) -> VulnFinding:
        entry = candidate.package
        advisory, enrichment = self._advisories[candidate.row]
        fixes = _later_fixes(entry, target)
        status = Status.FIXED.value if fixes else candidate.status.value
        rating, severity_source = choose_severity(entry, advisory, enrichment, target.namespace)
        cvss_rating = best_cvss(entry, advisory, enrichment)
        kev = enrichment.kev[0] if enrichment.kev else None
        epss = enrichment.max_epss
        source = f"{target.namespace} ({candidate.source})"
        if target.rule.startswith("rhel-family"):
            source += f"; versions compared without the {RHEL_MAPPING_TARGET} release suffix"
        return VulnFinding(
            advisory_id=candidate.advisory_id,
            package=package,
            installed_version=target.version,
            status=status,
            severity=rating.severity if rating else Severity.UNKNOWN,
            severity_source=severity_source,
            data_source=source,
            rule=target.rule,
            affected_range=described,
            fixed_versions=fixes,
            aliases=tuple(a for a in advisory.aliases if a != candidate.advisory_id),
            title=advisory.summary,
            description=advisory.details,
            cvss_score=cvss_rating.score if cvss_rating else None,
            cvss_vector=cvss_rating.vector if cvss_rating else "",
            references=tuple(r.url for r in advisory.references),
            cwes=advisory.cwes,
            published=advisory.published,
            kev_date_added=kev.date_added if kev else "",
            epss_score=epss.score if epss else None,
            epss_percentile=epss.percentile if epss else None,
            notes=entry.notes,
        )


def match_inventory(inventory: Inventory, store: VulnStore) -> MatchReport:
    return Matcher(store).match(inventory)


def packages_by_key(findings: Iterable[VulnFinding]) -> dict[tuple[str, str], list[VulnFinding]]:
    """Findings grouped by package (name, version), for upgrade advice."""
    grouped: dict[tuple[str, str], list[VulnFinding]] = {}
    for finding in findings:
        grouped.setdefault((finding.package.name, finding.package.version), []).append(finding)
    return grouped
