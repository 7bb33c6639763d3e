"""VEX documents (OpenVEX 0.2 and CycloneDX VEX): statements about which findings do not apply.

A statement says that a product (an image, a package) has a status for a vulnerability:
``not_affected`` (with a ``justification`` or an ``impact_statement``) and ``fixed`` suppress the
matching findings; ``affected`` and ``under_investigation`` do not. When several statements speak of
the same finding, the latest one (statement timestamp, else the document's) decides, as OpenVEX's
inheritance rules say; on equal times the later statement, in the order the documents were given,
wins. So a later ``affected`` withdraws an earlier ``not_affected``.

A statement applies to a finding when

- its vulnerability name or one of its aliases equals the finding's advisory ID or one of its aliases;
- and the finding's package is the product itself, or a subcomponent of a product that is in the
  scanned image (the image itself, named by a ``pkg:oci``/``pkg:docker`` purl, its digest or its
  repository, or another package of the inventory); a product that is the image and lists no
  subcomponents covers every package of the image.

Package URLs match when type, namespace and name are equal, the version is equal when the statement
gives one (an ``epoch`` qualifier counts as part of the version), and qualifiers that both sides carry
are equal (a ``distro`` of ``3.11.5`` and ``alpine-3.11.5`` are the same). CycloneDX analysis states map
to VEX statuses as CycloneDX documents them: ``not_affected`` and ``false_positive`` -> not_affected,
``resolved`` and ``resolved_with_pedigree`` -> fixed, ``exploitable`` -> affected, ``in_triage`` ->
under_investigation.

Example::

    doc = load_vex(Path("app.openvex.json"))
    index = VexIndex([doc], inventory)
    statement = index.decide(finding)      # the deciding statement, or None
    if statement is not None and statement.suppresses:
        print(statement.reason)            # vex: not_affected (vulnerable_code_not_in_execute_path) from ...
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seawall.errors import SeawallError
from seawall.fileio import read_capped
from seawall.inventory.purl import PurlError, PurlParts, parse_purl, purl_or_none
from seawall.match.finding import VulnFinding
from seawall.model import ImageInfo, Inventory, Package
from seawall.registry.reference import Reference, parse_reference

MAX_VEX_BYTES = 64 * 1024 * 1024
MAX_STATEMENTS = 200_000
MAX_COMPONENT_DEPTH = 32
STATUSES = ("not_affected", "affected", "fixed", "under_investigation")
SUPPRESSING = frozenset({"not_affected", "fixed"})
OPENVEX_JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)
CYCLONEDX_STATES = {
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "exploitable": "affected",
    "in_triage": "under_investigation",
}
IMAGE_PURL_TYPES = frozenset({"oci", "docker"})
_CASE_SENSITIVE_TYPES = frozenset({"golang"})
_EPOCH_PREFIX = re.compile(r"\d+:")
_DIGEST = re.compile(r"(sha256|sha512):([0-9a-f]{64,128})")
_HASH_KEYS = {"sha-256": "sha256", "sha256": "sha256", "sha-512": "sha512", "sha512": "sha512"}


class VexError(SeawallError):
    """A VEX document that cannot be used (unreadable, not VEX, malformed)."""


# ---------------------------------------------------------------------------------------------------
# Package URL matching (shared with the ignore file)


def _folded_version(parts: PurlParts) -> str:
    """The version with an ``epoch`` qualifier folded in (``1:2.3-4``), as dpkg and rpm write it."""
    epoch = parts.qualifier("epoch")
    if epoch and epoch != "0" and parts.version and not _EPOCH_PREFIX.match(parts.version):
        return f"{epoch}:{parts.version}"
    return parts.version


def _same_distro(a: str, b: str, family: str) -> bool:
    """``alpine-3.11.5`` and ``3.11.5`` (Trivy writes only the release) name the same release."""
    if a == b:
        return True
    bare_a = a[len(family) + 1 :] if a.startswith(f"{family}-") else a
    bare_b = b[len(family) + 1 :] if b.startswith(f"{family}-") else b
    return bare_a == bare_b


def _fold(text: str, kind: str) -> str:
    return text if kind in _CASE_SENSITIVE_TYPES else text.casefold()


def purl_matches(wanted: PurlParts, actual: PurlParts) -> bool:
    """Whether ``actual`` (a package's purl) is what ``wanted`` (a statement's purl) names.

    Type, namespace and name must be equal (case-insensitive except for Go module paths); the version
    only when ``wanted`` gives one; qualifiers only where both sides carry them.
    """
    kind = wanted.type.lower()
    if kind != actual.type.lower():
        return False
    if _fold(wanted.namespace, kind) != _fold(actual.namespace, kind):
        return False
    if _fold(wanted.name, kind) != _fold(actual.name, kind):
        return False
    if wanted.version and _folded_version(wanted) != _folded_version(actual):
        return False
    theirs = dict(actual.qualifiers)
    for key, value in wanted.qualifiers:
        if key == "epoch" or key not in theirs:
            continue
        if key == "distro":
            if not _same_distro(value, theirs[key], wanted.namespace.lower()):
                return False
        elif value != theirs[key]:
            return False
    return True


def package_purl(package: Package) -> PurlParts | None:
    """The decoded canonical purl of an inventory package (None when it has none)."""
    text = purl_or_none(package)
    if text is None:
        return None
    try:
        return parse_purl(text)
    except PurlError:
        return None


# ---------------------------------------------------------------------------------------------------
# The image a scan looked at, as VEX products name it


@dataclass(frozen=True)
class ImageIdentity:
    """What a VEX product may call the scanned image: digests and repositories (``registry/path``)."""

    digests: frozenset[str] = frozenset()
    repositories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    architecture: str = ""

    @classmethod
    def of(cls, image: ImageInfo) -> ImageIdentity:
        digests = {d for d in (image.manifest_digest, image.config_digest) if d}
        repositories: set[str] = set()
        tags: set[str] = set()
        for text in (image.reference, *image.repo_tags):
            reference = _reference(text)
            if reference is None:
                continue
            repositories.add(reference.name)
            if reference.digest:
                digests.add(reference.digest)
            if reference.tag:
                tags.add(reference.tag)
        return cls(frozenset(digests), frozenset(repositories), frozenset(tags), image.architecture)

    def matches_purl(self, parts: PurlParts) -> bool:
        """A ``pkg:oci`` or ``pkg:docker`` purl naming this image (by digest, else by repository)."""
        version = parts.version
        if version and _DIGEST.fullmatch(version):
            if version not in self.digests:
                return False
        else:
            if not self._names_repository(parts):
                return False
            if version and parts.type == "docker" and self.tags and version not in self.tags:
                return False  # pkg:docker versions are tags
        tag = parts.qualifier("tag")
        if tag and self.tags and not version and tag not in self.tags:
            return False
        arch = parts.qualifier("arch")
        return not (arch and self.architecture and arch != self.architecture)

    def _names_repository(self, parts: PurlParts) -> bool:
        url = parts.qualifier("repository_url")
        if url:
            return _normal_repository(url) in {_normal_repository(r) for r in self.repositories}
        path = f"{parts.namespace}/{parts.name}" if parts.namespace else parts.name
        return any(
            repo == path or repo.endswith(f"/{path}") or repo.endswith(f"/library/{path}")
            for repo in self.repositories
        )

    def matches_name(self, name: str, version: str = "") -> bool:
        """A CycloneDX container component without a purl: its name is an image reference."""
        if version and _DIGEST.fullmatch(version):
            return version in self.digests
        reference = _reference(name)
        if reference is None:
            return False
        if reference.digest:
            return reference.digest in self.digests
        return reference.name in self.repositories


def _reference(text: str) -> Reference | None:
    """``text`` as a normalised image reference, or None (``docker-archive:/x.tar`` is none)."""
    if not text or len(text) > 1024:
        return None
    try:
        return parse_reference(text)
    except SeawallError:
        return None


def _normal_repository(text: str) -> str:
    text = text.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    reference = _reference(text)
    return reference.name if reference is not None else text.lower()


# ---------------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class VexComponent:
    """A product or subcomponent: its package URLs, hashes (``sha256:hex``), or an image name."""

    purls: tuple[PurlParts, ...] = ()
    hashes: tuple[str, ...] = ()
    image_name: str = ""  # a CycloneDX container component without a purl
    image_version: str = ""

    @property
    def names_something(self) -> bool:
        return bool(self.purls or self.hashes or self.image_name)

    def is_image(self, image: ImageIdentity) -> bool:
        if any(h in image.digests for h in self.hashes):
            return True
        if any(p.type in IMAGE_PURL_TYPES and image.matches_purl(p) for p in self.purls):
            return True
        return bool(self.image_name) and image.matches_name(self.image_name, self.image_version)

    def is_package(self, purl: PurlParts | None) -> bool:
        return purl is not None and any(purl_matches(wanted, purl) for wanted in self.purls)

    def describe(self) -> str:
        if self.purls:
            return _purl_text(self.purls[0])
        return self.image_name or (self.hashes[0] if self.hashes else "?")


@dataclass(frozen=True)
class VexProduct:
    component: VexComponent
    subcomponents: tuple[VexComponent, ...] = ()
    versions: tuple[str, ...] = ()  # CycloneDX ``affects[].versions``: only these versions


@dataclass(frozen=True)
class VexStatement:
    """One statement: a vulnerability, the products it speaks of, a status and why."""

    vulnerability: str
    status: str
    products: tuple[VexProduct, ...]
    aliases: tuple[str, ...] = ()
    justification: str = ""
    impact_statement: str = ""
    action_statement: str = ""
    timestamp: datetime | None = None
    document: str = ""
    index: int = 0  # position in its document

    @property
    def suppresses(self) -> bool:
        return self.status in SUPPRESSING

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i.upper() for i in (self.vulnerability, *self.aliases) if i)

    @property
    def reason(self) -> str:
        """``vex: not_affected (vulnerable_code_not_in_execute_path) from <doc id>: <impact statement>``."""
        why = f" ({self.justification})" if self.justification else ""
        text = f"vex: {self.status}{why} from {self.document}"
        if self.impact_statement:
            text += f": {_one_line(self.impact_statement)}"
        return text


@dataclass(frozen=True)
class VexDocument:
    id: str
    format: str  # "openvex" or "cyclonedx"
    source: str
    statements: tuple[VexStatement, ...]
    timestamp: datetime | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)


def _one_line(text: str, limit: int = 500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _purl_text(parts: PurlParts) -> str:
    text = f"pkg:{parts.type}/"
    if parts.namespace:
        text += f"{parts.namespace}/"
    text += parts.name
    if parts.version:
        text += f"@{parts.version}"
    return text


# ---------------------------------------------------------------------------------------------------
# Reading


def load_vex(path: Path) -> VexDocument:
    """Read an OpenVEX or CycloneDX VEX JSON file; :class:`VexError` (exit 2) when it cannot be used."""
    return parse_vex(read_capped(path, MAX_VEX_BYTES, "VEX file", VexError), str(path))


def parse_vex(data: bytes | str, source: str = "<vex>") -> VexDocument:
    """An OpenVEX (0.0.x, 0.2) or CycloneDX (1.4+) VEX document from its JSON text."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        where = f" line {error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        raise VexError(f"VEX file {source}{where}: not valid JSON") from None
    if not isinstance(document, dict):
        raise VexError(f"VEX file {source}: expected a JSON object at the top")
    context = document.get("@context")
    if isinstance(context, str) and "openvex" in context:
        return _OpenVexReader(document, source).read()
    if document.get("bomFormat") == "CycloneDX":
        return _CycloneDxReader(document, source).read()
    if isinstance(document.get("statements"), list):
        return _OpenVexReader(document, source).read()
    raise VexError(f"VEX file {source}: neither OpenVEX (@context) nor CycloneDX (bomFormat)")


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("z", "Z")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _purl(text: str) -> PurlParts | None:
    if not text.startswith("pkg:"):
        return None
    try:
        return parse_purl(text)
    except PurlError:
        return None


def _hashes(value: object) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    found = []
    for key, digest in value.items():
        algorithm = _HASH_KEYS.get(str(key).lower())
        if algorithm and isinstance(digest, str):
            found.append(f"{algorithm}:{digest.strip().lower()}")
    return tuple(found)


class _OpenVexReader:
    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.id = _string(document.get("@id")) or source
        self.warnings: list[str] = []

    def fail(self, where: str, why: str) -> VexError:
        return VexError(f"OpenVEX {self.source}: {where}: {why}")

    def read(self) -> VexDocument:
        statements = self.document.get("statements")
        if not isinstance(statements, list):
            raise self.fail("document", "'statements' must be a list")
        if len(statements) > MAX_STATEMENTS:
            raise self.fail("document", f"more than {MAX_STATEMENTS} statements")
        stamp = _timestamp(self.document.get("timestamp"))
        read = tuple(self._statement(index, item, stamp) for index, item in enumerate(statements, 1))
        return VexDocument(self.id, "openvex", self.source, read, stamp, tuple(self.warnings))

    def _component(self, value: object) -> VexComponent:
        if isinstance(value, str):  # OpenVEX 0.0.1: products and subcomponents were plain IRIs
            purl = _purl(value.strip())
            return VexComponent(purls=(purl,) if purl else ())
        if not isinstance(value, dict):
            return VexComponent()
        purls: list[PurlParts] = []
        identifiers = value.get("identifiers")
        candidates = [_string(value.get("@id"))]
        if isinstance(identifiers, dict):
            candidates.append(_string(identifiers.get("purl")))
        for text in candidates:
            purl = _purl(text)
            if purl is not None and purl not in purls:
                purls.append(purl)
        return VexComponent(purls=tuple(purls), hashes=_hashes(value.get("hashes")))

    def _statement(self, index: int, item: object, stamp: datetime | None) -> VexStatement:
        where = f"statement {index}"
        if not isinstance(item, dict):
            raise self.fail(where, "not an object")
        name, aliases = self._vulnerability(item.get("vulnerability"), where)
        status = _string(item.get("status"))
        if status not in STATUSES:
            raise self.fail(where, f"status {status[:40]!r} is not one of {', '.join(STATUSES)}")
        justification = _string(item.get("justification"))
        impact = _string(item.get("impact_statement"))
        if status == "not_affected" and not (justification or impact):
            raise self.fail(where, "not_affected needs a justification or an impact_statement")
        if justification and justification not in OPENVEX_JUSTIFICATIONS:
            self.warnings.append(f"{self.source}: {where}: unknown justification {justification[:60]!r}")
        products = []
        for product in _list(item.get("products")):
            component = self._component(product)
            subs = tuple(
                self._component(s)
                for s in (_list(product.get("subcomponents")) if isinstance(product, dict) else [])
            )
            # OpenVEX 0.0.1 put subcomponents beside the products
            if component.names_something:
                products.append(VexProduct(component, tuple(s for s in subs if s.names_something)))
        legacy_subs = tuple(self._component(s) for s in _list(item.get("subcomponents")))
        if legacy_subs:
            products = [VexProduct(p.component, p.subcomponents + legacy_subs) for p in products]
        if not products:
            self.warnings.append(f"{self.source}: {where} ({name}) names no product by purl or hash: unused")
        return VexStatement(
            vulnerability=name,
            status=status,
            products=tuple(products),
            aliases=aliases,
            justification=justification,
            impact_statement=impact,
            action_statement=_string(item.get("action_statement")),
            timestamp=_timestamp(item.get("timestamp")) or stamp,
            document=self.id,
            index=index,
        )

    def _vulnerability(self, value: object, where: str) -> tuple[str, tuple[str, ...]]:
        if isinstance(value, str) and value.strip():  # OpenVEX 0.0.1
            return value.strip(), ()
        if not isinstance(value, dict):
            raise self.fail(where, "'vulnerability' must name the vulnerability")
        name = _string(value.get("name"))
        if not name:
            iri = _string(value.get("@id"))
            name = iri.rstrip("/").rpartition("/")[2] if iri else ""
        if not name:
            raise self.fail(where, "vulnerability has no name")
        aliases = tuple(a.strip() for a in _list(value.get("aliases")) if isinstance(a, str) and a.strip())
        return name, aliases


class _CycloneDxReader:
    """CycloneDX VEX: ``vulnerabilities[]`` with ``analysis`` and ``affects[].ref``."""

    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        serial = _string(document.get("serialNumber"))
        self.id = serial or source
        self.warnings: list[str] = []
        self.refs: dict[str, dict[str, Any]] = {}

    def fail(self, where: str, why: str) -> VexError:
        return VexError(f"CycloneDX VEX {self.source}: {where}: {why}")

    def read(self) -> VexDocument:
        vulnerabilities = self.document.get("vulnerabilities")
        if not isinstance(vulnerabilities, list):
            raise self.fail("document", "no 'vulnerabilities' list: a BOM without VEX data")
        if len(vulnerabilities) > MAX_STATEMENTS:
            raise self.fail("document", f"more than {MAX_STATEMENTS} vulnerabilities")
        metadata = self.document.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        for component in _walk_components(self.document, metadata):
            ref = _string(component.get("bom-ref"))
            if ref:
                self.refs.setdefault(ref, component)
        stamp = _timestamp(metadata.get("timestamp"))
        statements = []
        for index, item in enumerate(vulnerabilities, 1):
            statement = self._statement(index, item, stamp)
            if statement is not None:
                statements.append(statement)
        return VexDocument(self.id, "cyclonedx", self.source, tuple(statements), stamp, tuple(self.warnings))

    def _statement(self, index: int, item: object, stamp: datetime | None) -> VexStatement | None:
        where = f"vulnerability {index}"
        if not isinstance(item, dict):
            raise self.fail(where, "not an object")
        name = _string(item.get("id"))
        if not name:
            raise self.fail(where, "no 'id'")
        analysis = item.get("analysis")
        if not isinstance(analysis, dict) or not _string(analysis.get("state")):
            return None  # a vulnerability listed without analysis is not a VEX statement
        state = _string(analysis.get("state"))
        status = CYCLONEDX_STATES.get(state)
        if status is None:
            raise self.fail(where, f"analysis.state {state[:40]!r} is not a CycloneDX state")
        aliases = tuple(
            _string(ref.get("id")) for ref in _list(item.get("references")) if isinstance(ref, dict)
        )
        products = []
        for affect in _list(item.get("affects")):
            if not isinstance(affect, dict):
                continue
            product = self._product(affect, f"{where} ({name})")
            if product is not None:
                products.append(product)
        if not products:
            self.warnings.append(f"{self.source}: {where} ({name}): no affects[].ref names a package: unused")
        when = (
            _timestamp(analysis.get("lastUpdated"))
            or _timestamp(analysis.get("firstIssued"))
            or _timestamp(item.get("updated"))
            or stamp
        )
        return VexStatement(
            vulnerability=name,
            status=status,
            products=tuple(products),
            aliases=tuple(a for a in aliases if a),
            justification=_string(analysis.get("justification"))
            or ("false_positive" if state == "false_positive" else ""),
            impact_statement=_string(analysis.get("detail")),
            action_statement=", ".join(r for r in _list(analysis.get("response")) if isinstance(r, str))
            if isinstance(analysis.get("response"), list)
            else _string(analysis.get("response")),
            timestamp=when,
            document=self.id,
            index=index,
        )

    def _product(self, affect: dict[str, Any], where: str) -> VexProduct | None:
        ref = _string(affect.get("ref"))
        component = self._resolve(ref)
        if not component.names_something:
            self.warnings.append(f"{self.source}: {where}: ref {ref[:120]!r} names no package or image")
            return None
        versions_field = affect.get("versions")
        entries = [versions_field] if isinstance(versions_field, dict) else _list(versions_field)
        versions = [_string(e.get("version")) for e in entries if isinstance(e, dict)]
        ranges = [_string(e.get("range")) for e in entries if isinstance(e, dict) and e.get("range")]
        if ranges and not any(versions):
            self.warnings.append(f"{self.source}: {where}: version ranges are not evaluated: unused")
            return None
        return VexProduct(component, versions=tuple(v for v in versions if v))

    def _resolve(self, ref: str) -> VexComponent:
        """A bom-ref of this document, a BOM-Link (``urn:cdx:serial/version#bom-ref``) or a purl."""
        candidates = [ref]
        if ref.startswith("urn:cdx:") and "#" in ref:
            candidates.append(urllib.parse.unquote(ref.partition("#")[2]))
        for candidate in candidates:
            component = self.refs.get(candidate)
            if component is not None:
                return _cyclonedx_component(component)
        for candidate in candidates:
            purl = _purl(candidate)
            if purl is not None:
                return VexComponent(purls=(purl,))
        return VexComponent()


def _cyclonedx_component(component: dict[str, Any]) -> VexComponent:
    purl = _purl(_string(component.get("purl")))
    hashes: list[str] = []
    for entry in _list(component.get("hashes")):
        if isinstance(entry, dict):
            hashes.extend(_hashes({entry.get("alg", ""): entry.get("content")}))
    if purl is None and component.get("type") == "container":
        return VexComponent(
            hashes=tuple(hashes),
            image_name=_string(component.get("name")),
            image_version=_string(component.get("version")),
        )
    return VexComponent(purls=(purl,) if purl else (), hashes=tuple(hashes))


def _walk_components(document: dict[str, Any], metadata: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every component of a CycloneDX document, nested ones too, without recursion and bounded."""
    stack: list[tuple[object, int]] = [(document.get("components"), 0)]
    if isinstance(metadata.get("component"), dict):
        stack.append(([metadata["component"]], 0))
    while stack:
        value, depth = stack.pop()
        if depth > MAX_COMPONENT_DEPTH:
            continue
        for component in _list(value):
            if isinstance(component, dict):
                yield component
                if "components" in component:
                    stack.append((component["components"], depth + 1))


# ---------------------------------------------------------------------------------------------------
# Deciding


class VexIndex:
    """The statements of several documents, indexed by vulnerability ID, against one inventory."""

    def __init__(self, documents: Iterable[VexDocument], inventory: Inventory) -> None:
        self.by_id: dict[str, list[tuple[int, VexStatement]]] = {}
        order = 0
        for document in documents:
            for statement in document.statements:
                order += 1
                for key in statement.ids:
                    self.by_id.setdefault(key, []).append((order, statement))
        self.image = ImageIdentity.of(inventory.image)
        self._inventory = inventory
        self._present: dict[tuple[str, str, str], list[PurlParts]] | None = None

    def _present_packages(self) -> dict[tuple[str, str, str], list[PurlParts]]:
        if self._present is None:
            present: dict[tuple[str, str, str], list[PurlParts]] = {}
            for package in self._inventory.packages:
                parts = package_purl(package)
                if parts is not None:
                    key = (parts.type, _fold(parts.namespace, parts.type), _fold(parts.name, parts.type))
                    present.setdefault(key, []).append(parts)
            self._present = present
        return self._present

    def _in_image(self, component: VexComponent) -> bool:
        if component.is_image(self.image):
            return True
        present = self._present_packages()
        for wanted in component.purls:
            key = (wanted.type, _fold(wanted.namespace, wanted.type), _fold(wanted.name, wanted.type))
            if any(purl_matches(wanted, have) for have in present.get(key, ())):
                return True
        return False

    def applies(self, statement: VexStatement, package: Package, purl: PurlParts | None) -> bool:
        for product in statement.products:
            if product.versions and package.version not in product.versions:
                continue
            if product.component.is_package(purl):
                return True
            if product.component.is_image(self.image) and not product.subcomponents:
                return True
            if any(sub.is_package(purl) for sub in product.subcomponents) and self._in_image(
                product.component
            ):
                return True
        return False

    def decide(self, finding: VulnFinding, purl: PurlParts | None = None) -> VexStatement | None:
        """The statement that decides ``finding``: the latest of those that apply (None: none apply)."""
        ids = {i.upper() for i in (finding.advisory_id, *finding.aliases) if i}
        candidates: dict[int, VexStatement] = {}
        for key in ids:
            for order, statement in self.by_id.get(key, ()):
                candidates[order] = statement
        if not candidates:
            return None
        if purl is None:
            purl = package_purl(finding.package)
        best: tuple[datetime, int, VexStatement] | None = None
        floor = datetime.min.replace(tzinfo=UTC)
        for order, statement in candidates.items():
            if not self.applies(statement, finding.package, purl):
                continue
            rank = (statement.timestamp or floor, order, statement)
            if best is None or rank[:2] > best[:2]:
                best = rank
        return best[2] if best else None
