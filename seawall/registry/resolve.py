"""Tag -> digest, for pinning images (``seawall lint --fix`` pins FROM lines to what a tag points at now)."""

from __future__ import annotations

import logging

from seawall.errors import SeawallError
from seawall.registry.options import RegistryOptions, current

log = logging.getLogger(__name__)


def resolve_digest(image: str, options: RegistryOptions | None = None) -> str | None:
    """The manifest digest ``image`` (``python:3.12-slim``, ``host:5000/app:1``) points at, or None when
    the registry cannot be reached or the name does not resolve (a warning says why). Offline: None."""
    from seawall.registry.client import RegistryClient
    from seawall.registry.reference import parse_reference

    chosen = options or current()
    if chosen.offline:
        return None
    try:
        reference = parse_reference(image)
        if reference.digest:
            return reference.digest
        client = RegistryClient(reference.registry, chosen)
        return client.head_manifest(reference.repository, reference.tag or "latest").digest
    except SeawallError as error:
        log.warning("cannot pin %s to a digest: %s", image, error)
        return None
