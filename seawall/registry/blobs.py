"""Blob transfer: downloads streamed and verified, resumed with ``Range`` when a connection drops;
uploads monolithic or in chunks, or mounted from another repository of the same registry."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from typing import BinaryIO

import httpx

from seawall.errors import DigestMismatch
from seawall.image.blob import CHUNK, max_layer_bytes, parse_digest
from seawall.registry.auth import repository_scope
from seawall.registry.errors import RegistryError
from seawall.registry.session import ERROR_BODY_LIMIT, Reply, Session, read_capped, redact

log = logging.getLogger(__name__)

_CONTENT_RANGE_START = "bytes "


class BlobReader:
    """A read-only stream of one blob. Every byte is hashed; at the end the digest (and the size, when
    known) must match, else :class:`DigestMismatch`. A connection that breaks or ends early is resumed
    from the last byte received (``Range``), at most ``options.retries`` times."""

    def __init__(self, session: Session, repository: str, digest: str, size: int | None = None) -> None:
        algorithm, _ = parse_digest(digest)
        self.session = session
        self.repository = repository
        self.digest = digest
        self.size = size
        self.label = f"{session.host}/{repository}@{digest}"
        self._hash = hashlib.new(algorithm)
        self._algorithm = algorithm
        self._limit = size if size is not None else max_layer_bytes()
        self._offset = 0
        self._buffer = b""
        self._response: httpx.Response | None = None
        self._chunks: Iterator[bytes] | None = None
        self._resumes = 0
        self._done = False

    @property
    def received(self) -> int:
        return self._offset

    def _open(self) -> None:
        headers = {"Accept-Encoding": "identity"}
        if self._offset:
            headers["Range"] = f"bytes={self._offset}-"
        response = self.session.open(
            "GET",
            f"/v2/{self.repository}/blobs/{self.digest}",
            scopes=(repository_scope(self.repository),),
            headers=headers,
        )
        if response.status_code not in (200, 206):
            body = read_capped(response, ERROR_BODY_LIMIT, tolerant=True)
            response.close()
            raise self.session.fail(Reply(response.status_code, response.headers, body, ""), self.label)
        chunks = response.iter_bytes()  # as received: a break loses nothing already read
        if self._offset and response.status_code == 200:
            chunks = self._skip(chunks, self._offset)  # no range support: drop what we already have
        elif self._offset:
            start = response.headers.get("content-range", "").removeprefix(_CONTENT_RANGE_START).split("-")[0]
            if start != str(self._offset):
                response.close()
                raise RegistryError(f"{self.label}: the registry resumed at the wrong offset")
        self._response, self._chunks = response, chunks

    @staticmethod
    def _skip(chunks: Iterator[bytes], count: int) -> Iterator[bytes]:
        for chunk in chunks:
            if count >= len(chunk):
                count -= len(chunk)
                continue
            yield chunk[count:]
            count = 0
        if count:
            yield b""  # ended before reaching the resume point: treated as a truncation

    def _next_chunk(self) -> bytes:
        """The next bytes of the blob, resuming the download as needed; b"" at the verified end."""
        while True:
            if self._chunks is None:
                self._open()
            assert self._chunks is not None
            try:
                chunk = next(self._chunks, None)
            except httpx.TransportError as error:
                self._resume(f"{type(error).__name__}")
                continue
            except httpx.HTTPError as error:
                self._close_response()
                raise RegistryError(f"{self.label}: {redact(str(error))[:300]}") from None
            if chunk:
                return chunk
            if chunk is None and (self.size is None or self._offset >= self.size):
                self._finish()
                return b""
            self._resume("the answer ended early")

    def _resume(self, why: str) -> None:
        self._close_response()
        self._resumes += 1
        if self._resumes > max(0, self.session.options.retries):
            expected = f" of {self.size}" if self.size is not None else ""
            raise RegistryError(
                f"{self.label}: the download broke off at byte {self._offset}{expected} "
                f"({why}) and did not complete after {self._resumes} attempts"
            )
        log.debug("%s: %s at byte %d; resuming", self.label, why, self._offset)
        time.sleep(self.session.backoff(self._resumes))

    def _finish(self) -> None:
        self._close_response()
        self._done = True
        actual = f"{self._algorithm}:{self._hash.hexdigest()}"
        if actual != self.digest:
            raise DigestMismatch(f"{self.label}: content digest {actual} does not match (refused)")

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            return b"".join(iter(lambda: self.read(CHUNK), b""))
        while not self._buffer and not self._done:
            chunk = self._next_chunk()
            if not chunk:
                break
            self._offset += len(chunk)
            if self._offset > self._limit:
                self._close_response()
                raise DigestMismatch(
                    f"{self.label}: the registry sent more than {self._limit} bytes (refused)"
                )
            self._hash.update(chunk)
            self._buffer = chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def readable(self) -> bool:
        return True

    def _close_response(self) -> None:
        if self._response is not None:
            self._response.close()
        self._response, self._chunks = None, None

    def close(self) -> None:
        self._close_response()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def blob_exists(session: Session, repository: str, digest: str) -> bool:
    reply = session.request(
        "HEAD", f"/v2/{repository}/blobs/{digest}", scopes=(repository_scope(repository),)
    )
    if reply.status == 404:
        return False
    if reply.status != 200:
        raise session.fail(reply, f"{session.host}/{repository}@{digest}")
    return True


def _location(session: Session, reply_headers: httpx.Headers, what: str) -> str:
    location = reply_headers.get("location", "")
    if not location:
        raise RegistryError(f"{what}: the registry gave no upload location")
    if location.startswith(("http://", "https://")):
        try:
            host = httpx.URL(location).host
        except httpx.InvalidURL:
            raise RegistryError(f"{what}: the registry gave an unusable upload location") from None
        if host != httpx.URL(session.base).host:
            raise RegistryError(f"{what}: the registry sent the upload to another host")
        return str(location)
    return session.url(location)


def upload_blob(
    session: Session,
    repository: str,
    source: bytes | BinaryIO,
    digest: str,
    size: int,
    chunk_size: int | None = None,
    mount_from: str = "",
) -> str:
    """Put a blob into ``repository`` unless it is there already. ``chunk_size`` uploads in PATCH chunks
    of that many bytes (needed for a stream); ``mount_from`` tries a cross-repository mount first.
    Returns how it got there: ``present``, ``mounted``, ``monolithic`` or ``chunked``."""
    parse_digest(digest)
    what = f"{session.host}/{repository}@{digest}"
    push = (repository_scope(repository, "pull,push"),)
    if blob_exists(session, repository, digest):
        return "present"
    scopes = push + ((repository_scope(mount_from),) if mount_from else ())
    params = {"mount": digest, "from": mount_from} if mount_from else None
    reply = session.request("POST", f"/v2/{repository}/blobs/uploads/", scopes=scopes, params=params)
    if reply.status == 201 and mount_from:
        return "mounted"
    if reply.status != 202:
        raise session.fail(reply, f"{what}: starting the upload")
    location = _location(session, reply.headers, what)
    if chunk_size is None:
        data = source if isinstance(source, bytes) else source.read(size + 1)
        _check_content(data, digest, size, what)
        reply = session.request(
            "PUT",
            str(httpx.URL(location).copy_merge_params({"digest": digest})),
            scopes=push,
            headers={"Content-Type": "application/octet-stream"},
            content=data,
        )
        if reply.status != 201:
            raise session.fail(reply, f"{what}: upload")
        return "monolithic"
    stream = source if not isinstance(source, bytes) else None
    offset = 0
    hasher = hashlib.new(parse_digest(digest)[0])
    while offset < size:
        piece = (
            source[offset : offset + chunk_size] if isinstance(source, bytes) else stream.read(chunk_size)  # type: ignore[union-attr]
        )
        if not piece:
            raise RegistryError(f"{what}: the content ended at byte {offset} of {size}")
        hasher.update(piece)
        end = offset + len(piece) - 1
        reply = session.request(
            "PATCH",
            location,
            scopes=push,
            headers={"Content-Type": "application/octet-stream", "Content-Range": f"{offset}-{end}"},
            content=piece,
        )
        if reply.status != 202:
            raise session.fail(reply, f"{what}: uploading bytes {offset}-{end}")
        location = _location(session, reply.headers, what)
        offset = end + 1
    if f"{hasher.name}:{hasher.hexdigest()}" != digest:
        raise DigestMismatch(f"{what}: the content uploaded does not match its digest")
    reply = session.request(
        "PUT", str(httpx.URL(location).copy_merge_params({"digest": digest})), scopes=push, content=b""
    )
    if reply.status != 201:
        raise session.fail(reply, f"{what}: completing the upload")
    return "chunked"


def _check_content(data: bytes, digest: str, size: int, what: str) -> None:
    algorithm, hexdigest = parse_digest(digest)
    if len(data) != size or hashlib.new(algorithm, data).hexdigest() != hexdigest:
        raise DigestMismatch(f"{what}: the content to upload does not match its digest and size")
