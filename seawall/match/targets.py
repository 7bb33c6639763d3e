"""Where to look a package up: the rules that decide which namespace and name an advisory must carry.

Precision first (DESIGN.md, "the vendor knows best"): an OS package is looked up only in its own
distribution and release; Debian and Ubuntu by source package (their feeds are keyed that way),
Alpine by origin; the RHEL family by binary package name, or by source RPM where the feed marks
its entries as source packages (Red Hat), modular packages only against advisories of their own module
stream; a RHEL rebuild without data of its own is mapped explicitly to AlmaLinux's, with the vendor
suffix of the release ignored. Language
packages are looked up in their ecosystem only; a language file that an OS package installed is not
looked up again. No fuzzy or CPE matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seawall.model import OSInfo, Package
from seawall.vulndb.namespace import normalize_name

# purl type -> namespace of the language ecosystem in the database
LANGUAGE_NAMESPACES = {
    "pypi": "pypi",
    "npm": "npm",
    "golang": "go",
    "cargo": "cargo",
    "gem": "rubygems",
    "maven": "maven",
    "nuget": "nuget",
    "composer": "packagist",
}
RHEL_FAMILY = ("rhel", "rocky", "almalinux", "centos", "ol")
# A rebuild matched against another rebuild's data: the one whose data we ship and whose
# package names and versions follow RHEL's (AlmaLinux appends ".alma" to releases it changed).
RHEL_MAPPING_TARGET = "almalinux"
_VENDOR_RELEASE_SUFFIX = re.compile(r"\.(alma|rocky)(\.\d+)?$")


@dataclass(frozen=True)
class Target:
    """One lookup: the database key, the version to compare, and the rule that chose them."""

    namespace: str
    name: str
    version: str
    rule: str
    compare_version: str = ""  # set when the version must be normalised before comparison

    @property
    def version_for_comparison(self) -> str:
        return self.compare_version or self.version


def major(version: str) -> str:
    return version.split(".")[0]


def major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def strip_vendor_suffix(version: str) -> str:
    """``102.3.0-3.el8_6.alma`` -> ``102.3.0-3.el8_6``: the RHEL release a rebuild carries."""
    return _VENDOR_RELEASE_SUFFIX.sub("", version)


def targets_for(package: Package, os_info: OSInfo | None) -> list[Target]:
    """The lookups for one package (empty: nothing to match, e.g. an OS-managed language file)."""
    if package.os_managed:
        return []
    if package.type in LANGUAGE_NAMESPACES:
        namespace = LANGUAGE_NAMESPACES[package.type]
        name = f"{package.namespace}:{package.name}" if package.type == "maven" else package.name
        return [Target(namespace, normalize_name(namespace, name), package.version, f"{namespace}-package")]
    if os_info is None or not os_info.version:
        return []
    family = os_info.family
    if package.type == "deb" and family == "debian":
        return [_source_target(package, f"debian:{major(os_info.version)}", "deb-source-package")]
    if package.type == "deb" and family == "ubuntu":
        return [_source_target(package, f"ubuntu:{major_minor(os_info.version)}", "deb-source-package")]
    if package.type == "apk" and family in ("alpine", "wolfi", "chainguard"):
        namespace = f"alpine:{major_minor(os_info.version)}" if family == "alpine" else family
        name = package.source_name or package.name
        return [Target(namespace, name, package.version, "apk-origin")]
    if package.type == "rpm" and family in RHEL_FAMILY:
        release = major(os_info.version)
        own = Target(f"{family}:{release}", package.name, package.version, "rpm-package")
        found = [own]
        # Red Hat's feeds key errata by source RPM (entries marked ("package", "source")): compare the
        # source RPM's own version, which a subpackage with a version of its own does not share
        source = Target(
            f"{family}:{release}",
            package.source_name or package.name,
            package.source_version or package.version,
            "rpm-source-package",
        )
        found.append(source)
        if family != RHEL_MAPPING_TARGET:
            found.append(
                Target(
                    f"{RHEL_MAPPING_TARGET}:{release}",
                    package.name,
                    package.version,
                    f"rhel-family: {family} -> {RHEL_MAPPING_TARGET}",
                )
            )
        return found
    return []


def _source_target(package: Package, namespace: str, rule: str) -> Target:
    name = package.source_name or package.name
    version = package.source_version or package.version
    return Target(namespace, name, version, rule)
