"""FIRST EPSS scores: the daily CSV (``epss_scores-YYYY-MM-DD.csv``, usually gzip-compressed).

The first line is a comment ``#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000``, then
the header ``cve,epss,percentile`` and one row per CVE. The score date is the source's date.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.model import EpssScore, Record
from seawall.vulndb.parsing import CVE_ID

HEADER = ["cve", "epss", "percentile"]
MAX_ROW_WARNINGS = 20


def _probability(value: str) -> float:
    number = float(value)
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise ValueError(f"{value!r} is not between 0 and 1")
    return number


@register
class EpssImporter(Importer):
    name = "epss"
    version = 1
    priority = 10

    def wants(self, path: str) -> bool:
        return path.endswith(".csv") and not path.rsplit("/", 1)[-1].startswith(".")

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:512].lstrip()
        return head.startswith(b"#model_version") or head.lower().startswith(b"cve,epss,percentile")

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        try:
            lines = content.decode("utf-8").splitlines()
        except UnicodeDecodeError:
            raise FeedError("not UTF-8 text") from None
        index = 0
        date = ""
        if lines and lines[0].startswith("#"):
            for field in lines[0].lstrip("#").split(","):
                key, _, value = field.partition(":")
                if key.strip() == "score_date":
                    date = value.strip()[:40]
            index = 1
        if index >= len(lines) or [c.strip().lower() for c in lines[index].split(",")] != HEADER:
            raise FeedError(f"EPSS header {','.join(HEADER)!r} expected on line {index + 1}")
        if not date:
            report.warn(path, "no score_date in the first line; the scores' date is unknown")
        report.date = date
        records: list[Record] = []
        bad = 0
        for number, line in enumerate(lines[index + 1 :], start=index + 2):
            if not line.strip():
                continue
            cells = line.split(",")
            try:
                if len(cells) != 3 or not CVE_ID.match(cells[0].strip()):
                    raise ValueError("expected CVE,score,percentile")
                score, percentile = _probability(cells[1]), _probability(cells[2])
            except ValueError as error:
                bad += 1
                if bad <= MAX_ROW_WARNINGS:
                    report.warn(f"{path}:{number}", f"row skipped ({error})")
                else:
                    report.count("warnings")
                continue
            records.append(EpssScore(cells[0].strip(), score, percentile, date))
        return records
