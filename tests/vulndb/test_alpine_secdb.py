"""The Alpine secdb importer on real data: the legacy alpine-secdb archive (v3.3-v3.11, YAML) and the
current-format v3.15 sample in anchore's vunnel test fixtures, also as JSON (today's secdb publishes the
same structure as JSON). Expected values are read off the upstream files (quoted by release, package
and CVE); range evaluations follow apk's version ordering."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from seawall.versions import scheme
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.alpine_secdb import AlpineSecdbImporter, identifiers
from seawall.vulndb.model import Advisory, AffectedPackage, Event, EventKind, Range, RangeType, Status
from seawall.vulndb.reader import SourceReader
from seawall.vulndb.store import VulnStore
from tests.vulndb.data import PYPA, VULNDATA, member, subset_archive, vunnel

LEGACY = VULNDATA / "alpine-secdb-legacy.tar.gz"
L = "alpine-secdb-legacy"
SAMPLE = "alpine/test-fixtures/input/secdb/v3.15"


def _import(files: dict[str, bytes]) -> tuple[dict[str, Advisory], ImportReport]:
    importer = AlpineSecdbImporter()
    report = ImportReport("alpine")
    for path, content in files.items():
        assert list(importer.parse(path, content, report)) == []  # advisories come at the end
    return {a.id: a for a in importer.finish(report) if isinstance(a, Advisory)}, report


def _package(advisory: Advisory, namespace: str, name: str) -> AffectedPackage:
    (package,) = [p for p in advisory.affected if (p.namespace, p.name) == (namespace, name)]
    return package


@functools.cache
def _oracle(path: str) -> Any:
    """A legacy secdb file read with PyYAML's own safe loader (an oracle independent of ours)."""
    return yaml.load(member(LEGACY, path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.fixture(scope="module")
def legacy() -> tuple[dict[str, Advisory], ImportReport]:
    reader = SourceReader(LEGACY)
    importer = detect_importer(reader)
    assert importer.name == "alpine-secdb"
    files = {f.path: f.content for f in reader.files(importer.wants, importer.max_size) if not f.error}
    assert len(files) == 18  # v3.3 ... v3.11, main and community
    assert reader.provenance.repository == "alpinelinux/alpine-secdb"
    return _import(files)


def test_one_advisory_per_cve_with_a_package_per_release(
    legacy: tuple[dict[str, Advisory], ImportReport],
) -> None:
    advisory = legacy[0]["CVE-2019-14904"]  # v3.11/main.yaml: ansible 2.9.3-r0: CVE-2019-14904
    (package,) = advisory.affected
    assert (package.namespace, package.name, package.status) == ("alpine:3.11", "ansible", Status.FIXED)
    assert package.fixed == ("2.9.3-r0",)
    assert package.ranges == (
        Range(
            RangeType.ECOSYSTEM,
            "apk",
            (Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, "2.9.3-r0")),
        ),
    )
    apk = scheme("apk")
    assert package.ranges[0].contains("2.9.2-r0", apk) and package.ranges[0].contains("2.9.3_rc1-r0", apk)
    assert not package.ranges[0].contains("2.9.3-r0", apk)
    rsync = legacy[0]["CVE-2017-17434"]  # written "CVE-2017-17434-1" under rsync 3.1.2-r7 from v3.7 on
    assert _package(rsync, "alpine:3.11", "rsync").fixed == ("3.1.2-r7",)
    assert _package(rsync, "alpine:3.4", "rsync").fixed == ("3.1.2-r3",)
    assert {p.namespace for p in rsync.affected} >= {f"alpine:3.{n}" for n in range(4, 12)}


def test_companion_identifiers_become_aliases(legacy: tuple[dict[str, Advisory], ImportReport]) -> None:
    xen = legacy[0]["CVE-2018-10472"]  # v3.11/main.yaml xen 4.10.1-r0: "CVE-2018-10472 XSA-258"
    assert xen.aliases == ("XSA-258",)
    assert _package(xen, "alpine:3.11", "xen").fixed == ("4.10.1-r0",)
    sdl = legacy[0]["CVE-2017-12122"]  # "CVE-2017-12122 TALOS-2017-0488"
    assert sdl.aliases == ("TALOS-2017-0488",)
    assert "XSA-284" in legacy[0]  # "CVE-????-?????  XSA-284": no CVE yet, the XSA is the ID


def test_version_zero_is_not_affected(legacy: tuple[dict[str, Advisory], ImportReport]) -> None:
    # v3.8/main.yaml db: "0": [CVE-2016-0682, ...] (whitelisted issues of later Berkeley DB releases)
    db = _package(legacy[0]["CVE-2016-0682"], "alpine:3.8", "db")
    assert (db.status, db.ranges, db.fixed) == (Status.NOT_AFFECTED, (), ())
    assert legacy[1].counts["not_affected"] == 5


def test_legacy_archive_counts_and_warnings(legacy: tuple[dict[str, Advisory], ImportReport]) -> None:
    report = legacy[1]
    # MANIFEST.md: 12,028 fixes. Each is read, or skipped with a warning naming the file and package:
    # versions apk cannot read ("4.10-1-r1", "0.8.21.r2" ...).
    assert report.counts["warnings"] == 24 and len(report.warnings) == 24
    assert "alpine-secdb-legacy/v3.5/main.yaml[123]: wget: fixed version '1.18.-r2'" in " ".join(
        report.warnings
    )
    skipped = 0
    for warning in report.warnings:
        match = re.match(r"(.+)\[(\d+)\]: (\S+): fixed version '(.+)' is not an apk version", warning)
        assert match is not None, warning
        doc = _oracle(match.group(1))
        package = doc["packages"][int(match.group(2))]["pkg"]
        assert package["name"] == match.group(3)
        skipped += len(package["secfixes"][match.group(4)])
    assert report.counts["fixes"] + report.counts["not_affected"] + skipped == 12028
    # v3.9/main.yaml ansible 2.7.3-r0: "CVE 2018-16859" (a space for the dash) is read
    assert _package(legacy[0]["CVE-2018-16859"], "alpine:3.9", "ansible").fixed == ("2.7.3-r0",)


def test_current_sample_yaml_and_json_read_alike() -> None:
    main, community = vunnel(f"{SAMPLE}/main.yaml"), vunnel(f"{SAMPLE}/community.yaml")
    from_yaml, _ = _import({"v3.15/main.yaml": main, "v3.15/community.yaml": community})
    as_json = {  # today's secdb serves the same document as JSON
        "v3.15/main.json": json.dumps(yaml.safe_load(main)).encode(),
        "v3.15/community.json": json.dumps(yaml.safe_load(community)).encode(),
    }
    from_json, _ = _import(as_json)
    assert from_json == from_yaml
    both, report = _import({"v3.15/main.yaml": main, **as_json})  # a mirror holding both formats
    assert both == from_yaml
    assert report.counts.get("warnings", 0) == 0
    # main.yaml: zlib 1.2.12-r0: CVE-2018-25032; 1.2.12-r2: CVE-2022-37434; xz 5.2.5-r1: CVE-2022-1271
    assert _package(from_yaml["CVE-2022-37434"], "alpine:3.15", "zlib").fixed == ("1.2.12-r2",)
    assert _package(from_yaml["CVE-2018-25032"], "alpine:3.15", "zlib").fixed == ("1.2.12-r0",)
    assert _package(from_yaml["CVE-2022-1271"], "alpine:3.15", "xz").fixed == ("5.2.5-r1",)
    # community.yaml: alpine 2.25-r0: CVE-2021-38370
    assert _package(from_yaml["CVE-2021-38370"], "alpine:3.15", "alpine").fixed == ("2.25-r0",)


def test_a_fix_listed_twice_counts_from_the_first() -> None:
    doc = {
        "distroversion": "v3.11",
        "reponame": "main",
        "packages": [
            {
                "pkg": {
                    "name": "lame",
                    "secfixes": {"3.100-r0": ["CVE-2015-9099"], "3.99.5-r6": ["CVE-2015-9099"]},
                }
            }
        ],
    }
    advisories, _ = _import({"v3.11/main.json": json.dumps(doc).encode()})
    (package,) = advisories["CVE-2015-9099"].affected  # as v3.11/main.yaml lists lame
    assert package.fixed == ("3.99.5-r6", "3.100-r0")
    assert package.ranges[0].events[1] == Event(EventKind.FIXED, "3.99.5-r6")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("CVE-2019-14904", (["CVE-2019-14904"], "")),
        ("CVE-2018-10472 XSA-258", (["CVE-2018-10472", "XSA-258"], "")),
        ("CVE_2019-16680", (["CVE-2019-16680"], "")),
        ("CVE-2017-8073.patch", (["CVE-2017-8073"], "")),
        ("CVE-????-?????  XSA-290", (["XSA-290"], "")),
        ("CVE-2019-15166 (LMP)", (["CVE-2019-15166"], "LMP")),
        ("wnpa-sec-2019-01", (["wnpa-sec-2019-01"], "")),
        ("fixed it", ([], "")),
    ],
)
def test_identifiers_of_secfixes_entries(entry: str, expected: tuple[list[str], str]) -> None:
    assert identifiers(entry) == (tuple(expected[0]), expected[1])


def test_detection_and_foreign_secdb() -> None:
    importer = AlpineSecdbImporter()
    assert importer.wants("v3.20/main.json") and importer.wants("v3.9/community.yaml")
    assert not importer.wants("v3.20/index.json") and not importer.wants("security.json")
    assert detect_importer(SourceReader(PYPA)).name == "osv"
    wolfi = vunnel("wolfi/test-fixtures/input/secdb/security.json")  # same structure, no distroversion
    assert importer.detect("security.json", wolfi) is False
    with pytest.raises(FeedError, match="no distroversion"):
        importer.parse("os/main.json", wolfi, ImportReport("t"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[]", "expected a mapping"),
        (b"distroversion: [", "invalid YAML"),
        (b"distroversion: v3.x\npackages: []\n", "invalid distroversion"),
        (b"distroversion: v3.11\npackages: {a: 1}\n", "packages is not a list"),
        (
            # 20 KB of YAML whose aliases make a million entries
            b"distroversion: v3.11\na: &a [" + b", ".join([b"CVE-2020-0001"] * 1000) + b"]\n"
            b"d: &d {'1.0-r0': *a}\n"
            b"packages: [" + b", ".join([b"{pkg: {name: x, secfixes: *d}}"] * 1000) + b"]\n",
            "too large",
        ),
    ],
)
def test_malformed_files(content: bytes, reason: str) -> None:
    importer = AlpineSecdbImporter()
    with pytest.raises(FeedError, match=reason):
        importer.parse("v3.11/main.yaml", content, ImportReport("t"))
    assert list(importer.finish(ImportReport("t"))) == []  # a file given up adds nothing


def test_bad_packages_are_counted_warnings_in_a_build(tmp_path: Path) -> None:
    sample = yaml.safe_load(vunnel(f"{SAMPLE}/main.yaml"))
    sample["packages"] += [
        {"pkg": {"name": "../../etc/passwd", "secfixes": {"1.0-r0": ["CVE-2020-0001"]}}},
        {"pkg": {"name": "ok", "secfixes": ["CVE-2020-0002"]}},
        {"pkg": {"name": "ok2", "secfixes": {"1.0-r0": [None, "CVE-2020-0003"]}}},
    ]
    archive = subset_archive(
        tmp_path / "alpine-secdb.tar.gz",
        LEGACY,
        [f"{L}/v3.11/main.yaml"],
        {"alpine-secdb/v3.15/main.json": json.dumps(sample).encode(), f"{L}/v3.3/main.yaml": b"x"},
    )
    db = tmp_path / "vuln.db"
    (outcome,) = build_database(db, [parse_source(str(archive))]).outcomes
    assert outcome.importer == "alpine-secdb" and outcome.report is not None
    warnings = outcome.report.warnings
    # v3.11/main.yaml has three versions apk cannot read: opensmtpd "6.6.2p1-r0", python2 "2.7.16-33",
    # xen "4.10-1-r1"; then the broken file and the three bad packages added above
    assert outcome.report.counts["warnings"] == 7, warnings
    assert sum("is not an apk version" in w for w in warnings) == 3
    assert f"{L}/v3.3/main.yaml: not a secdb file (expected a mapping)" in warnings
    assert outcome.report.counts["skipped_files"] == 1
    assert any(
        w.startswith("alpine-secdb/v3.15/main.json[5]: package with an invalid name") for w in warnings
    )
    assert any("ok: secfixes is not a mapping" in w for w in warnings)
    assert any("ok2 1.0-r0: no vulnerability identifier in ''" in w for w in warnings)
    with VulnStore.open(db) as store:
        (zlib,) = [m for m in store.lookup("alpine:3.15", "zlib") if m.advisory_id == "CVE-2022-37434"]
        assert zlib.package.fixed == ("1.2.12-r2",)
        assert [m.advisory_id for m in store.lookup("alpine:3.15", "ok2")] == ["CVE-2020-0003"]
        assert [m.advisory_id for m in store.lookup("alpine:3.11", "ansible")][:1] == ["CVE-2018-10875"]
