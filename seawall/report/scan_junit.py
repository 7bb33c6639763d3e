"""A scan as JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One ``testsuite`` per scanner. ``vuln``: one ``testcase`` per package of the image (class name
``vuln.<type>``, e.g. ``vuln.deb``), failed by the vulnerabilities shown, one ``failure`` listing them
(its ``type`` is the worst severity); a package whose shown findings are all suppressed is
``skipped`` with the reasons. ``config`` and ``secret``: one test case per rule that reported, failed
by its results. A scanner that found nothing reports one passing test case. Counts, times (0) and the
timestamp (the document time) make the output reproducible; text from the image is stripped of the
characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, Package, Rule, Severity
from seawall.report import document_time
from seawall.report.scan_common import package_name, shown_checks, shown_findings
from seawall.report.scan_options import ScanRenderOptions
from seawall.report.scan_table import introduced_by
from seawall.scan import ScanResult

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_BODY_LINES = 2000


def xml_text(value: object, limit: int = 4000) -> str:
    """``value`` as text XML 1.0 can hold: valid Unicode, no control characters but tab and newlines."""
    text = _NOT_XML.sub("\ufffd", str(value).encode("utf-8", "replace").decode("utf-8"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _worst(severities: Sequence[Severity]) -> Severity:
    return max(severities, default=Severity.UNKNOWN)


def _counts(severities: Sequence[Severity]) -> str:
    counts = Counter(severities)
    return ", ".join(f"{s.name} {counts[s]}" for s in sorted(counts, reverse=True))


class _Suite:
    """One ``testsuite`` being filled, with its counts."""

    def __init__(self, name: str, timestamp: str) -> None:
        self.element = ET.Element("testsuite", name=name)
        self.timestamp = timestamp
        self.tests = self.failures = self.skipped = 0
        self.properties = ET.SubElement(self.element, "properties")

    def property(self, name: str, value: str) -> None:
        ET.SubElement(self.properties, "property", name=xml_text(name), value=xml_text(value))

    def case(self, classname: str, name: str, file: str = "") -> ET.Element:
        self.tests += 1
        case = ET.SubElement(self.element, "testcase", classname=xml_text(classname), name=xml_text(name))
        if file:
            case.set("file", xml_text(file))
        case.set("time", "0")
        return case

    def fail(self, case: ET.Element, worst: Severity, message: str, body: list[str]) -> None:
        self.failures += 1
        failure = ET.SubElement(case, "failure", message=xml_text(message, 1000), type=worst.name)
        failure.text = xml_text("\n".join(body[:MAX_BODY_LINES]), 200_000)

    def skip(self, case: ET.Element, message: str) -> None:
        self.skipped += 1
        ET.SubElement(case, "skipped", message=xml_text(message, 1000))

    def finish(self) -> ET.Element:
        if not len(self.properties):
            self.element.remove(self.properties)
        for key, value in (
            ("tests", self.tests),
            ("failures", self.failures),
            ("errors", 0),
            ("skipped", self.skipped),
            ("time", "0"),
        ):
            self.element.set(key, str(value))
        self.element.set("timestamp", self.timestamp)
        return self.element


def _finding_lines(finding: VulnFinding, result: ScanResult) -> list[str]:
    fixed = f"fixed in {finding.fixed_version}" if finding.fixed_version else f"no fix ({finding.status})"
    lines = [f"{finding.advisory_id} [{finding.severity.name}] {finding.installed_version}: {fixed}"]
    if finding.title:
        lines.append(f"  {finding.title}")
    lines.append(
        f"  data source: {finding.data_source}; rule: {finding.rule}; severity: {finding.severity_source}"
    )
    origin = introduced_by(finding.package, result.inventory.image)
    if origin:
        lines.append(f"  introduced by layer {origin}")
    if finding.suppressed:
        lines.append(f"  suppressed: {finding.suppression}")
    return lines


def _package_key(package: Package) -> tuple[str, ...]:
    path = package.locations[0].path if package.locations else ""
    return (package.type, package.namespace, package.name, package.version, path)


def _vuln_suite(result: ScanResult, findings: list[VulnFinding], timestamp: str) -> ET.Element:
    suite = _Suite("vuln", timestamp)
    for field, value in sorted(result.db_metadata.items()):
        suite.property(f"database.{field}", value)
    by_package: dict[tuple[str, ...], list[VulnFinding]] = {}
    packages: dict[tuple[str, ...], Package] = {}
    for package in result.inventory.packages:
        packages.setdefault(_package_key(package), package)
    for finding in findings:
        key = _package_key(finding.package)
        packages.setdefault(key, finding.package)
        by_package.setdefault(key, []).append(finding)
    names: Counter[tuple[str, ...]] = Counter(key[:4] for key in packages)
    for key in sorted(packages):
        package = packages[key]
        label = package_name(package)
        name = f"{label} {package.version}".strip()
        if names[key[:4]] > 1:
            name += f" ({key[4]})"
        case = suite.case(f"vuln.{package.type}", name, key[4])
        found = by_package.get(key, [])
        active = [f for f in found if not f.suppressed]
        if active:
            severities = [f.severity for f in active]
            ids = ", ".join(dict.fromkeys(f.advisory_id for f in active))
            noun = "vulnerability" if len(active) == 1 else "vulnerabilities"
            message = f"{len(active)} {noun} ({_counts(severities)}): {ids}"
            body = [line for f in found for line in _finding_lines(f, result)]
            suite.fail(case, _worst(severities), message, body)
        elif found:
            suite.skip(case, "suppressed: " + "; ".join(f"{f.advisory_id}: {f.suppression}" for f in found))
    if not packages:
        suite.case("vuln", "vuln: no packages found")
    return suite.finish()


def _check_line(check: CheckResult) -> str:
    where = check.location.file + (f":{check.location.line}" if check.location.line else "")
    line = f"{where}: {check.message} [{check.effective_severity.name}]"
    if check.object_name:
        line += f" ({check.object_name})"
    if check.suppressed:
        line += f" (suppressed: {check.suppression_reason})"
    return line


def _check_suite(scanner: str, checks: list[CheckResult], timestamp: str) -> ET.Element:
    suite = _Suite(scanner, timestamp)
    by_rule: dict[str, list[CheckResult]] = {}
    rules: dict[str, Rule] = {}
    for check in checks:
        by_rule.setdefault(check.rule.id, []).append(check)
        rules.setdefault(check.rule.id, check.rule)
    for rule_id in sorted(by_rule):
        rule, found = rules[rule_id], by_rule[rule_id]
        files = sorted({c.location.file for c in found})
        classname = scanner if rule.family == scanner else f"{scanner}.{rule.family}"
        case = suite.case(classname, f"{rule_id} {rule.title}", files[0] if len(files) == 1 else "")
        active = [c for c in found if not c.suppressed]
        if active:
            severities = [c.effective_severity for c in active]
            message = f"{rule.title}: {len(active)} result{'s' if len(active) != 1 else ''}"
            body = [_check_line(c) for c in found] + ["", f"Fix: {rule.fix}"]
            suite.fail(case, _worst(severities), message, body)
        else:
            suite.skip(case, "suppressed: " + "; ".join(c.suppression_reason for c in found))
    if not by_rule:
        suite.case(scanner, f"{scanner}: no findings")
    return suite.finish()


def render_scan(result: ScanResult, options: ScanRenderOptions) -> str:
    timestamp = document_time(result.inventory, options.render_options()).removesuffix("Z")
    findings = shown_findings(result, options)
    checks = shown_checks(result, options)
    suites: list[ET.Element] = []
    for scanner in result.scanners:
        if scanner == "vuln":
            suites.append(_vuln_suite(result, findings, timestamp))
        elif scanner in {"config", "secret"}:
            chosen = [c for c in checks if (c.rule.family == "secret") == (scanner == "secret")]
            suites.append(_check_suite(scanner, chosen, timestamp))
    root = ET.Element("testsuites", name=xml_text(f"seawall scan {result.inventory.image.reference}"))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    root.set("time", "0")
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
