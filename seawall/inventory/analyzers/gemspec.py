"""Installed Ruby gems: the ``specifications/*.gemspec`` files RubyGems writes on install.

A gemspec is Ruby source and is never evaluated: the generated form assigns literals to the
block variable of ``Gem::Specification.new do |s|``, so name, version and licences are read
with bounded regular expressions and a tiny literal reader (``"x"``, ``'x'``, ``%q{x}``,
``.freeze`` suffixes, ``Gem::Version.new("x")``, ``["A", "B"]``).
"""

from __future__ import annotations

import re
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.model import Facts, Package

MAX_LINE = 64 * 1024
MAX_FIELD = 256
MAX_LICENSES = 32

_BLOCK_VAR = re.compile(
    r"Gem::Specification\.new[ \t]{0,16}(?:do|\{)[ \t]{0,16}\|[ \t]{0,16}(\w{1,64})[ \t]{0,16}\|"
)
_ASSIGN = r"^[ \t]{{0,64}}{var}\.(name|version|licenses|license)[ \t]{{0,16}}=(?!=)[ \t]{{0,16}}(.*)$"
_PERCENT_CLOSE = {"{": "}", "(": ")", "[": "]", "<": ">"}
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "s": " ", "e": "\x1b", "0": "\0", "a": "\a", "b": "\b"}
_UNICODE_ESCAPE = re.compile(r"u(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{4}))")
_HEX_ESCAPE = re.compile(r"x([0-9A-Fa-f]{1,2})")
_SPACE = re.compile(r"[ \t]*")
_TRAILER = re.compile(r"[ \t]*(?:#.*|(?:if|unless)[ \t].*)?\r?$")


class _Literal:
    """Reads Ruby literals from one line; every method returns the value and the next position."""

    def __init__(self, text: str) -> None:
        self.text = text

    def skip_space(self, pos: int) -> int:
        match = _SPACE.match(self.text, pos)
        return match.end() if match else pos

    def string(self, pos: int) -> tuple[str, int] | None:
        """A string literal with an optional ``.freeze``; ``None`` if there is none (or it interpolates)."""
        text = self.text
        if text.startswith(("%q", "%Q"), pos) and pos + 2 < len(text):
            parsed = self._percent(pos + 2, interpolating=text[pos + 1] == "Q")
        elif text.startswith("%", pos) and pos + 1 < len(text) and text[pos + 1] in _PERCENT_CLOSE:
            parsed = self._percent(pos + 1, interpolating=True)
        elif text.startswith('"', pos):
            parsed = self._quoted(pos + 1, '"', interpolating=True)
        elif text.startswith("'", pos):
            parsed = self._quoted(pos + 1, "'", interpolating=False)
        else:
            return None
        if parsed is None:
            return None
        value, end = parsed
        if text.startswith(".freeze", end):
            end += len(".freeze")
        return value, end

    def _percent(self, pos: int, interpolating: bool) -> tuple[str, int] | None:
        opener = self.text[pos]
        if opener.isalnum() or opener.isspace():
            return None
        return self._quoted(pos + 1, _PERCENT_CLOSE.get(opener, opener), interpolating, opener)

    def _quoted(self, pos: int, close: str, interpolating: bool, opener: str = "") -> tuple[str, int] | None:
        text = self.text
        out: list[str] = []
        depth = 0
        while pos < len(text):
            char = text[pos]
            if char == "\\" and pos + 1 < len(text):
                pos = self._escape(pos + 1, close, interpolating, out)
                continue
            if interpolating and char == "#" and text.startswith("{", pos + 1):
                return None  # "#{...}" needs evaluation: not a literal
            if opener and opener != close and char == opener:
                depth += 1
            elif char == close:
                if depth == 0:
                    return "".join(out), pos + 1
                depth -= 1
            out.append(char)
            pos += 1
        return None

    def _escape(self, pos: int, close: str, interpolating: bool, out: list[str]) -> int:
        text = self.text
        char = text[pos]
        if not interpolating:
            out.append(char if char in ("\\", close) else "\\" + char)
            return pos + 1
        unicode = _UNICODE_ESCAPE.match(text, pos)
        if unicode:
            code = int(unicode.group(1) or unicode.group(2), 16)
            out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
            return unicode.end()
        hexa = _HEX_ESCAPE.match(text, pos)
        if hexa:
            out.append(chr(int(hexa.group(1), 16)))
            return hexa.end()
        out.append(_SIMPLE_ESCAPES.get(char, char))
        return pos + 1

    def version(self, pos: int) -> tuple[str, int] | None:
        """A version: a string literal or ``Gem::Version.new(<string>)``."""
        prefix = "Gem::Version.new"
        if not self.text.startswith(prefix, pos):
            return self.string(pos)
        pos = self.skip_space(pos + len(prefix))
        parens = self.text.startswith("(", pos)
        parsed = self.string(self.skip_space(pos + 1) if parens else pos)
        if parsed is None:
            return None
        value, end = parsed
        if parens:
            end = self.skip_space(end)
            if not self.text.startswith(")", end):
                return None
            end += 1
        return value, end

    def string_list(self, pos: int) -> tuple[list[str], int] | None:
        """``["A".freeze, 'B']`` or a single string (``licenses=`` accepts both)."""
        if not self.text.startswith("[", pos):
            single = self.string(pos)
            return ([single[0]], single[1]) if single else None
        values: list[str] = []
        pos = self.skip_space(pos + 1)
        if self.text.startswith("]", pos):
            return values, pos + 1
        while True:
            parsed = self.string(pos)
            if parsed is None:
                return None
            if len(values) < MAX_LICENSES:
                values.append(parsed[0])
            pos = self.skip_space(parsed[1])
            if self.text.startswith("]", pos):
                return values, pos + 1
            if not self.text.startswith(",", pos):
                return None
            pos = self.skip_space(pos + 1)

    def ends(self, pos: int) -> bool:
        """Whether nothing but a comment or an ``if``/``unless`` modifier follows ``pos``."""
        return _TRAILER.match(self.text, pos) is not None


def _clean(value: str | None) -> str:
    """A name or version as RubyGems would keep it; empty when it cannot be one."""
    if value is None:
        return ""
    value = value.strip()
    if len(value) > MAX_FIELD or any(c.isspace() or not c.isprintable() for c in value):
        return ""
    return value


def parse_gemspec(text: str) -> tuple[str, str, tuple[str, ...]]:
    """Name, version and licences of a generated gemspec. Raises AnalyzerError without name or version."""
    block = _BLOCK_VAR.search(text)
    if block is None:
        raise AnalyzerError("not a gemspec: no Gem::Specification.new block")
    assign = re.compile(_ASSIGN.format(var=re.escape(block.group(1))))
    name: str | None = None
    version: str | None = None
    licenses: list[str] = []
    for line in text[block.end() :].splitlines():
        if len(line) > MAX_LINE:
            continue
        match = assign.match(line)
        if match is None:
            continue
        field, reader = match.group(1), _Literal(line)
        start = match.start(2)
        if field == "name":
            parsed = reader.string(start)
            name = parsed[0] if parsed and reader.ends(parsed[1]) else None
        elif field == "version":
            parsed = reader.version(start)
            version = parsed[0] if parsed and reader.ends(parsed[1]) else None
        elif field == "license":
            parsed = reader.string(start)
            licenses = [parsed[0]] if parsed and reader.ends(parsed[1]) else []
        else:
            values = reader.string_list(start)
            licenses = values[0] if values and reader.ends(values[1]) else []
    name, version = _clean(name), _clean(version)
    if not name:
        raise AnalyzerError("gemspec without a literal name")
    if not version:
        raise AnalyzerError("gemspec without a literal version")
    cleaned = (license.strip() for license in licenses)
    return name, version, tuple(dict.fromkeys(lic for lic in cleaned if lic and len(lic) <= MAX_FIELD))


@register
class GemspecAnalyzer(Analyzer):
    """One package per installed gem specification."""

    name = "gemspec"
    version = 1
    suffixes: ClassVar[tuple[str, ...]] = (".gemspec",)
    max_size = 4 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith(".gemspec") and (
            "/specifications/" in path or path.startswith("specifications/")
        )

    def analyze(self, path: str, content: bytes) -> Facts:
        name, version, licenses = parse_gemspec(content.decode("utf-8", errors="replace"))
        return Facts(
            packages=(Package(type="gem", name=name, version=version, licenses=licenses, found_by=self.name),)
        )
