"""Each rule of the catalogue: what it must find and the nearest thing it must not.

Formats from the vendors' documentation (see the ``source`` of each case); values are made up.
"""

from __future__ import annotations

import base64
import json
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from seawall.model import Severity
from seawall.secrets.rules import RULES, RULES_BY_ID, catalogue
from seawall.secrets.scanner import scan


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


JWT_HS256 = (
    _b64url({"alg": "HS256", "typ": "JWT"})
    + "."
    + _b64url({"sub": "svc", "exp": 1900000000})
    + ".4Hb0sXq1mVf9yCkT2pLr8WnZa7QeJd3uBg6KoYxHs1E"
)

# (rule, file name, content, line of the finding); sources in the comments
POSITIVES = [
    # AWS IAM identifiers: AKIA long-term, ASIA temporary access key IDs
    ("SW-SECRET-001", "a.env", "KEY=AKIAZ7SEAWALLTEST01X", 1),
    ("SW-SECRET-001", "a.env", "id: ASIAQWERTYUIOPASDFGH", 1),
    # AWS secret access key: 40 base64 characters, by its setting name or beside its key ID
    ("SW-SECRET-002", "credentials", "aws_secret_access_key = Oy/y3xtPX82RD+2ofEZXx8RfU7n9dJij0X57aaaZ", 1),
    ("SW-SECRET-002", "a.json", '{"SecretAccessKey": "Hx7/sF0pQ2rT8vK9mN3bL5cJ1wE6yU4iO0aZ8dXq"}', 1),
    ("SW-SECRET-002", "a.csv", "u,,AKIAZ7SEAWALLTEST01X,Hx7/sF0pQ2rT8vK9mN3bL5cJ1wE6yU4iO0aZ8dXq,x", 1),
    # GitHub token formats (github.blog, 2021-04-05 and 2022-10-18)
    ("SW-SECRET-003", "a.env", "T=ghp_YUTxZYMloLvEdH4Nzc8slbi0zmnfs2Dwj5gI", 1),
    ("SW-SECRET-003", "a.env", "T=github_pat_11ABCDEFG0abcdefghijkl_" + "a1B2c3D4e5" * 5 + "F6g7H8i9J", 1),
    # GitLab token prefixes
    ("SW-SECRET-004", "a.sh", "export T=glpat-Xk3p9Qw2Lm7Rt5Yv8Nb1", 1),
    ("SW-SECRET-004", "config.toml", 'token = "glrt-Xk3p9Qw2Lm7Rt5Yv8Nb1zz"', 1),
    # Slack token types, incoming webhooks
    ("SW-SECRET-005", "a.env", "S=xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", 1),
    (
        "SW-SECRET-006",
        "a.env",
        "W=https://hooks.slack.com/services/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",
        1,
    ),
    # Stripe API keys
    ("SW-SECRET-007", "a.env", "S=sk_live_51Hx7sF0pQ2rT8vK9mN3bL5cJ", 1),
    ("SW-SECRET-007", "a.env", "S=rk_live_51Hx7sF0pQ2rT8vK9mN3bL5cJ", 1),
    ("SW-SECRET-008", "a.env", "S=sk_test_51Hx7sF0pQ2rT8vK9mN3bL5cJ", 1),
    # Google API keys: AIza + 35
    ("SW-SECRET-009", "a.js", 'const k = "AIzaSyB1x2y3z4A5B6C7D8E9F0g1h2i3j4k5l6m"', 1),
    # RFC 7468 PEM (PKCS#1 with the key on line 2: the finding points at the BEGIN line)
    (
        "SW-SECRET-010",
        "k.pem",
        "x\n-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEowIBAAKCAQEA" + "q" * 48 + "\n",
        2,
    ),
    ("SW-SECRET-011", "k.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + "MIIFHzBJBgkqhkiG" * 4 + "\n", 1),
    # RFC 7519 JWT with a decodable header naming alg
    ("SW-SECRET-012", "t.txt", f"token: {JWT_HS256}", 1),
    # npm access tokens; .npmrc auth settings
    ("SW-SECRET-013", ".npmrc", "//r.example/:_authToken=npm_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", 1),
    ("SW-SECRET-014", ".npmrc", "//r.example/:_authToken=0b6a7f2c-9d1e-4c3b-8a5f-6e7d8c9b0a1f", 1),
    # PyPI API tokens (macaroons)
    ("SW-SECRET-015", ".pypirc", "password = pypi-AgEIcHlwaS5vcmc" + "Ab3_" * 20, 1),
    # docker login: auths.<registry>.auth = base64(user:password)
    (
        "SW-SECRET-016",
        "config.json",
        '{"auths": {"r": {"auth": "' + base64.b64encode(b"bot:Xk3p9Qw2").decode() + '"}}}',
        1,
    ),
    (
        "SW-SECRET-017",
        "a.env",
        "K=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",
        1,
    ),
    ("SW-SECRET-018", "a.env", "K=sk-proj-" + "a1B2c3D4e5" * 3 + "T3BlbkFJ" + "f6G7h8I9j0" * 3, 1),
    ("SW-SECRET-019", "a.hcl", 'token = "hvs.CAESIJx7sF0pQ2rT8vK9mN3bL5cJ1wE6"', 1),
    ("SW-SECRET-020", "a.json", "AccountKey=" + "Ab3+" * 21 + "Xy==", 1),
    ("SW-SECRET-021", "a.env", "HF_TOKEN=hf_" + "AbCdEfGhIj" * 3 + "KlMn", 1),
    # RFC 3986 userinfo
    ("SW-SECRET-022", "a.env", "DB=postgres://app:Xk3p9-Qw2Lm@db:5432/app", 1),
    # generic assignments: env, YAML, JSON, XML, shell option, PHP define
    ("SW-SECRET-023", "a.env", "DB_PASSWORD=Xk3p9-Qw2Lm!", 1),
    ("SW-SECRET-023", "a.yaml", "db:\n  password: 'Xk3p9-Qw2Lm!'", 2),
    ("SW-SECRET-023", "a.json", '{"client_secret": "Xk3p9Qw2Lm7Rt5Yv"}', 1),
    ("SW-SECRET-023", "settings.xml", "<password>Xk3p9-Qw2Lm!</password>", 1),
    ("SW-SECRET-023", "b.sh", "mysql -u root --password=Xk3p9Qw2Lm7 db", 1),
    ("SW-SECRET-023", "wp-config.php", "define('DB_PASSWORD', 'Xk3p9-Qw2Lm!');", 1),
]

NEGATIVES = [
    ("SW-SECRET-001", "a.env", "KEY=AKIAIOSFODNN7EXAMPLE"),  # AWS documentation example
    ("SW-SECRET-001", "a.env", "KEY=AKIAXXXXXXXXXXXXXXXX"),  # placeholder
    ("SW-SECRET-001", "a.env", "KEY=AKIAZ7SEAWALLTEST01"),  # 19 characters
    ("SW-SECRET-002", "a.env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("SW-SECRET-002", "a.txt", "commit 3f2b1c9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"),  # 40 hex, no AWS key near
    ("SW-SECRET-003", "a.env", "T=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("SW-SECRET-003", "a.env", "T=ghp_YUTxZYMloLvEdH4Nzc8slbi0zmnfs2Dwj5g"),  # 35 characters
    ("SW-SECRET-004", "a.txt", "tokens start with glpat- and are long"),
    ("SW-SECRET-005", "a.env", "S=xoxb-your-token-here"),
    (
        "SW-SECRET-006",
        "a.env",
        "W=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    ("SW-SECRET-007", "a.js", 'Stripe("pk_live_51Hx7sF0pQ2rT8vK9mN3bL5cJ")'),  # publishable
    ("SW-SECRET-008", "a.rb", "Stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'"),  # Stripe's docs key
    ("SW-SECRET-009", "a.js", "AIzaSyB1x2y3z4A5B6C7D8E9F0g1h2i3j4k5l6"),  # 34 characters
    ("SW-SECRET-010", "a.py", 'HEADER = "-----BEGIN PRIVATE KEY-----"'),
    (
        "SW-SECRET-010",
        "a.pem",
        "-----BEGIN PUBLIC KEY-----\n" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A" * 2 + "\n",
    ),
    ("SW-SECRET-010", "a.md.txt", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"),
    (
        "SW-SECRET-012",
        "t.txt",
        _b64url({"typ": "JWT"}) + "." + _b64url({"sub": "x"}) + ".4Hb0sXq1mVf9yCkT2pLr8WnZ",
    ),
    ("SW-SECRET-012", "t.txt", _b64url({"alg": "none"}) + "." + _b64url({"sub": "x"}) + "."),
    ("SW-SECRET-014", ".npmrc", "//r.example/:_authToken=${NPM_TOKEN}"),
    (
        "SW-SECRET-016",
        "config.json",
        '{"auths": {"r": {"auth": "dXNlcm5hbWU6cGFzc3dvcmQ="}}}',
    ),  # user:password
    ("SW-SECRET-016", "config.json", '{"auths": {"r": {}}, "credsStore": "desktop"}'),
    ("SW-SECRET-021", "a.py", "from huggingface_hub import hf_hub_download"),
    ("SW-SECRET-022", "a.conf", "url = postgres://user:password@localhost/db"),
    ("SW-SECRET-022", "a.conf", "url = postgres://postgres:postgres@db/postgres"),
    ("SW-SECRET-023", "a.py", 'password = os.environ["DB_PASSWORD"]'),
    ("SW-SECRET-023", "a.py", 'if password == "Xk3p9-Qw2Lm!":'),
    ("SW-SECRET-023", "a.py", "password = Xk3p9Qw2Lm7"),  # bare in code: an expression
    ("SW-SECRET-023", "a.yaml", 'password: "{{ vault_password }}"'),
    ("SW-SECRET-023", "a.yaml", "password_file: /run/secrets/db"),
    ("SW-SECRET-023", "a.yaml", "grant_type: client_credentials\ntoken_type: Bearer"),
    ("SW-SECRET-023", "a.env", "PASSWORD=changeme"),
    ("SW-SECRET-023", "a.conf", "bypass = enabled-2024x"),
]


@pytest.mark.parametrize(("rule", "name", "content", "line"), POSITIVES)
def test_rule_finds(rule: str, name: str, content: str, line: int) -> None:
    findings = scan(f"app/{name}", content.encode()).findings
    assert (rule, line) in {(f.rule.id, f.line) for f in findings}


@pytest.mark.parametrize(("rule", "name", "content"), NEGATIVES)
def test_rule_stays_silent(rule: str, name: str, content: str) -> None:
    findings = scan(f"app/{name}", content.encode()).findings
    assert rule not in {f.rule.id for f in findings}


def test_catalogue_ids_are_stable_and_documented() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == [f"SW-SECRET-{n:03d}" for n in range(1, len(ids) + 1)]
    assert set(RULES_BY_ID) == set(ids)
    assert list(catalogue()) == ids
    for meta in catalogue().values():
        assert meta.family == "secret"
        assert meta.title and meta.rationale and meta.fix and meta.bad_example
        assert meta.severity is not Severity.UNKNOWN


def test_examples_in_the_catalogue_are_redacted() -> None:
    # the documentation pages generated from the catalogue must not carry a detectable secret
    for meta in catalogue().values():
        for text in (meta.bad_example, meta.good_example):
            assert scan("app/example.env", text.encode()).findings == (), meta.id


def _unbounded(pattern: str) -> list[str]:
    """Repetitions without an upper bound in a regex (``*``, ``+``, ``{n,}``)."""
    found: list[str] = []

    def walk(items: Any) -> None:
        for op, arg in items:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, high, body = arg
                if high == sre_constants.MAXREPEAT:
                    found.append(f"{{{low},}}")
                walk(body)
            elif op is sre_constants.SUBPATTERN:
                walk(arg[-1])
            elif op is sre_constants.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(arg[1])

    walk(sre_parser.parse(pattern))
    return found


def test_every_pattern_is_bounded() -> None:
    for rule in RULES:
        for pattern in (*rule.patterns, *((rule.near,) if rule.near else ())):
            assert _unbounded(pattern.pattern) == [], (rule.id, pattern.pattern)


def test_the_bound_checker_sees_unbounded_repetition() -> None:
    assert _unbounded(r"a(b+|c{2,})x*") == ["{1,}", "{2,}", "{0,}"]
    assert _unbounded(r"a{1,5}(?=b{0,3})") == []


def test_patterns_start_with_a_literal_or_run_on_keywords() -> None:
    # The regex engine searches for a literal prefix at substring-search speed; a pattern that starts
    # with a class or a lookbehind is slow, so it needs keywords (a cheap pre-check) in front of it.
    for rule in RULES:
        for pattern in rule.patterns:
            first = sre_parser.parse(pattern.pattern)[0]
            while first[0] is sre_constants.SUBPATTERN:
                first = first[1][-1][0]
            assert first[0] is sre_constants.LITERAL or rule.keywords, (rule.id, pattern.pattern)


def _upper_case_literals(pattern: str) -> list[str]:
    found: list[str] = []

    def walk(items: Any) -> None:
        for op, arg in items:
            if op is sre_constants.LITERAL and chr(arg).isupper():
                found.append(chr(arg))
            elif op is sre_constants.IN:
                for kind, value in arg:
                    if kind is sre_constants.LITERAL and chr(value).isupper():
                        found.append(chr(value))
                    elif kind is sre_constants.RANGE and any(
                        chr(c).isupper() for c in range(value[0], value[1] + 1)
                    ):
                        found.append(f"{chr(value[0])}-{chr(value[1])}")
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                walk(arg[2])
            elif op is sre_constants.SUBPATTERN:
                walk(arg[-1])
            elif op is sre_constants.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(arg[1])

    walk(sre_parser.parse(pattern))
    return found


def test_lowered_patterns_expect_no_upper_case() -> None:
    # patterns of rules that run on the lower-cased text must not ask for upper-case letters
    assert _upper_case_literals("a[A-Z]b") == ["A-Z"]
    for rule in RULES:
        if rule.lowered:
            for pattern in rule.patterns:
                assert _upper_case_literals(pattern.pattern) == [], (rule.id, pattern.pattern)
