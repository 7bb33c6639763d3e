"""A Dockerfile parser for today's syntax (the BuildKit ``dockerfile`` frontend, 1.x).

Handles parser directives (``# syntax=``, ``# escape=``, ``# check=``) at the top of the file, line
continuations with the escape character (comment and empty lines inside a continuation are
dropped), here-documents on ``RUN``/``COPY``/``ADD`` (``<<EOF``, ``<<-EOF``, quoted delimiters,
several per line), flags (``--mount``, ``--network``, ``--from``, ``--chown``, ``--chmod``,
``--link`` ...), JSON (exec) versus shell form, ``ONBUILD``, and stages: every ``FROM`` starts
one, named with ``AS``, its image expanded with the global ``ARG`` values (``${VAR}``,
``${VAR:-default}``), and linked to an earlier stage it builds on.

Inline suppressions ``# seawall:ignore=ID[,ID] reason`` are collected from the comment lines
directly above an instruction, from comment lines inside its continuation, and from its end.

The input is hostile: its size, the number of instructions and of here-documents are capped, every
loop moves forward through the lines, nothing recurses. Problems a build would reject (an
unterminated here-document, an instruction before ``FROM``) are collected, not raised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from seawall.checks.dockerfile.shell import split_words
from seawall.errors import SeawallError

MAX_CHARS = 4 * 1024 * 1024
MAX_INSTRUCTIONS = 20_000
MAX_HEREDOCS = 32
INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_FORM = frozenset({"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL", "VOLUME"})
DEFAULT_SHELL = ("/bin/sh", "-c")
DIRECTIVES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*)")
_IGNORE = re.compile(r"#[ \t]*seawall:ignore=([A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*)[ \t]*(.*)$")
_TRAILING_IGNORE = re.compile(r"(?:^|[ \t])#[ \t]*seawall:ignore=")
_HEREDOC = re.compile(r"(\d*)<<(-?)([^<]+)")
_KEYWORD = re.compile(r"[ \t]*(\S+)(?:[ \t]+(.*))?", re.S)
_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]{0,1024}))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
MAX_EXPAND = 8192


class DockerfileError(SeawallError):
    """The file cannot be read as a Dockerfile at all (too large, binary)."""


@dataclass(frozen=True)
class Ignore:
    """``# seawall:ignore=ID[,ID] reason`` found at ``line``."""

    rule_ids: frozenset[str]
    reason: str
    line: int


@dataclass(frozen=True)
class Heredoc:
    """One here-document: its delimiter and body (``<<-``: leading tabs already stripped)."""

    delimiter: str
    content: str
    strip_tabs: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class Instruction:
    """One instruction. ``args`` is the text after the keyword and the flags, continuations joined."""

    keyword: str  # upper case
    args: str
    line: int  # 1-based first line
    end_line: int  # last line, here-document bodies included
    command_end_line: int  # last line of the instruction itself (before here-document bodies)
    raw_keyword: str = ""
    flags: tuple[tuple[str, str], ...] = ()  # ("mount", "type=cache,target=/root/.cache"), ("link", "")
    json_args: tuple[str, ...] | None = None  # exec form
    heredocs: tuple[Heredoc, ...] = ()
    stage: int = -1  # index of the stage; -1 before the first FROM
    shell: tuple[str, ...] = DEFAULT_SHELL  # the SHELL in force (for RUN)
    ignores: tuple[Ignore, ...] = ()
    inner: Instruction | None = None  # ONBUILD's instruction

    def flag(self, name: str) -> str | None:
        """The value of the last ``--name`` flag (``""`` for a bare flag), or None."""
        found = None
        for key, value in self.flags:
            if key == name:
                found = value
        return found

    def flag_values(self, name: str) -> list[str]:
        return [value for key, value in self.flags if key == name]

    @property
    def exec_form(self) -> bool:
        return self.json_args is not None

    def mounts(self) -> list[dict[str, str]]:
        """``--mount`` flags as dictionaries: ``{"type": "cache", "target": "/var/cache/apt"}``."""
        found = []
        for value in self.flag_values("mount"):
            options: dict[str, str] = {"type": "bind"}
            for part in value.split(","):
                key, _, item = part.partition("=")
                key = key.strip().lower()
                if key in ("dst", "destination"):
                    key = "target"
                options[key] = item.strip()
            found.append(options)
        return found


@dataclass(frozen=True)
class Stage:
    """A build stage: from its ``FROM`` to the next one."""

    index: int
    name: str  # lower case alias, or ""
    image: str  # the FROM image after ARG expansion (may be another stage's name)
    image_raw: str  # as written
    resolved: bool  # False when the image refers to an ARG without a value
    parent: int | None  # index of the earlier stage this one builds on
    instructions: tuple[Instruction, ...]  # the FROM first

    @property
    def from_instruction(self) -> Instruction:
        return self.instructions[0]

    @property
    def label(self) -> str:
        return f"stage '{self.name}'" if self.name else f"stage {self.index}"


@dataclass(frozen=True)
class Problem:
    """Something a build would reject or warn about, at ``line``."""

    line: int
    message: str


@dataclass(frozen=True)
class Dockerfile:
    instructions: tuple[Instruction, ...]  # in file order, ONBUILD's inner ones not listed
    stages: tuple[Stage, ...]
    global_args: tuple[tuple[str, str | None], ...] = ()
    directives: tuple[tuple[str, str], ...] = ()
    escape: str = "\\"
    problems: tuple[Problem, ...] = ()
    lines: int = 0

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def lineage(self, stage: Stage) -> list[Stage]:
        """``stage`` and the stages it builds on, nearest first."""
        chain = [stage]
        seen = {stage.index}
        while chain[-1].parent is not None and chain[-1].parent not in seen:
            parent = self.stages[chain[-1].parent]
            seen.add(parent.index)
            chain.append(parent)
        return chain

    def stage_named(self, name: str) -> Stage | None:
        """A stage by alias or index (``COPY --from=builder``, ``--from=0``)."""
        lowered = name.lower()
        for stage in self.stages:
            if stage.name and stage.name == lowered:
                return stage
        if lowered.isdigit() and int(lowered) < len(self.stages):
            return self.stages[int(lowered)]
        return None


def expand(text: str, values: Mapping[str, str | None]) -> tuple[str, bool]:
    """``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alt}`` replaced from ``values``.

    Returns the text and whether every variable had a value (a missing one expands to ``""`` as in
    a build; the flag lets callers avoid judging a value they cannot know).
    """
    if len(text) > MAX_EXPAND:
        return text, False
    resolved = True

    def replace(match: re.Match[str]) -> str:
        nonlocal resolved
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        value = values.get(name)
        present = name in values and value is not None
        if operator in (":-", "-"):
            if value if operator == ":-" else present:
                return value or ""
            inner, inner_ok = expand(word, {}) if "$" in word else (word, True)
            resolved = resolved and inner_ok
            return inner
        if operator in (":+", "+"):
            return word if (value if operator == ":+" else present) else ""
        if not present:
            resolved = False
        return value or ""

    return _VARIABLE.sub(replace, text), resolved


def parse_pairs(text: str, escape: str = "\\", allow_bare: bool = False) -> list[tuple[str, str | None]]:
    """``KEY=value`` pairs of ``ENV``/``LABEL``/``ARG`` (and the legacy ``ENV KEY value with spaces``).

    ``allow_bare`` (``ARG NAME``): a word without ``=`` is a name without a value (None).
    """
    words = split_words(text, escape)
    if not words:
        return []
    if "=" not in words[0] and not allow_bare:
        return [(words[0], " ".join(words[1:]))]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        key, equals, value = word.partition("=")
        pairs.append((key, value if equals else None))
    return pairs


def _ignore(text: str, line: int) -> Ignore | None:
    match = _IGNORE.search(text)
    if match is None:
        return None
    ids = frozenset(part.strip().upper() for part in match.group(1).split(",") if part.strip())
    return Ignore(ids, match.group(2).strip(), line)


def _raw_words(text: str) -> list[str]:
    """Whitespace-separated words with their quotes kept."""
    words: list[str] = []
    start = -1
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
            continue
        if char in " \t\n":
            if start >= 0:
                words.append(text[start:index])
                start = -1
            continue
        if start < 0:
            start = index
        if char in "'\"":
            quote = char
    if start >= 0:
        words.append(text[start:])
    return words


def _split_flags(rest: str) -> tuple[list[tuple[str, str]], str]:
    """Leading ``--name[=value]`` words, then the remaining text."""
    flags: list[tuple[str, str]] = []
    index = 0
    length = len(rest)
    while True:
        while index < length and rest[index] in " \t":
            index += 1
        if not rest.startswith("--", index):
            break
        start = index
        quote = ""
        while index < length:
            char = rest[index]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in " \t":
                break
            index += 1
        word = rest[start:index].replace('"', "").replace("'", "")
        if word == "--":
            break
        name, _, value = word[2:].partition("=")
        flags.append((name.lower(), value))
    return flags, rest[index:].lstrip(" \t")


def _json_args(args: str) -> tuple[str, ...] | None:
    text = args.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _heredoc_words(args: str) -> list[tuple[str, bool, bool]]:
    """(delimiter, strip_tabs, quoted) for each ``<<WORD`` word of a line, in order."""
    found = []
    for word in _raw_words(args):
        match = _HEREDOC.fullmatch(word)
        if match is None:
            continue
        raw = match.group(3)
        name = raw.replace('"', "").replace("'", "")
        if name:
            found.append((name, match.group(2) == "-", raw != name))
        if len(found) >= MAX_HEREDOCS:
            break
    return found


@dataclass
class _StageState:
    index: int
    name: str
    image: str
    image_raw: str
    resolved: bool
    parent: int | None
    shell: tuple[str, ...]
    instructions: list[Instruction] = field(default_factory=list)


class _Builder:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.escape = "\\"
        self.directives: list[tuple[str, str]] = []
        self.instructions: list[Instruction] = []
        self.stages: list[_StageState] = []
        self.global_args: dict[str, str | None] = {}
        self.problems: list[Problem] = []
        self.stage_names: dict[str, int] = {}

    def build(self) -> Dockerfile:
        index = self._directives()
        pending: list[Ignore] = []
        lines = self.lines
        count = len(lines)
        while index < count:
            stripped = lines[index].strip()
            if not stripped:
                pending = []
                index += 1
                continue
            if stripped.startswith("#"):
                found = _ignore(stripped, index + 1)
                if found is not None:
                    pending.append(found)
                index += 1
                continue
            index = self._instruction(index, pending)
            pending = []
            if len(self.instructions) > MAX_INSTRUCTIONS:
                raise DockerfileError(f"more than {MAX_INSTRUCTIONS} instructions")
        if not self.stages and self.instructions:
            self.problems.append(Problem(self.instructions[0].line, "no FROM instruction"))
        stages = tuple(
            Stage(s.index, s.name, s.image, s.image_raw, s.resolved, s.parent, tuple(s.instructions))
            for s in self.stages
        )
        return Dockerfile(
            tuple(self.instructions),
            stages,
            tuple(self.global_args.items()),
            tuple(self.directives),
            self.escape,
            tuple(self.problems),
            count,
        )

    def _directives(self) -> int:
        """Parser directives: ``# name=value`` lines at the very top; anything else ends them."""
        seen: set[str] = set()
        for index, line in enumerate(self.lines):
            match = _DIRECTIVE.fullmatch(line.strip())
            if match is None:
                return index
            name, value = match.group(1).lower(), match.group(2).rstrip(" \t")
            if name not in DIRECTIVES or name in seen:
                return index
            seen.add(name)
            self.directives.append((name, value))
            if name == "escape":
                if value in ("\\", "`"):
                    self.escape = value
                else:
                    self.problems.append(Problem(index + 1, f"invalid escape character {value!r}"))
        return len(self.lines)

    def _instruction(self, start: int, pending: list[Ignore]) -> int:
        lines = self.lines
        count = len(lines)
        escape = self.escape
        ignores = list(pending)
        parts: list[str] = []
        index = start
        last = start
        while True:
            line = lines[index]
            body = line.rstrip(" \t")
            last = index
            if not body.endswith(escape):
                parts.append(line)
                break
            parts.append(body[:-1])
            index += 1
            while index < count and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
                found = _ignore(lines[index], index + 1)
                if found is not None:
                    ignores.append(found)
                index += 1
            if index >= count:
                break
        logical = "".join(parts)
        trailing = _TRAILING_IGNORE.search(logical)
        if trailing is not None:
            found = _ignore(logical[trailing.start() :], last + 1)
            if found is not None:
                ignores.append(found)
                logical = logical[: trailing.start()].rstrip()
        instruction, next_index = self._make(logical, start, last, tuple(ignores))
        self._add(instruction)
        return next_index

    def _make(
        self, logical: str, start: int, last: int, ignores: tuple[Ignore, ...]
    ) -> tuple[Instruction, int]:
        match = _KEYWORD.match(logical)
        raw_keyword = match.group(1) if match else logical.strip()
        rest = (match.group(2) or "") if match else ""
        keyword = raw_keyword.upper()
        flag_list, args = _split_flags(rest)
        json_args = _json_args(args) if keyword in JSON_FORM else None
        heredocs: list[Heredoc] = []
        index = last + 1
        if keyword in HEREDOC_INSTRUCTIONS and json_args is None and "<<" in args:
            for name, strip, quoted in _heredoc_words(args):
                body, index, closed = self._heredoc_body(index, name, strip)
                if not closed:
                    self.problems.append(Problem(start + 1, f"here-document {name!r} is not terminated"))
                heredocs.append(Heredoc(name, body, strip, quoted))
        stage = self.stages[-1] if self.stages else None
        stage_index = stage.index if stage else -1
        if keyword == "FROM":
            stage_index = len(self.stages)
        inner = None
        if keyword == "ONBUILD" and args:
            inner_match = _KEYWORD.match(args)
            if inner_match is not None:
                inner_keyword = inner_match.group(1).upper()
                inner_flags, inner_args = _split_flags(inner_match.group(2) or "")
                inner = Instruction(
                    inner_keyword,
                    inner_args,
                    start + 1,
                    last + 1,
                    last + 1,
                    raw_keyword=inner_match.group(1),
                    flags=tuple(inner_flags),
                    json_args=_json_args(inner_args) if inner_keyword in JSON_FORM else None,
                    stage=stage_index,
                    ignores=ignores,
                )
        instruction = Instruction(
            keyword,
            args,
            start + 1,
            index,
            last + 1,
            raw_keyword=raw_keyword,
            flags=tuple(flag_list),
            json_args=json_args,
            heredocs=tuple(heredocs),
            stage=stage_index,
            shell=stage.shell if stage else DEFAULT_SHELL,
            ignores=ignores,
            inner=inner,
        )
        return instruction, index

    def _heredoc_body(self, index: int, name: str, strip: bool) -> tuple[str, int, bool]:
        lines = self.lines
        body: list[str] = []
        while index < len(lines):
            line = lines[index]
            index += 1
            compared = line.lstrip("\t") if strip else line
            if compared == name:
                return "".join(part + "\n" for part in body), index, True
            body.append(compared)
        return "".join(part + "\n" for part in body), index, False

    def _add(self, instruction: Instruction) -> None:
        self.instructions.append(instruction)
        keyword = instruction.keyword
        if keyword == "FROM":
            self._from(instruction)
            return
        if not self.stages:
            if keyword == "ARG":
                for name, value in parse_pairs(instruction.args, self.escape, allow_bare=True):
                    expanded = expand(value, self.global_args)[0] if value is not None else None
                    self.global_args[name] = expanded
            elif keyword in INSTRUCTIONS:
                self.problems.append(Problem(instruction.line, f"{keyword} before the first FROM"))
            return
        stage = self.stages[-1]
        stage.instructions.append(instruction)
        if keyword == "SHELL" and instruction.json_args:
            stage.shell = instruction.json_args

    def _from(self, instruction: Instruction) -> None:
        words = split_words(instruction.args, self.escape)
        image_raw = words[0] if words else ""
        name = ""
        if len(words) >= 3 and words[1].lower() == "as":
            name = words[2].lower()
        elif len(words) != 1:
            self.problems.append(Problem(instruction.line, "FROM needs IMAGE [AS NAME]"))
        image, resolved = expand(image_raw, self.global_args)
        parent = self.stage_names.get(image.lower())
        shell = self.stages[parent].shell if parent is not None else DEFAULT_SHELL
        state = _StageState(len(self.stages), name, image, image_raw, resolved and bool(image), parent, shell)
        state.instructions.append(instruction)
        self.stages.append(state)
        if name:
            self.stage_names[name] = state.index


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile ``text``. DockerfileError for input that is not a Dockerfile at all."""
    if len(text) > MAX_CHARS:
        raise DockerfileError(f"larger than {MAX_CHARS // (1024 * 1024)} MiB")
    if "\x00" in text:
        raise DockerfileError("not a text file (contains NUL bytes)")
    lines = text.removeprefix("\ufeff").split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if lines and lines[-1] == "":
        lines.pop()
    return _Builder(lines).build()
