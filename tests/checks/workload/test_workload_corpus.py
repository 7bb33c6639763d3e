"""The corpus: realistic manifests, each with the PSS level the upstream document gives it."""

from __future__ import annotations

from pathlib import Path

from seawall.checks.workload import analyze_workload, detect_workload

CORPUS = Path(__file__).parent / "corpus"

# Levels reasoned from the PSS document for each workload (why, in brief):
EXPECTED = {
    "k8s-nginx-deployment.yaml": {"Deployment/nginx-deployment": "baseline"},  # minimal pod
    "k8s-fluentd-daemonset.yaml": {"DaemonSet/fluentd-elasticsearch": "privileged"},  # hostPath
    "k8s-web-statefulset.yaml": {"StatefulSet/web": "baseline"},
    "k8s-hello-cronjob.yaml": {"CronJob/hello": "baseline"},
    "k8s-pi-job.yaml": {"Job/pi": "baseline"},
    "k8s-restricted-app.yaml": {"Deployment/api": "restricted"},
    "k8s-node-exporter-daemonset.yaml": {"DaemonSet/node-exporter": "privileged"},  # host namespaces
    "k8s-ingress-controller.yaml": {"Deployment/ingress-controller": "privileged"},  # hostPort
    "k8s-userns-pod.yaml": {"Pod/userns": "restricted"},  # hostUsers: false lifts runAsUser/runAsNonRoot
    "k8s-windows-hostprocess.yaml": {"DaemonSet/windows-exporter": "privileged"},  # HostProcess
    "k8s-probes-volumes.yaml": {"Deployment/legacy-reports": "privileged"},  # probe host
    "k8s-selinux-sysctls.yaml": {"Pod/sysctl-example": "privileged"},  # spc_t, procMount, sysctls
    "k8s-redis-statefulset.json": {"StatefulSet/redis": "baseline"},
}


def test_corpus_size_and_detection() -> None:
    files = sorted(CORPUS.iterdir())
    assert len(files) >= 25
    kinds = {
        analyze_workload(str(p), p.read_text()).kind for p in files if detect_workload(str(p), p.read_text())
    }
    assert len(kinds) == 3 and all(detect_workload(str(p), p.read_text()) for p in files)


def test_corpus_levels() -> None:
    for name, expected in EXPECTED.items():
        report = analyze_workload(name, (CORPUS / name).read_text())
        assert {x.object_name: x.level_name for x in report.levels} == expected, name
