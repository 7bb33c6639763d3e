"""Small builders for workload tests: a pod spec wrapped in a Deployment, results by rule ID."""

from __future__ import annotations

from typing import Any

import yaml

from seawall.checks.model import CheckResult
from seawall.checks.workload import analyze_workload
from seawall.checks.workload.pods import extract_pods
from seawall.checks.workload.pss import Assessment, evaluate


def deployment(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"labels": {"app": "t"}}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "t"},
        "spec": {"selector": {"matchLabels": {"app": "t"}}, "template": {"metadata": metadata, "spec": spec}},
    }


def assess(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> Assessment:
    (pod,) = extract_pods(deployment(spec, annotations))
    return evaluate(pod)


def ids(text: str, path: str = "m.yaml") -> dict[str, list[CheckResult]]:
    found: dict[str, list[CheckResult]] = {}
    for result in analyze_workload(path, text).results:
        found.setdefault(result.rule.id, []).append(result)
    return found


def dump(obj: dict[str, Any]) -> str:
    return yaml.safe_dump(obj, sort_keys=False)
