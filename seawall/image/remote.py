"""Images in a registry: a :class:`BlobStore` over the distribution API, resolved exactly as local
images are (:func:`resolve_descriptor`, :func:`choose_platform`), layers streamed on demand.

Only what is needed is fetched: the manifest (and for a multi-platform image the index, then the
chosen manifest), the config, and the layers that the layer cache does not already know.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import replace
from typing import BinaryIO, cast

from seawall.errors import ImageError, UsageError
from seawall.image.blob import parse_digest
from seawall.image.manifest import Descriptor, Platform, blob_name, resolve_descriptor
from seawall.image.source import ImageSource
from seawall.image.store import SMALL_LIMIT, BlobStore
from seawall.registry.client import Manifest, RegistryClient
from seawall.registry.errors import NotFound
from seawall.registry.options import RegistryOptions, current
from seawall.registry.reference import Reference, parse_reference


def digest_of_name(name: str) -> str:
    """``blobs/sha256/HEX`` -> ``sha256:HEX``; anything else is not a blob of a registry."""
    parts = name.split("/")
    if len(parts) != 3 or parts[0] != "blobs":
        raise ImageError(f"{name!r} does not name a blob")
    digest = f"{parts[1]}:{parts[2]}"
    parse_digest(digest)
    return digest


class RegistryStore(BlobStore):
    """One repository's blobs under the names image resolution uses (``blobs/ALG/HEX``).

    Manifests live at another endpoint than blobs: the first manifest is handed in, and the children
    of an index are known to be manifests once the index has been read. Sizes from manifests bound
    each layer download."""

    def __init__(self, client: RegistryClient, repository: str, label: str) -> None:
        self.client = client
        self.repository = repository
        self.label = label
        self.manifests: dict[str, bytes] = {}
        self.manifest_names: set[str] = set()
        self.sizes: dict[str, int] = {}

    def add_manifest(self, manifest: Manifest) -> None:
        name = blob_name(manifest.digest)
        self.manifests[name] = manifest.data
        self._learn(manifest.data)

    def _learn(self, data: bytes) -> None:
        """Note which digests an index names as manifests, and the size of every descriptor."""
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return  # resolution reports the malformed manifest
        if not isinstance(document, dict):
            return
        children = document.get("manifests")
        layers = document.get("layers")
        children = children if isinstance(children, list) else []
        layers = layers if isinstance(layers, list) else []
        described = [(document.get("config"), False), *((layer, False) for layer in layers)]
        described += [(child, True) for child in children]
        for item, is_manifest in described:
            if not isinstance(item, dict):
                continue
            try:
                descriptor = Descriptor.parse(item, self.label)
            except ImageError:
                continue
            name = blob_name(descriptor.digest)
            self.sizes[name] = descriptor.size
            if is_manifest:
                self.manifest_names.add(name)

    def _manifest(self, name: str) -> bytes:
        if name not in self.manifests:
            manifest = self.client.get_manifest(self.repository, digest_of_name(name))
            self.manifests[name] = manifest.data
            self._learn(manifest.data)
        return self.manifests[name]

    def open(self, name: str) -> BinaryIO:
        if name in self.manifests or name in self.manifest_names:
            return io.BytesIO(self._manifest(name))
        reader = self.client.open_blob(self.repository, digest_of_name(name), self.sizes.get(name))
        return cast(BinaryIO, reader)

    def read_small(self, name: str, limit: int = SMALL_LIMIT) -> bytes:
        if name in self.manifests or name in self.manifest_names:
            data = self._manifest(name)
        else:
            data = self.client.get_blob(self.repository, digest_of_name(name), limit, self.sizes.get(name))
        if len(data) > limit:
            raise ImageError(f"{self.label}: {name} is larger than {limit} bytes")
        return data

    def exists(self, name: str) -> bool:
        if name in self.manifests or name in self.manifest_names:
            return True
        try:
            return self.client.blob_exists(self.repository, digest_of_name(name))
        except (NotFound, ImageError):
            return False

    def size(self, name: str) -> int | None:
        return self.sizes.get(name)


@functools.lru_cache(maxsize=8)
def _client(registry: str, options: RegistryOptions) -> RegistryClient:
    """One client per registry and options: tags scanned one after another share connections and tokens."""
    return RegistryClient(registry, options)


def open_registry_image(
    reference: str | Reference, platform: Platform | None, options: RegistryOptions | None = None
) -> ImageSource:
    """Resolve an image in a registry to one platform's manifest and config; layers load on demand."""
    ref = parse_reference(reference) if isinstance(reference, str) else reference
    options = options if options is not None else current()
    if options.offline:
        raise UsageError(f"{ref}: a registry image needs the network, and offline mode is on")
    client = _client(ref.registry, options)
    manifest = client.get_manifest(ref.repository, ref.identifier)
    store = RegistryStore(client, ref.repository, str(ref))
    store.add_manifest(manifest)
    descriptor = Descriptor(manifest.media_type, manifest.digest, len(manifest.data))
    resolved = resolve_descriptor(store, descriptor, platform, str(ref))
    tags = (f"{ref.name}:{ref.tag}",) if ref.tag else ()
    return ImageSource(store, replace(resolved, info=replace(resolved.info, repo_tags=tags)))
