"""Building the database: real records end to end, alias merging, digests, incremental and atomic builds,
bad input and corrupt files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from seawall.vulndb.build import BuildResult, SourceSpec, build_database, parse_source, source_name
from seawall.vulndb.errors import DatabaseError, SourceError
from seawall.vulndb.model import Status
from seawall.vulndb.store import VulnStore
from tests.paths import REPO
from tests.vulndb.data import ALMA, GO, KEV, PYPA, members, subset_archive, write_tree

P = "pypa-advisory-database/vulns"
PYPA_RECORDS = [
    f"{P}/salt/PYSEC-2020-102.yaml",
    f"{P}/invenio-previewer/PYSEC-2019-26.yaml",
    f"{P}/zstd/PYSEC-2023-121.yaml",
    f"{P}/scrapy-splash/PYSEC-2021-364.yaml",
]
GO_RECORDS = ["golang-vulndb/data/osv/GO-2025-3459.json", "golang-vulndb/data/osv/GO-2024-3228.json"]
ALMA_RECORDS = [
    "almalinux-osv/advisories/almalinux9/ALSA-2022:5099.json",
    "almalinux-osv/advisories/almalinux8/ALSA-2026:9689.json",
    "almalinux-osv/advisories/almalinux9/ALSA-2026:9689.json",  # the same errata filed per release
]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("feeds")
    return {
        "pypa": subset_archive(root / "pypa-advisory-database.tar.gz", PYPA, PYPA_RECORDS),
        "go": subset_archive(root / "golang-vulndb.tar.gz", GO, GO_RECORDS),
        "alma": subset_archive(root / "almalinux-osv.tar.gz", ALMA, ALMA_RECORDS),
        "kev": KEV,
    }


def build(db: Path, *paths: Path | str) -> BuildResult:
    return build_database(db, [parse_source(str(p)) for p in paths])


@pytest.fixture(scope="module")
def built(feeds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    db = tmp_path_factory.mktemp("db") / "vuln.db"
    return db, build(db, feeds["pypa"], feeds["go"], feeds["alma"], feeds["kev"])


def test_lookup_by_namespace_and_name(built: tuple[Path, BuildResult]) -> None:
    with VulnStore.open(built[0]) as store:
        (salt,) = store.lookup("pypi", "salt")
        assert (salt.advisory_id, salt.source, salt.status) == (
            "PYSEC-2020-102",
            "pypa-advisory-database",
            Status.FIXED,
        )
        assert salt.package.fixed == ("2019.2.4", "3000.2")
        (grub,) = store.lookup("almalinux:9", "grub2-common")
        assert grub.advisory_id == "ALSA-2022:5099"
        assert grub.package.fixed == ("1:2.06-27.el9_0.7.alma",)
        assert store.lookup("pypi", "no-such-package") == []
        assert store.lookup("npm", "salt") == []  # a name is never matched across namespaces
        many = store.lookup_many([("pypi", "salt"), ("go", "github.com/wazuh/wazuh"), ("pypi", "nothing")])
        assert sorted(many) == [("go", "github.com/wazuh/wazuh"), ("pypi", "salt")]


def test_advisories_by_id_and_alias(built: tuple[Path, BuildResult]) -> None:
    with VulnStore.open(built[0]) as store:
        by_alias = store.advisories("GHSA-pjhf-vpx3-33r3")
        assert [a.id for a in by_alias] == ["PYSEC-2020-102"]
        assert by_alias[0].affected[0].name == "salt"
        assert [a.id for a in store.advisories("PYSEC-2019-26")] == ["PYSEC-2019-26"]
        assert store.advisories("PYSEC-2023-121") == []  # withdrawn: not imported


def test_kev_reaches_pysec_and_go_records_through_aliases(built: tuple[Path, BuildResult]) -> None:
    with VulnStore.open(built[0]) as store:
        (salt,) = store.lookup("pypi", "salt")
        enrichment = store.enrichment_for(salt.row)
        assert enrichment.cves == ("CVE-2020-11651",)
        assert [(k.cve, k.date_added) for k in enrichment.kev] == [("CVE-2020-11651", "2021-11-03")]
        (wazuh,) = store.lookup("go", "github.com/wazuh/wazuh")
        assert [k.date_added for k in store.enrichment_for(wazuh.row).kev] == ["2025-06-10"]  # CVE-2025-24016
        coder = store.lookup("go", "github.com/coder/coder/v2")[0]  # GO-2024-3228 has no CVE alias
        assert not store.enrichment_for(coder.row).known_exploited


def test_related_cves_are_linked_separately(built: tuple[Path, BuildResult]) -> None:
    with VulnStore.open(built[0]) as store:
        (grub,) = store.lookup("almalinux:9", "grub2-common")
        assert store.cves(grub.row) == []  # an errata is not its CVEs
        assert "CVE-2022-28733" in store.cves(grub.row, related=True)


def test_metadata_and_counts(built: tuple[Path, BuildResult]) -> None:
    db, result = built
    with VulnStore.open(db) as store:
        meta = store.metadata()
        assert meta["schema_version"] == "1"
        assert meta["content_digest"] == result.content_digest
        assert meta["built_at"].endswith("Z")
        sources = {s.name: s for s in store.sources()}
        assert set(sources) == {"pypa-advisory-database", "golang-vulndb", "almalinux-osv", "cisa-kev"}
        pypa = sources["pypa-advisory-database"]
        assert (pypa.importer, pypa.repository) == ("osv", "westonsteimel/advisory-database-pypa")
        assert pypa.revision == "57da901aadaf5862a588727ec949df1e56908f4f"
        assert pypa.date == "2026-07-23T14:42:31+00:00"
        assert pypa.counts["advisories"] == 3 and pypa.counts["withdrawn"] == 1
        alma = sources["almalinux-osv"]
        assert alma.counts["advisories"] == 2 and alma.counts["duplicates"] == 1
        assert alma.counts.get("warnings", 0) == 0
        assert sources["cisa-kev"].counts["kev"] == 1404
        counts = store.counts()
        assert counts["kev"] == 1404 and counts["advisories"] == 7
        assert store.verify() == []


def test_same_input_same_digest_whatever_the_packaging(feeds: dict[str, Path], tmp_path: Path) -> None:
    first = build(tmp_path / "one.db", feeds["pypa"], feeds["kev"])
    second = build(tmp_path / "two.db", feeds["pypa"], feeds["kev"])
    assert first.content_digest == second.content_digest
    tree = write_tree(tmp_path / "tree" / "pypa-advisory-database", members(PYPA, PYPA_RECORDS))
    third = build(tmp_path / "three.db", tree, feeds["kev"])
    assert third.content_digest == first.content_digest


def test_build_from_a_zip_laid_out_like_osv_all_zip(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, content in members(GO, GO_RECORDS).items():
            handle.writestr(name.rsplit("/", 1)[-1], content)  # all.zip holds ID.json files at its root
    db = tmp_path / "vuln.db"
    result = build(db, archive)
    assert [(o.name, o.importer) for o in result.outcomes] == [("all", "osv")]
    with VulnStore.open(db) as store:
        assert [m.advisory_id for m in store.lookup("go", "github.com/wazuh/wazuh")] == ["GO-2025-3459"]


def test_rebuild_imports_only_changed_sources(
    feeds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "vuln.db"
    monkeypatch.setattr("seawall.vulndb.build._now", lambda: "2026-01-01T00:00:00Z")
    build(db, feeds["pypa"], feeds["go"])
    unchanged = build(db, feeds["pypa"], feeds["go"])
    assert not unchanged.changed
    assert all(o.reused for o in unchanged.outcomes)
    with VulnStore.open(db) as store:
        imported_at = {s.name: s.imported_at for s in store.sources()}
    monkeypatch.setattr("seawall.vulndb.build._now", lambda: "2026-01-02T00:00:00Z")
    smaller = subset_archive(tmp_path / "golang-vulndb.tar.gz", GO, GO_RECORDS[:1])
    result = build(db, feeds["pypa"], smaller)
    assert result.changed
    assert {o.name: o.reused for o in result.outcomes} == {
        "pypa-advisory-database": True,
        "golang-vulndb": False,
    }
    with VulnStore.open(db) as store:
        sources = {s.name: s for s in store.sources()}
        assert sources["pypa-advisory-database"].imported_at == imported_at["pypa-advisory-database"]
        assert sources["golang-vulndb"].imported_at != imported_at["golang-vulndb"]
        assert store.lookup("go", "github.com/coder/coder/v2") == []
        assert store.verify() == []
    fresh = build(tmp_path / "fresh.db", feeds["pypa"], smaller)
    assert fresh.content_digest == result.content_digest


def test_a_source_left_out_is_removed(feeds: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "vuln.db"
    build(db, feeds["pypa"], feeds["kev"])
    result = build(db, feeds["pypa"])
    with VulnStore.open(db) as store:
        assert [s.name for s in store.sources()] == ["pypa-advisory-database"]
        assert store.counts().get("kev", 0) == 0
        assert store.enrichment_for(store.lookup("pypi", "salt")[0].row).kev == ()
    assert result.content_digest == build(tmp_path / "fresh.db", feeds["pypa"]).content_digest


def test_malformed_records_are_skipped_with_counted_warnings(tmp_path: Path) -> None:
    good = members(GO, GO_RECORDS[:1])[GO_RECORDS[0]]
    tree = write_tree(
        tmp_path / "osv-feed",
        {
            "GO-2025-3459.json": good,
            "broken.json": good[:100],
            "list.yaml": b"id: [unclosed",
            "no-id.json": b'{"modified": "2024-01-01T00:00:00Z", "affected": []}',
        },
    )
    result = build(tmp_path / "vuln.db", f"osv:{tree}")
    report = result.outcomes[0].report
    assert report is not None
    assert report.counts["advisories"] == 1
    assert report.counts["skipped_files"] == 3
    assert report.counts["warnings"] == 3
    assert {w.split(":")[0] for w in report.warnings} == {"broken.json", "list.yaml", "no-id.json"}
    assert any("invalid JSON" in w for w in report.warnings)


def test_aliases_merge_transitively(tmp_path: Path) -> None:
    # GO-TEST-1 names only a GHSA; PYSEC-TEST-1 names the same GHSA and a CVE: KEV for the CVE reaches both
    def record(ident: str, aliases: list[str], ecosystem: str, name: str) -> bytes:
        affected = [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}],
            }
        ]
        return json.dumps(
            {"id": ident, "modified": "2024-01-01T00:00:00Z", "aliases": aliases, "affected": affected}
        ).encode()

    tree = write_tree(
        tmp_path / "feed",
        {
            "GO-TEST-1.json": record("GO-TEST-1", ["GHSA-aaaa-bbbb-cccc"], "Go", "example.com/m"),
            "PYSEC-TEST-1.json": record(
                "PYSEC-TEST-1", ["GHSA-aaaa-bbbb-cccc", "CVE-2099-0001"], "PyPI", "m"
            ),
            "PYSEC-TEST-2.json": record("PYSEC-TEST-2", ["CVE-2099-0002"], "PyPI", "n"),
        },
    )
    catalogue = {
        "catalogVersion": "1",
        "dateReleased": "2099-01-01T00:00:00Z",
        "vulnerabilities": [{"cveID": "CVE-2099-0001", "dateAdded": "2099-01-02"}],
    }
    kev = write_tree(
        tmp_path / "kev", {"known_exploited_vulnerabilities.json": json.dumps(catalogue).encode()}
    )
    db = tmp_path / "vuln.db"
    build(db, tree, kev)
    with VulnStore.open(db) as store:
        (go,) = store.lookup("go", "example.com/m")
        assert store.cves(go.row) == ["CVE-2099-0001"]
        assert [k.date_added for k in store.enrichment_for(go.row).kev] == ["2099-01-02"]
        (other,) = store.lookup("pypi", "n")
        assert store.cves(other.row) == ["CVE-2099-0002"] and not store.enrichment_for(other.row).kev
        assert sorted(a.id for a in store.advisories("CVE-2099-0001")) == ["GO-TEST-1", "PYSEC-TEST-1"]


def test_conflicting_duplicates_warn(tmp_path: Path) -> None:
    record = {
        "id": "X-1",
        "modified": "2024",
        "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]}],
    }
    other = {**record, "summary": "changed"}
    tree = write_tree(
        tmp_path / "feed",
        {"a/X-1.json": json.dumps(record).encode(), "b/X-1.json": json.dumps(other).encode()},
    )
    result = build(tmp_path / "vuln.db", tree)
    report = result.outcomes[0].report
    assert report is not None and report.counts["advisories"] == 1
    assert report.warnings == ["b/X-1.json: advisory X-1 given twice with different content; first kept"]


def test_bad_source_arguments(tmp_path: Path, feeds: dict[str, Path]) -> None:
    with pytest.raises(SourceError, match="two sources named"):
        build(tmp_path / "vuln.db", feeds["pypa"], feeds["pypa"])
    with pytest.raises(SourceError, match="cannot read"):
        build(tmp_path / "vuln.db", tmp_path / "missing.tar.gz")
    with pytest.raises(SourceError, match="unknown feed format"):
        build_database(tmp_path / "vuln.db", [SourceSpec(feeds["kev"], "cisa-kev", "nope")])


def test_source_names() -> None:
    assert source_name(Path("/x/pypa-advisory-database.tar.gz")) == "pypa-advisory-database"
    assert source_name(Path("epss_scores-current.csv.gz")) == "epss_scores-current"
    assert source_name(Path("all.zip")) == "all"
    assert parse_source("nvd:/data/nvd").importer == "nvd"
    assert parse_source("/data/ALSA-2021:1099.json").importer == ""


# --- atomicity and corruption -------------------------------------------------------------------------

BUILD_SCRIPT = (
    "import sys\nfrom pathlib import Path\nfrom seawall.vulndb.build import build_database, parse_source\n"
    "build_database(Path(sys.argv[1]), [parse_source(a) for a in sys.argv[2:]])\n"
)


def test_a_build_killed_midway_leaves_the_previous_database_usable(
    feeds: dict[str, Path], tmp_path: Path
) -> None:
    db = tmp_path / "vuln.db"
    before = build(db, feeds["pypa"])
    process = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(db), str(PYPA), str(ALMA)], cwd=REPO)
    started = time.monotonic()
    temporaries: list[Path] = []
    while time.monotonic() - started < 60:
        temporaries = list(tmp_path.glob(".vuln.db.*.tmp"))
        if temporaries and time.monotonic() - started > 1.5:
            break
        assert process.poll() is None, "the build ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert temporaries and all(t.exists() for t in temporaries)  # killed mid-write
    with VulnStore.open(db) as store:
        assert store.metadata()["content_digest"] == before.content_digest
        assert [m.advisory_id for m in store.lookup("pypi", "salt")] == ["PYSEC-2020-102"]
        assert store.verify() == []
    again = build(db, feeds["pypa"])
    assert not again.changed
    assert not list(tmp_path.glob(".vuln.db.*.tmp"))  # the next build removes what the killed one left


def test_a_corrupt_archive_fails_the_build_and_keeps_the_database(
    feeds: dict[str, Path], tmp_path: Path
) -> None:
    db = tmp_path / "vuln.db"
    before = build(db, feeds["pypa"])
    data = GO.read_bytes()
    truncated = tmp_path / "golang-vulndb.tar.gz"
    truncated.write_bytes(data[: len(data) // 4])  # its first records are readable, then it ends
    with pytest.raises(SourceError, match="corrupt archive"):
        build(db, feeds["pypa"], truncated)
    assert not list(tmp_path.glob(".vuln.db.*.tmp"))
    with VulnStore.open(db) as store:
        assert store.metadata()["content_digest"] == before.content_digest


@pytest.fixture
def good_db(feeds: dict[str, Path], tmp_path: Path) -> Path:
    db = tmp_path / "vuln.db"
    build(db, feeds["pypa"], feeds["go"])
    return db


def test_truncated_database_is_refused(good_db: Path) -> None:
    data = good_db.read_bytes()
    good_db.write_bytes(data[: len(data) - 4096])
    with pytest.raises(DatabaseError, match="truncated or corrupt"):
        VulnStore.open(good_db)


def test_other_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "text.db"
    text.write_bytes(b"hello" * 100)
    with pytest.raises(DatabaseError, match="not an SQLite file"):
        VulnStore.open(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(DatabaseError, match="not a Seawall vulnerability database"):
        VulnStore.open(other)
    with pytest.raises(DatabaseError, match="no vulnerability database at"):
        VulnStore.open(tmp_path / "missing.db")


def test_schema_version_is_checked(good_db: Path) -> None:
    conn = sqlite3.connect(good_db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(DatabaseError, match="schema version 99"):
        VulnStore.open(good_db)


def test_altered_content_fails_verification(good_db: Path) -> None:
    conn = sqlite3.connect(good_db)
    conn.execute("UPDATE affected SET data = replace(data, '3000.2', '3000.3')")
    conn.commit()
    conn.close()
    with VulnStore.open(good_db) as store:
        problems = store.verify()
    assert problems == ["source pypa-advisory-database: content digest mismatch", "content digest mismatch"]


def test_damaged_pages_are_detected(good_db: Path) -> None:
    data = bytearray(good_db.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xa5" * 8192
    good_db.write_bytes(bytes(data))

    def check() -> None:
        with VulnStore.open(good_db) as store:
            problems = store.verify()
        if problems:
            raise DatabaseError("; ".join(problems))

    with pytest.raises(DatabaseError):  # SQLite's check raises, or a digest differs
        check()


def test_a_corrupt_database_is_rebuilt_from_scratch(good_db: Path, feeds: dict[str, Path]) -> None:
    data = good_db.read_bytes()
    good_db.write_bytes(data[: len(data) // 2])
    result = build(good_db, feeds["pypa"], feeds["go"])
    assert result.changed and not any(o.reused for o in result.outcomes)
    with VulnStore.open(good_db) as store:
        assert store.verify() == []


def test_stale_temporary_files_are_removed(feeds: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "vuln.db"
    leftover = tmp_path / ".vuln.db.999999.tmp"
    leftover.write_bytes(b"partial")
    build(db, feeds["pypa"])
    assert not leftover.exists()


def test_kev_archive_is_not_unpacked(feeds: dict[str, Path], tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    copy = shutil.copy(feeds["kev"], work / "cisa-kev.tar.gz")
    build(tmp_path / "vuln.db", copy)
    assert sorted(p.name for p in work.iterdir()) == ["cisa-kev.tar.gz"]
