"""``ADD``: remote downloads and ADD used where COPY is meant."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import Instruction
from seawall.checks.dockerfile.shell import split_words
from seawall.model import Severity

ADD_URL = rule(
    "SW-DF-007",
    "ADD downloads a URL without a checksum",
    Severity.MEDIUM,
    rationale=(
        "`ADD https://...` fetches a file at build time without verifying what arrives: a compromised "
        "server, a moved release or a man in the middle changes your image silently. The download "
        "also lands in its own layer and is never cleaned up."
    ),
    fix=(
        "Give the expected digest with `ADD --checksum=sha256:<digest> <url> <dest>` (Dockerfile "
        "syntax 1.6+), or download with curl in a RUN, verify with `sha256sum -c`, and remove what "
        "is not needed in the same RUN."
    ),
    bad_example="FROM alpine:3.20\nADD https://example.com/tool.tar.gz /opt/\n",
    good_example=(
        "# syntax=docker/dockerfile:1.7\nFROM alpine:3.20\n"
        "ADD --checksum=sha256:" + "0123456789abcdef" * 4 + " https://example.com/tool.tar.gz /opt/\n"
    ),
    references=("https://docs.docker.com/reference/dockerfile/#add---checksum",),
    tags=(
        "cwe:494",
        "cis-docker:4.9",
    ),
)
ADD_NOT_COPY = rule(
    "SW-DF-008",
    "ADD used where COPY serves",
    Severity.LOW,
    rationale=(
        "ADD has implicit behaviour COPY lacks: it unpacks local tar archives and fetches URLs. Using "
        "it for plain files hides that: a file that happens to be an archive gets unpacked. COPY "
        "does exactly what it says."
    ),
    fix="Use `COPY` for local files and directories; keep `ADD` for archives you want unpacked.",
    bad_example="FROM alpine:3.20\nADD app.py /app/\n",
    good_example="FROM alpine:3.20\nCOPY app.py /app/\nADD rootfs.tar.gz /\n",
    references=("https://docs.docker.com/build/building/best-practices/#add-or-copy",),
    tags=("cis-docker:4.9", "hadolint:DL3020"),
)
_REMOTE = re.compile(r"^(?:https?|ftp)://|^git@|\.git(?:#.*)?$", re.I)
_ARCHIVE = re.compile(r"\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|tlz)$", re.I)


def sources(instruction: Instruction, escape: str) -> list[str]:
    """The source arguments of ``ADD``/``COPY`` (everything but the destination)."""
    words = (
        list(instruction.json_args)
        if instruction.json_args is not None
        else split_words(instruction.args, escape)
    )
    return [word for word in words[:-1] if not word.startswith("<<")]


def _adds(context: Context) -> Iterator[Instruction]:
    for instruction in context.dockerfile.instructions:
        if instruction.keyword == "ADD":
            yield instruction
        elif instruction.inner is not None and instruction.inner.keyword == "ADD":
            yield instruction.inner


@check
def add_checks(context: Context) -> Iterator[Hit]:
    for instruction in _adds(context):
        found = sources(instruction, context.dockerfile.escape)
        remote = [source for source in found if _REMOTE.search(source)]
        if remote and instruction.flag("checksum") is None:
            yield Hit(ADD_URL, instruction, f"ADD downloads {remote[0]} without --checksum")
        plain = [
            source
            for source in found
            if source not in remote and "$" not in source and not _ARCHIVE.search(source)
        ]
        if plain and not remote and len(plain) == len(found):
            yield Hit(ADD_NOT_COPY, instruction, f"ADD of {plain[0]}, which is not an archive: use COPY")
