"""The workload rule catalogue: one module per family, each rule with a stable ID and its docs text.

IDs never change meaning and are never reused: ``SW-K8S-NNN`` (Kubernetes), ``SW-COMPOSE-NNN``
(Compose), ``SW-OCI-NNN`` (OCI runtime config.json), ``SW-RUN-NNN`` (docker/podman run).
"""

from __future__ import annotations

from seawall.checks.model import Rule
from seawall.checks.workload.rules import compose as compose
from seawall.checks.workload.rules import docker_run as docker_run
from seawall.checks.workload.rules import kubernetes as kubernetes
from seawall.checks.workload.rules import oci_runtime as oci_runtime

FAMILIES = (kubernetes, compose, oci_runtime, docker_run)


def workload_rules() -> tuple[Rule, ...]:
    """Every workload rule, in ID order within each family."""
    return tuple(rule for family in FAMILIES for rule in family.RULES)


def rule_by_id(rule_id: str) -> Rule | None:
    return next((rule for rule in workload_rules() if rule.id == rule_id), None)
