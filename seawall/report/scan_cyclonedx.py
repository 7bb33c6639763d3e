"""A scan as a CycloneDX 1.6 BOM with ``vulnerabilities`` (VEX-capable).

The components are the SBOM's (:mod:`seawall.report.cyclonedx`). Each finding is one vulnerability
that ``affects`` its package's component: ``id`` and ``source`` (the feed that decided it and the
advisory's page), ``references`` (its aliases), ``ratings`` (the severity that decided, with its
source, and the CVSS score and vector), ``cwes``, ``description``/``detail``, ``recommendation``
(the upgrade), ``advisories`` (the feed's references) and Seawall's explanation as properties
(status, matching rule, affected range, layer). A suppressed finding carries an ``analysis``:
``not_affected`` or ``resolved`` with the VEX justification, and the suppression's reason as
``detail``; so the document doubles as a VEX statement. Hardening and secret results have no place
in CycloneDX and are left to the other formats.
"""

from __future__ import annotations

import re
from typing import Any

from seawall.match.finding import VulnFinding
from seawall.model import Package, Severity
from seawall.report import to_json, utc_timestamp
from seawall.report.cyclonedx import PREFIX, bom_with_refs, set_serial_number
from seawall.report.scan_common import (
    advisory_page,
    advisory_publisher,
    advisory_url,
    data_source_name,
    primary_location,
    recommendation,
    references,
    shown_findings,
)
from seawall.report.scan_options import ScanRenderOptions
from seawall.report.scan_table import introduced_by
from seawall.scan import ScanResult
from seawall.vulndb.cvss import severity_of

_CWE = re.compile(r"CWE-(\d{1,6})", re.IGNORECASE)
_VEX_REASON = re.compile(r"vex:\s*([a-z_]+)(?:\s*\(([a-z_]+)\))?", re.IGNORECASE)
# VEX status (OpenVEX or CycloneDX words) -> CycloneDX analysis state
STATES = {
    "not_affected": "not_affected",
    "false_positive": "false_positive",
    "fixed": "resolved",
    "resolved": "resolved",
    "resolved_with_pedigree": "resolved_with_pedigree",
}
# OpenVEX justification -> CycloneDX justification (CycloneDX's own words map to themselves)
JUSTIFICATIONS = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
    **{
        word: word
        for word in (
            "code_not_present",
            "code_not_reachable",
            "requires_configuration",
            "requires_dependency",
            "requires_environment",
            "protected_by_compiler",
            "protected_at_runtime",
            "protected_at_perimeter",
            "protected_by_mitigating_control",
        )
    },
}


def _clean(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _property(name: str, value: str) -> dict[str, str]:
    return {"name": PREFIX + name, "value": _clean(value)}


def _method(vector: str) -> str:
    """The CycloneDX rating method of a CVSS vector."""
    text = vector.strip().upper()
    if text.startswith("CVSS:4"):
        return "CVSSv4"
    if text.startswith("CVSS:3.1"):
        return "CVSSv31"
    if text.startswith("CVSS:3"):
        return "CVSSv3"
    return "CVSSv2" if text else "other"


def _severity(severity: Severity) -> str:
    return severity.name.lower()


def ratings(finding: VulnFinding) -> list[dict[str, Any]]:
    """The rating that decided the severity (named by ``severity_source``), then the CVSS rating
    when it is another one; a CVSS rating that decided carries its score and vector."""
    label = finding.severity_source.strip()
    source = label.split(" ", 1)[0] if label and label != "none" else ""
    cvss = finding.cvss_score is not None and bool(finding.cvss_vector)
    method = _method(finding.cvss_vector) if cvss else "other"
    version = 2 if method == "CVSSv2" else 3
    decided_by_cvss = (
        "CVSS" in label and cvss and severity_of(finding.cvss_score, version) is finding.severity
    )
    deciding: dict[str, Any] = {}
    if source:
        deciding["source"] = {"name": _clean(source)}
    if decided_by_cvss:
        deciding.update(score=finding.cvss_score, severity=_severity(finding.severity), method=method)
        deciding["vector"] = _clean(finding.cvss_vector)
        return [deciding]
    deciding.update(severity=_severity(finding.severity), method="other")
    result = [deciding]
    if cvss:
        result.append(
            {
                "score": finding.cvss_score,
                "severity": _severity(severity_of(finding.cvss_score, version)),
                "method": method,
                "vector": _clean(finding.cvss_vector),
            }
        )
    return result


def analysis(finding: VulnFinding) -> dict[str, Any]:
    """The VEX analysis of a suppressed finding.

    A VEX suppression reads ``vex: STATUS (JUSTIFICATION) from DOCUMENT: IMPACT`` (see
    :attr:`seawall.policy.vex.VexStatement.reason`): ``not_affected`` keeps its justification,
    translated from OpenVEX's words; ``fixed`` is ``resolved``. An ignore-file entry is the user's
    word that the finding does not apply: ``not_affected`` without a justification. The suppression
    itself is the ``detail``.
    """
    reason = finding.suppression.strip()
    vex = _VEX_REASON.match(reason)
    status, justification = (vex.group(1).lower(), (vex.group(2) or "").lower()) if vex else ("", "")
    document: dict[str, Any] = {"state": STATES.get(status, "not_affected")}
    if document["state"] == "not_affected" and justification in JUSTIFICATIONS:
        document["justification"] = JUSTIFICATIONS[justification]
    if reason:
        document["detail"] = _clean(reason)
    return document


def _references(finding: VulnFinding) -> list[dict[str, Any]]:
    """The advisory's aliases, each with the database that assigned it."""
    entries = []
    for alias in dict.fromkeys(finding.aliases):
        if alias == finding.advisory_id or not alias.strip():
            continue
        source: dict[str, str] = {"name": _clean(advisory_publisher(alias))}
        page = advisory_page(alias)
        if page:
            source["url"] = page
        entries.append({"id": _clean(alias), "source": source})
    return entries


def _properties(finding: VulnFinding, result: ScanResult) -> list[dict[str, str]]:
    location = primary_location(finding)
    values = [
        ("vulnerability:status", finding.status),
        ("vulnerability:installed_version", finding.installed_version),
        ("vulnerability:fixed_versions", ", ".join(finding.fixed_versions)),
        ("vulnerability:data_source", finding.data_source),
        ("vulnerability:matching_rule", finding.rule),
        ("vulnerability:affected_range", finding.affected_range),
        ("vulnerability:severity_source", finding.severity_source),
        ("vulnerability:path", location.path if location else ""),
        ("vulnerability:layer:diff_id", location.layer if location else ""),
        ("vulnerability:introduced_by", introduced_by(finding.package, result.inventory.image)),
        ("vulnerability:kev:date_added", finding.kev_date_added),
        ("vulnerability:epss:score", "" if finding.epss_score is None else f"{finding.epss_score:g}"),
        (
            "vulnerability:epss:percentile",
            "" if finding.epss_percentile is None else f"{finding.epss_percentile:g}",
        ),
        ("vulnerability:suppressed", "true" if finding.suppressed else ""),
    ]
    return [_property(name, value) for name, value in values if value]


def vulnerability(finding: VulnFinding, ref: str | None, result: ScanResult) -> dict[str, Any]:
    """One finding as a CycloneDX vulnerability affecting the component ``ref``."""
    document: dict[str, Any] = {"id": _clean(finding.advisory_id)}
    source: dict[str, str] = {"name": _clean(data_source_name(finding) or "unknown")}
    page = advisory_url(finding)
    if page:
        source["url"] = page
    document["source"] = source
    aliases = _references(finding)
    if aliases:
        document["references"] = aliases
    document["ratings"] = ratings(finding)
    cwes = list(dict.fromkeys(int(m.group(1)) for c in finding.cwes if (m := _CWE.fullmatch(c.strip()))))
    if cwes:
        document["cwes"] = cwes
    title, description = finding.title.strip(), finding.description.strip()
    if title or description:
        document["description"] = _clean(title or description)
    if title and description and description != title:
        document["detail"] = _clean(description)
    document["recommendation"] = _clean(recommendation(finding))
    advisories = [{"url": url} for url in references(finding)]
    if advisories:
        document["advisories"] = advisories
    published = utc_timestamp(finding.published) if finding.published else None
    if published:
        document["published"] = published
    if finding.suppressed:
        document["analysis"] = analysis(finding)
    if ref is not None:
        state = document.get("analysis", {}).get("state", "")
        status = "unaffected" if state in {"not_affected", "resolved", "false_positive"} else "affected"
        version = _clean(finding.installed_version)
        document["affects"] = [{"ref": ref, "versions": [{"version": version, "status": status}]}]
    document["properties"] = _properties(finding, result)
    return document


def _ref_of(package: Package, refs: dict[Package, str], by_key: dict[object, str]) -> str | None:
    return refs.get(package) or by_key.get(package.key)


def _metadata_properties(result: ScanResult) -> list[dict[str, str]]:
    values = [("scan:scanner", scanner) for scanner in result.scanners]
    values += [(f"scan:database:{key}", value) for key, value in sorted(result.db_metadata.items())]
    values.append(("scan:packages_checked", str(result.packages_checked)))
    values += [("scan:note", note) for note in result.notes]
    return [_property(name, value) for name, value in values]


def scan_bom(result: ScanResult, options: ScanRenderOptions) -> dict[str, Any]:
    """The document as a JSON-ready dict."""
    document, refs = bom_with_refs(result.inventory, options.render_options())
    by_key: dict[object, str] = {}
    for package, ref in refs.items():
        by_key.setdefault(package.key, ref)
    vulnerabilities = []
    used: dict[str, int] = {}
    for finding in shown_findings(result, options):
        component = _ref_of(finding.package, refs, by_key)
        entry = vulnerability(finding, component, result)
        base = f"vulnerability:{entry['id']}:{component or finding.package.name}"
        used[base] = used.get(base, 0) + 1
        vulnerabilities.append({"bom-ref": base if used[base] == 1 else f"{base}#{used[base]}", **entry})
    metadata = document["metadata"]
    metadata["properties"] = metadata.get("properties", []) + _metadata_properties(result)
    document["vulnerabilities"] = vulnerabilities
    set_serial_number(document)
    return document


def render_scan(result: ScanResult, options: ScanRenderOptions) -> str:
    return to_json(scan_bom(result, options))
