"""Seawall's own SBOM JSON: the inventory as it is, in a documented, versioned shape.

The shape is described by ``seawall/schemas/seawall-sbom.schema.json`` (JSON Schema 2020-12).
Every key is always present (empty string, empty list or null when there is nothing to say), so
consumers need no existence checks. ``schema_version`` is ``MAJOR.MINOR``: a minor version only
adds keys, a major version changes or removes them.
"""

from __future__ import annotations

from typing import Any

from seawall.inventory.purl import purl_or_none
from seawall.model import ImageInfo, Inventory, OSInfo, Package
from seawall.report import RenderOptions, document_time, introduced_in, ordered_packages, to_json

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "urn:seawall:schema:sbom:1"


def _image(image: ImageInfo) -> dict[str, Any]:
    return {
        "reference": image.reference,
        "manifest_digest": image.manifest_digest,
        "config_digest": image.config_digest,
        "os": image.os,
        "architecture": image.architecture,
        "variant": image.variant,
        "created": image.created,
        "repo_tags": list(image.repo_tags),
        "layers": [
            {
                "index": index,
                "digest": layer.digest,
                "diff_id": layer.diff_id,
                "size": layer.size,
                "media_type": layer.media_type,
                "created_by": layer.created_by,
            }
            for index, layer in enumerate(image.layers)
        ],
    }


def _os(os: OSInfo | None) -> dict[str, Any] | None:
    if os is None:
        return None
    return {
        "family": os.family,
        "version": os.version,
        "name": os.name,
        "codename": os.codename,
        "distro": os.distro,
        "like": list(os.like),
        "source": os.source,
    }


def _package(package: Package, image: ImageInfo) -> dict[str, Any]:
    return {
        "purl": purl_or_none(package),
        "type": package.type,
        "namespace": package.namespace,
        "name": package.name,
        "version": package.version,
        "arch": package.arch,
        "distro": package.distro,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "licenses": list(package.licenses),
        "found_by": package.found_by,
        "os_managed": package.os_managed,
        "layer_index": introduced_in(image, package),
        "locations": [
            {
                "path": location.path,
                "layer": location.layer,
                "layer_index": image.layer_index(location.layer) if location.layer else None,
            }
            for location in package.locations
        ],
        "properties": [{"name": name, "value": value} for name, value in package.properties],
    }


def document(inventory: Inventory, options: RenderOptions) -> dict[str, Any]:
    """The inventory as a JSON-ready dict in the documented shape."""
    image = inventory.image
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": options.tool_name, "version": options.tool_version},
        "created": document_time(inventory, options),
        "image": _image(image),
        "os": _os(inventory.os),
        "packages": [_package(package, image) for package in ordered_packages(inventory)],
        "warnings": list(inventory.warnings),
        "analyzers": [{"name": name, "version": version} for name, version in sorted(inventory.analyzers)],
    }


def render(inventory: Inventory, options: RenderOptions) -> str:
    return to_json(document(inventory, options))
