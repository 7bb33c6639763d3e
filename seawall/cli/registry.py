"""``seawall registry``: scan every repository and tag of a registry, watch it, report on it."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import click

from seawall.cli.options import collect, global_options
from seawall.cli.output import write_output

log = logging.getLogger("seawall")

STORE_HELP = (
    "Results store: a SQLAlchemy URL [env SEAWALL_RESULTS_STORE; default SQLite in $XDG_DATA_HOME/seawall]."
)


@click.group()
@global_options
@click.pass_context
def registry(ctx: click.Context, /, **kwargs: Any) -> None:
    """Scan a whole registry, watch it on a schedule, and report on what it holds.

    \b
    Every tag is resolved to its digest; each digest is pulled and indexed once, its SBOM and
    findings kept in the results store; a database update re-matches the stored SBOMs.
    \b
    Examples:
      seawall registry scan registry.example.com --include 'team/*' --exclude '*:*-rc*'
      seawall registry watch registry.example.com --every 24h --webhook https://hooks.example.com/x \\
          --severity HIGH,CRITICAL
      seawall registry report --package openssl@3.0.11-1~deb12u2
    """
    collect(ctx, kwargs)


@registry.command("scan")
@click.argument("target")
@click.option("--include", multiple=True, help="Glob on REPO (or REPO:TAG when it has a ':'); repeatable.")
@click.option("--exclude", multiple=True, help="Glob on REPO (or REPO:TAG); repeatable.")
@click.option("--store", "store_url", help=STORE_HELP)
@global_options
@click.pass_context
def scan_command(
    ctx: click.Context,
    /,
    target: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    store_url: str | None,
    **kwargs: Any,
) -> None:
    """Index every tag of HOST[/REPO] (each digest once) and match the stored SBOMs."""
    options = collect(ctx, kwargs)
    from seawall.registry.options import current
    from seawall.watch.registry_scan import scan_registry, split_target
    from seawall.watch.store import ResultsStore

    host, repository = split_target(target)
    with ResultsStore.open(store_url) as store:
        run_id = store.start_run("scan", target)
        try:
            outcome = scan_registry(
                store,
                host,
                repository,
                include,
                exclude,
                db_path=options.db,
                cache_dir=options.cache_dir,
                options=current(),
            )
        except BaseException as error:
            store.finish_run(run_id, "failed", error=str(error) or type(error).__name__)
            raise
        store.finish_run(run_id, "ok", db_digest=outcome.db_digest)
    for warning in outcome.warnings:
        log.warning("%s", warning)
    click.echo(
        f"{target}: {outcome.repositories} repositories, {outcome.tags} tags, {len(outcome.digests)} digests"
        f" ({len(outcome.indexed)} indexed now), {len(outcome.matched)} matched,"
        f" {outcome.new_findings} new findings in {outcome.seconds:.1f}s"
    )


@registry.command("watch")
@click.argument("target")
@click.option("--every", default="24h", show_default=True, help="Interval between cycles: 30m, 24h, 7d.")
@click.option("--webhook", help="POST new findings as JSON to this URL.")
@click.option("--command", "hook", help="Run this command with the new findings as JSON on stdin.")
@click.option(
    "--severity", "-s", help="Notify findings of these severities, e.g. HIGH,CRITICAL (default: all)."
)
@click.option("--include", multiple=True, help="Glob on REPO (or REPO:TAG); repeatable.")
@click.option("--exclude", multiple=True, help="Glob on REPO (or REPO:TAG); repeatable.")
@click.option("--store", "store_url", help=STORE_HELP)
@click.option("--once", is_flag=True, help="Run one cycle and exit (for cron and tests).")
@global_options
@click.pass_context
def watch_command(
    ctx: click.Context,
    /,
    target: str,
    every: str,
    webhook: str | None,
    hook: str | None,
    severity: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    store_url: str | None,
    once: bool,
    **kwargs: Any,
) -> None:
    """Rescan HOST[/REPO] every interval; notify findings new since the last run.

    Exits 1 when --once and the cycle failed (the service itself keeps going after failures).
    """
    options = collect(ctx, kwargs)
    from seawall.policy.gate import parse_severities
    from seawall.registry.options import current
    from seawall.watch.registry_scan import split_target
    from seawall.watch.store import ResultsStore
    from seawall.watch.watch import CycleResult, WatchConfig, parse_interval, watch

    interval = parse_interval(every)
    host, repository = split_target(target)
    config = WatchConfig(
        host=host,
        repository=repository,
        include=include,
        exclude=exclude,
        db_path=options.db,
        cache_dir=options.cache_dir,
        options=current(),
        severities=parse_severities(severity),
        webhook=webhook or "",
        command=hook or "",
    )

    def report(result: CycleResult) -> None:
        if result.ok and result.outcome is not None:
            outcome = result.outcome
            log.info(
                "%s: %d tags, %d indexed, %d matched, %d notified",
                target,
                outcome.tags,
                len(outcome.indexed),
                len(outcome.matched),
                len(result.notified),
            )
            if once:
                click.echo(
                    f"{target}: {outcome.tags} tags, {len(outcome.indexed)} indexed now,"
                    f" {len(outcome.matched)} matched, {len(result.notified)} new findings notified"
                )

    with ResultsStore.open(store_url) as store:
        results = watch(config, store, interval, once=once, on_cycle=report)
    if once and results and not results[-1].ok:
        click.echo(f"seawall: error: {results[-1].error}", err=True)
        ctx.exit(2)  # the registry (or a hook) could not be reached: an input error, as DESIGN.md says


@registry.command("report")
@click.option("--store", "store_url", help=STORE_HELP)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--package", help="List the images holding package NAME[@VERSION] instead.")
@global_options
@click.pass_context
def report_command(
    ctx: click.Context, /, store_url: str | None, fmt: str, package: str | None, **kwargs: Any
) -> None:
    """Per repository and tag: counts by severity and the newest findings."""
    collect(ctx, kwargs)
    from seawall.errors import UsageError
    from seawall.watch.report import (
        images_with_package,
        parse_package,
        render_packages_table,
        render_table,
        summarize,
        to_json,
    )
    from seawall.watch.store import ResultsStore

    with ResultsStore.open(store_url) as store:
        if package is not None:
            name, version = parse_package(package)
            if not name:
                raise UsageError("--package: give NAME or NAME@VERSION")
            hits = images_with_package(store, name, version)
            text = (
                to_json([dataclasses.asdict(h) for h in hits])
                if fmt == "json"
                else render_packages_table(hits)
            )
        else:
            summaries = summarize(store)
            text = (
                to_json([dataclasses.asdict(s) for s in summaries])
                if fmt == "json"
                else render_table(summaries)
            )
    write_output(text, None)
