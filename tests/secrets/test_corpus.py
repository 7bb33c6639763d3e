"""Precision and recall on the corpus of true positives and near misses, and the recipes' fake secrets.

The corpus (``corpus/``, labels in ``labels.json``, both written by ``make_corpus.py``) holds fake
credentials in the formats their vendors publish, and near misses that must stay silent (documented
example keys, placeholders, templates, public keys, test and documentation paths ...). Keys are made at
test time by openssl, ssh-keygen and gpg (``keys.py``). A finding counts as a true positive when
path, rule and line agree with a label.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from seawall.secrets.scanner import scan
from tests.paths import SHARED
from tests.secrets.keys import generate_keys, openssl_genrsa

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
RECIPE = SHARED / "recipes" / "03-lang-layers.sh"
Key = tuple[str, str, int]


def _scan_tree(root: Path) -> set[Key]:
    found: set[Key] = set()
    for file in sorted(root.rglob("*")):
        if file.is_file():
            relative = file.relative_to(root).as_posix()
            found.update((relative, f.rule.id, f.line) for f in scan(relative, file.read_bytes()).findings)
    return found


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[Key], set[Key]]:
    """(expected, found) over the corpus plus the keys generated for it."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root, dirs_exist_ok=True)
    labels = json.loads((HERE / "labels.json").read_text())
    expected = {(f["path"], f["rule"], f["line"]) for f in labels["findings"]}
    expected |= {tuple(label) for label in generate_keys(root)}  # type: ignore[misc]
    return expected, _scan_tree(root)


def test_corpus_is_big_enough() -> None:
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    labels = json.loads((HERE / "labels.json").read_text())
    assert len(files) >= 60
    labelled = {f["path"] for f in labels["findings"]} | set(labels["negatives"])
    assert labelled == {p.relative_to(CORPUS).as_posix() for p in files}  # every file has a verdict


def test_precision_and_recall(measured: tuple[set[Key], set[Key]]) -> None:
    expected, found = measured
    true_positives = expected & found
    precision = len(true_positives) / len(found)
    recall = len(true_positives) / len(expected)
    print(
        f"\nsecret corpus: {len(expected)} labelled secrets, {len(found)} findings, "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    for extra in sorted(found - expected):
        print("  false positive:", extra)
    for missed in sorted(expected - found):
        print("  false negative:", missed)
    assert precision >= 0.95
    assert recall >= 0.95


def test_every_rule_is_exercised(measured: tuple[set[Key], set[Key]]) -> None:
    from seawall.secrets.rules import RULES

    expected, found = measured
    assert {rule.id for rule in RULES} <= {rule for _, rule, _ in expected & found}


def _recipe_config_env() -> bytes:
    """The ``secrets/config.env`` heredoc of shared/recipes/03-lang-layers.sh, as the recipe writes it."""
    text = RECIPE.read_text()
    body = re.search(r"cat > secrets/config\.env <<'S'\n(.*?)\nS\n", text, re.S)
    assert body is not None, "the recipe no longer writes secrets/config.env"
    return body.group(1).encode() + b"\n"


def test_recipe_fake_secrets_are_found() -> None:
    content = _recipe_config_env()
    found = {(f.rule.id, f.line) for f in scan("app/secrets/config.env", content).findings}
    # config.env: line 1 AWS_ACCESS_KEY_ID=AKIA2E0A8F3B244C9986, 2 the secret key, 3 the ghp_ token
    assert b"AKIA2E0A8F3B244C9986" in content
    assert found == {("SW-SECRET-001", 1), ("SW-SECRET-002", 2), ("SW-SECRET-003", 3)}


def test_recipe_openssl_genrsa_key_is_found() -> None:
    findings = scan("app/secrets/id_rsa", openssl_genrsa()).findings
    assert [(f.rule.id, f.line) for f in findings] == [("SW-SECRET-010", 1)]


def test_aws_documented_examples_are_not_found() -> None:
    # The IAM user guide's example key pairs, in a file where a real pair would be reported.
    content = (CORPUS / "app/aws-example.env").read_bytes()
    assert b"AKIAIOSFODNN7EXAMPLE" in content and b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" in content
    assert scan("app/.env", content).findings == ()
