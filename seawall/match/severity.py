"""Which severity a finding carries, and who said so.

Order (DESIGN.md: the vendor knows best): the vendor's word for this package (Debian urgency,
Red Hat impact, Alpine ...), then the advisory database's own rating, then the advisory's CVSS
(v4, v3.x, v2), then NVD's CVSS. A rating with no severity (a CVSS v4 vector we could not score)
is passed over. The finding's CVSS score and vector come from the best CVSS rating wherever it is.
"""

from __future__ import annotations

from seawall.model import Severity
from seawall.vulndb.model import Advisory, AffectedPackage, Enrichment, Rating

CVSS_ORDER = ("CVSS_V4", "CVSS_V3", "CVSS_V2")


def _known(ratings: tuple[Rating, ...] | list[Rating]) -> list[Rating]:
    return [r for r in ratings if r.severity is not Severity.UNKNOWN]


def _first(ratings: list[Rating], methods: tuple[str, ...]) -> Rating | None:
    for method in methods:
        for rating in ratings:
            if rating.method == method:
                return rating
    return None


def choose_severity(
    entry: AffectedPackage, advisory: Advisory, enrichment: Enrichment, namespace: str
) -> tuple[Rating | None, str]:
    """The rating that decides the severity, and a label naming its source and kind."""
    nvd = [r for record in enrichment.nvd for r in record.ratings]
    candidates: list[tuple[Rating | None, str]] = [
        (_first(_known(entry.ratings), ("vendor",)), "vendor"),
        (_first(_known(advisory.ratings), ("vendor",)), "advisory"),
        (_first(_known(entry.ratings), CVSS_ORDER), "advisory"),
        (_first(_known(advisory.ratings), CVSS_ORDER), "advisory"),
        (_first(_known(nvd), CVSS_ORDER), "nvd"),
    ]
    for rating, kind in candidates:
        if rating is not None:
            label = (
                f"{rating.source} {rating.method}"
                if rating.method != "vendor"
                else f"{rating.source} (vendor)"
            )
            return rating, label if kind != "nvd" else f"{label} (NVD enrichment)"
    return None, "none"


def best_cvss(entry: AffectedPackage, advisory: Advisory, enrichment: Enrichment) -> Rating | None:
    """The CVSS rating to show: the advisory's own first, then NVD's; scored ones first."""
    pools = [list(entry.ratings), list(advisory.ratings), [r for n in enrichment.nvd for r in n.ratings]]
    for pool in pools:
        scored = [r for r in pool if r.method in CVSS_ORDER and r.score is not None]
        rating = _first(scored, CVSS_ORDER)
        if rating is not None:
            return rating
    return None
