"""Credential files of cloud CLIs, registries, package managers and git, left in the image.

Each kind of file is recognised by its path and confirmed by a look at its content: a credential
is actually there (an AWS secret key line, docker ``auths`` with an ``auth``, a kubeconfig user
with a token, a git remote URL with a password ...). A file that only names a profile or points at
an environment variable (``${NPM_TOKEN}``) is not reported. Values are never repeated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from seawall.inventory.analyzer import ALL_LAYERS, Analyzer, FileInfo, FileKind, register
from seawall.inventory.analyzers.audit_common import KiB, finding, image_rule
from seawall.model import Facts, Severity
from seawall.secrets.allow import allowed_path

CREDENTIAL_FILE = image_rule(
    "SW-IMG-020",
    "Credential file in the image",
    Severity.HIGH,
    rationale=(
        "CLI credential files (~/.aws/credentials, gcloud's credential databases, Azure token caches, "
        "a kubeconfig with a token, ~/.docker/config.json with registry auths, .npmrc/.pypirc/.netrc "
        "passwords, a .git/config remote URL with a token) grant whatever their owner could do. They "
        "end up in images when a build logs in to fetch something, or copies a home directory. Every "
        "layer that contains one hands the credential to whoever pulls the image."
    ),
    fix=(
        "Rotate the credential now. Pass build-time credentials with `RUN --mount=type=secret` so they "
        "never reach a layer, and run-time ones as mounted secrets or workload identity; rebuild the "
        "image without the file."
    ),
    bad_example=("FROM node:20-slim\nCOPY .npmrc /root/.npmrc\nRUN npm ci\n"),
    good_example=(
        "# syntax=docker/dockerfile:1\nFROM node:20-slim\n"
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
    ),
    references=(
        "https://docs.docker.com/build/building/secrets/",
        "https://cwe.mitre.org/data/definitions/522.html",
    ),
    tags=("cwe:522", ALL_LAYERS),
)
RULES = (CREDENTIAL_FILE,)

MAX_CREDENTIAL_FILE = 1024 * KiB


def _not_blank(content: bytes) -> bool:
    return content.strip() not in (b"", b"[]", b"{}", b"null")


def _pattern(regex: bytes) -> Callable[[bytes], bool]:
    compiled = re.compile(regex, re.MULTILINE | re.IGNORECASE)
    return lambda content: compiled.search(content) is not None


def _docker_auths(content: bytes) -> bool:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    auths = document.get("auths") if isinstance(document, dict) else None
    if not isinstance(auths, dict):
        return False
    secret_keys = ("auth", "identitytoken", "password", "registrytoken")
    return any(
        isinstance(entry, dict) and any(entry.get(key) for key in secret_keys) for entry in auths.values()
    )


_NO_REFERENCE = rb"(?!\$\{|\$[A-Za-z_]|\"\"|'')"


@dataclass(frozen=True)
class Kind:
    """One kind of credential file: which paths (the tail of the path), what it is, how to confirm."""

    tails: tuple[str, ...]
    what: str
    confirm: Callable[[bytes], bool]


GCLOUD_ADC = Kind(
    (".config/gcloud/application_default_credentials.json",),
    "Google application default credentials",
    _pattern(rb"\"(?:private_key|refresh_token|client_secret)\"[ \t]*:[ \t]*\"[^\"]"),
)
KINDS = (
    Kind(
        (".aws/credentials",),
        "AWS CLI credentials",
        _pattern(
            rb"^[ \t]*(?:aws_secret_access_key|aws_session_token)[ \t]*=[ \t]*" + _NO_REFERENCE + rb"\S"
        ),
    ),
    Kind(
        (".config/gcloud/credentials.db", ".config/gcloud/access_tokens.db"),
        "Google Cloud SDK credential database",
        _not_blank,
    ),
    GCLOUD_ADC,
    Kind(
        (".azure/accessTokens.json", ".azure/msal_token_cache.json", ".azure/msal_token_cache.bin"),
        "Azure CLI token cache",
        _not_blank,
    ),
    Kind((".azure/service_principal_entries.json",), "Azure CLI service principal secrets", _not_blank),
    Kind(
        (".kube/config",),
        "kubeconfig with user credentials",
        _pattern(
            rb"^[ \t]*(?:token|client-key-data|password|id-token|refresh-token)[ \t]*:[ \t]*"
            + _NO_REFERENCE
            + rb"\S"
        ),
    ),
    Kind((".docker/config.json",), "Docker registry credentials", _docker_auths),
    Kind(
        (".git-credentials",), "git credential store", _pattern(rb"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s]+@")
    ),
    Kind((".netrc", "_netrc"), "netrc password", _pattern(rb"(?:^|\s)password\s+" + _NO_REFERENCE + rb"\S")),
    Kind(
        (".npmrc",),
        "npm registry token",
        _pattern(rb"^[ \t]*(?:\S*:)?(?:_authToken|_auth|_password)[ \t]*=[ \t]*" + _NO_REFERENCE + rb"\S"),
    ),
    Kind(
        (".pypirc",),
        "PyPI upload password",
        _pattern(rb"^[ \t]*password[ \t]*[=:][ \t]*" + _NO_REFERENCE + rb"\S"),
    ),
    Kind(
        (".config/gh/hosts.yml",),
        "GitHub CLI token",
        _pattern(rb"^[ \t]*oauth_token[ \t]*:[ \t]*" + _NO_REFERENCE + rb"\S"),
    ),
    Kind(
        (".git/config",),
        "git remote URL or HTTP header with credentials",
        _pattern(
            rb"^[ \t]*(?:url[ \t]*=[ \t]*[a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s/]+@"
            rb"|extraheader[ \t]*=[ \t]*authorization:[ \t]*\S)"
        ),
    ),
)
LEGACY_GCLOUD = ".config/gcloud/legacy_credentials/"


def kind_of(path: str) -> Kind | None:
    """The kind of credential file at ``path`` (relative, no leading slash), if any."""
    for kind in KINDS:
        for tail in kind.tails:
            if path == tail or path.endswith("/" + tail):
                return kind
    if path.endswith("/adc.json") and f"/{LEGACY_GCLOUD}" in f"/{path}":
        return GCLOUD_ADC
    return None


_BASENAMES = frozenset({tail.rpartition("/")[2] for kind in KINDS for tail in kind.tails} | {"adc.json"})


@register
class CredentialFileAnalyzer(Analyzer):
    name = "audit-credentials"
    version = 1
    scanner: ClassVar[str] = "config"
    max_size = MAX_CREDENTIAL_FILE
    basenames: ClassVar[frozenset[str]] = _BASENAMES

    def wants(self, path: str, info: FileInfo) -> bool:
        if info.kind is not FileKind.REGULAR or not 0 < info.size <= MAX_CREDENTIAL_FILE:
            return False
        return path.rpartition("/")[2] in _BASENAMES and kind_of(path) is not None and not allowed_path(path)

    def analyze(self, path: str, content: bytes) -> Facts:
        kind = kind_of(path)
        if kind is None or not kind.confirm(content[:MAX_CREDENTIAL_FILE]):
            return Facts()
        message = f"{kind.what} in {path} (values not shown): anyone who pulls the image can use them"
        return Facts(
            findings=(finding(CREDENTIAL_FILE, message, path, properties={"credential": kind.what}),)
        )
