"""--fix: the edits, what they leave alone, and that the fixed file no longer fails those rules."""

from __future__ import annotations

from seawall.checks.dockerfile.fix import fix
from seawall.checks.dockerfile.lint import lint

FIXED_RULES = {"SW-DF-011", "SW-DF-012", "SW-DF-013"}


def remaining(text: str) -> set[str]:
    return {r.rule.id for r in lint(text) if not r.suppressed} & FIXED_RULES


def test_apt_fixes() -> None:
    text = "FROM debian:12\nRUN apt-get update \\\n    && apt-get -y install curl=7 \\\n    && echo done\n"
    fixed, fixes = fix(text)
    assert fixed == (
        "FROM debian:12\nRUN apt-get update \\\n    && apt-get -y install --no-install-recommends curl=7 \\\n"
        "    && echo done && rm -rf /var/lib/apt/lists/*\n"
    )
    assert sorted(f.rule_id for f in fixes) == ["SW-DF-011", "SW-DF-012"]
    assert remaining(text) == {"SW-DF-011", "SW-DF-012"} and remaining(fixed) == set()


def test_apk_fix_and_crlf_kept() -> None:
    text = "FROM alpine:3.20\r\nRUN apk update && apk add curl=8.9.0-r0\r\n"
    fixed, _ = fix(text)
    assert fixed == "FROM alpine:3.20\r\nRUN apk update && apk add --no-cache curl=8.9.0-r0\r\n"
    assert remaining(fixed) == set()


def test_fix_is_idempotent_and_leaves_clean_files_alone() -> None:
    text = "FROM debian:12\nRUN apt-get install -y x=1\n"
    once, _ = fix(text)
    assert fix(once) == (once, [])
    clean = (
        "FROM debian:12\nRUN apt-get install -y --no-install-recommends x=1 && rm -rf /var/lib/apt/lists/*\n"
    )
    assert fix(clean) == (clean, [])


def test_what_is_not_touched() -> None:
    cases = [
        # suppressed results
        "FROM debian:12\n# seawall:ignore=SW-DF-011,SW-DF-012 kept on purpose\nRUN apt-get install -y x=1\n",
        # here-document scripts and exec form
        "FROM debian:12\nRUN <<EOF\napt-get install -y x=1\nEOF\n",
        'FROM debian:12\nRUN ["apt-get", "install", "-y", "x=1"]\n',
        # a trailing comment: appending would comment the cleanup out
        "FROM debian:12\nRUN apt-get install --no-install-recommends -y x=1 # seawall:ignore=SW-DF-009\n",
        # a command that ends with an operator
        "FROM debian:12\nRUN apt-get install --no-install-recommends -y x=1 || true;\n",
        # a build stage that does not ship
        "FROM debian:12 AS build\nRUN apt-get install -y x=1\nFROM debian:12\n",
    ]
    for text in cases:
        assert fix(text) == (text, []), text


def test_comment_lines_inside_a_run_are_not_edited() -> None:
    text = "FROM debian:12\nRUN echo start \\\n    # apt-get install curl\n    && apt-get install -y x=1\n"
    fixed, _ = fix(text)
    assert "# apt-get install curl\n" in fixed
    assert "apt-get install --no-install-recommends -y x=1" in fixed


def test_digest_pinning_hook() -> None:
    digest = "sha256:" + "ab" * 32
    asked: list[str] = []

    def resolve(reference: str) -> str | None:
        asked.append(reference)
        return digest if reference.startswith("python") else None

    text = "ARG V=3.12\nFROM python:3.12-slim AS build\nFROM python:${V}\nFROM debian:12\n"
    fixed, fixes = fix(text, resolve_digest=resolve)
    assert fixed.splitlines()[1] == f"FROM python:3.12-slim@{digest} AS build"
    assert fixed.splitlines()[2:] == ["FROM python:${V}", "FROM debian:12"]  # ARG-built: left for a human
    assert asked == ["python:3.12-slim", "debian:12"]
    assert [f.rule_id for f in fixes] == ["SW-DF-004"]
    assert fix(text) == (text, [])  # no resolver: no digest pins
