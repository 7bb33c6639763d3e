"""Secrets written into ENV or ARG defaults. Values are never repeated in a message."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import parse_pairs
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
