"""SPDX 2.3 JSON.

The document DESCRIBES the image package (purpose ``CONTAINER``, version = manifest digest); the
image CONTAINS its OS (purpose ``OPERATING_SYSTEM``) and its language packages, the OS CONTAINS its
own packages. Each package carries its purl as a ``PACKAGE-MANAGER`` external reference and the
places it was found in ``sourceInfo``. Licences: SPDX expressions go into ``licenseDeclared`` as
they are; free text becomes a ``LicenseRef-`` defined in ``hasExtractedLicensingInfos``. The
document namespace is a name-based UUID of the content, so the same inventory and time give the
same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from seawall.inventory.purl import OS_TYPES, purl_or_none
from seawall.model import ImageInfo, Inventory, OSInfo, Package
from seawall.report import RenderOptions, document_time, introduced_in, ordered_packages, to_json
from seawall.report._spdx_license_list import VERSION as LICENSE_LIST_VERSION
from seawall.report.licenses import expression, is_compound, license_ref

SPDX_VERSION = "SPDX-2.3"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
IMAGE_ID = "SPDXRef-Image"
OS_ID = "SPDXRef-OperatingSystem"
NOASSERTION = "NOASSERTION"
# uuid5 namespace of document namespaces: uuid5(NAMESPACE_URL, "seawall:spdx")
NAMESPACE_UUID = uuid.uuid5(uuid.NAMESPACE_URL, "seawall:spdx")
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.\-]+")


class _Licenses:
    """Collects the LicenseRef definitions that the packages' declared licences use."""

    def __init__(self) -> None:
        self.extracted: dict[str, str] = {}

    def declared(self, values: tuple[str, ...]) -> str:
        """One SPDX expression for all of a package's licences (AND), or NOASSERTION."""
        texts = [value for value in dict.fromkeys(v.strip() for v in values) if value]
        parts: list[str] = []
        for text in texts:
            normalised = expression(text)
            if normalised is None or "LicenseRef-" in normalised:
                reference = license_ref(text)
                self.extracted.setdefault(reference, text)
                parts.append(reference)
            elif len(texts) > 1 and is_compound(normalised):
                parts.append(f"({normalised})")
            else:
                parts.append(normalised)
        return " AND ".join(parts) if parts else NOASSERTION

    def infos(self) -> list[dict[str, str]]:
        return [
            {"licenseId": reference, "extractedText": text, "name": text}
            for reference, text in sorted(self.extracted.items())
        ]


def _spdx_ids(packages: list[Package]) -> list[str]:
    """``SPDXRef-Package-<type>-<name>-<hash of identity>``, unique within the document."""
    ids: list[str] = []
    seen: set[str] = set()
    for package in packages:
        digest = hashlib.sha256("\0".join(package.key).encode("utf-8", "surrogatepass")).hexdigest()
        label = _NOT_IDSTRING.sub("-", f"{package.type}-{package.name}")[:80].strip("-")
        candidate = base = f"SPDXRef-Package-{label}-{digest[:16]}"
        count = 1
        while candidate in seen:
            count += 1
            candidate = f"{base}-{count}"
        seen.add(candidate)
        ids.append(candidate)
    return ids


def _source_info(image: ImageInfo, package: Package) -> str:
    places = []
    for location in package.locations:
        index = image.layer_index(location.layer) if location.layer else None
        if index is not None:
            layer = f" (layer {index}: {location.layer})"
        else:
            layer = f" (layer {location.layer})" if location.layer else ""
        places.append(f"{location.path}{layer}")
    found_by = f" by {package.found_by}" if package.found_by else ""
    return f"found{found_by} in {', '.join(places)}" if places else f"found{found_by}"


def _package(package: Package, spdx_id: str, image: ImageInfo, licenses: _Licenses) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": package.name, "SPDXID": spdx_id}
    if package.version:
        entry["versionInfo"] = package.version
    entry["downloadLocation"] = NOASSERTION
    entry["filesAnalyzed"] = False
    entry["licenseConcluded"] = NOASSERTION
    entry["licenseDeclared"] = licenses.declared(package.licenses)
    entry["copyrightText"] = NOASSERTION
    entry["sourceInfo"] = _source_info(image, package)
    notes = []
    if package.type == "maven" and package.namespace:
        notes.append(f"groupId {package.namespace}")
    source = (package.source_name, package.source_version or package.version)
    if package.source_name and source != (package.name, package.version):
        notes.append(f"source package {package.source_name} {package.source_version}".rstrip())
    if package.os_managed:
        notes.append("installed by the OS package manager")
    layer = introduced_in(image, package)
    if layer is not None:
        notes.append(f"introduced in layer {layer}")
    if notes:
        entry["comment"] = "; ".join(notes)
    purl = purl_or_none(package)
    if purl:
        entry["externalRefs"] = [
            {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}
        ]
    entry["primaryPackagePurpose"] = "LIBRARY"
    return entry


def _image_package(image: ImageInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": image.reference or "image", "SPDXID": IMAGE_ID}
    version = image.manifest_digest or image.config_digest
    if version:
        entry["versionInfo"] = version
    entry.update(
        downloadLocation=NOASSERTION,
        filesAnalyzed=False,
        licenseConcluded=NOASSERTION,
        licenseDeclared=NOASSERTION,
        copyrightText=NOASSERTION,
    )
    platform = "/".join(part for part in (image.os, image.architecture, image.variant) if part)
    notes = [
        f"{label} {value}"
        for label, value in (
            ("platform", platform),
            ("config", image.config_digest),
            ("tags", " ".join(image.repo_tags)),
            ("layers", " ".join(layer.diff_id for layer in image.layers)),
        )
        if value
    ]
    if notes:
        entry["comment"] = "; ".join(notes)
    entry["primaryPackagePurpose"] = "CONTAINER"
    return entry


def _os_package(os: OSInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": os.family, "SPDXID": OS_ID}
    if os.version:
        entry["versionInfo"] = os.version
    entry.update(
        downloadLocation=NOASSERTION,
        filesAnalyzed=False,
        licenseConcluded=NOASSERTION,
        licenseDeclared=NOASSERTION,
        copyrightText=NOASSERTION,
    )
    if os.name:
        entry["description"] = os.name
    if os.source:
        entry["sourceInfo"] = f"found in {os.source}"
    entry["primaryPackagePurpose"] = "OPERATING_SYSTEM"
    return entry


def _relationship(element: str, kind: str, related: str) -> dict[str, str]:
    return {"spdxElementId": element, "relationshipType": kind, "relatedSpdxElement": related}


def document(inventory: Inventory, options: RenderOptions) -> dict[str, Any]:
    """The SPDX document as a JSON-ready dict."""
    packages = ordered_packages(inventory)
    ids = _spdx_ids(packages)
    licenses = _Licenses()
    entries = [_image_package(inventory.image)]
    relationships = [_relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)]
    if inventory.os is not None:
        entries.append(_os_package(inventory.os))
        relationships.append(_relationship(IMAGE_ID, "CONTAINS", OS_ID))
    for package, spdx_id in zip(packages, ids, strict=True):
        entries.append(_package(package, spdx_id, inventory.image, licenses))
        holder = OS_ID if inventory.os is not None and package.type in OS_TYPES else IMAGE_ID
        relationships.append(_relationship(holder, "CONTAINS", spdx_id))
    result: dict[str, Any] = {
        "spdxVersion": SPDX_VERSION,
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": inventory.image.reference or "image",
        "documentNamespace": "",
        "creationInfo": {
            "created": document_time(inventory, options),
            "creators": [f"Tool: {options.tool_name}-{options.tool_version}"],
            "licenseListVersion": LICENSE_LIST_VERSION,
        },
        "packages": entries,
        "relationships": relationships,
    }
    infos = licenses.infos()
    if infos:
        result["hasExtractedLicensingInfos"] = infos
    content = json.dumps(
        {key: value for key, value in result.items() if key != "documentNamespace"},
        sort_keys=True,
        separators=(",", ":"),
    )
    result["documentNamespace"] = f"urn:uuid:{uuid.uuid5(NAMESPACE_UUID, content)}"
    return result


def render(inventory: Inventory, options: RenderOptions) -> str:
    return to_json(document(inventory, options))
