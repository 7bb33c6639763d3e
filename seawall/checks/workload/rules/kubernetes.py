"""Kubernetes workload rules (``SW-K8S-NNN``): the Pod Security Standards controls, least-privilege extras."""

from __future__ import annotations

from seawall.checks.model import Rule
from seawall.model import Severity

PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SECURITY_CONTEXT = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"
FAMILY = "kubernetes"

PSS_BASELINE = Rule(
    id="SW-K8S-001",
    title="Workload does not meet the Pod Security Standards baseline level",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "The baseline level prevents known privilege escalations. A pod that fails it can only be "
        "admitted to "
        "a namespace labelled pod-security.kubernetes.io/enforce=privileged, and one compromised container "
        "in it can usually take over the node. The message lists the failing baseline controls."
    ),
    fix="Fix each failing control listed in the message (each has its own SW-K8S rule), or run `seawall "
    "lint --fix`.",
    bad_example="spec:\n  hostNetwork: true\n  containers:\n  - name: app\n    image: app:1.0",
    good_example="spec:\n  containers:\n  - name: app\n    image: app:1.0",
    references=(PSS,),
    tags=("pss:baseline", "summary"),
)
PSS_RESTRICTED = Rule(
    id="SW-K8S-002",
    title="Workload meets the Pod Security Standards baseline level but not restricted",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "The restricted level follows current pod hardening practice: non-root, no privilege escalation, "
        "all capabilities dropped, a seccomp profile. Namespaces labelled "
        "pod-security.kubernetes.io/enforce=restricted reject this pod. The message lists the failing "
        "controls."
    ),
    fix="Fix each failing control listed in the message, or run `seawall lint --fix` to write a hardened "
    "copy.",
    bad_example="spec:\n  containers:\n  - name: app\n    image: app:1.0",
    good_example=(
        "spec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n"
        "  containers:\n  - name: app\n    image: app:1.0\n    securityContext:\n"
        "      allowPrivilegeEscalation: false\n      capabilities: {drop: [ALL]}"
    ),
    references=(PSS,),
    tags=("pss:restricted", "summary"),
)
RUN_AS_NON_ROOT = Rule(
    id="SW-K8S-010",
    title="Container may run as root (runAsNonRoot is not true)",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "Without runAsNonRoot: true the kubelet starts the container as whatever user the image names, "
        "root by default. Root in a container is root on the host's kernel: one kernel or runtime bug away "
        "from the node (PSS restricted: Running as Non-root)."
    ),
    fix="Set securityContext.runAsNonRoot: true on the pod (or on every container), and a non-zero runAsUser "
    "if the image has no non-root USER.",
    bad_example="containers:\n- name: app\n  image: app:1.0",
    good_example="securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\ncontainers:\n- name: app\n "
    " image: app:1.0",
    references=(PSS, SECURITY_CONTEXT),
    tags=("pss:restricted",),
)
RUN_AS_USER_ROOT = Rule(
    id="SW-K8S-011",
    title="Pod or container sets runAsUser: 0 (root)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale="runAsUser: 0 asks for root explicitly (PSS restricted: Running as Non-root user).",
    fix="Use a non-zero UID the image supports, e.g. runAsUser: 10001, together with runAsNonRoot: true.",
    bad_example="securityContext:\n  runAsUser: 0",
    good_example="securityContext:\n  runAsUser: 10001\n  runAsNonRoot: true",
    references=(PSS,),
    tags=("pss:restricted",),
)
PRIVILEGE_ESCALATION = Rule(
    id="SW-K8S-012",
    title="Container allows privilege escalation (allowPrivilegeEscalation is not false)",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "Unless allowPrivilegeEscalation is false, no_new_privs is not set and a set-user-ID binary in the "
        "image can make a process gain privileges it did not start with (PSS restricted: Privilege "
        "Escalation)."
    ),
    fix="Set securityContext.allowPrivilegeEscalation: false on every container.",
    bad_example="securityContext: {}",
    good_example="securityContext:\n  allowPrivilegeEscalation: false",
    references=(PSS, SECURITY_CONTEXT),
    tags=("pss:restricted",),
)
PRIVILEGED = Rule(
    id="SW-K8S-013",
    title="Privileged container",
    severity=Severity.CRITICAL,
    family=FAMILY,
    rationale=(
        "A privileged container has every capability, every host device and no seccomp or AppArmor "
        "confinement: it is root on the node (PSS baseline: Privileged Containers)."
    ),
    fix="Remove privileged: true; add back only the single capability the workload needs, if any.",
    bad_example="securityContext:\n  privileged: true",
    good_example="securityContext:\n  privileged: false\n  capabilities: {drop: [ALL]}",
    references=(PSS,),
    tags=("pss:baseline",),
)
CAPS_NOT_DROPPED = Rule(
    id="SW-K8S-014",
    title="Container does not drop ALL capabilities",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "Container runtimes grant a default set of capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW ...). "
        "Most workloads need none; dropping ALL removes what an attacker could use "
        "(PSS restricted: Capabilities)."
    ),
    fix="Set securityContext.capabilities.drop: [ALL] and add back only NET_BIND_SERVICE if needed.",
    bad_example="securityContext:\n  capabilities:\n    drop: [NET_RAW]",
    good_example="securityContext:\n  capabilities:\n    drop: [ALL]",
    references=(PSS,),
    tags=("pss:restricted",),
)
CAPS_DANGEROUS = Rule(
    id="SW-K8S-015",
    title="Container adds a capability beyond the runtime defaults (SYS_ADMIN, NET_ADMIN, SYS_PTRACE ...)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "Capabilities outside the default set (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, BPF ...) give "
        "routes to the host kernel, other processes or the node network (PSS baseline: Capabilities)."
    ),
    fix="Remove the capability from capabilities.add; redesign the workload so that it does not need it.",
    bad_example="securityContext:\n  capabilities:\n    add: [SYS_ADMIN]",
    good_example="securityContext:\n  capabilities:\n    drop: [ALL]",
    references=(PSS, "https://man7.org/linux/man-pages/man7/capabilities.7.html"),
    tags=("pss:baseline",),
)
CAPS_ADDED = Rule(
    id="SW-K8S-016",
    title="Container adds a capability other than NET_BIND_SERVICE",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "The restricted level allows adding back only NET_BIND_SERVICE; default capabilities such as CHOWN "
        "or SETUID, once dropped, should stay dropped (PSS restricted: Capabilities)."
    ),
    fix="Remove the capability from capabilities.add, or accept the baseline level for this workload.",
    bad_example="securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [CHOWN]",
    good_example="securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]",
    references=(PSS,),
    tags=("pss:restricted",),
)
READ_ONLY_ROOT = Rule(
    id="SW-K8S-017",
    title="Container root filesystem is writable (readOnlyRootFilesystem is not true)",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "A writable root filesystem lets an intruder drop tools and modify binaries in place. A read-only "
        "one, with emptyDir volumes for the few paths that must be written (/tmp ...), stops that."
    ),
    fix="Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes on the writable paths.",
    bad_example="securityContext: {}",
    good_example=(
        "securityContext:\n  readOnlyRootFilesystem: true\nvolumeMounts:\n- {name: tmp, mountPath: /tmp}\n"
        "# and in the pod: volumes: [{name: tmp, emptyDir: {}}]"
    ),
    references=(SECURITY_CONTEXT,),
)
SECCOMP_MISSING = Rule(
    id="SW-K8S-018",
    title="No seccomp profile (RuntimeDefault or Localhost) applies to the container",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "Without seccompProfile the kubelet runs containers Unconfined (unless the node enables "
        "--seccomp-default): every system call reaches the kernel (PSS restricted: Seccomp). The old "
        "seccomp.security.alpha.kubernetes.io annotations, deprecated since Kubernetes 1.19, do not count."
    ),
    fix="Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
    bad_example="securityContext:\n  runAsNonRoot: true",
    good_example="securityContext:\n  seccompProfile:\n    type: RuntimeDefault",
    references=(PSS, "https://kubernetes.io/docs/tutorials/security/seccomp/"),
    tags=("pss:restricted",),
)
SECCOMP_UNCONFINED = Rule(
    id="SW-K8S-019",
    title="Seccomp explicitly Unconfined",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "seccompProfile.type: Unconfined (or the deprecated annotation value 'unconfined') switches off "
        "system call filtering on purpose (PSS baseline: Seccomp)."
    ),
    fix="Use type: RuntimeDefault, or a Localhost profile that allows the extra calls the workload needs.",
    bad_example="securityContext:\n  seccompProfile:\n    type: Unconfined",
    good_example="securityContext:\n  seccompProfile:\n    type: RuntimeDefault",
    references=(PSS,),
    tags=("pss:baseline",),
)
APPARMOR_UNCONFINED = Rule(
    id="SW-K8S-020",
    title="AppArmor profile overridden (Unconfined or not runtime default / localhost)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "On AppArmor hosts the runtime's default profile confines every container. Setting "
        "appArmorProfile.type: Unconfined, or the annotation container.apparmor.security.beta.kubernetes.io/"
        "NAME to 'unconfined', removes it (PSS baseline: AppArmor)."
    ),
    fix="Remove the override, or use type: RuntimeDefault / Localhost (annotation runtime/default, "
    "localhost/NAME).",
    bad_example="securityContext:\n  appArmorProfile:\n    type: Unconfined",
    good_example="securityContext:\n  appArmorProfile:\n    type: RuntimeDefault",
    references=(PSS, "https://kubernetes.io/docs/tutorials/security/apparmor/"),
    tags=("pss:baseline",),
)
SELINUX_CUSTOM = Rule(
    id="SW-K8S-021",
    title="Custom SELinux type, user or role",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "A custom SELinux type (e.g. spc_t, unconfined_t) or user/role can lift the container label's "
        "confinement. Only container_t, container_init_t, container_kvm_t and container_engine_t are "
        "allowed (PSS baseline: SELinux)."
    ),
    fix="Remove seLinuxOptions, or set only level (MCS categories) and one of the allowed types.",
    bad_example="securityContext:\n  seLinuxOptions:\n    type: spc_t",
    good_example="securityContext:\n  seLinuxOptions:\n    level: 's0:c123,c456'",
    references=(PSS,),
    tags=("pss:baseline",),
)
HOST_NETWORK = Rule(
    id="SW-K8S-022",
    title="Pod shares the host network namespace (hostNetwork)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "hostNetwork: true puts the pod on the node's interfaces: it can bind node ports, reach services "
        "bound to localhost (the kubelet's read-only port, cloud metadata) and sniff traffic "
        "(PSS baseline: Host Namespaces)."
    ),
    fix="Remove hostNetwork: true; expose the pod with a Service instead.",
    bad_example="spec:\n  hostNetwork: true",
    good_example="spec:\n  hostNetwork: false",
    references=(PSS,),
    tags=("pss:baseline",),
)
HOST_PID = Rule(
    id="SW-K8S-023",
    title="Pod shares the host PID namespace (hostPID)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "hostPID: true shows every process of the node to the pod; with ptrace or root it can inspect "
        "them, read their environment and kill them (PSS baseline: Host Namespaces)."
    ),
    fix="Remove hostPID: true.",
    bad_example="spec:\n  hostPID: true",
    good_example="spec:\n  hostPID: false",
    references=(PSS,),
    tags=("pss:baseline",),
)
HOST_IPC = Rule(
    id="SW-K8S-024",
    title="Pod shares the host IPC namespace (hostIPC)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale="hostIPC: true exposes the node's shared memory and message queues (PSS baseline: Host "
    "Namespaces).",
    fix="Remove hostIPC: true.",
    bad_example="spec:\n  hostIPC: true",
    good_example="spec:\n  hostIPC: false",
    references=(PSS,),
    tags=("pss:baseline",),
)
HOST_PORT = Rule(
    id="SW-K8S-025",
    title="Container binds a host port (hostPort)",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "hostPort opens a port on the node itself, bypassing network policies' usual view and limiting "
        "scheduling (PSS baseline: Host Ports)."
    ),
    fix="Remove hostPort; use a Service (NodePort or LoadBalancer) if the port must be reachable.",
    bad_example="ports:\n- containerPort: 8080\n  hostPort: 8080",
    good_example="ports:\n- containerPort: 8080",
    references=(PSS,),
    tags=("pss:baseline",),
)
HOST_PATH = Rule(
    id="SW-K8S-026",
    title="hostPath volume",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "A hostPath volume mounts a node directory into the pod: writable ones let the pod change the "
        "node (kubelet config, cron, SSH keys), readable ones leak other pods' data (PSS baseline: HostPath "
        "Volumes)."
    ),
    fix="Use emptyDir, configMap, secret, projected or a PersistentVolumeClaim instead.",
    bad_example="volumes:\n- name: logs\n  hostPath: {path: /var/log}",
    good_example="volumes:\n- name: logs\n  emptyDir: {}",
    references=(PSS,),
    tags=("pss:baseline",),
)
RUNTIME_SOCKET = Rule(
    id="SW-K8S-027",
    title="hostPath volume exposes the container runtime socket (docker.sock, containerd.sock, crio.sock)",
    severity=Severity.CRITICAL,
    family=FAMILY,
    rationale=(
        "Whoever can talk to the container runtime's socket can start a privileged container with the "
        "node's root filesystem mounted: it is root on the node. Mounting the socket, or a directory above "
        "it such as /var/run, hands that to the pod (PSS baseline: HostPath Volumes)."
    ),
    fix="Do not mount the runtime socket; build images with a daemonless builder (BuildKit rootless, kaniko, "
    "buildah) and read container metadata from the Kubernetes API.",
    bad_example="volumes:\n- name: docker\n  hostPath: {path: /var/run/docker.sock}",
    good_example="volumes:\n- name: work\n  emptyDir: {}",
    references=(PSS,),
    tags=("pss:baseline", "cis-docker:5.31"),
)
PROC_MOUNT = Rule(
    id="SW-K8S-028",
    title="Container unmasks /proc (procMount is not Default)",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "procMount: Unmasked removes the runtime's masks over sensitive /proc and /sys paths "
        "(PSS baseline: /proc Mount Type)."
    ),
    fix="Remove procMount or set it to Default.",
    bad_example="securityContext:\n  procMount: Unmasked",
    good_example="securityContext:\n  procMount: Default",
    references=(PSS,),
    tags=("pss:baseline",),
)
UNSAFE_SYSCTL = Rule(
    id="SW-K8S-029",
    title="Pod sets a sysctl outside the safe set",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "Only a few sysctls are namespaced and isolated from other pods (kernel.shm_rmid_forced, "
        "net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies ...); others can disable security mechanisms "
        "or affect every container on the node (PSS baseline: Sysctls)."
    ),
    fix="Remove the sysctl, or set it on the node by its administrator.",
    bad_example="securityContext:\n  sysctls:\n  - {name: kernel.msgmax, value: '65536'}",
    good_example="securityContext:\n  sysctls:\n  - {name: net.ipv4.ip_local_port_range, value: '32768 "
    "60999'}",
    references=(PSS, "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"),
    tags=("pss:baseline",),
)
HOST_PROCESS = Rule(
    id="SW-K8S-030",
    title="Windows HostProcess container",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale="A HostProcess container runs directly on the Windows node with host access (PSS baseline: "
    "HostProcess).",
    fix="Remove windowsOptions.hostProcess: true.",
    bad_example="securityContext:\n  windowsOptions:\n    hostProcess: true",
    good_example="securityContext: {}",
    references=(PSS,),
    tags=("pss:baseline",),
)
HOST_PROBE = Rule(
    id="SW-K8S-031",
    title="Probe or lifecycle hook targets another host (host field set)",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "A host in httpGet/tcpSocket probes and lifecycle hooks makes the kubelet connect to an arbitrary "
        "address from the node: a server-side request forgery path (PSS baseline: Host Probes / "
        "Lifecycle Hooks)."
    ),
    fix="Remove the host field; probes target the pod's own IP.",
    bad_example="livenessProbe:\n  httpGet: {host: 169.254.169.254, path: /, port: 80}",
    good_example="livenessProbe:\n  httpGet: {path: /healthz, port: 8080}",
    references=(PSS,),
    tags=("pss:baseline",),
)
VOLUME_TYPE = Rule(
    id="SW-K8S-032",
    title="Volume type not allowed by the restricted level",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "The restricted level allows only configMap, csi, downwardAPI, emptyDir, ephemeral, "
        "persistentVolumeClaim, projected and secret volumes; other in-tree types (nfs, gitRepo, iscsi ...) "
        "bypass the PersistentVolume layer's controls (PSS restricted: Volume Types)."
    ),
    fix="Define the storage as a PersistentVolume and mount it through a persistentVolumeClaim.",
    bad_example="volumes:\n- name: data\n  nfs: {server: nfs.local, path: /exports}",
    good_example="volumes:\n- name: data\n  persistentVolumeClaim: {claimName: data}",
    references=(PSS,),
    tags=("pss:restricted",),
)
IMAGE_LATEST = Rule(
    id="SW-K8S-033",
    title="Image uses the latest tag or no tag",
    severity=Severity.MEDIUM,
    family=FAMILY,
    rationale=(
        "'latest' (or no tag) changes under you: two nodes can run different code, a rollback does not roll "
        "back, and a scanned image is not the one that runs."
    ),
    fix="Use an explicit version tag, better a digest: image: registry/app:1.4.2@sha256:...",
    bad_example="image: nginx",
    good_example="image: nginx:1.27.3@sha256:<digest>",
    references=("https://kubernetes.io/docs/concepts/containers/images/#image-names",),
)
IMAGE_DIGEST = Rule(
    id="SW-K8S-034",
    title="Image not pinned by digest",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "A tag can be moved to other content at any time; only a digest names the exact image that was "
        "built, scanned and signed."
    ),
    fix="Append the digest: image: registry/app:1.4.2@sha256:... (tools like crane digest print it).",
    bad_example="image: registry.example.com/app:1.4.2",
    good_example="image: registry.example.com/app:1.4.2@sha256:<digest>",
    references=("https://kubernetes.io/docs/concepts/containers/images/#image-names",),
)
RESOURCE_LIMITS = Rule(
    id="SW-K8S-035",
    title="Container has no CPU or memory limit",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "Without limits one container can exhaust the node's memory or CPU: a denial of service for every "
        "pod beside it, and the kubelet evicts the wrong ones first."
    ),
    fix="Set resources.limits.memory and resources.limits.cpu (and requests) for every container.",
    bad_example="resources: {}",
    good_example="resources:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: {cpu: 500m, memory: 256Mi}",
    references=("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",),
)
SA_TOKEN = Rule(
    id="SW-K8S-036",
    title="Service account token is mounted automatically",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "Unless automountServiceAccountToken is false, every container gets a token for the Kubernetes "
        "API. Most applications never call the API; a stolen token is a foothold in the cluster."
    ),
    fix="Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it uses the API.",
    bad_example="spec:\n  containers: [...]",
    good_example="spec:\n  automountServiceAccountToken: false",
    references=("https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",),
)
ENV_SECRET = Rule(
    id="SW-K8S-037",
    title="Secret given as a literal environment value",
    severity=Severity.HIGH,
    family=FAMILY,
    rationale=(
        "A password or token written into the manifest is stored in Git, in the API server and in every "
        "`kubectl get -o yaml`. Secrets belong in Secret objects (or an external store)."
    ),
    fix="Move the value into a Secret and use env[].valueFrom.secretKeyRef, or mount the Secret as a file.",
    bad_example="env:\n- name: DB_PASSWORD\n  value: hunter2hunter2",
    good_example="env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}",
    references=("https://kubernetes.io/docs/concepts/configuration/secret/",),
    tags=("secret",),
)
INVALID_OBJECT = Rule(
    id="SW-K8S-038",
    title="Workload object is malformed (a field has the wrong type)",
    severity=Severity.LOW,
    family=FAMILY,
    rationale=(
        "A field of the wrong type (a string where a list belongs, a pod spec that is not a mapping) is "
        "rejected by the API server; the checks above cannot judge it either."
    ),
    fix="Validate the manifest (kubectl apply --dry-run=server) and fix the field.",
    bad_example="spec:\n  template:\n    spec: containers",
    good_example="spec:\n  template:\n    spec:\n      containers: [...]",
)

RULES: tuple[Rule, ...] = (
    PSS_BASELINE,
    PSS_RESTRICTED,
    RUN_AS_NON_ROOT,
    RUN_AS_USER_ROOT,
    PRIVILEGE_ESCALATION,
    PRIVILEGED,
    CAPS_NOT_DROPPED,
    CAPS_DANGEROUS,
    CAPS_ADDED,
    READ_ONLY_ROOT,
    SECCOMP_MISSING,
    SECCOMP_UNCONFINED,
    APPARMOR_UNCONFINED,
    SELINUX_CUSTOM,
    HOST_NETWORK,
    HOST_PID,
    HOST_IPC,
    HOST_PORT,
    HOST_PATH,
    RUNTIME_SOCKET,
    PROC_MOUNT,
    UNSAFE_SYSCTL,
    HOST_PROCESS,
    HOST_PROBE,
    VOLUME_TYPE,
    IMAGE_LATEST,
    IMAGE_DIGEST,
    RESOURCE_LIMITS,
    SA_TOKEN,
    ENV_SECRET,
    INVALID_OBJECT,
)

# PSS violation key (seawall.checks.workload.pss.Violation.check) -> the rule reporting it
BY_PSS_CHECK: dict[str, Rule] = {
    "hostProcess": HOST_PROCESS,
    "hostNetwork": HOST_NETWORK,
    "hostPID": HOST_PID,
    "hostIPC": HOST_IPC,
    "privileged": PRIVILEGED,
    "capabilities-add-baseline": CAPS_DANGEROUS,
    "hostPath": HOST_PATH,
    "hostPort": HOST_PORT,
    "hostProbe": HOST_PROBE,
    "appArmor": APPARMOR_UNCONFINED,
    "seLinux": SELINUX_CUSTOM,
    "procMount": PROC_MOUNT,
    "seccomp-unconfined": SECCOMP_UNCONFINED,
    "sysctl": UNSAFE_SYSCTL,
    "volumeType": VOLUME_TYPE,
    "allowPrivilegeEscalation": PRIVILEGE_ESCALATION,
    "runAsNonRoot": RUN_AS_NON_ROOT,
    "runAsUser": RUN_AS_USER_ROOT,
    "seccomp-missing": SECCOMP_MISSING,
    "capabilities-drop": CAPS_NOT_DROPPED,
    "capabilities-add-restricted": CAPS_ADDED,
}
