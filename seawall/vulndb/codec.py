"""The stored form of the model: compact, canonical JSON (sorted keys, no spaces, empty fields left out).

Canonical text matters: the content digest of a database is computed over it, so the same input
gives the same bytes.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from seawall.model import Severity
from seawall.vulndb.model import (
    Advisory,
    AffectedPackage,
    CveRecord,
    EpssScore,
    Event,
    EventKind,
    KevEntry,
    Range,
    RangeType,
    Rating,
    Reference,
    Status,
)

_EVENT_KINDS = {k.value: k for k in EventKind}
_RANGE_TYPES = {t.value: t for t in RangeType}
_STATUSES = {s.value: s for s in Status}
_decode = json.JSONDecoder().decode


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in ("", (), [], None, {})}


def rating_to(rating: Rating) -> list[Any]:
    return [rating.source, rating.method, rating.severity.name, rating.vector, rating.score]


def rating_from(data: list[Any]) -> Rating:
    return Rating(data[0], data[1], Severity[data[2]], data[3], data[4])


def _range_to(item: Range) -> list[Any]:
    events = [[e.kind.value, e.version] for e in item.events]
    return [item.type.value, item.scheme, events, list(item.vulnerable), list(item.unaffected)]


def _range_from(data: list[Any]) -> Range:
    return Range(
        _RANGE_TYPES[data[0]],
        data[1],
        tuple(Event(_EVENT_KINDS[k], v) for k, v in data[2]),
        tuple(data[3]),
        tuple(data[4]),
    )


def affected_to(package: AffectedPackage) -> str:
    """The JSON of an affected entry, without namespace, name and status (they are columns)."""
    return dumps(
        _drop_empty(
            {
                "r": [_range_to(r) for r in package.ranges],
                "v": list(package.versions),
                "f": list(package.fixed),
                "e": package.ecosystem,
                "p": package.purl,
                "s": [rating_to(r) for r in package.ratings],
                "n": package.notes,
                "x": [list(p) for p in package.properties],
            }
        )
    )


def affected_from(namespace: str, name: str, status: str | Status, text: str) -> AffectedPackage:
    ranges, versions, fixed, ecosystem, purl, ratings, notes, properties = _affected_parts(text)
    return AffectedPackage(
        namespace,
        name,
        status if isinstance(status, Status) else _STATUSES[status],
        ranges,
        versions,
        fixed,
        ecosystem,
        purl,
        ratings,
        notes,
        properties,
    )


_Parts = tuple[
    tuple[Range, ...],
    tuple[str, ...],
    tuple[str, ...],
    str,
    str,
    tuple[Rating, ...],
    str,
    tuple[tuple[str, str], ...],
]


@functools.lru_cache(maxsize=16384)
def _affected_parts(text: str) -> _Parts:
    """The decoded fields of an affected row's JSON. Cached: distributions repeat one errata's data
    for each binary package (82,000 rows, 16,000 distinct texts in PyPA + Go + AlmaLinux)."""
    data = _decode(text)
    return (
        tuple(_range_from(r) for r in data.get("r", ())),
        tuple(data.get("v", ())),
        tuple(data.get("f", ())),
        data.get("e", ""),
        data.get("p", ""),
        tuple(rating_from(r) for r in data.get("s", ())),
        data.get("n", ""),
        tuple((k, v) for k, v in data.get("x", ())),
    )


def advisory_to(advisory: Advisory) -> str:
    """The JSON of an advisory without its affected entries (they are rows of their own)."""
    return dumps(
        _drop_empty(
            {
                "summary": advisory.summary,
                "details": advisory.details,
                "aliases": list(advisory.aliases),
                "upstream": list(advisory.upstream),
                "related": list(advisory.related),
                "published": advisory.published,
                "modified": advisory.modified,
                "references": [[r.type, r.url] for r in advisory.references],
                "cwes": list(advisory.cwes),
                "ratings": [rating_to(r) for r in advisory.ratings],
            }
        )
    )


def advisory_from(
    advisory_id: str, source: str, text: str, affected: tuple[AffectedPackage, ...] = ()
) -> Advisory:
    data = json.loads(text)
    return Advisory(
        id=advisory_id,
        summary=data.get("summary", ""),
        details=data.get("details", ""),
        aliases=tuple(data.get("aliases", ())),
        upstream=tuple(data.get("upstream", ())),
        related=tuple(data.get("related", ())),
        published=data.get("published", ""),
        modified=data.get("modified", ""),
        references=tuple(Reference(t, u) for t, u in data.get("references", ())),
        cwes=tuple(data.get("cwes", ())),
        ratings=tuple(rating_from(r) for r in data.get("ratings", ())),
        affected=affected,
        source=source,
    )


# Enrichment: (kind, key, JSON) rows.


def enrichment_to(record: KevEntry | EpssScore | CveRecord) -> tuple[str, str, str]:
    if isinstance(record, KevEntry):
        data = _drop_empty(
            {
                "date_added": record.date_added,
                "due_date": record.due_date,
                "vendor": record.vendor,
                "product": record.product,
                "name": record.name,
                "description": record.description,
                "required_action": record.required_action,
                "ransomware": record.ransomware,
                "notes": record.notes,
                "cwes": list(record.cwes),
            }
        )
        return "kev", record.cve, dumps(data)
    if isinstance(record, EpssScore):
        return (
            "epss",
            record.cve,
            dumps(_drop_empty({"s": record.score, "p": record.percentile, "d": record.date})),
        )
    data = _drop_empty(
        {
            "ratings": [rating_to(r) for r in record.ratings],
            "cwes": list(record.cwes),
            "published": record.published,
            "modified": record.modified,
            "description": record.description,
            "status": record.status,
        }
    )
    return "nvd", record.cve, dumps(data)


def enrichment_from(kind: str, key: str, text: str) -> KevEntry | EpssScore | CveRecord:
    data = json.loads(text)
    if kind == "kev":
        return KevEntry(
            cve=key,
            date_added=data.get("date_added", ""),
            due_date=data.get("due_date", ""),
            vendor=data.get("vendor", ""),
            product=data.get("product", ""),
            name=data.get("name", ""),
            description=data.get("description", ""),
            required_action=data.get("required_action", ""),
            ransomware=data.get("ransomware", ""),
            notes=data.get("notes", ""),
            cwes=tuple(data.get("cwes", ())),
        )
    if kind == "epss":
        return EpssScore(
            cve=key, score=data.get("s", 0.0), percentile=data.get("p", 0.0), date=data.get("d", "")
        )
    return CveRecord(
        cve=key,
        ratings=tuple(rating_from(r) for r in data.get("ratings", ())),
        cwes=tuple(data.get("cwes", ())),
        published=data.get("published", ""),
        modified=data.get("modified", ""),
        description=data.get("description", ""),
        status=data.get("status", ""),
    )
