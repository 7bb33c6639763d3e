"""Defensive helpers for importers: decoding JSON and YAML, and reading typed fields with bounds."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from seawall.vulndb.errors import FeedError

CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
MAX_TEXT = 64 * 1024  # summary, details, descriptions
MAX_ITEMS = 10_000  # list items kept per field
_YAML_LOADER: type[yaml.BaseLoader] = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def load_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise FeedError(f"invalid JSON ({_first_line(error)})") from None


def load_yaml(content: bytes) -> Any:
    """YAML with every scalar a string (``1.10`` stays ``"1.10"``), through libyaml when available."""
    try:
        return yaml.load(content, Loader=_YAML_LOADER)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise FeedError(f"invalid YAML ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """A string field (numbers as written, anything else empty), capped at ``limit`` characters."""
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return ""


def strings(value: Any, limit: int = MAX_ITEMS) -> tuple[str, ...]:
    """A list of strings (other items dropped), at most ``limit`` of them, duplicates removed in order."""
    if not isinstance(value, list):
        return ()
    seen: dict[str, None] = {}
    for item in value[:limit]:
        if isinstance(item, str) and item.strip():
            seen.setdefault(item.strip()[:1024], None)
    return tuple(seen)


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any, limit: int = MAX_ITEMS) -> list[Any]:
    return value[:limit] if isinstance(value, list) else []


def requirement_strings(value: Any, field: str, scheme_name: str, limit: int) -> tuple[str, ...]:
    """A feed's list of requirement strings (RubySec, RustSec), each checked against the version scheme
    that will evaluate it; FeedError for anything else."""
    from seawall.versions import InvalidVersion, scheme
    from seawall.vulndb.errors import FeedError

    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise FeedError(f"{field} is not a list of requirement strings")
    if len(value) > limit:
        raise FeedError(f"{field}: more than {limit} requirements")
    found = tuple(dict.fromkeys(r.strip() for r in value if r.strip()))
    checker = scheme(scheme_name)
    for requirement in found:
        try:
            checker.requirement(requirement)
        except InvalidVersion as error:
            raise FeedError(f"{field}: {error}") from None
    return found
