"""Private key files baked into the image: SSH identities and host keys, TLS and PGP private keys.

Files are chosen by name (``id_rsa``, ``*.pem``, ``*.key``, ``ssh_host_*_key`` ...) and confirmed by
their content: a PEM ``BEGIN ... PRIVATE KEY`` block with its END line, or a PuTTY key file. Keys in
documentation, test and example directories are left alone (the secret scanner's allow rules).
Content-wide secret detection is the secret scanner's job; this is a sensitive-file rule.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from typing import ClassVar

from seawall.inventory.analyzer import ALL_LAYERS, Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import KiB, finding, image_rule
from seawall.model import Facts, Severity
from seawall.secrets.allow import allowed_path

PRIVATE_KEY = image_rule(
    "SW-IMG-017",
    "Private key in the image",
    Severity.HIGH,
    rationale=(
        "Everyone who can pull the image has the key: an SSH identity opens the servers it is "
        "authorised on, a TLS key lets anyone impersonate the service, and SSH host keys generated "
        "at build time are shared by every container started from the image. Deleting the file in a "
        "later layer does not help: the layer that added it still holds it."
    ),
    fix=(
        "Remove the key from the build context and the image history (rebuild; rotate the key). Provide "
        "keys at run time as mounted secrets, and build-time keys with `RUN --mount=type=ssh` or "
        "`--mount=type=secret`. Generate SSH host keys when the container starts."
    ),
    bad_example=(
        "FROM alpine:3.20\nCOPY id_rsa /root/.ssh/id_rsa\nRUN git clone git@example.com:org/repo.git\n"
    ),
    good_example=(
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN apk add --no-cache git openssh-client\n"
        "RUN --mount=type=ssh git clone git@example.com:org/repo.git\n"
    ),
    references=(
        "https://docs.docker.com/build/building/secrets/#ssh-mounts",
        "https://cwe.mitre.org/data/definitions/321.html",
    ),
    tags=("cwe:321", ALL_LAYERS),
)
RULES = (PRIVATE_KEY,)

MAX_KEY_FILE = 64 * KiB
MAX_BLOCKS = 16
SSH_IDENTITIES = frozenset(
    {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "identity"}
)
KEY_SUFFIXES = (".pem", ".key", ".p8", ".pk8", "_key", ".ppk")
_BEGIN = re.compile(rb"^-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----[ \t\r]*$", re.MULTILINE)
_PUTTY = re.compile(rb"\APuTTY-User-Key-File-\d+: *(\S+)[ \t\r]*\n(?:.*\n){0,4}?Encryption: *(\S+)")
_OPENSSH_MAGIC = b"openssh-key-v1\x00"


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _openssh_cipher(body: bytes) -> str:
    """The cipher an ``OPENSSH PRIVATE KEY`` body names (``none`` when unencrypted), or ``""``."""
    try:
        blob = base64.b64decode(b"".join(body.split())[:1024] + b"==", validate=False)
    except (binascii.Error, ValueError):
        return ""
    if not blob.startswith(_OPENSSH_MAGIC) or len(blob) < len(_OPENSSH_MAGIC) + 4:
        return ""
    start = len(_OPENSSH_MAGIC)
    length = int.from_bytes(blob[start : start + 4], "big")
    return blob[start + 4 : start + 4 + min(length, 64)].decode("ascii", "replace")


def describe_private_key(content: bytes) -> tuple[str, bool, int] | None:
    """(kind, encrypted, line) of the first private key in ``content``, or None."""
    putty = _PUTTY.match(content)
    if putty:
        kind = "PuTTY " + putty.group(1).decode("ascii", "replace")
        return kind, putty.group(2) != b"none", 1
    for match in itertools.islice(_BEGIN.finditer(content), MAX_BLOCKS):  # bounded work on hostile files
        label = match.group(1)
        end = content.find(b"-----END " + label + b"-----", match.end())
        if end < 0:
            continue
        body = content[match.end() : end]
        encrypted = b"ENCRYPTED" in label or b"Proc-Type: 4,ENCRYPTED" in body
        if label == b"OPENSSH PRIVATE KEY":
            encrypted = _openssh_cipher(body) not in ("none", "")
        return label.decode("ascii"), encrypted, _line_of(content, match.start())
    return None


@register
class PrivateKeyAnalyzer(Analyzer):
    name = "audit-private-keys"
    version = 1
    scanner: ClassVar[str] = "config"
    max_size = MAX_KEY_FILE
    basenames: ClassVar[frozenset[str]] = SSH_IDENTITIES
    suffixes: ClassVar[tuple[str, ...]] = KEY_SUFFIXES

    def wants(self, path: str, info: FileInfo) -> bool:
        if info.kind is not FileKind.REGULAR or not 0 < info.size <= MAX_KEY_FILE:
            return False
        base = path.rpartition("/")[2]
        if base not in SSH_IDENTITIES and not base.lower().endswith(KEY_SUFFIXES):
            return False
        return not allowed_path(path)

    def analyze(self, path: str, content: bytes) -> Facts:
        described = describe_private_key(content[:MAX_KEY_FILE])
        if described is None:
            return Facts()
        kind, encrypted, line = described
        protection = "encrypted with a passphrase" if encrypted else "not encrypted"
        message = f"private key ({kind}, {protection}) in {path}: anyone who pulls the image has it"
        return Facts(
            findings=(
                finding(
                    PRIVATE_KEY, message, path, line, {"key_type": kind, "encrypted": str(encrypted).lower()}
                ),
            )
        )
