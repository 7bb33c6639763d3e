"""OCI runtime config.json rules (``SW-OCI-NNN``): what runc, crun and youki will run the process with."""

from __future__ import annotations

from seawall.checks.model import Rule
from seawall.model import Severity

SPEC = "https://github.com/opencontainers/runtime-spec/blob/main/config.md"
LINUX = "https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md"
FAMILY = "oci-runtime"


def _rule(number: int, title: str, severity: Severity, rationale: str, fix: str, bad: str, good: str) -> Rule:
    return Rule(
        id=f"SW-OCI-{number:03d}",
        title=title,
        severity=severity,
        family=FAMILY,
        rationale=rationale,
        fix=fix,
        bad_example=bad,
        good_example=good,
        references=(SPEC, LINUX),
    )


ROOT_USER = _rule(
    1,
    "Process runs as root (process.user.uid is 0)",
    Severity.MEDIUM,
    "uid 0 in the container is uid 0 on the host unless a user namespace maps it: a runtime or kernel escape "
    "then owns the host.",
    "Set process.user.uid and gid to non-zero IDs, or add a user namespace with uidMappings.",
    '"user": {"uid": 0, "gid": 0}',
    '"user": {"uid": 10001, "gid": 10001}',
)
NO_NEW_PRIVILEGES = _rule(
    2,
    "noNewPrivileges is not true",
    Severity.MEDIUM,
    "Without no_new_privs a set-user-ID binary can raise the process's privileges.",
    'Set "noNewPrivileges": true in process.',
    '"process": {"noNewPrivileges": false}',
    '"process": {"noNewPrivileges": true}',
)
DANGEROUS_CAPS = _rule(
    3,
    "Dangerous capability granted (SYS_ADMIN, NET_ADMIN, SYS_PTRACE ...)",
    Severity.HIGH,
    "Capabilities beyond the container defaults give routes to the host kernel, other processes or the "
    "network.",
    "Remove the capability from every set (bounding, effective, permitted, inheritable, ambient).",
    '"bounding": ["CAP_SYS_ADMIN"]',
    '"bounding": ["CAP_NET_BIND_SERVICE"]',
)
CAPS_KEPT = _rule(
    4,
    "Capabilities other than NET_BIND_SERVICE are kept",
    Severity.LOW,
    "Most processes need no capability at all; each one kept (KILL, AUDIT_WRITE, CHOWN ...) is a tool left "
    "for an attacker. This is the OCI form of Kubernetes' drop ALL.",
    "Empty the capability sets, keeping at most CAP_NET_BIND_SERVICE.",
    '"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]',
    '"bounding": ["CAP_NET_BIND_SERVICE"]',
)
WRITABLE_ROOT = _rule(
    5,
    "Root filesystem is writable (root.readonly is not true)",
    Severity.LOW,
    "A writable root lets an intruder change binaries in place; mount it read-only with tmpfs where needed.",
    'Set "root": {"readonly": true} and add a tmpfs mount on /tmp.',
    '"root": {"path": "rootfs", "readonly": false}',
    '"root": {"path": "rootfs", "readonly": true}',
)
NO_SECCOMP = _rule(
    6,
    "No seccomp filter (linux.seccomp is absent)",
    Severity.MEDIUM,
    "Without linux.seccomp the runtime installs no system call filter: every call reaches the kernel. "
    "`runc spec` writes no profile; container engines add one.",
    "Add a linux.seccomp profile with defaultAction SCMP_ACT_ERRNO and an allow-list (e.g. Docker's "
    "default profile).",
    '"linux": {"namespaces": [...]}',
    '"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [...]}}',
)
SECCOMP_ALLOW_ALL = _rule(
    7,
    "Seccomp filter allows every system call",
    Severity.HIGH,
    "A profile whose defaultAction is SCMP_ACT_ALLOW (or SCMP_ACT_LOG) with no rule that denies anything "
    "filters nothing: the same as no profile.",
    "Use defaultAction SCMP_ACT_ERRNO with an allow-list of system calls.",
    '"seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}',
    '"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [...]}',
)
APPARMOR = _rule(
    8,
    "No AppArmor profile (process.apparmorProfile absent or unconfined)",
    Severity.MEDIUM,
    "On AppArmor hosts the runtime confines the process only with the profile named here.",
    'Set "apparmorProfile": "docker-default" (or your own profile loaded on the host).',
    '"process": {"args": ["sh"]}',
    '"process": {"apparmorProfile": "docker-default"}',
)
HOST_NAMESPACE = _rule(
    9,
    "Host PID, network or IPC namespace shared",
    Severity.HIGH,
    "A namespace type missing from linux.namespaces (or given a path to another process's namespace) is "
    "shared with the runtime's caller, usually the host.",
    'List {"type": "pid"}, {"type": "network"} and {"type": "ipc"} in linux.namespaces, without a path.',
    '"namespaces": [{"type": "mount"}]',
    '"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, '
    '{"type": "mount"}]',
)
HOST_NAMESPACE_OTHER = _rule(
    10,
    "Host mount or UTS namespace shared",
    Severity.MEDIUM,
    "Without its own mount namespace the container's mounts are the host's; without UTS it can change "
    "the host name.",
    'List {"type": "mount"} and {"type": "uts"} in linux.namespaces.',
    '"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}]',
    '"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, '
    '{"type": "mount"}]',
)
RUNTIME_SOCKET = _rule(
    11,
    "Container runtime socket bind-mounted (docker.sock, containerd.sock, crio.sock)",
    Severity.CRITICAL,
    "The runtime socket lets the process start privileged containers with the host's filesystem: it is root "
    "on the host.",
    "Remove the bind mount.",
    '{"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock"}',
    '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}',
)
SENSITIVE_MOUNT = _rule(
    12,
    "Sensitive host directory bind-mounted (/, /etc, /proc, /sys, /dev ...)",
    Severity.HIGH,
    "Host system directories give the process the host's credentials, configuration and devices.",
    "Bind-mount only application data, read-only (options: [rbind, ro]).",
    '{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}',
    '{"destination": "/data", "type": "bind", "source": "/srv/app", "options": ["rbind", "ro"]}',
)
UNMASKED = _rule(
    13,
    "Kernel paths not masked (maskedPaths / readonlyPaths missing or emptied)",
    Severity.MEDIUM,
    "maskedPaths and readonlyPaths hide /proc/kcore, /proc/keys, /sys/firmware and make /proc/sys read-only; "
    "without them the process sees and may write kernel interfaces.",
    "Keep the maskedPaths and readonlyPaths that `runc spec` writes.",
    '"linux": {"maskedPaths": []}',
    '"linux": {"maskedPaths": ["/proc/kcore", "/proc/keys", ...], "readonlyPaths": ["/proc/sys", ...]}',
)
DEVICES = _rule(
    14,
    "Access to every device allowed",
    Severity.HIGH,
    "A device cgroup rule allowing all devices (allow: true without type, major or minor) lets the process "
    "open host block devices and /dev/mem if it can create the nodes.",
    "Start the device list with a deny-all entry and allow only the devices needed.",
    '"devices": [{"allow": true, "access": "rwm"}]',
    '"devices": [{"allow": false, "access": "rwm"}]',
)
LIMITS = _rule(
    15,
    "No memory or PIDs limit",
    Severity.LOW,
    "Without linux.resources.memory.limit and pids.limit one container can exhaust the host's memory or "
    "process table.",
    "Set linux.resources.memory.limit and linux.resources.pids.limit.",
    '"resources": {"devices": [...]}',
    '"resources": {"memory": {"limit": 536870912}, "pids": {"limit": 200}}',
)
SYSCTL = _rule(
    16,
    "Sysctl outside the Kubernetes safe set",
    Severity.LOW,
    "Only a few sysctls are namespaced and isolated (the Pod Security Standards' safe set); others can "
    "weaken security mechanisms or affect neighbours.",
    "Remove the sysctl from linux.sysctl.",
    '"sysctl": {"kernel.msgmax": "65536"}',
    '"sysctl": {"net.ipv4.ip_local_port_range": "32768 60999"}',
)
ENV_SECRET = _rule(
    17,
    "Secret given as a literal environment value",
    Severity.HIGH,
    "A credential in process.env is stored in the bundle and visible to anyone who reads config.json or "
    "/proc/PID/environ.",
    "Pass secrets as files (a read-only bind mount of a tmpfs-backed secret) instead.",
    '"env": ["DB_PASSWORD=hunter2hunter2"]',
    '"env": ["DB_PASSWORD_FILE=/run/secrets/db"]',
)
SHARED_PROPAGATION = _rule(
    18,
    "Mount with shared propagation",
    Severity.MEDIUM,
    "Shared (rshared) propagation lets mounts made inside the container appear on the host.",
    "Use private or slave propagation (rprivate is the default).",
    '"rootfsPropagation": "rshared"',
    '"rootfsPropagation": "rprivate"',
)

RULES: tuple[Rule, ...] = (
    ROOT_USER,
    NO_NEW_PRIVILEGES,
    DANGEROUS_CAPS,
    CAPS_KEPT,
    WRITABLE_ROOT,
    NO_SECCOMP,
    SECCOMP_ALLOW_ALL,
    APPARMOR,
    HOST_NAMESPACE,
    HOST_NAMESPACE_OTHER,
    RUNTIME_SOCKET,
    SENSITIVE_MOUNT,
    UNMASKED,
    DEVICES,
    LIMITS,
    SYSCTL,
    ENV_SECRET,
    SHARED_PROPAGATION,
)
