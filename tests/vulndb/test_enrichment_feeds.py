"""Enrichment importers on real data: the CISA KEV catalogue, vunnel's EPSS CSV and NVD API 2.0 samples."""

from __future__ import annotations

import copy
import json

import pytest

from seawall.model import Severity
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport
from seawall.vulndb.feeds.epss import EpssImporter
from seawall.vulndb.feeds.kev import KevImporter
from seawall.vulndb.feeds.nvd import NvdImporter
from seawall.vulndb.model import CveRecord, EpssScore, KevEntry
from tests.vulndb.data import KEV, parse_archive, vunnel, vunnel_json

CATALOGUE = "cisa-kev/known_exploited_vulnerabilities.json"


def test_kev_catalogue() -> None:
    parsed, report, reader = parse_archive(KEV, KevImporter(), [CATALOGUE])
    entries = {e.cve: e for e in parsed[CATALOGUE] if isinstance(e, KevEntry)}
    assert len(entries) == 1404  # "count": 1404
    git = entries["CVE-2025-48384"]
    assert (git.vendor, git.product, git.date_added, git.due_date) == (
        "Git",
        "Git",
        "2025-08-25",
        "2025-09-15",
    )
    assert git.cwes == ("CWE-59", "CWE-436")
    assert git.ransomware == "Unknown"
    salt = entries["CVE-2020-11651"]
    assert (salt.date_added, salt.due_date) == ("2021-11-03", "2022-05-03")
    assert report.date == "2025-08-25T17:04:19.9796Z"  # dateReleased
    assert reader.provenance.revision == "eacf03ec6637cc7be6d3d4ed50785493da5126a2"
    assert report.counts["warnings"] == 0


def test_kev_single_entry_and_detection() -> None:
    content = vunnel("kev/test-fixtures/single-entry/example1.json")
    kev = KevImporter()
    assert kev.detect("example1.json", content)
    (entry,) = kev.parse("example1.json", content, ImportReport("t"))
    assert isinstance(entry, KevEntry)
    assert (entry.cve, entry.date_added, entry.due_date) == ("CVE-2025-0108", "2025-02-18", "2025-03-11")
    assert not kev.wants("cisa-kev/known_exploited_vulnerabilities_schema.json")


def test_kev_bad_entries_are_counted() -> None:
    doc = vunnel_json("kev/test-fixtures/valid-catalog-1.json")
    doc["vulnerabilities"][1]["cveID"] = "not-a-cve"
    del doc["vulnerabilities"][2]["dateAdded"]
    report = ImportReport("t")
    entries = list(KevImporter().parse("catalog.json", json.dumps(doc).encode(), report))
    assert [e.cve for e in entries if isinstance(e, KevEntry)] == ["CVE-2025-0108"]
    assert report.counts["warnings"] == 2
    assert report.warnings[0].startswith("catalog.json[1]: KEV entry with an invalid cveID")


def test_epss_csv() -> None:
    report = ImportReport("t")
    scores = list(EpssImporter().parse("example-1.csv", vunnel("epss/test-fixtures/example-1.csv"), report))
    assert all(isinstance(s, EpssScore) for s in scores)
    by_cve = {s.cve: s for s in scores if isinstance(s, EpssScore)}
    assert len(by_cve) == 5
    assert (by_cve["CVE-1999-0001"].score, by_cve["CVE-1999-0001"].percentile) == (0.00383, 0.73075)
    assert by_cve["CVE-1999-0005"].score == 0.91963
    assert by_cve["CVE-1999-0005"].date == "2025-02-20T00:00:00+0000"
    assert report.date == "2025-02-20T00:00:00+0000"
    assert report.counts["warnings"] == 0


def test_epss_invalid_header_is_refused() -> None:
    with pytest.raises(FeedError, match="header"):
        list(
            EpssImporter().parse(
                "bad.csv", vunnel("epss/test-fixtures/invalid-header.csv"), ImportReport("t")
            )
        )


def test_epss_missing_date_is_a_warning() -> None:
    report = ImportReport("t")
    scores = list(EpssImporter().parse("m.csv", vunnel("epss/test-fixtures/missing-date.csv"), report))
    assert len(scores) == 5
    assert report.counts["warnings"] == 1 and "score_date" in report.warnings[0]


def test_epss_bad_rows_are_skipped() -> None:
    rows = [
        "cve,epss,percentile",
        "CVE-2024-0001,0.5,0.9",
        "CVE-2024-0002,1.5,0.9",
        "CVE-2024-0003,x,0.1",
        "not,0.1,0.1",
    ]
    content = "\n".join(rows).encode()
    report = ImportReport("t")
    scores = list(EpssImporter().parse("s.csv", content, report))
    assert [s.cve for s in scores if isinstance(s, EpssScore)] == ["CVE-2024-0001"]
    assert report.counts["warnings"] == 4  # three bad rows and the missing date


def test_nvd_single_entry() -> None:
    (record,) = NvdImporter().parse(
        "single-entry.json", vunnel("nvd/test-fixtures/single-entry.json"), ImportReport("t")
    )
    assert isinstance(record, CveRecord)
    assert record.cve == "CVE-2022-1576"
    v31 = [r for r in record.ratings if r.method == "CVSS_V3"]
    assert [(r.source, r.vector, r.score, r.severity) for r in v31] == [
        ("nvd", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", 6.5, Severity.MEDIUM)
    ]
    v2 = [r for r in record.ratings if r.method == "CVSS_V2"]
    assert [(r.vector, r.score, r.severity) for r in v2] == [
        ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, Severity.MEDIUM)
    ]
    assert record.cwes == ("CWE-352",)
    assert record.published == "2022-07-11T13:15:08.503"
    assert record.description.startswith(
        "The WP Maintenance Mode & Coming Soon WordPress plugin before 2.4.5"
    )


def test_nvd_full_page() -> None:
    report = ImportReport("t")
    records = [
        r for r in NvdImporter().parse("page.json", vunnel("nvd/test-fixtures/full-page.json"), report)
    ]
    assert len(records) == 38  # totalResults
    first = records[0]
    assert isinstance(first, CveRecord) and first.cve == "CVE-2023-27314"
    assert first.cwes == ("CWE-400",)  # NVD-CWE-noinfo is not a CWE
    assert first.ratings[0].score == 7.5
    assert report.date == "2023-10-18T18:04:18.493"
    assert report.counts["warnings"] == 0


def test_nvd_v4_metric_and_rejected() -> None:
    page = vunnel_json("nvd/test-fixtures/single-entry.json")
    entry = page["vulnerabilities"][0]
    # cvssMetricV40 as the NVD API 2.0 schema writes it (cvssData with version, vectorString, baseScore)
    entry["cve"]["metrics"]["cvssMetricV40"] = [
        {
            "source": "security-advisories@github.com",
            "type": "Secondary",
            "cvssData": {
                "version": "4.0",
                "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N",
                "baseScore": 7.1,
                "baseSeverity": "HIGH",
            },
        }
    ]
    rejected = copy.deepcopy(entry)
    rejected["cve"]["id"] = "CVE-2022-0000"
    rejected["cve"]["vulnStatus"] = "Rejected"
    page["vulnerabilities"].append(rejected)
    report = ImportReport("t")
    (record,) = NvdImporter().parse("p.json", json.dumps(page).encode(), report)
    assert isinstance(record, CveRecord)
    v4 = [r for r in record.ratings if r.method == "CVSS_V4"]
    assert [(r.source, r.score, r.severity) for r in v4] == [("nvd/github.com", 7.1, Severity.HIGH)]
    assert report.counts["rejected"] == 1
