"""Differential run: ``seawall lint`` against Checkov's Dockerfile checks on a corpus, per rule mapping.

Usage: .venv/bin/python tools/lint_diff_checkov.py [DIR] [--checkov PATH] [--write docs/lint-vs-checkov.md]
(default DIR: tests/checks/dockerfile/corpus; default PATH: /tmp/checkov-venv/bin/checkov)

Same approach as ``tools/lint_diff.py`` (hadolint), whose helpers this reuses. Checkov ids are mapped onto
Seawall rules (several ids can map to one rule, and CKV_DOCKER_4/7 onto two). Results are compared by
(file, first line of the instruction) per Seawall rule; for the two rules that Checkov checks on the
whole file at once (CKV_DOCKER_2 HEALTHCHECK, CKV_DOCKER_3/8 USER) by file only. Every difference gets a
reason from :func:`explain`, checked on the parsed Dockerfile; one without a reason is "UNEXPLAINED".
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from lint_diff import CORPUS, REPO, Outcome, _instruction_at, _shipped, corpus_files

from seawall.checks.dockerfile.config import LintConfig
from seawall.checks.dockerfile.engine import Context, catalogue
from seawall.checks.dockerfile.lint import lint_parsed
from seawall.checks.dockerfile.parser import Instruction, parse
from seawall.checks.dockerfile.rules.user import NON_ROOT_MARKERS, ROOT_NAMES

CHECKOV = Path("/tmp/checkov-venv/bin/checkov")

# Checkov id -> Seawall rules it covers; a result of Checkov stands for any of them and, matched by none,
# counts under the first.
MAPPING: dict[str, tuple[str, ...]] = {
    "CKV_DOCKER_1": ("SW-DF-023",),
    "CKV_DOCKER_2": ("SW-DF-024",),
    "CKV_DOCKER_3": ("SW-DF-001",),
    "CKV_DOCKER_4": ("SW-DF-008", "SW-DF-007"),
    "CKV_DOCKER_6": ("SW-DF-026",),
    "CKV_DOCKER_7": ("SW-DF-002", "SW-DF-003"),
    "CKV_DOCKER_8": ("SW-DF-001",),
    "CKV_DOCKER_10": ("SW-DF-025",),
    "CKV2_DOCKER_1": ("SW-DF-016",),
    "CKV2_DOCKER_2": ("SW-DF-020",),
    "CKV2_DOCKER_3": ("SW-DF-020",),
    "CKV2_DOCKER_4": ("SW-DF-020",),
    "CKV2_DOCKER_5": ("SW-DF-020",),
    "CKV2_DOCKER_6": ("SW-DF-020",),
    "CKV2_DOCKER_7": ("SW-DF-021",),
    "CKV2_DOCKER_8": ("SW-DF-021",),
    "CKV2_DOCKER_9": ("SW-DF-021",),
    "CKV2_DOCKER_10": ("SW-DF-021",),
    "CKV2_DOCKER_11": ("SW-DF-021",),
    "CKV2_DOCKER_12": ("SW-DF-020",),
    "CKV2_DOCKER_13": ("SW-DF-020",),
    "CKV2_DOCKER_14": ("SW-DF-020",),
    "CKV2_DOCKER_15": ("SW-DF-020",),
    "CKV2_DOCKER_16": ("SW-DF-020",),
    "CKV2_DOCKER_17": ("SW-DF-031",),
}
# Checkov checks with no Seawall counterpart, and why.
NOT_MAPPED = {
    "CKV_DOCKER_5": "package index update in a RUN without an install: build reproducibility (stale index)",
    "CKV_DOCKER_9": "style: apt instead of apt-get",
    "CKV_DOCKER_11": "duplicate stage alias: a build error (BuildKit stops on it), not image hardening",
}
# Read from Checkov's check sources (checkov/dockerfile/checks): what makes a difference wherever a file
# has the construct, whether or not the corpus has one.
NOTES = [
    "- CKV_DOCKER_2 passes a file with a HEALTHCHECK in any stage, a build stage included; SW-DF-024 wants "
    "it in the final stage, where it takes effect.",
    "- CKV_DOCKER_3 passes a file with a USER in any stage and CKV_DOCKER_8 reads the file's last USER "
    "whatever its stage; SW-DF-001 follows the stages that reach the final image (including `FROM stage`).",
    "- CKV_DOCKER_8 compares the USER with the word `root` only: `USER 0` and `USER root:root` pass it.",
    "- CKV_DOCKER_1 and CKV_DOCKER_7 report the first failing EXPOSE / FROM of a file only; Seawall "
    "reports each.",
    "- CKV_DOCKER_4 reports every ADD, also a local archive (which ADD unpacks) and a URL with `--checksum`.",
    "- Checkov's Dockerfile framework skips files whose name lacks `Dockerfile` (e.g. `Containerfile`): "
    "this tool copies them under a `.Dockerfile` name so that they are compared too.",
]
# Seawall rules compared per file: Checkov checks them on the whole file, not on an instruction.
PER_FILE = frozenset({"SW-DF-001", "SW-DF-024"})
_CHECKOV_NAME = re.compile(r"(?:.*\.)?[Dd]ockerfile(?:\..*)?")
_URL = re.compile(r"https?://", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(?:tar|tar\.(?:gz|bz2|xz|zst)|tgz|tbz2?|txz)$", re.IGNORECASE)


def run_checkov(files: list[Path], checkov: Path) -> tuple[list[dict[str, object]], str]:
    """Checkov's failed checks, ``file_path`` set to the corpus file name; and Checkov's version.

    Checkov only scans names containing ``Dockerfile``: the files are copied to a temporary folder,
    a name it would skip (``Containerfile.*``) gets a ``.Dockerfile`` suffix, mapped back afterwards.
    """
    if not checkov.is_file():
        raise SystemExit(f"no checkov executable at {checkov} (give one with --checkov PATH)")
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for path in files:
            name = path.name if _CHECKOV_NAME.fullmatch(path.name) else f"{path.name}.Dockerfile"
            shutil.copyfile(path, Path(folder) / name)
            names[name] = path.name
        command = [str(checkov), "-d", folder, "--framework", "dockerfile", "-o", "json"]
        command += ["--quiet", "--compact", "--skip-download"]
        out = subprocess.run(command, capture_output=True, text=True, check=False)
    if not out.stdout.strip():
        raise SystemExit(f"checkov printed no report: {out.stderr.strip().splitlines()[-1:]}")
    document = json.loads(out.stdout)
    reports = document if isinstance(document, list) else [document]
    failed: list[dict[str, object]] = []
    version = ""
    for report_ in reports:
        version = str(report_.get("summary", {}).get("checkov_version", version))
        for item in report_.get("results", {}).get("failed_checks", []):
            item["file_path"] = names[Path(str(item["file_path"])).name]
            failed.append(item)
    return failed, version


def _start(context: Context, line: int) -> int:
    """The first line of the instruction holding ``line`` (of ONBUILD, not its inner instruction)."""
    for instruction in context.dockerfile.instructions:
        if instruction.line <= line <= instruction.end_line:
            return instruction.line
    return line


def _file_reason(rule_id: str, side: str, context: Context) -> str:
    """Why one tool flags a whole file and the other does not (SW-DF-001, SW-DF-024)."""
    final = context.dockerfile.final_stage
    instructions = context.dockerfile.instructions
    if final is None:
        return ""
    if (
        rule_id == "SW-DF-024"
        and side == "ours"
        and any(item.keyword == "HEALTHCHECK" for item in instructions)
    ):
        return "HEALTHCHECK only in a build stage: Checkov's CKV_DOCKER_2 counts one in any stage"
    if rule_id != "SW-DF-001":
        return ""
    users = [item for item in instructions if item.keyword == "USER"]
    if side == "ours" and users and not _shipped(context, users[-1]):
        return "USER only in a build stage: Checkov's CKV_DOCKER_3/8 count a USER in any stage"
    if side == "ours" and users and users[-1].args.strip().split(":")[0] in ROOT_NAMES - {"root"}:
        return (
            f"the last USER is {users[-1].args.strip()!r} (uid 0): Checkov's CKV_DOCKER_8 only matches 'root'"
        )
    image = (context.shipped[-1].image or context.shipped[-1].image_raw).lower()
    if side == "theirs" and not users and any(mark in image for mark in NON_ROOT_MARKERS):
        return (
            f"no USER, but base image {image} runs as a non-root user by its image configuration; "
            "Checkov's CKV_DOCKER_3 only looks for a USER instruction"
        )
    return ""


def _add_reason(context: Context, instruction: Instruction) -> str:
    """Why an ADD that Checkov's CKV_DOCKER_4 reports (it reports every ADD) is right."""
    words = list(instruction.json_args or instruction.args.split())
    sources = words[:-1]
    if not sources:
        return ""
    if all(_URL.match(source) for source in sources) and instruction.flag("checksum"):
        return "ADD of a URL with --checksum: a verified download COPY cannot do; CKV_DOCKER_4 flags any ADD"
    if all(not _URL.match(source) and _ARCHIVE.search(source) for source in sources):
        return "ADD of a local tar archive, which ADD unpacks and COPY would not; CKV_DOCKER_4 flags any ADD"
    return ""


def explain(rule_id: str, side: str, context: Context, line: int) -> str:
    """Why only ``side`` ("ours" or "theirs") reports ``rule_id`` here ("" when no reason applies)."""
    if rule_id in PER_FILE:
        return _file_reason(rule_id, side, context)
    instruction: Instruction | None = _instruction_at(context.dockerfile, line)
    if instruction is None:
        return ""
    keyword = instruction.keyword
    if side == "theirs" and keyword == "ADD" and rule_id in ("SW-DF-007", "SW-DF-008"):
        return _add_reason(context, instruction)
    if side == "theirs" and keyword == "FROM" and rule_id == "SW-DF-002" and "$" in instruction.args:
        stage = context.stage_of(instruction)
        if stage is not None and stage.resolved and ":" in stage.image.rsplit("/", 1)[-1]:
            return (
                f"the image is an ARG whose default {stage.image} has a tag; Checkov's CKV_DOCKER_7 reads "
                "the unexpanded text and finds no ':'"
            )
    runs_sudo = keyword == "RUN" and any(
        command.program == "sudo" for command in context.commands(instruction)
    )
    if (side, keyword, rule_id) == ("theirs", "RUN", "SW-DF-016") and not runs_sudo:
        return "sudo is only a word of the RUN (a package name), never run; CKV2_DOCKER_1 matches ' sudo '"
    if (side, keyword, rule_id) == ("ours", "RUN", "SW-DF-020") and re.search(
        r"http\.sslverify=false", instruction.args, re.IGNORECASE
    ):
        return "git -c http.sslVerify=false: Checkov checks only git's GIT_SSL_NO_VERIFY (CKV2_DOCKER_14)"
    if (side, keyword, rule_id) == ("theirs", "RUN", "SW-DF-031") and "$" in instruction.args:
        return (
            "the password comes from a variable: SW-DF-031 reports literal passwords only, and the "
            "literal that sets the variable is reported by SW-DF-022 on its ENV/ARG; CKV2_DOCKER_17 "
            "flags any chpasswd"
        )
    return ""


def compare(
    files: list[Path], checkov: Path
) -> tuple[dict[str, Outcome], Counter[str], Counter[str], Counter[str], str]:
    """Per Seawall rule: agreements and explained differences; agreements per file; unmapped Checkov
    ids; results of our rules without a Checkov counterpart; Checkov's version."""
    failed, version = run_checkov(files, checkov)
    contexts = {path.name: Context(parse(path.read_text(encoding="utf-8"))) for path in files}
    unmapped: Counter[str] = Counter()
    theirs: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for item in failed:
        code, name = str(item["check_id"]), str(item["file_path"])
        if code not in MAPPING:
            unmapped[code] += 1
            continue
        first = int(str(item["file_line_range"][0]))  # type: ignore[index]
        for rule_id in MAPPING[code]:
            theirs[rule_id].add((name, 0 if rule_id in PER_FILE else _start(contexts[name], first)))
    mapped = {rule_id for rules in MAPPING.values() for rule_id in rules}
    ours: dict[str, set[tuple[str, int]]] = defaultdict(set)
    ours_only: Counter[str] = Counter()
    for path in files:
        context = contexts[path.name]
        for result in lint_parsed(context.dockerfile, path.name, LintConfig()):
            if result.suppressed:
                continue
            rule_id = result.rule.id
            if rule_id not in mapped:
                ours_only[rule_id] += 1
                continue
            line = 0 if rule_id in PER_FILE else _start(context, result.location.line)
            ours[rule_id].add((path.name, line))
    # CKV_DOCKER_4 and _7 stand for either of two rules: a Checkov result matched by one of them
    # is not a difference for the other.
    for pair in {rules for rules in MAPPING.values() if len(rules) > 1}:
        either = set().union(*(ours[rule_id] for rule_id in pair))
        for rule_id in pair:
            theirs[rule_id] = {key for key in theirs[rule_id] if key in ours[rule_id] or key not in either}
        shared = {key for key in theirs[pair[0]] if key not in either}
        for rule_id in pair[1:]:  # an unmatched Checkov result counts once, under the first rule
            theirs[rule_id] -= shared
    outcomes: dict[str, Outcome] = {}
    agreed: Counter[str] = Counter()
    for rule_id in sorted(mapped):
        agreed.update(name for name, _ in ours[rule_id] & theirs[rule_id])
        outcome = Outcome(both=len(ours[rule_id] & theirs[rule_id]))
        for side, items in (
            ("ours", ours[rule_id] - theirs[rule_id]),
            ("theirs", theirs[rule_id] - ours[rule_id]),
        ):
            for name, line in sorted(items):
                why = explain(rule_id, side, contexts[name], line)
                (outcome.ours if side == "ours" else outcome.theirs).append((name, line, why))
        outcomes[rule_id] = outcome
    return outcomes, agreed, unmapped, ours_only, version


def report(directory: Path, checkov: Path) -> str:
    files = corpus_files(directory)
    outcomes, agreed, unmapped, ours_only, version = compare(files, checkov)
    rules = catalogue()
    codes: dict[str, list[str]] = defaultdict(list)
    for code, rule_ids in MAPPING.items():
        for rule_id in rule_ids:
            codes[rule_id].append(code)
    where = directory.relative_to(REPO) if directory.is_relative_to(REPO) else directory
    lines = [
        "# seawall lint vs Checkov",
        "",
        f"Generated by `tools/lint_diff_checkov.py` on {len(files)} Dockerfiles in `{where}` with Checkov "
        f"{version} (`--framework dockerfile`, offline). Seawall ran with its default configuration (the "
        "results of `seawall lint FILE`). "
        "Results are compared per Seawall rule by file and first line of the instruction; "
        f"{' and '.join(sorted(PER_FILE))} by file only, because Checkov's CKV_DOCKER_2/3 judge the whole "
        "file (and report lines 1 to the end). Several Checkov ids can map to one rule (two results of "
        "one line count once). Every difference is listed with its reason.",
        "",
        "## Mapping",
        "",
        "| Checkov check | Seawall rule |",
        "|---|---|",
    ]
    for code in sorted(
        {*MAPPING, *NOT_MAPPED}, key=lambda c: (c.startswith("CKV2"), int(c.rsplit("_", 1)[1]))
    ):
        target = ", ".join(MAPPING[code]) if code in MAPPING else f"none: {NOT_MAPPED[code]}"
        lines.append(f"| {code} | {target} |")
    lines += [
        "",
        "## Per rule",
        "",
        "| Seawall rule | Checkov | both | only Seawall | only Checkov |",
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
    lines += ["", "## Per file", "", "| file | both | only Seawall | only Checkov |", "|---|---|---|---|"]
    per_file: dict[str, list[int]] = {path.name: [0, 0, 0] for path in files}
    differences: list[str] = []
    for rule_id, outcome in outcomes.items():
        for side, items in (("only Seawall", outcome.ours), ("only Checkov", outcome.theirs)):
            for name, line, why in items:
                per_file[name][1 if side == "only Seawall" else 2] += 1
                place = f"{name}:{line}" if line else name
                differences.append(f"- {place} {rule_id}, {side}: {why or 'UNEXPLAINED'}")
    for name, (_, ours_n, theirs_n) in per_file.items():
        lines.append(f"| {name} | {agreed[name]} | {ours_n} | {theirs_n} |")
    lines += ["", "## Every difference and why", "", *sorted(differences)]
    lines += ["", "## Seawall rules without a Checkov counterpart", ""]
    lines += ["| rule | results on the corpus |", "|---|---|"]
    mapped = {rule_id for rules in MAPPING.values() for rule_id in rules}
    for rule_id in sorted(set(rules) - mapped):
        lines.append(f"| {rule_id} {rules[rule_id].title} | {ours_only.get(rule_id, 0)} |")
    lines += ["", "## Checkov checks not mapped", "", "| check | results | why not |", "|---|---|---|"]
    for code in sorted(NOT_MAPPED):
        lines.append(f"| {code} | {unmapped.get(code, 0)} | {NOT_MAPPED[code]} |")
    lines += ["", "## Checkov's behaviour behind the differences (from its check sources)", "", *NOTES]
    missing = sum(1 for line in differences if line.endswith("UNEXPLAINED"))
    lines += ["", f"Unexplained differences: {missing}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--checkov", type=Path, default=CHECKOV, help="the checkov executable")
    parser.add_argument("--write", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    text = report(args.directory.resolve(), args.checkov)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
