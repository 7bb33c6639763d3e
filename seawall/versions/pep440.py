"""Python package versions and version specifiers (PEP 440), as the ``packaging`` library reads them.

Versions: ``[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`` with PEP 440's normalisations (a leading
``v``, ``alpha``/``beta``/``c``/``pre``/``preview`` spellings, ``-``/``_``/``.`` separators, implicit
numbers, ``1.0-1`` as a post-release, any case, surrounding whitespace). Ordering: epoch, release
(trailing zeros ignored), then dev-only < a < b < rc < final, post-releases after, dev-releases before
their base, local versions after the public version (alphanumeric segments before numeric ones).

Specifiers: comma-joined clauses of ``~=``, ``==`` (with ``.*`` prefix matching and ``+local``),
``!=``, ``<=``, ``>=``, ``<``, ``>``, ``===``. :meth:`Pep440Scheme.satisfies` answers as
``SpecifierSet(spec).contains(version, prereleases=True)`` of packaging 26 does: an installed
pre-release is a fact, not a resolver choice, so pre-releases are never filtered out, while the PEP's
own exclusions still apply (``<2.0`` excludes ``2.0rc1``, ``>1.0`` excludes ``1.0.post1``).
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

NAME = "pep440"

_SEP = r"[._-]?"
_PRE = rf"{_SEP}(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc){_SEP}(?P<pre_n>[0-9]+)?"
_POST = rf"-(?P<post_n1>[0-9]+)|{_SEP}(?P<post_l>post|rev|r){_SEP}(?P<post_n2>[0-9]+)?"
_DEV = rf"{_SEP}(?P<dev_l>dev){_SEP}(?P<dev_n>[0-9]+)?"
_PUBLIC = rf"v?(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)(?:{_PRE})?(?:{_POST})?(?:{_DEV})?"
_LOCAL = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
_VERSION = re.compile(rf"\s*{_PUBLIC}(?:\+(?P<local>{_LOCAL}))?\s*", re.IGNORECASE | re.ASCII)

# Specifier version syntax by operator, as packaging's Specifier regex defines it.
_NUM = r"v?(?:[0-9]+!)?[0-9]+"
_SUFFIXES = (
    rf"(?:{_SEP}(?:alpha|beta|preview|pre|a|b|c|rc){_SEP}[0-9]*)?"
    rf"(?:-[0-9]+|{_SEP}(?:post|rev|r){_SEP}[0-9]*)?(?:{_SEP}dev{_SEP}[0-9]*)?"
)
_SPEC_SYNTAX = {
    "==": rf"{_NUM}(?:\.[0-9]+)*(?:\.\*|{_SUFFIXES}(?:\+{_LOCAL})?)",
    "~=": rf"{_NUM}(?:\.[0-9]+)+{_SUFFIXES}",
    "ordered": rf"{_NUM}(?:\.[0-9]+)*{_SUFFIXES}",
}
_SPEC_SYNTAX["!="] = _SPEC_SYNTAX["=="]
_SPECIFIER = re.compile(r"\s*(?P<op>===|~=|==|!=|<=|>=|<|>)\s*(?P<version>\S.*?)?\s*", re.ASCII)
_SPEC_VERSION = {
    op: re.compile(_SPEC_SYNTAX.get(op, _SPEC_SYNTAX["ordered"]), re.IGNORECASE | re.ASCII)
    for op in ("==", "!=", "~=", "<=", ">=", "<", ">")
}
_ARBITRARY = re.compile(r"[^\s;)]+")

_PRE_LETTER = {
    "a": "a",
    "alpha": "a",
    "b": "b",
    "beta": "b",
    "c": "rc",
    "pre": "rc",
    "preview": "rc",
    "rc": "rc",
}
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_DEV_ONLY, _NO_PRE = -1, 3
_INFINITY = float("inf")

Suffix = tuple[int, int, int, float, int, int]
LocalKey = tuple[tuple[int, int | str], ...]
PublicKey = tuple[int, tuple[int, ...], Suffix]
Pep440Key = tuple[int, tuple[int, ...], Suffix, tuple[int, LocalKey]]


@dataclass(frozen=True)
class Version:
    """A parsed PEP 440 version."""

    epoch: int
    release: tuple[int, ...]
    pre: tuple[str, int] | None
    post: int | None
    dev: int | None
    local: tuple[int | str, ...] | None

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    @functools.cached_property
    def public_key(self) -> PublicKey:
        release = self.release
        end = len(release)
        while end and release[end - 1] == 0:
            end -= 1
        if self.pre is None and self.post is None and self.dev is not None:
            pre_rank, pre_n = _DEV_ONLY, 0
        elif self.pre is None:
            pre_rank, pre_n = _NO_PRE, 0
        else:
            pre_rank, pre_n = _PRE_RANK[self.pre[0]], self.pre[1]
        suffix: Suffix = (
            pre_rank,
            pre_n,
            0 if self.post is None else 1,
            0 if self.post is None else self.post,
            1 if self.dev is None else 0,
            0 if self.dev is None else self.dev,
        )
        return self.epoch, release[:end], suffix

    @functools.cached_property
    def key(self) -> Pep440Key:
        epoch, release, suffix = self.public_key
        if self.local is None:
            return epoch, release, suffix, (0, ())
        local = tuple((0, part) if isinstance(part, str) else (1, part) for part in self.local)
        return epoch, release, suffix, (1, local)

    def replace(self, **changes: object) -> Version:
        fields = {
            "epoch": self.epoch,
            "release": self.release,
            "pre": self.pre,
            "post": self.post,
            "dev": self.dev,
            "local": self.local,
        }
        fields.update(changes)
        return Version(**fields)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=65536)
def parse(version: str) -> Version:
    """``version`` parsed (InvalidVersion if it is not a PEP 440 version)."""
    match = _VERSION.fullmatch(checked(NAME, version))
    if not match:
        raise invalid(NAME, "version", version)
    pre_l, post_l, dev_l = match.group("pre_l"), match.group("post_l"), match.group("dev_l")
    post_n = match.group("post_n1") or match.group("post_n2")
    local = match.group("local")
    return Version(
        epoch=int(match.group("epoch") or 0),
        release=tuple(int(part) for part in match.group("release").split(".")),
        pre=(_PRE_LETTER[pre_l.lower()], int(match.group("pre_n") or 0)) if pre_l else None,
        post=int(post_n or 0) if post_l or post_n else None,
        dev=int(match.group("dev_n") or 0) if dev_l else None,
        local=None
        if local is None
        else tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"[._-]", local)),
    )


def _next_prefix_dev0(epoch: int, release: tuple[int, ...]) -> Version:
    """The first version after every version starting with ``release``: ``1.2`` -> ``1.3.dev0``."""
    return Version(epoch, (*release[:-1], release[-1] + 1), None, None, 0, None)


@dataclass(frozen=True)
class Clause:
    """One specifier: an operator and its version text."""

    op: str
    text: str

    def contains(self, raw: str, version: Version | None) -> bool:
        if self.op == "===":
            return raw.lower() == self.text.lower()
        if version is None:
            return False
        return self._test(version)

    @functools.cached_property
    def _spec(self) -> Version:
        return parse(self.text.removesuffix(".*"))

    def _test(self, v: Version) -> bool:
        op, spec = self.op, self._spec
        if op in ("==", "!=") and self.text.endswith(".*"):
            low = Version(spec.epoch, spec.release, None, None, 0, None)
            inside = low.key <= v.key < _next_prefix_dev0(spec.epoch, spec.release).key
            return inside == (op == "==")
        if op in ("==", "!="):
            equal = v.key == spec.key if "+" in self.text else v.public_key == spec.public_key
            return equal == (op == "==")
        if op == ">=":
            return v.key >= spec.key
        if op == "<=":
            return v.public_key <= spec.public_key
        if op == "<":
            bound = spec if spec.is_prerelease else spec.replace(dev=0, local=None)
            return v.key < bound.key
        if op == ">":
            if spec.dev is not None:
                return v.key >= spec.replace(dev=spec.dev + 1, local=None).key
            if spec.post is not None:
                return v.key >= spec.replace(post=spec.post + 1, dev=0, local=None).key
            epoch, release, suffix = spec.public_key
            after_posts: Suffix = (suffix[0], suffix[1], 1, _INFINITY, 1, 0)
            return v.public_key > (epoch, release, after_posts)
        # ~=: at least the spec, below the next release of its prefix.
        return spec.key <= v.key < _next_prefix_dev0(spec.epoch, spec.release[:-1]).key


class SpecifierSet(Requirement):
    """Comma-joined PEP 440 specifiers; every clause must hold."""

    def __init__(self, text: str) -> None:
        super().__init__(checked(NAME, text, "specifier", MAX_REQUIREMENT_LENGTH))
        self.clauses = tuple(_clause(part.strip(), text) for part in text.split(",") if part.strip())

    def matches(self, version: str) -> bool:
        try:
            parsed: Version | None = parse(version)
        except InvalidVersion:
            if not self.clauses or any(c.op != "===" for c in self.clauses):
                raise
            parsed = None
        return all(clause.contains(version, parsed) for clause in self.clauses)


def _clause(part: str, text: str) -> Clause:
    match = _SPECIFIER.fullmatch(part)
    if not match or match.group("version") is None:
        raise invalid(NAME, "specifier", text, f"cannot read {part!r}")
    op, version = match.group("op"), match.group("version")
    syntax = _ARBITRARY if op == "===" else _SPEC_VERSION[op]
    if not syntax.fullmatch(version):
        raise invalid(NAME, "specifier", text, f"{version!r} is not a version for {op}")
    return Clause(op, version)


@parse_cache()
def specifier_set(text: str) -> SpecifierSet:
    return SpecifierSet(text)


@register
class Pep440Scheme(VersionScheme):
    name = NAME

    def key(self, version: str) -> Pep440Key:
        return parse(version).key

    def compare(self, a: str, b: str) -> int:
        ka, kb = parse(a).key, parse(b).key
        return (ka > kb) - (ka < kb)

    def requirement(self, text: str) -> SpecifierSet:
        return specifier_set(text)


__all__ = ["InvalidVersion", "Pep440Scheme", "SpecifierSet", "Version", "parse"]
