"""``seawall scan TARGET``: vulnerabilities, image hardening and secrets, as a CI gate."""

from __future__ import annotations

import dataclasses
import importlib
import logging
from datetime import date
from pathlib import Path
from typing import Any

import click

from seawall.cli.options import collect, global_options
from seawall.cli.output import write_output
from seawall.report.scan_formats import SCAN_RENDERERS

log = logging.getLogger("seawall")


@click.command()
@click.argument("target", required=False)
@click.option("--scanners", default="vuln", show_default=True, help="Comma-separated: vuln, config, secret.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(list(SCAN_RENDERERS)), default="table", show_default=True
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--severity", "-s", help="Severities to show and count, e.g. HIGH,CRITICAL (default: all).")
@click.option(
    "--exit-code",
    type=click.IntRange(0, 255),
    default=0,
    show_default=True,
    help="Exit status when a shown, unsuppressed finding remains.",
)
@click.option("--ignore-unfixed", is_flag=True, help="Hide vulnerabilities without a fixed version.")
@click.option("--ignorefile", type=click.Path(path_type=Path, dir_okay=False), help="YAML ignore file.")
@click.option(
    "--vex",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="OpenVEX or CycloneDX VEX document (repeatable).",
)
@click.option("--show-suppressed", is_flag=True, help="List suppressed findings with the reason.")
@click.option(
    "--fail-on-kev", is_flag=True, help="Fail only on findings in CISA's known-exploited catalogue."
)
@click.option(
    "--epss-threshold", type=click.FloatRange(0, 1), help="Fail only on findings with EPSS >= this."
)
@click.option(
    "--sbom",
    "sbom_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Match a CycloneDX or SPDX SBOM instead of an image.",
)
@click.option("--platform", help="OS/ARCH[/VARIANT] of a multi-platform image.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the layer cache.")
@global_options
@click.pass_context
def scan(
    ctx: click.Context,
    /,
    target: str | None,
    scanners: str,
    fmt: str,
    output: Path | None,
    severity: str | None,
    exit_code: int,
    ignore_unfixed: bool,
    ignorefile: Path | None,
    vex: tuple[Path, ...],
    show_suppressed: bool,
    fail_on_kev: bool,
    epss_threshold: float | None,
    sbom_file: Path | None,
    platform: str | None,
    no_cache: bool,
    **kwargs: Any,
) -> None:
    """Scan an image (or an SBOM) for vulnerabilities, hardening problems and secrets.

    \b
    TARGET: oci:DIR[:TAG] | docker-archive:FILE | oci-archive:FILE | dir:ROOTFS | a path
            | REGISTRY/REPO[:TAG|@DIGEST]
    \b
    Examples:
      seawall scan app.tar --severity HIGH,CRITICAL --ignore-unfixed --exit-code 1
      seawall scan oci:build/app --scanners vuln,config,secret --format sarif -o seawall.sarif
      seawall scan --sbom app.cdx.json --format json
    """
    options = collect(ctx, kwargs)
    from seawall.errors import UsageError
    from seawall.image.manifest import Platform
    from seawall.policy.gate import Gate, parse_severities
    from seawall.report.scan_options import ScanRenderOptions
    from seawall.scan import parse_scanners, scan_inventory

    chosen_scanners = parse_scanners(scanners)
    gate = Gate(parse_severities(severity), ignore_unfixed, fail_on_kev, epss_threshold)
    chosen_platform = Platform.parse(platform) if platform else None
    if (target is None) == (sbom_file is None):
        raise UsageError("give either a TARGET or --sbom FILE")
    if sbom_file is not None:
        from seawall.sbom_input import read_sbom

        if set(chosen_scanners) - {"vuln"}:
            raise UsageError("--sbom holds no files: only the vuln scanner applies")
        inventory = read_sbom(sbom_file)
    else:
        from seawall.image.source import parse_target
        from seawall.inventory.build import InventoryBuilder
        from seawall.inventory.cache import default_cache_dir

        builder = InventoryBuilder.create(
            options.cache_dir or default_cache_dir(), use_cache=not no_cache, scanners=chosen_scanners
        )
        inventory = builder.build(parse_target(target or ""), chosen_platform)
    for warning in inventory.warnings:
        log.warning("%s", warning)
    result = scan_inventory(inventory, chosen_scanners, options.db)
    if ignorefile is not None or vex:
        result = _apply_policies(result, ignorefile, vex)
    for note in result.notes:
        log.warning("%s", note)
    shown = [f for f in result.vulnerabilities if gate.shows(f)]
    checks = [c for c in result.checks if gate.shows_check(c)]
    suppressed = sum(1 for f in shown if f.suppressed) + sum(1 for c in checks if c.suppressed)
    view = dataclasses.replace(
        result,
        vulnerabilities=[f for f in shown if show_suppressed or not f.suppressed],
        checks=[c for c in checks if show_suppressed or not c.suppressed],
        suppressed_count=suppressed,
    )
    render_options = ScanRenderOptions(show_suppressed=show_suppressed, severities=gate.severities)
    module = importlib.import_module(SCAN_RENDERERS[fmt])
    write_output(module.render_scan(view, render_options), output)
    if exit_code and gate.fails(shown, checks):
        ctx.exit(exit_code)


def _apply_policies(result: Any, ignorefile: Path | None, vex: tuple[Path, ...]) -> Any:
    from seawall.policy.ignorefile import load_ignorefile
    from seawall.policy.suppress import apply_policies
    from seawall.policy.vex import load_vex

    ignore = load_ignorefile(ignorefile) if ignorefile is not None else None
    documents = [load_vex(path) for path in vex]
    return apply_policies(result, ignore, documents, date.today())
