"""Servers for the registry tests, all on 127.0.0.1 and all stopped at the end.

* :class:`RegistryProcess`: Debian's ``docker-registry`` (CNCF distribution 2.8) in one of four modes:
  ``noauth``, ``htpasswd`` (bcrypt, made with ``htpasswd -Bbc``), ``token`` (trusting the JWTs of
  :class:`TokenServer` through ``rootcertbundle``) and ``tls`` (HTTPS with a certificate of a test CA).
* :class:`TokenServer`: a small token server issuing RS256 JWTs (signed with ``openssl dgst``) whose
  header carries the signing certificate (``x5c``), the chain distribution verifies.
* :class:`FaultRegistry`: a hand-written registry that misbehaves on request: slow answers, truncated
  bodies, wrong digests, malformed manifests, error statuses, paginated tag lists.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

USERS = {"alice": "wonderland", "bob": "builder"}
REFRESH_TOKEN = "alice-refresh-token"  # what `docker login` would keep as alice's identitytoken
SERVICE = "seawall-test-registry"
ISSUER = "seawall-test-issuer"
START_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def openssl(*args: str, data: bytes | None = None) -> bytes:
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace')[:300]}")
    return done.stdout


def self_signed(directory: Path, name: str, ip: str = "") -> tuple[Path, Path]:
    """A key and a self-signed certificate (valid for ``ip`` when given), made with the openssl CLI."""
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
    args += ["-days", "2", "-subj", f"/CN={name}"]
    if ip:
        args += ["-addext", f"subjectAltName=IP:{ip}"]
    openssl(*args)
    return key, cert


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _serve(server: ThreadingHTTPServer) -> threading.Thread:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


# --- token server ------------------------------------------------------------------------------


@dataclass
class TokenServer:
    """Grants: alice everything (push, pull, catalog); bob pull only; anonymous pull on ``public/*``."""

    directory: Path
    lifetime: int = 300
    issued: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    stale_next: int = 0  # tokens to issue already expired (the registry will refuse them)
    port: int = 0

    def start(self) -> None:
        self.key, self.cert = self_signed(self.directory, "token-issuer")
        self._x5c = base64.b64encode(openssl("x509", "-in", str(self.cert), "-outform", "DER")).decode()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner._answer(self)

            def do_POST(self) -> None:
                owner._answer(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        _serve(self._server)

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _user(self, handler: BaseHTTPRequestHandler) -> str | None:
        header = handler.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return ""
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user if USERS.get(user) == password else None

    def _grant(self, user: str, scope: str) -> dict[str, Any] | None:
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        wanted = [a for a in actions.split(",") if a]
        if kind == "registry":
            return {"type": kind, "name": name, "actions": wanted} if user == "alice" else None
        if user == "alice":
            granted = wanted
        elif user == "bob" or name.startswith("public/"):
            granted = [a for a in wanted if a == "pull"]
        else:
            granted = []
        return {"type": kind, "name": name, "actions": granted}

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        user = self._user(handler)
        if handler.command == "POST":  # OAuth2 refresh-token grant (an identity token from docker login)
            length = int(handler.headers.get("Content-Length", "0"))
            query = parse_qs(handler.rfile.read(min(length, 65536)).decode())
            query["scope"] = " ".join(query.get("scope", [])).split()
            refresh = query.get("refresh_token", [""])[0]
            user = (
                "alice" if query.get("grant_type") == ["refresh_token"] and refresh == REFRESH_TOKEN else None
            )
        if user is None:
            body = json.dumps({"details": "incorrect username or password"}).encode()
            handler.send_response(401)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        scopes = tuple(query.get("scope", []))
        access = [g for g in (self._grant(user, s) for s in scopes) if g is not None]
        self.issued.append((user, scopes))
        now = int(time.time())
        expiry = now + self.lifetime
        if self.stale_next > 0:
            self.stale_next -= 1
            expiry = now - 3600  # beyond distribution's 60 s leeway
        claims = {
            "iss": ISSUER,
            "sub": user,
            "aud": query.get("service", [""])[0],
            "exp": expiry,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = openssl("dgst", "-sha256", "-sign", str(self.key), data=signing_input.encode())
        token = f"{signing_input}.{_b64url(signature)}"
        issued_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        key = "access_token" if handler.command == "POST" else "token"
        body = json.dumps({key: token, "expires_in": self.lifetime, "issued_at": issued_at}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


# --- the real registry -------------------------------------------------------------------------


@dataclass
class RegistryProcess:
    mode: str  # noauth | htpasswd | token | tls
    directory: Path
    token_server: TokenServer | None = None
    port: int = 0
    ca_file: Path | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "registry.log"

    def _config(self) -> str:
        lines = [
            "version: 0.1",
            "log: {level: info, accesslog: {disabled: false}}",
            "storage:",
            f"  filesystem: {{rootdirectory: {self.directory / 'data'}}}",
            "  delete: {enabled: true}",
            "  cache: {blobdescriptor: inmemory}",
            "http:",
            f"  addr: 127.0.0.1:{self.port}",
            "  secret: seawall-test-not-secret",
        ]
        if self.mode == "tls":
            key, cert = self_signed(self.directory, "registry", ip="127.0.0.1")
            self.ca_file = cert
            lines.append(f"  tls: {{certificate: {cert}, key: {key}}}")
        if self.mode == "htpasswd":
            htpasswd = self.directory / "htpasswd"
            for index, (user, password) in enumerate(USERS.items()):
                flags = "-Bbc" if index == 0 else "-Bb"
                subprocess.run(
                    ["htpasswd", flags, str(htpasswd), user, password], check=True, capture_output=True
                )
            lines += ["auth:", "  htpasswd:", "    realm: seawall-test-realm", f"    path: {htpasswd}"]
        if self.mode == "token":
            assert self.token_server is not None
            lines += [
                "auth:",
                "  token:",
                f"    realm: {self.token_server.realm}",
                f"    service: {SERVICE}",
                f"    issuer: {ISSUER}",
                f"    rootcertbundle: {self.token_server.cert}",
            ]
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.mode == "token":
            self.token_server = TokenServer(self.directory)
            self.token_server.start()
        self.port = free_port()
        config = self.directory / "config.yml"
        config.write_text(self._config())
        self._log_handle = self.log.open("wb")
        self.process = subprocess.Popen(
            ["docker-registry", "serve", str(config)], stdout=self._log_handle, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"docker-registry exited: {self.log.read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("docker-registry did not start listening")

    def stop(self) -> None:
        if getattr(self, "process", None) is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "_log_handle", None) is not None:
            self._log_handle.close()
        if self.token_server is not None:
            self.token_server.stop()

    def push(self, image: Path, destination: str, creds: str = "", tag: str = "latest", fmt: str = "") -> str:
        """skopeo copy an OCI layout's ``tag`` to ``REPO:TAG`` here (``fmt`` ``v2s2`` converts it to a
        Docker v2 schema 2 manifest); returns the full reference."""
        target = f"{self.host}/{destination}"
        args = ["skopeo", "copy", "-q", "--dest-tls-verify=false"]
        if self.ca_file is not None:
            args = ["skopeo", "copy", "-q", "--dest-cert-dir", str(self._cert_dir())]
        if creds:
            args += ["--dest-creds", creds]
        if fmt:
            args += ["--format", fmt]
        done = subprocess.run(
            [*args, f"oci:{image}:{tag}", f"docker://{target}"], capture_output=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"skopeo push to {target} failed: {done.stderr.decode(errors='replace')[-500:]}"
            )
        return target

    def _cert_dir(self) -> Path:
        directory = self.directory / "certs.d"
        directory.mkdir(exist_ok=True)
        assert self.ca_file is not None
        shutil.copy(self.ca_file, directory / "ca.crt")
        return directory

    def access_log(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request the registry logged so far."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            match = re.search(r'"(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+) HTTP/[\d.]+" (\d{3})', line)
            if match:
                found.append((match.group(1), match.group(2), int(match.group(3))))
        return found

    def blob_gets(self, repository: str) -> list[str]:
        prefix = f"/v2/{repository}/blobs/"
        return [
            path[len(prefix) :]
            for method, path, _ in self.access_log()
            if method == "GET" and path.startswith(prefix)
        ]


# --- the misbehaving registry ------------------------------------------------------------------


Action = str | Callable[[BaseHTTPRequestHandler], None]


@dataclass
class FaultRegistry:
    """A registry API served by hand. ``manifests[(repo, ref)] = (media_type, body)``; ``blobs[digest]``.
    ``faults[path]`` is a list of actions used one per request (the last one repeats): ``ok``,
    ``slow``, ``truncate``, ``wrong-digest``, ``status:CODE[:RETRY_AFTER]``."""

    manifests: dict[tuple[str, str], tuple[str, bytes]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, list[Action]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    slow_seconds: float = 1.0
    port: int = 0

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def do_GET(self) -> None:
                owner._handle(self)

            def do_HEAD(self) -> None:
                owner._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        _serve(self._server)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_blob(self, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return digest

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and p == path)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        if "Content-Length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def _error(self, handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self._send(handler, status, body, {"Content-Type": "application/json"})

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path  # a proxied request carries an absolute URL: its path is the same
        self.requests.append((handler.command, handler.path, dict(handler.headers.items())))
        actions = self.faults.get(path, ["ok"])
        action = actions.pop(0) if len(actions) > 1 else actions[0]
        if callable(action):
            action(handler)
            return
        if action == "slow":
            time.sleep(min(self.slow_seconds, 5.0))
        elif action.startswith("status:"):
            _, code, *rest = action.split(":")
            extra = {"Retry-After": rest[0]} if rest else {}
            body = json.dumps(
                {
                    "errors": [
                        {"code": "DENIED" if code == "403" else "UNAVAILABLE", "message": f"injected {code}"}
                    ]
                }
            ).encode()
            self._send(handler, int(code), body, {"Content-Type": "application/json", **extra})
            return
        self._route(handler, path, parse_qs(parts.query), action)

    def _route(
        self, handler: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]], action: str
    ) -> None:
        if path == "/v2/":
            self._send(handler, 200, b"{}", {"Content-Type": "application/json"})
            return
        match = re.fullmatch(r"/v2/(.+)/(manifests|blobs|tags|referrers)/(.+)", path)
        if not match:
            self._error(handler, 404, "NAME_UNKNOWN", "no route")
            return
        repository, kind, ref = match.groups()
        if kind == "manifests" and (repository, ref) in self.manifests:
            media_type, body = self.manifests[(repository, ref)]
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
            if action == "wrong-digest":
                digest = "sha256:" + hashlib.sha256(body + b" ").hexdigest()
            headers = {"Content-Type": media_type, "Docker-Content-Digest": digest}
            self._send(handler, 200, body, headers)
            return
        if kind == "blobs" and ref in self.blobs:
            self._blob(handler, self.blobs[ref], action)
            return
        if kind == "tags" and ref == "list" and repository in self.tags:
            self._tags(handler, repository, query)
            return
        self._error(handler, 404, "MANIFEST_UNKNOWN" if kind == "manifests" else "BLOB_UNKNOWN", "unknown")

    def _blob(self, handler: BaseHTTPRequestHandler, data: bytes, action: str) -> None:
        start = 0
        asked = handler.headers.get("Range", "")
        headers = {"Content-Type": "application/octet-stream"}
        status = 200
        if asked.startswith("bytes=") and action != "no-range":
            start = int(asked[6:].split("-")[0])
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        if action == "wrong-content":
            body = bytes([body[0] ^ 1]) + body[1:]
        if action == "truncate":
            headers["Content-Length"] = str(len(body))
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body[: max(1, len(body) // 2)])
            handler.wfile.flush()
            handler.close_connection = True
            return
        self._send(handler, status, body, headers)

    def _tags(self, handler: BaseHTTPRequestHandler, repository: str, query: dict[str, list[str]]) -> None:
        tags = sorted(self.tags[repository])
        last = query.get("last", [""])[0]
        size = int(query.get("n", ["1000"])[0])
        remaining = [t for t in tags if t > last]
        page = remaining[:size]
        headers = {"Content-Type": "application/json"}
        if len(remaining) > size:
            headers["Link"] = f'</v2/{repository}/tags/list?last={page[-1]}&n={size}>; rel="next"'
        self._send(handler, 200, json.dumps({"name": repository, "tags": page}).encode(), headers)
