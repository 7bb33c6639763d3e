"""CycloneDX 1.6 with vulnerabilities: validated by cyclonedx-python-lib's strict validator against the
official 1.6 schema, read back by that library's model (as other CycloneDX tools read it), and read back
as VEX by our own VEX reader (the document suppresses what it says is not affected)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.model.impact_analysis import ImpactAnalysisJustification, ImpactAnalysisState
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from seawall.inventory.purl import purl_for
from seawall.model import Package, Severity
from seawall.report.cyclonedx import bom
from seawall.report.scan_cyclonedx import analysis
from seawall.report.scan_formats import render_scan
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult
from tests.report import scans

VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)
SHOW_ALL = ScanRenderOptions(show_suppressed=True)


def cdx_text(result: ScanResult, options: ScanRenderOptions = SHOW_ALL) -> str:
    return render_scan(result, "cyclonedx", options)


def cdx(result: ScanResult, options: ScanRenderOptions = SHOW_ALL, validate: bool = False) -> dict[str, Any]:
    """The document, validated against the schema when asked (a validation takes a few tenths of a second)."""
    text = cdx_text(result, options)
    if validate:
        error = VALIDATOR.validate_str(text)
        assert error is None, str(error)
    document: dict[str, Any] = json.loads(text)
    return document


def vulnerability(document: dict[str, Any], advisory_id: str) -> dict[str, Any]:
    found = [v for v in document["vulnerabilities"] if v["id"] == advisory_id]
    assert len(found) == 1, advisory_id
    return found[0]


def component_ref(document: dict[str, Any], package: Package) -> str:
    purl = purl_for(package)
    (component,) = [c for c in document["components"] if c.get("purl") == purl]
    ref: str = component["bom-ref"]
    return ref


@pytest.mark.parametrize("result", [scans.full(), scans.empty()], ids=["full", "empty"])
def test_valid_against_the_official_schema(result: ScanResult) -> None:
    document = cdx(result, validate=True)
    assert (document["bomFormat"], document["specVersion"]) == ("CycloneDX", "1.6")
    assert len(document["vulnerabilities"]) == len(result.vulnerabilities)


def test_the_validator_does_reject_a_broken_vulnerability() -> None:
    document = json.loads(cdx_text(scans.full()))
    vulnerability(document, "PYSEC-2021-66")["analysis"]["state"] = "ignored"
    assert VALIDATOR.validate_str(json.dumps(document)) is not None


def test_components_are_the_sboms() -> None:
    document = cdx(scans.full())
    sbom = bom(scans.INVENTORY, SHOW_ALL.render_options())
    assert document["components"] == sbom["components"]
    assert document["metadata"]["component"] == sbom["metadata"]["component"]
    assert document["serialNumber"] != sbom["serialNumber"]  # another document, another name


def test_a_vulnerability_explains_itself() -> None:
    document = cdx(scans.full())
    urllib3 = vulnerability(document, "PYSEC-2021-108")  # urllib3 >=1.25.4, <1.26.5
    assert urllib3["source"] == {
        "name": "pypa-advisory-database",
        "url": "https://osv.dev/vulnerability/PYSEC-2021-108",
    }
    assert urllib3["affects"] == [
        {
            "ref": component_ref(document, scans.URLLIB3),
            "versions": [{"version": "1.26.4", "status": "affected"}],
        }
    ]
    assert urllib3["recommendation"] == "Upgrade urllib3 from 1.26.4 to 1.26.5 or later."
    assert {
        "id": "CVE-2021-33503",
        "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-33503"},
    } in urllib3["references"]
    assert {"url": "https://github.com/advisories/GHSA-q2q7-5pp4-w6pg"} in urllib3["advisories"]
    assert urllib3["published"] == "2021-06-29T11:15:00Z"
    assert urllib3["description"].startswith("An issue was discovered in urllib3 before 1.26.5")
    properties = {p["name"]: p["value"] for p in urllib3["properties"]}
    assert properties["seawall:vulnerability:matching_rule"] == "ecosystem"
    assert properties["seawall:vulnerability:affected_range"] == ">=1.25.4, <1.26.5"
    assert properties["seawall:vulnerability:data_source"] == "pypi (pypa-advisory-database)"
    assert properties["seawall:vulnerability:layer:diff_id"] == scans.L2


def test_ratings_name_what_decided_the_severity() -> None:
    document = cdx(scans.full())
    # NVD rates CVE-2023-0286 (DSA-5343-1) 7.4 with this vector; the severity came from it
    assert vulnerability(document, "DSA-5343-1")["ratings"] == [
        {
            "source": {"name": "nvd"},
            "score": 7.4,
            "severity": "high",
            "method": "CVSSv31",
            "vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H",
        }
    ]
    # the vendor's LOW decided; the CVSS rating is kept beside it
    assert vulnerability(document, "CVE-2024-0001")["ratings"] == [
        {"source": {"name": "debian"}, "severity": "low", "method": "other"},
        {
            "score": 9.8,
            "severity": "critical",
            "method": "CVSSv31",
            "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        },
    ]
    log4j = vulnerability(document, "GHSA-jfh8-c2jp-5v3q")
    assert log4j["cwes"] == [502, 917]
    assert {"name": "seawall:vulnerability:kev:date_added", "value": "2021-12-10"} in log4j["properties"]


def test_suppressed_findings_carry_a_vex_analysis() -> None:
    jinja = vulnerability(cdx(scans.full()), "PYSEC-2021-66")
    # OpenVEX vulnerable_code_not_in_execute_path is CycloneDX code_not_reachable
    assert jinja["analysis"] == {
        "state": "not_affected",
        "justification": "code_not_reachable",
        "detail": scans.JINJA2_REDOS.suppression,
    }
    assert jinja["affects"][0]["versions"] == [{"version": "2.11.2", "status": "unaffected"}]
    fixed = replace(scans.JINJA2_REDOS, suppression="vex: fixed from https://example.com/vex/app")
    assert analysis(fixed) == {"state": "resolved", "detail": "vex: fixed from https://example.com/vex/app"}
    ignored = replace(scans.JINJA2_REDOS, suppression="ignorefile: fixed in our fork (expires 2030-01-01)")
    assert analysis(ignored) == {"state": "not_affected", "detail": ignored.suppression}
    assert "analysis" not in vulnerability(cdx(scans.full()), "PYSEC-2021-108")


def test_other_cyclonedx_tools_read_it() -> None:
    document = Bom.from_json(json.loads(cdx_text(scans.full())))
    by_id = {v.id: v for v in document.vulnerabilities}
    assert set(by_id) == {f.advisory_id for f in scans.FINDINGS}
    jinja = by_id["PYSEC-2021-66"]
    assert jinja.analysis.state is ImpactAnalysisState.NOT_AFFECTED
    assert jinja.analysis.justification is ImpactAnalysisJustification.CODE_NOT_REACHABLE
    refs = {str(c.bom_ref) for c in document.components}
    assert all(str(a.ref) in refs for v in document.vulnerabilities for a in v.affects)


def test_it_is_vex_our_own_reader_accepts(tmp_path: Path) -> None:
    vex = pytest.importorskip("seawall.policy.vex")
    path = tmp_path / "scan.cdx.json"
    path.write_text(cdx_text(scans.full()))
    index = vex.VexIndex([vex.load_vex(path)], scans.INVENTORY)
    statement = index.decide(scans.JINJA2_REDOS)
    assert statement is not None and statement.suppresses
    assert index.decide(scans.URLLIB3_REDOS) is None  # affected: no statement, no suppression


def test_severity_filter_and_hidden_suppressed() -> None:
    document = cdx(
        scans.full(show_suppressed=False), ScanRenderOptions(severities=frozenset({Severity.HIGH}))
    )
    assert sorted(v["id"] for v in document["vulnerabilities"]) == [
        "DSA-5343-1",
        "GO-2021-0113",
        "PYSEC-2021-108",
    ]


def test_reproducible_and_named_by_content() -> None:
    first = cdx_text(scans.full())
    assert cdx_text(scans.full()) == first
    fewer = replace(scans.full(), vulnerabilities=scans.FINDINGS[:2])
    assert json.loads(cdx_text(fewer))["serialNumber"] != json.loads(first)["serialNumber"]


def test_bom_refs_are_unique() -> None:
    twice = replace(scans.full(), vulnerabilities=[scans.DSA, replace(scans.DSA, affected_range="other")])
    refs = [v["bom-ref"] for v in cdx(twice)["vulnerabilities"]]
    assert len(set(refs)) == 2


def test_a_package_missing_from_the_inventory_is_still_reported() -> None:
    stray = replace(scans.URLLIB3_REDOS, package=replace(scans.URLLIB3, name="urllib3-fork"))
    document = cdx(replace(scans.full(), vulnerabilities=[stray]), validate=True)
    (entry,) = document["vulnerabilities"]
    assert "affects" not in entry and entry["id"] == "PYSEC-2021-108"
