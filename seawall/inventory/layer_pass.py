"""One streaming pass over one layer: every entry seen once, only wanted files read.

The pass verifies the blob digest and the diff_id while it reads, applies the size and
decompression-bomb limits, and returns a :class:`LayerResult`: facts per wanted path plus the
whiteouts that the merge needs. Nothing is written to disk.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol, cast

from seawall.errors import LayerError
from seawall.image.blob import CHUNK, BombGuard, HashingReader, Prefetcher, decompressed, max_layer_bytes
from seawall.image.tarstream import TarEntry, TarReader, normalize_path
from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, FileKind
from seawall.model import Facts

log = logging.getLogger(__name__)

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
HARDLINK_CACHE_FILE = 1024 * 1024
HARDLINK_CACHE_TOTAL = 32 * 1024 * 1024


class EntryStream(Protocol):
    """Entries one after another; ``read_content`` reads the current entry's content."""

    def __iter__(self) -> Iterator[TarEntry]: ...

    def read_content(self, limit: int) -> bytes: ...


@dataclass
class LayerResult:
    """What one layer contributes. ``facts`` maps a wanted path to each analyzer's facts about it
    (an empty mapping still hides the same path in lower layers)."""

    diff_id: str
    digest: str = ""
    facts: dict[str, dict[str, Facts]] = field(default_factory=dict)
    whiteouts: list[str] = field(default_factory=list)
    opaque_dirs: list[str] = field(default_factory=list)
    hardlinks: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    entries: int = 0
    size: int = 0


def _decompression_errors() -> tuple[type[BaseException], ...]:
    import zstandard
    from isal import isal_zlib

    isal_error = cast("type[BaseException]", isal_zlib.error)
    return (OSError, EOFError, zlib.error, isal_error, zstandard.ZstdError)


class Dispatch:
    """Which analyzers to ask about an entry: an index over their declared prefilters."""

    def __init__(self, analyzers: list[Analyzer]) -> None:
        self.by_basename: dict[str, list[Analyzer]] = {}
        self.by_suffix: list[tuple[tuple[str, ...], Analyzer]] = []
        self.by_prefix: list[tuple[tuple[str, ...], Analyzer]] = []
        self.executables: list[Analyzer] = []
        self.always: list[Analyzer] = []
        self.directories = [a for a in analyzers if a.directories]
        for analyzer in analyzers:
            filtered = False
            for name in analyzer.basenames:
                self.by_basename.setdefault(name, []).append(analyzer)
                filtered = True
            if analyzer.suffixes:
                self.by_suffix.append((tuple(s.lower() for s in analyzer.suffixes), analyzer))
                filtered = True
            if analyzer.prefixes:
                self.by_prefix.append((analyzer.prefixes, analyzer))
                filtered = True
            if analyzer.executables:
                self.executables.append(analyzer)
                filtered = True
            if not filtered:
                self.always.append(analyzer)
        self._all_suffixes = tuple(s for suffixes, _ in self.by_suffix for s in suffixes)
        self._all_prefixes = tuple(p for prefixes, _ in self.by_prefix for p in prefixes)
        self._order = {id(a): i for i, a in enumerate(analyzers)}

    def candidates(self, path: str, info: FileInfo) -> list[Analyzer]:
        """The analyzers whose prefilter lets ``path`` through, in registry order."""
        base = path[path.rfind("/") + 1 :]
        found = list(self.always)
        named = self.by_basename.get(base)
        if named:
            found.extend(named)
        if self._all_suffixes and base.lower().endswith(self._all_suffixes):
            lowered = base.lower()
            found.extend(a for suffixes, a in self.by_suffix if lowered.endswith(suffixes))
        if self._all_prefixes and path.startswith(self._all_prefixes):
            found.extend(a for prefixes, a in self.by_prefix if path.startswith(prefixes))
        if self.executables and info.mode & 0o111:
            found.extend(self.executables)
        if len(found) > 1:
            found = sorted(set(found), key=lambda a: self._order[id(a)])
        return found


class LayerPass:
    """Runs the analyzers over one layer stream."""

    def __init__(self, analyzers: list[Analyzer]) -> None:
        self.analyzers = analyzers
        self.dispatch = Dispatch(analyzers)

    def run(
        self,
        blob: BinaryIO,
        label: str,
        expected_digest: str | None = None,
        expected_diff_id: str | None = None,
    ) -> LayerResult:
        """Analyze the layer blob ``blob``. Digests given are verified; ``label`` names it in errors."""
        compressed = HashingReader(blob)
        try:
            stream, compression = decompressed(compressed)  # type: ignore[arg-type]
            if compression == "none":  # the blob is the tar: one hash serves as digest and diff_id
                compressed.limit = max_layer_bytes()
                uncompressed = compressed
            else:
                uncompressed = HashingReader(stream, limit=max_layer_bytes())
                uncompressed.on_read = BombGuard(compressed)
            result = LayerResult(diff_id="")
            ahead = Prefetcher(uncompressed if compression != "none" else stream)  # type: ignore[arg-type]
            try:
                self._walk(TarReader(ahead), result)  # type: ignore[arg-type]
                while ahead.read(CHUNK):
                    pass
            finally:
                ahead.close()
            while compressed.read(CHUNK):
                pass  # trailing bytes after the compressed stream still count for the digest
        except LayerError as error:
            raise LayerError(f"{label}: {error}") from None
        except _decompression_errors() as error:
            raise LayerError(f"{label}: corrupt or truncated compressed data ({error})") from None
        if expected_digest:
            compressed.verify(expected_digest, label)
        if expected_diff_id:
            uncompressed.verify(expected_diff_id, f"{label} (uncompressed)")
        result.digest = compressed.digest
        result.diff_id = uncompressed.digest
        result.size = uncompressed.count
        return result

    def run_entries(self, entries: EntryStream, label: str) -> LayerResult:
        """Analyze entries that are not a tar stream (a root filesystem directory)."""
        result = LayerResult(diff_id="")
        try:
            self._walk(entries, result)
        except LayerError as error:
            raise LayerError(f"{label}: {error}") from None
        return result

    def _walk(self, reader: EntryStream, result: LayerResult) -> None:
        candidates = self.dispatch.candidates
        kept: dict[str, bytes] = {}
        kept_total = 0
        for entry in reader:
            result.entries += 1
            info = entry.info
            path = info.path
            if entry.escaped:
                result.warnings.append(f"entry {path!r} climbs out of the layer root; clamped to it")
            directory, _, base = path.rpartition("/")
            if base.startswith(WHITEOUT):
                if base == OPAQUE:
                    result.opaque_dirs.append(directory)
                else:
                    target = f"{directory}/{base[len(WHITEOUT) :]}" if directory else base[len(WHITEOUT) :]
                    result.whiteouts.append(target)
                continue
            if info.kind is FileKind.DIRECTORY:
                if self.dispatch.directories:
                    wanted = [a for a in self.dispatch.directories if a.wants(path, info)]
                    if wanted:  # recorded even when empty: it hides what lower layers said of the path
                        result.facts[path] = self._analyze_entry(wanted, info, result)
                continue
            wanted = [a for a in candidates(path, info) if a.wants(path, info)]
            if not wanted:
                continue
            if info.kind is not FileKind.REGULAR and info.kind is not FileKind.HARDLINK:
                # a link or device now stands where a wanted file may have been; its header may tell
                result.facts[path] = self._analyze_entry(wanted, info, result)
                continue
            header: dict[str, Facts] = {}
            if any(a.header_only for a in wanted):
                header = self._analyze_entry([a for a in wanted if a.header_only], info, result)
                wanted = [a for a in wanted if not a.header_only]
            if info.kind is FileKind.HARDLINK:
                target, _ = normalize_path(info.link_target)
                if target in kept:
                    as_file = FileInfo(path, len(kept[target]), info.mode, FileKind.REGULAR)
                    wanted = [
                        a for a in candidates(path, as_file) if not a.header_only and a.wants(path, as_file)
                    ]
                    result.facts[path] = {**self._analyze(wanted, path, kept[target], result), **header}
                else:
                    result.hardlinks[path] = target
                    result.facts[path] = header
                continue
            fitting = [a for a in wanted if info.size <= a.max_size]
            for analyzer in wanted:
                if analyzer not in fitting:
                    result.warnings.append(
                        f"{path}: {info.size} bytes is over the {analyzer.name} analyzer's limit; skipped"
                    )
            if not fitting:
                result.facts[path] = header
                continue
            content = reader.read_content(info.size)
            if len(content) <= HARDLINK_CACHE_FILE and kept_total + len(content) <= HARDLINK_CACHE_TOTAL:
                kept[path] = content
                kept_total += len(content)
            result.facts[path] = {**self._analyze(fitting, path, content, result), **header}

    @staticmethod
    def _analyze_entry(analyzers: list[Analyzer], info: FileInfo, result: LayerResult) -> dict[str, Facts]:
        found: dict[str, Facts] = {}
        for analyzer in analyzers:
            try:
                facts = analyzer.analyze_entry(info)
            except Exception as error:  # an analyzer bug must not lose the whole scan
                log.debug("analyzer %s failed on %s", analyzer.name, info.path, exc_info=True)
                result.warnings.append(f"{info.path}: {analyzer.name} failed unexpectedly: {error!r}")
                continue
            if not facts.empty:
                found[analyzer.name] = facts
        return found

    @staticmethod
    def _analyze(
        analyzers: list[Analyzer], path: str, content: bytes, result: LayerResult
    ) -> dict[str, Facts]:
        found: dict[str, Facts] = {}
        for analyzer in analyzers:
            try:
                facts = analyzer.analyze(path, content)
            except AnalyzerError as error:
                result.warnings.append(f"{path}: {analyzer.name}: {error}")
                continue
            except Exception as error:  # an analyzer bug must not lose the whole scan
                log.debug("analyzer %s failed on %s", analyzer.name, path, exc_info=True)
                result.warnings.append(f"{path}: {analyzer.name} failed unexpectedly: {error!r}")
                continue
            if not facts.empty:
                found[analyzer.name] = facts
        return found
