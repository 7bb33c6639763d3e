"""The RustSec importer on the real advisory-db archive. Expected values are read off the upstream files
(quoted by advisory ID); range evaluations follow Cargo's requirement semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.model import Severity
from seawall.versions import scheme
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.rustsec import RustSecImporter
from seawall.vulndb.model import Advisory, Range, RangeType, Reference, Status
from seawall.vulndb.reader import SourceReader
from seawall.vulndb.store import VulnStore
from tests.vulndb.data import VULNDATA, member, parse_archive, subset_archive

RUSTSEC = VULNDATA / "rustsec-advisory-db.tar.gz"
C = "rustsec-advisory-db/crates"
FILES = {
    "openssl": f"{C}/openssl/RUSTSEC-2016-0001.md",
    "glib": f"{C}/glib/RUSTSEC-2024-0429.md",
    "hyper-staticfile": f"{C}/hyper-staticfile/RUSTSEC-2022-0069.md",
    "warp": f"{C}/warp/RUSTSEC-2022-0082.md",
    "libcrux": f"{C}/libcrux-sha3/RUSTSEC-2026-0207.md",
    "badge": f"{C}/badge/RUSTSEC-2022-0057.md",
    "withdrawn": f"{C}/markdown/RUSTSEC-2022-0044.md",
    "cargo": "rustsec-advisory-db/rust/cargo/CVE-2019-16760.md",
}
IMPORTER = RustSecImporter()


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, Advisory | None], ImportReport]:
    records, report, reader = parse_archive(RUSTSEC, IMPORTER, FILES.values())
    assert reader.provenance.repository == "rustsec/advisory-db"
    found: dict[str, Advisory | None] = {}
    for key, path in FILES.items():
        assert len(records[path]) <= 1
        advisory = records[path][0] if records[path] else None
        assert advisory is None or isinstance(advisory, Advisory)
        found[key] = advisory
    return found, report


def _get(parsed: tuple[dict[str, Advisory | None], ImportReport], key: str) -> Advisory:
    advisory = parsed[0][key]
    assert advisory is not None
    return advisory


def test_vulnerability_with_aliases_cvss_and_patched(
    parsed: tuple[dict[str, Advisory | None], ImportReport],
) -> None:
    openssl = _get(parsed, "openssl")  # RUSTSEC-2016-0001
    assert openssl.id == "RUSTSEC-2016-0001"
    assert openssl.aliases == ("CVE-2016-10931", "GHSA-34p9-f4q3-c4r7")
    assert openssl.published == "2016-11-05"
    assert openssl.summary == "SSL/TLS MitM vulnerability due to insecure defaults"
    assert openssl.details.startswith("All versions of rust-openssl prior to 0.9.0 contained numerous")
    assert openssl.references == (
        Reference("WEB", "https://github.com/sfackler/rust-openssl/releases/tag/v0.9.0"),
    )
    (rating,) = openssl.ratings
    # cvss = "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H": 8.1 HIGH, as NVD scores CVE-2016-10931
    assert (rating.source, rating.method, rating.vector, rating.score, rating.severity) == (
        "rustsec",
        "CVSS_V3",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
        8.1,
        Severity.HIGH,
    )
    (package,) = openssl.affected
    assert (package.namespace, package.name, package.purl) == ("cargo", "openssl", "pkg:cargo/openssl")
    assert package.ranges == (Range(RangeType.REQUIREMENTS, "cargo", (), (), (">= 0.9.0",)),)
    assert (package.status, package.fixed) == (Status.FIXED, ("0.9.0",))
    assert package.properties == (("keyword", "mitm"), ("keyword", "ssl"))


def test_informational_unsound_with_unaffected_versions(
    parsed: tuple[dict[str, Advisory | None], ImportReport],
) -> None:
    glib = _get(parsed, "glib")  # RUSTSEC-2024-0429: informational = "unsound"
    (package,) = glib.affected
    assert dict(package.properties)["informational"] == "unsound"
    # patched = [">=0.20.0"], unaffected = ["<0.15.0"]
    assert package.ranges[0].unaffected == (">=0.20.0", "<0.15.0")
    assert package.fixed == ("0.20.0",)
    assert glib.aliases == ("GHSA-wrw7-89jp-8q8g",)
    assert glib.references[0] == Reference("FIX", "https://github.com/gtk-rs/gtk-rs-core/pull/1343")
    cargo = scheme("cargo")
    range_ = package.ranges[0]
    assert not range_.contains("0.14.9", cargo)
    assert range_.contains("0.15.0", cargo) and range_.contains("0.19.8", cargo)
    assert not range_.contains("0.20.0", cargo)


def test_unmaintained_notice_without_a_fix(parsed: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    badge = _get(parsed, "badge")  # RUSTSEC-2022-0057: informational = "unmaintained", patched = []
    (package,) = badge.affected
    assert package.properties == (("informational", "unmaintained"),)
    assert (package.status, package.ranges, package.fixed) == (Status.AFFECTED, (), ())
    assert badge.summary == "badge is Unmaintained"


def test_caret_and_prerelease_requirements(parsed: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    staticfile = _get(parsed, "hyper-staticfile")  # RUSTSEC-2022-0069
    (package,) = staticfile.affected
    # patched = ["^0.9.2", ">= 0.10.0-alpha.2"]
    assert package.fixed == ("0.9.2", "0.10.0-alpha.2")
    assert ("os", "windows") in package.properties and ("category", "file-disclosure") in package.properties
    cargo = scheme("cargo")
    range_ = package.ranges[0]
    assert range_.contains("0.9.1", cargo)
    assert not range_.contains("0.9.2", cargo) and not range_.contains("0.9.7", cargo)
    assert range_.contains("0.10.0-alpha.1", cargo)  # ^0.9.2 stops below 0.10.0
    assert not range_.contains("0.10.0", cargo)
    warp = _get(parsed, "warp")  # RUSTSEC-2022-0082: [affected] os = ["windows"]
    assert dict(warp.affected[0].properties)["os"] == "windows"
    assert ("keyword", "directory traversal") in warp.affected[0].properties


def test_cvss_v4_vector_and_trailing_space(parsed: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    libcrux = _get(parsed, "libcrux")  # RUSTSEC-2026-0207
    (rating,) = libcrux.ratings
    assert (rating.method, rating.vector) == (
        "CVSS_V4",
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
    )
    assert libcrux.affected[0].ranges[0].unaffected == (">= 0.0.10",)  # written ">= 0.0.10 "
    assert libcrux.affected[0].fixed == ("0.0.10",)


def test_toolchain_advisory_is_not_the_cargo_crate(
    parsed: tuple[dict[str, Advisory | None], ImportReport],
) -> None:
    advisory = _get(parsed, "cargo")  # rust/cargo/CVE-2019-16760: Cargo of Rust < 1.26.0
    (package,) = advisory.affected
    assert (package.namespace, package.name, package.purl) == ("rust", "cargo", "")
    assert package.ranges[0].unaffected == (">= 1.26.0",)
    assert advisory.aliases == ("GHSA-phjm-8x66-qw4r",)
    assert advisory.summary == "Cargo prior to Rust 1.26.0 may download the wrong dependency"


def test_withdrawn_is_skipped_and_counted(parsed: tuple[dict[str, Advisory | None], ImportReport]) -> None:
    assert parsed[0]["withdrawn"] is None  # RUSTSEC-2022-0044: withdrawn = "2025-04-28"
    assert parsed[1].counts["withdrawn"] == 1
    assert parsed[1].counts["warnings"] == 0


def test_whole_archive_is_detected_and_read() -> None:
    reader = SourceReader(RUSTSEC)
    importer = detect_importer(reader)
    assert importer.name == "rustsec"
    report = ImportReport("rustsec")
    count = 0
    for feed_file in reader.files(importer.wants, importer.max_size):
        count += len(list(importer.parse(feed_file.path, feed_file.content, report)))
    # MANIFEST.md: 1,225 records; 13 carry a withdrawn date
    assert count + report.counts["withdrawn"] == 1225
    assert report.counts["withdrawn"] == 13
    assert report.counts["warnings"] == 0


GOOD = member(RUSTSEC, FILES["warp"])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"# no front block\n", "no ```toml front block"),
        (b"```toml\n[advisory\n```\n", "invalid TOML"),
        (b"```toml\na = " + b"[" * 5000 + b"]" * 5000 + b"\n```\n", "invalid TOML"),
        (b"```toml\n[versions]\npatched = []\n```\n", r"no \[advisory\] table"),
        (GOOD.replace(b'id = "RUSTSEC-2022-0082"', b'id = "x y"'), "invalid advisory id"),
        (GOOD.replace(b'package = "warp"', b'package = "../warp"'), "invalid package name"),
        (GOOD.replace(b'patched = [">= 0.3.3"]', b'patched = ">= 0.3.3"'), "not a list"),
        (GOOD.replace(b'patched = [">= 0.3.3"]', b'patched = [">= 0.3.3", 7]'), "not a list"),
        (GOOD.replace(b'patched = [">= 0.3.3"]', b'patched = [">= zero"]'), "invalid cargo"),
        (GOOD.replace(b"[versions]", b"[other]"), r"no \[versions\] table"),
        (b"```toml\n\xff\xfe\n```\n", "not UTF-8"),
    ],
)
def test_malformed_files(content: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        list(IMPORTER.parse("crates/x/RUSTSEC-0000-0000.md", content, ImportReport("t")))


def test_a_bad_file_is_a_counted_warning_in_a_build(tmp_path: Path) -> None:
    hostile = GOOD.replace(b'patched = [">= 0.3.3"]', b'patched = ["<<1"]')
    archive = subset_archive(
        tmp_path / "rustsec-advisory-db.tar.gz",
        RUSTSEC,
        [FILES["warp"], FILES["openssl"]],
        {f"{C}/evil/RUSTSEC-2099-0001.md": hostile},
    )
    db = tmp_path / "vuln.db"
    result = build_database(db, [parse_source(str(archive))])
    (outcome,) = result.outcomes
    assert outcome.importer == "rustsec" and outcome.report is not None
    assert outcome.report.counts["advisories"] == 2
    assert outcome.report.counts["warnings"] == 1
    assert outcome.report.warnings[0].startswith(f"{C}/evil/RUSTSEC-2099-0001.md: [versions] patched")
    with VulnStore.open(db) as store:
        (warp,) = store.lookup("cargo", "warp")
        assert warp.advisory_id == "RUSTSEC-2022-0082"
        assert [a.id for a in store.advisories("CVE-2016-10931")] == ["RUSTSEC-2016-0001"]
