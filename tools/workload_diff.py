"""Differential: Seawall's Kubernetes workload checks against Checkov's and `trivy config` on the corpus.

Usage: .venv/bin/python tools/workload_diff.py [--checkov PATH] [--trivy PATH]
(defaults: /tmp/checkov-venv/bin/checkov, .venv/bin/trivy)
Runs both tools offline on tests/checks/workload/corpus, maps their check IDs onto our ideas, compares
per workload (Kind/name) and writes docs/workload-vs-checkov-trivy.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seawall.checks.workload import FileKind, analyze_workload  # noqa: E402

CORPUS = REPO / "tests" / "checks" / "workload" / "corpus"
OUTPUT = REPO / "docs" / "workload-vs-checkov-trivy.md"

# idea: (our rule IDs, Checkov IDs, Trivy IDs). An empty tuple: that tool has no such check.
IDEAS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "privileged": (("SW-K8S-013",), ("CKV_K8S_16",), ("KSV-0017",)),
    "allowPrivilegeEscalation": (("SW-K8S-012",), ("CKV_K8S_20",), ("KSV-0001",)),
    "may run as root": (("SW-K8S-010", "SW-K8S-011"), ("CKV_K8S_23",), ("KSV-0012",)),
    "runAsUser 0": (("SW-K8S-011",), (), ("KSV-0105",)),
    "capabilities: drop ALL missing": (("SW-K8S-014",), ("CKV_K8S_37",), ("KSV-0003",)),
    "capabilities: dangerous add": (("SW-K8S-015",), ("CKV_K8S_39",), ("KSV-0005", "KSV-0022", "KSV-0119")),
    "capabilities: any add but NET_BIND_SERVICE": (("SW-K8S-015", "SW-K8S-016"), ("CKV_K8S_25",), ()),
    "readOnlyRootFilesystem": (("SW-K8S-017",), ("CKV_K8S_22",), ("KSV-0014",)),
    "seccomp not RuntimeDefault/Localhost": (
        ("SW-K8S-018", "SW-K8S-019"),
        ("CKV_K8S_31",),
        ("KSV-0030", "KSV-0104"),
    ),
    "AppArmor overridden": (("SW-K8S-020",), (), ("KSV-0002",)),
    "SELinux custom options": (("SW-K8S-021",), (), ("KSV-0025",)),
    "hostNetwork": (("SW-K8S-022",), ("CKV_K8S_19",), ("KSV-0009",)),
    "hostPID": (("SW-K8S-023",), ("CKV_K8S_17",), ("KSV-0010",)),
    "hostIPC": (("SW-K8S-024",), ("CKV_K8S_18",), ("KSV-0008",)),
    "hostPort": (("SW-K8S-025",), ("CKV_K8S_26",), ("KSV-0024",)),
    "hostPath volume": (("SW-K8S-026", "SW-K8S-027"), (), ("KSV-0023",)),
    "runtime socket mounted": (("SW-K8S-027",), ("CKV_K8S_27",), ("KSV-0006",)),
    "procMount": (("SW-K8S-028",), (), ("KSV-0027",)),
    "unsafe sysctl": (("SW-K8S-029",), (), ("KSV-0026",)),
    "Windows HostProcess": (("SW-K8S-030",), (), ("KSV-0103",)),
    "restricted volume types": (("SW-K8S-032",), (), ("KSV-0028",)),
    "image latest / no tag": (("SW-K8S-033",), ("CKV_K8S_14",), ("KSV-0013",)),
    "image not pinned by digest": (("SW-K8S-034",), ("CKV_K8S_43",), ()),
    "CPU or memory limit missing": (("SW-K8S-035",), ("CKV_K8S_11", "CKV_K8S_13"), ("KSV-0011", "KSV-0018")),
    "service account token automount": (("SW-K8S-036",), ("CKV_K8S_38",), ()),
}

# Why the tools disagree, per idea, from reading their documentation and this corpus' results.
JUSTIFICATIONS: dict[str, str] = {
    "runAsUser 0": (
        "The userns pod runs as uid 0 inside its own user namespace (hostUsers: false); the PSS user "
        "namespaces "
        "section lifts runAsNonRoot and runAsUser for such pods, Trivy KSV-0105 does not."
    ),
    "may run as root": (
        "Checkov CKV_K8S_23 and Trivy KSV-0012 also accept a container that sets runAsUser > 0 without "
        "runAsNonRoot; the Pod Security Standards (restricted, 'Running as Non-root') require "
        "runAsNonRoot: true "
        "and so do we. A pod with hostUsers: false is exempt in PSS (user namespaces page): we follow PSS."
    ),
    "allowPrivilegeEscalation": (
        "PSS lifts Privilege Escalation, Seccomp and Capabilities for Windows pods (spec.os.name: windows, "
        "'OS-specific policy controls'); Checkov and Trivy still report them on the Windows DaemonSet."
    ),
    "capabilities: drop ALL missing": (
        "Same Windows exemption as above. Checkov CKV_K8S_37 also fails containers that add any capability "
        "next to drop ALL (coredns adding NET_BIND_SERVICE); PSS restricted allows exactly that, and so "
        "do we."
    ),
    "capabilities: dangerous add": (
        "We flag every capability outside the PSS baseline list (NET_ADMIN, NET_RAW, SYS_ADMIN ...). Checkov "
        "CKV_K8S_39 looks at SYS_ADMIN only; Trivy splits SYS_ADMIN (KSV-0005), NET_RAW (KSV-0119) and "
        "'specific capabilities' (KSV-0022), which also fires for NET_BIND_SERVICE (the ingress controller): "
        "PSS allows that one even at restricted."
    ),
    "capabilities: any add but NET_BIND_SERVICE": (
        "Checkov CKV_K8S_25 fails any added capability, NET_BIND_SERVICE included; PSS restricted allows "
        "NET_BIND_SERVICE, so we do not report it."
    ),
    "readOnlyRootFilesystem": (
        "Trivy KSV-0014 and Checkov CKV_K8S_22 do not skip Windows pods; readOnlyRootFilesystem is not "
        "supported on Windows (the API rejects it for spec.os.name: windows), so we skip them."
    ),
    "seccomp not RuntimeDefault/Localhost": (
        "Trivy: KSV-0030 (pod or container) and KSV-0104 (per container) together. Checkov CKV_K8S_31 "
        "still accepts the deprecated seccomp.security.alpha.kubernetes.io/pod annotation "
        "and reads only pod-level fields for some kinds; PSS (since 1.19 policy) reads the fields only, "
        "allows "
        "container-level profiles to cover the pod, and lifts the control for Windows pods (spec.os.name)."
    ),
    "AppArmor overridden": (
        "Trivy KSV-0002 reads only the beta annotation; PSS also restricts the appArmorProfile field "
        "(Kubernetes 1.30+), which we check too."
    ),
    "hostPath volume": (
        "Checkov has no generic hostPath check (only the Docker socket, CKV_K8S_27). Where Trivy does not "
        "report a List's items, that is Trivy not reading kind: List."
    ),
    "runtime socket mounted": (
        "We also report containerd.sock, crio.sock and podman.sock and directories above a socket (/var/run, "
        "/run, /): the node-debugger pod and node-exporter mount the node's / and so reach /run/containerd/"
        "containerd.sock. Checkov and Trivy match docker.sock itself only."
    ),
    "Windows HostProcess": "Both report it where each reads the object.",
    "image latest / no tag": "All three agree where each reads the object (Trivy skips kind: List).",
    "image not pinned by digest": "Trivy has no digest check in its Kubernetes set.",
    "CPU or memory limit missing": (
        "Checkov and Trivy count init containers differently; we check containers and init containers "
        "(not ephemeral ones, which cannot have resources)."
    ),
    "service account token automount": (
        "Checkov CKV_K8S_38 ignores a ServiceAccount in the same file that sets "
        "automountServiceAccountToken: "
        "false; the kubelet honours it, and so do we."
    ),
}
GENERAL = (
    "Trivy does not read `kind: List` (k8s-list-kubectl-get.yaml yields no Trivy result at all), so every "
    "'seawall only' count includes those two workloads for the ideas they fail."
)

KINDS = (
    "Pod",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
)
WORKLOAD = re.compile(rf"\b({'|'.join(KINDS)}) '([^']+)'")
WORKLOAD_LOWER = re.compile(rf"\bof ({'|'.join(k.lower() for k in KINDS)}) \"([^\"]+)\"")


def ours() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(CORPUS.iterdir()):
        report = analyze_workload(str(path), path.read_text(encoding="utf-8"))
        if report.kind is not FileKind.KUBERNETES:
            continue
        for level in report.levels:
            found.setdefault((path.name, level.object_name), set())
        for result in report.results:
            name = result.object_name.split(" container ", 1)[0]
            found[(path.name, name)].add(result.rule.id)
    return found


def checkov(binary: str) -> dict[tuple[str, str], set[str]]:
    command = [binary, "-d", str(CORPUS), "--framework", "kubernetes", "--output", "json", "--quiet"]
    command += ["--skip-download", "--compact"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False).stdout
    reports = json.loads(output)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in report["results"]["failed_checks"]:
            kind, _, name = failed["resource"].partition(".")
            name = name.split(".", 1)[1] if "." in name else name
            found[(Path(failed["file_path"]).name, f"{kind}/{name}")].add(failed["check_id"])
    return found


def trivy(binary: str, workloads: list[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """Trivy's failures per workload; a message naming no workload counts for each workload of its file."""
    command = [binary, "config", str(CORPUS), "--format", "json", "--skip-check-update", "-q"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False).stdout
    lower = {kind.lower(): kind for kind in KINDS}
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for result in json.loads(output).get("Results", []):
        file = Path(result["Target"]).name
        for misconfiguration in result.get("Misconfigurations") or []:
            message = misconfiguration.get("Message", "")
            if match := WORKLOAD.search(message):
                targets = [(file, f"{match[1]}/{match[2]}")]
            elif match := WORKLOAD_LOWER.search(message):
                targets = [(file, f"{lower[match[1]]}/{match[2]}")]
            else:
                targets = [w for w in workloads if w[0] == file]
            for target in targets:
                found[target].add(misconfiguration["ID"])
    return found


def compare(
    seawall: dict[tuple[str, str], set[str]],
    ckv: dict[tuple[str, str], set[str]],
    trv: dict[tuple[str, str], set[str]],
) -> tuple[list[str], list[str]]:
    workloads = sorted(seawall)
    rows, details = [], []
    for idea, (our_ids, ckv_ids, trv_ids) in IDEAS.items():
        counts: dict[str, int] = defaultdict(int)
        for workload in workloads:
            us = bool(seawall[workload] & set(our_ids))
            them = {"checkov": bool(ckv[workload] & set(ckv_ids)) if ckv_ids else None}
            them["trivy"] = bool(trv[workload] & set(trv_ids)) if trv_ids else None
            for tool, flagged in them.items():
                if flagged is None:
                    continue
                key = f"{tool}:{'both' if us and flagged else 'agree-pass' if not us and not flagged else ''}"
                if us and not flagged:
                    key = f"{tool}:us-only"
                    details.append(f"| {idea} | {workload[0]} | {workload[1]} | seawall only (not {tool}) |")
                elif flagged and not us:
                    key = f"{tool}:them-only"
                    details.append(f"| {idea} | {workload[0]} | {workload[1]} | {tool} only |")
                counts[key] += 1
        cells = [idea, ", ".join(our_ids)]
        for tool, ids in (("checkov", ckv_ids), ("trivy", trv_ids)):
            if not ids:
                cells += ["—", "no such check"]
                continue
            agree = counts[f"{tool}:both"] + counts[f"{tool}:agree-pass"]
            cells += [
                ", ".join(ids),
                f"{agree}/{len(workloads)} agree ({counts[f'{tool}:both']} both fail); "
                f"seawall only {counts[f'{tool}:us-only']}, {tool} only {counts[f'{tool}:them-only']}",
            ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows, details


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkov", default="/tmp/checkov-venv/bin/checkov")
    parser.add_argument("--trivy", default=str(REPO / ".venv" / "bin" / "trivy"))
    args = parser.parse_args()
    seawall = ours()
    rows, details = compare(seawall, checkov(args.checkov), trivy(args.trivy, sorted(seawall)))
    lines = [
        "# Seawall workload checks vs Checkov and Trivy",
        "",
        "Generated by `tools/workload_diff.py` (do not edit by hand) on the Kubernetes files of "
        "`tests/checks/workload/corpus/` (Compose and OCI files are outside both tools' Kubernetes checks). "
        f"{len(seawall)} workloads; Checkov {_version(args.checkov)}, Trivy {_version(args.trivy)}, both "
        "offline with their built-in checks. A workload 'agrees' when both tools fail it or both pass it.",
        "",
        "Seawall's reference for every Pod Security Standards control is the upstream PSS document; where "
        "the other tools differ from it, we follow the document.",
        "",
        "| idea | Seawall | Checkov | Checkov vs Seawall | Trivy | Trivy vs Seawall |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "## Why they differ",
        "",
        f"- {GENERAL}",
        *[f"- **{idea}**: {text}" for idea, text in JUSTIFICATIONS.items()],
        "",
        "## Every disagreement",
        "",
        "| idea | file | workload | who reports it |",
        "| --- | --- | --- | --- |",
        *details,
        "",
    ]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}: {len(rows)} ideas, {len(details)} disagreements")
    return 0


def _version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=120, check=False)
    except OSError:
        return "(not found)"
    return out.stdout.strip().splitlines()[0].replace("Version: ", "") if out.stdout.strip() else "?"


if __name__ == "__main__":
    raise SystemExit(main())
