"""CycloneDX 1.6 JSON.

The image is ``metadata.component`` (type ``container``, version = manifest digest); its OS is a
component of type ``operating-system``; every package is a ``library`` component with its purl,
licences and Seawall properties (``seawall:path``, ``seawall:layer:diff_id``, ``seawall:found_by``,
``seawall:os_managed`` ...). ``dependencies`` say the image holds the OS and the language packages
and the OS holds its own packages. Dependencies between packages are not known, so packages get
no entry of their own (an empty ``dependsOn`` would claim they have none). The serial number is a
name-based UUID of the rest of the document: the same inventory and time give the same bytes.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from seawall.inventory.purl import OS_TYPES, purl_or_none
from seawall.model import ImageInfo, Inventory, OSInfo, Package
from seawall.report import RenderOptions, document_time, ordered_packages, to_json
from seawall.report.licenses import expression, is_compound, license_id

SPEC_VERSION = "1.6"
SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"
IMAGE_REF = "image"
PREFIX = "seawall:"
# uuid5 namespace of serial numbers: uuid5(NAMESPACE_URL, "seawall:cyclonedx")
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "seawall:cyclonedx")


def _property(name: str, value: str) -> dict[str, str]:
    return {"name": PREFIX + name, "value": value}


def licenses(values: tuple[str, ...]) -> list[dict[str, Any]]:
    """A CycloneDX ``licenses`` array: SPDX ids as ``id``, free text as ``name``.

    A single SPDX expression becomes the one-element ``expression`` form; several licences that
    are all valid SPDX, one of them compound, are joined with AND into one expression (the schema
    forbids mixing expressions with single licences). Otherwise compound ones go in as names.
    """
    texts = [value for value in dict.fromkeys(v.strip() for v in values) if value]
    normalised = [expression(text) for text in texts]
    if any(n is not None and is_compound(n) for n in normalised) and all(n is not None for n in normalised):
        parts = [f"({n})" if len(normalised) > 1 and n and is_compound(n) else str(n) for n in normalised]
        return [{"expression": " AND ".join(parts)}]
    entries: list[dict[str, Any]] = []
    for text in texts:
        identifier = license_id(text)
        entries.append({"license": {"id": identifier} if identifier else {"name": text}})
    return entries


def _bom_refs(purls: list[str | None]) -> list[str]:
    """A unique bom-ref per package: its purl, with ``#n`` added where purls repeat."""
    refs: list[str] = []
    seen: dict[str, int] = {}
    for index, purl in enumerate(purls):
        base = purl or f"package-{index}"
        count = seen.get(base, 0) + 1
        seen[base] = count
        refs.append(base if count == 1 else f"{base}#{count}")
    return refs


def _component(package: Package, ref: str, purl: str | None) -> dict[str, Any]:
    component: dict[str, Any] = {"bom-ref": ref, "type": "library"}
    if package.type == "maven" and package.namespace:
        component["group"] = package.namespace
    component["name"] = package.name
    if package.version:
        component["version"] = package.version
    found = licenses(package.licenses)
    if found:
        component["licenses"] = found
    if purl:
        component["purl"] = purl
    properties: list[dict[str, str]] = []
    for location in package.locations:
        properties.append(_property("path", location.path))
        if location.layer:
            properties.append(_property("layer:diff_id", location.layer))
    if package.found_by:
        properties.append(_property("found_by", package.found_by))
    properties.append(_property("os_managed", "true" if package.os_managed else "false"))
    if package.source_name:
        properties.append(_property("source_name", package.source_name))
    if package.source_version:
        properties.append(_property("source_version", package.source_version))
    properties.extend(_property(f"package:{key}", value) for key, value in package.properties)
    component["properties"] = properties
    return component


def _os_ref(os: OSInfo) -> str:
    return f"os:{os.distro}"


def _os_component(os: OSInfo) -> dict[str, Any]:
    component: dict[str, Any] = {"bom-ref": _os_ref(os), "type": "operating-system", "name": os.family}
    if os.version:
        component["version"] = os.version
    if os.name:
        component["description"] = os.name
    properties = [
        _property(name, value)
        for name, value in (("os:codename", os.codename), ("os:source", os.source))
        if value
    ]
    properties.extend(_property("os:like", value) for value in os.like)
    if properties:
        component["properties"] = properties
    return component


def _image_component(image: ImageInfo) -> dict[str, Any]:
    component: dict[str, Any] = {"bom-ref": IMAGE_REF, "type": "container", "name": image.reference}
    version = image.manifest_digest or image.config_digest
    if version:
        component["version"] = version
    properties = [
        _property(f"image:{name}", value)
        for name, value in (
            ("os", image.os),
            ("architecture", image.architecture),
            ("variant", image.variant),
            ("manifest_digest", image.manifest_digest),
            ("config_digest", image.config_digest),
        )
        if value
    ]
    properties.extend(_property("image:repo_tag", tag) for tag in image.repo_tags)
    properties.extend(_property("image:layer:diff_id", layer.diff_id) for layer in image.layers)
    if properties:
        component["properties"] = properties
    return component


def bom(inventory: Inventory, options: RenderOptions) -> dict[str, Any]:
    """The CycloneDX document as a JSON-ready dict, serial number included."""
    return bom_with_refs(inventory, options)[0]


def bom_with_refs(inventory: Inventory, options: RenderOptions) -> tuple[dict[str, Any], dict[Package, str]]:
    """The document (as :func:`bom`) and the bom-ref of each package's component, for documents that
    refer to components (vulnerabilities). Call :func:`set_serial_number` after changing the document."""
    packages = ordered_packages(inventory)
    purls = [purl_or_none(package) for package in packages]
    refs = _bom_refs(purls)
    components: list[dict[str, Any]] = []
    image_holds: list[str] = []
    os_holds: list[str] = []
    if inventory.os is not None:
        components.append(_os_component(inventory.os))
        image_holds.append(_os_ref(inventory.os))
    for package, ref, purl in zip(packages, refs, purls, strict=True):
        components.append(_component(package, ref, purl))
        is_os_package = inventory.os is not None and package.type in OS_TYPES
        (os_holds if is_os_package else image_holds).append(ref)
    dependencies = [{"ref": IMAGE_REF, "dependsOn": image_holds}]
    if inventory.os is not None:
        dependencies.append({"ref": _os_ref(inventory.os), "dependsOn": os_holds})
    document: dict[str, Any] = {
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": "",
        "version": 1,
        "metadata": {
            "timestamp": document_time(inventory, options),
            "tools": {
                "components": [
                    {"type": "application", "name": options.tool_name, "version": options.tool_version}
                ]
            },
            "component": _image_component(inventory.image),
        },
        "components": components,
        "dependencies": dependencies,
    }
    set_serial_number(document)
    return document, dict(zip(packages, refs, strict=True))


def set_serial_number(document: dict[str, Any]) -> None:
    """Name the document by its content: a UUID derived from everything but the serial number."""
    document["serialNumber"] = f"urn:uuid:{uuid.uuid5(SERIAL_NAMESPACE, _canonical(document))}"


def _canonical(document: dict[str, Any]) -> str:
    """The document as compact sorted JSON without its serial number: what the serial names."""
    content = {key: value for key, value in document.items() if key != "serialNumber"}
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def render(inventory: Inventory, options: RenderOptions) -> str:
    return to_json(bom(inventory, options))
