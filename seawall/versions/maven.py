"""Maven versions and version ranges, as Maven's ``ComparableVersion`` and ``VersionRange`` read them.

A version is cut into items at ``.`` and ``-`` and at every switch between digits and letters; ``-`` and
a digit/letter switch open a sub-list, and so does a qualifier that follows a ``.`` when digits or the
end follow it (``1.0.RC1`` reads as ``1.0-RC1``). Numbers compare numerically. Qualifiers compare in the
order ``alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp``, any other
qualifier after those, alphabetically (case-insensitive); ``a1``, ``b1``, ``m1`` mean ``alpha-1``,
``beta-1``, ``milestone-1``. Trailing zeros and empty qualifiers are dropped (``1.0.0 == 1``, ``1.0-ga
== 1``). When one version runs out of items, the other's next item decides against "nothing": a number >
0 is newer, a qualifier older unless it sorts after the release (``sp``, an unknown word), and a
sub-list by its first item that is not "nothing"-like. Otherwise a number beats a qualifier or a
sub-list, and a sub-list beats a qualifier. This is maven-artifact 3.8 (Debian 12's).

Ranges: ``[1.0,2.0)``, ``(,1.0]``, ``[1.5,)``, ``[1.0]`` (exactly 1.0) and comma-separated unions of
them such as ``(,1.0],[1.2,)``. A bare version ``1.0``, which Maven treats as a soft preference that
every version satisfies, is read as exactly that version here, which is what a vulnerability range
written without brackets means.

Only printable ASCII without blanks is accepted; nesting (``-`` and digit/letter switches) is limited to
64 levels.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from seawall.versions import (
    MAX_REQUIREMENT_LENGTH,
    InvalidVersion,
    Requirement,
    VersionScheme,
    checked,
    invalid,
    parse_cache,
    register,
)

NAME = "maven"
MAX_DEPTH = 64
QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}
_RELEASE_INDEX = str(QUALIFIERS.index(""))
_ALLOWED = re.compile(r"[\x21-\x7e]+")


class Items(list["Item"]):
    """A list item: its elements compare pairwise."""


Item = int | str | Items  # str items hold the comparable qualifier ("0".."6" or "7-word")


def _qualifier(word: str, followed_by_digit: bool) -> str:
    if followed_by_digit and len(word) == 1:
        word = _SHORT.get(word, word)
    word = ALIASES.get(word, word)
    return str(QUALIFIERS.index(word)) if word in QUALIFIERS else f"{len(QUALIFIERS)}-{word}"


def _item(is_digit: bool, text: str) -> Item:
    return int(text) if is_digit else _qualifier(text, False)


def _is_null(item: Item) -> bool:
    if isinstance(item, Items):
        return not item
    if isinstance(item, int):
        return item == 0
    return item == _RELEASE_INDEX


def _normalize(items: Items) -> None:
    for i in range(len(items) - 1, -1, -1):
        if _is_null(items[i]):
            del items[i]
        elif not isinstance(items[i], Items):
            break


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> Items:
    """The item list of ``version`` (InvalidVersion for empty, non-ASCII or absurdly nested text)."""
    text = checked(NAME, version)
    if not _ALLOWED.fullmatch(text):
        raise invalid(NAME, "version", version, "empty, or blanks or non-ASCII characters inside")
    text = text.lower()
    root = current = Items()
    stack = [root]

    def sublist() -> Items:
        child = Items()
        current.append(child)
        stack.append(child)
        if len(stack) > MAX_DEPTH:
            raise invalid(NAME, "version", version, f"nested more than {MAX_DEPTH} levels")
        return child

    is_digit = False
    start = 0
    for i, char in enumerate(text):
        if char in ".-":
            current.append(0 if i == start else _item(is_digit, text[start:i]))
            start = i + 1
            if char == "-":
                current = sublist()
        elif char.isdigit():
            if not is_digit and i > start:
                if current:  # ".X1" is read as "-X1"
                    current = sublist()
                current.append(_qualifier(text[start:i], True))
                start = i
                current = sublist()
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(int(text[start:i]))
                start = i
                current = sublist()
            is_digit = False
    if len(text) > start:
        if not is_digit and current:  # a trailing ".X" is read as "-X"
            current = sublist()
        current.append(_item(is_digit, text[start:]))
    for items in reversed(stack):
        _normalize(items)
    return root


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _compare(left: Item | None, right: Item | None) -> int:
    """ComparableVersion's Item.compareTo; ``None`` is "no item"."""
    if left is None:
        return 0 if right is None else -_compare(right, None)
    if isinstance(left, int):
        if right is None:
            return 0 if left == 0 else 1
        if isinstance(right, int):
            return _sign(left - right)
        return 1
    if isinstance(left, str):
        if right is None:
            return _sign((left > _RELEASE_INDEX) - (left < _RELEASE_INDEX))
        if isinstance(right, str):
            return (left > right) - (left < right)
        return -1
    if right is None:  # every item against nothing, not just the first (MNG-6964)
        return next((r for r in (_compare(item, None) for item in left) if r), 0)
    if isinstance(right, int):
        return -1
    if isinstance(right, str):
        return 1
    for i in range(max(len(left), len(right))):
        result = _compare(left[i] if i < len(left) else None, right[i] if i < len(right) else None)
        if result:
            return result
    return 0


@dataclass(frozen=True)
class Restriction:
    lower: str | None
    lower_inclusive: bool
    upper: str | None
    upper_inclusive: bool

    def contains(self, version: Items) -> bool:
        if self.lower is not None:
            c = _compare(parse(self.lower), version)
            if c > 0 or (c == 0 and not self.lower_inclusive):
                return False
        if self.upper is not None:
            c = _compare(parse(self.upper), version)
            if c < 0 or (c == 0 and not self.upper_inclusive):
                return False
        return True


class VersionRange(Requirement):
    """A Maven version range: a union of restrictions."""

    def __init__(self, text: str) -> None:
        super().__init__(checked(NAME, text, "range", MAX_REQUIREMENT_LENGTH))
        self.restrictions = _restrictions(text)

    def matches(self, version: str) -> bool:
        parsed = parse(version)
        return any(r.contains(parsed) for r in self.restrictions)


def _restrictions(spec: str) -> tuple[Restriction, ...]:
    found: list[Restriction] = []
    rest = spec.strip()
    upper: str | None = None
    while rest.startswith(("[", "(")):
        close = [i for i in (rest.find(")"), rest.find("]")) if i >= 0]
        if not close:
            raise invalid(NAME, "range", spec, "unbounded range")
        end = min(close)
        restriction = _restriction(rest[: end + 1], spec)
        if upper is not None and (restriction.lower is None or _cmp(restriction.lower, upper) < 0):
            raise invalid(NAME, "range", spec, "ranges overlap")
        found.append(restriction)
        upper = restriction.upper
        rest = rest[end + 1 :].strip()
        if rest.startswith(","):
            rest = rest[1:].strip()
    if rest:
        if found:
            raise invalid(NAME, "range", spec, "only bracketed ranges may be joined")
        parse(rest)
        found.append(Restriction(rest, True, rest, True))
    if not found:
        raise invalid(NAME, "range", spec, "empty")
    return tuple(found)


def _restriction(part: str, spec: str) -> Restriction:
    lower_inclusive, upper_inclusive = part.startswith("["), part.endswith("]")
    body = part[1:-1].strip()
    if "," not in body:
        if not (lower_inclusive and upper_inclusive) or not body:
            raise invalid(NAME, "range", spec, "a single version must be written [version]")
        parse(body)
        return Restriction(body, True, body, True)
    low, _, high = (s.strip() for s in body.partition(","))
    if low == high:
        raise invalid(NAME, "range", spec, "a range cannot have identical bounds")
    for bound in (low, high):
        if bound:
            parse(bound)
    if low and high and _cmp(high, low) < 0:
        raise invalid(NAME, "range", spec, "the upper bound is below the lower bound")
    return Restriction(low or None, lower_inclusive, high or None, upper_inclusive)


def _cmp(a: str, b: str) -> int:
    return _compare(parse(a), parse(b))


@parse_cache()
def version_range(text: str) -> VersionRange:
    return VersionRange(text)


@register
class MavenScheme(VersionScheme):
    name = NAME

    def compare(self, a: str, b: str) -> int:
        return _compare(parse(a), parse(b))

    def requirement(self, text: str) -> VersionRange:
        return version_range(text)


__all__ = ["InvalidVersion", "MavenScheme", "VersionRange", "parse"]
