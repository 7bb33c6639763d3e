"""NuGet package versions and version ranges, as ``NuGet.Versioning`` reads them.

A version is ``Major[.Minor[.Patch[.Revision]]][-label(.label)*][+metadata]`` (NuGet's SemVer 2.0 with
the legacy fourth part); missing parts are 0, and leading zeros and blanks around the numbers are
allowed (``1.01`` and ``1 . 1`` are ``1.1.0``), as System.Version parses them. Ordering (NuGet's default
``VersionComparer``): major, minor, patch, revision numerically; a version with release labels sorts
before the same version without; labels compare one by one, numeric labels numerically and before
alphanumeric ones, alphanumeric labels case-insensitively; a shorter label list first. Build metadata is
ignored.

Ranges use interval notation ("Version ranges" in NuGet's package versioning reference): ``1.0`` means
``>= 1.0``; ``[1.0]`` exactly 1.0; ``(1.0,)``, ``[1.0,)``, ``(,1.0]``, ``(,1.0)``, ``[1.0,2.0)`` and so
on; ``(, )`` is every version. ``(1.0)``, ``(,)`` and a lower bound above the upper bound are invalid.
Floating versions (``1.*``), which only a restore resolves, are not ranges of installed versions and are
rejected.
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

NAME = "nuget"
_INT32_MAX = 2**31 - 1
_PART = r"[0-9A-Za-z-]+"
_NUMBER = r"[ \t]*[0-9]+[ \t]*"  # System.Version allows blanks around each number
_VERSION = re.compile(
    rf"(?P<numbers>{_NUMBER}(?:\.{_NUMBER}){{0,3}})(?:-(?P<labels>{_PART}(?:\.{_PART})*))?"
    rf"(?:\+{_PART}(?:\.{_PART})*)?",
    re.ASCII,
)
_NUMERIC_LABEL = re.compile(r"-?[0-9]+")
_LEADING_ZERO = re.compile(r"0[0-9]+")

Label = tuple[int, int, str]
NugetKey = tuple[int, int, int, int, tuple[int, tuple[Label, ...]]]


def _label(text: str) -> Label:
    if _NUMERIC_LABEL.fullmatch(text) and -(2**31) <= int(text) <= _INT32_MAX:
        return (0, int(text), "")
    return (1, 0, text.upper())


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> NugetKey:
    """The comparison key of ``version`` (InvalidVersion if NuGet would not parse it)."""
    match = _VERSION.fullmatch(checked(NAME, version).strip())
    if not match:
        raise invalid(NAME, "version", version)
    numbers = [int(n) for n in match.group("numbers").split(".")]
    if any(n > _INT32_MAX for n in numbers):
        raise invalid(NAME, "version", version, "a number above 2147483647")
    numbers += [0] * (4 - len(numbers))
    labels = match.group("labels")
    if labels is None:
        return numbers[0], numbers[1], numbers[2], numbers[3], (1, ())
    parts = labels.split(".")
    if any(_LEADING_ZERO.fullmatch(part) for part in parts):
        raise invalid(NAME, "version", version, "a numeric release label with a leading zero")
    return numbers[0], numbers[1], numbers[2], numbers[3], (0, tuple(_label(part) for part in parts))


@dataclass(frozen=True)
class VersionRange(Requirement):
    """A NuGet interval: optional bounds, each inclusive or exclusive."""

    text: str
    lower: NugetKey | None
    lower_inclusive: bool
    upper: NugetKey | None
    upper_inclusive: bool

    def matches(self, version: str) -> bool:
        v = parse(version)
        if self.lower is not None and (v < self.lower or (v == self.lower and not self.lower_inclusive)):
            return False
        return self.upper is None or v < self.upper or (v == self.upper and self.upper_inclusive)


@parse_cache()
def parse_range(text: str) -> VersionRange:
    """``text`` in NuGet's interval notation (InvalidVersion if NuGet would reject it)."""
    spec = checked(NAME, text, "range", MAX_REQUIREMENT_LENGTH).strip()
    if "*" in spec:
        raise invalid(NAME, "range", text, "floating versions are not supported")
    if not spec.startswith(("[", "(")):
        return VersionRange(text, _bound(spec, text), True, None, False)
    if len(spec) < 3 or spec[-1] not in "])":
        raise invalid(NAME, "range", text, "an interval must end with ] or )")
    lower_inclusive, upper_inclusive = spec[0] == "[", spec[-1] == "]"
    parts = spec[1:-1].split(",")
    if len(parts) > 2 or all(p == "" for p in parts):
        raise invalid(NAME, "range", text, "an interval needs one or two versions")
    low, high = parts[0], parts[-1]
    lower = _bound(low, text) if low.strip() else None
    upper = _bound(high, text) if high.strip() else None
    if (lower is not None and upper is not None) and (
        lower > upper or (lower == upper and not (lower_inclusive and upper_inclusive))
    ):
        raise invalid(NAME, "range", text, "the interval is empty")
    return VersionRange(text, lower, lower_inclusive, upper, upper_inclusive)


def _bound(version: str, text: str) -> NugetKey:
    try:
        return parse(version)
    except InvalidVersion as exc:
        raise invalid(NAME, "range", text, str(exc)) from None


@register
class NugetScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> NugetKey:
        return parse(version)

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a), parse(b)
        return (ka > kb) - (ka < kb)

    def requirement(self, text: str) -> VersionRange:
        return parse_range(text)


__all__ = ["InvalidVersion", "NugetScheme", "VersionRange", "parse", "parse_range"]
