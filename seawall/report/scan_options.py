"""What scan renderers need besides the result (the result holds only what the gate shows)."""

from __future__ import annotations

from dataclasses import dataclass

from seawall import __version__
from seawall.model import Severity
from seawall.report import TOOL_NAME, RenderOptions


@dataclass(frozen=True)
class ScanRenderOptions:
    """``severities``: the severities the gate shows; ``show_suppressed``: list suppressed findings
    (always counted); ``timestamp``: RFC 3339 document time for reproducible output (empty: the
    image's creation time, else the Unix epoch)."""

    show_suppressed: bool = False
    severities: frozenset[Severity] = frozenset(Severity)
    timestamp: str = ""
    tool_version: str = __version__
    tool_name: str = TOOL_NAME

    def render_options(self) -> RenderOptions:
        """The inventory renderers' options (same time and tool), for the parts scans share with SBOMs."""
        return RenderOptions(
            timestamp=self.timestamp, tool_name=self.tool_name, tool_version=self.tool_version
        )
