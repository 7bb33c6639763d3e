"""The formats of ``seawall scan --format``: each a module with ``render_scan(result, options) -> str``.

A module is imported only when its format is asked for. Output is reproducible: the same result and
options give the same bytes (see :class:`~seawall.report.scan_options.ScanRenderOptions`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads the format names at start-up: keep this import light
    from seawall.report.scan_options import ScanRenderOptions
    from seawall.scan import ScanResult

ScanRenderer = Callable[["ScanResult", "ScanRenderOptions"], str]

# format name -> module in this package that defines ``render_scan``
SCAN_RENDERERS: dict[str, str] = {
    "table": "seawall.report.scan_table",
    "json": "seawall.report.scan_json",
    "sarif": "seawall.report.scan_sarif",
    "cyclonedx": "seawall.report.scan_cyclonedx",
    "html": "seawall.report.scan_html",
    "junit": "seawall.report.scan_junit",
}


def scan_renderer(fmt: str) -> ScanRenderer:
    """The ``render_scan`` function of format ``fmt``; ValueError for an unknown format."""
    module_name = SCAN_RENDERERS.get(fmt)
    if module_name is None:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(SCAN_RENDERERS)}")
    render_function: ScanRenderer = importlib.import_module(module_name).render_scan
    return render_function


def render_scan(result: ScanResult, fmt: str, options: ScanRenderOptions | None = None) -> str:
    """``result`` in format ``fmt``."""
    from seawall.report.scan_options import ScanRenderOptions

    return scan_renderer(fmt)(result, options or ScanRenderOptions())
