"""Matching real advisories (quoted from the upstream files) against hand-made inventories."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from seawall.match.matcher import Matcher
from seawall.model import ImageInfo, Inventory, Location, OSInfo, Package
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.store import VulnStore
from tests.paths import SHARED

VULNDATA = SHARED / "vulndata"
PYPA_PACKAGES = ("jinja2", "urllib3", "django")
ALMA_ADVISORY = "ALSA-2022:6224"


def _extract(archive: Path, keep: object, dest: Path) -> None:
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and keep(member.name):  # type: ignore[operator]
                target = dest / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> VulnStore:
    """A database built from real upstream records: three PyPI projects and one AlmaLinux 9 advisory."""
    root = tmp_path_factory.mktemp("feeds")
    _extract(
        VULNDATA / "pypa-advisory-database.tar.gz",
        lambda n: any(f"/vulns/{p}/" in n for p in PYPA_PACKAGES) or n.endswith(".source_commit"),
        root / "pypa",
    )
    _extract(
        VULNDATA / "almalinux-osv.tar.gz",
        lambda n: n.endswith(f"almalinux9/{ALMA_ADVISORY}.json") or n.endswith(".source_commit"),
        root / "alma",
    )
    db = root / "vuln.db"
    build_database(db, [parse_source(str(root / "pypa")), parse_source(str(root / "alma"))])
    return VulnStore.open(db)


def inventory(*packages: Package, os_info: OSInfo | None = None) -> Inventory:
    return Inventory(image=ImageInfo(reference="test"), os=os_info, packages=packages)


def pypi(name: str, version: str, **extra: object) -> Package:
    return Package("pypi", name, version, locations=(Location("x/METADATA", "sha256:" + "1" * 64),), **extra)  # type: ignore[arg-type]


def found(store: VulnStore, inv: Inventory) -> dict[str, list[tuple[str, str]]]:
    report = Matcher(store).match(inv)
    out: dict[str, list[tuple[str, str]]] = {}
    for f in report.findings:
        out.setdefault(f.advisory_id, []).append((f.package.name, f.fixed_version))
    return out


def test_jinja2_before_the_fix(store: VulnStore) -> None:
    """PYSEC-2021-66: jinja2 ranges introduced 0, fixed 2.11.3."""
    report = Matcher(store).match(inventory(pypi("Jinja2", "2.11.2")))
    (finding,) = [f for f in report.findings if f.advisory_id == "PYSEC-2021-66"]
    assert finding.fixed_versions[0] == "2.11.3"
    assert finding.status == "fixed"
    assert finding.rule == "pypi-package" and finding.data_source.startswith("pypi")
    assert "CVE-2020-28493" in finding.aliases


def test_at_the_fixed_version_nothing_is_reported(store: VulnStore) -> None:
    assert "PYSEC-2021-66" not in found(store, inventory(pypi("jinja2", "2.11.3")))


def test_urllib3_one_version_past_the_fix(store: VulnStore) -> None:
    """PYSEC-2021-108: urllib3 fixed 1.26.5 -> 1.26.4 affected, 1.26.5 and 1.26.6 not."""
    assert "PYSEC-2021-108" in found(store, inventory(pypi("urllib3", "1.26.4")))
    assert "PYSEC-2021-108" not in found(store, inventory(pypi("urllib3", "1.26.5")))
    assert "PYSEC-2021-108" not in found(store, inventory(pypi("urllib3", "1.26.6")))


def test_no_cross_ecosystem_match(store: VulnStore) -> None:
    """An npm package and a Debian package that share a PyPI project's name are not matched."""
    npm = Package("npm", "jinja2", "2.11.2")
    deb = Package("deb", "urllib3", "1.26.4", source_name="urllib3", source_version="1.26.4")
    debian = OSInfo("debian", "12")
    assert found(store, inventory(npm, deb, os_info=debian)) == {}


def test_os_managed_language_files_are_not_matched_again(store: VulnStore) -> None:
    assert found(store, inventory(pypi("Jinja2", "2.11.2", os_managed=True))) == {}


def test_pep503_name_normalisation(store: VulnStore) -> None:
    assert "PYSEC-2021-66" in found(store, inventory(pypi("JINJA2", "2.11.2")))


def test_rocky_is_matched_against_almalinux_explicitly(store: VulnStore) -> None:
    """ALSA-2022:6224: openssl-libs in AlmaLinux:9, introduced 0, fixed 1:3.0.1-41.el9_0."""
    rocky = OSInfo("rocky", "9.1")
    old = Package("rpm", "openssl-libs", "1:3.0.1-40.el9_0", arch="x86_64")
    new = Package("rpm", "openssl-libs", "1:3.0.1-41.el9_0", arch="x86_64")
    report = Matcher(store).match(inventory(old, os_info=rocky))
    (finding,) = report.findings
    assert finding.advisory_id == ALMA_ADVISORY
    assert finding.rule == "rhel-family: rocky -> almalinux"
    assert finding.fixed_versions == ("1:3.0.1-41.el9_0",)
    assert finding.severity.name == "MEDIUM"  # the vendor's word: "Moderate: openssl security ..."
    assert Matcher(store).match(inventory(new, os_info=rocky)).findings == []


def test_release_mismatch_is_not_matched(store: VulnStore) -> None:
    """An AlmaLinux 8 image is not matched against AlmaLinux 9 advisories."""
    alma8 = OSInfo("almalinux", "8.7")
    old = Package("rpm", "openssl-libs", "1:3.0.1-40.el9_0", arch="x86_64")
    assert Matcher(store).match(inventory(old, os_info=alma8)).findings == []


@pytest.fixture(scope="module")
def rhel_store(tmp_path_factory: pytest.TempPathFactory) -> VulnStore:
    """Red Hat's RHSA-2023:3821 (ruby:2.7 module) as the vunnel sample holds it."""
    root = tmp_path_factory.mktemp("rhel")
    _extract(
        VULNDATA / "vunnel-test-fixtures.tar.gz", lambda n: n.endswith("rhsa-2023_3821.json"), root / "csaf"
    )
    db = root / "vuln.db"
    build_database(db, [parse_source(str(root / "csaf"))])
    return VulnStore.open(db)


def _ruby(version: str, label: str | None) -> Package:
    props = (("rpm:modularitylabel", label),) if label else ()
    return Package(
        "rpm",
        "ruby-libs",
        version,
        arch="x86_64",
        source_name="ruby",
        source_version=version,
        properties=props,
    )


def test_rhel_source_rpm_and_module_stream(rhel_store: VulnStore) -> None:
    """RHSA-2023:3821: source rpm ruby, fixed 2.7.8-139.module+el8.8.0+18745+f1bef313, module ruby:2.7.
    A ruby-libs binary from an older ruby:2.7 build is affected (matched through its source RPM); the same
    version from another stream, or without a module, is not matched by this module advisory."""
    rhel = OSInfo("rhel", "8.8")
    old = "2.7.6-138.module+el8.7.0+15051+d5b6d4b2"
    report = Matcher(rhel_store).match(inventory(_ruby(old, "ruby:2.7:8070020220915:63b34585"), os_info=rhel))
    (finding,) = [f for f in report.findings if f.advisory_id == "RHSA-2023:3821"]
    assert finding.rule == "rpm-source-package"
    assert finding.fixed_versions == ("2.7.8-139.module+el8.8.0+18745+f1bef313",)
    other = Matcher(rhel_store).match(inventory(_ruby(old, "ruby:3.0:8070020220915:63b34585"), os_info=rhel))
    plain = Matcher(rhel_store).match(inventory(_ruby(old, None), os_info=rhel))
    assert other.findings == [] and plain.findings == []


@pytest.fixture(scope="module")
def debian_store(tmp_path_factory: pytest.TempPathFactory) -> VulnStore:
    """The Debian security tracker JSON sample of the vunnel fixtures."""
    root = tmp_path_factory.mktemp("debian")
    _extract(
        VULNDATA / "vunnel-test-fixtures.tar.gz",
        lambda n: n.endswith("providers/debian/test-fixtures/input/debian.json"),
        root / "tracker",
    )
    (json_file,) = (root / "tracker").rglob("debian.json")
    db = root / "vuln.db"
    build_database(db, [parse_source(str(json_file))])
    return VulnStore.open(db)


def test_debian_matches_binary_packages_through_their_source(debian_store: VulnStore) -> None:
    """Tracker: sope CVE-2025-53603, bookworm resolved, fixed_version 5.8.0-1+deb12u1. A binary package
    built from sope (another name, a binNMU version) is matched by its source package and version."""
    bookworm = OSInfo("debian", "12.7")
    binary = Package(
        "deb", "libsope1", "5.8.0-1+b1", arch="amd64", source_name="sope", source_version="5.8.0-1"
    )
    report = Matcher(debian_store).match(inventory(binary, os_info=bookworm))
    (finding,) = [f for f in report.findings if f.advisory_id == "CVE-2025-53603"]
    assert finding.rule == "deb-source-package" and finding.data_source.startswith("debian:12")
    assert finding.fixed_versions == ("5.8.0-1+deb12u1",)
    patched = Package(
        "deb", "libsope1", "5.8.0-1+deb12u1", source_name="sope", source_version="5.8.0-1+deb12u1"
    )
    assert Matcher(debian_store).match(inventory(patched, os_info=bookworm)).findings == []


def test_debian_release_namespaces_are_not_mixed(debian_store: VulnStore) -> None:
    """The same sope package on Ubuntu is not judged by Debian's tracker."""
    ubuntu = OSInfo("ubuntu", "22.04")
    binary = Package("deb", "libsope1", "5.8.0-1", source_name="sope", source_version="5.8.0-1")
    assert Matcher(debian_store).match(inventory(binary, os_info=ubuntu)).findings == []


@pytest.fixture(scope="module")
def dsa_store(tmp_path_factory: pytest.TempPathFactory) -> VulnStore:
    root = tmp_path_factory.mktemp("dsa")
    _extract(
        VULNDATA / "debian-tracker-lists-2023.tar.gz", lambda n: n.endswith("data/DSA/list"), root / "lists"
    )
    db = root / "vuln.db"
    build_database(db, [parse_source(str(root / "lists"))])
    return VulnStore.open(db)


def test_debian_dsa_list(dsa_store: VulnStore) -> None:
    """DSA-5376-1 apache2: [bullseye] - apache2 2.4.56-1~deb11u1 (CVE-2023-25690 among others).
    apache2-bin 2.4.54-1~deb11u1 (source apache2) is before the fix; 2.4.56-1~deb11u1 is the fix."""
    bullseye = OSInfo("debian", "11.6")
    old = Package(
        "deb", "apache2-bin", "2.4.54-1~deb11u1", source_name="apache2", source_version="2.4.54-1~deb11u1"
    )
    report = Matcher(dsa_store).match(inventory(old, os_info=bullseye))
    dsa = [f for f in report.findings if f.advisory_id == "DSA-5376-1"]
    assert len(dsa) == 1 and dsa[0].fixed_versions == ("2.4.56-1~deb11u1",)
    fixed = Package(
        "deb", "apache2-bin", "2.4.56-1~deb11u1", source_name="apache2", source_version="2.4.56-1~deb11u1"
    )
    assert not [
        f
        for f in Matcher(dsa_store).match(inventory(fixed, os_info=bullseye)).findings
        if f.advisory_id == "DSA-5376-1"
    ]
