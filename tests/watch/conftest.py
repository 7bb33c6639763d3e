"""A real ``docker-registry`` on loopback with a few small images under several repositories and tags,
two vulnerability databases built from the upstream Alpine secdb sample, and a webhook receiver."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tarfile
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from seawall.registry.options import RegistryOptions
from seawall.vulndb.build import build_database, parse_source
from tests.paths import IMAGES, SHARED
from tests.registry.servers import RegistryProcess

OCI = IMAGES / "oci"
REQUIRED = ("docker-registry", "skopeo")
SECDB = "providers/alpine/test-fixtures/input/secdb/v3.15/"
# What the images hold, pushed as REPO:TAG (alpine-synth twice: one digest under two tags)
PUSHED = (
    ("alpine-synth", "apps/alpine:1.0"),
    ("alpine-synth", "apps/alpine:latest"),
    ("rocky-synth", "apps/rocky:latest"),
    ("hardened-min", "base/hardened:latest"),
)


def options_for(host: str) -> RegistryOptions:
    return RegistryOptions(
        insecure=(host,), retries=1, backoff=0.01, max_wait=0.2, connect_timeout=1.0, read_timeout=5.0
    )


def start_registry(directory: Path, pushed: tuple[tuple[str, str], ...] = PUSHED) -> RegistryProcess:
    missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"missing {', '.join(missing)} (Debian packages installed by `make test`)")
    registry = RegistryProcess("noauth", directory)
    registry.start()
    try:
        for image, destination in pushed:
            repository, _, tag = destination.partition(":")
            registry.push(OCI / image, f"{repository}:{tag}")
    except BaseException:
        registry.stop()
        raise
    return registry


def restart(registry: RegistryProcess) -> None:
    """Start a stopped registry again on the same port, with the same storage and log."""
    registry._log_handle = registry.log.open("ab")
    registry.process = subprocess.Popen(
        ["docker-registry", "serve", str(registry.directory / "config.yml")],
        stdout=registry._log_handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", registry.port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("docker-registry did not come back")


def blob_gets(registry: RegistryProcess) -> int:
    return sum(1 for method, path, _ in registry.access_log() if method == "GET" and "/blobs/" in path)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    process = start_registry(tmp_path_factory.mktemp("watch-registry"))
    try:
        yield process
    finally:
        process.stop()


def _secdb(root: Path, drop_cve: str = "") -> Path:
    """The upstream Alpine v3.15 secdb sample (zlib: 1.2.12-r0 fixes CVE-2018-25032, 1.2.12-r2 fixes
    CVE-2022-37434), optionally without one advisory, as a database."""
    source = root / "secdb" / "v3.15"
    source.mkdir(parents=True)
    with tarfile.open(SHARED / "vulndata" / "vunnel-test-fixtures.tar.gz") as tar:
        for member in tar:
            if SECDB in member.name and member.isfile():
                handle = tar.extractfile(member)
                assert handle is not None
                text = handle.read().decode()
                if drop_cve:
                    text = text.replace(f"      1.2.12-r0:\n      - {drop_cve}\n", "")
                (source / Path(member.name).name).write_text(text)
    build_database(root / "vuln.db", [parse_source(str(root / "secdb"))])
    return root / "vuln.db"


@pytest.fixture(scope="session")
def old_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample without CVE-2018-25032: a database from before that advisory."""
    return _secdb(tmp_path_factory.mktemp("old-db"), drop_cve="CVE-2018-25032")


@pytest.fixture(scope="session")
def new_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _secdb(tmp_path_factory.mktemp("new-db"))


class Webhook:
    """Records the JSON documents POSTed to it; answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                owner.received.append(json.loads(self.rfile.read(length)))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Docker credentials, proxies or registry settings of the machine leak into a test."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in (
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
        "SEAWALL_INSECURE_REGISTRY", "SEAWALL_REGISTRY_USERNAME", "SEAWALL_REGISTRY_PASSWORD",
        "SEAWALL_REGISTRY_TOKEN", "SEAWALL_CA_FILE", "SEAWALL_OFFLINE", "SEAWALL_RESULTS_STORE",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
