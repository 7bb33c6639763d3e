"""Remote scanning: registry targets resolve as local images do, the layer cache spares downloads,
and the command line gives the same SBOM for ``HOST/REPO:TAG`` as for the ``oci:`` layout it came from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seawall.errors import ImageError, UsageError
from seawall.image.manifest import DOCKER_MANIFEST, OCI_MANIFEST, Platform
from seawall.image.remote import open_registry_image
from seawall.image.source import DirStore, parse_target, resolve
from seawall.inventory.build import InventoryBuilder
from seawall.model import Inventory, Package
from seawall.registry.client import RegistryClient
from seawall.registry.options import configure
from tests.factory import dpkg_status, layer_tar, oci_image
from tests.paths import REPO
from tests.registry.conftest import options_for
from tests.registry.images import blob_of, layout, oci_path, parts, push_multi_arch
from tests.registry.servers import RegistryProcess, free_port

SEAWALL = [sys.executable, "-m", "seawall"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SEAWALL, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        timeout=120,
    )


def packages(inventory: Inventory) -> list[Package]:
    """Every package with all it says (locations by layer diff_id included), in a stable order."""
    return sorted(inventory.packages, key=lambda p: (p.key, p.locations))


def build(
    target: str, cache: Path, host: str = "", platform: str | None = None
) -> tuple[Inventory, InventoryBuilder]:
    builder = InventoryBuilder.create(cache, jobs=2)
    configure(options_for(host) if host else None)
    try:
        inventory = builder.build(parse_target(target), Platform.parse(platform) if platform else None)
    finally:
        configure(None)
    return inventory, builder


@pytest.mark.parametrize(
    ("text", "kind", "path"),
    [
        ("127.0.0.1:5000/seawall/app:1.0", "registry", "127.0.0.1:5000/seawall/app:1.0"),
        ("alpine", "registry", "docker.io/library/alpine:latest"),
        ("registry:ghcr.io/org/app@sha256:" + "a" * 64, "registry", "ghcr.io/org/app@sha256:" + "a" * 64),
        ("localhost/app", "registry", "localhost/app:latest"),
    ],
)
def test_targets_that_are_references(text: str, kind: str, path: str) -> None:
    target = parse_target(text)
    assert (target.kind, str(target.path)) == (kind, path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/no/such/path", "no such file or directory"),
        ("./missing", "no such file or directory"),
        ("missing-image.tar", "no such file or directory"),
        ("registry:Upper/Case", "repository names must be lowercase"),
        ("docker://alpine", "not supported"),
    ],
)
def test_targets_that_are_not(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_target(text)


def test_registry_image_resolves_as_the_local_layout(noauth: RegistryProcess) -> None:
    source = open_registry_image(f"{noauth.host}/seawall/rocky-synth:latest", None, options_for(noauth.host))
    local_store = DirStore(oci_path("rocky-synth"))
    local = resolve(local_store, "oci", "latest", None, "local")
    assert source.info.layers == local.info.layers
    assert (source.info.manifest_digest, source.info.config_digest) == (
        local.info.manifest_digest,
        local.info.config_digest,
    )
    assert source.info.repo_tags == (f"{noauth.host}/seawall/rocky-synth:latest",)
    assert source.resolved.config == local.config


def test_inventory_equals_the_local_one_and_the_cache_spares_layers(
    noauth: RegistryProcess, tmp_path: Path
) -> None:
    remote, builder = build(f"{noauth.host}/seawall/alpine-synth:latest", tmp_path / "cache", noauth.host)
    local, _ = build(f"oci:{oci_path('alpine-synth')}:latest", tmp_path / "local-cache")
    assert packages(remote) == packages(local) and len(packages(local)) == 10  # the apk db lists 10
    assert remote.os == local.os
    assert builder.stats.analyzed == 1
    config, layer = parts("alpine-synth")
    assert noauth.blob_gets("seawall/alpine-synth").count(layer) == 1
    before = noauth.blob_gets("seawall/alpine-synth")
    again, builder = build(f"{noauth.host}/seawall/alpine-synth:latest", tmp_path / "cache", noauth.host)
    assert packages(again) == packages(local)
    assert builder.stats.cached == 1
    assert noauth.blob_gets("seawall/alpine-synth")[len(before) :] == [config]  # the config, no layer


def test_rescanning_many_tags_of_one_image_downloads_its_layer_once(
    noauth: RegistryProcess, tmp_path: Path
) -> None:
    client = RegistryClient(noauth.host, options_for(noauth.host))
    data, _, _ = layout("alpine-synth")
    for item in parts("alpine-synth"):
        client.push_blob("many/tags", blob_of("alpine-synth", item), mount_from="seawall/alpine-synth")
    tags = [f"t{i}" for i in range(12)]
    for tag in tags:
        client.push_manifest("many/tags", tag, data, OCI_MANIFEST)
    for _ in range(2):
        for tag in tags:
            inventory, _ = build(f"{noauth.host}/many/tags:{tag}", tmp_path / "c", noauth.host)
            assert len(inventory.packages) == 10
    config, layer = parts("alpine-synth")
    gets = noauth.blob_gets("many/tags")
    assert gets.count(layer) == 1 and gets.count(config) == 2 * len(tags)


def test_docker_schema_2_with_two_layers_in_worker_processes(noauth: RegistryProcess, tmp_path: Path) -> None:
    """A two-layer image (the second upgrades a dpkg package) that skopeo converts to a Docker v2
    schema 2 manifest; the layers are analyzed in forked workers, each opening its own connections."""
    os_release = ("etc/os-release", b"ID=debian\nVERSION_ID=12\n")
    layers = [
        layer_tar(
            [os_release, ("var/lib/dpkg/status", dpkg_status(("bash", "5.2.15-2"), ("zlib1g", "1:1.2.13")))]
        ),
        layer_tar([("var/lib/dpkg/status", dpkg_status(("bash", "5.2.15-2+b2"), ("zlib1g", "1:1.2.13")))]),
    ]
    image = oci_image(tmp_path / "two", layers)
    reference = noauth.push(image, "docker/two:v2s2", fmt="v2s2")
    manifest = RegistryClient(noauth.host, options_for(noauth.host)).get_manifest("docker/two", "v2s2")
    assert manifest.media_type == DOCKER_MANIFEST
    remote, builder = build(reference, tmp_path / "c", noauth.host)
    assert builder.stats.analyzed == 2 and builder.jobs == 2
    local, _ = build(f"oci:{image}:latest", tmp_path / "l")
    assert packages(remote) == packages(local)
    assert {(p.name, p.version) for p in remote.packages} == {("bash", "5.2.15-2+b2"), ("zlib1g", "1:1.2.13")}


def test_multi_arch_platform_choice(noauth: RegistryProcess, tmp_path: Path) -> None:
    client = RegistryClient(noauth.host, options_for(noauth.host))
    push_multi_arch(
        client, "multi/scan", {"alpine-synth": "seawall/alpine-synth", "rocky-synth": "seawall/rocky-synth"}
    )
    reference = f"{noauth.host}/multi/scan:latest"
    default, _ = build(reference, tmp_path / "c", noauth.host)
    arm, _ = build(reference, tmp_path / "c", noauth.host, platform="linux/arm64/v8")
    assert default.os is not None and default.os.family == "alpine"
    assert arm.os is not None and arm.os.family == "rocky"
    local_arm, _ = build(f"oci:{oci_path('rocky-synth')}:latest", tmp_path / "l")
    assert packages(arm) == packages(local_arm)
    with pytest.raises(
        ImageError, match=r"no image for platform linux/s390x \(available: linux/amd64, linux/arm64/v8\)"
    ):
        build(reference, tmp_path / "c", noauth.host, platform="linux/s390x")


def test_offline_refuses_registry_targets(noauth: RegistryProcess) -> None:
    with pytest.raises(UsageError, match="offline"):
        open_registry_image(
            f"{noauth.host}/seawall/alpine-synth:latest", None, options_for(noauth.host, offline=True)
        )


# --- the command line --------------------------------------------------------------------------


def test_cli_sbom_of_a_registry_image_equals_the_local_one(noauth: RegistryProcess, tmp_path: Path) -> None:
    remote = run(
        "sbom", f"{noauth.host}/seawall/rocky-synth:latest", "--insecure-registry", noauth.host,
        "--format", "json", "--cache-dir", str(tmp_path / "c"),
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    local = run(
        "sbom",
        f"oci:{oci_path('rocky-synth')}:latest",
        "--format",
        "json",
        "--cache-dir",
        str(tmp_path / "l"),
    )
    assert local.returncode == 0, local.stderr
    remote_doc, local_doc = json.loads(remote.stdout), json.loads(local.stdout)
    assert remote_doc["packages"] == local_doc["packages"] and len(local_doc["packages"]) == 6
    assert remote_doc["os"] == local_doc["os"]


def test_cli_insecure_registry_from_the_environment(noauth: RegistryProcess, tmp_path: Path) -> None:
    result = run(
        "sbom", f"{noauth.host}/seawall/alpine-synth:latest", "--no-cache",
        env={"SEAWALL_INSECURE_REGISTRY": noauth.host},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "busybox" in result.stdout


def test_cli_registry_down_is_one_line_and_exit_2(tmp_path: Path) -> None:
    host = f"127.0.0.1:{free_port()}"
    out = tmp_path / "never.json"
    result = run("sbom", f"{host}/app:1", "--insecure-registry", host, "-o", str(out), "--no-cache")
    assert result.returncode == 2
    assert (
        result.stderr.startswith(f"seawall: error: {host}: cannot connect") and result.stderr.count("\n") == 1
    )
    assert not out.exists()


def test_cli_auth_failure_is_one_line_and_exit_2(htpasswd: RegistryProcess) -> None:
    result = run(
        "sbom", f"{htpasswd.host}/private/alpine:latest", "--insecure-registry", htpasswd.host, "--no-cache"
    )
    assert result.returncode == 2
    assert "authentication required and no credentials found" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    with_creds = run(
        "sbom", f"{htpasswd.host}/private/alpine:latest", "--insecure-registry", htpasswd.host, "--no-cache",
        env={"SEAWALL_REGISTRY_USERNAME": "bob", "SEAWALL_REGISTRY_PASSWORD": "builder"},
    )  # fmt: skip
    assert with_creds.returncode == 0, with_creds.stderr
