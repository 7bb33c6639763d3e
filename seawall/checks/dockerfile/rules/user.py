"""The user the final image runs as."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import expand
from seawall.model import Severity

ROOT_USER = rule(
    "SW-DF-001",
    "Final stage runs as root",
    Severity.HIGH,
    rationale=(
        "A container runs as the last USER of the final stage, or as root when no stage sets one. A "
        "process running as root inside the container is root on the host's kernel too: one "
        "container escape, a writable host mount or a misconfigured capability turns an application "
        "bug into a host compromise. Only the final stage (and the stages it is built FROM) counts: a "
        "USER set in a build stage whose files are merely copied does not carry over."
    ),
    fix=(
        "Create an unprivileged user and switch to it at the end of the final stage, e.g. "
        "`RUN useradd --uid 10001 --no-create-home app` and `USER 10001`. A numeric UID lets "
        "Kubernetes verify `runAsNonRoot`. Base images that already run as non-root (distroless "
        "`:nonroot`, Chainguard, Bitnami) need no USER."
    ),
    bad_example='FROM python:3.12-slim\nCOPY app /app\nCMD ["python", "/app/main.py"]\n',
    good_example=(
        "FROM python:3.12-slim\nRUN useradd --uid 10001 --no-create-home app\nCOPY app /app\n"
        'USER 10001\nCMD ["python", "/app/main.py"]\n'
    ),
    references=(
        "https://docs.docker.com/build/building/best-practices/#user",
        "https://www.cisecurity.org/benchmark/docker (4.1)",
    ),
    tags=("cis-docker:4.1", "hadolint:DL3002"),
)
ROOT_NAMES = frozenset({"root", "0"})
# Base images whose default user is not root: a final stage built on them needs no USER.
NON_ROOT_MARKERS = ("nonroot", "non-root", "cgr.dev/chainguard/", "bitnami/")


@check
def root_user(context: Context) -> Iterator[Hit]:
    final = context.dockerfile.final_stage
    if final is None:
        return
    for stage in context.shipped:
        for instruction in reversed(stage.instructions):
            if instruction.keyword != "USER":
                continue
            user, known = expand(instruction.args.strip(), context.variables(instruction))
            name = user.split(":", 1)[0].strip().strip("'\"")
            if known and name.lower() in ROOT_NAMES:
                where = "" if stage is final else f" (inherited from {stage.label})"
                yield Hit(ROOT_USER, instruction, f"the last USER of the final stage is {name}{where}")
            return
    base = context.shipped[-1]
    image = base.image or base.image_raw
    if image.lower() == "scratch":
        yield Hit(
            ROOT_USER, final.from_instruction, f"no USER in the final stage ({final.label}): it runs as uid 0"
        )
    elif not any(mark in image.lower() for mark in NON_ROOT_MARKERS):
        yield Hit(
            ROOT_USER,
            final.from_instruction,
            f"no USER in the final stage ({final.label}): the container runs as root "
            f"unless base image {image!r} sets a user",
        )
