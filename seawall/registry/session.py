"""HTTP to one registry: scheme and TLS, authentication, retries, errors in one line, no secrets in logs.

HTTPS with certificate verification always, except for hosts named insecure (``--insecure-registry``),
which are spoken to in plain HTTP; loopback is not implied. The CA bundle is the system's, plus
``options.ca_file`` (``--ca-file``), or ``SSL_CERT_FILE``. Proxy variables (``HTTPS_PROXY``,
``HTTP_PROXY``, ``NO_PROXY``) are honoured. Requests that can be repeated are retried on 429 and 5xx
answers, timeouts and broken connections, with exponential backoff, and after the ``Retry-After`` the
registry asks for (bounded by ``options.max_wait``). A refused connection fails at once.

Bodies are read with a size cap. Only request lines are logged (here and by httpx), never headers or bodies.
The HTTP client is made per process: a forked worker opens its own connections, never the parent's.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from seawall.registry.auth import Authenticator, error_reason
from seawall.registry.errors import AuthError, NotFound, RegistryError, RegistryUnavailable
from seawall.registry.options import RegistryOptions

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})
ERROR_BODY_LIMIT = 64 * 1024
DEFAULT_LIMIT = 4 * 1024 * 1024
MAX_REDIRECTS = 5
_SECRET = re.compile(r"(?i)\b(authorization|bearer|basic)\b([\s:=]+)[^\s,;\"']+")


def redact(text: str) -> str:
    """``text`` with anything that follows ``Authorization``, ``Bearer`` or ``Basic`` blanked."""
    return _SECRET.sub(r"\1\2[redacted]", text)


@dataclass(frozen=True)
class Reply:
    """A complete answer: status, headers and a body read within a size cap."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    def json(self, what: str) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise RegistryError(f"{what}: the registry answered something that is not JSON") from None


def retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def ssl_context(options: RegistryOptions) -> ssl.SSLContext:
    """The system trust store, plus ``options.ca_file`` or else ``SSL_CERT_FILE``."""
    context = ssl.create_default_context()
    ca_file = options.ca_file or (os.environ.get("SSL_CERT_FILE") or None)
    if ca_file:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as error:
            raise RegistryError(f"{ca_file}: cannot load the CA bundle ({error})") from None
    return context


class Session:
    """Requests to one registry host, authenticated as needed."""

    def __init__(self, host: str, options: RegistryOptions) -> None:
        self.host = host
        self.options = options
        self.plain_http = options.is_insecure(host)
        self.base = f"{'http' if self.plain_http else 'https'}://{host}"
        self.auth = Authenticator(host, options, self._fetch_token, self.plain_http)
        self._client: httpx.Client | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self.requests = 0

    def client(self) -> httpx.Client:
        """This process's HTTP client (made anew in a forked child; the parent's is left alone)."""
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client = httpx.Client(
                    verify=ssl_context(self.options) if not self.plain_http else False,
                    timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
                    follow_redirects=True,
                    max_redirects=MAX_REDIRECTS,
                    trust_env=True,
                    headers={"User-Agent": self.options.user_agent},
                )
                self._pid = os.getpid()
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None and self._pid == os.getpid():
                self._client.close()
            self._client = None

    def url(self, path: str) -> str:
        """An absolute URL on this registry for a path (or for an absolute URL the registry gave)."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base + (path if path.startswith("/") else "/" + path)

    def _where(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.netloc}{parts.path}"

    def _transport_error(self, error: httpx.TransportError, url: str) -> RegistryError:
        where = self._where(url)
        text = redact(str(error)) or type(error).__name__
        if isinstance(error, httpx.TimeoutException):
            return RegistryUnavailable(f"{where}: timed out ({type(error).__name__})")
        if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(error.__cause__, ssl.SSLError):
            return RegistryUnavailable(
                f"{self.host}: TLS certificate verification failed ({text}); "
                "give the CA with --ca-file or SSL_CERT_FILE"
            )
        if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
            return RegistryUnavailable(
                f"{self.host}: TLS handshake failed ({text}); a plain-HTTP registry must be named "
                "with --insecure-registry"
            )
        if isinstance(error, httpx.ConnectError):
            return RegistryUnavailable(f"{self.host}: cannot connect ({text})")
        return RegistryUnavailable(f"{where}: the connection failed ({text})")

    @staticmethod
    def _transient(error: httpx.TransportError) -> bool:
        """Worth another try: a timeout or a connection that broke. Not a refused connection, a failed
        TLS handshake or an unknown host, which the next try would meet again."""
        return isinstance(error, httpx.TimeoutException) or not isinstance(error, httpx.ConnectError)

    def backoff(self, attempt: int, answer: httpx.Headers | None = None) -> float:
        asked = retry_after(answer) if answer is not None else None
        if asked is not None:
            return min(asked, self.options.max_wait)
        delay: float = self.options.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
        return min(delay, self.options.max_wait)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        params: Any,
        content: bytes | None,
        data: dict[str, str] | None,
    ) -> httpx.Response:
        try:
            request = self.client().build_request(
                method, url, headers=headers, params=params, content=content, data=data
            )
        except (httpx.InvalidURL, ValueError) as error:
            raise RegistryError(f"{self.host}: unusable URL {self._where(url)[:200]!r} ({error})") from None
        self.requests += 1
        started = time.monotonic()
        try:
            response = self.client().send(request, stream=True)
        except httpx.TransportError:
            log.debug("%s %s -> failed after %.2fs", method, self._where(url), time.monotonic() - started)
            raise
        except httpx.HTTPError as error:  # too many redirects, undecodable content
            raise RegistryError(f"{self._where(url)}: {redact(str(error))[:300]}") from None
        return response  # httpx itself logs each request line at INFO (shown with --debug)

    def open(
        self,
        method: str,
        path: str,
        *,
        scopes: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
        params: Any = None,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        authenticate: bool = True,
    ) -> httpx.Response:
        """Send a request and return the open (streaming) response once it is final: authenticated,
        retried as allowed. The caller closes it. Error statuses are returned, not raised."""
        url = self.url(path)
        attempts = 1 + max(0, self.options.retries) if method in IDEMPOTENT or content is None else 1
        sent = self.auth.header(scopes) if authenticate else None
        auth_tries = 0
        attempt = 0
        while True:
            attempt += 1
            request_headers = dict(headers or {})
            if sent is not None:
                request_headers["Authorization"] = sent
            try:
                response = self._send(method, url, request_headers, params, content, data)
            except httpx.TransportError as error:
                if attempt < attempts and self._transient(error):
                    time.sleep(self.backoff(attempt))
                    continue
                raise self._transport_error(error, url) from None
            if response.status_code == 401 and authenticate:
                body = read_capped(response, ERROR_BODY_LIMIT, tolerant=True)
                response.close()
                answer = httpx.Response(401, headers=response.headers, content=body)
                auth_tries += 1
                if auth_tries > 2:
                    raise self.auth.refusal(answer, scopes, sent)
                renewed = self.auth.after_401(answer, scopes, sent)
                if renewed == sent:
                    raise self.auth.refusal(answer, scopes, sent)
                sent = renewed
                attempt -= 1
                continue
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                wait = self.backoff(attempt, response.headers)
                response.close()
                log.debug(
                    "%s %s: %d, retrying in %.2fs", method, self._where(url), response.status_code, wait
                )
                time.sleep(wait)
                continue
            return response

    def request(
        self,
        method: str,
        path: str,
        *,
        scopes: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
        params: Any = None,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        limit: int = DEFAULT_LIMIT,
        authenticate: bool = True,
    ) -> Reply:
        """A complete answer; a body over ``limit`` bytes is refused (error bodies are cut short)."""
        response = self.open(
            method,
            path,
            scopes=scopes,
            headers=headers,
            params=params,
            content=content,
            data=data,
            authenticate=authenticate,
        )
        try:
            cap = limit if response.status_code < 400 else ERROR_BODY_LIMIT
            body = (
                b"" if method == "HEAD" else read_capped(response, cap, tolerant=response.status_code >= 400)
            )
        except httpx.TransportError as error:
            raise self._transport_error(error, str(response.url)) from None
        except httpx.HTTPError as error:
            raise RegistryError(f"{self._where(str(response.url))}: {redact(str(error))[:300]}") from None
        finally:
            response.close()
        return Reply(response.status_code, response.headers, body, str(response.url))

    def _fetch_token(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        reply = self.request(method, url, authenticate=False, limit=1024 * 1024, **kwargs)
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)

    def fail(self, reply: Reply | httpx.Response, what: str) -> RegistryError:
        """The error for an unexpected answer, with the registry's reason."""
        status = reply.status if isinstance(reply, Reply) else reply.status_code
        body = reply.body if isinstance(reply, Reply) else b""
        reason = error_reason(httpx.Response(status, headers=reply.headers, content=body))
        if status == 404:
            return NotFound(f"{what}: not found ({reason})")
        if status == 401:
            return AuthError(f"{what}: not authorized ({reason})")
        if status == 403:
            return AuthError(f"{what}: access denied ({reason})")
        if status in RETRY_STATUSES:
            return RegistryUnavailable(f"{what}: the registry answered {status} ({reason})")
        return RegistryError(f"{what}: the registry answered {status} ({reason})")


def read_capped(response: httpx.Response, limit: int, tolerant: bool = False) -> bytes:
    """The body of a streaming response, refusing more than ``limit`` bytes (or, when ``tolerant``,
    keeping the first ``limit`` bytes and ignoring a connection that breaks)."""
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                if tolerant:
                    chunks.append(chunk[: limit - (total - len(chunk))])
                    break
                raise RegistryError(f"{urlsplit(str(response.url)).path}: the answer exceeds {limit} bytes")
            chunks.append(chunk)
    except httpx.TransportError:
        if not tolerant:
            raise
    return b"".join(chunks)
