"""The CI gate: which findings are shown, and whether the scan fails.

``--severity`` chooses the severities shown (and so counted), ``--ignore-unfixed`` hides findings
with no fixed version, suppressed findings (ignore file, VEX) are hidden unless asked for and never
counted. The scan fails (exit ``--exit-code``) when a shown, unsuppressed finding remains; with
``--fail-on-kev`` or ``--epss-threshold`` only findings known exploited or above the EPSS score fail it.
"""

from __future__ import annotations

from dataclasses import dataclass

from seawall.errors import UsageError
from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, Severity

ALL_SEVERITIES = frozenset(Severity)


def parse_severities(text: str | None) -> frozenset[Severity]:
    """``HIGH,CRITICAL`` -> those severities; empty or None -> all of them."""
    if not text:
        return ALL_SEVERITIES
    chosen = set()
    for word in text.split(","):
        word = word.strip().upper()
        if not word:
            continue
        if word not in Severity.__members__:
            raise UsageError(f"unknown severity {word!r}: choose from {', '.join(Severity.__members__)}")
        chosen.add(Severity[word])
    return frozenset(chosen) or ALL_SEVERITIES


@dataclass(frozen=True)
class Gate:
    severities: frozenset[Severity] = ALL_SEVERITIES
    ignore_unfixed: bool = False
    fail_on_kev: bool = False
    epss_threshold: float | None = None

    def shows(self, finding: VulnFinding) -> bool:
        if finding.severity not in self.severities:
            return False
        return not (self.ignore_unfixed and not finding.fixed_versions)

    def shows_check(self, result: CheckResult) -> bool:
        return result.effective_severity in self.severities

    def counts(self, finding: VulnFinding) -> bool:
        """Whether this shown finding fails the gate."""
        if finding.suppressed:
            return False
        if self.fail_on_kev or self.epss_threshold is not None:
            exploited = self.fail_on_kev and finding.known_exploited
            likely = self.epss_threshold is not None and (finding.epss_score or 0.0) >= self.epss_threshold
            return exploited or likely
        return True

    def fails(self, findings: list[VulnFinding], checks: list[CheckResult]) -> bool:
        if any(self.counts(f) for f in findings if self.shows(f)):
            return True
        if self.fail_on_kev or self.epss_threshold is not None:
            return False
        return any(not c.suppressed for c in checks if self.shows_check(c))
