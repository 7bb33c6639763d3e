"""Alpine versions against apk-tools' documented rules and its own test vectors (no oracle installable).

Sources:
- apk-tools ``doc/apk-package.5.scd`` ("PACKAGE INFO METADATA", *version*): "number{.number}...{letter}
  {_suffix{number}}...{~hash}{-r#}"; "The *letter* portion can follow only after end of all the numeric
  version components. The *letter* is a single lower case letter (a-z)"; "The list of valid suffixes
  (and their sorting order) is: alpha, beta, pre, rc, <no suffix>, cvs, svn, git, hg, p"; "{~hash} ...
  lower case hexdecimal digits"; "Finally an optional package build component -r{number}".
- apk-tools ``test/version.data``: the pairs quoted in ``VERSION_DATA`` below.

The rule-derived cases are built on every fixed version of the Alpine secdb (v3.3-v3.11, the v3.15
sample) and the Wolfi secdb sample.
"""

from __future__ import annotations

import itertools
import re

import pytest

from seawall.versions import InvalidVersion, scheme
from seawall.versions.apk import POST_SUFFIXES, PRE_SUFFIXES
from tests.versions import corpus

APK = scheme("apk")

# From apk-tools test/version.data (one "a op b" per line).
VERSION_DATA = """
2.34 > 0.1.0_alpha
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2.1 > 1.2
1.3_alpha < 1.3_alpha2
0.8_beta1 < 0.8_beta2
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.13_beta5 > 0.9.12
1.2.12.1 < 1.2.13
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
3.1_p17 > 1.06-r6
1.06-r6 < 006
006 > 1.0.0
9.3.4-r2 > 9.3.4
2.59 < 20050718-r1
3.9.8-r5 > 2.01.01_alpha10
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
1.39 > 1.00_beta2
2.8.9-r1 > 2.8.9
1.02 < 1.03-r1
2.8.0.6-r1 > 0.5.2.7
0.5.2.7 < 4.2.52_p2-r1
4.2.52_p2-r1 < 4.2.52_p4-r2
4.2.52_p4-r2 > 1.02.07
1.02.07 < 1.02.10-r1
2.18.3-r10 > 1.05-r18
1.05-r18 < 1.05-r19
2.20.1 < 2.20.3
20060720 > 3.0.20060720
3.0.20060720 < 20060720
2.5.1-r8 < 2.5.1a-r1
2.5.1a-r1 > 1.19.2-r1
1.3.5-r10 > 1.3.5-r8
0.99.163 < 2.6.15.20060110
2.6.15.20060110 < 2.6.16.20060323
3.0.0-r2 < 021109-r3
021109-r3 < 20060512
0.9.16-r1 < 3.9_pre20060124
3.9_pre20060124 > 0.01
1.1.7 < 6b-r7
6b-r7 > 1.12-r7
0.10.0-r1 > 0.10.0
0.10.0 < 0.10.1_rc1
0.10.1_rc1 > 0.9.11
2.0.2 > 1.1a
1.1a < 1.3a
1.0-r1 > 0.15.1b
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
22.7.3-r1 > 22.7
22.7 > 2.1_pre20
2.1_pre20 < 2.1_pre26
2.10.1 > 02.08.01b
02.08.01b < 4.77
2.02.06 < 2.02.10
8.1.2.20040524-r1 < 8.1.2.20050715-r1
3.81 > 1.6d
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
1.2.12.04 < 1.2.12.05
1.07-r1 < 1.07.5
1.07.5 > 1.07
20061003 > 0.1_pre20060810
0.1_pre20060810 < 0.1_pre20060817
3.3.17 > 0.59s-r11
0.59s-r11 < 0.65
4.20 > 0.20070118
0.20070118 < 0.20070207_rc1
0.20070207_rc1 < 1.0
2.3.30-r2 < 3.7_p1
4.3_p2-r1 < 4.3_p2-r5
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
2.2.3-r2 < 013
013 < 014-r1
0.1.23 < 5b-r9
3.2.7 > 0.3.1_rc8
1.7 < 1.7b
1.7b < 1.8.4-r3
1.8.5 < 1.8.5_p2
1.4.9-r2 < 2.9.11_pre20051101-r2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
2.9.11_pre20051101 < 2.9.11_pre20061021-r1
1.6.8_p12-r1 > 1.6.8_p9-r2
0.40-r1 < 2.25b-r5
1.4_p12-r2 < 1.4_p12-r5
0.9.28-r2 < 0.9.28.1
0.9.28.1 < 087-r1
104-r11 > 104-r9
5.52-r1 > 1.2.5_rc2
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.1.1-r3 > 0.3.4_pre20061029
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
6.0_pre1 < 6.0
6.1_pre1 < 6.1
6.0_p1 > 6.0
6.1_p1 > 6.1
"""
_OPS = {"<": -1, "=": 0, ">": 1}


def _version_data() -> list[tuple[str, str, int]]:
    rows = []
    for line in VERSION_DATA.strip().splitlines():
        a, op, b = line.split()
        rows.append((a, b, _OPS[op]))
    return rows


@pytest.mark.parametrize(("a", "b", "expected"), _version_data())
def test_apk_tools_version_data(a: str, b: str, expected: int) -> None:
    assert APK.compare(a, b) == expected
    assert APK.compare(b, a) == -expected


_REVISION = re.compile(r"^(.*?)(?:-r([0-9]+))?$")


def rule_cases() -> list[tuple[str, str, int, str]]:
    """``(a, b, expected, rule)`` derived from the documented grammar for each real secdb version."""
    cases: list[tuple[str, str, int, str]] = []
    for version in corpus.apk_versions():
        if not APK.valid(version):
            continue
        match = _REVISION.match(version)
        assert match
        base, revision = match.group(1), int(match.group(2) or 0)
        rev = f"-r{revision}"
        cases.append((f"{base}-r{revision}", f"{base}-r{revision + 1}", -1, "-r# orders numerically"))
        cases.append((base, f"{base}-r{revision + 1}", -1, "a build component sorts after none"))
        if "~" in base:
            continue
        order = [f"{base}_{s}" for s in PRE_SUFFIXES] + [base] + [f"{base}_{s}" for s in POST_SUFFIXES]
        for lower, higher in itertools.pairwise(order):
            cases.append((lower + rev, higher + rev, -1, "suffix order alpha..rc < none < cvs..p"))
        cases.append((f"{base}_rc9{rev}", f"{base}_rc10{rev}", -1, "suffix numbers order numerically"))
        cases.append((f"{base}_p2{rev}", f"{base}_p10{rev}", -1, "suffix numbers order numerically"))
        cases.append((f"{base}~0abc{rev}", f"{base}~0abc{rev}", 0, "equal commit hashes"))
        tail = re.search(r"\.([1-9][0-9]*)$", base)
        if re.fullmatch(r"[0-9]+(?:\.[0-9]+)*", base):
            cases.append((base + rev, f"{base}.1{rev}", -1, "an extra number component sorts after none"))
            cases.append((base + rev, f"{base}a{rev}", -1, "a letter sorts after none"))
            cases.append((f"{base}a{rev}", f"{base}b{rev}", -1, "letters order alphabetically"))
            cases.append((f"{base}z{rev}", f"{base}.0{rev}", -1, "a letter sorts before a further number"))
        if tail:
            bumped = base[: tail.start(1)] + str(int(tail.group(1)) + 1)
            cases.append((base + rev, bumped + rev, -1, "numbers order numerically"))
    return cases


def test_documented_rules_on_real_versions() -> None:
    cases = rule_cases()
    assert len(cases) >= 10000
    failures = [
        f"{a} vs {b}: {APK.compare(a, b)} ({rule})" for a, b, want, rule in cases if APK.compare(a, b) != want
    ]
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:30])
    reverse = [(a, b) for a, b, want, _ in cases if APK.compare(b, a) != -want]
    assert not reverse, reverse[:10]


def test_real_versions_sort_consistently() -> None:
    """Sorting with the key agrees with pairwise compare (a total order over all real versions)."""
    versions = [v for v in corpus.apk_versions() if APK.valid(v)]
    assert len(versions) > 1000
    ordered = sorted(versions, key=APK.key)
    assert all(APK.compare(a, b) <= 0 for a, b in itertools.pairwise(ordered))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "a1.0",
        "1.0A",  # upper-case letter
        "1.0ab",  # only one letter
        "1.0a.1",  # no number after the letter
        "1.0_foo",  # unknown suffix
        "1.0_Alpha",
        "1.0-r",  # -r needs a number
        "1.0-1",  # only -r#
        "1.0-r1-r2",
        "1.0-r1_p1",  # the build component comes last
        "1.0~",  # an empty hash
        "1.0~xyz",  # not hexadecimal
        "1.0~ab~cd",
        "1..0",
        "1.0.",
        ".1",
        "1.0 ",
        "23_foo",  # listed as invalid in version.data
        "1.0bc",
    ],
)
def test_rejects_what_apk_does_not_validate(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        APK.compare(bad, "1.0")


def test_leading_zero_components_compare_as_strings() -> None:
    """A dotted component with a leading zero compares as a string (apk-tools' Gentoo rule)."""
    assert APK.compare("1.02", "1.1") == -1
    assert APK.compare("1.01", "1.001") == 1
    assert APK.compare("1.10", "1.9") == 1


def test_numbers_wrap_like_apk() -> None:
    """apk stores numbers in 64 bits (apk_blob_pull_uint); a longer number wraps rather than crashing."""
    wrapped = int("9" * 40) % 2**64
    assert APK.compare("1." + "9" * 40, f"1.{wrapped}") == 0
    assert APK.compare("1." + "9" * 40, f"1.{wrapped + 1}") == -1
