"""``seawall sbom TARGET``: the software bill of materials of an image."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from seawall.cli.options import collect, global_options
from seawall.cli.output import write_output

log = logging.getLogger("seawall")
SBOM_FORMATS = ("table", "json", "cyclonedx", "spdx-json")


@click.command()
@click.argument("target")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(SBOM_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option(
    "--platform", help="OS/ARCH[/VARIANT] to pick from a multi-platform image (default linux/amd64)."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the layer cache.")
@global_options
@click.pass_context
def sbom(
    ctx: click.Context,
    /,
    target: str,
    fmt: str,
    output: Path | None,
    platform: str | None,
    no_cache: bool,
    **kwargs: Any,
) -> None:
    """List every package in an image, with where it was found.

    \b
    TARGET: oci:DIR[:TAG] | docker-archive:FILE | oci-archive:FILE | dir:ROOTFS | a path
            | REGISTRY/REPO[:TAG|@DIGEST] | registry:REFERENCE
    \b
    Example:
      seawall sbom oci:build/app:latest --format cyclonedx -o app.cdx.json
    """
    options = collect(ctx, kwargs)
    from seawall.image.manifest import Platform
    from seawall.image.source import parse_target
    from seawall.inventory.build import InventoryBuilder
    from seawall.inventory.cache import default_cache_dir
    from seawall.report import render

    chosen = Platform.parse(platform) if platform else None
    parsed = parse_target(target)
    builder = InventoryBuilder.create(options.cache_dir or default_cache_dir(), use_cache=not no_cache)
    inventory = builder.build(parsed, chosen)
    for warning in inventory.warnings:
        log.warning("%s", warning)
    stats = builder.stats
    log.info("%d layers: %d from cache, %d analyzed", stats.layers, stats.cached, stats.analyzed)
    write_output(render(inventory, fmt), output)
