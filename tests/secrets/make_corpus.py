"""The generator of tests/secrets/corpus and tests/secrets/labels.json: fake credentials, fixed seed.

Run: .venv/bin/python -m tests.secrets.make_corpus (rewrites both; the output is deterministic).
Every label says where a fake secret was PUT and which rule its published format belongs to; no
label is read from a scanner's output. Private keys are not here: tests/secrets/keys.py makes them
at test time.
"""

import base64
import hashlib
import hmac
import json
import random
import shutil
import string
from pathlib import Path

R = random.Random(20261128)
HERE = Path(__file__).resolve().parent
ROOT = HERE / "corpus"
LABELS = HERE / "labels.json"
B62 = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
UP36 = string.ascii_uppercase + string.digits


def rnd(alphabet: str, n: int) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


def b62(n: int) -> str:
    return rnd(B62, n)


def b64url(n: int) -> str:
    return rnd(B62 + "-_", n)


def aws_id(prefix: str = "AKIA") -> str:
    return prefix + rnd(string.ascii_uppercase + "234567", 16)


def aws_secret() -> str:
    while True:
        s = rnd(B62 + "/+", 40)
        if any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(header: dict, payload: dict, key: bytes | None = None, sig_len: int = 43) -> str:
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    if key is not None:
        sig = b64u(hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest())
    else:
        sig = b64url(sig_len)
    return f"{h}.{p}.{sig}"


findings: list[dict] = []
negatives: dict[str, str] = {}
SRC = {
    "SW-SECRET-001": "AWS IAM identifiers: access key IDs are AKIA (long-term) or ASIA (temporary) + 16",
    "SW-SECRET-002": "AWS access keys: a secret access key is 40 base64 characters, kept beside its key ID",
    "SW-SECRET-003": "GitHub token formats (github.blog 2021-04-05): gh[pousr]_ + base62; github_pat_",
    "SW-SECRET-004": "GitLab token prefixes (docs.gitlab.com security/tokens): glpat-, gldt-, glrt- ...",
    "SW-SECRET-005": "Slack token types: xoxb- bot, xoxp- user, xapp- app-level tokens",
    "SW-SECRET-006": "Slack incoming webhooks: https://hooks.slack.com/services/T.../B.../secret",
    "SW-SECRET-007": "Stripe API keys: sk_live_ secret, rk_live_ restricted",
    "SW-SECRET-008": "Stripe API keys: sk_test_ test-mode secret key",
    "SW-SECRET-009": "Google Cloud API keys: AIza + 35 characters",
    "SW-SECRET-010": "RFC 7468 PEM private key labels; OpenSSH PROTOCOL.key; RFC 4880 armored secret key",
    "SW-SECRET-011": "RFC 5958 ENCRYPTED PRIVATE KEY; RFC 1421 Proc-Type: 4,ENCRYPTED; OpenSSH with a cipher",
    "SW-SECRET-012": "RFC 7519/7515: a JWS in compact form, JSON header with alg",
    "SW-SECRET-013": "npm access tokens: npm_ + 36 characters",
    "SW-SECRET-014": "npm config: _authToken/_auth/_password in .npmrc; Yarn npmAuthToken",
    "SW-SECRET-015": "PyPI API tokens: pypi- + a macaroon",
    "SW-SECRET-016": "docker login: config.json auths.<registry>.auth = base64(user:password), identitytoken",
    "SW-SECRET-017": "SendGrid API keys: SG.<22>.<43>",
    "SW-SECRET-018": "OpenAI keys (sk-proj- ... T3BlbkFJ ...), Anthropic keys (sk-ant-api03-)",
    "SW-SECRET-019": "Vault token prefixes: hvs. service, hvb. batch",
    "SW-SECRET-020": "Azure storage connection strings: AccountKey=<88 base64>",
    "SW-SECRET-021": "Hugging Face user access tokens: hf_ + letters",
    "SW-SECRET-022": "RFC 3986 userinfo user:password@ in a URL",
    "SW-SECRET-023": "a literal high-entropy value assigned to a password/secret/token/API-key setting",
}


def write(
    path: str,
    lines: list[str],
    labels: list[tuple[int, str]] = (),
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    negative: str = "",
) -> None:
    target = ROOT / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    for line, rule in labels:
        findings.append({"path": path, "line": line, "rule": rule, "source": SRC[rule]})
    if negative:
        negatives[path] = negative


def main() -> None:
    shutil.rmtree(ROOT, ignore_errors=True)
    ROOT.mkdir(parents=True)

    # ---------------------------------------------------------------- true positives
    write(
        "app/.env",
        [
            "# production settings",
            f"AWS_ACCESS_KEY_ID={aws_id()}",
            f"AWS_SECRET_ACCESS_KEY={aws_secret()}",
            "AWS_DEFAULT_REGION=eu-west-1",
            f"DATABASE_URL=postgres://shop:{b62(10)}-{b62(6)}@db.internal:5432/shop",
            f"STRIPE_SECRET_KEY=sk_live_{b62(24)}",
            "LOG_LEVEL=info",
        ],
        [(2, "SW-SECRET-001"), (3, "SW-SECRET-002"), (5, "SW-SECRET-022"), (6, "SW-SECRET-007")],
    )

    write(
        "root/.aws/credentials",
        [
            "[default]",
            f"aws_access_key_id = {aws_id()}",
            f"aws_secret_access_key = {aws_secret()}",
            "",
            "[deploy]",
            f"aws_access_key_id = {aws_id('ASIA')}",
            f"aws_secret_access_key = {aws_secret()}",
            f"aws_session_token = {rnd(B62 + '/+', 120)}",
            "region = us-east-2",
        ],
        [
            (2, "SW-SECRET-001"),
            (3, "SW-SECRET-002"),
            (6, "SW-SECRET-001"),
            (7, "SW-SECRET-002"),
            (8, "SW-SECRET-023"),
        ],
    )

    write(
        "home/ci/credentials.csv",
        [
            "User name,Password,Access key ID,Secret access key,Console login link",
            f"ci-deployer,,{aws_id()},{aws_secret()},https://123456789012.signin.aws.amazon.com/console",
        ],
        [(2, "SW-SECRET-001"), (2, "SW-SECRET-002")],
    )

    write(
        "app/config/settings.py",
        [
            "import os",
            "",
            "DEBUG = False",
            f'SECRET_KEY = "{b62(20)}!{b62(18)}#{b62(8)}"',
            'ALLOWED_HOSTS = ["shop.example.com"]',
            f'GITHUB_TOKEN = "ghp_{b62(36)}"',
            'TIME_ZONE = "UTC"',
        ],
        [(4, "SW-SECRET-023"), (6, "SW-SECRET-003")],
    )

    write(
        "app/deploy.sh",
        [
            "#!/bin/sh",
            "set -eu",
            f"export GITLAB_TOKEN=glpat-{b64url(20)}",
            'curl --fail -H "PRIVATE-TOKEN: $GITLAB_TOKEN" https://gitlab.example.com/api/v4/projects',
            f"curl -H 'PRIVATE-TOKEN: glpat-{b64url(20)}' https://gitlab.example.com/api/v4/user",
        ],
        [(3, "SW-SECRET-004"), (5, "SW-SECRET-004")],
    )

    write(
        "root/.git-credentials",
        [
            f"https://ci-user:ghp_{b62(36)}@github.com",
            f"https://deploy:{b62(12)}7!x@git.internal.example",
        ],
        [(1, "SW-SECRET-003"), (2, "SW-SECRET-022")],
    )

    write(
        "app/.npmrc",
        [
            f"//npm.internal.example/:_authToken=npm_{b62(36)}",
            f"//npm.mirror.example/:_auth={base64.b64encode(('bot:' + b62(16)).encode()).decode()}",
            "always-auth=true",
        ],
        [(1, "SW-SECRET-013"), (2, "SW-SECRET-014")],
    )

    write(
        "app/.yarnrc.yml",
        [
            "npmRegistryServer: https://npm.internal.example",
            f'npmAuthToken: "{rnd(HEX, 8)}-{rnd(HEX, 4)}-4{rnd(HEX, 3)}-a{rnd(HEX, 3)}-{rnd(HEX, 12)}"',
        ],
        [(2, "SW-SECRET-014")],
    )

    write(
        "root/.pypirc",
        [
            "[distutils]",
            "index-servers = pypi",
            "",
            "[pypi]",
            "username = __token__",
            f"password = pypi-AgEIcHlwaS5vcmc{b64url(150)}",
        ],
        [(6, "SW-SECRET-015")],
    )

    auth = base64.b64encode(f"ci-bot:{b62(20)}".encode()).decode()
    write(
        "root/.docker/config.json",
        [
            "{",
            '  "auths": {',
            '    "registry.internal.example": {',
            f'      "auth": "{auth}"',
            "    },",
            '    "ghcr.example": {',
            f'      "identitytoken": "{b64url(64)}"',
            "    }",
            "  }",
            "}",
        ],
        [(4, "SW-SECRET-016"), (7, "SW-SECRET-016")],
    )

    write(
        "app/slack.env",
        [
            f"SLACK_BOT_TOKEN=xoxb-{rnd(string.digits, 11)}-{rnd(string.digits, 13)}-{b62(24)}",
            f"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T{rnd(UP36, 8)}/B{rnd(UP36, 10)}/{b62(24)}",
        ],
        [(1, "SW-SECRET-005"), (2, "SW-SECRET-006")],
    )

    write(
        "app/config/slack.yaml",
        [
            "slack:",
            f"  user_token: xoxp-{rnd(string.digits, 11)}-{rnd(string.digits, 11)}-"
            f"{rnd(string.digits, 13)}-{rnd(HEX, 32)}",
            f"  app_token: xapp-1-A{rnd(UP36, 10)}-{rnd(string.digits, 13)}-{rnd(HEX, 64)}",
            "  channel: '#deploys'",
        ],
        [(2, "SW-SECRET-005"), (3, "SW-SECRET-005")],
    )

    write(
        "app/payments/config.json",
        [
            "{",
            '  "stripe": {',
            f'    "secret_key": "sk_live_{b62(99)}",',
            f'    "restricted_key": "rk_live_{b62(99)}",',
            f'    "publishable_key": "pk_live_{b62(99)}"',
            "  }",
            "}",
        ],
        [(3, "SW-SECRET-007"), (4, "SW-SECRET-007")],
    )

    write(
        "app/payments/stripe-sandbox.env",
        [
            f"STRIPE_KEY=sk_test_{b62(24)}",
        ],
        [(1, "SW-SECRET-008")],
    )

    write(
        "app/static/js/maps-config.js",
        [
            "export const MAPS = {",
            f'  key: "AIza{b64url(35)}",',
            "  zoom: 12,",
            "};",
        ],
        [(2, "SW-SECRET-009")],
    )

    write(
        "app/google.yaml",
        [
            "google:",
            f"  api_key: AIza{b64url(35)}",
        ],
        [(2, "SW-SECRET-009")],
    )

    key = R.randbytes(32)
    write(
        "app/auth/tokens.txt",
        [
            "backup service token:",
            jwt(
                {"alg": "HS256", "typ": "JWT"},
                {"sub": "svc-backup", "iat": 1700000000, "exp": 1900000000, "scope": "backup:write"},
                key,
            ),
        ],
        [(2, "SW-SECRET-012")],
    )

    write(
        "app/config/service.yaml",
        [
            "service:",
            "  name: billing",
            "  serviceToken: "
            + jwt(
                {"alg": "RS256", "kid": "k1", "typ": "JWT"},
                {"iss": "auth.example", "sub": "billing", "aud": "ledger"},
                sig_len=342,
            ),
        ],
        [(3, "SW-SECRET-012")],
    )

    write(
        "app/kubeconfig",
        [
            "apiVersion: v1",
            "kind: Config",
            "users:",
            "- name: deployer",
            "  user:",
            "    token: "
            + jwt(
                {"alg": "RS256", "kid": b64url(43)},
                {
                    "iss": "kubernetes/serviceaccount",
                    "kubernetes.io/serviceaccount/namespace": "ci",
                    "sub": "system:serviceaccount:ci:deployer",
                },
                sig_len=342,
            ),
        ],
        [(6, "SW-SECRET-012")],
    )

    write("app/sendgrid.env", [f"SENDGRID_API_KEY=SG.{b64url(22)}.{b64url(43)}"], [(1, "SW-SECRET-017")])

    write(
        "app/ai.env",
        [
            f"OPENAI_API_KEY=sk-proj-{b64url(74)}T3BlbkFJ{b64url(74)}",
            f"ANTHROPIC_API_KEY=sk-ant-api03-{b64url(93)}AA",
        ],
        [(1, "SW-SECRET-018"), (2, "SW-SECRET-018")],
    )

    write(
        "app/vault/agent.hcl",
        [
            "vault {",
            '  address = "https://vault.internal.example:8200"',
            "}",
            f'token = "hvs.{b64url(90)}"',
        ],
        [(4, "SW-SECRET-019")],
    )

    write(
        "app/appsettings.json",
        [
            "{",
            '  "Storage": {',
            '    "ConnectionString": "DefaultEndpointsProtocol=https;AccountName=shopdata;'
            f'AccountKey={rnd(B62 + "+/", 86)}==;EndpointSuffix=core.windows.net"',
            "  }",
            "}",
        ],
        [(3, "SW-SECRET-020")],
    )

    write("app/hf.env", [f"HF_TOKEN=hf_{rnd(string.ascii_letters, 34)}"], [(1, "SW-SECRET-021")])

    write(
        "app/config/database.yml",
        [
            "production:",
            f"  url: postgres://app:{b62(14)}9@db.internal:5432/prod",
            "  pool: 10",
            f'  password: "R3d!s-{b62(10)}"',
        ],
        [(2, "SW-SECRET-022"), (4, "SW-SECRET-023")],
    )

    write(
        "etc/app/app.ini",
        [
            "[database]",
            "host = db.internal",
            "user = app",
            f"password = Tr1cky#{b62(10)}",
        ],
        [(4, "SW-SECRET-023")],
    )

    write(
        "app/src/main/resources/application.properties",
        [
            "spring.datasource.url=jdbc:postgresql://db.internal:5432/app",
            "spring.datasource.username=app",
            f"spring.datasource.password={b62(12)}$7",
            f"jwt.secret={b62(32)}",
        ],
        [(3, "SW-SECRET-023"), (4, "SW-SECRET-023")],
    )

    write(
        "root/.m2/settings.xml",
        [
            "<settings>",
            "  <servers>",
            "    <server>",
            "      <id>internal</id>",
            "      <username>deployer</username>",
            f"      <password>{b62(14)}%2</password>",
            "    </server>",
            "  </servers>",
            "</settings>",
        ],
        [(6, "SW-SECRET-023")],
    )

    write(
        "app/docker-compose.yml",
        [
            "services:",
            "  db:",
            "    image: postgres:16",
            "    environment:",
            f"      POSTGRES_PASSWORD: {b62(12)}-2024",
            "  mysql:",
            "    image: mysql:8",
            "    environment:",
            f"      - MYSQL_ROOT_PASSWORD={b62(16)}1",
        ],
        [(5, "SW-SECRET-023"), (9, "SW-SECRET-023")],
    )

    write(
        "app/Dockerfile",
        [
            "FROM python:3.12-slim",
            f"ENV API_KEY={b62(24)}9",
            f"ENV AWS_SECRET_ACCESS_KEY {aws_secret()}",
            'CMD ["python", "app.py"]',
        ],
        [(2, "SW-SECRET-023"), (3, "SW-SECRET-002")],
    )

    write(
        "app/infra/prod.tfvars",
        [
            'region      = "eu-central-1"',
            f'db_password = "{b62(18)}#1"',
        ],
        [(2, "SW-SECRET-023")],
    )

    write(
        "app/k8s/secret.yaml",
        [
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            "  name: app",
            "stringData:",
            f"  password: {b62(20)}!",
        ],
        [(6, "SW-SECRET-023")],
    )

    write(
        "app/index.js",
        [
            "const express = require('express');",
            f'const apiKey = "{b62(16)}5{b62(8)}";',
            f"const client_secret = '{b62(30)}';",
            "module.exports = { apiKey };",
        ],
        [(2, "SW-SECRET-023"), (3, "SW-SECRET-023")],
    )

    write(
        "var/www/html/wp-config.php",
        [
            "<?php",
            "define( 'DB_NAME', 'wordpress' );",
            f"define( 'DB_PASSWORD', '{b62(14)}@9' );",
            f"define( 'AUTH_KEY', '{rnd(B62 + '!@#$%^&*()-_[]{{}}<>~+=,.;:/?|', 64)}' );",
        ],
        [(3, "SW-SECRET-023"), (4, "SW-SECRET-023")],
    )

    write(
        "root/.netrc",
        [
            f"machine api.internal.example login bot password {b62(16)}!",
        ],
        [(1, "SW-SECRET-023")],
    )

    write(
        "app/.env.production",
        [
            f"JWT_SECRET={b62(48)}",
            f"SESSION_SECRET={b62(12)}_{b62(12)}9",
            "PORT=8080",
        ],
        [(1, "SW-SECRET-023"), (2, "SW-SECRET-023")],
    )

    write(
        "app/config/prod.toml",
        [
            "[weather]",
            f'api_key = "{rnd(HEX, 32)}"',
        ],
        [(2, "SW-SECRET-023")],
    )

    write(
        "app/scripts/backup.sh",
        [
            "#!/bin/bash",
            f"mysqldump -u root --password={b62(14)}7 shop > /backup/shop.sql",
            f"PGPASSWORD='{b62(10)}#{b62(4)}' pg_dump -h db shop > /backup/pg.sql",
        ],
        [(2, "SW-SECRET-023"), (3, "SW-SECRET-023")],
    )

    write(
        "usr/local/bin/entrypoint",
        [
            "#!/bin/sh",
            f"export REDIS_PASSWORD='{b62(18)}+1'",
            'exec "$@"',
        ],
        [(2, "SW-SECRET-023")],
    )

    write(
        "srv/mirror.git/config",
        [
            '[remote "origin"]',
            f"\turl = https://oauth2:glpat-{b64url(20)}@gitlab.example.com/shop/api.git",
            "\tfetch = +refs/heads/*:refs/remotes/origin/*",
        ],
        [(2, "SW-SECRET-004")],
    )

    write(
        "etc/gitlab-runner/config.toml",
        [
            "[[runners]]",
            '  url = "https://gitlab.example.com"',
            f'  token = "glrt-{b64url(20)}"',
        ],
        [(3, "SW-SECRET-004")],
    )

    write(
        "app/ci/variables.yml",
        [
            "variables:",
            f"  DEPLOY_TOKEN: gldt-{b64url(20)}",
            f"  RUNNER_REGISTRATION: GR1348941{b64url(20)}",
        ],
        [(2, "SW-SECRET-004"), (3, "SW-SECRET-004")],
    )

    write(
        "app/github.env",
        [
            f"GH_APP_INSTALLATION_TOKEN=ghs_{b62(36)}",
            f"GH_OAUTH_TOKEN=gho_{b62(36)}",
            f"GH_USER_TO_SERVER=ghu_{b62(36)}",
            f"GH_REFRESH_TOKEN=ghr_{b62(76)}",
            f"GH_FINE_GRAINED=github_pat_{b62(22)}_{b62(59)}",
        ],
        [
            (1, "SW-SECRET-003"),
            (2, "SW-SECRET-003"),
            (3, "SW-SECRET-003"),
            (4, "SW-SECRET-003"),
            (5, "SW-SECRET-003"),
        ],
    )

    write(
        "app/legacy.cfg",
        [
            "# Paramètres de l'application (Latin-1)",
            "[base]",
            "utilisateur = employé",
            f"password = Clé-{b62(10)}9",
        ],
        [(4, "SW-SECRET-023")],
        encoding="latin-1",
    )

    write(
        "app/windows.env",
        [
            f"AWS_ACCESS_KEY_ID={aws_id()}",
            f"AWS_SECRET_ACCESS_KEY={aws_secret()}",
        ],
        [(1, "SW-SECRET-001"), (2, "SW-SECRET-002")],
        newline="\r\n",
    )

    # a minified bundle: one line of 12,000 characters; the API key counts, a generic
    # `password:"..."` inside minified code does not (generic rules skip lines over 8 KiB)
    filler = ";".join(
        f"var {rnd(string.ascii_lowercase, 2)}{i}=function(a){{return a+{i}}}" for i in range(400)
    )
    write(
        "app/static/js/bundle.min.js",
        [
            filler[:6000]
            + f';var cfg={{mapsKey:"AIza{b64url(35)}",password:"{b62(12)}9x"}};'
            + filler[:6000],
        ],
        [(1, "SW-SECRET-009")],
    )

    write(
        "app/sentry-relay.yml",
        [
            "relay:",
            f"  secret_key: {b62(22)}-{b62(20)}",
        ],
        [(2, "SW-SECRET-023")],
    )

    # ---------------------------------------------------------------- near misses (no finding)
    write(
        "app/aws-example.env",
        [
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_access_key_id = AKIAI44QH8DHBEXAMPLE",
            "aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        ],
        negative="AWS's documented example key pairs (IAM user guide)",
    )

    write(
        "app/placeholders.env",
        [
            "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX",
            "AWS_ACCESS_KEY_ID_2=AKIA0000000000000000",
            "AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx",
            "SLACK_BOT_TOKEN=xoxb-your-token-here",
            "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "DB_PASSWORD=changeme",
            "API_KEY=<your-api-key>",
            "TOKEN=${TOKEN}",
            "SECRET=$SECRET",
            "ADMIN_PASSWORD=********",
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "REPLACE_ME_TOKEN=REPLACE_WITH_YOUR_TOKEN",
        ],
        negative="placeholders: xxxx, zeros, changeme, <...>, ${VAR}, $VAR, stars",
    )

    write(
        "app/settings_env.py",
        [
            "import os",
            'password = os.environ["DB_PASSWORD"]',
            "token = get_token()",
            'SECRET_KEY = os.getenv("SECRET_KEY")',
            "api_key = settings.API_KEY",
            'if password == "hunter22abc9":',
            "    pass",
            "pwd = os.getcwd()",
            'PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]',
            'def load(backend: "Backend", private_key: "_EllipticCurvePrivateKey") -> None: ...',
            "secret = self.secret_store.lookup(name)",
        ],
        negative="expressions, comparisons and type names, not literal secrets",
    )

    write(
        "app/config/vars.yaml",
        [
            'password: "{{ vault_db_password }}"',
            "token: !vault |",
            "  $ANSIBLE_VAULT;1.1;AES256",
            "secret: ${DB_SECRET}",
            "password_file: /run/secrets/db_password",
            "secret_name: shop-api-secret",
            "token_type: Bearer",
            "grant_type: client_credentials",
            'api_key: ""',
            "client_secret: ENC[AES256_GCM,data:abc,type:str]",
        ],
        negative="templates, vault references, paths and names",
    )

    write(
        "app/i18n/fr.json",
        [
            "{",
            '  "password": "Mot de passe",',
            '  "token": "Jeton",',
            '  "secret": "Secret",',
            '  "forgot_password": "Mot de passe oublié ?"',
            "}",
        ],
        negative="translations of the words, not values",
    )

    write(
        "app/keys/public.pem",
        [
            "-----BEGIN PUBLIC KEY-----",
            *[rnd(B62 + "+/", 64) for _ in range(6)],
            "-----END PUBLIC KEY-----",
        ],
        negative="a public key",
    )

    write(
        "app/keys/server.crt",
        [
            "-----BEGIN CERTIFICATE-----",
            *[rnd(B62 + "+/", 64) for _ in range(12)],
            "-----END CERTIFICATE-----",
        ],
        negative="a certificate",
    )

    write(
        "root/.ssh/authorized_keys",
        [
            f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{b62(43)} deploy@ci",
            f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{rnd(B62 + '+/', 340)} admin@laptop",
        ],
        negative="public SSH keys",
    )

    write(
        "app/crypto_utils.py",
        [
            '"""PEM helpers.',
            "",
            "A key looks like::",
            "",
            "    -----BEGIN RSA PRIVATE KEY-----",
            "    ...",
            "    -----END RSA PRIVATE KEY-----",
            '"""',
            'PEM_HEADER = b"-----BEGIN PRIVATE KEY-----"',
            'PEM_FOOTER = b"-----END PRIVATE KEY-----"',
            'TEMPLATE = "-----BEGIN EC PRIVATE KEY-----\\n{body}\\n-----END EC PRIVATE KEY-----"',
        ],
        negative="PEM markers in code and an elided key in a docstring",
    )

    no_alg = jwt({"typ": "JWT"}, {"sub": "x"}, sig_len=43)
    not_json = "eyJ" + b64url(30) + "." + b64url(40) + "." + b64url(43)
    write(
        "app/jwt-samples.txt",
        [
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            jwt({"alg": "none", "typ": "JWT"}, {"sub": "anonymous"}, sig_len=0).rstrip("."),
            jwt({"alg": "none"}, {"sub": "anonymous"}, sig_len=0),
            no_alg,
            not_json,
        ],
        negative="jwt.io's sample token, unsigned tokens, a header without alg, eyJ... that is not JSON",
    )

    write(
        "app/ci/.npmrc",
        [
            "//npm.internal.example/:_authToken=${NPM_TOKEN}",
            "always-auth=true",
            "cache=/tmp/npm-cache",
            "npm_config_loglevel=warn",
        ],
        negative="a token taken from the environment",
    )

    write(
        "app/static/js/stripe-public.js",
        [
            f'const stripe = Stripe("pk_live_{b62(24)}");',
            "// the secret key (sk_live_...) stays on the server",
        ],
        negative="a publishable key is public by design",
    )

    write(
        "app/urls.conf",
        [
            "example = postgres://user:password@localhost/db",
            "templated = https://${GIT_USER}:${GIT_TOKEN}@git.internal.example/shop.git",
            "dev = postgres://postgres:postgres@db:5432/postgres",
            "api = http://localhost:8080/api/v1",
            "repo = git@github.com:org/repo.git",
            "mongo = mongodb://admin:<password>@mongo:27017",
            "cache = redis://:mypassword@redis:6379/0",
            "proxy = http://proxy.internal.example:3128",
        ],
        negative="URLs without a real password",
    )

    write(
        "app/docker/config.json",
        [
            "{",
            '  "auths": {',
            '    "registry.internal.example": {},',
            '    "docs.example": {"auth": "dXNlcm5hbWU6cGFzc3dvcmQ="},',
            '    "empty.example": {"auth": ""},',
            '    "nouser.example": {"auth": "dXNlcm5hbWU="}',
            "  },",
            '  "credsStore": "desktop"',
            "}",
        ],
        negative="a credential helper, username:password, empty and malformed auth",
    )

    write(
        "app/hashes.txt",
        [
            f"commit {rnd(HEX, 40)}",
            f"sha256 {rnd(HEX, 64)}",
            f"uuid {rnd(HEX, 8)}-{rnd(HEX, 4)}-{rnd(HEX, 4)}-{rnd(HEX, 4)}-{rnd(HEX, 12)}",
            f"blob {base64.b64encode(R.randbytes(120)).decode()}",
        ],
        negative="digests, UUIDs and a base64 blob: random, not credentials",
    )

    write(
        "app/package-lock.json",
        [
            "{",
            '  "packages": {',
            '    "node_modules/express": {',
            '      "version": "4.18.2",',
            f'      "integrity": "sha512-{base64.b64encode(R.randbytes(64)).decode()}"',
            "    }",
            "  }",
            "}",
        ],
        negative="lockfile integrity hashes",
    )

    write(
        "usr/share/doc/shop-api/README",
        [
            "Configure the token:",
            f"  export GITHUB_TOKEN=ghp_{b62(36)}",
        ],
        negative="documentation path (usr/share/doc)",
    )

    write(
        "app/tests/fixtures/creds.env",
        [
            f"AWS_ACCESS_KEY_ID={aws_id()}",
            f"AWS_SECRET_ACCESS_KEY={aws_secret()}",
        ],
        negative="a test fixture",
    )

    write("app/test_settings.py", [f'PASSWORD = "{b62(12)}9!"'], negative="a test module (test_*.py)")

    write(
        "app/docs/setup.md",
        [f"Set `SLACK_BOT_TOKEN=xoxb-{rnd(string.digits, 11)}-{rnd(string.digits, 13)}-{b62(24)}`."],
        negative="Markdown documentation",
    )

    write(
        "app/.env.example",
        [
            f"STRIPE_SECRET_KEY=sk_live_{b62(24)}",
            f"DB_PASSWORD={b62(12)}#1",
        ],
        negative="an example file (*.example)",
    )

    write(
        "app/examples/demo.env",
        [f"HF_TOKEN=hf_{rnd(string.ascii_letters, 34)}"],
        negative="examples directory",
    )

    write(
        "app/data/binary.dat",
        ["\x00\x01\x02" + f"AKIA{rnd(UP36, 16)}" + "\x00\xff"],
        encoding="latin-1",
        negative="binary content (NUL bytes)",
    )

    write(
        "app/node_modules/some-lib/lib/config.js",
        [
            f'module.exports = {{ password: "{b62(12)}3!" }};',
        ],
        negative="library code: generic assignments are examples or test values there",
    )

    write(
        "app/venv/lib/python3.11/site-packages/somelib/defaults.py",
        [
            f'SECRET_KEY = "{b62(20)}2"',
        ],
        negative="library code under site-packages",
    )

    write(
        "etc/ssl/openssl-demo.cnf",
        [
            "[cmp]",
            "secret = pass:insta # can be used for both client and server side",
            "# input_password = secret",
            "srv_secret = env:CMP_SECRET",
        ],
        negative="OpenSSL passphrase sources: a short pass:, env:",
    )

    write(
        "app/HOWTO.txt",
        [
            "Run:",
            f"  $ export TOKEN={b62(12)}9",
            f"  >>> client = Client(token='{b62(12)}9')",
        ],
        negative="shell prompt and doctest examples",
    )

    write(
        "app/bypass.conf",
        [
            "bypass: enabled-2024x",
            "compass = north-by-nw1x",
            "PasswordAuthentication no",
            "password_min_length = 12",
        ],
        negative="words containing pass, settings about passwords",
    )

    write(
        "app/aws-ids.txt",
        [
            f"user id AIDA{rnd(UP36, 17)}",
            f"role id AROA{rnd(UP36, 17)}",
            f"short AKIA{rnd(UP36, 15)}",
            f"glued XAKIA{rnd(UP36, 16)}",
            f"lower akia{rnd(string.ascii_lowercase, 16)}",
        ],
        negative="AWS unique IDs of users and roles (not keys), too short, glued, lower case",
    )

    write(
        "app/ci/notes.txt",
        [
            "GitLab tokens start with glpat- and have 20 or more characters.",
            "GitHub classic tokens start with ghp_; fine-grained ones with github_pat_.",
            "Slack bot tokens look like xoxb-...; webhooks like hooks.slack.com/services/...",
        ],
        negative="prose about token formats",
    )

    write(
        "app/hf.py",
        [
            "from huggingface_hub import hf_hub_download",
            'path = hf_hub_download(repo_id="org/model", filename="config.json")',
        ],
        negative="identifiers starting with hf_",
    )

    write(
        "app/vault-policy.hcl",
        [
            'path "secret/data/shop/*" {',
            '  capabilities = ["read"]',
            "}",
        ],
        negative="a Vault policy (paths, no token)",
    )

    write(
        "app/azure.json",
        [
            '{"ConnectionString": "DefaultEndpointsProtocol=https;AccountName=shop;'
            'AccountKey=<key>;EndpointSuffix=core.windows.net"}',
        ],
        negative="a connection string with a placeholder key",
    )

    write(
        "app/comparisons.js",
        [
            'if (token === "abcdEFGH1234") { deny(); }',
            'if (password !== "Zxcv-9876-Qwer") { retry(); }',
            "const hasSecret = secret => Boolean(secret);",
        ],
        negative="comparisons and arrow functions",
    )

    write(
        "app/stripe-demo.rb",
        [
            "Stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
        ],
        negative="Stripe's documented test key",
    )

    write(
        "app/sequences.env",
        [
            "PIN_PASSWORD=12345678",
            "API_TOKEN=abcdefghijklmnopqrstuvwxyz012345",
            "SECRET=aaaaaaaaaaaaaaaa",
            "PASSWORD=Password",
        ],
        negative="sequences, one repeated character, a word",
    )

    LABELS.write_text(
        json.dumps(
            {
                "about": (
                    "Labels of tests/secrets/corpus. Each finding is where a fake credential was placed, "
                    "with the rule its published format belongs to; files listed in negatives are near "
                    "misses that must "
                    "produce nothing. Private keys are generated at test time (tests/secrets/keys.py)."
                ),
                "findings": findings,
                "negatives": negatives,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
    files = sum(1 for p in ROOT.rglob("*") if p.is_file())
    print(files, "files,", len(findings), "labelled findings,", len(negatives), "near-miss files")


if __name__ == "__main__":
    main()
