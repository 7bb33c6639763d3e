"""Instructions a build rejects: unknown keywords and other syntax problems."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import INSTRUCTIONS
from seawall.model import Severity

UNKNOWN_INSTRUCTION = rule(
    "SW-DF-027",
    "Unknown instruction",
    Severity.MEDIUM,
    rationale=(
        "A keyword that is not a Dockerfile instruction (often a typo, or a continuation line whose "
        "trailing backslash is missing) makes the build fail at that line."
    ),
    fix="Correct the keyword, or add the missing `\\` at the end of the line before.",
    bad_example="FROM alpine:3.20\nRUN apk add --no-cache curl\n    wget\n",
    good_example="FROM alpine:3.20\nRUN apk add --no-cache curl \\\n    wget\n",
    references=("https://docs.docker.com/reference/dockerfile/#overview",),
)
SYNTAX = rule(
    "SW-DF-030",
    "Dockerfile syntax problem",
    Severity.MEDIUM,
    rationale=(
        "Problems the builder rejects or misreads: an instruction other than ARG before the first "
        "FROM, a here-document that is never terminated, a FROM with extra words, an invalid escape "
        "directive, a file without FROM. Other rules cannot judge such a file reliably."
    ),
    fix="Correct the line the message names.",
    bad_example="RUN echo hello\nFROM alpine:3.20\n",
    good_example="FROM alpine:3.20\nRUN echo hello\n",
    references=("https://docs.docker.com/reference/dockerfile/",),
)


@check
def unknown_instructions(context: Context) -> Iterator[Hit]:
    for instruction in context.dockerfile.instructions:
        inner = instruction.inner
        for candidate in (instruction, inner):
            if candidate is not None and candidate.keyword not in INSTRUCTIONS:
                yield Hit(
                    UNKNOWN_INSTRUCTION, instruction, f"unknown instruction {candidate.raw_keyword[:40]!r}"
                )


@check
def syntax_problems(context: Context) -> Iterator[Hit]:
    for problem in context.dockerfile.problems:
        yield Hit(SYNTAX, None, problem.message, line=problem.line)
