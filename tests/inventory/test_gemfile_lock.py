"""Gemfile.lock against Trivy's and Syft's fixtures, with Bundler's own lockfile parser as oracle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import FileInfo
from seawall.inventory.analyzers.gemfile_lock import MAX_PACKAGES, GemfileLockAnalyzer
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

TRIVY_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "ruby" / "bundler"
SYFT_DIR = SYFT_CATALOGERS / "ruby"
ANALYZER = GemfileLockAnalyzer()

SYNTHETIC = """\
GIT
  remote: https://example.invalid/rails/rails.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: main
  specs:
    rails (7.1.0.alpha)
      actionpack (= 7.1.0.alpha)
    actionpack (7.1.0.alpha)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)
      rails

GEM
  remote: https://example.invalid/
  specs:
    nokogiri (1.15.4-aarch64-linux)
      racc (~> 1.4)
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.1)
    rack (3.0.8)

PLATFORMS
  aarch64-linux
  x86_64-linux

DEPENDENCIES
  billing!
  nokogiri
  rails!

CHECKSUMS
  racc (1.7.1) sha256=0000000000000000000000000000000000000000000000000000000000000000

RUBY VERSION
   ruby 3.2.2p53

BUNDLED WITH
   2.4.19
"""


def _tables(directory: Path, name: str) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((directory / name).read_text())["tables"]
    return tables


def _gems(content: bytes) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in ANALYZER.analyze("app/Gemfile.lock", content).packages}


def _info(path: str) -> FileInfo:
    return FileInfo(path=path, size=100, mode=0o644)


TRIVY = _tables(TRIVY_DIR, "_transcribed_expected.parse_test.json")


@pytest.mark.parametrize("case", TRIVY["TestParser_Parse"][0], ids=lambda c: c["name"])
def test_trivy_cases(case: dict[str, Any]) -> None:
    want = case["wantPkgs"]
    if isinstance(want, dict):
        want = TRIVY["var:" + want["_ident"]][0]
    facts = ANALYZER.analyze("app/Gemfile.lock", (TRIVY_DIR / case["file"]).read_bytes())
    assert {(p.name, p.version) for p in facts.packages} == {(p["Name"], p["Version"]) for p in want}
    assert all(p.type == "gem" and p.found_by == "gemfile-lock" for p in facts.packages)
    assert not facts.warnings


def test_syft_lockfile_with_git_and_path_sources() -> None:
    want = _tables(SYFT_DIR, "_transcribed_expected.parse_gemfile_lock_test.json")["var:expectedPkgs"][0]
    facts = ANALYZER.analyze("Gemfile.lock", (SYFT_DIR / "testdata" / "Gemfile.lock").read_bytes())
    assert {(p.name, p.version) for p in facts.packages} == {(p["Name"], p["Version"]) for p in want}
    assert len(facts.packages) == len(want)  # the BAD-SECTION entry is not a gem
    sources = {p.name: p.property("gem:source") for p in facts.packages}
    assert sources["turbolinks"] == "git"
    assert sources["google-cloud-errors"] == "path"
    assert sources["rails"] is None


def test_syft_globs() -> None:
    [case] = _tables(SYFT_DIR, "_transcribed_expected.cataloger_test.json")["Test_GemFileLock_Globs"][0]
    root = SYFT_DIR / case["fixture"]
    relative = [str(p.relative_to(root)) for p in root.rglob("*")]
    assert sorted(p for p in relative if ANALYZER.wants(p, _info(p))) == sorted(case["expected"])
    for path in case["expected"]:  # "bogus" placeholders: no gems, no error
        assert not ANALYZER.analyze(path, (root / path).read_bytes()).packages


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("srv/app/Gemfile.lock", True),
        ("Gemfile.lock", True),
        ("srv/app/gems.locked", True),
        ("srv/app/Gemfile", False),
        ("srv/app/Gemfile.lock.orig", False),
        ("srv/app/yarn.lock", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    assert ANALYZER.wants(path, _info(path)) is wanted


def _bundler(paths: list[Path]) -> list[set[tuple[str, str, str]]]:
    """(name, version, source class) of every spec of each file, from Bundler::LockfileParser
    (a parser: nothing in the lockfile runs)."""
    script = (
        "require 'bundler'; require 'json'; ARGV.each { |p| "
        "specs = Bundler::LockfileParser.new(File.read(p)).specs; "
        "puts JSON.generate(specs.map { |s| [s.name, s.version.to_s, s.source.class.name] }) }"
    )
    env = {**os.environ, "BUNDLE_GEMFILE": str(paths[0])}  # Bundler insists on locating some Gemfile
    run = subprocess.run(
        ["ruby", "-e", script, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return [{tuple(item) for item in json.loads(line)} for line in run.stdout.splitlines()]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
def test_bundler_oracle(tmp_path: Path) -> None:
    synthetic = tmp_path / "Gemfile.lock"
    synthetic.write_text(SYNTHETIC)
    paths = [*sorted(TRIVY_DIR.glob("testdata/*.lock")), SYFT_DIR / "testdata" / "Gemfile.lock", synthetic]
    kinds = {
        "Bundler::Source::Git": "git",
        "Bundler::Source::Path": "path",
        "Bundler::Source::Rubygems": None,
    }
    results = _bundler(paths)
    assert len(results) == len(paths)
    for path, specs in zip(paths, results, strict=True):
        want = {(name, version, kinds[source]) for name, version, source in specs}
        packages = ANALYZER.analyze("Gemfile.lock", path.read_bytes()).packages
        assert {(p.name, p.version, p.property("gem:source")) for p in packages} == want, path.name
    assert ("nokogiri", "1.15.4") in _gems(SYNTHETIC.encode())  # the platform suffix is not the version


def test_crlf_and_undecodable_bytes() -> None:
    content = SYNTHETIC.replace("\n", "\r\n").encode() + b"\xff\xfe garbage \x00\n"
    assert _gems(content) == _gems(SYNTHETIC.encode())
    assert ("racc", "1.7.1") in _gems(content)


def test_garbage_gives_nothing() -> None:
    assert _gems(os.urandom(4096).replace(b"\n", b" ")) == set()
    assert _gems(b"GEM\n  specs:\n    (1.0)\n    name ()\n    name(1.0)\n     indented (1.0)\n") == set()


def test_huge_input_is_bounded() -> None:
    assert ANALYZER.max_size <= 16 * 1024 * 1024
    lines = "".join(f"    gem{i} (1.{i})\n" for i in range(MAX_PACKAGES + 5000))
    content = ("GEM\n  specs:\n" + lines + "    long (" + "1" * 100_000 + ")\n").encode()
    started = time.monotonic()
    facts = ANALYZER.analyze("Gemfile.lock", content)
    assert len(facts.packages) == MAX_PACKAGES
    assert facts.warnings and "gems" in facts.warnings[0]
    assert time.monotonic() - started < 5
