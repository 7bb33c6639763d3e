"""Reading blobs safely: digest verification while streaming, decompression with limits."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import BinaryIO, cast

from seawall.errors import DigestMismatch, ImageError, LayerError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DEFAULT_MAX_LAYER_BYTES = 16 * 1024**3
# A real layer rarely expands more than ~20x; a decompression bomb expands ~1000x. Past
# BOMB_CHECK_AFTER bytes of output, a ratio above BOMB_RATIO is refused.
BOMB_RATIO = 250
BOMB_CHECK_AFTER = 256 * 1024**2
CHUNK = 1024 * 1024


def max_layer_bytes() -> int:
    """The cap on one layer's uncompressed size (``SEAWALL_MAX_LAYER_BYTES`` overrides it)."""
    value = os.environ.get("SEAWALL_MAX_LAYER_BYTES", "")
    return int(value) if value.isdigit() else DEFAULT_MAX_LAYER_BYTES


def parse_digest(digest: str) -> tuple[str, str]:
    """``sha256:abc...`` -> (``sha256``, ``abc...``), refusing anything that is not a well-formed digest."""
    algorithm, sep, hexdigest = digest.partition(":")
    lengths = {"sha256": 64, "sha512": 128}
    if (
        not sep
        or algorithm not in lengths
        or len(hexdigest) != lengths[algorithm]
        or any(c not in "0123456789abcdef" for c in hexdigest)
    ):
        raise ImageError(f"malformed digest {digest!r}")
    return algorithm, hexdigest


class HashingReader:
    """Wraps a stream; hashes every byte read and counts them, with an optional byte cap."""

    def __init__(self, stream: BinaryIO, algorithm: str = "sha256", limit: int | None = None) -> None:
        self._stream = stream
        self._hash = hashlib.new(algorithm)
        self.algorithm = algorithm
        self.count = 0
        self.limit = limit
        self.on_read: Callable[[int], None] | None = None

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        if data:
            self._hash.update(data)
            self.count += len(data)
            if self.limit is not None and self.count > self.limit:
                raise LayerError(f"layer exceeds the size limit of {self.limit} bytes")
            if self.on_read is not None:
                self.on_read(self.count)
        return data

    def readable(self) -> bool:
        return True

    @property
    def digest(self) -> str:
        return f"{self.algorithm}:{self._hash.hexdigest()}"

    def verify(self, expected: str, what: str) -> None:
        """Raise :class:`DigestMismatch` unless everything read hashes to ``expected``."""
        if self.digest != expected:
            raise DigestMismatch(f"{what}: content digest {self.digest} does not match {expected}")


class _Peeked:
    """A stream with its first bytes already read."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0:
                data, self._head = self._head + self._stream.read(), b""
                return data
            data, self._head = self._head[:n], self._head[n:]
            if len(data) < n:
                data += self._stream.read(n - len(data))
            return data
        return self._stream.read(n)

    def readable(self) -> bool:
        return True


def compression_of(head: bytes) -> str:
    """``gzip``, ``zstd`` or ``none``, from a blob's first bytes (media types are not trusted)."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return "none"


def decompressed(stream: BinaryIO) -> tuple[BinaryIO, str]:
    """The uncompressed view of a layer blob and the compression found."""
    head = stream.read(4)
    peeked = cast(BinaryIO, _Peeked(head, stream))
    kind = compression_of(head)
    if kind == "gzip":
        return cast(BinaryIO, GzipStream(peeked)), kind
    if kind == "zstd":
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(peeked, read_across_frames=True)
        return cast(BinaryIO, reader), kind
    return peeked, kind


class GzipStream:
    """Decompresses gzip (several members too) with ISA-L, never producing more than asked per read."""

    def __init__(self, stream: BinaryIO) -> None:
        from isal import isal_zlib

        self._zlib = isal_zlib
        self._stream = stream
        self._inflater = isal_zlib.decompressobj(wbits=31)
        self._pending = b""
        self._done = False

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            return b"".join(iter(lambda: self.read(CHUNK), b""))
        while not self._done:
            data = self._pending or self._inflater.unconsumed_tail
            if not data:
                data = self._stream.read(CHUNK)
                if not data:
                    if not self._inflater.eof:
                        raise EOFError("compressed data ended before the end-of-stream marker")
                    self._done = True
                    break
            self._pending = b""
            if self._inflater.eof:  # another gzip member follows
                self._inflater = self._zlib.decompressobj(wbits=31)
            out = self._inflater.decompress(data, n)
            if self._inflater.eof and self._inflater.unused_data:
                self._pending = self._inflater.unused_data
                if not self._pending.strip(b"\0"):
                    self._pending = b""  # zero padding after the last member, as gzip tolerates
            if out:
                return out
        return b""

    def readable(self) -> bool:
        return True


class BombGuard:
    """Refuses a layer whose output grows far faster than its input (a decompression bomb)."""

    def __init__(self, compressed: HashingReader) -> None:
        self._compressed = compressed

    def __call__(self, produced: int) -> None:
        if produced > BOMB_CHECK_AFTER and produced > BOMB_RATIO * max(self._compressed.count, 1):
            raise LayerError(
                f"layer refused: {produced} bytes from {self._compressed.count} compressed bytes "
                f"(ratio over {BOMB_RATIO}, a decompression bomb)"
            )


class Prefetcher:
    """Reads a stream ahead in a worker thread (decompression and hashing release the GIL), so that
    the tar parsing in the caller's thread overlaps with them. Errors reach the reader in order."""

    DEPTH = 8

    def __init__(self, stream: BinaryIO, chunk: int = CHUNK) -> None:
        import queue
        import threading

        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(self.DEPTH)
        self._stop = threading.Event()
        self._buf = b""
        self._eof = False
        self._thread = threading.Thread(target=self._fill, args=(stream, chunk), daemon=True)
        self._thread.start()

    def _fill(self, stream: BinaryIO, chunk: int) -> None:
        import queue

        item: bytes | BaseException
        while not self._stop.is_set():
            try:
                item = stream.read(chunk)
            except BaseException as error:  # handed to the reader, raised there
                item = error
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if not isinstance(item, bytes) or not item:
                return

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._buf) < n):
            item = self._queue.get()
            if isinstance(item, BaseException):
                self._eof = True
                raise item
            if not item:
                self._eof = True
                break
            self._buf = self._buf + item if self._buf else item
        if n < 0:
            data, self._buf = self._buf, b""
        else:
            data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
