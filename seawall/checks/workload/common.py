"""Ideas shared by the Kubernetes, Compose, OCI runtime and docker-run checks: one implementation each."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from seawall.checks.model import CheckResult, Rule, SourceLocation
from seawall.checks.workload.loader import Document, Path

# --- results ----------------------------------------------------------------------------------------


@dataclass
class Emitter:
    """Collects results for one file, turning document paths into line numbers."""

    file: str
    document: Document
    results: list[CheckResult] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)  # added to every result (e.g. helm source)

    def location(self, path: Path) -> SourceLocation:
        return SourceLocation(self.file, self.document.line(path))

    def add(self, rule: Rule, message: str, path: Path, object_name: str, **properties: str) -> None:
        location = self.location(path)
        merged = {**self.properties, **properties}
        self.results.append(CheckResult(rule, message, location, object_name=object_name, properties=merged))


# --- capabilities -----------------------------------------------------------------------------------

# Capabilities that give a container a route to the host or to other workloads (capabilities(7)):
DANGEROUS_CAPABILITIES: dict[str, str] = {
    "ALL": "every capability",
    "SYS_ADMIN": "mount, namespaces, BPF and much more: close to root on the host",
    "SYS_MODULE": "load kernel modules",
    "SYS_PTRACE": "trace and inject into other processes",
    "SYS_RAWIO": "raw I/O ports and /dev/mem",
    "SYS_BOOT": "reboot the host",
    "SYS_TIME": "set the host clock",
    "DAC_READ_SEARCH": "bypass read permission checks (open_by_handle_at escapes)",
    "NET_ADMIN": "reconfigure interfaces, routes and firewall rules",
    "NET_RAW": "raw sockets: spoofing and ARP/DNS poisoning on the node network",
    "BPF": "load BPF programs",
    "PERFMON": "performance monitoring of the host",
    "SYSLOG": "read kernel addresses from the kernel log",
    "MAC_ADMIN": "change the mandatory access control policy",
    "MAC_OVERRIDE": "override the mandatory access control policy",
    "LINUX_IMMUTABLE": "change immutable and append-only file attributes",
    "SYS_RESOURCE": "override resource limits",
    "BLOCK_SUSPEND": "block system suspend",
    "WAKE_ALARM": "wake the system",
    "AUDIT_CONTROL": "change the kernel audit rules",
    "IPC_OWNER": "bypass IPC permission checks",
    "CHECKPOINT_RESTORE": "checkpoint and restore processes",
}


def capability_name(text: object) -> str:
    """``cap_sys_admin``, ``CAP_SYS_ADMIN``, ``sys_admin`` -> ``SYS_ADMIN`` (Docker's, OCI's spellings)."""
    name = str(text).strip().upper()
    return name[4:] if name.startswith("CAP_") else name


# --- host paths -------------------------------------------------------------------------------------

RUNTIME_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/var/run/crio/crio.sock",
    "/run/podman/podman.sock",
    "/var/run/podman/podman.sock",
    "/run/cri-dockerd.sock",
    "/var/run/cri-dockerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/buildkit/buildkitd.sock",
)
_SOCKET_NAMES = (
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "cri-dockerd.sock",
    "buildkitd.sock",
)

SENSITIVE_HOST_PATHS = (
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/proc",
    "/root",
    "/sys",
    "/usr",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/log",
    "/var/run",
    "/run",
)


def normalize_host_path(text: str) -> str:
    return posixpath.normpath(text.strip()) if text.strip().startswith("/") else text.strip()


def runtime_socket(host_path: str) -> str:
    """The container runtime socket a host path exposes ("" if none): the socket or a directory above it."""
    path = normalize_host_path(host_path)
    if not path.startswith("/"):
        return ""
    if posixpath.basename(path) in _SOCKET_NAMES:
        return path
    for socket in RUNTIME_SOCKETS:
        if path == "/" or socket.startswith(path.rstrip("/") + "/"):
            return socket
    return ""


def sensitive_host_path(host_path: str) -> str:
    """The sensitive host directory a path is or lies under ("" if none)."""
    path = normalize_host_path(host_path)
    if not path.startswith("/"):
        return ""
    for sensitive in SENSITIVE_HOST_PATHS:
        if path == sensitive or (sensitive != "/" and path.startswith(sensitive + "/")):
            return sensitive
    return ""


# --- images -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRef:
    text: str
    tag: str  # "" when none is given (which means latest)
    digest: str

    @property
    def uses_latest(self) -> bool:
        return not self.digest and self.tag in ("", "latest")

    @property
    def pinned(self) -> bool:
        return bool(self.digest)


def parse_image(text: str) -> ImageRef:
    """Split an image reference into tag and digest (``host:5000/a/b:1.2@sha256:...``)."""
    name, _, digest = text.strip().partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    return ImageRef(text.strip(), tag, digest)


def has_variable(text: str) -> bool:
    """Does the value still hold an unexpanded variable (``${TAG}``, ``$(VAR)``, ``{{ .Values }}``)?"""
    return "${" in text or "$(" in text or "{{" in text or bool(re.search(r"\$[A-Za-z_]", text))


# --- secrets in environment variables ---------------------------------------------------------------

_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|"
    r"CLIENT_?SECRET|DB_?PASS|_PASS$|^PASS$|_PWD$|^PWD_)",
    re.IGNORECASE,
)
_NOT_SECRET_NAME = re.compile(
    r"(_FILE|_PATH|_DIR|_URL_?FILE|_ENABLED|_TTL|_TIMEOUT|_EXPIRY|_EXPIRES|_LENGTH|_SIZE|_TYPE|_HEADER|_NAME|"
    r"_ENDPOINT|_URI|_URL|_REF|_KEYS?_ID|_ID)$",
    re.IGNORECASE,
)
_SECRET_VALUE = (
    re.compile(r"^AKIA[0-9A-Z]{16}$"),  # AWS access key ID
    re.compile(r"^gh[pousr]_[A-Za-z0-9]{36,}$"),  # GitHub tokens
    re.compile(r"^xox[abpr]-[A-Za-z0-9-]{10,}$"),  # Slack tokens
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"^sk_live_[A-Za-z0-9]{20,}$"),  # Stripe secret key
    re.compile(r"^glpat-[A-Za-z0-9_-]{20,}$"),  # GitLab personal access token
)
_PLACEHOLDER = re.compile(
    r"^(changeme|change-me|replace-?me|xxx+|\*+|<.*>|todo|none|null|example|dummy)$", re.I
)


def secret_in_env(name: str, value: Any) -> str:
    """Why a literal environment value looks like a secret ("" if it does not)."""
    if value is None or isinstance(value, bool):
        return ""
    text = str(value)
    for pattern in _SECRET_VALUE:
        if pattern.search(text):
            return "its value has the shape of a credential"
    if not _SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name):
        return ""
    if len(text) < 4 or has_variable(text) or _PLACEHOLDER.match(text) or text.lower() in ("true", "false"):
        return ""
    if text.startswith("/") and " " not in text:
        return ""  # a path to a mounted secret file
    return f"'{name}' is given a literal value"
