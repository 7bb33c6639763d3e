"""Semantic Versioning 2.0.0 and npm's ranges, as node-semver (the ``semver`` package, 7.x) reads them.

Two schemes share this module:

- ``semver``: node-semver's default options. ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`` with an
  optional leading ``v``; numbers without leading zeros.
- ``npm``: node-semver's ``loose`` option, as npm reads versions: also ``=1.2.3``, ``v 1.2.3``,
  leading zeros, and a pre-release without its hyphen (``1.2.3beta``).

Ordering is SemVer 2.0 section 11: major, minor, patch numerically; a pre-release sorts before its
release; pre-release identifiers compare numerically when both are numeric, numeric before
alphanumeric, alphanumeric in ASCII order, a shorter list first; build metadata is ignored.

Ranges (both schemes) are node-semver's: ``||`` alternatives of space-separated comparators ``<``,
``<=``, ``>``, ``>=``, ``=``; x-ranges (``1.x``, ``1.2.*``, ``1``), tilde (``~1.2.3``, ``~>1.2``),
caret (``^0.2.3``) and hyphen ranges (``1.2 - 2.3.4``), each rewritten into comparators exactly as
node-semver rewrites them. A pre-release version satisfies a set of comparators only if one of them
names a pre-release of the same ``[major, minor, patch]`` (node-semver's default; ``includePrerelease``
is off). In loose mode comparators that cannot be read are dropped, as node-semver drops them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
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

MAX_LENGTH = 256  # node-semver's limit on a version string
MAX_SAFE_INTEGER = 2**53 - 1

_LDN = "[a-zA-Z0-9-]"
_NUM = r"0|[1-9][0-9]*"
_NUM_LOOSE = r"[0-9]+"
_NONNUM = rf"[0-9]*[a-zA-Z-]{_LDN}*"
_PRE_ID = rf"(?:{_NONNUM}|{_NUM})"
_PRE_ID_LOOSE = rf"(?:{_NONNUM}|{_NUM_LOOSE})"
_PRE = rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))"
_PRE_LOOSE = rf"(?:-?({_PRE_ID_LOOSE}(?:\.{_PRE_ID_LOOSE})*))"
_BUILD = rf"(?:\+({_LDN}+(?:\.{_LDN}+)*))"
_FULLPLAIN = rf"v?({_NUM})\.({_NUM})\.({_NUM}){_PRE}?{_BUILD}?"
_LOOSEPLAIN = rf"[v=\s]*({_NUM_LOOSE})\.({_NUM_LOOSE})\.({_NUM_LOOSE}){_PRE_LOOSE}?{_BUILD}?"
_GTLT = r"((?:<|>)?=?)"


def _xrange_plain(num: str, pre: str) -> str:
    xid = rf"{num}|x|X|\*"
    return rf"[v=\s]*({xid})(?:\.({xid})(?:\.({xid})(?:{pre})?{_BUILD}?)?)?"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


@dataclass(frozen=True)
class _Syntax:
    """The regular expressions of one mode (strict or loose)."""

    version: re.Pattern[str]
    comparator: re.Pattern[str]
    hyphen: re.Pattern[str]
    caret: re.Pattern[str]
    tilde: re.Pattern[str]
    xrange: re.Pattern[str]


def _syntax(loose: bool) -> _Syntax:
    xplain = _xrange_plain(_NUM_LOOSE, _PRE_LOOSE) if loose else _xrange_plain(_NUM, _PRE)
    plain = _LOOSEPLAIN if loose else _FULLPLAIN
    return _Syntax(
        version=_compile(plain),
        comparator=_compile(rf"{_GTLT}\s*({plain})|"),
        hyphen=_compile(rf"\s*({xplain})\s+-\s+({xplain})\s*"),
        caret=_compile(rf"\^{xplain}"),
        tilde=_compile(rf"~>?{xplain}"),
        xrange=_compile(rf"{_GTLT}\s*{xplain}"),
    )


_STRICT, _LOOSE = _syntax(False), _syntax(True)
_BUILD_ANYWHERE = _compile(_BUILD)
_STAR = _compile(r"(<|>)?=?\s*\*")
_GTE0 = _compile(r"\s*>=\s*0\.0\.0\s*")
_TILDE_TRIM = _compile(r"(\s?)~>?\s")
_CARET_TRIM = _compile(r"(\s?)\^\s")
_NUMERIC = _compile(r"[0-9]+")
_SPACES = _compile(r"\s+")
_OPERATOR_SPACE = _compile(r"[<>=] ")

PreId = tuple[int, int, str]
SemverKey = tuple[int, int, int, tuple[int, tuple[PreId, ...]]]


@dataclass(frozen=True)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...]

    @functools.cached_property
    def text(self) -> str:
        """node-semver's ``version``: the canonical form without build metadata."""
        core = f"{self.major}.{self.minor}.{self.patch}"
        return core + ("-" + ".".join(map(str, self.prerelease)) if self.prerelease else "")

    @functools.cached_property
    def key(self) -> SemverKey:
        if not self.prerelease:
            return self.major, self.minor, self.patch, (1, ())
        ids = tuple((0, part, "") if isinstance(part, int) else _string_id(part) for part in self.prerelease)
        return self.major, self.minor, self.patch, (0, ids)


def _string_id(part: str) -> PreId:
    # A numeric identifier too large to be a JavaScript number still compares numerically.
    return (0, int(part), "") if _NUMERIC.fullmatch(part) else (1, 0, part)


def parse(version: str, loose: bool = False) -> SemVer:
    """``version`` as node-semver reads it (InvalidVersion if it cannot)."""
    return _parse(checked("npm" if loose else "semver", version, limit=MAX_LENGTH), loose)


@functools.lru_cache(maxsize=65536)
def _parse(version: str, loose: bool) -> SemVer:
    name = "npm" if loose else "semver"
    match = (_LOOSE if loose else _STRICT).version.fullmatch(version.strip())
    if not match:
        raise invalid(name, "version", version)
    numbers = [int(match.group(i)) for i in (1, 2, 3)]
    if any(n > MAX_SAFE_INTEGER for n in numbers):
        raise invalid(name, "version", version, "a number above 2**53 - 1")
    prerelease: tuple[int | str, ...] = ()
    if match.group(4):
        prerelease = tuple(
            int(part) if part.isdigit() and int(part) < MAX_SAFE_INTEGER else part
            for part in match.group(4).split(".")
        )
    return SemVer(numbers[0], numbers[1], numbers[2], prerelease)


# --- ranges -----------------------------------------------------------------------------------------


def _is_x(part: str | None) -> bool:
    return not part or part.lower() == "x" or part == "*"


def _inc(part: str) -> int:
    return int(part) + 1


def _hyphen(match: re.Match[str]) -> str:
    """``1.2 - 2.3.4`` as comparators (node-semver's hyphenReplace, includePrerelease off)."""
    start, f_major, f_minor, f_patch = match.group(1, 2, 3, 4)
    end, t_major, t_minor, t_patch, t_pre = match.group(7, 8, 9, 10, 11)
    if _is_x(f_major):
        low = ""
    elif _is_x(f_minor):
        low = f">={f_major}.0.0"
    elif _is_x(f_patch):
        low = f">={f_major}.{f_minor}.0"
    else:
        low = f">={start}"
    if _is_x(t_major):
        high = ""
    elif _is_x(t_minor):
        high = f"<{_inc(t_major)}.0.0-0"
    elif _is_x(t_patch):
        high = f"<{t_major}.{_inc(t_minor)}.0-0"
    elif t_pre:
        high = f"<={t_major}.{t_minor}.{t_patch}-{t_pre}"
    else:
        high = f"<={end}"
    return f"{low} {high}".strip()


def _caret(comp: str, syntax: _Syntax) -> str:
    match = syntax.caret.fullmatch(comp)
    if not match:
        return comp
    major, minor, patch, pre = match.group(1, 2, 3, 4)
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0 <{_inc(major)}.0.0-0"
    if _is_x(patch):
        if major == "0":
            return f">={major}.{minor}.0 <{major}.{_inc(minor)}.0-0"
        return f">={major}.{minor}.0 <{_inc(major)}.0.0-0"
    low = f">={major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    if major == "0":
        if minor == "0":
            return f"{low} <{major}.{minor}.{_inc(patch)}-0"
        return f"{low} <{major}.{_inc(minor)}.0-0"
    return f"{low} <{_inc(major)}.0.0-0"


def _tilde(comp: str, syntax: _Syntax) -> str:
    match = syntax.tilde.fullmatch(comp)
    if not match:
        return comp
    major, minor, patch, pre = match.group(1, 2, 3, 4)
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0 <{_inc(major)}.0.0-0"
    if _is_x(patch):
        return f">={major}.{minor}.0 <{major}.{_inc(minor)}.0-0"
    low = f">={major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    return f"{low} <{major}.{_inc(minor)}.0-0"


def _xrange(comp: str, syntax: _Syntax) -> str:
    match = syntax.xrange.fullmatch(comp)
    if not match:
        return comp
    op, major, minor, patch = match.group(1, 2, 3, 4)
    if (_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)):
        return comp
    x_major = _is_x(major)
    x_minor = x_major or _is_x(minor)
    x_patch = x_minor or _is_x(patch)
    if op == "=" and x_patch:
        op = ""
    if x_major:
        return "<0.0.0-0" if op in ("<", ">") else "*"
    if op and x_patch:
        major_n, minor_n, patch_n = int(major), 0 if x_minor else int(minor), 0
        pre = ""
        if op == ">":
            op = ">="
            if x_minor:
                major_n, minor_n = major_n + 1, 0
            else:
                minor_n += 1
        elif op == "<=":
            op = "<"
            if x_minor:
                major_n += 1
            else:
                minor_n += 1
        if op == "<":
            pre = "-0"
        return f"{op}{major_n}.{minor_n}.{patch_n}{pre}"
    if x_minor:
        return f">={major}.0.0 <{_inc(major)}.0.0-0"
    if x_patch:
        return f">={major}.{minor}.0 <{major}.{_inc(minor)}.0-0"
    return comp


def _each(comp: str, rewrite: Callable[[str, _Syntax], str], syntax: _Syntax) -> str:
    return " ".join(rewrite(part, syntax) for part in comp.strip().split())


def _digit(char: str) -> bool:
    return "0" <= char <= "9" and len(char) == 1


def _letter(char: str) -> bool:
    return len(char) == 1 and ("a" <= char <= "z" or "A" <= char <= "Z")


def _is_version_start(char: str) -> bool:
    return _digit(char) or (len(char) == 1 and char in "xX*")


def _at(text: str, i: int) -> str:
    return text[i] if i < len(text) else ""


def _digits_end(text: str, i: int) -> int:
    while _digit(_at(text, i)):
        i += 1
    return i


def _number_end(text: str, i: int, loose: bool) -> int:
    if not loose and _at(text, i) == "0":
        return i + 1
    return _digits_end(text, i)


def _identifier_end(text: str, i: int) -> int:
    while _digit(_at(text, i)) or _letter(_at(text, i)) or _at(text, i) == "-":
        i += 1
    return i


def _pre_id_end(text: str, i: int, loose: bool) -> int:
    end = _digits_end(text, i)
    if _letter(_at(text, end)) or _at(text, end) == "-":
        return _identifier_end(text, end + 1)
    return _number_end(text, i, loose)


def _pre_end(text: str, i: int, loose: bool) -> int:
    hyphen = _at(text, i) == "-"
    if not loose and not hyphen:
        return i
    first = i + hyphen
    end = _pre_id_end(text, first, loose)
    if end == first:
        if not loose or not hyphen:
            return i
        end = _pre_id_end(text, i, loose)
    while _at(text, end) == ".":
        following = _pre_id_end(text, end + 1, loose)
        if following == end + 1:
            break
        end = following
    return end


def _build_end(text: str, i: int) -> int:
    if _at(text, i) != "+":
        return i
    end = _identifier_end(text, i + 1)
    if end == i + 1:
        return i
    while _at(text, end) == ".":
        following = _identifier_end(text, end + 1)
        if following == end + 1:
            break
        end = following
    return end


def _version_end(text: str, start: int) -> int:
    """Where the version starting at ``start`` ends, as node-semver's comparator trim scans it."""
    end = start
    for component in range(3):
        following = _number_end(text, end, True)
        if following == end:
            break
        end = following
        if component < 2:
            if _at(text, end) != ".":
                break
            end += 1
    else:
        return _build_end(text, _pre_end(text, end, True))

    def part_end(i: int) -> int:
        if _digit(_at(text, i)):
            return _number_end(text, i, False)
        return i + 1 if _is_version_start(_at(text, i)) else i

    end = part_end(start)
    for _ in range(2):
        if _at(text, end) != ".":
            return end
        following = part_end(end + 1)
        if following == end + 1:
            return end
        end = following
    return _build_end(text, _pre_end(text, end, False))


def _trim_operator_space(text: str) -> str:
    """Join an operator to its version (``>= 1.2`` -> ``>=1.2``) as node-semver's comparator trim does."""
    if not _OPERATOR_SPACE.search(text):  # only a blank right after <, > or = is ever removed
        return text
    out: list[str] = []
    copy_from = i = 0
    n = len(text)
    while i < n:
        start = i
        if text[i] in "<>":
            i += 1
        elif text[i] not in "v= " and not _is_version_start(text[i]):
            i += 1
            continue
        while i < n and text[i] in "v= ":
            i += 1
        if i >= n or not _is_version_start(text[i]):
            continue
        pos = start + (text[start] == " ")
        pos += pos < n and text[pos] in "<>"
        pos += pos < n and text[pos] == "="
        if pos < n and text[pos] == " ":
            out.append(text[copy_from:pos])
            copy_from = pos + 1
        i = _version_end(text, i)
    out.append(text[copy_from:])
    return "".join(out)


@dataclass(frozen=True)
class Comparator:
    op: str  # "", "<", "<=", ">", ">="; "" with version None is "any version"
    version: SemVer | None

    @property
    def value(self) -> str:
        return "" if self.version is None else self.op + self.version.text

    def test(self, version: SemVer) -> bool:
        if self.version is None:
            return True
        a, b = version.key, self.version.key
        if self.op == "<":
            return a < b
        if self.op == "<=":
            return a <= b
        if self.op == ">":
            return a > b
        if self.op == ">=":
            return a >= b
        return a == b


_NULL_SET = "<0.0.0-0"


def _comparators(part: str, loose: bool, text: str) -> tuple[Comparator, ...]:
    """One ``||`` alternative as its comparators (empty if loose mode dropped them all)."""
    syntax = _LOOSE if loose else _STRICT
    part = _BUILD_ANYWHERE.sub("", part)
    hyphen = syntax.hyphen.fullmatch(part)
    if hyphen:
        part = _hyphen(hyphen)
    part = _trim_operator_space(part)
    part = _TILDE_TRIM.sub(r"\1~", part)
    part = _CARET_TRIM.sub(r"\1^", part)
    words: list[str] = []
    for comp in part.split(" "):
        comp = _BUILD_ANYWHERE.sub("", comp, count=1)
        comp = _each(comp, _caret, syntax)
        comp = _each(comp, _tilde, syntax)
        comp = _each(comp, _xrange, syntax)
        words.append(_STAR.sub("", comp.strip(), count=1))
    items = ["" if _GTE0.fullmatch(word) else word for word in _SPACES.split(" ".join(words))]
    if loose:
        items = [item for item in items if syntax.comparator.fullmatch(item)]
    comparators = [_comparator(item, syntax, loose, text) for item in items]
    found: dict[str, Comparator] = {}
    for comparator in comparators:
        if comparator.value == _NULL_SET:
            return (comparator,)
        found[comparator.value] = comparator
    if len(found) > 1:
        found.pop("", None)
    return tuple(found.values())


def _comparator(item: str, syntax: _Syntax, loose: bool, text: str) -> Comparator:
    match = syntax.comparator.fullmatch(item)
    if not match:
        raise invalid("npm" if loose else "semver", "range", text, f"cannot read {item!r}")
    if not match.group(2):
        return Comparator("", None)
    op = match.group(1)
    try:
        version = parse(match.group(2), loose)
    except InvalidVersion as exc:
        raise invalid("npm" if loose else "semver", "range", text, str(exc)) from None
    return Comparator("" if op == "=" else op, version)


class Range(Requirement):
    """A node-semver range: alternatives (``||``) of comparator sets."""

    def __init__(self, text: str, loose: bool) -> None:
        name = "npm" if loose else "semver"
        super().__init__(checked(name, text, "range", MAX_REQUIREMENT_LENGTH))
        self.loose = loose
        raw = _SPACES.sub(" ", text.strip())
        sets = [c for c in (_comparators(p.strip(), loose, text) for p in raw.split("||")) if c]
        if not sets:
            raise invalid(name, "range", text, "no comparator could be read")
        if len(sets) > 1:
            first = sets[0]
            sets = [c for c in sets if c[0].value != _NULL_SET] or [first]
            for comparators in sets:
                if len(comparators) == 1 and comparators[0].version is None:
                    sets = [comparators]
                    break
        self.sets = tuple(sets)

    def matches(self, version: str) -> bool:
        parsed = parse(version, self.loose)
        return any(_test_set(comparators, parsed) for comparators in self.sets)


def _test_set(comparators: tuple[Comparator, ...], version: SemVer) -> bool:
    if not all(c.test(version) for c in comparators):
        return False
    if not version.prerelease:
        return True
    core = (version.major, version.minor, version.patch)
    return any(
        c.version is not None
        and c.version.prerelease
        and (c.version.major, c.version.minor, c.version.patch) == core
        for c in comparators
    )


@parse_cache()
def parse_range(text: str, loose: bool) -> Range:
    return Range(text, loose)


@register
class SemverScheme(VersionScheme):
    """Strict SemVer 2.0 (node-semver's default options)."""

    name = "semver"
    loose = False

    def key(self, version: str) -> SemverKey:
        return parse(version, self.loose).key

    def compare(self, a: str, b: str) -> int:
        ka, kb = self.key(a), self.key(b)
        return (ka > kb) - (ka < kb)

    def requirement(self, text: str) -> Range:
        return parse_range(text, self.loose)


@register
class NpmScheme(SemverScheme):
    """npm's reading of versions and ranges (node-semver's ``loose`` option)."""

    name = "npm"
    loose = True


__all__ = ["InvalidVersion", "NpmScheme", "Range", "SemVer", "SemverScheme", "parse"]
