"""A plain aligned text table for terminals.

First the OS line, then one row per package sorted by type and name: name, version, type and the
index of the layer that introduced it. Names and versions come from the image, so control and
bidirectional-override characters are replaced before they reach a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from seawall.model import Inventory, OSInfo, Package
from seawall.report import RenderOptions, introduced_in, ordered_packages

HEADER = ("NAME", "VERSION", "TYPE", "LAYER")
GAP = "  "
# C0/C1 controls, zero-width and bidi formatting characters: a hostile image must not be able to
# move the cursor, recolour the terminal or reorder what it shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def clean(text: str) -> str:
    """``text`` safe to print on a terminal: unsafe characters become ``?``."""
    return _UNSAFE.sub("?", text)


def _display_name(package: Package) -> str:
    if package.type == "maven" and package.namespace:
        return f"{package.namespace}:{package.name}"
    return package.name


def os_line(os: OSInfo | None) -> str:
    if os is None:
        return "OS: unknown"
    release = " ".join(part for part in (os.family, os.version) if part)
    named = f" ({os.name})" if os.name and os.name != release else ""
    return clean(f"OS: {release}{named}")


def rows(inventory: Inventory) -> list[tuple[str, str, str, str]]:
    """One row per package, sorted by type, then name, then version."""
    table = []
    for package in ordered_packages(inventory):
        layer = introduced_in(inventory.image, package)
        table.append(
            (
                clean(_display_name(package)),
                clean(package.version),
                clean(package.type),
                "-" if layer is None else str(layer),
            )
        )
    table.sort(key=lambda row: (row[2], row[0].lower(), row[0], row[1]))
    return table


def _format(table: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    return [
        GAP.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table
    ]


def aligned(table: Sequence[Sequence[str]]) -> str:
    """Rows as left-aligned columns (the first row is the header)."""
    return "\n".join(_format([tuple(row) for row in table]))


def render(inventory: Inventory, options: RenderOptions) -> str:
    lines = [os_line(inventory.os)]
    table = rows(inventory)
    if table:
        lines.extend(_format([HEADER, *table]))
    else:
        lines.append("No packages found.")
    return "\n".join(lines) + "\n"
