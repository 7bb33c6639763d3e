"""The database as an OCI artifact: ``db push`` / ``db pull oci://REGISTRY/REPO:TAG``, through any registry.

The artifact is an OCI image manifest (distribution spec 1.1 artifact guidance) with
``artifactType`` :data:`ARTIFACT_TYPE`, the empty config (``application/vnd.oci.empty.v1+json``) and
one layer, the zstd-compressed SQLite file (:data:`LAYER_MEDIA_TYPE`; the same bytes as a bundle's
payload). The manifest and the layer carry annotations: the database's content digest, schema
version, size and build time. A pull reads the manifest first and downloads nothing more when the
content digest equals the local database's.

A pull tries each location in turn (the reference given, then the mirrors): a location that fails
(429 or 5xx after the retries, a refused connection or timeout, a missing or malformed artifact,
a download that does not match its digests) is reported and the next is tried. The database in use
is replaced only by a download that passed every check (see :func:`bundle.install_payload`).
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from seawall.errors import DigestMismatch, UsageError
from seawall.image.manifest import OCI_MANIFEST
from seawall.registry.client import RegistryClient
from seawall.registry.errors import RegistryError
from seawall.registry.options import RegistryOptions, current
from seawall.registry.reference import Reference, check_registry, parse_reference
from seawall.vulndb.bundle import (
    DEFAULT_LEVEL,
    MAX_DATABASE_BYTES,
    PAYLOAD_MEDIA_TYPE,
    PAYLOAD_NAME,
    BundleError,
    Expected,
    compress,
    install_payload,
    snapshot,
)
from seawall.vulndb.errors import DatabaseError
from seawall.vulndb.store import SCHEMA_VERSION, VulnStore

log = logging.getLogger("seawall")

SCHEME = "oci://"
ARTIFACT_TYPE = "application/vnd.seawall.vulndb.v1"
LAYER_MEDIA_TYPE = PAYLOAD_MEDIA_TYPE
EMPTY_CONFIG_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_CONFIG = b"{}"
CONTENT_DIGEST = "dev.seawall.vulndb.content-digest"
SCHEMA = "dev.seawall.vulndb.schema-version"
DATABASE_SIZE = "dev.seawall.vulndb.database-size"
BUILT_AT = "dev.seawall.vulndb.built-at"
CREATED = "org.opencontainers.image.created"
TITLE = "org.opencontainers.image.title"
MONOLITHIC_LIMIT = 64 * 1024 * 1024  # larger layers are uploaded in chunks (bounded memory)
UPLOAD_CHUNK = 16 * 1024 * 1024


def parse_location(text: str) -> Reference:
    """``oci://REGISTRY/REPO[:TAG|@DIGEST]`` (the ``oci://`` prefix may be left out)."""
    return parse_reference(text.removeprefix(SCHEME))


def mirror_location(text: str, primary: Reference | None) -> Reference:
    """A mirror: a full location, or only ``HOST[:PORT]`` for the primary's repository and tag there."""
    bare = text.removeprefix(SCHEME).rstrip("/")
    if "/" in bare:
        return parse_location(bare)
    if primary is None:
        raise UsageError(f"mirror {text!r} names only a registry: give oci://REGISTRY/REPO:TAG")
    return Reference(check_registry(bare, text), primary.repository, primary.tag, primary.digest)


def _options(options: RegistryOptions | None, what: str) -> RegistryOptions:
    chosen = options if options is not None else current()
    if chosen.offline:
        raise UsageError(f"{what} needs the network, and offline mode is on")
    return chosen


# --- push -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    reference: str
    manifest_digest: str
    layer_digest: str
    layer_size: int
    content_digest: str


def artifact_manifest(layer_digest: str, layer_size: int, database_size: int, meta: dict[str, str]) -> bytes:
    """The manifest of a database artifact (compact JSON; its digest names it)."""
    annotations = {
        CONTENT_DIGEST: meta["content_digest"],
        SCHEMA: str(SCHEMA_VERSION),
        DATABASE_SIZE: str(database_size),
        BUILT_AT: meta.get("built_at", ""),
    }
    document: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": EMPTY_CONFIG_TYPE,
            "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            "size": 2,
            "data": "e30=",
        },
        "layers": [
            {
                "mediaType": LAYER_MEDIA_TYPE,
                "digest": layer_digest,
                "size": layer_size,
                "annotations": {TITLE: PAYLOAD_NAME, **annotations},
            }
        ],
        "annotations": {CREATED: meta.get("built_at", ""), **annotations},
    }
    return json.dumps(document, separators=(",", ":")).encode()


def push_database(
    database: Path, text: str, options: RegistryOptions | None = None, level: int = DEFAULT_LEVEL
) -> PushResult:
    """Verify the database, compress it and push it as an artifact to ``oci://REGISTRY/REPO:TAG``."""
    reference = parse_location(text)
    if reference.digest:
        raise UsageError(f"{text}: push to a tag, not a digest (the digest is known after the push)")
    chosen = _options(options, "db push")
    with snapshot(database) as snap, tempfile.TemporaryFile() as layer:
        payload = compress(snap.handle, snap.size, layer, level)
        layer.seek(0)
        client = RegistryClient.for_reference(reference, chosen)
        try:
            client.push_blob(reference.repository, EMPTY_CONFIG)
            chunk = UPLOAD_CHUNK if payload.size > MONOLITHIC_LIMIT else None
            client.push_blob(reference.repository, layer, payload.digest, payload.size, chunk_size=chunk)
            manifest = artifact_manifest(payload.digest, payload.size, snap.size, snap.metadata)
            digest = client.push_manifest(reference.repository, reference.tag, manifest, OCI_MANIFEST)
        finally:
            client.close()
    return PushResult(str(reference), digest, payload.digest, payload.size, snap.content_digest)


# --- pull -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Artifact:
    """What a registry's manifest says about the database it holds."""

    manifest_digest: str
    layer_digest: str
    layer_size: int
    content_digest: str
    database_size: int
    built_at: str


@dataclass
class PullResult:
    location: str
    artifact: Artifact
    changed: bool
    failures: list[str] = field(default_factory=list)


def read_artifact(document: dict[str, Any], digest: str, where: str) -> Artifact:
    """Check a manifest: our artifact type, one layer of our media type, our schema, sane sizes."""
    config = document.get("config") if isinstance(document.get("config"), dict) else {}
    kind = document.get("artifactType") or (config or {}).get("mediaType")
    if kind != ARTIFACT_TYPE:
        raise RegistryError(
            f"{where}: not a Seawall vulnerability database (artifact type {str(kind)[:80]!r})"
        )
    layers = document.get("layers")
    if not isinstance(layers, list) or len(layers) != 1 or not isinstance(layers[0], dict):
        raise RegistryError(f"{where}: a database artifact has exactly one layer")
    layer = layers[0]
    if layer.get("mediaType") != LAYER_MEDIA_TYPE:
        raise RegistryError(f"{where}: unexpected layer type {str(layer.get('mediaType'))[:80]!r}")
    annotations = {
        **_annotations(document.get("annotations")),
        **_annotations(layer.get("annotations")),
    }
    schema = annotations.get(SCHEMA, "")
    if schema != str(SCHEMA_VERSION):
        raise RegistryError(
            f"{where}: the database there has schema version {schema[:20] or '?'}; "
            f"this Seawall reads version {SCHEMA_VERSION}"
        )
    layer_digest, size = layer.get("digest"), layer.get("size")
    content_digest = annotations.get(CONTENT_DIGEST, "")
    database_size = annotations.get(DATABASE_SIZE, "")
    if (
        not isinstance(layer_digest, str)
        or not isinstance(size, int)
        or isinstance(size, bool)
        or not 0 < size <= MAX_DATABASE_BYTES
        or not content_digest.startswith("sha256:")
    ):
        raise RegistryError(f"{where}: the database artifact's manifest is malformed")
    return Artifact(
        manifest_digest=digest,
        layer_digest=layer_digest,
        layer_size=size,
        content_digest=content_digest,
        database_size=int(database_size) if database_size.isdigit() else 0,
        built_at=annotations.get(BUILT_AT, ""),
    )


def _annotations(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def local_content_digest(path: Path) -> str:
    """The content digest the local database states ("" when there is none or it cannot be opened)."""
    if not path.exists():
        return ""
    try:
        with VulnStore.open(path) as store:
            return store.metadata().get("content_digest", "")
    except DatabaseError:
        return ""


def _pull_one(
    reference: Reference, target: Path, force: bool, local: str, options: RegistryOptions
) -> tuple[Artifact, bool]:
    where = str(reference)
    client = RegistryClient.for_reference(reference, options)
    try:
        manifest = client.get_manifest(reference.repository, reference.identifier, accept=OCI_MANIFEST)
        artifact = read_artifact(manifest.document(), manifest.digest, where)
        if not force and local == artifact.content_digest:
            return artifact, False
        expected = Expected(
            artifact.content_digest, artifact.layer_digest, artifact.layer_size, artifact.database_size
        )
        with client.open_blob(reference.repository, artifact.layer_digest, artifact.layer_size) as blob:
            install_payload(cast(BinaryIO, blob), target, expected, f"{where}@{artifact.layer_digest}")
        return artifact, True
    finally:
        client.close()


def pull_database(
    target: Path, locations: list[Reference], force: bool = False, options: RegistryOptions | None = None
) -> PullResult:
    """Fetch the database from the first location that serves a good one; nothing is downloaded when
    the local database already has the artifact's content digest (unless ``force``)."""
    if not locations:
        raise UsageError("no location to pull from: give oci://REGISTRY/REPO:TAG or configure mirrors")
    chosen = _options(options, "db pull")
    local = "" if force else local_content_digest(target)
    errors: list[Exception] = []
    for index, reference in enumerate(locations):
        try:
            artifact, changed = _pull_one(reference, target, force, local, chosen)
        except (RegistryError, DigestMismatch, BundleError) as error:
            errors.append(error)
            if index + 1 < len(locations):
                log.warning("%s; trying %s", error, locations[index + 1])
            continue
        return PullResult(str(reference), artifact, changed, [str(e) for e in errors])
    if len(errors) == 1:
        raise errors[0]
    failures = [str(e) for e in errors]
    raise RegistryError(
        f"no location could serve the database ({len(failures)} tried): {'; '.join(failures)}"
    )
