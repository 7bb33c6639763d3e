"""Registries that misbehave: every fault ends in a clean one-line error or is recovered from, and
nothing half-made reaches the layer cache. The faults come from a hand-written registry on loopback."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from seawall.errors import DigestMismatch, ImageError
from seawall.image.manifest import OCI_MANIFEST
from seawall.image.remote import open_registry_image
from seawall.image.source import Target
from seawall.inventory.build import InventoryBuilder
from seawall.registry.client import RegistryClient
from seawall.registry.errors import AuthError, NotFound, RegistryError, RegistryUnavailable
from tests.registry.conftest import options_for
from tests.registry.images import blob_of, layout, serve
from tests.registry.servers import FaultRegistry, free_port


def client_for(server: FaultRegistry, **extra: object) -> RegistryClient:
    return RegistryClient(server.host, options_for(server.host, **extra))


def layer_path(
    server: FaultRegistry, document: dict[str, object], repository: str = "app"
) -> tuple[str, str]:
    layer = document["layers"][0]  # type: ignore[index]
    return layer["digest"], f"/v2/{repository}/blobs/{layer['digest']}"


def test_malformed_manifest_is_a_clean_error(faults: FaultRegistry) -> None:
    faults.manifests[("app", "latest")] = (OCI_MANIFEST, b'{"schemaVersion": 2, "layers": [')
    with pytest.raises(ImageError, match="is not valid JSON"):
        open_registry_image(f"{faults.host}/app:latest", None, options_for(faults.host))
    faults.manifests[("app", "v2")] = (OCI_MANIFEST, json.dumps({"schemaVersion": 2, "layers": "x"}).encode())
    with pytest.raises(ImageError, match="config: a descriptor is not an object"):
        open_registry_image(f"{faults.host}/app:v2", None, options_for(faults.host))
    schema1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    faults.manifests[("app", "v1")] = (schema1, json.dumps({"schemaVersion": 1, "fsLayers": []}).encode())
    with pytest.raises(ImageError, match="unsupported manifest media type"):
        open_registry_image(f"{faults.host}/app:v1", None, options_for(faults.host))


def test_manifest_with_a_wrong_digest_is_refused(faults: FaultRegistry) -> None:
    data, digest, _ = layout("alpine-synth")
    serve(faults, "alpine-synth", "app")
    faults.faults["/v2/app/manifests/latest"] = ["wrong-digest"]
    with pytest.raises(DigestMismatch, match="refused"):
        client_for(faults).get_manifest("app", "latest")
    other = "sha256:" + hashlib.sha256(b"another manifest").hexdigest()
    faults.manifests[("app", other)] = (OCI_MANIFEST, data)  # served under a digest it does not have
    with pytest.raises(DigestMismatch, match=f"hashes to {digest}, not {other}"):
        client_for(faults).get_manifest("app", other)


def test_blob_with_wrong_content_is_refused(faults: FaultRegistry) -> None:
    document = serve(faults, "alpine-synth", "app")
    digest, path = layer_path(faults, document)
    faults.faults[path] = ["wrong-content"]
    with (
        pytest.raises(DigestMismatch, match=r"does not match \(refused\)"),
        client_for(faults).open_blob("app", digest) as reader,
    ):
        reader.read()
    assert faults.count("GET", path) == 1  # a wrong digest is not retried


def test_truncated_blob_is_resumed_with_range(faults: FaultRegistry) -> None:
    document = serve(faults, "alpine-synth", "app")
    digest, path = layer_path(faults, document)
    faults.faults[path] = ["truncate", "ok"]
    size = document["layers"][0]["size"]
    with client_for(faults).open_blob("app", digest, size) as reader:
        assert reader.read() == blob_of("alpine-synth", digest)
    ranges = [headers.get("Range", "") for method, p, headers in faults.requests if p == path]
    assert ranges == ["", f"bytes={size // 2}-"]


def test_resume_without_range_support_skips_what_was_read(faults: FaultRegistry) -> None:
    document = serve(faults, "alpine-synth", "app")
    digest, path = layer_path(faults, document)
    faults.faults[path] = ["truncate", "no-range"]
    with client_for(faults).open_blob("app", digest, document["layers"][0]["size"]) as reader:
        assert reader.read() == blob_of("alpine-synth", digest)


def test_blob_truncated_every_time_fails_cleanly(faults: FaultRegistry) -> None:
    document = serve(faults, "alpine-synth", "app")
    digest, path = layer_path(faults, document)
    faults.faults[path] = ["truncate"]
    with (
        pytest.raises(RegistryError, match=r"broke off at byte \d+ of \d+ .* after 3 attempts"),
        client_for(faults).open_blob("app", digest, document["layers"][0]["size"]) as reader,
    ):
        reader.read()
    assert faults.count("GET", path) == 3  # the first try and two resumes (retries=2)


def test_truncated_layer_leaves_nothing_in_the_cache(faults: FaultRegistry, tmp_path: Path) -> None:
    document = serve(faults, "alpine-synth", "app")
    _, path = layer_path(faults, document)
    faults.faults[path] = ["truncate"]
    builder = InventoryBuilder.create(tmp_path / "cache", jobs=1)
    target = Target("registry", Path(f"{faults.host}/app:latest"))
    from seawall.registry.options import configure

    configure(options_for(faults.host))
    try:
        with pytest.raises(RegistryError, match="broke off"):
            builder.build(target)
        assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
        faults.faults[path] = ["ok"]
        inventory = builder.build(target)
    finally:
        configure(None)
    assert inventory.os is not None and inventory.os.family == "alpine"
    assert len([p for p in (tmp_path / "cache").rglob("*.json.zst")]) == 1


def test_more_bytes_than_the_descriptor_says_are_refused(faults: FaultRegistry) -> None:
    document = serve(faults, "alpine-synth", "app")
    digest, _ = layer_path(faults, document)
    with (
        pytest.raises(DigestMismatch, match="sent more than 100 bytes"),
        client_for(faults).open_blob("app", digest, 100) as reader,
    ):
        reader.read()


def test_slow_registry_times_out(faults: FaultRegistry) -> None:
    serve(faults, "alpine-synth", "app")
    faults.slow_seconds = 1.0
    faults.faults["/v2/app/manifests/latest"] = ["slow"]
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable, match="timed out"):
        client_for(faults, read_timeout=0.2, retries=1).get_manifest("app", "latest")
    assert time.monotonic() - started < 3
    assert faults.count("GET", "/v2/app/manifests/latest") == 2


def test_429_retry_after_is_honoured(faults: FaultRegistry) -> None:
    serve(faults, "alpine-synth", "app")
    faults.faults["/v2/app/manifests/latest"] = ["status:429:1", "ok"]
    started = time.monotonic()
    assert client_for(faults, max_wait=5.0).get_manifest("app", "latest").data
    assert time.monotonic() - started >= 0.9
    assert faults.count("GET", "/v2/app/manifests/latest") == 2


def test_retry_after_is_bounded(faults: FaultRegistry) -> None:
    serve(faults, "alpine-synth", "app")
    faults.faults["/v2/app/manifests/latest"] = ["status:503:3600", "status:502", "ok"]
    started = time.monotonic()
    assert client_for(faults, max_wait=0.1).get_manifest("app", "latest").data
    assert time.monotonic() - started < 2


def test_5xx_until_the_retries_run_out(faults: FaultRegistry) -> None:
    serve(faults, "alpine-synth", "app")
    faults.faults["/v2/app/manifests/latest"] = ["status:503"]
    with pytest.raises(RegistryUnavailable, match=r"answered 503 \(UNAVAILABLE: injected 503\)"):
        client_for(faults).get_manifest("app", "latest")
    assert faults.count("GET", "/v2/app/manifests/latest") == 3


def test_403_and_404_carry_the_reason(faults: FaultRegistry) -> None:
    serve(faults, "alpine-synth", "app")
    faults.faults["/v2/app/manifests/latest"] = ["status:403"]
    with pytest.raises(AuthError, match=r"app:latest: access denied \(DENIED: injected 403\)"):
        client_for(faults).get_manifest("app", "latest")
    with pytest.raises(NotFound, match=r"app:nope: not found \(MANIFEST_UNKNOWN: unknown\)"):
        client_for(faults).get_manifest("app", "nope")


def test_registry_down_fails_at_once() -> None:
    host = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable, match=f"{host}: cannot connect"):
        RegistryClient(host, options_for(host, retries=4, backoff=1.0)).get_manifest("app", "latest")
    assert time.monotonic() - started < 1  # a refused connection is not retried


def test_redirect_loop_is_a_clean_error(faults: FaultRegistry) -> None:
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(307)
        handler.send_header("Location", handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    faults.faults["/v2/app/manifests/latest"] = [redirect]
    with pytest.raises(RegistryError, match="Exceeded maximum allowed redirects"):
        client_for(faults).get_manifest("app", "latest")
    assert faults.count("GET", "/v2/app/manifests/latest") == 6


def test_tag_pagination_follows_link(faults: FaultRegistry) -> None:
    faults.tags["app"] = [f"v{i}" for i in range(7)]
    assert sorted(client_for(faults).tags("app", page_size=2)) == [f"v{i}" for i in range(7)]
    pages = [p for m, p, _ in faults.requests if p.startswith("/v2/app/tags/list")]
    assert pages[0] == "/v2/app/tags/list?n=2" and len(pages) == 4
    assert pages[1] == "/v2/app/tags/list?last=v1&n=2"


def test_pagination_to_another_host_or_in_a_loop_is_refused(faults: FaultRegistry) -> None:
    def elsewhere(handler: BaseHTTPRequestHandler) -> None:
        body = b'{"tags": ["a"]}'
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Link", '<http://other.example/v2/app/tags/list?last=a>; rel="next"')
        handler.end_headers()
        handler.wfile.write(body)

    faults.faults["/v2/app/tags/list"] = [elsewhere]
    with pytest.raises(RegistryError, match="next page is on another host"):
        list(client_for(faults).tags("app"))

    def loop(handler: BaseHTTPRequestHandler) -> None:
        body = b'{"tags": ["a"]}'
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Link", '</v2/app/tags/list?last=a>; rel="next"')
        handler.end_headers()
        handler.wfile.write(body)

    faults.faults["/v2/app/tags/list"] = [loop]
    with pytest.raises(RegistryError, match="pagination loops"):
        list(client_for(faults).tags("app"))


def test_referrers_fallback_without_a_tag_is_empty(faults: FaultRegistry) -> None:
    _, digest, _ = layout("alpine-synth")
    assert client_for(faults).referrers("app", digest) == []
    assert [p for _, p, _ in faults.requests] == [
        f"/v2/app/referrers/{digest}",
        f"/v2/app/manifests/sha256-{digest[7:]}",
    ]


def test_proxy_variables_are_honoured(faults: FaultRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    serve(faults, "alpine-synth", "app")
    unreachable = f"127.0.0.1:{free_port()}"  # nothing listens there: only the proxy can answer
    monkeypatch.setenv("HTTP_PROXY", f"http://{faults.host}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert client_for_host(unreachable).get_manifest("app", "latest").data
    assert faults.requests[-1][1] == f"http://{unreachable}/v2/app/manifests/latest"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with pytest.raises(RegistryUnavailable, match="cannot connect"):
        client_for_host(unreachable).get_manifest("app", "latest")


def client_for_host(host: str) -> RegistryClient:
    return RegistryClient(host, options_for(host))


def test_authorization_is_not_sent_to_another_host_on_redirect(faults: FaultRegistry) -> None:
    """A blob redirected to storage elsewhere (as S3-backed registries do) gets no credentials."""
    storage = FaultRegistry()
    storage.start()
    try:
        payload = b"layer bytes"
        digest = storage.add_blob(payload)
        faults.blobs[digest] = payload
        expected = "Basic " + base64.b64encode(b"u:p").decode()

        def challenge_then_redirect(handler: BaseHTTPRequestHandler) -> None:
            if handler.headers.get("Authorization") != expected:
                handler.send_response(401)
                handler.send_header("WWW-Authenticate", 'Basic realm="test"')
                handler.send_header("Content-Length", "0")
            else:
                handler.send_response(307)
                handler.send_header("Location", f"http://{storage.host}/v2/app/blobs/{digest}")
                handler.send_header("Content-Length", "0")
            handler.end_headers()

        faults.faults[f"/v2/app/blobs/{digest}"] = [challenge_then_redirect]
        with client_for(faults, username="u", password="p").open_blob("app", digest) as reader:
            assert reader.read() == payload
        (stored,) = storage.requests
        assert "Authorization" not in stored[2]
    finally:
        storage.stop()
