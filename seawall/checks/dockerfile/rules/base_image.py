"""Base images: tag, ``latest``, digest pinning, trusted registries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import Stage
from seawall.model import Severity

NO_TAG = rule(
    "SW-DF-002",
    "Base image has no tag",
    Severity.MEDIUM,
    rationale=(
        "`FROM image` without a tag means `image:latest`: whatever the registry serves that day. "
        "Builds stop being reproducible, a new major version can arrive unannounced, and a "
        "vulnerability report cannot say which base you meant."
    ),
    fix="Name the version you tested: `FROM python:3.12.4-slim-bookworm`, better with its digest.",
    bad_example="FROM python\n",
    good_example="FROM python:3.12.4-slim-bookworm\n",
    references=("https://docs.docker.com/build/building/best-practices/#from",),
    tags=("hadolint:DL3006",),
)
LATEST = rule(
    "SW-DF-003",
    "Base image uses the latest tag",
    Severity.MEDIUM,
    rationale=(
        "`latest` is a moving tag: two builds of the same Dockerfile can get different base images, "
        "and a rebuild can pick up a new major version with breaking changes or new vulnerabilities."
    ),
    fix="Use an explicit version tag, and pin it by digest for reproducible builds.",
    bad_example="FROM node:latest\n",
    good_example="FROM node:20.15.0-bookworm-slim\n",
    references=("https://docs.docker.com/build/building/best-practices/#from",),
    tags=("hadolint:DL3007",),
)
NO_DIGEST = rule(
    "SW-DF-004",
    "Base image not pinned by digest",
    Severity.LOW,
    rationale=(
        "A tag can be moved to different content at any time, by the publisher or by anyone who "
        "controls the registry or the path to it. Only a digest (`@sha256:...`) names exactly the "
        "content you reviewed and scanned; tools such as Dependabot or Renovate keep digests fresh."
    ),
    fix=(
        "Append the digest of the tag you use: `FROM python:3.12-slim@sha256:<digest>` "
        "(`docker buildx imagetools inspect python:3.12-slim` prints it). `seawall lint --fix` will "
        "do this once the registry client is available."
    ),
    bad_example="FROM debian:12-slim\n",
    good_example=(
        "# the digest printed by: docker buildx imagetools inspect debian:12-slim (example value)\n"
        "FROM debian:12-slim@sha256:" + "0123456789abcdef" * 4 + "\n"
    ),
    references=("https://docs.docker.com/reference/dockerfile/#from",),
)
UNTRUSTED_REGISTRY = rule(
    "SW-DF-005",
    "Base image from a registry that is not trusted",
    Severity.HIGH,
    rationale=(
        "Organisations often allow base images only from their own registry or a vetted mirror, "
        "where images are scanned, signed and retained. This rule is active only when "
        "`trusted_registries` is set in the configuration file."
    ),
    fix=(
        "Pull the base image through a trusted registry (mirror it there first), or add the "
        "registry to `trusted_registries` in `.seawall.yaml` if it is trustworthy."
    ),
    bad_example="FROM randomuser/python:3.12\n",
    good_example="FROM registry.example.com/base/python:3.12\n",
    references=("https://github.com/hadolint/hadolint#configure",),
    tags=("cis-docker:4.2", "hadolint:DL3026"),
)
DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str
    digest: str

    @property
    def full(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_reference(text: str) -> ImageRef:
    """``[registry/]repository[:tag][@digest]`` with Docker Hub's defaults made explicit."""
    name, _, digest = text.partition("@")
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first.lower(), rest
    else:
        registry, repository = "docker.io", name
    if registry in DOCKER_HUB:
        registry = "docker.io"
        if "/" not in repository:
            repository = f"library/{repository}"
    return ImageRef(registry, repository, tag, digest)


def _judged(context: Context) -> Iterator[tuple[Stage, ImageRef, str]]:
    """Stages whose FROM names a registry image we can read (not scratch, a stage or an unset ARG)."""
    for stage in context.dockerfile.stages:
        if stage.parent is not None or not stage.resolved or stage.image.lower() == "scratch":
            continue
        if "$" in stage.image:
            continue
        note = " (the default value of its ARG)" if "$" in stage.image_raw else ""
        yield stage, parse_reference(stage.image), note


@check
def base_image_pins(context: Context) -> Iterator[Hit]:
    for stage, ref, note in _judged(context):
        instruction = stage.from_instruction
        if ref.digest:
            continue
        if not ref.tag:
            yield Hit(NO_TAG, instruction, f"{stage.image}{note} has no tag, so it means 'latest'")
        elif ref.tag == "latest":
            yield Hit(LATEST, instruction, f"{stage.image}{note} uses the moving tag 'latest'")
        else:
            yield Hit(NO_DIGEST, instruction, f"{stage.image}{note} is not pinned by digest")


def trusted(ref: ImageRef, registries: tuple[str, ...]) -> bool:
    """Whether ``ref`` comes from one of ``registries`` (``host`` or ``host/path`` prefixes).

    Images on ``localhost`` (any port) are local builds, not pulls from a remote registry, and are
    always trusted, as hadolint's DL3026 does.
    """
    if ref.registry == "localhost" or ref.registry.startswith("localhost:"):
        return True
    for entry in registries:
        entry = entry.strip().rstrip("/").lower()
        host, _, path = entry.partition("/")
        if host in DOCKER_HUB:
            host = "docker.io"
        if ref.registry != host:
            continue
        if not path or (ref.repository.lower() + "/").startswith(path + "/"):
            return True
    return False


@check
def trusted_registries(context: Context) -> Iterator[Hit]:
    if not context.trusted_registries:
        return
    for stage, ref, _ in _judged(context):
        if not trusted(ref, context.trusted_registries):
            yield Hit(
                UNTRUSTED_REGISTRY,
                stage.from_instruction,
                f"{stage.image} comes from {ref.registry}, which is not in trusted_registries",
            )
