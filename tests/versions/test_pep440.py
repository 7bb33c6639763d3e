"""PEP 440 versions and specifiers against ``packaging`` (the oracle, installed in the virtualenv).

Real versions: every version the PyPA advisory database names (range events and affected-version
lists, junk included, which both sides must reject alike). Generated versions: epochs, pre/post/dev
releases in every spelling PEP 440 normalises, local versions, ``v`` prefixes, case and separators.
Specifiers: every operator with real and generated versions, wildcards, locals, comma-joined sets.
"""

from __future__ import annotations

import random

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion as PackagingInvalid
from packaging.version import Version

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs

PEP440 = scheme("pep440")
_ALPHABET = "0123456789.!+-_abcdeprvlostAB* "
_PRE = ("a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC")
_SEPARATORS = ("", ".", "-", "_")


def generated(r: random.Random, count: int) -> list[str]:
    versions = []
    for _ in range(count):
        text = r.choice(("", "", "", "v", "V")) + r.choice(("", "", "", "", "1!", "2!", "0!"))
        text += ".".join(str(r.choice((0, 1, 2, 3, 10, 2024, 0))) for _ in range(r.randint(1, 4)))
        if r.random() < 0.4:
            text += (
                r.choice(_SEPARATORS)
                + r.choice(_PRE)
                + r.choice(_SEPARATORS)
                + r.choice(("", "0", "1", "2", "11"))
            )
        if r.random() < 0.3:
            if r.random() < 0.3:
                text += "-" + str(r.randint(0, 3))
            else:
                text += r.choice(_SEPARATORS) + r.choice(("post", "rev", "r", "POST"))
                text += r.choice(_SEPARATORS) + r.choice(("", "0", "1", "5"))
        if r.random() < 0.3:
            text += (
                r.choice(_SEPARATORS)
                + r.choice(("dev", "DEV"))
                + r.choice(_SEPARATORS)
                + r.choice(("", "0", "3"))
            )
        if r.random() < 0.2:
            text += "+" + r.choice(("local", "ubuntu.1", "abc-1_2", "1", "deb9u1", "Cuda.11"))
        if r.random() < 0.05:
            text = f" {text}\t"
        versions.append(text)
    return versions


def _packaging_cmp(a: str, b: str) -> int | None:
    try:
        va, vb = Version(a), Version(b)
    except PackagingInvalid:
        return None
    return (va > vb) - (va < vb)


def _ours(a: str, b: str) -> int | None:
    try:
        return PEP440.compare(a, b)
    except InvalidVersion:
        return None


def test_compare_agrees_with_packaging() -> None:
    r = pairs.rng("pep440")
    real = pairs.sample(r, corpus.pypi_versions(), 6000)
    pool = real + generated(r, 4000)
    checked = pairs.build_pairs(r, pool, 8000, _ALPHABET)
    mismatches = [
        (a, b, _ours(a, b), _packaging_cmp(a, b)) for a, b in checked if _ours(a, b) != _packaging_cmp(a, b)
    ]
    assert not mismatches, f"{len(mismatches)} of {len(checked)}:\n" + "\n".join(map(repr, mismatches[:30]))
    invalid = sum(1 for a, b in checked if _ours(a, b) is None)
    assert len(checked) >= 8000 and invalid >= 400, (len(checked), invalid)


def test_validity_agrees_with_packaging_on_real_versions() -> None:
    real = pairs.sample(pairs.rng("pep440-valid"), corpus.pypi_versions(), 12000)
    assert len(real) == 12000
    disagree = [v for v in real if PEP440.valid(v) != (_packaging_cmp(v, v) is not None)]
    assert not disagree, disagree[:30]


def specifiers(r: random.Random, versions: list[str], count: int) -> list[str]:
    ops = ("==", "!=", "<=", ">=", "<", ">", "~=", "===", "==", "!=")
    out = []
    for _ in range(count):
        clauses = []
        for _ in range(r.choice((1, 1, 1, 2, 2, 3))):
            op = r.choice(ops)
            version = r.choice(versions).strip()
            if op in ("==", "!=") and r.random() < 0.3:
                version = version.split("+")[0]
                version = ".".join(p for p in version.split(".")[:2] if p) + ".*"
            if r.random() < 0.02:
                version = version + "+local"
            clauses.append(op + r.choice(("", "", " ")) + version)
        out.append(", ".join(clauses) if r.random() < 0.5 else ",".join(clauses))
    return out


def _packaging_contains(spec: str, version: str) -> bool | None:
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        return None


def _ours_contains(spec: str, version: str) -> bool | None:
    try:
        requirement = PEP440.requirement(spec)
    except InvalidVersion:
        return None
    return requirement.matches(version)


def test_specifiers_agree_with_packaging() -> None:
    r = pairs.rng("pep440-spec")
    valid = [v for v in pairs.sample(r, corpus.pypi_versions(), 4000) + generated(r, 3000) if PEP440.valid(v)]
    specs = specifiers(r, valid, 2500)
    checked = 0
    mismatches = []
    for spec in specs:
        # random versions, and the versions the specifier names, which probe every boundary
        named = [c.split("=")[-1].lstrip("<>~! ").removesuffix(".*") for c in spec.split(",")]
        for version in r.sample(valid, 3) + [v for v in named if PEP440.valid(v)]:
            ours, theirs = _ours_contains(spec, version), _packaging_contains(spec, version)
            checked += 1
            if ours != theirs:
                mismatches.append((spec, version, ours, theirs))
    assert not mismatches, f"{len(mismatches)} of {checked}:\n" + "\n".join(map(repr, mismatches[:30]))
    assert checked >= 9000


# PEP 440's own examples ("Version specifiers", "Compatible release", "Version matching", "Exclusive
# ordered comparison", "Summary of permitted suffixes and relative ordering").
PEP_EXAMPLES = [
    ("1.1", "~= 2.2", False),
    ("2.2", "~= 2.2", True),
    ("2.9", "~= 2.2", True),
    ("3.0", "~= 2.2", False),
    ("1.4.5", "~= 1.4.5", True),
    ("1.4.9", "~= 1.4.5", True),
    ("1.5.0", "~= 1.4.5", False),
    ("2.2.post3", "~= 2.2.post3", True),
    ("2.3", "~= 2.2.post3", True),
    ("1.1.2", "== 1.1.*", True),
    ("1.1.0", "== 1.1", True),
    ("1.1.post1", "== 1.1", False),
    ("1.1.post1", "== 1.1.post1", True),
    ("1.1.post1", "== 1.1.*", True),
    ("1.1.post1", "!= 1.1", True),
    ("1.1.post1", "!= 1.1.*", False),
    ("1.7.1", "> 1.7", True),
    ("1.7.0.post1", "> 1.7", False),
    ("1.7.1", "> 1.7.post2", True),
    ("1.7.0.post3", "> 1.7.post2", True),
    ("1.7.0", "> 1.7.post2", False),
    ("1.7.1", "< 1.7", False),
    ("1.7.0rc1", "< 1.7", False),
    ("1.6.9", "< 1.7", True),
    ("1.7.0rc1", "< 1.7.0rc2", True),
    ("1.0+downstream1", "== 1.0", True),
    ("1.0+downstream1", "== 1.0+downstream1", True),
    ("1.0+downstream2", "== 1.0+downstream1", False),
    ("1.0", ">= 1.0, != 1.3.4.*, < 2.0", True),
    ("1.3.4.5", ">= 1.0, != 1.3.4.*, < 2.0", False),
]


@pytest.mark.parametrize(("version", "spec", "expected"), PEP_EXAMPLES)
def test_pep440_examples(version: str, spec: str, expected: bool) -> None:
    assert _packaging_contains(spec, version) is expected  # the oracle reads the PEP the same way
    assert PEP440.satisfies(version, spec) is expected


def test_pep440_ordering_example() -> None:
    """The ordering example of PEP 440's "Summary of permitted suffixes and relative ordering"."""
    ordered = [
        "1.dev0",
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0rc1.dev456",
        "1.0rc1",
        "1.0",
        "1.0+abc.5",
        "1.0+abc.7",
        "1.0+5",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.15",
        "1.1.dev1",
    ]
    assert sorted(reversed(ordered), key=PEP440.key) == ordered


@pytest.mark.parametrize("bad", ["", "1.0.x", "1.0-", "1..0", "one", "1.0+", "1.0+a..b", "1.0é", "1" * 600])
def test_rejects_invalid_versions(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        PEP440.compare(bad, "1.0")


@pytest.mark.parametrize("bad", ["1.0", "=>1.0", "~=1", "<1.0.*", ">=1.0+local", "==", "==1.0,;", "~=1.0.*"])
def test_rejects_invalid_specifiers(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        PEP440.requirement(bad)
