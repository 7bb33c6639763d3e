"""NVD CVE API 2.0 JSON: pages of ``{"format": "NVD_CVE", "vulnerabilities": [{"cve": ...}, ...]}``.

Reads API response pages (2,000 CVEs, ~10 MB each), one file or a directory of them; a yearly 2.0
feed file has the same structure but is read only up to ``max_size``. Each CVE becomes a
:class:`~seawall.vulndb.model.CveRecord` (enrichment): CVSS v4.0, v3.1, v3.0 and v2 metrics with
NVD's own scores (computed from the vector when a score is missing), CWE IDs and the English
description. Rejected CVEs are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from seawall.model import Severity
from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.model import CveRecord, Rating, Record
from seawall.vulndb.parsing import CVE_ID, items, load_json, mapping, text

_METRICS = (
    ("cvssMetricV40", "CVSS_V4"),
    ("cvssMetricV31", "CVSS_V3"),
    ("cvssMetricV30", "CVSS_V3"),
    ("cvssMetricV2", "CVSS_V2"),
)
NVD_SOURCE = "nvd@nist.gov"


def _rater(identifier: str) -> str:
    """``nvd@nist.gov`` -> ``nvd``; another scoring source keeps its name: ``nvd/github.com``."""
    if identifier in ("", NVD_SOURCE):
        return "nvd"
    return "nvd/" + identifier.rpartition("@")[2][:100]


def _score(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 10:
        return float(value)
    return None


def _rating(metric: dict[str, Any], method: str) -> Rating:
    data = mapping(metric.get("cvssData"))
    vector = text(data.get("vectorString"), 1024).strip()
    score = _score(data.get("baseScore"))
    if method == "CVSS_V4":
        vector = cvss.v4_validate(vector)
    elif score is None:
        score = cvss.v3_base_score(vector) if method == "CVSS_V3" else cvss.v2_base_score(vector)
    word = text(data.get("baseSeverity") or metric.get("baseSeverity"), 20)
    severity = Severity.parse(word) if word else cvss.severity_of(score, 2 if method == "CVSS_V2" else 3)
    return Rating(_rater(text(metric.get("source"), 200)), method, severity, vector, score)


def cve_record(raw: Any, report: ImportReport, path: str) -> CveRecord | None:
    cve = mapping(mapping(raw).get("cve"))
    cve_id = text(cve.get("id"), 40).strip()
    if not CVE_ID.match(cve_id):
        raise FeedError(f"NVD entry with an invalid id {cve_id[:40]!r}")
    status = text(cve.get("vulnStatus"), 40)
    if status == "Rejected":
        report.count("rejected")
        return None
    ratings: list[Rating] = []
    metrics = mapping(cve.get("metrics"))
    for key, method in _METRICS:
        for metric in items(metrics.get(key), 20):
            try:
                ratings.append(_rating(mapping(metric), method))
            except cvss.CvssError as error:
                report.warn(path, f"{cve_id}: {key} ignored: {error}")
    cwes: dict[str, None] = {}
    for weakness in items(cve.get("weaknesses"), 50):
        for description in items(mapping(weakness).get("description"), 50):
            value = text(mapping(description).get("value"), 40)
            if value.startswith("CWE-"):
                cwes.setdefault(value, None)
    description = ""
    for entry in items(cve.get("descriptions"), 50):
        entry = mapping(entry)
        if entry.get("lang") == "en":
            description = text(entry.get("value"))
            break
    return CveRecord(
        cve=cve_id,
        ratings=tuple(ratings),
        cwes=tuple(cwes),
        published=text(cve.get("published"), 40),
        modified=text(cve.get("lastModified"), 40),
        description=description,
        status=status,
    )


@register
class NvdImporter(Importer):
    name = "nvd"
    version = 1
    priority = 10
    max_size = 128 * 1024 * 1024

    def wants(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name.endswith(".json") and not name.startswith(".")

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:4096]
        return b'"vulnerabilities"' in content and (
            b'"NVD_CVE"' in head or b'"sourceIdentifier"' in content[:65536]
        )

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        doc = load_json(content)
        if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
            raise FeedError("not an NVD API 2.0 page (no vulnerabilities list)")
        timestamp = text(doc.get("timestamp"), 40)
        report.date = max(report.date, timestamp)
        records: list[Record] = []
        for index, raw in enumerate(items(doc["vulnerabilities"], 1_000_000)):
            try:
                record = cve_record(raw, report, path)
            except FeedError as error:
                report.warn(f"{path}[{index}]", str(error))
                continue
            if record is not None:
                records.append(record)
        return records
