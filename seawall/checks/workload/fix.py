"""Write the hardened copy of a workload file, keeping its comments, key order and indentation.

Kubernetes: every pod spec is brought to the Pod Security Standards *restricted* level --
runAsNonRoot, seccomp RuntimeDefault, allowPrivilegeEscalation false, capabilities drop ALL
(NET_BIND_SERVICE alone may stay), readOnlyRootFilesystem with emptyDir volumes mounted on the
writable paths (/tmp at least) -- and settings the standard forbids are switched off. A change that
alters what the workload can do (a hostPath replaced by an emptyDir, host networking switched off,
a capability removed) carries a ``# seawall: ...`` comment so that the diff shows what to review.

Compose: no-new-privileges, cap_drop ALL, read_only with a tmpfs on /tmp, no unconfined profiles.
OCI config.json: noNewPrivileges, a read-only root with a tmpfs on /tmp, capabilities cut to
NET_BIND_SERVICE.

The file is first read by the bounded loader (size, alias and depth limits) and only then by
ruamel.yaml's round-trip loader.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from seawall.checks.workload.common import capability_name
from seawall.checks.workload.loader import FileKind, WorkloadInputError, detect_kind, load_documents
from seawall.checks.workload.pods import CONTAINER_FIELDS, TEMPLATE_PATHS
from seawall.checks.workload.pss import (
    APPARMOR_ANNOTATION,
    APPARMOR_TYPES,
    RESTRICTED_VOLUME_SOURCES,
    SAFE_SYSCTLS,
    SECCOMP_TYPES,
    SELINUX_TYPES,
)

# Paths well-known images write to besides /tmp (from their official images' documentation).
IMAGE_WRITABLE_PATHS: dict[str, tuple[str, ...]] = {
    "nginx": ("/var/cache/nginx", "/var/run"),
    "postgres": ("/var/run/postgresql",),
    "httpd": ("/usr/local/apache2/logs",),
}
SECCOMP_ANNOTATIONS = (
    "seccomp.security.alpha.kubernetes.io/pod",
    "container.seccomp.security.alpha.kubernetes.io/",
)
NOTE = "seawall: "

Map = MutableMapping[str, Any]


@dataclass
class _Editor:
    """Creates mappings of the right type and leaves review comments where the format allows them."""

    new_map: Callable[[], Map]
    new_seq: Callable[[list[Any]], list[Any]]

    def note(self, parent: Any, key: Any, text: str) -> None:
        add = getattr(parent, "yaml_add_eol_comment", None)
        if add is not None and (key in parent if isinstance(parent, MutableMapping) else True):
            add(NOTE + text, key)

    def child(self, parent: Map, key: str, before: str = "") -> Map:
        """``parent[key]``, created (placed before ``before`` where the format keeps order) if missing."""
        value = parent.get(key)
        if isinstance(value, MutableMapping):
            return value
        value = self.new_map()
        insert = getattr(parent, "insert", None)
        if key not in parent and before in parent and insert is not None:
            insert(list(parent).index(before), key, value)
        else:
            parent[key] = value
        return value


def _is_map(value: Any) -> TypeGuard[Map]:
    return isinstance(value, MutableMapping)


def _seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- Kubernetes -------------------------------------------------------------------------------------


def _pod_templates(obj: Any) -> list[Map]:
    """The pod templates (mappings holding metadata + spec) of one object or List."""
    if not _is_map(obj):
        return []
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        return [t for item in _seq(obj.get("items")) for t in _pod_templates(item)]
    steps = TEMPLATE_PATHS.get(str(kind))
    if steps is None:
        return []
    node: Any = obj
    for step in steps:
        node = node.get(step) if _is_map(node) else None
    return [node] if _is_map(node) and _is_map(node.get("spec")) else []


def _fix_pod(template: Map, ed: _Editor) -> None:
    spec: Map = template["spec"]
    windows = _is_map(spec.get("os")) and spec["os"].get("name") == "windows"
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field) is True:
            spec[field] = False
            ed.note(spec, field, f"was {field}: true (Pod Security Standards baseline)")
    pod_sc = ed.child(spec, "securityContext", before="containers")
    _fix_security_context(pod_sc, ed, pod_level=True)
    sysctls = _seq(pod_sc.get("sysctls"))
    unsafe = [s for s in sysctls if not (_is_map(s) and str(s.get("name")) in SAFE_SYSCTLS)]
    if unsafe:
        names = ", ".join(str(s.get("name")) if _is_map(s) else str(s) for s in unsafe)
        kept = [s for s in sysctls if all(s is not u for u in unsafe)]
        if kept:
            pod_sc["sysctls"] = ed.new_seq(kept)
        else:
            del pod_sc["sysctls"]
        ed.note(spec, "securityContext", f"removed unsafe sysctls {names}: review")
    pod_sc["runAsNonRoot"] = True
    if not windows:
        profile = pod_sc.get("seccompProfile")
        if not (_is_map(profile) and profile.get("type") in SECCOMP_TYPES):
            pod_sc["seccompProfile"] = ed.new_map()
            pod_sc["seccompProfile"]["type"] = "RuntimeDefault"
    _fix_volumes(spec, ed)
    _fix_annotations(template, ed)
    for field in CONTAINER_FIELDS:
        for container in _seq(spec.get(field)):
            if _is_map(container):
                _fix_container(container, spec, field, windows, ed)


def _fix_security_context(sc: Map, ed: _Editor, pod_level: bool) -> None:
    """Corrections shared by the pod and container security contexts."""
    if sc.get("runAsNonRoot") is False:
        sc["runAsNonRoot"] = True
    user = sc.get("runAsUser")
    if user == 0 and not isinstance(user, bool):
        del sc["runAsUser"]
        if "runAsNonRoot" in sc:
            ed.note(sc, "runAsNonRoot", "removed runAsUser: 0 (root); the image must name a non-root USER")
    for field, allowed in (("seccompProfile", SECCOMP_TYPES), ("appArmorProfile", APPARMOR_TYPES)):
        profile = sc.get(field)
        if _is_map(profile) and profile.get("type") not in allowed:
            profile["type"] = "RuntimeDefault"
            profile.pop("localhostProfile", None)
    options = sc.get("seLinuxOptions")
    if _is_map(options):
        if options.get("type") is not None and str(options["type"]) not in SELINUX_TYPES:
            del options["type"]
        for field in ("user", "role"):
            if options.get(field) not in (None, ""):
                del options[field]
        if not options:
            del sc["seLinuxOptions"]
    windows = sc.get("windowsOptions")
    if _is_map(windows) and windows.get("hostProcess") is True:
        windows["hostProcess"] = False
    if not pod_level and sc.get("procMount") not in (None, "Default"):
        del sc["procMount"]


def _fix_volumes(spec: Map, ed: _Editor) -> None:
    for volume in _seq(spec.get("volumes")):
        if not _is_map(volume) or any(volume.get(s) is not None for s in RESTRICTED_VOLUME_SOURCES):
            continue
        sources = [k for k in volume if k != "name"]
        detail = ", ".join(sources) or "no source"
        if volume.get("hostPath") is not None and _is_map(volume["hostPath"]):
            detail = f"hostPath {volume['hostPath'].get('path', '')}"
        for key in sources:
            del volume[key]
        volume["emptyDir"] = ed.new_map()
        ed.note(volume, "emptyDir", f"was {detail} (not allowed by the restricted level): review")


def _fix_annotations(template: Map, ed: _Editor) -> None:
    metadata = template.get("metadata")
    annotations = metadata.get("annotations") if _is_map(metadata) else None
    if not _is_map(annotations):
        return
    for key in list(annotations):
        value = str(annotations[key])
        if (
            key.startswith(APPARMOR_ANNOTATION)
            and value != "runtime/default"
            and not value.startswith("localhost/")
        ):
            annotations[key] = "runtime/default"
        if key.startswith(SECCOMP_ANNOTATIONS) and value.strip().lower() == "unconfined":
            annotations[key] = "runtime/default"


def _fix_container(container: Map, spec: Map, field: str, windows: bool, ed: _Editor) -> None:
    sc = ed.child(container, "securityContext")
    if sc.get("privileged") is True:
        sc["privileged"] = False
        ed.note(sc, "privileged", "was privileged: true")
    _fix_security_context(sc, ed, pod_level=False)
    if not windows:
        sc["allowPrivilegeEscalation"] = False
        capabilities = ed.child(sc, "capabilities")
        added = [c for c in _seq(capabilities.get("add")) if str(c) == "NET_BIND_SERVICE"]
        removed = [str(c) for c in _seq(capabilities.get("add")) if str(c) != "NET_BIND_SERVICE"]
        if removed:
            if added:
                capabilities["add"] = ed.new_seq(added)
            else:
                del capabilities["add"]
        if "ALL" not in [str(c) for c in _seq(capabilities.get("drop"))]:
            capabilities["drop"] = ed.new_seq(["ALL"])
        if removed:
            ed.note(capabilities, "drop", f"removed added capabilities {', '.join(removed)}: review")
    for port in _seq(container.get("ports")):
        if _is_map(port) and port.get("hostPort") not in (None, 0):
            del port["hostPort"]
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _drop_probe_host(container.get(probe))
    lifecycle = container.get("lifecycle")
    if _is_map(lifecycle):
        for hook in ("postStart", "preStop"):
            _drop_probe_host(lifecycle.get(hook))
    if field != "ephemeralContainers" and not windows:
        sc["readOnlyRootFilesystem"] = True
        for path in _writable_paths(container):
            _mount_empty_dir(container, spec, path, ed)


def _drop_probe_host(handler: Any) -> None:
    if not _is_map(handler):
        return
    for action in ("httpGet", "tcpSocket"):
        target = handler.get(action)
        if _is_map(target) and target.get("host") not in (None, ""):
            del target["host"]


def _writable_paths(container: Map) -> list[str]:
    image = str(container.get("image", ""))
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return ["/tmp", *IMAGE_WRITABLE_PATHS.get(name, ())]


def _volume_name(path: str) -> str:
    return ("seawall-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))[:63].rstrip("-")


def _mount_empty_dir(container: Map, spec: Map, path: str, ed: _Editor) -> None:
    mounts = _seq(container.get("volumeMounts"))
    if any(_is_map(m) and str(m.get("mountPath", "")).rstrip("/") == path for m in mounts):
        return
    name = _volume_name(path)
    volumes = _seq(spec.get("volumes"))
    if not any(_is_map(v) and v.get("name") == name for v in volumes):
        volume = ed.new_map()
        volume["name"] = name
        volume["emptyDir"] = ed.new_map()
        if "volumes" not in spec or not isinstance(spec["volumes"], list):
            spec["volumes"] = ed.new_seq([])
        spec["volumes"].append(volume)
    mount = ed.new_map()
    mount["name"] = name
    mount["mountPath"] = path
    if "volumeMounts" not in container or not isinstance(container["volumeMounts"], list):
        container["volumeMounts"] = ed.new_seq([])
    container["volumeMounts"].append(mount)


def fix_kubernetes_object(obj: Any, ed: _Editor) -> None:
    for template in _pod_templates(obj):
        _fix_pod(template, ed)


# --- Compose ----------------------------------------------------------------------------------------

UNCONFINED_OPTIONS = re.compile(
    r"^(seccomp|apparmor|systempaths)[=:]unconfined$|^label[=:]disable$", re.IGNORECASE
)


def fix_compose_document(doc: Any, ed: _Editor) -> None:
    services = doc.get("services") if _is_map(doc) else None
    if not _is_map(services):
        return
    for service in services.values():
        if not _is_map(service):
            continue
        if service.get("privileged") is True:
            service["privileged"] = False
            ed.note(service, "privileged", "was privileged: true")
        original = _seq(service.get("security_opt"))
        options = [o for o in original if not UNCONFINED_OPTIONS.match(str(o))]
        if not any(
            str(o).replace("=", ":").lower() in ("no-new-privileges", "no-new-privileges:true")
            for o in options
        ):
            options = [o for o in options if not str(o).lower().startswith("no-new-privileges")]
            options.append("no-new-privileges:true")
        if options != original:
            service["security_opt"] = ed.new_seq(options)
        added = [c for c in _seq(service.get("cap_add")) if capability_name(c) == "NET_BIND_SERVICE"]
        if "cap_add" in service and len(added) != len(_seq(service.get("cap_add"))):
            removed = [str(c) for c in _seq(service["cap_add"]) if c not in added]
            if added:
                service["cap_add"] = ed.new_seq(added)
            else:
                del service["cap_add"]
            service["cap_drop"] = ed.new_seq(["ALL"])
            ed.note(service, "cap_drop", f"removed cap_add {', '.join(removed)}: review")
        elif "ALL" not in [capability_name(c) for c in _seq(service.get("cap_drop"))]:
            service["cap_drop"] = ed.new_seq(["ALL"])
        service["read_only"] = True
        tmpfs = service.get("tmpfs")
        entries = [tmpfs] if isinstance(tmpfs, str) else _seq(tmpfs)
        if not any(str(t).split(":", 1)[0].rstrip("/") == "/tmp" for t in entries):
            service["tmpfs"] = ed.new_seq([*entries, "/tmp"])


# --- OCI runtime config.json ------------------------------------------------------------------------


def fix_oci_config(config: Map) -> None:
    process = config.setdefault("process", {})
    process["noNewPrivileges"] = True
    capabilities = process.get("capabilities")
    if _is_map(capabilities):
        for name, values in list(capabilities.items()):
            if isinstance(values, list):
                capabilities[name] = [c for c in values if capability_name(c) == "NET_BIND_SERVICE"]
    root = config.get("root")
    if _is_map(root):
        root["readonly"] = True
    mounts = config.setdefault("mounts", [])
    if isinstance(mounts, list) and not any(_is_map(m) and m.get("destination") == "/tmp" for m in mounts):
        mounts.append(
            {
                "destination": "/tmp",
                "type": "tmpfs",
                "source": "tmpfs",
                "options": ["nosuid", "nodev", "noexec", "mode=1777", "size=65536k"],
            }
        )


# --- text in, text out ------------------------------------------------------------------------------


def _guess_indent(text: str) -> tuple[int, int]:
    """(mapping indent, sequence dash offset) as the file uses them; (2, 0) when unsure."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping_indent, offset = 0, -1
    for current, following in itertools.pairwise(lines):
        if not re.match(r"^\s*[^\s-][^:]*:\s*$", current):
            continue
        base = len(current) - len(current.lstrip())
        deeper = len(following) - len(following.lstrip())
        if following.lstrip().startswith("- "):
            if offset < 0:
                offset = deeper - base
        elif deeper > base and not mapping_indent:
            mapping_indent = deeper - base
        if mapping_indent and offset >= 0:
            break
    return mapping_indent or 2, max(offset, 0)


def _fix_json(kind: FileKind, text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise WorkloadInputError(f"invalid JSON: {exc}") from None
    ed = _Editor(dict, list)
    if kind is FileKind.OCI_RUNTIME:
        fix_oci_config(data)
    elif kind is FileKind.KUBERNETES:
        fix_kubernetes_object(data, ed)
    else:
        fix_compose_document(data, ed)
    second = text.splitlines()[1] if text.count("\n") else ""
    indent: str | int = "\t" if second.startswith("\t") else (len(second) - len(second.lstrip(" ")) or 2)
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def _fix_yaml(kind: FileKind, text: str) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    def new_seq(items: list[Any]) -> list[Any]:
        return CommentedSeq(items)

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping_indent, offset = _guess_indent(text)
    yaml.indent(mapping=mapping_indent, sequence=mapping_indent + offset, offset=offset)
    yaml.explicit_start = text.lstrip().startswith("---")
    try:
        documents = list(yaml.load_all(text))
    except YAMLError as exc:
        raise WorkloadInputError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    ed = _Editor(CommentedMap, new_seq)
    for document in documents:
        if kind is FileKind.KUBERNETES:
            fix_kubernetes_object(document, ed)
        elif kind is FileKind.COMPOSE:
            fix_compose_document(document, ed)
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue()


def fix_text(path: str, text: str) -> str:
    """The hardened copy of one workload file (its kind detected from the content)."""
    del path
    documents = load_documents(text)  # the bounded parse first: refuses alias bombs and the like
    kind = detect_kind(documents)
    if kind is None:
        raise WorkloadInputError("not a Kubernetes, Compose or OCI runtime file: nothing to fix")
    if text.lstrip().startswith(("{", "[")):
        return _fix_json(kind, text)
    if kind is FileKind.OCI_RUNTIME:
        raise WorkloadInputError("an OCI runtime config must be JSON to be fixed")
    return _fix_yaml(kind, text)
