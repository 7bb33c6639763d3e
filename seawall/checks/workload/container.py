"""Container settings as Compose services and ``docker run`` flags express them, and their checks.

Both front ends (:mod:`.compose`, :mod:`.docker_run`) fill a :class:`ContainerSettings`; one set of
checks runs over it, reporting with the family's rules (same number, same idea).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from seawall.checks.model import Rule
from seawall.checks.workload.common import (
    Emitter,
    capability_name,
    has_variable,
    parse_image,
    runtime_socket,
    secret_in_env,
    sensitive_host_path,
)
from seawall.checks.workload.loader import Path
from seawall.checks.workload.pss import BASELINE_CAPABILITIES, SAFE_SYSCTLS, SELINUX_TYPES

HOST = "host"


@dataclass(frozen=True)
class Value:
    value: Any
    path: Path


@dataclass(frozen=True)
class Mount:
    kind: str  # "bind", "volume", "tmpfs"
    source: str
    target: str
    path: Path


@dataclass
class ContainerSettings:
    """What one container will run with; ``None`` means "not set" (the engine's default applies)."""

    name: str
    anchor: Path  # where results about missing settings point
    image: Value | None = None
    builds_image: bool = False
    privileged: Value | None = None
    user: Value | None = None
    cap_add: list[Value] = field(default_factory=list)
    cap_drop: list[Value] = field(default_factory=list)
    read_only: Value | None = None
    implicit_tmpfs: bool = False  # podman --read-only mounts tmpfs on /tmp, /var/tmp, /run by default
    security_opt: list[Value] = field(default_factory=list)
    namespaces: dict[str, Value] = field(default_factory=dict)  # network, pid, ipc, uts, userns, cgroup
    mounts: list[Mount] = field(default_factory=list)
    devices: list[Value] = field(default_factory=list)
    sysctls: list[Value] = field(default_factory=list)  # value: the sysctl's name
    env: list[tuple[str, Any, Path]] = field(default_factory=list)
    memory_limit: Value | None = None
    pids_limit: Value | None = None
    ports: list[Value] = field(default_factory=list)  # value: the host address ("" = all interfaces)


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"))


def split_option(text: str) -> tuple[str, str]:
    """``seccomp=unconfined`` / ``seccomp:unconfined`` -> (``seccomp``, ``unconfined``)."""
    positions = [p for p in (text.find("="), text.find(":")) if p >= 0]
    if not positions:
        return text.strip().lower(), ""
    cut = min(positions)
    return text[:cut].strip().lower(), text[cut + 1 :].strip()


def port_host_address(spec: str) -> str:
    """The host address of a short port spec ``[IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`` ("" = all)."""
    text = spec.strip()
    if text.startswith("["):  # [::1]:8080:80
        address, _, _ = text[1:].partition("]")
        return "" if address in ("", "::") else address
    parts = text.split(":")
    if len(parts) >= 3:
        return "" if parts[0] in ("", "0.0.0.0") else parts[0]
    return ""


def is_root_user(value: Any) -> bool:
    name = str(value).split(":", 1)[0].strip()
    return name in ("0", "root")


def check_container(s: ContainerSettings, rules: Mapping[str, Rule], emit: Emitter, who: str) -> None:
    """Every container-settings check on one service or command line."""
    if s.privileged is not None and truthy(s.privileged.value):
        emit.add(rules["privileged"], f"{who} is privileged", s.privileged.path, who)
    _user(s, rules, emit, who)
    _capabilities(s, rules, emit, who)
    _security_options(s, rules, emit, who)
    _filesystem(s, rules, emit, who)
    for namespace, key in (("network", "host-network"), ("pid", "host-pid"), ("ipc", "host-ipc")):
        setting = s.namespaces.get(namespace)
        if setting is not None and str(setting.value).strip().lower() == HOST:
            emit.add(rules[key], f"{who} shares the host {namespace} namespace", setting.path, who)
    for namespace in ("uts", "userns", "cgroup"):
        setting = s.namespaces.get(namespace)
        if setting is not None and str(setting.value).strip().lower() == HOST:
            emit.add(
                rules["host-other-namespace"],
                f"{who} shares the host {namespace} namespace",
                setting.path,
                who,
            )
    for device in s.devices:
        emit.add(rules["devices"], f"{who} maps host device {device.value}", device.path, who)
    for sysctl in s.sysctls:
        if str(sysctl.value) not in SAFE_SYSCTLS:
            emit.add(rules["sysctl"], f"{who} sets sysctl {sysctl.value}", sysctl.path, who)
    _image(s, rules, emit, who)
    missing = [label for label, v in (("memory", s.memory_limit), ("PIDs", s.pids_limit)) if v is None]
    if missing:
        emit.add(rules["resource-limits"], f"{who} has no {' or '.join(missing)} limit", s.anchor, who)
    for name, value, path in s.env:
        why = secret_in_env(name, value)
        if why:
            emit.add(rules["env-secret"], f"{who} environment {name}: {why}", path, who)
    for port in s.ports:
        if port.value == "":
            emit.add(
                rules["port-all-interfaces"], f"{who} publishes a port on all host interfaces", port.path, who
            )


def _user(s: ContainerSettings, rules: Mapping[str, Rule], emit: Emitter, who: str) -> None:
    if s.user is None or str(s.user.value).strip() == "":
        emit.add(
            rules["user-unset"], f"{who} sets no user (the image's USER, often root, applies)", s.anchor, who
        )
    elif is_root_user(s.user.value):
        emit.add(rules["user-root"], f"{who} runs as root (user {s.user.value})", s.user.path, who)


def _capabilities(s: ContainerSettings, rules: Mapping[str, Rule], emit: Emitter, who: str) -> None:
    if not any(capability_name(v.value) == "ALL" for v in s.cap_drop):
        path = s.cap_drop[0].path[:-1] if s.cap_drop else s.anchor
        emit.add(rules["caps-not-dropped"], f"{who} does not drop ALL capabilities", path, who)
    for added in s.cap_add:
        name = capability_name(added.value)
        if name not in BASELINE_CAPABILITIES:
            emit.add(rules["caps-dangerous"], f"{who} adds capability {name}", added.path, who)


def _security_options(s: ContainerSettings, rules: Mapping[str, Rule], emit: Emitter, who: str) -> None:
    no_new_privileges = False
    for option in s.security_opt:
        key, value = split_option(str(option.value))
        lowered = value.lower()
        if key == "no-new-privileges":
            no_new_privileges = lowered in ("", "true")
        elif key == "seccomp" and lowered == "unconfined":
            emit.add(rules["seccomp-unconfined"], f"{who} runs without seccomp", option.path, who)
        elif key == "apparmor" and lowered == "unconfined":
            emit.add(rules["apparmor-unconfined"], f"{who} runs without AppArmor", option.path, who)
        elif key == "label" and (lowered == "disable" or _custom_selinux_type(value)):
            emit.add(rules["selinux-disabled"], f"{who} sets SELinux option {option.value}", option.path, who)
        elif key == "systempaths" and lowered == "unconfined":
            emit.add(rules["unmasked-paths"], f"{who} unmasks /proc and /sys paths", option.path, who)
    if not no_new_privileges:
        emit.add(rules["no-new-privileges"], f"{who} does not set no-new-privileges", s.anchor, who)


def _custom_selinux_type(value: str) -> bool:
    key, selinux_type = split_option(value)
    return key == "type" and selinux_type not in SELINUX_TYPES


def _filesystem(s: ContainerSettings, rules: Mapping[str, Rule], emit: Emitter, who: str) -> None:
    read_only = s.read_only is not None and truthy(s.read_only.value)
    if not read_only:
        path = s.read_only.path if s.read_only is not None else s.anchor
        emit.add(rules["read-only"], f"{who} has a writable root filesystem", path, who)
    elif not s.implicit_tmpfs and not any(m.target.rstrip("/") == "/tmp" for m in s.mounts):
        path = s.read_only.path if s.read_only is not None else s.anchor
        emit.add(
            rules["read-only-no-tmpfs"], f"{who} has a read-only root but nothing writable at /tmp", path, who
        )
    for mount in s.mounts:
        if mount.kind != "bind" or (has_variable(mount.source) and not mount.source.startswith("/")):
            continue
        socket = runtime_socket(mount.source)
        if socket:
            message = f"{who} mounts {mount.source} (exposes the runtime socket {socket})"
            emit.add(rules["runtime-socket"], message, mount.path, who)
            continue
        sensitive = sensitive_host_path(mount.source)
        if sensitive:
            emit.add(rules["sensitive-mount"], f"{who} mounts host path {mount.source}", mount.path, who)


def _image(s: ContainerSettings, rules: Mapping[str, Rule], emit: Emitter, who: str) -> None:
    if s.image is None or s.builds_image:
        return
    text = str(s.image.value)
    if not text.strip() or has_variable(text):
        return
    image = parse_image(text)
    if image.uses_latest:
        detail = "the latest tag" if image.tag else "no tag (latest)"
        emit.add(rules["image-latest"], f"{who} image {text} uses {detail}", s.image.path, who)
    if not image.pinned:
        emit.add(rules["image-digest"], f"{who} image {text} is not pinned by digest", s.image.path, who)
