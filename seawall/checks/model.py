"""The vocabulary of hardening checks, shared by the Dockerfile, image and workload rule families.

The classes live in :mod:`seawall.model` (inventory facts carry check results too, e.g. secrets found
in a layer); they are re-exported here for the checks packages.

A :class:`Rule` is catalogue data (stable ID, severity, the text of its documentation page). A check
produces :class:`CheckResult` values pointing at a :class:`SourceLocation`. Checks are pure
functions from a parsed object to results: no I/O, so admission control can reuse them.
"""

from seawall.model import CheckResult, Rule, Severity, SourceLocation

__all__ = ["CheckResult", "Rule", "Severity", "SourceLocation"]
