"""The Ubuntu CVE tracker importer on the real 2020 copy of ubuntu-cve-tracker (``active/``). Expected values
are read off the upstream files: each test quotes the CVE, release, package and status line."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.model import Severity
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.debian_tracker import SOURCE_PACKAGE
from seawall.vulndb.feeds.ubuntu_uct import UbuntuCveTrackerImporter, ubuntu_namespace
from seawall.vulndb.model import Advisory, AffectedPackage, Event, EventKind, Range, RangeType, Status
from seawall.vulndb.reader import SourceReader
from tests.vulndb.data import VULNDATA, member, members, parse_archive

UCT = VULNDATA / "ubuntu-cve-tracker-2020.tar.gz"
ACTIVE = "ubuntu-cve-tracker-2020/active"
FILES = [
    "CVE-2017-2824",
    "CVE-2019-6234",
    "CVE-2009-3560",
    "CVE-2018-10657",
    "CVE-2012-4542",
    "CVE-2009-0165",
]
OPEN = (Range(RangeType.ECOSYSTEM, "dpkg", (Event(EventKind.INTRODUCED, "0"),)),)


@pytest.fixture(scope="module")
def uct() -> tuple[dict[str, Advisory], ImportReport]:
    parsed, report, reader = parse_archive(UCT, UbuntuCveTrackerImporter(), [f"{ACTIVE}/{f}" for f in FILES])
    assert reader.provenance.revision == "36e411296b5707284049ec2e0db8d2622feca498"
    advisories: dict[str, Advisory] = {}
    for path, records in parsed.items():
        (advisory,) = records
        assert isinstance(advisory, Advisory)
        assert path.endswith(advisory.id)
        advisories[advisory.id] = advisory
    return advisories, report


def _entry(advisory: Advisory, namespace: str, name: str) -> AffectedPackage:
    (entry,) = [p for p in advisory.affected if (p.namespace, p.name) == (namespace, name)]
    return entry


def test_fields_priority_and_cvss(uct: tuple[dict[str, Advisory], ImportReport]) -> None:
    # CVE-2017-2824: PublicDate: 2017-05-24 14:29:00 UTC, Priority: high,
    # CVSS: nvd: CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H, Bugs: .../+source/zabbix/+bug/1712993
    zabbix = uct[0]["CVE-2017-2824"]
    assert zabbix.published == "2017-05-24T14:29:00Z"
    assert zabbix.details.startswith(
        "An exploitable code execution vulnerability exists in the trapper command"
    )
    assert zabbix.summary.startswith("It was discovered that Zabbix incorrectly handled certain requests.")
    vendor, nvd = zabbix.ratings
    assert (vendor.source, vendor.method, vendor.severity, vendor.vector) == (
        "ubuntu",
        "vendor",
        Severity.HIGH,
        "high",
    )
    assert (nvd.source, nvd.method, nvd.vector) == (
        "nvd",
        "CVSS_V3",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    assert nvd.score == 8.1  # AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H in the CVSS v3 calculator
    urls = {(r.type, r.url) for r in zabbix.references}
    assert ("REPORT", "https://bugs.launchpad.net/ubuntu/+source/zabbix/+bug/1712993") in urls
    assert ("WEB", "http://www.talosintelligence.com/reports/TALOS-2017-0325/") in urls


def test_release_statuses(uct: tuple[dict[str, Advisory], ImportReport]) -> None:
    zabbix = uct[0]["CVE-2017-2824"]
    # xenial_zabbix: needed
    xenial = _entry(zabbix, "ubuntu:16.04", "zabbix")
    assert (xenial.status, xenial.ranges, xenial.ecosystem) == (Status.AFFECTED, OPEN, "xenial")
    assert xenial.properties == SOURCE_PACKAGE and xenial.purl == "pkg:deb/ubuntu/zabbix?arch=source"
    # trusty_zabbix: ignored (out of standard support); trusty/esm_zabbix: needed (Ubuntu Pro)
    trusty = _entry(zabbix, "ubuntu:14.04", "zabbix")
    assert (trusty.status, trusty.notes) == (Status.END_OF_LIFE, "out of standard support")
    assert _entry(zabbix, "ubuntu:pro:14.04", "zabbix").status is Status.AFFECTED
    # zesty_zabbix: ignored (reached end-of-life)
    assert _entry(zabbix, "ubuntu:17.04", "zabbix").status is Status.END_OF_LIFE
    # artful_zabbix: not-affected (1:3.0.7+dfsg-3)
    artful = _entry(zabbix, "ubuntu:17.10", "zabbix")
    assert (artful.status, artful.notes, artful.ranges) == (Status.NOT_AFFECTED, "1:3.0.7+dfsg-3", ())
    # upstream_, devel_ and precise/esm_zabbix: DNE make no entries
    assert {p.namespace for p in zabbix.affected}.isdisjoint({"upstream", "devel", "ubuntu:pro:12.04"})


def test_released_deferred_and_needs_triage(uct: tuple[dict[str, Advisory], ImportReport]) -> None:
    webkit = uct[0]["CVE-2019-6234"]
    # bionic_webkit2gtk: released (2.22.4-0ubuntu0.18.04.1)
    bionic = _entry(webkit, "ubuntu:18.04", "webkit2gtk")
    assert (bionic.status, bionic.fixed) == (Status.FIXED, ("2.22.4-0ubuntu0.18.04.1",))
    assert bionic.ranges == (
        Range(
            RangeType.ECOSYSTEM,
            "dpkg",
            (Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, "2.22.4-0ubuntu0.18.04.1")),
        ),
    )
    # xenial_webkit2gtk: deferred; xenial_webkitgtk: needs-triage
    assert _entry(webkit, "ubuntu:16.04", "webkit2gtk").status is Status.FIX_DEFERRED
    triage = _entry(webkit, "ubuntu:16.04", "webkitgtk")
    assert (triage.status, triage.ranges) == (Status.UNDER_INVESTIGATION, ())
    assert webkit.ratings[0].severity is Severity.MEDIUM  # Priority: medium


def test_pro_stream_pending_and_will_not_fix(uct: tuple[dict[str, Advisory], ImportReport]) -> None:
    # CVE-2009-3560: trusty/esm_expat: released (2.0.1-7ubuntu1)
    expat = _entry(uct[0]["CVE-2009-3560"], "ubuntu:pro:14.04", "expat")
    assert (expat.status, expat.fixed, expat.ecosystem) == (Status.FIXED, ("2.0.1-7ubuntu1",), "trusty/esm")
    # CVE-2018-10657: cosmic_matrix-synapse: pending (0.28.1+dfsg-1)
    pending = _entry(uct[0]["CVE-2018-10657"], "ubuntu:18.10", "matrix-synapse")
    assert (pending.status, pending.notes, pending.ranges) == (
        Status.AFFECTED,
        "pending: 0.28.1+dfsg-1",
        OPEN,
    )
    # CVE-2012-4542: precise_linux-linaro-omap: ignored (abandoned)
    abandoned = _entry(uct[0]["CVE-2012-4542"], "ubuntu:12.04", "linux-linaro-omap")
    assert (abandoned.status, abandoned.notes) == (Status.WILL_NOT_FIX, "abandoned")


def test_package_priority(uct: tuple[dict[str, Advisory], ImportReport]) -> None:
    # CVE-2009-0165: Priority: low; Priority_koffice: low; jaunty_koffice: released (1:1.6.3-7ubuntu6.1)
    advisory = uct[0]["CVE-2009-0165"]
    koffice = _entry(advisory, "ubuntu:9.04", "koffice")
    assert koffice.fixed == ("1:1.6.3-7ubuntu6.1",)
    assert [(r.source, r.severity, r.vector) for r in koffice.ratings] == [("ubuntu", Severity.LOW, "low")]
    assert _entry(advisory, "ubuntu:9.04", "poppler").ratings == ()  # only koffice has its own priority
    # karmic_koffice: not-affected (linked to poppler)
    assert _entry(advisory, "ubuntu:9.10", "koffice").notes == "linked to poppler"


def test_release_names() -> None:
    assert ubuntu_namespace("focal") == "ubuntu:20.04"
    assert ubuntu_namespace("jammy") == "ubuntu:22.04"
    assert ubuntu_namespace("noble") == "ubuntu:24.04"
    assert ubuntu_namespace("esm-apps/jammy") == "ubuntu:pro:22.04"
    assert ubuntu_namespace("esm-infra/xenial") == "ubuntu:pro:16.04"
    assert ubuntu_namespace("vivid/stable-phone-overlay") is None
    assert ubuntu_namespace("devel") is None


def test_malformed_lines_of_a_real_file() -> None:
    """Real oddities of the 2020 tracker: a stray ``-- Tags_xen`` line, a status missing its ``)``."""
    importer = UbuntuCveTrackerImporter()
    report = ImportReport("uct")
    path = f"{ACTIVE}/CVE-2019-13722"
    files = members(UCT, [f"{ACTIVE}/CVE-2017-15597", path])
    xen = importer.parse(f"{ACTIVE}/CVE-2017-15597", files[f"{ACTIVE}/CVE-2017-15597"], report)
    assert [a.id for a in xen if isinstance(a, Advisory)] == ["CVE-2017-15597"]
    (thunderbird,) = importer.parse(path, files[path], report)
    assert isinstance(thunderbird, Advisory)
    # bionic_thunderbird: released (1:68.4.1+build1-0ubuntu0.18.04.1   <- no closing parenthesis
    assert not [p for p in thunderbird.affected if (p.namespace, p.name) == ("ubuntu:18.04", "thunderbird")]
    assert report.counts["warnings"] == 2
    assert report.warnings[0].startswith(f"{ACTIVE}/CVE-2017-15597:") and "'-- Tags_xen" in report.warnings[0]
    assert report.warnings[1].startswith(f"{path}:") and "bionic_thunderbird skipped" in report.warnings[1]


def test_hostile_files() -> None:
    importer = UbuntuCveTrackerImporter()
    report = ImportReport("uct")
    hostile = "\n".join(
        [
            "Candidate: CVE-2024-0001",
            "Priority: critical",
            "CVSS:",
            " nvd: CVSS:3.1/AV:X/AC:L",
            "focal_good: released (1.0-1ubuntu1)",
            "focal_bad: released (1.0 2.0)",
            "focal_evil/../x: needed",
            "hamm2_pkg: needed",
            "jammy_pkg: frobnicated",
            "jammy_other: needed",
            "jammy_other: released (2.0-1)",
            "\x00\x01garbage without colon",
        ]
    ).encode()
    (advisory,) = importer.parse("active/CVE-2024-0001", hostile, report)
    assert isinstance(advisory, Advisory)
    assert [(p.namespace, p.name, p.status) for p in advisory.affected] == [
        ("ubuntu:20.04", "good", Status.FIXED),
        ("ubuntu:22.04", "other", Status.AFFECTED),
    ]
    assert advisory.ratings[0].severity is Severity.CRITICAL
    assert report.counts["duplicate_lines"] == 1
    assert report.counts["warnings"] == 6
    assert all(w.startswith("active/CVE-2024-0001") for w in report.warnings)
    for content in (b"Candidate: <script>\n", b"PublicDate: 2020-01-01\nfocal_x: needed\n", b"\n" * 200_000):
        with pytest.raises(FeedError):
            importer.parse("active/CVE-2024-0002", content, ImportReport("uct"))


def test_detection(tmp_path: Path) -> None:
    importer = UbuntuCveTrackerImporter()
    assert importer.wants(f"{ACTIVE}/CVE-2017-2824") and importer.wants("retired/CVE-2014-0160")
    assert not importer.wants(f"{ACTIVE}/00boilerplate") and not importer.wants("scripts/CVE-2017-2824")
    assert detect_importer(SourceReader(UCT)).name == "ubuntu-uct"
    single = tmp_path / "CVE-2017-2824"
    single.write_bytes(member(UCT, f"{ACTIVE}/CVE-2017-2824"))
    assert detect_importer(SourceReader(single)).name == "ubuntu-uct"
