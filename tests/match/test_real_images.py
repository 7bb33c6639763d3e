"""End to end on real images and real feeds; expected findings come from the advisories themselves."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from seawall.image.source import parse_target
from seawall.inventory.build import InventoryBuilder
from seawall.match.matcher import Matcher
from seawall.model import Inventory
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.store import VulnStore
from tests.paths import IMAGES, SHARED

VULNDATA = SHARED / "vulndata"


def inventory_of(target: str, tmp: Path) -> Inventory:
    return InventoryBuilder.create(tmp / "cache", use_cache=False).build(parse_target(target))


def database(tmp: Path, *sources: Path) -> VulnStore:
    db = tmp / "vuln.db"
    build_database(db, [parse_source(str(s)) for s in sources])
    return VulnStore.open(db)


def test_real_alpine_311_is_fully_patched_against_the_legacy_secdb(tmp_path: Path) -> None:
    """A false-positive test: every package of the image is at or past every fix the secdb lists."""
    inv = inventory_of(str(IMAGES / "alpine-311.docker.tar.gz"), tmp_path)
    with database(tmp_path, VULNDATA / "alpine-secdb-legacy.tar.gz") as store:
        report = Matcher(store).match(inv)
    assert report.packages_checked == 14
    assert "alpine:3.11" in report.namespaces, "the secdb has entries for these packages: they were compared"
    assert report.findings == []


def test_synthetic_alpine_315_against_the_current_secdb_sample(tmp_path: Path) -> None:
    """v3.15 main.yaml (vunnel sample): zlib secfixes 1.2.12-r0: CVE-2018-25032; 1.2.12-r2: CVE-2022-37434.
    The image has zlib 1.2.11-r3; xz, zeromq and zsh, the sample's other packages, are not installed."""
    with tarfile.open(VULNDATA / "vunnel-test-fixtures.tar.gz") as tar:
        for member in tar:
            if "providers/alpine/test-fixtures/input/secdb/v3.15/" in member.name and member.isfile():
                target = tmp_path / "secdb" / "v3.15" / Path(member.name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    inv = inventory_of(f"oci:{IMAGES / 'oci' / 'alpine-synth'}", tmp_path)
    with database(tmp_path, tmp_path / "secdb") as store:
        report = Matcher(store).match(inv)
    found = {(f.package.name, f.advisory_id, f.fixed_version) for f in report.findings}
    assert found == {("zlib", "CVE-2018-25032", "1.2.12-r0"), ("zlib", "CVE-2022-37434", "1.2.12-r2")}
    assert all(f.rule == "apk-origin" and f.data_source.startswith("alpine:3.15") for f in report.findings)


@pytest.fixture(scope="module")
def app_findings(app_image: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    tmp = tmp_path_factory.mktemp("app")
    inv = inventory_of(f"oci:{app_image['oci']}", tmp)
    sources = ("pypa-advisory-database.tar.gz", "golang-vulndb.tar.gz", "nodejs-security-wg.tar.gz")
    with database(tmp, *(VULNDATA / s for s in sources)) as store:
        report = Matcher(store).match(inv)
    out: dict[str, set[str]] = {}
    for f in report.findings:
        out.setdefault(f"{f.package.type}:{f.package.name}@{f.installed_version}", set()).add(f.advisory_id)
    return out


def test_app_image_old_python_packages(app_findings: dict[str, set[str]]) -> None:
    """PYSEC-2021-66: jinja2 introduced 0, fixed 2.11.3. PYSEC-2021-108: urllib3 fixed 1.26.5.
    PYSEC-2021-98: django 3.2 -> fixed 3.2.4 (introduced 3.2)."""
    assert "PYSEC-2021-66" in app_findings["pypi:Jinja2@2.11.2"]
    assert "PYSEC-2021-108" in app_findings["pypi:urllib3@1.26.4"]
    assert "PYSEC-2021-98" in app_findings["pypi:Django@3.2"]


def test_app_image_old_npm_packages(app_findings: dict[str, set[str]]) -> None:
    """Node.js security-wg vuln/npm/516.json: lodash vulnerable ">=4.17.15 <4.17.19", patched ">=4.17.19";
    368.json (<4.17.5) and 493.json (<4.17.11) must not match 4.17.15."""
    assert app_findings["npm:lodash@4.17.15"] == {"NSWG-ECO-516"}


def test_app_image_go_toolchain(app_findings: dict[str, set[str]]) -> None:
    """GO-2023-1840: stdlib SEMVER introduced 0, fixed 1.19.10; Debian's umoci was built with go1.19.8."""
    stdlib = next(v for k, v in app_findings.items() if k.startswith("golang:stdlib@"))
    assert "GO-2023-1840" in stdlib
