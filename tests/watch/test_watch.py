"""The watch service against a real registry: notifications only for new findings, re-matching without
pulling when the database changes, surviving an outage, hooks from the operator's configuration.
Advisories from the upstream Alpine secdb sample (zlib 1.2.11-r3: CVE-2018-25032, CVE-2022-37434)."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from seawall.errors import UsageError
from seawall.model import Severity
from seawall.watch.store import ResultsStore
from seawall.watch.watch import WatchConfig, parse_interval, run_cycle, watch
from tests.registry.servers import RegistryProcess
from tests.watch.conftest import OCI, Webhook, blob_gets, options_for, restart, start_registry


def config_for(registry: RegistryProcess, db: Path, cache: Path, **extra: object) -> WatchConfig:
    settings: dict[str, object] = {
        "host": registry.host, "db_path": db, "cache_dir": cache, "options": options_for(registry.host),
    }  # fmt: skip
    settings.update(extra)
    return WatchConfig(**settings)  # type: ignore[arg-type]


def advisories(document: dict[str, object]) -> set[tuple[str, str]]:
    findings = document["findings"]
    assert isinstance(findings, list)
    return {(f["advisory"], f["package"]) for f in findings}


def test_intervals() -> None:
    assert parse_interval("24h") == 86400 and parse_interval("30m") == 1800 and parse_interval("45") == 45
    for bad in ("soon", "0s", "-1h"):
        with pytest.raises(UsageError):
            parse_interval(bad)


def test_notifies_only_new_findings_and_rematches_without_pulling(
    registry: RegistryProcess, old_db: Path, new_db: Path, tmp_path: Path, webhook: Webhook
) -> None:
    db = tmp_path / "vuln.db"
    shutil.copyfile(old_db, db)
    config = config_for(registry, db, tmp_path / "cache", webhook=webhook.url, repository="apps/alpine")
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        first = run_cycle(config, store)
        assert first.ok, first.error
        assert len(webhook.received) == 1
        assert advisories(webhook.received[0]) == {("CVE-2022-37434", "zlib")}
        images = webhook.received[0]["findings"][0]["images"]
        assert sorted(images) == [f"{registry.host}/apps/alpine:1.0", f"{registry.host}/apps/alpine:latest"]

        second = run_cycle(config, store)
        assert second.ok and second.notified == [] and len(webhook.received) == 1

        shutil.copyfile(new_db, db)  # a database update adds CVE-2018-25032
        before = blob_gets(registry)
        third = run_cycle(config, store)
        assert third.ok and third.outcome is not None
        assert third.outcome.indexed == [] and len(third.outcome.matched) == 1
        assert blob_gets(registry) == before
        assert len(webhook.received) == 2
        assert advisories(webhook.received[1]) == {("CVE-2018-25032", "zlib")}
        assert webhook.received[1]["findings"][0]["fixed"] == "1.2.12-r0"


def test_threshold_and_command_hook(registry: RegistryProcess, new_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "hook-input.json"
    script = tmp_path / "hook.py"
    script.write_text("import sys, pathlib\npathlib.Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())\n")
    command = f"{sys.executable} {script} {out}"
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        # the secdb gives no severity: UNKNOWN findings are below a HIGH threshold
        high = config_for(
            registry, new_db, tmp_path / "c", repository="apps/alpine", command=command,
            severities=frozenset({Severity.HIGH, Severity.CRITICAL}),
        )  # fmt: skip
        result = run_cycle(high, store)
        assert result.ok and result.notified == [] and not out.exists()
    with ResultsStore.open(f"sqlite:///{tmp_path / 'other.db'}") as store:
        everything = config_for(registry, new_db, tmp_path / "c", repository="apps/alpine", command=command)
        result = run_cycle(everything, store)
        assert result.ok, result.error
        assert advisories(json.loads(out.read_text())) == {
            ("CVE-2018-25032", "zlib"),
            ("CVE-2022-37434", "zlib"),
        }


def test_failed_delivery_is_retried_next_cycle(
    registry: RegistryProcess, new_db: Path, tmp_path: Path, webhook: Webhook
) -> None:
    config = config_for(registry, new_db, tmp_path / "c", repository="apps/alpine", webhook=webhook.url)
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        webhook.status = 500
        failed = run_cycle(config, store)
        assert not failed.ok and "500" in failed.error
        webhook.status = 200
        retried = run_cycle(config, store)
        assert retried.ok and len(retried.notified) == 2
        assert advisories(webhook.received[-1]) == {("CVE-2018-25032", "zlib"), ("CVE-2022-37434", "zlib")}
        assert store.run_statuses(config.target) == ["failed", "ok"]


def test_survives_a_registry_outage_and_catches_up(
    old_db: Path, new_db: Path, tmp_path: Path, webhook: Webhook
) -> None:
    registry = start_registry(tmp_path / "registry", (("alpine-synth", "apps/alpine:latest"),))
    try:
        db = tmp_path / "vuln.db"
        shutil.copyfile(old_db, db)
        config = config_for(registry, db, tmp_path / "c", webhook=webhook.url)
        with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
            assert run_cycle(config, store).ok
            tags_before = store.tag_rows()
            registry.stop()
            shutil.copyfile(new_db, db)
            down = run_cycle(config, store)
            assert not down.ok and registry.host in down.error
            assert store.tag_rows() == tags_before and len(webhook.received) == 1
            restart(registry)
            registry.push(OCI / "rocky-synth", "apps/rocky:latest")
            back = run_cycle(config, store)
            assert back.ok and back.outcome is not None
            assert len(back.outcome.indexed) == 1  # only the image pushed meanwhile is pulled
            assert advisories(webhook.received[-1]) == {("CVE-2018-25032", "zlib")}
            assert store.run_statuses(config.target) == ["ok", "failed", "ok"]
    finally:
        registry.stop()


def test_loop_stops_promptly_when_asked(registry: RegistryProcess, new_db: Path, tmp_path: Path) -> None:
    config = config_for(registry, new_db, tmp_path / "c", repository="apps/rocky")
    stop = threading.Event()
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        timer = threading.Timer(1.0, stop.set)
        timer.start()
        started = time.monotonic()
        results = watch(config, store, every=3600, stop=stop)
        timer.cancel()
    assert len(results) == 1 and results[0].ok
    assert time.monotonic() - started < 5
