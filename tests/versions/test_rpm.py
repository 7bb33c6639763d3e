"""RPM versions against rpm's own ``rpm.vercmp`` (through ``rpm --eval`` and its Lua), the oracle.

Real versions: every ``epoch:version-release`` of AlmaLinux's OSV advisories (paired within a package,
where versions differ late, as in ``1.4.3.39-7.module_el8.10.0+3864`` against ``...-8...``). Generated
versions: epochs, ``~`` pre-releases, ``^`` snapshots, alphabetic segments, dist tags and module
releases, and one-character mutations of all of them.
"""

from __future__ import annotations

import itertools
import random

import pytest

from seawall.versions import InvalidVersion, scheme
from seawall.versions.rpm import vercmp
from tests.versions import corpus, pairs
from tests.versions.conftest import call_oracle
from tests.versions.oracles import rpm_vercmp

RPM = scheme("rpm")
_ALPHABET = "0123456789.~^_+-:abzAZ"
_VERSIONS = (
    "1.0",
    "1.2.3",
    "2.0~rc1",
    "1.0^20200101git3a1b",
    "3.0.0~beta2",
    "10",
    "1.1a",
    "0.9.8zh",
    "2:4.5",
)
_RELEASES = (
    "",
    "-1",
    "-1.el8",
    "-0.1.beta2.fc35",
    "-3.module_el8.5.0+119+9a9ec082",
    "-2.el9_1",
    "-1.el8_4.1",
    "-10",
)


def generated(r: random.Random, count: int) -> list[str]:
    versions = []
    for _ in range(count):
        epoch = r.choice(("", "", "", "0:", "1:", "2:"))
        body = r.choice(_VERSIONS)
        if r.random() < 0.5:
            body = ".".join(str(r.choice((0, 1, 2, 9, 10, 11))) for _ in range(r.randint(1, 4)))
            body += r.choice(("", "", "~rc1", "^git1", "a", "~~", "^", "~"))
        versions.append(epoch + body + r.choice(_RELEASES))
    return versions


def rpm_pairs() -> list[tuple[str, str]]:
    r = pairs.rng("rpm")
    by_package = corpus.rpm_versions_by_package()
    real: list[tuple[str, str]] = []
    for versions in by_package.values():
        real.extend(itertools.pairwise(versions))
    real = r.sample(real, min(len(real), 3000))
    pool = pairs.sample(r, [v for vs in by_package.values() for v in vs], 3000) + generated(r, 2000)
    return real + pairs.build_pairs(r, pool, 3000, _ALPHABET) + [(a, b) for a, b, _ in DOCUMENTED]


def test_compare_agrees_with_rpm_vercmp() -> None:
    checked = [(a, b) for a, b in rpm_pairs() if RPM.valid(a) and RPM.valid(b)]
    expected = call_oracle(rpm_vercmp, checked)
    assert len(expected) == len(checked) >= 5500
    mismatches = [
        f"{a!r} vs {b!r}: ours {RPM.compare(a, b)}, rpm {want}"
        for (a, b), want in zip(checked, expected, strict=True)
        if RPM.compare(a, b) != want
    ]
    assert not mismatches, f"{len(mismatches)} of {len(checked)} disagree:\n" + "\n".join(mismatches[:30])


def test_bare_vercmp_agrees_with_rpm() -> None:
    """rpmvercmp itself, on strings rpm never splits (no epoch or release): separators, ``~``, ``^``."""
    r = pairs.rng("rpmvercmp")
    alphabet = "0123456789.~^_ab"
    strings = ["".join(r.choice(alphabet) for _ in range(r.randint(1, 8))) for _ in range(1500)]
    checked = [(a, b) for a, b in pairs.build_pairs(r, strings, 1500, alphabet) if "-" not in a + b]
    expected = call_oracle(rpm_vercmp, checked)
    mismatches = [(a, b, w) for (a, b), w in zip(checked, expected, strict=True) if vercmp(a, b) != w]
    assert not mismatches, mismatches[:30]


# Fedora's packaging guidelines ("Versioning": ~ for pre-releases, ^ for snapshots) and rpm's own tests
# (tests/rpmvercmp.at); rpm confirms each in the differential test above.
DOCUMENTED = [
    ("1.0", "1.0", 0),
    ("1.0", "2.0", -1),
    ("2.0.1", "2.0", 1),
    ("2.0", "2.0.1a", -1),
    ("5.5p1", "5.5p10", -1),
    ("10xyz", "10.1xyz", -1),
    ("xyz10", "xyz10.1", -1),
    ("1.0~rc1", "1.0", -1),
    ("1.0~rc1", "1.0~rc2", -1),
    ("1.0~rc1~git123", "1.0~rc1", -1),
    ("1.0^", "1.0", 1),
    ("1.0^git1", "1.01", -1),
    ("1.0^git1", "1.0^git2", -1),
    ("1.0^git1~pre", "1.0^git1", -1),
    ("1.0^", "1.0~", 1),
    ("1:1.0-1", "2.0-1", 1),
    ("0:1.0-1", "1.0-1", 0),
]


@pytest.mark.parametrize(("a", "b", "expected"), DOCUMENTED)
def test_documented_examples(a: str, b: str, expected: int) -> None:
    assert RPM.compare(a, b) == expected
    assert RPM.compare(b, a) == -expected


def test_missing_release_sorts_first() -> None:
    """rpm.vercmp (rpm 4.18) puts a version without release before any release, even ``~`` or empty."""
    assert RPM.compare("1.0", "1.0-~") == -1
    assert RPM.compare("1.0", "1.0-") == -1
    assert RPM.compare("1.0-", "1.0-~") == 1


def test_sort_key_orders_like_compare() -> None:
    versions = generated(pairs.rng("rpm-sort"), 300)
    ordered = sorted(versions, key=RPM.key)
    for a, b in itertools.pairwise(ordered):
        assert RPM.compare(a, b) <= 0


@pytest.mark.parametrize("bad", ["", "1.0 1", "1.0\t", "1.0é", "\x00", "1" * 600])
def test_rejects_garbage(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        RPM.compare(bad, "1.0")
