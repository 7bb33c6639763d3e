"""Environment files (``.env``, ``.env.production``, ``app.env`` ...) with assignments baked into the image.

Such files hold deployment configuration and, far too often, its credentials. Only the variable
names are reported; whether a value is a live secret is the secret scanner's question. Templates
(``.env.example``, ``.env.sample`` ...) and files in test or documentation directories are skipped.
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import ALL_LAYERS, Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import KiB, finding, image_rule, printable
from seawall.model import Facts, Severity
from seawall.secrets.allow import allowed_path

ENV_FILE = image_rule(
    "SW-IMG-018",
    "Environment file in the image",
    Severity.MEDIUM,
    rationale=(
        "A .env file is deployment configuration: database URLs, API keys, passwords. Copied into an "
        "image (usually by a `COPY . .` without a .dockerignore) it is readable by everyone who can "
        "pull the image, it fixes one environment's settings into every environment, and deleting it "
        "later does not remove it from the layer that added it."
    ),
    fix=(
        "Add `.env*` to .dockerignore, rebuild, and rotate any credential the file held. Pass settings "
        "at run time (`--env-file`, Kubernetes ConfigMaps and Secrets)."
    ),
    bad_example="FROM node:20-slim\nWORKDIR /app\nCOPY . .\n",
    good_example="# .dockerignore\n.env\n.env.*\n!.env.example\n",
    references=("https://docs.docker.com/build/concepts/context/#dockerignore-files",),
    tags=("cwe:538", ALL_LAYERS),
)
RULES = (ENV_FILE,)

MAX_ENV_FILE = 256 * KiB
MAX_NAMES_SHOWN = 8
MAX_NAMES_KEPT = 64
# The prefilter needs exact names for ``.env.<stage>``; ``*.env`` goes by suffix.
COMMON_NAMES = frozenset(
    {
        ".env",
        ".env.local",
        ".env.prod",
        ".env.production",
        ".env.production.local",
        ".env.dev",
        ".env.development",
        ".env.development.local",
        ".env.staging",
        ".env.stage",
        ".env.test",
        ".env.test.local",
        ".env.docker",
        ".env.live",
        ".env.backup",
        ".env.bak",
        ".env.old",
    }
)
_ASSIGNMENT = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*(.*)")


def assigned_names(text: str) -> list[tuple[str, int]]:
    """(name, line) of every assignment with a non-empty value, in file order."""
    found: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ASSIGNMENT.fullmatch(line)
        if match is None:
            continue
        value = match.group(2).strip()
        if value[:1] in ("'", '"'):
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
        elif value.startswith("#"):
            value = ""  # KEY= # a comment
        elif " #" in value:
            value = value.split(" #", 1)[0]
        if value.strip():
            found.append((match.group(1), number))
    return found


@register
class EnvFileAnalyzer(Analyzer):
    name = "audit-env-files"
    version = 1
    scanner: ClassVar[str] = "config"
    max_size = MAX_ENV_FILE
    basenames: ClassVar[frozenset[str]] = COMMON_NAMES
    suffixes: ClassVar[tuple[str, ...]] = (".env",)

    def wants(self, path: str, info: FileInfo) -> bool:
        if info.kind is not FileKind.REGULAR or not 0 < info.size <= MAX_ENV_FILE:
            return False
        base = path.rpartition("/")[2]
        if base not in COMMON_NAMES and not base.endswith(".env"):
            return False
        return not allowed_path(path)

    def analyze(self, path: str, content: bytes) -> Facts:
        if b"\x00" in content:
            return Facts()
        names = assigned_names(content.decode("utf-8", errors="replace"))
        if not names:
            return Facts()
        unique = list(dict.fromkeys(printable(name, 64) for name, _ in names))
        shown = ", ".join(unique[:MAX_NAMES_SHOWN]) + (" ..." if len(unique) > MAX_NAMES_SHOWN else "")
        message = f"environment file {path} sets {len(unique)} variable(s): {shown} (values not shown)"
        return Facts(
            findings=(
                finding(
                    ENV_FILE, message, path, names[0][1], {"variables": ",".join(unique[:MAX_NAMES_KEPT])}
                ),
            )
        )
