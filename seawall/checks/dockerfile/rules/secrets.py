"""Secrets written into ENV or ARG defaults. Values are never repeated in a message."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import parse_pairs
from seawall.checks.dockerfile.shell import Command
from seawall.model import Severity

SECRET_VARIABLE = rule(
    "SW-DF-022",
    "Secret in ENV or ARG",
    Severity.HIGH,
    rationale=(
        "ENV values are stored in the image configuration and ARG values in its build history: anyone "
        "who can pull the image can read them (`docker history`, `docker inspect`), and they sit in "
        "the Dockerfile in version control. Names such as *PASSWORD*, *SECRET*, *TOKEN* or *API_KEY* "
        "with a literal value are reported; an `ARG` without a default and references such as "
        "`${VAR}` are not, and neither are `*_FILE`/`*_PATH`-style names that hold a path."
    ),
    fix=(
        "Pass build-time secrets with `RUN --mount=type=secret,id=npm_token ...` (BuildKit) and "
        "runtime secrets through the orchestrator (Kubernetes Secrets, Docker secrets, a vault); "
        "rotate any secret that was ever committed."
    ),
    bad_example=(
        "FROM node:20-slim\nARG NPM_TOKEN=example-not-a-real-token\nENV DB_PASSWORD=example-password\n"
    ),
    good_example=(
        "# syntax=docker/dockerfile:1\nFROM node:20-slim\nCOPY package*.json ./\n"
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n"
    ),
    references=(
        "https://docs.docker.com/build/building/secrets/",
        "https://cwe.mitre.org/data/definitions/798.html",
    ),
    tags=("cis-docker:4.10", "cwe:798", "hadolint:DL3064"),
)
_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIALS", "CREDENTIAL"}
)
_PAIRS = frozenset(
    {("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY"), ("AUTH", "KEY"), ("SECRET", "KEY")}
)
_NOT_A_SECRET = frozenset(
    {
        "FILE",
        "FILENAME",
        "PATH",
        "DIR",
        "URL",
        "URI",
        "HOST",
        "PORT",
        "LENGTH",
        "LEN",
        "SIZE",
        "TTL",
        "TIMEOUT",
        "EXPIRY",
        "EXPIRES",
        "NAME",
        "USER",
        "USERNAME",
        "ENABLED",
        "HEADER",
        "TYPE",
        "ID",
        "LOCATION",
        "ENDPOINT",
        "REGION",
        "VERSION",
        "MODE",
        "FIELD",
        "PARAM",
        "COMMAND",
        "CMD",
        "PROVIDER",
    }
)
_PLACEHOLDERS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "0", "1", "-"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def secret_name(name: str) -> bool:
    """Whether a variable called ``name`` holds a secret by its name."""
    parts = [part for part in re.split(r"[_.\-]+", _CAMEL.sub(r"\1_\2", name).upper()) if part]
    if not parts or parts[-1] in _NOT_A_SECRET:
        return False
    if any(part in _WORDS for part in parts):
        return True
    return any(pair in _PAIRS for pair in itertools.pairwise(parts))


_REFERENCE = re.compile(r"\$(?:\{[^}]{0,256}\}|[A-Za-z_][A-Za-z0-9_]*)")


def literal_value(value: str | None) -> bool:
    """A value written out in the Dockerfile: some letters or digits left once ``$VAR`` and
    ``${...}`` references are taken out, and not a placeholder such as ``true`` or ``0``."""
    if value is None:
        return False
    text = value.strip()
    if text.lower() in _PLACEHOLDERS:
        return False
    remainder = _REFERENCE.sub("", text)
    return sum(char.isalnum() for char in remainder) >= 3


@check
def secrets_in_variables(context: Context) -> Iterator[Hit]:
    escape = context.dockerfile.escape
    for instruction in context.dockerfile.instructions:
        keyword = instruction.keyword
        if keyword not in ("ENV", "ARG"):
            continue
        for name, value in parse_pairs(instruction.args, escape, allow_bare=keyword == "ARG"):
            if secret_name(name) and literal_value(value):
                where = "the image configuration" if keyword == "ENV" else "the build history"
                yield Hit(
                    SECRET_VARIABLE,
                    instruction,
                    f"{keyword} {name} sets a literal secret (value redacted): it is stored in {where}",
                )


PASSWORD_IN_RUN = rule(
    "SW-DF-031",
    "Password set in RUN",
    Severity.HIGH,
    rationale=(
        "A password written into a RUN command (`echo 'root:secret' | chpasswd`, `usermod -p HASH`, "
        "`useradd --password HASH`, `echo secret | passwd --stdin user`) is kept in the image history for "
        "anyone who pulls the image, and a crackable hash lands in /etc/shadow of every container. A "
        "password read from a variable or a secret mount (`$PASSWORD`, `$(cat /run/secrets/pw)`) is not "
        "reported here (SW-DF-022 reports a literal ENV/ARG)."
    ),
    fix=(
        "Do not give image accounts passwords: containers need none (`useradd --no-create-home app`, "
        "`passwd -l`). Where one is really needed, set it at run time from the orchestrator's secrets."
    ),
    bad_example="FROM debian:12\nRUN echo 'root:changeme' | chpasswd\n",
    good_example="FROM debian:12\nRUN useradd --system --no-create-home app\nUSER app\n",
    references=("https://cwe.mitre.org/data/definitions/798.html",),
    tags=("cwe:798", "checkov:CKV2_DOCKER_17"),
)
_PASSWORD_OPTIONS = frozenset({"-p", "--password"})
_ECHOES = frozenset({"echo", "printf"})


_HASH = re.compile(r"^\$(?:1|2[aby]?|5|6|7|y|gy)\$")  # crypt(3) hash prefixes


def _literal_secret(value: str) -> bool:
    return bool(_HASH.match(value)) or literal_value(value)


def _literal_words(words: tuple[str, ...], account: bool) -> bool:
    """Whether echo/printf words hold a literal password (``user:password`` lines for chpasswd)."""
    for word in words:
        for line in word.split("\\n"):
            secret = line.partition(":")[2] if account else line
            if secret and _literal_secret(secret):
                return True
    return False


@check
def password_in_run(context: Context) -> Iterator[Hit]:
    for instruction in context.runs():
        commands = context.commands(instruction)
        found = ""
        previous: Command | None = None
        for command in commands:
            program, argv = command.program, command.argv
            if program in ("usermod", "useradd", "adduser"):
                for option, value in itertools.pairwise(argv[1:]):
                    if option in _PASSWORD_OPTIONS and _literal_secret(value):
                        found = f"{program} {option} sets a literal password hash"
            fed = previous is not None and command.piped and previous.program in _ECHOES
            if (
                fed
                and previous is not None
                and program == "chpasswd"
                and _literal_words(previous.argv[1:], True)
            ):
                found = f"{previous.program} pipes a literal password into chpasswd"
            stdin = program == "passwd" and "--stdin" in argv
            if fed and previous is not None and stdin and _literal_words(previous.argv[1:], False):
                found = "a literal password is piped into passwd --stdin"
            previous = command
            if found:
                break
        if found:
            yield Hit(
                PASSWORD_IN_RUN, instruction, f"{found} (value redacted): it stays in the image history"
            )
