"""Go module versions against golang.org/x/mod/semver's test vectors and the Go Modules Reference.

Sources:
- golang.org/x/mod ``semver/semver_test.go``: the ordered ``tests`` table (``VECTORS`` below; ``Compare``
  of any two entries follows their order, entries with the same canonical form compare equal, ``bad``
  ones are invalid) and ``{"v1.19", "v1.2", -1}``.
- The Go Modules Reference, "Versions": "build metadata suffix is ignored for the purpose of
  comparing versions", "+incompatible"; "Pseudo-versions": the three forms ``vX.0.0-yyyymmddhhmmss-
  abcdefabcdef``, ``vX.Y.Z-pre.0.yyyymmddhhmmss-abcdefabcdef``, ``vX.Y.(Z+1)-0.yyyymmddhhmmss-
  abcdefabcdef``; a pseudo-version sorts above its base version and below the next tagged release, and
  pseudo-versions with the same base sort by their commit time.

Rule-derived cases use every version of the Go vulnerability database's OSV ranges.
"""

from __future__ import annotations

import re

import pytest

from seawall.versions import InvalidVersion, scheme
from seawall.versions.go import is_pseudo
from tests.versions import corpus

GO = scheme("go")

# (input, canonical form or "" if invalid), in increasing order: x/mod semver_test.go.
VECTORS = [
    ("bad", ""),
    ("v1-alpha.beta.gamma", ""),
    ("v1-pre", ""),
    ("v1+meta", ""),
    ("v1-pre+meta", ""),
    ("v1.2-pre", ""),
    ("v1.2+meta", ""),
    ("v1.2-pre+meta", ""),
    ("v1.0.0-alpha", "v1.0.0-alpha"),
    ("v1.0.0-alpha.1", "v1.0.0-alpha.1"),
    ("v1.0.0-alpha.beta", "v1.0.0-alpha.beta"),
    ("v1.0.0-beta", "v1.0.0-beta"),
    ("v1.0.0-beta.2", "v1.0.0-beta.2"),
    ("v1.0.0-beta.11", "v1.0.0-beta.11"),
    ("v1.0.0-rc.1", "v1.0.0-rc.1"),
    ("v1", "v1.0.0"),
    ("v1.0", "v1.0.0"),
    ("v1.0.0", "v1.0.0"),
    ("v1.2", "v1.2.0"),
    ("v1.2.0", "v1.2.0"),
    ("v1.2.3-456", "v1.2.3-456"),
    ("v1.2.3-456.789", "v1.2.3-456.789"),
    ("v1.2.3-456-789", "v1.2.3-456-789"),
    ("v1.2.3-456a", "v1.2.3-456a"),
    ("v1.2.3-pre", "v1.2.3-pre"),
    ("v1.2.3-pre+meta", "v1.2.3-pre"),
    ("v1.2.3-pre.1", "v1.2.3-pre.1"),
    ("v1.2.3-zzz", "v1.2.3-zzz"),
    ("v1.2.3", "v1.2.3"),
    ("v1.2.3+meta", "v1.2.3"),
    ("v1.2.3+meta-pre", "v1.2.3"),
    ("v1.2.3+meta-pre.sha.256a", "v1.2.3"),
]


@pytest.mark.parametrize(("version", "canonical"), VECTORS)
def test_validity_vectors(version: str, canonical: str) -> None:
    assert GO.valid(version) is bool(canonical)


def test_compare_vectors() -> None:
    valid = [(i, v, c) for i, (v, c) in enumerate(VECTORS) if c]
    checked = 0
    for i, a, ca in valid:
        for j, b, cb in valid:
            want = 0 if ca == cb else (-1 if i < j else 1)
            assert GO.compare(a, b) == want, (a, b)
            checked += 1
    assert checked == len(valid) ** 2
    assert GO.compare("v1.19", "v1.2") == 1
    assert GO.compare("v2", "v1") == 1


_PSEUDO_TIME = re.compile(r"(?P<head>.*?)(?P<time>[0-9]{14})-(?P<hash>[0-9a-f]{12})(?P<tail>\+.*)?$")


def rule_cases() -> list[tuple[str, str, int, str]]:
    cases: list[tuple[str, str, int, str]] = []
    for version in corpus.go_versions():
        if not GO.valid(version):
            continue
        cases.append((version, "v" + version, 0, "the v prefix is optional in OSV records"))
        core = re.match(r"([0-9]+)\.([0-9]+)\.([0-9]+)", version)
        if not core:
            continue
        major, minor, patch = (int(x) for x in core.groups())
        rest = version[core.end() :]
        build = rest[rest.index("+") :] if "+" in rest else ""
        cases.append((version, version.split("+")[0] + "+incompatible", 0, "build metadata is ignored"))
        cases.append((version, f"{major}.{minor}.{patch + 1}{build}", -1, "a later patch release"))
        cases.append((version, f"{major}.{minor + 1}.0", -1, "a later minor release"))
        cases.append((version, f"{major + 1}.0.0", -1, "a later major release"))
        if not rest.startswith("-"):
            pseudo = f"v{major}.{minor}.{patch + 1}-0.20191109021931-daa7c04131f5"
            cases.append((version, pseudo, -1, "a pseudo-version sorts above its base release"))
            cases.append((pseudo, f"{major}.{minor}.{patch + 1}", -1, "and below the next release"))
            cases.append((f"{version.split('+')[0]}-rc.1{build}", version, -1, "a pre-release sorts first"))
        match = _PSEUDO_TIME.match(version)
        if match and is_pseudo("v" + version):
            later = str(int(match.group("time")) + 1)
            bumped = f"{match.group('head')}{later}-{match.group('hash')}{match.group('tail') or ''}"
            cases.append((version, bumped, -1, "pseudo-versions with one base sort by commit time"))
    return cases


def test_rules_on_real_versions() -> None:
    cases = rule_cases()
    assert len(cases) >= 10000
    failures = [(a, b, want, rule) for a, b, want, rule in cases if GO.compare(a, b) != want]
    assert not failures, failures[:30]
    assert all(GO.compare(b, a) == -want for a, b, want, _ in cases)


def test_pseudo_versions() -> None:
    """The three forms of the Go Modules Reference, each between its base and the next release."""
    assert is_pseudo("v0.0.0-20191109021931-daa7c04131f5")
    assert is_pseudo("v1.2.4-0.20191109021931-daa7c04131f5")
    assert is_pseudo("v1.3.0-pre.0.20191109021931-daa7c04131f5")
    assert not is_pseudo("v1.2.3")
    assert not is_pseudo("v1.2.3-pre")
    assert GO.compare("v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5") == -1
    assert GO.compare("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4") == -1
    assert GO.compare("v1.3.0-pre", "v1.3.0-pre.0.20191109021931-daa7c04131f5") == -1
    assert GO.compare("v1.3.0-pre.0.20191109021931-daa7c04131f5", "v1.3.0") == -1
    assert GO.compare("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000") == -1


def test_incompatible_is_build_metadata() -> None:
    assert GO.compare("v2.0.0+incompatible", "v2.0.0") == 0
    assert GO.compare("v2.0.1+incompatible", "v2.0.0") == 1


@pytest.mark.parametrize(
    "bad", ["", "v", "1.2.3.4", "v01.2.3", "v1.2.3-01", "v1.2.3-", "v1.2.3+", "V1.2.3", " v1.2.3"]
)
def test_rejects_invalid(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        GO.compare(bad, "v1.0.0")


def test_no_range_syntax() -> None:
    with pytest.raises(InvalidVersion):
        GO.satisfies("v1.0.0", ">=v1.0.0")
