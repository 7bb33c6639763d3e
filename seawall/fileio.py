"""Reading a user-given input file (an SBOM, a VEX document) whole, with a size cap and a one-line error."""

from __future__ import annotations

from pathlib import Path

from seawall.errors import SeawallError


def read_capped(path: Path, limit: int, what: str, error: type[SeawallError]) -> bytes:
    """The bytes of ``path``; ``error`` (exit 2) when it cannot be read or is larger than ``limit``."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as failure:
        raise error(f"cannot read {what} {path}: {failure.strerror or failure}") from None
    if len(data) > limit:
        raise error(f"{what} {path} is larger than {limit // (1024 * 1024)} MiB")
    return data
