"""The Dockerfile parser against the Dockerfile reference (docs.docker.com/reference/dockerfile).

Expected values follow the reference's own examples and rules: parser directives, escape, line
continuation, here-documents, exec and shell form, flags, ARG in FROM, stages.
"""

from __future__ import annotations

import time

import pytest

from seawall.checks.dockerfile.parser import DockerfileError, expand, parse, parse_pairs


def test_directives_only_at_the_top() -> None:
    # Reference, "Parser directives": only before any instruction, comment or empty line.
    dockerfile = parse("# syntax=docker/dockerfile:1\n# escape=`\n\n# check=skip=all\nFROM alpine:3.20\n")
    assert dockerfile.directives == (("syntax", "docker/dockerfile:1"), ("escape", "`"))
    assert dockerfile.escape == "`"


def test_unknown_directive_ends_directives() -> None:
    # Reference: "# unknowndirective=value" is a comment, so a following "# syntax=" is too.
    dockerfile = parse("# unknowndirective=value\n# syntax=docker/dockerfile:1\nFROM alpine:3.20\n")
    assert dockerfile.directives == ()


def test_invalid_escape_is_a_problem() -> None:
    dockerfile = parse("# escape=x\nFROM alpine:3.20\n")
    assert dockerfile.escape == "\\"
    assert [p.line for p in dockerfile.problems] == [1]


def test_backtick_escape_continues_lines() -> None:
    # Reference, "escape": with escape=` a trailing backslash is literal (Windows paths).
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "COPY testfile.txt c:\\\nRUN dir c:\\\n"
    )
    dockerfile = parse(text)
    copy, run = dockerfile.instructions[1:]
    assert copy.args == "testfile.txt c:\\"
    assert run.args == "dir c:\\"
    continued = parse("# escape=`\nFROM x:1\nRUN a `\n    b\n").instructions[1]
    assert continued.args == "a     b"
    assert (continued.line, continued.end_line) == (3, 4)


def test_continuation_skips_comment_and_empty_lines() -> None:
    # Reference, "Format": comment lines inside a continuation are removed before execution;
    # BuildKit also drops empty continuation lines (with a deprecation warning).
    text = "FROM alpine:3.20\nRUN apk add --no-cache \\\n    # the client\n    curl \\\n\n    jq\nUSER 1\n"
    dockerfile = parse(text)
    run = dockerfile.instructions[1]
    assert run.keyword == "RUN"
    assert run.args.split() == ["apk", "add", "--no-cache", "curl", "jq"]
    assert (run.line, run.command_end_line, run.end_line) == (2, 6, 6)
    assert dockerfile.instructions[2].line == 7


def test_keywords_are_case_insensitive() -> None:
    run = parse("from alpine:3.20\nrun echo hi\n").instructions[1]
    assert (run.keyword, run.raw_keyword, run.args) == ("RUN", "run", "echo hi")


def test_exec_and_shell_form() -> None:
    # Reference, "Shell and exec form": a JSON array is exec form; anything else shell form.
    dockerfile = parse('FROM a:1\nCMD ["python", "app.py"]\nCMD python app.py\nENTRYPOINT [\'single\']\n')
    exec_form, shell_form, invalid = dockerfile.instructions[1:]
    assert exec_form.json_args == ("python", "app.py")
    assert shell_form.json_args is None and shell_form.args == "python app.py"
    assert invalid.json_args is None  # single quotes are not JSON: shell form


def test_heredoc_run_and_copy() -> None:
    # Reference, "Here-documents": examples with RUN and COPY.
    text = (
        "# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOT bash\n  set -ex\n  apt-get update\n"
        "  apt-get install -y vim\nEOT\nCOPY <<EOF greeting.txt\nhello world\nEOF\nUSER 1\n"
    )
    dockerfile = parse(text)
    run, copy, user = dockerfile.instructions[1:]
    assert run.heredocs[0].delimiter == "EOT"
    assert run.heredocs[0].content == "  set -ex\n  apt-get update\n  apt-get install -y vim\n"
    assert (run.line, run.command_end_line, run.end_line) == (3, 3, 7)
    assert copy.heredocs[0].content == "hello world\n"
    assert user.line == 11


def test_several_heredocs_on_one_line_and_quoting() -> None:
    # Reference: "COPY <<robots.txt <<humans.txt /usr/share/nginx/html/"; a quoted delimiter
    # disables expansion; <<- strips leading tabs.
    text = (
        "FROM nginx\nCOPY <<robots.txt <<humans.txt /usr/share/nginx/html/\n(robots content)\nrobots.txt\n"
        '(humans content)\nhumans.txt\nRUN <<-"EOF" sh\n\techo $HOME\n\tEOF\n'
    )
    copy, run = parse(text).instructions[1:]
    assert [h.delimiter for h in copy.heredocs] == ["robots.txt", "humans.txt"]
    assert [h.content for h in copy.heredocs] == ["(robots content)\n", "(humans content)\n"]
    assert run.heredocs[0].quoted and run.heredocs[0].strip_tabs
    assert run.heredocs[0].content == "echo $HOME\n"


def test_heredoc_in_quotes_is_not_a_heredoc() -> None:
    run = parse('FROM a:1\nRUN echo "<<EOF"\nUSER 1\n').instructions[1]
    assert run.heredocs == ()


def test_unterminated_heredoc_is_a_problem() -> None:
    dockerfile = parse("FROM a:1\nRUN <<EOF\necho hi\n")
    assert any("not terminated" in p.message for p in dockerfile.problems)


def test_flags() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=secret,id=npmrc,dst=/root/.npmrc "
        "--network=none go build\n"
        "COPY --from=build --chown=app:app --chmod=755 --link /out /out\n"
        "RUN --mount=type=ssh git clone git@example.com:x/y.git\n"
    )
    dockerfile = parse(text)
    from_, run, copy, ssh = dockerfile.instructions
    assert from_.flag("platform") == "$BUILDPLATFORM"
    assert run.flag("network") == "none"
    assert run.mounts() == [
        {"type": "cache", "target": "/root/.cache/go-build"},
        {"type": "secret", "id": "npmrc", "target": "/root/.npmrc"},
    ]
    assert run.args == "go build"
    assert copy.flag("from") == "build" and copy.flag("chown") == "app:app" and copy.flag("chmod") == "755"
    assert copy.flag("link") == ""
    assert copy.args == "/out /out"
    assert ssh.mounts() == [{"type": "ssh"}]


def test_arg_substitution_in_from() -> None:
    # Reference, "Understand how ARG and FROM interact".
    text = (
        "ARG CODE_VERSION=latest\nARG REGISTRY\nFROM base:${CODE_VERSION}\n"
        "FROM ${REGISTRY}/extras:${CODE_VERSION}\nFROM node:${NODE:-20}-slim\n"
    )
    stages = parse(text).stages
    assert [s.image for s in stages] == ["base:latest", "/extras:latest", "node:20-slim"]
    assert [s.resolved for s in stages] == [True, False, True]


def test_expand_forms() -> None:
    values: dict[str, str | None] = {"A": "a", "EMPTY": "", "UNSET": None}
    assert expand("$A-${A}", values) == ("a-a", True)
    assert expand("${EMPTY:-x}${EMPTY-y}", values) == ("x", True)
    assert expand("${A:+set}${MISSING:+set}", values) == ("set", True)
    assert expand("${UNSET}", values) == ("", False)


def test_stages_names_and_parents() -> None:
    text = (
        "FROM golang:1.22 AS Build\nRUN go build\nFROM build AS test\n"
        "FROM alpine:3.20\nCOPY --from=build /a /a\n"
    )
    dockerfile = parse(text)
    build, test, final = dockerfile.stages
    assert (build.name, test.parent, final.parent) == ("build", 0, None)
    assert dockerfile.final_stage is final
    assert [s.index for s in dockerfile.lineage(test)] == [1, 0]
    assert dockerfile.stage_named("BUILD") is build and dockerfile.stage_named("2") is final
    assert [i.stage for i in dockerfile.instructions] == [0, 0, 1, 2, 2]


def test_instruction_before_from_is_a_problem_but_arg_is_not() -> None:
    dockerfile = parse("ARG V=1\nRUN echo\nFROM a:${V}\n")
    assert [p.line for p in dockerfile.problems] == [2]
    assert dockerfile.global_args == (("V", "1"),)


def test_no_from_is_a_problem() -> None:
    assert [p.message for p in parse("RUN echo\n").problems][-1] == "no FROM instruction"


def test_env_pairs() -> None:
    # Reference, "ENV": KEY=value pairs with quotes and escapes, and the legacy "ENV KEY value".
    assert parse_pairs('MY_NAME="John Doe" MY_DOG=Rex\\ The\\ Dog MY_CAT=fluffy') == [
        ("MY_NAME", "John Doe"),
        ("MY_DOG", "Rex The Dog"),
        ("MY_CAT", "fluffy"),
    ]
    assert parse_pairs("MY_VAR my-value with spaces") == [("MY_VAR", "my-value with spaces")]
    assert parse_pairs("NAME OTHER=1", allow_bare=True) == [("NAME", None), ("OTHER", "1")]


def test_onbuild_inner_instruction() -> None:
    onbuild = parse("FROM a:1\nONBUILD RUN --network=none make\n").instructions[1]
    assert onbuild.inner is not None
    assert (onbuild.inner.keyword, onbuild.inner.args, onbuild.inner.flag("network")) == (
        "RUN",
        "make",
        "none",
    )


def test_crlf_and_bom() -> None:
    dockerfile = parse("\ufeffFROM a:1\r\nRUN echo \\\r\n  hi\r\nUSER 1\r\n")
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "USER"]
    assert dockerfile.instructions[1].args == "echo   hi"


def test_hostile_input_is_refused_or_bounded() -> None:
    with pytest.raises(DockerfileError):
        parse("FROM a\x00b\n")
    with pytest.raises(DockerfileError):
        parse("#" * (4 * 1024 * 1024 + 1))
    with pytest.raises(DockerfileError):
        parse("FROM a:1\n" + "USER 1\n" * 20_001)
    start = time.perf_counter()
    dockerfile = parse("FROM a:1\nRUN a \\\n" + "  b \\\n" * 200_000 + "  c\n" + "RUN " + "<<E " * 500 + "\n")
    assert time.perf_counter() - start < 5
    assert len(dockerfile.instructions[2].heredocs) == 32  # capped
