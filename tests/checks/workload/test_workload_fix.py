"""--fix: the hardened copy keeps comments and order, reaches PSS restricted, validates against the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from seawall.checks.workload import analyze_workload, fix_workload
from seawall.checks.workload.loader import FileKind

CORPUS = Path(__file__).parent / "corpus"
KUBERNETES = sorted(p for p in CORPUS.iterdir() if p.name.startswith("k8s-"))


def _objects(text: str, json_file: bool) -> list[dict[str, object]]:
    documents = [json.loads(text)] if json_file else [d for d in yaml.safe_load_all(text) if d]
    return [item for d in documents for item in (d["items"] if d["kind"] == "List" else [d])]


@pytest.mark.parametrize("path", KUBERNETES, ids=lambda p: p.name)
def test_fixed_manifest_is_restricted_and_schema_valid(path: Path) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    fixed = fix_workload(str(path), path.read_text())
    report = analyze_workload(str(path), fixed)
    assert report.levels and {level.level_name for level in report.levels} == {"restricted"}
    for obj in _objects(fixed, path.suffix == ".json"):
        kubernetes_validate.validate(obj, "1.33.0", strict=True)  # raises on any schema violation


def test_comments_order_and_untouched_documents_are_kept() -> None:
    original = (CORPUS / "k8s-helm-rendered.yaml").read_text()
    fixed = fix_workload("h.yaml", original)
    for line in original.splitlines():
        if line.startswith("#") or line.startswith("---"):
            assert line in fixed.splitlines()
    assert (
        fixed.index("kind: ServiceAccount") < fixed.index("kind: Service\n") < fixed.index("kind: Deployment")
    )
    assert 'app.kubernetes.io/version: "1.16.0"' in fixed  # quotes preserved


def test_semantic_changes_carry_a_review_comment() -> None:
    fixed = fix_workload("d.yaml", (CORPUS / "k8s-fluentd-daemonset.yaml").read_text())
    assert "emptyDir: {}  # seawall: was hostPath /var/log" in fixed
    assert "mountPath: /tmp" in fixed and "readOnlyRootFilesystem: true" in fixed
    assert fixed.startswith("# A log shipper DaemonSet")


def test_compose_fix() -> None:
    fixed = fix_workload("c.yaml", (CORPUS / "compose-wordpress.yaml").read_text())
    report = analyze_workload("c.yaml", fixed)
    assert report.kind is FileKind.COMPOSE
    remaining = {r.rule.id for r in report.results}
    for fixed_rule in ("SW-COMPOSE-004", "SW-COMPOSE-006", "SW-COMPOSE-007", "SW-COMPOSE-020"):
        assert fixed_rule not in remaining
    assert "# We use a mariadb image" in fixed


def test_oci_fix_keeps_tabs() -> None:
    original = (CORPUS / "oci-runc-spec-config.json").read_text()
    fixed = fix_workload("config.json", original)
    assert fixed.splitlines()[1].startswith("\t")
    remaining = {r.rule.id for r in analyze_workload("config.json", fixed).results}
    assert not remaining & {"SW-OCI-002", "SW-OCI-004", "SW-OCI-005"}
