"""apk analyzer: Trivy and Syft fixtures, synthetic cases, a real Alpine 3.11 layer, the synthetic image."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import isal.igzip
import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.apk import MAX_WARNINGS, ApkAnalyzer, split_licenses
from seawall.model import Facts
from tests.paths import IMAGES, SYFT_CATALOGERS, TRIVY_FIXTURES

TRIVY = TRIVY_FIXTURES / "fanal" / "analyzer" / "pkg" / "apk"
SYFT = SYFT_CATALOGERS / "alpine"
DB = "lib/apk/db/installed"

ANALYZER = ApkAnalyzer()


def analyze(content: bytes | str, path: str = DB) -> Facts:
    return ANALYZER.analyze(path, content.encode() if isinstance(content, str) else content)


def wants(path: str) -> bool:
    return ANALYZER.wants(path, FileInfo(path=path, size=1, mode=0o644))


def trivy_tables() -> dict[str, Any]:
    tables: dict[str, Any] = json.loads((TRIVY / "_transcribed_expected.apk_test.json").read_text())["tables"]
    return tables


def test_trivy_packages() -> None:
    expected = trivy_tables()["var:pkgs"][0]
    facts = analyze((TRIVY / "testdata" / "apk").read_bytes())
    assert [(p.name, p.version, p.arch, p.source_name, p.source_version) for p in facts.packages] == [
        (e["Name"], e["Version"], e["Arch"], e["SrcName"], e["SrcVersion"]) for e in expected
    ]
    assert all(p.type == "apk" and p.found_by == "apk" for p in facts.packages)
    # Trivy's InstalledFiles: the R entries, joined to their F directory
    assert facts.owned_files == {
        e["Name"]: tuple(e["InstalledFiles"]) for e in expected if "InstalledFiles" in e
    }


def test_trivy_invalid_stanza_warned() -> None:
    facts = analyze((TRIVY / "testdata" / "apk").read_bytes())
    assert len(facts.warnings) == 1
    assert "invalidPackageWithoutAVersion" in facts.warnings[0] and "no version" in facts.warnings[0]


def test_trivy_licenses_kept_as_written() -> None:
    # Trivy normalises licence names (GPL2 -> GPL-2.0-only); the SBOM keeps what the database says.
    facts = analyze((TRIVY / "testdata" / "apk").read_bytes())
    licenses = {p.name: p.licenses for p in facts.packages}
    assert licenses["musl-utils"] == ("MIT", "BSD", "GPL2+")
    assert licenses["ada-libs"] == ("( Apache-2.0 OR MIT ) AND MPL-2.0",)
    assert licenses["busybox"] == ("GPL2",)


@pytest.mark.parametrize("case", trivy_tables()["TestRequired"][0], ids=lambda case: str(case["name"]))
def test_trivy_required(case: dict[str, Any]) -> None:
    assert wants(case["filePath"]) is case["want"]


@pytest.mark.parametrize(
    "path", ["lib/apk/db/installed.bak", "x/lib/apk/db/installed", "lib/apk/db/scripts.tar", "etc/apk/world"]
)
def test_not_wanted(path: str) -> None:
    assert not wants(path)


def syft_single_cases() -> list[dict[str, Any]]:
    data = json.loads((SYFT / "_transcribed_expected.parse_apk_db_test.json").read_text())
    cases: list[dict[str, Any]] = data["tables"]["TestSinglePackageDetails"][0]
    return cases


def syft_files(paths: list[str]) -> tuple[str, ...]:
    """Syft lists F directories and R files alike; a path with a listed path below it is a directory."""
    return tuple(
        path.lstrip("/") for path in paths if not any(other.startswith(path + "/") for other in paths)
    )


SYFT_LICENSES = {  # pkg.NewLicenseSet(...) arguments in the transcription, by fixture
    "testdata/single": ("MIT", "BSD", "GPL2+"),
    "testdata/empty-deps-and-provides": ("GPL-2.0-only",),
    "testdata/base": ("GPL-2.0-only",),
}


@pytest.mark.parametrize("case", syft_single_cases(), ids=lambda case: str(case["fixture"]))
def test_syft_single_package(case: dict[str, Any]) -> None:
    expected = case["expected"]
    meta = expected["Metadata"]
    facts = analyze((SYFT / case["fixture"]).read_bytes())
    (package,) = facts.packages
    assert (package.name, package.version, package.arch, package.source_name, package.source_version) == (
        expected["Name"],
        expected["Version"],
        meta["Architecture"],
        meta["OriginPackage"],
        expected["Version"],
    )
    for license_name in SYFT_LICENSES[case["fixture"]]:
        assert license_name in expected["Licenses"]["_call"]
    assert package.licenses == SYFT_LICENSES[case["fixture"]]
    # Syft lists F directories and R files alike: ours must be among its paths, without any path that has
    # another below it (a directory), and must include every path with a content digest (a file)
    owned = facts.owned_files.get(package.name, ())
    assert set(owned) <= set(syft_files([f["Path"] for f in meta["Files"]]))
    assert {f["Path"].lstrip("/") for f in meta["Files"] if "Digest" in f} <= set(owned)
    assert owned


def test_syft_extra_file_attributes() -> None:
    data = json.loads((SYFT / "_transcribed_expected.parse_apk_db_test.json").read_text())
    (case,) = data["tables"]["TestExtraFileAttributes"][0]
    facts = analyze((SYFT / "testdata" / "extra-file-attributes").read_bytes())
    assert facts.owned_files == {"openjdk8-jre": syft_files([f["Path"] for f in case["expected"]["Files"]])}
    assert facts.owned_files["openjdk8-jre"] == ("usr/lib/jvm/java-1.8-openjdk/bin/policytool",)


def test_syft_corrupt_keeps_the_valid_stanza() -> None:
    facts = analyze((SYFT / "testdata" / "corrupt" / DB).read_bytes())
    assert [(p.name, p.version, p.source_name) for p in facts.packages] == [
        ("alpine-baselayout-data", "3.2.0-r22", "alpine-baselayout")
    ]
    assert len(facts.warnings) == 1 and "not an 'X:value' line" in facts.warnings[0]


def test_syft_glob_paths_bogus_db_is_an_error() -> None:
    assert wants(DB)
    with pytest.raises(AnalyzerError):
        analyze((SYFT / "testdata" / "glob-paths" / DB).read_bytes())


@pytest.mark.parametrize("fixture", ["multiple-1", "multiple-2"])
def test_syft_multiple(fixture: str) -> None:
    content = (SYFT / "testdata" / fixture / DB).read_bytes()
    names = [line[2:] for line in content.decode().splitlines() if line.startswith("P:")]
    facts = analyze(content)
    assert [p.name for p in facts.packages] == names
    assert facts.warnings == ()
    assert all(p.version and p.arch for p in facts.packages)


# --- synthetic cases -----------------------------------------------------------------------------------

STANZA = """\
C:Q1abc=
P:{name}
V:1.0-r0
A:x86_64
L:MIT
o:origin-{name}
F:usr/bin
R:{name}
a:0:0:755
Z:Q1xyz=
F:etc
R:{name}.conf
"""


def test_crlf_and_root_files() -> None:
    text = "P:root-files\r\nV:2.0-r1\r\nR:top-level\r\nF:usr\r\nR:x\r\n\r\n" + STANZA.format(name="a")
    facts = analyze(text.replace("\n", "\r\n"))
    assert [(p.name, p.version) for p in facts.packages] == [("root-files", "2.0-r1"), ("a", "1.0-r0")]
    assert facts.owned_files == {"root-files": ("top-level", "usr/x"), "a": ("usr/bin/a", "etc/a.conf")}
    assert facts.packages[0].source_name == "root-files"  # no origin: the package is its own source


def test_one_bad_stanza_does_not_lose_the_rest() -> None:
    repeated = "P:x\nP:y\nV:1\n\n"
    facts = analyze(repeated + STANZA.format(name="a") + "\n" + STANZA.format(name="b"))
    assert [p.name for p in facts.packages] == ["a", "b"]
    assert len(facts.warnings) == 1 and "repeated field P" in facts.warnings[0]


def test_warnings_are_capped() -> None:
    facts = analyze("garbage line\n\n" * 300 + STANZA.format(name="a"))
    assert [p.name for p in facts.packages] == ["a"]
    assert len(facts.warnings) == MAX_WARNINGS + 1
    assert facts.warnings[-1].endswith(f"{300 - MAX_WARNINGS} more warnings")


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02",
        b"P:a\nV:1\x00\n",
        "P:a b\nV:1\n",  # invalid name
        "P:a\nV:1 2\n",  # invalid version
        "P:a\nV:\n",
        "V:1.0\n",
    ],
)
def test_bad_databases(content: bytes | str) -> None:
    with pytest.raises(AnalyzerError):
        analyze(content)


def test_empty_database_and_usr_lib_location() -> None:
    assert analyze(b"").empty
    assert analyze("\n\n\n").empty
    assert wants("usr/lib/apk/db/installed")
    assert [p.name for p in analyze(STANZA.format(name="a"), "usr/lib/apk/db/installed").packages] == ["a"]


def test_truncated_database_keeps_complete_stanzas() -> None:
    text = STANZA.format(name="a") + "\n" + STANZA.format(name="b")
    facts = analyze(text[: text.index("P:b") + 3] + "\n")
    assert [p.name for p in facts.packages] == ["a"]
    assert len(facts.warnings) == 1 and "no version" in facts.warnings[0]


@pytest.mark.parametrize(
    ("value", "licenses"),
    [
        ("MIT", ("MIT",)),
        ("MIT BSD GPL2+", ("MIT", "BSD", "GPL2+")),
        ("MPL-2.0 AND MIT", ("MPL-2.0 AND MIT",)),
        ("ISC AND (BSD-3-Clause OR MIT)", ("ISC AND (BSD-3-Clause OR MIT)",)),
        ("GPL-2.0-or-later WITH Linux-syscall-note", ("GPL-2.0-or-later WITH Linux-syscall-note",)),
        ("  ", ()),
        ("MIT " * 1000, ()),  # too long to be a licence
    ],
)
def test_split_licenses(value: str, licenses: tuple[str, ...]) -> None:
    assert split_licenses(value) == licenses


# --- images --------------------------------------------------------------------------------------------


def oci_layer(layout: Path) -> Path:
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_text())
    (layer,) = manifest["layers"]
    return layout / "blobs" / "sha256" / str(layer["digest"]).split(":", 1)[1]


# recipes/05-synthetic-alpine-rpm.sh: apk NAME VERSION LICENSE ORIGIN, all x86_64
SYNTH = [
    ("musl", "1.2.2-r7", "MIT", "musl"),
    ("busybox", "1.34.1-r3", "GPL-2.0-only", "busybox"),
    ("libcrypto1.1", "1.1.1l-r7", "OpenSSL", "openssl"),
    ("libssl1.1", "1.1.1l-r7", "OpenSSL", "openssl"),
    ("zlib", "1.2.11-r3", "Zlib", "zlib"),
    ("apk-tools", "2.12.7-r3", "GPL-2.0-only", "apk-tools"),
    ("ssl_client", "1.34.1-r3", "GPL-2.0-only", "busybox"),
    ("ca-certificates-bundle", "20191127-r7", "MPL-2.0 AND MIT", "ca-certificates"),
    ("libretls", "3.3.4-r2", "ISC AND (BSD-3-Clause OR MIT)", "libretls"),
    ("expat", "2.4.1-r0", "MIT", "expat"),
]


def test_alpine_synthetic_image() -> None:
    with (
        isal.igzip.open(oci_layer(IMAGES / "oci" / "alpine-synth")) as stream,
        tarfile.open(fileobj=stream, mode="r|") as layer,
    ):
        member = next(m for m in layer if m.name.removeprefix("./") == DB)
        data = layer.extractfile(member)
        assert data is not None
        facts = analyze(data.read())
    assert [(p.name, p.version, p.licenses[0], p.source_name) for p in facts.packages] == SYNTH
    assert all(p.arch == "x86_64" and p.source_version == p.version for p in facts.packages)
    assert facts.owned_files == {} and facts.warnings == ()


@pytest.fixture(scope="module")
def alpine_311() -> tuple[bytes, dict[str, str], list[str], list[str]]:
    """The installed database, the kind of every layer path, scripts.tar names and etc/apk/world."""
    entries: dict[str, str] = {}
    files: dict[str, bytes] = {}
    with (
        isal.igzip.open(IMAGES / "alpine-311.docker.tar.gz") as stream,
        tarfile.open(fileobj=stream, mode="r|") as archive,
    ):
        member = next(m for m in archive if m.name.endswith("/layer.tar"))
        inner = archive.extractfile(member)
        assert inner is not None
        with tarfile.open(fileobj=inner, mode="r|") as layer:
            for entry in layer:
                path = entry.name.removeprefix("./").rstrip("/")
                entries[path] = "dir" if entry.isdir() else "link" if entry.issym() else "file"
                if entry.isfile() and path in (DB, "lib/apk/db/scripts.tar", "etc/apk/world"):
                    data = layer.extractfile(entry)
                    assert data is not None
                    files[path] = data.read()
    with tarfile.open(fileobj=io.BytesIO(files["lib/apk/db/scripts.tar"])) as scripts:
        script_names = scripts.getnames()
    return files[DB], entries, script_names, files["etc/apk/world"].decode().split()


def test_alpine_311_image(alpine_311: tuple[bytes, dict[str, str], list[str], list[str]]) -> None:
    database, entries, script_names, world = alpine_311
    facts = analyze(database)
    assert len(facts.packages) == 14 and facts.warnings == ()
    names = {p.name for p in facts.packages}
    assert set(world) <= names  # every package the user asked for is installed
    # apk names each stored script "<name>-<version>.<checksum>.<action>": an independent record
    installed = {f"{p.name}-{p.version}" for p in facts.packages}
    scripted = {name.split(".Q1", 1)[0] for name in script_names}
    assert scripted and scripted <= installed
    assert all(p.arch == "x86_64" for p in facts.packages)
    # every owned file is in the layer, and is not a directory
    owned = [path for paths in facts.owned_files.values() for path in paths]
    assert len(owned) > 50
    for path in owned:
        assert entries.get(path) in ("file", "link"), path
    # and every regular file of the layer belongs to some package, but for apk's own state and the
    # release files the image builder wrote
    owned_set = set(owned)
    unowned = [p for p, kind in entries.items() if kind == "file" and p not in owned_set]
    builder = {"etc/os-release", "etc/alpine-release", "etc/issue"}
    assert all(p.startswith(("lib/apk/db/", "etc/apk/")) or p in builder for p in unowned), unowned


def test_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from seawall.inventory.analyzers import apk

    text = "".join(STANZA.format(name=name) + "\n" for name in "abc")
    monkeypatch.setattr(apk, "MAX_STANZAS", 2)
    facts = analyze(text)
    assert [p.name for p in facts.packages] == ["a", "b"]
    assert facts.warnings[-1].endswith("more than 2 stanzas, the rest ignored")
    monkeypatch.setattr(apk, "MAX_LINES", 5)
    with pytest.raises(AnalyzerError, match="more than 5 lines"):
        analyze(text)
