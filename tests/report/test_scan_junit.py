"""JUnit XML for scans, read back with junitparser (which follows the JUnit schema CI systems use) and
with the standard library's XML parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest

from seawall.model import Severity
from seawall.report.scan_formats import render_scan
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult
from tests.report import scans

junitparser = pytest.importorskip(
    "junitparser", reason="test dependency junitparser reads JUnit XML as CI does"
)
SHOW_ALL = ScanRenderOptions(show_suppressed=True, timestamp="2026-01-02T03:04:05Z")


def junit(result: ScanResult, options: ScanRenderOptions = SHOW_ALL) -> str:
    return render_scan(result, "junit", options)


def suites(text: str) -> dict[str, Any]:
    document = junitparser.JUnitXml.fromstring(text)
    return {suite.name: suite for suite in document}


def cases(suite: Any) -> dict[str, Any]:
    return {case.name: case for case in suite}


def test_one_suite_per_scanner_with_consistent_counts() -> None:
    text = junit(scans.full())
    found = suites(text)
    assert list(found) == ["vuln", "config", "secret"]
    vuln = found["vuln"]
    # a test per package of the image; five failed (one suppressed: skipped)
    assert (vuln.tests, vuln.failures, vuln.skipped, vuln.errors) == (6, 5, 1, 0)
    for suite in found.values():
        stated = (suite.tests, suite.failures, suite.skipped)
        suite.update_statistics()
        assert (suite.tests, suite.failures, suite.skipped) == stated
    root = ET.fromstring(text)
    assert root.tag == "testsuites" and root.get("tests") == "9" and root.get("failures") == "7"
    assert found["vuln"].timestamp == "2026-01-02T03:04:05"


def test_a_vulnerable_package_fails_with_its_advisories() -> None:
    vuln = cases(suites(junit(scans.full()))["vuln"])
    urllib3 = vuln["urllib3 1.26.4"]
    assert urllib3.classname == "vuln.pypi"
    (failure,) = urllib3.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.type == "HIGH"
    assert failure.message == "1 vulnerability (HIGH 1): PYSEC-2021-108"
    assert "fixed in 1.26.5" in failure.text and "pypi (pypa-advisory-database)" in failure.text
    log4j = vuln["org.apache.logging.log4j:log4j-core 2.14.1"]
    assert log4j.result[0].type == "CRITICAL"
    (skipped,) = vuln["Jinja2 2.11.2"].result
    assert (
        isinstance(skipped, junitparser.Skipped) and "vulnerable_code_not_in_execute_path" in skipped.message
    )


def test_clean_packages_pass() -> None:
    clean = replace(scans.full(), vulnerabilities=[scans.DSA])
    vuln = cases(suites(junit(clean))["vuln"])
    assert vuln["urllib3 1.26.4"].is_passed
    assert not vuln["libssl1.1 1.1.1n-0+deb11u3"].is_passed


def test_check_rules_are_test_cases() -> None:
    found = suites(junit(scans.full()))
    config = cases(found["config"])
    (failure,) = config["SW-IMG-001 Image runs as root"].result
    assert failure.type == "HIGH" and "Fix:" in failure.text
    (skipped,) = config["SW-IMG-006 Port 22 (SSH) exposed"].result
    assert "bastion image" in skipped.message
    secret = cases(found["secret"])
    (failure,) = secret["SW-SECRET-001 AWS access key ID"].result
    assert "app/.env:3" in failure.text and "AKIA****" in failure.text


def test_empty_scan_has_a_passing_case_per_scanner() -> None:
    found = suites(junit(scans.empty()))
    assert {name: (suite.tests, suite.failures) for name, suite in found.items()} == {
        "vuln": (1, 0),
        "config": (1, 0),
        "secret": (1, 0),
    }


def test_severity_filter() -> None:
    options = ScanRenderOptions(severities=frozenset({Severity.CRITICAL}))
    vuln = suites(junit(scans.full(show_suppressed=False), options))["vuln"]
    assert vuln.failures == 1


def test_hostile_text_stays_well_formed() -> None:
    nasty = replace(scans.URLLIB3_REDOS, title="bell\x07 nul\x00 esc\x1b ]]> </failure>")
    text = junit(replace(scans.full(), vulnerabilities=[nasty, scans.HOSTILE_FINDING]))
    root = ET.fromstring(text)  # raises on characters XML 1.0 cannot hold
    failures = [f.text or "" for f in root.iter("failure")]
    assert any("]]> </failure>" in f for f in failures)
    names = [case.get("name") for case in root.iter("testcase")]
    assert f"{scans.HOSTILE_NAME} 1.0.0" in names


def test_reproducible() -> None:
    assert junit(scans.full()) == junit(scans.full())
