"""dpkg versions against ``dpkg --compare-versions`` (the oracle), plus Debian Policy's examples.

Real versions: the fixed versions of the Debian security tracker's DSA/DLA lists and of Ubuntu's CVE
tracker (paired within a source package, where the comparisons are close), and the dpkg status
fixtures. Generated versions: epochs, upstream versions with ``~``, ``+``, letters and hyphens,
Debian and Ubuntu revisions, and one-character mutations of all of them (valid or not).
"""

from __future__ import annotations

import itertools
import random

import pytest

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs
from tests.versions.conftest import call_oracle
from tests.versions.oracles import dpkg_check

DPKG = scheme("dpkg")
_OPS = {-1: "lt", 0: "eq", 1: "gt"}
_ALPHABET = "0123456789.+~-:abcxyzABZ$_"
_UPSTREAM_TAILS = (
    "",
    "",
    "~rc1",
    "~beta2",
    "+dfsg",
    "+dfsg1",
    "+ds1",
    "a",
    "b",
    "~",
    "~~",
    "+git20190427",
    "+really1.2",
    ".0",
)
_REVISIONS = (
    "",
    "-1",
    "-0",
    "-2",
    "-1ubuntu0.1",
    "-2+deb11u3",
    "-1~bpo10+1",
    "-0.1",
    "-3build1",
    "-1+b2",
    "-1.1~exp1",
    "-12",
    "-1ubuntu0.18.04.1",
    "-0+deb9u1",
)


def generated(r: random.Random, count: int) -> list[str]:
    versions = []
    for _ in range(count):
        epoch = r.choice(("", "", "", "", "0:", "1:", "2:", "10:"))
        numbers = [str(r.choice((0, 1, 2, 3, 9, 10, 11, 20, 100, 2019, 7))) for _ in range(r.randint(1, 4))]
        upstream = ".".join(numbers) + r.choice(_UPSTREAM_TAILS) + r.choice(_UPSTREAM_TAILS)
        revision = r.choice(_REVISIONS)
        if revision and r.random() < 0.1:
            upstream += "-" + str(r.randint(0, 3))
        versions.append(epoch + upstream + revision)
    return versions


def dpkg_pairs() -> list[tuple[str, str]]:
    r = pairs.rng("dpkg")
    by_package = corpus.debian_versions_by_package()
    real: list[tuple[str, str]] = []
    for versions in by_package.values():
        if len(versions) >= 2:
            real.extend(itertools.pairwise(versions))
    real = r.sample(real, min(len(real), 1000))
    all_real = [v for vs in by_package.values() for v in vs] + list(corpus.debian_status_versions())
    pool = pairs.sample(r, all_real, 1500) + generated(r, 800)
    mixed = pairs.build_pairs(r, pool, 1600, _ALPHABET, accept=lambda v: not v.startswith("-"))
    return real + mixed + [(a, b) for a, b, _ in POLICY]


def ours(a: str, b: str) -> int | None:
    try:
        return DPKG.compare(a, b)
    except InvalidVersion:
        return None


def test_compare_agrees_with_dpkg() -> None:
    """Each pair is checked with the operator our answer implies; dpkg must confirm it (exit 0), or both
    must reject the pair (InvalidVersion here, exit 2 there)."""
    checked = dpkg_pairs()
    answers = [ours(a, b) for a, b in checked]
    claims = [
        (a, _OPS[0 if answer is None else answer], b) for (a, b), answer in zip(checked, answers, strict=True)
    ]
    codes = call_oracle(dpkg_check, claims)
    assert len(codes) == len(claims)
    mismatches = [
        f"{a!r} {op} {b!r}: ours={answer} dpkg exit {code}"
        for (a, op, b), answer, code in zip(claims, answers, codes, strict=True)
        if code != (2 if answer is None else 0)
    ]
    assert not mismatches, f"{len(mismatches)} of {len(claims)} pairs disagree:\n" + "\n".join(
        mismatches[:30]
    )
    invalid = answers.count(None)
    assert len(checked) >= 2600 and invalid >= 50, (len(checked), invalid)


# Debian Policy 5.6.12 ("Version"): "~~ < ~~a < ~ < the empty part < a", letters before non-letters,
# numbers compared numerically, a missing epoch is 0; as examples (dpkg confirms each in the test above).
POLICY = [
    ("~~", "~~a", -1),
    ("~~a", "~", -1),
    ("1.0~rc1", "1.0", -1),
    ("1.0", "1.0+b1", -1),
    ("1.0-1", "1.0-1+b1", -1),
    ("1:1.0", "2.0", 1),
    ("0:1.0", "1.0", 0),
    ("1.0-0", "1.0", 0),
    ("1.0a", "1.0+", -1),
    ("1.0", "1.0.0", -1),
    ("1.2.3", "1.2.10", -1),
    ("1.002", "1.2", 0),
    ("2.0-1ubuntu0.1", "2.0-1", 1),
    ("2.4.56-1~deb11u1", "2.4.56-1", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), POLICY)
def test_policy_examples(a: str, b: str, expected: int) -> None:
    assert DPKG.compare(a, b) == expected
    assert DPKG.compare(b, a) == -expected


@pytest.mark.parametrize("bad", ["", " ", "1.0-", ":1.0", "1:", "a:1.0", "1 0", "99999999999:1.0", "-1:1.0"])
def test_rejects_what_dpkg_rejects(bad: str) -> None:
    """dpkg's hard errors (empty, empty revision or epoch, embedded blanks, epoch too big or negative)."""
    with pytest.raises(InvalidVersion):
        DPKG.compare(bad, "1.0")


@pytest.mark.parametrize("bad", ["1.0\x00", "1.0\n", "1.0é", "1" * 600])
def test_rejects_control_and_non_ascii_characters(bad: str) -> None:
    """Stricter than dpkg, which only warns: no package database holds such versions legitimately."""
    with pytest.raises(InvalidVersion):
        DPKG.compare(bad, "1.0")


def test_compares_what_dpkg_only_warns_about() -> None:
    """dpkg warns about an upstream version not starting with a digit, and compares it anyway."""
    assert DPKG.compare("a1.0", "1.0") == 1
    assert DPKG.compare("1.0$", "1.0") == 1


def test_sort_key_orders_like_compare() -> None:
    r = pairs.rng("dpkg-sort")
    versions = generated(r, 300)
    ordered = sorted(versions, key=DPKG.key)
    for a, b in itertools.pairwise(ordered):
        assert DPKG.compare(a, b) <= 0
