"""OSV (Open Source Vulnerability format, schema 1.x) records, in JSON or YAML.

Reads a directory tree (PyPA's ``vulns/<pkg>/PYSEC-*.yaml``, Go's ``data/osv/GO-*.json``, AlmaLinux's
``advisories/almalinux9/ALSA-*.json``), OSV's per-ecosystem ``all.zip``, or a tar archive of either.
ECOSYSTEM and SEMVER ranges are kept; GIT ranges are skipped and counted; withdrawn records are
skipped and counted. Severities: ``severity`` vectors (CVSS v3 scored here from the vector, v2 too;
v4 kept as a vector), ``database_specific.severity`` (GHSA's words), per-package ``severity`` and
``ecosystem_specific.severity``/``database_specific.severity``, and the Red Hat family's impact word
at the start of an errata summary ("Important: openssl security update").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from seawall.model import Severity
from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
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
from seawall.vulndb.namespace import is_distro, namespace_of, normalize_name, scheme_of
from seawall.vulndb.parsing import items, load_json, load_yaml, mapping, strings, text

MAX_ALIASES = 1000
BUDGET = 1_000_000  # versions + events + entries of one record: bounds work on YAML alias bombs
_ZERO_DATE = "0001-01-01T00:00:00Z"
_SUFFIXES = (".json", ".yaml", ".yml")
_VENDOR_WORD = re.compile(r"^(Low|Moderate|Important|Critical):\s")
_CWE = re.compile(r"^CWE-\d+$")
_EVENT_KINDS = {kind.value: kind for kind in EventKind}


def _cvss_rating(source: str, kind: str, vector: str) -> Rating:
    """A Rating from an OSV ``severity`` entry; CvssError when the vector is invalid."""
    if kind == "CVSS_V4":
        return Rating(source, "CVSS_V4", Severity.UNKNOWN, cvss.v4_validate(vector))
    if kind == "CVSS_V3":
        score = cvss.v3_base_score(vector)
        return Rating(source, "CVSS_V3", cvss.severity_of(score), vector.strip(), score)
    score = cvss.v2_base_score(vector)
    return Rating(source, "CVSS_V2", cvss.severity_of(score, 2), vector.strip(), score)


class _Budget:
    def __init__(self, path: str) -> None:
        self.left = BUDGET
        self.path = path

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise FeedError("record too large (more than a million versions and events)")


def _ratings(source: str, entries: Any, report: ImportReport, path: str) -> list[Rating]:
    ratings: list[Rating] = []
    for entry in items(entries, 100):
        entry = mapping(entry)
        kind, score = text(entry.get("type")), text(entry.get("score"), 1024)
        if kind in ("CVSS_V2", "CVSS_V3", "CVSS_V4"):
            try:
                ratings.append(_cvss_rating(source, kind, score))
            except cvss.CvssError as error:
                report.warn(path, f"{kind} severity ignored: {error}")
        elif kind and score:  # Ubuntu's "medium", and other words a database uses
            ratings.append(Rating(kind.lower(), "vendor", Severity.parse(score), score))
    return _unique(ratings)


def _unique(ratings: list[Rating]) -> list[Rating]:
    return list(dict.fromkeys(ratings))


def _word_rating(source: str, value: Any) -> list[Rating]:
    word = text(value, 40)
    return [Rating(source, "vendor", Severity.parse(word), word)] if word else []


def _events(raw: Any, budget: _Budget, report: ImportReport, path: str) -> tuple[Event, ...]:
    events: list[Event] = []
    entries = items(raw, BUDGET)
    budget.spend(len(entries))
    for entry in entries:
        entry = mapping(entry)
        if len(entry) != 1:
            report.warn(path, f"range event {str(entry)[:80]} ignored (one key expected)")
            continue
        ((key, value),) = entry.items()
        kind = _EVENT_KINDS.get(key)
        version = value.strip()[:256] if isinstance(value, str) else ""
        if kind is None or not version:
            report.warn(path, f"range event {key}={str(value)[:40]} ignored")
            continue
        events.append(Event(kind, version))
    return tuple(events)


def _affected(
    entry: dict[str, Any], source: str, budget: _Budget, report: ImportReport, path: str
) -> AffectedPackage | None:
    package = mapping(entry.get("package"))
    ecosystem, raw_name = text(package.get("ecosystem"), 200), text(package.get("name"), 1024).strip()
    if not ecosystem or not raw_name:
        report.warn(path, "affected entry without package ecosystem and name skipped")
        return None
    namespace = namespace_of(ecosystem)
    ranges: list[Range] = []
    for raw_range in items(entry.get("ranges"), 1000):
        raw_range = mapping(raw_range)
        kind = text(raw_range.get("type"))
        if kind == "GIT":
            report.count("git_ranges")
            continue
        if kind not in ("ECOSYSTEM", "SEMVER"):
            report.warn(path, f"range type {kind!r} ignored")
            continue
        events = _events(raw_range.get("events"), budget, report, path)
        if events:
            ranges.append(Range(RangeType(kind), scheme_of(namespace, kind), events))
    raw_versions = items(entry.get("versions"), BUDGET)
    budget.spend(len(raw_versions))
    versions = strings(raw_versions, BUDGET)
    if not ranges and not versions:
        report.count("affected_without_ranges")
        return None
    fixed = tuple(dict.fromkeys(v for r in ranges for v in r.fixed))
    ecosystem_specific = mapping(entry.get("ecosystem_specific"))
    database_specific = mapping(entry.get("database_specific"))
    ratings = _ratings(source, entry.get("severity"), report, path)
    ratings += _word_rating(source, ecosystem_specific.get("severity"))
    ratings += _word_rating(source, database_specific.get("severity"))
    return AffectedPackage(
        namespace=namespace,
        name=normalize_name(namespace, raw_name),
        status=Status.FIXED if fixed else Status.AFFECTED,
        ranges=tuple(ranges),
        versions=versions,
        fixed=fixed,
        ecosystem=ecosystem,
        purl=text(package.get("purl"), 1024),
        ratings=tuple(_unique(ratings)),
    )


def source_label(advisory_id: str) -> str:
    """The database that assigned an ID, from its prefix: ``PYSEC-2019-26`` -> ``pysec``."""
    prefix = re.split(r"[-:]", advisory_id, maxsplit=1)[0]
    return prefix.lower() or "osv"


def advisory_from_osv(doc: Any, report: ImportReport, path: str) -> Advisory | None:
    """One OSV record as an Advisory; None when it is withdrawn. FeedError when it is malformed."""
    if not isinstance(doc, dict):
        raise FeedError("not an OSV record (expected an object)")
    advisory_id = text(doc.get("id"), 200).strip()
    if not advisory_id:
        raise FeedError("OSV record without an id")
    if text(doc.get("withdrawn")).strip():
        report.count("withdrawn")
        return None
    budget = _Budget(path)
    label = source_label(advisory_id)
    affected: list[AffectedPackage] = []
    raw_affected = items(doc.get("affected"), BUDGET)
    budget.spend(len(raw_affected))
    for entry in raw_affected:
        package = _affected(mapping(entry), label, budget, report, path)
        if package is not None:
            affected.append(package)
    database_specific = mapping(doc.get("database_specific"))
    summary = text(doc.get("summary"))
    ratings = _ratings(label, doc.get("severity"), report, path)
    ratings += _word_rating(label, database_specific.get("severity"))
    vendor = _VENDOR_WORD.match(summary)
    if vendor and any(is_distro(a.namespace) for a in affected):
        family = affected[0].namespace.partition(":")[0]
        ratings.append(Rating(family, "vendor", Severity.parse(vendor.group(1)), vendor.group(1)))
    cwes = [c for c in strings(database_specific.get("cwe_ids"), 100) if _CWE.match(c)]
    references = []
    for ref in items(doc.get("references"), 1000):
        ref = mapping(ref)
        url = text(ref.get("url"), 2048)
        if url:
            references.append(Reference(text(ref.get("type"), 40) or "WEB", url))
    aliases = tuple(a for a in strings(doc.get("aliases"), MAX_ALIASES) if a != advisory_id)
    return Advisory(
        id=advisory_id,
        summary=summary,
        details=text(doc.get("details")),
        aliases=aliases,
        upstream=tuple(a for a in strings(doc.get("upstream"), MAX_ALIASES) if a != advisory_id),
        related=strings(doc.get("related"), MAX_ALIASES),
        published=_date(doc.get("published")),
        modified=_date(doc.get("modified")),
        references=tuple(dict.fromkeys(references)),
        cwes=tuple(cwes),
        ratings=tuple(_unique(ratings)),
        affected=tuple(affected),
    )


def _date(value: Any) -> str:
    date = text(value, 40).strip()
    return "" if date == _ZERO_DATE else date


def _looks_like_osv(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("id"), str)
        and any(key in doc for key in ("affected", "withdrawn", "modified"))
    )


@register
class OsvImporter(Importer):
    name = "osv"
    version = 1
    priority = 90  # generic JSON/YAML: after the importers of specific JSON formats

    def wants(self, path: str) -> bool:
        if not path.endswith(_SUFFIXES):
            return False
        parts = path.split("/")
        return not any(part.startswith(".") for part in parts) and "schema" not in parts[-1]

    def _load(self, path: str, content: bytes) -> Any:
        return load_json(content) if path.endswith(".json") else load_yaml(content)

    def detect(self, path: str, content: bytes) -> bool:
        try:
            doc = self._load(path, content)
        except FeedError:
            return False
        if isinstance(doc, list):
            return bool(doc) and _looks_like_osv(doc[0]) and "affected" in doc[0]
        return _looks_like_osv(doc)

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        doc = self._load(path, content)
        if isinstance(doc, list):  # an array of records; an index of {id, modified} is not one
            if doc and all(isinstance(d, dict) and set(d) <= {"id", "modified"} for d in doc):
                report.count("index_files")
                return []
            return list(self._many(doc, report, path))
        advisory = advisory_from_osv(doc, report, path)
        return [advisory] if advisory is not None else []

    def _many(self, docs: list[Any], report: ImportReport, path: str) -> Iterator[Advisory]:
        for index, doc in enumerate(docs[:BUDGET]):
            try:
                advisory = advisory_from_osv(doc, report, f"{path}[{index}]")
            except FeedError as error:
                report.warn(f"{path}[{index}]", str(error))
                continue
            if advisory is not None:
                yield advisory
