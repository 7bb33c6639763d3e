"""The HTML scan report: escaping of hostile content, a policy that allows no request, reproducible bytes,
and a real browser (Debian's headless Chromium) that runs the page's sort and filter script, records no
request from the page in its network log, and takes a screenshot."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from seawall.model import Severity
from seawall.report.scan_formats import render_scan
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult
from tests.report import scans

SHOW_ALL = ScanRenderOptions(show_suppressed=True, timestamp="2026-01-02T03:04:05Z")


def page(result: ScanResult, options: ScanRenderOptions = SHOW_ALL) -> str:
    return render_scan(result, "html", options)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of every <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.raw else None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.raw[self._open].append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


def test_hostile_values_are_escaped() -> None:
    text = page(scans.full())
    assert scans.HOSTILE_NAME not in text
    assert "<img" not in text and "</script><script>" not in text
    assert html.escape(scans.HOSTILE_NAME) in text
    assert html.escape(scans.HOSTILE_TITLE) in text
    elements = parse(text)
    assert [tag for tag, _ in elements.tags].count("script") == 1  # only the page's own
    assert not [attrs for _, attrs in elements.tags if any(name.startswith("on") for name in attrs)]
    text.encode("utf-8")  # undecodable bytes from tar names were replaced


def test_control_and_direction_characters_are_replaced() -> None:
    sneaky = replace(scans.URLLIB3_REDOS, title="safe\u202etxt.exe\x1b[31m")
    text = page(replace(scans.full(), vulnerabilities=[sneaky]))
    assert "\u202e" not in text and "\x1b" not in text and "safe\ufffdtxt.exe\ufffd[31m" in text


def test_the_policy_allows_nothing_but_the_pages_own_style_and_script() -> None:
    text = page(scans.full())
    elements = parse(text)
    (policy,) = [a["content"] for tag, a in elements.tags if tag == "meta" and a.get("http-equiv")]
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    for tag in ("script", "style"):
        (body,) = elements.raw[tag]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert directives[f"{tag}-src"] == f"'sha256-{digest}'"


def test_no_resource_is_loaded_from_anywhere() -> None:
    elements = parse(page(scans.full()))
    for tag, attrs in elements.tags:
        assert "src" not in attrs and tag not in {"link", "iframe", "object", "embed", "img", "base", "form"}
        if "href" in attrs:  # only links a reader may follow, to web pages
            assert tag == "a" and re.match(r"https?://", attrs["href"] or ""), attrs
    for style in elements.raw["style"]:
        assert "url(" not in style and "@import" not in style
    for script in elements.raw["script"]:
        assert not re.search(r"fetch|XMLHttpRequest|WebSocket|EventSource|import\(|sendBeacon|src", script)
    hrefs = [a["href"] for tag, a in elements.tags if tag == "a"]
    assert "https://osv.dev/vulnerability/PYSEC-2021-108" in hrefs
    assert not any("javascript" in (h or "") for h in hrefs)


def test_summary_counts_and_chart() -> None:
    elements = parse(page(scans.full()))
    bars = [a for tag, a in elements.tags if tag == "rect" and "bar" in (a.get("class") or "")]
    vulnerability_bars = {(a["class"] or "").split("sev-")[1]: a["data-count"] for a in bars[:5]}
    # unsuppressed: log4j CRITICAL; DSA-5343-1, PYSEC-2021-108, GO-2021-0113 HIGH; the hostile LOW
    assert vulnerability_bars == {"CRITICAL": "1", "HIGH": "3", "MEDIUM": "0", "LOW": "1", "UNKNOWN": "0"}
    widths = {(a["class"] or "").split("sev-")[1]: int(a["width"] or 0) for a in bars[:5]}
    assert widths["HIGH"] > widths["CRITICAL"] > widths["MEDIUM"] == 0


def test_tables_list_what_is_shown() -> None:
    text = page(scans.full())
    rows = re.findall(r'<tr data-severity="(\w+)"( class="suppressed")?>', text)
    assert len(rows) == len(scans.FINDINGS) + 3  # and three check results
    assert rows[0] == ("CRITICAL", "")
    assert ("MEDIUM", ' class="suppressed"') in rows
    assert "vulnerable_code_not_in_execute_path" in text  # the suppression's reason
    assert "#3 COPY app /app" in text and "1.26.5" in text and "pypi (pypa-advisory-database)" in text
    filtered = page(
        scans.full(show_suppressed=False), ScanRenderOptions(severities=frozenset({Severity.CRITICAL}))
    )
    assert re.findall(r'<tr data-severity="(\w+)"', filtered) == ["CRITICAL"]
    assert "2</strong> suppressed (not listed" in filtered


def test_empty_scan() -> None:
    text = page(scans.empty())
    assert "No vulnerabilities." in text and "No check results." in text


def test_reproducible() -> None:
    assert page(scans.full()) == page(scans.full())
    assert "2026-01-02T03:04:05Z" in page(scans.full())
    assert "2024-03-05T10:11:12Z" in page(scans.full(), ScanRenderOptions())  # the image's creation time


CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # nothing leaves the machine, whatever the browser itself wants to fetch
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def chromium(tmp_path: Path, url: str, *extra: str) -> tuple[str, list[dict[str, str]]]:
    """The DOM after the page's scripts ran, and the requests the network log saw (url, initiator)."""
    assert CHROMIUM is not None
    profile, netlog = tmp_path / "profile", tmp_path / "netlog.json"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    log = json.loads(netlog.read_text())
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    requests = [
        {"url": event["params"]["url"], "initiator": event["params"].get("initiator", "")}
        for event in log["events"]
        if names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in event.get("params", {})
    ]
    return done.stdout, requests


def page_requests(requests: list[dict[str, str]]) -> list[str]:
    """Requests made for a page (the browser's own carry the initiator "not an origin")."""
    return [
        r["url"] for r in requests if r["initiator"] != "not an origin" and not r["url"].startswith("file:")
    ]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_in_a_real_browser(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(page(scans.full()), encoding="utf-8")
    url = report.as_uri()

    dom, requests = chromium(tmp_path, url + "#q=urllib3", "--virtual-time-budget=2000", "--dump-dom")
    assert 'data-ready="true"' in dom  # the script ran to its end
    vulns = re.search(r'<section id="vulnerabilities"[^>]*>.*?</section>', dom, re.DOTALL)
    assert vulns is not None and 'data-shown="1"' in vulns.group(0)
    visible = re.findall(
        r'<tr data-severity="\w+"(?: class="suppressed")? data-index="\d+">(.*?)</tr>', vulns.group(0)
    )
    assert len(visible) == 1 and "urllib3" in visible[0]
    assert page_requests(requests) == []

    dom, _ = chromium(
        tmp_path, url + "#sort=package&severity=HIGH", "--virtual-time-budget=2000", "--dump-dom"
    )
    vulns = re.search(r'<section id="vulnerabilities"[^>]*>.*?</section>', dom, re.DOTALL)
    assert vulns is not None and 'data-shown="3"' in vulns.group(0)
    rows = re.findall(r'<tr data-severity="HIGH" data-index="\d+">(.*?)</tr>', vulns.group(0))
    shown = [re.findall(r'data-sort="([^"]*)"', row)[1] for row in rows]  # severity, package, layer
    assert shown == sorted(shown, key=str.lower) == ["golang.org/x/text", "libssl1.1", "urllib3"]
    assert 'data-key="package" aria-sort="ascending"' in vulns.group(0)

    screenshot = tmp_path / "report.png"
    chromium(tmp_path, url, f"--screenshot={screenshot}", "--window-size=1280,900")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_network_log_does_see_a_page_request(tmp_path: Path) -> None:
    """The control for the check above: a page that loads an image shows up (.invalid never resolves)."""
    control = tmp_path / "control.html"
    control.write_text('<img src="http://seawall-control.invalid/x.png">')
    _, requests = chromium(tmp_path, control.as_uri(), "--virtual-time-budget=1000", "--dump-dom")
    assert page_requests(requests) == ["http://seawall-control.invalid/x.png"]
