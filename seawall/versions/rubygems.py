"""RubyGems versions and requirements, as ``Gem::Version`` and ``Gem::Requirement`` read them.

A version is ``N(.X)*`` where later segments may hold letters, with an optional ``-pre`` part (read as
``.pre.pre``): ``1.2.3``, ``2.0.0.rc1``, ``1.0.0-beta.2``. It is compared by its segments (runs of
digits or of letters), after dropping trailing zeros from the numeric part and from the rest: numbers
numerically, strings in byte order, a string before a number, a missing segment counting as 0. A
version containing a letter is a pre-release and sorts before its release (``1.0.a < 1.0``).

A requirement is ``[op] version`` with ``op`` one of ``=`` (the default), ``!=``, ``>``, ``<``, ``>=``,
``<=`` and ``~>`` ("pessimistic": ``~> 2.2`` is ``>= 2.2, < 3``, ``~> 2.2.1`` is ``>= 2.2.1, < 2.3``).
Several requirements joined by commas (``"~> 4.2.5, >= 4.2.5.1"``, as RubySec advisories write them)
must all hold, as when passed to ``Gem::Requirement.new`` one by one.
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

NAME = "rubygems"
_VERSION_PATTERN = r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
_SPACE = r"[ \t\r\n\f\v]*"  # Ruby's \s
_VERSION = re.compile(rf"{_SPACE}({_VERSION_PATTERN}){_SPACE}")
_REQUIREMENT = re.compile(rf"{_SPACE}(=|!=|>=|<=|>|<|~>)?{_SPACE}({_VERSION_PATTERN}){_SPACE}")
_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+")

Segment = int | str
# A canonical segment as a sortable triple: strings (class 0) < end of version (1) < numbers (2); the
# count of zeros skipped before a segment orders versions that differ only in where a zero run ends.
_Element = tuple[int, int, int | str]
GemKey = tuple[_Element, ...]


@dataclass(frozen=True)
class GemVersion:
    text: str  # the version with "-" replaced by ".pre."
    segments: tuple[Segment, ...]

    @property
    def prerelease(self) -> bool:
        return any(c.isalpha() for c in self.text)

    @functools.cached_property
    def canonical(self) -> tuple[Segment, ...]:
        first_string = next(
            (i for i, s in enumerate(self.segments) if isinstance(s, str)), len(self.segments)
        )
        out: list[Segment] = []
        for segments in (self.segments[:first_string], self.segments[first_string:]):
            part = list(segments)
            while part and part[-1] == 0:
                part.pop()
            out.extend(part)
        return tuple(out)

    @functools.cached_property
    def key(self) -> GemKey:
        elements: list[_Element] = []
        zeros = 0
        for segment in self.canonical:
            if segment == 0:
                zeros += 1
            elif isinstance(segment, str):
                elements.append((0, zeros, segment))
                zeros = 0
            else:
                elements.append((2, -zeros, segment))
                zeros = 0
        elements.append((1, 0, 0))
        return tuple(elements)

    def release(self) -> GemVersion:
        """The version without its pre-release part: the segments before the first string."""
        if not self.prerelease:
            return self
        return _from_segments(self._numeric_prefix())

    def bump(self) -> GemVersion:
        """The next significant release: ``1.2.3`` -> ``1.3``, ``1`` -> ``2``."""
        segments = self._numeric_prefix()
        if len(segments) > 1:
            segments.pop()
        segments[-1] += 1
        return _from_segments(segments)

    def _numeric_prefix(self) -> list[int]:
        prefix: list[int] = []
        for segment in self.segments:
            if isinstance(segment, str):
                break
            prefix.append(segment)
        return prefix


def _from_segments(segments: list[int]) -> GemVersion:
    return GemVersion(".".join(map(str, segments)), tuple(segments))


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> GemVersion:
    """``version`` as Gem::Version reads it (InvalidVersion for a malformed or empty version)."""
    match = _VERSION.fullmatch(checked(NAME, version))
    if not match:
        raise invalid(NAME, "version", version, "malformed version number string")
    text = match.group(1).replace("-", ".pre.")
    segments = tuple(int(s) if s.isdigit() else s for s in _SEGMENT.findall(text))
    return GemVersion(text, segments)


def _cmp(a: GemVersion, b: GemVersion) -> int:
    return (a.key > b.key) - (a.key < b.key)


_OPS = {
    "=": lambda v, r: _cmp(v, r) == 0,
    "!=": lambda v, r: _cmp(v, r) != 0,
    ">": lambda v, r: _cmp(v, r) > 0,
    "<": lambda v, r: _cmp(v, r) < 0,
    ">=": lambda v, r: _cmp(v, r) >= 0,
    "<=": lambda v, r: _cmp(v, r) <= 0,
    "~>": lambda v, r: _cmp(v, r) >= 0 and _cmp(v.release(), r.bump()) < 0,
}


class GemRequirement(Requirement):
    """Comma-joined Gem::Requirement clauses, all of which must hold."""

    def __init__(self, text: str) -> None:
        super().__init__(checked(NAME, text, "requirement", MAX_REQUIREMENT_LENGTH))
        clauses: list[tuple[str, GemVersion]] = []
        for part in text.split(","):
            match = _REQUIREMENT.fullmatch(part)
            if not match:
                raise invalid(NAME, "requirement", text, f"ill-formed requirement {part.strip()!r}")
            clauses.append((match.group(1) or "=", parse(match.group(2))))
        self.clauses = tuple(clauses)

    def matches(self, version: str) -> bool:
        v = parse(version)
        return all(_OPS[op](v, r) for op, r in self.clauses)


@parse_cache()
def requirement(text: str) -> GemRequirement:
    return GemRequirement(text)


@register
class RubyGemsScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> GemKey:
        return parse(version).key

    def compare(self, a: str, b: str) -> int:
        return _cmp(parse(a), parse(b))

    def requirement(self, text: str) -> GemRequirement:
        return requirement(text)


__all__ = ["GemRequirement", "InvalidVersion", "RubyGemsScheme", "parse"]
