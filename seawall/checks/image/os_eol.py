"""The base OS release past (or close to) the end of its security support.

Dates come from ``seawall/data/os_eol.json`` (vendors' published lifecycles, a source per entry).
``today`` is an argument so that results are reproducible; a release the table does not know gives
no result (an unknown release is not evidence of anything).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from seawall.checks.model import CheckResult, Rule, Severity, SourceLocation
from seawall.inventory.analyzers.audit_common import image_rule
from seawall.model import OSInfo

OS_EOL = image_rule(
    "SW-IMG-008",
    "Base OS release past end of life",
    Severity.HIGH,
    rationale=(
        "Once a distribution release reaches its end of life its vendor publishes no more security "
        "fixes: every vulnerability found from then on stays open in the image, and vulnerability "
        "feeds stop tracking the release, so scanners (this one included) go quiet about it. The "
        "silence is not safety."
    ),
    fix=(
        "Rebuild on a supported release of the distribution (e.g. `FROM debian:12-slim`, "
        "`FROM alpine:3.22`, `FROM ubi9/ubi-minimal`) and test the application on it; pin the new base "
        "by digest and let a bot propose updates."
    ),
    bad_example="FROM alpine:3.11\n",
    good_example="FROM alpine:3.22\n",
    references=(
        "https://endoflife.date/",
        "https://wiki.debian.org/LTS",
        "https://alpinelinux.org/releases/",
        "https://ubuntu.com/about/release-cycle",
    ),
)
OS_EOL_SOON = image_rule(
    "SW-IMG-009",
    "Base OS release reaches end of life soon",
    Severity.LOW,
    rationale=(
        "The distribution release stops receiving security fixes within the next 90 days. Moving a "
        "base image takes testing; starting before the date avoids running unpatched afterwards."
    ),
    fix="Plan the move to a supported release of the distribution now; see SW-IMG-008.",
    bad_example="FROM fedora:43  # support ends weeks after Fedora 45 ships\n",
    good_example="FROM fedora:44\n",
    references=("https://endoflife.date/",),
)
RULES = (OS_EOL, OS_EOL_SOON)

SOON = timedelta(days=90)


@dataclass(frozen=True)
class Lifecycle:
    family: str
    cycle: str
    eol: date
    source: str
    codename: str = ""
    approximate: bool = False
    extended: str = ""


@lru_cache(maxsize=1)
def lifecycles() -> dict[str, tuple[Lifecycle, ...]]:
    """The table, family -> releases (the packaged ``seawall/data/os_eol.json``)."""
    from importlib import resources  # on first use: the import costs more than the table

    text = resources.files("seawall").joinpath("data/os_eol.json").read_text(encoding="utf-8")
    families: dict[str, Any] = json.loads(text)["families"]
    return {
        family: tuple(
            Lifecycle(
                family=family,
                cycle=str(entry["cycle"]),
                eol=date.fromisoformat(entry["eol"]),
                source=str(entry["source"]),
                codename=str(entry.get("codename", "")),
                approximate=bool(entry.get("approximate", False)),
                extended=str(entry.get("extended", "")),
            )
            for entry in entries
        )
        for family, entries in families.items()
    }


def lifecycle_of(os: OSInfo) -> Lifecycle | None:
    """The table entry of ``os``'s release: the longest cycle that is its version or a prefix of it
    (Alpine ``3.15.0`` -> ``3.15``, Debian ``12.7`` -> ``12``); by codename when the version is unknown."""
    entries = lifecycles().get(os.family, ())
    version = os.version.strip()
    if os.family == "centos" and "stream" in os.name.lower():
        version = f"stream-{version.split('.')[0]}" if version else ""
    if not version:
        codename = os.codename.split("/")[0]
        return next((e for e in entries if codename and e.codename == codename), None)
    best: Lifecycle | None = None
    for entry in entries:
        if (version == entry.cycle or version.startswith(entry.cycle + ".")) and (
            best is None or len(entry.cycle) > len(best.cycle)
        ):
            best = entry
    return best


def _result(rule: Rule, message: str, os: OSInfo, entry: Lifecycle) -> CheckResult:
    return CheckResult(
        rule,
        message,
        SourceLocation(os.source),
        object_name=f"{os.family} {entry.cycle}",
        properties={"eol": entry.eol.isoformat(), "source": entry.source},
    )


def check_os(os: OSInfo | None, today: date) -> list[CheckResult]:
    """SW-IMG-008 (past end of life) or SW-IMG-009 (within 90 days) for the image's OS release."""
    if os is None:
        return []
    entry = lifecycle_of(os)
    if entry is None:
        return []
    name = os.name or f"{os.family} {os.version}"
    when = f"{entry.eol.isoformat()}{' (approximately)' if entry.approximate else ''}"
    extended = f"; fixes continue only through {entry.extended}" if entry.extended else ""
    if today > entry.eol:
        message = f"{name} ({entry.family} {entry.cycle}) reached end of life on {when}{extended}"
        return [_result(OS_EOL, message, os, entry)]
    if today + SOON >= entry.eol:
        days = (entry.eol - today).days
        message = f"{name} ({entry.family} {entry.cycle}) reaches end of life on {when}, in {days} days"
        return [_result(OS_EOL_SOON, message, os, entry)]
    return []
