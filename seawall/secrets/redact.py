"""What a report may show of a secret: a short prefix and stars, and a fingerprint for suppressions.

The secret itself never leaves the scanner: findings carry only :func:`redact` and
:func:`fingerprint` of it.
"""

from __future__ import annotations

import hashlib

SHOWN = 4
STARS = "****"


def redact(secret: str) -> str:
    """The first four characters and ``****``; fewer characters of a short secret (a quarter of it).

    A prefix such as ``AKIA`` or ``ghp_`` names the kind of credential without weakening it; for a
    short password, four characters would be half of it, so at most a quarter is shown.
    """
    shown = min(SHOWN, len(secret) // 4)
    return secret[:shown] + STARS


def fingerprint(rule_id: str, path: str, secret: str) -> str:
    """sha256 (hex) of rule ID, path and secret: stable across scans, for suppression files."""
    digest = hashlib.sha256()
    for part in (rule_id, path, secret):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()
