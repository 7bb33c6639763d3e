"""The Ubuntu CVE tracker (``ubuntu-cve-tracker``): one text file per CVE under ``active/``, ``retired/``
and ``ignored/``.

A file is a block of ``Field: value`` lines (a value continues on lines that start with a space)::

    Candidate: CVE-2017-2824
    PublicDate: 2017-05-24 14:29:00 UTC
    Priority: high
    CVSS:
     nvd: CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H

    Patches_zabbix:
     upstream: https://...
    xenial_zabbix: needed
    artful_zabbix: not-affected (1:3.0.7+dfsg-3)
    trusty/esm_zabbix: released (1:2.2.2+dfsg-1ubuntu1+esm1)

One Advisory per file (its CVE), with ``Priority`` (negligible, low, medium, high, critical) as the
Ubuntu vendor severity (a ``Priority_<package>`` line rates that package), the CVSS vectors, the
references, bugs and patch links. Each ``<release>_<package>: status (remark)`` line is one
AffectedPackage of the *source* package in ``ubuntu:<number>`` (``focal`` -> ``ubuntu:20.04``; the
Ubuntu Pro streams ``trusty/esm``, ``esm-infra/xenial``, ``esm-apps/jammy`` -> ``ubuntu:pro:14.04`` ...):

==================  =================================================================
released (V)        fixed, range ``introduced 0, fixed V``
needed              affected
pending (V)         affected, a fix is prepared (notes ``pending: V``)
deferred            fix_deferred
needs-triage        under_investigation
not-affected        not_affected
ignored (reason)    end_of_life when the reason is the release's end of life or of
                    standard support, otherwise will_not_fix
DNE                 skipped: the package does not exist in that release
==================  =================================================================

``upstream_`` and ``devel_`` lines (no release number), other streams and unknown release names are
skipped and counted. A file that is not in this format, or names no CVE, is skipped with a warning.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, MiB, register
from seawall.vulndb.feeds.debian_tracker import (
    PACKAGE_NAME,
    SOURCE_PACKAGE,
    fixed_range,
    open_range,
    source_purl,
    valid_version,
    vendor_rating,
)
from seawall.vulndb.model import Advisory, AffectedPackage, Rating, Record, Reference, Status
from seawall.vulndb.parsing import CVE_ID, MAX_TEXT

UBUNTU_RELEASES = {
    "warty": "4.10",
    "hoary": "5.04",
    "breezy": "5.10",
    "dapper": "6.06",
    "edgy": "6.10",
    "feisty": "7.04",
    "gutsy": "7.10",
    "hardy": "8.04",
    "intrepid": "8.10",
    "jaunty": "9.04",
    "karmic": "9.10",
    "lucid": "10.04",
    "maverick": "10.10",
    "natty": "11.04",
    "oneiric": "11.10",
    "precise": "12.04",
    "quantal": "12.10",
    "raring": "13.04",
    "saucy": "13.10",
    "trusty": "14.04",
    "utopic": "14.10",
    "vivid": "15.04",
    "wily": "15.10",
    "xenial": "16.04",
    "yakkety": "16.10",
    "zesty": "17.04",
    "artful": "17.10",
    "bionic": "18.04",
    "cosmic": "18.10",
    "disco": "19.04",
    "eoan": "19.10",
    "focal": "20.04",
    "groovy": "20.10",
    "hirsute": "21.04",
    "impish": "21.10",
    "jammy": "22.04",
    "kinetic": "22.10",
    "lunar": "23.04",
    "mantic": "23.10",
    "noble": "24.04",
    "oracular": "24.10",
    "plucky": "25.04",
    "questing": "25.10",
    "resolute": "26.04",
}
"""Ubuntu codename -> release number (the os-release ``VERSION_ID``)."""

_PRO_PREFIXES = ("esm-infra/", "esm-apps/", "esm-infra-legacy/")
_NOT_RELEASES = ("upstream", "devel", "product", "snap")
_FIELD_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_./+-]*$")
_STATUS = re.compile(r"^(?P<status>[A-Za-z-]+)(?:\s*[(\[](?P<remark>.*)[)\]])?\s*$")
_SCORE = re.compile(r"^(?P<source>[A-Za-z0-9_.-]{1,40}):\s*(?P<vector>\S+)")
_URL = re.compile(r"^(?:(?P<kind>[A-Za-z0-9_-]{1,40}):\s*)?(?P<url>https?://\S{1,2000})")
_DATE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<time>\d{2}:\d{2}(?::\d{2})?))?")
_END_OF_LIFE = re.compile(r"end[ -]of[ -]life|out of standard support", re.IGNORECASE)
_FILE = re.compile(r"^CVE-\d{4}-\d{4,}$")
MAX_LINES = 100_000
_SIMPLE = {
    "needed": Status.AFFECTED,
    "needs-triage": Status.UNDER_INVESTIGATION,
    "deferred": Status.FIX_DEFERRED,
    "not-affected": Status.NOT_AFFECTED,
}


@functools.lru_cache(maxsize=1024)
def ubuntu_namespace(release: str) -> str | None:
    """``focal`` -> ``ubuntu:20.04``; ``trusty/esm``, ``esm-apps/jammy`` -> ``ubuntu:pro:...``; else None."""
    if release in UBUNTU_RELEASES:
        return f"ubuntu:{UBUNTU_RELEASES[release]}"
    base = ""
    if release.endswith("/esm"):
        base = release.removesuffix("/esm")
    for prefix in _PRO_PREFIXES:
        if release.startswith(prefix):
            base = release.removeprefix(prefix)
    return f"ubuntu:pro:{UBUNTU_RELEASES[base]}" if base in UBUNTU_RELEASES else None


@dataclass
class _Parsed:
    """The fields of one file: header values (lines joined), and the status lines in order."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    statuses: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, release, package, value
    dne: int = 0  # status lines saying the package does not exist in that release


def _split(content: str, path: str, report: ImportReport) -> _Parsed:
    """The fields and status lines of a file. A line that is neither is skipped with a warning; a
    blank line may separate paragraphs of one field (the next indented line continues it)."""
    parsed = _Parsed()
    current: list[str] | None = None
    lines = content.split("\n")
    if len(lines) > MAX_LINES:
        raise FeedError(f"more than {MAX_LINES} lines")
    for number, line in enumerate(lines, 1):
        first = line[:1]
        if not first or first == "#" or not line.strip():
            continue
        if first.isspace():
            if current is None:
                report.warn(f"{path}:{number}", "indented line outside a field skipped")
            else:
                current.append(line.strip())
            continue
        key, colon, value = line.partition(":")
        if colon and first.islower() and "_" in key and " " not in key:
            current = None  # a status line: release and package are checked when it is read
            if value.startswith(" DNE"):
                parsed.dne += 1
            else:
                release, _, package = key.partition("_")
                parsed.statuses.append((number, release, package, value.strip()))
            continue
        if not colon or not _FIELD_KEY.match(key):
            report.warn(f"{path}:{number}", f"line skipped: not 'Field: value': {line[:60]!r}")
            continue
        current = parsed.fields.setdefault(key, [])
        if value.strip():
            current.append(value.strip())
    if "Candidate" not in parsed.fields:
        raise FeedError("no Candidate field: not a CVE tracker file")
    return parsed


def _published(value: str) -> str:
    match = _DATE.match(value)
    if match is None:
        return ""
    clock = match["time"] or ""
    if not clock:
        return match["date"]
    return f"{match['date']}T{clock if clock.count(':') == 2 else clock + ':00'}Z"


def _cvss(lines: list[str], report: ImportReport, path: str) -> list[Rating]:
    ratings: list[Rating] = []
    for line in lines[:50]:
        match = _SCORE.match(line)
        if match is None:
            continue
        source, vector = match["source"].lower(), match["vector"]
        try:
            version = cvss.version_of(vector)
            if version == 3:
                score = cvss.v3_base_score(vector)
                ratings.append(Rating(source, "CVSS_V3", cvss.severity_of(score), vector, score))
            elif version == 4:
                ratings.append(Rating(source, "CVSS_V4", cvss.severity_of(None), cvss.v4_validate(vector)))
            else:
                score = cvss.v2_base_score(vector)
                ratings.append(Rating(source, "CVSS_V2", cvss.severity_of(score, 2), vector, score))
        except cvss.CvssError as error:
            report.warn(path, f"CVSS vector ignored: {error}")
    return ratings


def _references(parsed: _Parsed) -> list[Reference]:
    found: list[Reference] = []
    for key, kind in (("References", "WEB"), ("Bugs", "REPORT")):
        for line in parsed.fields.get(key, [])[:500]:
            match = _URL.match(line)
            if match is not None:
                found.append(Reference(kind, match["url"]))
    for key, lines in parsed.fields.items():
        if key.startswith("Patches_"):
            for line in lines[:200]:
                match = _URL.match(line)
                if match is not None:
                    found.append(Reference("FIX", match["url"]))
    return list(dict.fromkeys(found))


def uct_status(value: str) -> tuple[Status, str, str] | str:
    """(status, fixed version, notes) of a status value such as ``released (1.2-3)``; or, for a value
    that makes no entry, the counter to count it under (``DNE``) or a reason starting with ``!``."""
    match = _STATUS.match(value)
    if match is None:
        return f"!unreadable status {value[:60]!r}"
    word, remark = match["status"], (match["remark"] or "").strip()[:500]
    if word == "DNE":
        return "dne"
    if word == "released":
        if not remark:
            return "released_without_version"
        if not valid_version("dpkg", remark):
            return f"!released with an invalid version {remark[:60]!r}"
        return Status.FIXED, remark, ""
    if word == "pending":
        return Status.AFFECTED, "", f"pending: {remark}" if remark else "pending"
    if word == "ignored":
        status = Status.END_OF_LIFE if _END_OF_LIFE.search(remark) else Status.WILL_NOT_FIX
        return status, "", remark or "ignored"
    if word in _SIMPLE:
        return _SIMPLE[word], "", remark
    return f"!unknown status {word[:40]!r}"


@register
class UbuntuCveTrackerImporter(Importer):
    name = "ubuntu-uct"
    version = 1
    priority = 30
    max_size = 16 * MiB

    def __init__(self) -> None:
        self._unknown: set[str] = set()

    def wants(self, path: str) -> bool:
        parts = path.split("/")
        if not _FILE.match(parts[-1]):
            return False
        return len(parts) == 1 or parts[-2] in ("active", "retired", "ignored")

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:8192]
        return head.startswith(b"Candidate:") or b"\nCandidate:" in head

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        parsed = _split(content.decode("utf-8", "replace"), path, report)
        candidate = " ".join(parsed.fields.get("Candidate", [])).strip()
        name = path.rsplit("/", 1)[-1]
        advisory_id = candidate or name
        if not CVE_ID.match(advisory_id):
            raise FeedError(f"Candidate {advisory_id[:60]!r} is not a CVE ID")
        priority = vendor_rating("ubuntu", " ".join(parsed.fields.get("Priority", [])))
        ratings = ([priority] if priority else []) + _cvss(parsed.fields.get("CVSS", []), report, path)
        affected = self._affected(parsed, path, report)
        return [
            Advisory(
                id=advisory_id,
                details="\n".join(parsed.fields.get("Description", []))[:MAX_TEXT],
                summary=" ".join(parsed.fields.get("Ubuntu-Description", []))[:2000],
                published=_published(" ".join(parsed.fields.get("PublicDate", []))),
                references=tuple(_references(parsed)),
                ratings=tuple(dict.fromkeys(ratings)),
                affected=tuple(affected),
            )
        ]

    def _affected(self, parsed: _Parsed, path: str, report: ImportReport) -> list[AffectedPackage]:
        affected: list[AffectedPackage] = []
        seen: set[tuple[str, str]] = set()
        skipped: Counter[str] = Counter({"dne": parsed.dne} if parsed.dne else {})
        for number, release, package, value in parsed.statuses:
            if value.startswith("DNE"):
                skipped["dne"] += 1
                continue
            if release in _NOT_RELEASES:
                skipped[f"{release}_lines"] += 1
                continue
            namespace = ubuntu_namespace(release)
            if namespace is None:
                skipped["other_streams"] += 1
                if "/" not in release and release not in self._unknown and len(self._unknown) < 100:
                    self._unknown.add(release)
                    report.warn(
                        f"{path}:{number}", f"release {release[:40]!r} skipped: not an Ubuntu release we know"
                    )
                continue
            if not PACKAGE_NAME.match(package):
                report.warn(f"{path}:{number}", f"{package[:60]!r} skipped: not a package name")
                continue
            outcome = uct_status(value)
            if isinstance(outcome, str):
                if outcome.startswith("!"):
                    report.warn(f"{path}:{number}", f"{release}_{package} skipped: {outcome[1:]}")
                else:
                    skipped[outcome] += 1
                continue
            if (namespace, package) in seen:
                skipped["duplicate_lines"] += 1
                continue
            seen.add((namespace, package))
            affected.append(self._entry(parsed, namespace, release, package, outcome))
        for key, count in skipped.items():
            report.count(key, count)
        return affected

    def _entry(
        self, parsed: _Parsed, namespace: str, release: str, package: str, outcome: tuple[Status, str, str]
    ) -> AffectedPackage:
        status, fixed, notes = outcome
        if status is Status.FIXED:
            ranges = fixed_range("dpkg", fixed)
        elif status in (Status.AFFECTED, Status.FIX_DEFERRED, Status.WILL_NOT_FIX, Status.END_OF_LIFE):
            ranges = open_range("dpkg")
        else:
            ranges = ()
        own = " ".join(parsed.fields.get(f"Priority_{package}", []))
        rating = vendor_rating("ubuntu", own) if own else None
        return AffectedPackage(
            namespace=namespace,
            name=package,
            status=status,
            ranges=ranges,
            fixed=(fixed,) if fixed else (),
            ecosystem=release,
            purl=source_purl("ubuntu", package),
            ratings=(rating,) if rating else (),
            notes=notes,
            properties=SOURCE_PACKAGE,
        )
