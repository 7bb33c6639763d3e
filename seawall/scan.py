"""The scan service: TARGET (or an SBOM) -> inventory -> findings of the scanners asked for.

``vuln`` matches the inventory against the vulnerability database, ``config`` audits the built image
(user, ports, setuid files, shells, sensitive files, OS end of life), ``secret`` reports secrets found
in any layer. Policy (severity threshold, ignore file, VEX) is applied by the caller, on the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, Inventory

SCANNERS = ("vuln", "config", "secret")


@dataclass
class ScanResult:
    """Everything one scan found, and what it checked (so reports can say what was not checked)."""

    inventory: Inventory
    vulnerabilities: list[VulnFinding] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    scanners: tuple[str, ...] = ("vuln",)
    db_metadata: dict[str, str] = field(default_factory=dict)
    packages_checked: int = 0
    notes: list[str] = field(default_factory=list)  # what could not be judged, and why
    suppressed_count: int = 0  # suppressed findings, counted even when not shown


def parse_scanners(text: str) -> tuple[str, ...]:
    """``vuln,secret`` -> ("vuln", "secret"); unknown names are a usage error."""
    from seawall.errors import UsageError

    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in SCANNERS]
    if unknown or not names:
        raise UsageError(
            f"unknown scanner {', '.join(unknown) or '(none)'}: choose from {', '.join(SCANNERS)}"
        )
    return names


def scan_inventory(
    inventory: Inventory, scanners: tuple[str, ...], db_path: Path | None, today: str | None = None
) -> ScanResult:
    """Run the scanners over an inventory that was already built (with their analyzers)."""
    result = ScanResult(inventory=inventory, scanners=scanners)
    if "vuln" in scanners:
        from seawall.match.matcher import Matcher
        from seawall.vulndb import resolve_db_path
        from seawall.vulndb.store import VulnStore

        with VulnStore.open(resolve_db_path(db_path)) as store:
            report = Matcher(store).match(inventory)
            result.db_metadata = store.metadata()
        result.vulnerabilities = report.findings
        result.packages_checked = report.packages_checked
        result.notes.extend(f"version not comparable: {u}" for u in report.unparsable[:50])
    if "config" in scanners:
        from seawall.checks.image import audit_image

        result.checks.extend(audit_image(inventory))
    elif "vuln" in scanners:
        # a release past its end of life gets no more fixes: itself a vulnerability finding
        from datetime import date

        from seawall.checks.image.os_eol import check_os

        result.checks.extend(check_os(inventory.os, date.fromisoformat(today) if today else date.today()))
    if "secret" in scanners:
        result.checks.extend(r for r in inventory.findings if r.rule.family == "secret")
    return result
