"""Renderers: an :class:`~seawall.model.Inventory` as text in one output format.

Each format is one module beside this one with a ``render(inventory, options) -> str`` function;
:data:`RENDERERS` names the module of each format, and the module is imported only when its
format is asked for. Output is reproducible: the same inventory and options give the same bytes.
Nothing here reads a clock; the document time comes from :attr:`RenderOptions.timestamp`, else
the image's creation time, else the Unix epoch.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from seawall import __version__
from seawall.model import ImageInfo, Inventory, Package

TOOL_NAME = "seawall"
EPOCH = "1970-01-01T00:00:00Z"


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer needs besides the inventory.

    ``timestamp`` is an RFC 3339 time for the document's creation (empty: the image's creation
    time, else the Unix epoch), so that the same input always renders the same bytes.
    """

    timestamp: str = ""
    tool_name: str = TOOL_NAME
    tool_version: str = __version__


Renderer = Callable[[Inventory, RenderOptions], str]

# format name -> module in this package that defines ``render``
RENDERERS: dict[str, str] = {
    "table": "seawall.report.table",
    "json": "seawall.report.sbom_json",
    "cyclonedx": "seawall.report.cyclonedx",
    "spdx-json": "seawall.report.spdx",
}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str) -> Renderer:
    """The render function of format ``fmt``; ValueError for an unknown format."""
    module_name = RENDERERS.get(fmt)
    if module_name is None:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    render_function: Renderer = importlib.import_module(module_name).render
    return render_function


def render(inventory: Inventory, fmt: str, options: RenderOptions | None = None) -> str:
    """``inventory`` in format ``fmt``."""
    return renderer(fmt)(inventory, options or RenderOptions())


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,12})?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,
)


def utc_timestamp(value: str) -> str | None:
    """``value`` (RFC 3339, any precision and offset) as ``YYYY-MM-DDTHH:MM:SSZ``, or None.

    Fractions of a second are dropped: SPDX 2.3 allows none. A time without an offset is taken
    as UTC. Image configs are untrusted, so anything unparsable gives None rather than an error.
    """
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset = timedelta(0)
    if match.group(8):
        offset = timedelta(hours=int(match.group(9)), minutes=int(match.group(10)))
        if match.group(8) == "-":
            offset = -offset
    try:
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=timezone(offset))
        utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ") if utc.year >= 1000 else None


def document_time(inventory: Inventory, options: RenderOptions) -> str:
    """The creation time to write into a document (see :class:`RenderOptions`).

    An unparsable ``options.timestamp`` is the caller's error (ValueError); an unparsable image
    creation time is the image's and is passed over.
    """
    if options.timestamp:
        stamp = utc_timestamp(options.timestamp)
        if stamp is None:
            raise ValueError(f"not an RFC 3339 time: {options.timestamp!r}")
        return stamp
    return utc_timestamp(inventory.image.created) or EPOCH


def _order(package: Package) -> tuple[object, ...]:
    return (
        package.type,
        package.namespace,
        package.name,
        package.version,
        package.arch,
        package.locations,
        package.distro,
        package.source_name,
        package.source_version,
        package.found_by,
        package.licenses,
        package.properties,
        package.os_managed,
    )


def ordered_packages(inventory: Inventory) -> list[Package]:
    """The inventory's packages in a fixed order that does not depend on the order given."""
    return sorted(inventory.packages, key=_order)


def introduced_in(image: ImageInfo, package: Package) -> int | None:
    """Index of the lowest image layer among the package's locations (None if none is known)."""
    indexes = [image.layer_index(loc.layer) for loc in package.locations if loc.layer]
    known = [index for index in indexes if index is not None]
    return min(known) if known else None


def to_json(document: object, expand: int = 2) -> str:
    """JSON text with the outer ``expand`` levels indented and everything deeper on one line.

    One package per line stays readable and greppable, and lets the C encoder write the bulk:
    fully indented output goes through the pure-Python encoder, several times slower on images
    with thousands of packages. Non-ASCII is escaped, so lone surrogates from hostile input
    cannot make the text unwritable.
    """
    parts: list[str] = []
    _write(document, expand, "", parts)
    parts.append("\n")
    return "".join(parts)


def _write(value: object, expand: int, indent: str, parts: list[str]) -> None:
    if expand <= 0 or not isinstance(value, dict | list) or not value:
        parts.append(json.dumps(value, separators=(", ", ": ")))
        return
    inner = indent + "  "
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    parts.append(opening)
    items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
    for index, (key, item) in enumerate(items):
        parts.append(",\n" if index else "\n")
        parts.append(inner)
        if key is not None:
            parts.append(json.dumps(key) + ": ")
        _write(item, expand - 1, inner, parts)
    parts.append(f"\n{indent}{closing}")
