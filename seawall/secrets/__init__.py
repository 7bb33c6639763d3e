"""Secret detection: a rule catalogue (:mod:`.rules`), allow rules (:mod:`.allow`), redaction
(:mod:`.redact`) and the scanner (:mod:`.scanner`), pure functions from a file's bytes to findings."""

# The package imports nothing itself: image analyzers import ``seawall.secrets.allow`` alone, and
# compiling the rules would cost every command's start-up. Import from the modules:
# ``seawall.secrets.rules`` (RULES, RULES_BY_ID, SecretRule, catalogue) and ``seawall.secrets.scanner``
# (scan, scan_text, scan_assignment, SecretScanner, SecretFinding, ScanResult).
