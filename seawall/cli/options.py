"""Options shared by every command; accepted before and after the subcommand (flag > env > default)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class GlobalOptions:
    db: Path | None = None
    cache_dir: Path | None = None
    offline: bool = False
    quiet: bool = False
    debug: bool = False
    insecure_registries: list[str] = field(default_factory=list)


GLOBAL_NAMES = ("db", "cache_dir", "offline", "quiet", "debug", "insecure_registry")


def _options() -> list[Callable[[F], F]]:
    return [
        click.option(
            "--db",
            type=click.Path(path_type=Path),
            envvar="SEAWALL_DB",
            default=None,
            help="Vulnerability database file [env SEAWALL_DB].",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(path_type=Path),
            envvar="SEAWALL_CACHE_DIR",
            default=None,
            help="Cache directory [env SEAWALL_CACHE_DIR; default $XDG_CACHE_HOME/seawall].",
        ),
        click.option(
            "--offline",
            is_flag=True,
            envvar="SEAWALL_OFFLINE",
            default=None,
            help="Never use the network [env SEAWALL_OFFLINE].",
        ),
        click.option("--quiet", "-q", is_flag=True, default=None, help="Only errors on stderr."),
        click.option(
            "--debug", is_flag=True, default=None, help="Debug logs; tracebacks for internal errors."
        ),
        click.option(
            "--insecure-registry",
            multiple=True,
            envvar="SEAWALL_INSECURE_REGISTRY",
            help="Allow plain HTTP for this HOST[:PORT] [env SEAWALL_INSECURE_REGISTRY].",
        ),
    ]


def global_options(func: F) -> F:
    """Decorate a command (or the group) with the global options."""
    for option in reversed(_options()):
        func = option(func)
    return func


def collect(ctx: click.Context, kwargs: dict[str, Any]) -> GlobalOptions:
    """Merge the options given after the subcommand over those given before it."""
    options: GlobalOptions = ctx.find_object(GlobalOptions) or GlobalOptions()
    ctx.meta["seawall.options"] = options
    for name in GLOBAL_NAMES:
        value = kwargs.pop(name, None)
        if value is None or value == ():
            continue
        if name == "insecure_registry":
            options.insecure_registries.extend(value)
        else:
            setattr(options, name, value)
    configure_logging(options)
    from seawall.registry.options import RegistryOptions, configure

    configure(RegistryOptions.from_environment(insecure=options.insecure_registries, offline=options.offline))
    return options


def configure_logging(options: GlobalOptions) -> None:
    level = logging.DEBUG if options.debug else logging.ERROR if options.quiet else logging.WARNING
    logging.basicConfig(level=level, format="seawall: %(levelname)s: %(message)s", force=True)
