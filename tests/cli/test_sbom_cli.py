"""The command line as a user runs it: a real process, exit codes, stdout vs stderr, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factory import dpkg_status, layer_tar, oci_image
from tests.paths import IMAGES, REPO

SEAWALL = [sys.executable, "-m", "seawall"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*SEAWALL, *args], capture_output=True, text=True, env=full_env, cwd=REPO, timeout=120
    )


@pytest.fixture
def image(tmp_path: Path) -> Path:
    layer = layer_tar(
        [
            ("etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
            ("var/lib/dpkg/status", dpkg_status(("bash", "5.2.15-2+b2"))),
        ]
    )
    return oci_image(tmp_path / "img", [layer])


def test_sbom_json_to_file_with_global_options_after_the_command(image: Path, tmp_path: Path) -> None:
    out = tmp_path / "sbom.json"
    result = run(
        "sbom", f"oci:{image}", "--format", "json", "-o", str(out), "--cache-dir", str(tmp_path / "c")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    document = json.loads(out.read_text())
    assert [p["name"] for p in document["packages"]] == ["bash"]
    assert (tmp_path / "c" / "layers").is_dir()


def test_cache_dir_from_environment(image: Path, tmp_path: Path) -> None:
    result = run("sbom", str(image), env={"SEAWALL_CACHE_DIR": str(tmp_path / "envcache")})
    assert result.returncode == 0, result.stderr
    assert "bash" in result.stdout
    assert (tmp_path / "envcache" / "layers").is_dir()


def test_no_cache_writes_nothing(image: Path, tmp_path: Path) -> None:
    result = run("--cache-dir", str(tmp_path / "c"), "sbom", str(image), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sbom", "/no/such/image"], "no such file or directory"),
        (["sbom", "docker://x"], "not supported"),
        (["sbom", "x", "--platform", "linux"], "bad platform"),
        (["sbom", "x", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_image_exits_2_and_leaves_no_output_file(image: Path, tmp_path: Path) -> None:
    (image / "index.json").write_text("[]")
    out = tmp_path / "never.json"
    result = run("sbom", f"oci:{image}", "-o", str(out), "--no-cache")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("seawall: error:")
    assert not out.exists() and not list(tmp_path.glob(".never.json*"))


def test_help_has_an_example() -> None:
    result = run("sbom", "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout and "seawall sbom" in result.stdout


def test_real_sample_table() -> None:
    result = run("sbom", str(IMAGES / "alpine-311.docker.tar.gz"), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "alpine 3.11.5" in result.stdout
    assert "musl" in result.stdout and "1.1.24-r2" in result.stdout
