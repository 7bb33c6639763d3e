"""``seawall lint --fix`` pins FROM to the digest the tag has in a real registry (SW-DF-004)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import IMAGES, REPO
from tests.registry.servers import RegistryProcess


def test_from_is_pinned_to_the_registry_digest(noauth: RegistryProcess, tmp_path: Path) -> None:
    reference = noauth.push(IMAGES / "oci" / "hardened-min", "base/hardened:1.0").removesuffix(":1.0")
    head = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", f"docker://{reference}:1.0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {reference}:1.0 AS base\nUSER 65534\n")
    env = {**os.environ, "SEAWALL_INSECURE_REGISTRY": noauth.host}
    result = subprocess.run(
        [sys.executable, "-m", "seawall", "lint", str(dockerfile), "--fix"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert f"FROM {reference}:1.0@{head} AS base" in dockerfile.read_text(), result.stderr
    assert f"+FROM {reference}:1.0@{head} AS base" in result.stdout


def test_unreachable_registry_leaves_from_alone(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM 127.0.0.1:9/none/app:1.0\nUSER 65534\n")
    env = {**os.environ, "SEAWALL_INSECURE_REGISTRY": "127.0.0.1:9"}
    result = subprocess.run(
        [sys.executable, "-m", "seawall", "lint", str(dockerfile), "--fix"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert dockerfile.read_text().startswith("FROM 127.0.0.1:9/none/app:1.0\n")
    assert "cannot pin" in result.stderr
