"""Private keys for the secret corpus, made at test time by the tools that make real keys.

Keys are not stored in the repository: :func:`generate_keys` writes them under a root directory with
``openssl`` (always; Seawall's test dependencies include it), ``ssh-keygen`` and ``gpg`` (when
installed), and returns their labels, the rule each one's format belongs to (RFC 7468 PEM labels,
RFC 5958 encrypted PKCS#8, RFC 1421 Proc-Type headers, OpenSSH's PROTOCOL.key, RFC 4880 armor).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

PLAIN = "SW-SECRET-010"
ENCRYPTED = "SW-SECRET-011"
PASSPHRASE = "corpus-passphrase-7"
PASSOUT = f"pass:{PASSPHRASE}"


class Label(NamedTuple):
    path: str
    rule: str
    line: int


def _run(*command: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(command, input=stdin, capture_output=True, check=True, timeout=120).stdout


def _write(root: Path, path: str, data: bytes) -> Path:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _line_of(data: bytes, marker: bytes) -> int:
    return data[: data.index(marker)].count(b"\n") + 1


def openssl_genrsa() -> bytes:
    """What ``shared/recipes/03-lang-layers.sh`` puts in ``secrets/id_rsa``: ``openssl genrsa 2048``."""
    return _run("openssl", "genrsa", "2048")


def generate_keys(root: Path) -> list[Label]:
    """Write keys (and public near misses) under ``root``; the labels of the private ones."""
    labels: list[Label] = []

    def key(path: str, data: bytes, rule: str, marker: bytes = b"-----BEGIN") -> None:
        _write(root, path, data)
        labels.append(Label(path, rule, _line_of(data, marker)))

    key("secrets/id_rsa", openssl_genrsa(), PLAIN)
    key("app/tls/legacy.key", _run("openssl", "genrsa", "-traditional", "1024"), PLAIN)
    dsa = _run("openssl", "dsaparam", "-noout", "-genkey", "1024")
    key("app/tls/dsa.key", _run("openssl", "pkey", "-traditional", stdin=dsa), PLAIN)
    ec = _run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout")
    key("etc/ssl/private/service.key", ec, PLAIN)
    pkcs8 = _run("openssl", "genpkey", "-algorithm", "ed25519")
    key("app/keys/signing.pem", pkcs8, PLAIN)
    key(
        "app/keys/signing-protected.pem",
        _run(
            "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", f"pass:{PASSPHRASE}", stdin=pkcs8
        ),
        ENCRYPTED,
    )
    key(
        "app/keys/legacy-protected.key",
        _run("openssl", "ec", "-aes128", "-passout", PASSOUT, stdin=ec),
        ENCRYPTED,
    )
    account = {
        "type": "service_account",
        "project_id": "shop-prod",
        "private_key_id": "0" * 8,
        "private_key": _run("openssl", "genpkey", "-algorithm", "ed25519").decode(),
        "client_email": "deployer@shop-prod.iam.example",
    }
    document = json.dumps(account, indent=2).encode()
    key("app/gcp-service-account.json", document, PLAIN)
    indented = b"".join(b"    " + line + b"\n" for line in ec.splitlines())
    key("app/config/values.yaml", b"tls:\n  key: |\n" + indented, PLAIN)
    _write(
        root,
        "app/tls/cert.pem",
        _run("openssl", "req", "-x509", "-key", "/dev/stdin", "-subj", "/CN=corpus", "-days", "1", stdin=ec),
    )
    if shutil.which("ssh-keygen"):
        labels.extend(_ssh_keys(root))
    if shutil.which("gpg") and shutil.which("gpgconf"):
        labels.extend(_pgp_key(root))
    return labels


def _ssh_keys(root: Path) -> list[Label]:
    labels = []
    for name, passphrase, rule in (("id_ed25519", "", PLAIN), ("id_ecdsa", PASSPHRASE, ENCRYPTED)):
        target = root / "root/.ssh" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        kind = name.removeprefix("id_")
        _run("ssh-keygen", "-q", "-t", kind, "-a", "1", "-N", passphrase, "-C", "corpus", "-f", str(target))
        labels.append(Label(f"root/.ssh/{name}", rule, 1))
    return labels


def _pgp_key(root: Path) -> list[Label]:
    home = tempfile.mkdtemp(prefix="seawall-gpg-")
    gpg = ("gpg", "--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "")
    try:
        os.chmod(home, 0o700)
        _run(*gpg, "--quick-gen-key", "Corpus <corpus@example.invalid>", "ed25519", "sign", "never")
        armored = _run(*gpg, "--armor", "--export-secret-keys")
    finally:
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
    _write(root, "root/.gnupg/backup.asc", armored)
    return [Label("root/.gnupg/backup.asc", PLAIN, _line_of(armored, b"-----BEGIN"))]
