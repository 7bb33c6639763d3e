"""The secrets analyzer: which image files it reads, what it reports, end to end on images."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from seawall.image.source import parse_target
from seawall.inventory.analyzer import all_analyzers
from seawall.inventory.analyzers.secrets import SecretsAnalyzer
from seawall.inventory.build import InventoryBuilder
from seawall.inventory.layer_pass import Dispatch, LayerPass
from seawall.inventory.merge import merge
from seawall.model import FileInfo, ImageInfo, Inventory, LayerInfo, Severity
from tests import images
from tests.paths import IMAGES

GITHUB = "ghp_YUTxZYMloLvEdH4Nzc8slbi0zmnfs2Dwj5gI"
ANALYZER = SecretsAnalyzer()
DISPATCH = Dispatch([ANALYZER])


def wanted(path: str, size: int = 100, mode: int = 0o644) -> bool:
    """What the layer pass decides: the prefilter, then ``wants``."""
    info = FileInfo(path, size, mode)
    return ANALYZER in DISPATCH.candidates(path, info) and ANALYZER.wants(path, info)


@pytest.mark.parametrize(
    "path",
    [
        "app/.env",
        "app/.env.production",
        "app/config/settings.yaml",
        "app/config.json",
        "app/settings.py",
        "app/index.js",
        "app/deploy.sh",
        "app/Dockerfile",
        "root/.ssh/id_rsa",
        "root/.ssh/id_ed25519",
        "etc/ssl/private/server.key",
        "app/tls/server.pem",
        "root/.docker/config.json",
        "root/.aws/credentials",
        "root/.git-credentials",
        "root/.npmrc",
        "root/.pypirc",
        "root/.netrc",
        "srv/repo.git/config",
        "app/terraform.tfstate",
        "usr/local/lib/python3.11/site-packages/pkg/.env",  # a credential file shipped in a package
        "app/node_modules/leaky/.npmrc",
    ],
)
def test_wants_files_likely_to_hold_secrets(path: str) -> None:
    assert wanted(path)


@pytest.mark.parametrize(
    "path",
    [
        "usr/share/doc/openssl/README",
        "usr/share/doc/python3/examples/config.py",
        "usr/lib/python3.11/test/keycert.pem",
        "usr/lib/python3.11/urllib/request.py",
        "usr/local/lib/python3.11/site-packages/django/conf/global_settings.py",
        "app/node_modules/express/lib/router.js",
        "app/node_modules/jws/test/keys/private.pem",
        "app/tests/fixtures/server.key",
        "usr/bin/python3.11",
        "app/logo.png",
        "app/README.md",
        "app/.env.example",
    ],
)
def test_does_not_want_documentation_tests_libraries_or_other_files(path: str) -> None:
    assert not wanted(path)


def test_size_cap_and_scripts() -> None:
    assert not wanted("app/.env", size=0)
    assert not wanted("app/.env", size=ANALYZER.max_size + 1)
    assert wanted("app/.env", size=ANALYZER.max_size)
    assert wanted("usr/local/bin/entrypoint", mode=0o755)
    assert not wanted("usr/local/bin/notes", mode=0o644)


def test_registered_for_the_secret_scanner_only() -> None:
    assert ANALYZER.scanner == "secret"
    assert "secrets" in {a.name for a in all_analyzers(("secret",))}
    assert "secrets" not in {a.name for a in all_analyzers(("vuln",))}


def test_analyze_reports_check_results_without_the_secret() -> None:
    facts = ANALYZER.analyze("app/.env", f"# x\nGITHUB_TOKEN={GITHUB}\n".encode())
    (result,) = facts.findings
    assert (result.rule.id, result.location.file, result.location.line) == ("SW-SECRET-003", "app/.env", 2)
    assert result.effective_severity is Severity.CRITICAL
    assert GITHUB not in repr(facts)
    assert ANALYZER.analyze("app/logo.bin", b"\x89PNG\x00" + GITHUB.encode()).empty


def _layer(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_a_secret_removed_in_a_later_layer_is_still_reported() -> None:
    # The layer that added the file still holds it for anyone who pulls the image.
    layer_pass = LayerPass([ANALYZER])
    first = layer_pass.run(io.BytesIO(_layer({"app/.env": f"T={GITHUB}\n".encode()})), "layer 1")
    second = layer_pass.run(io.BytesIO(_layer({"app/.wh..env": b""})), "layer 2")
    image = ImageInfo(
        reference="test",
        layers=(LayerInfo("sha256:1", first.diff_id), LayerInfo("sha256:2", second.diff_id)),
    )
    inventory = merge(image, [first, second])
    assert [(f.rule.id, f.location.file, f.location.layer) for f in inventory.findings] == [
        ("SW-SECRET-003", "app/.env", first.diff_id)
    ]


def _inventory(target: str, tmp_path: Path) -> Inventory:
    builder = InventoryBuilder.create(tmp_path, use_cache=False, scanners=("secret",))
    return builder.build(parse_target(target))


def test_hardened_image_has_no_high_secret_finding(tmp_path: Path) -> None:
    inventory = _inventory(str(IMAGES / "hardened-min-latest.docker.tar"), tmp_path)
    assert [f for f in inventory.findings if f.effective_severity >= Severity.HIGH] == []


@pytest.mark.slow
def test_app_image_secrets(app_image: images.BuiltImage, tmp_path: Path) -> None:
    # tests/imagectx/app/secrets/config.env and the key `openssl genrsa` writes in tests/images.py
    inventory = _inventory(f"oci:{app_image['oci']}", tmp_path)
    found = {(f.rule.id, f.location.file, f.location.line) for f in inventory.findings}
    assert {
        ("SW-SECRET-001", "app/secrets/config.env", 2),
        ("SW-SECRET-002", "app/secrets/config.env", 3),
        ("SW-SECRET-003", "app/secrets/config.env", 4),
        ("SW-SECRET-022", "app/secrets/config.env", 5),
        ("SW-SECRET-010", "app/secrets/id_rsa", 1),
    } == found
    assert all(f.location.layer.startswith("sha256:") for f in inventory.findings)
