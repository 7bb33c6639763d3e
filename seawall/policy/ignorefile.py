"""Ignore files: findings a team has decided to accept, each with a reason and, ideally, an end date.

Seawall's own format is YAML, a list of entries (or that list under an ``ignore:`` key)::

    - id: CVE-2023-5363             # an advisory ID or any of its aliases, or a rule ID (SW-DF-001)
      package: openssl              # optional: a name (binary or source package) or a purl
      path: usr/lib/python3*/**     # optional: glob(s) on the file inside the image that proved it
      expires: 2026-12-31           # optional: from this day on the entry no longer suppresses
      reason: not reachable, see SEC-123    # required

``id`` may be left out when ``package`` or ``path`` is given (every finding of that package, every
finding and check result at that path). Check results (hardening, secrets) are named by rule ID. A
``package`` purl without a version matches every version; one ending in ``/`` is a prefix
(``pkg:golang/github.com/acme/`` covers every module under it). Globs: ``*`` also crosses ``/``; a
pattern ending in ``/`` covers everything below that directory; a leading ``/`` is ignored. ``path``
and ``package`` may also be lists. An expired entry stops suppressing and is reported, like the
``lint:`` ignores of ``.seawall.yaml``, which expire the same way.

Trivy's plain ``.trivyignore`` is read too, for migration: one ID per line, ``# comments``, an
optional ``exp:YYYY-MM-DD`` after the ID (with Trivy's meaning: expired from that date on). The
comment lines just above an ID become its reason.

Example::

    ignore = load_ignorefile(Path(".seawallignore.yaml"))
    for entry in ignore.expired(date.today()):
        print(entry.expiry_warning())
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from seawall.errors import SeawallError
from seawall.inventory.purl import PurlError, PurlParts, parse_purl
from seawall.match.finding import VulnFinding
from seawall.model import CheckResult
from seawall.policy.vex import package_purl, purl_matches

MAX_IGNOREFILE_BYTES = 4 * 1024 * 1024
MAX_ENTRIES = 100_000
_KEYS = frozenset({"id", "package", "path", "paths", "expires", "reason"})
_PLAIN_LINE = re.compile(r"([A-Za-z0-9][A-Za-z0-9._+\-]*)((?:\s+\S+)*)")
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-]*")


class IgnoreFileError(SeawallError):
    """An ignore file that cannot be used: unreadable, malformed, or an entry without a reason."""


@dataclass(frozen=True)
class IgnoreEntry:
    """One entry. ``line`` is where it starts in ``source`` (1-based), for messages."""

    id: str = ""
    packages: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    expires: date | None = None
    reason: str = ""
    line: int = 0
    source: str = ""

    @property
    def label(self) -> str:
        what = self.id or ", ".join(self.packages) or ", ".join(self.paths)
        return f"{self.source}:{self.line} ({what})"

    def expired(self, today: date) -> bool:
        """From the day of ``expires`` on, the entry no longer suppresses anything."""
        return self.expires is not None and today >= self.expires

    def expiry_warning(self) -> str:
        expires = self.expires.isoformat() if self.expires else "?"
        return f"ignore entry {self.label} expired on {expires}: no longer suppressing"

    @property
    def suppression(self) -> str:
        """The reason shown on a suppressed finding: ``ignorefile: <reason> (expires 2026-12-31)``."""
        text = f"ignorefile: {self.reason}"
        return f"{text} (expires {self.expires.isoformat()})" if self.expires else text

    def matches_finding(self, finding: VulnFinding, purl: PurlParts | None = None) -> bool:
        if self.id and not _same_id(self.id, (finding.advisory_id, *finding.aliases)):
            return False
        package = finding.package
        if self.packages:
            if purl is None:
                purl = package_purl(package)
            names = (package.name, package.source_name)
            if not any(_package_matches(wanted, names, purl) for wanted in self.packages):
                return False
        if self.paths:
            places = [location.path for location in package.locations]
            if not any(_glob(pattern, place) for pattern in self.paths for place in places):
                return False
        return True

    def matches_check(self, result: CheckResult) -> bool:
        """Check results by rule ID and/or path (secrets in ``app/testdata/``); never by package."""
        if self.packages or not (self.id or self.paths):
            return False
        if self.id and self.id.upper() != result.rule.id.upper():
            return False
        return not self.paths or any(_glob(p, result.location.file) for p in self.paths)


@dataclass(frozen=True)
class IgnoreFile:
    source: str
    entries: tuple[IgnoreEntry, ...]
    format: str = "yaml"  # or "trivyignore"

    def active(self, today: date) -> tuple[IgnoreEntry, ...]:
        return tuple(entry for entry in self.entries if not entry.expired(today))

    def expired(self, today: date) -> tuple[IgnoreEntry, ...]:
        return tuple(entry for entry in self.entries if entry.expired(today))


def _same_id(wanted: str, ids: tuple[str, ...]) -> bool:
    folded = wanted.upper()
    return any(folded == i.upper() for i in ids if i)


def _package_matches(wanted: str, names: tuple[str, str], purl: PurlParts | None) -> bool:
    if not wanted.startswith("pkg:"):
        folded = wanted.casefold()
        return any(name and name.casefold() == folded for name in names)
    if purl is None:
        return False
    if wanted.endswith("/"):
        return _purl_head(purl).casefold().startswith(wanted.casefold())
    try:
        parts = parse_purl(wanted)
    except PurlError:
        return False
    return purl_matches(parts, purl)


def _purl_head(parts: PurlParts) -> str:
    """``pkg:type/namespace/name`` (no version, qualifiers or subpath), for prefix entries."""
    return (
        f"pkg:{parts.type}/{parts.namespace}/{parts.name}"
        if parts.namespace
        else (f"pkg:{parts.type}/{parts.name}")
    )


def _glob(pattern: str, path: str) -> bool:
    path = path.lstrip("/")
    if pattern.endswith("/"):
        pattern += "*"
    return fnmatch.fnmatchcase(path, pattern)


def _normal_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    while pattern.startswith(("./", "/")):
        pattern = pattern[2:] if pattern.startswith("./") else pattern[1:]
    return pattern


# ---------------------------------------------------------------------------------------------------
# Reading


def load_ignorefile(path: Path) -> IgnoreFile:
    """Read ``path`` (YAML, or plain ``.trivyignore`` lines); :class:`IgnoreFileError` if unusable."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_IGNOREFILE_BYTES + 1)
    except OSError as error:
        raise IgnoreFileError(f"cannot read ignore file {path}: {error.strerror or error}") from None
    if len(data) > MAX_IGNOREFILE_BYTES:
        raise IgnoreFileError(f"ignore file {path} is larger than {MAX_IGNOREFILE_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise IgnoreFileError(f"ignore file {path} line {line}: not UTF-8 text") from None
    name = path.name.lower()
    fmt = "yaml" if name.endswith((".yaml", ".yml")) else "trivyignore" if name == ".trivyignore" else None
    return parse_ignorefile(text, str(path), fmt)


def parse_ignorefile(text: str, source: str = "<ignorefile>", fmt: str | None = None) -> IgnoreFile:
    """Parse ignore-file text; ``fmt`` ``yaml`` or ``trivyignore``, None to tell from the content."""
    if fmt is None:
        fmt = "trivyignore" if _looks_plain(text) else "yaml"
    if fmt == "trivyignore":
        return IgnoreFile(source, _parse_plain(text, source), "trivyignore")
    return IgnoreFile(source, _parse_yaml(text, source), "yaml")


def _looks_plain(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    content = [line for line in lines if line and not line.startswith("#")]
    return bool(content) and all(_PLAIN_LINE.fullmatch(line) for line in content)


def _parse_plain(text: str, source: str) -> tuple[IgnoreEntry, ...]:
    entries: list[IgnoreEntry] = []
    comments: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            comments = []
            continue
        if line.startswith("#"):
            comments.append(line.lstrip("#").strip())
            continue
        fields = line.split()
        if not _PLAIN_ID.fullmatch(fields[0]):
            raise IgnoreFileError(f"ignore file {source} line {number}: {fields[0][:60]!r} is not an ID")
        expires = None
        for extra in fields[1:]:
            if not extra.startswith("exp:"):
                raise IgnoreFileError(
                    f"ignore file {source} line {number}: unexpected {extra[:60]!r} (only exp:YYYY-MM-DD)"
                )
            expires = _date(extra[4:], f"ignore file {source} line {number}")
        reason = " ".join(c for c in comments if c) or f"listed in {Path(source).name}"
        entries.append(IgnoreEntry(fields[0], expires=expires, reason=reason, line=number, source=source))
        comments = []
        if len(entries) > MAX_ENTRIES:
            raise IgnoreFileError(f"ignore file {source}: more than {MAX_ENTRIES} entries")
    return tuple(entries)


def _date(value: object, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise IgnoreFileError(f"{where}: expiry {str(value)[:40]!r} is not a date (YYYY-MM-DD)")


def _parse_yaml(text: str, source: str) -> tuple[IgnoreEntry, ...]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return ()
        if isinstance(root, yaml.MappingNode):
            root = _ignore_section(root, source)
        if not isinstance(root, yaml.SequenceNode):
            line = root.start_mark.line + 1
            raise IgnoreFileError(f"ignore file {source} line {line}: expected a list of entries")
        if len(root.value) > MAX_ENTRIES:
            raise IgnoreFileError(f"ignore file {source}: more than {MAX_ENTRIES} entries")
        return tuple(_entry(loader, node, source) for node in root.value)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise IgnoreFileError(f"ignore file {source}{where}: {problem}") from None
    except RecursionError:
        raise IgnoreFileError(f"ignore file {source}: nested too deeply") from None
    finally:
        loader.dispose()


def _ignore_section(root: yaml.MappingNode, source: str) -> yaml.Node:
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "ignore":
            if len(root.value) > 1:
                other = next(k for k, _ in root.value if k is not key)
                raise IgnoreFileError(
                    f"ignore file {source} line {other.start_mark.line + 1}: "
                    f"unknown top-level key {str(getattr(other, 'value', '?'))[:40]!r} (only 'ignore')"
                )
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
                return yaml.SequenceNode("tag:yaml.org,2002:seq", [], value.start_mark, value.end_mark)
            found: yaml.Node = value
            return found
    line = root.start_mark.line + 1
    raise IgnoreFileError(f"ignore file {source} line {line}: expected a list of entries or 'ignore:'")


def _entry(loader: yaml.SafeLoader, node: yaml.Node, source: str) -> IgnoreEntry:
    line = node.start_mark.line + 1
    where = f"ignore file {source} line {line}"
    if not isinstance(node, yaml.MappingNode):
        raise IgnoreFileError(f"{where}: an entry must be a mapping with id and reason")
    fields: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        key_line = key_node.start_mark.line + 1
        if key not in _KEYS:
            raise IgnoreFileError(
                f"ignore file {source} line {key_line}: unknown key {str(key)[:40]!r} "
                f"(known: {', '.join(sorted(_KEYS))})"
            )
        if key in fields or (key in ("path", "paths") and {"path", "paths"} & fields.keys()):
            raise IgnoreFileError(f"ignore file {source} line {key_line}: {key} given twice")
        value_line = value_node.start_mark.line + 1
        try:
            value = loader.construct_object(value_node, deep=True)
        except (ValueError, TypeError, OverflowError) as error:  # e.g. a date like 2026-02-30
            raise IgnoreFileError(f"ignore file {source} line {value_line}: {key}: {error}") from None
        fields[key] = (value, value_line)
    entry_id = _text(fields.get("id"), "id", source)
    packages = _texts(fields.get("package"), "package", source)
    globs = _texts(fields.get("path") or fields.get("paths"), "path", source)
    paths = tuple(_normal_pattern(p) for p in globs)
    reason = _text(fields.get("reason"), "reason", source)
    if not reason:
        named = f" {entry_id}" if entry_id else ""
        raise IgnoreFileError(f"{where}: entry{named} needs a reason")
    if not (entry_id or packages or paths):
        raise IgnoreFileError(f"{where}: an entry needs an id, a package or a path")
    for package in packages:
        if package.startswith("pkg:") and not package.endswith("/"):
            try:
                parse_purl(package)
            except PurlError:
                raise IgnoreFileError(f"{where}: package {package[:80]!r} is not a valid purl") from None
    expires = None
    if fields.get("expires") is not None and fields["expires"][0] is not None:
        value, value_line = fields["expires"]
        expires = _date(value, f"ignore file {source} line {value_line}")
    return IgnoreEntry(entry_id, packages, paths, expires, reason, line, source)


def _text(field: tuple[Any, int] | None, name: str, source: str) -> str:
    if field is None or field[0] is None:
        return ""
    value, line = field
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise IgnoreFileError(f"ignore file {source} line {line}: {name} must be text")
    return str(value).strip()


def _texts(field: tuple[Any, int] | None, name: str, source: str) -> tuple[str, ...]:
    if field is None or field[0] is None:
        return ()
    value, line = field
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item.strip() for item in values):
        raise IgnoreFileError(f"ignore file {source} line {line}: {name} must be text or a list of text")
    return tuple(item.strip() for item in values)
