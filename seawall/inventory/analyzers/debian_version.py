"""``etc/debian_version``: Debian's point release (``12.7``) or a codename (``trixie/sid``).

Which of the two the file holds decides how much it is trusted:

* A number is only ever written by Debian's own ``base-files`` of a stable release, and it is the
  most precise version an image states (os-release says ``12``, this file ``12.7``). It gets the
  vendor-file priority and beats os-release.
* A codename (``trixie/sid``, ``bookworm/sid``, ``kali-rolling``) is what Debian testing/unstable
  ship, and what derivatives inherit from the Debian release they branched from: every Ubuntu
  image says e.g. ``bookworm/sid`` here although it is not Debian. Such a file yields family
  ``debian`` with no version and a priority *below* both os-release files, so it only decides when
  an image has no os-release at all, and never turns an Ubuntu image into a Debian one.
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, register
from seawall.inventory.analyzers.os_release import (
    PRIORITY_CODENAME_ONLY,
    PRIORITY_VENDOR_FILE,
    RELEASE_FILE_MAX_SIZE,
    decode_release_text,
    first_line,
    printable,
)
from seawall.model import Facts, OSInfo

PATH = "etc/debian_version"
_NUMBER = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}")
_CODENAME = re.compile(r"([a-z][a-z0-9.+-]{0,40})(?:/[a-z][a-z0-9.+-]{0,40})?")
_CODENAMES = {
    "4": "etch",
    "5": "lenny",
    "6": "squeeze",
    "7": "wheezy",
    "8": "jessie",
    "9": "stretch",
    "10": "buster",
    "11": "bullseye",
    "12": "bookworm",
    "13": "trixie",
    "14": "forky",
    "15": "duke",
}


def parse_debian_version(line: str, source: str) -> OSInfo:
    """The OSInfo one ``debian_version`` line gives; anything else is an :class:`AnalyzerError`."""
    if _NUMBER.fullmatch(line):
        return OSInfo(
            family="debian",
            version=line,
            name="Debian GNU/Linux",
            codename=_CODENAMES.get(line.split(".")[0], ""),
            source=source,
            priority=PRIORITY_VENDOR_FILE,
        )
    match = _CODENAME.fullmatch(line)
    if match is None:
        raise AnalyzerError(f"neither a Debian version nor a codename: {printable(line)[:40]!r}")
    return OSInfo(
        family="debian",
        version="",
        name="Debian GNU/Linux",
        codename=match.group(1),
        source=source,
        priority=PRIORITY_CODENAME_ONLY,
    )


@register
class DebianVersionAnalyzer(Analyzer):
    name = "debian-version"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"debian_version"})
    max_size = RELEASE_FILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        return path == PATH

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts(os=parse_debian_version(first_line(decode_release_text(content)), path))
