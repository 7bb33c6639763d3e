"""Differential secret scan: Seawall against Trivy's secret scanner on the labelled corpus.

Usage: .venv/bin/python tools/secret_diff.py [--out docs/secrets-vs-trivy.md] [--noise DIR ...]

The corpus of tests/secrets (plus the private keys tests/secrets/keys.py generates) is copied to a
temporary directory and scanned by both tools offline: ``trivy fs --scanners secret --format json``
and Seawall's scanner over the same files. Findings are matched by file and line (ranges for keys:
Trivy points at the key body, Seawall at the BEGIN line) and by kind of secret. Every disagreement
is judged against the corpus labels, which say where a secret was placed and which files are near
misses, and explained. ``--noise DIR`` also scans directories that hold no real secret (e.g. the
Python library trees of this machine) and lists what each tool reports there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.secrets.rules import RULES_BY_ID  # noqa: E402
from seawall.secrets.scanner import scan  # noqa: E402
from tests.secrets.keys import generate_keys  # noqa: E402

CORPUS = REPO / "tests/secrets/corpus"
LABELS = REPO / "tests/secrets/labels.json"

# Trivy rule ID -> the Seawall rules that find the same kind of secret
KINDS: dict[str, set[str]] = {
    "aws-access-key-id": {"SW-SECRET-001"},
    "aws-secret-access-key": {"SW-SECRET-002"},
    "github-pat": {"SW-SECRET-003"},
    "github-oauth": {"SW-SECRET-003"},
    "github-app-token": {"SW-SECRET-003"},
    "github-refresh-token": {"SW-SECRET-003"},
    "github-fine-grained-pat": {"SW-SECRET-003"},
    "gitlab-pat": {"SW-SECRET-004"},
    "slack-access-token": {"SW-SECRET-005"},
    "slack-web-hook": {"SW-SECRET-006"},
    "stripe-secret-token": {"SW-SECRET-007", "SW-SECRET-008"},
    "private-key": {"SW-SECRET-010", "SW-SECRET-011"},
    "jwt-token": {"SW-SECRET-012"},
    "npm-access-token": {"SW-SECRET-013"},
    "pypi-upload-token": {"SW-SECRET-015"},
    "dockerconfig-secret": {"SW-SECRET-016"},
    "sendgrid-api-token": {"SW-SECRET-017"},
    "openai-project-api-key": {"SW-SECRET-018"},
    "openai-legacy-api-key": {"SW-SECRET-018"},
    "anthropic-api-key": {"SW-SECRET-018"},
    "azure-storage-account-key": {"SW-SECRET-020"},
    "hugging-face-access-token": {"SW-SECRET-021"},
    "maven-settings-password": {"SW-SECRET-023"},
    "gcp-service-account": {"SW-SECRET-010"},
}

# Why a tool is right or wrong where the two disagree: (path, line) -> explanation. Written by
# reading each case; the verdict itself comes from the labels.
REASONS: dict[tuple[str, int], str] = {
    ("app/placeholders.env", 1): "`AKIAXXXXXXXXXXXXXXXX` is a placeholder (one repeated character)",
    ("app/placeholders.env", 2): "`AKIA0000000000000000` is a placeholder (one repeated character)",
    ("app/placeholders.env", 3): "forty `x` are a placeholder",
    ("app/placeholders.env", 4): "`ghp_xxxx...` is a placeholder",
    ("app/placeholders.env", 5): "`glpat-xxxx...` is a placeholder",
    ("app/placeholders.env", 7): "`sk_live_xxxx...` is a placeholder",
    ("app/placeholders.env", 13): "Slack's own documentation webhook `T00000000/B00000000/XXXX...`",
    (
        "app/jwt-samples.txt",
        1,
    ): "jwt.io's sample token (`John Doe`, signature `SflKxw...`): published, signs nothing",
    (
        "app/jwt-samples.txt",
        3,
    ): "an unsecured JWT (`alg: none`, empty signature) is no credential: anyone can "
    "forge one (RFC 7519 section 6)",
    ("app/stripe-demo.rb", 1): "`sk_test_4eC39HqLyjWDarjtT1zdp7dc` is the test key Stripe prints in its API "
    "reference for everyone",
    ("app/payments/config.json", 5): "a publishable key (`pk_live_`) is public by design: Stripe.js sends it "
    "to every browser",
    ("app/static/js/stripe-public.js", 1): "a publishable key (`pk_live_`) is public by design",
    ("app/gcp-service-account.json", 2): "a second finding for the same credential: the line "
    '`"type": "service_account"` marks the file, the secret is the private key both tools report on line 5',
}


# Disagreements that are choices rather than errors: (path, line) -> verdict.
VERDICTS: dict[tuple[str, int], str] = {
    ("app/gcp-service-account.json", 2): "neither wrong (a second finding for one secret)",
    ("app/payments/config.json", 5): "a choice (Trivy reports public keys at LOW)",
    ("app/static/js/stripe-public.js", 1): "a choice (Trivy reports public keys at LOW)",
}


@dataclass(frozen=True)
class Hit:
    tool: str
    path: str
    first: int
    last: int
    rule: str


def run_trivy(root: Path) -> list[Hit]:
    binary = shutil.which("trivy") or str(REPO / ".venv/bin/trivy")
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run(
            [binary, "fs", "--scanners", "secret", "--format", "json", "--cache-dir", cache, "--quiet",
             "--offline-scan", str(root)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    hits = []
    for result in json.loads(out.stdout).get("Results") or []:
        for secret in result.get("Secrets") or []:
            hits.append(
                Hit("trivy", result["Target"], secret["StartLine"], secret["EndLine"], secret["RuleID"])
            )
    return hits


def run_seawall(root: Path) -> list[Hit]:
    hits = []
    for file in sorted(root.rglob("*")):
        if file.is_file() and not file.is_symlink():
            relative = file.relative_to(root).as_posix()
            for f in scan(relative, file.read_bytes()).findings:
                hits.append(Hit("seawall", relative, f.line, f.end_line, f.rule.id))
    return hits


def same(trivy: Hit, ours: Hit) -> bool:
    return (
        trivy.path == ours.path
        and trivy.first <= ours.last
        and ours.first <= trivy.last
        and ours.rule in KINDS.get(trivy.rule, set())
    )


def labelled(hit: Hit, labels: set[tuple[str, str, int]]) -> bool:
    """Whether a label stands where ``hit`` points, for a rule of its kind."""
    rules = {hit.rule} if hit.rule.startswith("SW-") else KINDS.get(hit.rule, set())
    return any(
        path == hit.path and rule in rules and hit.first - 1 <= line <= hit.last
        for path, rule, line in labels
    )


def _title(rule: str) -> str:
    return RULES_BY_ID[rule].meta.title if rule in RULES_BY_ID else rule


def explain(hit: Hit, right: bool, negatives: dict[str, str]) -> str:
    reason = REASONS.get((hit.path, hit.first))
    if reason:
        return reason
    if not right:
        return f"near miss: {negatives.get(hit.path, 'not a secret')}"
    if hit.tool == "seawall":
        return f"Trivy: {MISSES.get(hit.rule, 'no rule for this form')}"
    return "Seawall has no rule for this form"


# Why Trivy misses secrets of a Seawall rule that are in the corpus.
MISSES: dict[str, str] = {
    "SW-SECRET-001": "its AWS key ID regex wants whitespace or the line end after the key "
    "(a comma in a CSV row is neither)",
    "SW-SECRET-002": "it finds the secret key only after a setting name, not beside its key ID",
    "SW-SECRET-004": "it knows only glpat- personal tokens, not deploy (gldt-), runner (glrt-, "
    "GR1348941) or other GitLab token types",
    "SW-SECRET-005": "its Slack rule knows xox[baprs]- tokens, not app-level xapp- tokens",
    "SW-SECRET-007": "it has no rule for restricted keys (rk_live_)",
    "SW-SECRET-009": "it has no rule for Google API keys",
    "SW-SECRET-011": "its private-key regex wants the base64 body right after BEGIN, so a "
    "legacy encrypted PEM key with Proc-Type and DEK-Info headers is missed",
    "SW-SECRET-013": "its npm rule wants the token in quotes; .npmrc values are bare",
    "SW-SECRET-014": "it has no rule for .npmrc _auth/_authToken or Yarn npmAuthToken values",
    "SW-SECRET-016": "its Docker rule reads Kubernetes .dockerconfigjson values, not "
    "~/.docker/config.json auths",
    "SW-SECRET-018": "it has no rule for Anthropic keys",
    "SW-SECRET-019": "it has no rule for Vault tokens",
    "SW-SECRET-022": "it has no rule for passwords in URLs",
    "SW-SECRET-023": "it has no generic password/secret/token assignment rule (only Maven "
    "settings.xml passwords)",
}


def compare(root: Path) -> tuple[list[tuple[Hit, Hit]], list[Hit], list[Hit]]:
    trivy, ours = run_trivy(root), run_seawall(root)
    pairs = [(t, s) for t in trivy for s in ours if same(t, s)]
    matched_t = {t for t, _ in pairs}
    matched_s = {s for _, s in pairs}
    return pairs, [t for t in trivy if t not in matched_t], [s for s in ours if s not in matched_s]


def scores(hits: list[Hit], labels: set[tuple[str, str, int]]) -> tuple[float, float]:
    """(precision, recall) of one tool's findings against the labels."""
    right = [hit for hit in hits if labelled(hit, labels)]
    covered = {label for label in labels if any(labelled(hit, {label}) for hit in hits)}
    return len(right) / max(len(hits), 1), len(covered) / max(len(labels), 1)


def report(out: Path, noise: list[Path]) -> str:
    data = json.loads(LABELS.read_text())
    labels = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    negatives: dict[str, str] = data["negatives"]
    version = subprocess.run(
        [shutil.which("trivy") or str(REPO / ".venv/bin/trivy"), "--version"], capture_output=True, text=True
    ).stdout.splitlines()[0]
    trivy_version = "Trivy " + version.removeprefix("Version:").strip()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "corpus"
        shutil.copytree(CORPUS, root)
        labels |= {tuple(label) for label in generate_keys(root)}  # type: ignore[misc]
        pairs, trivy_only, seawall_only = compare(root)
    lines = [
        "# Secret detection: Seawall against Trivy",
        "",
        "Reproduce: `.venv/bin/python tools/secret_diff.py --noise /usr/lib/python3.11 --noise",
        "/usr/lib/python3/dist-packages` (writes this page). Both tools scan the same copy of the labelled",
        "corpus `tests/secrets/corpus` plus the private keys `tests/secrets/keys.py` makes with openssl,",
        f"ssh-keygen and gpg; {trivy_version} runs offline (`trivy fs --scanners secret --format json`).",
        "Findings agree when they name the same file, overlapping lines and the same kind",
        "of secret. Each disagreement is judged by the corpus labels (where a fake secret was placed, which",
        "files are near misses) and explained.",
        "",
        "Read it with its bias in mind: the corpus and its labels were written together with Seawall's",
        "rules, so a secret form Seawall does not know is less likely to be in it. What the comparison does",
        "show without bias is each tool's behaviour on the near misses, and which published token formats",
        "each tool knows. Some differences are choices rather than errors, and are marked so: Trivy reports",
        "Stripe publishable keys (public by design) and a service-account marker line; Seawall reports",
        "generic password assignments and passwords in URLs, which Trivy does not try.",
        "",
        "## Summary",
        "",
    ]
    trivy_right = [t for t in trivy_only if labelled(t, labels)]
    seawall_right = [s for s in seawall_only if labelled(s, labels)]
    total = len(labels)
    lines += [
        "| | count |",
        "|---|---|",
        f"| labelled secrets in the corpus | {total} |",
        f"| found by both (agreements) | {len(pairs)} |",
        f"| found by Trivy only | {len(trivy_only)} ({len(trivy_right)} labelled, "
        f"{len(trivy_only) - len(trivy_right)} near misses) |",
        f"| found by Seawall only | {len(seawall_only)} ({len(seawall_right)} labelled, "
        f"{len(seawall_only) - len(seawall_right)} near misses) |",
        "",
        "| tool | findings | precision | recall | recall on kinds both tools cover |",
        "|---|---|---|---|---|",
    ]
    covered_by_both = {"SW-SECRET-023"} ^ set().union(*KINDS.values())  # Trivy's generic: Maven only
    shared = {label for label in labels if label[1] in covered_by_both}
    for name, hits in (
        ("Seawall", [s for _, s in pairs] + seawall_only),
        ("Trivy", [t for t, _ in pairs] + trivy_only),
    ):
        unique = list(dict.fromkeys(hits))
        precision, recall = scores(unique, labels)
        _, shared_recall = scores(unique, shared)
        lines.append(f"| {name} | {len(unique)} | {precision:.2f} | {recall:.2f} | {shared_recall:.2f} |")
    lines += [
        "",
        "## Agreements by kind",
        "",
        "| Seawall rule | Trivy rule | both found |",
        "|---|---|---|",
    ]
    by_kind = Counter((s.rule, t.rule) for t, s in pairs)
    for (rule, trivy_rule), count in sorted(by_kind.items()):
        lines.append(f"| {rule} {_title(rule)} | {trivy_rule} | {count} |")
    lines += [
        "",
        "## Found by Trivy only",
        "",
        "| file:line | Trivy rule | verdict | why |",
        "|---|---|---|---|",
    ]
    for hit in sorted(trivy_only, key=lambda h: (h.path, h.first)):
        right = labelled(hit, labels)
        verdict = "Trivy right (Seawall misses it)" if right else "Trivy wrong (false positive)"
        verdict = VERDICTS.get((hit.path, hit.first), verdict)
        lines.append(
            f"| {hit.path}:{hit.first} | {hit.rule} | {verdict} | {explain(hit, right, negatives)} |"
        )
    lines += [
        "",
        "## Found by Seawall only",
        "",
        "| file:line | Seawall rule | verdict | why |",
        "|---|---|---|---|",
    ]
    for hit in sorted(seawall_only, key=lambda h: (h.path, h.first)):
        right = labelled(hit, labels)
        verdict = "Seawall right (Trivy misses it)" if right else "Seawall wrong (false positive)"
        lines.append(
            f"| {hit.path}:{hit.first} | {hit.rule} {_title(hit.rule)} | {verdict} | "
            f"{explain(hit, right, negatives)} |"
        )
    for directory in noise:
        with tempfile.TemporaryDirectory() as work:
            pairs_n, trivy_n, seawall_n = compare(directory)
        lines += [
            "",
            f"## Noise: {directory}",
            "",
            "Python library code without real secrets, scanned as a directory (paths relative to it, so "
            "neither tool's library-path allow rules apply): "
            f"both {len(pairs_n)}, Trivy only {len(trivy_n)}, Seawall only {len(seawall_n)}. "
            "Every finding here is a false positive or a documentation "
            "example. In an image scan the secrets analyzer does not read library source code and the "
            "generic rules stay silent in library trees, so none of these reach a `seawall scan` report.",
            "",
        ]
        for hit in sorted([*(t for t, _ in pairs_n), *trivy_n, *seawall_n], key=lambda h: (h.path, h.first)):
            lines.append(f"- {hit.tool}: `{hit.path}:{hit.first}` {hit.rule}")
    text = "\n".join(lines) + "\n"
    out.write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=REPO / "docs/secrets-vs-trivy.md")
    parser.add_argument("--noise", type=Path, action="append", default=[])
    args = parser.parse_args()
    print(report(args.out, args.noise))


if __name__ == "__main__":
    main()
