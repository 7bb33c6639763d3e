"""Hardening check results as our JSON document (``seawall-checks``, version 1).

```
{"schema": "seawall-checks/1", "tool": {...}, "summary": {"results": N, "suppressed": M,
 "by_severity": {"HIGH": 2, ...}}, "results": [{"rule_id", "title", "severity", "family",
 "message", "file", "line", "end_line", "object", "fingerprint", "suppressed",
 "suppression_reason", "fix", "references", "properties"}, ...]}
```

Suppressed results are listed only when asked for; the summary always counts them. One result
per line, so the output stays greppable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from seawall.checks.model import CheckResult
from seawall.model import Severity
from seawall.report import RenderOptions, to_json
from seawall.report.checks_table import ordered

SCHEMA = "seawall-checks/1"


def result_document(result: CheckResult) -> dict[str, object]:
    properties = {key: value for key, value in sorted(result.properties.items()) if key != "fingerprint"}
    return {
        "rule_id": result.rule.id,
        "title": result.rule.title,
        "severity": result.effective_severity.name,
        "family": result.rule.family,
        "message": result.message,
        "file": result.location.file,
        "line": result.location.line,
        "end_line": result.location.end_line or result.location.line,
        "object": result.object_name,
        "fingerprint": result.properties.get("fingerprint", ""),
        "suppressed": result.suppressed,
        "suppression_reason": result.suppression_reason,
        "fix": result.rule.fix,
        "references": list(result.rule.references),
        "properties": properties,
    }


def render_checks(
    results: Sequence[CheckResult], options: RenderOptions, show_suppressed: bool = False
) -> str:
    shown = [result for result in ordered(results) if show_suppressed or not result.suppressed]
    active = [result for result in results if not result.suppressed]
    counts = Counter(result.effective_severity.name for result in active)
    document = {
        "schema": SCHEMA,
        "tool": {"name": options.tool_name, "version": options.tool_version},
        "summary": {
            "results": len(active),
            "suppressed": len(results) - len(active),
            "by_severity": {level.name: counts[level.name] for level in sorted(Severity, reverse=True)},
        },
        "results": [result_document(result) for result in shown],
    }
    return to_json(document, expand=2)
