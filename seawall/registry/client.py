"""The OCI distribution API of one registry: manifests, blobs, catalog, tags, referrers, push.

Manifests are fetched with an ``Accept`` header naming the OCI and Docker v2 schema 2 manifest and
index types, and verified: fetched by digest, the content must hash to it; fetched by tag, to the
``Docker-Content-Digest`` the registry states. Lists are followed through ``Link`` headers, on the
same registry only and for a bounded number of pages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from seawall.errors import DigestMismatch, ImageError
from seawall.image.blob import parse_digest
from seawall.image.manifest import DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST
from seawall.registry.auth import CATALOG_SCOPE, repository_scope
from seawall.registry.blobs import BlobReader, blob_exists, upload_blob
from seawall.registry.errors import NotFound, RegistryError
from seawall.registry.options import RegistryOptions, current
from seawall.registry.reference import DOCKER_HUB, DOCKER_HUB_API, Reference, check_registry
from seawall.registry.session import Reply, Session

MANIFEST_ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
MAX_MANIFEST = 4 * 1024 * 1024
MAX_PAGES = 10_000
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;[^,]*\brel="?next"?', re.IGNORECASE)
_JSON_TYPES = ("application/json", "text/plain", "application/octet-stream")


@dataclass(frozen=True)
class Manifest:
    """A manifest or index as the registry served it, verified against its digest."""

    media_type: str
    digest: str
    data: bytes

    def document(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.data)
        except (ValueError, UnicodeDecodeError):
            raise RegistryError(f"manifest {self.digest} is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise RegistryError(f"manifest {self.digest} is not a JSON object")
        return parsed


@dataclass(frozen=True)
class ManifestHead:
    media_type: str
    digest: str
    size: int


def digest_of(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


def referrers_tag(digest: str) -> str:
    """The tag of the referrers tag schema: ``<alg>-<hex>``, the algorithm cut to 32 characters and the
    hex to 64 (OCI distribution spec 1.1)."""
    algorithm, hexdigest = parse_digest(digest)
    return f"{algorithm[:32]}-{hexdigest[:64]}"


def _media_type(content_type: str, data: bytes) -> str:
    declared = content_type.split(";")[0].strip().lower()
    if declared and declared not in _JSON_TYPES:
        return declared
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return declared
    if isinstance(document, dict) and isinstance(document.get("mediaType"), str):
        return str(document["mediaType"])
    return declared


class RegistryClient:
    """One registry host. Thread-safe for downloads; each forked process makes its own connections."""

    def __init__(self, registry: str, options: RegistryOptions | None = None) -> None:
        self.options = options if options is not None else current()
        self.registry = check_registry(registry)
        api = DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry
        self.session = Session(api, self.options)

    @classmethod
    def for_reference(cls, reference: Reference, options: RegistryOptions | None = None) -> RegistryClient:
        return cls(reference.registry, options)

    def close(self) -> None:
        self.session.close()

    def _where(self, repository: str, identifier: str = "") -> str:
        separator = "@" if identifier.startswith(("sha256:", "sha512:")) else ":"
        return f"{self.registry}/{repository}" + (f"{separator}{identifier}" if identifier else "")

    def ping(self) -> None:
        """Check that the host speaks the registry API (anonymous access is not required)."""
        reply = self.session.request("GET", "/v2/", authenticate=False)
        if reply.status not in (200, 401):
            raise self.session.fail(reply, f"{self.registry}: /v2/")

    # manifests

    def get_manifest(self, repository: str, identifier: str, accept: str = MANIFEST_ACCEPT) -> Manifest:
        where = self._where(repository, identifier)
        reply = self.session.request(
            "GET",
            f"/v2/{repository}/manifests/{identifier}",
            scopes=(repository_scope(repository),),
            headers={"Accept": accept},
            limit=MAX_MANIFEST,
        )
        if reply.status != 200:
            raise self.session.fail(reply, where)
        digest = self._verify_manifest(reply, identifier, where)
        return Manifest(_media_type(reply.headers.get("content-type", ""), reply.body), digest, reply.body)

    def _verify_manifest(self, reply: Reply, identifier: str, where: str) -> str:
        stated = reply.headers.get("docker-content-digest", "").strip()
        expected = identifier if identifier.startswith(("sha256:", "sha512:")) else stated
        if not expected:
            return digest_of(reply.body)
        try:
            algorithm, _ = parse_digest(expected)
        except ImageError:
            raise RegistryError(
                f"{where}: the registry stated a malformed digest {expected[:100]!r}"
            ) from None
        actual = digest_of(reply.body, algorithm)
        if actual != expected:
            raise DigestMismatch(f"{where}: the manifest served hashes to {actual}, not {expected} (refused)")
        return actual

    def head_manifest(self, repository: str, identifier: str, accept: str = MANIFEST_ACCEPT) -> ManifestHead:
        """The digest, media type and size of a manifest without fetching it (when the registry says)."""
        where = self._where(repository, identifier)
        reply = self.session.request(
            "HEAD",
            f"/v2/{repository}/manifests/{identifier}",
            scopes=(repository_scope(repository),),
            headers={"Accept": accept},
        )
        if reply.status != 200:
            raise self.session.fail(reply, where)
        digest = reply.headers.get("docker-content-digest", "").strip()
        if not digest:
            manifest = self.get_manifest(repository, identifier, accept)
            return ManifestHead(manifest.media_type, manifest.digest, len(manifest.data))
        parse_digest(digest)
        size = reply.headers.get("content-length", "")
        return ManifestHead(
            reply.headers.get("content-type", "").split(";")[0].strip(),
            digest,
            int(size) if size.isdigit() else -1,
        )

    def push_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> str:
        """PUT a manifest under a tag or its digest; returns its digest. A manifest with a ``subject``
        is added to the subject's referrers tag when the registry lacks the referrers API."""
        digest = digest_of(data)
        where = self._where(repository, reference)
        reply = self.session.request(
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            scopes=(repository_scope(repository, "pull,push"),),
            headers={"Content-Type": media_type},
            content=data,
        )
        if reply.status not in (200, 201):
            raise self.session.fail(reply, where)
        stated = reply.headers.get("docker-content-digest", "").strip()
        if stated and stated != digest:
            raise DigestMismatch(f"{where}: the registry stored the manifest as {stated}, not {digest}")
        subject = self._subject_of(data)
        if subject and "oci-subject" not in reply.headers:
            self._add_to_referrers_tag(repository, subject, digest, data, media_type)
        return digest

    @staticmethod
    def _subject_of(data: bytes) -> str:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return ""
        subject = document.get("subject") if isinstance(document, dict) else None
        digest = subject.get("digest") if isinstance(subject, dict) else None
        return digest if isinstance(digest, str) else ""

    # blobs

    def open_blob(self, repository: str, digest: str, size: int | None = None) -> BlobReader:
        return BlobReader(self.session, repository, digest, size)

    def get_blob(
        self, repository: str, digest: str, limit: int = MAX_MANIFEST, size: int | None = None
    ) -> bytes:
        """A small blob (a config), read whole and verified."""
        parts: list[bytes] = []
        total = 0
        with self.open_blob(repository, digest, size) as reader:
            while chunk := reader.read(limit + 1 - total):  # a read may return less than asked
                parts.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise RegistryError(f"{self._where(repository, digest)}: larger than {limit} bytes")
        return b"".join(parts)

    def blob_exists(self, repository: str, digest: str) -> bool:
        return blob_exists(self.session, repository, digest)

    def push_blob(
        self,
        repository: str,
        source: bytes | BinaryIO,
        digest: str = "",
        size: int | None = None,
        chunk_size: int | None = None,
        mount_from: str = "",
    ) -> str:
        """Upload a blob (see :func:`upload_blob`); the digest and size are computed for bytes."""
        if isinstance(source, bytes):
            digest = digest or digest_of(source)
            size = len(source) if size is None else size
        if not digest or size is None:
            raise RegistryError("a streamed blob upload needs its digest and size")
        upload_blob(self.session, repository, source, digest, size, chunk_size, mount_from)
        return digest

    # lists

    def _pages(
        self, path: str, params: dict[str, str], scopes: tuple[str, ...], what: str
    ) -> Iterator[Reply]:
        seen: set[str] = set()
        next_path: str | None = path
        query: dict[str, str] | None = params or None
        for _ in range(MAX_PAGES):
            if next_path is None:
                return
            reply = self.session.request("GET", next_path, scopes=scopes, params=query)
            if reply.status != 200:
                raise self.session.fail(reply, what)
            yield reply
            next_path, query = self._next_link(reply, what), None
            if next_path is not None:
                if next_path in seen:
                    raise RegistryError(f"{what}: the registry's pagination loops")
                seen.add(next_path)
        raise RegistryError(f"{what}: more than {MAX_PAGES} pages")

    def _next_link(self, reply: Reply, what: str) -> str | None:
        match = _LINK_NEXT.search(reply.headers.get("link", ""))
        if not match:
            return None
        target = match.group(1)
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            if parts.netloc != self.session.host:
                raise RegistryError(f"{what}: the registry's next page is on another host")
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        if not target.startswith("/v2/"):
            raise RegistryError(f"{what}: the registry's next page {target[:100]!r} is not an API path")
        return target

    def catalog(self, page_size: int | None = None) -> Iterator[str]:
        """Every repository the registry lists (the catalog API; some registries refuse it)."""
        params = {"n": str(page_size)} if page_size else {}
        for reply in self._pages("/v2/_catalog", params, (CATALOG_SCOPE,), f"{self.registry}: catalog"):
            names = _string_list(reply.json(f"{self.registry}: catalog"), "repositories", self.registry)
            yield from names

    def tags(self, repository: str, page_size: int | None = None) -> Iterator[str]:
        where = self._where(repository)
        params = {"n": str(page_size)} if page_size else {}
        scopes = (repository_scope(repository),)
        for reply in self._pages(f"/v2/{repository}/tags/list", params, scopes, f"{where}: tags"):
            yield from _string_list(reply.json(f"{where}: tags"), "tags", where)

    # referrers

    def referrers(self, repository: str, digest: str, artifact_type: str = "") -> list[dict[str, Any]]:
        """Descriptors of the manifests whose ``subject`` is ``digest``: the referrers API, or the
        referrers tag schema (``sha256-<hex>``) where the registry lacks it (404, 400, 406)."""
        parse_digest(digest)
        where = self._where(repository, digest)
        params = {"artifactType": artifact_type} if artifact_type else None
        reply = self.session.request(
            "GET",
            f"/v2/{repository}/referrers/{digest}",
            scopes=(repository_scope(repository),),
            headers={"Accept": OCI_INDEX},
            params=params,
        )
        content_type = reply.headers.get("content-type", "").split(";")[0].strip()
        if reply.status == 200 and content_type == OCI_INDEX:
            found = _descriptors(reply.json(f"{where}: referrers"), where)
            filtered = "artifacttype" in reply.headers.get("oci-filters-applied", "").lower()
        elif reply.status in (200, 400, 404, 406):
            found, filtered = self._referrers_from_tag(repository, digest), False
        else:
            raise self.session.fail(reply, f"{where}: referrers")
        if artifact_type and not filtered:
            found = [d for d in found if d.get("artifactType") == artifact_type]
        return found

    def _referrers_from_tag(self, repository: str, digest: str) -> list[dict[str, Any]]:
        try:
            index = self.get_manifest(repository, referrers_tag(digest), accept=OCI_INDEX)
        except NotFound:
            return []
        return _descriptors(index.document(), self._where(repository, referrers_tag(digest)))

    def _add_to_referrers_tag(
        self, repository: str, subject: str, digest: str, data: bytes, media_type: str
    ) -> None:
        """Keep the subject's referrers tag index up to date (for registries without the API)."""
        tag = referrers_tag(subject)
        try:
            existing = self.get_manifest(repository, tag, accept=OCI_INDEX).document()
        except NotFound:
            existing = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
        manifests = _descriptors(existing, self._where(repository, tag))
        if any(d.get("digest") == digest for d in manifests):
            return
        document = json.loads(data)
        descriptor: dict[str, Any] = {"mediaType": media_type, "digest": digest, "size": len(data)}
        artifact = document.get("artifactType") or (document.get("config") or {}).get("mediaType")
        if isinstance(artifact, str) and artifact:
            descriptor["artifactType"] = artifact
        if isinstance(document.get("annotations"), dict):
            descriptor["annotations"] = document["annotations"]
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [*manifests, descriptor]}
        self.push_manifest(repository, tag, json.dumps(index, separators=(",", ":")).encode(), OCI_INDEX)


def _string_list(document: Any, key: str, where: str) -> list[str]:
    values = document.get(key) if isinstance(document, dict) else None
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RegistryError(f"{where}: the registry's {key} list is malformed")
    return list(values)


def _descriptors(document: Any, where: str) -> list[dict[str, Any]]:
    manifests = document.get("manifests") if isinstance(document, dict) else None
    if not isinstance(manifests, list):
        raise RegistryError(f"{where}: the referrers index has no manifests list")
    found: list[dict[str, Any]] = []
    for item in manifests:
        if isinstance(item, dict) and isinstance(item.get("digest"), str):
            parse_digest(item["digest"])
            found.append(item)
    return found
