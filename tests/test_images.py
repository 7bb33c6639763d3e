"""Sanity checks of the test-image builders and of the images they build."""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest
import zstandard

from tests import images

if TYPE_CHECKING:
    from tests.conftest import ImageProvider

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


# --- helpers ---------------------------------------------------------------------------------


def layer_stream(layout: Path, descriptor: dict[str, Any]) -> IO[bytes]:
    """The uncompressed tar stream of a gzip or zstd layer blob."""
    blob = (layout / "blobs" / "sha256" / descriptor["digest"].removeprefix("sha256:")).open("rb")
    if descriptor["mediaType"].endswith("+zstd"):
        return zstandard.ZstdDecompressor().stream_reader(blob, closefd=True)
    return gzip.GzipFile(fileobj=blob)  # type: ignore[return-value]


def layer_files(
    layout: Path, descriptor: dict[str, Any], wanted: set[str]
) -> tuple[list[str], dict[str, bytes]]:
    """All member names of a layer, and the content of the ``wanted`` ones."""
    names: list[str] = []
    contents: dict[str, bytes] = {}
    with layer_stream(layout, descriptor) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            names.append(name)
            if name in wanted and member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                contents[name] = extracted.read()
    return names, contents


def uncompressed_sha256(layout: Path, descriptor: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    with layer_stream(layout, descriptor) as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def docker_archive_layers(archive: Path) -> list[str]:
    """The diff_ids of a docker-archive's layers, from the layer file names skopeo gave them."""
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.load(member)
    assert len(manifest) == 1
    return ["sha256:" + Path(name).name.removesuffix(".tar") for name in manifest[0]["Layers"]]


def dpkg_packages(status: bytes) -> set[str]:
    return {
        line.split(b":", 1)[1].strip().decode()
        for line in status.splitlines()
        if line.startswith(b"Package:")
    }


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(images.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(images.SKIP_ENV, raising=False)
    yield tmp_path


# --- the cache --------------------------------------------------------------------------------


def test_cached_build_runs_once_and_leaves_no_temp_dir(cache: Path) -> None:
    calls: list[Path] = []

    def build(tmp: Path) -> None:
        calls.append(tmp)
        (tmp / "out.txt").write_text("built")

    first = images.cached_build("demo", "k1", [], build)
    second = images.cached_build("demo", "k1", [], build)
    assert first == second == cache / "demo-k1"
    assert (first / "out.txt").read_text() == "built"
    assert len(calls) == 1 and calls[0] != first
    assert not list(cache.glob(".tmp-*"))


def test_concurrent_builds_of_one_key_build_once(cache: Path) -> None:
    calls: list[int] = []

    def build(tmp: Path) -> None:
        calls.append(1)
        time.sleep(0.3)
        (tmp / "out.txt").write_text("built")

    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(images.cached_build("demo", "k", [], build)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [cache / "demo-k"] * 3


def test_failed_build_leaves_nothing_and_is_retried(cache: Path) -> None:
    def broken(tmp: Path) -> None:
        (tmp / "partial").write_text("x")
        raise images.ImageBuildError("boom")

    with pytest.raises(images.ImageBuildError, match="boom"):
        images.cached_build("demo", "k", [], broken)
    assert not (cache / "demo-k").exists()
    assert not list(cache.glob(".tmp-*"))
    assert images.cached_build("demo", "k", [], lambda tmp: None).is_dir()


def test_build_key_follows_inputs(tmp_path: Path) -> None:
    recipe = tmp_path / "ctx" / "Containerfile"
    recipe.parent.mkdir()
    recipe.write_text("FROM scratch\n")
    before = images.build_key("a", recipe.parent)
    assert images.build_key("a", recipe.parent) == before
    assert images.build_key("b", recipe.parent) != before
    recipe.write_text("FROM scratch\nUSER 1\n")
    assert images.build_key("a", recipe.parent) != before
    assert images.build_key("ab") != images.build_key("a", "b")


def test_missing_tool_fails_with_its_name(cache: Path) -> None:
    with pytest.raises(images.MissingTool, match="seawall-no-such-tool"):
        images.cached_build("demo", "k", ["seawall-no-such-tool"], lambda tmp: None)


def test_skip_env_never_builds_but_uses_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    images.cached_build("demo", "cached", [], lambda tmp: None)
    monkeypatch.setenv(images.SKIP_ENV, "1")
    with pytest.raises(images.BuildsDisabled):
        images.cached_build("demo", "new", ["seawall-no-such-tool"], lambda tmp: None)
    assert images.cached_build("demo", "cached", [], lambda tmp: None) == cache / "demo-cached"


def test_remove_tree_refuses_a_mount_below(tmp_path: Path) -> None:
    victim = tmp_path / "storage"
    (victim / "proc").mkdir(parents=True)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"22 1 0:21 / /proc rw - proc proc rw\n99 1 0:5 / {victim}/proc rw - proc proc rw\n")
    with pytest.raises(images.ImageBuildError, match="mounted"):
        images.remove_tree(victim, mountinfo)
    assert victim.is_dir()
    mountinfo.write_text("22 1 0:21 / /proc rw - proc proc rw\n")
    images.remove_tree(victim, mountinfo)
    assert not victim.exists()


# --- shared images -------------------------------------------------------------------------------


def test_shared_images() -> None:
    with images.alpine_311().open("rb") as archive:
        assert archive.read(2) == b"\x1f\x8b"
    layout = images.shared_oci("alpine-synth")
    assert len(images.read_manifest(layout)["layers"]) == 1
    with pytest.raises(images.ImageBuildError, match="rocky-synth"):
        images.shared_oci("no-such-image")


# --- built images (slow on the first run, cached after) ------------------------------------------


@pytest.mark.slow
def test_bookworm_image(bookworm_image: images.BuiltImage) -> None:
    layout = bookworm_image["oci"]
    manifest = images.read_manifest(layout)
    config = images.read_config(layout)
    assert [layer["mediaType"] for layer in manifest["layers"]] == [images.MEDIA_LAYER_GZIP]
    assert len(config["rootfs"]["diff_ids"]) == 1
    assert config["config"]["Cmd"] == ["/bin/bash"]
    assert docker_archive_layers(bookworm_image["docker_archive"]) == config["rootfs"]["diff_ids"]
    with tarfile.open(images.bookworm_rootfs()) as rootfs:
        status = rootfs.extractfile("./var/lib/dpkg/status")
        os_release = rootfs.extractfile("./etc/os-release")
        assert status is not None and os_release is not None
        packages = dpkg_packages(status.read())
        assert b'VERSION_ID="12"' in os_release.read()
    assert 90 <= len(packages) <= 130
    assert {"libc6", "dpkg", "apt", "ca-certificates"} <= packages


@pytest.mark.slow
def test_app_image(app_image: images.BuiltImage, bookworm_image: images.BuiltImage) -> None:
    layout = app_image["oci"]
    manifest = images.read_manifest(layout)
    config = images.read_config(layout)
    layers = manifest["layers"]
    diff_ids = config["rootfs"]["diff_ids"]
    # bookworm, RUN apt-get, COPY site-packages, COPY app, COPY the Go binary, COPY secrets
    assert len(layers) == len(diff_ids) == 6
    assert {layer["mediaType"] for layer in layers} == {images.MEDIA_LAYER_GZIP}
    assert diff_ids[0] == images.read_config(bookworm_image["oci"])["rootfs"]["diff_ids"][0]
    assert docker_archive_layers(app_image["docker_archive"]) == diff_ids

    history = [h["created_by"] for h in config["history"] if not h.get("empty_layer")]
    assert len(history) == 6
    assert "apt-get install" in history[1] and "python3-minimal" in history[1]
    names, files = layer_files(layout, layers[1], {"var/lib/dpkg/status"})
    assert "usr/bin/python3.11" in names
    debs = dpkg_packages(files["var/lib/dpkg/status"])
    assert {"python3-minimal", "python3.11-minimal"} <= debs and len(debs) >= 95

    assert config["config"]["User"] == "root"
    assert "22/tcp" in config["config"]["ExposedPorts"]
    assert any(env.startswith("AWS_SECRET_ACCESS_KEY=") for env in config["config"]["Env"])


@pytest.mark.slow
def test_app_image_language_packages(app_image: images.BuiltImage) -> None:
    layout = app_image["oci"]
    layers = images.read_manifest(layout)["layers"]
    pins = [
        line.split("==")[0].lower().replace("-", "_")
        for line in (images.APP_CTX / "requirements.txt").read_text().splitlines()
        if "==" in line
    ]
    names, _ = layer_files(layout, layers[2], set())
    prefix = "usr/local/lib/python3.11/site-packages/"
    dist_infos = {n[len(prefix) :].split("/")[0] for n in names if n.startswith(prefix) and ".dist-info" in n}
    assert sorted(d.split("-")[0].lower() for d in dist_infos) == sorted(pins)

    lock = json.loads((images.APP_CTX / "node" / "package-lock.json").read_text())
    locked = {path for path in lock["packages"] if path}
    names, files = layer_files(
        layout, layers[3], {"app/package-lock.json", "app/node_modules/express/package.json"}
    )
    installed = {n.removeprefix("app/").removesuffix("/package.json") for n in names}
    assert locked <= installed and len(locked) >= 60
    assert json.loads(files["app/node_modules/express/package.json"])["version"] == "4.16.0"
    assert "app/package-lock.json" in files

    names, _ = layer_files(layout, layers[4], set())
    assert "usr/local/bin/umoci" in names
    _, files = layer_files(layout, layers[5], {"app/secrets/id_rsa", "app/secrets/config.env"})
    assert files["app/secrets/id_rsa"].startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert b"AKIA" in files["app/secrets/config.env"]


@pytest.mark.slow
def test_app_image_zstd(app_image_zstd: images.OciImage, app_image: images.BuiltImage) -> None:
    layout = app_image_zstd["oci"]
    layers = images.read_manifest(layout)["layers"]
    diff_ids = images.read_config(layout)["rootfs"]["diff_ids"]
    assert [layer["mediaType"] for layer in layers] == [images.MEDIA_LAYER_ZSTD] * 6
    for layer in layers:
        assert images.read_blob(layout, layer["digest"])[:4] == ZSTD_MAGIC
    assert diff_ids == images.read_config(app_image["oci"])["rootfs"]["diff_ids"]
    smallest = min(range(len(layers)), key=lambda i: int(layers[i]["size"]))
    assert uncompressed_sha256(layout, layers[smallest]) == diff_ids[smallest]


@pytest.mark.slow
def test_many_files_image(many_files_image: images.BuiltImage) -> None:
    layout = many_files_image["oci"]
    layers = images.read_manifest(layout)["layers"]
    diff_ids = images.read_config(layout)["rootfs"]["diff_ids"]
    assert len(layers) == len(diff_ids) == 1
    assert uncompressed_sha256(layout, layers[0]) == diff_ids[0]
    assert docker_archive_layers(many_files_image["docker_archive"]) == diff_ids


@pytest.mark.slow
def test_small_many_files_image_content(provide_image: ImageProvider) -> None:
    built = provide_image(lambda: images.many_files_image(n=1500))
    layout = built["oci"]
    (layer,) = images.read_manifest(layout)["layers"]
    names, files = layer_files(layout, layer, {"var/lib/dpkg/status"})
    assert len([n for n in names if n.startswith("data/") and n.endswith(".txt")]) == 1500
    assert len(names) == len(set(names))
    assert dpkg_packages(files["var/lib/dpkg/status"]) == {"base-files", "libc6", "zlib1g"}
    assert images.read_config(layout)["rootfs"]["diff_ids"] == [uncompressed_sha256(layout, layer)]
