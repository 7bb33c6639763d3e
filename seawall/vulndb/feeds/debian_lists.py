"""Debian's advisory lists in the security tracker repository: ``data/DSA/list`` and ``data/DLA/list``.

Each advisory is a header line and indented lines below it::

    [29 Mar 2023] DSA-5380-1 xorg-server - security update
        {CVE-2023-1393}
        [bullseye] - xorg-server 2:1.20.11-1+deb11u6
        [woody] - mantis <not-affected> (Vulnerable code not present)
        NOTE: fixed in testing at time of DSA

One Advisory per header (``DSA-5380-1``, ``DLA-3380-1``; old DSAs have no ``-N``), published on its
date, with the text after the ID as summary, the ``{...}`` IDs as ``related`` (an advisory fixes
several CVEs: they are not aliases of one another) and the NOTE lines as details. Each ``[release] -
package version`` line is one AffectedPackage of the *source* package in that release: ``fixed`` with
the range ``introduced 0, fixed version``; ``<not-affected>`` not_affected; ``<unfixed>`` affected;
``<end-of-life>``, ``<no-dsa>``, ``<ignored>``, ``<postponed>`` as in the tracker JSON
(:mod:`.debian_tracker`); ``<removed>`` is skipped and counted. A parenthesised remark is kept as the
entry's notes, and an urgency word in it (``(bug #324531; medium)``) as its vendor severity.

A malformed advisory (bad header, date or body line) is skipped with a warning naming the file, the
line and the reason; a malformed ``[release]`` line drops that line only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from seawall.vulndb.feeds import Importer, ImportReport, MiB, register
from seawall.vulndb.feeds.debian_tracker import (
    ISSUE_ID,
    PACKAGE_NAME,
    SOURCE_PACKAGE,
    debian_namespace,
    fixed_range,
    open_range,
    source_purl,
    valid_version,
    vendor_rating,
)
from seawall.vulndb.model import Advisory, AffectedPackage, Rating, Record, Status
from seawall.vulndb.parsing import MAX_TEXT

_HEADER = re.compile(
    r"^\[(?P<day>\d{1,2}) (?P<month>[A-Za-z]{3}) (?P<year>\d{4})\]\s+"
    r"(?P<id>[A-Z]{2,5}-\d{1,6}(?:-\d{1,4})?)(?:\s+(?P<rest>.*?))?\s*$"
)
_FIX = re.compile(
    r"^\[(?P<release>[a-z][a-z0-9-]*)\]\s+-\s+(?P<package>\S+)\s+(?P<version><[a-z-]+>|\S+)"
    r"(?:\s+\((?P<notes>[^()]*)\))?\s*$"
)
_XREFS = re.compile(r"^\{(?P<ids>[^{}]*)\}\s*$")
_NOTE = re.compile(r"^(?:NOTE|TODO):\s?(?P<text>.*)$")
_MONTHS = {
    month: number
    for number, month in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_URGENCY = re.compile(r"(?:^|[;,\s])(unimportant|low|medium|high)(?:$|[;,\s])")
_TAGS = {
    "<not-affected>": Status.NOT_AFFECTED,
    "<unfixed>": Status.AFFECTED,
    "<no-dsa>": Status.AFFECTED,
    "<end-of-life>": Status.END_OF_LIFE,
    "<ignored>": Status.WILL_NOT_FIX,
    "<postponed>": Status.FIX_DEFERRED,
}
_OPEN = (Status.AFFECTED, Status.END_OF_LIFE, Status.WILL_NOT_FIX, Status.FIX_DEFERRED)
MAX_LINES = 4_000_000
MAX_LINES_PER_ADVISORY = 10_000


class _Malformed(Exception):
    """A line that makes its whole advisory unreadable."""


@dataclass
class _Draft:
    """An advisory being read: its header and the body lines seen so far."""

    id: str
    line: int
    published: str
    summary: str
    related: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    affected: list[AffectedPackage] = field(default_factory=list)
    error: str = ""
    lines: int = 0


def _date(day: str, month: str, year: str) -> str:
    number = _MONTHS.get(month.lower())
    if number is None or not 1 <= int(day) <= 31:
        raise _Malformed(f"invalid date {day} {month} {year}")
    return f"{year}-{number:02d}-{int(day):02d}"


def _fixed_line(text: str) -> AffectedPackage | str | None:
    """The affected entry of a ``[release] - package version`` line; a reason to drop the line; or
    None for a line that is not of this form."""
    match = _FIX.match(text)
    if match is None:
        return None
    release, package, version = match["release"], match["package"], match["version"]
    notes = (match["notes"] or "").strip()
    namespace = debian_namespace(release)
    if namespace is None:
        return f"release {release!r} is not a Debian codename we know"
    if not PACKAGE_NAME.match(package):
        return f"{package[:60]!r} is not a Debian package name"
    fixed: tuple[str, ...] = ()
    if version.startswith("<"):
        if version == "<removed>":
            return "removed"
        if version not in _TAGS:
            return f"unknown state {version[:40]}"
        status = _TAGS[version]
        if version == "<no-dsa>":
            notes = f"no-dsa: {notes}" if notes else "no-dsa"
        ranges = open_range("dpkg") if status in _OPEN else ()
    else:
        if not valid_version("dpkg", version):
            return f"invalid version {version[:60]!r}"
        status, fixed, ranges = Status.FIXED, (version,), fixed_range("dpkg", version)
    urgency = _URGENCY.search(notes.lower())
    rating = vendor_rating("debian", urgency.group(1)) if urgency else None
    ratings: tuple[Rating, ...] = (rating,) if rating else ()
    return AffectedPackage(
        namespace=namespace,
        name=package,
        status=status,
        ranges=ranges,
        fixed=fixed,
        ecosystem=release,
        purl=source_purl("debian", package),
        ratings=ratings,
        notes=notes[:1000],
        properties=SOURCE_PACKAGE,
    )


@register
class DebianListsImporter(Importer):
    name = "debian-lists"
    version = 1
    priority = 30
    max_size = 128 * MiB

    def wants(self, path: str) -> bool:
        parts = path.split("/")
        if parts[-1] in ("DSA", "DLA"):
            return True
        return parts[-1] == "list" and (len(parts) == 1 or parts[-2] in ("DSA", "DLA"))

    def detect(self, path: str, content: bytes) -> bool:
        first = content[:4096].lstrip().split(b"\n", 1)[0].decode("utf-8", "replace")
        return bool(_HEADER.match(first.strip()))

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        advisories: list[Advisory] = []
        draft: _Draft | None = None
        lines = content.decode("utf-8", "replace").split("\n")
        if len(lines) > MAX_LINES:
            report.warn(path, f"more than {MAX_LINES} lines; the rest of the file skipped")
        for number, raw in enumerate(lines[:MAX_LINES], 1):
            line = raw.strip()
            if not line:
                continue
            if not raw[:1].isspace():
                if draft is not None:
                    self._close(draft, path, advisories, report)
                draft = self._header(number, line)
                continue
            if draft is None:
                report.warn(f"{path}:{number}", "indented line before the first advisory skipped")
                continue
            if not draft.error:
                self._body(draft, path, number, line, report)
        if draft is not None:
            self._close(draft, path, advisories, report)
        return advisories

    def _header(self, number: int, line: str) -> _Draft:
        match = _HEADER.match(line)
        if match is None:
            return _Draft("", number, "", "", error=f"line {number}: not an advisory header: {line[:80]!r}")
        try:
            published = _date(match["day"], match["month"], match["year"])
        except _Malformed as error:
            return _Draft(match["id"], number, "", "", error=f"line {number}: {error}")
        return _Draft(match["id"], number, published, (match["rest"] or "").strip()[:500])

    def _body(self, draft: _Draft, path: str, number: int, line: str, report: ImportReport) -> None:
        draft.lines += 1
        if draft.lines > MAX_LINES_PER_ADVISORY:
            draft.error = f"more than {MAX_LINES_PER_ADVISORY} lines"
            return
        xrefs = _XREFS.match(line)
        if xrefs is not None:
            for token in xrefs["ids"].split():
                if not ISSUE_ID.match(token):
                    draft.error = f"line {number}: {token[:40]!r} is not an advisory or CVE ID"
                    return
                draft.related.append(token)
            return
        note = _NOTE.match(line)
        if note is not None:
            draft.notes.append(note["text"].strip()[:2000])
            return
        entry = _fixed_line(line)
        if entry is None:
            draft.error = f"line {number}: unrecognised line {line[:80]!r}"
        elif entry == "removed":
            report.count("removed_packages")
        elif isinstance(entry, str):
            report.warn(f"{path}:{number}", f"{draft.id}: line skipped: {entry}")
        else:
            draft.affected.append(entry)

    def _close(self, draft: _Draft, path: str, advisories: list[Advisory], report: ImportReport) -> None:
        if draft.error:
            label = f"{draft.id} skipped" if draft.id else "skipped"
            report.warn(f"{path}:{draft.line}", f"{label}: {draft.error}")
            return
        if not draft.affected:
            report.count("advisories_without_packages")
        advisories.append(
            Advisory(
                id=draft.id,
                summary=draft.summary,
                details="\n".join(draft.notes)[:MAX_TEXT],
                related=tuple(dict.fromkeys(r for r in draft.related if r != draft.id)),
                published=draft.published,
                affected=tuple(draft.affected),
            )
        )
