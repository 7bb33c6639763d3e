"""``etc/alpine-release``: one line with the full Alpine release, e.g. ``3.15.0``."""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, register
from seawall.inventory.analyzers.os_release import (
    PRIORITY_VENDOR_FILE,
    RELEASE_FILE_MAX_SIZE,
    decode_release_text,
    first_line,
    printable,
)
from seawall.model import Facts, OSInfo

PATH = "etc/alpine-release"
# 3.15.0, 3.19.0_alpha20231219, 3.21_rc1 ...
_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*(?:[_.][0-9A-Za-z]+)*")


@register
class AlpineReleaseAnalyzer(Analyzer):
    name = "alpine-release"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"alpine-release"})
    max_size = RELEASE_FILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        return path == PATH

    def analyze(self, path: str, content: bytes) -> Facts:
        line = first_line(decode_release_text(content))
        if not _RELEASE.fullmatch(line) or len(line) > 64:
            raise AnalyzerError(f"not an Alpine release number: {printable(line)[:40]!r}")
        info = OSInfo(
            family="alpine",
            version=line,
            name="Alpine Linux",
            source=path,
            priority=PRIORITY_VENDOR_FILE,
        )
        return Facts(os=info)
