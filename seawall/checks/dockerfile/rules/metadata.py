"""What the image declares: ports, health check, working directory, commands, maintainer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import expand
from seawall.checks.dockerfile.shell import split_words
from seawall.model import Severity

SSH_PORT = rule(
    "SW-DF-023",
    "Port 22 (SSH) exposed",
    Severity.MEDIUM,
    rationale=(
        "EXPOSE 22 means an SSH server in the container: another daemon to patch, keys or passwords to "
        "manage, and a remote way in that bypasses the orchestrator's access control and audit."
    ),
    fix=(
        "Remove the SSH server and EXPOSE 22; use `docker exec` / `kubectl exec` (or debug containers) "
        "instead."
    ),
    bad_example="FROM debian:12-slim\nEXPOSE 22 8080\n",
    good_example="FROM debian:12-slim\nEXPOSE 8080\n",
    references=("https://www.cisecurity.org/benchmark/docker (5.6)",),
    tags=("cis-docker:5.6",),
)
NO_HEALTHCHECK = rule(
    "SW-DF-024",
    "No HEALTHCHECK in the final stage",
    Severity.LOW,
    rationale=(
        "Without a HEALTHCHECK, Docker and Swarm only know whether the process runs, not whether it "
        "works: a hung server keeps receiving traffic. (Kubernetes ignores HEALTHCHECK and uses "
        "probes; suppress this rule for images that only run there.)"
    ),
    fix='Add `HEALTHCHECK CMD ["/app/healthcheck"]` (or an HTTP probe with a tool the image has).',
    bad_example="FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n",
    good_example=(
        "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"
        'HEALTHCHECK --interval=30s CMD ["curl", "-fsS", "http://127.0.0.1/"]\n'
    ),
    references=("https://docs.docker.com/reference/dockerfile/#healthcheck",),
    tags=("cis-docker:4.6",),
)
RELATIVE_WORKDIR = rule(
    "SW-DF-025",
    "Relative WORKDIR",
    Severity.LOW,
    rationale=(
        "A relative WORKDIR is resolved against the previous one, which may come from the base image "
        "and change with it. An absolute path says where files go."
    ),
    fix="Use an absolute path: `WORKDIR /app`.",
    bad_example="FROM node:20-slim\nWORKDIR app\n",
    good_example="FROM node:20-slim\nWORKDIR /app\n",
    references=("https://docs.docker.com/build/building/best-practices/#workdir",),
    tags=("hadolint:DL3000",),
)
MAINTAINER = rule(
    "SW-DF-026",
    "MAINTAINER is deprecated",
    Severity.LOW,
    rationale="MAINTAINER has been deprecated since Docker 1.13; a LABEL carries the same information.",
    fix='Use `LABEL org.opencontainers.image.authors="team@example.com"`.',
    bad_example="FROM alpine:3.20\nMAINTAINER team@example.com\n",
    good_example='FROM alpine:3.20\nLABEL org.opencontainers.image.authors="team@example.com"\n',
    references=("https://docs.docker.com/reference/dockerfile/#maintainer-deprecated",),
    tags=("hadolint:DL4000",),
)
REPEATED = rule(
    "SW-DF-028",
    "Several CMD, ENTRYPOINT or HEALTHCHECK in one stage",
    Severity.LOW,
    rationale=(
        "Only the last CMD, ENTRYPOINT and HEALTHCHECK of a stage take effect; earlier ones are dead "
        "code that misleads readers about what the image runs."
    ),
    fix="Keep one of each per stage (combine commands in a script if several things must start).",
    bad_example='FROM python:3.12-slim\nCMD ["python", "migrate.py"]\nCMD ["python", "app.py"]\n',
    good_example='FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
    references=("https://docs.docker.com/reference/dockerfile/#cmd",),
    tags=("hadolint:DL3012", "hadolint:DL4003", "hadolint:DL4004"),
)
SHELL_FORM = rule(
    "SW-DF-029",
    "CMD or ENTRYPOINT in shell form",
    Severity.LOW,
    rationale=(
        "In shell form (`CMD python app.py`) the process runs under `/bin/sh -c`: the shell is PID 1, "
        "does not forward SIGTERM, and the application is killed without a graceful shutdown after "
        "the timeout. It also requires a shell in the image. Commands starting with `exec` are "
        "not reported."
    ),
    fix='Use the exec (JSON) form: `CMD ["python", "app.py"]`.',
    bad_example="FROM python:3.12-slim\nCMD python app.py\n",
    good_example='FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
    references=("https://docs.docker.com/reference/dockerfile/#shell-and-exec-form",),
    tags=("hadolint:DL3025",),
)
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]|\\")


def _ports(text: str) -> Iterator[tuple[int, int, str]]:
    for word in text.split():
        port, _, protocol = word.partition("/")
        low, _, high = port.partition("-")
        if low.isdigit() and (not high or high.isdigit()) and len(low) < 7 and len(high) < 7:
            yield int(low), int(high or low), protocol.lower() or "tcp"


@check
def ssh_port(context: Context) -> Iterator[Hit]:
    for stage in context.shipped:
        for instruction in stage.instructions:
            if instruction.keyword != "EXPOSE":
                continue
            text, _ = expand(instruction.args, context.variables(instruction))
            for low, high, protocol in _ports(text):
                if low <= 22 <= high and protocol == "tcp":
                    yield Hit(SSH_PORT, instruction, "EXPOSE 22: the image runs an SSH server")
                    break


@check
def healthcheck(context: Context) -> Iterator[Hit]:
    final = context.dockerfile.final_stage
    if final is None:
        return
    for stage in context.shipped:
        if any(instruction.keyword == "HEALTHCHECK" for instruction in stage.instructions):
            return
    yield Hit(NO_HEALTHCHECK, final.from_instruction, f"no HEALTHCHECK in the final stage ({final.label})")


@check
def workdir(context: Context) -> Iterator[Hit]:
    escape = context.dockerfile.escape
    for instruction in context.dockerfile.instructions:
        if instruction.keyword != "WORKDIR" or instruction.stage < 0:
            continue
        words = split_words(instruction.args, escape)
        path = words[0] if words else ""
        if not path or path.startswith(("/", "$")) or _WINDOWS_PATH.match(path):
            continue
        yield Hit(RELATIVE_WORKDIR, instruction, f"WORKDIR {path} is relative")


@check
def maintainer(context: Context) -> Iterator[Hit]:
    for instruction in context.dockerfile.instructions:
        if instruction.keyword == "MAINTAINER":
            yield Hit(MAINTAINER, instruction, "MAINTAINER is deprecated: use a LABEL")


@check
def repeated(context: Context) -> Iterator[Hit]:
    for stage in context.dockerfile.stages:
        last: dict[str, int] = {}
        for position, instruction in enumerate(stage.instructions):
            if instruction.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                last[instruction.keyword] = position
        for position, instruction in enumerate(stage.instructions):
            keyword = instruction.keyword
            if keyword in last and position != last[keyword]:
                yield Hit(REPEATED, instruction, f"only the last {keyword} of {stage.label} takes effect")


@check
def shell_form(context: Context) -> Iterator[Hit]:
    final = context.dockerfile.final_stage
    if final is None:
        return
    for instruction in final.instructions:
        if instruction.keyword not in ("CMD", "ENTRYPOINT") or instruction.exec_form:
            continue
        text = instruction.args.strip()
        if not text or text.startswith("exec ") or text.startswith("["):
            continue
        yield Hit(SHELL_FORM, instruction, f"{instruction.keyword} in shell form: the shell is PID 1")
