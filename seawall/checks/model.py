"""The vocabulary of hardening checks, shared by the Dockerfile, image and workload rule families.

A :class:`Rule` is catalogue data (stable ID, severity, the text of its documentation page). A check
produces :class:`CheckResult` values pointing at a :class:`SourceLocation`. Checks are pure
functions from a parsed object to results: no I/O, so admission control can reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seawall.model import Severity


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue. ``id`` is stable forever (``SW-DF-001`` style: family + number)."""

    id: str
    title: str
    severity: Severity
    family: str  # "dockerfile", "image", "kubernetes", "compose", "oci-runtime", "docker-run", "secret"
    rationale: str
    fix: str
    bad_example: str = ""
    good_example: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # e.g. ("pss:baseline",), ("pss:restricted",), ("cis-docker:4.1",)


@dataclass(frozen=True)
class SourceLocation:
    """Where a result points: a file (and line/column, 1-based, 0 when unknown), or a path in an image."""

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    layer: str = ""  # for results inside an image: the diff_id of the layer


@dataclass(frozen=True)
class CheckResult:
    """One rule failing at one place. ``message`` is specific ("USER is root in stage 'final'")."""

    rule: Rule
    message: str
    location: SourceLocation
    severity: Severity | None = None  # overrides rule.severity (config file); None: the rule's
    object_name: str = ""  # e.g. "Deployment/web container app", "stage build"
    suppressed: bool = False
    suppression_reason: str = ""
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def effective_severity(self) -> Severity:
        return self.severity if self.severity is not None else self.rule.severity
