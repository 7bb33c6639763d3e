"""SW-IMG-001..007: checks over the image config, on configs written by buildah (fixtures/) and on
small images made with tests/factory.py, in OCI and Docker format."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from seawall.checks.image.config_rules import check_config, is_docker_format
from seawall.model import CheckResult, ImageInfo, LayerInfo
from tests.checks.image.helpers import audit, fixture_config, ids, where

OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def image(config: dict[str, Any], media_type: str = OCI_LAYER, layers: int | None = None) -> ImageInfo:
    """An ImageInfo as the image sources make it, with one layer per non-empty history entry."""
    history = [h for h in config.get("history", []) if isinstance(h, dict) and not h.get("empty_layer")]
    count = len(history) if layers is None else layers
    infos = tuple(
        LayerInfo(f"sha256:{i:064x}", f"sha256:{i + 100:064x}", media_type=media_type) for i in range(count)
    )
    return ImageInfo(reference="test", layers=infos, config=config)


def by_rule(results: list[CheckResult], rule_id: str) -> list[CheckResult]:
    return [r for r in results if r.rule.id == rule_id]


def test_buildah_docker_config() -> None:
    """buildah-history.Containerfile: USER 0:0, EXPOSE 22/tcp, a build-arg token used by RUN, an ENV API_KEY
    later emptied, a secret-named LABEL, ADD of a URL, and a HEALTHCHECK (kept: Docker format)."""
    config = fixture_config("buildah-history.docker-config.json")
    results = check_config(image(config, DOCKER_LAYER))
    assert ids(results) == [
        "SW-IMG-001",
        "SW-IMG-003",
        "SW-IMG-004",
        "SW-IMG-004",
        "SW-IMG-006",
        "SW-IMG-007",
    ]
    history = sorted(r.message for r in by_rule(results, "SW-IMG-004"))
    assert "build argument NPM_TOKEN" in history[0] or "build argument NPM_TOKEN" in history[1]
    assert any("ENV API_KEY" in m for m in history)
    assert not any("VERSION" in m or "LOG_LEVEL" in m for m in history)
    run = next(r for r in by_rule(results, "SW-IMG-004") if "NPM_TOKEN" in r.message)
    assert run.location.layer == "sha256:" + f"{101:064x}"  # the RUN made the second layer
    assert by_rule(results, "SW-IMG-003")[0].properties["label"] == "deploy.token"
    add = by_rule(results, "SW-IMG-007")[0]
    assert "/opt/tool.txt" in add.message and add.location.layer == "sha256:" + f"{102:064x}"
    for result in results:
        assert (
            "example-npm-token-value" not in result.message and "example-api-key-value" not in result.message
        )
        assert "example-label-token" not in result.message


def test_buildah_oci_config_has_no_healthcheck_to_check() -> None:
    """buildah drops HEALTHCHECK when it writes OCI: the rule does not apply, in either direction."""
    config = fixture_config("buildah-history.oci-config.json")
    assert "Healthcheck" not in config["config"]
    results = check_config(image(config, OCI_LAYER))
    assert "SW-IMG-005" not in ids(results)
    assert ids(results) == [
        "SW-IMG-001",
        "SW-IMG-003",
        "SW-IMG-004",
        "SW-IMG-004",
        "SW-IMG-006",
        "SW-IMG-007",
    ]


def test_buildah_add_sources() -> None:
    """buildah-add.Containerfile: a local archive, two files, one file, then a URL: only the URL."""
    config = fixture_config("buildah-add.docker-config.json")
    results = by_rule(check_config(image(config, DOCKER_LAYER)), "SW-IMG-007")
    assert [r.object_name for r in results] == [f"history[{len(config['history']) - 1}]"]
    assert "/opt/w.txt" in results[0].message


@pytest.mark.parametrize(
    ("created_by", "reported"),
    [
        # BuildKit writes the instruction as given, with a "# buildkit" comment
        ("ADD https://example.com/tool.tar.gz?token=example /opt/ # buildkit", True),
        ("ADD --checksum=sha256:" + "a" * 64 + " https://example.com/tool.tar.gz /opt/ # buildkit", False),
        ("ADD --chown=1:1 https://example.com/tool.tar.gz /opt/ # buildkit", True),
        ("ADD app.tar.gz /opt/ # buildkit", False),
        ("/bin/sh -c #(nop) ADD file:" + "b" * 64 + " in /opt/x ", False),
        ("/bin/sh -c #(nop) COPY https://example.com/x in /opt/x ", False),
        ("/bin/sh -c curl -fsSL https://example.com/install.sh | sh", False),
    ],
)
def test_add_of_urls(created_by: str, reported: bool) -> None:
    config = {"config": {"User": "1"}, "history": [{"created_by": created_by}]}
    results = by_rule(check_config(image(config)), "SW-IMG-007")
    assert bool(results) is reported
    assert all("token=" not in r.message for r in results)


@pytest.mark.parametrize(
    ("user", "root"),
    [(None, True), ("", True), ("0", True), ("root", True), ("0:0", True), ("root:root", True), ("00", True),
     ("65534:65534", False), ("app", False), ("1000:0", False), ("10001", False), (12, True)],
)  # fmt: skip
def test_root_user(user: object, root: bool) -> None:
    config: dict[str, Any] = {"config": {} if user is None else {"User": user}}
    assert ("SW-IMG-001" in ids(check_config(image(config)))) is root


@pytest.mark.parametrize(
    ("variable", "reported"),
    [
        ("DB_PASSWORD=example-password", True),
        ("AWS_SECRET_ACCESS_KEY=Oy/y3xtPX82RD+2ofEZXx8RfU7n9dJij0X57aaaZ", True),
        ("GITHUB_TOKEN=example", True),
        ("PRIVATE_KEY=example", True),
        ("apiKey=example", True),
        ("UPSTREAM=AKIAZ7SEAWALLTESTQRS", True),  # an AWS access key ID by its value (base32 after AKIA)
        ("UPSTREAM=AKIAZ7SEAWALLTEST01X", False),  # 0 and 1 are not base32: not a key ID
        ("UPSTREAM=AKIAIOSFODNN7EXAMPLE", False),  # AWS's documented example key
        ("POSTGRES_PASSWORD_FILE=/run/secrets/db", False),
        ("TOKEN_URL=https://auth.example.com/token", False),
        ("DB_PASSWORD=", False),
        ("ENABLE_TOKEN=true", False),
        ("PATH=/usr/bin", False),
        ("GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", False),
    ],
)
def test_secrets_in_env(variable: str, reported: bool) -> None:
    results = check_config(image({"config": {"User": "1", "Env": [variable]}}))
    assert ("SW-IMG-002" in ids(results)) is reported
    value = variable.partition("=")[2]
    assert all(not value or value not in r.message for r in results)


def test_env_set_by_history_is_reported_once() -> None:
    """The ENV instruction is both in Env and in the history: SW-IMG-002 only."""
    config = {
        "config": {"User": "1", "Env": ["API_TOKEN=example"]},
        "history": [{"created_by": "/bin/sh -c #(nop) ENV API_TOKEN=example", "empty_layer": True}],
    }
    assert ids(check_config(image(config))) == ["SW-IMG-002"]


def test_arg_defaults_in_buildkit_history() -> None:
    config = {
        "config": {"User": "1"},
        "history": [
            {"created_by": "ARG NPM_TOKEN=example-default", "empty_layer": True},
            {"created_by": "ARG VERSION=1.0", "empty_layer": True},
            {"created_by": "ARG SECRET_TOKEN", "empty_layer": True},
            {"created_by": "RUN |2 NPM_TOKEN=example-default VERSION=1.0 /bin/sh -c npm ci # buildkit"},
        ],
    }
    results = check_config(image(config))
    assert [r.object_name for r in by_rule(results, "SW-IMG-004")] == ["history[0]", "history[3]"]


@pytest.mark.parametrize(
    ("healthcheck", "media_type", "reported"),
    [
        (None, DOCKER_LAYER, True),
        ({"Test": ["CMD", "/bin/true"]}, DOCKER_LAYER, False),
        ({"Test": ["NONE"]}, DOCKER_LAYER, True),
        (None, OCI_LAYER, False),
        (None, "dir", False),
    ],
)
def test_healthcheck(healthcheck: object, media_type: str, reported: bool) -> None:
    inner: dict[str, Any] = {"User": "1"}
    if healthcheck is not None:
        inner["Healthcheck"] = healthcheck
    assert ("SW-IMG-005" in ids(check_config(image({"config": inner}, media_type, layers=1)))) is reported


@pytest.mark.parametrize(
    ("ports", "reported"),
    [(["22/tcp"], True), (["22"], True), (["2222/tcp", "8080/tcp"], False), (["22/udp"], False)],
)
def test_ssh_port(ports: list[str], reported: bool) -> None:
    config = {"config": {"User": "1", "ExposedPorts": {port: {} for port in ports}}}
    assert ("SW-IMG-006" in ids(check_config(image(config)))) is reported


def test_hostile_config_shapes() -> None:
    """Every field with the wrong type: no exception, and only what can still be judged."""
    hostile: dict[str, Any] = {
        "config": {
            "User": ["root"],
            "Env": "A=b",
            "Labels": ["x"],
            "ExposedPorts": "22/tcp",
            "Healthcheck": 1,
        },
        "history": [
            None,
            1,
            {"created_by": ["ADD https://x"]},
            {"created_by": "|99999 A"},
            {"created_by": "ENV"},
        ],
    }
    assert ids(check_config(image(hostile, DOCKER_LAYER, layers=1))) == ["SW-IMG-001", "SW-IMG-005"]
    assert check_config(image({"config": "nope"}, layers=0)) != []  # no config object: runs as root
    assert check_config(ImageInfo(reference="dir:/x")) == []  # a root filesystem has no config at all


def test_docker_format_by_layer_media_type() -> None:
    assert is_docker_format(image({}, DOCKER_LAYER, layers=1))
    assert not is_docker_format(image({}, OCI_LAYER, layers=1))


def test_factory_images_in_both_formats(tmp_path: Path) -> None:
    """The same config through the image sources: an OCI layout and a docker archive."""
    config = copy.deepcopy(fixture_config("buildah-history.docker-config.json"))
    layers: list[list[Any]] = [
        [("etc/os-release", b"ID=debian\n")],
        [("built", b"x")],
        [("opt/tool.txt", b"x")],
    ]
    oci = audit(tmp_path / "oci", layers, config)
    docker = audit(tmp_path / "docker", layers, config, docker=True)
    expected = ["SW-IMG-001", "SW-IMG-003", "SW-IMG-004", "SW-IMG-004", "SW-IMG-006", "SW-IMG-007"]
    assert [i for i in ids(oci) if i < "SW-IMG-008"] == expected
    assert [i for i in ids(docker) if i < "SW-IMG-008"] == expected  # the fixture has a Healthcheck
    del config["config"]["Healthcheck"]
    assert where(audit(tmp_path / "d2", layers, config, docker=True), "SW-IMG-005") == ["Healthcheck"]
    assert where(audit(tmp_path / "o2", layers, config), "SW-IMG-005") == []
