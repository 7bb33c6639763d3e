"""Sorting licence strings into SPDX identifiers, SPDX expressions and free text.

Analyzers report licences as their ecosystem writes them: an SPDX identifier (``MIT``), an SPDX
expression (``MIT OR Apache-2.0``), or free text (``GPL-2+``, ``BSD License``). SBOM formats treat
the three differently, so each renderer asks here which one a string is. Identifiers match
case-insensitively and come back in their canonical case, as the SPDX specification asks.
"""

from __future__ import annotations

import hashlib
import re

from seawall.report._spdx_license_list import EXCEPTION_IDS, LICENSE_IDS

MAX_EXPRESSION = 1000  # longer strings are treated as free text
MAX_DEPTH = 16  # parenthesis nesting an expression may have

_LICENSES = {item.lower(): item for item in LICENSE_IDS}
_EXCEPTIONS = {item.lower(): item for item in EXCEPTION_IDS}
_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")
_REF = re.compile(r"(?:DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+")
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.\-]+")
_OPERATORS = frozenset({"AND", "OR", "WITH"})


def license_id(text: str) -> str | None:
    """The canonical SPDX license identifier ``text`` names, or None."""
    return _LICENSES.get(text.strip().lower())


def _license_ref(token: str) -> str | None:
    if _REF.fullmatch(token):
        return token
    canonical = _LICENSES.get(token.lower())
    if canonical is not None:
        return canonical
    if token.endswith("+") and (base := _LICENSES.get(token[:-1].lower())) is not None:
        return base + "+"
    return None


class _Parser:
    """Recursive descent over the SPDX expression grammar; yields the normalised token list."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.out: list[str] = []

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self, depth: int) -> bool:
        if not self.conjunction(depth):
            return False
        while self.peek() == "OR":
            self.out.append(self.take())
            if not self.conjunction(depth):
                return False
        return True

    def conjunction(self, depth: int) -> bool:
        if not self.term(depth):
            return False
        while self.peek() == "AND":
            self.out.append(self.take())
            if not self.term(depth):
                return False
        return True

    def term(self, depth: int) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token == "(":
            if depth >= MAX_DEPTH:
                return False
            self.out.append(self.take())
            if not self.expression(depth + 1) or self.peek() != ")":
                return False
            self.out.append(self.take())
            return True
        reference = _license_ref(token) if token not in _OPERATORS else None
        if reference is None:
            return False
        self.take()
        self.out.append(reference)
        if self.peek() == "WITH":
            self.out.append(self.take())
            following = self.peek()
            exception = _EXCEPTIONS.get(following.lower()) if following is not None else None
            if exception is None:
                return False
            self.take()
            self.out.append(exception)
        return True


def _join(tokens: list[str]) -> str:
    text = ""
    for token in tokens:
        if text and not text.endswith("(") and token != ")":
            text += " "
        text += token
    return text


def expression(text: str) -> str | None:
    """``text`` as a normalised SPDX license expression, or None if it is not a valid one.

    A single identifier is an expression too. Operators must be upper case (``AND``, ``OR``,
    ``WITH``); identifiers come back in canonical case, spacing is normalised.
    """
    if not text or len(text) > MAX_EXPRESSION:
        return None
    tokens = _TOKEN.findall(text)
    parser = _Parser(tokens)
    if not parser.expression(0) or parser.peek() is not None:
        return None
    return _join(parser.out)


def is_compound(normalised: str) -> bool:
    """Whether a normalised expression is more than one bare identifier."""
    return " " in normalised


def license_ref(text: str) -> str:
    """A stable ``LicenseRef-`` identifier for free licence text (SPDX's way to name it)."""
    cleaned = _NOT_IDSTRING.sub("-", text.strip()).strip("-")[:64].rstrip("-")
    if cleaned == text and cleaned:
        return f"LicenseRef-{cleaned}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"LicenseRef-{cleaned}-{digest}" if cleaned else f"LicenseRef-{digest}"
