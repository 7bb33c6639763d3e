"""``db export`` / ``db import``: the bundle round trip, and bad bundles refused without touching the DB."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest
import zstandard

from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.bundle import BundleError, export_bundle, import_bundle, read_manifest
from seawall.vulndb.errors import DatabaseError
from seawall.vulndb.store import VulnStore
from tests.paths import REPO
from tests.vulndb.data import GO, KEV, subset_archive
from tests.vulndb.test_db_cli import run

SHIPPED = REPO / "seawall" / "data" / "vulndb.bundle"
NOTICE = REPO / "seawall" / "data" / "NOTICE"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GO-2025-3459 (golang vulndb) and the CISA KEV catalogue: 1 advisory, 1,404 KEV entries."""
    root = tmp_path_factory.mktemp("bundle")
    go = subset_archive(root / "golang-vulndb.tar.gz", GO, ["golang-vulndb/data/osv/GO-2025-3459.json"])
    path = root / "source.db"
    build_database(path, [parse_source(str(go)), parse_source(str(KEV))])
    return path


@pytest.fixture(scope="module")
def bundle(database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exported") / "vuln.bundle"
    export_bundle(database, path)
    return path


def digest_of(path: Path) -> str:
    with VulnStore.open(path) as store:
        assert store.verify() == []
        return store.metadata()["content_digest"]


def members(path: Path) -> dict[str, bytes]:
    """The bundle's members as the standard library's tarfile reads them (an independent reader)."""
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def rebundle(path: Path, manifest: dict[str, object], payload: bytes) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), ("vuln.db.zst", payload)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(scope="module")
def other_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("other")
    go = subset_archive(root / "golang-vulndb.tar.gz", GO, ["golang-vulndb/data/osv/GO-2024-2687.json"])
    build_database(root / "vuln.db", [parse_source(str(go))])
    return root / "vuln.db"


@pytest.fixture
def current(other_database: Path, tmp_path: Path) -> Path:
    """A database in use that a refused import must leave exactly as it is."""
    path = tmp_path / "in-use" / "vuln.db"
    path.parent.mkdir()
    shutil.copy(other_database, path)
    return path


def assert_untouched(path: Path, before: tuple[bytes, int]) -> None:
    assert (path.read_bytes(), path.stat().st_ino) == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")) == []


def state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_ino


def test_round_trip_gives_the_same_content_digest(database: Path, bundle: Path, tmp_path: Path) -> None:
    target = tmp_path / "imported" / "vuln.db"
    manifest = import_bundle(bundle, target)
    assert digest_of(target) == digest_of(database) == manifest.content_digest
    assert target.read_bytes() == database.read_bytes()
    with VulnStore.open(target) as store:
        assert [m.advisory_id for m in store.lookup("go", "github.com/wazuh/wazuh")] == ["GO-2025-3459"]
        assert store.enrichment(["CVE-2025-24016"]).kev[0].date_added == "2025-06-10"  # KEV catalogue


def test_bundle_is_a_tar_of_manifest_and_zstd_database(database: Path, bundle: Path) -> None:
    found = members(bundle)
    assert list(found) == ["manifest.json", "vuln.db.zst"]
    manifest = json.loads(found["manifest.json"])
    payload = found["vuln.db.zst"]
    assert manifest["format"] == "seawall-vulndb-bundle" and manifest["schema_version"] == 1
    assert manifest["payload"]["digest"] == "sha256:" + hashlib.sha256(payload).hexdigest()
    assert manifest["payload"]["size"] == len(payload)
    assert manifest["payload"]["database_size"] == database.stat().st_size
    assert zstandard.ZstdDecompressor().decompress(payload) == database.read_bytes()
    assert {s["name"]: s["revision"] for s in manifest["sources"]} == {
        "golang-vulndb": "a752ea54fd1b989d208a270aeef772f55a36b87a",  # their .source_commit files
        "cisa-kev": "eacf03ec6637cc7be6d3d4ed50785493da5126a2",
    }
    assert next(s for s in manifest["sources"] if s["name"] == "cisa-kev")["counts"] == {"kev": 1404}
    if shutil.which("zstd"):  # the reference implementation reads the payload too
        done = subprocess.run(["zstd", "-dc"], input=payload, capture_output=True, check=True)
        assert done.stdout == database.read_bytes()


def payload_end(path: Path) -> int:
    with tarfile.open(path) as tar:
        member = tar.getmember("vuln.db.zst")
        return member.offset_data + member.size


@pytest.mark.parametrize("cut", ["in-manifest", "after-manifest", "mid-payload", "last-payload-byte"])
def test_truncated_bundle_is_refused_and_the_database_untouched(
    bundle: Path, current: Path, tmp_path: Path, cut: str
) -> None:
    end = payload_end(bundle)
    keep = {
        "in-manifest": 700,
        "after-manifest": 1024 + 512,
        "mid-payload": end // 2,
        "last-payload-byte": end - 1,
    }
    truncated = tmp_path / "cut.bundle"
    truncated.write_bytes(bundle.read_bytes()[: keep[cut]])
    before = state(current)
    with pytest.raises(BundleError, match=r"truncated"):
        import_bundle(truncated, current)
    assert_untouched(current, before)


def test_corrupt_payload_is_refused_by_its_checksum(bundle: Path, current: Path, tmp_path: Path) -> None:
    found = members(bundle)
    payload = bytearray(found["vuln.db.zst"])
    payload[len(payload) // 2] ^= 0x01
    bad = rebundle(tmp_path / "bad.bundle", json.loads(found["manifest.json"]), bytes(payload))
    before = state(current)
    with pytest.raises(BundleError, match=r"checksum|corrupt"):
        import_bundle(bad, current)
    assert_untouched(current, before)


def test_consistent_bundle_of_a_tampered_database_is_refused(
    database: Path, bundle: Path, current: Path, tmp_path: Path
) -> None:
    """The payload checksum matches (recomputed), but a row changed: the content digest catches it."""
    tampered = tmp_path / "tampered.db"
    shutil.copy(database, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute(
            "UPDATE advisories SET data = replace(data, 'wazuh', 'wazuh!') WHERE id = 'GO-2025-3459'"
        )
    payload = zstandard.ZstdCompressor().compress(tampered.read_bytes())
    manifest = json.loads(members(bundle)["manifest.json"])
    manifest["payload"] |= {
        "digest": "sha256:" + hashlib.sha256(payload).hexdigest(),
        "size": len(payload),
        "database_size": tampered.stat().st_size,
    }
    before = state(current)
    with pytest.raises(BundleError, match="digest mismatch"):
        import_bundle(rebundle(tmp_path / "t.bundle", manifest, payload), current)
    assert_untouched(current, before)


def test_manifest_naming_another_database_is_refused(bundle: Path, current: Path, tmp_path: Path) -> None:
    found = members(bundle)
    manifest = json.loads(found["manifest.json"])
    manifest["content_digest"] = "sha256:" + "0" * 64
    before = state(current)
    with pytest.raises(BundleError, match="content digest"):
        import_bundle(rebundle(tmp_path / "other.bundle", manifest, found["vuln.db.zst"]), current)
    assert_untouched(current, before)


def test_other_schema_version_is_refused_before_reading_the_payload(bundle: Path, tmp_path: Path) -> None:
    found = members(bundle)
    manifest = json.loads(found["manifest.json"]) | {"schema_version": 2}
    with pytest.raises(BundleError, match="schema version 2; this Seawall reads version 1"):
        read_manifest(rebundle(tmp_path / "v2.bundle", manifest, found["vuln.db.zst"]))


def test_not_a_bundle(tmp_path: Path, database: Path) -> None:
    with pytest.raises(BundleError, match="not a Seawall database bundle"):
        read_manifest(database)  # an SQLite file is not a bundle
    with pytest.raises(BundleError, match="cannot read"):
        read_manifest(tmp_path / "missing.bundle")


def test_corrupt_database_is_not_exported(database: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    shutil.copy(database, broken)
    with sqlite3.connect(broken) as conn:
        conn.execute("UPDATE enrichment SET data = '{}' WHERE key = 'CVE-2025-24016'")
    with pytest.raises(DatabaseError, match="digest mismatch"):
        export_bundle(broken, tmp_path / "out.bundle")
    assert not (tmp_path / "out.bundle").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_export_and_import(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.bundle"
    exported = run("db", "export", str(out), "--db", str(database))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == "" and f"{out}: " in exported.stderr
    target = tmp_path / "cli.db"
    imported = run("db", "import", str(out), "--db", str(target))
    assert imported.returncode == 0, imported.stderr
    assert digest_of(target) == digest_of(database)
    out.write_bytes(out.read_bytes()[: payload_end(out) - 3000])
    before = state(target)
    refused = run("db", "import", str(out), "--db", str(target))
    assert refused.returncode == 2
    assert refused.stderr.startswith("seawall: error: ") and refused.stderr.count("\n") == 1
    assert "Traceback" not in refused.stderr
    assert_untouched(target, before)


def test_first_use_installs_the_default_bundle_once(bundle: Path, database: Path, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path), "SEAWALL_DEFAULT_BUNDLE": str(bundle)}
    first = run("db", "search", "CVE-2025-24016", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("GO-2025-3459  [golang-vulndb]")
    assert first.stderr.count("installed the offline database shipped with Seawall") == 1
    installed = tmp_path / "seawall" / "vuln.db"
    assert digest_of(installed) == digest_of(database)
    second = run("db", "status", env=env)
    assert second.returncode == 0 and "installed" not in second.stderr
    off = run("db", "status", env={"XDG_DATA_HOME": str(tmp_path / "none"), "SEAWALL_DEFAULT_BUNDLE": "off"})
    assert off.returncode == 2 and "no vulnerability database at" in off.stderr


def test_build_does_not_install_the_default_bundle(bundle: Path, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path), "SEAWALL_DEFAULT_BUNDLE": str(bundle)}
    result = run("db", "build", "--from", str(KEV), env=env)
    assert result.returncode == 0, result.stderr
    assert "installed" not in result.stderr
    with VulnStore.open(tmp_path / "seawall" / "vuln.db") as store:
        assert [s.name for s in store.sources()] == ["cisa-kev"]


@pytest.mark.skipif(not SHIPPED.exists(), reason="no shipped bundle (tools/build_bundle.py makes it)")
def test_shipped_bundle_and_its_notice() -> None:
    manifest = read_manifest(SHIPPED)
    assert SHIPPED.stat().st_size < 40 * 1024 * 1024
    notice = NOTICE.read_text()
    for source in manifest.sources:
        assert f"{source['name']}\n" in notice
        assert str(source["revision"]) in notice
    names = {s["name"] for s in manifest.sources}
    assert {"pypa-advisory-database", "golang-vulndb", "almalinux-osv", "cisa-kev"} <= names
    payload = members(SHIPPED)["vuln.db.zst"]
    assert "sha256:" + hashlib.sha256(payload).hexdigest() == manifest.payload.digest
