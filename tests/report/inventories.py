"""Hand-built inventories for the renderer tests: one of every package kind the model knows."""

from __future__ import annotations

from seawall.model import ImageInfo, Inventory, LayerInfo, Location, OSInfo, Package

L0 = "sha256:" + "0" * 63 + "a"
L1 = "sha256:" + "1" * 63 + "b"
L2 = "sha256:" + "2" * 63 + "c"
MANIFEST = "sha256:" + "d" * 64
CONFIG = "sha256:" + "e" * 64

IMAGE = ImageInfo(
    reference="oci:build/app:1.0",
    manifest_digest=MANIFEST,
    config_digest=CONFIG,
    os="linux",
    architecture="amd64",
    layers=(
        LayerInfo(
            digest="sha256:" + "a" * 64, diff_id=L0, size=100, media_type="application/x", created_by="a"
        ),
        LayerInfo(digest="sha256:" + "b" * 64, diff_id=L1, size=200, created_by="RUN pip install"),
        LayerInfo(digest="sha256:" + "c" * 64, diff_id=L2, size=300, created_by="COPY app /app"),
    ),
    repo_tags=("build/app:1.0",),
    created="2024-03-05T10:11:12.123456789Z",
)

DEBIAN = OSInfo(
    family="debian",
    version="12.7",
    name="Debian GNU/Linux 12 (bookworm)",
    codename="bookworm",
    source="etc/os-release",
    like=(),
)

DPKG = Location("var/lib/dpkg/status", L0)

LIBSSL = Package(
    type="deb",
    name="libssl3",
    version="3.0.15-1~deb12u1",
    arch="amd64",
    source_name="openssl",
    source_version="3.0.15-1~deb12u1",
    licenses=("Apache-2.0",),
    found_by="dpkg",
    locations=(DPKG,),
    distro="debian-12",
)
ZLIB = Package(  # a dpkg epoch, free-text Debian licence names
    type="deb",
    name="zlib1g",
    version="1:1.2.13.dfsg-1",
    arch="amd64",
    source_name="zlib",
    licenses=("Zlib", "GPL-2+"),
    found_by="dpkg",
    locations=(DPKG,),
    distro="debian-12",
)
CURL_RPM = Package(  # an rpm epoch and a property
    type="rpm",
    name="curl",
    version="1:7.76.1-26.el9_3.2",
    arch="x86_64",
    source_name="curl",
    source_version="7.76.1-26.el9_3.2",
    licenses=("MIT",),
    found_by="rpm",
    locations=(Location("var/lib/rpm/rpmdb.sqlite", L0),),
    distro="rocky-9.3",
    properties=(("rpm:modularitylabel", "curl:1:9030020231212:abc"),),
)
ANGULAR = Package(
    type="npm",
    name="@angular/animation",
    version="12.3.1",
    licenses=("mit",),
    found_by="node-package",
    locations=(Location("app/node_modules/@angular/animation/package.json", L2),),
)
GORILLA = Package(
    type="golang",
    name="github.com/gorilla/context",
    version="234fd47e07d1004f0aed9c",
    licenses=("BSD-3-Clause",),
    found_by="go-binary",
    locations=(Location("usr/local/bin/app", L2),),
    properties=(("go:toolchain", "go1.21.3"),),
)
BATIK = Package(  # nested archive location
    type="maven",
    namespace="org.apache.xmlgraphics",
    name="batik-anim",
    version="1.9.1",
    licenses=("Apache-2.0",),
    found_by="java-archive",
    locations=(Location("app/app.war!/WEB-INF/lib/batik-anim-1.9.1.jar", L2),),
)
FLASK_SQLA = Package(  # underscores, licence as an SPDX expression
    type="pypi",
    name="Flask_SQLAlchemy",
    version="3.1.1",
    licenses=("BSD-3-Clause OR MIT",),
    found_by="python-dist",
    locations=(Location("usr/lib/python3/dist-packages/Flask_SQLAlchemy-3.1.1.dist-info/METADATA", L1),),
    os_managed=True,
)
TYPING_EXT = Package(  # free-text licence, several locations
    type="pypi",
    name="typing_extensions",
    version="4.12.2",
    licenses=("Python Software Foundation License",),
    found_by="python-dist",
    locations=(
        Location("usr/lib/python3.11/site-packages/typing_extensions-4.12.2.dist-info/METADATA", L1),
        Location("venv/lib/python3.11/site-packages/typing_extensions-4.12.2.dist-info/METADATA", L2),
    ),
)
SERDE = Package(  # two licences, one compound: joined into one expression
    type="cargo",
    name="serde",
    version="1.0.210",
    licenses=("MIT OR Apache-2.0", "Unicode-DFS-2016"),
    found_by="cargo-auditable",
    locations=(Location("usr/local/bin/app", L2),),
)
LEFTPAD = Package(type="npm", name="left-pad", version="1.3.0", found_by="node-package")  # nothing known

PACKAGES = (LIBSSL, ZLIB, CURL_RPM, ANGULAR, GORILLA, BATIK, FLASK_SQLA, TYPING_EXT, SERDE, LEFTPAD)

FULL = Inventory(
    image=IMAGE,
    os=DEBIAN,
    packages=PACKAGES,
    warnings=("usr/lib/x/METADATA: truncated",),
    analyzers=(("dpkg", 1), ("python-dist", 2)),
)
EMPTY = Inventory(image=ImageInfo(reference="dir:rootfs"), os=None, packages=())
