"""Registry errors: each ends a command with one line naming the registry and the reason (exit 2)."""

from __future__ import annotations

from seawall.errors import ImageError


class RegistryError(ImageError):
    """A registry could not give what was asked: unreachable, refused, or answered nonsense."""


class RegistryUnavailable(RegistryError):
    """The registry did not answer (connection refused, timeout, TLS failure, 5xx after retries)."""


class AuthError(RegistryError):
    """401 or 403: missing, wrong or insufficient credentials."""


class NotFound(RegistryError):
    """404: no such repository, tag, manifest or blob."""
