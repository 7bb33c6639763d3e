"""Secret detection: a rule catalogue (:mod:`.rules`), allow rules (:mod:`.allow`), redaction
(:mod:`.redact`) and the scanner (:mod:`.scanner`), pure functions from a file's bytes to findings."""

from seawall.secrets.rules import RULES, RULES_BY_ID, SecretRule, catalogue
from seawall.secrets.scanner import ScanResult, SecretFinding, SecretScanner, scan, scan_assignment, scan_text

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "ScanResult",
    "SecretFinding",
    "SecretRule",
    "SecretScanner",
    "catalogue",
    "scan",
    "scan_assignment",
    "scan_text",
]
