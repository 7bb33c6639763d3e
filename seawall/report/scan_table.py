"""The scan as a table a human reads in a CI log: summary, findings with their origin, upgrade advice."""

from __future__ import annotations

import re
from collections import Counter

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, ImageInfo, Package, Severity
from seawall.report.scan_options import ScanRenderOptions
from seawall.report.table import aligned, clean
from seawall.scan import ScanResult

SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN]
MAX_INSTRUCTION = 60
# "/bin/sh -c #(nop) COPY ..." (a metadata step) and "RUN /bin/sh -c apt-get ..." (BuildKit) alike
_SHELL_PREFIX = re.compile(r"^(?:RUN )?/bin/sh -c (#\(nop\) )?")
_CONTENT_HASH = re.compile(r"\b(?:dir|file|multi):[0-9a-f]{16,} (?:in )?")  # buildah/docker content hashes


def introduced_by(package: Package, image: ImageInfo) -> str:
    """``#3 COPY site-packages/ /usr/local/...``: the layer that brought the package and its instruction."""
    if not package.locations:
        return ""
    index = image.layer_index(package.locations[0].layer)
    if index is None:
        return ""
    instruction = _instruction(image.layers[index].created_by)
    return f"#{index + 1} {instruction}".rstrip()


def _instruction(created_by: str) -> str:
    text = _SHELL_PREFIX.sub(lambda m: "" if m.group(1) else "RUN ", created_by.strip())
    text = text.removesuffix("# buildkit").strip()
    text = _CONTENT_HASH.sub("", " ".join(text.split()))
    return text if len(text) <= MAX_INSTRUCTION else text[: MAX_INSTRUCTION - 1] + "…"


def summary(counts: Counter[Severity]) -> str:
    return ", ".join(f"{s.name} {counts[s]}" for s in SEVERITY_ORDER if counts[s]) or "none"


def _vulnerability_rows(findings: list[VulnFinding], image: ImageInfo) -> list[list[str]]:
    rows = [["SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED", "STATUS", "INTRODUCED BY"]]
    for f in findings:
        rows.append(
            [
                f.severity.name + (" (suppressed)" if f.suppressed else ""),
                f.advisory_id,
                f.package.name,
                f.installed_version,
                f.fixed_version or "-",
                f.status,
                introduced_by(f.package, image),
            ]
        )
    return rows


def upgrade_advice(findings: list[VulnFinding]) -> list[str]:
    """One line per package: the version that fixes everything fixable, and what it fixes."""
    by_package: dict[tuple[str, str, str], list[VulnFinding]] = {}
    for f in findings:
        if f.fixed_versions and not f.suppressed:
            by_package.setdefault((f.package.type, f.package.name, f.installed_version), []).append(f)
    lines = []
    for (kind, name, installed), group in sorted(by_package.items(), key=lambda kv: -len(kv[1])):
        target = max((f.fixed_version for f in group), key=_version_key(group[0]))
        worst = max(f.severity for f in group)
        lines.append(
            f"{name} ({kind}) {installed} -> {target}: fixes {len(group)} "
            f"(worst {worst.name}; {', '.join(sorted(f.advisory_id for f in group)[:4])}"
            f"{' ...' if len(group) > 4 else ''})"
        )
    return lines


def _version_key(sample: VulnFinding):  # type: ignore[no-untyped-def]
    """A sort key comparing fixed versions in the finding's own scheme (falls back to text)."""
    import functools

    from seawall.match.targets import LANGUAGE_NAMESPACES
    from seawall.versions import InvalidVersion, scheme
    from seawall.vulndb.namespace import scheme_of

    namespace = LANGUAGE_NAMESPACES.get(sample.package.type) or {"deb": "debian", "apk": "alpine"}.get(
        sample.package.type, "almalinux"
    )
    try:
        chosen = scheme(scheme_of(namespace))
    except KeyError:
        return str

    def compare(a: str, b: str) -> int:
        try:
            return chosen.compare(a, b)
        except InvalidVersion:
            return (a > b) - (a < b)

    return functools.cmp_to_key(compare)


def _check_rows(checks: list[CheckResult]) -> list[list[str]]:
    rows = [["SEVERITY", "ID", "WHERE", "MESSAGE"]]
    for c in checks:
        where = c.location.file + (f":{c.location.line}" if c.location.line else "")
        rows.append(
            [
                c.effective_severity.name + (" (suppressed)" if c.suppressed else ""),
                c.rule.id,
                where,
                c.message,
            ]
        )
    return rows


def render_scan(result: ScanResult, options: ScanRenderOptions) -> str:
    """``result`` holds the findings the gate shows (suppressed ones only when asked for)."""
    shown, checks = result.vulnerabilities, result.checks
    inventory = result.inventory
    image = inventory.image
    os_text = f"{inventory.os.family} {inventory.os.version}".strip() if inventory.os else "unknown OS"
    out = [
        clean(
            f"{image.reference} ({os_text}, {len(image.layers)} layers, {len(inventory.packages)} packages)"
        )
    ]
    if "vuln" in result.scanners:
        built = result.db_metadata.get("built_at", "?")
        out.append(f"Vulnerability DB: built {built}; {result.packages_checked} packages checked")
        counts = Counter(f.severity for f in shown if not f.suppressed)
        suppressed = result.suppressed_count
        out.append(
            f"Vulnerabilities: {sum(counts.values())} ({summary(counts)})"
            + (f"; {suppressed} suppressed" if suppressed else "")
        )
        if shown:
            out += ["", aligned([[clean(c) for c in row] for row in _vulnerability_rows(shown, image)])]
            advice = upgrade_advice(shown)
            if advice:
                out += ["", "Upgrade advice:"] + [clean("  " + line) for line in advice]
    if {"config", "secret"} & set(result.scanners) or checks:
        counts = Counter(c.effective_severity for c in checks if not c.suppressed)
        out += [
            "",
            f"Checks ({', '.join(s for s in result.scanners if s != 'vuln') or 'OS end of life'}): "
            f"{sum(counts.values())} ({summary(counts)})",
        ]
        if checks:
            out += ["", aligned([[clean(c) for c in row] for row in _check_rows(checks)])]
    hidden: list[VulnFinding | CheckResult] = [f for f in result.vulnerabilities if f.suppressed]
    hidden += [c for c in result.checks if c.suppressed]
    if hidden:
        out += ["", "Suppressed:"]
        for item in hidden:
            ident, why = (
                (item.advisory_id, item.suppression)
                if isinstance(item, VulnFinding)
                else (item.rule.id, item.suppression_reason)
            )
            out.append(clean(f"  {ident}: {why}"))
    if result.notes:
        out += ["", "Notes:"] + [clean("  " + note) for note in result.notes[:20]]
    return "\n".join(out) + "\n"
