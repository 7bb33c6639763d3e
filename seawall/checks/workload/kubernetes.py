"""Kubernetes checks: the Pod Security Standards level of every pod spec, plus least-privilege extras.

Pure functions: a parsed document in, results out. ``check_object`` takes a plain object (as in an
AdmissionReview) and needs no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seawall.checks.model import CheckResult
from seawall.checks.workload import pss
from seawall.checks.workload.common import Emitter, has_variable, parse_image, runtime_socket, secret_in_env
from seawall.checks.workload.loader import Document, mapping, sequence
from seawall.checks.workload.pods import TEMPLATE_PATHS, PodRef, extract_pods
from seawall.checks.workload.rules import kubernetes as rules

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"


@dataclass(frozen=True)
class WorkloadLevel:
    """The Pod Security Standards level one workload satisfies, and why it is not higher."""

    object_name: str  # "Deployment/web"
    namespace: str
    file: str
    line: int
    level: pss.Level
    failed_baseline: tuple[str, ...]  # control names of the baseline table that fail
    failed_restricted: tuple[str, ...]

    @property
    def level_name(self) -> str:
        return self.level.label


def service_accounts_without_token(documents: list[Document]) -> frozenset[str]:
    """Names of ServiceAccounts in these documents that set automountServiceAccountToken: false."""
    names: set[str] = set()
    for document in documents:
        objects = [document.data]
        data = mapping(document.data)
        if str(data.get("kind", "")).endswith("List"):
            objects = sequence(data.get("items"))
        for obj in objects:
            obj = mapping(obj)
            if obj.get("kind") == "ServiceAccount" and obj.get("automountServiceAccountToken") is False:
                names.add(str(mapping(obj.get("metadata")).get("name", "")))
    return frozenset(names)


def check_document(emit: Emitter, no_token_accounts: frozenset[str] = frozenset()) -> list[WorkloadLevel]:
    """Every pod spec of one document; results go to ``emit``, the levels are returned."""
    data = mapping(emit.document.data)
    kind = data.get("kind")
    pods = extract_pods(data)
    if not pods and isinstance(kind, str) and kind in TEMPLATE_PATHS:
        name = f"{kind}/{mapping(data.get('metadata')).get('name', '')}"
        where = ".".join(("spec", *TEMPLATE_PATHS[kind][1:], "spec")) if TEMPLATE_PATHS[kind] else "spec"
        emit.add(rules.INVALID_OBJECT, f"{name} has no pod spec mapping at {where}", ("kind",), name)
    return [check_pod(pod, emit, no_token_accounts) for pod in pods]


def check_pod(pod: PodRef, emit: Emitter, no_token_accounts: frozenset[str] = frozenset()) -> WorkloadLevel:
    assessment = pss.evaluate(pod)
    level = assessment.level
    props = {"pss_level": level.label}
    if pod.namespace:
        props["namespace"] = pod.namespace
    name = pod.object_name

    def who(container: str) -> str:
        return f"{name} container {container}" if container else name

    for violation in assessment.violations:
        rule = rules.BY_PSS_CHECK[violation.check]
        message = violation.message
        if violation.check == "hostPath":
            socket = runtime_socket(violation.detail)
            if socket:
                rule, message = rules.RUNTIME_SOCKET, f"{message}: exposes the runtime socket {socket}"
        emit.add(
            rule, message, violation.path, who(violation.container), pss_control=violation.control, **props
        )
    _deprecated_seccomp(pod, emit, props)
    _extras(pod, emit, props, no_token_accounts)
    if level != pss.Level.RESTRICTED:
        failing = level + 1
        controls = ", ".join(assessment.failed_controls(pss.Level(failing)))
        rule = rules.PSS_BASELINE if level == pss.Level.PRIVILEGED else rules.PSS_RESTRICTED
        target = pss.Level(failing).label
        message = f"{name} satisfies only PSS {level.label}; failing {target} controls: {controls}"
        emit.add(rule, message, (*pod.object_path, "kind"), name, **props)
    return WorkloadLevel(
        object_name=name,
        namespace=pod.namespace,
        file=emit.file,
        line=emit.document.line((*pod.object_path, "kind")),
        level=level,
        failed_baseline=tuple(assessment.failed_controls(pss.Level.BASELINE)),
        failed_restricted=tuple(assessment.failed_controls(pss.Level.RESTRICTED)),
    )


def _deprecated_seccomp(pod: PodRef, emit: Emitter, props: dict[str, str]) -> None:
    """The pre-1.19 seccomp annotations: 'unconfined' is still a deliberate opt-out worth reporting."""
    for key, value in pod.annotations.items():
        seccomp = key == SECCOMP_POD_ANNOTATION or key.startswith(SECCOMP_CONTAINER_ANNOTATION)
        if seccomp and str(value).strip().lower() == "unconfined":
            path = (*pod.metadata_path, "annotations", key)
            message = f"annotation {key}=unconfined (deprecated annotation, seccomp switched off)"
            emit.add(rules.SECCOMP_UNCONFINED, message, path, pod.object_name, **props)


def _extras(pod: PodRef, emit: Emitter, props: dict[str, str], no_token_accounts: frozenset[str]) -> None:
    """Least-privilege checks outside the Pod Security Standards."""
    windows = mapping(pod.spec.get("os")).get("name") == "windows"
    for c in pod.containers():
        who = f"{pod.object_name} container {c.name}"
        if c.field != "ephemeralContainers":
            if not windows and c.security_context.get("readOnlyRootFilesystem") is not True:
                message = f"{c.label} does not set readOnlyRootFilesystem=true"
                emit.add(rules.READ_ONLY_ROOT, message, c.sc_path, who, **props)
            limits = mapping(mapping(c.data.get("resources")).get("limits"))
            missing = [kind for kind in ("cpu", "memory") if limits.get(kind) in (None, "")]
            if missing:
                message = f"{c.label} has no {' or '.join(missing)} limit"
                emit.add(rules.RESOURCE_LIMITS, message, (*c.path, "resources"), who, **props)
        _image(c.data.get("image"), c.label, (*c.path, "image"), who, emit, props)
        for position, variable in enumerate(sequence(c.data.get("env"))):
            variable = mapping(variable)
            if "value" not in variable or variable.get("valueFrom") is not None:
                continue
            why = secret_in_env(str(variable.get("name", "")), variable.get("value"))
            if why:
                message = f"{c.label} env {variable.get('name')}: {why}"
                emit.add(rules.ENV_SECRET, message, (*c.path, "env", position, "value"), who, **props)
    automount = pod.spec.get("automountServiceAccountToken")
    account = str(pod.spec.get("serviceAccountName") or pod.spec.get("serviceAccount") or "default")
    if automount is not False and not (automount is None and account in no_token_accounts):
        message = f"{pod.object_name} mounts the service account token of '{account}' automatically"
        emit.add(rules.SA_TOKEN, message, pod.spec_path, pod.object_name, **props)


def _image(
    value: Any, label: str, path: tuple[str | int, ...], who: str, emit: Emitter, props: dict[str, str]
) -> None:
    if not isinstance(value, str) or not value.strip() or has_variable(value):
        return
    image = parse_image(value)
    if image.uses_latest:
        detail = "the latest tag" if image.tag else "no tag (latest)"
        emit.add(rules.IMAGE_LATEST, f"{label} image {value} uses {detail}", path, who, **props)
    if not image.pinned:
        emit.add(rules.IMAGE_DIGEST, f"{label} image {value} is not pinned by digest", path, who, **props)


def check_object(obj: dict[str, Any], file: str = "") -> tuple[list[CheckResult], list[WorkloadLevel]]:
    """Check one Kubernetes object given as plain data (an AdmissionReview's object, for instance)."""
    emit = Emitter(file, Document(obj))
    levels = check_document(emit)
    return emit.results, levels
