"""The distribution client against a real registry (CNCF distribution 2.8, Debian's docker-registry).

Expected digests, sizes and media types come from the OCI layouts skopeo pushed (``index.json`` and
the blobs there), never from the client under test.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from seawall.errors import DigestMismatch
from seawall.image.manifest import OCI_INDEX, OCI_MANIFEST
from seawall.registry.client import RegistryClient, referrers_tag
from seawall.registry.errors import NotFound, RegistryUnavailable
from tests.registry.conftest import OCI, options_for
from tests.registry.images import blob_of, layout, push_multi_arch
from tests.registry.servers import RegistryProcess


@pytest.fixture
def client(noauth: RegistryProcess) -> RegistryClient:
    return RegistryClient(noauth.host, options_for(noauth.host))


def test_manifest_by_tag_and_by_digest(client: RegistryClient) -> None:
    data, digest, _ = layout("alpine-synth")
    size = json.loads((OCI / "alpine-synth" / "index.json").read_text())["manifests"][0]["size"]
    by_tag = client.get_manifest("seawall/alpine-synth", "latest")
    assert (by_tag.digest, by_tag.media_type, by_tag.data) == (digest, OCI_MANIFEST, data)
    by_digest = client.get_manifest("seawall/alpine-synth", digest)
    assert by_digest.data == data
    head = client.head_manifest("seawall/alpine-synth", "latest")
    assert (head.digest, head.size) == (digest, size)


def test_blob_streamed_and_verified(client: RegistryClient) -> None:
    _, _, document = layout("rocky-synth")
    layer = document["layers"][0]
    with client.open_blob("seawall/rocky-synth", layer["digest"], layer["size"]) as reader:
        chunks = iter(lambda: reader.read(65536), b"")
        content = b"".join(chunks)
    assert content == blob_of("rocky-synth", layer["digest"])
    assert client.blob_exists("seawall/rocky-synth", layer["digest"])
    assert not client.blob_exists("seawall/rocky-synth", "sha256:" + "0" * 64)


def test_unknown_tag_and_repository_are_404(client: RegistryClient) -> None:
    with pytest.raises(NotFound, match="MANIFEST_UNKNOWN"):
        client.get_manifest("seawall/alpine-synth", "no-such-tag")
    with pytest.raises(NotFound, match="seawall/nothing-here:latest"):
        client.get_manifest("seawall/nothing-here", "latest")


def test_catalog_pagination(noauth: RegistryProcess, client: RegistryClient) -> None:
    for name in ("p1", "p2", "p3"):
        noauth.push(OCI / "hardened-min", f"pages/{name}:latest")
    everything = list(client.catalog())
    assert {"pages/p1", "pages/p2", "pages/p3", "seawall/alpine-synth"} <= set(everything)
    assert list(client.catalog(page_size=2)) == everything
    catalog_gets = [p for m, p, _ in noauth.access_log() if m == "GET" and p.startswith("/v2/_catalog?")]
    assert any("last=" in p for p in catalog_gets), "the second page was asked with the Link header's URL"


def test_tags(noauth: RegistryProcess, client: RegistryClient) -> None:
    for tag in ("1.0", "1.1", "2.0"):
        noauth.push(OCI / "hardened-min", f"tagged/app:{tag}")
    assert sorted(client.tags("tagged/app", page_size=2)) == ["1.0", "1.1", "2.0"]


def test_push_blob_monolithic_chunked_mounted_and_manifest(client: RegistryClient) -> None:
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}
    )
    config_bytes = config.encode()
    payload = bytes(range(256)) * 1000
    digest = "sha256:" + hashlib.sha256(payload).hexdigest()
    assert client.push_blob("pushed/one", payload) == digest
    assert (
        client.push_blob("pushed/two", io.BytesIO(payload), digest, len(payload), chunk_size=100_000)
        == digest
    )
    assert client.push_blob("pushed/three", payload, mount_from="pushed/one") == digest
    with client.open_blob("pushed/two", digest) as reader:
        assert reader.read() == payload
    config_digest = client.push_blob("pushed/one", config_bytes)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": len(config_bytes),
        },
        "layers": [],
    }
    data = json.dumps(manifest).encode()
    pushed = client.push_manifest("pushed/one", "v1", data, OCI_MANIFEST)
    assert pushed == "sha256:" + hashlib.sha256(data).hexdigest()
    assert client.get_manifest("pushed/one", "v1").data == data


def test_mount_and_chunks_reach_the_registry(noauth: RegistryProcess, client: RegistryClient) -> None:
    payload = b"mount me" * 5000
    client.push_blob("mount/src", payload)
    client.push_blob("mount/dst", payload, mount_from="mount/src")
    log = noauth.access_log()
    assert any(m == "POST" and "mount=" in p and "from=mount%2Fsrc" in p and s == 201 for m, p, s in log)
    content = b"x" * 2500
    client.push_blob("mount/chunks", io.BytesIO(content), _sha(content), len(content), chunk_size=1000)
    patches = [p for m, p, s in log + noauth.access_log() if m == "PATCH" and "/v2/mount/chunks/" in p]
    assert len(set(patches)) == 3


def test_push_refuses_content_that_does_not_match_its_digest(client: RegistryClient) -> None:
    with pytest.raises(DigestMismatch):
        client.push_blob("pushed/bad", b"content", digest="sha256:" + "1" * 64)


def test_multi_arch_index_pushed_by_hand(client: RegistryClient) -> None:
    """An OCI index of two images (alpine-synth as linux/amd64, rocky-synth as linux/arm64/v8)."""
    digest = push_multi_arch(client, "multi/app", {"alpine-synth": "seawall/alpine-synth"})
    fetched = client.get_manifest("multi/app", "latest")
    assert (fetched.media_type, fetched.digest) == (OCI_INDEX, digest)
    listed = [(m["digest"], m["platform"]["architecture"]) for m in fetched.document()["manifests"]]
    assert listed == [(layout("alpine-synth")[1], "amd64"), (layout("rocky-synth")[1], "arm64")]
    assert client.get_manifest("multi/app", layout("rocky-synth")[1]).data == layout("rocky-synth")[0]


def test_referrers_fall_back_to_the_tag_schema(noauth: RegistryProcess, client: RegistryClient) -> None:
    """distribution 2.8 has no referrers API (404): the client reads and writes the sha256-<hex> tag."""
    subject_data, subject, document = layout("hardened-min")
    for item in [document["config"], *document["layers"]]:
        client.push_blob(
            "refs/app", blob_of("hardened-min", item["digest"]), mount_from="seawall/hardened-min"
        )
    client.push_manifest("refs/app", "latest", subject_data, OCI_MANIFEST)
    assert client.referrers("refs/app", subject) == []
    empty = b"{}"
    client.push_blob("refs/app", empty)
    pushed = []
    for artifact in ("application/vnd.example.sbom", "application/vnd.example.signature"):
        artifact_manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": _sha(empty), "size": 2},
            "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": _sha(empty), "size": 2}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": len(subject_data)},
        }
        data = json.dumps(artifact_manifest).encode()
        pushed.append(client.push_manifest("refs/app", _sha(data), data, OCI_MANIFEST))
    assert referrers_tag(subject) == "sha256-" + subject.split(":")[1]
    assert referrers_tag(subject) in list(client.tags("refs/app"))
    found = client.referrers("refs/app", subject)
    assert [d["digest"] for d in found] == pushed
    only = client.referrers("refs/app", subject, artifact_type="application/vnd.example.signature")
    assert [d["digest"] for d in only] == pushed[1:]
    assert any(p == f"/v2/refs/app/referrers/{subject}" and s == 404 for _, p, s in noauth.access_log())


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_plain_http_only_for_named_hosts(noauth: RegistryProcess) -> None:
    """Without --insecure-registry even a loopback registry is spoken to in HTTPS (and fails)."""
    client = RegistryClient(noauth.host, options_for())
    with pytest.raises(RegistryUnavailable, match="--insecure-registry"):
        client.get_manifest("seawall/alpine-synth", "latest")


def test_tls_with_custom_ca(tls: RegistryProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert tls.ca_file is not None
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(RegistryUnavailable, match="certificate verification failed"):
        RegistryClient(tls.host, options_for()).get_manifest("seawall/alpine", "latest")
    data = layout("alpine-synth")[0]
    assert (
        RegistryClient(tls.host, options_for(ca_file=tls.ca_file))
        .get_manifest("seawall/alpine", "latest")
        .data
        == data
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_file))
    assert RegistryClient(tls.host, options_for()).get_manifest("seawall/alpine", "latest").data == data
