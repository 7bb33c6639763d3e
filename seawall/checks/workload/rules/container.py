"""The container-settings ideas shared by Compose and ``docker run``: one text, two rule families.

``SW-COMPOSE-NNN`` and ``SW-RUN-NNN`` with the same number are the same idea, written for each
syntax (a Compose key or a ``docker run`` flag).
"""

from __future__ import annotations

from dataclasses import dataclass

from seawall.checks.model import Rule
from seawall.model import Severity

DOCKER_SECURITY = "https://docs.docker.com/engine/security/"
RUN_REFERENCE = "https://docs.docker.com/reference/cli/docker/container/run/"
COMPOSE_SPEC = "https://docs.docker.com/reference/compose-file/services/"


@dataclass(frozen=True)
class Idea:
    number: int
    key: str
    title: str
    severity: Severity
    rationale: str
    compose_fix: str
    run_fix: str
    compose_bad: str
    compose_good: str
    run_bad: str
    run_good: str
    tags: tuple[str, ...] = ()


IDEAS: tuple[Idea, ...] = (
    Idea(
        1,
        "privileged",
        "Privileged container",
        Severity.CRITICAL,
        "A privileged container gets every capability, every host device and no seccomp, AppArmor or SELinux "
        "confinement: it is root on the host.",
        "Remove privileged: true; add the one capability or device the service needs instead.",
        "Remove --privileged; use --cap-add or --device for the single thing needed.",
        "privileged: true",
        "cap_drop: [ALL]",
        "docker run --privileged app:1.0",
        "docker run --cap-drop ALL app:1.0",
        ("cis-docker:5.4",),
    ),
    Idea(
        2,
        "user-root",
        "Container runs as root (user is root or 0)",
        Severity.HIGH,
        "Root in a container is root on the host kernel; an escape (runtime or kernel bug, a writable host "
        "mount) then owns the host. Asking for root explicitly removes the image's own non-root USER.",
        'Set user to a non-zero UID:GID, e.g. user: "10001:10001".',
        "Use --user 10001:10001.",
        'user: "0"',
        'user: "10001:10001"',
        "docker run --user root app:1.0",
        "docker run --user 10001:10001 app:1.0",
        ("cis-docker:4.1",),
    ),
    Idea(
        3,
        "user-unset",
        "No user set: the image's USER decides (root unless the image sets one)",
        Severity.LOW,
        "Without a user the container runs as the image's USER, which is root for most images. Stating a "
        "non-root UID makes the choice visible and independent of the image.",
        'Set user: "UID:GID" with a non-zero UID.',
        "Add --user UID:GID with a non-zero UID.",
        "image: app:1.0",
        'image: app:1.0\nuser: "10001:10001"',
        "docker run app:1.0",
        "docker run --user 10001:10001 app:1.0",
        ("cis-docker:4.1",),
    ),
    Idea(
        4,
        "caps-not-dropped",
        "Capabilities not dropped (no cap_drop: [ALL] / --cap-drop ALL)",
        Severity.LOW,
        "Docker grants 14 capabilities by default (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW ...). Most services "
        "need none of them; dropping ALL and adding back only what is needed removes an attacker's tools.",
        "Add cap_drop: [ALL] and cap_add only what is needed (often nothing, or NET_BIND_SERVICE).",
        "Add --cap-drop ALL (and --cap-add NET_BIND_SERVICE if the service binds a port below 1024).",
        "cap_drop: [NET_RAW]",
        "cap_drop: [ALL]",
        "docker run app:1.0",
        "docker run --cap-drop ALL app:1.0",
        ("cis-docker:5.3",),
    ),
    Idea(
        5,
        "caps-dangerous",
        "Dangerous capability added (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL ...)",
        Severity.HIGH,
        "Capabilities beyond Docker's defaults give routes to the host kernel, other processes or the host "
        "network: SYS_ADMIN is close to root on the host, SYS_PTRACE reads other processes, NET_ADMIN "
        "reconfigures the network.",
        "Remove the capability from cap_add; redesign the service so that it does not need it.",
        "Remove the --cap-add flag; redesign the service so that it does not need it.",
        "cap_add: [SYS_ADMIN]",
        "cap_drop: [ALL]",
        "docker run --cap-add SYS_ADMIN app:1.0",
        "docker run --cap-drop ALL app:1.0",
        ("cis-docker:5.3",),
    ),
    Idea(
        6,
        "read-only",
        "Root filesystem is writable (no read_only / --read-only)",
        Severity.LOW,
        "A writable root filesystem lets an intruder drop tools and change binaries in place. Mount it "
        "read-only and give the service tmpfs mounts for the few paths it writes.",
        "Set read_only: true and tmpfs: [/tmp] (plus volumes for data).",
        "Add --read-only --tmpfs /tmp.",
        "image: app:1.0",
        "read_only: true\ntmpfs: [/tmp]",
        "docker run app:1.0",
        "docker run --read-only --tmpfs /tmp app:1.0",
        ("cis-docker:5.12",),
    ),
    Idea(
        7,
        "no-new-privileges",
        "Privilege escalation not blocked (no no-new-privileges)",
        Severity.MEDIUM,
        "Without no-new-privileges a set-user-ID binary in the image can raise a process's privileges.",
        'Add security_opt: ["no-new-privileges:true"].',
        "Add --security-opt no-new-privileges.",
        "image: app:1.0",
        'security_opt: ["no-new-privileges:true"]',
        "docker run app:1.0",
        "docker run --security-opt no-new-privileges app:1.0",
        ("cis-docker:5.25",),
    ),
    Idea(
        8,
        "seccomp-unconfined",
        "Seccomp disabled (seccomp=unconfined)",
        Severity.HIGH,
        "Docker's default seccomp profile blocks about 50 dangerous system calls (keyctl, add_key, "
        "unshare, mount ...); unconfined lets every call reach the kernel.",
        "Remove seccomp:unconfined, or point seccomp at a profile that allows just the extra calls needed.",
        "Remove --security-opt seccomp=unconfined, or use seccomp=/path/profile.json.",
        'security_opt: ["seccomp:unconfined"]',
        'security_opt: ["no-new-privileges:true"]',
        "docker run --security-opt seccomp=unconfined app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.21",),
    ),
    Idea(
        9,
        "apparmor-unconfined",
        "AppArmor disabled (apparmor=unconfined)",
        Severity.HIGH,
        "On AppArmor hosts Docker confines containers with its docker-default profile; unconfined "
        "removes it.",
        "Remove apparmor:unconfined, or name a custom profile.",
        "Remove --security-opt apparmor=unconfined, or name a custom profile.",
        'security_opt: ["apparmor:unconfined"]',
        'security_opt: ["apparmor:docker-default"]',
        "docker run --security-opt apparmor=unconfined app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.1",),
    ),
    Idea(
        10,
        "selinux-disabled",
        "SELinux separation disabled (label=disable) or a custom SELinux type",
        Severity.MEDIUM,
        "label=disable turns off SELinux labelling for the container; a custom type such as spc_t runs it "
        "unconfined.",
        "Remove label:disable / label:type:...",
        "Remove --security-opt label=disable / label=type:...",
        'security_opt: ["label:disable"]',
        'security_opt: ["label:level:s0:c100,c200"]',
        "docker run --security-opt label=disable app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.2",),
    ),
    Idea(
        11,
        "host-network",
        "Host network namespace shared (network_mode: host / --network host)",
        Severity.HIGH,
        "The container sees and binds the host's interfaces, reaches services bound to the host's localhost "
        "and can sniff traffic.",
        "Remove network_mode: host; publish the needed ports.",
        "Remove --network host; publish the needed ports with -p 127.0.0.1:PORT:PORT.",
        "network_mode: host",
        'ports: ["127.0.0.1:8080:8080"]',
        "docker run --network host app:1.0",
        "docker run -p 127.0.0.1:8080:8080 app:1.0",
        ("cis-docker:5.9",),
    ),
    Idea(
        12,
        "host-pid",
        "Host PID namespace shared (pid: host / --pid host)",
        Severity.HIGH,
        "The container sees every host process and, as root, can signal or trace them and read their "
        "environment.",
        "Remove pid: host.",
        "Remove --pid host.",
        "pid: host",
        "image: app:1.0",
        "docker run --pid host app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.15",),
    ),
    Idea(
        13,
        "host-ipc",
        "Host IPC namespace shared (ipc: host / --ipc host)",
        Severity.HIGH,
        "The container reaches the host's shared memory segments and message queues.",
        "Remove ipc: host (use ipc: shareable / service:NAME to share between services).",
        "Remove --ipc host.",
        "ipc: host",
        "ipc: private",
        "docker run --ipc host app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.16",),
    ),
    Idea(
        14,
        "host-other-namespace",
        "Another host namespace shared (UTS, user namespace or cgroup)",
        Severity.MEDIUM,
        "uts: host lets the container change the host's hostname; userns_mode: host opts out of user "
        "namespace remapping; cgroup: host exposes the host's cgroup tree.",
        "Remove uts: host, userns_mode: host and cgroup: host.",
        "Remove --uts host, --userns host and --cgroupns host.",
        "uts: host",
        "image: app:1.0",
        "docker run --uts host app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.20", "cis-docker:5.30"),
    ),
    Idea(
        15,
        "runtime-socket",
        "Container runtime socket mounted (docker.sock, containerd.sock, crio.sock, podman.sock)",
        Severity.CRITICAL,
        "Whoever talks to the runtime socket can start a privileged container with the host's root "
        "filesystem mounted: the container controls the host. Mounting the socket, or a directory above it "
        "such as /var/run, hands that over.",
        "Remove the mount; use a socket proxy that allows only read-only calls if metadata is needed.",
        "Remove the -v/--mount of the socket.",
        'volumes: ["/var/run/docker.sock:/var/run/docker.sock"]',
        'volumes: ["data:/data"]',
        "docker run -v /var/run/docker.sock:/var/run/docker.sock app:1.0",
        "docker run -v data:/data app:1.0",
        ("cis-docker:5.31",),
    ),
    Idea(
        16,
        "sensitive-mount",
        "Sensitive host directory mounted (/, /etc, /proc, /sys, /dev, /root, /var/lib/docker ...)",
        Severity.HIGH,
        "Host system directories give the container the host's credentials, configuration and devices; a "
        "writable one lets it change the host.",
        "Mount only application data (a named volume or a dedicated directory), read-only where possible.",
        "Mount only application data, read-only where possible (-v data:/data:ro).",
        'volumes: ["/etc:/host/etc"]',
        'volumes: ["./config:/app/config:ro"]',
        "docker run -v /:/host app:1.0",
        "docker run -v data:/data app:1.0",
        ("cis-docker:5.5",),
    ),
    Idea(
        17,
        "devices",
        "Host device mapped into the container",
        Severity.MEDIUM,
        "A host device node gives direct access to hardware or kernel interfaces (block devices, /dev/mem, "
        "/dev/kmsg ...).",
        "Remove devices unless the service truly drives that hardware; never map block devices.",
        "Remove --device unless the service truly drives that hardware.",
        'devices: ["/dev/sda:/dev/sda"]',
        "image: app:1.0",
        "docker run --device /dev/sda app:1.0",
        "docker run app:1.0",
        ("cis-docker:5.17",),
    ),
    Idea(
        18,
        "unmasked-paths",
        "Kernel paths unmasked (systempaths=unconfined)",
        Severity.HIGH,
        "systempaths=unconfined removes the masks and read-only mounts over /proc and /sys paths such as "
        "/proc/kcore and /proc/sysrq-trigger.",
        "Remove systempaths=unconfined from security_opt.",
        "Remove --security-opt systempaths=unconfined.",
        'security_opt: ["systempaths=unconfined"]',
        "image: app:1.0",
        "docker run --security-opt systempaths=unconfined app:1.0",
        "docker run app:1.0",
    ),
    Idea(
        19,
        "sysctl",
        "Sysctl outside the Kubernetes safe set",
        Severity.LOW,
        "Only a few sysctls are both namespaced and isolated from other containers (the Pod Security "
        "Standards' safe set: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range ...); others can weaken "
        "security mechanisms or affect neighbours.",
        "Remove the sysctl or set it on the host.",
        "Remove the --sysctl flag or set it on the host.",
        'sysctls: ["kernel.msgmax=65536"]',
        'sysctls: ["net.ipv4.ip_local_port_range=32768 60999"]',
        "docker run --sysctl kernel.msgmax=65536 app:1.0",
        "docker run app:1.0",
    ),
    Idea(
        20,
        "read-only-no-tmpfs",
        "Read-only root filesystem without a tmpfs for /tmp",
        Severity.LOW,
        "Many programs write to /tmp; with a read-only root and no tmpfs there they fail, and the usual "
        "workaround is to drop read_only again.",
        "Add tmpfs: [/tmp] (with a size, e.g. /tmp:size=64m).",
        "Add --tmpfs /tmp.",
        "read_only: true",
        "read_only: true\ntmpfs: [/tmp]",
        "docker run --read-only app:1.0",
        "docker run --read-only --tmpfs /tmp app:1.0",
    ),
    Idea(
        21,
        "image-latest",
        "Image uses the latest tag or no tag",
        Severity.MEDIUM,
        "'latest' changes under you: what runs is not what was tested or scanned, and rollbacks do not roll "
        "back.",
        "Use an explicit version tag, better a digest.",
        "Use an explicit version tag, better a digest.",
        "image: nginx",
        "image: nginx:1.27.3@sha256:<digest>",
        "docker run nginx",
        "docker run nginx:1.27.3@sha256:<digest>",
        ("cis-docker:5.27",),
    ),
    Idea(
        22,
        "image-digest",
        "Image not pinned by digest",
        Severity.LOW,
        "A tag can be moved to other content; only a digest names the exact image that was scanned and "
        "signed.",
        "Append @sha256:<digest> to the image.",
        "Append @sha256:<digest> to the image.",
        "image: nginx:1.27.3",
        "image: nginx:1.27.3@sha256:<digest>",
        "docker run nginx:1.27.3",
        "docker run nginx:1.27.3@sha256:<digest>",
    ),
    Idea(
        23,
        "resource-limits",
        "No memory or PIDs limit",
        Severity.LOW,
        "Without a memory limit one container can exhaust the host's memory; without a PIDs limit a fork "
        "bomb takes the host down.",
        "Set deploy.resources.limits.memory (or mem_limit) and pids_limit.",
        "Add --memory 512m --pids-limit 200.",
        "image: app:1.0",
        "mem_limit: 512m\npids_limit: 200",
        "docker run app:1.0",
        "docker run --memory 512m --pids-limit 200 app:1.0",
        ("cis-docker:5.10", "cis-docker:5.28"),
    ),
    Idea(
        24,
        "env-secret",
        "Secret given as a literal environment value",
        Severity.HIGH,
        "A password or token written into the file or command line ends up in Git, shell history and "
        "`docker inspect`.",
        "Use Compose secrets (mounted as files under /run/secrets) or an env_file kept out of Git.",
        "Use --env-file with a file kept out of history, or a secret mounted as a file.",
        "environment:\n  DB_PASSWORD: hunter2hunter2",
        "secrets: [db_password]\nenvironment:\n  DB_PASSWORD_FILE: /run/secrets/db_password",
        "docker run -e DB_PASSWORD=hunter2hunter2 app:1.0",
        "docker run --env-file ./db.env app:1.0",
        ("secret",),
    ),
    Idea(
        25,
        "port-all-interfaces",
        "Port published on all host interfaces",
        Severity.LOW,
        "A published port without a host address listens on every interface of the host (and Docker's "
        "rules bypass the host firewall); databases and admin ports end up reachable from the network.",
        'Bind to an address: ports: ["127.0.0.1:5432:5432"], or do not publish internal ports at all.',
        "Bind to an address: -p 127.0.0.1:5432:5432.",
        'ports: ["5432:5432"]',
        'ports: ["127.0.0.1:5432:5432"]',
        "docker run -p 5432:5432 postgres:17",
        "docker run -p 127.0.0.1:5432:5432 postgres:17",
        ("cis-docker:5.13",),
    ),
)


def build_rules(prefix: str, family: str) -> dict[str, Rule]:
    """The rules of one family (``SW-COMPOSE`` or ``SW-RUN``), keyed by idea."""
    compose = family == "compose"
    reference = COMPOSE_SPEC if compose else RUN_REFERENCE
    return {
        idea.key: Rule(
            id=f"{prefix}-{idea.number:03d}",
            title=idea.title,
            severity=idea.severity,
            family=family,
            rationale=idea.rationale,
            fix=idea.compose_fix if compose else idea.run_fix,
            bad_example=idea.compose_bad if compose else idea.run_bad,
            good_example=idea.compose_good if compose else idea.run_good,
            references=(reference, DOCKER_SECURITY),
            tags=idea.tags,
        )
        for idea in IDEAS
    }
