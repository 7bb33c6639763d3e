"""The audit on real images: shared/images/hardened-min (a deliberately good image) and the insecure app
image that tests/images.py builds with buildah from tests/imagectx/app/Containerfile."""

from __future__ import annotations

import pytest

from seawall.checks.image import audit_image
from seawall.model import Severity
from tests.checks.image.helpers import TODAY, inventory, where
from tests.images import BuiltImage
from tests.paths import IMAGES


@pytest.mark.parametrize(
    "target",
    [f"oci:{IMAGES / 'oci' / 'hardened-min'}", f"docker-archive:{IMAGES / 'hardened-min-latest.docker.tar'}"],
)
def test_hardened_min_has_nothing_high(target: str) -> None:
    results = audit_image(inventory(target), TODAY)
    assert [r.message for r in results if r.effective_severity >= Severity.HIGH] == []
    # USER 65534:65534, HEALTHCHECK (kept in the Docker-format config), port 8080 only, no OS release
    assert {r.rule.id for r in results} <= {"SW-IMG-014"}  # busybox itself is a shell


@pytest.mark.parametrize("form", ["oci", "docker_archive"])
def test_insecure_app_image(app_image: BuiltImage, form: str) -> None:
    target = f"oci:{app_image['oci']}" if form == "oci" else f"docker-archive:{app_image['docker_archive']}"
    built = inventory(target)
    results = audit_image(built, TODAY)
    secrets_layer = built.image.layers[5].diff_id  # `COPY secrets/ /app/secrets/`, the sixth layer
    # Containerfile: USER root, EXPOSE 22 8080, ENV AWS_SECRET_ACCESS_KEY=...
    assert where(results, "SW-IMG-001") == ["User"]
    assert where(results, "SW-IMG-006") == ["ExposedPorts"]
    assert [r.properties["variable"] for r in results if r.rule.id == "SW-IMG-002"] == [
        "AWS_SECRET_ACCESS_KEY"
    ]
    assert where(results, "SW-IMG-004") == []  # the ENV is still in the config: reported once
    # secrets/: an RSA key made by `openssl genrsa -traditional`, and config.env
    (key,) = [r for r in results if r.rule.id == "SW-IMG-017"]
    assert key.location.file == "app/secrets/id_rsa" and key.location.layer == secrets_layer
    assert "RSA PRIVATE KEY" in key.message
    (env,) = [r for r in results if r.rule.id == "SW-IMG-018"]
    assert env.location.file == "app/secrets/config.env" and env.location.layer == secrets_layer
    # Debian 12's su is setuid root, shipped by util-linux (packages.debian.org: bookworm util-linux files)
    su = next(r for r in results if r.rule.id == "SW-IMG-010" and r.location.file == "usr/bin/su")
    assert su.properties["package"] == "util-linux" and su.location.layer == built.image.layers[0].diff_id
    # buildah wrote the OCI config without a Healthcheck field, the docker archive with Docker's format
    assert where(results, "SW-IMG-005") == ([] if form == "oci" else ["Healthcheck"])
    for result in results:
        assert "Oy/y3xtPX82RD" not in result.message


def test_alpine_311() -> None:
    """The official alpine:3.11 image: past end of life (alpinelinux.org/releases: 2021-11-01), no USER,
    busybox applet links; root's password is locked ("root:!::0:::::", the CVE-2019-5021 fix), not empty."""
    results = audit_image(inventory(f"docker-archive:{IMAGES / 'alpine-311.docker.tar.gz'}"), TODAY)
    (eol,) = [r for r in results if r.rule.id == "SW-IMG-008"]
    assert eol.properties["eol"] == "2021-11-01" and eol.location.file == "etc/alpine-release"
    assert where(results, "SW-IMG-001") == ["User"]
    assert where(results, "SW-IMG-015") == ["sbin/apk"]
    assert "bin/sh" in where(results, "SW-IMG-014")
    assert where(results, "SW-IMG-021") == where(results, "SW-IMG-022") == []
