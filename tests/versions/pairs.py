"""Seeded pair generation for the differential tests.

Random pairs of unrelated versions are mostly decided by their first number, so the generators also
pair each version with its neighbour in sorted order (a long shared prefix) and with a one-character
mutation of itself (an edit that the comparison must notice, or an invalid version both sides must
reject). The seed is fixed, so every run checks the same pairs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

SEED = 440_2024

Pair = tuple[str, str]


def rng(salt: str) -> random.Random:
    return random.Random(f"{SEED}:{salt}")


def mutate(r: random.Random, version: str, alphabet: str) -> str:
    """``version`` with one character replaced, inserted, deleted, or appended from ``alphabet``."""
    if not version:
        return r.choice(alphabet)
    i = r.randrange(len(version))
    kind = r.randrange(4)
    if kind == 0:
        return version[:i] + r.choice(alphabet) + version[i + 1 :]
    if kind == 1:
        return version[:i] + r.choice(alphabet) + version[i:]
    if kind == 2 and len(version) > 1:
        return version[:i] + version[i + 1 :]
    return version + r.choice(alphabet)


def build_pairs(
    r: random.Random,
    versions: Sequence[str],
    count: int,
    alphabet: str = "",
    accept: Callable[[str], bool] = lambda v: True,
) -> list[Pair]:
    """Up to ``count`` distinct pairs: a quarter neighbours in sorted order, a quarter random pairs, the
    rest a version against its one-character mutation or a mutation against a mutation of it (random
    pairs again when ``alphabet`` is empty). ``accept`` filters what an oracle cannot take."""
    pool = sorted(set(versions))
    assert len(pool) >= 2, "not enough versions"
    out: dict[Pair, None] = {}

    def add(a: str, b: str) -> None:
        if accept(a) and accept(b):
            out[(a, b)] = None

    quarter = max(1, count // 4)
    for _ in range(quarter):
        i = r.randrange(len(pool) - 1)
        add(pool[i], pool[i + 1])
    for _ in range(quarter):
        add(r.choice(pool), r.choice(pool))
    tries = 0
    while len(out) < count and tries < count * 4:
        tries += 1
        a = r.choice(pool)
        if alphabet:
            b = mutate(r, a, alphabet)
            add(a, b) if r.random() < 0.7 else add(b, mutate(r, b, alphabet))
        else:
            add(a, r.choice(pool))
    return list(out)[:count]


def sample(r: random.Random, items: Sequence[str], count: int) -> list[str]:
    items = sorted(set(items))
    return items if len(items) <= count else sorted(r.sample(items, count))
