"""The offline bundle: one file that carries a database across an air gap (``db export`` / ``db import``).

A bundle is a plain tar archive (``tar -tvf`` lists it) of two members, in this order:

- ``manifest.json``: format and its version, the database's schema version, content digest, built-at,
  Seawall version and sources, and the payload's size and SHA-256 and the database's size;
- ``vuln.db.zst``: the SQLite database compressed with zstd (the same bytes ``db push`` sends as the
  OCI layer).

Export reads a database that passes :meth:`VulnStore.verify` and writes the bundle to a temporary file
beside the output, fsyncs it and renames it. Import (and ``db pull``, through :func:`install_payload`)
decompresses into a temporary file beside the database in use and checks, before touching it: the
manifest (format, schema version), the payload's size and SHA-256, the database's size, SQLite's
integrity check and every content digest, which must equal the manifest's. Only then is the new file
renamed over the old, under the build lock. A truncated or corrupt bundle is refused (exit 2) and the
database in use is left as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from seawall.errors import LayerError
from seawall.image.blob import CHUNK, HashingReader
from seawall.image.tarstream import TarReader
from seawall.model import FileKind
from seawall.vulndb.build import _locked, _remove_stale_temporaries
from seawall.vulndb.errors import DatabaseError
from seawall.vulndb.store import SCHEMA_VERSION, SourceInfo, VulnStore, fsync_file

log = logging.getLogger("seawall")

FORMAT = "seawall-vulndb-bundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
PAYLOAD_NAME = "vuln.db.zst"
PAYLOAD_MEDIA_TYPE = "application/vnd.seawall.vulndb.layer.v1.sqlite+zstd"
DEFAULT_LEVEL = 10  # zstd: ~8x on a database, ~60 MB/s; `tools/build_bundle.py` uses more
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_DATABASE_BYTES = 16 * 1024**3
MAX_SOURCES = 1000
_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


class BundleError(DatabaseError):
    """A bundle (or a downloaded database) is malformed, truncated, corrupt or of another schema."""


# --- the manifest ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """The compressed database: its SHA-256 and size, and the size of the database it expands to."""

    digest: str
    size: int
    database_size: int


@dataclass(frozen=True)
class BundleManifest:
    schema_version: int
    content_digest: str
    built_at: str
    seawall_version: str
    sources: tuple[dict[str, Any], ...]
    payload: Payload

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": self.schema_version,
            "content_digest": self.content_digest,
            "built_at": self.built_at,
            "seawall_version": self.seawall_version,
            "sources": list(self.sources),
            "payload": {
                "name": PAYLOAD_NAME,
                "media_type": PAYLOAD_MEDIA_TYPE,
                "digest": self.payload.digest,
                "size": self.payload.size,
                "database_size": self.payload.database_size,
            },
        }
        return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes, where: str) -> BundleManifest:
        """Parse and check a manifest (hostile input: every field's type and range is checked)."""
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise BundleError(f"{where}: the bundle manifest is not valid JSON") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BundleError(f"{where}: not a Seawall database bundle")
        if document.get("format_version") != FORMAT_VERSION:
            raise BundleError(
                f"{where}: bundle format version {str(document.get('format_version'))[:20]}; "
                f"this Seawall reads version {FORMAT_VERSION}"
            )
        schema = document.get("schema_version")
        if schema != SCHEMA_VERSION:
            raise BundleError(
                f"{where}: the bundle holds a database of schema version {str(schema)[:20]}; this Seawall "
                f"reads version {SCHEMA_VERSION} (export it again with a matching Seawall)"
            )
        payload = document.get("payload")
        sources = document.get("sources")
        if not isinstance(payload, dict) or not isinstance(sources, list) or len(sources) > MAX_SOURCES:
            raise BundleError(f"{where}: the bundle manifest is malformed (payload, sources)")
        return cls(
            schema_version=SCHEMA_VERSION,
            content_digest=_digest_field(document, "content_digest", where),
            built_at=_text_field(document, "built_at", where),
            seawall_version=_text_field(document, "seawall_version", where),
            sources=tuple(s for s in sources if isinstance(s, dict)),
            payload=Payload(
                digest=_digest_field(payload, "digest", where),
                size=_size_field(payload, "size", where),
                database_size=_size_field(payload, "database_size", where),
            ),
        )


def _digest_field(document: dict[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise BundleError(f"{where}: the bundle manifest has no valid {key}")
    return value


def _text_field(document: dict[str, Any], key: str, where: str) -> str:
    value = document.get(key, "")
    if not isinstance(value, str) or len(value) > 200:
        raise BundleError(f"{where}: the bundle manifest has a malformed {key}")
    return value


def _size_field(document: dict[str, Any], key: str, where: str) -> int:
    value = document.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_DATABASE_BYTES:
        raise BundleError(f"{where}: the bundle manifest has a malformed {key}")
    return value


def source_summary(source: SourceInfo) -> dict[str, Any]:
    """What a bundle (and an OCI artifact) says about one source of its database."""
    return {
        "name": source.name,
        "importer": source.importer,
        "repository": source.repository,
        "revision": source.revision,
        "date": source.date,
        "counts": {k: v for k, v in source.counts.items() if k in ("advisories", "kev", "epss", "nvd")},
    }


# --- reading a database for export ----------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A verified database, held open: ``handle`` reads exactly the file that was verified."""

    path: Path
    handle: BinaryIO
    size: int
    metadata: dict[str, str]
    sources: tuple[SourceInfo, ...]

    @property
    def content_digest(self) -> str:
        return self.metadata["content_digest"]

    def manifest(self, payload: Payload) -> BundleManifest:
        return BundleManifest(
            schema_version=SCHEMA_VERSION,
            content_digest=self.content_digest,
            built_at=self.metadata.get("built_at", ""),
            seawall_version=self.metadata.get("seawall_version", ""),
            sources=tuple(source_summary(s) for s in self.sources),
            payload=payload,
        )


@contextlib.contextmanager
def snapshot(path: Path) -> Iterator[Snapshot]:
    """Open and verify a database. Builds and imports never write a database in place (they rename a
    new file over it), so the file behind an open handle never changes; the inode is compared to be
    sure the handle and the verified file are the same."""
    for _ in range(3):
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise DatabaseError(f"no vulnerability database at {path}") from None
        except OSError as error:
            raise DatabaseError(f"cannot read the vulnerability database {path}: {error.strerror}") from None
        try:
            before = os.fstat(handle.fileno())
            with VulnStore.open(path) as store:
                problems = store.verify()
                if problems:
                    raise DatabaseError(f"{path} is corrupt: {'; '.join(problems[:3])}")
                metadata = store.metadata()
                sources = tuple(store.sources())
            after = os.stat(path)
            if (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev):
                yield Snapshot(path, handle, before.st_size, metadata, sources)
                return
        finally:
            handle.close()
    raise DatabaseError(f"{path} keeps being replaced; try again when no build or import is running")


def compress(source: BinaryIO, size: int, output: BinaryIO, level: int = DEFAULT_LEVEL) -> Payload:
    """zstd-compress ``size`` bytes of ``source`` into ``output``; returns the payload's digest and size."""
    import zstandard

    hasher = hashlib.sha256()
    written = 0
    compressor = zstandard.ZstdCompressor(level=level, write_content_size=True, write_checksum=True)
    stream = compressor.compressobj(size=size)
    remaining = size
    while remaining > 0:
        data = source.read(min(CHUNK, remaining))
        if not data:
            raise DatabaseError("the database ended while it was being compressed")
        remaining -= len(data)
        for chunk in (stream.compress(data), stream.flush() if remaining == 0 else b""):
            if chunk:
                hasher.update(chunk)
                output.write(chunk)
                written += len(chunk)
    return Payload("sha256:" + hasher.hexdigest(), written, size)


# --- export ---------------------------------------------------------------------------------------


def _timestamp(stamp: str) -> int:
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return int(time.time())


def export_bundle(database: Path, output: Path, level: int = DEFAULT_LEVEL) -> BundleManifest:
    """Write the bundle of a verified database to ``output`` atomically."""
    directory = output.parent if str(output.parent) else Path(".")
    with snapshot(database) as snap:
        try:
            fd, name = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
        except OSError as error:
            raise DatabaseError(f"cannot write {output}: {error.strerror}") from None
        temporary = Path(name)
        try:
            with os.fdopen(fd, "w+b") as handle, tempfile.TemporaryFile(dir=directory) as payload_file:
                payload = compress(snap.handle, snap.size, payload_file, level)
                manifest = snap.manifest(payload)
                payload_file.seek(0)
                _write_tar(handle, manifest, payload_file, _timestamp(manifest.built_at))
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, output)
            fsync_file(directory)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise DatabaseError(f"cannot write {output}: {error.strerror or error}") from None
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    return manifest


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_tar(handle: BinaryIO, manifest: BundleManifest, payload: BinaryIO, mtime: int) -> None:
    data = manifest.to_json()
    with tarfile.open(fileobj=handle, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, size, content in (
            (MANIFEST_NAME, len(data), io.BytesIO(data)),
            (PAYLOAD_NAME, manifest.payload.size, payload),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = size, mtime, 0o644
            tar.addfile(info, content)


# --- import ---------------------------------------------------------------------------------------


class _Member:
    """The current tar member's content as a stream (truncation becomes a BundleError)."""

    def __init__(self, reader: TarReader, where: str) -> None:
        self._reader = reader
        self._where = where

    def read(self, n: int = -1) -> bytes:
        try:
            return self._reader.read_content(n if n >= 0 else CHUNK)
        except LayerError:
            raise BundleError(f"{self._where}: the bundle is truncated") from None

    def readable(self) -> bool:
        return True


def read_manifest(bundle: Path) -> BundleManifest:
    """The checked manifest of a bundle (its payload is not read)."""
    with _open_bundle(bundle) as (manifest, _):
        return manifest


@contextlib.contextmanager
def _open_bundle(bundle: Path) -> Iterator[tuple[BundleManifest, BinaryIO]]:
    where = str(bundle)
    try:
        handle = bundle.open("rb")
    except OSError as error:
        raise BundleError(f"cannot read {bundle}: {error.strerror}") from None
    with handle:
        reader = TarReader(handle)
        entries = iter(reader)
        try:
            first = next(entries, None)
            if first is None or first.info.path != MANIFEST_NAME or first.info.kind is not FileKind.REGULAR:
                raise BundleError(f"{where}: not a Seawall database bundle (no {MANIFEST_NAME} first)")
            if first.info.size > MAX_MANIFEST_BYTES:
                raise BundleError(f"{where}: the bundle manifest is too large")
            manifest = BundleManifest.from_json(_Member(reader, where).read(first.info.size), where)
            second = next(entries, None)
        except LayerError as error:
            raise BundleError(f"{where}: not a Seawall database bundle, or truncated ({error})") from None
        if second is None or second.info.path != PAYLOAD_NAME or second.info.kind is not FileKind.REGULAR:
            raise BundleError(f"{where}: the bundle is truncated or has no {PAYLOAD_NAME}")
        if second.info.size != manifest.payload.size:
            raise BundleError(
                f"{where}: the payload is {second.info.size} bytes; the manifest says {manifest.payload.size}"
            )
        yield manifest, cast(BinaryIO, _Member(reader, where))


@dataclass(frozen=True)
class Expected:
    """What a payload must turn out to be; empty/zero fields are not checked."""

    content_digest: str
    payload_digest: str = ""
    payload_size: int = 0
    database_size: int = 0


def import_bundle(bundle: Path, target: Path) -> BundleManifest:
    """Check a bundle completely, then make its database the one at ``target`` (atomically)."""
    with _open_bundle(bundle) as (manifest, payload):
        expected = Expected(
            manifest.content_digest,
            manifest.payload.digest,
            manifest.payload.size,
            manifest.payload.database_size,
        )
        install_payload(payload, target, expected, str(bundle))
    return manifest


def install_payload(
    stream: BinaryIO, target: Path, expected: Expected, where: str, if_missing: bool = False
) -> bool:
    """Decompress a payload beside ``target``, check it completely, and rename it over ``target``.

    Nothing at ``target`` changes unless every check passes; the build lock is held throughout. With
    ``if_missing``, nothing is done (False) when a database appeared at ``target`` meanwhile.
    """
    import zstandard

    target = target.absolute()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(f"cannot create {target.parent}: {error.strerror}") from None
    limit = expected.database_size or MAX_DATABASE_BYTES
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(_locked(target))
        except OSError as error:
            raise DatabaseError(f"cannot write to {target.parent}: {error.strerror}") from None
        if if_missing and target.exists():
            return False
        _remove_stale_temporaries(target)
        temporary = target.parent / f".{target.name}.{os.getpid()}.tmp"
        try:
            hashing = HashingReader(stream)
            written = 0
            with temporary.open("wb") as out:
                try:
                    source = cast(BinaryIO, hashing)
                    reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=False)
                    while chunk := reader.read(CHUNK):
                        written += len(chunk)
                        if written > limit:
                            raise BundleError(f"{where}: the database expands beyond {limit} bytes (refused)")
                        out.write(chunk)
                    while hashing.read(CHUNK):  # trailing bytes count towards the payload's digest
                        if expected.payload_size and hashing.count > expected.payload_size:
                            break
                except zstandard.ZstdError as error:
                    raise BundleError(f"{where}: corrupt compressed database ({error})") from None
                out.flush()
                os.fsync(out.fileno())
            if expected.payload_size and hashing.count != expected.payload_size:
                raise BundleError(
                    f"{where}: the payload is {hashing.count} bytes, not {expected.payload_size} (truncated?)"
                )
            if expected.payload_digest and hashing.digest != expected.payload_digest:
                raise BundleError(f"{where}: checksum mismatch: the payload is corrupt (refused)")
            if expected.database_size and written != expected.database_size:
                raise BundleError(
                    f"{where}: the database is {written} bytes, not {expected.database_size} (truncated?)"
                )
            _check_database(temporary, expected.content_digest, where)
            os.replace(temporary, target)
            fsync_file(target.parent)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise DatabaseError(
                f"cannot install the database at {target}: {error.strerror or error}"
            ) from None
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    return True


def install_default(bundle: Path, target: Path) -> bool:
    """Install the shipped bundle at ``target`` unless a database is there (True when installed)."""
    with _open_bundle(bundle) as (manifest, payload):
        expected = Expected(
            manifest.content_digest,
            manifest.payload.digest,
            manifest.payload.size,
            manifest.payload.database_size,
        )
        installed = install_payload(payload, target, expected, str(bundle), if_missing=True)
    if installed:
        log.warning(
            "no vulnerability database at %s: installed the offline database shipped with Seawall "
            "(built %s, %d sources); refresh it with seawall db update, db pull or db import",
            target,
            _printable(manifest.built_at[:10]),
            len(manifest.sources),
        )
    return installed


def _printable(value: Any) -> str:
    return "".join(c for c in str(value) if c.isprintable())[:80] or "?"


def _check_database(path: Path, content_digest: str, where: str) -> None:
    """The schema version, SQLite's check and every digest of a received database."""
    try:
        with VulnStore.open(path) as store:
            problems = store.verify()
            actual = store.metadata().get("content_digest", "")
    except DatabaseError as error:
        raise BundleError(f"{where}: the database received is unusable: {_strip(error, path)}") from None
    if problems:
        raise BundleError(f"{where}: the database received is corrupt: {'; '.join(problems[:3])}")
    if actual != content_digest:
        raise BundleError(f"{where}: the database received has content digest {actual}, not {content_digest}")


def _strip(error: DatabaseError, path: Path) -> str:
    return str(error).replace(f"{path}: ", "").replace(str(path), "the file")
