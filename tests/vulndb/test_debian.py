"""The Debian importers on real data: the DSA/DLA lists of the security tracker (2023 copy), the tracker JSON
sample and the DSA sample in vunnel's test fixtures. Expected values are read off the upstream files
(each test quotes the advisory, package, release and version); hostile copies of each format follow."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from seawall.model import Severity
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.debian_lists import DebianListsImporter
from seawall.vulndb.feeds.debian_tracker import SOURCE_PACKAGE, DebianTrackerImporter
from seawall.vulndb.model import Advisory, AffectedPackage, Event, EventKind, Range, RangeType, Status
from seawall.vulndb.reader import SourceReader
from seawall.vulndb.store import VulnStore
from tests.vulndb.data import VULNDATA, member, parse_archive, vunnel

LISTS = VULNDATA / "debian-tracker-lists-2023.tar.gz"
DSA_LIST = "debian-tracker-lists-2023/data/DSA/list"
DLA_LIST = "debian-tracker-lists-2023/data/DLA/list"
TRACKER_JSON = "debian/test-fixtures/input/debian.json"
DSA_SAMPLE = "debian/test-fixtures/input/DSA"
LISTS_IMPORTER = DebianListsImporter()


@pytest.fixture(scope="module")
def lists() -> tuple[dict[str, Advisory], ImportReport, SourceReader]:
    parsed, report, reader = parse_archive(LISTS, LISTS_IMPORTER, [DSA_LIST, DLA_LIST])
    advisories: dict[str, Advisory] = {}
    for records in parsed.values():
        for record in records:
            assert isinstance(record, Advisory)
            assert record.id not in advisories
            advisories[record.id] = record
    return advisories, report, reader


@pytest.fixture(scope="module")
def tracker() -> tuple[dict[str, Advisory], ImportReport]:
    report = ImportReport("debian")
    records = DebianTrackerImporter().parse("debian.json", vunnel(TRACKER_JSON), report)
    return {r.id: r for r in records if isinstance(r, Advisory)}, report


def _entry(advisory: Advisory, namespace: str, name: str) -> AffectedPackage:
    (entry,) = [p for p in advisory.affected if (p.namespace, p.name) == (namespace, name)]
    return entry


def _fixed_range(version: str) -> tuple[Range, ...]:
    return (
        Range(
            RangeType.ECOSYSTEM, "dpkg", (Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, version))
        ),
    )


# --- the DSA and DLA lists ---------------------------------------------------------------------------


def test_every_advisory_header_becomes_an_advisory(
    lists: tuple[dict[str, Advisory], ImportReport, SourceReader],
) -> None:
    advisories, report, reader = lists
    headers = {
        name: len(re.findall(rb"^\[\d+ \w+ \d{4}\] D[SL]A-", member(LISTS, name), re.MULTILINE))
        for name in (DSA_LIST, DLA_LIST)
    }
    assert headers[DLA_LIST] == 3534  # MANIFEST.md: 3,534 DLA
    assert len(advisories) == headers[DSA_LIST] + headers[DLA_LIST]
    assert sum(a.id.startswith("DLA-") for a in advisories.values()) == 3534
    assert report.counts["warnings"] == 0
    assert reader.provenance.repository == "CVEDB/security-tracker"
    assert reader.provenance.revision == "32127b7f220cd2d9fd9d0a5bb4affaa90a079ad9"


def test_dsa_with_its_cve_and_fixed_version(
    lists: tuple[dict[str, Advisory], ImportReport, SourceReader],
) -> None:
    # [29 Mar 2023] DSA-5380-1 xorg-server - security update
    #     {CVE-2023-1393}
    #     [bullseye] - xorg-server 2:1.20.11-1+deb11u6
    dsa = lists[0]["DSA-5380-1"]
    assert dsa.published == "2023-03-29"
    assert dsa.summary == "xorg-server - security update"
    assert dsa.related == ("CVE-2023-1393",)
    assert dsa.aliases == ()  # an advisory is not its CVEs: alias groups stay per vulnerability
    (entry,) = dsa.affected
    assert (entry.namespace, entry.name, entry.status) == ("debian:11", "xorg-server", Status.FIXED)
    assert entry.fixed == ("2:1.20.11-1+deb11u6",)
    assert entry.ranges == _fixed_range("2:1.20.11-1+deb11u6")
    assert entry.properties == SOURCE_PACKAGE  # a source package: matched by an installed package's source
    assert entry.purl == "pkg:deb/debian/xorg-server?arch=source"
    assert entry.ecosystem == "bullseye"


def test_dla_with_many_cves(lists: tuple[dict[str, Advisory], ImportReport, SourceReader]) -> None:
    # [01 Apr 2023] DLA-3380-1 firmware-nonfree - security update, 11 CVEs, buster
    dla = lists[0]["DLA-3380-1"]
    assert (
        len(dla.related) == 11 and dla.related[0] == "CVE-2020-12362" and dla.related[-1] == "CVE-2022-21181"
    )
    entry = _entry(dla, "debian:10", "firmware-nonfree")
    assert entry.fixed == ("20190114+really20220913-0+deb10u1",)


def test_one_advisory_for_several_source_packages(
    lists: tuple[dict[str, Advisory], ImportReport, SourceReader],
) -> None:
    # [31 Dec 2009] DSA-1964-1 postgresql-7.4 postgresql-8.1 postgresql-8.3 - several vulnerabilities
    dsa = lists[0]["DSA-1964-1"]
    assert dsa.related == ("CVE-2009-4034", "CVE-2009-4136")
    assert _entry(dsa, "debian:4", "postgresql-8.1").fixed == ("8.1.19-0etch1",)
    assert _entry(dsa, "debian:4", "postgresql-7.4").fixed == ("1:7.4.27-0etch1",)
    assert _entry(dsa, "debian:5", "postgresql-8.3").fixed == ("8.3.9-0lenny1",)


def test_old_dsa_urgency_and_notes(lists: tuple[dict[str, Advisory], ImportReport, SourceReader]) -> None:
    # [08 Jul 2005] DSA-735-2 sudo: [woody] - sudo 1.6.6-1.3woody1 (medium), [sarge] ... and three NOTE lines
    dsa = lists[0]["DSA-735-2"]
    woody = _entry(dsa, "debian:3.0", "sudo")
    assert woody.fixed == ("1.6.6-1.3woody1",)
    assert [(r.source, r.method, r.severity, r.vector) for r in woody.ratings] == [
        ("debian", "vendor", Severity.MEDIUM, "medium")
    ]
    assert _entry(dsa, "debian:3.1", "sudo").fixed == ("1.6.8p7-1.1sarge1",)
    assert dsa.details.splitlines()[0] == "fixed in testing at time of DSA"
    assert len(dsa.details.splitlines()) == 3


def test_states_other_than_fixed(lists: tuple[dict[str, Advisory], ImportReport, SourceReader]) -> None:
    advisories = lists[0]
    # DSA-944-1: [woody] - mantis <not-affected> (Vulnerable code not present)
    mantis = _entry(advisories["DSA-944-1"], "debian:3.0", "mantis")
    assert (mantis.status, mantis.notes, mantis.ranges) == (
        Status.NOT_AFFECTED,
        "Vulnerable code not present",
        (),
    )
    # DSA-866-1: [woody] - mozilla <unfixed>
    mozilla = _entry(advisories["DSA-866-1"], "debian:3.0", "mozilla")
    assert mozilla.status is Status.AFFECTED
    assert mozilla.ranges == (Range(RangeType.ECOSYSTEM, "dpkg", (Event(EventKind.INTRODUCED, "0"),)),)
    # DSA-3314-1 typo3-sec - end of life: [wheezy] - typo3-src <end-of-life>
    typo3 = _entry(advisories["DSA-3314-1"], "debian:7", "typo3-src")
    assert typo3.status is Status.END_OF_LIFE
    # DSA-3281-1 is a key change notice: an advisory without packages
    assert advisories["DSA-3281-1"].affected == ()
    assert lists[1].counts["advisories_without_packages"] >= 1


def test_vunnel_dsa_sample_is_recognised_by_its_shape() -> None:
    content = vunnel(DSA_SAMPLE)
    assert LISTS_IMPORTER.wants("DSA") and LISTS_IMPORTER.detect("DSA", content)
    report = ImportReport("dsa")
    advisories = {a.id: a for a in LISTS_IMPORTER.parse("DSA", content, report) if isinstance(a, Advisory)}
    # [22 Apr 2014] DSA-2808-2 openjpeg - regression update (indented with spaces in this copy)
    openjpeg = advisories["DSA-2808-2"]
    assert _entry(openjpeg, "debian:6", "openjpeg").fixed == ("1.3+dfsg-4+squeeze3",)
    assert _entry(openjpeg, "debian:7", "openjpeg").fixed == ("1.3+dfsg-4.8",)
    # [31 Jul 2025] DSA-5970-1 sope: {CVE-2025-53603} [bookworm] - sope 5.8.0-1+deb12u1
    assert _entry(advisories["DSA-5970-1"], "debian:12", "sope").fixed == ("5.8.0-1+deb12u1",)
    assert advisories["DSA-4205-1"].details == "end of security support for jessie"
    assert advisories["DSA-140"].published == "2002-08-05"  # the old form of ID, without -N
    assert report.counts["warnings"] == 0


def test_hostile_lists_skip_records_with_counted_warnings() -> None:
    hostile = "\n".join(
        [
            "[29 Mar 2023] DSA-9001-1 good - security update",
            "\t{CVE-2023-0001}",
            "\t[bookworm] - good 1.0-1+deb12u1",
            "[31 Foo 2023] DSA-9002-1 bad-date - security update",
            "\t[bookworm] - bad-date 1.0-1",
            "[01 Mar 2023] DSA-9003-1 garbage - security update",
            "\t\x00\x01 rm -rf / \x7f",
            "[01 Mar 2023] DSA-9004-1 partly - security update",
            "\t[hamm2] - partly 1.0-1",
            "\t[bookworm] - ../../etc/passwd 1.0",
            "\t[bookworm] - partly a:1",
            "\t[bullseye] - partly 2.0-1",
            "[01 Mar 2023] DSA-9005-1 xref - security update",
            "\t{CVE-2023-0002 <script>}",
            "[01 Mar 2023] DSA-9006-1 extra - security update",
            "\t[bookworm] - extra 1.0 and more words",
            "not a header at all",
            "\t[bookworm] - orphan 1.0",
        ]
    ).encode()
    report = ImportReport("hostile")
    parsed = LISTS_IMPORTER.parse("data/DSA/list", hostile, report)
    advisories = {a.id: a for a in parsed if isinstance(a, Advisory)}
    assert set(advisories) == {"DSA-9001-1", "DSA-9004-1"}
    assert _entry(advisories["DSA-9001-1"], "debian:12", "good").fixed == ("1.0-1+deb12u1",)
    assert [(p.namespace, p.fixed) for p in advisories["DSA-9004-1"].affected] == [("debian:11", ("2.0-1",))]
    assert report.counts["warnings"] == 8
    assert all(w.startswith("data/DSA/list:") for w in report.warnings)
    warnings = "\n".join(report.warnings)
    assert "list:4: DSA-9002-1 skipped: line 4: invalid date 31 Foo 2023" in warnings
    assert "list:6: DSA-9003-1 skipped: line 7: unrecognised line" in warnings
    assert "list:9: DSA-9004-1: line skipped: release 'hamm2' is not a Debian codename" in warnings
    assert "list:10: DSA-9004-1: line skipped: '../../etc/passwd' is not a Debian package name" in warnings
    assert "list:11: DSA-9004-1: line skipped: invalid version 'a:1'" in warnings
    assert "list:13: DSA-9005-1 skipped: line 14: '<script>' is not an advisory or CVE ID" in warnings
    assert "list:15: DSA-9006-1 skipped: line 16: unrecognised line" in warnings
    assert "list:17: skipped: line 17: not an advisory header" in warnings


# --- the tracker JSON ------------------------------------------------------------------------------------


def test_tracker_resolved_with_fixed_version(tracker: tuple[dict[str, Advisory], ImportReport]) -> None:
    # "prototypejs" / "CVE-2008-7220": debianbug 555217; stretch, jessie, buster, sid resolved in
    # fixed_version "1.6.0.2-1" with urgency "high**"
    advisory = tracker[0]["CVE-2008-7220"]
    assert advisory.details.startswith("Unspecified vulnerability in Prototype JavaScript framework")
    assert [r.url for r in advisory.references] == ["https://bugs.debian.org/555217"]
    assert sorted(p.namespace for p in advisory.affected) == [
        "debian:10",
        "debian:8",
        "debian:9",
        "debian:unstable",
    ]
    stretch = _entry(advisory, "debian:9", "prototypejs")
    assert (stretch.status, stretch.fixed, stretch.ecosystem) == (Status.FIXED, ("1.6.0.2-1",), "stretch")
    assert stretch.ranges == _fixed_range("1.6.0.2-1")
    assert stretch.properties == SOURCE_PACKAGE
    (urgency,) = stretch.ratings
    assert (urgency.source, urgency.method, urgency.severity, urgency.vector) == (
        "debian",
        "vendor",
        Severity.HIGH,
        "high**",
    )


def test_tracker_fixed_version_zero_is_not_affected(
    tracker: tuple[dict[str, Advisory], ImportReport],
) -> None:
    # "prototypejs" / "CVE-2007-2383": every release resolved with fixed_version "0", urgency "unimportant"
    buster = _entry(tracker[0]["CVE-2007-2383"], "debian:10", "prototypejs")
    assert (buster.status, buster.fixed, buster.ranges) == (Status.NOT_AFFECTED, (), ())
    assert buster.ratings[0].severity is Severity.LOW and buster.ratings[0].vector == "unimportant"


def test_tracker_open_end_of_life_and_new_releases(tracker: tuple[dict[str, Advisory], ImportReport]) -> None:
    # "chromium" / "CVE-2022-0456": bullseye resolved 98.0.4758.80-1~deb11u1; buster and stretch open with
    # urgency "end-of-life"
    chromium = tracker[0]["CVE-2022-0456"]
    assert _entry(chromium, "debian:11", "chromium").fixed == ("98.0.4758.80-1~deb11u1",)
    buster = _entry(chromium, "debian:10", "chromium")
    assert (buster.status, buster.notes, buster.ratings) == (Status.END_OF_LIFE, "end-of-life", ())
    assert buster.ranges == (Range(RangeType.ECOSYSTEM, "dpkg", (Event(EventKind.INTRODUCED, "0"),)),)
    # "sope" / "CVE-2025-53603": trixie and sid resolved in 5.12.1-2, bookworm in 5.8.0-1+deb12u1
    sope = tracker[0]["CVE-2025-53603"]
    assert _entry(sope, "debian:13", "sope").fixed == ("5.12.1-2",)
    assert _entry(sope, "debian:unstable", "sope").fixed == ("5.12.1-2",)
    assert _entry(sope, "debian:12", "sope").fixed == ("5.8.0-1+deb12u1",)


def test_tracker_issue_without_releases(tracker: tuple[dict[str, Advisory], ImportReport]) -> None:
    # "chromium-browser" / "CVE-2022-0358": {"releases": []} says nothing about any release
    assert "CVE-2022-0358" not in tracker[0]
    assert tracker[1].counts["issues_without_releases"] == 1
    assert tracker[1].counts["warnings"] == 0


def test_tracker_no_dsa_states() -> None:
    """The per-release fields the tracker emits for issues it will not fix in a DSA (``nodsa`` with the
    remark, ``nodsa_reason`` ``postponed``/``ignored``/empty) and undetermined issues, on the real
    chromium entry of the sample."""
    doc = json.loads(vunnel(TRACKER_JSON))
    releases = doc["chromium"]["CVE-2022-0456"]["releases"]
    releases["bookworm"] = {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": ""}
    releases["bullseye"] = {
        "status": "open",
        "urgency": "low",
        "nodsa": "Minor issue",
        "nodsa_reason": "postponed",
    }
    releases["trixie"] = {"status": "open", "urgency": "unimportant", "nodsa": "", "nodsa_reason": "ignored"}
    releases["sid"] = {"status": "undetermined", "urgency": "not yet assigned"}
    report = ImportReport("debian")
    records = DebianTrackerImporter().parse("json", json.dumps(doc).encode(), report)
    (chromium,) = [r for r in records if isinstance(r, Advisory) and r.id == "CVE-2022-0456"]
    bookworm = _entry(chromium, "debian:12", "chromium")
    assert (bookworm.status, bookworm.notes) == (Status.AFFECTED, "no-dsa: Minor issue")
    bullseye = _entry(chromium, "debian:11", "chromium")
    assert (bullseye.status, bullseye.notes) == (Status.FIX_DEFERRED, "postponed: Minor issue")
    trixie = _entry(chromium, "debian:13", "chromium")
    assert (trixie.status, trixie.notes) == (Status.WILL_NOT_FIX, "ignored")
    sid = _entry(chromium, "debian:unstable", "chromium")
    assert (sid.status, sid.ranges, sid.ratings) == (Status.UNDER_INVESTIGATION, (), ())


def test_hostile_tracker_json() -> None:
    good = vunnel(TRACKER_JSON)
    importer = DebianTrackerImporter()
    # cut in the middle of the "backupninja" entry: the packages before it are kept, the break is reported
    cut = good[: good.index(b'"backupninja"') + 200]
    report = ImportReport("debian")
    ids = {r.id for r in importer.parse("json", cut, report) if isinstance(r, Advisory)}
    assert ids == {"CVE-2008-7220", "CVE-2007-2383", "CVE-2013-1444"}
    assert report.counts["warnings"] == 1 and "the rest of the file skipped" in report.warnings[0]
    # bad entries are skipped one by one, each with a warning naming the file and the reason
    doc = {
        "ok": {"CVE-2024-0001": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1"}}}},
        "../../evil": {"CVE-2024-0002": {}},
        "listy": ["not", "an", "object"],
        "bad": {
            "<script>": {"releases": {}},
            "CVE-2024-0003": {
                "releases": {
                    "hamm2": {"status": "resolved", "fixed_version": "1"},
                    "bookworm": {"status": "resolved", "fixed_version": "1 2 3"},
                    "bullseye": {"status": "bogus"},
                    "buster": {"status": "resolved"},
                    "stretch": "resolved",
                }
            },
        },
    }
    report = ImportReport("debian")
    records = importer.parse("json", json.dumps(doc).encode(), report)
    assert [r.id for r in records if isinstance(r, Advisory)] == ["CVE-2024-0001"]
    assert report.counts["warnings"] == 8
    assert all(w.startswith("json") for w in report.warnings)
    assert any("invalid fixed_version '1 2 3'" in w for w in report.warnings)
    assert any("'hamm2'" in w for w in report.warnings)
    # not JSON, not UTF-8, or nested without end: one clear error for the file
    for content in (b"\xff\xfe{", b"[" * 100_000, b'{"pkg": ' + b"[" * 100_000):
        with pytest.raises(FeedError):
            importer.parse("json", content, ImportReport("debian"))


# --- detection and a build -----------------------------------------------------------------------------


def test_detection_picks_the_debian_importers(tmp_path: Path) -> None:
    assert detect_importer(SourceReader(LISTS)).name == "debian-lists"
    live = tmp_path / "json"  # the tracker publishes .../tracker/data/json
    live.write_bytes(vunnel(TRACKER_JSON))
    assert detect_importer(SourceReader(live)).name == "debian-tracker"
    compressed = tmp_path / "debian-security-tracker.json.gz"
    compressed.write_bytes(gzip.compress(vunnel(TRACKER_JSON)))
    assert detect_importer(SourceReader(compressed)).name == "debian-tracker"
    sample = tmp_path / "DSA"
    sample.write_bytes(vunnel(DSA_SAMPLE))
    assert detect_importer(SourceReader(sample)).name == "debian-lists"


def test_build_and_look_up_by_source_package(tmp_path: Path) -> None:
    tracker_file = tmp_path / "debian.json"
    tracker_file.write_bytes(vunnel(TRACKER_JSON))
    dsa_file = tmp_path / "DSA"
    dsa_file.write_bytes(vunnel(DSA_SAMPLE))
    db = tmp_path / "vuln.db"
    result = build_database(db, [parse_source(str(tracker_file)), parse_source(str(dsa_file))])
    assert [(o.name, o.importer) for o in result.outcomes] == [
        ("debian", "debian-tracker"),
        ("DSA", "debian-lists"),
    ]
    with VulnStore.open(db) as store:
        found = {(m.advisory_id, m.source): m.package for m in store.lookup("debian:12", "sope")}
        assert set(found) == {("CVE-2025-53603", "debian"), ("DSA-5970-1", "DSA")}
        assert found[("DSA-5970-1", "DSA")].fixed == ("5.8.0-1+deb12u1",)
        assert found[("CVE-2025-53603", "debian")].properties == SOURCE_PACKAGE
        assert store.advisories("DSA-5970-1")[0].related == ("CVE-2025-53603",)
