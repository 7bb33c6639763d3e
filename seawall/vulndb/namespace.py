"""Namespaces and package names: how an ecosystem string from a feed becomes a lookup key.

A namespace is a language ecosystem (``pypi``, ``go``, ``npm``, ``cargo``, ``rubygems``, ``maven``)
or a distribution and release (``debian:12``, ``almalinux:9``, ``alpine:3.20``, ``ubuntu:22.04``). The
distribution part is the os-release ``ID`` (:attr:`seawall.model.OSInfo.family`), so matching builds
the key from an image's OS without a table of its own. Every importer and the matcher use these
functions, so both sides of a lookup are normalised the same way.
"""

from __future__ import annotations

import functools
import re

# OSV ecosystem (lower case) -> os-release ID, for distributions whose names differ.
_DISTROS = {
    "almalinux": "almalinux",
    "alpine": "alpine",
    "alpaquita": "alpaquita",
    "azure linux": "azurelinux",
    "bellsoft hardened containers": "bellsoft-hardened-containers",
    "chainguard": "chainguard",
    "debian": "debian",
    "mageia": "mageia",
    "minimos": "minimos",
    "openeuler": "openeuler",
    "opensuse": "opensuse",
    "photon os": "photon",
    "red hat": "rhel",
    "rocky linux": "rocky",
    "suse": "sles",
    "ubuntu": "ubuntu",
    "wolfi": "wolfi",
    "amazon linux": "amzn",
    "oracle linux": "ol",
    "centos": "centos",
    "fedora": "fedora",
}

# OSV names the Rust ecosystem after its registry's host; we spell it out only where OSV needs it.
RUST_OSV_ECOSYSTEM = ".".join(("crates", "io"))

# OSV ecosystem (lower case) -> namespace, for language ecosystems.
_LANGUAGES = {
    "pypi": "pypi",
    "go": "go",
    "npm": "npm",
    "cargo": "cargo",
    "rubygems": "rubygems",
    "maven": "maven",
    "nuget": "nuget",
    "packagist": "packagist",
    "pub": "pub",
    "hex": "hex",
    "hackage": "hackage",
    "cran": "cran",
    "swifturl": "swifturl",
    "github actions": "github-actions",
    "conancenter": "conan",
    "bioconductor": "bioconductor",
}

# Namespace family -> version scheme (a seawall.versions name).
_SCHEMES = {
    "pypi": "pep440",
    "go": "go",
    "npm": "npm",
    "cargo": "cargo",
    "rubygems": "rubygems",
    "maven": "maven",
    "nuget": "nuget",
    "packagist": "composer",
    "debian": "dpkg",
    "ubuntu": "dpkg",
    "alpine": "apk",
    "wolfi": "apk",
    "chainguard": "apk",
    "minimos": "apk",
    "alpaquita": "apk",
    "almalinux": "rpm",
    "rocky": "rpm",
    "rhel": "rpm",
    "centos": "rpm",
    "fedora": "rpm",
    "ol": "rpm",
    "amzn": "rpm",
    "sles": "rpm",
    "opensuse": "rpm",
    "mageia": "rpm",
    "openeuler": "rpm",
    "photon": "rpm",
    "azurelinux": "rpm",
}

_RELEASE_WORDS = {"lts"}
_PEP503 = re.compile(r"[-_.]+")


@functools.lru_cache(maxsize=4096)
def namespace_of(ecosystem: str) -> str:
    """``AlmaLinux:9`` -> ``almalinux:9``; ``Alpine:v3.20`` -> ``alpine:3.20``; ``PyPI`` -> ``pypi``.

    Ubuntu's ``Ubuntu:22.04:LTS`` is ``ubuntu:22.04``; its Pro streams keep their qualifier
    (``Ubuntu:Pro:16.04:LTS`` -> ``ubuntu:pro:16.04``), since their fixes need a subscription.
    A language ecosystem's suffix (a registry) is dropped: ``Maven:URL`` is ``maven``.
    """
    base, _, suffix = ecosystem.strip().partition(":")
    key = base.strip().lower()
    if key.startswith("crates"):  # OSV names the Rust ecosystem after its registry's host
        key = "cargo"
    if key in _LANGUAGES:
        return _LANGUAGES[key]
    family = _DISTROS.get(key) or re.sub(r"\s+", "-", key)
    parts = [p.strip().lower() for p in suffix.split(":") if p.strip()]
    parts = [p for p in parts if p not in _RELEASE_WORDS]
    parts = [re.sub(r"\s+", "-", _strip_v(p)) for p in parts]
    return ":".join([family, *parts])


def _strip_v(release: str) -> str:
    return release[1:] if len(release) > 1 and release[0] == "v" and release[1].isdigit() else release


def family_of(namespace: str) -> str:
    """``debian:12`` -> ``debian``; ``pypi`` -> ``pypi``."""
    return namespace.partition(":")[0]


def is_distro(namespace: str) -> bool:
    return family_of(namespace) not in _LANGUAGES.values()


def normalize_name(namespace: str, name: str) -> str:
    """A package name as the ecosystem compares names.

    PyPI: PEP 503 (``Foo_Bar.baz`` -> ``foo-bar-baz``); Cargo: case-insensitive with ``-`` and
    ``_`` equivalent; NuGet, Packagist: case-insensitive. Others (Go module paths, npm, RubyGems, Maven
    ``group:artifact``, distribution packages) are compared as written.
    """
    name = name.strip()
    family = family_of(namespace)
    if family == "pypi":
        return _PEP503.sub("-", name).lower()
    if family == "cargo":
        return name.lower().replace("_", "-")
    if family in ("nuget", "packagist"):
        return name.lower()
    return name


@functools.lru_cache(maxsize=4096)
def scheme_of(namespace: str, range_type: str = "ECOSYSTEM") -> str:
    """The version scheme for ranges of ``range_type`` in ``namespace``.

    SEMVER ranges are SemVer 2.0 everywhere, except in Go, whose ``go`` scheme also reads module
    versions with their ``v`` prefix (OSV writes Go ranges without it). An ecosystem without a scheme
    of ours gets its family name, which the matcher will not find (and so will not guess).
    """
    family = family_of(namespace)
    if range_type == "SEMVER":
        return "go" if family == "go" else "semver"
    return _SCHEMES.get(family, family)
