"""Version schemes, one module per scheme, each registering a :class:`VersionScheme`.

A scheme compares two versions of its ecosystem exactly as the ecosystem's own tool does, and tests
whether a version satisfies a range or requirement written in that ecosystem's syntax. Matching
(``seawall.match``) looks a scheme up by name with :func:`scheme`.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from typing import ClassVar


class InvalidVersion(ValueError):
    """A version or range string the scheme cannot parse."""


class VersionScheme(ABC):
    """Ordering and range semantics of one ecosystem's versions."""

    name: ClassVar[str]  # "dpkg", "rpm", "apk", "pep440", "semver", "npm", "go", "cargo", "maven", ...

    @abstractmethod
    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1 as ``a`` sorts before, equal to, or after ``b``. InvalidVersion if unparsable."""

    def satisfies(self, version: str, requirement: str) -> bool:
        """Whether ``version`` meets ``requirement`` in the ecosystem's own range syntax.

        Schemes without a range syntax of their own (dpkg, rpm, apk) raise InvalidVersion.
        """
        raise InvalidVersion(f"the {self.name} scheme has no range syntax")

    def valid(self, version: str) -> bool:
        try:
            self.compare(version, version)
        except InvalidVersion:
            return False
        return True


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
