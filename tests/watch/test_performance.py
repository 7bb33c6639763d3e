"""Benchmarks of issue 4: rescanning 50 unchanged tags <= 5 s with no layer downloaded; re-matching 50
stored SBOMs after a database update <= 10 s."""

from __future__ import annotations

import time
from pathlib import Path

from seawall.image.manifest import OCI_MANIFEST
from seawall.registry.client import RegistryClient
from seawall.watch.registry_scan import match_stored, scan_registry
from seawall.watch.store import ResultsStore
from tests.registry.images import layout
from tests.registry.servers import RegistryProcess
from tests.watch.conftest import blob_gets, options_for, start_registry

TAGS = 50


def test_rescan_of_50_unchanged_tags_and_rematch_of_50_sboms(
    old_db: Path, new_db: Path, tmp_path: Path
) -> None:
    registry = start_registry(tmp_path / "registry", (("alpine-synth", "bench/app:v0"),))
    try:
        rescan, rematch = _measure(registry, old_db, new_db, tmp_path)
    finally:
        registry.stop()
    print(
        f"\nrescan of {TAGS} unchanged tags: {rescan:.2f}s; re-match of {TAGS} stored SBOMs: {rematch:.2f}s"
    )


def _measure(registry: RegistryProcess, old_db: Path, new_db: Path, tmp_path: Path) -> tuple[float, float]:
    options = options_for(registry.host)
    client = RegistryClient(registry.host, options)
    try:
        data, digest, _ = layout("alpine-synth")
        for index in range(1, TAGS):  # the same manifest under 49 more tags
            client.push_manifest("bench/app", f"v{index}", data, OCI_MANIFEST)
    finally:
        client.close()
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        first = scan_registry(
            store, registry.host, "bench/app", db_path=old_db, cache_dir=tmp_path / "c", options=options
        )
        assert first.tags == TAGS and first.indexed == [digest]
        before = blob_gets(registry)
        started = time.monotonic()
        again = scan_registry(
            store, registry.host, "bench/app", db_path=old_db, cache_dir=tmp_path / "c", options=options
        )
        rescan = time.monotonic() - started
        assert again.tags == TAGS and again.indexed == [] and blob_gets(registry) == before
        assert rescan <= 5.0, f"rescan of {TAGS} unchanged tags took {rescan:.2f}s"

        sbom = store.sboms([digest])[digest]
        copies = [f"sha256:{index:064x}" for index in range(TAGS)]
        for copy in copies:
            store.add_image(copy, sbom)
        match_stored(store, copies, old_db)
        started = time.monotonic()
        matched, new, _ = match_stored(store, copies, new_db)
        rematch = time.monotonic() - started
        assert len(matched) == TAGS and new == TAGS  # CVE-2018-25032, new in the updated database
        assert rematch <= 10.0, f"re-matching {TAGS} SBOMs took {rematch:.2f}s"
    return rescan, rematch
