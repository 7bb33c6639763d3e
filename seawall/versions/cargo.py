"""Rust crate versions and Cargo version requirements, as the ``semver`` crate (used by Cargo) reads them.

Versions are strict SemVer 2.0: ``MAJOR.MINOR.PATCH[-PRE][+BUILD]``, no leading zeros in numbers or
numeric pre-release identifiers, no ``v``, no whitespace. Ordering is SemVer precedence (build
metadata ignored).

Requirements are comma-joined comparators (all must hold, at most 32): an operator ``=``, ``>``,
``>=``, ``<``, ``<=``, ``~``, ``^`` or none (meaning ``^``), spaces allowed after it, then a partial
version ``MAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]`` where minor and patch may be ``*``, ``x`` or ``X``;
a lone ``*`` (or ``x``) matches every release. Partial versions compare as the Cargo reference's
"Specifying dependencies" chapter describes: ``^1.2`` is ``>=1.2.0, <2.0.0``, ``^0.0`` is ``<0.1.0``,
``~1`` is ``>=1.0.0, <2.0.0``, ``>1.2`` is ``>=1.3.0``, ``=1.2`` is ``1.2.*``. A pre-release version
matches only if some comparator names a pre-release of the same ``MAJOR.MINOR.PATCH``.
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

NAME = "cargo"
MAX_COMPARATORS = 32
_U64 = 2**64 - 1
_NUM = r"0|[1-9][0-9]*"
_PRE_ID = r"[0-9A-Za-z-]+"
_VERSION = re.compile(
    rf"(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+(?P<build>{_PRE_ID}(?:\.{_PRE_ID})*))?",
    re.ASCII,
)
_WILD = r"[*xX]"
_COMPARATOR = re.compile(
    rf"(?P<op>=|>=|>|<=|<|~|\^)? *(?P<major>{_NUM})"
    rf"(?:\.(?:(?P<minor_wild>{_WILD})|(?P<minor>{_NUM}))"
    rf"(?:\.(?:(?P<patch_wild>{_WILD})|(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+{_PRE_ID}(?:\.{_PRE_ID})*)?))?)? *",
    re.ASCII,
)
_LEADING_ZERO = re.compile(r"0[0-9]+")

Prerelease = tuple[tuple[int, int, str], ...]


def _prerelease(text: str | None, what: str, original: str) -> Prerelease:
    """Pre-release identifiers as sortable triples; the empty tuple for none."""
    if text is None:
        return ()
    ids: list[tuple[int, int, str]] = []
    for part in text.split("."):
        if part.isdigit():
            if _LEADING_ZERO.fullmatch(part):
                raise invalid(NAME, what, original, "invalid leading zero in pre-release identifier")
            ids.append((0, int(part), ""))
        else:
            ids.append((1, 0, part))
    return tuple(ids)


def _pre_key(pre: Prerelease) -> tuple[int, Prerelease]:
    """An empty pre-release sorts after every non-empty one."""
    return (1, ()) if not pre else (0, pre)


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: Prerelease

    @property
    def key(self) -> tuple[int, int, int, tuple[int, Prerelease]]:
        return self.major, self.minor, self.patch, _pre_key(self.pre)


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> Version:
    """``version`` as a crate version (InvalidVersion if the semver crate would reject it)."""
    match = _VERSION.fullmatch(checked(NAME, version))
    if not match:
        raise invalid(NAME, "version", version)
    numbers = [int(match.group(g)) for g in ("major", "minor", "patch")]
    if any(n > _U64 for n in numbers):
        raise invalid(NAME, "version", version, "a number does not fit in 64 bits")
    return Version(numbers[0], numbers[1], numbers[2], _prerelease(match.group("pre"), "version", version))


@dataclass(frozen=True)
class Comparator:
    op: str  # "=", ">", ">=", "<", "<=", "~", "^", "*" (wildcard without an operator)
    major: int
    minor: int | None
    patch: int | None
    pre: Prerelease

    def matches(self, v: Version) -> bool:
        op = self.op
        if op in ("=", "*"):
            return self._exact(v)
        if op == ">":
            return self._greater(v)
        if op == ">=":
            return self._exact(v) or self._greater(v)
        if op == "<":
            return self._less(v)
        if op == "<=":
            return self._exact(v) or self._less(v)
        if op == "~":
            return self._tilde(v)
        return self._caret(v)

    def pre_compatible(self, v: Version) -> bool:
        return (self.major, self.minor, self.patch) == (v.major, v.minor, v.patch) and bool(self.pre)

    def _exact(self, v: Version) -> bool:
        return (
            v.major == self.major
            and (self.minor is None or v.minor == self.minor)
            and (self.patch is None or v.patch == self.patch)
            and v.pre == self.pre
        )

    def _greater(self, v: Version) -> bool:
        if v.major != self.major:
            return v.major > self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor > self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch > self.patch
        return _pre_key(v.pre) > _pre_key(self.pre)

    def _less(self, v: Version) -> bool:
        if v.major != self.major:
            return v.major < self.major
        if self.minor is None:
            return False
        if v.minor != self.minor:
            return v.minor < self.minor
        if self.patch is None:
            return False
        if v.patch != self.patch:
            return v.patch < self.patch
        return _pre_key(v.pre) < _pre_key(self.pre)

    def _tilde(self, v: Version) -> bool:
        if v.major != self.major or (self.minor is not None and v.minor != self.minor):
            return False
        if self.patch is not None and v.patch != self.patch:
            return v.patch > self.patch
        return _pre_key(v.pre) >= _pre_key(self.pre)

    def _caret(self, v: Version) -> bool:
        if v.major != self.major:
            return False
        if self.minor is None:
            return True
        if self.patch is None:
            return v.minor >= self.minor if self.major > 0 else v.minor == self.minor
        if self.major > 0:
            if v.minor != self.minor:
                return v.minor > self.minor
            if v.patch != self.patch:
                return v.patch > self.patch
        elif self.minor > 0:
            if v.minor != self.minor:
                return False
            if v.patch != self.patch:
                return v.patch > self.patch
        elif v.minor != self.minor or v.patch != self.patch:
            return False
        return _pre_key(v.pre) >= _pre_key(self.pre)


class VersionReq(Requirement):
    """A Cargo version requirement: comparators that must all hold."""

    def __init__(self, text: str) -> None:
        super().__init__(checked(NAME, text, "requirement", MAX_REQUIREMENT_LENGTH))
        body = text.lstrip(" ")
        if body[:1] in ("*", "x", "X"):
            if body[1:].strip(" "):
                raise invalid(NAME, "requirement", text, "a wildcard must be the only comparator")
            self.comparators: tuple[Comparator, ...] = ()
            return
        parts = body.split(",")
        if len(parts) > MAX_COMPARATORS:
            raise invalid(NAME, "requirement", text, f"more than {MAX_COMPARATORS} comparators")
        self.comparators = tuple(_comparator(part.lstrip(" "), text) for part in parts)

    def matches(self, version: str) -> bool:
        v = parse(version)
        if not all(c.matches(v) for c in self.comparators):
            return False
        return not v.pre or any(c.pre_compatible(v) for c in self.comparators)


def _comparator(part: str, text: str) -> Comparator:
    match = _COMPARATOR.fullmatch(part)
    if not match:
        raise invalid(NAME, "requirement", text, f"cannot read {part!r}")
    if match.group("minor_wild") and match.group("patch"):
        raise invalid(NAME, "requirement", text, "unexpected character after wildcard")
    numbers = [match.group(g) for g in ("major", "minor", "patch")]
    if any(n is not None and int(n) > _U64 for n in numbers):
        raise invalid(NAME, "requirement", text, "a number does not fit in 64 bits")
    op = match.group("op")
    if op is None:
        op = "*" if match.group("minor_wild") or match.group("patch_wild") else "^"
    return Comparator(
        op=op,
        major=int(numbers[0]),
        minor=None if numbers[1] is None else int(numbers[1]),
        patch=None if numbers[2] is None else int(numbers[2]),
        pre=_prerelease(match.group("pre"), "requirement", text),
    )


@parse_cache()
def version_req(text: str) -> VersionReq:
    return VersionReq(text)


@register
class CargoScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> tuple[int, int, int, tuple[int, Prerelease]]:
        return parse(version).key

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a).key, parse(b).key
        return (ka > kb) - (ka < kb)

    def requirement(self, text: str) -> VersionReq:
        return version_req(text)


__all__ = ["CargoScheme", "InvalidVersion", "VersionReq", "parse"]
