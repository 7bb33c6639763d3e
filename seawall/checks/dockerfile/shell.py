"""A small, safe POSIX shell word splitter for the commands of ``RUN`` instructions.

It does not run or fully parse shell: it splits a script into simple commands at ``&&``, ``||``,
``;``, ``|``, ``&`` and newlines, removes quotes, drops redirections (and skips here-document
bodies), and also returns the commands found inside ``$(...)``, backticks and ``sh -c '...'``
(marked ``nested``). Expansions (``$VAR``) are kept as written. Every loop advances through the
text, nesting is bounded by :data:`MAX_DEPTH` and the number of commands by :data:`MAX_COMMANDS`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

MAX_DEPTH = 4
MAX_COMMANDS = 20_000
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
_RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time"})
_ENDS = frozenset({"fi", "done", "esac", "}", "then", "do", "else", ")"})
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# wrapper -> its options that take a separate argument
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-p", "-h", "-r", "-t", "-U", "-D", "-R", "-T"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "exec": frozenset({"-a"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "eatmydata": frozenset(),
    "time": frozenset({"-f", "-o"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "gosu": frozenset(),
    "su-exec": frozenset(),
    "setpriv": frozenset(),
}
_TAKES_USER = frozenset({"gosu", "su-exec"})


@dataclass(frozen=True)
class Command:
    """One simple command: its words with quotes removed, and the operator that preceded it."""

    words: tuple[str, ...]
    separator: str = ""  # "", "&&", "||", ";", "|", "&" or "\n"
    nested: bool = False

    @property
    def argv(self) -> tuple[str, ...]:
        """The words without leading ``NAME=value`` assignments and wrappers (sudo, env, exec ...)."""
        words = self.words
        for _ in range(8):
            start = 0
            while start < len(words) and ASSIGNMENT.match(words[start]):
                start += 1
            words = words[start:]
            if not words:
                return ()
            name = posixpath.basename(words[0])
            if name not in _WRAPPERS:
                return words
            words = _skip_wrapper(name, words)
        return words

    @property
    def program(self) -> str:
        """The base name of the program run (``/usr/bin/apt-get`` -> ``apt-get``), or ``""``."""
        argv = self.argv
        return posixpath.basename(argv[0]) if argv else ""

    @property
    def piped(self) -> bool:
        """Whether this command reads the output of the previous one."""
        return self.separator == "|"


def _skip_wrapper(name: str, words: tuple[str, ...]) -> tuple[str, ...]:
    with_argument = _WRAPPERS[name]
    index = 1
    while index < len(words):
        word = words[index]
        if word == "--":
            index += 1
            break
        if name == "env" and ASSIGNMENT.match(word):
            index += 1
            continue
        if not word.startswith("-") or word == "-":
            break
        index += 2 if word in with_argument else 1
    if name in _TAKES_USER:
        index += 1
    return words[index:]


def split_commands(script: str) -> list[Command]:
    """The simple commands of ``script`` in order, then those nested in substitutions and ``-c``."""
    out: list[Command] = []
    _Scanner(script, 0, out, nested=False).run()
    return out


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Whitespace-separated words with quotes removed (for ``ENV``, ``ARG``, ``LABEL`` and flags).

    Quotes keep spaces inside a word; ``escape`` makes the next character literal. No expansion.
    """
    words: list[str] = []
    buf: list[str] = []
    in_word = False
    quote = ""
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == escape and quote == '"' and index + 1 < length:
                index += 1
                buf.append(text[index])
            else:
                buf.append(char)
        elif char in " \t\r\n":
            if in_word:
                words.append("".join(buf))
                buf.clear()
                in_word = False
        elif char in "'\"":
            quote = char
            in_word = True
        elif char == escape and index + 1 < length:
            index += 1
            buf.append(text[index])
            in_word = True
        else:
            buf.append(char)
            in_word = True
        index += 1
    if in_word:
        words.append("".join(buf))
    return words


def _matching(text: str, start: int, opening: str, closing: str) -> int:
    """Index of the ``closing`` that matches ``text[start] == opening`` (quotes skipped), or the end."""
    depth = 0
    index = start
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "'":
            end = text.find("'", index + 1)
            index = length if end < 0 else end + 1
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return length


class _Scanner:
    """One pass over a script; nested scripts are scanned by new scanners, ``depth`` deeper."""

    def __init__(self, text: str, depth: int, out: list[Command], nested: bool) -> None:
        self.text = text
        self.depth = depth
        self.out = out
        self.nested = nested
        self.words: list[str] = []
        self.buf: list[str] = []
        self.in_word = False
        self.drop_next_word = False
        self.separator = ""
        self.heredocs: list[tuple[str, bool]] = []
        self.inner: list[str] = []

    def run(self) -> None:
        text = self.text
        length = len(text)
        index = 0
        while index < length and len(self.out) < MAX_COMMANDS:
            index = self._step(text, index, length)
        self._end_command("")
        if self.depth < MAX_DEPTH:
            for script in self.inner:
                _Scanner(script, self.depth + 1, self.out, nested=True).run()

    def _step(self, text: str, index: int, length: int) -> int:
        char = text[index]
        nxt = text[index + 1] if index + 1 < length else ""
        if char in " \t\r":
            self._end_word()
            return index + 1
        if char == "\n":
            self._end_command("\n")
            return self._skip_heredocs(text, index + 1)
        if char == "#" and not self.in_word:
            end = text.find("\n", index)
            return length if end < 0 else end
        if char == "\\":
            if nxt == "\n":
                return index + 2
            if nxt:
                self._add(nxt)
            return index + 2
        if char == "'":
            end = text.find("'", index + 1)
            end = length if end < 0 else end
            self._add(text[index + 1 : end])
            return end + 1
        if char == '"':
            return self._double_quoted(text, index + 1, length)
        if char == "$" and nxt == "(":
            return self._substitution(text, index)
        if char == "$" and nxt == "{":
            end = _matching(text, index + 1, "{", "}")
            self._add(text[index : end + 1])
            return end + 1
        if char == "`":
            return self._backticks(text, index, length)
        if char in "&|;":
            two = text[index : index + 2]
            if two in ("&&", "||", ";;"):
                self._end_command(two)
                return index + 2
            if two == "|&":
                self._end_command("|")
                return index + 2
            if two == "&>":
                self._end_word()
                self.drop_next_word = True
                return index + 3 if text[index + 2 : index + 3] == ">" else index + 2
            self._end_command(char)
            return index + 1
        if char in "<>":
            return self._redirection(text, index, length)
        if char in "()":
            self._end_command(";")
            return index + 1
        self._add(char)
        return index + 1

    def _add(self, part: str) -> None:
        self.buf.append(part)
        self.in_word = True

    def _end_word(self) -> None:
        if self.in_word:
            word = "".join(self.buf)
            if self.drop_next_word:
                self.drop_next_word = False
            else:
                self.words.append(word)
        self.buf.clear()
        self.in_word = False

    def _end_command(self, separator: str) -> None:
        self._end_word()
        words = self.words
        while words and words[0] in _RESERVED:
            words = words[1:]
        if words and not (len(words) == 1 and words[0] in _ENDS):
            command = Command(tuple(words), self.separator, self.nested)
            self.out.append(command)
            self._collect_script(command)
        self.words = []
        self.separator = separator

    def _collect_script(self, command: Command) -> None:
        """``sh -c 'script'`` and ``su -c 'script'``: scan the script as a nested one."""
        argv = command.argv
        if not argv or posixpath.basename(argv[0]) not in SHELLS | {"su"}:
            return
        for position, word in enumerate(argv[1:-1], start=1):
            if word == "-c" or (word.startswith("-") and not word.startswith("--") and word.endswith("c")):
                self.inner.append(argv[position + 1])
                return

    def _double_quoted(self, text: str, index: int, length: int) -> int:
        parts: list[str] = []
        while index < length:
            char = text[index]
            if char == "\\" and index + 1 < length and text[index + 1] in '$`"\\\n':
                if text[index + 1] != "\n":
                    parts.append(text[index + 1])
                index += 2
                continue
            if char == '"':
                index += 1
                break
            if char == "$" and text.startswith("$(", index):
                end = _matching(text, index + 1, "(", ")")
                if not text.startswith("$((", index):
                    self.inner.append(text[index + 2 : end])
                parts.append(text[index : end + 1])
                index = end + 1
                continue
            if char == "`":
                end = text.find("`", index + 1)
                end = length if end < 0 else end
                self.inner.append(text[index + 1 : end])
                parts.append(text[index : end + 1])
                index = end + 1
                continue
            parts.append(char)
            index += 1
        self._add("".join(parts))
        return index

    def _substitution(self, text: str, index: int) -> int:
        end = _matching(text, index + 1, "(", ")")
        if not text.startswith("$((", index):
            self.inner.append(text[index + 2 : end])
        self._add(text[index : end + 1])
        return end + 1

    def _backticks(self, text: str, index: int, length: int) -> int:
        end = index + 1
        while end < length and text[end] != "`":
            end += 2 if text[end] == "\\" else 1
        self.inner.append(text[index + 1 : min(end, length)])
        self._add(text[index : end + 1])
        return end + 1

    def _redirection(self, text: str, index: int, length: int) -> int:
        if self.in_word and "".join(self.buf).isdigit():  # a file descriptor: 2>&1
            self.buf.clear()
            self.in_word = False
        else:
            self._end_word()
        if text.startswith("<<<", index):
            self.drop_next_word = True
            return index + 3
        if text.startswith("<<", index):
            index += 2
            strip = text.startswith("-", index)
            index += 1 if strip else 0
            while index < length and text[index] in " \t":
                index += 1
            start = index
            while index < length and text[index] not in " \t\n;&|<>()":
                index += 1
            delimiter = text[start:index].replace("'", "").replace('"', "").replace("\\", "")
            if delimiter:
                self.heredocs.append((delimiter, strip))
            return index
        index += 1
        while index < length and text[index] in ">&|":
            index += 1
        self.drop_next_word = True
        return index

    def _skip_heredocs(self, text: str, index: int) -> int:
        """After a newline: skip the bodies of the here-documents opened on the line before."""
        length = len(text)
        for delimiter, strip in self.heredocs:
            while index < length:
                end = text.find("\n", index)
                end = length if end < 0 else end
                line = text[index:end].rstrip("\r")
                index = end + 1
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break
        self.heredocs.clear()
        return index
