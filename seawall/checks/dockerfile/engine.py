"""The Dockerfile rule registry and the :class:`Context` every check reads.

A rule family is one module in ``seawall/checks/dockerfile/rules/``: it declares its rules with
:func:`rule` (catalogue data with a stable ``SW-DF-NNN`` ID) and its check functions with
:func:`check`. A check takes a :class:`Context` and yields :class:`Hit` values; it never does I/O.
Every module in the folder is imported on first use, nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from seawall.checks.dockerfile.installs import PackageCommand, package_commands
from seawall.checks.dockerfile.parser import Dockerfile, Instruction, Stage, parse_pairs
from seawall.checks.dockerfile.shell import SHELLS, Command, split_commands
from seawall.checks.model import Rule
from seawall.model import Severity

FAMILY = "dockerfile"
_ID = re.compile(r"SW-DF-\d{3}")
MAX_VARIABLES = 512
_NOT_POSIX = frozenset({"cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh", "pwsh.exe"})


@dataclass(frozen=True)
class Hit:
    """A rule failing at one instruction (or, for a syntax problem, at ``line``)."""

    rule: Rule
    instruction: Instruction | None
    message: str
    line: int = 0


Check = Callable[["Context"], Iterable[Hit]]
_RULES: dict[str, Rule] = {}
_CHECKS: dict[str, Check] = {}


def rule(
    id: str,
    title: str,
    severity: Severity,
    rationale: str,
    fix: str,
    bad_example: str,
    good_example: str,
    references: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> Rule:
    """Declare (and register) a Dockerfile rule."""
    if not _ID.fullmatch(id):
        raise ValueError(f"rule ID {id!r} is not SW-DF-NNN")
    declared = Rule(id, title, severity, FAMILY, rationale, fix, bad_example, good_example, references, tags)
    if id in _RULES and _RULES[id] != declared:
        raise ValueError(f"two rules with ID {id}")
    _RULES[id] = declared
    return declared


def check(function: Check) -> Check:
    """Register a check function (decorator)."""
    _CHECKS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def _load() -> None:
    package = importlib.import_module("seawall.checks.dockerfile.rules")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def catalogue() -> dict[str, Rule]:
    """Every Dockerfile rule by ID, in ID order."""
    _load()
    return {key: _RULES[key] for key in sorted(_RULES)}


def checks() -> list[Check]:
    _load()
    return [_CHECKS[key] for key in sorted(_CHECKS)]


class Context:
    """A parsed Dockerfile with the derived facts the checks share, computed once."""

    def __init__(self, dockerfile: Dockerfile, trusted_registries: tuple[str, ...] = ()) -> None:
        self.dockerfile = dockerfile
        self.trusted_registries = trusted_registries
        self._commands: dict[int, list[Command]] = {}
        self._packages: dict[int, list[PackageCommand]] = {}
        self._scopes: dict[int, Mapping[str, str | None]] | None = None
        final = dockerfile.final_stage
        self.shipped: list[Stage] = dockerfile.lineage(final) if final else []
        self.shipped_indexes = frozenset(stage.index for stage in self.shipped)

    def stage_of(self, instruction: Instruction) -> Stage | None:
        stages = self.dockerfile.stages
        return stages[instruction.stage] if 0 <= instruction.stage < len(stages) else None

    def runs(self, stages: Iterable[Stage] | None = None, onbuild: bool = True) -> Iterator[Instruction]:
        """``RUN`` instructions of ``stages`` (default all), with ``ONBUILD RUN`` ones if ``onbuild``."""
        for stage in self.dockerfile.stages if stages is None else stages:
            for instruction in stage.instructions:
                if instruction.keyword == "RUN":
                    yield instruction
                elif onbuild and instruction.inner is not None and instruction.inner.keyword == "RUN":
                    yield instruction.inner

    def commands(self, instruction: Instruction) -> list[Command]:
        """The shell commands of a ``RUN``: its line, and the here-documents that are scripts."""
        key = id(instruction)
        cached = self._commands.get(key)
        if cached is None:
            cached = self._commands[key] = _run_commands(instruction)
        return cached

    def package_commands(self, instruction: Instruction) -> list[PackageCommand]:
        key = id(instruction)
        cached = self._packages.get(key)
        if cached is None:
            cached = self._packages[key] = package_commands(self.commands(instruction))
        return cached

    def variables(self, instruction: Instruction) -> Mapping[str, str | None]:
        """ARG and ENV values in scope at ``instruction`` (ENV inherited from parent stages).

        Computed for every stage in one forward pass on first use; instructions between two
        ENV/ARG lines share one mapping (do not modify it). At most :data:`MAX_VARIABLES` names
        are tracked per stage: beyond that, a name counts as unknown.
        """
        if self._scopes is None:
            self._scopes = self._scope_table()
        return self._scopes.get(id(instruction), {})

    def _scope_table(self) -> dict[int, Mapping[str, str | None]]:
        escape = self.dockerfile.escape
        global_args = dict(self.dockerfile.global_args)
        table: dict[int, Mapping[str, str | None]] = {}
        final_env: dict[int, dict[str, str | None]] = {}
        for stage in self.dockerfile.stages:
            env = dict(final_env.get(stage.parent, {})) if stage.parent is not None else {}
            values: dict[str, str | None] = dict(env)
            for item in stage.instructions[1:]:
                table[id(item)] = values
                if item.keyword not in ("ENV", "ARG"):
                    continue
                values = dict(values)
                for name, value in parse_pairs(item.args, escape, allow_bare=item.keyword == "ARG"):
                    if name not in values and len(values) >= MAX_VARIABLES:
                        continue
                    if item.keyword == "ENV":
                        values[name] = env[name] = value
                    else:
                        values[name] = value if value is not None else global_args.get(name)
            final_env[stage.index] = env
        return table


def _run_commands(instruction: Instruction) -> list[Command]:
    if instruction.keyword != "RUN" or posixpath.basename(instruction.shell[0]).lower() in _NOT_POSIX:
        return []
    if instruction.json_args is not None:
        return split_commands(shlex.join(instruction.json_args)) if instruction.json_args else []
    commands = split_commands(instruction.args)
    if instruction.heredocs and _heredocs_are_script(commands):
        for heredoc in instruction.heredocs:
            if _shell_script(heredoc.content):
                commands.extend(split_commands(heredoc.content))
    return commands


def _heredocs_are_script(commands: list[Command]) -> bool:
    """``RUN <<EOF`` alone, or a shell reading the here-document (``RUN bash <<EOF``)."""
    top = [command for command in commands if not command.nested]
    return not top or any(command.program in SHELLS and "-c" not in command.argv for command in top)


def _shell_script(content: str) -> bool:
    if not content.startswith("#!"):
        return True
    end = content.find("\n")
    interpreter = content[2 : end if end >= 0 else len(content)].split()
    if not interpreter:
        return True
    name = posixpath.basename(interpreter[0])
    if name == "env" and len(interpreter) > 1:
        name = posixpath.basename(interpreter[1])
    return name in SHELLS
