"""Errors of the vulnerability database: a bad source or DB ends a command (exit 2), a bad record does not."""

from __future__ import annotations

from seawall.errors import SeawallError


class DatabaseError(SeawallError):
    """The database file is missing, corrupt, truncated, or of another schema version."""


class SourceError(SeawallError):
    """A feed source cannot be read at all: missing path, unknown format, corrupt archive."""


class FeedError(Exception):
    """One feed file or record cannot be parsed; the build skips it with a counted warning."""
