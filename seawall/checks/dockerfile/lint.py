"""``lint(text, path, config) -> list[CheckResult]``: a Dockerfile judged by every rule. No I/O.

Results come sorted by line and rule ID. Suppressed results are returned too (``suppressed``
set, with the reason), so that reports can show them on request: from an inline
``# seawall:ignore=ID reason`` on the instruction (or in the comment lines right above it) or from
an ignore entry of the configuration. Results about the final stage as a whole (no USER, no
HEALTHCHECK) point at its FROM line, where an inline ignore suppresses them.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from seawall.checks.dockerfile.config import LintConfig, apply_config
from seawall.checks.dockerfile.engine import Context, Hit, checks
from seawall.checks.dockerfile.parser import Dockerfile, parse
from seawall.checks.model import CheckResult, SourceLocation


def lint(text: str, path: str = "Dockerfile", config: LintConfig | None = None) -> list[CheckResult]:
    """Every rule's results for Dockerfile ``text`` (DockerfileError if it is not one at all)."""
    return lint_parsed(parse(text), path, config)


def lint_parsed(dockerfile: Dockerfile, path: str, config: LintConfig | None = None) -> list[CheckResult]:
    config = config or LintConfig()
    context = Context(dockerfile, config.trusted_registries)
    hits: list[Hit] = []
    for function in checks():
        hits.extend(function(context))
    seen: set[tuple[str, int, str]] = set()
    unique = []
    for hit in hits:
        line = hit.instruction.line if hit.instruction is not None else hit.line
        key = (hit.rule.id, line, hit.message)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    unique.sort(key=lambda hit: (hit.instruction.line if hit.instruction else hit.line, hit.rule.id))
    occurrences: Counter[str] = Counter()
    results = [_result(hit, dockerfile, path, occurrences) for hit in unique]
    return apply_config(results, config)


def _result(hit: Hit, dockerfile: Dockerfile, path: str, occurrences: Counter[str]) -> CheckResult:
    instruction = hit.instruction
    if instruction is None:
        location = SourceLocation(path, hit.line, end_line=hit.line)
        object_name = ""
        basis = f"{hit.rule.id}\0{hit.message}"
    else:
        location = SourceLocation(path, instruction.line, end_line=instruction.end_line)
        stages = dockerfile.stages
        stage = stages[instruction.stage] if 0 <= instruction.stage < len(stages) else None
        object_name = stage.label if stage else ""
        normalized = " ".join(instruction.args.split())
        basis = f"{hit.rule.id}\0{object_name}\0{instruction.keyword}\0{normalized}"
    occurrences[basis] += 1
    digest = hashlib.sha256(f"{basis}\0{occurrences[basis]}".encode("utf-8", "surrogatepass")).hexdigest()
    properties = {"fingerprint": digest[:32]}
    suppressed, reason = False, ""
    if instruction is not None:
        for ignore in instruction.ignores:
            if hit.rule.id in ignore.rule_ids:
                suppressed, reason = True, ignore.reason or "inline ignore without a reason"
                properties["suppressed_by"] = "inline"
                break
    return CheckResult(
        hit.rule,
        hit.message,
        location,
        object_name=object_name,
        suppressed=suppressed,
        suppression_reason=reason,
        properties=properties,
    )
