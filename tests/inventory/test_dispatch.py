"""The prefilter index may skip asking an analyzer only when its ``wants`` would say no."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

from seawall.inventory.analyzer import all_analyzers
from seawall.inventory.layer_pass import Dispatch
from seawall.model import FileInfo, FileKind
from tests.paths import FIXTURES, IMAGES

TRICKY = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
    "etc/rocky-release",
    "etc/system-release",
    "usr/lib/system-release",
    "lib/apk/db/installed",
    "var/lib/dpkg/status",
    "var/lib/dpkg/status.d/base",
    "var/lib/dpkg/info/libc6:amd64.list",
    "usr/lib/dpkg/status",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages.db",
    "usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA",
    "x/foo.egg-info/PKG-INFO",
    "x/foo-1.0.egg-info",
    "x/foo-1.0-py3.8.egg",
    "app/node_modules/@s/p/package.json",
    "package.json",
    "app/package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "app/pnpm-lock.yaml",
    "opt/app.WAR",
    "a/b.jar",
    "Cargo.lock",
    "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.gemspec",
    "Gemfile.lock",
    "gems.locked",
    "Gemfile.next.lock",
    "app/x.deps.json",
    "packages.lock.json",
    "packages.config",
    "vendor/composer/installed.json",
    "composer.lock",
    "usr/bin/umoci",
    "usr/local/bin/app",
    "README",
    "usr/share/doc/x/copyright",
]


def _image_paths() -> list[str]:
    paths: list[str] = []
    with tarfile.open(IMAGES / "alpine-311.docker.tar.gz") as outer:
        manifest = json.loads(outer.extractfile("manifest.json").read())  # type: ignore[union-attr]
        for name in manifest[0]["Layers"]:
            layer = outer.extractfile(name).read()  # type: ignore[union-attr]
            with tarfile.open(fileobj=io.BytesIO(layer)) as inner:
                paths += [m.name.lstrip("./") for m in inner.getmembers()]
    blobs = IMAGES / "oci" / "bookworm-minbase" / "blobs" / "sha256"
    biggest = max(blobs.iterdir(), key=lambda p: p.stat().st_size)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(biggest.read_bytes()))) as inner:
        paths += [m.name.lstrip("./") for m in inner.getmembers()]
    return paths


def test_prefilter_never_hides_a_wanted_file() -> None:
    analyzers = all_analyzers()
    dispatch = Dispatch(analyzers)
    fixture_paths = [str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.is_file()]
    paths = TRICKY + fixture_paths + _image_paths()
    wanted_somewhere = 0
    for path in paths:
        for mode in (0o644, 0o755):
            info = FileInfo(path, 100, mode, FileKind.REGULAR)
            expected = [a.name for a in analyzers if a.wants(path, info)]
            got = [a.name for a in dispatch.candidates(path, info) if a.wants(path, info)]
            assert got == expected, path
            wanted_somewhere += bool(expected)
    assert len(paths) > 5000 and wanted_somewhere > 500


def test_prefilter_skips_most_entries() -> None:
    dispatch = Dispatch(all_analyzers())
    asked = [len(dispatch.candidates(p, FileInfo(p, 10, 0o644))) for p in _image_paths()]
    assert sum(asked) < len(asked) // 2, "an ordinary file should reach almost no analyzer"


def test_every_analyzer_declares_a_prefilter() -> None:
    assert Dispatch(all_analyzers()).always == []
