"""What the scan renderers (SARIF, CycloneDX, HTML, JUnit) share: which findings they show and in what
order, where a finding is, its fingerprint, a score for its severity, and links to its advisory.

Scan results carry text from the image (paths, package names) and from advisory feeds (titles,
references): nothing here trusts either. Links are only ever ``http``/``https`` URLs without spaces
or control characters.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, Location, Package, Severity
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult
from seawall.vulndb.cvss import severity_of

SEVERITIES = tuple(sorted(Severity, reverse=True))  # CRITICAL first
# GitHub's security-severity for a severity word (its bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9
# medium, 0.1-3.9 low), used when the finding's CVSS score does not fall in its severity's band.
SEVERITY_SCORE = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
    Severity.UNKNOWN: 0.0,
}
MAX_URL = 2048
# RFC 3986 characters, less the quote: anything else (spaces, quotes, markup, non-ASCII) is refused
_WEB_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+", re.ASCII | re.IGNORECASE)

# Who publishes each kind of advisory ID, and where. OSV-native IDs are read on osv.dev.
_PUBLISHERS = {
    "CVE": ("NVD", "https://nvd.nist.gov/vuln/detail/{}"),
    "GHSA": ("GitHub Advisory Database", "https://github.com/advisories/{}"),
    "DSA": ("Debian Security Tracker", "https://security-tracker.debian.org/tracker/{}"),
    "DLA": ("Debian Security Tracker", "https://security-tracker.debian.org/tracker/{}"),
    "TEMP": ("Debian Security Tracker", "https://security-tracker.debian.org/tracker/{}"),
    "USN": ("Ubuntu Security Notices", "https://ubuntu.com/security/notices/{}"),
    "RHSA": ("Red Hat", "https://access.redhat.com/errata/{}"),
    "RHBA": ("Red Hat", "https://access.redhat.com/errata/{}"),
    "RHEA": ("Red Hat", "https://access.redhat.com/errata/{}"),
    "RUSTSEC": ("RustSec", "https://rustsec.org/advisories/{}.html"),
}
_OSV_PREFIXES = frozenset(
    {"PYSEC", "GO", "OSV", "ALSA", "ALBA", "ALEA", "RLSA", "RLBA", "RLEA", "MAL", "DEBIAN", "UBUNTU", "BIT"}
)
OSV_PAGE = "https://osv.dev/vulnerability/{}"
_ADVISORY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{1,100}", re.ASCII)


def _finding_order(finding: VulnFinding) -> tuple[object, ...]:
    location = primary_location(finding)
    return (
        -finding.severity,
        finding.package.name,
        finding.package.version,
        finding.advisory_id,
        location.path if location else "",
        finding.package.type,
    )


def shown_findings(result: ScanResult, options: ScanRenderOptions) -> list[VulnFinding]:
    """The findings to list, worst first: of the severities shown, suppressed ones only when asked."""
    chosen = (
        f
        for f in result.vulnerabilities
        if f.severity in options.severities and (options.show_suppressed or not f.suppressed)
    )
    return sorted(chosen, key=_finding_order)


def _check_order(check: CheckResult) -> tuple[object, ...]:
    where = check.location
    return (
        -check.effective_severity,
        check.rule.id,
        where.file,
        where.line,
        check.object_name,
        check.message,
    )


def shown_checks(result: ScanResult, options: ScanRenderOptions) -> list[CheckResult]:
    """The check results to list, worst first, chosen as :func:`shown_findings` chooses."""
    chosen = (
        c
        for c in result.checks
        if c.effective_severity in options.severities and (options.show_suppressed or not c.suppressed)
    )
    return sorted(chosen, key=_check_order)


def suppressed_count(result: ScanResult) -> int:
    """How many suppressed items the scan had: the caller's count (it hides them unless asked), or the
    suppressed items listed, whichever is more."""
    listed = sum(1 for f in result.vulnerabilities if f.suppressed) + sum(
        1 for c in result.checks if c.suppressed
    )
    return max(result.suppressed_count, listed)


def primary_location(finding: VulnFinding) -> Location | None:
    """The file that proves the package (its first location), if the inventory knew one."""
    return finding.package.locations[0] if finding.package.locations else None


def package_name(package: Package) -> str:
    """``libssl3``, ``org.apache:batik-anim``: the package as its ecosystem names it."""
    return (
        f"{package.namespace}:{package.name}"
        if package.type == "maven" and package.namespace
        else package.name
    )


def package_label(finding: VulnFinding) -> str:
    """The finding's package as its ecosystem names it (see :func:`package_name`)."""
    return package_name(finding.package)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def finding_fingerprint(finding: VulnFinding) -> str:
    """Stable across scans and upgrades that do not fix it: advisory, package identity (no version)
    and the file that proves the package."""
    package = finding.package
    location = primary_location(finding)
    return _digest(
        "vuln",
        finding.advisory_id,
        package.type,
        package.namespace,
        package.name,
        location.path if location else "",
    )


def check_fingerprint(check: CheckResult) -> str:
    """The check's own fingerprint (secrets carry one), else rule, file, line and object."""
    given = check.properties.get("fingerprint", "")
    if given:
        return given
    where = check.location
    return _digest("check", check.rule.id, where.file, str(where.line), check.object_name)


def security_severity(finding: VulnFinding) -> float:
    """A 0-10 score for the finding's severity: its CVSS score where that agrees with the severity
    (the vendor's word may differ from CVSS and decides), else the middle of the severity's band."""
    score = finding.cvss_score
    if score is not None and 0.0 < score <= 10.0 and severity_of(score) is finding.severity:
        return round(score, 1)
    return SEVERITY_SCORE[finding.severity]


def web_url(text: str) -> str | None:
    """``text`` if it is an http(s) URL safe to put in a link, else None."""
    url = text.strip()
    return url if len(url) <= MAX_URL and _WEB_URL.fullmatch(url) else None


def _prefix(advisory_id: str) -> str:
    return re.split(r"[-:]", advisory_id, maxsplit=1)[0].upper()


def advisory_publisher(advisory_id: str) -> str:
    """Who assigns IDs like this one: ``CVE-...`` -> NVD, ``PYSEC-...`` -> OSV, else the ID's prefix."""
    prefix = _prefix(advisory_id)
    if prefix in _PUBLISHERS:
        return _PUBLISHERS[prefix][0]
    return "OSV" if prefix in _OSV_PREFIXES else prefix


def advisory_page(advisory_id: str) -> str | None:
    """The page of an advisory ID at its publisher (NVD, GitHub, Debian, osv.dev ...), if known."""
    prefix = _prefix(advisory_id)
    page = _PUBLISHERS[prefix][1] if prefix in _PUBLISHERS else OSV_PAGE if prefix in _OSV_PREFIXES else None
    if page is None or not _ADVISORY_ID.fullmatch(advisory_id):
        return None
    return page.format(quote(advisory_id, safe=":"))


def advisory_url(finding: VulnFinding) -> str | None:
    """The advisory's page: its publisher's page for the ID, else its first web reference."""
    return advisory_page(finding.advisory_id) or next(iter(references(finding)), None)


def references(finding: VulnFinding) -> list[str]:
    """The finding's web references, each once, in the feed's order."""
    return list(dict.fromkeys(url for url in map(web_url, finding.references) if url))


def data_source_name(finding: VulnFinding) -> str:
    """The feed that decided it: ``pypi (pypa-advisory-database)`` -> ``pypa-advisory-database``."""
    match = re.search(r"\(([^()]+)\)", finding.data_source)
    return match.group(1).strip() if match else finding.data_source.strip()


def recommendation(finding: VulnFinding) -> str:
    """What to do, in one sentence."""
    name = package_label(finding)
    if finding.fixed_version:
        return f"Upgrade {name} from {finding.installed_version} to {finding.fixed_version} or later."
    words = {
        "will_not_fix": "the vendor will not fix it",
        "fix_deferred": "the vendor has deferred the fix",
        "end_of_life": "the release is past its end of life",
    }
    reason = words.get(finding.status, "no fixed version is known yet")
    return f"No upgrade available for {name} ({reason}); remove the package or mitigate."
