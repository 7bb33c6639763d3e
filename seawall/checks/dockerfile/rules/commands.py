"""Risky commands in RUN: sudo, piping downloads into a shell, cd, permissive file modes."""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.shell import ASSIGNMENT, SHELLS, Command
from seawall.model import Severity

SUDO = rule(
    "SW-DF-016",
    "sudo in a RUN instruction",
    Severity.MEDIUM,
    rationale=(
        "Build steps run as the current USER already; `sudo` in a Dockerfile means sudo is installed "
        "and configured in the image, so any process that gets code execution can try to escalate "
        "through it. Its TTY and environment handling also makes builds unpredictable."
    ),
    fix=(
        "Run privileged steps before switching `USER`, or switch back with `USER root` for them. To "
        "drop privileges at start-up use `gosu` or `setpriv`, not sudo."
    ),
    bad_example="FROM debian:12-slim\nUSER app\nRUN sudo apt-get update\n",
    good_example="FROM debian:12-slim\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\nUSER app\n",
    references=("https://docs.docker.com/build/building/best-practices/#user",),
    tags=("hadolint:DL3004",),
)
PIPE_TO_SHELL = rule(
    "SW-DF-017",
    "Remote script piped into a shell",
    Severity.MEDIUM,
    rationale=(
        "`curl https://... | sh` runs whatever the server sends at build time, unreviewed and "
        "unverified. A compromised host, a hijacked domain or a truncated download (the shell runs "
        "half a script) ends up inside your image."
    ),
    fix=(
        "Download the script or binary to a file, verify its checksum or signature "
        "(`echo '<sha256>  install.sh' | sha256sum -c -`), then run it; or use a package."
    ),
    bad_example="FROM debian:12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n",
    good_example=(
        "FROM debian:12-slim\n"
        "RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\\n"
        '    && echo "' + "0123456789abcdef" * 4 + '  /tmp/install.sh" | sha256sum -c - \\\n'
        "    && sh /tmp/install.sh && rm /tmp/install.sh\n"
    ),
    references=("https://www.idontplaydarts.com/2016/04/detecting-curl-pipe-bash-server-side/",),
    tags=("cwe:494",),
)
CD = rule(
    "SW-DF-018",
    "cd in RUN instead of WORKDIR",
    Severity.LOW,
    rationale=(
        "A `cd` lasts only for its RUN, so later instructions silently run elsewhere; WORKDIR states "
        "the directory once for every following instruction and documents it. Temporary directories "
        "(`cd /tmp/...`) are not reported: WORKDIR would keep them in the image."
    ),
    fix="Use `WORKDIR /path` before the commands that need it.",
    bad_example="FROM node:20-slim\nCOPY . /app\nRUN cd /app && npm ci\n",
    good_example="FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
    references=("https://docs.docker.com/build/building/best-practices/#workdir",),
    tags=("hadolint:DL3003",),
)
PERMISSIONS = rule(
    "SW-DF-019",
    "World-writable or setuid file modes set",
    Severity.MEDIUM,
    rationale=(
        "`chmod 777` lets every user in the container change the files, executables included, so any "
        "compromised process can plant code that others run. setuid/setgid bits (`chmod u+s`, "
        "`4755`) make a program run with its owner's rights: a classic privilege-escalation path. "
        "Directories with the sticky bit (`1777`, like /tmp) are fine."
    ),
    fix=(
        "Give ownership to the user that needs write access (`COPY --chown=app:app`, `chown`) and "
        "use `755`/`644`, or `775` with a shared group. Do not add setuid bits in images."
    ),
    bad_example="FROM debian:12-slim\nCOPY app /app\nRUN chmod -R 777 /app\n",
    good_example="FROM debian:12-slim\nCOPY --chown=10001:10001 app /app\nRUN chmod -R 755 /app\n",
    references=("https://www.cisecurity.org/benchmark/docker (4.8)",),
    tags=("cis-docker:4.8",),
)
INTERPRETERS = SHELLS | {"python", "python2", "python3", "perl", "ruby", "node", "php"}
DOWNLOADERS = frozenset({"curl", "wget", "fetch"})
_SUBSTITUTED = re.compile(r"\$\(\s*(?:curl|wget)\b|`\s*(?:curl|wget)\b|<\(\s*(?:curl|wget)\b")
TEMPORARY_DIRECTORIES = ("/tmp", "/var/tmp", "$TMPDIR", "${TMPDIR}", "-", "..", "~", "$HOME", "${HOME}")
_OCTAL = re.compile(r"[0-7]{3,4}")
_SYMBOLIC = re.compile(r"([ugoa]*)([-+=])([rwxXstugo]*)")


def _interpreter(command: Command) -> str:
    name = command.program
    return "python" if re.fullmatch(r"python\d?(\.\d+)?", name) else name


@check
def sudo(context: Context) -> Iterator[Hit]:
    for instruction in context.runs():
        for command in context.commands(instruction):
            words = [word for word in command.words if not ASSIGNMENT.match(word)]
            if words and posixpath.basename(words[0]) == "sudo":
                yield Hit(SUDO, instruction, "sudo used in RUN")
                break


@check
def pipe_to_shell(context: Context) -> Iterator[Hit]:
    for instruction in context.runs():
        commands = context.commands(instruction)
        found = ""
        for previous, command in itertools.pairwise(commands):
            if command.piped and previous.program in DOWNLOADERS and _interpreter(command) in INTERPRETERS:
                found = f"{previous.program} output piped into {command.program}"
                break
        if not found:
            for command in commands:
                if command.program in INTERPRETERS | {"eval", "source", "."} and any(
                    _SUBSTITUTED.search(word) for word in command.argv[1:]
                ):
                    found = f"{command.program} runs a script downloaded in a command substitution"
                    break
        if not found and _SUBSTITUTED.search(instruction.args) and "<(" in instruction.args:
            found = "a downloaded script is run through process substitution"
        if found:
            yield Hit(PIPE_TO_SHELL, instruction, found)


def removed_by_rm(commands: list[Command], directory: str) -> bool:
    """Whether an ``rm`` in ``commands`` deletes ``directory`` (or a directory above it)."""
    path = directory.rstrip("/") + "/"
    for command in commands:
        if command.program == "rm":
            for word in command.argv[1:]:
                target = word.rstrip("*").rstrip("/") + "/"
                if not word.startswith("-") and target != "/" and path.startswith(target):
                    return True
    return False


@check
def cd_instead_of_workdir(context: Context) -> Iterator[Hit]:
    """The first ``cd`` to an absolute, lasting directory in a RUN (relative ones follow another cd)."""
    for instruction in context.runs(onbuild=False):
        commands = context.commands(instruction)
        for command in commands:
            if command.nested or command.program != "cd":
                continue
            target = next((word for word in command.argv[1:] if not word.startswith("-")), "~")
            if not target.startswith("/") or target.startswith(TEMPORARY_DIRECTORIES) or target == "/":
                continue
            if removed_by_rm(commands, target):
                continue
            yield Hit(CD, instruction, f"cd {target}: use WORKDIR {target}")
            break


def _octal_problem(mode: str) -> str:
    value = int(mode, 8)
    if value & 0o6000:
        return "setuid" if value & 0o4000 else "setgid"
    if value & 0o002 and not value & 0o1000:
        return "world-writable"
    return ""


def mode_problem(mode: str) -> str:
    """``"world-writable"``, ``"setuid"``, ``"setgid"`` or ``""`` for a chmod mode argument."""
    if _OCTAL.fullmatch(mode):
        return _octal_problem(mode)
    sticky = False
    problem = ""
    for clause in mode.split(","):
        match = _SYMBOLIC.fullmatch(clause)
        if match is None:
            return ""
        who, operator, permissions = match.groups()
        if operator == "-":
            continue
        if "t" in permissions:
            sticky = True
        if "s" in permissions and not problem:
            problem = "setgid" if who == "g" else "setuid"
        if "w" in permissions and ("o" in who or "a" in who) and not problem:
            problem = "world-writable"
    return "" if problem == "world-writable" and sticky else problem


@check
def permissive_modes(context: Context) -> Iterator[Hit]:
    for instruction in context.runs():
        for command in context.commands(instruction):
            if command.program != "chmod":
                continue
            mode = next((word for word in command.argv[1:] if not word.startswith("-")), "")
            problem = mode_problem(mode)
            if problem:
                yield Hit(PERMISSIONS, instruction, f"chmod {mode} makes files {problem}")
                break
    for instruction in context.dockerfile.instructions:
        mode = (instruction.flag("chmod") if instruction.keyword in ("COPY", "ADD") else None) or ""
        problem = mode_problem(mode) if mode else ""
        if problem:
            yield Hit(PERMISSIONS, instruction, f"{instruction.keyword} --chmod={mode} makes files {problem}")
