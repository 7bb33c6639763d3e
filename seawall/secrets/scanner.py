"""Find secrets in one file's bytes: pure, bounded, and never keeping the secret itself.

:func:`scan` (and its list-returning form :func:`scan_text`) applies the allow rules of
:mod:`.allow` (paths, binary content, the size cap), then one keyword pass over the lower-cased text
decides which rules can match at all; only those rules' regexes run. Candidates pass their rule's
tests (length, entropy, validator, example and placeholder values), generic matches give way to
specific ones at the same place, and what remains becomes :class:`SecretFinding` values that hold
the rule, the position, a redacted form and a fingerprint: the secret is dropped there.

Bounds: files over ``max_size`` are skipped, every regex is bounded (see :mod:`.rules`), the work on
one file stops at a time budget (a warning says so), generic rules ignore lines longer than
:data:`MAX_LINE_LENGTH` (minified code), and a file yields at most :data:`MAX_FINDINGS` findings.
"""

from __future__ import annotations

import re
import string
import time
from dataclasses import dataclass, field

from seawall.model import CheckResult, Rule, SourceLocation
from seawall.secrets.allow import (
    MAX_FILE_SIZE,
    allowed_path,
    allowed_value,
    decode_text,
    in_library_tree,
    is_well_known_example,
)
from seawall.secrets.redact import fingerprint, redact
from seawall.secrets.rules import NEAR_LINES, RULES, SecretRule, secret_of, shannon_entropy

MAX_LINE_LENGTH = 8192
MAX_FINDINGS = 100
MAX_MATCHES = 20_000  # candidates of one pattern in one file
TIME_BUDGET = 0.5  # seconds of regex work per file
_CHECK_EVERY = 256  # matches between two looks at the clock
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_MAX_DETAIL = 60
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

# Source code: an unquoted value after ``password =`` is an expression (``password = get_pw()``).
CODE_SUFFIXES = (
    ".py",
    ".js",
    ".mjs",
    ".cjs",
    ".jsx",
    ".ts",
    ".tsx",
    ".go",
    ".java",
    ".kt",
    ".scala",
    ".groovy",
    ".rb",
    ".php",
    ".cs",
    ".rs",
    ".c",
    ".h",
    ".cc",
    ".cpp",
    ".swift",
    ".lua",
)


@dataclass(frozen=True, repr=False)
class SecretFinding:
    """One secret found: where, by which rule, and only a redacted form and fingerprint of it."""

    rule: Rule
    path: str
    line: int
    column: int
    end_line: int
    redacted: str
    fingerprint: str
    detail: str = ""  # what kind, if the rule tells (a key's label, a setting's name)

    def __repr__(self) -> str:
        return f"SecretFinding({self.rule.id} {self.path}:{self.line}:{self.column} {self.redacted})"

    @property
    def message(self) -> str:
        kind = f"{self.rule.title} ({self.detail})" if self.detail else self.rule.title
        return f"{kind}: {self.redacted}"

    def to_check_result(self, layer: str = "") -> CheckResult:
        """The finding in the shared vocabulary of checks (``layer``: the diff_id, when known)."""
        return CheckResult(
            rule=self.rule,
            message=self.message,
            location=SourceLocation(
                file=self.path, line=self.line, column=self.column, end_line=self.end_line, layer=layer
            ),
            properties={"match": self.redacted, "fingerprint": self.fingerprint},
        )


@dataclass(frozen=True)
class ScanResult:
    """The findings of one file; ``skipped`` says why it was not scanned at all (or is empty)."""

    findings: tuple[SecretFinding, ...] = ()
    skipped: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class _Candidate:
    rule: SecretRule
    start: int  # the secret's span
    end: int
    secret: str
    detail: str
    reported: int  # where the report points: the start of the match (a key's BEGIN line)


@dataclass
class _Budget:
    deadline: float
    exceeded: bool = False
    matches: int = 0

    def spent(self) -> bool:
        self.matches += 1
        if self.matches % _CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            self.exceeded = True
        return self.exceeded

    def check(self) -> bool:
        if time.monotonic() > self.deadline:
            self.exceeded = True
        return self.exceeded


@dataclass
class _Context:
    path: str
    text: str
    lowered: str  # same length as ``text``: offsets carry over
    code: bool
    library: bool
    budget: _Budget
    found: list[_Candidate] = field(default_factory=list)
    matches: dict[int, list[re.Match[str]]] = field(default_factory=dict)  # by pattern: rules share some


class SecretScanner:
    """A scanner for one rule set: the keyword index is built once."""

    def __init__(self, rules: tuple[SecretRule, ...] = RULES) -> None:
        self.rules = rules
        self.keywords: dict[str, list[int]] = {}
        # A rule without keywords always runs: its patterns begin with a literal, which the regex
        # engine searches for as fast as a keyword test would.
        self.always = [index for index, rule in enumerate(rules) if not rule.keywords]
        for index, rule in enumerate(rules):
            for keyword in rule.keywords:
                self.keywords.setdefault(keyword.lower(), []).append(index)

    def active_rules(self, lowered: str) -> list[SecretRule]:
        """The rules without keywords and those one of whose keywords occurs in the lower-cased text."""
        hit: set[int] = set(self.always)
        for keyword, indexes in self.keywords.items():
            if keyword in lowered:
                hit.update(indexes)
        return [self.rules[i] for i in sorted(hit)]

    def scan(
        self, path: str, content: bytes, max_size: int = MAX_FILE_SIZE, time_budget: float = TIME_BUDGET
    ) -> ScanResult:
        """Scan one file. ``path`` is used for the allow rules, the report and the fingerprint."""
        why = allowed_path(path)
        if why:
            return ScanResult(skipped=why)
        if len(content) > max_size:
            return ScanResult(skipped=f"over the {max_size}-byte size cap")
        text = decode_text(content)
        if text is None:
            return ScanResult(skipped="binary")
        budget = _Budget(time.monotonic() + time_budget)
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters lower-case to two ("İ"): ASCII only then
            lowered = text.translate(_ASCII_LOWER)
        library = in_library_tree(path)
        context = _Context(path, text, lowered, path.lower().endswith(CODE_SUFFIXES), library, budget)
        for rule in self.active_rules(lowered):
            if rule.generic and library:
                continue
            for pattern in rule.patterns:
                self._run(rule, pattern, 0, len(text), context, rule.lowered)
                if budget.check():
                    break
        self._near(context)
        warnings: list[str] = []
        if budget.exceeded:
            warnings.append(f"{path}: secret scan stopped at its time budget of {time_budget:g} s")
        kept = _resolve(context.found)
        if len(kept) > MAX_FINDINGS:
            warnings.append(f"{path}: more than {MAX_FINDINGS} secrets; the rest are not reported")
            kept = kept[:MAX_FINDINGS]
        return ScanResult(findings=_findings(path, text, kept), warnings=tuple(warnings))

    def _run(
        self,
        rule: SecretRule,
        pattern: re.Pattern[str],
        start: int,
        end: int,
        context: _Context,
        lowered: bool = False,
    ) -> None:
        whole = start == 0 and end == len(context.text)
        matches = context.matches.get(id(pattern)) if whole else None
        if matches is None:
            matches = []
            for match in pattern.finditer(context.lowered if lowered else context.text, start, end):
                if context.budget.spent() or len(matches) >= MAX_MATCHES:
                    break
                matches.append(match)
            if whole:
                context.matches[id(pattern)] = matches
        for match in matches:
            if context.budget.spent():
                return
            candidate = self._accept(rule, match, context)
            if candidate is not None:
                context.found.append(candidate)

    def _accept(self, rule: SecretRule, match: re.Match[str], context: _Context) -> _Candidate | None:
        _, start, end = secret_of(match)
        secret = context.text[start:end]
        if len(secret) < rule.min_length:
            return None
        if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
            return None
        if rule.value_check is not None and not rule.value_check(secret):
            return None
        if rule.bare_group and context.code and match.groupdict().get(rule.bare_group) is not None:
            return None
        if rule.validate is not None and not rule.validate(match):
            return None
        if is_well_known_example(match.group(0)) or (
            allowed_value(secret) if rule.placeholders else is_well_known_example(secret)
        ):
            return None
        if rule.generic and _line_length(context.text, start, end) > MAX_LINE_LENGTH:
            return None
        return _Candidate(rule, start, end, secret, _detail(match, context.text), match.start())

    def _near(self, context: _Context) -> None:
        """Rules valid only near an anchor (an AWS secret key near its key ID): search those windows."""
        text = context.text
        for rule in self.rules:
            if rule.near is None:
                continue
            anchors = [c for c in context.found if c.rule.id == rule.near_rule]
            windows: list[tuple[int, int]] = []
            for anchor in anchors:
                start, end = _window(text, anchor.start, NEAR_LINES)
                if windows and start <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
                else:
                    windows.append((start, end))
            for start, end in windows:
                self._run(rule, rule.near, start, end, context)


def _window(text: str, position: int, lines: int) -> tuple[int, int]:
    """The span from ``lines`` lines above the line holding ``position`` to ``lines`` lines below it."""
    start = position
    for _ in range(lines + 1):
        start = text.rfind("\n", 0, start)
        if start < 0:
            break
    end = position
    for step in range(lines + 1):
        end = text.find("\n", end + (1 if step else 0))
        if end < 0:
            end = len(text)
            break
    return max(start + 1, 0), end


def _line_length(text: str, start: int, end: int) -> int:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return (len(text) if line_end < 0 else line_end) - line_start


def _detail(match: re.Match[str], text: str) -> str:
    """A non-secret description: a key's label, the Docker config field, a setting's full name."""
    groups = match.groupdict()
    if groups.get("label") is not None:
        label = (groups["label"] or "").strip()
        return "PKCS#8" if label in ("", "ENCRYPTED") else label
    if groups.get("field") is not None:
        field = str(groups["field"])
        return field if field == "auth" else f"{field}token"
    if groups.get("name") is not None:
        start = match.start("name")
        while start > 0 and text[start - 1] in _NAME_CHARS and match.start("name") - start < _MAX_DETAIL:
            start -= 1
        return text[start : match.end("name")].strip(".-")
    return ""


def _resolve(found: list[_Candidate]) -> list[_Candidate]:
    """Drop duplicates (one rule, one span) and candidates overlapping one of higher precedence."""
    ranked = [(c.start, c.end, c.rule.precedence) for c in found]
    seen: set[tuple[str, int, int]] = set()
    kept: list[_Candidate] = []
    for candidate in sorted(found, key=lambda c: (c.start, c.rule.id)):
        key = (candidate.rule.id, candidate.start, candidate.end)
        if key in seen:
            continue
        outranked = any(
            s < candidate.end and candidate.start < e and rank > candidate.rule.precedence
            for s, e, rank in ranked
        )
        if outranked:
            continue
        seen.add(key)
        kept.append(candidate)
    return kept


def _findings(path: str, text: str, kept: list[_Candidate]) -> tuple[SecretFinding, ...]:
    """Positions (1-based line and column) for candidates sorted by offset; the secrets stay behind."""
    findings: list[SecretFinding] = []
    line, offset = 1, 0
    for candidate in sorted(kept, key=lambda c: c.reported):
        line += text.count("\n", offset, candidate.reported)
        offset = candidate.reported
        column = candidate.reported - (text.rfind("\n", 0, candidate.reported) + 1) + 1
        findings.append(
            SecretFinding(
                rule=candidate.rule.meta,
                path=path,
                line=line,
                column=column,
                end_line=line + text.count("\n", candidate.reported, candidate.end),
                redacted=redact(candidate.secret),
                fingerprint=fingerprint(candidate.rule.id, path, candidate.secret),
                detail=candidate.detail,
            )
        )
    return tuple(findings)


DEFAULT_SCANNER = SecretScanner()


def scan(path: str, content: bytes, max_size: int = MAX_FILE_SIZE) -> ScanResult:
    """Scan one file with the built-in rules (see :meth:`SecretScanner.scan`)."""
    return DEFAULT_SCANNER.scan(path, content, max_size)


def scan_text(path: str, content: bytes) -> list[SecretFinding]:
    """The findings of one file with the built-in rules; skipped files have none."""
    return list(DEFAULT_SCANNER.scan(path, content).findings)


def scan_assignment(name: str, value: str, where: str) -> list[SecretFinding]:
    """Secrets in one ``NAME=value`` setting outside a file (an image's ENV or label, a workload's
    environment variable): scanned as that line of a configuration file named ``where``."""
    return scan_text(where, f"{name}={value}\n".encode("utf-8", "surrogatepass"))
