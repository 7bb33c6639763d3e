"""Composer versions and constraints against composer/semver's own test suite (no PHP here).

Sources (composer/semver ``tests/``):
- ``VersionParserTest.php``: ``successfulNormalizedVersions`` and ``failingNormalizedVersions``
  (``NORMALIZED``, ``NOT_VERSIONS``); ``simpleConstraints``, ``wildcardConstraints``,
  ``tildeConstraints``, ``caretConstraints``, ``hyphenConstraints``, ``constraintProvider`` and
  ``multiConstraintProvider`` (``PARSED``: the comparators each constraint becomes).
- ``SemverTest.php``: ``satisfiesProviderPositive``/``Negative`` (``SATISFIES``), ``sortProvider``.
- ``ComparatorTest.php``: ``compareProvider`` (``COMPARE``).
The rule-derived test applies ``PARSED``'s rewriting rules (``^``, ``~``, wildcards, ``-dev`` on
unstable lower bounds) to the composer.lock/installed.json fixture versions and generated ones.
"""

from __future__ import annotations

import pytest

from seawall.versions import InvalidVersion, scheme
from seawall.versions.composer import normalize
from tests.versions import corpus, pairs

COMPOSER = scheme("composer")

NORMALIZED = [
    ("1.0.0", "1.0.0.0"),
    ("1.2.3.4", "1.2.3.4"),
    ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
    ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
    ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
    ("1.0.0-rc1", "1.0.0.0-RC1"),
    ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
    ("1.0-dev", "1.0.0.0-dev"),
    ("0", "0.0.0.0"),
    ("10.4.13-beta", "10.4.13.0-beta"),
    ("10.4.13beta2", "10.4.13.0-beta2"),
    ("10.4.13beta.2", "10.4.13.0-beta2"),
    ("v1.13.11-beta.0", "1.13.11.0-beta0"),
    ("1.13.11.0-beta0", "1.13.11.0-beta0"),
    ("10.4.13-b", "10.4.13.0-beta"),
    ("10.4.13-b5", "10.4.13.0-beta5"),
    ("v1.0.0", "1.0.0.0"),
    ("2010.01", "2010.01.0.0"),
    ("2010.01.02", "2010.01.02.0"),
    ("2010.1.555", "2010.1.555.0"),
    ("2010.10.200", "2010.10.200.0"),
    ("20230131.0.0", "20230131.0.0"),
    ("202301310000.0.0", "202301310000.0.0"),
    ("v20100102", "20100102"),
    ("20100102", "20100102"),
    ("20100102.0", "20100102.0"),
    ("20100102.1.0", "20100102.1.0"),
    ("20100102.0.3", "20100102.0.3"),
    ("2010-01-02-10-20-30.0.3", "2010.01.02.10.20.30.0.3"),
    ("2010-01-02-10-20-30.5", "2010.01.02.10.20.30.5"),
    ("2010-01-02", "2010.01.02"),
    ("2012.06.07", "2012.06.07.0"),
    ("2010-01-02.5", "2010.01.02.5"),
    ("20100102-203040", "20100102.203040"),
    ("20100102.x-dev", "20100102.9999999.9999999.9999999-dev"),
    ("20100102.203040.x-dev", "20100102.203040.9999999.9999999-dev"),
    ("20100102203040-10", "20100102203040.10"),
    ("20100102-203040-p1", "20100102.203040-patch1"),
    ("201903.0", "201903.0"),
    ("201903.x-dev", "201903.9999999.9999999.9999999-dev"),
    ("201903.0-p2", "201903.0-patch2"),
    ("dev-master", "dev-master"),
    ("master", "dev-master"),
    ("dev-trunk", "dev-trunk"),
    ("1.x-dev", "1.9999999.9999999.9999999-dev"),
    ("dev-feature-foo", "dev-feature-foo"),
    ("DEV-FOOBAR", "dev-FOOBAR"),
    ("dev-feature/foo", "dev-feature/foo"),
    ("dev-feature+issue-1", "dev-feature+issue-1"),
    ("dev-master as 1.0.0", "dev-master"),
    ("dev-load-varnish-only-when-used as ^2.0", "dev-load-varnish-only-when-used"),
    ("dev-load-varnish-only-when-used@dev as ^2.0@dev", "dev-load-varnish-only-when-used"),
    ("1.0.0+foo@dev", "1.0.0.0"),
    ("dev-load-varnish-only-when-used@stable", "dev-load-varnish-only-when-used"),
    ("1.0.0-beta.5+foo", "1.0.0.0-beta5"),
    ("1.0.0+foo", "1.0.0.0"),
    ("1.0.0-alpha.3.1+foo", "1.0.0.0-alpha3.1"),
    ("1.0.0-alpha2.1+foo", "1.0.0.0-alpha2.1"),
    ("1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3"),
    ("1.0.0+foo as 2.0", "1.0.0.0"),
    ("00.01.03.04", "00.01.03.04"),
    ("000.001.003.004", "000.001.003.004"),
    ("0.000.103.204", "0.000.103.204"),
    ("0700", "0700.0.0.0"),
    ("041.x-dev", "041.9999999.9999999.9999999-dev"),
    ("dev-041.003", "dev-041.003"),
    ("dev-1.0.0-dev<1.0.5-dev", "dev-1.0.0-dev<1.0.5-dev"),
    ("dev-foo bar", "dev-foo bar"),
    (" 1.0.0", "1.0.0.0"),
    ("1.0.0 ", "1.0.0.0"),
]
NOT_VERSIONS = [
    "",
    "a",
    "1.0.0-meh",
    "1.0.0.0.0",
    "feature-foo",
    "1.0.0+foo bar",
    "1.0.1-SNAPSHOT",
    "1.0.0<1.0.5-dev",
    "1.0.0-dev<1.0.5-dev",
    "foo bar-dev",
    "1.0 .2",
    " as ",
    " as 1.2",
    "^",
    "^8 || ^",
    "~",
    "~1 ~",
    "~1",
    "^1",
    "1.*",
    "20100102.0.3.4",
]

# Each constraint and the comparators it becomes: alternatives of (operator, normalised version) lists.
PARSED = [
    ("*", [[("*", "")]]),
    ("v*", [[(">=", "0.0.0.0-dev")]]),
    ("*.*", [[(">=", "0.0.0.0-dev")]]),
    ("v*.*", [[(">=", "0.0.0.0-dev")]]),
    ("*.x.*", [[(">=", "0.0.0.0-dev")]]),
    ("x.X.x.*", [[(">=", "0.0.0.0-dev")]]),
    ("<>1.0.0", [[("!=", "1.0.0.0")]]),
    ("!=1.0.0", [[("!=", "1.0.0.0")]]),
    (">1.0.0", [[(">", "1.0.0.0")]]),
    ("<1.2.3.4", [[("<", "1.2.3.4-dev")]]),
    ("<=1.2.3", [[("<=", "1.2.3.0")]]),
    (">=1.2.3", [[(">=", "1.2.3.0-dev")]]),
    ("=1.2.3", [[("==", "1.2.3.0")]]),
    ("==1.2.3", [[("==", "1.2.3.0")]]),
    ("1.2.3", [[("==", "1.2.3.0")]]),
    ("=1.0", [[("==", "1.0.0.0")]]),
    ("1.2.3b5", [[("==", "1.2.3.0-beta5")]]),
    ("1.2.3a1", [[("==", "1.2.3.0-alpha1")]]),
    ("1.2.3p1234", [[("==", "1.2.3.0-patch1234")]]),
    ("1.2.3pl1234", [[("==", "1.2.3.0-patch1234")]]),
    (">= 1.2.3", [[(">=", "1.2.3.0-dev")]]),
    ("< 1.2.3", [[("<", "1.2.3.0-dev")]]),
    ("> 1.2.3", [[(">", "1.2.3.0")]]),
    (">=dev-master", [[(">=", "dev-master")]]),
    ("dev-master", [[("==", "dev-master")]]),
    ("dev-feature-a", [[("==", "dev-feature-a")]]),
    ("dev-some-fix", [[("==", "dev-some-fix")]]),
    ("dev-CAPS", [[("==", "dev-CAPS")]]),
    ("dev-master as 1.0.0", [[("==", "dev-master")]]),
    ("<1.2.3.4-stable", [[("<", "1.2.3.4")]]),
    (">=1.2.3.4-stable", [[(">=", "1.2.3.4")]]),
    ("1.0@dev", [[("==", "1.0.0.0")]]),
    (">=1.0@beta", [[(">=", "1.0.0.0-beta")]]),
    ("1.0.x-dev#abcd123", [[("==", "1.0.9999999.9999999-dev")]]),
    ("v2.*", [[(">=", "2.0.0.0-dev"), ("<", "3.0.0.0-dev")]]),
    ("2.*.*", [[(">=", "2.0.0.0-dev"), ("<", "3.0.0.0-dev")]]),
    ("20.*", [[(">=", "20.0.0.0-dev"), ("<", "21.0.0.0-dev")]]),
    ("2.0.*", [[(">=", "2.0.0.0-dev"), ("<", "2.1.0.0-dev")]]),
    ("2.x", [[(">=", "2.0.0.0-dev"), ("<", "3.0.0.0-dev")]]),
    ("2.2.x", [[(">=", "2.2.0.0-dev"), ("<", "2.3.0.0-dev")]]),
    ("2.10.X", [[(">=", "2.10.0.0-dev"), ("<", "2.11.0.0-dev")]]),
    ("2.1.3.*", [[(">=", "2.1.3.0-dev"), ("<", "2.1.4.0-dev")]]),
    ("0.*", [[("<", "1.0.0.0-dev")]]),
    ("0.x.x", [[("<", "1.0.0.0-dev")]]),
    ("~v1", [[(">=", "1.0.0.0-dev"), ("<", "2.0.0.0-dev")]]),
    ("~1.0", [[(">=", "1.0.0.0-dev"), ("<", "2.0.0.0-dev")]]),
    ("~1.0.0", [[(">=", "1.0.0.0-dev"), ("<", "1.1.0.0-dev")]]),
    ("~1.2.3", [[(">=", "1.2.3.0-dev"), ("<", "1.3.0.0-dev")]]),
    ("~1.2.3.4", [[(">=", "1.2.3.4-dev"), ("<", "1.2.4.0-dev")]]),
    ("~1.2-beta", [[(">=", "1.2.0.0-beta"), ("<", "2.0.0.0-dev")]]),
    ("~1.2-b2", [[(">=", "1.2.0.0-beta2"), ("<", "2.0.0.0-dev")]]),
    ("~1.2-BETA2", [[(">=", "1.2.0.0-beta2"), ("<", "2.0.0.0-dev")]]),
    ("~1.2.2-dev", [[(">=", "1.2.2.0-dev"), ("<", "1.3.0.0-dev")]]),
    ("~1.2.2-stable", [[(">=", "1.2.2.0"), ("<", "1.3.0.0-dev")]]),
    ("~201903.0", [[(">=", "201903.0-dev"), ("<", "201904.0.0.0-dev")]]),
    ("~201903.205830.1-stable", [[(">=", "201903.205830.1"), ("<", "201903.205831.0.0-dev")]]),
    ("~2.x-dev", [[(">=", "2.9999999.9999999.9999999-dev"), ("<", "3.0.0.0-dev")]]),
    ("~2.0.3.x-dev", [[(">=", "2.0.3.9999999-dev"), ("<", "2.0.4.0-dev")]]),
    ("^v1", [[(">=", "1.0.0.0-dev"), ("<", "2.0.0.0-dev")]]),
    ("^0", [[(">=", "0.0.0.0-dev"), ("<", "1.0.0.0-dev")]]),
    ("^0.0", [[(">=", "0.0.0.0-dev"), ("<", "0.1.0.0-dev")]]),
    ("^1.2", [[(">=", "1.2.0.0-dev"), ("<", "2.0.0.0-dev")]]),
    ("^1.2.3-beta.2", [[(">=", "1.2.3.0-beta2"), ("<", "2.0.0.0-dev")]]),
    ("^1.2.3.4", [[(">=", "1.2.3.4-dev"), ("<", "2.0.0.0-dev")]]),
    ("^0.2.3", [[(">=", "0.2.3.0-dev"), ("<", "0.3.0.0-dev")]]),
    ("^0.0.3", [[(">=", "0.0.3.0-dev"), ("<", "0.0.4.0-dev")]]),
    ("^0.0.3-alpha", [[(">=", "0.0.3.0-alpha"), ("<", "0.0.4.0-dev")]]),
    ("^0.0.3-stable", [[(">=", "0.0.3.0"), ("<", "0.0.4.0-dev")]]),
    ("^201903.205830.1-stable", [[(">=", "201903.205830.1"), ("<", "201904.0.0.0-dev")]]),
    ("^2.0.*-dev", [[(">=", "2.0.9999999.9999999-dev"), ("<", "3.0.0.0-dev")]]),
    ("^0.x-dev", [[(">=", "0.9999999.9999999.9999999-dev"), ("<", "1.0.0.0-dev")]]),
    ("v1 - v2", [[(">=", "1.0.0.0-dev"), ("<", "3.0.0.0-dev")]]),
    ("1.2.3 - 2.3.4.5", [[(">=", "1.2.3.0-dev"), ("<=", "2.3.4.5")]]),
    ("1.2-beta - 2.3", [[(">=", "1.2.0.0-beta"), ("<", "2.4.0.0-dev")]]),
    ("1.2-beta - 2.3-dev", [[(">=", "1.2.0.0-beta"), ("<=", "2.3.0.0-dev")]]),
    ("1.2-RC - 2.3.1", [[(">=", "1.2.0.0-RC"), ("<=", "2.3.1.0")]]),
    ("1 - 2.0", [[(">=", "1.0.0.0-dev"), ("<", "2.1.0.0-dev")]]),
    ("1.2 - 2.1.0", [[(">=", "1.2.0.0-dev"), ("<=", "2.1.0.0")]]),
    (
        "2.x-dev - 3.x-dev",
        [[(">=", "2.9999999.9999999.9999999-dev"), ("<=", "3.9999999.9999999.9999999-dev")]],
    ),
    ("3.x-dev", [[("==", "3.9999999.9999999.9999999-dev")]]),
    ("3-dev", [[("==", "3.0.0.0-dev")]]),
    ("dev-3.x", [[("==", "dev-3.x")]]),
    ("xsd2php-dev", [[("==", "dev-xsd2php")]]),
    ("3.next-dev", [[("==", "dev-3.next")]]),
    ("foobar-dev as 2.1.0 || 3.5", [[("==", "dev-foobar")], [("==", "3.5.0.0")]]),
    ("2.1.0 - 2.3-dev", [[(">=", "2.1.0.0-dev"), ("<=", "2.3.0.0-dev")]]),
    ("^1.", [[(">=", "1.0.0.0-dev"), ("<", "2.0.0.0-dev")]]),
    ("~1.", [[(">=", "1.0.0.0-dev"), ("<", "2.0.0.0-dev")]]),
    ("1.2.", [[("==", "1.2.0.0")]]),
    ("1.2..dev", [[("==", "1.2.0.0-dev")]]),
    ("1.2-.dev", [[("==", "1.2.0.0-dev")]]),
    ("1.2_-dev", [[("==", "1.2.0.0-dev")]]),
    (
        "~2.5.9|~2.6,>=2.6.2",
        [
            [(">=", "2.5.9.0-dev"), ("<", "2.6.0.0-dev")],
            [(">=", "2.6.0.0-dev"), ("<", "3.0.0.0-dev"), (">=", "2.6.2.0-dev")],
        ],
    ),
    (">=1.1.0-alpha4,<1.2.x-dev", [[(">=", "1.1.0.0-alpha4"), ("<", "1.2.9999999.9999999-dev")]]),
    (">=1.1.0-alpha4,<1.2-beta2", [[(">=", "1.1.0.0-alpha4"), ("<", "1.2.0.0-beta2")]]),
] + [
    (text, [[(">", "2.0.0.0"), ("<=", "3.0.0.0")]])
    for text in (
        ">2.0,<=3.0",
        ">2.0 <=3.0",
        ">2.0  <=3.0",
        ">2.0, <=3.0",
        ">2.0 ,<=3.0",
        ">2.0 , <=3.0",
        ">2.0   , <=3.0",
        "> 2.0   <=  3.0",
        "> 2.0  ,  <=  3.0",
        "  > 2.0  ,  <=  3.0 ",
    )
]

SATISFIES = [
    (True, v, c)
    for v, c in [
        ("1.2.3", "1.0.0 - 2.0.0"),
        ("1.2.3", "^1.2.3+build"),
        ("1.3.0", "^1.2.3+build"),
        ("2.4.3-alpha", "1.2.3+asdf - 2.4.3+asdf"),
        ("1.3.0-beta", ">1.2"),
        ("1.2.3-beta", "<=1.2.3"),
        ("1.2.3-beta", "^1.2.3"),
        ("1.2.3", "1.2.3+asdf - 2.4.3+asdf"),
        ("1.0.0", "1.0.0"),
        ("1.2.3", "*"),
        ("v1.2.3", "*"),
        ("1.0.0", ">=1.0.0"),
        ("1.0.1", ">=1.0.0"),
        ("1.1.0", ">=1.0.0"),
        ("1.0.1", ">1.0.0"),
        ("1.1.0", ">1.0.0"),
        ("2.0.0", "<=2.0.0"),
        ("1.9999.9999", "<=2.0.0"),
        ("0.2.9", "<=2.0.0"),
        ("1.9999.9999", "<2.0.0"),
        ("0.2.9", "<2.0.0"),
        ("1.0.0", ">= 1.0.0"),
        ("1.0.1", ">=  1.0.0"),
        ("1.1.0", ">=   1.0.0"),
        ("1.0.1", "> 1.0.0"),
        ("1.1.0", ">  1.0.0"),
        ("2.0.0", "<=   2.0.0"),
        ("1.9999.9999", "<= 2.0.0"),
        ("0.2.9", "<=  2.0.0"),
        ("1.9999.9999", "<    2.0.0"),
        ("0.2.9", "<\t2.0.0"),
        ("v0.1.97", ">=0.1.97"),
        ("0.1.97", ">=0.1.97"),
        ("1.2.4", "0.1.20 || 1.2.4"),
        ("0.0.0", ">=0.2.3 || <0.0.1"),
        ("0.2.3", ">=0.2.3 || <0.0.1"),
        ("0.2.4", ">=0.2.3 || <0.0.1"),
        ("2.1.3", "2.x.x"),
        ("1.2.3", "1.2.x"),
        ("2.1.3", "1.2.x || 2.x"),
        ("1.2.3", "1.2.x || 2.x"),
        ("1.2.3", "x"),
        ("2.1.3", "2.*.*"),
        ("1.2.3", "1.2.*"),
        ("2.1.3", "1.2.* || 2.*"),
        ("1.2.3", "1.2.* || 2.*"),
        ("2.9.0", "~2.4"),
        ("2.4.5", "~2.4"),
        ("1.2.3", "~1"),
        ("1.4.7", "~1.0"),
        ("1.0.0", ">=1"),
        ("1.0.0", ">= 1"),
        ("1.2.8", ">1.2"),
        ("1.1.1", "<1.2"),
        ("1.1.1", "< 1.2"),
        ("1.2.3", "~1.2.1 >=1.2.3"),
        ("1.2.3", "~1.2.1 =1.2.3"),
        ("1.2.3", "~1.2.1 1.2.3"),
        ("1.2.3", "~1.2.1 >=1.2.3 1.2.3"),
        ("1.2.3", "~1.2.1 1.2.3 >=1.2.3"),
        ("1.2.3", ">=1.2.1 1.2.3"),
        ("1.2.3", "1.2.3 >=1.2.1"),
        ("1.2.3", ">=1.2.3 >=1.2.1"),
        ("1.2.3", ">=1.2.1 >=1.2.3"),
        ("1.2.8", ">=1.2"),
        ("1.8.1", "^1.2.3"),
        ("0.1.2", "^0.1.2"),
        ("0.1.2", "^0.1"),
        ("1.4.2", "^1.2"),
        ("1.4.2", "^1.2 ^1"),
        ("0.0.1-beta", "^0.0.1-alpha"),
    ]
] + [
    (False, v, c)
    for v, c in [
        ("2.2.3", "1.0.0 - 2.0.0"),
        ("2.0.0", "^1.2.3+build"),
        ("1.2.0", "^1.2.3+build"),
        ("1.0.0beta", "1"),
        ("1.0.0beta", "<1"),
        ("1.0.0beta", "< 1"),
        ("1.0.1", "1.0.0"),
        ("0.0.0", ">=1.0.0"),
        ("0.0.1", ">=1.0.0"),
        ("0.1.0", ">=1.0.0"),
        ("0.0.1", ">1.0.0"),
        ("0.1.0", ">1.0.0"),
        ("3.0.0", "<=2.0.0"),
        ("2.9999.9999", "<=2.0.0"),
        ("2.2.9", "<=2.0.0"),
        ("2.9999.9999", "<2.0.0"),
        ("2.2.9", "<2.0.0"),
        ("v0.1.93", ">=0.1.97"),
        ("0.1.93", ">=0.1.97"),
        ("1.2.3", "0.1.20 || 1.2.4"),
        ("0.0.3", ">=0.2.3 || <0.0.1"),
        ("0.2.2", ">=0.2.3 || <0.0.1"),
        ("1.1.3", "2.x.x"),
        ("3.1.3", "2.x.x"),
        ("1.3.3", "1.2.x"),
        ("3.1.3", "1.2.x || 2.x"),
        ("1.1.3", "1.2.x || 2.x"),
        ("1.1.3", "2.*.*"),
        ("3.1.3", "2.*.*"),
        ("1.3.3", "1.2.*"),
        ("3.1.3", "1.2.* || 2.*"),
        ("1.1.3", "1.2.* || 2.*"),
        ("1.1.2", "2"),
        ("2.4.1", "2.3"),
        ("3.0.0", "~2.4"),
        ("2.3.9", "~2.4"),
        ("0.2.3", "~1"),
        ("1.0.0", "<1"),
        ("1.1.1", ">=1.2"),
        ("2.0.0beta", "1"),
        ("0.5.4-alpha", "~v0.5.4-beta"),
        ("1.2.3-beta", "<1.2.3"),
        ("2.0.0-alpha", "^1.2.3"),
        ("1.2.2", "^1.2.3"),
        ("1.1.9", "^1.2"),
    ]
]

COMPARE = [
    ("1.25.0", ">", "1.24.0", True),
    ("1.25.0", ">", "1.25.0", False),
    ("1.25.0", ">", "1.26.0", False),
    ("1.25.0", ">=", "1.25.0", True),
    ("1.25.0", "<", "1.26.0", True),
    ("1.25.0-beta2.1", "<", "1.25.0-b.3", True),
    ("1.25.0-b2.1", "<", "1.25.0beta.3", True),
    ("1.25.0-b-2.1", "<", "1.25.0-rc", True),
    ("1.25.0", "<=", "1.24.0", False),
    ("1.25.0-beta2.1", "==", "1.25.0-b.2.1", True),
    ("1.25.0beta2.1", "==", "1.25.0-b2.1", True),
    ("1.0.0", "<", "1.2-dev", True),
    ("1.26.0", ">", "dev-foo", True),
    ("dev-foo", "<", "1.26.0", True),
]


@pytest.mark.parametrize(("version", "expected"), NORMALIZED)
def test_normalize(version: str, expected: str) -> None:
    assert normalize(version) == expected


@pytest.mark.parametrize("version", NOT_VERSIONS)
def test_normalize_fails(version: str) -> None:
    with pytest.raises(InvalidVersion):
        normalize(version)


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_constraints(text: str, expected: list[list[tuple[str, str]]]) -> None:
    groups = COMPOSER.requirement(text).groups  # type: ignore[attr-defined]
    assert [[(c.op, c.version) for c in group] for group in groups] == expected


@pytest.mark.parametrize("text", ["~>1.2", "1.0#abcd123", ">=", "foo bar", "1.0 - ", "^"])
def test_rejects_invalid_constraints(text: str) -> None:
    with pytest.raises(InvalidVersion):
        COMPOSER.requirement(text)


@pytest.mark.parametrize(("expected", "version", "constraint"), SATISFIES)
def test_satisfies(expected: bool, version: str, constraint: str) -> None:
    assert COMPOSER.satisfies(version, constraint) is expected


@pytest.mark.parametrize(("a", "op", "b", "expected"), COMPARE)
def test_compare(a: str, op: str, b: str, expected: bool) -> None:
    c = COMPOSER.compare(a, b)
    assert {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "==": c == 0}[op] is expected


def test_sort_provider() -> None:
    """SemverTest::sortProvider: releases in order, named branches first, dev-master last."""
    ordered = sorted(["1.0", "0.1", "0.1", "3.2.1", "2.4.0-alpha", "2.4.0"], key=COMPOSER.key)
    assert ordered == ["0.1", "0.1", "1.0", "2.4.0-alpha", "2.4.0", "3.2.1"]
    assert sorted(["dev-master", "1.0", "50.2", "dev-foo"], key=COMPOSER.key) == [
        "dev-foo",
        "1.0",
        "50.2",
        "dev-master",
    ]
    with pytest.raises(InvalidVersion):
        COMPOSER.compare("dev-foo", "dev-bar")


def rule_cases() -> list[tuple[str, str, bool, str]]:
    """``(version, constraint, expected, rule)`` for each fixture version by the rewriting rules above."""
    cases: list[tuple[str, str, bool, str]] = []
    r = pairs.rng("composer")
    made = [f"{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 40)}" for _ in range(150)]
    for version in list(corpus.composer_versions()) + made:
        base = version.lstrip("v")
        parts = [int(p) for p in base.split(".")[:3]] + [0] * (3 - len(base.split(".")[:3]))
        major, minor, patch = parts
        nxt = f"{major}.{minor}.{patch + 1}"
        cases += [
            (version, f"^{base}", True, "^ includes its version"),
            (nxt, f"^{base}", True, "^ allows patch updates"),
            (
                f"{major + 1}.0.0",
                f"^{major}.{minor}" if major else f"^0.{minor}",
                False,
                "^ stops at the next major",
            ),
            (version, f"~{major}.{minor}.{patch}", True, "~ includes its version"),
            (f"{major}.{minor + 1}.0", f"~{major}.{minor}.{patch}", False, "~x.y.z stops at the next minor"),
            (f"{major}.{minor + 1}.0", f"~{major}.{minor}", True, "~x.y allows minor updates"),
            (version, f"{major}.{minor}.*", True, "a wildcard includes its prefix"),
            (f"{major}.{minor + 1}.0", f"{major}.{minor}.*", False, "a wildcard excludes other prefixes"),
            (f"{base}-beta1", f">={base}", True, ">= x becomes >= x-dev: the version's pre-releases are in"),
            (f"{base}-beta1", f"<{base}", False, "< excludes the version's pre-releases (-dev bound)"),
            (f"{base}-beta1", f">={base}-alpha", True, "an explicit unstable bound"),
            (f"{base}-patch1", f">{base}", True, "patch releases sort after the release"),
            (version, f"!={base}", False, "!= excludes the version"),
            (version, f"{base} - {nxt}", True, "a hyphen range includes its ends"),
            (f"{major}.{minor}.{patch + 2}", f"{base} - {nxt}", False, "and nothing after"),
        ]
    return cases


def test_rules_on_fixture_versions() -> None:
    cases = rule_cases()
    failures = [(v, c, want, rule) for v, c, want, rule in cases if COMPOSER.satisfies(v, c) is not want]
    assert not failures, failures[:20]
    assert len(cases) >= 2000
