"""The scheme registry, and every scheme's behaviour on hostile input.

Image content and feeds are untrusted: whatever string a scheme is handed, it answers or raises
InvalidVersion quickly, never another exception, never a long backtracking regex, never deep recursion.
"""

from __future__ import annotations

import time

import pytest

from seawall.versions import InvalidVersion, VersionScheme, scheme, schemes
from tests.versions import oracles
from tests.versions.conftest import call_oracle

NAMES = (
    "dpkg",
    "rpm",
    "apk",
    "pep440",
    "semver",
    "npm",
    "go",
    "cargo",
    "maven",
    "rubygems",
    "nuget",
    "composer",
)
WITH_RANGES = ("pep440", "semver", "npm", "cargo", "maven", "rubygems", "nuget", "composer")
SAMPLE = {
    "dpkg": "1:2.30-1ubuntu1",
    "rpm": "1:2.30-1.el8",
    "apk": "2.30-r1",
    "pep440": "2.30.post1",
    "semver": "2.30.0",
    "npm": "2.30.0",
    "go": "v2.30.0",
    "cargo": "2.30.0",
    "maven": "2.30-SNAPSHOT",
    "rubygems": "2.30.0",
    "nuget": "2.30.0",
    "composer": "2.30.0",
}

HOSTILE = [
    "",
    " ",
    "\x00",
    "\n1.0",
    "1.0\r\n",
    "é",
    "1.0\u202e",
    "９.０",  # full-width digits
    "٣.٤",  # Arabic-Indic digits
    "1" * 5000,
    "9" * 400,
    "1." * 2000,
    ".1" * 2000,
    "1-" * 2000,
    "a1" * 2000,
    "~" * 3000,
    "^" * 3000,
    "0" * 3000,
    "1.2.3-" + "a." * 1500 + "a",
    "1.2.3+" + "b." * 1500 + "b",
    "1.0" + "_alpha" * 800,
    "1.0" + "-r1" * 800,
    "v" * 3000 + "1.2.3",
    "=" * 3000 + "1.2.3",
    "1.2.3" + " " * 3000 + "x",
    "1:" * 2000,
    "[" * 2000,
    "(" * 2000 + "1.0",
    "1.0" + "||" * 2000,
    "1.0 " * 1500,
    ">=1.0 " * 1000,
    ",".join(["1.0"] * 2000),
    "1.0.0-" + "-" * 3000,
    "1.0a" + "1a" * 1500,
    "1" + "-1" * 1500,
]


def test_registry_has_every_scheme() -> None:
    registered = schemes()
    for name in NAMES:
        assert isinstance(registered[name], VersionScheme)
        assert scheme(name).name == name
    with pytest.raises(KeyError):
        scheme("no-such-scheme")


@pytest.mark.parametrize("name", NAMES)
def test_hostile_versions(name: str) -> None:
    target = scheme(name)
    for text in HOSTILE:
        start = time.perf_counter()
        try:
            target.compare(text, SAMPLE[name])
            target.key(text)
        except InvalidVersion as exc:
            assert len(str(exc)) < 300, "the message quotes at most the start of the input"
        assert time.perf_counter() - start < 0.25, (name, text[:40])


@pytest.mark.parametrize("name", WITH_RANGES)
def test_hostile_requirements(name: str) -> None:
    target = scheme(name)
    for text in [*HOSTILE, "x" * 10000, ">=" + "1." * 3000 + "1"]:
        start = time.perf_counter()
        try:
            target.satisfies(SAMPLE[name], text)
        except InvalidVersion as exc:
            assert len(str(exc)) < 400
        assert time.perf_counter() - start < 0.25, (name, text[:40])


@pytest.mark.parametrize("name", NAMES)
def test_non_strings_are_invalid(name: str) -> None:
    with pytest.raises(InvalidVersion):
        scheme(name).compare(None, SAMPLE[name])  # type: ignore[arg-type]
    with pytest.raises(InvalidVersion):
        scheme(name).compare(b"1.0", SAMPLE[name])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", NAMES)
def test_valid_and_self_comparison(name: str) -> None:
    target = scheme(name)
    assert target.valid(SAMPLE[name])
    assert target.compare(SAMPLE[name], SAMPLE[name]) == 0
    assert not target.valid("\x00")


@pytest.mark.parametrize("name", ("dpkg", "rpm", "apk", "go"))
def test_schemes_without_ranges(name: str) -> None:
    with pytest.raises(InvalidVersion):
        scheme(name).satisfies(SAMPLE[name], ">= 1.0")


def test_cached_failures_keep_failing() -> None:
    """Failed parses are cached too (an advisory's range meets many versions), and raise every time."""
    for _ in range(3):
        with pytest.raises(InvalidVersion, match="cannot read"):
            scheme("semver").requirement(">=1.0.0 <")
        with pytest.raises(InvalidVersion, match="no comparator"):
            scheme("npm").requirement("foo bar baz")


def test_missing_oracle_fails_naming_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oracles.shutil, "which", lambda name: None)
    monkeypatch.delenv("SEAWALL_SKIP_ORACLES", raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y dpkg"):
        call_oracle(oracles.dpkg_check, [("1", "lt", "2")])
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y ruby"):
        call_oracle(oracles.ruby_gems, compare=[("1", "2")])
    monkeypatch.setenv("SEAWALL_SKIP_ORACLES", "1")
    with pytest.raises(pytest.skip.Exception, match="rpm"):
        call_oracle(oracles.rpm_vercmp, [("1", "2")])
