"""What the built-image audit analyzers (``audit_*.py``, scanner ``config``) share.

Each audit analyzer declares its rules (family ``image``, IDs ``SW-IMG-NNN``) beside the code that
checks them; :mod:`seawall.checks.image.rules` gathers them into the catalogue. Findings name the
path only: the merge fills in the layer, :func:`seawall.checks.image.audit_image` the owning package.
"""

from __future__ import annotations

import re

from seawall.model import CheckResult, Rule, Severity, SourceLocation

FAMILY = "image"
_ID = re.compile(r"SW-IMG-\d{3}")
KiB = 1024

# Directories whose executables are on a default PATH: a binary elsewhere is not "present" as a tool.
BIN_DIRECTORIES = frozenset({"bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin"})


def image_rule(
    id: str,
    title: str,
    severity: Severity,
    rationale: str,
    fix: str,
    bad_example: str,
    good_example: str,
    references: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> Rule:
    """A rule of the built-image family (catalogue data: every field is shown in its docs page)."""
    if not _ID.fullmatch(id):
        raise ValueError(f"rule ID {id!r} is not SW-IMG-NNN")
    return Rule(id, title, severity, FAMILY, rationale, fix, bad_example, good_example, references, tags)


def finding(
    rule: Rule, message: str, path: str, line: int = 0, properties: dict[str, str] | None = None
) -> CheckResult:
    """A result about one path of the image (the merge adds the layer)."""
    return CheckResult(rule, message, SourceLocation(path, line=line), properties=properties or {})


def printable(text: str, limit: int = 120) -> str:
    """``text`` without control characters, cut to ``limit`` (image content ends up in reports)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text[: limit + 1])
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
