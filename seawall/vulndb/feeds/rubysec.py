"""RubySec ruby-advisory-db: ``gems/<gem>/*.yml`` and ``rubies/<engine>/*.yml``.

Each file is one advisory for one gem (``gem:``) or one Ruby interpreter (``engine:`` ruby, jruby,
mruby, mrubyc, rbx). Gems go to namespace ``rubygems``; interpreters to namespace ``ruby``, the
package being the engine, so a gem is never matched against an interpreter's advisory.
``patched_versions`` and ``unaffected_versions`` are RubyGems requirement strings (``~> 1.2.5``,
``~> 4.2.5, >= 4.2.5.1``) and make one REQUIREMENTS range in the ``rubygems`` scheme: a version is
affected unless it meets one of them. The status is ``fixed`` when patched versions exist (``fixed``
lists the lowest version of each requirement that names one; ``> 1.18.0`` names none), else
``affected``. ``cvss_v2``/``cvss_v3``/``cvss_v4`` are base scores (no vectors); ``framework``,
``library`` and ``platform`` are kept as properties, ``notes`` as notes.

The advisory ID is RubySec's own name for the advisory: the file name without ``.yml``, which is the
ID bundler-audit reports (``CVE-2011-5036``, ``OSVDB-78121``, ``GHSA-7pwq-q9jf-539h``; a file filed
under its GHSA keeps that name after a CVE is assigned). A file whose name is not an ID falls back to
``cve``, then ``osvdb``, then ``ghsa``. The other identifiers are aliases; ``related`` identifiers are
related. Several files share an ID when one vulnerability affects several gems or interpreters
(CVE-2019-15224: eleven gems): they become one advisory with an affected package each, its texts
taken from the first file in path order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from packageurl import PackageURL

from seawall.versions import InvalidVersion, scheme
from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.model import (
    Advisory,
    AffectedPackage,
    Range,
    RangeType,
    Rating,
    Record,
    Reference,
    Status,
)
from seawall.vulndb.namespace import normalize_name, scheme_of
from seawall.vulndb.parsing import load_yaml, mapping, requirement_strings, strings, text

SOURCE = "rubysec"
GEMS = "rubygems"
INTERPRETERS = "ruby"
_STEM_ID = re.compile(r"^(CVE-\d{4}-\d{4,}|OSVDB-\d+|GHSA(?:-[0-9a-z]{4}){3})$")
_CVE = re.compile(r"^\d{4}-\d{4,}$")
_OSVDB = re.compile(r"^\d+$")
_GHSA = re.compile(r"^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# RubyGems requirements whose version is the lowest one admitted: >= 1.2, ~> 1.2.5, = 1.2, a bare 1.2
_FLOOR = re.compile(r"(?:^|,)\s*(?:(?:>=|~>|=)\s*)?(\d[0-9A-Za-z.-]*)\s*(?=,|$)")
_MAX_REQUIREMENTS = 100
_SCORES = (("cvss_v2", "CVSS_V2", 2), ("cvss_v3", "CVSS_V3", 3), ("cvss_v4", "CVSS_V4", 4))


def _identifier(prefix: str, value: Any, pattern: re.Pattern[str]) -> str:
    raw = text(value, 40).strip()
    raw = raw.removeprefix(f"{prefix}-")
    return f"{prefix}-{raw}" if pattern.match(raw) else ""


def _identifiers(doc: dict[str, Any]) -> list[str]:
    """``cve``, ``osvdb``, ``ghsa`` as full IDs, in RubySec's order of preference."""
    found = [
        _identifier("CVE", doc.get("cve"), _CVE),
        _identifier("OSVDB", doc.get("osvdb"), _OSVDB),
        _identifier("GHSA", doc.get("ghsa"), _GHSA),
    ]
    return [i for i in found if i]


def _related(doc: dict[str, Any]) -> list[str]:
    related = mapping(doc.get("related"))
    found: list[str] = []
    for key, prefix, pattern in (("cve", "CVE", _CVE), ("ghsa", "GHSA", _GHSA), ("osvdb", "OSVDB", _OSVDB)):
        found += [i for i in (_identifier(prefix, v, pattern) for v in strings(related.get(key), 100)) if i]
    return found


def _requirements(value: Any, field: str) -> tuple[str, ...]:
    return requirement_strings(value, field, scheme_of(GEMS), _MAX_REQUIREMENTS)


def _fixed_versions(patched: tuple[str, ...]) -> tuple[str, ...]:
    """The first fixed version of each patched requirement (``~> 4.2.5, >= 4.2.5.1`` -> ``4.2.5.1``)."""
    gems = scheme(scheme_of(GEMS))
    fixed: list[str] = []
    for requirement in patched:
        floors = _FLOOR.findall(requirement)
        if not floors:
            continue
        try:
            fixed.append(max(floors, key=gems.key))
        except InvalidVersion:
            fixed.append(floors[-1])
    return tuple(dict.fromkeys(fixed))


def _ratings(doc: dict[str, Any], report: ImportReport, path: str) -> list[Rating]:
    ratings: list[Rating] = []
    for key, method, version in _SCORES:
        raw = text(doc.get(key), 20).strip()
        if not raw:
            continue
        try:
            score = float(raw)
        except ValueError:
            score = -1.0
        if not 0.0 <= score <= 10.0:
            report.warn(path, f"{key} {raw!r} ignored (not a score from 0 to 10)")
            continue
        ratings.append(Rating(SOURCE, method, cvss.severity_of(score, version), "", score))
    return ratings


def _properties(doc: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found = [(key, text(doc.get(key), 100).strip()) for key in ("framework", "library", "platform")]
    return tuple(sorted((k, v) for k, v in found if v))


@dataclass(frozen=True)
class _Parsed:
    path: str
    advisory: Advisory


def advisory_from_rubysec(path: str, content: bytes, report: ImportReport) -> Advisory:
    """One RubySec advisory file as an Advisory with one affected package. FeedError if malformed."""
    doc = load_yaml(content)
    if not isinstance(doc, dict):
        raise FeedError("not a RubySec advisory (expected a mapping)")
    gem, engine = text(doc.get("gem"), 200).strip(), text(doc.get("engine"), 200).strip()
    if bool(gem) == bool(engine):
        raise FeedError("a RubySec advisory names exactly one of gem and engine")
    name = gem or engine
    if not _NAME.match(name):
        raise FeedError(f"invalid {'gem' if gem else 'engine'} name {name[:60]!r}")
    identifiers = _identifiers(doc)
    stem = path.rsplit("/", 1)[-1].removesuffix(".yml").removesuffix(".yaml")
    advisory_id = stem if _STEM_ID.match(stem) else (identifiers[0] if identifiers else "")
    if not advisory_id:
        raise FeedError("no advisory id (the file name, cve, osvdb or ghsa)")
    namespace = GEMS if gem else INTERPRETERS
    patched = _requirements(doc.get("patched_versions"), "patched_versions")
    unaffected = _requirements(doc.get("unaffected_versions"), "unaffected_versions")
    fixed = _fixed_versions(patched)
    ranges = (Range(RangeType.REQUIREMENTS, scheme_of(GEMS), (), (), patched + unaffected),)
    affected = AffectedPackage(
        namespace=namespace,
        name=normalize_name(namespace, name),
        status=Status.FIXED if patched else Status.AFFECTED,  # "> 1.18.0" names no version
        ranges=ranges if patched or unaffected else (),
        fixed=fixed,
        purl=PackageURL(type="gem", name=name).to_string() if gem else "",
        notes=text(doc.get("notes"), 4000).strip(),
        properties=_properties(doc),
    )
    url = text(doc.get("url"), 2048).strip()
    references = [Reference("ADVISORY", url)] if url else []
    references += [Reference("WEB", u) for u in strings(mapping(doc.get("related")).get("url"), 200)]
    return Advisory(
        id=advisory_id,
        summary=text(doc.get("title"), 1000).strip(),
        details=text(doc.get("description")).strip(),
        aliases=tuple(i for i in identifiers if i != advisory_id),
        related=tuple(i for i in dict.fromkeys(_related(doc)) if i != advisory_id),
        published=text(doc.get("date"), 40).strip(),
        references=tuple(dict.fromkeys(references)),
        ratings=tuple(_ratings(doc, report, path)),
        affected=(affected,),
    )


def _merge(parts: list[_Parsed]) -> Advisory:
    """Files that share an ID: the first file's texts, every file's package, identifiers and links."""
    first, *rest = [p.advisory for p in sorted(parts, key=lambda p: p.path)]
    if not rest:
        return first
    everything = [first, *rest]
    return replace(
        first,
        aliases=tuple(dict.fromkeys(a for x in everything for a in x.aliases if a != first.id)),
        related=tuple(dict.fromkeys(r for x in everything for r in x.related if r != first.id)),
        references=tuple(dict.fromkeys(r for x in everything for r in x.references)),
        ratings=tuple(dict.fromkeys(r for x in everything for r in x.ratings)),
        affected=tuple(dict.fromkeys(p for x in everything for p in x.affected)),
    )


@register
class RubySecImporter(Importer):
    name = "rubysec"
    version = 1
    priority = 30
    max_size = 1024 * 1024  # an advisory is a few KiB

    def __init__(self) -> None:
        self._parsed: dict[str, list[_Parsed]] = {}

    def wants(self, path: str) -> bool:
        parts = path.split("/")
        return path.endswith((".yml", ".yaml")) and len(parts) >= 3 and parts[-3] in ("gems", "rubies")

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:8192]
        return re.search(rb"^(gem|engine):", head, re.M) is not None and b"\ntitle:" in head

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        advisory = advisory_from_rubysec(path, content, report)
        self._parsed.setdefault(advisory.id, []).append(_Parsed(path, advisory))
        return ()

    def finish(self, report: ImportReport) -> Iterable[Record]:
        parsed, self._parsed = self._parsed, {}
        for advisory_id in sorted(parsed):
            parts = parsed[advisory_id]
            if len(parts) > 1:
                report.count("merged_files", len(parts) - 1)
            yield _merge(parts)
