"""Registry credentials: explicit options first, then the Docker client configuration.

``$DOCKER_CONFIG/config.json`` (default ``~/.docker/config.json``): ``credHelpers[host]``, else
``credsStore``, name a credential helper, the program ``docker-credential-NAME`` found on PATH and run
as ``docker-credential-NAME get`` with the server on standard input (the only program Seawall runs,
and never one from an image); otherwise ``auths[host]`` holds ``auth`` (base64 ``user:password``),
``username``/``password``, an ``identitytoken`` (an OAuth2 refresh token) or a ``registrytoken``.
Secrets never appear in a ``repr``, a log line or an error message.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.registry.errors import AuthError
from seawall.registry.options import RegistryOptions
from seawall.registry.reference import DOCKER_HUB, normalize_registry

log = logging.getLogger(__name__)

HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
HELPER_TIMEOUT = 30.0
MAX_CONFIG = 4 * 1024 * 1024
HELPER_HUB_SERVER = "https://index.docker.io/v1/"
TOKEN_USER = "<token>"


@dataclass(frozen=True)
class Credentials:
    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    registry_token: str = field(default="", repr=False)
    source: str = ""

    @property
    def empty(self) -> bool:
        return not (self.username or self.password or self.identity_token or self.registry_token)


ANONYMOUS = Credentials(source="anonymous")


def config_path(options: RegistryOptions) -> Path:
    if options.docker_config is not None:
        return options.docker_config
    directory = os.environ.get("DOCKER_CONFIG")
    return (Path(directory) if directory else Path.home() / ".docker") / "config.json"


def _config_key(key: str) -> str:
    """``https://index.docker.io/v1/`` -> ``docker.io``; ``http://host:5000/`` -> ``host:5000``."""
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", key.strip()).split("/", 1)[0]
    return normalize_registry(host)


def _load_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG + 1)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise AuthError(f"{path}: cannot read the Docker configuration ({error.strerror})") from None
    if len(raw) > MAX_CONFIG:
        raise AuthError(f"{path}: the Docker configuration is larger than {MAX_CONFIG} bytes")
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AuthError(f"{path}: the Docker configuration is not valid JSON") from None
    if not isinstance(document, dict):
        raise AuthError(f"{path}: the Docker configuration is not a JSON object")
    return document


def _from_auths(entry: Any, path: Path) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    username = str(entry.get("username") or "")
    password = str(entry.get("password") or "")
    encoded = entry.get("auth")
    if isinstance(encoded, str) and encoded:
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise AuthError(f"{path}: an 'auth' entry is not base64 of user:password") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise AuthError(f"{path}: an 'auth' entry is not base64 of user:password")
    found = Credentials(
        username=username,
        password=password,
        identity_token=str(entry.get("identitytoken") or ""),
        registry_token=str(entry.get("registrytoken") or ""),
        source=str(path),
    )
    return None if found.empty else found


def run_helper(name: str, registry: str) -> Credentials | None:
    """Ask ``docker-credential-NAME`` for the registry's credentials; None when it has none."""
    if not HELPER_NAME.fullmatch(name):
        raise AuthError(f"credential helper name {name!r} is not a plain program name")
    program = shutil.which(f"docker-credential-{name}")
    if program is None:
        raise AuthError(f"credential helper docker-credential-{name} is not on PATH")
    server = HELPER_HUB_SERVER if registry == DOCKER_HUB else registry
    try:
        done = subprocess.run(
            [program, "get"],
            input=server.encode(),
            capture_output=True,
            timeout=HELPER_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AuthError(
            f"credential helper docker-credential-{name} failed ({type(error).__name__})"
        ) from None
    if done.returncode != 0:
        message = done.stdout.decode(errors="replace").strip().splitlines()[:1]
        if message and "not found" in message[0].lower():
            return None
        raise AuthError(
            f"credential helper docker-credential-{name} exited with {done.returncode}"
            + (f": {message[0][:200]}" if message else "")
        )
    try:
        answer = json.loads(done.stdout)
        username, secret = str(answer.get("Username") or ""), str(answer.get("Secret") or "")
    except (ValueError, AttributeError):
        raise AuthError(f"credential helper docker-credential-{name} did not answer JSON") from None
    source = f"docker-credential-{name}"
    if username == TOKEN_USER:
        return Credentials(identity_token=secret, source=source)
    found = Credentials(username=username, password=secret, source=source)
    return None if found.empty else found


def find_credentials(registry: str, options: RegistryOptions) -> Credentials:
    """The credentials for ``registry`` (a normalised host), or :data:`ANONYMOUS`."""
    if options.username or options.password or options.token:
        return Credentials(options.username, options.password, registry_token=options.token, source="options")
    path = config_path(options)
    config = _load_config(path)
    registry = normalize_registry(registry)
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key, name in helpers.items():
            if _config_key(str(key)) == registry and isinstance(name, str):
                return run_helper(name, registry) or ANONYMOUS
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        found = run_helper(store, registry)
        if found is not None:
            return found
    auths = config.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if _config_key(str(key)) == registry:
                found = _from_auths(entry, path)
                if found is not None:
                    log.debug("credentials for %s from %s", registry, path)
                    return found
    return ANONYMOUS
