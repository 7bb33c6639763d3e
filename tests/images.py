"""Real test images, built without a Docker daemon and cached between test runs.

Each builder returns paths inside a cache directory (``$SEAWALL_TEST_IMAGES``, default
``/var/tmp/seawall-test-images``). An image is built once per key, a hash of its build inputs (the
builder's source, its context files, its pins and the key of the image it starts from), so a changed
recipe rebuilds. A build runs in a temporary directory that is renamed into place when complete,
under an ``fcntl.flock`` lock per key, so concurrent pytest-xdist workers wait for one build.

``SEAWALL_SKIP_IMAGE_BUILDS=1`` never builds: builders then return cached images or raise
:class:`BuildsDisabled`. A missing build tool raises :class:`MissingTool`.

Images (tag ``latest`` in every OCI layout):

* :func:`bookworm_rootfs`: a Debian 12 minbase rootfs tar made with mmdebstrap (~100 packages).
* :func:`bookworm_image`: that rootfs as a one-layer image (umoci), OCI layout and docker-archive.
* :func:`app_image`: a deliberately insecure image built with buildah from ``imagectx/app``: the
  bookworm layer, ``RUN apt-get install python3-minimal``, old PyPI packages in
  ``/usr/local/lib/python3.11/site-packages``, an npm app with its lockfile in ``/app``, a Go binary
  (Debian's umoci) as ``/usr/local/bin/umoci``, fake secrets in ``/app/secrets`` and in ENV, EXPOSE 22.
* :func:`app_image_zstd`: the app image with zstd-compressed layers (OCI layout only).
* :func:`many_files_image`: one layer of ``n`` small files plus a small dpkg status.
* :func:`alpine_311`, :func:`shared_oci`: the small images in ``shared/images``.

Cold builds take about three minutes in all (mmdebstrap and the app image's ``apt-get`` need Debian's
archive, the app image PyPI and npm too); ``rm -rf`` the cache directory to start over.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import importlib.util
import inspect
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypedDict

from tests.paths import IMAGES

CACHE_ENV = "SEAWALL_TEST_IMAGES"
DEFAULT_CACHE = Path("/var/tmp/seawall-test-images")
SKIP_ENV = "SEAWALL_SKIP_IMAGE_BUILDS"
IMAGECTX = Path(__file__).resolve().parent / "imagectx"
TAG = "latest"
# Bump to rebuild every image.
RECIPE_VERSION = "1"
BUILD_TIMEOUT = 1800
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
GO_BINARY = Path("/usr/bin/umoci")

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MEDIA_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
REF_NAME = "org.opencontainers.image.ref.name"

MMDEBSTRAP_OPTIONS = (
    "--variant=minbase",
    "--include=ca-certificates",
    "--skip=output/dev",
    '--aptopt=Acquire::Languages "none"',
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-include=/usr/share/doc/*/copyright",
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
)


class ImageBuildError(RuntimeError):
    """A test image could not be built."""


class MissingTool(ImageBuildError):
    """A program a build needs is not installed."""


class BuildsDisabled(ImageBuildError):
    """``SEAWALL_SKIP_IMAGE_BUILDS=1`` and the image is not cached yet."""


class OciImage(TypedDict):
    oci: Path


class BuiltImage(OciImage):
    docker_archive: Path


# --- cache -----------------------------------------------------------------------------------


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def builds_disabled() -> bool:
    return os.environ.get(SKIP_ENV, "") == "1"


def build_key(*parts: str | bytes | Path) -> str:
    """A short hash of build inputs: strings, bytes, and files or directory trees (names + content)."""
    digest = hashlib.sha256(RECIPE_VERSION.encode())

    def feed(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    for part in parts:
        if isinstance(part, Path):
            files = sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else [part]
            for file in files:
                feed(file.relative_to(part).as_posix().encode() if part.is_dir() else file.name.encode())
                feed(file.read_bytes() if file.exists() else b"<missing>")
        else:
            feed(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()[:16]


def source_of(*functions: Callable[..., Any]) -> str:
    """The source text of functions, so that editing a builder changes its key."""
    return "\n".join(inspect.getsource(f) for f in functions)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def require_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        raise MissingTool(
            f"test image build needs {', '.join(missing)}: run `make system-deps` "
            f"(or set {SKIP_ENV}=1 to skip the tests that need built images)"
        )


def cached_build(name: str, key: str, tools: Sequence[str], build: Callable[[Path], None]) -> Path:
    """The directory ``<cache>/<name>-<key>``, made by ``build(tmpdir)`` once if not cached yet."""
    final = cache_dir() / f"{name}-{key}"
    if final.is_dir():
        return final
    if builds_disabled():
        raise BuildsDisabled(f"{SKIP_ENV}=1 and {name} is not cached in {cache_dir()}")
    require_tools(*tools)
    cache_dir().mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir() / f".{name}-{key}.lock"):
        if final.is_dir():
            return final
        for stale in cache_dir().glob(f".tmp-{name}-{key}-*"):
            remove_tree(stale)
        tmp = cache_dir() / f".tmp-{name}-{key}-{os.getpid()}"
        tmp.mkdir()
        started = time.monotonic()
        try:
            build(tmp)
        except BaseException:
            remove_tree(tmp)
            raise
        tmp.rename(final)
        print(
            f"seawall test images: built {name} in {time.monotonic() - started:.1f} s -> {final}",
            file=sys.stderr,
            flush=True,
        )
    return final


def remove_tree(path: Path, mountinfo: Path = Path("/proc/self/mountinfo")) -> None:
    """``rm -rf path``, but refuse if something is mounted below it (a crashed chroot RUN)."""
    if not path.exists():
        return
    prefix = str(path.resolve()) + "/"
    lines = mountinfo.read_text(errors="replace").splitlines()
    mounts = [fields[4] for fields in map(str.split, lines) if len(fields) > 4]
    busy = [mount for mount in mounts if mount.startswith(prefix)]
    if busy:
        raise ImageBuildError(f"not removing {path}: {busy[0]} is mounted below it")
    shutil.rmtree(path)


# --- running tools ---------------------------------------------------------------------------


def run(cmd: Sequence[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a build command; its stdout, or :class:`ImageBuildError` with the tail of its output."""
    argv = [str(arg) for arg in cmd]
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as exc:
        raise MissingTool(f"{argv[0]} is not installed: run `make system-deps`") from exc
    except subprocess.TimeoutExpired as exc:
        raise ImageBuildError(f"{' '.join(argv[:3])} ... timed out after {BUILD_TIMEOUT} s") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-25:])
        raise ImageBuildError(f"{' '.join(argv)} failed with exit code {done.returncode}:\n{tail}")
    return done.stdout


def docker_archive(oci: Path, dest: Path, name: str) -> None:
    """Write the OCI layout's ``latest`` as a ``docker save`` tar named ``name:latest``."""
    run(["skopeo", "copy", "--quiet", f"oci:{oci}:{TAG}", f"docker-archive:{dest}:{name}:{TAG}"])


def _make_readable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))


# --- Debian bookworm ---------------------------------------------------------------------------


def _build_rootfs(out: Path) -> None:
    run(["mmdebstrap", *MMDEBSTRAP_OPTIONS, "bookworm", out / "rootfs.tar"])


def bookworm_rootfs() -> Path:
    """A Debian 12 ``minbase`` rootfs tar (plus ca-certificates), made with mmdebstrap."""
    key = build_key(source_of(_build_rootfs), *MMDEBSTRAP_OPTIONS)
    return cached_build("bookworm-rootfs", key, ["mmdebstrap"], _build_rootfs) / "rootfs.tar"


def _build_bookworm(out: Path, rootfs: Path) -> None:
    image = f"{out / 'oci'}:{TAG}"
    run(["umoci", "init", "--layout", out / "oci"])
    run(["umoci", "new", "--image", image])
    run(["umoci", "raw", "add-layer", "--image", image, "--history.created_by", "mmdebstrap", rootfs])
    run(
        [
            "umoci", "config", "--image", image, "--os", "linux", "--architecture", "amd64",
            "--config.cmd", "/bin/bash", "--config.env", PATH_ENV,
            "--config.label", "org.opencontainers.image.title=seawall-test-bookworm",
            "--history.created_by", "umoci config",
        ]
    )  # fmt: skip
    run(["umoci", "gc", "--layout", out / "oci"])
    docker_archive(out / "oci", out / "bookworm.docker.tar", "seawall-test/bookworm")
    _make_readable(out)


def bookworm_image() -> BuiltImage:
    """The bookworm rootfs as a one-layer image: ``oci`` (gzip layer) and ``docker_archive``."""
    rootfs = bookworm_rootfs()
    key = build_key(source_of(_build_bookworm), rootfs.parent.name)
    out = cached_build("bookworm", key, ["umoci", "skopeo"], lambda tmp: _build_bookworm(tmp, rootfs))
    return {"oci": out / "oci", "docker_archive": out / "bookworm.docker.tar"}


# --- the insecure app image (buildah) ------------------------------------------------------------

APP_CTX = IMAGECTX / "app"
APP_NAME = "localhost/seawall-test/app:latest"
BASE_NAME = "localhost/seawall-test/bookworm:latest"


def _prepare_app_context(ctx: Path) -> None:
    """The build context: Containerfile, site-packages, the npm app, the Go binary, fake secrets."""
    if importlib.util.find_spec("pip") is None:
        raise MissingTool(f"pip is not installed for {sys.executable}")
    shutil.copy(APP_CTX / "Containerfile", ctx / "Containerfile")
    run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
            "--only-binary=:all:", "--python-version", "3.11", "--platform", "manylinux2014_x86_64",
            "--target", ctx / "site-packages", "--requirement", APP_CTX / "requirements.txt",
        ]
    )  # fmt: skip
    shutil.rmtree(ctx / "site-packages" / "bin", ignore_errors=True)
    shutil.copytree(APP_CTX / "node", ctx / "app")
    shutil.copy(APP_CTX / "requirements.txt", ctx / "app" / "requirements.txt")
    run(
        ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ctx / "app",
    )
    (ctx / "gobin").mkdir()
    shutil.copy(GO_BINARY, ctx / "gobin" / "umoci")
    shutil.copytree(APP_CTX / "secrets", ctx / "secrets")
    run(["openssl", "genrsa", "-traditional", "-out", ctx / "secrets" / "id_rsa", "2048"])


def _build_app(out: Path, base: Path) -> None:
    ctx, storage = out / "ctx", out / "storage"
    ctx.mkdir()
    _prepare_app_context(ctx)
    buildah: list[str | Path] = [
        "buildah", "--root", storage / "root", "--runroot", storage / "run", "--storage-driver", "vfs",
    ]  # fmt: skip
    env = {
        "BUILDAH_ISOLATION": "chroot",
        "STORAGE_DRIVER": "vfs",
        "CONTAINERS_CONF": str(IMAGECTX / "containers.conf"),
    }
    base_id = run([*buildah, "pull", "--quiet", f"oci:{base}:{TAG}"], env=env).strip().splitlines()[-1]
    run([*buildah, "tag", base_id, BASE_NAME], env=env)
    run(
        [
            *buildah, "build", "--quiet", "--layers", "--isolation", "chroot", "--pull=never",
            "--build-arg", f"BASE={BASE_NAME}", "--file", ctx / "Containerfile", "--tag", APP_NAME, ctx,
        ],
        env=env,
    )  # fmt: skip
    run([*buildah, "push", "--quiet", APP_NAME, f"oci:{out / 'oci'}:{TAG}"], env=env)
    run(
        [*buildah, "push", "--quiet", APP_NAME, f"docker-archive:{out / 'app.docker.tar'}:{APP_NAME}"],
        env=env,
    )
    remove_tree(storage)
    remove_tree(ctx)
    _make_readable(out)


def app_image() -> BuiltImage:
    """The deliberately insecure multi-layer app image: ``oci`` (gzip layers) and ``docker_archive``."""
    base = bookworm_image()["oci"]
    key = build_key(
        source_of(_build_app, _prepare_app_context), APP_CTX, IMAGECTX / "containers.conf", GO_BINARY,
        base.parent.name,
    )  # fmt: skip
    tools = ["buildah", "npm", "openssl", str(GO_BINARY)]
    out = cached_build("app", key, tools, lambda tmp: _build_app(tmp, base))
    return {"oci": out / "oci", "docker_archive": out / "app.docker.tar"}


def _build_zstd(out: Path, source: Path) -> None:
    run(
        [
            "skopeo", "copy", "--quiet", "--dest-compress", "--dest-compress-format", "zstd",
            f"oci:{source}:{TAG}", f"oci:{out / 'oci'}:{TAG}",
        ]
    )  # fmt: skip
    manifest = read_manifest(out / "oci")
    wrong = [layer["mediaType"] for layer in manifest["layers"] if layer["mediaType"] != MEDIA_LAYER_ZSTD]
    if wrong:
        raise ImageBuildError(f"skopeo kept layer media types {sorted(set(wrong))}, wanted zstd")
    _make_readable(out)


def app_image_zstd() -> OciImage:
    """The app image re-compressed with zstd layers (``tar+zstd`` media type), OCI layout only."""
    source = app_image()["oci"]
    key = build_key(source_of(_build_zstd), source.parent.name)
    out = cached_build("app-zstd", key, ["skopeo"], lambda tmp: _build_zstd(tmp, source))
    return {"oci": out / "oci"}


# --- one layer of many small files (written by hand) ----------------------------------------------

MANY_FILES_DPKG_STATUS = """\
Package: base-files
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 394
Maintainer: Base Files Maintainers <base-files@example.invalid>
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Zlib Maintainers <zlib@example.invalid>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Depends: libc6 (>= 2.14)
Description: compression library - runtime

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <glibc@example.invalid>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Description: GNU C Library: Shared libraries
"""
MANY_FILES_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
MANY_FILES_MTIME = 1_700_000_000
MANY_FILES_PER_DIR = 1000


class _Sink(Protocol):
    def write(self, data: memoryview, /) -> int: ...


class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what passes through to ``sink``."""

    def __init__(self, sink: _Sink) -> None:
        self.sink, self.sha256, self.size = sink, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha256.update(view)
        self.size += len(view)
        self.sink.write(view)
        return len(view)


def _many_files_members(n: int) -> Iterator[tuple[tarfile.TarInfo, bytes]]:
    def entry(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE) -> tuple[tarfile.TarInfo, bytes]:
        info = tarfile.TarInfo(name)
        info.type, info.mtime, info.uname, info.gname = kind, MANY_FILES_MTIME, "root", "root"
        info.mode, info.size = (0o755, 0) if kind == tarfile.DIRTYPE else (0o644, len(data))
        return info, data

    for directory in ("etc", "var", "var/lib", "var/lib/dpkg", "data"):
        yield entry(directory, kind=tarfile.DIRTYPE)
    yield entry("etc/os-release", MANY_FILES_OS_RELEASE.encode())
    yield entry("var/lib/dpkg/status", MANY_FILES_DPKG_STATUS.encode())
    for i in range(n):
        if i % MANY_FILES_PER_DIR == 0:
            yield entry(f"data/d{i // MANY_FILES_PER_DIR:04d}", kind=tarfile.DIRTYPE)
        yield entry(f"data/d{i // MANY_FILES_PER_DIR:04d}/f{i:07d}.txt", f"file {i}\n".encode())


def write_gzip_layer(
    blobs: Path, members: Iterator[tuple[tarfile.TarInfo, bytes]]
) -> tuple[dict[str, Any], str]:
    """Write a gzip tar layer blob; its OCI descriptor and its diff_id."""
    tmp = blobs / ".layer.tmp"
    with tmp.open("wb") as raw:
        compressed = _Hashing(raw)
        with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=1, mtime=0) as zipped:
            plain = _Hashing(zipped)
            with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                for info, data in members:
                    tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    digest = compressed.sha256.hexdigest()
    tmp.rename(blobs / digest)
    descriptor = {"mediaType": MEDIA_LAYER_GZIP, "digest": f"sha256:{digest}", "size": compressed.size}
    return descriptor, f"sha256:{plain.sha256.hexdigest()}"


def _write_blob(blobs: Path, data: bytes, media_type: str) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}


def write_oci_layout(
    layout: Path, layers: Sequence[tuple[dict[str, Any], str]], config: dict[str, Any], created_by: str
) -> None:
    """Finish an OCI layout whose layer blobs are already in ``layout/blobs/sha256``."""
    blobs = layout / "blobs" / "sha256"
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(MANY_FILES_MTIME))
    image_config = {
        "created": created,
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": [diff_id for _, diff_id in layers]},
        "history": [{"created": created, "created_by": created_by} for _ in layers],
    }
    config_desc = _write_blob(blobs, json.dumps(image_config, indent=1).encode(), MEDIA_CONFIG)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": config_desc,
        "layers": [descriptor for descriptor, _ in layers],
    }
    manifest_desc = _write_blob(blobs, json.dumps(manifest, indent=1).encode(), MEDIA_MANIFEST)
    index = {"schemaVersion": 2, "manifests": [{**manifest_desc, "annotations": {REF_NAME: TAG}}]}
    (layout / "index.json").write_text(json.dumps(index, indent=1))
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))


def _build_many_files(out: Path, n: int) -> None:
    blobs = out / "oci" / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    layer = write_gzip_layer(blobs, _many_files_members(n))
    config = {"Env": [PATH_ENV], "Cmd": ["/bin/sh"]}
    write_oci_layout(out / "oci", [layer], config, f"seawall tests: {n} small files")
    docker_archive(out / "oci", out / "many-files.docker.tar", "seawall-test/many-files")


def many_files_image(n: int = 200_000) -> BuiltImage:
    """One layer of ``n`` small files under ``data/`` plus a 3-package dpkg status and os-release."""
    key = build_key(
        source_of(_build_many_files, _many_files_members, write_gzip_layer, write_oci_layout, _Hashing),
        MANY_FILES_DPKG_STATUS, MANY_FILES_OS_RELEASE, str(n),
    )  # fmt: skip
    out = cached_build(f"many-files-{n}", key, ["skopeo"], lambda tmp: _build_many_files(tmp, n))
    return {"oci": out / "oci", "docker_archive": out / "many-files.docker.tar"}


# --- shared images and reading layouts -----------------------------------------------------------


def alpine_311() -> Path:
    """The real Alpine 3.11 image in shared/: a gzip-compressed ``docker save`` tar."""
    path = IMAGES / "alpine-311.docker.tar.gz"
    if not path.is_file():
        raise ImageBuildError(f"{path} is missing: tests need shared/ beside the checkout")
    return path


def shared_oci(name: str) -> Path:
    """A shared OCI layout: ``alpine-synth``, ``bookworm-minbase``, ``hardened-min`` or ``rocky-synth``."""
    path = IMAGES / "oci" / name
    if not (path / "index.json").is_file():
        known = sorted(p.name for p in (IMAGES / "oci").iterdir()) if (IMAGES / "oci").is_dir() else []
        raise ImageBuildError(f"no shared OCI layout {name!r} (have: {', '.join(known) or 'none'})")
    return path


def read_blob(layout: Path, digest: str) -> bytes:
    algorithm, _, hexdigest = digest.partition(":")
    return (layout / "blobs" / algorithm / hexdigest).read_bytes()


def read_manifest(layout: Path, tag: str = TAG) -> dict[str, Any]:
    """The image manifest tagged ``tag`` in an OCI layout's index."""
    index = json.loads((layout / "index.json").read_text())
    for descriptor in index["manifests"]:
        if descriptor.get("annotations", {}).get(REF_NAME) == tag:
            manifest: dict[str, Any] = json.loads(read_blob(layout, descriptor["digest"]))
            return manifest
    raise KeyError(f"no manifest tagged {tag!r} in {layout}")


def read_config(layout: Path, tag: str = TAG) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(read_blob(layout, read_manifest(layout, tag)["config"]["digest"]))
    return config
