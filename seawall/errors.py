"""Errors that end a command with a clear one-line message and a distinct exit code (see DESIGN.md)."""

from __future__ import annotations


class SeawallError(Exception):
    """Base of every error that is the input's fault, not ours. Exit code 2 unless a subclass says."""

    exit_code = 2


class UsageError(SeawallError):
    """A bad command line: an unknown target kind, a malformed platform, conflicting options."""


class ImageError(SeawallError):
    """The image cannot be read: missing file or blob, malformed manifest, unsupported media type."""


class DigestMismatch(ImageError):
    """A blob's content does not match the digest that names it."""


class LayerError(ImageError):
    """A layer's tar stream is corrupt, truncated, or exceeds a safety limit."""
