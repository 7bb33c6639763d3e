"""``registry report``: per repository and tag, counts by severity and the newest findings; and which
stored images contain a package (read from their stored SBOMs, so no image is pulled)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from seawall.model import Severity
from seawall.watch.store import FindingRow, ResultsStore

NEWEST = 5
SEVERITY_ORDER = [s.name for s in sorted(Severity, reverse=True)]


@dataclass
class TagSummary:
    registry: str
    repository: str
    tag: str
    digest: str
    last_seen: str
    counts: dict[str, int] = field(default_factory=dict)
    newest: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PackageHit:
    registry: str
    repository: str
    tag: str
    digest: str
    name: str
    version: str
    purl: str


def summarize(store: ResultsStore, newest: int = NEWEST) -> list[TagSummary]:
    tags = store.tag_rows()
    by_digest: dict[str, list[FindingRow]] = {}
    for row in store.findings_of({t.digest for t in tags}):
        by_digest.setdefault(row.digest, []).append(row)
    summaries = []
    for tag in tags:
        found = by_digest.get(tag.digest, [])
        counts = dict.fromkeys(SEVERITY_ORDER, 0)
        for row in found:
            counts[Severity.parse(row.severity).name] += 1
        latest = sorted(found, key=lambda r: (r.first_seen, Severity.parse(r.severity)), reverse=True)
        summaries.append(
            TagSummary(
                tag.registry,
                tag.repository,
                tag.tag,
                tag.digest,
                tag.last_seen,
                counts,
                [{k: v for k, v in asdict(r).items() if k != "digest"} for r in latest[:newest]],
            )
        )
    return summaries


def parse_package(text: str) -> tuple[str, str]:
    """``NAME[@VERSION]`` -> (name, version or "")."""
    name, _, version = text.strip().partition("@")
    return name.strip(), version.strip()


def images_with_package(store: ResultsStore, name: str, version: str = "") -> list[PackageHit]:
    """Every current tag whose image holds a package of this name (and version, when given)."""
    tags = store.tag_rows()
    sboms = store.sboms({t.digest for t in tags})
    holding: dict[str, list[tuple[str, str, str]]] = {}
    for digest, sbom in sboms.items():
        try:
            document = json.loads(sbom)
        except ValueError:
            continue
        components = document.get("components") if isinstance(document, dict) else None
        for component in components if isinstance(components, list) else []:
            if not isinstance(component, dict) or component.get("type") == "operating-system":
                continue
            if component.get("name") != name:
                continue
            found_version = str(component.get("version", ""))
            if version and found_version != version:
                continue
            holding.setdefault(digest, []).append((name, found_version, str(component.get("purl", ""))))
    hits = [
        PackageHit(t.registry, t.repository, t.tag, t.digest, *package)
        for t in tags
        for package in sorted(set(holding.get(t.digest, [])))
    ]
    return hits


def render_table(summaries: list[TagSummary]) -> str:
    if not summaries:
        return "No image in the results store yet (run `seawall registry scan HOST`).\n"
    header = ["IMAGE", "DIGEST", *SEVERITY_ORDER]
    rows = [
        [f"{s.registry}/{s.repository}:{s.tag}", s.digest[:19], *(str(s.counts[k]) for k in SEVERITY_ORDER)]
        for s in summaries
    ]
    lines = _columns([header, *rows])
    for summary in summaries:
        if summary.newest:
            lines.append("")
            lines.append(f"Newest findings in {summary.registry}/{summary.repository}:{summary.tag}:")
            for f in summary.newest:
                fixed = f" (fixed in {f['fixed']})" if f["fixed"] else ""
                lines.append(
                    f"  {f['first_seen'][:19]}  {f['severity']:<8} {f['advisory']}  "
                    f"{f['package']} {f['version']}{fixed}"
                )
    return "\n".join(lines) + "\n"


def render_packages_table(hits: list[PackageHit]) -> str:
    if not hits:
        return "No stored image holds that package.\n"
    rows = [[f"{h.registry}/{h.repository}:{h.tag}", h.name, h.version, h.digest[:19]] for h in hits]
    return "\n".join(_columns([["IMAGE", "PACKAGE", "VERSION", "DIGEST"], *rows])) + "\n"


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
