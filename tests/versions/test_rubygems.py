"""RubyGems versions and requirements against Ruby's own ``Gem::Version`` and ``Gem::Requirement``.

Real data: every ``patched_versions``/``unaffected_versions`` entry of the RubySec advisory database
(comma-joined requirements such as ``"~> 4.2.5, >= 4.2.5.1"``, read as bundler-audit reads them: split
on commas and passed to ``Gem::Requirement.new``), the versions in them and in the Gemfile.lock
fixtures. Generated data: numeric and pre-release versions (letters, ``-pre``), trailing zeros, every
operator, and one-character mutations.
"""

from __future__ import annotations

import random

import pytest

from seawall.versions import InvalidVersion, scheme
from tests.versions import corpus, pairs
from tests.versions.conftest import call_oracle
from tests.versions.oracles import ruby_gems

GEMS = scheme("rubygems")
_ALPHABET = "0123456789.-abprcZ"
_OPS = ("", "= ", "!= ", "> ", "< ", ">= ", "<= ", "~> ", "~>", ">=")


def generated(r: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        text = ".".join(str(r.choice((0, 1, 2, 3, 10, 0))) for _ in range(r.randint(1, 5)))
        if r.random() < 0.35:
            text += r.choice((".", "", "-")) + r.choice(
                ("a", "b", "pre", "rc", "beta", "alpha", "rc1", "A", "pre.1", "a.0")
            )
            if r.random() < 0.3:
                text += "." + str(r.randint(0, 3))
        out.append(text)
    return out


def _ours_compare(a: str, b: str) -> int | None:
    try:
        return GEMS.compare(a, b)
    except InvalidVersion:
        return None


def test_compare_agrees_with_gem_version() -> None:
    r = pairs.rng("gems")
    pool = list(corpus.gem_versions()) + generated(r, 3000)
    checked = pairs.build_pairs(r, pool, 8000, _ALPHABET)
    theirs = call_oracle(ruby_gems, compare=checked)["compare"]
    mismatches = [
        (a, b, _ours_compare(a, b), t)
        for (a, b), t in zip(checked, theirs, strict=True)
        if _ours_compare(a, b) != t
    ]
    assert not mismatches, f"{len(mismatches)} of {len(checked)}:\n" + "\n".join(map(repr, mismatches[:30]))
    assert len(checked) >= 8000
    assert theirs.count(None) >= 300


def _ours_satisfies(version: str, requirement: str) -> bool | None:
    try:
        return GEMS.satisfies(version, requirement)
    except InvalidVersion:
        return None


def test_requirements_agree_with_gem_requirement() -> None:
    r = pairs.rng("gems-requirements")
    versions = list(corpus.gem_versions()) + generated(r, 1500)
    real = list(corpus.gem_requirements())
    made = [
        ", ".join(r.choice(_OPS) + r.choice(versions) for _ in range(r.choice((1, 1, 2, 3))))
        for _ in range(800)
    ]
    requests: list[tuple[str, str]] = []
    for requirement in real + made:
        probes = r.sample(versions, 5)
        for word in requirement.replace(",", " ").split():
            if word[:1].isdigit():
                probes += [word, pairs.mutate(r, word, "0123456789.")]
        requests.extend((v, requirement) for v in probes)
    theirs = call_oracle(ruby_gems, satisfies=requests)["satisfies"]
    mismatches = [
        (v, req, _ours_satisfies(v, req), t)
        for (v, req), t in zip(requests, theirs, strict=True)
        if _ours_satisfies(v, req) != t
    ]
    assert not mismatches, f"{len(mismatches)} of {len(requests)}:\n" + "\n".join(map(repr, mismatches[:30]))
    assert len(requests) >= 12000
    assert theirs.count(True) >= 3000 and theirs.count(False) >= 3000


def test_validity_agrees_with_gem_version() -> None:
    r = pairs.rng("gems-valid")
    texts = generated(r, 500) + list(corpus.gem_versions())
    texts += [pairs.mutate(r, t, _ALPHABET + " _+~") for t in texts]
    theirs = call_oracle(ruby_gems, correct=texts)["correct"]
    mismatches = [(t, GEMS.valid(t), c) for t, c in zip(texts, theirs, strict=True) if GEMS.valid(t) != c]
    assert not mismatches, mismatches[:30]


# RubyGems' guide "Patterns" ("Pessimistic version constraint") and Gem::Version's documentation.
DOCUMENTED = [
    ("2.2", "~> 2.2", True),
    ("2.9.9", "~> 2.2", True),
    ("3.0", "~> 2.2", False),
    ("2.2.0", "~> 2.2.0", True),
    ("2.2.9", "~> 2.2.0", True),
    ("2.3", "~> 2.2.0", False),
    ("3.0.0.beta1", "~> 2.2", False),
    ("2.2.1.rc1", "~> 2.2.0", True),
    ("1.0.a", ">= 1.0", False),
    ("1.0", "= 1.0.0", True),
]


@pytest.mark.parametrize(("version", "requirement", "expected"), DOCUMENTED)
def test_documented_examples(version: str, requirement: str, expected: bool) -> None:
    assert GEMS.satisfies(version, requirement) is expected


def test_documented_examples_hold_in_ruby() -> None:
    answers = call_oracle(ruby_gems, satisfies=[(v, r) for v, r, _ in DOCUMENTED])["satisfies"]
    assert answers == [want for _, _, want in DOCUMENTED]


def test_documented_ordering() -> None:
    """Gem::Version: "1.0.a.2" < "1.0.b1" < "1.0" and "1.0-rc1" is "1.0.pre.rc1"."""
    assert GEMS.compare("1.0.a.2", "1.0.b1") == -1
    assert GEMS.compare("1.0.b1", "1.0") == -1
    assert GEMS.compare("1.0-rc1", "1.0.pre.rc1") == 0
    assert GEMS.compare("1.0.0", "1") == 0


@pytest.mark.parametrize("bad", ["", "a.0", "1.0.", "1..0", "1.0 0", "1_0", "1.0-", "1" * 600])
def test_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidVersion):
        GEMS.compare(bad, "1.0")
