"""The shared OCI test images as registry content: served by the fault registry, or pushed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from seawall.image.manifest import OCI_INDEX, OCI_MANIFEST
from seawall.registry.client import RegistryClient
from tests.paths import IMAGES
from tests.registry.servers import FaultRegistry

OCI = IMAGES / "oci"
AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64", "variant": "v8"}


def layout(name: str) -> tuple[bytes, str, dict[str, Any]]:
    """(manifest bytes, manifest digest, manifest document) of ``IMAGES/oci/NAME:latest``."""
    index = json.loads((OCI / name / "index.json").read_text())
    digest = index["manifests"][0]["digest"]
    data = blob_of(name, digest)
    return data, digest, json.loads(data)


def blob_of(name: str, digest: str) -> bytes:
    return (OCI / name / "blobs" / "sha256" / digest.split(":", 1)[1]).read_bytes()


def parts(name: str) -> list[str]:
    """The config and layer digests of an image."""
    _, _, document = layout(name)
    return [document["config"]["digest"], *(layer["digest"] for layer in document["layers"])]


def serve(server: FaultRegistry, name: str, repository: str, tag: str = "latest") -> dict[str, Any]:
    """Put an image into the fault registry; returns its manifest document."""
    data, digest, document = layout(name)
    server.manifests[(repository, tag)] = (OCI_MANIFEST, data)
    server.manifests[(repository, digest)] = (OCI_MANIFEST, data)
    for item in parts(name):
        server.blobs[item] = blob_of(name, item)
    return document


def push_multi_arch(client: RegistryClient, repository: str, sources: dict[str, str]) -> str:
    """Push ``alpine-synth`` as linux/amd64 and ``rocky-synth`` as linux/arm64/v8 under one OCI index,
    blobs mounted from ``sources[name]``. Returns the index digest."""
    entries = []
    for name, platform in (("alpine-synth", AMD64), ("rocky-synth", ARM64)):
        data, digest, _ = layout(name)
        for item in parts(name):
            client.push_blob(repository, blob_of(name, item), mount_from=sources.get(name, ""))
        client.push_manifest(repository, digest, data, OCI_MANIFEST)
        entries.append({"mediaType": OCI_MANIFEST, "digest": digest, "size": len(data), "platform": platform})
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
    return client.push_manifest(repository, "latest", index, OCI_INDEX)


def oci_path(name: str) -> Path:
    return OCI / name
