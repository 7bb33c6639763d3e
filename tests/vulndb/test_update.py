"""``db update``: sources fetched from an HTTP server on loopback serving ../shared/vulndata (no other
network): conditional requests, resume after a dropped connection, proxies, and the offline failure."""

from __future__ import annotations

import email.utils
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from seawall.errors import UsageError
from seawall.registry.options import RegistryOptions
from seawall.vulndb.store import VulnStore
from seawall.vulndb.update import (
    DbSettings,
    FeedSource,
    FetchError,
    configured_sources,
    fetch_sources,
    load_settings,
    parse_source_option,
    update_database,
)
from tests.registry.servers import free_port
from tests.vulndb.data import GO, KEV, VULNDATA
from tests.vulndb.test_db_cli import run


@dataclass
class FeedServer:
    """Serves the files of ../shared/vulndata with ETag, Last-Modified, conditional GETs and ranges.
    ``faults[path]``: actions used one per request (the last repeats): ``ok``, ``drop:N`` (send N bytes
    of the body, then close the connection), ``status:CODE``. Requests are recorded with headers."""

    root: Path = VULNDATA
    faults: dict[str, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    etag_salt: str = ""
    port: int = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path  # a request through a proxy carries an absolute URL
        self.requests.append((handler.path, dict(handler.headers.items())))
        actions = self.faults.get(path, ["ok"])
        action = actions.pop(0) if len(actions) > 1 else actions[0]
        file = self.root / path.lstrip("/")
        if action.startswith("status:") or not file.is_file():
            status = int(action.split(":")[1]) if action.startswith("status:") else 404
            handler.send_response(status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        data = file.read_bytes()
        etag = f'"{hashlib.sha256(data).hexdigest()[:16]}{self.etag_salt}"'
        modified = email.utils.formatdate(file.stat().st_mtime, usegmt=True)
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        start, status = 0, 200
        asked = handler.headers.get("Range", "")
        if asked.startswith("bytes=") and handler.headers.get("If-Range", etag) in (etag, modified):
            start, status = int(asked[6:].split("-")[0]), 206
        body = data[start:]
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", modified)
        if status == 206:
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        handler.end_headers()
        if action.startswith("drop:"):
            handler.wfile.write(body[: int(action.split(":")[1])])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(body)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    feeds = FeedServer()
    feeds.start()
    try:
        yield feeds
    finally:
        feeds.stop()


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "SEAWALL_OFFLINE",
        "SEAWALL_DB_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def options(*hosts: str, **extra: Any) -> RegistryOptions:
    return RegistryOptions(insecure=hosts, retries=2, backoff=0.01, max_wait=0.2, read_timeout=5.0, **extra)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_update_downloads_builds_and_revalidates(server: FeedServer, tmp_path: Path) -> None:
    source = FeedSource("cisa-kev", server.url("cisa-kev.tar.gz"))
    target = tmp_path / "vuln.db"
    first = update_database(target, [source], tmp_path / "cache", options(server.host))
    (fetched,) = first.fetched
    assert fetched.outcome == "downloaded" and fetched.received == KEV.stat().st_size
    assert sha256(fetched.path) == sha256(KEV)
    with VulnStore.open(target) as store:
        (info,) = store.sources()
        assert store.counts()["kev"] == 1404  # MANIFEST.md: 1,404 records
    assert (info.name, info.importer, info.revision) == (
        "cisa-kev",
        "kev",
        "eacf03ec6637cc7be6d3d4ed50785493da5126a2",  # the archive's .source_commit
    )
    second = update_database(target, [source], tmp_path / "cache", options(server.host))
    assert second.fetched[0].outcome == "not-modified" and second.fetched[0].received == 0
    assert second.build is not None and not second.build.changed
    assert server.requests[-1][1]["If-None-Match"].startswith('"')
    server.etag_salt = "-changed"  # upstream says the file changed: it is fetched again
    third = update_database(target, [source], tmp_path / "cache", options(server.host))
    assert third.fetched[0].outcome == "downloaded"


def test_resume_after_a_dropped_connection(server: FeedServer, tmp_path: Path) -> None:
    server.faults["/golang-vulndb.tar.gz"] = ["drop:300000", "ok"]
    (fetched,) = fetch_sources(
        [FeedSource("golang-vulndb", server.url("golang-vulndb.tar.gz"))], tmp_path, options(server.host)
    )
    assert fetched.outcome == "resumed"
    assert sha256(fetched.path) == sha256(GO)
    first, second = (headers for _, headers in server.requests)
    assert "Range" not in first
    assert second["Range"] == "bytes=300000-" and second["If-Range"].startswith('"')
    assert fetched.received == GO.stat().st_size


def test_resume_in_the_next_run(server: FeedServer, tmp_path: Path) -> None:
    server.faults["/golang-vulndb.tar.gz"] = ["drop:200000", "drop:100000", "drop:100000", "ok"]
    source = FeedSource("golang-vulndb", server.url("golang-vulndb.tar.gz"))
    with pytest.raises(FetchError, match=r"kept breaking off \(400000 bytes kept for the next run\)"):
        list(fetch_sources([source], tmp_path, options(server.host)))
    (fetched,) = fetch_sources([source], tmp_path, options(server.host))
    assert fetched.outcome == "resumed" and sha256(fetched.path) == sha256(GO)
    assert server.requests[-1][1]["Range"] == "bytes=400000-"
    assert fetched.received == GO.stat().st_size - 400000


def test_retries_on_503(server: FeedServer, tmp_path: Path) -> None:
    server.faults["/cisa-kev.tar.gz"] = ["status:503", "status:502", "ok"]
    (fetched,) = fetch_sources(
        [FeedSource("kev", server.url("cisa-kev.tar.gz"))], tmp_path, options(server.host)
    )
    assert fetched.outcome == "downloaded" and len(server.requests) == 3
    server.faults["/cisa-kev.tar.gz"] = ["status:404"]
    with pytest.raises(FetchError, match=r"source kev: http://127\.0\.0\.1:\d+/cisa-kev.tar.gz answered 404"):
        list(
            fetch_sources(
                [FeedSource("kev", server.url("cisa-kev.tar.gz"))], tmp_path / "2", options(server.host)
            )
        )


def test_proxy_variables_are_honoured(
    server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{server.host}")
    source = FeedSource("cisa-kev", "http://feeds.example.invalid/cisa-kev.tar.gz")
    (fetched,) = fetch_sources([source], tmp_path, options("feeds.example.invalid"))
    assert sha256(fetched.path) == sha256(KEV)
    assert server.requests[0][0] == "http://feeds.example.invalid/cisa-kev.tar.gz"


def test_plain_http_needs_the_host_named(server: FeedServer, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"plain HTTP refused for 127\.0\.0\.1"):
        list(fetch_sources([FeedSource("kev", server.url("cisa-kev.tar.gz"))], tmp_path, options()))
    assert server.requests == []


def test_offline_fails_naming_the_source(server: FeedServer, tmp_path: Path) -> None:
    target = tmp_path / "vuln.db"
    args = ["db", "update", "--db", str(target), "--cache-dir", str(tmp_path / "cache")]
    args += ["--source", f"cisa-kev={server.url('cisa-kev.tar.gz')}", "--insecure-registry", server.host]
    result = run(*args, "--offline")
    assert result.returncode == 2
    assert result.stderr == (
        f"seawall: error: source cisa-kev ({server.host}) cannot be fetched: offline mode is on "
        "(use seawall db import FILE, or db pull from a mirror)\n"
    )
    assert server.requests == [] and not target.exists()


def test_unreachable_source_fails_naming_it_and_keeps_the_database(
    server: FeedServer, tmp_path: Path
) -> None:
    target = tmp_path / "vuln.db"
    common = ["db", "update", "--db", str(target), "--cache-dir", str(tmp_path / "cache")]
    good = run(
        *common, "--source", f"cisa-kev={server.url('cisa-kev.tar.gz')}", "--insecure-registry", server.host
    )
    assert good.returncode == 0, good.stderr
    assert "cisa-kev: downloaded, 264.1 kB" in good.stderr and "cisa-kev (kev): 1404 kev" in good.stderr
    before = target.read_bytes()
    port = free_port()  # nothing listens there
    down = run(
        *common,
        "--source",
        f"cisa-kev=http://127.0.0.1:{port}/x.json",
        "--insecure-registry",
        f"127.0.0.1:{port}",
    )
    assert down.returncode == 2 and down.stderr.count("\n") == 1
    assert down.stderr.startswith(
        f"seawall: error: cannot reach source cisa-kev at http://127.0.0.1:{port}/x.json: "
    )
    assert target.read_bytes() == before


def test_sources_from_flags_settings_and_defaults(tmp_path: Path) -> None:
    assert parse_source_option("kev=https://example.com/kev.json") == FeedSource(
        "kev", "https://example.com/kev.json"
    )
    assert parse_source_option("pypi=osv:https://example.com/all.zip") == FeedSource(
        "pypi", "https://example.com/all.zip", "osv"
    )
    assert parse_source_option("local=/srv/feeds/kev.json").is_remote is False
    settings_file = tmp_path / "db.yaml"
    settings_file.write_text(
        "sources:\n  - {name: kev, url: 'https://example.com/kev.json', format: kev}\n"
        "mirrors: ['oci://127.0.0.1:5000/seawall/db:1']\nmax_age: 2d\n"
    )
    settings = load_settings(settings_file)
    assert settings.sources == (FeedSource("kev", "https://example.com/kev.json", "kev"),)
    assert settings.mirrors == ("oci://127.0.0.1:5000/seawall/db:1",) and settings.max_age == "2d"
    assert configured_sources([], settings) == list(settings.sources)
    defaults = configured_sources([], DbSettings())
    assert {"osv-pypi", "cisa-kev", "epss"} <= {s.name for s in defaults}
    assert all(s.url.startswith("https://") for s in defaults)
    settings_file.write_text("surces: []\n")
    with pytest.raises(UsageError, match="unknown setting 'surces'"):
        load_settings(settings_file)


def test_local_path_sources_need_no_network(tmp_path: Path) -> None:
    result = update_database(
        tmp_path / "vuln.db", [FeedSource("kev", str(KEV))], tmp_path, options(offline=True)
    )
    assert result.fetched[0].outcome == "local" and result.build is not None and result.build.changed


def test_status_age_limit_from_settings_and_environment(tmp_path: Path) -> None:
    target = tmp_path / "vuln.db"
    update_database(target, [FeedSource("kev", str(KEV))], tmp_path, options(offline=True))
    settings_file = tmp_path / "db.yaml"
    settings_file.write_text("max_age: 0s\n")
    warned = run("db", "status", "--db", str(target), env={"SEAWALL_DB_CONFIG": str(settings_file)})
    assert warned.returncode == 0 and "(more than --max-age 0s): update it" in warned.stderr
    env = {"SEAWALL_DB_CONFIG": str(settings_file), "SEAWALL_DB_MAX_AGE": "30d"}
    quiet = run("db", "status", "--db", str(target), env=env)
    assert quiet.returncode == 0 and quiet.stderr == ""
