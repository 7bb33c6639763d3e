"""A scan as one self-contained HTML page (``templates/scan.html``): no network, inline CSS and JS.

The page holds a summary by severity with an inline SVG bar chart, upgrade advice, and two tables,
vulnerabilities and check results, that sort by any column and filter by text and severity
(``#q=openssl&severity=HIGH,CRITICAL&sort=package&order=desc`` in the URL presets them). Rows are
rendered here, so the page reads the same without JavaScript.

Image content and feed text are hostile: every value is HTML-escaped, undecodable bytes, control and
bidirectional-override characters are replaced, links are only ``http(s)`` URLs, and a
Content-Security-Policy allows nothing but the page's own style and script (by hash): no request
can leave the page, and no injected script could run. The same result renders the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

from seawall.match.finding import VulnFinding
from seawall.model import CheckResult, ImageInfo, Severity
from seawall.report import document_time
from seawall.report.scan_common import (
    SEVERITIES,
    advisory_url,
    package_label,
    primary_location,
    shown_checks,
    shown_findings,
    suppressed_count,
)
from seawall.report.scan_options import ScanRenderOptions
from seawall.report.scan_table import introduced_by, upgrade_advice
from seawall.scan import ScanResult

TEMPLATE = "scan.html"
MAX_CELL = 2000  # characters of one value shown (titles, messages, descriptions)
BAR_WIDTH = 180
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@cache
def _template() -> str:
    return resources.files("seawall.report").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")


def _csp_hash(template: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", template, re.DOTALL)
    if match is None:
        raise RuntimeError(f"the scan template has no <{tag}>")
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(template: str) -> str:
    """Nothing but this page's own style and script, by hash."""
    return (
        f"default-src 'none'; style-src {_csp_hash(template, 'style')}; "
        f"script-src {_csp_hash(template, 'script')}; img-src data:; base-uri 'none'; form-action 'none'"
    )


def text(value: object, limit: int = MAX_CELL) -> str:
    """``value`` as escaped HTML text: valid Unicode, no control or direction-override characters."""
    clean = str(value).encode("utf-8", "replace").decode("utf-8")
    clean = _UNSAFE.sub("\ufffd", clean)
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return html.escape(clean, quote=True)


def _link(url: str | None, label: str) -> str:
    if not url:
        return text(label)
    return f'<a href="{text(url)}" rel="noopener noreferrer">{text(label)}</a>'


def _badge(severity: Severity) -> str:
    return f'<span class="badge sev-{severity.name}">{severity.name}</span>'


def _layer_cell(image: ImageInfo, layer: str, origin: str) -> str:
    index = image.layer_index(layer) if layer else None
    if index is None:
        return '<td data-sort="-1"></td>'
    full = image.layers[index].created_by.strip()
    return f'<td data-sort="{index}" title="{text(full, 500)}" class="mono layer">{text(origin)}</td>'


def _short_digest(value: str) -> str:
    """``sha256:0123456789ab…``: digests shortened for reading (the full one is the cell's title)."""
    return value[:19] + "…" if re.fullmatch(r"sha(256|512):[0-9a-f]{64,128}", value) else value


def _meta(result: ScanResult, options: ScanRenderOptions, generated: str) -> str:
    inventory = result.inventory
    image = inventory.image
    items = [
        ("Manifest digest", image.manifest_digest),
        ("Config digest", image.config_digest if not image.manifest_digest else ""),
        ("Platform", "/".join(p for p in (image.os, image.architecture, image.variant) if p)),
        (
            "Operating system",
            f"{inventory.os.family} {inventory.os.version}".strip() if inventory.os else "unknown",
        ),
        ("Layers", str(len(image.layers))),
        ("Packages", str(len(inventory.packages))),
        ("Scanners", ", ".join(result.scanners)),
        ("Vulnerability DB built", result.db_metadata.get("built_at", "")),
        ("Severities shown", ", ".join(s.name for s in SEVERITIES if s in options.severities)),
        ("Generated", generated),
    ]
    cells = "".join(
        f'<div><dt>{text(k)}</dt><dd title="{text(v)}">{text(_short_digest(v))}</dd></div>'
        for k, v in items
        if v
    )
    return (
        '<header class="report"><div class="inner"><h1>Seawall scan report</h1>'
        f'<div class="target">{text(image.reference)}</div><dl class="meta">{cells}</dl></div></header>'
    )


def bar_chart(counts: Counter[Severity], caption: str) -> str:
    """A horizontal bar per severity, as inline SVG (no script, no external resource)."""
    top = max([*counts.values(), 1])
    row, label_width, height = 26, 84, 26 * len(SEVERITIES)
    total_width = label_width + BAR_WIDTH + 50
    parts = [
        f'<figure class="chart"><figcaption>{text(caption)}</figcaption>'
        f'<svg class="bars" role="img" aria-label="{text(caption)}" width="{total_width}" height="{height}" '
        f'viewBox="0 0 {total_width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for position, severity in enumerate(SEVERITIES):
        y = position * row
        width = round(BAR_WIDTH * counts[severity] / top)
        parts.append(
            f'<text x="0" y="{y + 17}">{severity.name}</text>'
            f'<rect class="track" x="{label_width}" y="{y + 5}" width="{BAR_WIDTH}" height="16" rx="3"/>'
            f'<rect class="bar sev-{severity.name}" x="{label_width}" y="{y + 5}" width="{width}" '
            f'height="16" rx="3" data-count="{counts[severity]}"/>'
            f'<text x="{label_width + BAR_WIDTH + 8}" y="{y + 17}">{counts[severity]}</text>'
        )
    parts.append("</svg></figure>")
    return "".join(parts)


def _summary(result: ScanResult, findings: list[VulnFinding], checks: list[CheckResult]) -> str:
    active = [f for f in findings if not f.suppressed]
    counts = Counter(f.severity for f in active)
    cards = "".join(
        f'<div class="card sev-{s.name}"><div class="n">{counts[s]}</div>'
        f'<div class="label">{s.name}</div></div>'
        for s in SEVERITIES
    )
    listed = sum(1 for f in findings if f.suppressed) + sum(1 for c in checks if c.suppressed)
    suppressed = suppressed_count(result)
    fixable = sum(1 for f in active if f.fixed_versions)
    kev = sum(1 for f in active if f.known_exploited)
    active_checks = [c for c in checks if not c.suppressed]
    facts = [
        f"<strong>{len(active)}</strong> vulnerabilities" if "vuln" in result.scanners else "",
        f"<strong>{fixable}</strong> with a fix" if "vuln" in result.scanners else "",
        f"<strong>{kev}</strong> known exploited" if kev else "",
        f"<strong>{len(active_checks)}</strong> check results"
        if {"config", "secret"} & set(result.scanners)
        else "",
        f"<strong>{suppressed}</strong> suppressed"
        + ("" if listed >= suppressed else " (not listed: --show-suppressed lists them)")
        if suppressed
        else "",
        f"<strong>{result.packages_checked}</strong> packages checked" if "vuln" in result.scanners else "",
    ]
    charts = bar_chart(counts, "Vulnerabilities by severity") if "vuln" in result.scanners else ""
    if {"config", "secret"} & set(result.scanners):
        charts += bar_chart(Counter(c.effective_severity for c in active_checks), "Check results by severity")
    fact_items = "".join(f"<li>{fact}</li>" for fact in facts if fact)
    return (
        '<section id="summary"><h2>Summary</h2><div class="summary">'
        f'<div><div class="cards">{cards}</div><ul class="facts">{fact_items}</ul></div>'
        f'<div class="charts">{charts}</div></div></section>'
    )


def _controls(label: str, severities: Iterable[Severity]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" data-severity="{s.name}" checked> {_badge(s)}</label>'
        for s in severities
    )
    return (
        f'<div class="controls"><input type="search" placeholder="Filter {text(label)}…" '
        f'aria-label="Filter {text(label)}">{boxes}<span class="shown" aria-live="polite"></span></div>'
    )


def _header(columns: list[tuple[str, str, str]]) -> str:
    cells = []
    for key, title, kind in columns:
        typed = f' data-type="{kind}"' if kind else ""
        cells.append(f'<th data-key="{key}"{typed}><button type="button">{text(title)}</button></th>')
    return f"<thead><tr>{''.join(cells)}</tr></thead>"


VULN_COLUMNS = [
    ("severity", "Severity", "number"),
    ("id", "ID", ""),
    ("package", "Package", ""),
    ("installed", "Installed", ""),
    ("fixed", "Fixed", ""),
    ("status", "Status", ""),
    ("layer", "Introduced by", "number"),
    ("source", "Data source", ""),
]
CHECK_COLUMNS = [
    ("severity", "Severity", "number"),
    ("id", "Rule", ""),
    ("location", "Location", ""),
    ("message", "Message", ""),
    ("status", "Status", ""),
]


def _status(suppressed: bool, reason: str, status: str = "") -> str:
    if suppressed:
        return f'<span class="badge muted">suppressed</span><div class="sub">{text(reason)}</div>'
    return text(status)


def _vuln_row(finding: VulnFinding, image: ImageInfo) -> str:
    location = primary_location(finding)
    severity = finding.severity
    kev = (
        ' <span class="badge kev" title="CISA known exploited">KEV</span>' if finding.known_exploited else ""
    )
    score = f'<div class="sub">CVSS {finding.cvss_score:.1f}</div>' if finding.cvss_score is not None else ""
    title = f'<div class="sub">{text(finding.title)}</div>' if finding.title else ""
    aliases = ", ".join(finding.aliases[:6])
    alias_line = f'<div class="sub">{text(aliases)}</div>' if aliases else ""
    path = f'<div class="sub mono">{text(location.path)}</div>' if location else ""
    fixed = ", ".join(finding.fixed_versions)
    fixed_cell = (
        f'<td class="version fixed">{text(fixed)}</td>'
        if fixed
        else '<td class="version fixed none">none</td>'
    )
    classes = ' class="suppressed"' if finding.suppressed else ""
    return (
        f'<tr data-severity="{severity.name}"{classes}>'
        f'<td data-sort="{int(severity)}">{_badge(severity)}{kev}{score}</td>'
        f'<td class="id">{_link(advisory_url(finding), finding.advisory_id)}{title}{alias_line}</td>'
        f'<td class="pkg" data-sort="{text(package_label(finding))}">{text(package_label(finding))}'
        f'<div class="sub">{text(finding.package.type)}</div>{path}</td>'
        f'<td class="version">{text(finding.installed_version)}</td>{fixed_cell}'
        f'<td class="status">{_status(finding.suppressed, finding.suppression, finding.status)}</td>'
        f"{_layer_cell(image, location.layer if location else '', introduced_by(finding.package, image))}"
        f'<td class="source">{text(finding.data_source)}<div class="sub">{text(finding.rule)}</div></td></tr>'
    )


def _check_row(check: CheckResult, image: ImageInfo) -> str:
    severity = check.effective_severity
    where = check.location
    place = where.file + (f":{where.line}" if where.line else "")
    index = image.layer_index(where.layer) if where.layer else None
    layer = f'<div class="sub">layer #{index + 1}</div>' if index is not None else ""
    obj = f'<div class="sub">{text(check.object_name)}</div>' if check.object_name else ""
    classes = ' class="suppressed"' if check.suppressed else ""
    return (
        f'<tr data-severity="{severity.name}"{classes}>'
        f'<td data-sort="{int(severity)}">{_badge(severity)}</td>'
        f'<td class="mono rule">{text(check.rule.id)}<div class="sub">{text(check.rule.title)}</div></td>'
        f'<td class="mono">{text(place)}{layer}</td>'
        f'<td class="message">{text(check.message)}{obj}'
        f'<div class="sub">Fix: {text(check.rule.fix, 400)}</div></td>'
        f'<td class="status">{_status(check.suppressed, check.suppression_reason)}</td></tr>'
    )


def _table_section(
    section_id: str,
    title: str,
    columns: list[tuple[str, str, str]],
    rows: list[str],
    options: ScanRenderOptions,
    empty: str,
) -> str:
    heading = f'<h2>{text(title)}<span class="count">{len(rows)}</span></h2>'
    if not rows:
        return f'<section id="{section_id}">{heading}<p class="empty">{text(empty)}</p></section>'
    severities = [s for s in SEVERITIES if s in options.severities]
    return (
        f'<section id="{section_id}" data-table="{section_id}">{heading}'
        f"{_controls(title.lower(), severities)}"
        f'<div class="table-wrap"><table>{_header(columns)}<tbody>{"".join(rows)}</tbody></table></div>'
        "</section>"
    )


def _advice(findings: list[VulnFinding]) -> str:
    lines = upgrade_advice(findings)
    if not lines:
        return ""
    items = "".join(f"<li>{text(line)}</li>" for line in lines[:200])
    return f'<section id="advice"><h2>Upgrade advice</h2><ul class="plain mono">{items}</ul></section>'


def _notes(result: ScanResult) -> str:
    notes = result.notes[:200]
    if not notes:
        return ""
    items = "".join(f"<li>{text(note)}</li>" for note in notes)
    more = (
        f"<p class='sub'>and {len(result.notes) - len(notes)} more</p>"
        if len(result.notes) > len(notes)
        else ""
    )
    return f'<section id="notes"><h2>Not judged</h2><ul class="plain">{items}</ul>{more}</section>'


def render_scan(result: ScanResult, options: ScanRenderOptions) -> str:
    template = _template()
    image = result.inventory.image
    generated = document_time(result.inventory, options.render_options())
    findings = shown_findings(result, options)
    checks = shown_checks(result, options)
    body = [_meta(result, options, generated), "<main>", _summary(result, findings, checks)]
    if "vuln" in result.scanners:
        body.append(_advice(findings))
        rows = [_vuln_row(finding, image) for finding in findings]
        body.append(
            _table_section(
                "vulnerabilities", "Vulnerabilities", VULN_COLUMNS, rows, options, "No vulnerabilities."
            )
        )
    if {"config", "secret"} & set(result.scanners):
        rows = [_check_row(check, image) for check in checks]
        body.append(
            _table_section("checks", "Check results", CHECK_COLUMNS, rows, options, "No check results.")
        )
    body.append(_notes(result))
    body.append(
        f"</main><footer>Generated by {text(options.tool_name)} {text(options.tool_version)} "
        f"at {text(generated)}.</footer>"
    )
    values = {
        "csp": content_security_policy(template),
        "generator": text(f"{options.tool_name} {options.tool_version}"),
        "title": text(f"Seawall scan: {image.reference}", 300),
        "content": "\n".join(part for part in body if part),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
