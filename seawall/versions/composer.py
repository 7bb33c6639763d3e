"""PHP package versions and constraints, as Composer (``composer/semver``) reads them.

Versions are first normalised as Composer's ``VersionParser::normalize`` does: an optional ``v``, up to
four numbers padded to four (``1.2`` -> ``1.2.0.0``), or a date-like version (``2010.01.02``); a
stability suffix expanded (``a``/``alpha``, ``b``/``beta``, ``RC``, ``p``/``pl``/``patch``) with its
number; ``-dev``; build metadata and ``@stability`` flags dropped; ``2.x-dev`` branches as
``2.9999999.9999999.9999999-dev``. Normalised versions are compared with PHP's ``version_compare``,
which orders ``dev < alpha < beta < RC < (release) < patch``, as ``Semver::sort`` does: ``dev-master``
(also ``-default``, ``-trunk``) sorts after every release, another named branch (``dev-feature``) before
every release, and two different named branches have no order (InvalidVersion). A named branch
satisfies only ``== itself``, ``!=`` other versions and ``*``.

Constraints: ``||`` (or ``|``) alternatives of comparators joined by spaces or commas: ``>=``, ``>``,
``<``, ``<=``, ``=``, ``==``, ``!=``, ``<>``; ``~1.2`` (``>=1.2 <2.0``), ``^1.2.3`` (``>=1.2.3
<2.0.0``), wildcards (``1.2.*``), hyphen ranges (``1.0 - 2.0``) and ``*``, rewritten into comparators
as Composer's ``VersionParser::parseConstraints`` rewrites them (unstable lower bounds get ``-dev``).
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

NAME = "composer"
_I = re.IGNORECASE
_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)([0-9]*(?:[.-][0-9]+)*)?)?([.-]?dev)?"
_STABILITIES = r"stable|RC|beta|alpha|dev"
_ALIAS = re.compile(r"([^,\s]+) +as +([^,\s]+)")
_FLAG = re.compile(rf"@(?:{_STABILITIES})$", _I)
_BUILD = re.compile(r"([^,\s+]+)\+\S+")
_CLASSICAL = re.compile(rf"v?([0-9]{{1,5}})(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?{_MODIFIER}", _I)
_DATE = re.compile(rf"v?([0-9]{{4}}(?:[.:-]?[0-9]{{2}}){{1,6}}(?:[.:-]?[0-9]{{1,3}}){{0,2}}){_MODIFIER}", _I)
_DEV_BRANCH = re.compile(r"(.*?)[.-]?dev", _I | re.DOTALL)
_BRANCH = re.compile(r"v?([0-9]+)(\.(?:[0-9]+|[xX*]))?(\.(?:[0-9]+|[xX*]))?(\.(?:[0-9]+|[xX*]))?", _I)
_STABILITY_OF = re.compile(rf"{_MODIFIER}(?:\+.*)?$", _I | re.DOTALL)

_OR = re.compile(r"\s*\|\|?\s*")
_AND = re.compile(r"(?<!^)(?<!as)(?<![=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)")
_CONSTRAINT_FLAG = re.compile(rf"([^,\s]*?)@({_STABILITIES})", _I)
_REF = re.compile(r"(dev-[^,\s@]+?|[^,\s@]+?\.x-dev)#.+", _I | re.DOTALL)
_ANY = re.compile(r"(v)?[xX*](\.[xX*])*", _I)
_VR = rf"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?(?:{_MODIFIER}|\.([xX*][.-]?dev))(?:\+\S+)?"
_TILDE = re.compile(rf"~>?{_VR}", _I)
_CARET = re.compile(rf"\^{_VR}", _I)
_XRANGE = re.compile(r"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.[xX*])+")
_HYPHEN = re.compile(rf"({_VR}) +- +({_VR})", _I)
_BASIC = re.compile(r"(<>|!=|>=?|<=?|==?)?\s*(.*)", re.DOTALL)
_UNSTABLE_SUFFIX = re.compile(rf"-{_MODIFIER}$")
_DEV_NAME = re.compile(r"[0-9a-zA-Z./-]+")


def _expand_stability(word: str) -> str:
    word = word.lower()
    return {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch", "rc": "RC"}.get(word, word)


def normalize(version: str) -> str:
    """Composer's normalised form of ``version`` (InvalidVersion if Composer would reject it)."""
    return _normalize(checked(NAME, version))


@functools.lru_cache(maxsize=65536)
def _normalize(original: str) -> str:
    version = original.strip()
    alias = _ALIAS.fullmatch(version)
    if alias:
        version = alias.group(1)
    flag = _FLAG.search(version)
    if flag:
        version = version[: flag.start()]
    if version in ("master", "trunk", "default"):
        version = "dev-" + version
    if version[:4].lower() == "dev-":
        return "dev-" + version[4:]
    build = _BUILD.fullmatch(version)
    if build:
        version = build.group(1)
    match = _CLASSICAL.fullmatch(version)
    if match:
        groups = match.groups()
        normal = groups[0] + "".join(g or ".0" for g in groups[1:4])
        index = 4
    else:
        match = _DATE.fullmatch(version)
        if match:
            groups = match.groups()
            normal = re.sub(r"[^0-9]", ".", groups[0])
            index = 1
    if match:
        stability, number, dev = groups[index], groups[index + 1], groups[index + 2]
        if stability:
            if stability == "stable":
                return normal
            normal += "-" + _expand_stability(stability) + (number.lstrip(".-") if number else "")
        if dev:
            normal += "-dev"
        return normal
    branch = _DEV_BRANCH.fullmatch(version)
    if branch:
        normal = normalize_branch(branch.group(1))
        if "dev-" not in normal:
            return normal
    raise invalid(NAME, "version", original)


def normalize_branch(name: str) -> str:
    """A branch name as Composer normalises it: ``2.1.x`` -> ``2.1.9999999.9999999-dev``."""
    name = name.strip()
    match = _BRANCH.fullmatch(name)
    if not match:
        return "dev-" + name
    parts = "".join((g if g is not None else ".x") for g in match.groups())
    return parts.replace("*", "x").replace("X", "x").replace("x", "9999999") + "-dev"


# --- PHP's version_compare ------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _canonical(version: str) -> str:
    """php_canonicalize_version: ``-_+`` and other punctuation become dots; letter/digit runs split."""
    out = [version[0]]
    previous = version[0]
    for char in version[1:]:
        last = out[-1]
        if char in "-_+":
            if last != ".":
                out.append(".")
        elif (_not_digit(previous) and _digit(char)) or (_digit(previous) and _not_digit(char)):
            if last != ".":
                out.append(".")
            out.append(char)
        elif not (char.isascii() and char.isalnum()):
            if last != ".":
                out.append(".")
        else:
            out.append(char)
        previous = char
    return "".join(out)


def _digit(char: str) -> bool:
    return len(char) == 1 and "0" <= char <= "9"


def _not_digit(char: str) -> bool:
    return not _digit(char) and char != "."


_SPECIAL_FORMS: tuple[tuple[str, int], ...] = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)


def _special_form(form: str) -> int:
    return next((order for name, order in _SPECIAL_FORMS if form.startswith(name)), -1)


def _special(a: str, b: str) -> int:
    fa, fb = _special_form(a), _special_form(b)
    return (fa > fb) - (fa < fb)


def php_version_compare(a: str, b: str) -> int:
    """PHP's ``version_compare($a, $b)``: -1, 0 or 1 (ext/standard/versioning.c, its tail call a loop)."""
    while True:
        if not a or not b:
            return (bool(a) > bool(b)) - (bool(a) < bool(b))
        rest1 = a if a.startswith("#") else _canonical(a)
        rest2 = b if b.startswith("#") else _canonical(b)
        more1 = more2 = True
        while rest1 and rest2 and more1 and more2:
            p1, dot1, tail1 = rest1.partition(".")
            p2, dot2, tail2 = rest2.partition(".")
            more1, more2 = bool(dot1), bool(dot2)
            if _digit(p1[:1]) and _digit(p2[:1]):
                n1, n2 = _leading_int(p1), _leading_int(p2)
                result = (n1 > n2) - (n1 < n2)
            elif not _digit(p1[:1]) and not _digit(p2[:1]):
                result = _special(p1, p2)
            elif _digit(p1[:1]):
                result = _special("#N#", p2)
            else:
                result = _special(p1, "#N#")
            if result:
                return result
            rest1 = tail1 if more1 else p1
            rest2 = tail2 if more2 else p2
        if more1:
            if _digit(rest1[:1]):
                return 1
            a, b = rest1, "#N#"
        elif more2:
            if _digit(rest2[:1]):
                return -1
            a, b = "#N#", rest2
        else:
            return 0


def _leading_int(text: str) -> int:
    digits = re.match(r"[0-9]*", text)
    return int(digits.group()) if digits and digits.group() else 0


# --- constraints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    op: str  # "==", "!=", "<", "<=", ">", ">=", or "*" (matches everything)
    version: str = ""

    def matches(self, normalized: str) -> bool:
        """Constraint::matchSpecific against ``== normalized`` (branches only match ``==``/``!=`` exactly)."""
        if self.op == "*":
            return True
        branch, constraint_branch = normalized.startswith("dev-"), self.version.startswith("dev-")
        if self.op == "!=" and (branch or constraint_branch):
            return normalized != self.version
        if branch or constraint_branch:
            return self.op == "==" and normalized == self.version
        c = php_version_compare(normalized, self.version)
        return {
            "==": c == 0,
            "!=": c != 0,
            "<": c < 0,
            "<=": c <= 0,
            ">": c > 0,
            ">=": c >= 0,
        }[self.op]


_OP_NAMES = {"=": "==", "==": "==", "<>": "!=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _set(value: str | None) -> bool:
    return value is not None and value != ""


def _manipulate(numbers: list[str | None], position: int, increment: int = 0) -> str:
    parts = ["" if n is None else n for n in numbers]
    for i in range(3, -1, -1):
        if i + 1 > position:
            parts[i] = "0"
        elif i + 1 == position and increment:
            parts[i] = str(_php_int(parts[i]) + increment)
    return ".".join(parts)


def _php_int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _parse_stability(version: str) -> str:
    version = re.sub(r"#.+$", "", version, flags=re.DOTALL)
    if version.startswith("dev-") or version.endswith("-dev"):
        return "dev"
    match = _STABILITY_OF.search(version.lower())
    if match and match.group(3):
        return "dev"
    word = match.group(1) if match else None
    return {"beta": "beta", "b": "beta", "alpha": "alpha", "a": "alpha", "rc": "RC"}.get(word or "", "stable")


def _parse_constraint(text: str, whole: str) -> list[Constraint]:
    alias = _ALIAS.fullmatch(text)
    if alias:
        text = alias.group(1)
    modifier = ""
    flag = _CONSTRAINT_FLAG.fullmatch(text)
    if flag:
        text = flag.group(1) or "*"
        if flag.group(2) != "stable":
            modifier = flag.group(2)
    ref = _REF.fullmatch(text)
    if ref:
        text = ref.group(1)
    if match := _ANY.fullmatch(text):
        return [Constraint(">=", "0.0.0.0-dev")] if match.group(1) or match.group(2) else [Constraint("*")]
    if match := _TILDE.fullmatch(text):
        if text.startswith("~>"):
            raise invalid(NAME, "constraint", whole, 'invalid operator "~>", Composer\'s tilde is "~"')
        g = match.groups()
        position = 4 if _set(g[3]) else 3 if _set(g[2]) else 2 if _set(g[1]) else 1
        if g[7]:
            position += 1
        suffix = "" if g[4] or g[6] or g[7] else "-dev"
        low = _normalize_in(text[1:] + suffix, whole)
        return [
            Constraint(">=", low),
            Constraint("<", _manipulate(list(g[:4]), max(1, position - 1), 1) + "-dev"),
        ]
    if match := _CARET.fullmatch(text):
        g = match.groups()
        if g[0] != "0" or not _set(g[1]):
            position = 1
        elif g[1] != "0" or not _set(g[2]):
            position = 2
        else:
            position = 3
        suffix = "" if g[4] or g[6] or g[7] else "-dev"
        low = _normalize_in(text[1:] + suffix, whole)
        return [Constraint(">=", low), Constraint("<", _manipulate(list(g[:4]), position, 1) + "-dev")]
    if match := _XRANGE.fullmatch(text):
        g = match.groups()
        numbers = [g[0], g[1], g[2], None]
        position = 3 if _set(g[2]) else 2 if _set(g[1]) else 1
        low = _manipulate(numbers, position) + "-dev"
        high = _manipulate(numbers, position, 1) + "-dev"
        if low == "0.0.0.0-dev":
            return [Constraint("<", high)]
        return [Constraint(">=", low), Constraint("<", high)]
    if match := _HYPHEN.fullmatch(text):
        g = match.groups()  # g[0] from, g[1:9] its parts; g[9] to, g[10:18] its parts
        low_suffix = "" if g[5] or g[7] or g[8] else "-dev"
        low = _normalize_in(g[0], whole) + low_suffix
        if (_set(g[11]) and _set(g[12])) or g[14] or g[16] or g[17]:
            return [Constraint(">=", low), Constraint("<=", _normalize_in(g[9], whole))]
        _normalize_in(g[9], whole)
        high = _manipulate([g[10], g[11], g[12], g[13]], 2 if _set(g[11]) else 1, 1) + "-dev"
        return [Constraint(">=", low), Constraint("<", high)]
    return [_basic(text, modifier, whole)]


def _basic(text: str, modifier: str, whole: str) -> Constraint:
    match = _BASIC.match(text)
    assert match is not None  # the pattern matches every string
    op, rest = match.group(1), match.group(2)
    try:
        version = _normalize(rest)
    except InvalidVersion:
        if not (rest.endswith("-dev") and _DEV_NAME.fullmatch(rest)):
            raise invalid(NAME, "constraint", whole, f"cannot read {text!r}") from None
        version = _normalize("dev-" + rest[:-4])
    op = op or "="
    if op not in ("==", "=") and modifier and _parse_stability(version) == "stable":
        version += "-" + modifier
    elif op in ("<", ">=") and not _UNSTABLE_SUFFIX.search(rest.lower()) and not rest.startswith("dev-"):
        version += "-dev"
    return Constraint(_OP_NAMES[op], version)


def _normalize_in(version: str, whole: str) -> str:
    try:
        return _normalize(version)
    except InvalidVersion as exc:
        raise invalid(NAME, "constraint", whole, str(exc)) from None


class ConstraintSet(Requirement):
    """Composer constraints: alternatives of comparators that must all hold."""

    def __init__(self, text: str) -> None:
        super().__init__(checked(NAME, text, "constraint", MAX_REQUIREMENT_LENGTH))
        groups: list[tuple[Constraint, ...]] = []
        for alternative in _OR.split(text.strip()):
            parts = _AND.split(alternative)
            groups.append(tuple(c for part in parts for c in _parse_constraint(part, text)))
        self.groups = tuple(groups)

    def matches(self, version: str) -> bool:
        normalized = normalize(version)
        return any(all(c.matches(normalized) for c in group) for group in self.groups)


@parse_cache()
def constraints(text: str) -> ConstraintSet:
    return ConstraintSet(text)


def _default_branch(normalized: str) -> str:
    """VersionParser::normalizeDefaultBranch: the default branch sorts after every release."""
    return "9999999-dev" if normalized in ("dev-master", "dev-default", "dev-trunk") else normalized


@register
class ComposerScheme(VersionScheme):
    name = NAME

    def compare(self, a: str, b: str) -> int:
        """As Composer's ``Semver::sort`` orders versions; two different named branches have no order."""
        na, nb = _default_branch(normalize(a)), _default_branch(normalize(b))
        if na.startswith("dev-") and nb.startswith("dev-") and na != nb:
            raise invalid(NAME, "version", a, f"two named branches ({b!r}) have no order")
        return php_version_compare(na, nb)

    def requirement(self, text: str) -> ConstraintSet:
        return constraints(text)


__all__ = ["ComposerScheme", "ConstraintSet", "InvalidVersion", "normalize", "php_version_compare"]
