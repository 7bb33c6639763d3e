"""CISA Known Exploited Vulnerabilities: the JSON catalogue (``known_exploited_vulnerabilities.json``).

Also reads a single catalogue entry (an object with ``cveID``). The catalogue's ``dateReleased`` is the
source's date.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.model import KevEntry, Record
from seawall.vulndb.parsing import CVE_ID, items, load_json, mapping, strings, text


def kev_entry(raw: Any) -> KevEntry:
    entry = mapping(raw)
    cve = text(entry.get("cveID"), 40).strip()
    if not CVE_ID.match(cve):
        raise FeedError(f"KEV entry with an invalid cveID {cve[:40]!r}")
    date_added = text(entry.get("dateAdded"), 40).strip()
    if not date_added:
        raise FeedError(f"KEV entry {cve} without dateAdded")
    return KevEntry(
        cve=cve,
        date_added=date_added,
        due_date=text(entry.get("dueDate"), 40).strip(),
        vendor=text(entry.get("vendorProject"), 200),
        product=text(entry.get("product"), 200),
        name=text(entry.get("vulnerabilityName"), 500),
        description=text(entry.get("shortDescription")),
        required_action=text(entry.get("requiredAction"), 2000),
        ransomware=text(entry.get("knownRansomwareCampaignUse"), 40),
        notes=text(entry.get("notes"), 4000),
        cwes=strings(entry.get("cwes"), 50),
    )


@register
class KevImporter(Importer):
    name = "kev"
    version = 1
    priority = 10

    def wants(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name.endswith(".json") and "schema" not in name and not name.startswith(".")

    def detect(self, path: str, content: bytes) -> bool:
        return b'"cveID"' in content[:8192] and (
            b'"catalogVersion"' in content[:8192] or b'"dateAdded"' in content
        )

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        doc = load_json(content)
        if isinstance(doc, dict) and "cveID" in doc:
            return [kev_entry(doc)]
        if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
            raise FeedError("not a KEV catalogue (no vulnerabilities list)")
        report.date = text(doc.get("dateReleased"), 40) or text(doc.get("catalogVersion"), 40)
        records: list[Record] = []
        for index, raw in enumerate(items(doc["vulnerabilities"], 1_000_000)):
            try:
                records.append(kev_entry(raw))
            except FeedError as error:
                report.warn(f"{path}[{index}]", str(error))
        return records
