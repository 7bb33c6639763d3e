"""NuGet versions and ranges against NuGet's documentation and NuGet.Client's own tests (no oracle here).

Sources:
- "Package versioning" (NuGet docs): "Version ranges" table (``1.0`` is x >= 1.0, ``(1.0,)``, ``[1.0]``,
  ``(,1.0]``, ``(,1.0)``, ``[1.0,2.0]``, ``(1.0,2.0)``, ``[1.0,2.0)``, ``(1.0)`` invalid); "Normalized
  version numbers": leading zeros are removed, a zero fourth part is omitted, build metadata is removed;
  "Pre-release versions" and "Semantic Versioning 2.0.0": a version with a label sorts before the same
  version without one; labels compare one by one, numeric ones numerically and before alphanumeric ones
  (SemVer 2.0.0 section 11), alphanumeric ones case-insensitively (``VersionComparerTests.cs``).
- NuGet.Client ``test/NuGet.Core.Tests/NuGet.Versioning.Test``: ``VersionComparerTests.cs``
  (``COMPARER_*``) and ``VersionRangeTests.cs`` (``RANGE_*``).

Rule-derived cases use the versions of the .deps.json, packages.lock.json and packages.config fixtures
and generated ones.
"""

from __future__ import annotations

import random

import pytest

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs

NUGET = scheme("nuget")

COMPARER_EQUAL = [
    ("1.0.0", "1.0.0"),
    ("1.0.0-BETA", "1.0.0-beta"),
    ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
    ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
]
COMPARER_LESS = [
    ("0.0.0", "1.0.0"),
    ("1.0.0", "1.1.0"),
    ("1.0.0", "1.0.1"),
    ("1.999.9999", "2.1.1"),
    ("1.0.0-BETA", "1.0.0-beta2"),
    ("1.0.0-beta+AA", "1.0.0+aa"),
    ("1.0.0-BETA", "1.0.0-beta.1+AA"),
    ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa"),
    ("1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc"),
]
RANGE_SATISFIES = [
    ("1.0.0", "2.0.0"),
    ("[1.0.0, 2.0.0]", "2.0.0"),
    ("(2.0.0,)", "2.1.0"),
    ("[2.0.0]", "2.0.0"),
    ("(,2.0.0]", "2.0.0"),
    ("(,2.0.0]", "1.0.0"),
    ("[2.0.0, )", "2.0.0"),
    ("1.0.0", "1.0.0"),
    ("[1.0.0]", "1.0.0"),
    ("[1.0.0, 1.0.0]", "1.0.0"),
    ("[1.0.0, 2.0.0]", "1.0.0"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "1.0.0"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "1.0.0-beta+meta"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "2.0.0-beta"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "1.0.0+meta"),
    ("(1.0.0-beta+meta, 2.0.0-beta+meta)", "1.0.0"),
    ("(1.0.0-beta+meta, 2.0.0-beta+meta)", "2.0.0-alpha+meta"),
    ("(1.0.0-beta+meta, 2.0.0-beta+meta)", "2.0.0-alpha"),
    ("(, 2.0.0-beta+meta)", "2.0.0-alpha"),
    ("[1.0.0, 2.0.0]", "1.0.0+B"),
    ("[1.0.0+A, 2.0.0+A]", "1.0.0"),
    ("[1,3)", "1.0.0"),
    ("(, )", "7.0.0"),
    ("   [  1 .2   , 2  .3   ]  ", "2.3"),
]
RANGE_NOT_SATISFIES = [
    ("1.0.0", "0.0.0"),
    ("[1.0.0, 2.0.0]", "2.0.1"),
    ("[1.0.0, 2.0.0]", "0.0.0"),
    ("[1.0.0, 2.0.0]", "3.0.0"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "1.0.0-alpha"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "1.0.0-alpha+meta"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "2.0.0-rc"),
    ("[1.0.0-beta+meta, 2.0.0-beta+meta]", "2.0.0+meta"),
    ("(1.0.0-beta+meta, 2.0.0-beta+meta)", "2.0.0-beta+meta"),
    ("(, 2.0.0-beta+meta)", "2.0.0-beta+meta"),
    ("[1,3)", "3.0.0"),
]
RANGE_INVALID = [
    "",
    "      ",
    "-1",
    "+1",
    "1.",
    ".1",
    "1,",
    ",1",
    ",",
    "-",
    "+",
    "a",
    "   [-1, 2]  ",
    "(,)",
    "[,]",
    "[,)",
    "(,]",
    "(,1.3..2]",
    "(1.2.3.4.5,1.2]",
    "(1.0)",
]
# The docs' "Version ranges" table: (notation, versions inside, versions outside).
DOCS_TABLE = [
    ("1.0", ["1.0", "1.0.1", "2.0"], ["0.9", "1.0-beta"]),
    ("[1.0,)", ["1.0", "5.0"], ["0.9"]),
    ("(1.0,)", ["1.0.1", "2.0"], ["1.0", "0.9"]),
    ("[1.0]", ["1.0", "1.0.0.0"], ["1.0.1", "0.9"]),
    ("(,1.0]", ["1.0", "0.1"], ["1.0.1"]),
    ("(,1.0)", ["0.9", "1.0-rc"], ["1.0"]),
    ("[1.0,2.0]", ["1.0", "1.5", "2.0"], ["0.9", "2.0.1"]),
    ("(1.0,2.0)", ["1.5"], ["1.0", "2.0"]),
    ("[1.0,2.0)", ["1.0", "1.9.9"], ["2.0"]),
]


@pytest.mark.parametrize(("a", "b"), COMPARER_EQUAL)
def test_comparer_equal(a: str, b: str) -> None:
    assert NUGET.compare(a, b) == 0 == NUGET.compare(b, a)


@pytest.mark.parametrize(("a", "b"), COMPARER_LESS)
def test_comparer_less(a: str, b: str) -> None:
    assert NUGET.compare(a, b) == -1
    assert NUGET.compare(b, a) == 1


@pytest.mark.parametrize(("spec", "version"), RANGE_SATISFIES)
def test_range_satisfies(spec: str, version: str) -> None:
    assert NUGET.satisfies(version, spec)


@pytest.mark.parametrize(("spec", "version"), RANGE_NOT_SATISFIES)
def test_range_does_not_satisfy(spec: str, version: str) -> None:
    assert not NUGET.satisfies(version, spec)


@pytest.mark.parametrize("spec", RANGE_INVALID)
def test_range_invalid(spec: str) -> None:
    with pytest.raises(InvalidVersion):
        NUGET.requirement(spec)


@pytest.mark.parametrize(("spec", "inside", "outside"), DOCS_TABLE)
def test_docs_range_table(spec: str, inside: list[str], outside: list[str]) -> None:
    assert all(NUGET.satisfies(v, spec) for v in inside)
    assert not any(NUGET.satisfies(v, spec) for v in outside)


def generated(r: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        text = ".".join(str(r.choice((0, 1, 2, 3, 10, 255))) for _ in range(r.randint(1, 4)))
        if r.random() < 0.4:
            labels = [
                r.choice(("alpha", "Beta", "rc", "preview", "1", "10", "2", "x-y", "RC1"))
                for _ in range(r.randint(1, 3))
            ]
            text += "-" + ".".join(labels)
        if r.random() < 0.2:
            text += "+" + r.choice(("meta", "sha.1a2b", "001"))
        out.append(text)
    return out


def rule_cases() -> list[tuple[str, str, int, str]]:
    r = pairs.rng("nuget")
    versions = [v for v in list(corpus.nuget_versions()) + generated(r, 1500) if NUGET.valid(v)]
    cases: list[tuple[str, str, int, str]] = []
    for v in versions:
        core, _, rest = v.partition("-") if "-" in v.split("+")[0] else (v.split("+")[0], "", "")
        labels = rest.split("+")[0] if rest else ""
        numbers = core.split(".")
        suffix = ("-" + labels) if labels else ""
        padded = ".".join(numbers + ["0"] * (4 - len(numbers)))
        cases.append((v, padded + suffix, 0, "missing parts are zero; a zero fourth part is omitted"))
        cases.append((v, ".".join("0" + n for n in numbers) + suffix, 0, "leading zeros are removed"))
        cases.append((v, core + suffix + "+build.7", 0, "build metadata is ignored"))
        if labels:
            cases.append((v, core + "-" + labels.swapcase(), 0, "labels compare case-insensitively"))
            cases.append((v, core, -1, "a pre-release sorts before its release"))
            cases.append(
                (core + "-" + labels, core + "-" + labels + ".0", -1, "more labels sort after fewer")
            )
        else:
            cases.append((core + "-alpha", v, -1, "a pre-release sorts before its release"))
            cases.append((core + "-1", core + "-a", -1, "numeric labels sort before alphanumeric ones"))
            cases.append((core + "-2", core + "-10", -1, "numeric labels compare numerically"))
            cases.append((core + "-B", core + "-a.1", 1, "alphanumeric labels compare case-insensitively"))
        bumped = [*numbers[:-1], str(int(numbers[-1]) + 1)]
        cases.append((v, ".".join(bumped) + suffix, -1, "numbers compare numerically"))
    return cases


def test_documented_rules_on_versions() -> None:
    cases = rule_cases()
    assert len(cases) >= 8000
    failures = [(a, b, want, rule) for a, b, want, rule in cases if NUGET.compare(a, b) != want]
    assert not failures, failures[:30]
    assert all(NUGET.compare(b, a) == -want for a, b, want, _ in cases)


@pytest.mark.parametrize(
    "bad", ["1.2.3.4.5", "1..2", "1.0.0-", "1.0.0-01", "1.0.0-a..b", "1.0+", "v1.0", "a", "1.0.0-é"]
)
def test_rejects_invalid_versions(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        NUGET.compare(bad, "1.0")
