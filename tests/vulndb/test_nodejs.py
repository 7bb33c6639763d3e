"""The Node.js security-wg importer on the real archive: npm (``vuln/npm``) and core (``vuln/core``)
advisories. Expected values are read off the upstream files (quoted by file and ID); range evaluations
follow node-semver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seawall.model import Severity
from seawall.versions import scheme
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.nodejs import NodejsImporter, fixed_versions
from seawall.vulndb.model import Advisory, Range, RangeType, Rating, Reference, Status
from seawall.vulndb.reader import SourceReader
from seawall.vulndb.store import VulnStore
from tests.vulndb.data import GO, KEV, VULNDATA, member, parse_archive, subset_archive

NODEJS = VULNDATA / "nodejs-security-wg.tar.gz"
V = "nodejs-security-wg/vuln"
FILES = [f"{V}/npm/{n}.json" for n in (1, 116, 358, 504)] + [f"{V}/core/{n}.json" for n in (1, 18, 53, 112)]
IMPORTER = NodejsImporter()


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, Advisory], ImportReport]:
    records, report, reader = parse_archive(NODEJS, IMPORTER, FILES)
    assert reader.provenance.repository == "nodejs/security-wg"
    advisories = [r for path in FILES for r in records[path] if isinstance(r, Advisory)]
    assert len(advisories) == len(FILES)
    return {a.id: a for a in advisories}, report


def test_npm_advisory(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    bassmaster = parsed[0]["NSWG-ECO-1"]  # vuln/npm/1.json
    assert bassmaster.aliases == ("CVE-2014-7205",)
    assert bassmaster.summary == "Arbitrary JavaScript Execution"
    assert bassmaster.details.startswith("A vulnerability exists in bassmaster <= 1.5.1 that allows")
    assert (bassmaster.published, bassmaster.modified) == ("2014-09-27", "2016-04-28")
    assert bassmaster.references[1] == Reference(
        "WEB", "https://github.com/hapijs/bassmaster/commit/b751602d8cb7194ee62a61e085069679525138c4"
    )
    (rating,) = bassmaster.ratings  # cvss_vector CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N, cvss_score 6.5
    assert (rating.vector, rating.score, rating.severity) == (
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N",
        6.5,
        Severity.MEDIUM,
    )
    (package,) = bassmaster.affected
    assert (package.namespace, package.name, package.purl) == ("npm", "bassmaster", "pkg:npm/bassmaster")
    assert package.ranges == (Range(RangeType.REQUIREMENTS, "npm", (), ("<=1.5.1",), (">=1.5.2",)),)
    assert (package.status, package.fixed) == (Status.FIXED, ("1.5.2",))
    assert package.notes == "Update to bassmaster version 1.5.2 or greater."
    npm = scheme("npm")
    assert package.ranges[0].contains("1.5.1", npm) and not package.ranges[0].contains("1.5.2", npm)


def test_npm_advisories_without_a_fix(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    featurebook = parsed[0]["NSWG-ECO-358"]  # patched_versions: null, cvss_score: -1
    (package,) = featurebook.affected
    assert (package.status, package.fixed) == (Status.AFFECTED, ())
    assert package.ranges[0].unaffected == ()
    assert featurebook.ratings == ()
    assert package.ranges[0].contains("0.0.32", scheme("npm"))
    igniteui = parsed[0]["NSWG-ECO-116"]  # vulnerable_versions <=0.0.5, patched_versions <0.0.0
    assert (igniteui.affected[0].status, igniteui.affected[0].fixed) == (Status.AFFECTED, ())


def test_invalid_vector_falls_back_to_the_score(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    advisory = parsed[0]["NSWG-ECO-504"]  # cvss_vector ".../C:H/I:U/A:U" (U is no v3 value), cvss_score 7.5
    assert advisory.ratings == (Rating("nswg", "CVSS_V3", Severity.HIGH, "", 7.5),)
    assert parsed[1].counts["warnings"] == 1
    assert parsed[1].warnings[0] == f"{V}/npm/504.json: cvss vector ignored: invalid CVSS v3 metric I:U"


def test_core_advisory_is_the_node_runtime(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    naptr = parsed[0]["NSWG-COR-1"]  # vuln/core/1.json
    assert naptr.aliases == ("CVE-2017-1000381",)
    assert naptr.summary == "memory overread when parsing invalid NAPTR responses"
    assert naptr.references == (
        Reference("ADVISORY", "https://nodejs.org/en/blog/vulnerability/july-2017-security-releases/"),
    )
    assert naptr.ratings == (Rating("nswg", "vendor", Severity.HIGH, "high"),)
    (package,) = naptr.affected
    assert (package.namespace, package.name) == ("node", "node")
    # vulnerable "8.x || 7.x || 4.x || 6.x || 5.x", patched "^8.1.4 || ^7.10.1 || ^4.8.4 || ^6.11.1"
    assert package.fixed == ("8.1.4", "7.10.1", "4.8.4", "6.11.1")
    npm = scheme("npm")
    range_ = package.ranges[0]
    assert range_.contains("8.1.3", npm) and not range_.contains("8.1.4", npm)
    assert range_.contains("5.12.0", npm)  # 5.x never got a patch
    assert not range_.contains("9.0.0", npm)  # not in a vulnerable line


def test_core_cvss_cwe_and_environment(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    http = parsed[0]["NSWG-COR-18"]  # "cvss": "3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", "cvss_score": 4.8
    cvss3, vendor = http.ratings
    assert (cvss3.vector, cvss3.score) == ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", 4.8)
    assert (vendor.method, vendor.severity) == ("vendor", Severity.MEDIUM)
    buffer = parsed[0]["NSWG-COR-53"]  # "type": "CWE-226: Sensitive Information Uncleared Before Release"
    assert buffer.cwes == ("CWE-226",)
    assert buffer.published == "2018-08-16"
    assert buffer.affected[0].fixed == ("10.9.0",)  # patched ">= 10.9.0"
    windows = parsed[0]["NSWG-COR-112"]  # "affectedEnvironments": ["win32"]
    assert windows.affected[0].properties == (("environment", "win32"),)
    assert parsed[0]["NSWG-COR-1"].affected[0].properties == ()  # "all"


@pytest.mark.parametrize(
    ("patched", "fixed"),
    [
        (">=1.5.2", ("1.5.2",)),
        (">= 2.x", ("2.0.0",)),
        ("^6.14.4 || ^8.11.4 || >= 10.9.0", ("6.14.4", "8.11.4", "10.9.0")),
        (">=1.2.0 <1.3.0 || >=1.3.4", ("1.2.0", "1.3.4")),
        ("<1.0.0", ()),
        (">1.1.5", ()),
        ("1.2.3 - 1.4.0", ("1.2.3",)),
    ],
)
def test_fixed_versions_of_patched_ranges(patched: str, fixed: tuple[str, ...]) -> None:
    assert fixed_versions(patched) == fixed


def test_whole_archive_is_detected_and_read() -> None:
    reader = SourceReader(NODEJS)
    importer = detect_importer(reader)
    assert importer.name == "nodejs"
    report = ImportReport("nodejs")
    advisories = [
        record
        for feed_file in reader.files(importer.wants, importer.max_size)
        for record in importer.parse(feed_file.path, feed_file.content, report)
    ]
    # MANIFEST.md: 644 records: 467 npm + 171 core files, plus vuln/deps (6 assessments) which are not read
    assert sum(a.id.startswith("NSWG-ECO-") for a in advisories if isinstance(a, Advisory)) == 467
    assert sum(a.id.startswith("NSWG-COR-") for a in advisories if isinstance(a, Advisory)) == 171
    assert report.counts["warnings"] == 1  # NSWG-ECO-504's vector
    # JSON feeds of other formats are not taken for this one
    assert detect_importer(SourceReader(GO)).name == "osv"
    assert detect_importer(SourceReader(KEV)).name == "kev"


GOOD = json.loads(member(NODEJS, FILES[0]))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"module_name": "../x"}, "invalid module_name"),
        ({"module_name": None}, "invalid module_name"),
        ({"vulnerable_versions": ""}, "no vulnerable_versions"),
        ({"vulnerable_versions": "<=one"}, "vulnerable_versions: invalid npm"),
        ({"patched_versions": "~>>1"}, "patched_versions: invalid npm"),
        ({"id": 2}, "differs from the file name"),
    ],
)
def test_malformed_npm_records(change: dict[str, object], reason: str) -> None:
    content = json.dumps(GOOD | change).encode()
    with pytest.raises(FeedError, match=reason):
        IMPORTER.parse(f"{V}/npm/1.json", content, ImportReport("t"))


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        (f"{V}/core/1.json", b"[1]", "expected an object"),
        (f"{V}/core/1.json", b'{"vulnerable": "8.x"', "invalid JSON"),
        (f"{V}/core/1.json", b'{"patched": "^8.1.4"}', "no vulnerable range"),
        (f"{V}/core/one.json", b"{}", "not a numbered advisory"),
    ],
)
def test_malformed_core_records(path: str, content: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        IMPORTER.parse(path, content, ImportReport("t"))


def test_a_bad_file_is_a_counted_warning_in_a_build(tmp_path: Path) -> None:
    hostile = json.dumps(GOOD | {"id": 9, "vulnerable_versions": "1" * 5000}).encode()
    archive = subset_archive(
        tmp_path / "nodejs-security-wg.tar.gz", NODEJS, FILES[:1] + FILES[4:5], {f"{V}/npm/9.json": hostile}
    )
    db = tmp_path / "vuln.db"
    (outcome,) = build_database(db, [parse_source(str(archive))]).outcomes
    assert outcome.importer == "nodejs" and outcome.report is not None
    assert outcome.report.counts["advisories"] == 2
    assert outcome.report.counts["warnings"] == 1
    assert outcome.report.warnings[0].startswith(f"{V}/npm/9.json: vulnerable_versions: invalid npm range")
    with VulnStore.open(db) as store:
        assert [m.advisory_id for m in store.lookup("node", "node")] == ["NSWG-COR-1"]
        assert [a.id for a in store.advisories("CVE-2014-7205")] == ["NSWG-ECO-1"]
