"""OCI runtime bundle config.json (runtime-spec config.md / config-linux.md) checks."""

from __future__ import annotations

from typing import Any

from seawall.checks.workload.common import (
    Emitter,
    capability_name,
    runtime_socket,
    secret_in_env,
    sensitive_host_path,
)
from seawall.checks.workload.loader import mapping, sequence
from seawall.checks.workload.pss import BASELINE_CAPABILITIES, SAFE_SYSCTLS
from seawall.checks.workload.rules import oci_runtime as rules

CAPABILITY_SETS = ("bounding", "effective", "permitted", "inheritable", "ambient")
SHARED = ("shared", "rshared")


def check_oci(emit: Emitter) -> None:
    """Every check on one config.json."""
    config = mapping(emit.document.data)
    who = "process"
    process = mapping(config.get("process"))
    linux = mapping(config.get("linux"))
    user = mapping(process.get("user"))
    if user.get("uid", 0) == 0 and not _user_namespace(linux):
        emit.add(rules.ROOT_USER, "process runs as uid 0", ("process", "user"), who)
    if process.get("noNewPrivileges") is not True:
        emit.add(rules.NO_NEW_PRIVILEGES, "process.noNewPrivileges is not true", ("process",), who)
    _capabilities(process, emit)
    if mapping(config.get("root")).get("readonly") is not True:
        emit.add(rules.WRITABLE_ROOT, "root.readonly is not true", ("root",), who)
    _seccomp(linux, emit)
    profile = process.get("apparmorProfile")
    if profile in (None, "", "unconfined"):
        detail = "is unconfined" if profile == "unconfined" else "is not set"
        emit.add(rules.APPARMOR, f"process.apparmorProfile {detail}", ("process",), who)
    _namespaces(linux, emit)
    _mounts(config, emit)
    if not sequence(linux.get("maskedPaths")) or not sequence(linux.get("readonlyPaths")):
        missing = [k for k in ("maskedPaths", "readonlyPaths") if not sequence(linux.get(k))]
        emit.add(rules.UNMASKED, f"linux.{' and '.join(missing)} missing or empty", ("linux",), who)
    resources = mapping(linux.get("resources"))
    for position, device in enumerate(sequence(resources.get("devices"))):
        device = mapping(device)
        unrestricted = all(device.get(k) in (None, "a") for k in ("type", "major", "minor"))
        if device.get("allow") is True and unrestricted:
            path = ("linux", "resources", "devices", position)
            emit.add(rules.DEVICES, "a device rule allows every device", path, who)
    missing = [
        label
        for label, value in (
            ("memory", mapping(resources.get("memory")).get("limit")),
            ("PIDs", mapping(resources.get("pids")).get("limit")),
        )
        if value in (None, 0, -1)
    ]
    if missing:
        emit.add(rules.LIMITS, f"no {' or '.join(missing)} limit", ("linux",), who)
    for name in mapping(linux.get("sysctl")):
        if name not in SAFE_SYSCTLS:
            emit.add(rules.SYSCTL, f"sysctl {name} is outside the safe set", ("linux", "sysctl", name), who)
    for position, item in enumerate(sequence(process.get("env"))):
        name, sep, value = str(item).partition("=")
        why = secret_in_env(name, value) if sep else ""
        if why:
            emit.add(rules.ENV_SECRET, f"environment {name}: {why}", ("process", "env", position), who)
    if linux.get("rootfsPropagation") in SHARED:
        message = f"rootfsPropagation is {linux['rootfsPropagation']}"
        emit.add(rules.SHARED_PROPAGATION, message, ("linux", "rootfsPropagation"), who)


def _user_namespace(linux: dict[str, Any]) -> bool:
    has_userns = any(mapping(ns).get("type") == "user" for ns in sequence(linux.get("namespaces")))
    return has_userns and bool(sequence(linux.get("uidMappings")))


def _capabilities(process: dict[str, Any], emit: Emitter) -> None:
    capabilities = mapping(process.get("capabilities"))
    kept: dict[str, None] = {}
    for set_name in CAPABILITY_SETS:
        for position, cap in enumerate(sequence(capabilities.get(set_name))):
            name = capability_name(cap)
            if name not in BASELINE_CAPABILITIES:
                message = f"capability {name} in the {set_name} set"
                emit.add(
                    rules.DANGEROUS_CAPS, message, ("process", "capabilities", set_name, position), "process"
                )
            elif name != "NET_BIND_SERVICE":
                kept.setdefault(name, None)
    if kept:
        message = f"capabilities kept: {', '.join(kept)}"
        emit.add(rules.CAPS_KEPT, message, ("process", "capabilities"), "process")


def _seccomp(linux: dict[str, Any], emit: Emitter) -> None:
    if linux.get("seccomp") is None:
        emit.add(rules.NO_SECCOMP, "linux.seccomp is absent: no system call filter", ("linux",), "process")
        return
    seccomp = mapping(linux.get("seccomp"))
    default = str(seccomp.get("defaultAction", ""))
    if default in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG"):
        denies = any(
            str(mapping(rule).get("action", "")) not in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG")
            for rule in sequence(seccomp.get("syscalls"))
        )
        if not denies:
            message = f"seccomp defaultAction {default} and no rule denies anything"
            emit.add(rules.SECCOMP_ALLOW_ALL, message, ("linux", "seccomp", "defaultAction"), "process")


def _namespaces(linux: dict[str, Any], emit: Emitter) -> None:
    own: set[str] = set()
    for ns in sequence(linux.get("namespaces")):
        ns = mapping(ns)
        if ns.get("type") and not ns.get("path"):
            own.add(str(ns["type"]))
    shared = [t for t in ("pid", "network", "ipc") if t not in own]
    if shared:
        message = f"no own {', '.join(shared)} namespace: the host's is shared"
        emit.add(rules.HOST_NAMESPACE, message, ("linux", "namespaces"), "process")
    other = [t for t in ("mount", "uts") if t not in own]
    if other:
        message = f"no own {', '.join(other)} namespace: the host's is shared"
        emit.add(rules.HOST_NAMESPACE_OTHER, message, ("linux", "namespaces"), "process")


def _read_only_sysfs(mount: dict[str, Any], options: list[str]) -> bool:
    """A read-only bind of /sys on /sys: what `runc spec --rootless` uses in place of a sysfs mount."""
    return mount.get("source") == mount.get("destination") == "/sys" and "ro" in options


def _mounts(config: dict[str, Any], emit: Emitter) -> None:
    for position, mount in enumerate(sequence(config.get("mounts"))):
        mount = mapping(mount)
        options = [str(o) for o in sequence(mount.get("options"))]
        is_bind = mount.get("type") == "bind" or "bind" in options or "rbind" in options
        source = str(mount.get("source", ""))
        path = ("mounts", position)
        if is_bind:
            socket = runtime_socket(source)
            if socket:
                emit.add(rules.RUNTIME_SOCKET, f"bind mount of {source} exposes {socket}", path, "process")
            elif sensitive_host_path(source) and not _read_only_sysfs(mount, options):
                emit.add(rules.SENSITIVE_MOUNT, f"bind mount of host path {source}", path, "process")
        if any(o in SHARED for o in options):
            emit.add(rules.SHARED_PROPAGATION, f"mount {mount.get('destination')} is shared", path, "process")
