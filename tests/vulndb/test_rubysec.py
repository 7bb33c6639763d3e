"""The RubySec importer on the real ruby-advisory-db archive. Expected values are read off the upstream
files (quoted by advisory ID); range evaluations follow Gem::Requirement semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.model import Severity
from seawall.versions import scheme
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.rubysec import RubySecImporter
from seawall.vulndb.model import Advisory, Range, RangeType, Rating, Reference, Status
from seawall.vulndb.reader import SourceReader
from seawall.vulndb.store import VulnStore
from tests.vulndb.data import PYPA, VULNDATA, member, members, subset_archive

RUBYSEC = VULNDATA / "rubysec-ruby-advisory-db.tar.gz"
G = "rubysec-ruby-advisory-db/gems"
R = "rubysec-ruby-advisory-db/rubies"
FILES = [
    f"{G}/rack/CVE-2011-5036.yml",
    f"{G}/actionpack/CVE-2016-0752.yml",
    f"{G}/actionview/CVE-2016-0752.yml",
    f"{G}/kobako/GHSA-7pwq-q9jf-539h.yml",
    f"{G}/activerecord-oracle_enhanced-adapter/OSVDB-95376.yml",
    f"{G}/pagy/CVE-2026-54659.yml",
    f"{G}/jruby-openssl/CVE-2009-4123.yml",
    f"{G}/rwiki/CVE-2006-2581.yml",
    f"{R}/ruby/CVE-2018-8778.yml",
    f"{R}/jruby/CVE-2018-8778.yml",
]


def _import(files: dict[str, bytes]) -> tuple[dict[str, Advisory], ImportReport]:
    importer = RubySecImporter()
    report = ImportReport("rubysec")
    for path, content in files.items():
        assert list(importer.parse(path, content, report)) == []  # advisories come at the end
    advisories = [a for a in importer.finish(report) if isinstance(a, Advisory)]
    return {a.id: a for a in advisories}, report


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, Advisory], ImportReport]:
    return _import(members(RUBYSEC, FILES))


def test_gem_advisory_with_pessimistic_requirements(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    rack = parsed[0]["CVE-2011-5036"]
    assert rack.aliases == ("OSVDB-78121", "GHSA-v6j3-7jrw-hq2p")  # osvdb: 78121, ghsa: v6j3-7jrw-hq2p
    assert rack.summary == "CVE-2011-5036 rubygem-rack: hash table collisions DoS (oCERT-2011-003)"
    assert rack.details.startswith("Rack before 1.1.3, 1.2.x before 1.2.5, and 1.3.x before 1.3.6")
    assert rack.published == "2011-12-28"
    assert rack.references == (Reference("ADVISORY", "https://nvd.nist.gov/vuln/detail/CVE-2011-5036"),)
    assert rack.ratings == (Rating("rubysec", "CVSS_V2", Severity.MEDIUM, "", 5.0),)  # cvss_v2: 5.0
    (package,) = rack.affected
    assert (package.namespace, package.name, package.purl) == ("rubygems", "rack", "pkg:gem/rack")
    assert package.ranges == (
        Range(RangeType.REQUIREMENTS, "rubygems", (), (), ("~> 1.1.3", "~> 1.2.5", "~> 1.3.6", ">= 1.4.0")),
    )
    assert (package.status, package.fixed) == (Status.FIXED, ("1.1.3", "1.2.5", "1.3.6", "1.4.0"))
    gems = scheme("rubygems")
    range_ = package.ranges[0]
    # "Rack before 1.1.3, 1.2.x before 1.2.5, and 1.3.x before 1.3.6"
    for version, affected in [
        ("1.0.1", True),
        ("1.1.2", True),
        ("1.1.3", False),
        ("1.2.4", True),
        ("1.2.5", False),
        ("1.3.5", True),
        ("1.3.6", False),
        ("1.4.0", False),
        ("2.2.3", False),
    ]:
        assert range_.contains(version, gems) is affected, version


def test_files_sharing_an_id_become_one_advisory(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    advisory = parsed[0]["CVE-2016-0752"]  # filed for actionpack and for actionview
    assert [(p.namespace, p.name) for p in advisory.affected] == [
        ("rubygems", "actionpack"),
        ("rubygems", "actionview"),
    ]
    actionpack = advisory.affected[0]
    # patched_versions: ">= 5.0.0.beta1.1", "~> 4.2.5, >= 4.2.5.1", "~> 4.1.14, >= 4.1.14.1", "~> 3.2.22.1"
    assert actionpack.fixed == ("5.0.0.beta1.1", "4.2.5.1", "4.1.14.1", "3.2.22.1")
    assert actionpack.notes == "Newer versions are affected, but tracked in the actionview gem."
    assert actionpack.properties == (("framework", "rails"),)
    gems = scheme("rubygems")
    range_ = actionpack.ranges[0]  # unaffected_versions: ">= 4.1.0" (tracked in actionview from there)
    assert range_.contains("3.2.22", gems) and not range_.contains("3.2.22.1", gems)
    assert not range_.contains("4.2.5", gems)
    actionview = advisory.affected[1].ranges[0]  # the three patched_versions above, no unaffected ones
    assert actionview.contains("4.2.5", gems) and not actionview.contains("4.2.5.1", gems)
    assert actionview.contains("4.1.14", gems) and not actionview.contains("4.1.15", gems)
    assert actionview.contains("5.0.0.beta1", gems) and not actionview.contains("5.0.0", gems)
    assert parsed[1].counts["merged_files"] == 2  # this one and CVE-2018-8778


def test_interpreters_are_their_own_namespace(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    advisory = parsed[0]["CVE-2018-8778"]  # rubies/ruby and rubies/jruby
    assert [(p.namespace, p.name) for p in advisory.affected] == [("ruby", "jruby"), ("ruby", "ruby")]
    jruby, ruby = advisory.affected
    assert jruby.fixed == ("9.2.12.0",)  # patched_versions: ">= 9.2.12.0"
    assert ruby.purl == ""
    assert advisory.aliases == ("GHSA-wvhq-ch4h-8pwr",)
    assert {r.method for r in advisory.ratings} == {"CVSS_V2", "CVSS_V3"}  # cvss_v2: 5.0, cvss_v3: 7.5
    gems = scheme("rubygems")
    range_ = ruby.ranges[0]  # "~> 2.2.10" ... "~> 2.5.1", "> 2.6.0-preview1"
    assert range_.contains("2.5.0", gems) and not range_.contains("2.5.1", gems)
    assert range_.contains("2.4.3", gems) and not range_.contains("2.4.4", gems)
    assert not range_.contains("2.6.0", gems)


def test_ids_as_rubysec_names_them(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    kobako = parsed[0]["GHSA-7pwq-q9jf-539h"]  # filed under its GHSA; cve: 2026-55107
    assert kobako.aliases == ("CVE-2026-55107",)
    assert kobako.ratings[0].score == 10.0 and kobako.ratings[0].severity is Severity.CRITICAL
    oracle = parsed[0]["OSVDB-95376"]  # no cve, no ghsa
    assert oracle.aliases == ()
    assert oracle.affected[0].fixed == ("1.1.8",)


def test_v4_score_platform_related_and_unaffected(parsed: tuple[dict[str, Advisory], ImportReport]) -> None:
    pagy = parsed[0]["CVE-2026-54659"]
    assert pagy.ratings == (Rating("rubysec", "CVSS_V4", Severity.MEDIUM, "", 6.9),)  # cvss_v4: 6.9
    assert pagy.affected[0].ranges[0].unaffected == (">= 43.5.6", "< 43.0.0")
    gems = scheme("rubygems")
    assert not pagy.affected[0].ranges[0].contains("42.9.0", gems)
    assert pagy.affected[0].ranges[0].contains("43.5.5", gems)
    jruby_openssl = parsed[0]["CVE-2009-4123"]
    assert jruby_openssl.affected[0].properties == (("platform", "jruby"),)
    rwiki = parsed[0]["CVE-2006-2581"]  # related: cve: [2006-2582], ghsa: [wwmf-6p58-6vj2]
    assert rwiki.related == ("CVE-2006-2582", "GHSA-wwmf-6p58-6vj2")
    assert rwiki.aliases == ("GHSA-gvhx-gj42-m28v",)
    assert rwiki.affected[0].ranges[0].contains("2.1.0", gems)
    assert not rwiki.affected[0].ranges[0].contains("2.0.9", gems)  # unaffected: "< 2.1.0pre1"


def test_whole_archive_is_detected_and_read() -> None:
    reader = SourceReader(RUBYSEC)
    importer = detect_importer(reader)
    assert importer.name == "rubysec"
    report = ImportReport("rubysec")
    files = 0
    for feed_file in reader.files(importer.wants, importer.max_size):
        files += 1
        assert list(importer.parse(feed_file.path, feed_file.content, report)) == []
    advisories = list(importer.finish(report))
    assert files == 1381  # MANIFEST.md: 1,381 records
    assert len(advisories) + report.counts["merged_files"] == files
    assert report.counts["warnings"] == 0
    assert detect_importer(SourceReader(PYPA)).name == "osv"  # OSV YAML is not taken for RubySec YAML


GOOD = member(RUBYSEC, FILES[0])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"- a list\n", "expected a mapping"),
        (b"gem: [unclosed", "invalid YAML"),
        (GOOD.replace(b"gem: rack", b"engine: ruby\ngem: rack"), "exactly one of gem and engine"),
        (GOOD.replace(b"gem: rack", b"gem: ../rack"), "invalid gem name"),
        (GOOD.replace(b'  - ">= 1.4.0"', b'  - ">= one"'), "patched_versions: invalid rubygems"),
        (GOOD.replace(b"patched_versions:\n", b"patched_versions: 1.4.0\nx:\n"), "not a list"),
    ],
)
def test_malformed_files(content: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        RubySecImporter().parse(f"{G}/rack/CVE-2011-5036.yml", content, ImportReport("t"))


def test_file_without_any_id() -> None:
    content = GOOD.replace(b"cve: 2011-5036\n", b"").replace(b"osvdb: 78121\n", b"").replace(b"ghsa:", b"x:")
    with pytest.raises(FeedError, match="no advisory id"):
        RubySecImporter().parse(f"{G}/rack/notes.yml", content, ImportReport("t"))


def test_a_bad_file_is_a_counted_warning_in_a_build(tmp_path: Path) -> None:
    hostile = b"a: &a ['x', 'x']\nb: &b [*a, *a]\ngem: *b\n"
    archive = subset_archive(
        tmp_path / "rubysec-ruby-advisory-db.tar.gz",
        RUBYSEC,
        FILES[:3],
        {f"{G}/evil/CVE-2099-0001.yml": hostile},
    )
    db = tmp_path / "vuln.db"
    (outcome,) = build_database(db, [parse_source(str(archive))]).outcomes
    assert outcome.importer == "rubysec" and outcome.report is not None
    assert outcome.report.counts["advisories"] == 2  # CVE-2011-5036, CVE-2016-0752 (two gems)
    assert outcome.report.counts["warnings"] == 1
    assert outcome.report.warnings[0].startswith(f"{G}/evil/CVE-2099-0001.yml: ")
    with VulnStore.open(db) as store:
        assert [m.advisory_id for m in store.lookup("rubygems", "actionview")] == ["CVE-2016-0752"]
        assert [a.id for a in store.advisories("GHSA-v6j3-7jrw-hq2p")] == ["CVE-2011-5036"]
