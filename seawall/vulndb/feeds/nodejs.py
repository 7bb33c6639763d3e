"""Node.js security-wg: ``vuln/npm/<n>.json`` (npm packages, frozen in 2020) and ``vuln/core/<n>.json``
(the Node.js runtime).

IDs are the working group's own (``vuln/README.md``): ``NSWG-ECO-<n>`` for an npm advisory and
``NSWG-COR-<n>`` for a core one, ``<n>`` the file's number; their CVEs are aliases. npm advisories go
to namespace ``npm`` (the package ``module_name``); core advisories to namespace ``node``, package
``node`` (the runtime, versioned like ``node --version`` without its ``v``). Versions are one
REQUIREMENTS range in the ``npm`` scheme (node-semver): a version is affected when it satisfies
``vulnerable_versions`` (core: ``vulnerable``) and not ``patched_versions`` (core: ``patched``).
``vuln/deps`` (assessments of dependencies' CVEs) and the ``index.json`` digests are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from packageurl import PackageURL

from seawall.model import Severity
from seawall.versions import InvalidVersion, scheme
from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, register
from seawall.vulndb.feeds.osv import _cvss_rating
from seawall.vulndb.model import (
    Advisory,
    AffectedPackage,
    Range,
    RangeType,
    Rating,
    Record,
    Reference,
    Status,
)
from seawall.vulndb.namespace import normalize_name, scheme_of
from seawall.vulndb.parsing import CVE_ID, load_json, strings, text

SOURCE = "nswg"
NPM = "npm"
RUNTIME = "node"  # namespace and package name of the Node.js runtime
_NUMBER = re.compile(r"^[0-9]{1,9}$")
_NPM_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[A-Za-z0-9._~-][A-Za-z0-9._~-]{0,213}$")
_CWE = re.compile(r"^(CWE-[0-9]{1,6})\b")
# node-semver comparators; the versions of >=, ^, ~, = and bare ones are the lowest a range admits
_COMPARATOR = re.compile(r"(?:(>=|<=|>|<|\^|~>?|=)\s*)?v?(\d+(?:\.(?:\d+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?)")


def _floor(version: str) -> str:
    """The lowest version a partial one stands for: ``1.2`` and ``1.2.x`` -> ``1.2.0``."""
    release, dash, pre = version.partition("-")
    parts: list[str] = []
    for part in release.split("."):
        if part in ("x", "X", "*"):
            break
        parts.append(part)
    return ".".join(parts + ["0"] * (3 - len(parts))) + (dash + pre if len(parts) == 3 else "")


def fixed_versions(patched: str) -> tuple[str, ...]:
    """The lowest version of each ``||`` alternative of a patched range (``^8.1.4 || >= 10.9.0`` ->
    ``8.1.4``, ``10.9.0``); alternatives bounded only from above (``<1.0.0``) name none."""
    npm = scheme(NPM)
    fixed: list[str] = []
    for alternative in patched.split("||"):
        alternative = alternative.split(" - ")[0]  # a hyphen range's lower end
        floors = [
            floor
            for op, version in _COMPARATOR.findall(alternative)
            if op in ("", ">=", "^", "~", "~>", "=") and (floor := _floor(version)) != "0.0.0"
        ]
        if not floors:
            continue
        try:
            fixed.append(max(floors, key=npm.key))
        except InvalidVersion:
            fixed.append(floors[-1])
    return tuple(dict.fromkeys(fixed))


def _checked(requirement: str, field: str) -> str:
    """The range if node-semver syntax reads it; FeedError otherwise."""
    requirement = requirement.strip()
    try:
        scheme(NPM).requirement(requirement)
    except InvalidVersion as error:
        raise FeedError(f"{field}: {error}") from None
    return requirement


def _package(namespace: str, name: str, vulnerable: str, patched: str, **extra: Any) -> AffectedPackage:
    fixed = fixed_versions(patched) if patched else ()
    has_fix = bool(fixed) or ">" in patched or "^" in patched or "~" in patched
    unaffected = (patched,) if patched else ()
    return AffectedPackage(
        namespace=namespace,
        name=name,
        status=Status.FIXED if has_fix else Status.AFFECTED,
        ranges=(Range(RangeType.REQUIREMENTS, scheme_of(NPM), (), (vulnerable,), unaffected),),
        fixed=fixed,
        **extra,
    )


def _cves(value: Any) -> tuple[str, ...]:
    return tuple(c for c in strings(value, 100) if CVE_ID.match(c))


def _cvss(vector: str, score: Any, report: ImportReport, path: str) -> list[Rating]:
    """A rating from a CVSS v3 vector (scored from the vector), else from a bare score."""
    if vector:
        vector = vector if vector.startswith("CVSS:") else f"CVSS:{vector}"
        try:
            return [_cvss_rating(SOURCE, "CVSS_V3", vector)]
        except cvss.CvssError as error:
            report.warn(path, f"cvss vector ignored: {error}")
    raw = text(score, 20).strip()
    try:
        value = float(raw) if raw else -1.0
    except ValueError:
        value = -1.0
    if 0.0 <= value <= 10.0:
        return [Rating(SOURCE, "CVSS_V3", cvss.severity_of(value), "", value)]
    return []


def _npm_advisory(number: str, doc: dict[str, Any], report: ImportReport, path: str) -> Advisory:
    name = text(doc.get("module_name"), 300).strip()
    if not _NPM_NAME.match(name):
        raise FeedError(f"invalid module_name {name[:60]!r}")
    if "id" in doc and text(doc.get("id"), 20).strip() != number:
        raise FeedError(f"id {text(doc.get('id'), 20)!r} differs from the file name")
    vulnerable = text(doc.get("vulnerable_versions"), 1024).strip()
    if not vulnerable:
        raise FeedError("no vulnerable_versions")
    patched = text(doc.get("patched_versions"), 1024).strip()
    scope, _, bare = name.rpartition("/")
    package = _package(
        NPM,
        normalize_name(NPM, name),
        _checked(vulnerable, "vulnerable_versions"),
        _checked(patched, "patched_versions") if patched else "",
        purl=PackageURL(type="npm", namespace=scope or None, name=bare).to_string(),
        notes=text(doc.get("recommendation"), 4000).strip(),
    )
    vector = text(doc.get("cvss_vector"), 200).strip()
    return Advisory(
        id=f"NSWG-ECO-{number}",
        summary=text(doc.get("title"), 1000).strip(),
        details=text(doc.get("overview")).strip(),
        aliases=_cves(doc.get("cves")),
        published=text(doc.get("publish_date"), 40).strip() or text(doc.get("created_at"), 40).strip(),
        modified=text(doc.get("updated_at"), 40).strip(),
        references=tuple(Reference("WEB", u) for u in strings(doc.get("references"), 200)),
        ratings=tuple(_cvss(vector, doc.get("cvss_score"), report, path)),
        affected=(package,),
    )


def _core_advisory(number: str, doc: dict[str, Any], report: ImportReport, path: str) -> Advisory:
    vulnerable = text(doc.get("vulnerable"), 1024).strip()
    if not vulnerable:
        raise FeedError("no vulnerable range")
    patched = text(doc.get("patched"), 1024).strip()
    environments = [e for e in strings(doc.get("affectedEnvironments"), 20) if e != "all"]
    package = _package(
        RUNTIME,
        RUNTIME,
        _checked(vulnerable, "vulnerable"),
        _checked(patched, "patched") if patched else "",
        properties=tuple(sorted(("environment", e) for e in environments)),
    )
    ratings = _cvss(text(doc.get("cvss"), 200).strip(), doc.get("cvss_score"), report, path)
    word = text(doc.get("severity"), 40).strip()
    if Severity.parse(word) is not Severity.UNKNOWN:
        ratings.append(Rating(SOURCE, "vendor", Severity.parse(word), word))
    cwe = _CWE.match(text(doc.get("type"), 200).strip())
    ref = text(doc.get("ref"), 2048).strip()
    return Advisory(
        id=f"NSWG-COR-{number}",
        summary=text(doc.get("description"), 1000).strip(),
        details=text(doc.get("overview")).strip(),
        aliases=_cves(doc.get("cve")),
        published=text(doc.get("publish_date"), 40).strip(),
        references=(Reference("ADVISORY", ref),) if ref else (),
        cwes=(cwe.group(1),) if cwe else (),
        ratings=tuple(ratings),
        affected=(package,),
    )


def _kind(path: str) -> str:
    """``npm`` or ``core`` for ``vuln/npm/<n>.json`` and ``vuln/core/<n>.json``; "" otherwise."""
    parts = path.split("/")
    if len(parts) < 3 or parts[-3] != "vuln" or parts[-2] not in ("npm", "core"):
        return ""
    return parts[-2]


@register
class NodejsImporter(Importer):
    name = "nodejs"
    version = 1
    priority = 30
    max_size = 1024 * 1024  # an advisory is a few KiB

    def wants(self, path: str) -> bool:
        return path.endswith(".json") and not path.endswith("/index.json") and bool(_kind(path))

    def detect(self, path: str, content: bytes) -> bool:
        head = content[:16384]
        return b'"module_name"' in head or (b'"vulnerable"' in head and b'"patched"' in head)

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        number = path.rsplit("/", 1)[-1].removesuffix(".json")
        if not _NUMBER.match(number):
            raise FeedError("not a numbered advisory file")
        doc = load_json(content)
        if not isinstance(doc, dict):
            raise FeedError("not a Node.js security-wg advisory (expected an object)")
        if _kind(path) == "npm":
            return [_npm_advisory(number, doc, report, path)]
        return [_core_advisory(number, doc, report, path)]
