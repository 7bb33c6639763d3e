"""Go module versions, ordered as ``golang.org/x/mod/semver`` orders them.

A version is ``vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]``; the short forms ``v1`` and ``v1.2`` mean
``v1.0.0`` and ``v1.2.0`` (without a pre-release or build). Numbers have no leading zeros. The ``v`` may
be left out, as OSV's Go records write versions (``1.2.3``, ``introduced: "0"``).

Ordering is SemVer's, and build metadata is ignored, so ``v2.0.0+incompatible`` equals ``v2.0.0``.
Pseudo-versions (``v0.0.0-20191109021931-daa7c04131f5``, ``v1.2.4-0.20191109021931-daa7c04131f5``,
``v1.3.0-pre.0.20191109021931-daa7c04131f5``) are ordinary pre-releases and sort by their timestamp,
before the release they precede, as the Go command intends. Go has no range syntax of its own: OSV
ranges are evaluated by matching with :meth:`GoScheme.compare`.
"""

from __future__ import annotations

import functools
import re

from seawall.versions import MAX_VERSION_LENGTH, InvalidVersion, VersionScheme, checked, invalid, register

NAME = "go"
_NUM = r"0|[1-9][0-9]*"
_ID = r"[0-9A-Za-z-]+"
_VERSION = re.compile(
    rf"v?(?P<major>{_NUM})(?:\.(?P<minor>{_NUM})(?:\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_ID}(?:\.{_ID})*))?(?:\+(?P<build>{_ID}(?:\.{_ID})*))?)?)?",
    re.ASCII,
)
_LEADING_ZERO = re.compile(r"0[0-9]+")

GoKey = tuple[int, int, int, tuple[int, tuple[tuple[int, int, str], ...]]]


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> GoKey:
    """The comparison key of ``version`` (InvalidVersion if it is not a Go module version)."""
    match = _VERSION.fullmatch(checked(NAME, version))
    if not match:
        raise invalid(NAME, "version", version)
    pre = match.group("pre")
    if pre is None:
        return (
            int(match.group("major")),
            int(match.group("minor") or 0),
            int(match.group("patch") or 0),
            (1, ()),
        )
    ids: list[tuple[int, int, str]] = []
    for part in pre.split("."):
        if part.isdigit():
            if _LEADING_ZERO.fullmatch(part):
                raise invalid(
                    NAME, "version", version, "a numeric pre-release identifier with a leading zero"
                )
            ids.append((0, int(part), ""))
        else:
            ids.append((1, 0, part))
    return int(match.group("major")), int(match.group("minor")), int(match.group("patch")), (0, tuple(ids))


# The three pseudo-version forms of the Go modules reference ("Pseudo-versions").
_PSEUDO = re.compile(
    r"v?[0-9]+\.(?:0\.0-|[0-9]+\.[0-9]+-(?:[0-9A-Za-z.-]*\.)?0\.)[0-9]{14}-[0-9A-Za-z]+(?:\+[0-9A-Za-z.-]+)?",
    re.ASCII,
)


def is_pseudo(version: str) -> bool:
    """Whether ``version`` is a valid pseudo-version (a commit's timestamp and hash, no tag)."""
    return (
        len(version) <= MAX_VERSION_LENGTH and bool(_PSEUDO.fullmatch(version)) and GoScheme().valid(version)
    )


@register
class GoScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> GoKey:
        return parse(version)

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a), parse(b)
        return (ka > kb) - (ka < kb)


__all__ = ["GoScheme", "InvalidVersion", "is_pseudo", "parse"]
