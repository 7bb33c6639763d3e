"""``seawall lint --format html``: the lint results in the same self-contained page as scan reports."""

from __future__ import annotations

from collections.abc import Sequence

from seawall.model import CheckResult, ImageInfo, Inventory
from seawall.report import RenderOptions
from seawall.report.scan_html import render_scan
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult


def render_checks(
    results: Sequence[CheckResult], options: RenderOptions, show_suppressed: bool = False
) -> str:
    files = sorted({r.location.file for r in results})
    title = "seawall lint: " + (
        ", ".join(files[:3]) + (" ..." if len(files) > 3 else "") if files else "no files"
    )
    shown = [r for r in results if show_suppressed or not r.suppressed]
    result = ScanResult(
        inventory=Inventory(image=ImageInfo(reference=title), os=None, packages=()),
        checks=shown,
        scanners=("config",),
        suppressed_count=sum(1 for r in results if r.suppressed),
    )
    return render_scan(
        result, ScanRenderOptions(show_suppressed=show_suppressed, timestamp=options.timestamp)
    )
