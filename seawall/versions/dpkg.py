"""Debian package versions, ordered as ``dpkg --compare-versions`` orders them.

A version is ``[epoch:]upstream_version[-debian_revision]`` (Debian Policy 5.6.12). The epoch is a
number; the revision is everything after the last hyphen. Upstream version and revision are compared
left to right in alternating runs of non-digits and digits: non-digit runs character by character
where ``~`` sorts before everything (even the end of the string), the end of the string next, then
letters, then all other characters; digit runs numerically.

Parsing follows dpkg's ``parseversion``: hard errors (empty, embedded blanks, a bad epoch, an empty
revision or upstream version) raise InvalidVersion; what dpkg only warns about (an upstream version not
starting with a digit, characters outside Policy's set) is still compared, as dpkg compares it. Only
printable ASCII is accepted.
"""

from __future__ import annotations

import functools
import re

from seawall.versions import InvalidVersion, VersionScheme, checked, invalid, register

NAME = "dpkg"
_INT_MAX = 2**31 - 1
_PRINTABLE = re.compile(r"[\x21-\x7e]+")
_RUNS = re.compile(r"([^0-9]*)([0-9]*)")
_EPOCH = re.compile(r"[+-]?[0-9]+")  # strtol's syntax; leading blanks were trimmed already

# One run of a version string: (non-digit characters as dpkg's order() values + a 0 terminator, number).
_Run = tuple[tuple[int, ...], int]
DpkgKey = tuple[int, tuple[_Run, ...], tuple[_Run, ...]]
_END: _Run = ((0,), 0)


def _order(char: str) -> int:
    if char.isalpha():
        return ord(char)
    if char == "~":
        return -1
    return ord(char) + 256


def _runs(part: str) -> tuple[_Run, ...]:
    """``part`` as comparable runs; the trailing padding run makes tuples compare as dpkg's verrevcmp."""
    runs: list[_Run] = []
    for match in _RUNS.finditer(part):
        letters, digits = match.group(1), match.group(2)
        if not letters and not digits:
            continue
        runs.append(((*map(_order, letters), 0), int(digits) if digits else 0))
    while runs and runs[-1] == _END:
        runs.pop()
    runs.append(_END)
    return tuple(runs)


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> DpkgKey:
    """The comparison key of ``version`` (InvalidVersion on what dpkg rejects)."""
    text = checked(NAME, version).strip(" \t")
    if not text:
        raise invalid(NAME, "version", version, "empty")
    if not _PRINTABLE.fullmatch(text):
        raise invalid(NAME, "version", version, "blanks or non-printable characters inside")
    epoch = 0
    if ":" in text:
        head, _, text = text.partition(":")
        if not head:
            raise invalid(NAME, "version", version, "epoch is empty")
        if not _EPOCH.fullmatch(head):
            raise invalid(NAME, "version", version, "epoch is not a number")
        epoch = int(head)
        if epoch < 0:
            raise invalid(NAME, "version", version, "epoch is negative")
        if epoch > _INT_MAX:
            raise invalid(NAME, "version", version, "epoch is too big")
        if not text:
            raise invalid(NAME, "version", version, "nothing after the colon")
    upstream, hyphen, revision = text.rpartition("-")
    if not hyphen:
        upstream, revision = text, ""
    elif not revision:
        raise invalid(NAME, "version", version, "revision is empty")
    if not upstream:
        raise invalid(NAME, "version", version, "upstream version is empty")
    return epoch, _runs(upstream), _runs(revision)


@register
class DpkgScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> DpkgKey:
        return parse(version)

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a), parse(b)
        return (ka > kb) - (ka < kb)


__all__ = ["DpkgScheme", "InvalidVersion", "parse"]
