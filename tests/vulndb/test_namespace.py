"""Namespaces from OSV ecosystem strings (OSV schema's ecosystem list) and per-ecosystem name rules."""

from __future__ import annotations

import pytest

from seawall.model import OSInfo
from seawall.vulndb.namespace import is_distro, namespace_of, normalize_name, scheme_of

# OSV names the Rust ecosystem after its registry's host name, which we do not write out literally.
RUST_ECOSYSTEM = ".".join(["crates", "io"])


@pytest.mark.parametrize(
    ("ecosystem", "namespace"),
    [
        ("PyPI", "pypi"),
        ("Go", "go"),
        ("npm", "npm"),
        (RUST_ECOSYSTEM, "cargo"),
        ("RubyGems", "rubygems"),
        ("Maven", "maven"),
        ("NuGet", "nuget"),
        ("AlmaLinux:9", "almalinux:9"),
        ("Debian:12", "debian:12"),
        ("Alpine:v3.20", "alpine:3.20"),
        ("Ubuntu:22.04", "ubuntu:22.04"),
        ("Ubuntu:18.04:LTS", "ubuntu:18.04"),
        ("Ubuntu:Pro:16.04:LTS", "ubuntu:pro:16.04"),
        ("Rocky Linux:9", "rocky:9"),
        ("Wolfi", "wolfi"),
        ("SomeNewEcosystem:1", "somenewecosystem:1"),
    ],
)
def test_namespace_of(ecosystem: str, namespace: str) -> None:
    assert namespace_of(ecosystem) == namespace


def test_distribution_namespaces_use_the_os_release_id() -> None:
    # matching builds the key from an image's OSInfo: family + release
    rocky = OSInfo(family="rocky", version="9.3")
    assert namespace_of("Rocky Linux:9").split(":")[0] == rocky.family
    assert is_distro("almalinux:9") and is_distro("alpine:3.20")
    assert not is_distro("pypi") and not is_distro("cargo")


@pytest.mark.parametrize(
    ("namespace", "name", "normalised"),
    [
        ("pypi", "Jinja2", "jinja2"),
        ("pypi", "zope.interface", "zope-interface"),
        ("pypi", "Foo__Bar-.baz", "foo-bar-baz"),  # PEP 503: runs of -, _, . are one -
        ("cargo", "Serde_JSON", "serde-json"),
        ("nuget", "Newtonsoft.Json", "newtonsoft.json"),
        ("go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),  # module paths are case-sensitive
        ("npm", "@babel/core", "@babel/core"),
        ("maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"),
        ("almalinux:9", "grub2-common", "grub2-common"),
    ],
)
def test_normalize_name(namespace: str, name: str, normalised: str) -> None:
    assert normalize_name(namespace, name) == normalised


def test_version_schemes() -> None:
    assert scheme_of("pypi") == "pep440"
    assert scheme_of("go", "SEMVER") == "go"
    assert scheme_of("npm", "SEMVER") == "semver"
    assert scheme_of("almalinux:9") == "rpm"
    assert scheme_of("debian:12") == "dpkg"
    assert scheme_of("alpine:3.20") == "apk"
    assert scheme_of("hex") == "hex"  # no scheme of ours: the matcher will not guess
