"""Small images for the built-image audit tests: factory layers, an OCI layout or a docker archive with
a chosen config, scanned with the ``config`` analyzers and audited."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from seawall.checks.image import audit_image
from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.model import CheckResult, Inventory
from tests.factory import Entry, Layout, layer_tar, sha256

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 11, 28)
NON_ROOT = {"config": {"User": "10001"}}


def fixture_config(name: str) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return config


def docker_archive(path: Path, layers: list[bytes], config: dict[str, Any]) -> Path:
    """A ``docker save`` archive whose config carries ``config``'s fields (rootfs made to fit the layers)."""
    document = {"architecture": "amd64", "os": "linux", **config}
    document["rootfs"] = {"type": "layers", "diff_ids": [sha256(raw) for raw in layers]}
    config_bytes = json.dumps(document).encode()
    members: list[Entry | tuple[str, bytes]] = []
    names = []
    for raw in layers:
        name = f"{sha256(raw).split(':')[1]}/layer.tar"
        members.append((name, raw))
        names.append(name)
    config_name = f"{sha256(config_bytes).split(':')[1]}.json"
    members.append((config_name, config_bytes))
    manifest = [{"Config": config_name, "RepoTags": ["test/image:latest"], "Layers": names}]
    members.append(("manifest.json", json.dumps(manifest).encode()))
    path.write_bytes(layer_tar(members))
    return path


def oci_layout(root: Path, layers: list[bytes], config: dict[str, Any]) -> Path:
    layout = Layout(root)
    extra = {key: value for key, value in config.items() if key != "rootfs"}
    layout.add(layout.image(layers, config_extra=extra), "latest")
    return root


def inventory(target: str) -> Inventory:
    builder = InventoryBuilder.create(
        Path("/nonexistent-cache"), use_cache=False, jobs=1, scanners=("config",)
    )
    return builder.build(parse_target(target))


def audit(
    tmp_path: Path,
    layers: list[list[Entry | tuple[str, bytes]]],
    config: dict[str, Any] | None = None,
    docker: bool = False,
    today: date = TODAY,
) -> list[CheckResult]:
    """Build an image from entry lists (one per layer) and audit it. The default config runs as a
    non-root user, so that only what a test adds is reported."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    raw = [layer_tar(entries) for entries in layers]
    document = NON_ROOT if config is None else config
    if docker:
        target = f"docker-archive:{docker_archive(tmp_path / 'image.tar', raw, document)}"
    else:
        target = f"oci:{oci_layout(tmp_path / 'oci', raw, document)}"
    return audit_image(inventory(target), today)


def ids(results: list[CheckResult]) -> list[str]:
    return sorted(r.rule.id for r in results)


def where(results: list[CheckResult], rule_id: str) -> list[str]:
    """The files (or config objects) that rule ``rule_id`` reported, sorted."""
    return sorted(
        r.location.file if r.location.file != "image-config" else r.object_name
        for r in results
        if r.rule.id == rule_id
    )
