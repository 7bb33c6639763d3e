"""The vocabulary of the vulnerability database: advisories, affected packages, ranges, ratings, enrichment.

An :class:`Advisory` is one upstream record (a PYSEC, GHSA, GO, ALSA, DSA ... entry). It lists the
packages it affects, each an :class:`AffectedPackage` keyed by ``(namespace, name)``: the namespace is
the normalised ecosystem (``pypi``, ``go``, ``npm``) or distribution + release (``debian:12``,
``almalinux:9``), the name is normalised for that ecosystem (see :mod:`seawall.vulndb.namespace`).
Severities are kept per source as :class:`Rating` values. Enrichment (KEV, EPSS, NVD) is keyed by CVE
and reaches an advisory through its aliases.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seawall.model import Severity

if TYPE_CHECKING:
    from seawall.versions import VersionScheme


class Status(enum.StrEnum):
    """What the feed says about an affected package (Trivy's vocabulary)."""

    FIXED = "fixed"  # a fixed version exists (see AffectedPackage.fixed)
    AFFECTED = "affected"  # affected, no fix available (yet)
    WILL_NOT_FIX = "will_not_fix"
    FIX_DEFERRED = "fix_deferred"
    END_OF_LIFE = "end_of_life"
    NOT_AFFECTED = "not_affected"
    UNDER_INVESTIGATION = "under_investigation"  # Debian "undetermined", Ubuntu "needs-triage"


class EventKind(enum.StrEnum):
    """OSV range events."""

    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    version: str


class RangeType(enum.StrEnum):
    ECOSYSTEM = "ECOSYSTEM"  # OSV events in the ecosystem's own version scheme
    SEMVER = "SEMVER"  # OSV events in SemVer 2.0
    REQUIREMENTS = "REQUIREMENTS"  # requirement strings in the scheme's syntax (RubySec, RustSec, npm)


@dataclass(frozen=True)
class Range:
    """A set of affected versions, in the version scheme named ``scheme`` (a :mod:`seawall.versions` name).

    ECOSYSTEM and SEMVER ranges are OSV event lists: a version is affected from an ``introduced``
    event until the next ``fixed`` (exclusive) or ``last_affected`` (inclusive) event, and never at or
    above a ``limit``. REQUIREMENTS ranges are written in the ecosystem's own requirement syntax: a
    version is affected when it satisfies one of ``vulnerable`` (or ``vulnerable`` is empty) and none
    of ``unaffected`` (patched or unaffected versions, as RubySec and RustSec write them).
    """

    type: RangeType
    scheme: str
    events: tuple[Event, ...] = ()
    vulnerable: tuple[str, ...] = ()
    unaffected: tuple[str, ...] = ()

    @property
    def fixed(self) -> tuple[str, ...]:
        return tuple(e.version for e in self.events if e.kind is EventKind.FIXED)

    def describe(self) -> str:
        """The range in one line: ``>=2.3.1, <2.14.4 || >=2.15.0, <2.15.3``; ``<1.2 (not >=1.1.5, <1.2)``."""
        if self.type is RangeType.REQUIREMENTS:
            text = " || ".join(self.vulnerable) or "*"
            return f"{text} (not {' || '.join(self.unaffected)})" if self.unaffected else text
        spans: list[str] = []
        start = ""
        for event in self.events:
            if event.kind is EventKind.INTRODUCED:
                if start:
                    spans.append(start)
                start = "" if event.version == "0" else f">={event.version}"
                start = start or "*"
            elif event.kind in (EventKind.FIXED, EventKind.LAST_AFFECTED, EventKind.LIMIT):
                op = "<=" if event.kind is EventKind.LAST_AFFECTED else "<"
                bound = f"{op}{event.version}"
                spans.append(bound if start in ("", "*") else f"{start}, {bound}")
                start = ""
        if start:
            spans.append(start)
        return " || ".join(spans) or "*"

    def contains(self, version: str, scheme: VersionScheme) -> bool:
        """Whether ``version`` is in this range (InvalidVersion from the scheme propagates)."""
        if self.type is RangeType.REQUIREMENTS:
            if self.vulnerable and not any(scheme.satisfies(version, r) for r in self.vulnerable):
                return False
            return not any(scheme.satisfies(version, r) for r in self.unaffected)
        limits = [e.version for e in self.events if e.kind is EventKind.LIMIT and e.version != "*"]
        if limits and all(scheme.compare(version, limit) >= 0 for limit in limits):
            return False
        affected = False
        for event in _sorted_events(self.events, scheme):
            if event.kind is EventKind.INTRODUCED:
                if event.version == "0" or scheme.compare(version, event.version) >= 0:
                    affected = True
            elif event.kind is EventKind.FIXED:
                if scheme.compare(version, event.version) >= 0:
                    affected = False
            elif event.kind is EventKind.LAST_AFFECTED and scheme.compare(version, event.version) > 0:
                affected = False
        return affected


def _sorted_events(events: tuple[Event, ...], scheme: VersionScheme) -> list[Event]:
    """OSV evaluates events in version order; ``introduced: 0`` sorts first. Ties keep feed order."""
    import functools

    def order(a: Event, b: Event) -> int:
        if a.version == b.version:
            return 0
        if a.kind is EventKind.INTRODUCED and a.version == "0":
            return -1
        if b.kind is EventKind.INTRODUCED and b.version == "0":
            return 1
        return scheme.compare(a.version, b.version)

    return sorted((e for e in events if e.kind is not EventKind.LIMIT), key=functools.cmp_to_key(order))


@dataclass(frozen=True)
class Rating:
    """One source's severity for an advisory or an affected package.

    ``source`` names who rated it (``nvd``, ``ghsa``, ``pysec``, ``almalinux``, ``debian``);
    ``method`` is ``CVSS_V2``, ``CVSS_V3`` (3.0 and 3.1), ``CVSS_V4`` or ``vendor`` (a word such as
    Debian's urgency or Red Hat's impact). ``score`` is the CVSS base score when known.
    """

    source: str
    method: str
    severity: Severity
    vector: str = ""
    score: float | None = None


@dataclass(frozen=True)
class Reference:
    type: str  # OSV reference types: ADVISORY, ARTICLE, REPORT, FIX, PACKAGE, WEB ...
    url: str


@dataclass(frozen=True)
class AffectedPackage:
    """One package an advisory affects, in one namespace.

    ``versions`` lists affected versions explicitly (OSV ``versions``); ``fixed`` lists the versions
    that fix it, for display and upgrade advice. ``ecosystem`` and ``purl`` keep the feed's own words.
    ``notes`` carries a vendor remark (``no-dsa``, ``Ubuntu Pro only``); ``properties`` sorted extras
    such as ``("rpm:module", "ruby:3.3")`` or ``("arch", "x86_64")``.
    """

    namespace: str
    name: str
    status: Status = Status.AFFECTED
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    ecosystem: str = ""
    purl: str = ""
    ratings: tuple[Rating, ...] = ()
    notes: str = ""
    properties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Advisory:
    """One advisory as its database publishes it.

    ``aliases`` name the same vulnerability elsewhere (CVE, GHSA ...) and ``upstream`` the records it
    derives from (OSV 1.7); both merge alias groups. ``related`` lists other vulnerabilities it
    concerns without being them (an ALSA errata's CVEs). ``source`` is the database source it came
    from, filled in by the store.
    """

    id: str
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    published: str = ""
    modified: str = ""
    references: tuple[Reference, ...] = ()
    cwes: tuple[str, ...] = ()
    ratings: tuple[Rating, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class KevEntry:
    """A CISA Known Exploited Vulnerabilities catalogue entry."""

    cve: str
    date_added: str
    due_date: str = ""
    vendor: str = ""
    product: str = ""
    name: str = ""
    description: str = ""
    required_action: str = ""
    ransomware: str = ""  # "Known" or "Unknown"
    notes: str = ""
    cwes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EpssScore:
    """FIRST's Exploit Prediction Scoring System: probability of exploitation in 30 days, and rank."""

    cve: str
    score: float
    percentile: float
    date: str = ""


@dataclass(frozen=True)
class CveRecord:
    """What NVD says about one CVE: CVSS ratings by each scoring source, weaknesses, description."""

    cve: str
    ratings: tuple[Rating, ...] = ()
    cwes: tuple[str, ...] = ()
    published: str = ""
    modified: str = ""
    description: str = ""
    status: str = ""


Record = Advisory | KevEntry | EpssScore | CveRecord


@dataclass(frozen=True)
class Enrichment:
    """Everything keyed by CVE that applies to one advisory, through its alias group."""

    cves: tuple[str, ...] = ()
    kev: tuple[KevEntry, ...] = ()
    epss: tuple[EpssScore, ...] = ()
    nvd: tuple[CveRecord, ...] = ()

    @property
    def known_exploited(self) -> bool:
        return bool(self.kev)

    @property
    def max_epss(self) -> EpssScore | None:
        return max(self.epss, key=lambda s: s.score, default=None)


class AffectedMatch:
    """A lookup result: one affected entry, with its advisory's ID, source and row in the store.

    Lookups are the hot path of matching, so the entry's ranges are decoded only when ``package`` is
    first read (``store.advisory(row)`` reads the whole advisory).
    """

    __slots__ = (
        "_data",
        "_decode",
        "_package",
        "advisory_id",
        "name",
        "namespace",
        "row",
        "source",
        "status",
    )

    def __init__(
        self,
        advisory_id: str,
        source: str,
        row: int,
        namespace: str,
        name: str,
        status: Status,
        data: str,
        decode: Callable[[str, str, Status, str], AffectedPackage],
    ) -> None:
        self.advisory_id = advisory_id
        self.source = source
        self.row = row
        self.namespace = namespace
        self.name = name
        self.status = status
        self._data = data
        self._decode = decode
        self._package: AffectedPackage | None = None

    @property
    def package(self) -> AffectedPackage:
        if self._package is None:
            self._package = self._decode(self.namespace, self.name, self.status, self._data)
        return self._package

    def __repr__(self) -> str:
        return f"AffectedMatch({self.advisory_id!r}, {self.source!r}, {self.namespace}/{self.name})"
