"""Release files of the Red Hat family: ``Rocky Linux release 8.4 (Green Obsidian)``.

The family comes from the distribution name in the line, not from the file name: ``redhat-release``
and ``system-release`` are usually links to the vendor's own file, but a copy says the same.
The vendor's own file (``rocky-release`` ...) gets the vendor priority, the shared names a little less.
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, register
from seawall.inventory.analyzers.os_release import (
    PRIORITY_GENERIC_FILE,
    PRIORITY_VENDOR_FILE,
    RELEASE_FILE_MAX_SIZE,
    decode_release_text,
    first_line,
    printable,
)
from seawall.model import Facts, OSInfo

_PATHS = {
    "etc/centos-release": PRIORITY_VENDOR_FILE,
    "etc/rocky-release": PRIORITY_VENDOR_FILE,
    "etc/almalinux-release": PRIORITY_VENDOR_FILE,
    "etc/fedora-release": PRIORITY_VENDOR_FILE,
    "etc/oracle-release": PRIORITY_VENDOR_FILE,
    "etc/redhat-release": PRIORITY_GENERIC_FILE,
    "etc/system-release": PRIORITY_GENERIC_FILE,
    "usr/lib/system-release": PRIORITY_GENERIC_FILE,
}
_LINE = re.compile(
    r"(?P<name>\S.{0,80}?)\s+release\s+(?P<version>[0-9][0-9A-Za-z._-]{0,40})(?:\s+\((?P<code>[^()]{0,60})\))?"
)
# (name prefix in lower case, os-release ID, os-release ID_LIKE of that distribution)
_FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("red hat enterprise linux", "rhel", ("fedora",)),
    ("red hat linux", "rhel", ("fedora",)),
    ("centos", "centos", ("rhel", "fedora")),
    ("rocky linux", "rocky", ("rhel", "centos", "fedora")),
    ("almalinux", "almalinux", ("rhel", "centos", "fedora")),
    ("fedora", "fedora", ()),
    ("oracle linux", "ol", ("fedora",)),
    ("amazon linux", "amzn", ("centos", "rhel", "fedora")),
    ("scientific linux", "scientific", ("rhel", "fedora")),
    ("cloudlinux", "cloudlinux", ("rhel", "centos", "fedora")),
    ("eurolinux", "eurolinux", ("rhel", "fedora")),
)


def parse_release_line(line: str, source: str, priority: int) -> OSInfo:
    """The OSInfo of one ``<Name> release <version> (<codename>)`` line."""
    match = _LINE.match(line)
    if match is None:
        raise AnalyzerError(f"not a release line: {printable(line)[:60]!r}")
    name = match.group("name").lower()
    for prefix, family, like in _FAMILIES:
        if name.startswith(prefix):
            return OSInfo(
                family=family,
                version=match.group("version"),
                name=printable(line),
                codename=printable(match.group("code") or ""),
                source=source,
                priority=priority,
                like=like,
            )
    raise AnalyzerError(f"unknown distribution {printable(match.group('name'))[:60]!r}")


@register
class RedHatReleaseAnalyzer(Analyzer):
    name = "redhat-release"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset(path.rpartition("/")[2] for path in _PATHS)
    max_size = RELEASE_FILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        return path in _PATHS

    def analyze(self, path: str, content: bytes) -> Facts:
        line = first_line(decode_release_text(content))
        return Facts(os=parse_release_line(line, path, _PATHS.get(path, PRIORITY_GENERIC_FILE)))
