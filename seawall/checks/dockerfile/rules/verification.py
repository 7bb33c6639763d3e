"""TLS certificate and package signature verification turned off."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.checks.dockerfile.engine import Context, Hit, check, rule
from seawall.checks.dockerfile.parser import Instruction, parse_pairs
from seawall.checks.dockerfile.shell import Command
from seawall.model import Severity

TLS_OFF = rule(
    "SW-DF-020",
    "TLS certificate verification disabled",
    Severity.HIGH,
    rationale=(
        "`curl -k`, `wget --no-check-certificate`, `pip --trusted-host`, `npm config set strict-ssl "
        "false`, `git -c http.sslVerify=false` and variables such as `NODE_TLS_REJECT_UNAUTHORIZED=0`, "
        "`PYTHONHTTPSVERIFY=0` or `GIT_SSL_NO_VERIFY` accept any certificate: anyone on the network "
        "path can substitute the code you download. Set in ENV, the variables also weaken every "
        "connection the running application makes."
    ),
    fix=(
        "Remove the option or variable. If a proxy re-signs TLS traffic, add its CA certificate to the "
        "trust store (`COPY corp-ca.crt /usr/local/share/ca-certificates/` and `update-ca-certificates`)"
        " or point the tool at it (`--cacert`, `PIP_CERT`, `NODE_EXTRA_CA_CERTS`)."
    ),
    bad_example="FROM node:20-slim\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\nRUN curl -kfsSLo /tmp/x https://example.com/x\n",
    good_example=(
        "FROM node:20-slim\nCOPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt\n"
        "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corp-ca.crt\n"
        "RUN curl -fsSLo /tmp/x https://example.com/x\n"
    ),
    references=("https://curl.se/docs/sslcerts.html",),
    tags=("cwe:295",),
)
SIGNATURES_OFF = rule(
    "SW-DF-021",
    "Package signature verification disabled",
    Severity.HIGH,
    rationale=(
        "Package managers verify signatures so that a mirror, proxy or attacker cannot hand you "
        "modified packages. `apk --allow-untrusted`, `apt-get --allow-unauthenticated` (or "
        "`--force-yes`, `Acquire::AllowInsecureRepositories`, `[trusted=yes]`), `rpm --nosignature`"
        " / `--nodigest`, `yum`/`dnf --nogpgcheck` and `gpgcheck=0` switch that off."
    ),
    fix=(
        "Import the repository's signing key (`/etc/apt/keyrings` with `signed-by=`, `rpm --import`, "
        "`/etc/apk/keys`) and remove the option."
    ),
    bad_example=(
        "FROM alpine:3.20\nCOPY tool.apk /tmp/\nRUN apk add --no-cache --allow-untrusted /tmp/tool.apk\n"
    ),
    good_example=(
        "FROM alpine:3.20\nCOPY builder.rsa.pub /etc/apk/keys/\nCOPY tool.apk /tmp/\n"
        "RUN apk add --no-cache /tmp/tool.apk\n"
    ),
    references=("https://wiki.debian.org/SecureApt",),
    tags=(
        "cwe:347",
        "cis-docker:4.11",
    ),
)
_FALSE = frozenset({"0", "false", "no", "off"})
_GPGCHECK_OFF = re.compile(r"gpgcheck\s*=\s*(?:0|false|no)\b", re.I)
_APT_SIGNATURE_OPTIONS = re.compile(
    r"Acquire::AllowInsecureRepositories\s*=\s*(?:1|true|yes)|APT::Get::AllowUnauthenticated\s*=\s*(?:1|true|yes)",
    re.I,
)
_APT_TLS_OPTIONS = re.compile(r"Acquire::https?::Verify-(?:Peer|Host)\s*=\s*(?:0|false|no)", re.I)


def tls_variable(name: str, value: str) -> bool:
    """Whether setting environment variable ``name`` to ``value`` turns TLS verification off."""
    upper = name.upper()
    lowered = value.strip().strip("'\"").lower()
    if upper == "NODE_TLS_REJECT_UNAUTHORIZED":
        return lowered == "0"
    if upper == "PYTHONHTTPSVERIFY":
        return lowered == "0"
    if upper in ("NPM_CONFIG_STRICT_SSL", "YARN_STRICT_SSL", "NPM_CONFIG_STRICT-SSL"):
        return lowered in _FALSE
    if upper in ("GIT_SSL_NO_VERIFY", "PIP_TRUSTED_HOST", "CURL_INSECURE"):
        return bool(lowered)
    return False


def _short_option(word: str, letter: str) -> bool:
    return word.startswith("-") and not word.startswith("--") and word[1:].isalpha() and letter in word[1:]


def tls_problem(command: Command) -> str:
    """What in ``command`` turns TLS verification off, or ``""``."""
    program = command.program
    args = command.argv[1:]
    for word in command.words:
        name, equals, value = word.partition("=")
        if equals and tls_variable(name, value):
            return f"{name}={value}"
        if not equals:
            break
    if program == "curl" and any(word == "--insecure" or _short_option(word, "k") for word in args):
        return "curl -k/--insecure"
    if program == "wget" and "--no-check-certificate" in args:
        return "wget --no-check-certificate"
    if program.startswith("pip") or (program.startswith("python") and "pip" in args[:2]):
        if any(word.partition("=")[0] == "--trusted-host" for word in args):
            return "pip --trusted-host"
        if args[:2] == ("config", "set") and len(args) > 2 and args[2].endswith("trusted-host"):
            return "pip config set trusted-host"
    if program in ("npm", "yarn", "pnpm"):
        text = " ".join(args).lower()
        if re.search(r"strict-ssl(?:\s+|=)(?:false|0)\b", text):
            return f"{program} strict-ssl false"
    if program == "git":
        text = " ".join(args).lower()
        if re.search(r"http\.sslverify(?:\s+|=)(?:false|0|no)\b", text):
            return "git http.sslVerify false"
    if program in ("apt-get", "apt") and any(_APT_TLS_OPTIONS.search(word) for word in args):
        return "apt Acquire::https::Verify-Peer=false"
    if program in ("yum", "dnf", "microdnf", "tdnf") and any(
        re.search(r"sslverify\s*=\s*(?:0|false|no)\b", word, re.I) for word in args
    ):
        return f"{program} sslverify=0"
    if program == "export":
        for word in args:
            name, _, value = word.partition("=")
            if tls_variable(name, value):
                return f"export {name}={value}"
    return ""


def signature_problem(command: Command) -> str:
    program = command.program
    args = command.argv[1:]
    if program == "apk" and "--allow-untrusted" in args:
        return "apk --allow-untrusted"
    if program in ("apt-get", "apt", "aptitude"):
        for option in ("--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"):
            if option in args:
                return f"{program} {option}"
        if any(_APT_SIGNATURE_OPTIONS.search(word) for word in args):
            return f"{program} -o Acquire::AllowInsecureRepositories"
    if program == "rpm":
        for option in ("--nosignature", "--nodigest", "--nogpgcheck"):
            if option in args:
                return f"rpm {option}"
    managers = ("yum", "dnf", "microdnf", "tdnf", "yum-config-manager", "dnf-config-manager")
    if program in managers and "--nogpgcheck" in args:
        return f"{program} --nogpgcheck"
    if program == "zypper" and any(word in ("--no-gpg-checks", "--no-gpg-check") for word in command.argv):
        return "zypper --no-gpg-checks"
    for word in args:
        lowered = word.lower()
        if "gpgcheck" in lowered and _GPGCHECK_OFF.search(word):
            return "gpgcheck=0"
        if "trusted=yes" in lowered and "[" in lowered:
            return "[trusted=yes] repository"
    return ""


def _environment(context: Context) -> Iterator[tuple[Instruction, str, str]]:
    escape = context.dockerfile.escape
    for instruction in context.dockerfile.instructions:
        if instruction.keyword in ("ENV", "ARG"):
            for name, value in parse_pairs(instruction.args, escape, allow_bare=instruction.keyword == "ARG"):
                if value is not None:
                    yield instruction, name, value


@check
def verification_off(context: Context) -> Iterator[Hit]:
    for instruction, name, value in _environment(context):
        if tls_variable(name, value):
            yield Hit(
                TLS_OFF, instruction, f"{instruction.keyword} {name}={value} turns TLS verification off"
            )
    for instruction in context.runs():
        tls = signature = ""
        for command in context.commands(instruction):
            tls = tls or tls_problem(command)
            signature = signature or signature_problem(command)
        if tls:
            yield Hit(TLS_OFF, instruction, f"{tls} turns TLS certificate verification off")
        if signature:
            yield Hit(SIGNATURES_OFF, instruction, f"{signature} turns package signature checks off")
