"""Writing machine-readable output: stdout, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from seawall.errors import UsageError


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    directory = output.parent if str(output.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise
