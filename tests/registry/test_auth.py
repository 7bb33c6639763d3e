"""Authentication: challenges, Docker credentials (config file and helpers), basic and token auth
against real registries, token scopes, expiry and refresh, and secrets kept out of messages."""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from pathlib import Path

import pytest

from seawall.errors import SeawallError
from seawall.registry.auth import Authenticator, parse_challenges
from seawall.registry.client import RegistryClient
from seawall.registry.credentials import find_credentials
from seawall.registry.errors import AuthError
from seawall.registry.options import RegistryOptions
from tests.registry.conftest import options_for
from tests.registry.servers import REFRESH_TOKEN, SERVICE, RegistryProcess


def test_challenges_parsed_as_rfc_7235() -> None:
    # The challenge Docker Hub sends (registry token auth spec) and a quoted comma and escape.
    header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'
    (bearer,) = parse_challenges([header])
    assert bearer.scheme == "bearer"
    assert bearer.params == {
        "realm": "https://auth.docker.io/token",
        "service": "registry.docker.io",
        "scope": "repository:samalba/my-app:pull,push",
    }
    basic, bearer2 = parse_challenges(['Basic realm="a \\"b\\", c", Bearer realm=x,error=insufficient_scope'])
    assert (basic.scheme, basic.realm) == ("basic", 'a "b", c')
    assert (bearer2.realm, bearer2.params["error"]) == ("x", "insufficient_scope")


def write_config(tmp_path: Path, document: dict[str, object]) -> RegistryOptions:
    path = tmp_path / "docker" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return RegistryOptions(docker_config=path)


def test_docker_config_auths(tmp_path: Path) -> None:
    encoded = base64.b64encode(b"alice:won:der").decode()
    options = write_config(
        tmp_path,
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": base64.b64encode(b"hub:secret").decode()},
                "http://registry.example:5000/": {"auth": encoded},
                "tokens.example": {"identitytoken": "refresh-me"},
            }
        },
    )
    hub = find_credentials("docker.io", options)
    assert (hub.username, hub.password) == ("hub", "secret")
    private = find_credentials("registry.example:5000", options)
    assert (private.username, private.password) == ("alice", "won:der")
    assert find_credentials("tokens.example", options).identity_token == "refresh-me"
    assert find_credentials("elsewhere.example", options).empty
    assert "secret" not in repr(hub) and "won:der" not in repr(private)


def test_docker_config_from_environment_and_explicit_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "cfg"
    directory.mkdir()
    (directory / "config.json").write_text(
        json.dumps({"auths": {"r.example": {"username": "u", "password": "p"}}})
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))
    assert find_credentials("r.example", RegistryOptions()).username == "u"
    monkeypatch.setenv("SEAWALL_REGISTRY_USERNAME", "flag-user")
    monkeypatch.setenv("SEAWALL_REGISTRY_PASSWORD", "flag-pass")
    assert find_credentials("r.example", RegistryOptions.from_environment()).username == "flag-user"


def test_broken_docker_config_is_a_clean_error(tmp_path: Path) -> None:
    options = write_config(tmp_path, {})
    assert options.docker_config is not None
    options.docker_config.write_text("{not json")
    with pytest.raises(AuthError, match="not valid JSON"):
        find_credentials("r.example", options)
    options.docker_config.write_text(json.dumps({"auths": {"r.example": {"auth": "%%%"}}}))
    with pytest.raises(AuthError, match="not base64"):
        find_credentials("r.example", options)


def make_helper(directory: Path, name: str, answer: dict[str, str] | None) -> None:
    """A docker-credential-NAME program (a shell script) answering like the real helpers do."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / f"docker-credential-{name}"
    if answer is None:
        body = "echo 'credentials not found in native keychain'; exit 1"
    else:
        body = f"cat > {directory}/asked-{name}; echo '{json.dumps(answer)}'"
    script.write_text(f'#!/bin/sh\n[ "$1" = get ] || exit 2\n{body}\n')
    script.chmod(0o755)


def test_credential_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    make_helper(bin_dir, "pass", {"ServerURL": "r.example", "Username": "helper-user", "Secret": "s3"})
    make_helper(bin_dir, "store", {"ServerURL": "x", "Username": "<token>", "Secret": "identity"})
    make_helper(bin_dir, "empty", None)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    options = write_config(
        tmp_path,
        {"credHelpers": {"r.example": "pass", "none.example": "empty"}, "credsStore": "store"},
    )
    found = find_credentials("r.example", options)
    assert (found.username, found.password) == ("helper-user", "s3")
    assert (bin_dir / "asked-pass").read_text() == "r.example"  # the server name on standard input
    assert find_credentials("none.example", options).empty
    assert find_credentials("docker.io", options).identity_token == "identity"
    assert (bin_dir / "asked-store").read_text() == "https://index.docker.io/v1/"
    with pytest.raises(AuthError, match="not a plain program name"):
        find_credentials("x.example", write_config(tmp_path, {"credHelpers": {"x.example": "../../bin/sh"}}))
    with pytest.raises(AuthError, match="not on PATH"):
        find_credentials("x.example", write_config(tmp_path, {"credHelpers": {"x.example": "missing"}}))


# --- htpasswd (basic) --------------------------------------------------------------------------


def test_basic_auth(htpasswd: RegistryProcess) -> None:
    anonymous = RegistryClient(htpasswd.host, options_for(htpasswd.host))
    with pytest.raises(AuthError, match="no credentials found"):
        anonymous.get_manifest("private/alpine", "latest")
    wrong = RegistryClient(htpasswd.host, options_for(htpasswd.host, username="alice", password="nope"))
    with pytest.raises(AuthError, match=r"credentials were rejected \(UNAUTHORIZED"):
        wrong.get_manifest("private/alpine", "latest")
    right = RegistryClient(htpasswd.host, options_for(htpasswd.host, username="alice", password="wonderland"))
    assert right.get_manifest("private/alpine", "latest").media_type.startswith("application/vnd.oci")
    assert "private/alpine" in list(right.catalog())


def test_basic_auth_from_docker_config(htpasswd: RegistryProcess, tmp_path: Path) -> None:
    options = write_config(
        tmp_path, {"auths": {htpasswd.host: {"auth": base64.b64encode(b"bob:builder").decode()}}}
    )
    client = RegistryClient(htpasswd.host, options_for(htpasswd.host, docker_config=options.docker_config))
    assert client.tags("private/alpine").__next__() == "latest"


# --- token auth --------------------------------------------------------------------------------


def test_token_auth_scopes_and_cache(token: RegistryProcess) -> None:
    server = token.token_server
    assert server is not None
    server.issued.clear()
    client = RegistryClient(token.host, options_for(token.host, username="bob", password="builder"))
    client.get_manifest("private/alpine", "latest")
    client.get_manifest("private/alpine", "latest")
    list(client.tags("private/alpine"))
    assert server.issued == [("bob", ("repository:private/alpine:pull",))]  # one token, reused
    with pytest.raises(AuthError, match=r"grants no repository:private/alpine:pull,push access \(insuff"):
        client.push_blob("private/alpine", b"bob may not push")
    assert server.issued[-1] == ("bob", ("repository:private/alpine:pull,push",))


def test_token_auth_anonymous_and_refused(token: RegistryProcess) -> None:
    anonymous = RegistryClient(token.host, options_for(token.host))
    assert anonymous.get_manifest("public/alpine", "latest").digest.startswith("sha256:")
    with pytest.raises(AuthError, match="grants no repository:private/alpine:pull access to anonymous users"):
        anonymous.get_manifest("private/alpine", "latest")
    wrong = RegistryClient(token.host, options_for(token.host, username="alice", password="x"))
    with pytest.raises(
        AuthError, match=r"token server \S+ refused the credentials \(401: incorrect username"
    ):
        wrong.get_manifest("private/alpine", "latest")


def test_identity_token_from_docker_config(token: RegistryProcess, tmp_path: Path) -> None:
    """An ``identitytoken`` is an OAuth2 refresh token: traded at the realm with a POST."""
    config = write_config(tmp_path, {"auths": {token.host: {"identitytoken": REFRESH_TOKEN}}})
    client = RegistryClient(token.host, options_for(token.host, docker_config=config.docker_config))
    assert client.get_manifest("private/alpine", "latest").data
    assert token.token_server is not None
    assert token.token_server.issued[-1] == ("alice", ("repository:private/alpine:pull",))
    wrong = write_config(tmp_path, {"auths": {token.host: {"identitytoken": "stolen"}}})
    with pytest.raises(AuthError, match="refused the credentials"):
        RegistryClient(token.host, options_for(token.host, docker_config=wrong.docker_config)).get_manifest(
            "private/alpine", "latest"
        )


def test_token_catalog_scope(token: RegistryProcess) -> None:
    alice = RegistryClient(token.host, options_for(token.host, username="alice", password="wonderland"))
    assert {"private/alpine", "public/alpine"} <= set(alice.catalog())
    assert token.token_server is not None
    assert token.token_server.issued[-1] == ("alice", ("registry:catalog:*",))


def test_token_refreshed_after_expiry(token: RegistryProcess) -> None:
    server = token.token_server
    assert server is not None
    server.lifetime = 1
    try:
        client = RegistryClient(token.host, options_for(token.host, username="bob", password="builder"))
        client.get_manifest("private/alpine", "latest")
        issued = len(server.issued)
        client.get_manifest("private/alpine", "latest")
        assert len(server.issued) == issued  # still fresh
        time.sleep(1.0)
        client.get_manifest("private/alpine", "latest")
        assert len(server.issued) == issued + 1  # expired in our cache: a new one asked before sending
    finally:
        server.lifetime = 300


def test_token_the_registry_refuses_is_renewed(token: RegistryProcess) -> None:
    server = token.token_server
    assert server is not None
    server.stale_next = 1  # the first token is already expired for the registry (beyond its leeway)
    client = RegistryClient(token.host, options_for(token.host, username="bob", password="builder"))
    issued = len(server.issued)
    assert client.get_manifest("private/alpine", "latest").data
    assert len(server.issued) == issued + 2
    assert any(s == 401 for _, p, s in token.access_log() if p == "/v2/private/alpine/manifests/latest")


def test_credentials_never_logged_nor_in_errors(
    token: RegistryProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = RegistryClient(token.host, options_for(token.host, username="alice", password="wonderland"))
    client.get_manifest("private/alpine", "latest")
    secret_forms = ["wonderland", base64.b64encode(b"alice:wonderland").decode()]
    cached = next(iter(client.session.auth.tokens._tokens.values())).value
    messages = caplog.text
    with pytest.raises(SeawallError) as failure:
        RegistryClient(
            token.host, options_for(token.host, username="alice", password="wrong-secret")
        ).get_manifest("private/alpine", "latest")
    for secret in [*secret_forms, cached, "wrong-secret"]:
        assert secret not in messages
        assert secret not in str(failure.value)
    assert "GET http://127.0.0.1" in messages  # request lines are logged, without secrets


def test_plain_http_realm_refused_for_https_registries() -> None:
    auth = Authenticator("registry.example", RegistryOptions(), lambda *a, **k: None, plain_http=False)  # type: ignore[arg-type,return-value]
    import httpx

    response = httpx.Response(
        401, headers={"WWW-Authenticate": f'Bearer realm="http://evil.example/t",service="{SERVICE}"'}
    )
    with pytest.raises(AuthError, match="plain-HTTP token realm"):
        auth.after_401(response, ("repository:x:pull",), None)
