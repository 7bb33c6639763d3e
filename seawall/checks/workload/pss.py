"""The Kubernetes Pod Security Standards, evaluated on one pod spec as the upstream document defines them.

Source: kubernetes/website ``content/en/docs/concepts/security/pod-security-standards.md`` (the
"latest" policy: Baseline and Restricted tables, the Windows ``spec.os.name`` relaxations) and
``docs/concepts/workloads/pods/user-namespaces.md`` (``hostUsers: false`` lifts the restricted
runAsNonRoot and runAsUser controls). Every control lists its restricted fields and allowed values;
each function below is one control, with the same field list and the same allowed values.

A pod satisfies *restricted* when no control of either table fails, *baseline* when no baseline
control fails, and otherwise only *privileged* (which has no controls).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from seawall.checks.workload.loader import Path, mapping, sequence
from seawall.checks.workload.pods import Container, PodRef


class Level(enum.IntEnum):
    PRIVILEGED = 0
    BASELINE = 1
    RESTRICTED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Violation:
    """One field failing one control. ``level`` is the policy whose table lists the control."""

    level: Level
    control: str  # the control's name in the upstream table, e.g. "Host Namespaces"
    check: str  # a finer key the rule catalogue maps to a rule, e.g. "hostNetwork"
    message: str
    path: Path
    container: str = ""
    detail: str = ""  # the offending value where a rule needs it (a hostPath's path)


@dataclass(frozen=True)
class Assessment:
    """The highest level a pod satisfies and every violation found."""

    level: Level
    violations: tuple[Violation, ...]

    def failed_controls(self, level: Level) -> list[str]:
        """Names of the controls of ``level``'s table that fail, in table order, without repeats."""
        seen: dict[str, None] = {}
        for violation in self.violations:
            if violation.level == level:
                seen.setdefault(violation.control, None)
        return list(seen)


BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
RESTRICTED_VOLUME_SOURCES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})
SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")

_B, _R = Level.BASELINE, Level.RESTRICTED


def _is_windows(pod: PodRef) -> bool:
    return mapping(pod.spec.get("os")).get("name") == "windows"


def _user_namespaced(pod: PodRef) -> bool:
    return pod.spec.get("hostUsers") is False


def _security_contexts(pod: PodRef) -> Iterator[tuple[str, dict[str, Any], Path]]:
    """("pod", pod securityContext, path), then each container's, labelled."""
    yield "pod", pod.security_context, pod.sc_path
    for container in pod.containers():
        yield container.label, container.security_context, container.sc_path


# --- Baseline ---------------------------------------------------------------------------------------


def host_process(pod: PodRef) -> Iterator[Violation]:
    for who, sc, path in _security_contexts(pod):
        if mapping(sc.get("windowsOptions")).get("hostProcess") is True:
            yield Violation(
                _B, "HostProcess", "hostProcess", f"{who} sets windowsOptions.hostProcess=true", path
            )


def host_namespaces(pod: PodRef) -> Iterator[Violation]:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.spec.get(field) is True:
            message = f"pod sets {field}=true"
            yield Violation(_B, "Host Namespaces", field, message, (*pod.spec_path, field))


def privileged(pod: PodRef) -> Iterator[Violation]:
    for c in pod.containers():
        if c.security_context.get("privileged") is True:
            path = (*c.sc_path, "privileged")
            yield Violation(
                _B, "Privileged Containers", "privileged", f"{c.label} is privileged", path, c.name
            )


def _capabilities(c: Container) -> dict[str, Any]:
    return mapping(c.security_context.get("capabilities"))


def capabilities_baseline(pod: PodRef) -> Iterator[Violation]:
    for c in pod.containers():
        added = [str(cap) for cap in sequence(_capabilities(c).get("add"))]
        extra = [cap for cap in added if cap not in BASELINE_CAPABILITIES]
        if extra:
            path = (*c.sc_path, "capabilities", "add")
            message = f"{c.label} adds {', '.join(extra)} (beyond the baseline's allowed set)"
            yield Violation(_B, "Capabilities", "capabilities-add-baseline", message, path, c.name)


def host_path_volumes(pod: PodRef) -> Iterator[Violation]:
    for position, volume in enumerate(sequence(pod.spec.get("volumes"))):
        volume = mapping(volume)
        if volume.get("hostPath") is not None:
            where = mapping(volume["hostPath"]).get("path", "?")
            message = f"volume '{volume.get('name', position)}' is a hostPath ({where})"
            path = (*pod.spec_path, "volumes", position, "hostPath")
            yield Violation(_B, "HostPath Volumes", "hostPath", message, path, detail=str(where))


def host_ports(pod: PodRef) -> Iterator[Violation]:
    for c in pod.containers():
        for position, port in enumerate(sequence(c.data.get("ports"))):
            value = mapping(port).get("hostPort")
            if value not in (None, 0, "0"):
                path = (*c.path, "ports", position, "hostPort")
                yield Violation(
                    _B, "Host Ports", "hostPort", f"{c.label} uses hostPort {value}", path, c.name
                )


def host_probes(pod: PodRef) -> Iterator[Violation]:
    for c in pod.containers():
        handlers: list[tuple[str, Any, Path]] = [(p, c.data.get(p), (*c.path, p)) for p in PROBES]
        lifecycle = mapping(c.data.get("lifecycle"))
        handlers += [(f"lifecycle.{h}", lifecycle.get(h), (*c.path, "lifecycle", h)) for h in HOOKS]
        for label, handler, path in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = mapping(mapping(handler).get(action)).get("host")
                if host not in (None, ""):
                    message = f"{c.label} {label}.{action}.host is '{host}'"
                    where = (*path, action, "host")
                    yield Violation(_B, "Host Probes / Lifecycle Hooks", "hostProbe", message, where, c.name)


def app_armor(pod: PodRef) -> Iterator[Violation]:
    for who, sc, path in _security_contexts(pod):
        profile = sc.get("appArmorProfile")
        if profile is None:
            continue
        kind = mapping(profile).get("type")
        if kind is not None and kind not in APPARMOR_TYPES:
            message = f"{who} sets appArmorProfile.type={kind}"
            yield Violation(_B, "AppArmor", "appArmor", message, (*path, "appArmorProfile", "type"))
    for key, value in pod.annotations.items():
        if key.startswith(APPARMOR_ANNOTATION):
            text = str(value) if value is not None else None
            if text is None or text == "runtime/default" or text.startswith("localhost/"):
                continue
            message = f"annotation {key}={text}"
            yield Violation(_B, "AppArmor", "appArmor", message, (*pod.metadata_path, "annotations", key))


def se_linux(pod: PodRef) -> Iterator[Violation]:
    for who, sc, path in _security_contexts(pod):
        options = sc.get("seLinuxOptions")
        if options is None:
            continue
        options = mapping(options)
        selinux_type = options.get("type")
        if selinux_type is not None and str(selinux_type) not in SELINUX_TYPES:
            message = f"{who} sets seLinuxOptions.type={selinux_type}"
            yield Violation(_B, "SELinux", "seLinux", message, (*path, "seLinuxOptions", "type"))
        for field in ("user", "role"):
            if options.get(field) not in (None, ""):
                message = f"{who} sets seLinuxOptions.{field}={options[field]}"
                yield Violation(_B, "SELinux", "seLinux", message, (*path, "seLinuxOptions", field))


def proc_mount(pod: PodRef) -> Iterator[Violation]:
    for c in pod.containers():
        value = c.security_context.get("procMount")
        if value is not None and value != "Default":
            path = (*c.sc_path, "procMount")
            yield Violation(
                _B, "/proc Mount Type", "procMount", f"{c.label} sets procMount={value}", path, c.name
            )


def seccomp_baseline(pod: PodRef) -> Iterator[Violation]:
    for who, sc, path in _security_contexts(pod):
        kind = mapping(sc.get("seccompProfile")).get("type")
        if kind == "Unconfined":
            message = f"{who} sets seccompProfile.type=Unconfined"
            yield Violation(_B, "Seccomp", "seccomp-unconfined", message, (*path, "seccompProfile", "type"))


def sysctls(pod: PodRef) -> Iterator[Violation]:
    for position, item in enumerate(sequence(pod.security_context.get("sysctls"))):
        name = mapping(item).get("name")
        if str(name) not in SAFE_SYSCTLS:
            path = (*pod.sc_path, "sysctls", position)
            yield Violation(_B, "Sysctls", "sysctl", f"pod sets unsafe sysctl {name}", path)


# --- Restricted -------------------------------------------------------------------------------------


def volume_types(pod: PodRef) -> Iterator[Violation]:
    for position, volume in enumerate(sequence(pod.spec.get("volumes"))):
        volume = mapping(volume)
        if any(volume.get(source) is not None for source in RESTRICTED_VOLUME_SOURCES):
            continue
        if volume.get("hostPath") is not None:
            continue  # already a baseline violation (HostPath Volumes); the same field, reported once
        kinds = [k for k in volume if k != "name"] or ["(no source)"]
        message = f"volume '{volume.get('name', position)}' is of type {', '.join(kinds)}"
        path = (*pod.spec_path, "volumes", position)
        yield Violation(_R, "Volume Types", "volumeType", message, path)


def privilege_escalation(pod: PodRef) -> Iterator[Violation]:
    if _is_windows(pod):
        return
    for c in pod.containers():
        if c.security_context.get("allowPrivilegeEscalation") is not False:
            path = (*c.sc_path, "allowPrivilegeEscalation")
            message = f"{c.label} does not set allowPrivilegeEscalation=false"
            yield Violation(_R, "Privilege Escalation", "allowPrivilegeEscalation", message, path, c.name)


def run_as_non_root(pod: PodRef) -> Iterator[Violation]:
    if _user_namespaced(pod):
        return
    pod_value = pod.security_context.get("runAsNonRoot")
    if pod_value is not None and pod_value is not True:
        path = (*pod.sc_path, "runAsNonRoot")
        yield Violation(_R, "Running as Non-root", "runAsNonRoot", "pod sets runAsNonRoot=false", path)
    for c in pod.containers():
        value = c.security_context.get("runAsNonRoot")
        if value is None:
            if pod_value is True:
                continue
            message = f"{c.label} does not set runAsNonRoot=true (nor does the pod)"
            yield Violation(_R, "Running as Non-root", "runAsNonRoot", message, c.sc_path, c.name)
        elif value is not True:
            path = (*c.sc_path, "runAsNonRoot")
            message = f"{c.label} sets runAsNonRoot=false"
            yield Violation(_R, "Running as Non-root", "runAsNonRoot", message, path, c.name)


def run_as_user(pod: PodRef) -> Iterator[Violation]:
    if _user_namespaced(pod):
        return
    for who, sc, path in _security_contexts(pod):
        value = sc.get("runAsUser")
        if value == 0 and not isinstance(value, bool):
            message = f"{who} sets runAsUser=0"
            yield Violation(_R, "Running as Non-root user", "runAsUser", message, (*path, "runAsUser"))


def seccomp_restricted(pod: PodRef) -> Iterator[Violation]:
    if _is_windows(pod):
        return
    pod_type = mapping(pod.security_context.get("seccompProfile")).get("type")
    pod_set = pod.security_context.get("seccompProfile") is not None
    if pod_set and pod_type not in SECCOMP_TYPES and pod_type != "Unconfined":
        path = (*pod.sc_path, "seccompProfile")
        yield Violation(_R, "Seccomp", "seccomp-missing", f"pod sets seccompProfile.type={pod_type}", path)
    pod_ok = pod_set and pod_type in SECCOMP_TYPES
    for c in pod.containers():
        profile = c.security_context.get("seccompProfile")
        if profile is None:
            if not pod_ok:
                message = f"{c.label} has no seccompProfile RuntimeDefault or Localhost (nor does the pod)"
                yield Violation(_R, "Seccomp", "seccomp-missing", message, c.sc_path, c.name)
            continue
        kind = mapping(profile).get("type")
        if kind not in SECCOMP_TYPES and kind != "Unconfined":  # Unconfined: a baseline violation already
            message = f"{c.label} sets seccompProfile.type={kind}"
            path = (*c.sc_path, "seccompProfile")
            yield Violation(_R, "Seccomp", "seccomp-missing", message, path, c.name)


def capabilities_restricted(pod: PodRef) -> Iterator[Violation]:
    if _is_windows(pod):
        return
    for c in pod.containers():
        capabilities = _capabilities(c)
        dropped = [str(cap) for cap in sequence(capabilities.get("drop"))]
        if "ALL" not in dropped:
            path = (*c.sc_path, "capabilities", "drop") if dropped else c.sc_path
            message = f"{c.label} does not drop ALL capabilities"
            yield Violation(_R, "Capabilities", "capabilities-drop", message, path, c.name)
        added = [str(cap) for cap in sequence(capabilities.get("add"))]
        extra = [cap for cap in added if cap != "NET_BIND_SERVICE" and cap in BASELINE_CAPABILITIES]
        if extra:
            path = (*c.sc_path, "capabilities", "add")
            message = f"{c.label} adds {', '.join(extra)} (restricted allows only NET_BIND_SERVICE)"
            yield Violation(_R, "Capabilities", "capabilities-add-restricted", message, path, c.name)


BASELINE_CONTROLS: tuple[Callable[[PodRef], Iterator[Violation]], ...] = (
    host_process,
    host_namespaces,
    privileged,
    capabilities_baseline,
    host_path_volumes,
    host_ports,
    host_probes,
    app_armor,
    se_linux,
    proc_mount,
    seccomp_baseline,
    sysctls,
)
RESTRICTED_CONTROLS: tuple[Callable[[PodRef], Iterator[Violation]], ...] = (
    volume_types,
    privilege_escalation,
    run_as_non_root,
    run_as_user,
    seccomp_restricted,
    capabilities_restricted,
)


def evaluate(pod: PodRef) -> Assessment:
    """Every control of both tables on ``pod``; the level is the highest one with no violation."""
    violations = [v for control in BASELINE_CONTROLS for v in control(pod)]
    baseline_ok = not violations
    violations += [v for control in RESTRICTED_CONTROLS for v in control(pod)]
    if not baseline_ok:
        level = Level.PRIVILEGED
    elif violations:
        level = Level.BASELINE
    else:
        level = Level.RESTRICTED
    return Assessment(level, tuple(violations))
