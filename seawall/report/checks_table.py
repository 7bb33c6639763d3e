"""Hardening check results as an aligned text table for terminals.

One row per result, sorted by file, line and rule ID: location, rule ID, severity, message. Below
it a summary by severity, and how many results were suppressed (listed, with their reason, only
when asked). Messages quote file content, so unsafe terminal characters are replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from seawall.checks.model import CheckResult
from seawall.model import Severity
from seawall.report import RenderOptions
from seawall.report.table import clean

HEADER = ("LOCATION", "ID", "SEVERITY", "MESSAGE")
GAP = "  "


def _safe(text: str) -> str:
    return clean(text.encode("utf-8", "replace").decode("utf-8"))


def ordered(results: Sequence[CheckResult]) -> list[CheckResult]:
    """Results in report order: file, line, rule ID, message."""
    return sorted(results, key=lambda r: (r.location.file, r.location.line, r.rule.id, r.message))


def location(result: CheckResult) -> str:
    where = result.location.file
    return f"{where}:{result.location.line}" if result.location.line else where


def summary(results: Sequence[CheckResult]) -> str:
    shown = [result for result in results if not result.suppressed]
    counts = Counter(result.effective_severity for result in shown)
    parts = [f"{counts[level]} {level.name}" for level in sorted(Severity, reverse=True) if counts[level]]
    text = f"{len(shown)} result{'s' if len(shown) != 1 else ''}"
    return text + (f": {', '.join(parts)}" if parts else "")


def render_checks(
    results: Sequence[CheckResult], options: RenderOptions, show_suppressed: bool = False
) -> str:
    rows: list[tuple[str, str, str, str]] = []
    suppressed = 0
    for result in ordered(results):
        message = _safe(result.message)
        if result.suppressed:
            suppressed += 1
            if not show_suppressed:
                continue
            message += f" [suppressed: {_safe(result.suppression_reason)}]"
        rows.append((_safe(location(result)), result.rule.id, result.effective_severity.name, message))
    lines = []
    if rows:
        table = [HEADER, *rows]
        widths = [max(len(row[column]) for row in table) for column in range(3)]
        for row in table:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            lines.append(GAP.join([*cells, row[3]]).rstrip())
        lines.append("")
    tail = summary(results)
    if suppressed:
        hint = "" if show_suppressed else " (--show-suppressed lists them)"
        tail += f"; {suppressed} suppressed{hint}"
    lines.append(tail)
    return "\n".join(lines) + "\n"
