"""Per-check failing and passing inputs for the Kubernetes extras, Compose, OCI config.json and docker run."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.checks.workload import analyze_workload, lint_docker_run
from seawall.checks.workload.docker_run import DockerRunError
from seawall.checks.workload.rules import workload_rules
from tests.checks.workload.helpers import deployment, dump, ids

CORPUS = Path(__file__).parent / "corpus"


def test_catalogue_ids_are_unique_and_documented() -> None:
    rules = workload_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.id.startswith(("SW-K8S-", "SW-COMPOSE-", "SW-RUN-", "SW-OCI-")) and rule.id[-3:].isdigit()
        assert rule.rationale and rule.fix and rule.bad_example and rule.good_example


def test_kubernetes_rule_lines_point_at_the_field() -> None:
    text = (CORPUS / "k8s-jenkins-agent-docker-sock.yaml").read_text()
    found = ids(text)
    assert [r.location.line for r in found["SW-K8S-027"]] == [25]  # hostPath: of the docker-sock volume
    assert [r.location.line for r in found["SW-K8S-037"]] == [14]  # JENKINS_SECRET value
    assert found["SW-K8S-033"][0].location.line == 11  # jenkins/inbound-agent:latest
    assert found["SW-K8S-001"][0].properties["pss_level"] == "privileged"


@pytest.mark.parametrize(
    ("image", "latest", "digest"),
    [("nginx", True, True), ("nginx:latest", True, True), ("reg:5000/a/b", True, True),
     ("reg:5000/a/b:1.2", False, True), ("nginx:1.27@sha256:" + "a" * 64, False, False),
     ("$(IMAGE)", False, False)],
)  # fmt: skip
def test_image_pinning(image: str, latest: bool, digest: bool) -> None:
    found = ids(dump(deployment({"containers": [{"name": "c", "image": image}]})))
    assert ("SW-K8S-033" in found) is latest
    assert ("SW-K8S-034" in found) is digest


def test_service_account_token_and_env_secrets() -> None:
    spec = {"serviceAccountName": "quiet", "containers": [{"name": "c", "image": "x:1", "env": [
        {"name": "API_TOKEN", "value": "abcdef123456"}, {"name": "TOKEN_URL", "value": "https://x/t"},
        {"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"},
        {"name": "AWS", "value": "AKIAIOSFODNN7EXAMPLE"},
        {"name": "PASSWORD", "value": "${FROM_ENV}"}]}]}  # fmt: skip
    text = dump(deployment(spec))
    found = ids(text)
    assert [r.message.split(": ")[0].rsplit(" ", 1)[-1] for r in found["SW-K8S-037"]] == ["API_TOKEN", "AWS"]
    assert "SW-K8S-036" in found
    account = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet}\nautomountServiceAccountToken: false\n"
    )
    assert "SW-K8S-036" not in ids(account + "---\n" + text)


def test_cronjob_and_list_pods_are_found() -> None:
    levels = analyze_workload("l.yaml", (CORPUS / "k8s-list-kubectl-get.yaml").read_text()).levels
    assert [(x.object_name, x.level_name) for x in levels] == [
        ("Deployment/coredns", "baseline"),  # no runAsNonRoot / seccompProfile: restricted fails
        ("ReplicationController/legacy-frontend", "baseline"),
    ]
    (cron,) = analyze_workload("c.yaml", (CORPUS / "k8s-hello-cronjob.yaml").read_text()).levels
    assert cron.object_name == "CronJob/hello" and cron.line == 3


def test_deprecated_seccomp_annotation_unconfined() -> None:
    found = ids((CORPUS / "k8s-legacy-annotations.yaml").read_text())
    assert [r.location.line for r in found["SW-K8S-019"]] == [8]
    assert [r.location.line for r in found["SW-K8S-020"]] == [10]


def test_compose_rules() -> None:
    found = ids((CORPUS / "compose-monitoring.yaml").read_text(), "compose.yaml")
    assert {r.object_name for r in found["SW-COMPOSE-001"]} == {"service cadvisor"}
    assert len(found["SW-COMPOSE-015"]) == 3  # /, /var/run (cadvisor) and / (node-exporter): socket reachable
    assert {r.location.line for r in found["SW-COMPOSE-011"]} == {19}  # network_mode: host
    assert ids((CORPUS / "compose-hardened.yaml").read_text(), "compose.yaml") == {}


def test_compose_merge_keys_are_applied() -> None:
    found = ids((CORPUS / "compose-anchors.yaml").read_text(), "compose.yaml")
    # debug's own security_opt replaces the anchor's (explicit keys win): no no-new-privileges (007);
    # tmpfs is not in the anchor: a read-only root with nothing at /tmp (020)
    expected = {"SW-COMPOSE-002", "SW-COMPOSE-005", "SW-COMPOSE-007", "SW-COMPOSE-008", "SW-COMPOSE-009"}
    assert set(found) == expected | {"SW-COMPOSE-020", "SW-COMPOSE-022"}
    assert {r.object_name for r in found["SW-COMPOSE-002"]} == {
        "service debug"
    }  # user: root beats the anchor


def test_oci_runc_spec() -> None:
    found = ids((CORPUS / "oci-runc-spec-config.json").read_text(), "config.json")
    # runc spec: uid 0, no seccomp, no AppArmor profile, no limits, AUDIT_WRITE and KILL kept
    assert set(found) == {"SW-OCI-001", "SW-OCI-004", "SW-OCI-006", "SW-OCI-008", "SW-OCI-015"}
    rootless = ids((CORPUS / "oci-runc-spec-rootless-config.json").read_text(), "config.json")
    assert "SW-OCI-001" not in rootless  # uid 0 mapped by a user namespace
    assert "SW-OCI-009" in rootless  # no network namespace: the host's


def test_docker_run() -> None:
    command = (
        "sudo docker run -dit --rm --privileged --network=host -v /var/run/docker.sock:/var/run/docker.sock "
        "--cap-add SYS_ADMIN -e DB_PASSWORD=hunter2hunter2 -p 8080:80 --security-opt seccomp=unconfined "
        "nginx sh -c 'echo --privileged'"
    )
    found = {r.rule.id: r for r in lint_docker_run(command)}
    expected = ("001", "005", "008", "011", "015", "021", "024", "025")
    assert {f"SW-RUN-{n}" for n in expected} <= set(found)
    assert found["SW-RUN-011"].location.column == command.index("--network=host") + 1


def test_docker_run_hardened_and_podman_tmpfs() -> None:
    hardened = (
        "docker run --user 10001:10001 --cap-drop ALL --read-only --tmpfs /tmp "
        "--security-opt no-new-privileges "
        "--memory 256m --pids-limit 100 -p 127.0.0.1:8080:8080 reg/app:1.0@sha256:" + "b" * 64
    )
    assert lint_docker_run(hardened) == []
    assert "SW-RUN-020" not in {r.rule.id for r in lint_docker_run("podman run --read-only alpine:3.20")}
    assert "SW-RUN-020" in {r.rule.id for r in lint_docker_run("docker run --read-only alpine:3.20")}


@pytest.mark.parametrize("command", ["ls -l", "docker run", "docker run 'unterminated"])
def test_docker_run_bad_input(command: str) -> None:
    with pytest.raises(DockerRunError):
        lint_docker_run(command)
