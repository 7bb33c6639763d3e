"""Find the pod specs in Kubernetes objects: Pods and the pod templates of the workload controllers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seawall.checks.workload.loader import Path, mapping, sequence

# kind -> path from the object to its pod template (metadata + spec); () for a Pod itself
TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "PodTemplate": ("template",),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")
MAX_LIST_DEPTH = 4  # a List inside a List ... (kubectl never nests deeper than one)


@dataclass(frozen=True)
class Container:
    """One container of a pod spec, with the path to it (for line numbers)."""

    name: str
    field: str  # "containers", "initContainers" or "ephemeralContainers"
    data: dict[str, Any]
    path: Path

    @property
    def security_context(self) -> dict[str, Any]:
        return mapping(self.data.get("securityContext"))

    @property
    def sc_path(self) -> Path:
        return (*self.path, "securityContext")

    @property
    def label(self) -> str:
        kind = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}
        return f"{kind.get(self.field, 'container')} '{self.name}'"


@dataclass(frozen=True)
class PodRef:
    """A pod spec found in an object: the object's kind and name, the pod's metadata and spec."""

    kind: str
    name: str
    namespace: str
    metadata: dict[str, Any]  # the pod's (template's) metadata: annotations live here
    spec: dict[str, Any]
    metadata_path: Path
    spec_path: Path
    object_path: Path  # the object's root inside the document (non-empty inside a List)

    @property
    def object_name(self) -> str:
        return f"{self.kind}/{self.name}" if self.name else self.kind

    @property
    def annotations(self) -> dict[str, Any]:
        return mapping(self.metadata.get("annotations"))

    @property
    def security_context(self) -> dict[str, Any]:
        return mapping(self.spec.get("securityContext"))

    @property
    def sc_path(self) -> Path:
        return (*self.spec_path, "securityContext")

    def containers(self) -> Iterator[Container]:
        """Init containers, containers and ephemeral containers, in that order."""
        for field_name in CONTAINER_FIELDS:
            for position, item in enumerate(sequence(self.spec.get(field_name))):
                data = mapping(item)
                name = str(data.get("name") or f"#{position}")
                yield Container(name, field_name, data, (*self.spec_path, field_name, position))


def _walk(data: Any, path: Path, depth: int) -> Iterator[PodRef]:
    obj = mapping(data)
    kind = obj.get("kind")
    if not isinstance(kind, str):
        return
    if kind.endswith("List") and isinstance(obj.get("items"), list):
        if depth < MAX_LIST_DEPTH:
            for position, item in enumerate(obj["items"]):
                yield from _walk(item, (*path, "items", position), depth + 1)
        return
    template_path = TEMPLATE_PATHS.get(kind)
    if template_path is None:
        return
    template: Any = obj
    for step in template_path:
        template = mapping(template).get(step)
    template = mapping(template)
    spec = template.get("spec")
    if not isinstance(spec, dict):
        return
    meta = mapping(obj.get("metadata"))
    root = (*path, *template_path)
    yield PodRef(
        kind=kind,
        name=str(meta.get("name") or meta.get("generateName") or ""),
        namespace=str(meta.get("namespace") or ""),
        metadata=mapping(template.get("metadata")),
        spec=spec,
        metadata_path=(*root, "metadata"),
        spec_path=(*root, "spec"),
        object_path=path,
    )


def extract_pods(data: Any) -> list[PodRef]:
    """Every pod spec in one parsed Kubernetes document (a single object or a ``List`` of them)."""
    return list(_walk(data, (), 0))
