"""The inventory service: TARGET -> Inventory, one pass per layer, cached by layer digest."""

from __future__ import annotations

import io
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import BinaryIO

from seawall.errors import DigestMismatch, ImageError
from seawall.image.manifest import Platform
from seawall.image.source import (
    ImageSource,
    RootfsWalker,
    SequentialArchive,
    Target,
    open_random_access,
    rootfs_image,
)
from seawall.inventory.analyzer import Analyzer, all_analyzers, analyzer_versions
from seawall.inventory.cache import LayerCache
from seawall.inventory.layer_pass import LayerPass, LayerResult
from seawall.inventory.merge import merge
from seawall.model import ImageInfo, Inventory

log = logging.getLogger(__name__)


@dataclass
class ScanStats:
    """What a build did, for logs and benchmarks."""

    layers: int = 0
    cached: int = 0
    analyzed: int = 0
    bytes_read: int = 0


class InventoryBuilder:
    """Builds inventories with one set of analyzers and one layer cache."""

    def __init__(self, cache: LayerCache, analyzers: list[Analyzer] | None = None, jobs: int = 2) -> None:
        self.analyzers = analyzers if analyzers is not None else all_analyzers()
        self.cache = cache
        self.jobs = max(1, jobs)
        self.layer_pass = LayerPass(self.analyzers)
        self.stats = ScanStats()

    @classmethod
    def create(
        cls, cache_dir: object, use_cache: bool = True, jobs: int = 2, scanners: tuple[str, ...] = ("vuln",)
    ) -> InventoryBuilder:
        from pathlib import Path

        analyzers = all_analyzers(scanners)
        cache = LayerCache(Path(str(cache_dir)), analyzer_versions(analyzers), enabled=use_cache)
        return cls(cache, analyzers, jobs)

    def build(self, target: Target, platform: Platform | None = None) -> Inventory:
        if target.kind == "dir":
            image = rootfs_image(target)
            result = self.layer_pass.run_entries(RootfsWalker(target.path), str(target))
            self.stats = ScanStats(layers=1, analyzed=1)
            return self._finish(image, [result])
        source = open_random_access(target, platform)
        if source is None:
            return self._build_sequential(target, platform)
        return self._build_random(source)

    def _finish(self, image: ImageInfo, results: list[LayerResult]) -> Inventory:
        inventory = merge(image, results)
        return replace(inventory, analyzers=tuple(sorted(analyzer_versions(self.analyzers).items())))

    def _analyze_layer(self, source: ImageSource, index: int) -> LayerResult:
        layer = source.info.layers[index]
        label = f"{source.info.reference}: layer {index + 1} ({source.resolved.layer_names[index]})"
        with source.open_layer(index) as blob:
            result = self.layer_pass.run(
                blob, label, expected_digest=layer.digest or None, expected_diff_id=layer.diff_id
            )
        self.cache.put(result)
        return result

    def _analyze_in_workers(self, source: ImageSource, missing: list[int]) -> list[tuple[int, LayerResult]]:
        """Layers in parallel worker processes (tar parsing holds the GIL, so threads would not help),
        largest first; forked, so workers inherit the open image and the analyzers without pickling."""
        global _FORKED_WORK
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: one layer after another
            return [(i, self._analyze_layer(source, i)) for i in missing]
        largest, *rest = sorted(missing, key=lambda i: source.info.layers[i].size, reverse=True)
        _FORKED_WORK = (self, source)
        try:  # workers take the smaller layers while this process reads the largest
            with ProcessPoolExecutor(max_workers=min(self.jobs - 1, len(rest)), mp_context=context) as pool:
                pending = pool.map(_analyze_forked, rest)
                mine = self._analyze_layer(source, largest)
                return [(largest, mine), *zip(rest, pending, strict=True)]
        finally:
            _FORKED_WORK = None

    def _build_random(self, source: ImageSource) -> Inventory:
        layers = source.info.layers
        results: list[LayerResult | None] = [self.cache.get(layer.diff_id) for layer in layers]
        missing = [i for i, r in enumerate(results) if r is None]
        self.stats = ScanStats(layers=len(layers), cached=len(layers) - len(missing), analyzed=len(missing))
        if len(missing) > 1 and self.jobs > 1:
            for index, result in self._analyze_in_workers(source, missing):
                results[index] = result
        else:
            for index in missing:
                results[index] = self._analyze_layer(source, index)
        return self._finish(source.info, [r for r in results if r is not None])

    def _build_sequential(self, target: Target, platform: Platform | None) -> Inventory:
        def analyze(stream: BinaryIO, label: str) -> LayerResult | ImageError:
            try:
                return self.layer_pass.run(stream, label)
            except ImageError as error:  # perhaps not a layer at all (a large config?): judged later
                return error

        resolved, store, large = SequentialArchive(target).read(platform, analyze)
        results: list[LayerResult] = []
        cached = 0
        for index, (layer, name) in enumerate(zip(resolved.info.layers, resolved.layer_names, strict=True)):
            label = f"{resolved.info.reference}: layer {index + 1} ({name})"
            entry = large.get(_member_key(name, store))
            if entry is not None:
                digest, outcome = entry
                if isinstance(outcome, ImageError):
                    raise outcome
                if layer.digest and digest != layer.digest:
                    raise DigestMismatch(f"{label}: content digest {digest} does not match {layer.digest}")
                if outcome.diff_id != layer.diff_id:
                    raise DigestMismatch(f"{label}: uncompressed digest {outcome.diff_id} != {layer.diff_id}")
                self.cache.put(outcome)
                results.append(outcome)
                continue
            hit = self.cache.get(layer.diff_id)
            if hit is not None:
                cached += 1
                results.append(hit)
                continue
            if not store.exists(name):
                raise ImageError(f"{label}: missing from the archive")
            data = store.read_small(name, limit=1 << 62)
            result = self.layer_pass.run(
                io.BytesIO(data), label, expected_digest=layer.digest or None, expected_diff_id=layer.diff_id
            )
            self.cache.put(result)
            results.append(result)
        self.stats = ScanStats(layers=len(results), cached=cached, analyzed=len(results) - cached)
        return self._finish(resolved.info, results)


_FORKED_WORK: tuple[InventoryBuilder, ImageSource] | None = None


def _analyze_forked(index: int) -> LayerResult:
    """Runs in a forked worker: the builder and source come from the parent's memory."""
    assert _FORKED_WORK is not None
    builder, source = _FORKED_WORK
    return builder._analyze_layer(source, index)


def _member_key(name: str, store: object) -> str:
    """The archive member a manifest name refers to, following links kept in the store."""
    from seawall.image.store import MemoryStore
    from seawall.image.tarstream import normalize_path, resolve_link

    current, _ = normalize_path(name)
    if isinstance(store, MemoryStore):
        for _ in range(8):
            if current not in store.links:
                break
            current, _ = resolve_link(current, store.links[current])
    return current
