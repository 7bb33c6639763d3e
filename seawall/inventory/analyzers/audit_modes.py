"""Dangerous mode bits, read from tar headers alone: setuid/setgid executables, world-writable files and
directories without the sticky bit.

Header-only: no content is read. Every executable is examined (most are not setuid), so that a later
layer that copies a binary up with its setuid bit cleared (``chmod u-s``) hides the earlier finding;
likewise every world-writable directory, sticky or not (``chmod +t``). Known limit: a later
``chmod o-w`` of a non-executable file or a directory is not seen (the pass records only entries
some analyzer wants, and recording every entry would make memory grow with the image).
"""

from __future__ import annotations

from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import finding, image_rule
from seawall.model import Facts, Severity

SETUID = image_rule(
    "SW-IMG-010",
    "setuid executable",
    Severity.MEDIUM,
    rationale=(
        "A setuid executable runs with the privileges of its owner (usually root) whoever starts it. "
        "In a container running as a non-root user, setuid binaries such as su, mount or passwd are "
        "the way back to root: one bug or misconfiguration in any of them is a privilege escalation. "
        "Applications almost never need them; Kubernetes' `allowPrivilegeEscalation: false` (no_new_privs) "
        "neutralises them at run time, but only where it is set."
    ),
    fix=(
        "Remove the setuid bit in the final stage, e.g. `RUN find / -xdev -perm /4000 -type f -exec chmod "
        "u-s {} +`, or remove the packages that ship the binaries; better, build on a distroless or "
        "scratch base. Run with `allowPrivilegeEscalation: false` / `--security-opt no-new-privileges`."
    ),
    bad_example="FROM debian:12\nCOPY app /app\nUSER 10001\n",
    good_example=(
        "FROM debian:12\nRUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true\n"
        "COPY app /app\nUSER 10001\n"
    ),
    references=(
        "https://www.cisecurity.org/benchmark/docker (4.8)",
        "https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#cis-di-0008",
    ),
    tags=("cis-docker:4.8",),
)
SETGID = image_rule(
    "SW-IMG-011",
    "setgid executable",
    Severity.LOW,
    rationale=(
        "A setgid executable runs with the privileges of its group whoever starts it (Debian's chage, "
        "expiry and unix_chkpwd run as group shadow and can read password hashes). Like setuid "
        "binaries they widen what an attacker in the container can reach, though less than root."
    ),
    fix="Remove the setgid bit (`chmod g-s`) or the package in the final stage, or use a distroless base.",
    bad_example="FROM debian:12\nUSER 10001\n",
    good_example=(
        "FROM debian:12\nRUN find / -xdev -perm /2000 -type f -exec chmod g-s {} + || true\nUSER 10001\n"
    ),
    references=("https://www.cisecurity.org/benchmark/docker (4.8)",),
    tags=("cis-docker:4.8",),
)
WORLD_WRITABLE_FILE = image_rule(
    "SW-IMG-012",
    "World-writable file",
    Severity.MEDIUM,
    rationale=(
        "Any user in the container can change a world-writable file: a script, a configuration or a "
        "library that another (more privileged) process later reads or runs becomes a way to "
        "escalate or to persist."
    ),
    fix="Give the file the permissions it needs and no more, e.g. `chmod o-w FILE` (0644 or 0755).",
    bad_example="FROM alpine:3.20\nCOPY start.sh /start.sh\nRUN chmod 777 /start.sh\n",
    good_example="FROM alpine:3.20\nCOPY --chmod=0755 start.sh /start.sh\n",
    references=("https://cwe.mitre.org/data/definitions/732.html",),
    tags=("cwe:732",),
)
WORLD_WRITABLE_DIRECTORY = image_rule(
    "SW-IMG-013",
    "World-writable directory without the sticky bit",
    Severity.MEDIUM,
    rationale=(
        "In a world-writable directory without the sticky bit (mode 0777 rather than 1777) any user "
        "can delete or replace any other user's files: programs that write there, or read what they "
        "expect to find there, can be tricked."
    ),
    fix=(
        "Give the directory to the user that needs it (`chown app /data && chmod 0750 /data`), or add the "
        "sticky bit if it is a shared scratch area like /tmp (`chmod 1777`)."
    ),
    bad_example="FROM alpine:3.20\nRUN mkdir /data && chmod 777 /data\n",
    good_example=(
        "FROM alpine:3.20\nRUN mkdir /data && chown 10001:10001 /data && chmod 0750 /data\nUSER 10001\n"
    ),
    references=("https://cwe.mitre.org/data/definitions/732.html",),
    tags=("cwe:732",),
)
RULES = (SETUID, SETGID, WORLD_WRITABLE_FILE, WORLD_WRITABLE_DIRECTORY)

_FILES = (FileKind.REGULAR, FileKind.HARDLINK)


@register
class ModeBitsAnalyzer(Analyzer):
    name = "audit-modes"
    version = 1
    scanner: ClassVar[str] = "config"
    header_only: ClassVar[bool] = True
    directories: ClassVar[bool] = True

    def wants(self, path: str, info: FileInfo) -> bool:
        mode = info.mode
        if info.kind is FileKind.DIRECTORY:  # sticky ones too: a chmod +t in a later layer hides the finding
            return bool(path) and mode & 0o002 != 0
        return info.kind in _FILES and mode & 0o6113 != 0

    def analyze(self, path: str, content: bytes) -> Facts:
        return Facts()  # header-only: everything happens in analyze_entry

    def analyze_entry(self, info: FileInfo) -> Facts:
        path, mode = info.path, info.mode & 0o7777
        octal = f"{mode:04o}"
        if info.kind is FileKind.DIRECTORY:
            if mode & 0o1002 != 0o002:
                return Facts()
            message = f"directory {path} is world-writable without the sticky bit (mode {octal})"
            return Facts(
                findings=(finding(WORLD_WRITABLE_DIRECTORY, message, path, properties={"mode": octal}),)
            )
        if info.kind not in _FILES:
            return Facts()
        found = []
        if mode & 0o4000 and mode & 0o111:
            owner = "root" if info.uid == 0 else f"uid {info.uid}"
            message = f"{path} is setuid (mode {octal}): it runs as its owner, {owner}, whoever starts it"
            found.append(finding(SETUID, message, path, properties={"mode": octal, "uid": str(info.uid)}))
        if mode & 0o2000 and mode & 0o111:
            message = f"{path} is setgid (mode {octal}): it runs with group {info.gid} whoever starts it"
            found.append(finding(SETGID, message, path, properties={"mode": octal, "gid": str(info.gid)}))
        if mode & 0o002:
            message = f"{path} is world-writable (mode {octal}): any user in the container can change it"
            found.append(finding(WORLD_WRITABLE_FILE, message, path, properties={"mode": octal}))
        return Facts(findings=tuple(found))
