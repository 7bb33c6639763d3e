"""The rpm analyzer against upstream fixtures (go-rpmdb, syft) and Debian's ``rpm`` as oracle."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess
import tarfile
import textwrap
from pathlib import Path

import pytest

from seawall.inventory.analyzer import FileInfo, FileKind
from seawall.inventory.analyzers.rpm import RpmAnalyzer
from seawall.model import Facts, Package
from tests.paths import GO_RPMDB, IMAGES, SYFT_CATALOGERS

ANALYZER = RpmAnalyzer()
NDB_SLE15 = GO_RPMDB / "testdata" / "sle15-bci" / "Packages.db"
NDB_EXPECTED = GO_RPMDB / "expected_ndb_sle15.TRANSCRIBED.json"
BDB_LIBUUID = GO_RPMDB / "testdata" / "libuuid" / "Packages"
BDB_SYFT = SYFT_CATALOGERS / "redhat" / "testdata" / "Packages"
SYFT_EXPECTED = SYFT_CATALOGERS / "redhat" / "_transcribed_expected.parse_rpm_db_test.json"
ROCKY = IMAGES / "oci" / "rocky-synth"
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-bookworm-stable.gpg")

RPM = shutil.which("rpm")
RPMBUILD = shutil.which("rpmbuild")
needs_rpm = pytest.mark.skipif(RPM is None, reason="Debian's rpm (the oracle) is not installed")
needs_rpmbuild = pytest.mark.skipif(RPMBUILD is None, reason="rpmbuild is not installed")

FIELDS = ("NAME", "EPOCH", "VERSION", "RELEASE", "ARCH", "SOURCERPM", "LICENSE", "VENDOR", "MODULARITYLABEL")
FIELD_SEP, FILE_SEP, RECORD_SEP = "\x1f", "\x1e", "\x1d"
QUERY_FORMAT = FIELD_SEP.join([*(f"%{{{f}}}" for f in FIELDS), f"[%{{FILENAMES}}{FILE_SEP}]"]) + RECORD_SEP
NONE = "(none)"
SOURCE_RPM = re.compile(r"^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$")


def rpm_query(content: bytes, filename: str, tmp_path: Path, backend: str = "") -> list[dict[str, str]]:
    """``rpm -qa`` over a copy of the database: one dict per package, plus ``FILES`` (``\\x1e``-joined)."""
    dbpath = tmp_path / "oracle-db"
    dbpath.mkdir()
    (dbpath / filename).write_bytes(content)
    command = [str(RPM), "--dbpath", str(dbpath), "-qa", "--qf", QUERY_FORMAT]
    if backend:
        command[1:1] = ["--define", f"_db_backend {backend}"]
    done = subprocess.run(command, capture_output=True, check=True, timeout=60)
    records = done.stdout.decode().split(RECORD_SEP)
    assert records[-1] == ""
    out = []
    for record in records[:-1]:
        values = record.split(FIELD_SEP)
        assert len(values) == len(FIELDS) + 1
        out.append({**dict(zip(FIELDS, values[:-1], strict=True)), "FILES": values[-1]})
    return out


def expected_from_rpm(row: dict[str, str]) -> dict[str, object]:
    """What our Package must say, derived from rpm's own rendering of the header."""
    epoch = "" if row["EPOCH"] == NONE else row["EPOCH"] + ":"
    source = SOURCE_RPM.match(row["SOURCERPM"])
    properties = []
    # an empty value (syft's fixture has VENDOR "") is left out like an absent one
    if row["MODULARITYLABEL"] not in (NONE, ""):
        properties.append(("rpm:modularitylabel", row["MODULARITYLABEL"]))
    if row["VENDOR"] not in (NONE, ""):
        properties.append(("rpm:vendor", row["VENDOR"]))
    return {
        "name": row["NAME"],
        "version": f"{epoch}{row['VERSION']}-{row['RELEASE']}",
        "arch": row["ARCH"],
        "source_name": source.group(1) if source else "",
        "source_version": f"{epoch}{source.group(2)}-{source.group(3)}" if source else "",
        "licenses": (row["LICENSE"],),
        "properties": tuple(sorted(properties)),
    }


def observed(package: Package) -> dict[str, object]:
    return {
        "name": package.name,
        "version": package.version,
        "arch": package.arch,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "licenses": package.licenses,
        "properties": package.properties,
    }


def assert_matches_rpm(facts: Facts, rows: list[dict[str, str]]) -> None:
    """Every non-pubkey package rpm lists, field by field and with its file list, and nothing else."""
    real = [row for row in rows if row["NAME"] != "gpg-pubkey"]
    assert sorted((observed(p) for p in facts.packages), key=repr) == sorted(
        (expected_from_rpm(row) for row in real), key=repr
    )
    for row in real:
        files = {f.lstrip("/") for f in row["FILES"].split(FILE_SEP) if f and f != NONE}
        assert set(facts.owned_files.get(row["NAME"], ())) == files, row["NAME"]
    assert all(p.type == "rpm" and p.found_by == "rpm" for p in facts.packages)
    assert facts.warnings == ()


def rocky_rpmdb() -> bytes:
    """``var/lib/rpm/rpmdb.sqlite`` out of the rocky-synth image's only layer."""
    index = json.loads((ROCKY / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.loads((ROCKY / "blobs" / "sha256" / manifest_digest).read_text())
    layer = ROCKY / "blobs" / "sha256" / manifest["layers"][0]["digest"].split(":", 1)[1]
    with tarfile.open(layer, "r:gz") as archive:
        for member in archive:
            if member.name.lstrip("./") == "var/lib/rpm/rpmdb.sqlite":
                extracted = archive.extractfile(member)
                assert extracted is not None
                return extracted.read()
    raise AssertionError("rocky-synth has no var/lib/rpm/rpmdb.sqlite")


# ---------------------------------------------------------------------------------------- wants


@pytest.mark.parametrize(
    "path",
    [
        "var/lib/rpm/Packages",
        "var/lib/rpm/rpmdb.sqlite",
        "var/lib/rpm/Packages.db",
        "usr/lib/sysimage/rpm/Packages",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
        "usr/share/rpm/Packages",
    ],
)
def test_wants_rpm_databases(path: str) -> None:
    assert ANALYZER.wants(path, FileInfo(path, 1000, 0o644))


@pytest.mark.parametrize(
    "path",
    [
        "var/lib/rpm/Name",
        "var/lib/rpm/Packages.bak",
        "var/lib/rpm/rpmdb.sqlite-wal",
        "var/lib/rpm/__db.001",
        "usr/lib/rpm/macros",
        "var/lib/dpkg/status",
        "opt/root/var/lib/rpm/Packages",
        "/var/lib/rpm/Packages",
        "var/lib/rpmmanifest/container-manifest-2",
    ],
)
def test_does_not_want_other_files(path: str) -> None:
    assert not ANALYZER.wants(path, FileInfo(path, 1000, 0o644, FileKind.REGULAR))


# ------------------------------------------------------------------------------------------ ndb


def test_ndb_sle15_matches_go_rpmdb_expectation() -> None:
    case = json.loads(NDB_EXPECTED.read_text())["cases"][0]
    facts = ANALYZER.analyze("usr/lib/sysimage/rpm/Packages.db", NDB_SLE15.read_bytes())
    assert len(facts.packages) == case["expected_count"] == 35
    want = []
    for item in case["expected_packages"]:
        source = SOURCE_RPM.match(item["SourceRpm"])
        assert source is not None and item["Epoch"] is None
        properties = [("rpm:vendor", item["Vendor"])]
        if item["Modularitylabel"]:
            properties.append(("rpm:modularitylabel", item["Modularitylabel"]))
        want.append(
            {
                "name": item["Name"],
                "version": f"{item['Version']}-{item['Release']}",
                "arch": item["Arch"],
                "source_name": source.group(1),
                "source_version": f"{source.group(2)}-{source.group(3)}",
                "licenses": (item["License"],),
                "properties": tuple(sorted(properties)),
            }
        )
    assert [observed(p) for p in facts.packages] == want  # rpm lists ndb blobs in file order
    assert facts.warnings == ()


def test_ndb_sle15_spot_checks() -> None:
    facts = ANALYZER.analyze("var/lib/rpm/Packages.db", NDB_SLE15.read_bytes())
    by_name = {p.name: p for p in facts.packages}
    assert by_name["libgcc_s1"].version == "11.2.1+git610-1.3.9"
    assert by_name["libgcc_s1"].source_name == "gcc11"
    assert by_name["libreadline7"].source_name == "bash"
    assert by_name["libreadline7"].source_version == "4.4-19.6.1"  # from bash-4.4-19.6.1.src.rpm
    assert by_name["perl-base"].licenses == ("Artistic-1.0 or GPL-2.0+",)
    # the owned-file lists (the basenames are visible in the fixture with `strings`)
    assert "bin/bash" in facts.owned_files["bash"]
    assert "usr/lib/sysusers.d/system-user-root.conf" in facts.owned_files["system-user-root"]
    assert all(not path.startswith("/") for paths in facts.owned_files.values() for path in paths)


# ------------------------------------------------------------------------------------------ bdb


@needs_rpm
@pytest.mark.parametrize("fixture", [BDB_LIBUUID, BDB_SYFT], ids=["go-rpmdb-libuuid", "syft-redhat"])
def test_bdb_matches_rpm(fixture: Path, tmp_path: Path) -> None:
    content = fixture.read_bytes()
    facts = ANALYZER.analyze("var/lib/rpm/Packages", content)
    rows = rpm_query(content, "Packages", tmp_path, backend="bdb_ro")
    assert len(rows) == 1
    assert_matches_rpm(facts, rows)


def test_bdb_syft_fixture_matches_syft_expectation() -> None:
    table = json.loads(SYFT_EXPECTED.read_text())["tables"]["TestParseRpmDB"][0]
    case = next(c for c in table if not c["ignorePaths"])
    (want,) = case["expected"]
    facts = ANALYZER.analyze("var/lib/rpm/Packages", BDB_SYFT.read_bytes())
    (package,) = facts.packages
    assert (package.name, package.version, package.arch) == (
        want["Name"],
        want["Version"],
        want["Metadata"]["Arch"],
    )
    assert f"{package.source_name}-{package.source_version}.src.rpm" == want["Metadata"]["SourceRpm"]
    assert package.licenses == ("MIT",)
    assert set(facts.owned_files["dive"]) == {f["Path"].lstrip("/") for f in want["Metadata"]["Files"]}


def big_endian_bdb(content: bytes) -> bytes:
    """The same little-endian hash database as a big-endian machine (s390x, ppc64) writes it."""
    out = bytearray(content)

    def swap(offset: int, fmt: str) -> None:
        struct.pack_into(f">{fmt}", out, offset, *struct.unpack_from(f"<{fmt}", content, offset))

    page_size = struct.unpack_from("<I", content, 20)[0]
    for offset in [*range(8, 24, 4), *range(28, 52, 4), *range(72, 224, 4)]:  # meta + hash meta
        swap(offset, "I")
    for base in range(page_size, len(content), page_size):
        for offset in (8, 12, 16):
            swap(base + offset, "I")
        swap(base + 20, "H")
        swap(base + 22, "H")
        if content[base + 25] in (2, 13):  # hash page: item offsets and off-page references
            (entries,) = struct.unpack_from("<H", content, base + 20)
            for i in range(entries):
                swap(base + 26 + 2 * i, "H")
                (item,) = struct.unpack_from("<H", content, base + 26 + 2 * i)
                if content[base + item] == 3:
                    swap(base + item + 4, "I")
                    swap(base + item + 8, "I")
    return bytes(out)


def test_big_endian_bdb_reads_the_same() -> None:
    little = BDB_LIBUUID.read_bytes()
    big = big_endian_bdb(little)
    assert big[12:16] == b"\x00\x06\x15\x61" and big != little
    assert ANALYZER.analyze("var/lib/rpm/Packages", big) == ANALYZER.analyze("var/lib/rpm/Packages", little)


def test_bdb_libuuid_values() -> None:
    facts = ANALYZER.analyze("var/lib/rpm/Packages", BDB_LIBUUID.read_bytes())
    (package,) = facts.packages
    # the go-rpmdb test's expectation for this fixture
    assert (package.name, package.version, package.arch) == ("libuuid", "2.32.1-42.el8_8", "x86_64")
    assert (package.source_name, package.source_version) == ("util-linux", "2.32.1-42.el8_8")
    assert package.property("rpm:vendor") == "Red Hat, Inc."
    assert "usr/lib64/libuuid.so.1.3.0" in facts.owned_files["libuuid"]


# --------------------------------------------------------------------------------------- sqlite


@needs_rpm
def test_sqlite_rocky_synth_matches_rpm(tmp_path: Path) -> None:
    content = rocky_rpmdb()
    facts = ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", content)
    rows = rpm_query(content, "rpmdb.sqlite", tmp_path)
    assert len(rows) == 6  # images/README.md: 6 packages
    assert_matches_rpm(facts, rows)


SPEC_MODULAR = """\
Name: synth-main
Epoch: 2
Version: 1.4.0
Release: 3.el9
Summary: synthetic
License: MIT and BSD
Vendor: Seawall Test
BuildArch: noarch
%description
main package
%package -n synth-tools
Summary: tools
Epoch: 0
License: GPLv2+
%description -n synth-tools
subpackage with epoch 0
%install
mkdir -p %{buildroot}/usr/share/synth/sub %{buildroot}/etc/synth %{buildroot}/usr/bin
echo a > %{buildroot}/usr/share/synth/sub/a.txt
echo b > %{buildroot}/etc/synth/b.conf
echo c > %{buildroot}/usr/bin/synth-tool
ln -s ../share/synth/sub/a.txt %{buildroot}/usr/bin/synth-link
%files
%dir /usr/share/synth
/usr/share/synth/sub
%config /etc/synth/b.conf
%files -n synth-tools
/usr/bin/synth-tool
/usr/bin/synth-link
"""

SPEC_PLAIN = """\
Name: plain-lib
Version: 0.9
Release: 1
Summary: synthetic without epoch
License: Apache-2.0
BuildArch: noarch
%description
plain
%package -n plain-empty
Summary: no files at all
%description -n plain-empty
empty
%install
mkdir -p %{buildroot}/usr/lib/plain
echo x > "%{buildroot}/usr/lib/plain/with space.txt"
%files
/usr/lib/plain
%files -n plain-empty
"""


def armored(keyring: bytes) -> str:
    """OpenPGP ASCII armor (RFC 4880 section 6) around binary public key packets."""
    crc = 0xB704CE
    for byte in keyring:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    body = "\n".join(textwrap.wrap(base64.b64encode(keyring).decode(), 64))
    checksum = base64.b64encode((crc & 0xFFFFFF).to_bytes(3, "big")).decode()
    return (
        f"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n={checksum}\n-----END PGP PUBLIC KEY BLOCK-----\n"
    )


def build_rpmdb(tmp_path: Path) -> bytes:
    """Packages built with rpmbuild and recorded (--justdb) in a fresh SQLite rpmdb."""
    top = tmp_path / "rpmbuild"
    defines = ["--define", f"_topdir {top}", "--define", "_build_id_links none"]
    label = ["--define", "modularitylabel perl:5.30:8040020200923213406:466ea64f"]
    for name, spec, extra in (("modular", SPEC_MODULAR, label), ("plain", SPEC_PLAIN, [])):
        path = tmp_path / f"{name}.spec"
        path.write_text(spec)
        subprocess.run(
            [str(RPMBUILD), "--quiet", *defines, *extra, "-bb", str(path)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    dbpath = tmp_path / "db"
    rpm_db = [str(RPM), "--dbpath", str(dbpath)]
    subprocess.run([*rpm_db, "--initdb"], check=True, capture_output=True, timeout=60)
    install = ["-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch", "--ignoreos", "--nosignature"]
    packages = sorted(str(p) for p in (top / "RPMS").rglob("*.rpm"))
    assert len(packages) == 4
    subprocess.run([*rpm_db, *install, *packages], check=True, capture_output=True, timeout=60)
    if DEBIAN_KEYRING.exists():
        key = tmp_path / "key.asc"
        key.write_text(armored(DEBIAN_KEYRING.read_bytes()))
        subprocess.run([*rpm_db, "--import", str(key)], check=True, capture_output=True, timeout=60)
    return (dbpath / "rpmdb.sqlite").read_bytes()


@pytest.fixture(scope="module")
def built_rpmdb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if RPM is None or RPMBUILD is None:
        pytest.skip("Debian's rpm and rpmbuild are needed to build an rpmdb")
    return build_rpmdb(tmp_path_factory.mktemp("rpmbuild"))


@needs_rpm
@needs_rpmbuild
def test_sqlite_built_with_rpmbuild_matches_rpm(built_rpmdb: bytes, tmp_path: Path) -> None:
    assert built_rpmdb[18:20] == b"\x02\x02"  # rpm leaves it in WAL mode: the reader must cope
    facts = ANALYZER.analyze("usr/lib/sysimage/rpm/rpmdb.sqlite", built_rpmdb)
    rows = rpm_query(built_rpmdb, "rpmdb.sqlite", tmp_path)
    assert_matches_rpm(facts, rows)
    assert len(facts.packages) == 4


@needs_rpm
@needs_rpmbuild
def test_sqlite_built_epochs_labels_and_files(built_rpmdb: bytes) -> None:
    facts = ANALYZER.analyze("usr/lib/sysimage/rpm/rpmdb.sqlite", built_rpmdb)
    by_name = {p.name: p for p in facts.packages}
    # the values written into the specs above
    main, tools, plain = by_name["synth-main"], by_name["synth-tools"], by_name["plain-lib"]
    assert (main.version, main.source_name, main.source_version) == (
        "2:1.4.0-3.el9",
        "synth-main",
        "2:1.4.0-3.el9",
    )
    assert (tools.version, tools.source_version) == ("0:1.4.0-3.el9", "0:1.4.0-3.el9")
    assert (plain.version, plain.source_version, plain.arch) == ("0.9-1", "0.9-1", "noarch")
    assert main.property("rpm:modularitylabel") == "perl:5.30:8040020200923213406:466ea64f"
    assert plain.property("rpm:modularitylabel") is None and plain.property("rpm:vendor") is None
    assert main.licenses == ("MIT and BSD",) and main.property("rpm:vendor") == "Seawall Test"
    assert set(facts.owned_files["synth-main"]) == {
        "usr/share/synth",
        "usr/share/synth/sub",
        "usr/share/synth/sub/a.txt",
        "etc/synth/b.conf",
    }
    assert set(facts.owned_files["synth-tools"]) == {"usr/bin/synth-tool", "usr/bin/synth-link"}
    assert "usr/lib/plain/with space.txt" in facts.owned_files["plain-lib"]
    assert "plain-empty" in by_name and "plain-empty" not in facts.owned_files
    assert "gpg-pubkey" not in by_name


@needs_rpm
@needs_rpmbuild
def test_gpg_pubkey_is_in_the_db_but_skipped(built_rpmdb: bytes, tmp_path: Path) -> None:
    if not DEBIAN_KEYRING.exists():
        pytest.skip(f"{DEBIAN_KEYRING} is missing: no key to import")
    rows = rpm_query(built_rpmdb, "rpmdb.sqlite", tmp_path)
    assert any(row["NAME"] == "gpg-pubkey" for row in rows)
    facts = ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", built_rpmdb)
    assert len(facts.packages) == len(rows) - 1
    assert all(p.name != "gpg-pubkey" for p in facts.packages)
    assert "gpg-pubkey" not in facts.owned_files


# ------------------------------------------------------------------------- format by content


def test_format_is_detected_by_content_not_name() -> None:
    ndb_as_bdb_name = ANALYZER.analyze("var/lib/rpm/Packages", NDB_SLE15.read_bytes())
    bdb_as_sqlite_name = ANALYZER.analyze("var/lib/rpm/rpmdb.sqlite", BDB_LIBUUID.read_bytes())
    sqlite_as_ndb_name = ANALYZER.analyze("usr/lib/sysimage/rpm/Packages.db", rocky_rpmdb())
    assert len(ndb_as_bdb_name.packages) == 35
    assert [p.name for p in bdb_as_sqlite_name.packages] == ["libuuid"]
    assert len(sqlite_as_ndb_name.packages) == 6


def test_analyzer_is_registered() -> None:
    from seawall.inventory.analyzer import all_analyzers

    assert any(isinstance(a, RpmAnalyzer) for a in all_analyzers())
    assert RpmAnalyzer.max_size >= 512 * 1024 * 1024
