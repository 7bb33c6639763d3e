"""Account databases with password hashes or empty passwords: ``etc/shadow``, ``etc/passwd`` and their
``-`` backups.

The password field of shadow(5) and passwd(5): ``*`` and ``!``/``!!`` (and ``!`` before anything)
lock the account; ``x`` in passwd defers to shadow; an empty field means no password at all. Only
user names are reported, never hashes.
"""

from __future__ import annotations

from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import KiB, finding, image_rule, printable
from seawall.model import CheckResult, Facts, Severity

PASSWORD_HASH = image_rule(
    "SW-IMG-021",
    "Password hashes in the image",
    Severity.MEDIUM,
    rationale=(
        "A password hash in /etc/shadow (or, worse, the world-readable /etc/passwd) of an image is "
        "published with the image: it can be cracked offline, and the same password is often used "
        "elsewhere. A container needs no login passwords; an account with one also invites `su`."
    ),
    fix=(
        "Do not set passwords during the build (`chpasswd`, `passwd`, `useradd -p`); lock accounts "
        "with `usermod -L` or create them with `--disabled-password` / `adduser -D`, rebuild, and "
        "change the password anywhere else it was used."
    ),
    bad_example="FROM debian:12\nRUN useradd -m app && echo 'app:example-password' | chpasswd\nUSER app\n",
    good_example="FROM debian:12\nRUN useradd --no-create-home --uid 10001 app\nUSER 10001\n",
    references=("https://cwe.mitre.org/data/definitions/260.html",),
    tags=("cwe:260",),
)
EMPTY_PASSWORD = image_rule(
    "SW-IMG-022",
    "Account with an empty password",
    Severity.HIGH,
    rationale=(
        "An empty password field lets anyone log in to the account, or `su` to it, without a password: "
        "CVE-2019-5021 was exactly this, root with an empty password in the official Alpine images "
        "from 3.3 to 3.9. Any local user or injected process in the container becomes that account."
    ),
    fix="Lock the account (`passwd -l NAME`, or `*`/`!` in the password field) and rebuild.",
    bad_example="FROM alpine:3.20\nRUN passwd -d root\n",
    good_example="FROM alpine:3.20\nRUN passwd -l root\n",
    references=(
        "https://nvd.nist.gov/vuln/detail/CVE-2019-5021",
        "https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#dkl-li-0001",
    ),
    tags=("cwe:258",),
)
RULES = (PASSWORD_HASH, EMPTY_PASSWORD)

MAX_ACCOUNT_FILE = 1024 * KiB
MAX_NAMES_SHOWN = 8
FILES = frozenset({"etc/shadow", "etc/shadow-", "etc/passwd", "etc/passwd-"})
# Password fields that hold no usable password (after any leading "!" that locks an account).
_NO_PASSWORD = frozenset({"", "*", "x", "!"})


def classify(field: str, shadow: bool) -> str:
    """``"hash"``, ``"empty"`` or ``""`` (no password) for one password field."""
    if field == "":
        return "empty"
    if field == "x" and not shadow:
        return ""
    rest = field.lstrip("!")
    if rest in _NO_PASSWORD or rest.startswith("*"):
        return ""
    return "hash"


def _names(users: list[str]) -> str:
    shown = ", ".join(users[:MAX_NAMES_SHOWN])
    return shown + (f" and {len(users) - MAX_NAMES_SHOWN} more" if len(users) > MAX_NAMES_SHOWN else "")


@register
class AccountsAnalyzer(Analyzer):
    name = "audit-accounts"
    version = 1
    scanner: ClassVar[str] = "config"
    max_size = MAX_ACCOUNT_FILE
    basenames: ClassVar[frozenset[str]] = frozenset(path.rpartition("/")[2] for path in FILES)

    def wants(self, path: str, info: FileInfo) -> bool:
        return path in FILES and info.kind is FileKind.REGULAR and info.size <= MAX_ACCOUNT_FILE

    def analyze(self, path: str, content: bytes) -> Facts:
        shadow = path.startswith("etc/shadow")
        found: dict[str, tuple[list[str], int]] = {"hash": ([], 0), "empty": ([], 0)}
        text = content[:MAX_ACCOUNT_FILE].decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            fields = line.split(":")
            if len(fields) < 2 or not fields[0] or fields[0].startswith(("+", "-", "#")):
                continue  # NIS compat entries and comments carry no password
            kind = classify(fields[1].strip(), shadow)
            if kind:
                users, first = found[kind]
                users.append(printable(fields[0], 32))
                found[kind] = (users, first or number)
        results: list[CheckResult] = []
        hashes, first = found["hash"]
        if hashes:
            where = "the world-readable " + path if not shadow else path
            message = f"{where} holds password hashes for {_names(hashes)} (hashes not shown)"
            results.append(finding(PASSWORD_HASH, message, path, first, {"users": ",".join(hashes[:64])}))
        empty, first = found["empty"]
        if empty:
            message = f"{path}: {_names(empty)} can log in without a password (empty password field)"
            results.append(finding(EMPTY_PASSWORD, message, path, first, {"users": ",".join(empty[:64])}))
        return Facts(findings=tuple(results))
