"""SBOMs as scan input: CycloneDX (1.2-1.7) JSON, SPDX 2.x JSON and Syft's own JSON -> an Inventory.

``seawall scan --sbom FILE`` matches an SBOM without the image. Packages come from their package
URLs (type, namespace, name, version; qualifiers ``arch``, ``distro``, ``epoch``, ``upstream``), so any
producer that writes purls works; what each known producer adds is read too:

- Seawall's own CycloneDX properties (``seawall:path``, ``seawall:layer:diff_id``,
  ``seawall:source_name`` ...) and SPDX comments, so our SBOM reads back as the inventory it came from;
- Trivy: ``aquasecurity:trivy:SrcName``/``SrcVersion``/``SrcRelease``/``SrcEpoch`` (CycloneDX) or
  ``sourceInfo: built package from: NAME VERSION`` (SPDX); the epoch as a purl qualifier; layer and file
  properties or annotations; ``OPERATING-SYSTEM`` packages;
- Syft: ``syft:metadata:source``/``sourceVersion`` (deb), ``originPackage`` (apk), ``sourceRpm`` (rpm),
  else the purl's ``upstream`` qualifier; ``syft:location:N:path``/``layerID``; the epoch kept in the
  version; its JSON format's ``distro`` and ``source`` sections.

The operating system comes from the CycloneDX ``operating-system`` component, the SPDX package whose
purpose is OPERATING_SYSTEM, Syft's ``distro``, else from the OS packages' ``distro`` qualifier. OS
packages get the inventory's distro, as the merge gives them when scanning an image. Family names
are os-release IDs (Trivy's ``redhat`` is ``rhel``, ``amazon`` is ``amzn`` ...).

The input is hostile: size-capped, parsed without recursion of our own, every field type-checked;
a file that is none of these formats is a one-line :class:`SbomError` (exit 2).

Example::

    inventory = read_sbom(Path("app.cdx.json"))
    result = scan_inventory(inventory, ("vuln",), db_path=None)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.errors import SeawallError
from seawall.fileio import read_capped
from seawall.inventory.purl import OS_TYPES, PurlError, PurlParts, os_family, parse_purl
from seawall.model import ImageInfo, Inventory, LayerInfo, Location, OSInfo, Package

MAX_SBOM_BYTES = 512 * 1024 * 1024
MAX_PACKAGES = 1_000_000
MAX_DEPTH = 32
MAX_TEXT = 4096
FOUND_BY = "sbom"
IMAGE_PURL_TYPES = frozenset({"oci", "docker"})
# Other tools' OS names -> os-release IDs (what our analyzers and the matcher use)
OS_FAMILIES = {
    "redhat": "rhel",
    "red hat enterprise linux": "rhel",
    "alma": "almalinux",
    "amazon": "amzn",
    "amazon linux": "amzn",
    "oracle": "ol",
    "oraclelinux": "ol",
    "opensuse.leap": "opensuse-leap",
    "opensuse.tumbleweed": "opensuse-tumbleweed",
    "suse linux enterprise server": "sles",
    "suse linux enterprise micro": "sle-micro",
    "cbl-mariner": "mariner",
}
_RPM_SOURCE = re.compile(r"(?P<name>.+)-(?P<version>[^-]+)-(?P<release>[^-]+)\.(?:src|nosrc)\.rpm")
_EPOCH_PREFIX = re.compile(r"\d+:")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_END = object()


class SbomError(SeawallError):
    """An SBOM that cannot be read: unreadable, too large, not JSON, or not a format we read."""


def read_sbom(path: Path, max_bytes: int = MAX_SBOM_BYTES) -> Inventory:
    """The inventory an SBOM file describes; :class:`SbomError` when it cannot be read."""
    return parse_sbom(read_capped(path, max_bytes, "SBOM", SbomError), str(path))


def parse_sbom(data: bytes | str, source: str = "<sbom>") -> Inventory:
    """The inventory of a CycloneDX, SPDX or Syft JSON document."""
    head = data[:64].lstrip() if isinstance(data, str) else data[:64].lstrip().decode("latin-1")
    if head.startswith("SPDXVersion:"):
        raise SbomError(f"SBOM {source}: SPDX tag-value is not read; give the SPDX JSON form")
    if head.startswith("<"):
        raise SbomError(f"SBOM {source}: XML is not read; give the JSON form")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        where = f" line {error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        raise SbomError(f"SBOM {source}{where}: not valid JSON") from None
    if not isinstance(document, dict):
        raise SbomError(f"SBOM {source}: expected a JSON object at the top")
    if document.get("bomFormat") == "CycloneDX":
        return _CycloneDx(document, source).read()
    if isinstance(document.get("spdxVersion"), str):
        return _Spdx(document, source).read()
    if isinstance(document.get("artifacts"), list) and isinstance(document.get("source"), dict):
        return _SyftJson(document, source).read()
    raise SbomError(f"SBOM {source}: neither CycloneDX (bomFormat), SPDX (spdxVersion) nor Syft JSON")


# ---------------------------------------------------------------------------------------------------
# Shared: one package as read, before the OS is known


@dataclass
class _Draft:
    purl: PurlParts
    version: str = ""  # the producer's own version field, when the purl has none
    name: str = ""  # the producer's own name field (PyPI purls lower-case what metadata spells)
    source_name: str = ""
    source_version: str = ""
    locations: list[Location] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    found_by: str = ""
    os_managed: bool = False
    properties: list[tuple[str, str]] = field(default_factory=list)


def _text(value: object) -> str:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _purl(text: str) -> PurlParts | None:
    if not text.startswith("pkg:"):
        return None
    try:
        return parse_purl(text)
    except PurlError:
        return None


def _relative(path: str) -> str:
    path = path.strip()
    while path.startswith(("/", "./")):
        path = path[1:] if path.startswith("/") else path[2:]
    return path


def _with_epoch(epoch: str, version: str) -> str:
    if epoch and epoch != "0" and version and not _EPOCH_PREFIX.match(version):
        return f"{epoch}:{version}"
    return version


def _family(name: str) -> str:
    folded = name.strip().lower()
    return OS_FAMILIES.get(folded, folded.replace(" ", "-"))


def _upstream_source(draft: _Draft) -> None:
    """Syft's ``upstream`` qualifier: ``src`` or ``src@version`` (deb), origin (apk), SRPM file (rpm)."""
    upstream = draft.purl.qualifier("upstream") or ""
    if not upstream or draft.source_name:
        return
    kind = draft.purl.type
    if kind == "rpm":
        match = _RPM_SOURCE.fullmatch(upstream)
        if match:
            draft.source_name = match.group("name")
            epoch = draft.purl.qualifier("epoch") or ""
            draft.source_version = _with_epoch(epoch, f"{match.group('version')}-{match.group('release')}")
        return
    name, _, version = upstream.partition("@")
    draft.source_name = name
    if version:
        draft.source_version = version


def _name_and_namespace(parts: PurlParts) -> tuple[str, str]:
    """(Package.name, Package.namespace) as our analyzers write them for this purl type."""
    kind = parts.type
    if kind in OS_TYPES:
        return parts.name, ""
    if kind in ("npm", "golang", "composer") and parts.namespace:
        return f"{parts.namespace}/{parts.name}", ""
    return parts.name, parts.namespace


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _os_from_distro(drafts: list[_Draft]) -> OSInfo | None:
    """The most common ``distro`` qualifier of the OS packages (``debian-12``; Trivy: ``3.11.5``)."""
    seen: Counter[tuple[str, str]] = Counter()
    for draft in drafts:
        distro = draft.purl.qualifier("distro")
        if draft.purl.type not in OS_TYPES or not distro:
            continue
        if distro[:1].isdigit():
            family, version = _family(draft.purl.namespace), distro
        else:
            family = os_family(distro)
            version = distro[len(family) + 1 :] if distro.startswith(f"{family}-") else ""
            family = _family(family)
        seen[(family, version)] += 1
    if not seen:
        return None
    (family, version), _ = seen.most_common(1)[0]
    return OSInfo(family=family, version=version, source="purl distro qualifier")


def _finish(drafts: list[_Draft], os_info: OSInfo | None, image: ImageInfo, warnings: list[str]) -> Inventory:
    if os_info is None:
        os_info = _os_from_distro(drafts)
    packages = []
    for draft in drafts:
        parts = draft.purl
        if parts.type in IMAGE_PURL_TYPES:
            continue
        name, namespace = _name_and_namespace(parts)
        if parts.type == "pypi" and draft.name and _pep503(draft.name) == _pep503(name):
            name = draft.name  # "Django", as its metadata writes it, not the purl's "django"
        version = parts.version or draft.version
        if parts.type in ("deb", "rpm"):
            version = _with_epoch(parts.qualifier("epoch") or "", version)
        if not draft.source_name:
            _upstream_source(draft)
        distro = ""
        if parts.type in OS_TYPES:
            distro = os_info.distro if os_info is not None else (parts.qualifier("distro") or "")
        packages.append(
            Package(
                type=parts.type,
                name=name,
                version=version,
                namespace=namespace,
                arch=parts.qualifier("arch") or "",
                source_name=draft.source_name,
                source_version=draft.source_version,
                licenses=tuple(dict.fromkeys(draft.licenses)),
                found_by=draft.found_by or FOUND_BY,
                locations=tuple(dict.fromkeys(draft.locations)),
                os_managed=draft.os_managed,
                distro=distro,
                properties=tuple(sorted(set(draft.properties))),
            )
        )
    if os_info is None and any(p.type in OS_TYPES for p in packages):
        warnings.append("the SBOM names no operating system: OS packages cannot be matched")
    return Inventory(image=image, os=os_info, packages=tuple(packages), warnings=tuple(warnings))


def _count(drafts: list[_Draft], source: str) -> None:
    if len(drafts) > MAX_PACKAGES:
        raise SbomError(f"SBOM {source}: more than {MAX_PACKAGES} packages")


# ---------------------------------------------------------------------------------------------------
# CycloneDX


def _properties(component: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for entry in _list(component.get("properties")):
        if isinstance(entry, dict):
            name, value = _text(entry.get("name")), _text(entry.get("value"))
            if name:
                found.append((name, value))
    return found


def _cyclonedx_licenses(component: dict[str, Any]) -> list[str]:
    found = []
    for entry in _list(component.get("licenses")):
        if not isinstance(entry, dict):
            continue
        if _text(entry.get("expression")):
            found.append(_text(entry.get("expression")))
            continue
        license_ = _dict(entry.get("license"))
        text = _text(license_.get("id")) or _text(license_.get("name"))
        if text:
            found.append(text)
    return found


class _CycloneDx:
    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.warnings: list[str] = []

    def read(self) -> Inventory:
        spec = _text(self.document.get("specVersion"))
        if not re.fullmatch(r"1\.\d+", spec):
            raise SbomError(f"SBOM {self.source}: CycloneDX specVersion {spec[:20]!r} is not 1.x")
        metadata = _dict(self.document.get("metadata"))
        image = self._image(_dict(metadata.get("component")))
        os_info: OSInfo | None = None
        drafts: list[_Draft] = []
        skipped = 0
        for component in self._components():
            kind = component.get("type")
            if kind == "operating-system":
                os_info = os_info or self._os(component)
                continue
            purl = _purl(_text(component.get("purl")))
            if purl is None:
                # files, and Trivy's version-less application entries (a lockfile, a binary), hold packages
                holder = kind in ("container", "file") or (
                    kind == "application" and not component.get("version")
                )
                skipped += 0 if holder else 1
                continue
            drafts.append(self._draft(component, purl))
            _count(drafts, self.source)
        if skipped:
            self.warnings.append(f"{skipped} component(s) without a valid package URL skipped")
        return _finish(drafts, os_info, image, self.warnings)

    def _components(self) -> Iterator[dict[str, Any]]:
        """Every component, nested ones after their parent, in document order; no recursion."""
        stack: list[Iterator[object]] = [iter(_list(self.document.get("components")))]
        while stack:
            component = next(stack[-1], _END)
            if component is _END:
                stack.pop()
                continue
            if not isinstance(component, dict):
                continue
            yield component
            children = _list(component.get("components"))
            if children:
                if len(stack) >= MAX_DEPTH:
                    raise SbomError(f"SBOM {self.source}: components nested more than {MAX_DEPTH} deep")
                stack.append(iter(children))

    def _draft(self, component: dict[str, Any], purl: PurlParts) -> _Draft:
        draft = _Draft(
            purl,
            version=_text(component.get("version")),
            name=_text(component.get("name")),
            licenses=_cyclonedx_licenses(component),
        )
        properties = _properties(component)
        values: dict[str, str] = {}
        syft_locations: dict[str, dict[str, str]] = {}
        trivy_layer, trivy_path = "", ""
        for name, value in properties:
            values.setdefault(name, value)
            if name == "seawall:path":
                draft.locations.append(Location(_relative(value)))
            elif name == "seawall:layer:diff_id" and draft.locations:
                last = draft.locations[-1]
                draft.locations[-1] = Location(last.path, value)
            elif name.startswith("seawall:package:"):
                draft.properties.append((name.removeprefix("seawall:package:"), value))
            elif name.startswith("syft:location:"):
                index, _, what = name.removeprefix("syft:location:").partition(":")
                syft_locations.setdefault(index, {})[what] = value
            elif name == "aquasecurity:trivy:LayerDiffID":
                trivy_layer = value
            elif name == "aquasecurity:trivy:FilePath":
                trivy_path = value
        if not draft.locations:
            for place in syft_locations.values():
                if place.get("path"):
                    draft.locations.append(Location(_relative(place["path"]), place.get("layerID", "")))
            if trivy_path:
                draft.locations.append(Location(_relative(trivy_path), trivy_layer))
        draft.found_by = values.get("seawall:found_by") or values.get("syft:package:foundBy", "")
        draft.os_managed = values.get("seawall:os_managed") == "true"
        self._source(draft, values)
        return draft

    @staticmethod
    def _source(draft: _Draft, values: dict[str, str]) -> None:
        if values.get("seawall:source_name"):
            draft.source_name = values["seawall:source_name"]
            draft.source_version = values.get("seawall:source_version", "")
            return
        trivy = values.get("aquasecurity:trivy:SrcName", "")
        if trivy:
            version = values.get("aquasecurity:trivy:SrcVersion", "")
            release = values.get("aquasecurity:trivy:SrcRelease", "")
            if release:
                version = f"{version}-{release}"
            draft.source_name = trivy
            draft.source_version = _with_epoch(values.get("aquasecurity:trivy:SrcEpoch", ""), version)
            return
        syft = values.get("syft:metadata:source") or values.get("syft:metadata:originPackage", "")
        if syft:
            draft.source_name = syft
            draft.source_version = values.get("syft:metadata:sourceVersion", "")
            return
        srpm = _RPM_SOURCE.fullmatch(values.get("syft:metadata:sourceRpm", ""))
        if srpm:
            draft.source_name = srpm.group("name")
            epoch = draft.purl.qualifier("epoch") or values.get("syft:metadata:epoch", "")
            draft.source_version = _with_epoch(epoch, f"{srpm.group('version')}-{srpm.group('release')}")

    @staticmethod
    def _os(component: dict[str, Any]) -> OSInfo | None:
        name = _text(component.get("name"))
        if not name:
            return None
        values = dict(_properties(component))
        like = tuple(v for k, v in _properties(component) if k == "seawall:os:like")
        return OSInfo(
            family=_family(name),
            version=_text(component.get("version")),
            name=_text(component.get("description")),
            codename=values.get("seawall:os:codename", ""),
            source=values.get("seawall:os:source", "") or "sbom",
            like=like,
        )

    @staticmethod
    def _image(component: dict[str, Any]) -> ImageInfo:
        properties = _properties(component)
        values: dict[str, str] = {}
        tags: list[str] = []
        layers: list[str] = []
        for name, value in properties:
            values.setdefault(name, value)
            if name in ("seawall:image:repo_tag", "aquasecurity:trivy:RepoTag"):
                tags.append(value)
            elif name in ("seawall:image:layer:diff_id", "aquasecurity:trivy:DiffID"):
                layers.append(value)
        version = _text(component.get("version"))
        manifest = values.get("seawall:image:manifest_digest", "")
        config = values.get("seawall:image:config_digest", "") or values.get("aquasecurity:trivy:ImageID", "")
        repo_digest = values.get("aquasecurity:trivy:RepoDigest", "")
        if not manifest and "@" in repo_digest:
            manifest = repo_digest.rpartition("@")[2]
        if not manifest and _DIGEST.fullmatch(version) and version != config:
            manifest = version
        return ImageInfo(
            reference=_text(component.get("name")) or values.get("aquasecurity:trivy:Reference", ""),
            manifest_digest=manifest,
            config_digest=config,
            os=values.get("seawall:image:os", ""),
            architecture=values.get("seawall:image:architecture", ""),
            variant=values.get("seawall:image:variant", ""),
            layers=tuple(LayerInfo(digest="", diff_id=d) for d in dict.fromkeys(layers)),
            repo_tags=tuple(dict.fromkeys(tags)),
        )


# ---------------------------------------------------------------------------------------------------
# SPDX 2.x JSON

_OUR_SOURCE = re.compile(r"source package (\S+)(?: (\S+))?")
_TRIVY_SOURCE = re.compile(r"built package from: (\S+)(?: (\S+))?")
_OUR_FOUND = re.compile(r"found(?: by (\S+))? in (.*)", re.DOTALL)
_OUR_PLACE = re.compile(r"(.*?)(?: \(layer (?:\d+: )?(sha256:[0-9a-f]{64})\))?")
_SYFT_FOUND = re.compile(r"acquired package info from [^:]*: (.*)", re.DOTALL)
_OS_PURPOSES = frozenset({"OPERATING_SYSTEM", "OPERATING-SYSTEM"})


def _annotations(package: dict[str, Any]) -> list[tuple[str, str]]:
    """Trivy's ``annotations[].comment`` of the form ``Key: value``."""
    found = []
    for annotation in _list(package.get("annotations")):
        comment = _text(_dict(annotation).get("comment"))
        key, colon, value = comment.partition(": ")
        if colon:
            found.append((key, value.strip()))
    return found


class _Spdx:
    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.warnings: list[str] = []
        self.extracted: dict[str, str] = {}

    def read(self) -> Inventory:
        version = _text(self.document.get("spdxVersion"))
        if not re.fullmatch(r"SPDX-2\.\d+", version):
            raise SbomError(f"SBOM {self.source}: spdxVersion {version[:20]!r} is not SPDX 2.x")
        packages = _list(self.document.get("packages"))
        if len(packages) > MAX_PACKAGES:
            raise SbomError(f"SBOM {self.source}: more than {MAX_PACKAGES} packages")
        for info in _list(self.document.get("hasExtractedLicensingInfos")):
            info = _dict(info)
            ref = _text(info.get("licenseId"))
            if ref:
                self.extracted[ref] = _text(info.get("name")) or _text(info.get("extractedText"))
        described = {_text(d) for d in _list(self.document.get("documentDescribes"))}
        for relation in _list(self.document.get("relationships")):
            relation = _dict(relation)
            if relation.get("relationshipType") == "DESCRIBES":
                described.add(_text(relation.get("relatedSpdxElement")))
        image: ImageInfo | None = None
        os_info: OSInfo | None = None
        drafts: list[_Draft] = []
        skipped = 0
        for package in packages:
            if not isinstance(package, dict):
                continue
            purpose = _text(package.get("primaryPackagePurpose")).upper()
            purl = self._purl(package)
            if purpose == "CONTAINER" or (purl is not None and purl.type in IMAGE_PURL_TYPES):
                image = image or self._image(package)
            elif purpose in _OS_PURPOSES:
                os_info = os_info or self._os(package)
            elif purl is None:
                if _text(package.get("SPDXID")) not in described:
                    skipped += 1
            else:
                drafts.append(self._draft(package, purl))
        if skipped:
            self.warnings.append(f"{skipped} package(s) without a valid package URL skipped")
        if image is None:
            image = ImageInfo(reference=_text(self.document.get("name")))
        return _finish(drafts, os_info, image, self.warnings)

    @staticmethod
    def _purl(package: dict[str, Any]) -> PurlParts | None:
        for ref in _list(package.get("externalRefs")):
            ref = _dict(ref)
            if _text(ref.get("referenceType")) == "purl":
                purl = _purl(_text(ref.get("referenceLocator")))
                if purl is not None:
                    return purl
        return None

    def _license(self, package: dict[str, Any]) -> list[str]:
        declared = _text(package.get("licenseDeclared"))
        if not declared or declared in ("NOASSERTION", "NONE"):
            return []
        return [self.extracted.get(declared, declared)]

    def _draft(self, package: dict[str, Any], purl: PurlParts) -> _Draft:
        draft = _Draft(
            purl,
            version=_text(package.get("versionInfo")),
            name=_text(package.get("name")),
            licenses=self._license(package),
        )
        comment = _text(package.get("comment"))
        source_info = _text(package.get("sourceInfo"))
        for note in comment.split("; "):
            match = _OUR_SOURCE.fullmatch(note)
            if match:
                draft.source_name, draft.source_version = match.group(1), match.group(2) or ""
            elif note == "installed by the OS package manager":
                draft.os_managed = True
        match = _TRIVY_SOURCE.fullmatch(source_info)
        if match and not draft.source_name:
            draft.source_name, draft.source_version = match.group(1), match.group(2) or ""
        ours = _OUR_FOUND.fullmatch(source_info)
        syft = _SYFT_FOUND.fullmatch(source_info)
        if ours:
            draft.found_by = ours.group(1) or ""
            for place in ours.group(2).split(", "):
                parts = _OUR_PLACE.fullmatch(place)
                if parts and parts.group(1):
                    draft.locations.append(Location(_relative(parts.group(1)), parts.group(2) or ""))
        elif syft:
            for place in syft.group(1).split(", "):
                if place.strip():
                    draft.locations.append(Location(_relative(place)))
        notes = dict(_annotations(package))
        if not draft.locations and notes.get("FilePath"):
            draft.locations.append(Location(_relative(notes["FilePath"]), notes.get("LayerDiffID", "")))
        return draft

    @staticmethod
    def _os(package: dict[str, Any]) -> OSInfo | None:
        name = _text(package.get("name"))
        if not name:
            return None
        source = _text(package.get("sourceInfo")).removeprefix("found in ")
        return OSInfo(
            family=_family(name),
            version=_text(package.get("versionInfo")),
            name=_text(package.get("description")),
            source=source or "sbom",
        )

    @staticmethod
    def _image(package: dict[str, Any]) -> ImageInfo:
        values: dict[str, str] = {}
        tags: list[str] = []
        layers: list[str] = []
        for note in _text(package.get("comment")).split("; "):  # ours: "platform ...; config ...; tags ..."
            key, _, value = note.partition(" ")
            values.setdefault(key, value)
        for key, value in _annotations(package):  # Trivy's
            if key == "RepoTag":
                tags.append(value)
            elif key == "DiffID":
                layers.append(value)
            else:
                values.setdefault(key, value)
        tags.extend(t for t in values.get("tags", "").split() if t)
        layers.extend(d for d in values.get("layers", "").split() if _DIGEST.fullmatch(d))
        platform = values.get("platform", "").split("/")
        version = _text(package.get("versionInfo"))
        config = values.get("config", "") or values.get("ImageID", "")
        manifest = ""
        if "@" in values.get("RepoDigest", ""):
            manifest = values["RepoDigest"].rpartition("@")[2]
        elif _DIGEST.fullmatch(version) and version != config:
            manifest = version
        return ImageInfo(
            reference=_text(package.get("name")),
            manifest_digest=manifest,
            config_digest=config if _DIGEST.fullmatch(config) else "",
            os=platform[0] if len(platform) > 1 else "",
            architecture=platform[1] if len(platform) > 1 else "",
            variant=platform[2] if len(platform) > 2 else "",
            layers=tuple(LayerInfo(digest="", diff_id=d) for d in dict.fromkeys(layers)),
            repo_tags=tuple(dict.fromkeys(tags)),
        )


# ---------------------------------------------------------------------------------------------------
# Syft JSON


class _SyftJson:
    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.warnings: list[str] = []

    def read(self) -> Inventory:
        artifacts = _list(self.document.get("artifacts"))
        if len(artifacts) > MAX_PACKAGES:
            raise SbomError(f"SBOM {self.source}: more than {MAX_PACKAGES} packages")
        drafts: list[_Draft] = []
        skipped = 0
        for artifact in artifacts:
            if not isinstance(artifact, dict):
                continue
            purl = _purl(_text(artifact.get("purl")))
            if purl is None:
                skipped += 1
                continue
            drafts.append(self._draft(artifact, purl))
        if skipped:
            self.warnings.append(f"{skipped} artifact(s) without a valid package URL skipped")
        distro = _dict(self.document.get("distro"))
        os_info = None
        if _text(distro.get("id")):
            os_info = OSInfo(
                family=_family(_text(distro["id"])),
                version=_text(distro.get("versionID")),
                name=_text(distro.get("prettyName")) or _text(distro.get("name")),
                codename=_text(distro.get("versionCodename")),
                source="sbom",
            )
        return _finish(drafts, os_info, self._image(), self.warnings)

    @staticmethod
    def _draft(artifact: dict[str, Any], purl: PurlParts) -> _Draft:
        licenses = []
        for entry in _list(artifact.get("licenses")):
            text = _text(entry) or _text(_dict(entry).get("value"))
            if text:
                licenses.append(text)
        draft = _Draft(
            purl,
            version=_text(artifact.get("version")),
            name=_text(artifact.get("name")),
            licenses=licenses,
            found_by=_text(artifact.get("foundBy")),
        )
        for place in _list(artifact.get("locations")):
            place = _dict(place)
            path = _text(place.get("path")) or _text(place.get("realPath"))
            if path:
                draft.locations.append(Location(_relative(path), _text(place.get("layerID"))))
        metadata = _dict(artifact.get("metadata"))
        source = _text(metadata.get("source")) or _text(metadata.get("originPackage"))
        if source:
            draft.source_name = source
            draft.source_version = _text(metadata.get("sourceVersion"))
        srpm = _RPM_SOURCE.fullmatch(_text(metadata.get("sourceRpm")))
        if srpm and not source:
            draft.source_name = srpm.group("name")
            epoch = metadata.get("epoch")
            epoch_text = str(epoch) if isinstance(epoch, int) and not isinstance(epoch, bool) else ""
            draft.source_version = _with_epoch(epoch_text, f"{srpm.group('version')}-{srpm.group('release')}")
        return draft

    def _image(self) -> ImageInfo:
        source = _dict(self.document.get("source"))
        target = _dict(source.get("target")) or _dict(source.get("metadata"))
        tags = [t for t in (_text(t) for t in _list(target.get("tags"))) if t]
        layers = [_text(_dict(layer).get("digest")) for layer in _list(target.get("layers"))]
        manifest = _text(target.get("manifestDigest"))
        config = _text(target.get("imageID"))
        return ImageInfo(
            reference=_text(target.get("userInput")) or _text(source.get("name")),
            manifest_digest=manifest if _DIGEST.fullmatch(manifest) else "",
            config_digest=config if _DIGEST.fullmatch(config) else "",
            architecture=_text(target.get("architecture")),
            os=_text(target.get("os")),
            layers=tuple(LayerInfo(digest="", diff_id=d) for d in layers if _DIGEST.fullmatch(d)),
            repo_tags=tuple(tags),
        )
