"""Registries for the tests: real ``docker-registry`` processes (one per mode, started on first use
and stopped at the end of the session) and a fault-injecting registry per test. Loopback only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from seawall.registry.options import RegistryOptions
from tests.paths import IMAGES
from tests.registry.servers import FaultRegistry, RegistryProcess

OCI = IMAGES / "oci"
ALICE = "alice:wonderland"
REQUIRED = ("docker-registry", "skopeo", "htpasswd", "openssl")


@contextmanager
def _registry(mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"missing {', '.join(missing)} (Debian packages installed by `make test`)")
    registry = RegistryProcess(mode, tmp_path_factory.mktemp(f"registry-{mode}"))
    registry.start()
    try:
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def noauth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    """No authentication; the test images pushed as ``seawall/NAME:latest``."""
    with _registry("noauth", tmp_path_factory) as registry:
        for name in ("alpine-synth", "rocky-synth", "hardened-min"):
            registry.push(OCI / name, f"seawall/{name}:latest")
        yield registry


@pytest.fixture(scope="session")
def htpasswd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    with _registry("htpasswd", tmp_path_factory) as registry:
        registry.push(OCI / "alpine-synth", "private/alpine:latest", creds=ALICE)
        yield registry


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    with _registry("token", tmp_path_factory) as registry:
        registry.push(OCI / "alpine-synth", "private/alpine:latest", creds=ALICE)
        registry.push(OCI / "alpine-synth", "public/alpine:latest", creds=ALICE)
        yield registry


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    with _registry("tls", tmp_path_factory) as registry:
        registry.push(OCI / "alpine-synth", "seawall/alpine:latest")
        yield registry


@pytest.fixture
def faults() -> Iterator[FaultRegistry]:
    server = FaultRegistry()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Docker credentials, proxies or registry settings of the machine leak into a test."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    for name in (
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
        "SEAWALL_INSECURE_REGISTRY", "SEAWALL_REGISTRY_USERNAME", "SEAWALL_REGISTRY_PASSWORD",
        "SEAWALL_REGISTRY_TOKEN", "SEAWALL_CA_FILE", "SEAWALL_OFFLINE",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def options_for(*hosts: str, **extra: object) -> RegistryOptions:
    """Options for loopback test registries: fast retries, short timeouts."""
    settings: dict[str, object] = {
        "insecure": hosts, "retries": 2, "backoff": 0.01, "max_wait": 0.5,
        "connect_timeout": 2.0, "read_timeout": 5.0,
    }  # fmt: skip
    settings.update(extra)
    return RegistryOptions(**settings)  # type: ignore[arg-type]
