"""``db push`` / ``db pull``: the database as an OCI artifact in a real ``docker-registry`` on loopback,
mirrors with fallback (a fault-injecting registry answers 503), an unchanged pull that transfers nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from seawall.errors import DigestMismatch
from seawall.image.manifest import OCI_MANIFEST
from seawall.registry.client import RegistryClient
from seawall.registry.errors import RegistryError
from seawall.registry.options import RegistryOptions
from seawall.vulndb import oci
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.bundle import BundleError
from seawall.vulndb.oci import mirror_location, parse_location, pull_database, push_database
from seawall.vulndb.store import VulnStore
from tests.registry.servers import FaultRegistry, RegistryProcess
from tests.vulndb.data import GO, KEV, subset_archive
from tests.vulndb.test_db_cli import run

REPO = "security/seawall-db"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    if shutil.which("docker-registry") is None:
        pytest.skip("missing docker-registry (a Debian package installed by `make test`)")
    process = RegistryProcess("noauth", tmp_path_factory.mktemp("oci-registry"))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("oci-db")
    go = subset_archive(root / "golang-vulndb.tar.gz", GO, ["golang-vulndb/data/osv/GO-2025-3459.json"])
    path = root / "vuln.db"
    build_database(path, [parse_source(str(go)), parse_source(str(KEV))])
    return path


@pytest.fixture
def faults() -> Iterator[FaultRegistry]:
    server = FaultRegistry()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def options(*hosts: str) -> RegistryOptions:
    return RegistryOptions(insecure=hosts, retries=2, backoff=0.01, max_wait=0.2, read_timeout=5.0)


def content_digest(path: Path) -> str:
    with VulnStore.open(path) as store:
        assert store.verify() == []
        return store.metadata()["content_digest"]


def settled_log(registry: RegistryProcess) -> list[tuple[str, str, int]]:
    """The access log once every request made so far is in it (a marker request is waited for)."""
    marker = f"/v2/marker-{time.monotonic_ns()}/tags/list"
    client = RegistryClient(registry.host, options(registry.host))
    try:
        client.session.request("GET", marker)
    finally:
        client.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        log = registry.access_log()
        if any(path == marker for _, path, _ in log):
            return log
        time.sleep(0.02)
    raise AssertionError("the registry never logged the marker request")


def blob_gets(registry: RegistryProcess, repository: str) -> list[str]:
    prefix = f"/v2/{repository}/blobs/"
    return [p[len(prefix) :] for m, p, _ in settled_log(registry) if m == "GET" and p.startswith(prefix)]


def read_blob(client: RegistryClient, digest: str, size: int) -> bytes:
    with client.open_blob(REPO, digest, size) as reader:
        return reader.read()


@pytest.fixture(scope="module")
def pushed(registry: RegistryProcess, database: Path) -> oci.PushResult:
    return push_database(database, f"oci://{registry.host}/{REPO}:1", options(registry.host))


def test_push_writes_an_oci_artifact(
    registry: RegistryProcess, pushed: oci.PushResult, database: Path
) -> None:
    client = RegistryClient(registry.host, options(registry.host))
    try:
        manifest = client.get_manifest(REPO, "1", accept=OCI_MANIFEST)
        document = manifest.document()
        layer = document["layers"][0]
        blob = read_blob(client, layer["digest"], layer["size"])
    finally:
        client.close()
    assert manifest.digest == pushed.manifest_digest and manifest.media_type == OCI_MANIFEST
    assert document["artifactType"] == "application/vnd.seawall.vulndb.v1"
    # the OCI image spec's empty descriptor: "{}" with its SHA-256, size 2, data "e30="
    assert document["config"] == {
        "mediaType": "application/vnd.oci.empty.v1+json",
        "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(),
        "size": 2,
        "data": base64.b64encode(b"{}").decode(),
    }
    assert [entry["mediaType"] for entry in document["layers"]] == [
        "application/vnd.seawall.vulndb.layer.v1.sqlite+zstd"
    ]
    assert layer["digest"] == "sha256:" + hashlib.sha256(blob).hexdigest() == pushed.layer_digest
    annotations = layer["annotations"]
    assert annotations["dev.seawall.vulndb.content-digest"] == content_digest(database)
    assert annotations["dev.seawall.vulndb.schema-version"] == "1"
    assert annotations["dev.seawall.vulndb.database-size"] == str(database.stat().st_size)
    assert document["annotations"]["dev.seawall.vulndb.content-digest"] == content_digest(database)


def test_pull_round_trip_then_unchanged_pull_transfers_nothing(
    registry: RegistryProcess, pushed: oci.PushResult, database: Path, tmp_path: Path
) -> None:
    target = tmp_path / "pulled" / "vuln.db"
    location = [parse_location(f"oci://{registry.host}/{REPO}:1")]
    before = blob_gets(registry, REPO)
    first = pull_database(target, location, options=options(registry.host))
    assert first.changed and content_digest(target) == content_digest(database)
    assert blob_gets(registry, REPO) == [*before, pushed.layer_digest]
    inode = target.stat().st_ino
    second = pull_database(target, location, options=options(registry.host))
    assert not second.changed and second.artifact.content_digest == content_digest(database)
    assert blob_gets(registry, REPO) == [*before, pushed.layer_digest]  # no blob fetched
    assert target.stat().st_ino == inode
    forced = pull_database(target, location, force=True, options=options(registry.host))
    assert forced.changed and blob_gets(registry, REPO) == [*before, *[pushed.layer_digest] * 2]


def test_mirror_fallback_after_503(
    registry: RegistryProcess, pushed: oci.PushResult, faults: FaultRegistry, tmp_path: Path
) -> None:
    faults.faults[f"/v2/{REPO}/manifests/1"] = ["status:503"]
    target = tmp_path / "vuln.db"
    primary = parse_location(f"oci://{faults.host}/{REPO}:1")
    locations = [primary, mirror_location(registry.host, primary)]
    result = pull_database(target, locations, options=options(faults.host, registry.host))
    assert result.location == f"{registry.host}/{REPO}:1" and result.changed
    assert content_digest(target) == pushed.content_digest
    assert faults.count("GET", f"/v2/{REPO}/manifests/1") == 3  # the first try and 2 retries
    (failure,) = result.failures
    assert faults.host in failure and "503" in failure


def test_corrupt_mirror_is_skipped_and_the_database_untouched(
    registry: RegistryProcess, pushed: oci.PushResult, faults: FaultRegistry, tmp_path: Path, database: Path
) -> None:
    client = RegistryClient(registry.host, options(registry.host))
    try:
        manifest = client.get_manifest(REPO, "1", accept=OCI_MANIFEST)
        layer = read_blob(client, pushed.layer_digest, pushed.layer_size)
    finally:
        client.close()
    faults.manifests[(REPO, "1")] = (OCI_MANIFEST, manifest.data)
    faults.add_blob(layer)
    faults.faults[f"/v2/{REPO}/blobs/{pushed.layer_digest}"] = ["wrong-content"]
    target = tmp_path / "vuln.db"
    old = tmp_path / "old.db"
    go = subset_archive(tmp_path / "golang-vulndb.tar.gz", GO, ["golang-vulndb/data/osv/GO-2024-2687.json"])
    build_database(old, [parse_source(str(go))])
    shutil.copy(old, target)
    only_bad = [parse_location(f"oci://{faults.host}/{REPO}:1")]
    with pytest.raises((BundleError, DigestMismatch), match=r"corrupt compressed database|does not match"):
        pull_database(target, only_bad, options=options(faults.host))
    assert target.read_bytes() == old.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    both = [*only_bad, parse_location(f"oci://{registry.host}/{REPO}:1")]
    result = pull_database(target, both, options=options(faults.host, registry.host))
    assert result.changed and content_digest(target) == content_digest(database)


def test_every_location_failing_is_one_error(faults: FaultRegistry, tmp_path: Path) -> None:
    faults.faults[f"/v2/{REPO}/manifests/1"] = ["status:429"]
    closed = FaultRegistry()
    closed.start()
    closed.stop()  # nothing listens there any more: connection refused
    locations = [
        parse_location(f"oci://{faults.host}/{REPO}:1"),
        parse_location(f"oci://{closed.host}/{REPO}:1"),
    ]
    with pytest.raises(RegistryError, match=r"no location could serve the database \(2 tried\)") as caught:
        pull_database(tmp_path / "vuln.db", locations, options=options(faults.host, closed.host))
    assert "429" in str(caught.value) and "cannot connect" in str(caught.value)
    assert not (tmp_path / "vuln.db").exists()


def test_other_artifacts_are_refused(registry: RegistryProcess, tmp_path: Path) -> None:
    client = RegistryClient(registry.host, options(registry.host))
    try:
        client.push_blob("other/thing", b"{}")
        layer = client.push_blob("other/thing", b"not a database")
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": "application/vnd.example.thing.v1",
            "config": {
                "mediaType": "application/vnd.oci.empty.v1+json",
                "digest": client_digest(b"{}"),
                "size": 2,
            },
            "layers": [{"mediaType": "application/octet-stream", "digest": layer, "size": 14}],
        }
        client.push_manifest("other/thing", "1", json.dumps(document).encode(), OCI_MANIFEST)
    finally:
        client.close()
    with pytest.raises(RegistryError, match="not a Seawall vulnerability database"):
        pull_database(
            tmp_path / "v.db",
            [parse_location(f"oci://{registry.host}/other/thing:1")],
            options=options(registry.host),
        )


def client_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_chunked_upload_of_a_large_layer(
    registry: RegistryProcess, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oci, "MONOLITHIC_LIMIT", 1000)
    monkeypatch.setattr(oci, "UPLOAD_CHUNK", 64 * 1024)
    result = push_database(
        database, f"oci://{registry.host}/{REPO}-chunked:1", options(registry.host), level=1
    )
    patches = [p for m, p, _ in settled_log(registry) if m == "PATCH" and f"/{REPO}-chunked/" in p]
    assert len(patches) == -(-result.layer_size // (64 * 1024))
    target = tmp_path / "vuln.db"
    pull_database(
        target, [parse_location(f"oci://{registry.host}/{REPO}-chunked:1")], options=options(registry.host)
    )
    assert content_digest(target) == content_digest(database)


def test_cli_push_and_pull(registry: RegistryProcess, database: Path, tmp_path: Path) -> None:
    insecure = {"SEAWALL_INSECURE_REGISTRY": registry.host}
    where = f"oci://{registry.host}/{REPO}-cli:latest"
    pushed = run("db", "push", where, "--db", str(database), env=insecure)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stderr.startswith(f"{registry.host}/{REPO}-cli:latest@sha256:")
    target = tmp_path / "vuln.db"
    config = tmp_path / "db.yaml"
    config.write_text(f"mirrors:\n  - {where}\n")
    env = {**insecure, "SEAWALL_DB_CONFIG": str(config)}
    pulled = run("db", "pull", "--db", str(target), env=env)  # the location comes from the settings
    assert pulled.returncode == 0, pulled.stderr
    assert content_digest(target) == content_digest(database)
    again = run("db", "pull", "--db", str(target), env=env)
    assert again.returncode == 0 and "up to date" in again.stderr
    offline = run("db", "pull", where, "--db", str(target), "--offline", env=env)
    assert offline.returncode == 2 and "offline" in offline.stderr and offline.stderr.count("\n") == 1
    missing = run("db", "pull", f"oci://{registry.host}/{REPO}-none:1", "--db", str(target), env=insecure)
    assert missing.returncode == 2 and "not found" in missing.stderr
    assert content_digest(target) == content_digest(database)
