"""Alpine (apk-tools) package versions, ordered as apk-tools' ``version.c`` orders them.

The grammar is ``digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-rN}``: ``1.2.3b_rc2_p1~ab12-r4``.
Tokens are compared left to right while both versions have the same kind of token:

- numbers numerically, except that a dotted component with a leading zero on either side compares as a
  string (``1.02 < 1.1``), as in Gentoo;
- the one optional letter by character;
- suffixes by kind: ``_alpha < _beta < _pre < _rc`` (pre-releases) ``< (none) < _cvs < _svn < _git <
  _hg < _p``; a suffix's number numerically;
- a commit hash ``~hex`` as a string; the revision ``-rN`` numerically.

When the kinds of token differ, a pre-release suffix sorts lowest; otherwise the version whose next
token comes later in the grammar (ultimately: the end of the string) is the lower one, so
``1.0 < 1.0.1``, ``1.0 < 1.0a``, ``1.0_rc1 < 1.0 < 1.0_p1 < 1.0-r1``. Numbers wrap at 2**64 as apk's do.
Anything apk would not validate raises InvalidVersion (apk-tools 2.14 / 3.x rules).
"""

from __future__ import annotations

import functools
import re

from seawall.versions import InvalidVersion, VersionScheme, checked, invalid, register

NAME = "apk"

# Token kinds in grammar order (apk's TOKEN_* values).
INITIAL_DIGIT, DIGIT, LETTER, SUFFIX, SUFFIX_NO, COMMIT_HASH, REVISION_NO, END = range(8)
PRE_SUFFIXES = ("alpha", "beta", "pre", "rc")
POST_SUFFIXES = ("cvs", "svn", "git", "hg", "p")
_SUFFIX_VALUE = {s: i for i, s in enumerate(PRE_SUFFIXES)} | {
    s: len(PRE_SUFFIXES) + 1 + i for i, s in enumerate(POST_SUFFIXES)
}
_SUFFIX_NONE = len(PRE_SUFFIXES)
_WRAP = 2**64

_TOKEN = re.compile(
    r"(?P<dot>\.[0-9]+)|(?P<letter>[a-z])|(?P<suffix>_[a-z]+)(?P<suffix_no>[0-9]+)?"
    r"|(?P<hash>~[0-9a-f]+)|(?P<revision>-r[0-9]+)"
)
_INITIAL = re.compile(r"[0-9]+")

# A token's key: (rank, value). Ranks order tokens of different kinds as apk does: a pre-release
# suffix lowest, then the end of the string, then kinds later in the grammar before earlier ones.
Token = tuple[int, object]
ApkKey = tuple[Token, ...]
_RANK = {
    END: 1,
    REVISION_NO: 2,
    COMMIT_HASH: 3,
    SUFFIX_NO: 4,
    SUFFIX: 5,
    LETTER: 6,
    DIGIT: 7,
    INITIAL_DIGIT: 8,
}
_PRE_SUFFIX_RANK = 0


def _number(digits: str) -> int:
    return int(digits) % _WRAP


def _digit_value(digits: str) -> tuple[int, object]:
    """A dotted component: leading-zero components sort before the others, among themselves as strings."""
    return (0, digits) if digits.startswith("0") else (1, _number(digits))


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> ApkKey:
    """The comparison key of ``version`` (InvalidVersion if apk-tools would not validate it)."""
    text = checked(NAME, version)
    initial = _INITIAL.match(text)
    if not initial:
        raise invalid(NAME, "version", version, "does not start with a digit")
    tokens: list[Token] = [(_RANK[INITIAL_DIGIT], _number(initial.group()))]
    last = INITIAL_DIGIT
    pos = initial.end()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise invalid(NAME, "version", version, f"unexpected {text[pos]!r} at offset {pos}")
        kind = match.lastgroup
        if kind == "suffix_no":
            kind = "suffix"
        if kind == "dot":
            if last > DIGIT:
                raise invalid(NAME, "version", version, "a dotted number after a letter or suffix")
            last = DIGIT
            tokens.append((_RANK[DIGIT], _digit_value(match.group()[1:])))
        elif kind == "letter":
            if last > DIGIT:
                raise invalid(NAME, "version", version, "a letter in the wrong place")
            last = LETTER
            tokens.append((_RANK[LETTER], match.group()))
        elif kind == "suffix":
            name = match.group("suffix")[1:]
            if last > SUFFIX_NO or name not in _SUFFIX_VALUE:
                raise invalid(NAME, "version", version, f"unknown or misplaced suffix _{name}")
            value = _SUFFIX_VALUE[name]
            tokens.append((_PRE_SUFFIX_RANK if value < _SUFFIX_NONE else _RANK[SUFFIX], value))
            last = SUFFIX
            if match.group("suffix_no") is not None:
                tokens.append((_RANK[SUFFIX_NO], _number(match.group("suffix_no"))))
                last = SUFFIX_NO
        elif kind == "hash":
            if last >= COMMIT_HASH:
                raise invalid(NAME, "version", version, "a second commit hash")
            last = COMMIT_HASH
            tokens.append((_RANK[COMMIT_HASH], match.group()[1:]))
        else:
            if last >= REVISION_NO:
                raise invalid(NAME, "version", version, "a second revision")
            last = REVISION_NO
            tokens.append((_RANK[REVISION_NO], _number(match.group()[2:])))
        pos = match.end()
    tokens.append((_RANK[END], 0))
    return tuple(tokens)


@register
class ApkScheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> ApkKey:
        return parse(version)

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a), parse(b)
        return (ka > kb) - (ka < kb)


__all__ = ["ApkScheme", "InvalidVersion", "parse"]
