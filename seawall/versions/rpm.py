"""RPM versions ``[epoch:]version[-release]``, compared as rpm's ``rpm.vercmp`` compares them.

Each part is compared with rpmvercmp: the string is cut into alphabetic and numeric segments (any other
character only separates); numeric segments compare as numbers and sort after alphabetic ones, which
compare as strings; ``~`` sorts before anything, even the end of the string (``1.0~rc1 < 1.0``), and
``^`` sorts after the end of the string but before any further segment (``1.0 < 1.0^git1 < 1.0.1``).
A version with more segments left over is newer.

The epoch (the leading digits before a colon; absent means 0) is compared first, then the version,
then the release; a version without a release sorts before the same version with any release
(``1.0 < 1.0-0.1``), as ``rpm.vercmp`` orders them. Versions may not be empty nor contain whitespace,
control or non-ASCII characters.
"""

from __future__ import annotations

import functools
import re

from seawall.versions import InvalidVersion, VersionScheme, checked, invalid, register

NAME = "rpm"
_ALLOWED = re.compile(r"[\x21-\x7e]+")
_SEGMENT = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
_EPOCH = re.compile(r"([0-9]*):")

# Segment ranks: where the segment or the end of the string sorts.
_TILDE, _END, _CARET, _ALPHA, _NUMBER = range(5)
Segment = tuple[int, int | str]
Segments = tuple[Segment, ...]
_END_SEGMENT: Segment = (_END, 0)


@functools.lru_cache(maxsize=65536)
def segments(text: str) -> Segments:
    """rpmvercmp's view of ``text``: a tuple that compares as rpmvercmp compares the strings."""
    out: list[Segment] = []
    for match in _SEGMENT.finditer(text):
        token = match.group()
        if token == "~":
            out.append((_TILDE, 0))
        elif token == "^":
            out.append((_CARET, 0))
        elif token.isdigit():
            out.append((_NUMBER, int(token)))
        else:
            out.append((_ALPHA, token))
    out.append(_END_SEGMENT)
    return tuple(out)


def split_evr(version: str) -> tuple[str, str, str | None]:
    """``(epoch, version, release)`` as rpm's parseEVR splits them; epoch ``"0"`` when absent."""
    text = checked(NAME, version)
    if not _ALLOWED.fullmatch(text):
        raise invalid(NAME, "version", version, "empty, or whitespace or non-ASCII characters inside")
    epoch = "0"
    match = _EPOCH.match(text)
    if match:
        epoch = match.group(1) or "0"
        text = text[match.end() :]
    body, hyphen, release = text.rpartition("-")
    if not hyphen:
        return epoch, text, None
    return epoch, body, release


RpmKey = tuple[Segments, Segments, tuple[int, Segments]]


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> RpmKey:
    """The comparison key of ``version``: epoch, version and release as rpmvercmp segments."""
    epoch, body, release = split_evr(version)
    return segments(epoch), segments(body), (0, ()) if release is None else (1, segments(release))


@register
class RpmScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> RpmKey:
        return parse(version)

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a), parse(b)
        return (ka > kb) - (ka < kb)


def vercmp(a: str, b: str) -> int:
    """rpmvercmp of two bare strings (no epoch or release splitting)."""
    sa, sb = segments(a), segments(b)
    return (sa > sb) - (sa < sb)


__all__ = ["InvalidVersion", "RpmScheme", "parse", "split_evr", "vercmp"]
