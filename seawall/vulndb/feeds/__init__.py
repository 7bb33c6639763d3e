"""Feed importers: one module per upstream format, each registering an :class:`Importer` with ``@register``.

The importer interface — adding a feed is one new file in this folder, nothing else to edit::

    @register
    class RustSecImporter(Importer):
        name = "rustsec"      # unique; recorded per source in the DB metadata
        version = 1           # bump when the output changes: sources it built are re-imported
        priority = 50         # detection order, lowest first; generic formats (OSV) come last
        max_size = 64 * MiB   # larger files are skipped with a warning (parsing costs ~10x in memory)

        def wants(self, path: str) -> bool:
            # Which files of a source to read (path inside the directory or archive). Cheap string tests.
            return path.endswith(".md") and "/crates/" in f"/{path}"

        def detect(self, path: str, content: bytes) -> bool:
            # Whether a wanted file is this format: decides which importer reads a source.
            return content.lstrip().startswith(b"```toml")

        def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
            # Records (Advisory, KevEntry, EpssScore, CveRecord) from one file. Raise FeedError for a
            # file that cannot be parsed (the build skips it with a warning naming the file and the
            # reason); call report.warn(path, reason) to skip one record of a file that holds many,
            # report.count("withdrawn") for anything worth counting; set report.date if the data
            # carries its own date.
            ...

        def finish(self, report: ImportReport) -> Iterable[Record]:
            # Optional: records built from several files, after the last one. One instance of the
            # importer reads one source, so state kept on ``self`` between files is fine.
            return ()

Importers see bytes, never archives: :mod:`seawall.vulndb.reader` walks directories, zips and tar
archives. Normalise namespaces and names with :mod:`seawall.vulndb.namespace`. Never execute, follow
links, or allocate without a bound: feed files are hostile input like image content.

What to emit (:mod:`seawall.vulndb.model`): one Advisory per upstream record, one AffectedPackage per
(namespace, package) with its Status (``fixed`` with ``fixed`` versions, ``affected`` when no fix
exists, ``will_not_fix``, ``fix_deferred``, ``end_of_life``, ``not_affected``, ``under_investigation``)
and vendor remarks in ``notes``; ranges as OSV events (ECOSYSTEM) or, for feeds written as
requirements (RubySec, RustSec, npm), a REQUIREMENTS range with ``vulnerable``/``unaffected``;
vendor severity words as a Rating with method ``vendor``. Tests go in ``tests/vulndb/test_<name>.py``,
on the real data in ../shared/vulndata.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from seawall.vulndb.errors import FeedError, SourceError
from seawall.vulndb.model import Record
from seawall.vulndb.reader import SourceReader

__all__ = [
    "FeedError",
    "ImportReport",
    "Importer",
    "all_importers",
    "detect_importer",
    "get_importer",
    "register",
]

MiB = 1024 * 1024
MAX_WARNINGS = 50  # kept verbatim per source; all are counted
DETECT_FILES = 200  # wanted files looked at before giving up on recognising a source


@dataclass
class ImportReport:
    """What importing one source produced: counters, warnings (the first MAX_WARNINGS kept), its date."""

    source: str
    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    date: str = ""

    def warn(self, path: str, reason: str) -> None:
        self.counts["warnings"] += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"{path}: {reason}")

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


class Importer(ABC):
    """Reads one upstream format. See the module docstring for the contract."""

    name: ClassVar[str]
    version: ClassVar[int]
    priority: ClassVar[int] = 50
    max_size: ClassVar[int] = 64 * MiB

    @abstractmethod
    def wants(self, path: str) -> bool:
        """Whether to read this file of a source."""

    @abstractmethod
    def detect(self, path: str, content: bytes) -> bool:
        """Whether this wanted file is in this importer's format."""

    @abstractmethod
    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        """The records of one file; FeedError if the file is malformed."""

    def finish(self, report: ImportReport) -> Iterable[Record]:
        """Records assembled across files, after the last file of the source."""
        return ()


_REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator adding an importer to the registry under its ``name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"two feed importers named {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def all_importers() -> list[Importer]:
    """A fresh instance of every registered importer, in detection order."""
    _load_all()
    return [cls() for cls in sorted(_REGISTRY.values(), key=lambda c: (c.priority, c.name))]


def get_importer(name: str) -> Importer:
    _load_all()
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise SourceError(f"unknown feed format {name!r} (known: {known})")
    return _REGISTRY[name]()


def detect_importer(reader: SourceReader) -> Importer:
    """The importer that recognises the first of a source's files that any importer recognises."""
    importers = all_importers()
    seen = 0
    largest = max(i.max_size for i in importers)  # a single large feed file (the Debian tracker JSON)
    for feed_file in reader.files(lambda path: any(i.wants(path) for i in importers), max_bytes=largest):
        if feed_file.error:
            continue
        for importer in importers:
            if importer.wants(feed_file.path) and importer.detect(feed_file.path, feed_file.content):
                return importer
        seen += 1
        if seen >= DETECT_FILES:
            break
    raise SourceError(f"{reader.path}: no feed importer recognises this source")
