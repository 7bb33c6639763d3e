"""Cargo versions and requirements against the Cargo Book, the semver crate's docs and its test suite.

Sources:
- The Cargo Book, "Specifying Dependencies": the caret, tilde, wildcard and comparison tables
  (``^1.2.3 := >=1.2.3, <2.0.0`` ... ``^0 := >=0.0.0, <1.0.0``; ``~1.2.3 := >=1.2.3, <1.3.0``;
  ``1.2.* := >=1.2.0, <1.3.0``), "Multiple requirements": comma-separated, all must hold.
- The semver crate's ``Op`` documentation: ``>I.J`` means ``>=I.(J+1).0``, ``<=I.J`` means
  ``<I.(J+1).0``, ``=I.J`` means ``>=I.J.0, <I.(J+1).0``; and its ``tests/test_version_req.rs``
  (``SEMVER_CRATE`` below, pre-release cases included).

``test_documented_tables_on_real_requirements`` applies the tables, written out independently in
``book_bounds``, to every requirement of the RustSec advisory database (all of which the semver crate
parses, since RustSec is read with it) and to versions around their bounds.
"""

from __future__ import annotations

import itertools
import re

import pytest

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs

CARGO = scheme("cargo")

Triple = tuple[int, int, int]
_SIMPLE = re.compile(r"\s*(=|>=|>|<=|<|~|\^)?\s*([0-9]+)(?:\.([0-9]+|\*))?(?:\.([0-9]+|\*))?\s*")


def book_bounds(op: str, major: int, minor: int | None, patch: int | None) -> tuple[Triple, Triple | None]:
    """``[low, high)`` of one comparator by the Cargo Book's tables (release versions only)."""
    m, p = minor or 0, patch or 0
    if op in ("=", "*"):
        if minor is None:
            return (major, 0, 0), (major + 1, 0, 0)
        if patch is None:
            return (major, m, 0), (major, m + 1, 0)
        return (major, m, p), (major, m, p + 1)
    if op == ">":
        if minor is None:
            return (major + 1, 0, 0), None
        if patch is None:
            return (major, m + 1, 0), None
        return (major, m, p + 1), None
    if op == ">=":
        return (major, m, p), None
    if op == "<":
        return (0, 0, 0), (major, m, p)
    if op == "<=":
        return (0, 0, 0), book_bounds("=", major, minor, patch)[1]
    if op == "~":
        if minor is None:
            return (major, 0, 0), (major + 1, 0, 0)
        return (major, m, p), (major, m + 1, 0)
    # caret
    if major > 0:
        return (major, m, p), (major + 1, 0, 0)
    if minor is None:
        return (0, 0, 0), (1, 0, 0)
    if m > 0:
        return (0, m, p), (0, m + 1, 0)
    if patch is None:
        return (0, 0, 0), (0, 1, 0)
    return (0, 0, p), (0, 0, p + 1)


def book_matches(requirement: str, version: Triple) -> bool | None:
    """The tables' verdict, or None for requirements they do not cover (pre-releases, build metadata)."""
    if requirement.strip() in ("*", "x", "X"):
        return True
    for part in requirement.split(","):
        match = _SIMPLE.fullmatch(part)
        if not match:
            return None
        op, major, minor, patch = match.groups()
        if op is None:
            op = "*" if "*" in (minor, patch) else "^"
        low, high = book_bounds(
            op,
            int(major),
            None if minor in (None, "*") else int(minor),
            None if patch in (None, "*") else int(patch),
        )
        if version < low or (high is not None and version >= high):
            return False
    return True


def _probes(requirement: str) -> list[Triple]:
    """Versions at and around every number the requirement names."""
    out: set[Triple] = {(0, 0, 0), (99, 99, 99)}
    for match in re.finditer(r"([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?", requirement):
        major, minor, patch = (int(g) if g else 0 for g in match.groups())
        for dm in (-1, 0, 1):
            for dn in (-1, 0, 1):
                for dp in (-1, 0, 1):
                    t = (major + dm, minor + dn, patch + dp)
                    if min(t) >= 0:
                        out.add(t)
        out.update({(major + 1, 0, 0), (major, minor + 1, 0)})
    return sorted(out)


def test_every_rustsec_requirement_parses() -> None:
    requirements = corpus.cargo_requirements()
    assert len(requirements) > 500
    failures = []
    for text in requirements:
        try:
            CARGO.requirement(text)
        except InvalidVersion as exc:
            failures.append(str(exc))
    assert not failures, failures[:20]


def test_documented_tables_on_real_requirements() -> None:
    checked = 0
    failures = []
    for text in corpus.cargo_requirements():
        for triple in _probes(text):
            want = book_matches(text, triple)
            if want is None:
                continue
            version = ".".join(map(str, triple))
            checked += 1
            if CARGO.satisfies(version, text) != want:
                failures.append((text, version, want))
    assert not failures, failures[:30]
    assert checked >= 15000


# The semver crate's tests/test_version_req.rs: (requirement, versions that match, versions that do not).
SEMVER_CRATE = [
    ("1.0.0", ["1.0.0", "1.1.0", "1.0.1"], ["0.9.9", "0.10.0", "0.1.0", "1.0.0-pre", "1.0.1-pre"]),
    ("=1.0.0", ["1.0.0"], ["1.0.1", "0.9.9", "0.10.0", "0.1.0", "1.0.0-pre"]),
    ("=0.1.0-beta2.a", ["0.1.0-beta2.a"], ["0.9.1", "0.1.0", "0.1.1-beta2.a", "0.1.0-beta2"]),
    ("=0.1.0+meta", ["0.1.0", "0.1.0+meta", "0.1.0+any"], []),
    (">= 1.0.0", ["1.0.0", "2.0.0"], ["0.1.0", "0.0.1", "1.0.0-pre", "2.0.0-pre"]),
    (
        ">= 2.1.0-alpha2",
        ["2.1.0-alpha2", "2.1.0-alpha3", "2.1.0", "3.0.0"],
        ["2.0.0", "2.1.0-alpha1", "2.0.0-alpha2", "3.0.0-alpha2"],
    ),
    ("< 1.0.0", ["0.1.0", "0.0.1"], ["1.0.0", "1.0.0-beta", "1.0.1", "0.9.9-alpha"]),
    (
        "<= 2.1.0-alpha2",
        ["2.1.0-alpha2", "2.1.0-alpha1", "2.0.0", "1.0.0"],
        ["2.1.0", "2.2.0-alpha1", "2.0.0-alpha2", "1.0.0-alpha2"],
    ),
    (">1.0.0-alpha, <1.0.0", ["1.0.0-beta"], []),
    (">1.0.0-alpha, <1.0", [], ["1.0.0-beta"]),
    (">1.0.0-alpha, <1", [], ["1.0.0-beta"]),
    ("> 0.0.9, <= 2.5.3", ["0.0.10", "1.0.0", "2.5.3"], ["0.0.8", "2.5.4"]),
    ("0.3.0, 0.4.0", [], ["0.0.8", "0.3.0", "0.4.0"]),
    ("<= 0.2.0, >= 0.5.0", [], ["0.0.8", "0.3.0", "0.5.1"]),
    ("0.1.0, 0.1.4, 0.1.6", ["0.1.6", "0.1.9"], ["0.1.0", "0.1.4", "0.2.0"]),
    (
        ">=0.5.1-alpha3, <0.6",
        ["0.5.1-alpha3", "0.5.1-alpha4", "0.5.1-beta", "0.5.1", "0.5.5"],
        ["0.5.1-alpha1", "0.5.2-alpha3", "0.5.5-pre", "0.5.0-pre", "0.6.0", "0.6.0-pre"],
    ),
    ("~1", ["1.0.0", "1.0.1", "1.1.1"], ["0.9.1", "2.9.0", "0.0.9"]),
    ("~1.2", ["1.2.0", "1.2.1"], ["1.1.1", "1.3.0", "0.0.9"]),
    ("~1.2.2", ["1.2.2", "1.2.4"], ["1.2.1", "1.9.0", "1.0.9", "2.0.1", "0.1.3"]),
    (
        "~1.2.3-beta.2",
        ["1.2.3", "1.2.4", "1.2.3-beta.2", "1.2.3-beta.4"],
        ["1.3.3", "1.1.4", "1.2.3-beta.1", "1.2.4-beta.2"],
    ),
    (
        "^1",
        ["1.1.2", "1.1.0", "1.2.1", "1.0.1"],
        ["0.9.1", "2.9.0", "0.1.4", "1.0.0-beta1", "0.1.0-alpha", "1.0.1-pre"],
    ),
    ("^1.1", ["1.1.2", "1.1.0", "1.2.1"], ["0.9.1", "2.9.0", "1.0.1", "0.1.4"]),
    (
        "^1.1.2",
        ["1.1.2", "1.1.4", "1.2.1"],
        ["0.9.1", "2.9.0", "1.1.1", "0.0.1", "1.1.2-alpha1", "1.1.3-alpha1", "2.9.0-alpha1"],
    ),
    (
        "^0.1.2",
        ["0.1.2", "0.1.4"],
        ["0.9.1", "2.9.0", "1.1.1", "0.0.1", "0.1.2-beta", "0.1.3-alpha", "0.2.0-pre"],
    ),
    (
        "^0.5.1-alpha3",
        ["0.5.1-alpha3", "0.5.1-alpha4", "0.5.1-beta", "0.5.1", "0.5.5"],
        ["0.5.1-alpha1", "0.5.2-alpha3", "0.5.5-pre", "0.5.0-pre", "0.6.0"],
    ),
    ("^0.0.2", ["0.0.2"], ["0.9.1", "2.9.0", "1.1.1", "0.0.1", "0.1.4"]),
    ("^0.0", ["0.0.2", "0.0.0"], ["0.9.1", "2.9.0", "1.1.1", "0.1.4"]),
    ("^0", ["0.9.1", "0.0.2", "0.0.0"], ["2.9.0", "1.1.1"]),
    (
        "^1.4.2-beta.5",
        ["1.4.2", "1.4.3", "1.4.2-beta.5", "1.4.2-beta.6", "1.4.2-c"],
        ["0.9.9", "2.0.0", "1.4.2-alpha", "1.4.2-beta.4", "1.4.3-beta.5"],
    ),
    ("*", ["0.9.1", "2.9.0", "0.0.9", "1.0.1", "1.1.1"], ["1.0.0-pre"]),
    ("1.*", ["1.2.0", "1.2.1", "1.1.1", "1.3.0"], ["0.0.9", "1.2.0-pre"]),
    ("1.2.*", ["1.2.0", "1.2.2", "1.2.4"], ["1.9.0", "1.0.9", "2.0.1", "0.1.3", "1.2.2-pre"]),
    ("=2.1.1-really.0", ["2.1.1-really.0"], []),
    ("0.*.*", ["0.5.0"], []),
]


@pytest.mark.parametrize(("requirement", "matching", "failing"), SEMVER_CRATE)
def test_semver_crate_cases(requirement: str, matching: list[str], failing: list[str]) -> None:
    for version in matching:
        assert CARGO.satisfies(version.split("+")[0], requirement), version
    for version in failing:
        assert not CARGO.satisfies(version, requirement), version


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "> 0.1.0,",
        "> 0.3.0, ,",
        "1.2.3 - 2.3.4",
        "> 0.0.9 <= 2.5.3",
        "=1.2.3 || =2.3.4",
        ">= >= 0.0.2",
        ">== 0.0.2",
        "a.0.0",
        "1.0.0-",
        ">=",
        "*, 0.20.0-any",
        "0.20.0-any, *",
        "*.1",
        "1.*.1",
        ">=1.*.1",
        "1.2.3-01",
        "1.2.3+4.",
        "1.",
        "1.*.",
        ">1, " * 32 + ">1",
    ],
)
def test_semver_crate_rejects(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        CARGO.requirement(bad)


def test_ordering() -> None:
    """SemVer precedence; Cargo.lock versions of the fixtures sort consistently."""
    assert CARGO.compare("1.0.0-alpha", "1.0.0-alpha.1") == -1
    assert CARGO.compare("1.0.0-beta.11", "1.0.0-rc.1") == -1
    assert CARGO.compare("1.0.0-rc.1", "1.0.0") == -1
    assert CARGO.compare("1.0.0+a", "1.0.0+b") == 0
    versions = [v for v in corpus.cargo_versions() if CARGO.valid(v)]
    assert len(versions) > 400
    ordered = sorted(versions, key=CARGO.key)
    assert all(CARGO.compare(a, b) <= 0 for a, b in itertools.pairwise(ordered))
    r = pairs.rng("cargo")
    for a, b in pairs.build_pairs(r, versions, 2000):
        assert CARGO.compare(a, b) == -CARGO.compare(b, a)


@pytest.mark.parametrize("bad", ["", "1.2", "v1.2.3", "01.2.3", "1.2.3-", "1.2.3-01", " 1.2.3", "1.2.3.4"])
def test_rejects_invalid_versions(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        CARGO.compare(bad, "1.0.0")
