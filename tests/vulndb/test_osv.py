"""The OSV importer on real records: PyPA (YAML), Go (JSON), AlmaLinux (JSON), Rocky, Ubuntu and Chainguard
samples. Expected values are read off the upstream files (quoted by advisory ID)."""

from __future__ import annotations

import json

import pytest

from seawall.model import Severity
from seawall.versions import InvalidVersion, VersionScheme
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, all_importers
from seawall.vulndb.feeds.osv import OsvImporter, advisory_from_osv
from seawall.vulndb.model import Advisory, Event, EventKind, Range, RangeType, Status
from tests.vulndb.data import ALMA, GO, PYPA, parse_archive, vunnel, vunnel_json

OSV = OsvImporter()
P = "pypa-advisory-database/vulns"
PYPA_FILES = {
    "salt": f"{P}/salt/PYSEC-2020-102.yaml",
    "invenio": f"{P}/invenio-previewer/PYSEC-2019-26.yaml",
    "skywalking": f"{P}/apache-skywalking/PYSEC-2020-342.yaml",
    "fastapi": f"{P}/fastapi-admin/PYSEC-2026-1356.yaml",
    "zstd": f"{P}/zstd/PYSEC-2023-121.yaml",
    "scrapy": f"{P}/scrapy-splash/PYSEC-2021-364.yaml",
    "aiocpa": f"{P}/aiocpa/PYSEC-2024-152.yaml",
}
GO_FILES = {
    "coder": "golang-vulndb/data/osv/GO-2024-3228.json",
    "wazuh": "golang-vulndb/data/osv/GO-2025-3459.json",
    "withdrawn": "golang-vulndb/data/osv/GO-2022-0617.json",
}
ALSA = "almalinux-osv/advisories/almalinux9/ALSA-2022:5099.json"


@pytest.fixture(scope="module")
def pypa() -> tuple[dict[str, Advisory | None], ImportReport]:
    parsed, report, reader = parse_archive(PYPA, OSV, PYPA_FILES.values())
    assert reader.provenance.repository == "westonsteimel/advisory-database-pypa"
    advisories = {key: _one(parsed[path]) for key, path in PYPA_FILES.items()}
    return advisories, report


@pytest.fixture(scope="module")
def go() -> tuple[dict[str, Advisory | None], ImportReport]:
    parsed, report, _ = parse_archive(GO, OSV, GO_FILES.values())
    return {key: _one(parsed[path]) for key, path in GO_FILES.items()}, report


def _one(records: list[object]) -> Advisory | None:
    assert len(records) <= 1
    if not records:
        return None
    assert isinstance(records[0], Advisory)
    return records[0]


def _get(advisories: dict[str, Advisory | None], key: str) -> Advisory:
    advisory = advisories[key]
    assert advisory is not None
    return advisory


def test_pysec_ranges_versions_and_aliases(pypa: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    salt = _get(pypa[0], "salt")
    assert salt.id == "PYSEC-2020-102"
    assert salt.aliases == ("CVE-2020-11651", "GHSA-pjhf-vpx3-33r3")
    assert salt.published == "2020-04-30T17:15:00Z"
    (package,) = salt.affected
    assert (package.namespace, package.name, package.ecosystem) == ("pypi", "salt", "PyPI")
    assert package.purl == "pkg:pypi/salt"
    (ecosystem_range,) = package.ranges
    assert ecosystem_range == Range(
        RangeType.ECOSYSTEM,
        "pep440",
        (
            Event(EventKind.INTRODUCED, "0"),
            Event(EventKind.FIXED, "2019.2.4"),
            Event(EventKind.INTRODUCED, "3000"),
            Event(EventKind.FIXED, "3000.2"),
        ),
    )
    assert package.status is Status.FIXED
    assert package.fixed == ("2019.2.4", "3000.2")
    assert package.versions[:3] == ("0.8.7", "0.8.9", "0.9.0")
    assert ecosystem_range.describe() == "<2019.2.4 || >=3000, <3000.2"


def test_pysec_yaml_versions_stay_strings(pypa: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    # PYSEC-2021-364 lists "0.2" ... "0.6.1": a YAML loader that types scalars would make 0.2 a float
    scrapy = _get(pypa[0], "scrapy")
    (package,) = scrapy.affected
    assert package.versions == ("0.2", "0.3", "0.4", "0.5", "0.6", "0.6.1", "0.7", "0.7.1", "0.7.2")
    # its GIT range is skipped and counted, the ECOSYSTEM range kept
    assert [r.type for r in package.ranges] == [RangeType.ECOSYSTEM]
    assert package.fixed == ("0.8.0",)
    assert pypa[1].counts["git_ranges"] >= 1


def test_pysec_last_affected_and_cvss(pypa: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    fastapi = _get(pypa[0], "fastapi")  # PYSEC-2026-1356
    (package,) = fastapi.affected
    assert package.ranges[0].events == (
        Event(EventKind.INTRODUCED, "0"),
        Event(EventKind.LAST_AFFECTED, "0.1.4"),
    )
    assert package.status is Status.AFFECTED  # no fixed version is known
    assert package.fixed == ()
    v3 = [r for r in fastapi.ratings if r.method == "CVSS_V3"]
    assert [r.vector for r in v3] == ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"]
    assert v3[0].score == 6.1  # the v3.1 specification's example vector for CVE-2013-1937
    assert v3[0].source == "pysec"
    v4 = [r for r in fastapi.ratings if r.method == "CVSS_V4"]
    assert len(v4) == 1 and v4[0].vector.startswith("CVSS:4.0/") and v4[0].score is None


def test_pysec_open_range(pypa: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    skywalking = _get(pypa[0], "skywalking")  # PYSEC-2020-342: introduced 0, never fixed
    (package,) = skywalking.affected
    assert package.status is Status.AFFECTED
    assert package.ranges[0].describe() == "*"
    (rating,) = skywalking.ratings
    assert (rating.vector, rating.score, rating.severity) == (
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        9.8,  # Shellshock's vector in the v3.1 examples
        Severity.CRITICAL,
    )


def test_versions_only_entry(pypa: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    aiocpa = _get(pypa[0], "aiocpa")  # PYSEC-2024-152: a malicious release, listed versions only
    (package,) = aiocpa.affected
    assert package.ranges == ()
    assert package.versions == ("0.1.13", "0.1.14")
    assert aiocpa.published == "2024-11-25T19:30:00Z"


def test_withdrawn_records_are_skipped_and_counted(
    pypa: tuple[dict[str, Advisory | None], ImportReport],
) -> None:
    assert pypa[0]["zstd"] is None  # PYSEC-2023-121 has withdrawn: 2025-11-07T08:36:08Z
    assert pypa[1].counts["withdrawn"] == 1


def test_go_semver_ranges(go: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    coder = _get(go[0], "coder")  # GO-2024-3228
    assert coder.aliases == ("GHSA-wcx9-ccpj-hx3c",)
    assert coder.published == "" and coder.modified == ""  # zeroed in the Go repository
    first, second = coder.affected
    assert (first.namespace, first.name, first.status) == ("go", "github.com/coder/coder", Status.AFFECTED)
    assert second.name == "github.com/coder/coder/v2"
    assert second.ranges[0].type is RangeType.SEMVER and second.ranges[0].scheme == "go"
    assert second.fixed == ("2.14.4", "2.15.3", "2.16.1")
    assert second.status is Status.FIXED
    assert second.ranges[0].describe() == ">=2.3.1, <2.14.4 || >=2.15.0, <2.15.3 || >=2.16.0, <2.16.1"
    wazuh = _get(go[0], "wazuh")  # GO-2025-3459
    assert wazuh.affected[0].fixed == ("4.9.1+incompatible",)
    assert go[0]["withdrawn"] is None
    assert go[1].counts["withdrawn"] == 1


def test_alsa_rpm_fixed_version_with_epoch_and_vendor_severity() -> None:
    parsed, _, _ = parse_archive(ALMA, OSV, [ALSA])
    alsa = _one(parsed[ALSA])
    assert alsa is not None and alsa.id == "ALSA-2022:5099"
    assert alsa.summary.startswith("Important: grub2")
    assert alsa.related[:2] == ("CVE-2022-28733", "CVE-2021-3695")
    assert alsa.aliases == ()
    grub = alsa.affected[0]
    assert (grub.namespace, grub.name, grub.ecosystem) == ("almalinux:9", "grub2-common", "AlmaLinux:9")
    assert grub.fixed == ("1:2.06-27.el9_0.7.alma",)
    assert grub.ranges[0].scheme == "rpm"
    assert grub.status is Status.FIXED
    (vendor,) = alsa.ratings
    assert (vendor.source, vendor.method, vendor.severity) == ("almalinux", "vendor", Severity.HIGH)
    assert len(alsa.affected) == 18


def test_rocky_sample() -> None:
    doc = vunnel_json("rocky/test-fixtures/osv/RLSA-2024_3671.json")
    alsa = advisory_from_osv(doc, ImportReport("t"), "RLSA-2024_3671.json")
    assert alsa is not None and alsa.id == "RLSA-2024:3671"
    ruby = alsa.affected[0]
    assert (ruby.namespace, ruby.name) == ("rocky:9", "ruby")
    assert ruby.fixed == ("0:3.3.1-2.module+el9.4.0+20787+4c237fd3",)
    assert [(r.source, r.severity) for r in alsa.ratings] == [("rocky", Severity.MEDIUM)]  # "Moderate: ..."


def test_ubuntu_sample_upstream_and_vendor_severity() -> None:
    doc = vunnel_json("ubuntu/test-fixtures/osv/cve/2021/UBUNTU-CVE-2021-3782.json")
    report = ImportReport("t")
    advisory = advisory_from_osv(doc, report, "UBUNTU-CVE-2021-3782.json")
    assert advisory is not None
    assert advisory.upstream == ("CVE-2021-3782",)
    assert advisory.related == ("USN-5614-1", "USN-5614-2")
    namespaces = [a.namespace for a in advisory.affected]
    assert namespaces[:2] == ["ubuntu:pro:16.04", "ubuntu:18.04"]
    bionic = advisory.affected[1]
    assert bionic.fixed == ("1.16.0-1ubuntu1.1~18.04.4",)
    assert bionic.ranges[0].scheme == "dpkg"
    methods = sorted((r.source, r.method, r.severity.name) for r in advisory.ratings)
    # two identical CVSS_V3 entries in the file are kept once
    assert methods == [("ubuntu", "CVSS_V3", "MEDIUM"), ("ubuntu", "vendor", "MEDIUM")]
    assert report.counts["warnings"] == 0


def test_chainguard_index_file_is_not_a_record() -> None:
    report = ImportReport("t")
    records = OSV.parse("osv/all.json", vunnel("chainguard/test-fixtures/input/osv/all.json"), report)
    assert list(records) == []
    assert report.counts["index_files"] == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{", "invalid JSON"),
        (b"1", "expected an object"),
        (b'{"affected": []}', "without an id"),
        (b"\xff\xfe", "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
    ],
)
def test_malformed_json_records(content: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        list(OSV.parse("bad.json", content, ImportReport("t")))


def test_an_array_of_records_skips_its_bad_elements() -> None:
    report = ImportReport("t")
    good = {
        "id": "TEST-2",
        "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]}],
    }
    records = list(OSV.parse("all.json", json.dumps([1, good, {"x": 1}]).encode(), report))
    assert [r.id for r in records if isinstance(r, Advisory)] == ["TEST-2"]
    assert report.counts["warnings"] == 2
    assert report.warnings[0].startswith("all.json[0]: not an OSV record")


def test_malformed_entries_are_warned_not_fatal() -> None:
    report = ImportReport("t")
    doc = {
        "id": "TEST-1",
        "affected": [
            {"package": {"name": "x"}},  # no ecosystem
            {
                "package": {"ecosystem": "PyPI", "name": "ok"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"a": "1"}]}],
            },
            {
                "package": {"ecosystem": "PyPI", "name": "y"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": 2}]}],
            },
            {
                "package": {"ecosystem": "PyPI", "name": "z"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
            },
        ],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}],
    }
    advisory = advisory_from_osv(doc, report, "t.json")
    assert advisory is not None
    assert [a.name for a in advisory.affected] == ["z"]
    assert advisory.ratings == ()
    assert report.counts["warnings"] == 4
    assert any("CVSS_V3 severity ignored" in w for w in report.warnings)


def test_yaml_alias_bomb_is_bounded() -> None:
    lines = ["a: &a [" + ", ".join(["'1'"] * 1000) + "]", "b: &b [" + ", ".join(["*a"] * 1000) + "]"]
    lines.append("id: BOMB-1")
    lines.append("affected:")
    lines.extend(
        "- {package: {ecosystem: PyPI, name: x}, versions: *a, ranges: [{type: ECOSYSTEM, events: *b}]}"
        for _ in range(1)
    )
    lines.extend(["- {package: {ecosystem: PyPI, name: x}, versions: *a}"] * 1100)
    with pytest.raises(FeedError, match="too large"):
        list(OSV.parse("bomb.yaml", "\n".join(lines).encode(), ImportReport("t")))


def test_detection_chooses_osv_for_osv_and_not_for_other_json() -> None:
    importers = all_importers()

    def detected(path: str, content: bytes) -> list[str]:
        return [i.name for i in importers if i.wants(path) and i.detect(path, content)]

    go_record = json.dumps({"id": "GO-1", "modified": "x", "affected": []}).encode()
    assert detected("data/osv/GO-1.json", go_record) == ["osv"]
    assert detected("x/known_exploited_vulnerabilities_schema.json", b'{"$schema": 1}') == []
    assert not OSV.wants("vulns/.id-allocator")
    assert not OSV.wants(".github/workflows/x.yaml")


class _Numeric(VersionScheme):
    """Dotted numbers only, enough to evaluate the OSV event algorithm on the records above."""

    name = "test-numeric"

    def compare(self, a: str, b: str) -> int:
        try:
            x, y = [int(p) for p in a.split(".")], [int(p) for p in b.split(".")]
        except ValueError:
            raise InvalidVersion(a) from None
        return (x > y) - (x < y)


def test_range_evaluation_follows_the_osv_algorithm(
    pypa: tuple[dict[str, Advisory | None], ImportReport],
) -> None:
    salt = _get(pypa[0], "salt").affected[0].ranges[0]  # <2019.2.4 || >=3000, <3000.2
    numeric = _Numeric()
    assert salt.contains("2019.2.3", numeric)
    assert not salt.contains("2019.2.4", numeric)
    assert not salt.contains("2999", numeric)
    assert salt.contains("3000.1", numeric)
    assert not salt.contains("3000.2", numeric)
    fastapi = _get(pypa[0], "fastapi").affected[0].ranges[0]  # introduced 0, last_affected 0.1.4
    assert fastapi.contains("0.1.4", numeric)
    assert not fastapi.contains("0.1.5", numeric)
    limited = Range(
        RangeType.ECOSYSTEM,
        "test-numeric",
        (Event(EventKind.INTRODUCED, "1"), Event(EventKind.LIMIT, "2")),
    )
    assert limited.contains("1.5", numeric) and not limited.contains("2.1", numeric)


def test_per_package_severity_in_the_k8s_feed() -> None:
    from tests.vulndb.data import VULNDATA, member

    content = member(VULNDATA / "k8s-vulnlist.tar.gz", "k8s-vulnlist/upstream/CVE-2023-2727.json")
    (advisory,) = OSV.parse("CVE-2023-2727.json", content, ImportReport("t"))
    assert isinstance(advisory, Advisory)
    package = advisory.affected[0]
    assert (package.namespace, package.name) == ("kubernetes", "k8s.io/apiserver")
    (rating,) = package.ratings
    assert (rating.method, rating.vector) == ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:N")
    assert rating.score is not None and rating.severity is not Severity.UNKNOWN
    assert package.fixed == ("1.24.15", "1.25.11", "1.26.6", "1.27.3")


def test_ghsa_database_specific_severity_and_cwes() -> None:
    # the shape GitHub's advisory database gives its OSV records (database_specific severity and cwe_ids)
    doc = {
        "id": "GHSA-xxxx-yyyy-zzzz",
        "modified": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2024-0001"],
        "database_specific": {"severity": "MODERATE", "cwe_ids": ["CWE-79", "junk"], "github_reviewed": True},
        "affected": [
            {
                "package": {"ecosystem": "npm", "name": "left-pad"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}],
                "ecosystem_specific": {"severity": "low"},
            }
        ],
    }
    advisory = advisory_from_osv(doc, ImportReport("t"), "GHSA.json")
    assert advisory is not None
    assert [(r.source, r.method, r.severity) for r in advisory.ratings] == [
        ("ghsa", "vendor", Severity.MEDIUM)
    ]
    assert advisory.cwes == ("CWE-79",)
    assert [(r.method, r.severity) for r in advisory.affected[0].ratings] == [("vendor", Severity.LOW)]
    assert advisory.affected[0].ranges[0].scheme == "semver"
