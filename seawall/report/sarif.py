"""SARIF 2.1.0 for hardening check results (GitHub code scanning compatible).

One run; ``tool.driver.rules`` holds every rule that has a result, with its documentation as
``help`` (text and Markdown), a ``helpUri`` and GitHub's ``security-severity``. Each result
points at its file and line range, carries the effective severity as ``level``, and a
``partialFingerprints`` entry that does not change when lines move. Suppressed results are kept
with a ``suppressions`` entry (``inSource`` for inline ignores, ``external`` for the config file),
as SARIF consumers expect.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from seawall.checks.model import CheckResult, Rule
from seawall.model import Severity
from seawall.report import RenderOptions
from seawall.report.checks_table import ordered

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Where the generated rule pages (docs/rules/<ID>.md) are published. Placeholder until the project
# has a public documentation site: the .invalid top-level domain never resolves.
HELP_URI_BASE = "https://seawall.invalid/docs/rules/"
FINGERPRINT_KEY = "seawallFingerprint/v1"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.UNKNOWN: "note",
}
# GitHub: over 9.0 is critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.UNKNOWN: "0.0",
}


def _identifier(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def rule_help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.title}** ({rule.id})", "", rule.rationale, "", f"**Fix:** {rule.fix}"]
    if rule.bad_example:
        parts += ["", "Bad:", "```", rule.bad_example.rstrip("\n"), "```"]
    if rule.good_example:
        parts += ["", "Good:", "```", rule.good_example.rstrip("\n"), "```"]
    return "\n".join(parts)


def rule_descriptor(rule: Rule) -> dict[str, object]:
    """The ``reportingDescriptor`` of a check rule: its documentation as help, GitHub's severity."""
    tags = ["security", rule.family, *rule.tags]
    return {
        "id": rule.id,
        "name": _identifier(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\n\nFix: {rule.fix}", "markdown": rule_help_markdown(rule)},
        "helpUri": HELP_URI_BASE + rule.id,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
            "tags": tags,
        },
    }


def artifact_uri(path: str) -> str:
    """A URI reference for ``path``: relative paths stay relative (as code scanning wants)."""
    windows = PureWindowsPath(path)
    if windows.drive and windows.is_absolute():
        return windows.as_uri()
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return PurePosixPath(posix).as_uri()
    return quote(posix.removeprefix("./"), safe="/", errors="replace")


def check_result(result: CheckResult, index: int) -> dict[str, object]:
    """The SARIF ``result`` of one check result; ``index`` is its rule's position in the driver."""
    level = result.effective_severity
    physical: dict[str, object] = {"artifactLocation": {"uri": artifact_uri(result.location.file)}}
    if result.location.line > 0:
        region: dict[str, int] = {"startLine": result.location.line}
        if result.location.column > 0:
            region["startColumn"] = result.location.column
        if result.location.end_line > result.location.line:
            region["endLine"] = result.location.end_line
        physical["region"] = region
    document: dict[str, object] = {
        "ruleId": result.rule.id,
        "ruleIndex": index,
        "level": LEVELS[level],
        "message": {"text": result.message},
        "locations": [{"physicalLocation": physical}],
    }
    fingerprint = result.properties.get("fingerprint")
    if fingerprint:
        document["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    properties: dict[str, object] = {"severity": level.name}
    if result.object_name:
        properties["object"] = result.object_name
    document["properties"] = properties
    if result.suppressed:
        kind = "inSource" if result.properties.get("suppressed_by") == "inline" else "external"
        document["suppressions"] = [{"kind": kind, "justification": result.suppression_reason}]
    return document


def sarif_log(
    options: RenderOptions, rules: list[dict[str, object]], results: list[dict[str, object]], **run: object
) -> str:
    """A SARIF 2.1.0 log of one run of this tool; ``run`` adds members to the run object."""
    driver = {
        "name": options.tool_name,
        "version": options.tool_version,
        "semanticVersion": options.tool_version,
        "rules": rules,
    }
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, **run, "results": results, "columnKind": "unicodeCodePoints"}],
    }
    return json.dumps(log, indent=2) + "\n"


def render_checks(
    results: Sequence[CheckResult], options: RenderOptions, show_suppressed: bool = False
) -> str:
    """The SARIF log; ``show_suppressed`` is accepted for symmetry (suppressed results are always in)."""
    rules: dict[str, Rule] = {}
    for result in ordered(results):
        rules.setdefault(result.rule.id, result.rule)
    order = sorted(rules)
    index = {rule_id: position for position, rule_id in enumerate(order)}
    return sarif_log(
        options,
        [rule_descriptor(rules[rule_id]) for rule_id in order],
        [check_result(result, index[result.rule.id]) for result in ordered(results)],
    )
