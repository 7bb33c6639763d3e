"""Safe automatic fixes for a Dockerfile, as text edits that keep everything else byte for byte.

Fixed today (only results that are not suppressed):

- SW-DF-012: ``--no-install-recommends`` added after ``apt-get install`` / ``apt install``;
- SW-DF-011 (apt): ``&& rm -rf /var/lib/apt/lists/*`` appended to the RUN;
- SW-DF-013: ``--no-cache`` added after ``apk add``;
- SW-DF-004: the FROM image pinned to its digest, *only when a* ``resolve_digest`` *function is
  given*. Resolving needs the registry client (``seawall/registry/``), which does not exist yet:
  this is the hook it plugs into (``resolve_digest("python:3.12-slim") -> "sha256:..." | None``).

Only shell-form RUN lines are edited, never here-document bodies or comment lines, and only where
the edit is unambiguous; anything else is left for a human. The result is parsed again and
discarded if its instructions changed in any other way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from seawall.checks.dockerfile.config import LintConfig
from seawall.checks.dockerfile.lint import lint_parsed
from seawall.checks.dockerfile.parser import Dockerfile, Instruction, parse

DigestResolver = Callable[[str], "str | None"]
FIXABLE = frozenset({"SW-DF-004", "SW-DF-011", "SW-DF-012", "SW-DF-013"})
_APT_INSTALL = re.compile(r"(?<![\w./-])(?:apt-get|apt)(?:[ \t]+-[\w=:.-]+)*[ \t]+install(?![\w-])")
_APK_ADD = re.compile(r"(?<![\w./-])apk(?:[ \t]+-[\w=:.-]+)*[ \t]+add(?![\w-])")
MAX_EDITS = 64  # per instruction: bounds the work on hostile input
_SEPARATOR = re.compile(r"&&|\|\||;|\|")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
APT_CLEANUP = " && rm -rf /var/lib/apt/lists/*"


@dataclass(frozen=True)
class Fix:
    rule_id: str
    line: int
    description: str


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _insert_option(
    block: str, pattern: re.Pattern[str], option: str, present: tuple[str, ...]
) -> tuple[str, int]:
    """``option`` inserted after each match of ``pattern`` whose command lacks all of ``present``."""
    edits = 0
    out: list[str] = []
    position = scanned = line_start = 0
    for count, match in enumerate(pattern.finditer(block)):
        if count >= MAX_EDITS:
            break
        newline = block.rfind("\n", scanned, match.start())
        line_start = newline + 1 if newline >= 0 else line_start
        scanned = match.end()
        if block[line_start : match.start()].lstrip().startswith("#"):
            continue
        separator = _SEPARATOR.search(block, match.end())
        end = separator.start() if separator else len(block)
        if any(block.find(word, match.start(), end) >= 0 for word in present):
            continue
        out.append(block[position : match.end()])
        out.append(" " + option)
        position = match.end()
        edits += 1
    out.append(block[position:])
    return "".join(out), edits


def _append_cleanup(block: str) -> str | None:
    body = block.rstrip("\r\n")
    ending = block[len(body) :]
    last_line = body[body.rfind("\n") + 1 :]
    if "#" in last_line or body.rstrip().endswith((";", "&", "|", "\\", "`")):
        return None
    return body.rstrip() + APT_CLEANUP + ending


def _edit_run(instruction: Instruction, rule_ids: set[str], lines: list[str]) -> list[Fix]:
    if instruction.exec_form:
        return []
    start, end = instruction.line - 1, instruction.command_end_line
    block = "".join(lines[start:end])
    fixes = []
    if "SW-DF-012" in rule_ids:
        block, count = _insert_option(
            block, _APT_INSTALL, "--no-install-recommends", ("--no-install-recommends", "Install-Recommends")
        )
        if count:
            fixes.append(Fix("SW-DF-012", instruction.line, "added --no-install-recommends"))
    if "SW-DF-013" in rule_ids:
        block, count = _insert_option(block, _APK_ADD, "--no-cache", ("--no-cache",))
        if count:
            fixes.append(Fix("SW-DF-013", instruction.line, "added --no-cache to apk add"))
    if "SW-DF-011" in rule_ids and not instruction.heredocs:
        cleaned = _append_cleanup(block)
        if cleaned is not None:
            block = cleaned
            fixes.append(Fix("SW-DF-011", instruction.line, "removed the apt lists in the same RUN"))
    if fixes:
        edited = _lines(block)
        if len(edited) == end - start:
            lines[start:end] = edited
        else:
            return []
    return fixes


def _pin_from(dockerfile: Dockerfile, line: int, lines: list[str], resolve: DigestResolver) -> list[Fix]:
    stage = next((s for s in dockerfile.stages if s.from_instruction.line == line), None)
    if stage is None or "$" in stage.image_raw or "@" in stage.image_raw:
        return []
    digest = resolve(stage.image)
    if digest is None or not _DIGEST.fullmatch(digest):
        return []
    text = lines[line - 1]
    found = re.search(r"(?<=[ \t])" + re.escape(stage.image_raw) + r"(?=[ \t\r\n]|$)", text)
    if found is None:
        return []
    lines[line - 1] = text[: found.end()] + "@" + digest + text[found.end() :]
    return [Fix("SW-DF-004", line, f"pinned {stage.image} to {digest}")]


def _shape(dockerfile: Dockerfile) -> list[tuple[str, int, int]]:
    return [(item.keyword, item.line, item.stage) for item in dockerfile.instructions]


def fix(
    text: str,
    path: str = "Dockerfile",
    config: LintConfig | None = None,
    resolve_digest: DigestResolver | None = None,
) -> tuple[str, list[Fix]]:
    """``text`` with the safe fixes applied, and what was fixed (the same text if nothing was)."""
    dockerfile = parse(text)
    wanted: dict[int, set[str]] = {}
    for result in lint_parsed(dockerfile, path, config):
        if result.suppressed or result.rule.id not in FIXABLE:
            continue
        if result.rule.id != "SW-DF-011" or result.message.startswith("apt lists"):
            wanted.setdefault(result.location.line, set()).add(result.rule.id)
    if not wanted:
        return text, []
    lines = _lines(text)
    fixes: list[Fix] = []
    for instruction in dockerfile.instructions:
        rule_ids = wanted.get(instruction.line)
        if not rule_ids:
            continue
        if instruction.keyword == "RUN":
            fixes.extend(_edit_run(instruction, rule_ids, lines))
        elif instruction.keyword == "FROM" and "SW-DF-004" in rule_ids and resolve_digest is not None:
            fixes.extend(_pin_from(dockerfile, instruction.line, lines, resolve_digest))
    fixed = "".join(lines)
    if not fixes or _shape(parse(fixed)) != _shape(dockerfile):
        return text, []
    return fixed, fixes
