"""Red Hat's CSAF 2.0 documents: VEX files (one per CVE, ``csaf/v2/vex/YYYY/cve-*.json``) and advisory
files (one per RHSA, ``csaf/v2/advisories/YYYY/rhsa-*.json``), loose or in their ``.tar.zst`` archives.

Both describe packages through the ``product_tree``: a ``relationships`` entry names a full product
ID ``<platform>:<component>``; the platform is a ``product_name`` branch whose CPE says the RHEL
stream, the component a ``product_version`` branch whose purl (or NEVRA name) says the RPM::

    cpe:/o:redhat:enterprise_linux:9::baseos     -> rhel:9
    cpe:/a:redhat:enterprise_linux:8::appstream  -> rhel:8
    cpe:/o:redhat:rhel_eus:8.6::baseos           -> rhel:8.6+eus  (likewise +aus, +tus, +e4s, +els)
    pkg:rpm/redhat/bind@9.8.2-0.68.rc1.el6_10.17?arch=src&epoch=32  -> bind, fixed in 32:9.8.2-...

Other platforms (layered products, software collections) and non-RPM components are skipped and
counted. ``vulnerabilities[].product_status`` gives each product's state:

===========================================  ===============================================
fixed                                        fixed, range ``introduced 0, fixed EVR``
known_affected, ``none_available`` Affected  affected (range ``introduced 0``)
known_affected, ``none_available`` Deferred  fix_deferred
known_affected, ``no_fix_planned``           will_not_fix; ``Out of support scope``: end_of_life
known_not_affected                           not_affected (the ``flags`` justification as notes)
under_investigation                          under_investigation
===========================================  ===============================================

A VEX file becomes one Advisory with its CVE as ID and every state; an advisory file one Advisory
with its RHSA ID, its CVEs as ``related``, and the packages it fixes. Entries are named by source RPM
(``arch=src`` and the versionless components of unfixed products) and marked so
(:data:`.debian_tracker.SOURCE_PACKAGE`); a binary RPM fixed at the same EVR as a source RPM of the
same stream folds into it, other binary RPMs stay entries of their own marked
:data:`.debian_tracker.BINARY_PACKAGE`. Modular packages carry their module stream as the property
``rpm:module`` (``ruby:2.7``, from the purl's ``rpmmod`` or the product ID), so that matching can
require the installed package's stream. Fixed versions are ``[epoch:]version-release``. The Red Hat
impact (``threats``, the document's ``aggregate_severity``) is the vendor severity, per product when
``threats`` name products; ``scores`` give CVSS ratings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from packageurl import PackageURL

from seawall.model import Severity
from seawall.versions import scheme
from seawall.vulndb import cvss
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import Importer, ImportReport, MiB, register
from seawall.vulndb.feeds.debian_tracker import (
    BINARY_PACKAGE,
    SOURCE_PACKAGE,
    fixed_range,
    open_range,
    valid_version,
)
from seawall.vulndb.model import Advisory, AffectedPackage, Rating, Record, Reference, Status
from seawall.vulndb.parsing import CVE_ID, items, load_json, mapping, text

MAX_PRODUCTS = 200_000  # product tree entries and status references of one document
MAX_DEPTH = 12
_DOC_ID = re.compile(r"^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9:._-]{0,60}$")
_CPE = re.compile(r"^cpe:/[aoh]:redhat:(?P<product>[a-z0-9_]+):(?P<version>[0-9][0-9.]*)(?::|$)")
_STREAMS = {"rhel_eus": "eus", "rhel_aus": "aus", "rhel_tus": "tus", "rhel_e4s": "e4s", "rhel_els": "els"}
_NEVRA = re.compile(
    r"^(?P<name>[A-Za-z0-9_.+-]+?)-(?:(?P<epoch>\d+):)?(?P<version>[^-:\s]+)-(?P<release>[^-:\s]+)"
    r"\.(?P<arch>[A-Za-z0-9_]+)$"
)
_MODULE_SUFFIX = re.compile(r"(?:::|\.rpm-)(?P<module>[A-Za-z0-9_.+-]+:[A-Za-z0-9_.+-]+)$")
_MODULE_PREFIX = re.compile(r"^(?P<module>[A-Za-z0-9_.+-]+:[A-Za-z0-9_.+-]+)/(?P<name>[A-Za-z0-9_.+-]+)$")
_RPM_NAME = re.compile(r"^[A-Za-z0-9_.+-]{1,200}$")
_ERRATA = re.compile(r"\bRH[SBE]A-\d{4}:\d{1,7}\b")
_STATES = {
    "fixed": Status.FIXED,
    "known_affected": Status.AFFECTED,
    "known_not_affected": Status.NOT_AFFECTED,
    "under_investigation": Status.UNDER_INVESTIGATION,
}
_OPEN = (Status.AFFECTED, Status.WILL_NOT_FIX, Status.FIX_DEFERRED, Status.END_OF_LIFE)


def rhel_namespace(cpe: str) -> str | None:
    """The namespace of a Red Hat platform CPE: ``rhel:9``, ``rhel:8.6+eus``; None for other products."""
    match = _CPE.match(cpe.strip())
    if match is None:
        return None
    product, version = match["product"], match["version"].strip(".")
    if product == "enterprise_linux":
        return f"rhel:{version.split('.')[0]}"
    if product in _STREAMS:
        return f"rhel:{version}+{_STREAMS[product]}"
    return None


@dataclass(frozen=True)
class Component:
    """An RPM as a product tree names it: version is ``[epoch:]version-release``, empty when unfixed."""

    name: str
    version: str = ""
    arch: str = ""
    module: str = ""

    @property
    def source(self) -> bool:
        """A source RPM: ``arch=src``, or a component named without arch (an unfixed one in VEX)."""
        return self.arch in ("src", "nosrc") or not self.arch


def _module_of(product_id: str) -> str:
    match = _MODULE_SUFFIX.search(product_id) or _MODULE_PREFIX.match(product_id)
    return match["module"] if match else ""


def component_of(name: str, purl: str, product_id: str) -> Component | str:
    """The RPM of a ``product_version`` branch (its ``name``, purl and ID), or why there is none
    (``non-rpm``, or a reason). Without a purl, the name (or ID) is read as a NEVRA or a bare name."""
    name = name or product_id
    if purl:
        try:
            parsed = PackageURL.from_string(purl)
        except ValueError as error:
            return f"invalid purl {purl[:80]!r} ({str(error)[:80]})"
        if parsed.type != "rpm":
            return "non-rpm"
        qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
        epoch = str(qualifiers.get("epoch", "") or "")
        version = str(parsed.version or "")
        if version and epoch and epoch != "0":
            version = f"{epoch}:{version}"
        rpmmod = str(qualifiers.get("rpmmod", "") or "")
        module = ":".join(rpmmod.split(":")[:2]) if rpmmod.count(":") >= 1 else _module_of(product_id)
        component = Component(str(parsed.name), version, str(qualifiers.get("arch", "") or ""), module)
    else:
        prefixed = _MODULE_PREFIX.match(name)
        bare = prefixed["name"] if prefixed else _MODULE_SUFFIX.sub("", name)
        nevra = _NEVRA.match(bare)
        if nevra is not None:
            epoch = nevra["epoch"] or ""
            version = f"{nevra['version']}-{nevra['release']}"
            version = f"{epoch}:{version}" if epoch and epoch != "0" else version
            component = Component(nevra["name"], version, nevra["arch"], _module_of(product_id))
        else:
            component = Component(bare, "", "", _module_of(product_id))
    if not _RPM_NAME.match(component.name):
        return f"{component.name[:60]!r} is not an RPM name"
    if component.version and not valid_version("rpm", component.version):
        return f"invalid version {component.version[:60]!r}"
    return component


@dataclass
class _Tree:
    """The product tree: leaf products by ID (their CPE or purl) and relationships by full product ID."""

    products: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (name, cpe, purl)
    relations: dict[str, tuple[str, str]] = field(default_factory=dict)  # full id -> (component, platform)


def _tree(doc: dict[str, Any]) -> _Tree:
    tree = _Tree()
    raw = mapping(doc.get("product_tree"))
    stack: list[tuple[Any, int]] = [(branch, 0) for branch in items(raw.get("branches"), MAX_PRODUCTS)]
    seen = 0
    while stack:
        branch, depth = stack.pop()
        seen += 1
        if seen > MAX_PRODUCTS or depth > MAX_DEPTH:
            raise FeedError("product tree too large or too deep")
        branch = mapping(branch)
        product = mapping(branch.get("product"))
        product_id = text(product.get("product_id"), 500)
        if product_id:
            helper = mapping(product.get("product_identification_helper"))
            name = text(product.get("name"), 500) or text(branch.get("name"), 500)
            tree.products[product_id] = (name, text(helper.get("cpe"), 500), text(helper.get("purl"), 2000))
        stack.extend((child, depth + 1) for child in items(branch.get("branches"), MAX_PRODUCTS))
    for relation in items(raw.get("relationships"), MAX_PRODUCTS):
        relation = mapping(relation)
        full = text(mapping(relation.get("full_product_name")).get("product_id"), 1000)
        component = text(relation.get("product_reference"), 500)
        platform = text(relation.get("relates_to_product_reference"), 500)
        if full and component and platform:
            tree.relations[full] = (component, platform)
    return tree


@dataclass
class _Entry:
    """One AffectedPackage being gathered from every product that maps to it."""

    namespace: str
    component: Component
    status: Status
    fixed: dict[str, None] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    ratings: dict[Rating, None] = field(default_factory=dict)


def _vendor(word: str) -> Rating | None:
    word = word.strip()[:40]
    severity = Severity.parse(word)
    return Rating("redhat", "vendor", severity, word) if severity is not Severity.UNKNOWN else None


def _by_product(entries: Any, ids_key: str) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Entries (remediations, threats, scores, flags) by the product IDs they name; those naming none."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    general: list[dict[str, Any]] = []
    for raw in items(entries, 10_000):
        entry = mapping(raw)
        ids = [i for i in items(entry.get(ids_key), MAX_PRODUCTS) if isinstance(i, str)]
        if not ids:
            general.append(entry)
        for product_id in ids:
            by_id.setdefault(product_id, []).append(entry)
    return by_id, general


def _affected_status(remediations: list[dict[str, Any]]) -> tuple[Status, str]:
    for remediation in remediations:
        category = text(remediation.get("category"), 40)
        details = text(remediation.get("details"), 200).strip()
        if category == "no_fix_planned":
            if "support scope" in details.lower():
                return Status.END_OF_LIFE, details
            return Status.WILL_NOT_FIX, details or "no fix planned"
        if category == "none_available":
            if "defer" in details.lower():
                return Status.FIX_DEFERRED, details
            return Status.AFFECTED, details
    return Status.AFFECTED, ""


def _cvss_ratings(scores: list[dict[str, Any]], report: ImportReport, path: str) -> list[Rating]:
    ratings: list[Rating] = []
    for score in scores:
        for key in ("cvss_v4", "cvss_v3", "cvss_v2"):
            vector = text(mapping(score.get(key)).get("vectorString"), 300).strip()
            if not vector:
                continue
            try:
                if key == "cvss_v3":
                    value = cvss.v3_base_score(vector)
                    ratings.append(Rating("redhat", "CVSS_V3", cvss.severity_of(value), vector, value))
                elif key == "cvss_v2":
                    value = cvss.v2_base_score(vector)
                    ratings.append(Rating("redhat", "CVSS_V2", cvss.severity_of(value, 2), vector, value))
                else:
                    ratings.append(Rating("redhat", "CVSS_V4", Severity.UNKNOWN, cvss.v4_validate(vector)))
            except cvss.CvssError as error:
                report.warn(path, f"{key} ignored: {error}")
    return ratings


class _Document:
    """One CSAF document being turned into an Advisory."""

    def __init__(self, doc: dict[str, Any], path: str, report: ImportReport) -> None:
        self.path = path
        self.report = report
        self.tree = _tree(doc)
        self.entries: dict[tuple[str, Component, Status], _Entry] = {}
        self.skipped: dict[str, int] = {}
        self._components: dict[str, Component | str] = {}

    def skip(self, counter: str) -> None:
        self.skipped[counter] = self.skipped.get(counter, 0) + 1

    def resolve(self, product_id: str) -> tuple[str, Component] | None:
        """The namespace and RPM of a full product ID, or None (counted) when it names neither."""
        relation = self.tree.relations.get(product_id)
        if relation is None:
            self.skip("unattached_products")
            return None
        component_id, platform_id = relation
        platform = self.tree.products.get(platform_id)
        namespace = rhel_namespace(platform[1]) if platform else None
        if namespace is None:
            self.skip("other_products")
            return None
        component = self._components.get(component_id)
        if component is None:
            name, _, purl = self.tree.products.get(component_id, (component_id, "", ""))
            component = component_of(name, purl, component_id)
            self._components[component_id] = component
        if isinstance(component, str):
            if component == "non-rpm":
                self.skip("non_rpm_components")
            else:
                self.skip("invalid_components")
                if self.skipped["invalid_components"] <= 5:
                    self.report.warn(self.path, f"product {product_id[:80]} skipped: {component}")
            return None
        return namespace, component

    def add(self, product_id: str, status: Status, note: str, ratings: Iterable[Rating]) -> None:
        resolved = self.resolve(product_id)
        if resolved is None:
            return
        namespace, component = resolved
        if status is Status.FIXED and not component.version:
            self.skip("fixed_without_version")
            return
        identity = Component(component.name, "", "src" if component.source else "bin", component.module)
        entry = self.entries.get((namespace, identity, status))
        if entry is None:
            entry = self.entries[(namespace, identity, status)] = _Entry(namespace, identity, status)
        if status is Status.FIXED:
            entry.fixed[component.version] = None
        if note:
            entry.notes[note] = None
        for rating in ratings:
            entry.ratings[rating] = None

    def packages(self) -> list[AffectedPackage]:
        """The gathered entries; fixed binary RPMs whose every EVR a fixed SRPM of the stream has fold."""
        source_fixes: dict[tuple[str, str], set[str]] = {}
        for (namespace, identity, status), entry in self.entries.items():
            if status is Status.FIXED and identity.arch == "src":
                source_fixes.setdefault((namespace, identity.module), set()).update(entry.fixed)
        packages: list[AffectedPackage] = []
        for (namespace, identity, status), entry in self.entries.items():
            if status is Status.FIXED and identity.arch == "bin":
                fixes = source_fixes.get((namespace, identity.module), set())
                if set(entry.fixed) <= fixes:
                    self.skip("binary_rpms_folded")
                    continue
            packages.append(_package(entry))
        return packages


def _package(entry: _Entry) -> AffectedPackage:
    identity, status = entry.component, entry.status
    fixed = tuple(sorted(entry.fixed, key=_rpm_key))
    if status is Status.FIXED:
        ranges = fixed_range("rpm", *fixed)
    else:
        ranges = open_range("rpm") if status in _OPEN else ()
    properties = SOURCE_PACKAGE if identity.arch == "src" else BINARY_PACKAGE
    if identity.module:
        properties = tuple(sorted((*properties, ("rpm:module", identity.module))))
    qualifiers = {"arch": "src"} if identity.arch == "src" else {}
    if identity.module:
        qualifiers["rpmmod"] = identity.module
    purl = PackageURL(type="rpm", namespace="redhat", name=identity.name, qualifiers=qualifiers).to_string()
    return AffectedPackage(
        namespace=entry.namespace,
        name=identity.name,
        status=status,
        ranges=ranges,
        fixed=fixed,
        ecosystem=entry.namespace,
        purl=purl,
        ratings=tuple(entry.ratings),
        notes="; ".join(entry.notes)[:2000],
        properties=properties,
    )


def _rpm_key(version: str) -> Any:
    try:
        return (0, scheme("rpm").key(version))
    except (KeyError, ValueError):
        return (1, version)


def _unique(ratings: list[Rating]) -> tuple[Rating, ...]:
    """Ratings without repeats (the aggregate ``moderate`` and the impact ``Moderate`` are one)."""
    kept: dict[tuple[str, str, Severity, str], Rating] = {}
    for rating in ratings:
        kept.setdefault((rating.source, rating.method, rating.severity, rating.vector.casefold()), rating)
    return tuple(kept.values())


def _notes(notes: Any, category: str) -> str:
    for note in items(notes, 100):
        note = mapping(note)
        if text(note.get("category"), 40) == category:
            return text(note.get("text")).strip()
    return ""


def _references(entries: Any) -> list[Reference]:
    found: list[Reference] = []
    for raw in items(entries, 1000):
        reference = mapping(raw)
        url = text(reference.get("url"), 2048).strip()
        if url.startswith(("https://", "http://")):
            kind = "ADVISORY" if text(reference.get("category"), 20) == "self" else "WEB"
            found.append(Reference(kind, url))
    return found


def advisory_from_csaf(doc: Any, path: str, report: ImportReport) -> Advisory | None:
    """One CSAF document as an Advisory (None when it names no RHEL package); FeedError if malformed."""
    if not isinstance(doc, dict) or not isinstance(doc.get("document"), dict):
        raise FeedError("not a CSAF document (no document object)")
    meta = doc["document"]
    tracking = mapping(meta.get("tracking"))
    advisory_id = text(tracking.get("id"), 100).strip()
    if not _DOC_ID.match(advisory_id):
        raise FeedError(f"CSAF document with an invalid tracking id {advisory_id[:60]!r}")
    vulnerabilities = [mapping(v) for v in items(doc.get("vulnerabilities"), 10_000)]
    vex = bool(CVE_ID.match(advisory_id))
    document = _Document(doc, path, report)
    ratings: list[Rating] = []
    rating = _vendor(text(mapping(meta.get("aggregate_severity")).get("text"), 40))
    if rating is not None:
        ratings.append(rating)
    cves: list[str] = []
    cwes: list[str] = []
    references = _references(meta.get("references"))
    details = ""
    for vulnerability in vulnerabilities:
        cve = text(vulnerability.get("cve"), 40).strip()
        if CVE_ID.match(cve):
            cves.append(cve)
        cwe = text(mapping(vulnerability.get("cwe")).get("id"), 20)
        if re.fullmatch(r"CWE-\d{1,6}", cwe):
            cwes.append(cwe)
        if vex:
            details = details or _notes(vulnerability.get("notes"), "description")
            references += _references(vulnerability.get("references"))
        general = _vulnerability(document, vulnerability, vex, report, path)
        ratings += general if vex else [r for r in general if r.method != "vendor"]
    for remediation_url in _errata_urls(vulnerabilities):
        references.append(Reference("ADVISORY", remediation_url))
    affected = document.packages()
    for counter, count in document.skipped.items():
        report.count(counter, count)
    if not affected:
        report.count("documents_without_rhel_packages")
        return None
    return Advisory(
        id=advisory_id,
        summary=text(meta.get("title"), 500).strip(),
        details=details or _notes(meta.get("notes"), "general"),
        related=tuple(dict.fromkeys(c for c in cves if c != advisory_id)),
        published=text(tracking.get("initial_release_date"), 40).strip(),
        modified=text(tracking.get("current_release_date"), 40).strip(),
        references=tuple(dict.fromkeys(references)),
        cwes=tuple(dict.fromkeys(cwes)),
        ratings=_unique(ratings),
        affected=tuple(affected),
    )


def _errata_urls(vulnerabilities: list[dict[str, Any]]) -> list[str]:
    urls: list[str] = []
    for vulnerability in vulnerabilities:
        for remediation in items(vulnerability.get("remediations"), 10_000):
            remediation = mapping(remediation)
            url = text(remediation.get("url"), 2048).strip()
            if text(remediation.get("category"), 40) == "vendor_fix" and url.startswith("https://"):
                urls.append(url)
    return list(dict.fromkeys(urls))


def _vulnerability(
    document: _Document, vulnerability: dict[str, Any], vex: bool, report: ImportReport, path: str
) -> list[Rating]:
    """Add one vulnerability's product states to the document; return its document-wide ratings (the
    impact that names no product, and every CVSS score)."""
    remediations, _ = _by_product(vulnerability.get("remediations"), "product_ids")
    threats, general_threats = _by_product(vulnerability.get("threats"), "product_ids")
    flags, _ = _by_product(vulnerability.get("flags"), "product_ids")
    general = [
        rating
        for threat in general_threats
        if text(threat.get("category"), 20) == "impact"
        for rating in [_vendor(text(threat.get("details"), 40))]
        if rating is not None
    ]
    general += _cvss_ratings([mapping(s) for s in items(vulnerability.get("scores"), 100)], report, path)
    states = mapping(vulnerability.get("product_status"))
    for state, status in _STATES.items():
        if not vex and status is not Status.FIXED:
            continue  # an errata lists what it fixes; its other states concern the update, not the system
        for product_id in items(states.get(state), MAX_PRODUCTS):
            if isinstance(product_id, str):
                entry_status, note = _state(
                    status, remediations.get(product_id, []), flags.get(product_id, [])
                )
                document.add(product_id, entry_status, note, _impacts(threats.get(product_id, [])))
    return general


def _state(
    status: Status, remediations: list[dict[str, Any]], flags: list[dict[str, Any]]
) -> tuple[Status, str]:
    """The status and notes of one product: the remediation decides among the affected states."""
    if status is Status.AFFECTED:
        return _affected_status(remediations)
    if status is Status.NOT_AFFECTED:
        return status, ", ".join(dict.fromkeys(text(f.get("label"), 60) for f in flags))
    if status is Status.FIXED:
        errata = (
            _ERRATA.search(text(r.get("url"), 2048))
            for r in remediations
            if r.get("category") == "vendor_fix"
        )
        return status, ", ".join(dict.fromkeys(m.group(0) for m in errata if m))
    return status, ""


def _impacts(threats: list[dict[str, Any]]) -> list[Rating]:
    ratings = (_vendor(text(t.get("details"), 40)) for t in threats if t.get("category") == "impact")
    return [r for r in ratings if r is not None]


def _looks_like_csaf(head: bytes) -> bool:
    return b'"csaf_version"' in head and (b"redhat" in head.lower() or b"red hat" in head.lower())


@register
class RedHatCsafImporter(Importer):
    name = "redhat-csaf"
    version = 1
    priority = 20
    max_size = 256 * MiB

    def wants(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name.endswith(".json") and not name.startswith(".") and name != "provider-metadata.json"

    def detect(self, path: str, content: bytes) -> bool:
        return _looks_like_csaf(content[:16384])

    def parse(self, path: str, content: bytes, report: ImportReport) -> Iterable[Record]:
        doc = load_json(content)
        advisory = advisory_from_csaf(doc, path, report)
        return [advisory] if advisory is not None else []
