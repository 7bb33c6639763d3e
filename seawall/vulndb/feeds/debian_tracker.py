"""The Debian security tracker's JSON export (``security-tracker.debian.org/tracker/data/json``).

One JSON object: source package -> CVE (or ``TEMP-`` issue) -> ``description``, ``debianbug``,
``releases`` -> codename -> ``status`` (``resolved``, ``open``, ``undetermined``), ``fixed_version``,
``urgency`` and, for open issues the security team will not fix in a DSA, ``nodsa`` (a remark) and
``nodsa_reason`` (``postponed``, ``ignored``, or empty for plain no-dsa). One Advisory per CVE, with one
AffectedPackage per (release, source package):

=========================================  ===================================================
resolved, ``fixed_version`` ``"0"``        not_affected (the release never had the flaw)
resolved, ``fixed_version`` V              fixed, range ``introduced 0, fixed V``
open, ``urgency`` ``end-of-life``          end_of_life
open, ``nodsa_reason`` ``ignored``         will_not_fix (notes ``ignored: <nodsa>``)
open, ``nodsa_reason`` ``postponed``       fix_deferred (notes ``postponed: <nodsa>``)
open (plain no-dsa, or none)               affected (notes ``no-dsa: <nodsa>``)
undetermined                               under_investigation
=========================================  ===================================================

Open statuses carry the range ``introduced 0`` (every version of that release is affected). The
urgency (``unimportant``, ``low``, ``medium``, ``high``; a trailing ``*`` or ``**`` marks one the
tracker derived rather than assigned) is the vendor severity of the entry. Codenames become release
numbers (``bookworm`` -> ``debian:12``); ``sid`` is ``debian:unstable``. Package names are *source*
package names: every entry says so (:data:`SOURCE_PACKAGE`), so that matching uses an installed
package's source name.

The export is one large file: it is decoded one package at a time, so memory stays near twice the
file size however many entries it holds, and a broken tail loses only what follows the break.

This module also holds what the distribution importers share (Debian codenames, source-package
marking, open and fixed ranges), used by :mod:`.debian_lists`, :mod:`.ubuntu_uct`, :mod:`.redhat_csaf`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from packageurl import PackageURL

from seawall.model import Severity
from seawall.versions import scheme
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, MiB, register
from seawall.vulndb.model import (
    Advisory,
    AffectedPackage,
    Event,
    EventKind,
    Range,
    RangeType,
    Rating,
    Record,
    Reference,
    Status,
)
from seawall.vulndb.parsing import text

# --- shared by the distribution importers ----------------------------------------------------------

SOURCE_PACKAGE: tuple[tuple[str, str], ...] = (("package", "source"),)
"""``AffectedPackage.properties`` of an entry named by its source package (Debian, Ubuntu, a Red Hat
SRPM): match it against an installed package's source name, not its binary name."""
BINARY_PACKAGE: tuple[tuple[str, str], ...] = (("package", "binary"),)
"""``AffectedPackage.properties`` of an entry named by a binary package (a Red Hat binary RPM)."""

DEBIAN_RELEASES = {
    "buzz": "1.1",
    "rex": "1.2",
    "bo": "1.3",
    "hamm": "2.0",
    "slink": "2.1",
    "potato": "2.2",
    "woody": "3.0",
    "sarge": "3.1",
    "etch": "4",
    "lenny": "5",
    "squeeze": "6",
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
    "duke": "15",
    "sid": "unstable",
}
"""Debian codename -> the release part of the namespace (the os-release ``VERSION_ID``)."""

PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._~-]{0,199}$")
ISSUE_ID = re.compile(r"^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9-]{0,60}$")
_DERIVED = "*"


@functools.lru_cache(maxsize=256)
def debian_namespace(codename: str) -> str | None:
    """``bookworm`` -> ``debian:12``; None for a codename we do not know."""
    release = DEBIAN_RELEASES.get(codename.strip().lower())
    return f"debian:{release}" if release else None


@functools.lru_cache(maxsize=65536)
def source_purl(distro: str, name: str) -> str:
    """The purl of a Debian or Ubuntu *source* package (purl-spec: ``arch=source``), without version."""
    return PackageURL(type="deb", namespace=distro, name=name, qualifiers={"arch": "source"}).to_string()


@functools.lru_cache(maxsize=64)
def open_range(scheme_name: str) -> tuple[Range, ...]:
    """Every version is affected: the range of an open issue."""
    return (Range(RangeType.ECOSYSTEM, scheme_name, (Event(EventKind.INTRODUCED, "0"),)),)


@functools.lru_cache(maxsize=65536)
def fixed_range(scheme_name: str, *fixed: str) -> tuple[Range, ...]:
    """Affected below the (first) fixed version: ``introduced 0`` then each ``fixed`` event. Cached:
    entries fixed in the same version share one range."""
    events = [Event(EventKind.INTRODUCED, "0"), *(Event(EventKind.FIXED, v) for v in fixed)]
    return (Range(RangeType.ECOSYSTEM, scheme_name, tuple(events)),)


@functools.lru_cache(maxsize=65536)
def valid_version(scheme_name: str, version: str) -> bool:
    """Whether the scheme parses ``version`` (True when the scheme is not installed)."""
    try:
        return scheme(scheme_name).valid(version)
    except KeyError:
        return bool(version) and len(version) <= 256


@functools.lru_cache(maxsize=1024)
def vendor_rating(source: str, word: str) -> Rating | None:
    """A vendor severity word as a Rating (``high**`` rates high, the word kept as written); None for a
    word that rates nothing (``not yet assigned``, ``end-of-life``, ``untriaged``)."""
    word = word.strip()[:40]
    severity = Severity.parse(word.rstrip(_DERIVED))
    if severity is Severity.UNKNOWN:
        return None
    return Rating(source, "vendor", severity, word)


# --- the tracker JSON ------------------------------------------------------------------------------

_SHAPE = re.compile(rb'^\s*\{\s*"[^"\\]{1,200}"\s*:\s*\{\s*"[^"\\]{1,80}"\s*:\s*\{')
_RELEASES = re.compile(rb'"releases"\s*:\s*[{[]')
_TRACKER_STATUS = re.compile(rb'"status"\s*:\s*"(?:resolved|open|undetermined)"')
_NODSA_STATUS = {"ignored": Status.WILL_NOT_FIX, "postponed": Status.FIX_DEFERRED}
_OPEN_STATUSES = (Status.AFFECTED, Status.WILL_NOT_FIX, Status.FIX_DEFERRED, Status.END_OF_LIFE)
MAX_ISSUES = 2_000_000  # (package, issue) pairs in one file


@dataclass
class _Issue:
    description: str = ""
    bug: str = ""
    affected: list[AffectedPackage] = field(default_factory=list)


def _skip_blanks(document: str, index: int) -> int:
    while index < len(document) and document[index] in " \t\n\r":
        index += 1
    return index


def _members(document: str) -> Iterator[tuple[str, Any]]:
    """The (key, value) pairs of a top-level JSON object, decoded one at a time.

    FeedError (naming the offset) when the text stops being JSON; pairs before it have been yielded.
    """
    decoder = json.JSONDecoder()
    end = len(document)
    index = _skip_blanks(document, 0)
    if index >= end or document[index] != "{":
        raise FeedError("not a JSON object")
    index = _skip_blanks(document, index + 1)
    if index < end and document[index] == "}":
        return
    while True:
        try:
            key, index = decoder.raw_decode(document, index)
            index = _skip_blanks(document, index)
            if index >= end or document[index] != ":" or not isinstance(key, str):
                raise ValueError("expected a string key and ':'")
            value, index = decoder.raw_decode(document, _skip_blanks(document, index + 1))
        except (ValueError, RecursionError) as error:
            raise FeedError(f"invalid JSON at character {index} ({str(error)[:120]})") from None
        yield key, value
        index = _skip_blanks(document, index)
        if index < end and document[index] == ",":
            index = _skip_blanks(document, index + 1)
            continue
        if index < end and document[index] == "}":
            return
        raise FeedError(f"invalid JSON at character {index} (expected ',' or '}}')")


def tracker_status(entry: dict[str, Any]) -> tuple[Status, str, str] | str:
    """(status, fixed version, notes) of one release entry, or the reason it cannot be read."""
    status = text(entry.get("status"), 40)
    fixed = text(entry.get("fixed_version"), 256).strip()
    urgency = text(entry.get("urgency"), 40).strip()
    if status == "resolved":
        if fixed == "0":
            return Status.NOT_AFFECTED, "", ""
        if not fixed:
            return "resolved without a fixed_version"
        if not valid_version("dpkg", fixed):
            return f"invalid fixed_version {fixed[:60]!r}"
        return Status.FIXED, fixed, ""
    if status == "undetermined":
        return Status.UNDER_INVESTIGATION, "", ""
    if status != "open":
        return f"unknown status {status[:40]!r}"
    remark = text(entry.get("nodsa"), 500).strip()
    reason = text(entry.get("nodsa_reason"), 40).strip().lower()
    if urgency == "end-of-life":
        return Status.END_OF_LIFE, "", "end-of-life"
    if reason in _NODSA_STATUS:
        return _NODSA_STATUS[reason], "", f"{reason}: {remark}" if remark else reason
    if entry.get("nodsa") is not None:
        return Status.AFFECTED, "", f"no-dsa: {remark}" if remark else "no-dsa"
    return Status.AFFECTED, "", ""


def _affected(
    package: str, codename: str, entry: dict[str, Any], outcome: tuple[Status, str, str]
) -> AffectedPackage:
    status, fixed, notes = outcome
    if status is Status.FIXED:
        ranges = fixed_range("dpkg", fixed)
    elif status in _OPEN_STATUSES:
        ranges = open_range("dpkg")
    else:
        ranges = ()
    rating = vendor_rating("debian", text(entry.get("urgency"), 40))
    return AffectedPackage(
        namespace=debian_namespace(codename) or "",
        name=package,
        status=status,
        ranges=ranges,
        fixed=(fixed,) if fixed else (),
        ecosystem=codename,
        purl=source_purl("debian", package),
        ratings=(rating,) if rating else (),
        notes=notes,
        properties=SOURCE_PACKAGE,
    )


@register
class DebianTrackerImporter(Importer):
    name = "debian-tracker"
    version = 1
    priority = 20
    max_size = 512 * MiB

    def __init__(self) -> None:
        self._unknown_releases: set[str] = set()

    def wants(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return (name.endswith(".json") or name == "json") and not name.startswith(".")

    def detect(self, path: str, content: bytes) -> bool:
        """A JSON object of objects of objects, with per-release ``status`` entries early on."""
        head = content[:65536]
        return bool(_SHAPE.match(head) and _RELEASES.search(head) and _TRACKER_STATUS.search(head))

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        try:
            document = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FeedError(f"not UTF-8 ({error.reason} at byte {error.start})") from None
        issues: dict[str, _Issue] = {}
        pairs = 0
        try:
            for package, cves in _members(document):
                pairs += self._package(path, package, cves, issues, report)
                if pairs > MAX_ISSUES:
                    report.warn(path, f"more than {MAX_ISSUES} entries; the rest of the file skipped")
                    break
        except FeedError as error:
            if not issues:
                raise
            report.warn(path, f"{error}; the rest of the file skipped")
        return [self._advisory(issue_id, issue) for issue_id, issue in issues.items() if issue.affected]

    def _package(
        self, path: str, package: str, cves: Any, issues: dict[str, _Issue], report: ImportReport
    ) -> int:
        if not PACKAGE_NAME.match(package):
            report.warn(path, f"package {package[:60]!r} skipped: not a Debian package name")
            return 0
        if not isinstance(cves, dict):
            report.warn(path, f"package {package} skipped: its issues are not an object")
            return 0
        for issue_id, raw in cves.items():
            where = f"{path}: {package}/{issue_id[:60]}"
            if not ISSUE_ID.match(issue_id):
                report.warn(path, f"{package}: issue {issue_id[:60]!r} skipped: not a CVE or TEMP ID")
                continue
            if not isinstance(raw, dict):
                report.warn(path, f"{package}/{issue_id} skipped: not an object")
                continue
            issue = issues.setdefault(issue_id, _Issue())
            issue.description = issue.description or text(raw.get("description")).strip()
            bug = raw.get("debianbug")
            if not issue.bug and isinstance(bug, int) and not isinstance(bug, bool) and bug > 0:
                issue.bug = str(bug)
            releases = raw.get("releases")
            if not isinstance(releases, dict) or not releases:
                report.count("issues_without_releases")
                continue
            for codename, entry in releases.items():
                self._release(where, package, codename, entry, issue, report)
        return len(cves)

    def _release(
        self, where: str, package: str, codename: str, entry: Any, issue: _Issue, report: ImportReport
    ) -> None:
        if debian_namespace(codename) is None:
            report.count("unknown_releases")
            if codename not in self._unknown_releases and len(self._unknown_releases) < 100:
                self._unknown_releases.add(codename)
                report.warn(where, f"release {codename[:40]!r} skipped: not a Debian codename we know")
            return
        if not isinstance(entry, dict):
            report.warn(where, f"release {codename} skipped: not an object")
            return
        outcome = tracker_status(entry)
        if isinstance(outcome, str):
            report.warn(where, f"release {codename} skipped: {outcome}")
            return
        issue.affected.append(_affected(package, codename, entry, outcome))

    def _advisory(self, issue_id: str, issue: _Issue) -> Advisory:
        references = (Reference("REPORT", f"https://bugs.debian.org/{issue.bug}"),) if issue.bug else ()
        return Advisory(
            id=issue_id,
            details=issue.description,
            references=references,
            affected=tuple(issue.affected),
        )
