"""``docker run`` / ``podman run`` / ``nerdctl run`` command lines, split with shlex, checked as a container.

Only the command's words are read; nothing is executed. Results point at the flag's column in the
command (line 1).
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass, field

from seawall.checks.model import CheckResult, SourceLocation
from seawall.checks.workload.common import Emitter
from seawall.checks.workload.container import (
    ContainerSettings,
    Mount,
    Value,
    check_container,
    port_host_address,
)
from seawall.checks.workload.loader import Document, Path
from seawall.checks.workload.rules.docker_run import BY_KEY
from seawall.errors import UsageError

MAX_COMMAND = 64 * 1024
ENGINES = ("docker", "podman", "nerdctl", "podman-remote")
DEFAULT_FILE = "<docker run>"

# Flags that take no value (they may still be written --flag=false).
_BOOLEAN_FLAG_LINES = (
    "--detach --interactive --tty --rm --privileged --read-only --init --publish-all --no-healthcheck",
    "--oom-kill-disable --sig-proxy --help --quiet --disable-content-trust --use-api-socket --replace",
    "--rootfs --read-only-tmpfs --no-hosts --http-proxy --tls-verify --env-host --passwd --rmi",
    "--unsetenv-all",
)
BOOLEAN_FLAGS = frozenset(flag for line in _BOOLEAN_FLAG_LINES for flag in line.split())
SHORT_BOOLEANS = frozenset("ditPq")
SHORT_WITH_VALUE = {
    "a": "--attach", "c": "--cpu-shares", "e": "--env", "h": "--hostname", "l": "--label", "m": "--memory",
    "p": "--publish", "u": "--user", "v": "--volume", "w": "--workdir",
}  # fmt: skip
ALIASES = {"--net": "--network", "--userns-mode": "--userns"}


class DockerRunError(UsageError):
    """A command line that is not a container run command we can read."""


@dataclass
class ParsedRun:
    engine: str
    options: list[tuple[str, str, int]] = field(default_factory=list)  # (flag, value, token index)
    image: str = ""
    image_index: int = -1


def _tokens(command: str) -> list[str]:
    if len(command) > MAX_COMMAND:
        raise DockerRunError(f"docker run command longer than {MAX_COMMAND} characters")
    try:
        return shlex.split(command.replace("\\\n", " "), comments=False, posix=True)
    except ValueError as exc:
        raise DockerRunError(f"cannot split the docker run command: {exc}") from None


def parse_run(command: str) -> tuple[ParsedRun, list[str]]:
    """The engine, the options and the image of a ``run`` command line (and its tokens)."""
    tokens = _tokens(command)
    start = next((i for i, t in enumerate(tokens) if posixpath.basename(t) in ENGINES), -1)
    engine = posixpath.basename(tokens[start]) if start >= 0 else "docker"
    position = next((i for i in range(start + 1, len(tokens)) if tokens[i] in ("run", "create")), -1)
    if position < 0:
        raise DockerRunError("not a 'docker run' / 'podman run' command (no run or create subcommand)")
    parsed = ParsedRun(engine.replace("-remote", ""))
    i = position + 1
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            i += 1
            break
        if not token.startswith("-") or token == "-":
            break
        if token.startswith("--"):
            name, sep, value = token.partition("=")
            name = ALIASES.get(name, name)
            if sep or name in BOOLEAN_FLAGS:
                parsed.options.append((name, value if sep else "true", i))
            elif i + 1 < len(tokens):
                parsed.options.append((name, tokens[i + 1], i))
                i += 1
            i += 1
            continue
        i = _short(tokens, i, parsed)
    if i < len(tokens):
        parsed.image, parsed.image_index = tokens[i], i
    return parsed, tokens


def _short(tokens: list[str], i: int, parsed: ParsedRun) -> int:
    """A cluster of short flags (``-it``, ``-dp 80:80``, ``-eKEY=v``); returns the next token index."""
    cluster = tokens[i][1:]
    for offset, letter in enumerate(cluster):
        if letter in SHORT_BOOLEANS:
            parsed.options.append((f"-{letter}", "true", i))
            continue
        long_name = SHORT_WITH_VALUE.get(letter, f"-{letter}")
        rest = cluster[offset + 1 :]
        if rest:
            parsed.options.append((long_name, rest.removeprefix("="), i))
            return i + 1
        if i + 1 < len(tokens):
            parsed.options.append((long_name, tokens[i + 1], i))
        return i + 2
    return i + 1


def _mount_option(text: str, path: Path) -> Mount:
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        fields[key.strip().lower()] = value.strip()
    source = fields.get("source") or fields.get("src") or ""
    target = fields.get("target") or fields.get("destination") or fields.get("dst") or ""
    return Mount(fields.get("type", "volume"), source, target, path)


def _volume_option(text: str, path: Path) -> Mount:
    parts = text.split(":")
    if len(parts) == 1:
        return Mount("volume", "", parts[0], path)
    bind = parts[0].startswith(("/", ".", "~", "$"))
    return Mount("bind" if bind else "volume", parts[0], parts[1], path)


def run_settings(parsed: ParsedRun) -> ContainerSettings:
    """The parsed options as container settings; paths are ("argv", token index)."""
    s = ContainerSettings(name=parsed.image or "container", anchor=("argv", 0))
    s.implicit_tmpfs = parsed.engine == "podman"
    if parsed.image:
        s.image = Value(parsed.image, ("argv", parsed.image_index))
    namespaces = {
        "--network": "network",
        "--pid": "pid",
        "--ipc": "ipc",
        "--uts": "uts",
        "--userns": "userns",
    }
    namespaces["--cgroupns"] = "cgroup"
    for flag, value, index in parsed.options:
        v, path = Value(value, ("argv", index)), ("argv", index)
        if flag == "--privileged":
            s.privileged = v
        elif flag == "--user":
            s.user = v
        elif flag == "--cap-add":
            s.cap_add += [Value(c, path) for c in value.split(",") if c.strip()]
        elif flag == "--cap-drop":
            s.cap_drop += [Value(c, path) for c in value.split(",") if c.strip()]
        elif flag == "--read-only":
            s.read_only = v
        elif flag == "--read-only-tmpfs":
            s.implicit_tmpfs = value.strip().lower() != "false"
        elif flag == "--security-opt":
            s.security_opt.append(v)
        elif flag in namespaces:
            s.namespaces[namespaces[flag]] = v
        elif flag == "--volume":
            s.mounts.append(_volume_option(value, path))
        elif flag == "--mount":
            s.mounts.append(_mount_option(value, path))
        elif flag == "--tmpfs":
            s.mounts.append(Mount("tmpfs", "", value.split(":", 1)[0], path))
        elif flag == "--device":
            s.devices.append(v)
        elif flag == "--sysctl":
            s.sysctls.append(Value(value.split("=", 1)[0].strip(), path))
        elif flag == "--env":
            name, sep, literal = value.partition("=")
            if sep:
                s.env.append((name, literal, path))
        elif flag == "--memory":
            s.memory_limit = v
        elif flag == "--pids-limit":
            s.pids_limit = v
        elif flag == "--publish":
            s.ports.append(Value(port_host_address(value), path))
        elif flag in ("--publish-all", "-P") and value != "false":
            s.ports.append(Value("", path))
    return s


def _columns(command: str, tokens: list[str]) -> dict[int, int]:
    """Best-effort 1-based column of each token in the original text (quotes may shift it: then 0)."""
    columns: dict[int, int] = {}
    cursor = 0
    for index, token in enumerate(tokens):
        found = command.find(token, cursor)
        if found >= 0:
            columns[index] = found + 1
            cursor = found + len(token)
    return columns


@dataclass
class _RunEmitter(Emitter):
    columns: dict[int, int] = field(default_factory=dict)

    def location(self, path: Path) -> SourceLocation:
        index = path[1] if len(path) > 1 and isinstance(path[1], int) else 0
        return SourceLocation(self.file, 1, self.columns.get(index, 0))


def lint_run_command(command: str, file: str = DEFAULT_FILE) -> list[CheckResult]:
    """Results for one ``docker run`` command line."""
    parsed, tokens = parse_run(command)
    if not parsed.image:
        raise DockerRunError("the docker run command names no image")
    emit = _RunEmitter(file, Document(None), columns=_columns(command, tokens))
    settings = run_settings(parsed)
    check_container(settings, BY_KEY, emit, f"{parsed.engine} run {parsed.image}")
    return emit.results
