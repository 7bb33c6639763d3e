"""Workload hardening: Kubernetes manifests, Compose files, OCI runtime config.json, docker run commands.

The entry points ``seawall lint`` calls:

- :func:`detect_workload` -- is this file one of ours (cheap, no parse)?
- :func:`lint_workload` -- every result for one file;
- :func:`analyze_workload` -- the same, plus each Kubernetes workload's Pod Security Standards level;
- :func:`fix_workload` -- the hardened copy of a file (comments and key order kept);
- :func:`lint_docker_run` -- results for a ``docker run`` / ``podman run`` command line.

Checks are pure functions over parsed objects (:func:`seawall.checks.workload.kubernetes.check_object`
takes a plain dict, as an admission controller has one). Bad input raises
:class:`~seawall.checks.workload.loader.WorkloadInputError` (a SeawallError: exit 2, one line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from seawall.checks.model import CheckResult
from seawall.checks.workload.common import Emitter
from seawall.checks.workload.kubernetes import WorkloadLevel, check_document, service_accounts_without_token
from seawall.checks.workload.loader import (
    FileKind,
    WorkloadInputError,
    detect_kind,
    load_documents,
    looks_like_workload,
)

__all__ = [
    "FileKind",
    "WorkloadInputError",
    "WorkloadLevel",
    "WorkloadReport",
    "analyze_workload",
    "detect_workload",
    "fix_workload",
    "lint_docker_run",
    "lint_workload",
]

_TEMPLATE = re.compile(r"^\s*\{\{|:\s+\{\{|^\s*-\s+\{\{", re.MULTILINE)


@dataclass(frozen=True)
class WorkloadReport:
    """What one file holds: its kind, the results, and (Kubernetes) each workload's PSS level."""

    kind: FileKind | None
    results: list[CheckResult] = field(default_factory=list)
    levels: list[WorkloadLevel] = field(default_factory=list)


def detect_workload(path: str, text: str) -> bool:
    """Kubernetes YAML/JSON (apiVersion + kind), a Compose file (services:) or an OCI config.json?

    Unrendered Helm or Go templates (an unquoted ``{{``) are not ours: render them first.
    """
    del path  # the content decides: names vary (k8s/*.yaml, compose.yaml, config.json ...)
    return looks_like_workload(text) and not _TEMPLATE.search(text)


def analyze_workload(path: str, text: str) -> WorkloadReport:
    """Parse ``text`` (the file at ``path``) and run every check that applies to its kind."""
    documents = load_documents(text)
    kind = detect_kind(documents)
    results: list[CheckResult] = []
    levels: list[WorkloadLevel] = []
    if kind is FileKind.KUBERNETES:
        no_token = service_accounts_without_token(documents)
        for document in documents:
            properties = {"helm_source": document.helm_source} if document.helm_source else {}
            emit = Emitter(path, document, properties=properties)
            levels += check_document(emit, no_token)
            results += emit.results
    elif kind is FileKind.COMPOSE:
        from seawall.checks.workload.compose import check_compose

        for document in documents:
            emit = Emitter(path, document)
            check_compose(emit)
            results += emit.results
    elif kind is FileKind.OCI_RUNTIME:
        from seawall.checks.workload.oci_runtime import check_oci

        emit = Emitter(path, documents[0])
        check_oci(emit)
        results += emit.results
    return WorkloadReport(kind, results, levels)


def lint_workload(path: str, text: str) -> list[CheckResult]:
    """Every result for one workload file (empty when the file is not a workload file)."""
    return analyze_workload(path, text).results


def fix_workload(path: str, text: str) -> str:
    """The hardened copy of a Kubernetes or Compose file (see :mod:`seawall.checks.workload.fix`)."""
    from seawall.checks.workload.fix import fix_text

    return fix_text(path, text)


def lint_docker_run(command: str) -> list[CheckResult]:
    """Results for a ``docker run`` / ``podman run`` command line (``seawall lint --docker-run '...'``)."""
    from seawall.checks.workload.docker_run import lint_run_command

    return lint_run_command(command)
