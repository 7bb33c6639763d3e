"""Version schemes, one module per scheme, each registering a :class:`VersionScheme`.

A scheme compares two versions of its ecosystem exactly as the ecosystem's own tool does, and tests
whether a version satisfies a range or requirement written in that ecosystem's syntax. Matching
(``seawall.match``) looks a scheme up by name with :func:`scheme`.

Every scheme is safe on hostile input: a version or range it cannot parse raises
:class:`InvalidVersion` (a one-line message quoting at most the start of the text), the inputs are
length-capped, the regular expressions cannot backtrack catastrophically, and recursion is bounded.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, ClassVar, ParamSpec, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

MAX_VERSION_LENGTH = 512
MAX_REQUIREMENT_LENGTH = 4096
P = ParamSpec("P")
R = TypeVar("R")


class InvalidVersion(ValueError):
    """A version or range string the scheme cannot parse."""


def invalid(scheme: str, what: str, text: str, reason: str = "") -> InvalidVersion:
    """An InvalidVersion whose message quotes at most the first 80 characters of ``text``."""
    shown = text if len(text) <= 80 else text[:80] + "..."
    reason = reason if len(reason) <= 160 else reason[:160] + "..."
    return InvalidVersion(f"invalid {scheme} {what} {shown!r}" + (f": {reason}" if reason else ""))


def checked(scheme: str, text: object, what: str = "version", limit: int = MAX_VERSION_LENGTH) -> str:
    """``text`` if it is a string of at most ``limit`` characters, else InvalidVersion."""
    if not isinstance(text, str):
        raise InvalidVersion(f"invalid {scheme} {what}: expected a string, got {type(text).__name__}")
    if len(text) > limit:
        raise invalid(scheme, what, text, f"longer than {limit} characters")
    return text


def parse_cache(maxsize: int = 8192) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Memoise a parser of positional arguments, InvalidVersion failures included.

    One advisory range is tested against many versions; an unreadable one should fail fast each time.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.lru_cache(maxsize=maxsize)
        def attempt(*args: Hashable) -> tuple[R | None, InvalidVersion | None]:
            try:
                return func(*args), None  # type: ignore[arg-type,call-arg]
            except InvalidVersion as exc:
                return None, exc

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            assert not kwargs, "cached parsers take positional arguments"
            value, error = attempt(*args)
            if error is not None:
                raise InvalidVersion(*error.args)
            return value  # type: ignore[return-value]

        return wrapper

    return decorate


class Requirement(ABC):
    """A parsed range or requirement of one scheme, reusable for many versions."""

    def __init__(self, text: str) -> None:
        self.text = text

    @abstractmethod
    def matches(self, version: str) -> bool:
        """Whether ``version`` meets this requirement (InvalidVersion if the version is unparsable)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"


class VersionScheme(ABC):
    """Ordering and range semantics of one ecosystem's versions."""

    name: ClassVar[str]  # "dpkg", "rpm", "apk", "pep440", "semver", "npm", "go", "cargo", "maven", ...

    @abstractmethod
    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1 as ``a`` sorts before, equal to, or after ``b``. InvalidVersion if unparsable."""

    def key(self, version: str) -> SupportsRichComparison:
        """A sort key: ``sorted(versions, key=scheme.key)`` orders versions as :meth:`compare` does.

        Schemes override this with a parsed tuple (cached), which is also what their compare uses.
        """
        return functools.cmp_to_key(self.compare)(version)

    def requirement(self, text: str) -> Requirement:
        """``text`` parsed as a range in the ecosystem's own syntax (InvalidVersion if unparsable).

        Schemes without a range syntax of their own (dpkg, rpm, apk, go) raise InvalidVersion.
        """
        raise InvalidVersion(f"the {self.name} scheme has no range syntax")

    def satisfies(self, version: str, requirement: str) -> bool:
        """Whether ``version`` meets ``requirement`` in the ecosystem's own range syntax."""
        return self.requirement(requirement).matches(version)

    def valid(self, version: str) -> bool:
        try:
            self.compare(version, version)
        except InvalidVersion:
            return False
        return True


def sign(value: int) -> int:
    return (value > 0) - (value < 0)


_SCHEMES: dict[str, VersionScheme] = {}


def register(cls: type[VersionScheme]) -> type[VersionScheme]:
    _SCHEMES[cls.name] = cls()
    return cls


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def scheme(name: str) -> VersionScheme:
    """The scheme registered under ``name`` (KeyError if none)."""
    if name not in _SCHEMES:
        _load_all()
    return _SCHEMES[name]


def schemes() -> dict[str, VersionScheme]:
    """Every registered scheme by name."""
    _load_all()
    return dict(_SCHEMES)
