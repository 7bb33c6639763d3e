"""``seawall lint`` on workloads through the real entry point: levels, --fix, --docker-run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

CORPUS = REPO / "tests" / "checks" / "workload" / "corpus"


def seawall(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seawall", *args], capture_output=True, text=True, cwd=REPO)


def test_each_workload_is_reported_with_its_pss_level() -> None:
    """The nginx Deployment of the Kubernetes docs sets no securityContext: baseline, not restricted."""
    result = seawall("lint", str(CORPUS / "k8s-nginx-deployment.yaml"))
    assert result.returncode == 1
    assert "Deployment/nginx-deployment  baseline" in result.stdout


def test_fix_writes_a_copy_that_reaches_restricted(tmp_path: Path) -> None:
    manifest = tmp_path / "deploy.yaml"
    shutil.copy(CORPUS / "k8s-nginx-deployment.yaml", manifest)
    original = manifest.read_text()
    preview = seawall("lint", str(manifest), "--fix", "--diff")
    assert "+" in preview.stdout and "runAsNonRoot" in preview.stdout
    assert manifest.read_text() == original, "--diff changes no file"
    seawall("lint", str(manifest), "--fix")
    assert "runAsNonRoot" in manifest.read_text()
    relint = seawall("lint", str(manifest))
    assert "restricted" in relint.stdout.split("Pod Security Standards")[1]


def test_docker_run_command_line() -> None:
    result = seawall(
        "lint", "--docker-run", "docker run --privileged -v /var/run/docker.sock:/var/run/docker.sock app"
    )
    assert result.returncode == 1
    assert "SW-RUN-" in result.stdout and "CRITICAL" in result.stdout
    assert seawall("lint").returncode == 2
