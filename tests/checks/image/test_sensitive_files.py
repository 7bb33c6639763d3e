"""SW-IMG-017..022: private keys, .env files, .git directories, credential files, account databases.

Key files are made by the tools that make them in real life (openssl, ssh-keygen); credential file
formats follow each tool's documentation (quoted per case).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from seawall.inventory.analyzers.audit_keys import describe_private_key
from tests.checks.image.helpers import audit, where
from tests.factory import Entry


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Private keys written by openssl and ssh-keygen, plain and passphrase-protected."""
    root = tmp_path_factory.mktemp("keys")

    def run(*args: str | Path) -> None:
        subprocess.run(args, check=True, capture_output=True)

    run("openssl", "genrsa", "-traditional", "-out", root / "rsa.pem", "1024")
    run("openssl", "genpkey", "-algorithm", "ed25519", "-out", root / "pkcs8.key")
    run(
        "openssl",
        "genpkey",
        "-algorithm",
        "ed25519",
        "-aes256",
        "-pass",
        "pass:example",
        "-out",
        root / "enc.key",
    )
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", root / "id_ed25519")
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "example-passphrase", "-f", root / "id_protected")
    run("openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", root / "tls.key",
        "-out", root / "tls.pem", "-subj", "/CN=example", "-days", "1")  # fmt: skip
    return {p.name: p.read_bytes() for p in root.iterdir()}


def test_private_key_kinds(keys: dict[str, bytes]) -> None:
    assert describe_private_key(keys["rsa.pem"]) == ("RSA PRIVATE KEY", False, 1)
    assert describe_private_key(keys["pkcs8.key"]) == ("PRIVATE KEY", False, 1)
    assert describe_private_key(keys["enc.key"]) == ("ENCRYPTED PRIVATE KEY", True, 1)
    assert describe_private_key(keys["id_ed25519"]) == ("OPENSSH PRIVATE KEY", False, 1)
    assert describe_private_key(keys["id_protected"]) == ("OPENSSH PRIVATE KEY", True, 1)
    assert describe_private_key(keys["tls.pem"]) is None  # a certificate
    assert describe_private_key(keys["id_ed25519.pub"]) is None
    putty = b"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\n"
    assert describe_private_key(putty) == ("PuTTY ssh-ed25519", False, 1)
    header_only = b"see the docs:\n-----BEGIN RSA PRIVATE KEY-----\n"
    assert describe_private_key(header_only) is None  # no END line: a mention, not a key


def test_private_key_files(tmp_path: Path, keys: dict[str, bytes]) -> None:
    results = audit(
        tmp_path,
        [
            [
                ("root/.ssh/id_ed25519", keys["id_ed25519"]),
                ("root/.ssh/id_ed25519.pub", keys["id_ed25519.pub"]),
                ("etc/ssh/ssh_host_ed25519_key", keys["id_ed25519"]),
                ("etc/ssl/private/server.key", keys["tls.key"]),
                ("etc/ssl/certs/server.pem", keys["tls.pem"]),
                ("app/deploy.pem", b"# " + b"x" * 10 + b"\n" + keys["rsa.pem"]),
                ("app/not-a-key.key", b"licence key: 1234\n"),
                ("usr/lib/python3/dist-packages/twisted/test/server.pem", keys["rsa.pem"]),  # a test fixture
                ("app/notes.txt", keys["rsa.pem"]),  # not a key file name: the secret scanner's business
            ]
        ],
    )
    assert where(results, "SW-IMG-017") == [
        "app/deploy.pem",
        "etc/ssh/ssh_host_ed25519_key",
        "etc/ssl/private/server.key",
        "root/.ssh/id_ed25519",
    ]
    deploy = next(r for r in results if r.location.file == "app/deploy.pem")
    assert deploy.location.line == 2 and "not encrypted" in deploy.message
    assert b"PRIVATE" not in deploy.message.encode().replace(b"RSA PRIVATE KEY", b"")


def test_env_files(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                ("app/.env", b"# settings\nDB_HOST=db\nexport DB_PASSWORD='example-password'\n"),
                ("app/.env.production", b"API_KEY=example-key\n"),
                ("app/secrets/config.env", b"TOKEN=example\n"),
                ("app/.env.example", b"API_KEY=your-key-here\n"),  # a template
                ("app/empty.env", b"# nothing set\nEMPTY=\nQUOTED=''\nCOMMENT= # later\n"),
                ("srv/tests/.env", b"API_KEY=test\n"),  # tests
            ]
        ],
    )
    assert where(results, "SW-IMG-018") == ["app/.env", "app/.env.production", "app/secrets/config.env"]
    dotenv = next(r for r in results if r.location.file == "app/.env")
    assert dotenv.location.line == 2
    assert dotenv.properties["variables"] == "DB_HOST,DB_PASSWORD"
    assert "example-password" not in dotenv.message


def test_git_directories(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                ("app/.git/HEAD", b"ref: refs/heads/main\n"),
                ("app/.git/config", b"[core]\n"),
                ("srv/.git/config", b"[core]\n"),
                ("app/.github/config", b"x"),
                ("app/git/HEAD", b"x"),
            ]
        ],
    )
    assert where(results, "SW-IMG-019") == ["app/.git", "srv/.git"]  # one result per repository


CREDENTIALS = [
    # https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
    (
        "root/.aws/credentials",
        b"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = abc/def\n",
        True,
    ),
    ("home/app/.aws/credentials", b"[default]\nregion = eu-west-1\n", False),
    # the files gcloud auth writes under ~/.config/gcloud
    ("root/.config/gcloud/credentials.db", b"SQLite format 3\x00...", True),
    (
        "root/.config/gcloud/application_default_credentials.json",
        b'{"refresh_token": "1//0e", "type": "x"}',
        True,
    ),
    ("root/.config/gcloud/legacy_credentials/me@example.com/adc.json", b'{"client_secret": "d-F"}', True),
    ("root/.config/gcloud/configurations/config_default", b"[core]\naccount = me\n", False),
    # az login keeps its tokens in the MSAL cache
    ("root/.azure/msal_token_cache.json", b'{"AccessToken": {"k": {}}}', True),
    ("root/.azure/msal_token_cache.json.bak", b'{"AccessToken": {}}', False),
    ("home/b/.azure/accessTokens.json", b"[]", False),
    # https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
    ("root/.kube/config", b"users:\n- name: u\n  user:\n    token: eyJhbGciOi\n", True),
    ("home/c/.kube/config", b"users:\n- name: u\n  user:\n    exec:\n      command: aws\n", False),
    # https://docs.docker.com/reference/cli/docker/login/ (auths with a base64 auth, or a credsStore)
    ("root/.docker/config.json", b'{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNz"}}}', True),
    ("home/d/.docker/config.json", b'{"auths": {"registry.example.com": {}}, "credsStore": "pass"}', False),
    ("app/node_modules/x/config.json", b'{"auths": {"r": {"auth": "x"}}}', False),
    # git-credential-store(1): https://user:pass@host lines
    ("root/.git-credentials", b"https://bot:example-token@git.example.com\n", True),
    # netrc(5)
    ("root/.netrc", b"machine git.example.com login bot password example\n", True),
    # npm: a literal token, or an environment reference that npm expands at run time
    ("root/.npmrc", b"//registry.example.com/:_authToken=npm_example\n", True),
    ("app/.npmrc", b"//registry.example.com/:_authToken=${NPM_TOKEN}\n", False),
    ("root/.pypirc", b"[pypi]\nusername = __token__\npassword = pypi-example\n", True),
    ("root/.config/gh/hosts.yml", b"github.com:\n    oauth_token: gho_example\n", True),
    # git config: a remote URL with user:token, or the header actions/checkout persists
    (
        "src/.git/config",
        b'[remote "origin"]\n\turl = https://bot:example-token@git.example.com/o/r.git\n',
        True,
    ),
    (
        "src2/.git/config",
        b'[http "https://git.example.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\n',
        True,
    ),
    ("src3/.git/config", b'[remote "origin"]\n\turl = https://git.example.com/o/r.git\n', False),
]


def test_credential_files(tmp_path: Path) -> None:
    results = audit(tmp_path, [[(path, content) for path, content, _ in CREDENTIALS]])
    expected = sorted(path for path, _, credential in CREDENTIALS if credential)
    assert where(results, "SW-IMG-020") == expected
    values = (
        "abc/def",
        "1//0e",
        "eyJhbGciOi",
        "dXNlcjpwYXNz",
        "example-token",
        "npm_example",
        "pypi-example",
    )
    assert not [r.message for r in results for value in values if value in r.message]


# A SHA-512 crypt hash as `openssl passwd -6 -salt examplesalt example` writes it.
HASH = subprocess.run(
    ["openssl", "passwd", "-6", "-salt", "examplesalt", "example"], check=True, capture_output=True, text=True
).stdout.strip()


def test_account_databases(tmp_path: Path) -> None:
    shadow = (
        f"root:*:19000:0:99999:7:::\napp:{HASH}:19000:0:99999:7:::\nlocked:!{HASH}:19000::::::\n"
        "daemon:!:19000::::::\nnobody:!!:19000::::::\nguest::19000:0:99999:7:::\n"
    ).encode()
    passwd = b"root:x:0:0:root:/root:/bin/sh\nold:" + HASH.encode() + b":1000:1000::/home/old:/bin/sh\n"
    results = audit(
        tmp_path, [[("etc/shadow", shadow), ("etc/passwd", passwd), ("etc/group", b"root:x:0:\n")]]
    )
    assert where(results, "SW-IMG-021") == ["etc/passwd", "etc/shadow"]
    assert where(results, "SW-IMG-022") == ["etc/shadow"]
    hashes = next(r for r in results if r.rule.id == "SW-IMG-021" and r.location.file == "etc/shadow")
    assert hashes.properties["users"] == "app,locked" and hashes.location.line == 2
    assert HASH not in hashes.message
    empty = next(r for r in results if r.rule.id == "SW-IMG-022")
    assert empty.properties["users"] == "guest"


def test_locked_accounts_only(tmp_path: Path) -> None:
    """Debian's and Alpine's defaults: `*` and `!` everywhere."""
    shadow = b"root:*:20000:0:99999:7:::\nbin:!::0:::::\nsshd:!*:20000::::::\n"
    results = audit(tmp_path, [[("etc/shadow", shadow), ("etc/passwd", b"root:x:0:0::/root:/bin/sh\n")]])
    assert where(results, "SW-IMG-021") == where(results, "SW-IMG-022") == []


def test_leaked_files_removed_later_are_still_reported(tmp_path: Path, keys: dict[str, bytes]) -> None:
    """`COPY id_rsa` then `RUN rm id_rsa`: the key is gone from the container, not from the image."""
    results = audit(
        tmp_path,
        [
            [
                ("root/.ssh/id_rsa", keys["rsa.pem"]),
                ("app/.env", b"A=1\n"),
                Entry("usr/bin/su", b"x", mode=0o4755),
            ],
            [Entry("root/.ssh/.wh.id_rsa"), Entry("app/.wh..env"), Entry("usr/bin/.wh.su")],
        ],
    )
    assert where(results, "SW-IMG-017") == ["root/.ssh/id_rsa"]
    assert where(results, "SW-IMG-018") == ["app/.env"]
    assert where(results, "SW-IMG-010") == []  # a removed setuid file is harmless
    key = next(r for r in results if r.rule.id == "SW-IMG-017")
    assert key.properties["hidden"] == "true" and "a later layer removed it" in key.message
