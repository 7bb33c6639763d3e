"""Suppression: the ignore file and VEX statements applied to a scan result. Nothing is dropped.

Every vulnerability finding and check result stays in the result; those an active ignore entry or a
suppressing VEX statement covers are marked ``suppressed`` with the reason, so reports can show them
under ``--show-suppressed`` and the gate does not count them. The ignore file is consulted first (a
team's own decision), then VEX. Expired ignore entries suppress nothing and each one adds a warning
line to ``result.notes`` (with how many findings it would have covered), as do VEX statements that
could not be used.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult
from seawall.policy.ignorefile import IgnoreEntry, IgnoreFile
from seawall.policy.vex import VexDocument, VexIndex, package_purl

if TYPE_CHECKING:  # the scan service calls this room, not the other way round
    from seawall.scan import ScanResult


def apply_policies(
    result: ScanResult, ignore: IgnoreFile | None, vex: list[VexDocument], today: date
) -> ScanResult:
    """``result`` with findings and check results marked suppressed where the policies say so.

    ``today`` decides which ignore entries have expired (pass ``date.today()``; tests pass a fixed
    day). Already-suppressed items (inline ``# seawall:ignore`` comments) keep their reason.

    Example::

        ignore = load_ignorefile(Path(".seawallignore.yaml"))
        documents = [load_vex(Path(p)) for p in ("base.openvex.json", "app.cdx-vex.json")]
        result = apply_policies(scan_inventory(inventory, ("vuln",), db), ignore, documents, date.today())
        for finding in result.vulnerabilities:
            if finding.suppressed:
                print(finding.advisory_id, finding.suppression)
                # CVE-2023-5363 ignorefile: not reachable (expires 2026-12-31)
                # CVE-2021-44228 vex: not_affected (vulnerable_code_not_in_execute_path) from https://...
    """
    entries = ignore.active(today) if ignore is not None else ()
    expired = ignore.expired(today) if ignore is not None else ()
    index = VexIndex(vex, result.inventory) if any(doc.statements for doc in vex) else None
    would_have: dict[int, int] = {}

    findings = []
    for finding in result.vulnerabilities:
        if not finding.suppressed:
            finding = _judge_finding(finding, entries, expired, index, would_have)
        findings.append(finding)
    checks = []
    for check in result.checks:
        if not check.suppressed:
            check = _judge_check(check, entries, expired, would_have)
        checks.append(check)

    notes = list(result.notes)
    for number, entry in enumerate(expired):
        count = would_have.get(number, 0)
        covered = f" (it would cover {count} finding{'s' if count != 1 else ''})" if count else ""
        notes.append(entry.expiry_warning() + covered)
    for document in vex:
        notes.extend(document.warnings)
    return dataclasses.replace(result, vulnerabilities=findings, checks=checks, notes=notes)


def _judge_finding(
    finding: VulnFinding,
    entries: tuple[IgnoreEntry, ...],
    expired: tuple[IgnoreEntry, ...],
    index: VexIndex | None,
    would_have: dict[int, int],
) -> VulnFinding:
    purl = package_purl(finding.package) if (entries or expired or index) else None
    for number, entry in enumerate(expired):
        if entry.matches_finding(finding, purl):
            would_have[number] = would_have.get(number, 0) + 1
    for entry in entries:
        if entry.matches_finding(finding, purl):
            return dataclasses.replace(finding, suppressed=True, suppression=entry.suppression)
    if index is not None:
        statement = index.decide(finding, purl)
        if statement is not None and statement.suppresses:
            return dataclasses.replace(finding, suppressed=True, suppression=statement.reason)
    return finding


def _judge_check(
    check: CheckResult,
    entries: tuple[IgnoreEntry, ...],
    expired: tuple[IgnoreEntry, ...],
    would_have: dict[int, int],
) -> CheckResult:
    for number, entry in enumerate(expired):
        if entry.matches_check(check):
            would_have[number] = would_have.get(number, 0) + 1
    for entry in entries:
        if entry.matches_check(check):
            properties = {**check.properties, "suppressed_by": "ignorefile"}
            return dataclasses.replace(
                check, suppressed=True, suppression_reason=entry.suppression, properties=properties
            )
    return check
