"""The CI gate: what is shown, what is counted, when the scan fails."""

from __future__ import annotations

import pytest

from seawall.errors import UsageError
from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, Package, Rule, Severity, SourceLocation
from seawall.policy.gate import ALL_SEVERITIES, Gate, parse_severities


def finding(
    severity: Severity,
    fixed: tuple[str, ...] = ("2.0",),
    kev: str = "",
    epss: float | None = None,
    suppressed: bool = False,
) -> VulnFinding:
    return VulnFinding(
        "CVE-2024-0001",
        Package("pypi", "x", "1.0"),
        "1.0",
        "fixed" if fixed else "affected",
        severity,
        "test",
        "pypi",
        "pypi-package",
        fixed_versions=fixed,
        kev_date_added=kev,
        epss_score=epss,
        suppressed=suppressed,
    )


CHECK = CheckResult(
    Rule("SW-IMG-001", "root", Severity.HIGH, "image", "why", "fix"), "root", SourceLocation("x")
)


def test_parse_severities() -> None:
    assert parse_severities("high, CRITICAL") == {Severity.HIGH, Severity.CRITICAL}
    assert parse_severities(None) == ALL_SEVERITIES
    with pytest.raises(UsageError, match="unknown severity 'SEVERE'"):
        parse_severities("SEVERE")


def test_severity_threshold_and_unfixed() -> None:
    gate = Gate(parse_severities("HIGH,CRITICAL"), ignore_unfixed=True)
    assert gate.shows(finding(Severity.HIGH))
    assert not gate.shows(finding(Severity.MEDIUM))
    assert not gate.shows(finding(Severity.CRITICAL, fixed=()))
    assert gate.fails([finding(Severity.HIGH)], [])
    assert not gate.fails([finding(Severity.MEDIUM), finding(Severity.CRITICAL, fixed=())], [])


def test_suppressed_findings_never_fail() -> None:
    assert not Gate().fails([finding(Severity.CRITICAL, suppressed=True)], [])


def test_kev_and_epss_gates() -> None:
    kev_gate = Gate(fail_on_kev=True)
    assert not kev_gate.fails([finding(Severity.CRITICAL)], [CHECK])
    assert kev_gate.fails([finding(Severity.LOW, kev="2024-01-10")], [])
    epss_gate = Gate(epss_threshold=0.5)
    assert not epss_gate.fails([finding(Severity.CRITICAL, epss=0.2)], [])
    assert epss_gate.fails([finding(Severity.LOW, epss=0.7)], [])


def test_check_results_fail_the_gate_by_their_severity() -> None:
    assert Gate().fails([], [CHECK])
    assert not Gate(parse_severities("CRITICAL")).fails([], [CHECK])
