"""Maven versions and ranges against Maven's own ``ComparableVersion`` (Debian's maven jars, run with java).

Real versions: the pom.xml and pom.properties fixtures of Trivy and Syft. Generated versions: numbers
with ``.`` and ``-``, every qualifier ComparableVersion knows (alpha, beta, milestone, rc, cr,
snapshot, ga, final, release, sp, their one-letter forms) and unknown ones, in any case, with and
without numbers, and one-character mutations. Ranges: built from pairs the oracle ordered, and probed
with versions the oracle placed, following ``VersionRange``/``Restriction`` semantics from the POM
reference ("Dependency Version Requirement Specification").
"""

from __future__ import annotations

import random

import pytest

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs
from tests.versions.conftest import call_oracle
from tests.versions.oracles import maven_compare_chain

MAVEN = scheme("maven")
_ALPHABET = "0123456789.-abmrcsfgpxAR"
_QUALIFIERS = (
    "alpha",
    "beta",
    "milestone",
    "rc",
    "cr",
    "snapshot",
    "SNAPSHOT",
    "ga",
    "final",
    "Final",
    "release",
    "RELEASE",
    "sp",
    "a",
    "b",
    "m",
    "foo",
    "jre",
    "android",
    "M",
    "RC",
    "CR",
    "GA",
    "",
)


def generated(r: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        text = ".".join(str(r.choice((0, 1, 2, 3, 10, 11, 0))) for _ in range(r.randint(1, 4)))
        for _ in range(r.choice((0, 0, 1, 1, 2))):
            qualifier = r.choice(_QUALIFIERS)
            number = r.choice(("", "", "1", "2", "10", "01"))
            text += (
                r.choice(("-", ".", "", "-")) + qualifier + r.choice(("", "-", ".")) * bool(number) + number
            )
        out.append(text.strip("-.") or "1")
    return out


def test_compare_agrees_with_comparable_version() -> None:
    r = pairs.rng("maven")
    pool = list(corpus.maven_versions()) + generated(r, 3000)
    checked = [
        (a, b)
        for a, b in pairs.build_pairs(r, pool, 5000, _ALPHABET)
        if a and b and not a.startswith("-") and not b.startswith("-")
    ]
    chain = [v for pair in checked for v in pair]
    verdicts = call_oracle(maven_compare_chain, chain)
    mismatches = []
    for i, want in enumerate(verdicts):
        a, b = chain[i], chain[i + 1]
        if MAVEN.compare(a, b) != want:
            mismatches.append((a, b, MAVEN.compare(a, b), want))
    assert not mismatches, f"{len(mismatches)} of {len(verdicts)}:\n" + "\n".join(map(repr, mismatches[:30]))
    assert len(verdicts) >= 9000


def test_ranges_follow_oracle_ordering() -> None:
    """``[lo,hi)`` and friends hold v exactly as the oracle orders lo, v, hi (Restriction.containsVersion)."""
    r = pairs.rng("maven-ranges")
    pool = list(corpus.maven_versions()) + generated(r, 1500)
    triples = [(r.choice(pool), r.choice(pool), r.choice(pool)) for _ in range(1200)]
    chain = [v for triple in triples for v in triple]
    verdicts = call_oracle(maven_compare_chain, chain)
    checked = 0
    failures = []
    for k, (low, version, high) in enumerate(triples):
        low_vs_v, v_vs_high = verdicts[3 * k], verdicts[3 * k + 1]
        for lower, upper in (("[", "]"), ("[", ")"), ("(", "]"), ("(", ")")):
            inside_low = low_vs_v < 0 or (low_vs_v == 0 and lower == "[")
            inside_high = v_vs_high < 0 or (v_vs_high == 0 and upper == "]")
            for text, want in (
                (f"{lower}{low},{high}{upper}", inside_low and inside_high),
                (f"{lower}{low},){upper}".replace("){", ")"), inside_low),
                (f"(,{high}{upper}", inside_high),
            ):
                try:
                    got = MAVEN.satisfies(version, text)
                except InvalidVersion:
                    continue  # an empty or reversed range, which Maven rejects too
                checked += 1
                if got != want:
                    failures.append((version, text, got, want))
    assert not failures, failures[:30]
    assert checked >= 6000


# The POM reference, "Dependency Version Requirement Specification".
POM_REFERENCE = [
    ("1.0", "[1.0]", True),
    ("1.0.0", "[1.0]", True),
    ("1.1", "[1.0]", False),
    ("0.9", "(,1.0]", True),
    ("1.0", "(,1.0]", True),
    ("1.0.1", "(,1.0]", False),
    ("1.2", "[1.2,1.3]", True),
    ("1.3", "[1.2,1.3]", True),
    ("1.3.1", "[1.2,1.3]", False),
    ("1.0", "[1.0,2.0)", True),
    ("2.0", "[1.0,2.0)", False),
    ("2.0-SNAPSHOT", "[1.0,2.0)", True),
    ("1.5", "[1.5,)", True),
    ("1.4", "[1.5,)", False),
    ("1.0", "(,1.0],[1.2,)", True),
    ("1.1", "(,1.0],[1.2,)", False),
    ("1.2", "(,1.0],[1.2,)", True),
    ("1.1", "(,1.1),(1.1,)", False),
    ("1.1.1", "(,1.1),(1.1,)", True),
    ("1.0", "1.0", True),
]


@pytest.mark.parametrize(("version", "spec", "expected"), POM_REFERENCE)
def test_pom_reference_examples(version: str, spec: str, expected: bool) -> None:
    assert MAVEN.satisfies(version, spec) is expected


@pytest.mark.parametrize(
    "bad", ["[1.0", "(1.0)", "[1.0,1.0]", "[2.0,1.0]", "(,)", "[1.0,2.0),[1.5,3.0)", "[1.0],1.5", ""]
)
def test_rejects_invalid_ranges(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        MAVEN.requirement(bad)


@pytest.mark.parametrize("bad", ["", "1.0 beta", "1.0\t", "1.0é", "1" + "-1" * 100])
def test_rejects_garbage(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        MAVEN.compare(bad, "1.0")
