"""SemVer and npm versions and ranges against node-semver (the ``semver`` package run with node).

Both schemes are checked: ``semver`` against node-semver's default options, ``npm`` against its
``loose`` option. Real data: the ``vulnerable_versions``/``patched_versions`` ranges of the Node.js
security WG's npm advisories and the versions in them and in the npm/yarn lockfile fixtures.
Generated data: versions with pre-releases, build metadata, ``v``/``=`` prefixes and leading zeros;
ranges of every form node-semver documents (comparators, x-ranges, tilde, caret, hyphen, ``||``),
with the spacing variants people write, and one-character mutations of both.
"""

from __future__ import annotations

import random

import pytest

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs
from tests.versions.conftest import call_oracle
from tests.versions.oracles import node_semver

NPM = scheme("npm")
SEMVER = scheme("semver")
_VERSION_ALPHABET = "0123456789.-+vx=abAZ"
_RANGE_ALPHABET = "0123456789.-+ <>=~^|xX*v"
_PRE = ("alpha", "beta.1", "rc.2", "0", "1", "alpha.beta", "x.7.z.92", "beta.11", "beta.2", "01", "-", "1a")


def generated_versions(r: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        core = ".".join(str(r.choice((0, 1, 2, 3, 10, 11, 99))) for _ in range(3))
        text = r.choice(("", "", "", "v", "=", "v=", " ")) + core
        if r.random() < 0.4:
            text += r.choice(("-", "-", "")) + r.choice(_PRE)
        if r.random() < 0.15:
            text += "+" + r.choice(("build.1", "sha.5114f85", "001", "x"))
        if r.random() < 0.03:
            text = "0" + text.lstrip("v= ")
        out.append(text)
    return out


def _partial(r: random.Random) -> str:
    parts = [str(r.choice((0, 1, 2, 3, 10)))]
    for _ in range(r.choice((0, 1, 2, 2, 2))):
        parts.append(r.choice(("0", "1", "2", "5", "x", "X", "*")))
    text = ".".join(parts)
    if len(parts) == 3 and r.random() < 0.3:
        text += "-" + r.choice(_PRE)
    return r.choice(("", "", "v", "=")) + text


def generated_ranges(r: random.Random, count: int) -> list[str]:
    ops = ("", "<", "<=", ">", ">=", "=", "~", "~>", "^")
    out = []
    for _ in range(count):
        alternatives = []
        for _ in range(r.choice((1, 1, 1, 2, 3))):
            if r.random() < 0.15:
                alternatives.append(f"{_partial(r)}{r.choice((' - ', ' -  ', ' - '))}{_partial(r)}")
                continue
            comparators = []
            for _ in range(r.choice((1, 1, 2, 2, 3))):
                comparators.append(r.choice(ops) + r.choice(("", "", "", " ")) + _partial(r))
            alternatives.append(" ".join(comparators))
        if r.random() < 0.05:
            alternatives.append(r.choice(("*", "", "x", ">=0.0.0", "<0.0.0-0")))
        out.append(r.choice(("||", " || ", " ||  ")).join(alternatives))
    return out


def test_compare_agrees_with_node_semver() -> None:
    r = pairs.rng("semver")
    pool = pairs.sample(r, corpus.npm_versions(), 2000) + generated_versions(r, 3000)
    checked = pairs.build_pairs(r, pool, 6000, _VERSION_ALPHABET)
    requests = [(a, b, loose) for a, b in checked for loose in (False, True)]
    answers = call_oracle(node_semver, compare=requests)["compare"]
    mismatches = []
    for (a, b, loose), theirs in zip(requests, answers, strict=True):
        target = NPM if loose else SEMVER
        try:
            ours: int | None = target.compare(a, b)
        except InvalidVersion:
            ours = None
        if ours != theirs:
            mismatches.append((a, b, "loose" if loose else "strict", ours, theirs))
    assert not mismatches, f"{len(mismatches)} of {len(requests)}:\n" + "\n".join(map(repr, mismatches[:30]))
    assert len(requests) >= 12000
    assert sum(1 for a in answers if a is None) >= 1000


def _satisfies(loose: bool, version: str, text: str) -> bool | None:
    target = NPM if loose else SEMVER
    try:
        requirement = target.requirement(text)
        return requirement.matches(version)
    except InvalidVersion:
        return None


def test_ranges_agree_with_node_semver() -> None:
    """Membership, and validity too: both sides answer None for a range or version they cannot read."""
    r = pairs.rng("semver-ranges")
    real_ranges = list(corpus.npm_ranges())
    made = generated_ranges(r, 800)
    mutated = [pairs.mutate(r, t, _RANGE_ALPHABET) for t in r.sample(real_ranges + made, 250)]
    versions = pairs.sample(r, corpus.npm_versions(), 1500) + generated_versions(r, 1500)
    requests = []
    for text in real_ranges + made + mutated:
        probes = r.sample(versions, 4)
        probes += [w for w in _words(text) if w[:1].isdigit()][:3]
        requests.extend((v, text, loose) for v in probes for loose in (True, False))
    answers = call_oracle(node_semver, satisfies=requests)["satisfies"]
    mismatches = [
        (v, text, "loose" if loose else "strict", _satisfies(loose, v, text), theirs)
        for (v, text, loose), theirs in zip(requests, answers, strict=True)
        if _satisfies(loose, v, text) != theirs
    ]
    assert not mismatches, f"{len(mismatches)} of {len(requests)}:\n" + "\n".join(map(repr, mismatches[:40]))
    assert len(requests) >= 12000
    assert sum(1 for a in answers if a is True) >= 2000
    assert sum(1 for a in answers if a is None) >= 1000


def _words(text: str) -> list[str]:
    return [w.lstrip("<>=~^v") for w in text.replace("||", " ").split()]


# node-semver's README ("Ranges", "Prerelease Tags", "Advanced Range Syntax").
README = [
    ("1.2.3", ">=1.2.7", False),
    ("1.2.8", ">=1.2.7 <1.3.0", True),
    ("1.3.0", ">=1.2.7 <1.3.0", False),
    ("1.2.6", "1.2.7 || >=1.2.9 <2.0.0", False),
    ("1.4.6", "1.2.7 || >=1.2.9 <2.0.0", True),
    ("3.4.5-alpha.7", ">1.2.3-alpha.3", False),
    ("1.2.3-alpha.7", ">1.2.3-alpha.3", True),
    ("1.2.3-alpha.7", ">=1.2.3-alpha.3", True),
    ("2.3.4", "1.2.3 - 2.3.4", True),
    ("2.3.5", "1.2.3 - 2.3.4", False),
    ("2.3.9", "1.2.3 - 2.3", True),
    ("2.4.0", "1.2.3 - 2.3", False),
    ("1.9.9", "1.x", True),
    ("2.0.0", "1.x", False),
    ("1.2.9", "~1.2.3", True),
    ("1.3.0", "~1.2.3", False),
    ("0.2.9", "~0", True),
    ("1.3.0", "^1.2.3", True),
    ("2.0.0", "^1.2.3", False),
    ("0.2.4", "^0.2.3", True),
    ("0.3.0", "^0.2.3", False),
    ("0.0.3", "^0.0.3", True),
    ("0.0.4", "^0.0.3", False),
    ("1.2.3-beta.4", "^1.2.3-beta.2", True),
    ("1.2.4-beta.2", "^1.2.3-beta.2", False),
    ("1.0.0-rc.1", "*", False),
    ("1.0.0", "", True),
]


@pytest.mark.parametrize(("version", "spec", "expected"), README)
def test_readme_examples(version: str, spec: str, expected: bool) -> None:
    assert NPM.satisfies(version, spec) is expected
    assert SEMVER.satisfies(version, spec) is expected


def test_readme_examples_hold_in_node_semver() -> None:
    requests = [(version, spec, loose) for version, spec, _ in README for loose in (False, True)]
    answers = call_oracle(node_semver, satisfies=requests)["satisfies"]
    expected = [want for _, _, want in README for _ in (False, True)]
    assert answers == expected


def test_semver_spec_ordering() -> None:
    """SemVer 2.0.0 section 11's precedence example, and build metadata being ignored (section 10)."""
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ]
    assert sorted(reversed(ordered), key=SEMVER.key) == ordered
    assert SEMVER.compare("1.0.0+build.1", "1.0.0+build.2") == 0


def test_loose_forms() -> None:
    assert NPM.compare("v1.2.3", "=1.2.3") == 0
    assert NPM.compare("1.2.3beta", "1.2.3-beta") == 0
    assert not SEMVER.valid("=1.2.3")
    assert SEMVER.valid("v1.2.3")


@pytest.mark.parametrize(
    "bad", ["", "1.2", "1.2.3.4", "01.2.3", "1.2.3-01", "a.b.c", "1.2.3-", "9" * 20 + ".0.0", "1" * 300]
)
def test_rejects_invalid_versions(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        SEMVER.compare(bad, "1.0.0")
