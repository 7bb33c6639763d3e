"""The bounded YAML loader: line numbers, documents, merge keys, and refusing hostile input."""

from __future__ import annotations

import pytest

from seawall.checks.workload import detect_workload, lint_workload
from seawall.checks.workload.loader import FileKind, WorkloadInputError, detect_kind, load_documents
from seawall.errors import SeawallError

TWO_DOCS = """\
# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
  - name: c
    image: x:1
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b}
"""


def test_lines_of_keys_and_items() -> None:
    first, second = load_documents(TWO_DOCS)
    assert first.line(("kind",)) == 3
    assert first.line(("spec", "containers", 0)) == 8
    assert first.line(("spec", "containers", 0, "image")) == 9
    assert first.line(("spec", "containers", 0, "securityContext")) == 8  # missing: nearest ancestor
    assert second.index == 1 and second.line(("metadata", "name")) == 14


def test_scalars_follow_yaml_1_1_as_kubernetes_reads_them() -> None:
    (doc,) = load_documents("a: true\nb: 0\nc: '0'\nd: ~\ne: 1.5\nf: 2024-01-01\n")
    assert doc.data == {"a": True, "b": 0, "c": "0", "d": None, "e": 1.5, "f": "2024-01-01"}


def test_merge_keys_explicit_keys_win() -> None:
    text = "x: &base {user: '1000', read_only: true}\nservices:\n  a:\n    <<: *base\n    user: root\n"
    (doc,) = load_documents(text)
    assert doc.data["services"]["a"] == {"user": "root", "read_only": True}


def test_billion_laughs_is_refused() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(WorkloadInputError, match="alias expansion"):
        load_documents("\n".join(lines))


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(WorkloadInputError, match="recursive"):
        load_documents("a: &a [*a]\n")


def test_deep_nesting_is_refused_without_a_traceback() -> None:
    with pytest.raises(WorkloadInputError, match="nest"):
        load_documents("[" * 5000 + "]" * 5000)


@pytest.mark.parametrize(
    ("text", "match"),
    [("a: [1, 2\n", "invalid YAML at line"), ("a: b\x00", "NUL"), ("a: b\n  c: d\n", "invalid YAML")],
)
def test_invalid_input_is_a_one_line_seawall_error(text: str, match: str) -> None:
    with pytest.raises(SeawallError, match=match) as caught:
        lint_workload("bad.yaml", text)
    assert "\n" not in str(caught.value) and caught.value.exit_code == 2


def test_helm_source_comment_is_kept_per_document() -> None:
    text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: Pod\n"
    text += "---\n# Source: c/templates/b.yaml\nkind: X\n"
    assert [d.helm_source for d in load_documents(text)] == ["c/templates/a.yaml", "c/templates/b.yaml"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (TWO_DOCS, FileKind.KUBERNETES),
        ("services:\n  web:\n    image: nginx\n", FileKind.COMPOSE),
        ('{"ociVersion": "1.0.2", "process": {"args": ["sh"]}}', FileKind.OCI_RUNTIME),
        ("name: ci\non: push\njobs: {}\n", None),
    ],
)
def test_detect_kind(text: str, kind: FileKind | None) -> None:
    assert detect_kind(load_documents(text)) is kind
    assert detect_workload("f", text) is (kind is not None)


def test_unrendered_helm_template_is_not_detected() -> None:
    template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    assert not detect_workload("templates/deployment.yaml", template)
    github_workflow = "on: push\njobs:\n  t:\n    services:\n      db: {image: postgres}\n"
    assert not detect_workload(".github/workflows/ci.yml", github_workflow)
