"""Registry authentication: anonymous, basic, and bearer tokens from a ``WWW-Authenticate`` challenge.

A registry answers 401 with a challenge. ``Basic`` asks for the credentials on every request;
``Bearer realm=...,service=...,scope=...`` sends us to a token server that trades credentials (or
nothing, for public images) for a short-lived token valid for a set of scopes
(``repository:NAME:pull,push``). Tokens are cached per (realm, service, scopes) until shortly before
they expire and fetched again afterwards, or at once when the registry rejects one. Once a registry
has shown its challenge, later requests carry a token from the start instead of collecting a 401.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from seawall.registry.credentials import Credentials, find_credentials
from seawall.registry.errors import AuthError
from seawall.registry.options import RegistryOptions

log = logging.getLogger(__name__)

DEFAULT_EXPIRY = 60
EXPIRY_MARGIN = 10.0
MAX_TOKEN_RESPONSE = 1024 * 1024
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TOKEN}))\s*(?:,|$)')
_SCHEME = re.compile(rf"\s*,?\s*({_TOKEN})(?:\s+|$)")


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lowercase: "basic", "bearer"
    params: dict[str, str]

    @property
    def realm(self) -> str:
        return self.params.get("realm", "")


def parse_challenges(values: list[str]) -> list[Challenge]:
    """The challenges in ``WWW-Authenticate`` header values (several per value are allowed)."""
    found: list[Challenge] = []
    for value in values:
        position = 0
        while position < len(value) and len(found) < 16:
            scheme = _SCHEME.match(value, position)
            if not scheme:
                break
            position = scheme.end()
            params: dict[str, str] = {}
            while position < len(value):
                param = _PARAM.match(value, position)
                if not param:
                    break
                quoted, plain = param.group(2), param.group(3)
                params[param.group(1).lower()] = (
                    re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else plain or ""
                )
                position = param.end()
            found.append(Challenge(scheme.group(1).lower(), params))
    return found


def repository_scope(repository: str, actions: str = "pull") -> str:
    return f"repository:{repository}:{actions}"


CATALOG_SCOPE = "registry:catalog:*"


@dataclass
class _Token:
    value: str
    expires: float  # time.monotonic()


class TokenCache:
    """Bearer tokens by (realm, service, scopes), dropped shortly before they expire."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
            if token is None or time.monotonic() >= token.expires:
                self._tokens.pop(key, None)
                return None
            return token.value

    def put(self, key: tuple[str, str, str], value: str, lifetime: float) -> None:
        margin = min(EXPIRY_MARGIN, lifetime / 5)
        with self._lock:
            self._tokens[key] = _Token(value, time.monotonic() + lifetime - margin)

    def drop(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


TokenFetch = Callable[..., httpx.Response]


def error_reason(response: httpx.Response) -> str:
    """The registry's own words for an error response: the first ``errors[]`` code and message."""
    try:
        document: Any = response.json()
    except (ValueError, UnicodeDecodeError, httpx.ResponseNotRead):
        document = None
    if isinstance(document, dict):
        errors = document.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            parts = [str(first.get(k, "")) for k in ("code", "message") if first.get(k)]
            if parts:
                return ": ".join(parts)[:300]
        for key in ("error_description", "error", "details", "message"):
            if isinstance(document.get(key), str):
                return str(document[key])[:300]
    return response.reason_phrase or f"HTTP {response.status_code}"


class Authenticator:
    """The Authorization header for one registry, learning its challenge on the first 401."""

    def __init__(self, registry: str, options: RegistryOptions, fetch: TokenFetch, plain_http: bool) -> None:
        self.registry = registry
        self.options = options
        self._fetch = fetch
        self._plain_http = plain_http
        self._challenge: Challenge | None = None
        self._credentials: Credentials | None = None
        self.tokens = TokenCache()

    @property
    def credentials(self) -> Credentials:
        if self._credentials is None:
            self._credentials = find_credentials(self.registry, self.options)
        return self._credentials

    def header(self, scopes: tuple[str, ...]) -> str | None:
        """The header to send before any 401, when the registry's challenge is already known."""
        challenge = self._challenge
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            return self._basic()
        return self._bearer(challenge, scopes, fresh=False)

    def after_401(self, response: httpx.Response, scopes: tuple[str, ...], sent: str | None) -> str:
        """The header to retry with after a 401, or :class:`AuthError` when there is none to try."""
        challenges = parse_challenges(response.headers.get_list("www-authenticate"))
        chosen = next((c for c in challenges if c.scheme == "bearer"), None) or next(
            (c for c in challenges if c.scheme == "basic"), None
        )
        if chosen is None:
            raise AuthError(f"{self.registry}: authentication required ({error_reason(response)})")
        self._challenge = chosen
        if chosen.scheme == "basic":
            header = self._basic()
            if header is None:
                raise AuthError(
                    f"{self.registry}: authentication required and no credentials found "
                    "(docker login, or SEAWALL_REGISTRY_USERNAME and SEAWALL_REGISTRY_PASSWORD)"
                )
            if header == sent:
                raise self.refusal(response, scopes, sent)
            return header
        retrying = sent is not None and sent.startswith("Bearer ")
        if retrying and chosen.params.get("error") == "insufficient_scope":
            raise self.refusal(response, scopes, sent)
        wanted = tuple(dict.fromkeys((*scopes, *chosen.params.get("scope", "").split())))
        return self._bearer(chosen, wanted, fresh=retrying)

    def refusal(self, response: httpx.Response, scopes: tuple[str, ...], sent: str | None) -> AuthError:
        """The error for a 401 that fresh credentials did not cure."""
        reason = error_reason(response)
        if sent is not None and sent.startswith("Basic "):
            return AuthError(f"{self.registry}: the credentials were rejected ({reason})")
        challenges = parse_challenges(response.headers.get_list("www-authenticate"))
        problem = next((c.params.get("error", "") for c in challenges if c.params.get("error")), "")
        if problem == "insufficient_scope":
            anonymous = " to anonymous users" if self.credentials.empty else ""
            return AuthError(
                f"{self.registry}: the token grants no {' '.join(scopes) or 'such'} access{anonymous} "
                f"(insufficient_scope: {reason})"
            )
        return AuthError(f"{self.registry}: not authorized ({reason}{'; ' + problem if problem else ''})")

    def _basic(self) -> str | None:
        credentials = self.credentials
        if not (credentials.username or credentials.password):
            return None
        pair = f"{credentials.username}:{credentials.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    def _bearer(self, challenge: Challenge, scopes: tuple[str, ...], fresh: bool) -> str:
        realm, service = challenge.realm, challenge.params.get("service", "")
        key = (realm, service, " ".join(sorted(scopes)))
        if fresh:
            self.tokens.drop(key)
        cached = self.tokens.get(key)
        if cached is not None:
            return f"Bearer {cached}"
        credentials = self.credentials
        if credentials.registry_token:
            return f"Bearer {credentials.registry_token}"
        token, lifetime = self._request_token(realm, service, scopes, credentials)
        self.tokens.put(key, token, lifetime)
        return f"Bearer {token}"

    def _check_realm(self, realm: str) -> None:
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            raise AuthError(f"{self.registry}: the token realm {realm[:200]!r} is not a plain http(s) URL")
        if parts.scheme == "http" and not (self._plain_http or self.options.is_insecure(parts.netloc)):
            raise AuthError(
                f"{self.registry}: refusing to send credentials to the plain-HTTP token realm "
                f"{parts.netloc} (name it with --insecure-registry to allow)"
            )

    def _request_token(
        self, realm: str, service: str, scopes: tuple[str, ...], credentials: Credentials
    ) -> tuple[str, float]:
        self._check_realm(realm)
        if credentials.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": credentials.identity_token,
                "client_id": self.options.user_agent,
                "scope": " ".join(scopes),
            }
            if service:
                form["service"] = service
            response = self._fetch("POST", realm, data=form)
        else:
            params: list[tuple[str, str]] = [("service", service)] if service else []
            params += [("scope", scope) for scope in scopes]
            headers = {}
            basic = self._basic()
            if basic is not None:
                headers["Authorization"] = basic
            response = self._fetch("GET", realm, params=params, headers=headers)
        where = urlsplit(realm).netloc
        if response.status_code in (401, 403):
            raise AuthError(
                f"{self.registry}: the token server {where} refused "
                f"{'the credentials' if not self.credentials.empty else 'anonymous access'} "
                f"({response.status_code}: {error_reason(response)})"
            )
        if response.status_code != 200:
            raise AuthError(
                f"{self.registry}: the token server {where} answered {response.status_code} "
                f"({error_reason(response)})"
            )
        return self._parse_token(response, where)

    def _parse_token(self, response: httpx.Response, where: str) -> tuple[str, float]:
        if len(response.content) > MAX_TOKEN_RESPONSE:
            raise AuthError(f"{self.registry}: the token server {where} sent an oversized answer")
        try:
            document = response.json()
        except (ValueError, UnicodeDecodeError):
            document = None
        if not isinstance(document, dict):
            raise AuthError(f"{self.registry}: the token server {where} did not answer a JSON object")
        token = document.get("token") or document.get("access_token")
        if not isinstance(token, str) or not token or any(c in token for c in "\r\n "):
            raise AuthError(f"{self.registry}: the token server {where} sent no usable token")
        expires = document.get("expires_in")
        lifetime = float(expires) if isinstance(expires, int | float) and expires > 0 else DEFAULT_EXPIRY
        log.debug("token from %s for %s, valid %ds", where, self.registry, lifetime)
        return token, min(lifetime, 24 * 3600.0)
