"""The ``seawall`` command: a thin layer that parses arguments, calls one service and renders."""

from __future__ import annotations

import sys
from typing import Any

import click

from seawall import __version__
from seawall.cli.options import GlobalOptions, collect, global_options
from seawall.errors import SeawallError

INTERNAL_ERROR = 3
# command name -> "module:attribute"; a command's module is imported only when it runs (start-up time)
COMMANDS = {
    "sbom": "seawall.cli.sbom:sbom",
    "scan": "seawall.cli.scan:scan",
    "lint": "seawall.cli.lint:lint",
    "db": "seawall.cli.db:db",
    "registry": "seawall.cli.registry:registry",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        import importlib

        module_name, _, attribute = COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="seawall")
@global_options
@click.pass_context
def cli(ctx: click.Context, /, **kwargs: Any) -> None:
    """Seawall: container security from build to runtime.

    \b
    Example:
      seawall sbom docker-archive:app.tar --format cyclonedx -o app.cdx.json
    """
    ctx.obj = GlobalOptions()
    collect(ctx, kwargs)


def main(argv: list[str] | None = None) -> None:
    """Entry point: exit codes as in DESIGN.md, one-line errors, never a traceback for bad input."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        status = cli.main(args=argv, prog_name="seawall", standalone_mode=False)
    except SeawallError as error:
        click.echo(f"seawall: error: {error}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("seawall: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as error:  # a bug of ours: say so in one line; --debug shows the traceback
        if debug:
            raise
        click.echo(f"seawall: internal error: {error!r} (run with --debug for details)", err=True)
        sys.exit(INTERNAL_ERROR)
    sys.exit(status if isinstance(status, int) else 0)  # ctx.exit(N) comes back as a return value
