"""Allow rules: documentation and test paths, library trees, binary content, examples, placeholders."""

from __future__ import annotations

import pytest

from seawall.secrets.allow import (
    allowed_path,
    allowed_value,
    decode_text,
    in_library_tree,
    is_placeholder,
    is_well_known_example,
)


@pytest.mark.parametrize(
    "path",
    [
        "usr/share/doc/openssl/README",
        "/usr/share/doc/python3/copyright",
        "./usr/share/man/man1/ssh.1",
        "app/tests/fixtures/server.key",
        "srv/api/test/config.yaml",
        "app/__tests__/auth.test.js",
        "app/test_settings.py",
        "app/settings_test.py",
        "go/src/auth/token_test.go",
        "app/src/auth.spec.ts",
        "app/examples/config.env",
        "opt/app/docs/setup.yaml",
        "app/README.md",
        "app/CHANGES.rst",
        "app/.env.example",
        "app/config.php.dist",
        "usr/local/lib/python3.11/site-packages/requests-2.25.1.dist-info/METADATA",
        "app/PKG-INFO",
        "app/README",
    ],
)
def test_documentation_and_test_paths_are_allowed(path: str) -> None:
    assert allowed_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "app/.env",
        "root/.aws/credentials",
        "app/attestation/keys.pem",  # "test" inside a longer name is no test directory
        "app/latest/config.json",
        "app/testimonials.json",
        "app/contest.py",
        "etc/ssl/private/server.key",
        "usr/share/nginx/html/config.js",
        "app/settings.py",
    ],
)
def test_application_paths_are_scanned(path: str) -> None:
    assert allowed_path(path) == ""


@pytest.mark.parametrize(
    ("path", "library"),
    [
        ("usr/local/lib/python3.11/site-packages/django/conf/global_settings.py", True),
        ("usr/lib/python3/dist-packages/oauthlib/common.py", True),
        ("usr/lib/python3.11/urllib/request.py", True),
        ("app/node_modules/express/lib/router.js", True),
        ("usr/share/perl5/Net/SMTP.pm", True),
        ("go/pkg/mod/vendor/github.com/x/y.go", True),
        ("usr/share/nginx/html/main.js", False),
        ("app/settings.py", False),
        ("opt/site-packages-notes.txt", False),
    ],
)
def test_library_trees(path: str, library: bool) -> None:
    assert in_library_tree(path) is library


def test_binary_and_text_detection() -> None:
    assert decode_text(b"key=value\n") == "key=value\n"
    assert decode_text(b"\x7fELF\x02\x01\x01\x00\x00") is None  # a NUL byte
    assert decode_text(bytes(range(128, 256)) * 4) is None  # mostly invalid UTF-8
    latin1 = "mot de passe = clé secrète, numéro à côté\n".encode("latin-1")
    assert decode_text(latin1) is not None


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "CHANGEME123",
        "<your-token>",
        "${GITHUB_TOKEN}",
        "$DB_PASSWORD",
        "{{ .Values.password }}",
        "%(password)s",
        "#{secrets.db}",
        "xxxxxxxxxxxxxxxx",
        "XXXX-XXXX-XXXX",
        "****************",
        "aaaaaaaaaaaa",
        "0000000000000000",
        "12345678",
        "abcdefghijklmnop",
        "your_api_key_here",
        "replace-me-please",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)
    assert allowed_value(value)


@pytest.mark.parametrize(
    "value",
    [
        "Oy/y3xtPX82RD+2ofEZXx8RfU7n9dJij0X57aaaZ",
        "ghp_YUTxZYMloLvEdH4Nzc8slbi0zmnfs2Dwj5gI",
        "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly0123456",  # the recipe's token ends in a short run
        "Xk3p9-Qw2Lm!",
        "]q6p/Wb1i8w),l)g~.{{:wyRE7ApC",  # WordPress salts may contain {{ without being templates
        "hunter2-not-real",
    ],
)
def test_real_looking_values_are_not_placeholders(value: str) -> None:
    assert allowed_value(value) == ""


def test_well_known_examples() -> None:
    # AWS IAM user guide, "Managing access keys": the example pair
    assert is_well_known_example("AKIAIOSFODNN7EXAMPLE")
    assert is_well_known_example("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    # jwt.io's sample token, whole and with another signature
    sample = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
        "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    )
    assert is_well_known_example(sample)
    assert is_well_known_example(sample.rsplit(".", 1)[0] + ".c2lnbmF0dXJlLW90aGVyLXRoYW4tdGhlLXNhbXBsZQ")
    assert not is_well_known_example("AKIAZ7SEAWALLTEST01X")
