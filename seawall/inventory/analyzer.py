"""The analyzer interface and registry.

An analyzer looks at single files of one layer. The layer pass streams every tar entry once and
asks each analyzer ``wants(path, info)``; only the files some analyzer wants are read (up to the
analyzer's ``max_size``), and ``analyze`` turns their bytes into :class:`~seawall.model.Facts`.
Facts are kept per path, so the merge can overlay layers: a package database rewritten in a later
layer replaces the earlier one, a whiteout removes what it hid.

To add an analyzer, write one module in ``seawall/inventory/analyzers/`` with a subclass of
:class:`Analyzer` decorated with :func:`register`. Bump ``version`` whenever its output changes:
the version is part of the layer-cache key.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from typing import ClassVar

from seawall.model import Facts, FileInfo, FileKind

__all__ = [
    "ALL_LAYERS",
    "Analyzer",
    "AnalyzerError",
    "FileInfo",
    "FileKind",
    "all_analyzers",
    "analyzer_versions",
    "register",
]

MiB = 1024 * 1024
# A Rule tag: the rule's findings stay true in layers a later layer hides (a leaked key is still in the
# layer that added it), so the merge keeps them from every layer, as it keeps secrets.
ALL_LAYERS = "scope:all-layers"


class AnalyzerError(Exception):
    """A file an analyzer wanted could not be parsed; the layer pass records it as a warning."""


class Analyzer(ABC):
    """Turns wanted files into facts. Instances must be stateless between calls."""

    name: ClassVar[str]
    version: ClassVar[int]
    max_size: ClassVar[int] = 64 * MiB
    # The scanner an analyzer serves: "vuln" (the package inventory, needed by every scan), "config"
    # (image hardening) or "secret". Only the analyzers of the scanners asked for run.
    scanner: ClassVar[str] = "vuln"
    # Optional prefilter. When an analyzer declares any of these, the layer pass calls ``wants`` only
    # for entries whose file name is in ``basenames``, whose lower-cased name ends with one of
    # ``suffixes``, whose path starts with one of ``prefixes``, or (``executables``) that have an
    # execute bit. An analyzer that declares none is asked about every entry.
    basenames: ClassVar[frozenset[str]] = frozenset()
    suffixes: ClassVar[tuple[str, ...]] = ()
    prefixes: ClassVar[tuple[str, ...]] = ()
    executables: ClassVar[bool] = False
    # A header-only analyzer judges entries by their tar header alone (mode bits, link target): the
    # layer pass calls ``analyze_entry`` for the entries it wants and never reads content for it.
    # ``directories``: directory entries are offered too (to ``wants``, then ``analyze_entry``);
    # other analyzers never see them.
    header_only: ClassVar[bool] = False
    directories: ClassVar[bool] = False

    @abstractmethod
    def wants(self, path: str, info: FileInfo) -> bool:
        """Whether this file should be read. Called for every entry: keep it cheap (string tests)."""

    @abstractmethod
    def analyze(self, path: str, content: bytes) -> Facts:
        """Facts from one file's content. Raise :class:`AnalyzerError` for input it cannot parse."""

    def analyze_entry(self, info: FileInfo) -> Facts:
        """Facts from a wanted entry's header alone: called instead of ``analyze`` for entries that are
        not regular files (links, devices; directories when ``directories`` is set) and for every
        entry of a ``header_only`` analyzer. The default learns nothing."""
        return Facts()


_REGISTRY: dict[str, type[Analyzer]] = {}


def register(cls: type[Analyzer]) -> type[Analyzer]:
    """Class decorator adding an analyzer to the registry under its ``name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"two analyzers named {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


SCANNERS = ("vuln", "config", "secret")


def all_analyzers(scanners: tuple[str, ...] = ("vuln",)) -> list[Analyzer]:
    """One instance of every registered analyzer of the given scanners, in name order.

    The inventory ("vuln") analyzers always run: every other result refers to packages.
    """
    from seawall.inventory import analyzers as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    wanted = {"vuln", *scanners}
    return [_REGISTRY[name]() for name in sorted(_REGISTRY) if _REGISTRY[name].scanner in wanted]


def analyzer_versions(analyzers: list[Analyzer]) -> dict[str, int]:
    return {a.name: a.version for a in analyzers}


class ExecutableAnalyzer(Analyzer):
    """An analyzer of executables (Go build info, cargo-auditable data): every regular file with an
    execute bit, up to ``max_size``; ``analyze`` must bail out cheaply on content that is not its kind."""

    executables: ClassVar[bool] = True
    max_size: ClassVar[int] = 128 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return info.kind is FileKind.REGULAR and info.mode & 0o111 != 0 and info.size <= self.max_size
