"""Package URLs: expected strings are the purl specification's own examples where the model can
express them, else written from the specification's per-type rules. packageurl-python is the
reference parser: every purl must parse back to the components we meant."""

from __future__ import annotations

import pytest
from packageurl import PackageURL

from seawall.inventory.purl import PurlError, components, os_family, parse_purl, purl_for
from seawall.model import Package
from tests.report import inventories as inv

CASES = [
    # spec example; no distro known, so the vendor defaults and no distro qualifier is written
    (
        Package(type="apk", name="curl", version="7.83.0-r0", arch="x86"),
        "pkg:apk/alpine/curl@7.83.0-r0?arch=x86",
    ),
    # spec example
    (
        Package(type="rpm", name="curl", version="7.50.3-1.fc25", arch="i386", distro="fedora-25"),
        "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25",
    ),
    # spec example (pkg:rpm/centerim@4.22.10-1.el6?arch=i686&epoch=1&distro=fedora-25) with the
    # namespace the spec's rpm rules ask for and qualifiers in canonical (sorted) order
    (
        Package(type="rpm", name="centerim", version="1:4.22.10-1.el6", arch="i686", distro="fedora-25"),
        "pkg:rpm/fedora/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1",
    ),
    (inv.CURL_RPM, "pkg:rpm/rocky/curl@7.76.1-26.el9_3.2?arch=x86_64&distro=rocky-9.3&epoch=1"),
    (inv.LIBSSL, "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"),
    (
        Package(type="deb", name="openssl", version="3.0.15-1~deb12u1", arch="amd64", distro="debian-12"),
        "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12",
    ),
    # a dpkg epoch stays in the version; '+' is percent-encoded, ':' need not be
    (
        Package(type="deb", name="bash", version="1:5.2-1+b1", arch="amd64", distro="ubuntu-22.04"),
        "pkg:deb/ubuntu/bash@1:5.2-1%2Bb1?arch=amd64&distro=ubuntu-22.04",
    ),
    (inv.ZLIB, "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"),
    (
        Package(type="rpm", name="bash", version="5.1-2", arch="x86_64", distro="opensuse-leap-15.5"),
        "pkg:rpm/opensuse-leap/bash@5.1-2?arch=x86_64&distro=opensuse-leap-15.5",
    ),
    # spec examples
    (inv.ANGULAR, "pkg:npm/%40angular/animation@12.3.1"),
    (Package(type="npm", name="foobar", version="12.3.1"), "pkg:npm/foobar@12.3.1"),
    (inv.GORILLA, "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c"),
    (
        Package(type="golang", name="google.golang.org/genproto", version="abcdedf"),
        "pkg:golang/google.golang.org/genproto@abcdedf",
    ),
    (inv.BATIK, "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1"),
    (Package(type="pypi", name="django", version="1.11.1"), "pkg:pypi/django@1.11.1"),
    (Package(type="pypi", name="Django_Allauth", version="0.50.0"), "pkg:pypi/django-allauth@0.50.0"),
    (inv.FLASK_SQLA, "pkg:pypi/flask-sqlalchemy@3.1.1"),
    (inv.TYPING_EXT, "pkg:pypi/typing-extensions@4.12.2"),
    (Package(type="cargo", name="rand", version="0.7.2"), "pkg:cargo/rand@0.7.2"),
    (
        Package(type="gem", name="ruby-advisory-db-check", version="0.12.4"),
        "pkg:gem/ruby-advisory-db-check@0.12.4",
    ),
    (
        Package(type="nuget", name="EnterpriseLibrary.Common", version="6.0.1304"),
        "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
    ),
    (Package(type="composer", name="laravel/laravel", version="5.5.0"), "pkg:composer/laravel/laravel@5.5.0"),
    # Go module paths are case-sensitive: case is kept
    (
        Package(type="golang", name="github.com/BurntSushi/toml", version="v1.3.2"),
        "pkg:golang/github.com/BurntSushi/toml@v1.3.2",
    ),
    (Package(type="golang", name="stdlib", version="go1.21.3"), "pkg:golang/stdlib@go1.21.3"),
]


@pytest.mark.parametrize(("package", "expected"), CASES, ids=[c[1] for c in CASES])
def test_purl_string(package: Package, expected: str) -> None:
    assert purl_for(package) == expected


@pytest.mark.parametrize(("package", "expected"), CASES, ids=[c[1] for c in CASES])
def test_reference_parser_reads_back_the_same_fields(package: Package, expected: str) -> None:
    parts = components(package)
    parsed = PackageURL.from_string(purl_for(package))
    assert parsed.type == parts.type
    assert (parsed.namespace or "") == parts.namespace
    assert parsed.name == parts.name
    assert (parsed.version or "") == parts.version
    assert dict(parsed.qualifiers or {}) == dict(parts.qualifiers)
    # and the round trip through the reference implementation is stable
    assert parsed.to_string() == expected


def test_parsed_fields_of_the_typical_kinds() -> None:
    rpm = parse_purl(purl_for(inv.CURL_RPM))
    assert (rpm.type, rpm.namespace, rpm.name, rpm.version) == ("rpm", "rocky", "curl", "7.76.1-26.el9_3.2")
    assert rpm.qualifier("epoch") == "1"
    assert rpm.qualifier("arch") == "x86_64"
    assert rpm.qualifier("distro") == "rocky-9.3"
    npm = parse_purl(purl_for(inv.ANGULAR))
    assert (npm.namespace, npm.name) == ("@angular", "animation")
    go = parse_purl(purl_for(inv.GORILLA))
    assert (go.namespace, go.name) == ("github.com/gorilla", "context")
    maven = parse_purl(purl_for(inv.BATIK))
    assert (maven.namespace, maven.name, maven.version) == ("org.apache.xmlgraphics", "batik-anim", "1.9.1")
    deb = parse_purl(purl_for(inv.ZLIB))
    assert deb.version == "1:1.2.13.dfsg-1"
    assert deb.qualifier("epoch") is None


def test_rpm_epoch_zero_is_kept_as_given() -> None:
    package = Package(type="rpm", name="glibc", version="0:2.34-60.el9", arch="x86_64", distro="rhel-9.3")
    assert purl_for(package) == "pkg:rpm/rhel/glibc@2.34-60.el9?arch=x86_64&distro=rhel-9.3&epoch=0"


def test_npm_name_is_lower_cased_scope_kept() -> None:
    assert purl_for(Package(type="npm", name="@Types/Node", version="1.0.0")) == "pkg:npm/%40Types/node@1.0.0"


def test_language_packages_get_no_os_qualifiers() -> None:
    package = Package(type="pypi", name="six", version="1.16.0", arch="x86_64", distro="debian-12")
    assert purl_for(package) == "pkg:pypi/six@1.16.0"


def test_os_family_of_distro_strings() -> None:
    assert os_family("debian-12") == "debian"
    assert os_family("alpine-3.15.0") == "alpine"
    assert os_family("opensuse-leap-15.5") == "opensuse-leap"
    assert os_family("amzn-2023") == "amzn"
    assert os_family("wolfi") == "wolfi"


@pytest.mark.parametrize(
    "package",
    [
        Package(type="pypi", name="", version="1.0"),
        Package(type="golang", name="github.com/x/", version="v1"),
        Package(type="", name="x", version="1"),
        Package(type="n pm", name="x", version="1"),
        Package(type="1abc", name="x", version="1"),
    ],
)
def test_no_purl_for_a_package_without_a_name_or_type(package: Package) -> None:
    with pytest.raises(PurlError):
        purl_for(package)


@pytest.mark.parametrize("text", ["", "curl@1.0", "pkg:", "pkg:npm", "http://example.test/x"])
def test_parse_purl_rejects_non_purls(text: str) -> None:
    with pytest.raises(PurlError):
        parse_purl(text)


def test_hostile_characters_are_encoded_and_survive_the_round_trip() -> None:
    package = Package(type="npm", name="evil pkg?#&=/x", version="1.0.0 beta#1")
    text = purl_for(package)
    assert " " not in text and "#" not in text.split("@", 1)[1]
    parsed = PackageURL.from_string(text)
    assert parsed.version == "1.0.0 beta#1"
