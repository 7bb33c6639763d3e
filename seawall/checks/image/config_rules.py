"""Checks over the image configuration (``ImageInfo.config``, the config JSON): user, environment,
labels, health check, exposed ports, build history.

Pure functions, no I/O. The config is image content, hence hostile: every field is type-checked
before use and texts are cut before they are searched. Secret values are never repeated; variable
names are judged with the Dockerfile linter's rule (SW-DF-022), so the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from seawall.checks.dockerfile.parser import parse_pairs
from seawall.checks.dockerfile.rules.secrets import literal_value, secret_name
from seawall.checks.model import CheckResult, Rule, Severity, SourceLocation
from seawall.inventory.analyzers.audit_common import image_rule, printable
from seawall.model import ImageInfo

CONFIG = "image-config"  # SourceLocation.file of results about the config rather than a file
DOCKER_MEDIA_PREFIX = "application/vnd.docker."
MAX_TEXT = 64 * 1024  # longest config string searched (history lines of hostile images can be huge)
MAX_ITEMS = 10_000

ROOT_USER = image_rule(
    "SW-IMG-001",
    "Image runs as root",
    Severity.HIGH,
    rationale=(
        "The config's User is what a container runs as unless the runtime overrides it; no User means "
        "root. Root in a container is root on the host kernel: a container escape, a writable host "
        "mount or an added capability turns an application bug into a host compromise. Kubernetes' "
        "`runAsNonRoot` refuses such images only if someone set it."
    ),
    fix=(
        "End the final stage with `USER 10001` (a numeric, non-zero UID, created with `useradd` or "
        "`adduser -D` if the image needs a passwd entry), or build on a non-root base such as "
        "distroless `:nonroot`."
    ),
    bad_example='FROM python:3.12-slim\nCOPY app /app\nCMD ["python", "/app/main.py"]\n',
    good_example=(
        "FROM python:3.12-slim\nRUN useradd --uid 10001 --no-create-home app\nCOPY app /app\n"
        'USER 10001\nCMD ["python", "/app/main.py"]\n'
    ),
    references=("https://www.cisecurity.org/benchmark/docker (4.1)",),
    tags=("cis-docker:4.1",),
)
ENV_SECRET = image_rule(
    "SW-IMG-002",
    "Secret in the image environment",
    Severity.HIGH,
    rationale=(
        "ENV values are part of the image config: `docker inspect` shows them to everyone who can pull "
        "the image, and every container and every process in it inherits them. A variable named like "
        "a secret (*PASSWORD*, *SECRET*, *TOKEN*, *API_KEY*, *PRIVATE_KEY* ...) with a literal value, or "
        "any value that is an AWS access key ID, is reported."
    ),
    fix=(
        "Remove the ENV instruction, rotate the secret, and pass it at run time (Kubernetes Secrets, "
        "Docker secrets, `--env-file` outside the image); build-time secrets go through "
        "`RUN --mount=type=secret`."
    ),
    bad_example="FROM alpine:3.20\nENV DB_PASSWORD=example-password\n",
    good_example="FROM alpine:3.20\n# DB_PASSWORD is provided at run time from a secret store\n",
    references=(
        "https://docs.docker.com/build/building/secrets/",
        "https://cwe.mitre.org/data/definitions/798.html",
    ),
    tags=("cwe:798",),
)
LABEL_SECRET = image_rule(
    "SW-IMG-003",
    "Secret in an image label",
    Severity.HIGH,
    rationale=(
        "Labels are public metadata: registries display them and `docker inspect` prints them. A label "
        "named like a secret with a literal value, or holding an AWS access key ID, leaks it to "
        "everyone who can see the image."
    ),
    fix="Remove the label, rotate the secret, rebuild.",
    bad_example="FROM alpine:3.20\nLABEL deploy.token=example-token\n",
    good_example="FROM alpine:3.20\nLABEL org.opencontainers.image.source=https://example.com/repo\n",
    references=("https://cwe.mitre.org/data/definitions/798.html",),
    tags=("cwe:798",),
)
HISTORY_SECRET = image_rule(
    "SW-IMG-004",
    "Secret in the build history",
    Severity.HIGH,
    rationale=(
        "The image history records every instruction: build arguments used by a RUN appear as "
        "`|1 TOKEN=...`, ENV and ARG values as written. `docker history --no-trunc` shows them to "
        "anyone who pulls the image, even when a later ENV overwrote the variable."
    ),
    fix=(
        "Never pass secrets with --build-arg or ENV; use `RUN --mount=type=secret,id=token` (BuildKit) "
        "or `buildah build --secret`. Rotate the secret and rebuild; squashing does not clean history."
    ),
    bad_example=(
        'FROM alpine:3.20\nARG NPM_TOKEN\nRUN echo "//registry.example.com/:_authToken=$NPM_TOKEN" > .npmrc\n'
    ),
    good_example=(
        "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n"
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc true\n"
    ),
    references=(
        "https://docs.docker.com/build/building/secrets/",
        "https://cwe.mitre.org/data/definitions/798.html",
    ),
    tags=("cwe:798",),
)
NO_HEALTHCHECK = image_rule(
    "SW-IMG-005",
    "No HEALTHCHECK in the image config",
    Severity.LOW,
    rationale=(
        "Without a health check Docker and Swarm only know whether the process runs, not whether it "
        "serves: a hung application is never restarted. Checked for Docker-format images only: the "
        "OCI image config has no Healthcheck field (builders drop HEALTHCHECK when writing OCI), so "
        "OCI images are not reported; Kubernetes ignores it either way and uses probes."
    ),
    fix='Add `HEALTHCHECK CMD ["/app/healthcheck"]` (exec form, no shell needed) and build in Docker format.',
    bad_example="FROM nginx:1.27\n",
    good_example='FROM nginx:1.27\nHEALTHCHECK --interval=30s CMD ["curl", "-fsS", "http://127.0.0.1/"]\n',
    references=("https://docs.docker.com/reference/dockerfile/#healthcheck",),
    tags=("cis-docker:4.6",),
)
SSH_PORT = image_rule(
    "SW-IMG-006",
    "Port 22 (SSH) exposed",
    Severity.MEDIUM,
    rationale=(
        "Exposing 22/tcp means an SSH server is meant to run in the container: one more daemon, keys "
        "and passwords to manage, and a remote login path around the orchestrator's access control. "
        "Containers are entered with `docker exec` / `kubectl exec` when needed."
    ),
    fix="Remove `EXPOSE 22` and the SSH server; use `kubectl exec` or ephemeral debug containers.",
    bad_example="FROM debian:12\nRUN apt-get update && apt-get install -y openssh-server\nEXPOSE 22\n",
    good_example="FROM debian:12\nEXPOSE 8080\n",
    references=("https://www.cisecurity.org/benchmark/docker (4.x)",),
)
ADD_URL = image_rule(
    "SW-IMG-007",
    "ADD of a remote URL in the build history",
    Severity.MEDIUM,
    rationale=(
        "`ADD https://...` fetched a file at build time without verifying it: whatever the server (or "
        "anyone in between) returned that day is in the image. `ADD --checksum=sha256:...` verifies "
        "the download and is not reported."
    ),
    fix=(
        "Use `ADD --checksum=sha256:<digest> <url> <dest>`, or download and verify (`sha256sum -c`) "
        "in a build stage."
    ),
    bad_example="FROM alpine:3.20\nADD https://example.com/tool.tar.gz /opt/\n",
    good_example=(
        "# syntax=docker/dockerfile:1.7\nFROM alpine:3.20\n"
        "ADD --checksum=sha256:" + "0123456789abcdef" * 4 + " https://example.com/tool.tar.gz /opt/\n"
    ),
    references=("https://docs.docker.com/reference/dockerfile/#add---checksum",),
)
RULES = (ROOT_USER, ENV_SECRET, LABEL_SECRET, HISTORY_SECRET, NO_HEALTHCHECK, SSH_PORT, ADD_URL)

AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])")
_BUILD_ARGS = re.compile(r"(?:RUN\s+)?\|(\d{1,4})\s+(.*)", re.DOTALL)
_NOP = r"(?:^|#\(nop\)\s+)"
_ENV = re.compile(_NOP + r"ENV\s+(.*)", re.DOTALL)
_ARG = re.compile(r"ARG\s+(.*)", re.DOTALL)
_ADD = re.compile(_NOP + r"ADD\s+(.*)", re.DOTALL)
_URL = re.compile(r"(?:https?|ftp)://[^\s\"']+", re.IGNORECASE)
# buildah names what ADD copied "file:<digest>", "dir:<digest>" or "multi:<digest>", but a download
# by its bare digest: ``/bin/sh -c #(nop) ADD 40ad...3ec8 in /opt/tool.txt``.
_BUILDAH_DOWNLOAD = re.compile(r"(?:--\S+\s+)*[0-9a-f]{64}\s+in\s+(\S+)")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value[:MAX_ITEMS] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def container_config(image: ImageInfo) -> dict[str, Any]:
    """The ``config`` object of the image config (User, Env, Labels ...), empty if absent or malformed."""
    return _mapping(_mapping(image.config).get("config"))


def is_docker_format(image: ImageInfo) -> bool:
    """Whether the image is in Docker's format (whose config can carry a Healthcheck), by its layers'
    media types; OCI images and root filesystem directories are not."""
    return any(layer.media_type.startswith(DOCKER_MEDIA_PREFIX) for layer in image.layers)


def _at(rule: Rule, message: str, what: str, layer: str = "", **properties: str) -> CheckResult:
    return CheckResult(
        rule, message, SourceLocation(CONFIG, layer=layer), object_name=what, properties=properties
    )


def _secret(name: str, value: str) -> str:
    """Why ``name=value`` is a secret (``"name"``, ``"AWS access key ID"``), or ``""``."""
    if AWS_KEY_ID.search(value) and "EXAMPLE" not in value:
        return "AWS access key ID"
    if secret_name(name) and literal_value(value):
        return "name"
    return ""


def _why(reason: str) -> str:
    return "holds an AWS access key ID" if reason != "name" else "sets a literal secret"


def check_user(image: ImageInfo) -> Iterator[CheckResult]:
    raw = container_config(image).get("User")
    user = _text(raw).strip()
    name = user.split(":", 1)[0].strip()
    if not name:
        yield _at(ROOT_USER, "the image config sets no User: containers run as root", "User")
    elif name == "root" or (name.isdigit() and int(name) == 0):
        yield _at(
            ROOT_USER, f"the image config's User is {printable(user, 40)!r}: containers run as root", "User"
        )


def _environment(image: ImageInfo) -> list[tuple[str, str]]:
    pairs = []
    for item in _sequence(container_config(image).get("Env")):
        name, equals, value = _text(item).partition("=")
        if equals:
            pairs.append((name, value))
    return pairs


def check_env(image: ImageInfo) -> Iterator[CheckResult]:
    for name, value in _environment(image):
        reason = _secret(name, value)
        if reason:
            shown = printable(name, 64)
            message = f"ENV {shown} {_why(reason)} (value redacted): `docker inspect` shows it to anyone"
            yield _at(ENV_SECRET, message, f"Env {shown}", variable=shown)


def check_labels(image: ImageInfo) -> Iterator[CheckResult]:
    labels = _mapping(container_config(image).get("Labels"))
    for key in list(labels)[:MAX_ITEMS]:
        name, value = _text(key), _text(labels[key])
        reason = _secret(name, value)
        if reason:
            shown = printable(name, 64)
            message = f"label {shown} {_why(reason)} (value redacted)"
            yield _at(LABEL_SECRET, message, f"Labels {shown}", label=shown)


def history_layers(image: ImageInfo) -> list[tuple[int, str, str]]:
    """(index, created_by, diff_id of the layer it made or "") for every history entry."""
    history = [h for h in _sequence(_mapping(image.config).get("history")) if isinstance(h, dict)]
    making = [i for i, h in enumerate(history) if not h.get("empty_layer")]
    layers = [layer.diff_id for layer in image.layers]
    made = dict(zip(making, layers, strict=True)) if len(making) == len(layers) else {}
    return [(i, _text(h.get("created_by")), made.get(i, "")) for i, h in enumerate(history)]


def _instruction(created_by: str) -> tuple[str, list[tuple[str, str]]]:
    """The variables an instruction of the history sets: ("RUN", build args) / ("ENV", ...) / ("ARG", ...)."""
    text = created_by.strip()
    build_args = _BUILD_ARGS.match(text)
    if build_args:
        count = int(build_args.group(1))
        words = build_args.group(2).split()[:count]
        return "RUN", [(n, v) for n, eq, v in (w.partition("=") for w in words) if eq]
    for keyword, pattern in (("ENV", _ENV), ("ARG", _ARG)):
        match = pattern.match(text) if keyword == "ARG" else pattern.search(text)
        if match:
            pairs = parse_pairs(match.group(1).strip(), allow_bare=keyword == "ARG")
            return keyword, [(n, v) for n, v in pairs if v is not None]
    return "", []


def check_history(image: ImageInfo) -> Iterator[CheckResult]:
    current = set(_environment(image))
    for index, created_by, layer in history_layers(image):
        keyword, pairs = _instruction(created_by)
        for name, value in pairs:
            if keyword == "ENV" and (name, value) in current:
                continue  # still in the config: reported once, by SW-IMG-002
            reason = _secret(name, value)
            if reason:
                shown = printable(name, 64)
                what = "build argument" if keyword == "RUN" else keyword
                message = f"history entry {index} ({keyword}): {what} {shown} {_why(reason)} (value redacted)"
                yield _at(
                    HISTORY_SECRET, message, f"history[{index}]", layer, variable=shown, history=str(index)
                )


def _redacted_url(url: str) -> str:
    """``scheme://host/path`` without user info, query or fragment (they may carry tokens)."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    host = authority.rpartition("@")[2]
    return printable(f"{scheme}://{host}{slash}{re.split(r'[?#]', path, maxsplit=1)[0]}", 160)


def check_add_url(image: ImageInfo) -> Iterator[CheckResult]:
    for index, created_by, layer in history_layers(image):
        match = _ADD.search(created_by)
        if match is None:
            continue
        words = match.group(1).split()
        if any(word.startswith("--checksum") for word in words):
            continue
        urls = [_URL.match(word) for word in words if not word.startswith("--")]
        for url in (m.group(0) for m in urls if m):
            message = f"history entry {index}: ADD {_redacted_url(url)} was downloaded without a checksum"
            yield _at(ADD_URL, message, f"history[{index}]", layer, history=str(index))
        download = _BUILDAH_DOWNLOAD.match(match.group(1))
        if download:
            target = printable(download.group(1), 120)
            message = (
                f"history entry {index}: ADD downloaded a URL into {target} without a checksum "
                "(buildah records the download's digest, not its URL)"
            )
            yield _at(ADD_URL, message, f"history[{index}]", layer, history=str(index))


def check_healthcheck(image: ImageInfo) -> Iterator[CheckResult]:
    if not is_docker_format(image):
        return  # an OCI config cannot carry a health check: nothing to judge
    check = _mapping(container_config(image).get("Healthcheck"))
    test = _sequence(check.get("Test"))
    if not test:
        yield _at(NO_HEALTHCHECK, "the image config (Docker format) has no Healthcheck", "Healthcheck")
    elif test[0] == "NONE":
        yield _at(
            NO_HEALTHCHECK, "the image config disables the health check (HEALTHCHECK NONE)", "Healthcheck"
        )


def check_ports(image: ImageInfo) -> Iterator[CheckResult]:
    ports = _mapping(container_config(image).get("ExposedPorts"))
    for key in list(ports)[:MAX_ITEMS]:
        port, _, protocol = _text(key).partition("/")
        if port.strip() == "22" and protocol.lower() in ("", "tcp"):
            yield _at(SSH_PORT, f"the image config exposes {printable(_text(key), 20)} (SSH)", "ExposedPorts")


CHECKS: tuple[Callable[[ImageInfo], Iterator[CheckResult]], ...] = (
    check_user,
    check_env,
    check_labels,
    check_history,
    check_healthcheck,
    check_ports,
    check_add_url,
)


def check_config(image: ImageInfo) -> list[CheckResult]:
    """Every config rule's results for ``image`` (empty for a root filesystem directory: no config)."""
    if not image.config:
        return []
    return [result for check in CHECKS for result in check(image)]
