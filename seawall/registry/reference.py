"""Image references (``[REGISTRY/]REPO[:TAG][@DIGEST]``) parsed and normalised as Docker does.

The grammar is the distribution project's ``reference`` grammar: lowercase path components joined by
``/``, separated inside by ``.``, ``_``, ``__`` or dashes; a registry host (a domain, an IPv4 address or
a bracketed IPv6 address) with an optional port; tags of at most 128 word characters, dots and dashes;
digests ``ALGORITHM:HEX``. Normalisation: a first component that has no ``.`` or ``:`` and is not
``localhost`` is a path, not a registry, and the registry is then ``docker.io``; ``index.docker.io``
is ``docker.io``; single-component names on ``docker.io`` live under ``library/``; no tag and no
digest means ``:latest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from seawall.errors import UsageError

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
DOCKER_HUB_ALIASES = frozenset({DOCKER_HUB, "index.docker.io", DOCKER_HUB_API})
DEFAULT_TAG = "latest"
MAX_NAME = 255

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])"
DOMAIN_RE = re.compile(rf"{_HOST}(?::([0-9]+))?")
PATH_RE = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_HEX64 = re.compile(r"[a-f0-9]{64}")
SUPPORTED_DIGESTS = {"sha256": 64, "sha512": 128}


@dataclass(frozen=True)
class Reference:
    """A normalised reference. ``registry`` is as the user knows it (``docker.io``, ``host:5000``)."""

    registry: str
    repository: str
    tag: str = ""
    digest: str = ""

    @property
    def api_host(self) -> str:
        """The host serving the registry API (Docker Hub's API is not at ``docker.io``)."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def identifier(self) -> str:
        """What a manifest is fetched by: the digest when there is one, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    def with_digest(self, digest: str) -> Reference:
        return replace(self, digest=digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def _fail(text: str, why: str) -> UsageError:
    return UsageError(f"bad image reference {text!r}: {why}")


def split_registry(name: str) -> tuple[str, str]:
    """(registry, remainder) by Docker's rule: the first component is a registry only when it looks like
    a host (has ``.`` or ``:``, or is ``localhost``) or has uppercase letters (which no path may)."""
    first, slash, rest = name.partition("/")
    if not slash or (
        "." not in first and ":" not in first and first != "localhost" and first.lower() == first
    ):
        return DOCKER_HUB, name
    return first, rest


def check_digest(digest: str, text: str = "") -> str:
    """A digest of a supported algorithm, lowercase hex of the right length, else a UsageError."""
    if not DIGEST_RE.fullmatch(digest):
        raise _fail(text or digest, f"malformed digest {digest!r}")
    algorithm, _, hexdigest = digest.partition(":")
    if SUPPORTED_DIGESTS.get(algorithm) != len(hexdigest) or hexdigest != hexdigest.lower():
        raise _fail(text or digest, f"unsupported digest {digest!r} (sha256 or sha512, lowercase hex)")
    return digest


def normalize_registry(host: str) -> str:
    """``index.docker.io`` and Docker Hub's API host are ``docker.io``; other hosts are kept as given."""
    lowered = host.lower()
    return DOCKER_HUB if lowered in DOCKER_HUB_ALIASES else lowered


def check_registry(host: str, text: str = "") -> str:
    match = DOMAIN_RE.fullmatch(host)
    if not match:
        raise _fail(text or host, f"bad registry host {host!r}")
    port = match.group(1)
    if port is not None and not 0 < int(port) < 65536:
        raise _fail(text or host, f"bad port {port!r}")
    return normalize_registry(host)


def parse_reference(text: str) -> Reference:
    """Parse and normalise a reference; :class:`UsageError` names what is wrong with it."""
    if not text or len(text) > 4096 or text != text.strip():
        raise _fail(text[:80], "empty, too long or padded with spaces")
    remainder, at, digest = text.partition("@")
    if at:
        check_digest(digest, text)
    name, tag = remainder, ""
    colon = remainder.rfind(":")
    if colon > remainder.rfind("/"):
        name, tag = remainder[:colon], remainder[colon + 1 :]
        if not TAG_RE.fullmatch(tag):
            raise _fail(text, f"bad tag {tag!r}")
    if not name:
        raise _fail(text, "no repository name")
    if len(name) > MAX_NAME:
        raise _fail(text, f"the name is longer than {MAX_NAME} characters")
    registry, path = split_registry(name)
    registry = check_registry(registry, text)
    if path.lower() != path:
        raise _fail(text, "repository names must be lowercase")
    if not PATH_RE.fullmatch(path):
        raise _fail(text, f"bad repository name {path!r}")
    if _HEX64.fullmatch(text):
        raise _fail(text, "a 64-character hexadecimal string is an image ID, not a repository name")
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not tag and not digest:
        tag = DEFAULT_TAG
    return Reference(registry, path, tag, digest)


ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".gz", ".zst", ".json")


def looks_like_reference(text: str) -> bool:
    """Whether a TARGET that names nothing on disk should be taken as a reference rather than as a
    mistyped path: it parses, does not start like a path, and is not a bare archive file name."""
    if text.startswith(("/", "./", "../", "~", ".")) or "\\" in text:
        return False
    try:
        parsed = parse_reference(text)
    except UsageError:
        return False
    explicit = ":" in text.rpartition("/")[2] or "@" in text
    return explicit or not text.lower().endswith(ARCHIVE_SUFFIXES) or parsed.registry != DOCKER_HUB
