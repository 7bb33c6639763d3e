"""A scan as SARIF 2.1.0 that GitHub code scanning accepts.

One run. Each advisory is a rule (``ruleId`` = the advisory ID) whose ``help`` says what is affected,
the installed and fixed versions, the data source and matching rule that decided it, and the
references; ``properties.security-severity`` is the finding's CVSS score where it agrees with its
severity, else GitHub's score for the severity word. Each finding is a result located at the file
that proves the package inside the image (``uriBaseId`` ``ROOTPATH``, the image's root; GitHub
needs a region, so line 1), with a ``partialFingerprints`` entry made of advisory, package and path,
stable across scans. Check results (config, secret) are results of their own rules, written by the
same code as ``seawall lint``'s SARIF. Suppressed items, when shown, carry ``suppressions``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, ImageInfo, Rule
from seawall.report.sarif import (
    FINGERPRINT_KEY,
    LEVELS,
    artifact_uri,
    check_result,
    rule_descriptor,
    sarif_log,
)
from seawall.report.scan_common import (
    advisory_url,
    check_fingerprint,
    finding_fingerprint,
    package_label,
    primary_location,
    references,
    security_severity,
    shown_checks,
    shown_findings,
)
from seawall.report.scan_options import ScanRenderOptions
from seawall.report.scan_table import introduced_by
from seawall.scan import ScanResult

ROOT = "ROOTPATH"
MAX_TEXT = 4000  # descriptions from feeds can be long; GitHub shows the start
MAX_HELP_PACKAGES = 10  # packages an advisory's help describes; every one has its own result anyway
_CWE = re.compile(r"CWE-(\d{1,6})", re.IGNORECASE)


def _clean(text: str) -> str:
    """Text from an image or a feed as valid Unicode (undecodable bytes become U+FFFD)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _short(text: str, limit: int = MAX_TEXT) -> str:
    text = _clean(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md(text: str) -> str:
    """``text`` inert in Markdown: no markup, links (``:`` escaped defeats autolinks) or HTML."""
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~:&])", r"\\\1", _clean(text).replace("\n", " "))


def _fixed(finding: VulnFinding) -> str:
    return ", ".join(finding.fixed_versions) or f"none ({finding.status})"


def _package_lines(finding: VulnFinding, image: ImageInfo) -> list[tuple[str, str]]:
    location = primary_location(finding)
    rows = [
        ("Package", f"{package_label(finding)} ({finding.package.type})"),
        ("Installed version", finding.installed_version),
        ("Fixed version", _fixed(finding)),
        ("Severity", f"{finding.severity.name} ({finding.severity_source})"),
        ("Data source", finding.data_source),
        ("Matching rule", finding.rule),
        ("Affected range", finding.affected_range),
        ("Path", location.path if location else ""),
        ("Introduced by", introduced_by(finding.package, image)),
    ]
    return [(key, _clean(value)) for key, value in rows if value]


def _help(advisory_id: str, findings: list[VulnFinding], image: ImageInfo) -> dict[str, str]:
    first = findings[0]
    title = next((f.title for f in findings if f.title), "")
    links = references(first)
    page = advisory_url(first)
    text = [f"{advisory_id}: {_short(title, 300)}" if title else advisory_id]
    markdown = [f"**{_md(advisory_id)}**" + (f": {_md(_short(title, 300))}" if title else "")]
    if first.description:
        text += ["", _short(first.description, 1500)]
        markdown += ["", _md(_short(first.description, 1500))]
    for finding in findings[:MAX_HELP_PACKAGES]:
        lines = _package_lines(finding, image)
        text += ["", *(f"{key}: {value}" for key, value in lines)]
        markdown += ["", "| | |", "|---|---|", *(f"| {key} | {_md(value)} |" for key, value in lines)]
    if len(findings) > MAX_HELP_PACKAGES:
        more = f"... and {len(findings) - MAX_HELP_PACKAGES} more packages (see the results)"
        text += ["", more]
        markdown += ["", _md(more)]
    urls = list(dict.fromkeys([*([page] if page else []), *links]))[:20]
    if urls:
        text += ["", "References:", *urls]
        markdown += ["", "**References**", "", *(f"- <{url}>" for url in urls)]
    return {"text": "\n".join(text), "markdown": "\n".join(markdown)}


def _vuln_rule(advisory_id: str, findings: list[VulnFinding], image: ImageInfo) -> dict[str, object]:
    worst = max(findings, key=lambda f: (f.severity, security_severity(f)))
    title = next((f.title for f in findings if f.title), "")
    description = next((f.description for f in findings if f.description), "") or title
    packages = ", ".join(dict.fromkeys(package_label(f) for f in findings))
    cwes = dict.fromkeys(
        int(m.group(1)) for f in findings for c in f.cwes if (m := _CWE.fullmatch(c.strip()))
    )
    rule: dict[str, object] = {
        "id": advisory_id,
        "shortDescription": {"text": _short(title or f"{advisory_id} in {packages}", 1000)},
        "fullDescription": {"text": _short(description or f"{advisory_id} affects {packages}")},
        "help": _help(advisory_id, findings, image),
    }
    page = advisory_url(worst)
    if page:
        rule["helpUri"] = page
    rule["defaultConfiguration"] = {"level": LEVELS[worst.severity]}
    rule["properties"] = {
        "security-severity": f"{security_severity(worst):.1f}",
        "precision": "very-high",
        "tags": ["security", "vulnerability", worst.severity.name, *(f"external/cwe/cwe-{n}" for n in cwes)],
    }
    return rule


def _location(path: str, line: int = 0) -> dict[str, object]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(_clean(path)), "uriBaseId": ROOT},
            "region": {"startLine": max(line, 1)},
        }
    }


def _message(finding: VulnFinding, image: ImageInfo) -> str:
    name = package_label(finding)
    text = (
        f"{name} {finding.installed_version} is affected by {finding.advisory_id} ({finding.severity.name})"
    )
    if finding.title:
        text += f": {_short(finding.title, 300)}"
    text += "." if not text.endswith(".") else ""
    if finding.fixed_version:
        text += f" Fixed in {finding.fixed_version}."
    else:
        text += f" No fixed version ({finding.status})."
    origin = introduced_by(finding.package, image)
    if origin:
        text += f" Introduced by layer {origin}."
    if finding.known_exploited:
        text += f" Known exploited (CISA KEV, added {finding.kev_date_added})."
    return _clean(text)


def _vuln_result(finding: VulnFinding, index: int, result: ScanResult) -> dict[str, object]:
    image = result.inventory.image
    location = primary_location(finding)
    path = location.path if location else image.reference  # an SBOM scan may know no file
    properties: dict[str, object] = {
        "severity": finding.severity.name,
        "severitySource": finding.severity_source,
        "package": package_label(finding),
        "packageType": finding.package.type,
        "installedVersion": finding.installed_version,
        "fixedVersions": list(finding.fixed_versions),
        "status": finding.status,
        "dataSource": finding.data_source,
        "matchingRule": finding.rule,
    }
    if finding.cvss_score is not None:
        properties["cvssScore"] = finding.cvss_score
        properties["cvssVector"] = finding.cvss_vector
    if location and location.layer:
        properties["layer"] = location.layer
    if finding.epss_score is not None:
        properties["epssScore"] = finding.epss_score
    if finding.known_exploited:
        properties["kevDateAdded"] = finding.kev_date_added
    document: dict[str, object] = {
        "ruleId": finding.advisory_id,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding, image)},
        "locations": [_location(path)],
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(finding)},
        "properties": {key: _clean(v) if isinstance(v, str) else v for key, v in properties.items()},
    }
    if finding.suppressed:
        document["suppressions"] = [{"kind": "external", "justification": _clean(finding.suppression)}]
    return document


def _check_result(check: CheckResult, index: int) -> dict[str, object]:
    """The lint renderer's result, located in the image and always fingerprinted."""
    where = check.location
    clean = replace(
        check,
        message=_clean(check.message),
        object_name=_clean(check.object_name),
        suppression_reason=_clean(check.suppression_reason),
        location=replace(where, file=_clean(where.file)),
    )
    document = check_result(clean, index)
    document["locations"] = [_location(where.file, where.line)]
    document["partialFingerprints"] = {FINGERPRINT_KEY: check_fingerprint(check)}
    if where.layer:
        properties = document.get("properties")
        if isinstance(properties, dict):
            properties["layer"] = where.layer
    return document


def _run_properties(result: ScanResult) -> dict[str, object]:
    image = result.inventory.image
    os_info = result.inventory.os
    properties: dict[str, object] = {
        "image": _clean(image.reference),
        "scanners": list(result.scanners),
        "packagesChecked": result.packages_checked,
    }
    if image.manifest_digest:
        properties["manifestDigest"] = image.manifest_digest
    if os_info is not None:
        properties["os"] = _clean(f"{os_info.family} {os_info.version}".strip())
    if result.db_metadata:
        properties["database"] = {key: _clean(value) for key, value in sorted(result.db_metadata.items())}
    if result.notes:
        properties["notes"] = [_clean(note) for note in result.notes]
    return properties


def render_scan(result: ScanResult, options: ScanRenderOptions) -> str:
    findings = shown_findings(result, options)
    checks = shown_checks(result, options)
    image = result.inventory.image
    by_advisory: dict[str, list[VulnFinding]] = {}
    for finding in findings:
        by_advisory.setdefault(finding.advisory_id, []).append(finding)
    check_rules: dict[str, Rule] = {}
    for check in sorted(checks, key=lambda c: c.rule.id):
        check_rules.setdefault(check.rule.id, check.rule)
    rules = [_vuln_rule(advisory, by_advisory[advisory], image) for advisory in sorted(by_advisory)]
    rules += [rule_descriptor(check_rules[rule_id]) for rule_id in sorted(check_rules)]
    index = {str(rule["id"]): position for position, rule in enumerate(rules)}
    results = [_vuln_result(finding, index[finding.advisory_id], result) for finding in findings]
    results += [_check_result(check, index[check.rule.id]) for check in checks]
    return sarif_log(
        options.render_options(),
        rules,
        results,
        originalUriBaseIds={ROOT: {"uri": "file:///", "description": {"text": "The image's root directory"}}},
        properties=_run_properties(result),
    )
