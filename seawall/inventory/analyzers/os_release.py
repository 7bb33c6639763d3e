"""The generic ``os-release`` file (``etc/os-release``, ``usr/lib/os-release``).

Format (os-release(5)): one ``KEY=VALUE`` per line, ``#`` comments and blank lines ignored; a value
with special characters is enclosed in double or single quotes; inside double quotes and in
unquoted values a backslash escapes the next character (shell style); single quotes escape nothing.

This module also holds the priorities every OS analyzer uses, highest wins in the merge:

* a distribution's own release file (``alpine-release``, a numeric ``debian_version``, the RHEL
  family's ``<vendor>-release``): :data:`PRIORITY_VENDOR_FILE`, or :data:`PRIORITY_GENERIC_FILE`
  for the shared names ``redhat-release`` and ``system-release``, usually a link to the vendor's;
* ``etc/os-release``: :data:`PRIORITY_ETC_OS_RELEASE`;
* ``usr/lib/os-release``: :data:`PRIORITY_USR_LIB_OS_RELEASE`;
* a ``debian_version`` holding a codename (``trixie/sid``): :data:`PRIORITY_CODENAME_ONLY`, below
  os-release, because derivatives such as Ubuntu keep Debian's file with the codename of the Debian
  release they branched from; see :mod:`.debian_version`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, register
from seawall.model import Facts, OSInfo

PRIORITY_CODENAME_ONLY = 5
PRIORITY_USR_LIB_OS_RELEASE = 10
PRIORITY_ETC_OS_RELEASE = 20
PRIORITY_GENERIC_FILE = 30
PRIORITY_VENDOR_FILE = 40

RELEASE_FILE_MAX_SIZE = 64 * 1024

_PATHS = {"etc/os-release": PRIORITY_ETC_OS_RELEASE, "usr/lib/os-release": PRIORITY_USR_LIB_OS_RELEASE}
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_VERSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+-]{0,63}")
_CODENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,63}")
_DOUBLE_QUOTE_ESCAPABLE = frozenset('$"\\`')
_MAX_TEXT = 256


def decode_release_text(content: bytes) -> str:
    """Text of a small release file; binary content is an :class:`AnalyzerError`."""
    if b"\x00" in content:
        raise AnalyzerError("binary content, not a release file")
    return content.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def first_line(text: str) -> str:
    """The first non-blank line, stripped, or ``""``."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


def printable(value: str) -> str:
    """``value`` without control characters, cut to a sane length (it ends up in reports)."""
    return "".join(ch for ch in value if ch.isprintable())[:_MAX_TEXT].strip()


def _unquote(raw: str) -> str:
    """The value of one assignment, with os-release's (shell-like) quoting removed."""
    raw = raw.strip()
    if raw.startswith("'"):
        end = raw.find("'", 1)
        return raw[1:] if end < 0 else raw[1:end]
    out: list[str] = []
    quoted = raw.startswith('"')
    i = 1 if quoted else 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if quoted and nxt not in _DOUBLE_QUOTE_ESCAPABLE:
                out.append(ch)
            out.append(nxt)
            i += 2
            continue
        if (quoted and ch == '"') or (not quoted and ch.isspace()):
            break
        out.append(ch)
        i += 1
    return "".join(out)


def parse_os_release(text: str) -> dict[str, str]:
    """All assignments of an os-release file; malformed lines are ignored, the last one of a key wins."""
    fields: dict[str, str] = {}
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if sep and _KEY.fullmatch(key):
            fields[key] = _unquote(value)
    return fields


def os_info_from_fields(
    fields: dict[str, str], source: str, priority: int
) -> tuple[OSInfo | None, list[str]]:
    """The OSInfo the fields describe (``None`` without an ID) and warnings about dropped values."""
    warnings: list[str] = []
    family = fields.get("ID", "").strip().lower()
    if not family:
        return None, [f"{source}: no ID field"]
    if not _ID.fullmatch(family):
        raise AnalyzerError(f"invalid ID {printable(family)[:40]!r}")
    version = fields.get("VERSION_ID", "").strip()
    if version and not _VERSION_ID.fullmatch(version):
        warnings.append(f"{source}: invalid VERSION_ID {printable(version)[:40]!r} ignored")
        version = ""
    codename = (fields.get("VERSION_CODENAME") or fields.get("UBUNTU_CODENAME") or "").strip().lower()
    if codename and not _CODENAME.fullmatch(codename):
        warnings.append(f"{source}: invalid VERSION_CODENAME ignored")
        codename = ""
    like = tuple(word for word in fields.get("ID_LIKE", "").lower().split() if _ID.fullmatch(word))
    name = printable(fields.get("PRETTY_NAME") or fields.get("NAME") or "")
    info = OSInfo(
        family=family,
        version=version,
        name=name,
        codename=codename,
        source=source,
        priority=priority,
        like=like,
    )
    return info, warnings


@register
class OSReleaseAnalyzer(Analyzer):
    """``etc/os-release`` and ``usr/lib/os-release``: family from ID, version from VERSION_ID."""

    name = "os-release"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"os-release"})
    max_size = RELEASE_FILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        return path in _PATHS

    def analyze(self, path: str, content: bytes) -> Facts:
        fields = parse_os_release(decode_release_text(content))
        info, warnings = os_info_from_fields(fields, path, _PATHS.get(path, PRIORITY_USR_LIB_OS_RELEASE))
        return Facts(os=info, warnings=tuple(warnings))
