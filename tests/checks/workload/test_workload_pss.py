"""Pod Security Standards: each control of the upstream document, with a passing and a failing pod.

Expected values are the document's own (kubernetes/website, concepts/security/pod-security-standards.md):
the control names, their restricted fields and allowed values; and the user namespaces page for
hostUsers: false.
"""

from __future__ import annotations

from typing import Any

import pytest

from seawall.checks.workload.pss import Level
from tests.checks.workload.helpers import assess

C = {"name": "c", "image": "x:1"}
RESTRICTED_SC = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
RESTRICTED_POD: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{**C, "securityContext": RESTRICTED_SC}],
}


def restricted(**changes: Any) -> dict[str, Any]:
    """The restricted pod with top-level spec fields replaced."""
    return {**RESTRICTED_POD, **changes}


def with_container_sc(**fields: Any) -> dict[str, Any]:
    return restricted(containers=[{**C, "securityContext": {**RESTRICTED_SC, **fields}}])


def with_pod_sc(**fields: Any) -> dict[str, Any]:
    return restricted(securityContext={**RESTRICTED_POD["securityContext"], **fields})


def test_minimal_pod_is_baseline_and_restricted_pod_is_restricted() -> None:
    # "Baseline ... Allows the default (minimally specified) Pod configuration."
    assert assess({"containers": [C]}).level is Level.BASELINE
    assert assess(RESTRICTED_POD).level is Level.RESTRICTED


BASELINE_FAILURES = [
    ("HostProcess", with_pod_sc(windowsOptions={"hostProcess": True})),
    ("HostProcess", with_container_sc(windowsOptions={"hostProcess": True})),
    ("Host Namespaces", restricted(hostNetwork=True)),
    ("Host Namespaces", restricted(hostPID=True)),
    ("Host Namespaces", restricted(hostIPC=True)),
    ("Privileged Containers", with_container_sc(privileged=True)),
    ("Capabilities", with_container_sc(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})),
    ("Capabilities", with_container_sc(capabilities={"drop": ["ALL"], "add": ["NET_RAW"]})),
    ("HostPath Volumes", restricted(volumes=[{"name": "v", "hostPath": {"path": "/data"}}])),
    (
        "Host Ports",
        restricted(
            containers=[
                {**C, "securityContext": RESTRICTED_SC, "ports": [{"containerPort": 80, "hostPort": 80}]}
            ]
        ),
    ),
    (
        "Host Probes / Lifecycle Hooks",
        restricted(
            containers=[
                {
                    **C,
                    "securityContext": RESTRICTED_SC,
                    "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}},
                }
            ]
        ),
    ),
    (
        "Host Probes / Lifecycle Hooks",
        restricted(
            containers=[
                {
                    **C,
                    "securityContext": RESTRICTED_SC,
                    "lifecycle": {"preStop": {"tcpSocket": {"host": "db", "port": 5432}}},
                }
            ]
        ),
    ),
    ("AppArmor", with_pod_sc(appArmorProfile={"type": "Unconfined"})),
    ("AppArmor", with_container_sc(appArmorProfile={"type": "Unconfined"})),
    ("SELinux", with_pod_sc(seLinuxOptions={"type": "spc_t"})),
    ("SELinux", with_container_sc(seLinuxOptions={"user": "system_u"})),
    ("SELinux", with_container_sc(seLinuxOptions={"role": "sysadm_r"})),
    ("/proc Mount Type", with_container_sc(procMount="Unmasked")),
    ("Seccomp", with_pod_sc(seccompProfile={"type": "Unconfined"})),
    ("Seccomp", with_container_sc(seccompProfile={"type": "Unconfined"})),
    ("Sysctls", with_pod_sc(sysctls=[{"name": "kernel.msgmax", "value": "1"}])),
    ("Sysctls", with_pod_sc(sysctls=[{"name": "net.core.somaxconn", "value": "1024"}])),
]


@pytest.mark.parametrize(("control", "spec"), BASELINE_FAILURES)
def test_baseline_control_fails(control: str, spec: dict[str, Any]) -> None:
    result = assess(spec)
    assert result.level is Level.PRIVILEGED
    assert control in result.failed_controls(Level.BASELINE)


def test_apparmor_annotation_values() -> None:
    key = "container.apparmor.security.beta.kubernetes.io/c"
    for allowed in (
        "runtime/default",
        "localhost/my-profile",
    ):  # "Allowed Values: runtime/default, localhost/*"
        assert assess(RESTRICTED_POD, {key: allowed}).level is Level.RESTRICTED
    assert assess(RESTRICTED_POD, {key: "unconfined"}).failed_controls(Level.BASELINE) == ["AppArmor"]


BASELINE_ALLOWED = [
    with_container_sc(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}),
    with_container_sc(appArmorProfile={"type": "Localhost", "localhostProfile": "p"}),
    with_container_sc(seLinuxOptions={"type": "container_init_t", "level": "s0:c1,c2"}),
    with_container_sc(seLinuxOptions={"type": "container_engine_t"}),
    with_container_sc(procMount="Default"),
    with_container_sc(seccompProfile={"type": "Localhost", "localhostProfile": "p.json"}),
    with_pod_sc(
        sysctls=[{"name": n, "value": "1"} for n in ("net.ipv4.tcp_keepalive_time", "kernel.shm_rmid_forced")]
    ),
    restricted(hostNetwork=False, hostPID=False),
    restricted(
        containers=[{**C, "securityContext": RESTRICTED_SC, "ports": [{"containerPort": 80, "hostPort": 0}]}]
    ),
    restricted(
        containers=[
            {**C, "securityContext": RESTRICTED_SC, "readinessProbe": {"httpGet": {"host": "", "port": 80}}}
        ]
    ),
]


@pytest.mark.parametrize("spec", BASELINE_ALLOWED)
def test_allowed_values_keep_restricted(spec: dict[str, Any]) -> None:
    assert assess(spec).level is Level.RESTRICTED


RESTRICTED_FAILURES = [
    ("Volume Types", restricted(volumes=[{"name": "v", "nfs": {"server": "s", "path": "/"}}])),
    ("Volume Types", restricted(volumes=[{"name": "v", "gitRepo": {"repository": "r"}}])),
    (
        "Privilege Escalation",
        restricted(containers=[{**C, "securityContext": {"capabilities": {"drop": ["ALL"]}}}]),
    ),
    ("Privilege Escalation", with_container_sc(allowPrivilegeEscalation=True)),
    ("Running as Non-root", restricted(securityContext={"seccompProfile": {"type": "RuntimeDefault"}})),
    ("Running as Non-root", with_pod_sc(runAsNonRoot=False)),
    ("Running as Non-root", with_container_sc(runAsNonRoot=False)),
    ("Running as Non-root user", with_pod_sc(runAsUser=0)),
    ("Running as Non-root user", with_container_sc(runAsUser=0)),
    ("Seccomp", restricted(securityContext={"runAsNonRoot": True})),
    ("Capabilities", with_container_sc(capabilities={"drop": ["NET_RAW"]})),
    ("Capabilities", with_container_sc(capabilities={"drop": ["ALL"], "add": ["CHOWN"]})),
]


@pytest.mark.parametrize(("control", "spec"), RESTRICTED_FAILURES)
def test_restricted_control_fails(control: str, spec: dict[str, Any]) -> None:
    result = assess(spec)
    assert result.level is Level.BASELINE
    assert control in result.failed_controls(Level.RESTRICTED)


def test_container_fields_may_replace_pod_fields() -> None:
    # "The container fields may be undefined/nil if the pod-level ... is set"; conversely for seccomp
    # "the pod-level field may be undefined/nil if _all_ container-level fields are set."
    spec = restricted(
        securityContext={},
        containers=[
            {
                **C,
                "securityContext": {
                    **RESTRICTED_SC,
                    "runAsNonRoot": True,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
            }
        ],
    )
    assert assess(spec).level is Level.RESTRICTED
    spec["initContainers"] = [{**C, "name": "init", "securityContext": RESTRICTED_SC}]
    assert set(assess(spec).failed_controls(Level.RESTRICTED)) == {"Running as Non-root", "Seccomp"}


def test_every_container_kind_is_checked() -> None:
    # "wildcards (*) indicate all elements in a list ... If any of the listed containers fails ..."
    for field in ("initContainers", "ephemeralContainers"):
        spec = restricted(
            **{field: [{**C, "name": "x", "securityContext": {**RESTRICTED_SC, "privileged": True}}]}
        )
        assert assess(spec).failed_controls(Level.BASELINE) == ["Privileged Containers"]


def test_windows_pods_are_exempt_from_linux_only_controls() -> None:
    # "Restrictions on the following controls are only required if .spec.os.name is not windows:
    #  Privilege Escalation, Seccomp, Linux Capabilities"
    spec = {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": True}, "containers": [C]}
    assert assess(spec).level is Level.RESTRICTED
    spec["os"] = {"name": "linux"}
    assert set(assess(spec).failed_controls(Level.RESTRICTED)) == {
        "Privilege Escalation",
        "Seccomp",
        "Capabilities",
    }


def test_user_namespace_pods_may_run_as_uid_0() -> None:
    # user-namespaces.md: runAsNonRoot and runAsUser are not checked for pods with hostUsers: false
    spec = restricted(
        hostUsers=False, securityContext={"seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 0}
    )
    assert assess(spec).level is Level.RESTRICTED
    spec["hostUsers"] = True
    assert set(assess(spec).failed_controls(Level.RESTRICTED)) == {
        "Running as Non-root",
        "Running as Non-root user",
    }


def test_malformed_fields_do_not_crash() -> None:
    spec = {
        "containers": ["not a mapping", {"name": "c", "securityContext": "oops", "ports": "80"}],
        "volumes": 3,
    }
    assert assess(spec).level is Level.BASELINE
