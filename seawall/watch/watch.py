"""``registry watch``: registry scans on a schedule, with notifications of new findings.

Each cycle indexes new digests; when the vulnerability database's content changed, every stored SBOM
is matched again (no image is pulled). Findings not yet notified, at or above the threshold, are
sent as one JSON document to a webhook (POST) or to a command hook (on its stdin; the command comes
from the operator's configuration, never from an image). A failed cycle (registry down, hook
failing) is logged and recorded; nothing is marked notified, so the next cycle catches up.
"""

from __future__ import annotations

import json
import logging
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.errors import SeawallError, UsageError
from seawall.model import Severity
from seawall.registry.options import RegistryOptions
from seawall.watch.registry_scan import ScanOutcome, scan_registry
from seawall.watch.store import FindingRow, ResultsStore

log = logging.getLogger(__name__)

MAX_SLEEP_STEP = 1.0  # seconds: how long a sleeping watcher may take to notice a stop request
HOOK_TIMEOUT = 60.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class NotifyError(SeawallError):
    """A notification could not be delivered."""


def parse_interval(text: str) -> float:
    """``90s``, ``15m``, ``24h``, ``7d`` (or plain seconds) -> seconds."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in _UNITS else "s"
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        seconds = float(number) * _UNITS[unit]
    except ValueError:
        raise UsageError(f"--every {text!r}: give a duration such as 30m, 24h or 7d") from None
    if not seconds > 0:
        raise UsageError(f"--every {text!r}: must be positive")
    return seconds


@dataclass(frozen=True)
class WatchConfig:
    """What the operator configured (the hooks in particular: never anything read from an image)."""

    host: str
    repository: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    db_path: Path | None = None
    cache_dir: Path | None = None
    options: RegistryOptions | None = None
    severities: frozenset[Severity] = frozenset(Severity)
    webhook: str = ""
    command: str = ""
    timeout: float = 30.0

    @property
    def target(self) -> str:
        return f"{self.host}/{self.repository}" if self.repository else self.host


@dataclass
class CycleResult:
    ok: bool
    outcome: ScanOutcome | None = None
    notified: list[FindingRow] = field(default_factory=list)
    error: str = ""


def payload(
    config: WatchConfig, store: ResultsStore, rows: list[FindingRow], db_digest: str
) -> dict[str, Any]:
    """The notification document: each new finding with the repositories and tags showing it."""
    where: dict[str, list[str]] = {}
    for tag in store.tag_rows(config.host):
        where.setdefault(tag.digest, []).append(f"{tag.registry}/{tag.repository}:{tag.tag}")
    return {
        "registry": config.target,
        "db_content_digest": db_digest,
        "count": len(rows),
        "findings": [
            {
                "digest": f.digest,
                "images": where.get(f.digest, []),
                "advisory": f.advisory,
                "package": f.package,
                "version": f.version,
                "severity": f.severity,
                "fixed": f.fixed,
                "first_seen": f.first_seen,
            }
            for f in rows
        ],
    }


def notify(config: WatchConfig, document: dict[str, Any]) -> None:
    """Deliver to the webhook and/or the command hook; any failure raises :class:`NotifyError`."""
    data = json.dumps(document, sort_keys=True).encode()
    if config.webhook:
        import httpx

        try:
            reply = httpx.post(
                config.webhook,
                content=data,
                headers={"Content-Type": "application/json"},
                timeout=config.timeout,
            )
        except httpx.HTTPError as error:
            raise NotifyError(f"webhook: {type(error).__name__}: {str(error)[:200]}") from None
        if reply.status_code >= 300:
            raise NotifyError(f"webhook answered {reply.status_code}")
    if config.command:
        try:
            done = subprocess.run(
                shlex.split(config.command),
                input=data,
                capture_output=True,
                timeout=HOOK_TIMEOUT,
                check=False,
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as error:
            raise NotifyError(f"command hook: {str(error)[:200]}") from None
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            raise NotifyError(f"command hook exited {done.returncode}: {(reason or [''])[-1][:200]}")


def run_cycle(config: WatchConfig, store: ResultsStore) -> CycleResult:
    """One cycle: scan (matching what the database has not seen), notify what is new, record the run."""
    run_id = store.start_run("watch", config.target)
    try:
        outcome = scan_registry(
            store,
            config.host,
            config.repository,
            config.include,
            config.exclude,
            db_path=config.db_path,
            cache_dir=config.cache_dir,
            options=config.options,
            force_match=False,
        )
        pending = store.findings_of(outcome.digests, pending_only=True)
        chosen = [f for f in pending if Severity.parse(f.severity) in config.severities]
        if chosen and (config.webhook or config.command):
            notify(config, payload(config, store, chosen, outcome.db_digest))
        store.mark_notified(pending)
    except SeawallError as error:
        message = str(error)
        log.error("%s: cycle failed: %s", config.target, message)
        store.finish_run(run_id, "failed", error=message)
        return CycleResult(False, error=message)
    except Exception as error:  # a long-running service: an unexpected failure ends the cycle, not the loop
        message = f"internal error: {type(error).__name__}: {str(error)[:300]}"
        log.error("%s: cycle failed: %s", config.target, message, exc_info=log.isEnabledFor(logging.DEBUG))
        store.finish_run(run_id, "failed", error=message)
        return CycleResult(False, error=message)
    store.finish_run(run_id, "ok", db_digest=outcome.db_digest)
    for warning in outcome.warnings:
        log.warning("%s", warning)
    return CycleResult(True, outcome, chosen)


def watch(
    config: WatchConfig,
    store: ResultsStore,
    every: float,
    once: bool = False,
    stop: threading.Event | None = None,
    on_cycle: Callable[[CycleResult], None] | None = None,
) -> list[CycleResult]:
    """Run cycles every ``every`` seconds until stopped (SIGTERM or SIGINT in the main thread, or
    ``stop``); with ``once``, one cycle. Returns the results of the cycles run."""
    stop = stop or threading.Event()
    restore: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread() and not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            restore[signum] = signal.signal(signum, lambda *_: stop.set())
    results: list[CycleResult] = []
    try:
        while not stop.is_set():
            started = time.monotonic()
            result = run_cycle(config, store)
            results.append(result)
            if on_cycle is not None:
                on_cycle(result)
            if once:
                break
            while not stop.is_set():
                remaining = every - (time.monotonic() - started)
                if remaining <= 0:
                    break
                stop.wait(min(remaining, MAX_SLEEP_STEP))
    finally:
        for signum, handler in restore.items():
            signal.signal(signum, handler)
    return results
