"""Secrets in image files: the text files likely to hold credentials, scanned by :mod:`seawall.secrets`.

Which files: configuration and environment files, keys and certificates, credential files of common
tools (``.npmrc``, ``.pypirc``, ``.netrc``, ``.git-credentials``, ``.docker/config.json``, AWS
``credentials``), scripts and application source code, Dockerfiles, Terraform state, executables in
``usr/local/bin`` (scripts there are read; binaries are dropped as binary), all up to 1 MiB. Not read:
documentation, tests and examples (the allow rules of :mod:`seawall.secrets.allow`), and source code
of third-party libraries (``site-packages``, ``node_modules``, a runtime's ``usr/lib/python3*``),
where credentials are test data and examples; credential files there (a ``.env``, a key, an
``.npmrc`` shipped by mistake) are still read.

Each secret becomes a :class:`~seawall.model.CheckResult` in :attr:`Facts.findings` with a redacted
match and a fingerprint; the secret itself is never kept.
"""

from __future__ import annotations

from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, FileInfo, register
from seawall.model import Facts
from seawall.secrets.allow import MAX_FILE_SIZE, allowed_path, in_library_tree

# Files that are credentials by name, wherever they are.
CREDENTIAL_BASENAMES = frozenset(
    {
        ".env",
        ".env.local",
        ".env.prod",
        ".env.production",
        ".env.dev",
        ".env.development",
        ".env.staging",
        ".envrc",
        ".npmrc",
        ".yarnrc",
        ".yarnrc.yml",
        ".pypirc",
        ".netrc",
        ".git-credentials",
        ".gitconfig",
        ".s3cfg",
        ".pgpass",
        ".my.cnf",
        ".boto",
        "credentials",
        "config",
        "kubeconfig",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "secrets",
    }
)
CREDENTIAL_SUFFIXES = (".env", ".pem", ".key", ".p8", ".tfstate", ".tfvars", ".credentials")
# Text files of configuration, scripts and source code.
TEXT_SUFFIXES = (
    ".json",
    ".yaml",
    ".yml",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".config",
    ".cnf",
    ".properties",
    ".xml",
    ".txt",
    ".tf",
    ".hcl",
    ".sh",
    ".bash",
    ".zsh",
    ".ps1",
    ".py",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".rb",
    ".php",
    ".go",
    ".java",
    ".cs",
    ".gradle",
    ".crt",
)
OTHER_BASENAMES = frozenset({"Dockerfile", "Containerfile", "docker-entrypoint", "entrypoint"})
SCRIPT_PREFIXES = ("usr/local/bin/", "usr/local/sbin/")


@register
class SecretsAnalyzer(Analyzer):
    """Secrets (keys, tokens, passwords) in the text files of a layer."""

    name = "secrets"
    version = 1
    scanner = "secret"
    max_size = MAX_FILE_SIZE
    basenames: ClassVar[frozenset[str]] = CREDENTIAL_BASENAMES | OTHER_BASENAMES
    suffixes: ClassVar[tuple[str, ...]] = CREDENTIAL_SUFFIXES + TEXT_SUFFIXES
    prefixes: ClassVar[tuple[str, ...]] = SCRIPT_PREFIXES

    def wants(self, path: str, info: FileInfo) -> bool:
        if info.size == 0 or info.size > self.max_size:
            return False
        name = path[path.rfind("/") + 1 :]
        lowered = name.lower()
        credential = name in CREDENTIAL_BASENAMES or lowered.endswith(CREDENTIAL_SUFFIXES)
        if not credential:
            if in_library_tree(path):
                return False
            text = name in OTHER_BASENAMES or lowered.endswith(TEXT_SUFFIXES)
            if not text and not (path.startswith(SCRIPT_PREFIXES) and info.executable):
                return False
        return not allowed_path(path)

    def analyze(self, path: str, content: bytes) -> Facts:
        from seawall.secrets.scanner import scan  # the rules compile on first use, not at start-up

        result = scan(path, content)
        return Facts(
            findings=tuple(finding.to_check_result() for finding in result.findings),
            warnings=result.warnings,
        )
