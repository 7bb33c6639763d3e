"""The secret rule catalogue: stable IDs ``SW-SECRET-NNN``, one entry per kind of credential.

Each :class:`SecretRule` pairs catalogue data (a :class:`~seawall.model.Rule` of family ``secret``)
with how to find it: ``patterns`` whose group ``secret`` (or ``secret_*``; else the whole match) is the
secret, and the tests a candidate must pass (length, entropy, a structural validator, a value check).

Speed. Almost every pattern begins with a literal (``ghp_``, ``-----BEGIN``, ``password`` on the
lower-cased text), and CPython's regex engine searches for a literal prefix as fast as ``str.find``:
such a pattern is its own keyword pre-check. Boundaries before a token are therefore written as a
lookbehind *after* the literal. A rule whose patterns cannot begin with a literal lists lower-case
``keywords``, one of which must occur in the lower-cased text before its patterns run. (Measured on
30 MB of Python: 62 keyword tests in front of literal-prefixed patterns cost the patterns' time
themselves several times over; one regex alternating all keywords runs at 5 MB/s.)

Bounds. Every repetition has an upper bound and nothing nests: a hostile file costs time linear in
its size (``tests/secrets/test_rules.py`` checks every pattern).

Sources of the formats: AWS IAM "IAM identifiers" (access key IDs AKIA, ASIA) and "Managing access
keys"; GitHub "About authentication to GitHub" and the GitHub blog "Behind GitHub's new authentication
token formats" (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_); GitLab "Token overview: token prefixes";
Slack "Token types" and "Sending messages using incoming webhooks"; Stripe "API keys"; Google Cloud
"API keys" (AIza); RFC 7468 (PEM labels), RFC 5958 (encrypted PKCS#8), RFC 1421 (Proc-Type), OpenSSH
PROTOCOL.key, RFC 4880 (OpenPGP armor); RFC 7519 (JWT); npm "About access tokens" (npm_) and npmrc;
PyPI "API tokens" (macaroons); Docker "docker login" (config.json auths); SendGrid, OpenAI, Anthropic,
HashiCorp Vault ("token prefixes"), Azure Storage connection strings, Hugging Face user access tokens.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from seawall.model import Rule, Severity

FAMILY = "secret"
NEAR_LINES = 3  # a companion secret (an AWS secret key next to its key ID) may be this many lines away

Validator = Callable[["re.Match[str]"], bool]


@dataclass(frozen=True)
class SecretRule:
    """How one kind of secret is recognised. ``meta`` is its catalogue entry."""

    meta: Rule
    patterns: tuple[re.Pattern[str], ...]
    keywords: tuple[str, ...]
    min_length: int = 0
    min_entropy: float = 0.0
    generic: bool = False  # a broad rule: silent in third-party library trees (see allow.in_library_tree)
    # Where matches of two rules overlap, the lower precedence gives way: a generic assignment to the
    # npm setting it names, that setting to the npm_ token in it.
    precedence: int = 2
    validate: Validator | None = None  # a test of the whole match (structure: a JWT header, a key's cipher)
    value_check: Callable[[str], bool] | None = None  # a test of the secret alone
    placeholders: bool = True  # apply the placeholder allow rules (off for key material: runs of "A")
    # Source code: a bare (unquoted) value in this group is an expression, not a literal.
    bare_group: str = ""
    lowered: bool = False  # the patterns run on the lower-cased text (names in any case)
    # A pattern valid only within NEAR_LINES lines of a finding of the rule ``near_rule``.
    near: re.Pattern[str] | None = None
    near_rule: str = ""

    @property
    def id(self) -> str:
        return self.meta.id


def shannon_entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def secret_of(match: re.Match[str]) -> tuple[str, int, int]:
    """The secret a match found and its span: the first ``secret*`` group that took part, else all."""
    for name, value in match.groupdict().items():
        if name.startswith("secret") and value is not None:
            return value, match.start(name), match.end(name)
    return match.group(0), match.start(), match.end()


# --- validators ------------------------------------------------------------------------------------


def _b64decode(text: str, urlsafe: bool = False) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _json_object(segment: str) -> dict[str, object] | None:
    raw = _b64decode(segment, urlsafe=True)
    if raw is None or len(raw) > 16384:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def jwt_header_ok(match: re.Match[str]) -> bool:
    """A JWS: the header is a JSON object with a signing ``alg`` (not ``none``); the payload is JSON."""
    header = _json_object(match.group("header"))
    if header is None:
        return False
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg or alg.lower() == "none":
        return False
    return _json_object(match.group("payload")) is not None


_OPENSSH_MAGIC = b"openssh-key-v1\x00"


def _private_key_encrypted(match: re.Match[str]) -> bool | None:
    """Whether a PEM or OpenSSH private key block is encrypted (``None``: cannot tell)."""
    label = match.group("label")
    if "ENCRYPTED" in label or "ENCRYPTED" in (match.group("headers") or ""):
        return True
    if label.strip() == "OPENSSH":
        raw = _b64decode(match.group("secret")[:64].rstrip("="))
        if raw is None or not raw.startswith(_OPENSSH_MAGIC) or len(raw) < len(_OPENSSH_MAGIC) + 8:
            return None
        offset = len(_OPENSSH_MAGIC)
        size = int.from_bytes(raw[offset : offset + 4], "big")
        cipher = raw[offset + 4 : offset + 4 + size]
        return cipher != b"none"
    return False


def private_key_plain(match: re.Match[str]) -> bool:
    return _private_key_encrypted(match) is not True


def private_key_encrypted(match: re.Match[str]) -> bool:
    return _private_key_encrypted(match) is True


def mixed_case(value: str) -> bool:
    """Upper- and lower-case letters: base64 of random bytes, not hex digits or a word."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def plausible_secret(value: str) -> bool:
    """A value of a generic assignment that could be a real credential, not a word, path or URL.

    It needs a letter and a digit or symbol (``Sup3rS3cret``, ``hunter2-x``), or, without them, 20
    characters of mixed case and some entropy (a random token); a lone identifier such as
    ``client_credentials``, ``Authorization`` or ``PASSWORD_FIELD`` is not a secret, nor is a path
    (``/run/secrets/db``) or a URL.
    """
    if value.startswith(("/", "./", "../", "~/", "file:", "env:", "fd:")) or "://" in value:
        return False  # a path, a URL, OpenSSL's file:, env: and fd: passphrase sources
    if value.startswith("pass:"):  # OpenSSL's literal passphrase syntax: judge the passphrase
        value = value[5:]
        if len(value) < 8:
            return False
    if not any(c.isalpha() for c in value):
        return False
    if any(c.isdigit() or not (c.isalpha() or c in "_-.") for c in value):
        return True
    if len(value) < 20 or shannon_entropy(value) < 3.5:
        return False
    # Random letters change case at every other character; CamelCase names only between words.
    changes = sum(1 for a, b in itertools.pairwise(value) if a.isupper() != b.isupper())
    return changes >= 0.4 * (len(value) - 1)


def _before(match: re.Match[str], group: str | int = 0) -> str:
    start = match.start(group)
    return match.string[start - 1] if start > 0 else ""


def generic_assignment_ok(match: re.Match[str]) -> bool:
    """``pass``/``pwd`` start a name (not ``bypass``); the line is no doctest or shell prompt example."""
    name = match.group("name") or ""
    if name in ("pass", "pwd") and _before(match, "name").isalpha():
        return False
    text = match.string
    line_start = text.rfind("\n", 0, match.start()) + 1
    return not text.startswith((">>>", "... ", "$ "), line_start + _indent(text, line_start))


def _indent(text: str, start: int) -> int:
    end = start
    while end < len(text) and end - start < 64 and text[end] in " \t":
        end += 1
    return end - start


def npmrc_setting_ok(match: re.Match[str]) -> bool:
    """An .npmrc key starts a line or follows the registry's ``//host/:`` scope."""
    return _before(match) in ("", ":", "\n", " ", "\t")


def url_password_ok(match: re.Match[str]) -> bool:
    """A URL password that is not the user name repeated (``postgres:postgres``) nor a plain word."""
    password = match.group("secret")
    return password != match.group("user") and plausible_secret(password)


def docker_auth_ok(match: re.Match[str]) -> bool:
    """``auth`` is base64 of ``user:password`` with a password; a token field is long enough."""
    if match.group("field") != "auth":
        return True
    raw = _b64decode(match.group("secret"))
    if raw is None:
        return False
    user, sep, password = raw.decode("utf-8", errors="replace").partition(":")
    return bool(sep and user and password) and password.lower() not in PLACEHOLDER_PASSWORDS


# Passwords that documentation uses in examples (``user:password``); not worth a finding.
PLACEHOLDER_PASSWORDS = frozenset({"password", "passwd", "pass", "secret", "pwd", "changeme", "pa55word"})


# --- catalogue -------------------------------------------------------------------------------------


def _rule(
    number: int,
    title: str,
    severity: Severity,
    rationale: str,
    fix: str,
    bad: str,
    good: str = "",
    references: tuple[str, ...] = (),
) -> Rule:
    return Rule(
        id=f"SW-SECRET-{number:03d}",
        title=title,
        severity=severity,
        family=FAMILY,
        rationale=rationale,
        fix=fix,
        bad_example=bad,
        good_example=good,
        references=references,
    )


_ROTATE = "Revoke the credential now (it is in every copy of the image), then rebuild without it. "
_RUNTIME = "Pass credentials at run time: a mounted secret file or a secrets manager."
_BUILD = " For build-time credentials use RUN --mount=type=secret: they never land in a layer."


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_B64URL = "A-Za-z0-9_-"


def _prefixed(literal: str, rest: str, edge: str = "A-Za-z0-9_") -> re.Pattern[str]:
    """A token starting with ``literal``, not glued to characters of ``edge`` on either side.

    The literal comes first and the boundary before it is a lookbehind *after* it: a pattern that
    starts with a literal is searched for at memchr speed, one that starts with a lookbehind is not.
    """
    lit = re.escape(literal)
    return re.compile(rf"(?P<secret>{lit}(?<![{edge}]{lit}){rest})(?![{edge}])")


# Patterns on the lower-cased text (setting names in any case); the secret is cut from the original.
_AWS_SECRET_VALUE = (
    r"""["']?(?:\s{0,4}(?:=|:=|=>|:|,)\s{0,4}|\s{1,4})["']?(?P<secret>[a-z0-9/+]{40})(?![a-z0-9/+=])"""
)
_GITLAB_BODY = r"[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?"
_NPMRC_VALUE = r"""\s{0,4}[=:]\s{0,4}["']?(?P<secret>[^\s"']{8,2048})"""
_DOCKER_VALUE = r'\s{0,4}:\s{0,4}"(?P<secret>[A-Za-z0-9+/._-]{8,4096}={0,2})"'
_ASSIGN = r"""["']?\s{0,4}(?:=|:=|=>|:)(?!=)\s{0,4}"""
_GENERIC_VALUE = (
    r"""(?:"(?P<secret_dq>[^"\s\\]{8,200})"|'(?P<secret_sq>[^'\s\\]{8,200})'"""
    r"""|(?P<secret_bare>[^\s"'`,;&(){}\[\]<>]{8,200})(?=[\s,;&]|$))"""
)
# Setting names that end in a word naming a secret, each pattern starting with that word.
_GENERIC_NAMES = (
    r"(?P<name>pass(?:word|wd)?)",
    r"(?P<name>pwd)",
    r"(?P<name>secret)",
    r"(?P<name>token)",
    r"(?P<name>key(?:(?<=apikey)|(?<=api_key)|(?<=api-key)|(?<=secretkey)|(?<=secret_key)"
    r"|(?<=secret-key)|(?<=privatekey)|(?<=private_key)|(?<=private-key)))",
)


# Both private-key rules share one pattern; their validators split plain from encrypted keys.
_LINE_BREAK = r"(?:\r?\n|\\r\\n|\\n| )"
PRIVATE_KEY_PATTERN = _c(
    r"-----BEGIN[ ](?P<label>(?:[A-Z0-9]{1,10}[ ]){0,2})PRIVATE[ ]KEY(?:[ ]BLOCK)?-----"
    r"(?P<headers>(?:" + _LINE_BREAK + r"[A-Za-z][A-Za-z0-9-]{0,30}:[^\r\n\\]{0,200}){0,6})"
    r"(?:" + _LINE_BREAK + r"|[ \t]){1,12}(?P<secret>[A-Za-z0-9+/=]{32,100})"
)


RULES: tuple[SecretRule, ...] = (
    SecretRule(
        meta=_rule(
            1,
            "AWS access key ID",
            Severity.HIGH,
            "An AWS access key ID (AKIA... long-term, ASIA... temporary) names a credential; its secret "
            "key is usually stored beside it.",
            _ROTATE + _RUNTIME + " On AWS prefer IAM roles (instance profiles, IRSA) to keys.",
            "AWS_ACCESS_KEY_ID=AKIA****************",
            "# no key in the image; the task role supplies credentials",
            ("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html",),
        ),
        patterns=(_prefixed("A", "(?:KIA|SIA)[A-Z0-9]{16}", edge="A-Za-z0-9"),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            2,
            "AWS secret access key",
            Severity.CRITICAL,
            "The 40-character secret of an AWS access key: whoever reads it acts as its owner.",
            _ROTATE + _RUNTIME,
            "aws_secret_access_key = ****************************************",
            "# credentials from the environment of the running task, never from the image",
            ("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",),
        ),
        patterns=(
            _c(r"aws(?<![a-z0-9]aws)[_-]?secret(?:[_-]?access)?[_-]?key" + _AWS_SECRET_VALUE),
            _c(r"secret(?<![a-z0-9]secret)[_-]?access[_-]?key" + _AWS_SECRET_VALUE),
        ),
        keywords=(),
        min_entropy=3.5,
        value_check=mixed_case,
        lowered=True,
        near=_c(r"(?<![A-Za-z0-9/+=])(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
        near_rule="SW-SECRET-001",
    ),
    SecretRule(
        meta=_rule(
            3,
            "GitHub token",
            Severity.CRITICAL,
            "A GitHub personal access token (ghp_, github_pat_), OAuth token (gho_), app user or "
            "installation token (ghu_, ghs_) or refresh token (ghr_) acts with its owner's rights on "
            "repositories and packages.",
            _ROTATE + _RUNTIME + _BUILD,
            "GITHUB_TOKEN=ghp_************************************",
            "RUN --mount=type=secret,id=gh GH_TOKEN=$(cat /run/secrets/gh) make fetch",
            (
                "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github",
            ),
        ),
        patterns=(
            _prefixed("gh", "[pousr]_[A-Za-z0-9]{36,251}"),
            _prefixed("github_pat_", "[A-Za-z0-9]{22}_[A-Za-z0-9]{59,200}"),
        ),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            4,
            "GitLab token",
            Severity.CRITICAL,
            "A GitLab personal, project or group access token (glpat-), deploy token (gldt-), runner token "
            "(glrt-, GR1348941), CI job, trigger, feed, mail, agent, SCIM, feature-flag or OAuth "
            "application secret: access to code, packages and pipelines.",
            _ROTATE + _RUNTIME + _BUILD,
            "CI_TOKEN=glpat-********************",
            "RUN --mount=type=secret,id=gitlab ...",
            ("https://docs.gitlab.com/ee/security/tokens/#token-prefixes",),
        ),
        patterns=(
            _prefixed("gl", "(?:pat|dt|rt|cbt|ptt|ft|imt|agent|soat|ffct|oas)-" + _GITLAB_BODY, edge=_B64URL),
            _prefixed("GR1348941", _GITLAB_BODY, edge=_B64URL),
        ),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            5,
            "Slack token",
            Severity.HIGH,
            "A Slack bot, user, app-level, configuration or refresh token reads and writes the "
            "workspace's messages.",
            _ROTATE + _RUNTIME,
            "SLACK_BOT_TOKEN=xoxb-************",
            "",
            ("https://api.slack.com/authentication/token-types",),
        ),
        patterns=(
            _prefixed(
                "xox",
                "(?:[abposr]-(?:[0-9]{6,16}-){1,3}[A-Za-z0-9]{8,64}|e(?:\\.xox[bp])?-[0-9]-[A-Za-z0-9]{140,200})",
                edge=_B64URL,
            ),
            _prefixed("xapp-", "[0-9]-[A-Z0-9]{8,16}-[0-9]{8,16}-[a-z0-9]{32,128}", edge=_B64URL),
        ),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            6,
            "Slack incoming webhook",
            Severity.MEDIUM,
            "Anyone with an incoming-webhook URL can post into its channel (phishing from a trusted bot).",
            _ROTATE + _RUNTIME,
            "SLACK_WEBHOOK=https://hooks.slack.com/services/T000****",
            "",
            ("https://api.slack.com/messaging/webhooks",),
        ),
        patterns=(
            _c(
                r"hooks\.slack\.com/(?:services|workflows|triggers)/"
                r"(?P<secret>T[A-Z0-9]{6,12}/[A-Z0-9]{6,16}/(?:[0-9]{6,20}/)?[A-Za-z0-9]{20,40})(?![A-Za-z0-9])"
            ),
        ),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            7,
            "Stripe live secret or restricted key",
            Severity.CRITICAL,
            "A live-mode Stripe secret key (sk_live_) or restricted key (rk_live_) moves real money.",
            _ROTATE + _RUNTIME,
            "STRIPE_KEY=sk_live_************************",
            "",
            ("https://docs.stripe.com/keys",),
        ),
        patterns=(_prefixed("sk_live_", "[A-Za-z0-9]{20,247}"), _prefixed("rk_live_", "[A-Za-z0-9]{20,247}")),
        keywords=("k_live_",),
    ),
    SecretRule(
        meta=_rule(
            8,
            "Stripe test-mode secret key",
            Severity.LOW,
            "A test-mode Stripe key (sk_test_, rk_test_) cannot move money but reads and changes the "
            "account's test data and settings.",
            _RUNTIME,
            "STRIPE_KEY=sk_test_************************",
            "",
            ("https://docs.stripe.com/keys",),
        ),
        patterns=(_prefixed("sk_test_", "[A-Za-z0-9]{20,247}"), _prefixed("rk_test_", "[A-Za-z0-9]{20,247}")),
        keywords=("k_test_",),
    ),
    SecretRule(
        meta=_rule(
            9,
            "Google API key",
            Severity.MEDIUM,
            "A Google Cloud API key (AIza...) is billed to its project; unrestricted keys reach every "
            "enabled API.",
            _ROTATE + "Restrict the key (APIs, referrers, IP addresses) and inject it at run time.",
            'const key = "AIza***********************************"',
            "",
            ("https://cloud.google.com/docs/authentication/api-keys",),
        ),
        patterns=(_prefixed("AIza", "[A-Za-z0-9_-]{35}", edge=_B64URL),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            10,
            "Private key",
            Severity.HIGH,
            "An unencrypted private key (PKCS#1 RSA, SEC1 EC, DSA, PKCS#8, OpenSSH, OpenPGP) in an image "
            "is shared with everyone who can pull it.",
            "Generate keys at deployment or mount them as secrets; revoke the key and any certificate.",
            "COPY id_rsa /root/.ssh/id_rsa",
            "RUN --mount=type=ssh git clone git@host:org/repo.git",
            ("https://www.rfc-editor.org/rfc/rfc7468", "https://www.rfc-editor.org/rfc/rfc4880#section-6.2"),
        ),
        patterns=(PRIVATE_KEY_PATTERN,),
        keywords=(),
        validate=private_key_plain,
        placeholders=False,
    ),
    SecretRule(
        meta=_rule(
            11,
            "Encrypted private key",
            Severity.MEDIUM,
            "A passphrase-protected private key (PKCS#8 ENCRYPTED PRIVATE KEY, a Proc-Type: ENCRYPTED PEM "
            "key, an OpenSSH key with a cipher) can be attacked offline: a weak passphrase falls.",
            "Keep private keys out of images even when encrypted; mount them at run time.",
            "COPY server.key /etc/ssl/private/",
            "",
            ("https://www.rfc-editor.org/rfc/rfc5958",),
        ),
        patterns=(PRIVATE_KEY_PATTERN,),
        keywords=(),
        validate=private_key_encrypted,
        placeholders=False,
    ),
    SecretRule(
        meta=_rule(
            12,
            "JSON Web Token",
            Severity.MEDIUM,
            "A signed JWT is a bearer credential until it expires (often never for service tokens).",
            "Do not bake tokens into images; fetch short-lived tokens at run time.",
            'API_TOKEN="eyJh****"',
            "",
            ("https://www.rfc-editor.org/rfc/rfc7519",),
        ),
        patterns=(
            _c(
                r"(?P<secret>(?P<header>eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{10,2000})\."
                r"(?P<payload>[A-Za-z0-9_-]{10,16000})\.[A-Za-z0-9_-]{16,2000})(?![A-Za-z0-9_.-])"
            ),
        ),
        keywords=(),
        validate=jwt_header_ok,
    ),
    SecretRule(
        meta=_rule(
            13,
            "npm access token",
            Severity.CRITICAL,
            "An npm access token (npm_) may publish packages in its owner's name: a supply-chain risk.",
            _ROTATE + "Use a read-only granular token mounted at build time (RUN --mount=type=secret).",
            "//registry.example/:_authToken=npm_************************************",
            "//registry.example/:_authToken=${NPM_TOKEN}",
            ("https://docs.npmjs.com/about-access-tokens",),
        ),
        patterns=(_prefixed("npm_", "[A-Za-z0-9]{36}"),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            14,
            "npm or Yarn registry credential",
            Severity.HIGH,
            "An _authToken, _auth or _password in .npmrc (npmAuthToken in .yarnrc.yml) logs into a "
            "package registry.",
            _ROTATE + "Reference an environment variable (${NPM_TOKEN}) and mount .npmrc as a build secret.",
            "//registry.example/:_authToken=0b2c****",
            "//registry.example/:_authToken=${NPM_TOKEN}",
            ("https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration",),
        ),
        patterns=(
            _c(r"_auth(?:Token)?" + _NPMRC_VALUE),
            _c(r"_password" + _NPMRC_VALUE),
            _c(r"npmAuth(?:Token|Ident)" + _NPMRC_VALUE),
        ),
        keywords=(),
        min_length=8,
        validate=npmrc_setting_ok,
        precedence=1,
    ),
    SecretRule(
        meta=_rule(
            15,
            "PyPI upload token",
            Severity.CRITICAL,
            "A PyPI API token (a pypi- macaroon) uploads releases of its owner's projects.",
            _ROTATE + "Use trusted publishing from CI instead of long-lived tokens.",
            "password = pypi-AgE****",
            "",
            ("https://pypi.org/help/#apitoken",),
        ),
        patterns=(_prefixed("pypi-AgE", "[A-Za-z0-9_-]{70,1000}", edge=_B64URL),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            16,
            "Container registry credential (Docker config auths)",
            Severity.HIGH,
            "A Docker config.json auths entry (base64 user:password, or an identity token) logs into a "
            "registry: pull private images or push poisoned ones.",
            _ROTATE + "Log in at run time or use a credential helper; never copy ~/.docker/config.json.",
            '"auths": {"registry.example": {"auth": "dXNl****"}}',
            '"credHelpers": {"registry.example": "ecr-login"}',
            ("https://docs.docker.com/reference/cli/docker/login/",),
        ),
        patterns=(
            _c(r'(?P<field>auth)"(?<="auth")' + _DOCKER_VALUE),
            _c(r'token"(?<="(?P<field>identity|registry)token")' + _DOCKER_VALUE),
        ),
        keywords=(),
        validate=docker_auth_ok,
    ),
    SecretRule(
        meta=_rule(
            17,
            "SendGrid API key",
            Severity.HIGH,
            "A SendGrid API key sends mail as the account's verified senders.",
            _ROTATE + _RUNTIME,
            "SENDGRID_API_KEY=SG.****",
            "",
            ("https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",),
        ),
        patterns=(_prefixed("SG.", r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", edge=_B64URL),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            18,
            "OpenAI or Anthropic API key",
            Severity.HIGH,
            "An OpenAI (sk-...T3BlbkFJ..., sk-proj-) or Anthropic (sk-ant-) API key is billed to its owner.",
            _ROTATE + _RUNTIME,
            "OPENAI_API_KEY=sk-p****",
            "",
            ("https://platform.openai.com/docs/api-reference/authentication",),
        ),
        patterns=(
            _prefixed(
                "sk-",
                "(?:(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}"
                "|ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,120})",
                edge=_B64URL,
            ),
        ),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            19,
            "HashiCorp Vault token",
            Severity.HIGH,
            "A Vault service or batch token (hvs., hvb.) reads the secrets its policies allow.",
            _ROTATE + "Authenticate to Vault at run time (Kubernetes auth, AppRole with response wrapping).",
            "VAULT_TOKEN=hvs.****",
            "",
            ("https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes",),
        ),
        patterns=(_prefixed("hv", r"[sb]\.[A-Za-z0-9_-]{24,400}", edge=_B64URL),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            20,
            "Azure storage account key",
            Severity.HIGH,
            "An Azure storage connection string's AccountKey gives full access to the account's data.",
            _ROTATE + "Use a managed identity or a short-lived SAS token provided at run time.",
            "DefaultEndpointsProtocol=https;AccountName=app;AccountKey=****",
            "",
            ("https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string",),
        ),
        patterns=(_c(r"accountkey\s{0,2}=\s{0,2}(?P<secret>[a-z0-9+/]{86}==)"),),
        keywords=("accountkey",),
        lowered=True,
    ),
    SecretRule(
        meta=_rule(
            21,
            "Hugging Face access token",
            Severity.MEDIUM,
            "A Hugging Face user access token (hf_) reads, and may write, the owner's models and datasets.",
            _ROTATE + _RUNTIME,
            "HF_TOKEN=hf_****",
            "",
            ("https://huggingface.co/docs/hub/security-tokens",),
        ),
        patterns=(_prefixed("hf_", "[A-Za-z]{34,40}", edge=_B64URL),),
        keywords=(),
    ),
    SecretRule(
        meta=_rule(
            22,
            "Password in a URL",
            Severity.MEDIUM,
            "A URL with user:password@ (a DATABASE_URL, a git or package index URL) carries a working "
            "password.",
            "Pass the password separately at run time (a secret file, PGPASSFILE, a credential helper).",
            "DATABASE_URL=postgres://app:S3cr****@db:5432/app",
            "DATABASE_URL=postgres://app@db:5432/app  # password from PGPASSFILE",
        ),
        patterns=(_c(r"""://(?P<user>[^\s:/@"'`<>]{0,64}):(?P<secret>[^\s/@"'`<>]{3,128})@[A-Za-z0-9\[]"""),),
        keywords=(),
        min_length=6,
        generic=True,
        precedence=0,
        validate=url_password_ok,
    ),
    SecretRule(
        meta=_rule(
            23,
            "Password, secret or token assignment",
            Severity.MEDIUM,
            "A literal value assigned to a password, secret, token or API key setting (config files, "
            ".env, scripts, source code), long and random enough to be a real credential.",
            "Read the value from the environment or a mounted secret file at run time.",
            'DB_PASSWORD="pR3s****"',
            "DB_PASSWORD_FILE=/run/secrets/db_password",
        ),
        patterns=(
            *(_c(name + _ASSIGN + _GENERIC_VALUE) for name in _GENERIC_NAMES),
            _c(
                r"<(?P<name>[a-z0-9_.:-]{0,30}(?:password|passwd|secret|token|api[_-]?key))>"
                r"(?P<secret_xml>[^<\s]{8,200})</"
            ),
            # PHP: define('DB_PASSWORD', '...'), WordPress's AUTH_KEY and SALT constants
            _c(
                r"""define\(\s{0,4}['"](?P<name>[a-z0-9_]{0,40}(?:password|secret|key|token|salt))['"]"""
                r"""\s{0,4},\s{0,4}(?:'(?P<secret_sq>[^'\\]{8,200})'|"(?P<secret_dq>[^"\\]{8,200})")"""
            ),
            # .netrc: machine HOST login USER password PASSWORD
            _c(
                r"""login\s{1,4}[^\s]{1,64}\s{1,4}(?P<name>password)\s{1,4}(?P<secret_netrc>[^\s"'`]{8,200})"""
            ),
        ),
        keywords=(),
        min_length=8,
        min_entropy=2.5,
        generic=True,
        precedence=0,
        value_check=plausible_secret,
        bare_group="secret_bare",
        lowered=True,
        validate=generic_assignment_ok,
    ),
)

RULES_BY_ID: dict[str, SecretRule] = {rule.id: rule for rule in RULES}


def catalogue() -> dict[str, Rule]:
    """The catalogue entry of every secret rule by ID, in ID order (for tools/gen_rule_docs.py, SARIF)."""
    return {rule.id: rule.meta for rule in RULES}
