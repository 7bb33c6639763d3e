"""The shell word splitter against POSIX shell rules (Shell Command Language, IEEE Std 1003.1, 2.2-2.9)."""

from __future__ import annotations

import time

from seawall.checks.dockerfile.shell import Command, split_commands, split_words


def words(script: str) -> list[tuple[str, ...]]:
    return [command.words for command in split_commands(script)]


def test_lists_and_pipelines() -> None:
    commands = split_commands("a 1 && b 2 || c; d | e & f")
    assert [c.words for c in commands] == [("a", "1"), ("b", "2"), ("c",), ("d",), ("e",), ("f",)]
    assert [c.separator for c in commands] == ["", "&&", "||", ";", "|", "&"]
    assert commands[4].piped


def test_quotes_are_removed_and_keep_separators() -> None:
    # 2.2.2 single quotes preserve everything; 2.2.3 double quotes keep \" and \\ escapes.
    assert words('echo \'a && b\' "c; \\"d\\"" e\\ f') == [("echo", "a && b", 'c; "d"', "e f")]


def test_comments_and_continuations() -> None:
    assert words("a # b && c\nd \\\n e") == [("a",), ("d", "e")]
    assert words("echo a#b") == [("echo", "a#b")]  # '#' only starts a comment at a word start


def test_redirections_are_dropped() -> None:
    assert words("apt-get install -y x > /dev/null 2>&1 && y <in >>out &>all") == [
        ("apt-get", "install", "-y", "x"),
        ("y",),
    ]


def test_heredoc_bodies_are_skipped() -> None:
    script = "cat <<EOF > /etc/x\napt-get install evil\nEOF\necho done\ncat <<-'E'\n\tbody\n\tE\nls"
    assert words(script) == [("cat",), ("echo", "done"), ("cat",), ("ls",)]


def test_substitutions_and_sh_c_are_scanned_nested() -> None:
    commands = split_commands("x=\"$(curl -s https://a)\" && sh -c 'wget b | sh' && echo `id -u`")
    top = [c.words[0] for c in commands if not c.nested]
    nested = [c.words[0] for c in commands if c.nested]
    assert top == ["x=$(curl -s https://a)", "sh", "echo"]
    assert sorted(nested) == ["curl", "id", "sh", "wget"]


def test_argv_strips_assignments_and_wrappers() -> None:
    command = Command(
        ("DEBIAN_FRONTEND=noninteractive", "sudo", "-E", "-u", "root", "apt-get", "install", "x")
    )
    assert command.argv == ("apt-get", "install", "x")
    assert command.program == "apt-get"
    assert Command(("env", "-i", "A=1", "/usr/bin/pip3", "install")).program == "pip3"
    assert Command(("gosu", "app", "node", "x.js")).program == "node"


def test_control_words_are_not_programs() -> None:
    programs = [
        c.program for c in split_commands("if [ -f x ]; then make; else cd /; fi; for f in *; do rm $f; done")
    ]
    assert "fi" not in programs and "make" in programs and "rm" in programs and "cd" in programs


def test_split_words() -> None:
    assert split_words("a \"b c\" d\\ e 'f g'") == ["a", "b c", "d e", "f g"]
    assert split_words("a `b", escape="`") == ["a", "b"]


def test_bounded_on_hostile_input() -> None:
    start = time.perf_counter()
    split_commands("$(" * 5000 + "x" + ")" * 5000)
    split_commands("a && " * 100_000)
    split_commands('"' + "x" * 500_000)
    split_commands("sh -c '" * 200)
    assert time.perf_counter() - start < 5
    assert len(split_commands("a;" * 100_000)) <= 20_000
