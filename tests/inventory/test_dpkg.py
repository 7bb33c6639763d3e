"""dpkg analyzer: Trivy and Syft fixtures, synthetic edge cases, and dpkg-query on a real Debian 12 layer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import isal.igzip
import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo
from seawall.inventory.analyzers.dpkg import MAX_WARNINGS, DpkgAnalyzer
from seawall.model import Facts
from tests.paths import IMAGES, SYFT_CATALOGERS, TRIVY_FIXTURES

TRIVY = TRIVY_FIXTURES / "fanal" / "analyzer" / "pkg" / "dpkg"
SYFT = SYFT_CATALOGERS / "debian"
BOOKWORM = IMAGES / "oci" / "bookworm-minbase"

ANALYZER = DpkgAnalyzer()


def analyze(path: str, content: bytes | str) -> Facts:
    data = content.encode() if isinstance(content, str) else content
    return ANALYZER.analyze(path, data)


def wants(path: str) -> bool:
    return ANALYZER.wants(path, FileInfo(path=path, size=1, mode=0o644))


def rows(facts: Facts) -> list[tuple[str, str, str, str, str]]:
    return sorted((p.name, p.version, p.arch, p.source_name, p.source_version) for p in facts.packages)


def txtar(path: Path) -> dict[str, str]:
    """The files of a txtar archive (Go's text archive format: ``-- name --`` header lines)."""
    files: dict[str, str] = {}
    name = ""
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("-- ") and line.rstrip().endswith(" --"):
            name = line.strip()[3:-3]
            files[name] = ""
        elif name:
            files[name] += line
    return files


def trivy_case(name: str) -> dict[str, Any]:
    data = json.loads((TRIVY / "_transcribed_expected.dpkg_test.json").read_text())
    cases: list[dict[str, Any]] = data["tables"]["Test_dpkgAnalyzer_Analyze"][0]
    return next(case for case in cases if case["name"] == name)


def trivy_version(pkg: dict[str, Any], prefix: str) -> str:
    """Trivy splits a dpkg version into epoch, version and release; join them back."""
    version = str(pkg[f"{prefix}Version"])
    if pkg.get(f"{prefix}Epoch"):
        version = f"{pkg[f'{prefix}Epoch']}:{version}"
    if pkg.get(f"{prefix}Release"):
        version = f"{version}-{pkg[f'{prefix}Release']}"
    return version


TRIVY_CASES = {
    "valid": "valid.txtar",
    "corrupsed": "corrupsed.txtar",
    "only apt": "only-apt.txtar",
    "happy path with digests": "digest.txtar",
    "md5sums": "md5sums.txtar",
    "third-party package": "third-party.txtar",
}


@pytest.mark.parametrize("case", sorted(TRIVY_CASES))
def test_trivy_status_files(case: str) -> None:
    content = txtar(TRIVY / "testdata" / TRIVY_CASES[case])["var/lib/dpkg/status"]
    facts = analyze("var/lib/dpkg/status", content)
    (info,) = trivy_case(case)["want"]["PackageInfos"]
    expected = sorted(
        (p["Name"], p["ID"].split("@", 1)[1], p["Arch"], p["SrcName"], trivy_version(p, "Src"))
        for p in info["Packages"]
    )
    assert rows(facts) == expected
    assert all(p.type == "deb" and p.found_by == "dpkg" and not p.licenses for p in facts.packages)


def test_trivy_valid_has_90_installed_and_skips_config_files() -> None:
    content = txtar(TRIVY / "testdata" / "valid.txtar")["var/lib/dpkg/status"]
    facts = analyze("var/lib/dpkg/status", content)
    assert len(facts.packages) == 90
    assert facts.warnings == ()
    bsdutils = next(p for p in facts.packages if p.name == "bsdutils")
    # "Source: util-linux (2.31.1-0.4ubuntu3.1)" with binary version 1:2.31.1-0.4ubuntu3.1
    assert (bsdutils.version, bsdutils.source_name, bsdutils.source_version) == (
        "1:2.31.1-0.4ubuntu3.1",
        "util-linux",
        "2.31.1-0.4ubuntu3.1",
    )


def test_trivy_corrupted_warns_for_each_bad_stanza() -> None:
    content = txtar(TRIVY / "testdata" / "corrupsed.txtar")["var/lib/dpkg/status"]
    facts = analyze("var/lib/dpkg/status", content)
    assert len(facts.packages) == 4
    assert len(facts.warnings) == 2
    assert "no Version" in facts.warnings[0]
    assert "invalidpkg" in facts.warnings[1] and "invalid Version" in facts.warnings[1]


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/lib/dpkg/status", True),
        ("var/lib/dpkg/status.d/gcc", True),
        ("var/lib/dpkg/status/bash.md5sums", False),
        # Trivy reads md5sums and the available file; here owned files come from info/*.list.
        ("var/lib/dpkg/status.d/base-files.md5sums", False),
        ("var/lib/dpkg/info/bash.md5sums", False),
        ("var/lib/dpkg/info/bash.list", True),
        ("var/lib/dpkg/available", False),
    ],
)
def test_trivy_required(path: str, wanted: bool) -> None:
    assert wants(path) is wanted


@pytest.mark.parametrize(
    "path",
    [
        "var/lib/dpkg/status-old",
        "var/lib/dpkg/status.d/",
        "var/lib/dpkg/status.d/sub/pkg",
        "var/lib/dpkg/status.d/libsqlite3-0.preinst",
        "var/lib/dpkg/info/sub/x.list",
        "var/lib/dpkg/info/libc6:amd64.md5sums",
        "opt/var/lib/dpkg/status",
        "var/lib/dpkg/statusx",
        "var/lib/dpkg-status",
    ],
)
def test_not_wanted(path: str) -> None:
    assert not wants(path)


@pytest.mark.parametrize(
    "path", ["usr/lib/dpkg/status", "usr/lib/dpkg/status.d/pkg-1.0", "var/lib/dpkg/status.d/pkg-1.0"]
)
def test_syft_glob_paths_wanted(path: str) -> None:
    assert (SYFT / "testdata" / "glob-paths" / path).is_file()
    assert wants(path)


def syft_db_case(name: str) -> dict[str, Any]:
    data = json.loads((SYFT / "_transcribed_expected.parse_dpkg_db_test.json").read_text())
    cases: list[dict[str, Any]] = data["tables"]["Test_parseDpkgStatus"][0]
    return next(case for case in cases if case["name"] == name)


def status_d(name: str) -> Facts:
    path = f"var/lib/dpkg/status.d/{name}"
    return analyze(path, (SYFT / "testdata" / path).read_bytes())


@pytest.mark.parametrize(
    ("case", "fixture"),
    [
        ("single package", "single"),
        ("single package with installed size", "installed-size-4KB"),
        ("deinstall status packages are ignored", "deinstall"),
    ],
)
def test_syft_status_d(case: str, fixture: str) -> None:
    expected = sorted(
        (m["Package"], m["Version"], m["Architecture"], m.get("Source") or m["Package"], m["Version"])
        for m in syft_db_case(case)["expected"]
    )
    facts = status_d(fixture)
    assert rows(facts) == expected
    assert facts.warnings == ()


def test_syft_multiple_skips_stanzas_without_package_or_version() -> None:
    # Syft's parser returns the "no-version" stanza too; a package without a version is not kept here
    # (dpkg itself refuses an installed package without Version).
    expected = sorted(
        (m["Package"], m["Version"], m["Architecture"], m.get("Source") or m["Package"], m["Version"])
        for m in syft_db_case("multiple entries")["expected"]
        if "Version" in m
    )
    facts = status_d("multiple")
    assert (
        rows(facts)
        == expected
        == [
            ("tzdata", "2020a-0+deb10u1", "all", "tzdata-dev", "2020a-0+deb10u1"),
            ("util-linux", "2.33.1-0.1", "amd64", "util-linux", "2.33.1-0.1"),
        ]
    )
    assert len(facts.warnings) == 2
    assert "no Package" in facts.warnings[0] and "no Version" in facts.warnings[1]


def test_syft_distroless_without_status_is_installed() -> None:
    data = json.loads((SYFT / "_transcribed_expected.cataloger_test.json").read_text())
    case = next(c for c in data["tables"]["TestDpkgCataloger"][0] if c["name"] == "image-distroless-deb")
    (want,) = case["expected"]
    meta = want["Metadata"]
    path = "var/lib/dpkg/status.d/libsqlite3-0"
    content = (SYFT / "testdata" / "image-distroless-deb" / path).read_bytes()
    assert b"Status:" not in content
    facts = analyze(path, content)
    assert rows(facts) == [
        (want["Name"], want["Version"], meta["Architecture"], meta["Source"], meta["Version"])
    ]
    assert not wants(path + ".md5sums")


def test_syft_image_dpkg_status() -> None:
    data = json.loads((SYFT / "_transcribed_expected.cataloger_test.json").read_text())
    case = next(c for c in data["tables"]["TestDpkgCataloger"][0] if c["name"] == "image-dpkg")
    (want,) = case["expected"]
    meta = want["Metadata"]
    path = "var/lib/dpkg/status"
    facts = analyze(path, (SYFT / "testdata" / "image-dpkg" / path).read_bytes())
    assert rows(facts) == [
        (want["Name"], want["Version"], meta["Architecture"], meta["Source"], meta["Version"])
    ]
    # the PURL's upstream qualifier names the source package
    assert "upstream=pam" in want["PURL"]


def test_syft_relationship_fixture_packages_and_binnmu_source() -> None:
    data = json.loads((SYFT / "_transcribed_expected.cataloger_test.json").read_text())
    case = next(
        c
        for c in data["tables"]["Test_CatalogerRelationships"][0]
        if c["name"] == "relationships for coreutils"
    )
    names = set(case["wantRelationships"])
    for targets in case["wantRelationships"].values():
        names.update(targets)
    facts = status_d("coreutils-relationships")
    assert {p.name for p in facts.packages} == names
    selinux = next(p for p in facts.packages if p.name == "libselinux1")
    # "Source: libselinux (3.4-1)" of a binNMU "3.4-1+b6": the source version differs from the binary's
    assert (selinux.version, selinux.source_name, selinux.source_version) == (
        "3.4-1+b6",
        "libselinux",
        "3.4-1",
    )
    assert {p.arch for p in facts.packages} == {"arm64"}


def test_syft_doc_examples_keep_versioned_stanzas() -> None:
    facts = status_d("doc-examples")
    assert [(p.name, p.version) for p in facts.packages] == [
        ("mutt", "1.3.17-1"),
        ("made-up-package-1", "1.0.0"),
        ("made-up-package-2", "2.0.0"),
        ("made-up-package-3", "3.0.0"),
        ("made-up-package-4", "3.0.0"),
    ]
    assert facts.packages[1].source_name == "glibc"
    # made-up-package-5 and the ten stubs named only by a Package field
    assert len(facts.warnings) == 11 and all("no Version" in w for w in facts.warnings)


@pytest.mark.parametrize(
    ("text", "name", "version"), [("test (1.2.3)", "test", "1.2.3"), ("test", "test", "")]
)
def test_syft_source_version_extract(text: str, name: str, version: str) -> None:
    stanza = f"Package: bin\nStatus: install ok installed\nVersion: 9.9-1\nSource: {text}\n"
    (package,) = analyze("var/lib/dpkg/status", stanza).packages
    assert (package.source_name, package.source_version) == (name, version or "9.9-1")


@pytest.mark.parametrize(
    "text",
    [
        "Package: apt",  # Syft: "unable to determine packages"
        "Package: apt\nPackage: apt-get\n\n",  # Syft: duplicate key
        "  Package: apt\n\n",  # Syft: no match for continuation
        # Syft keeps a package without version here; dpkg refuses an installed one without Version.
        "Package: apt\nStatus: install ok installed\nInstalled-Size: 10kib\n\n",
    ],
)
def test_syft_negative_cases(text: str) -> None:
    with pytest.raises(AnalyzerError):
        analyze("var/lib/dpkg/status", text)


@pytest.mark.parametrize("fixture", ["corrupt", "empty"])
def test_syft_corrupt_status_d(fixture: str) -> None:
    with pytest.raises(AnalyzerError):
        status_d(fixture)


STATUS = """\
Package: good-one
Status: install ok installed
Architecture: amd64
Version: 1:2.0-1
Description: first line
 continued description
 .
 Version: 9.9 (not a field, a description line)

Package: held
Status: hold ok installed
Architecture: all
Version: 3.0
Source: held-src (2.9-1)

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: broken-half
Status: install reinstreq half-installed
Architecture: amd64
Version: 1.0

Package: never
Status: purge ok not-installed

Package: triggered
Status: install ok triggers-pending
Architecture: amd64
Version: 4.0
Multi-Arch: same

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.36-9
Source: glibc

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9
Source: glibc
"""


def test_status_states_and_fields() -> None:
    facts = analyze("var/lib/dpkg/status", STATUS)
    assert rows(facts) == [
        ("good-one", "1:2.0-1", "amd64", "good-one", "1:2.0-1"),
        ("held", "3.0", "all", "held-src", "2.9-1"),
        ("libc6", "2.36-9", "amd64", "glibc", "2.36-9"),
        ("libc6", "2.36-9", "i386", "glibc", "2.36-9"),
        ("triggered", "4.0", "amd64", "triggered", "4.0"),
    ]
    assert facts.warnings == ()


def test_crlf_and_whitespace_only_separator() -> None:
    text = STATUS.replace("\n\n", "\n   \n").replace("\n", "\r\n")
    assert rows(analyze("var/lib/dpkg/status", text)) == rows(analyze("var/lib/dpkg/status", STATUS))


def test_one_bad_stanza_does_not_lose_the_rest() -> None:
    bad = "Package: dup\nStatus: install ok installed\nVersion: 1\nVersion: 2\n\n"
    cont = "Package: cont\n Status: install ok installed\nVersion: 1\n\n"
    status = "Package: st\nStatus: installed\nVersion: 1\n\n"
    facts = analyze("var/lib/dpkg/status", bad + STATUS + "\n" + cont + status)
    assert len(facts.packages) == 5
    assert len(facts.warnings) == 3
    assert "duplicate field" in facts.warnings[0]
    assert "field 'package' continued on another line" in facts.warnings[1]
    assert "malformed Status" in facts.warnings[2]


def test_warnings_are_capped() -> None:
    bad = "Package: x\nStatus: install ok installed\nVersion: bad version\n\n" * 500
    facts = analyze("var/lib/dpkg/status", bad + STATUS)
    assert len(facts.packages) == 5
    assert len(facts.warnings) == MAX_WARNINGS + 1
    assert facts.warnings[-1].endswith(f"{500 - MAX_WARNINGS} more warnings")


def test_status_without_status_field_is_not_installed() -> None:
    facts = analyze("var/lib/dpkg/status", "Package: a\nVersion: 1\n\n" + STATUS)
    assert "a" not in {p.name for p in facts.packages}
    # ... but in a distroless status.d file it is installed
    assert rows(analyze("var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\n")) == [("a", "1", "", "a", "1")]


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02binary", b"Package: a\x00\nStatus: install ok installed\nVersion: 1\n"],
)
def test_binary_content_is_an_error(content: bytes) -> None:
    with pytest.raises(AnalyzerError):
        analyze("var/lib/dpkg/status", content)


def test_empty_status_is_no_packages() -> None:
    assert analyze("var/lib/dpkg/status", b"").empty
    gone = re.sub(r"Status: .*", "Status: purge ok not-installed", STATUS)
    assert analyze("var/lib/dpkg/status", gone).empty


def test_invalid_utf8_in_description_is_tolerated() -> None:
    text = STATUS.encode().replace(b"first line", b"caf\xe9 \xff")
    assert len(analyze("var/lib/dpkg/status", text).packages) == 5


def test_truncated_status_keeps_complete_stanzas() -> None:
    last = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n"
    facts = analyze("var/lib/dpkg/status", STATUS[: STATUS.index(last) + len(last)])
    assert {p.name for p in facts.packages} == {"good-one", "held", "triggered", "libc6"}
    assert len(facts.warnings) == 1 and "no Version" in facts.warnings[0]


def test_list_file_owned_files() -> None:
    content = (
        "/.\n/usr\n/usr/bin\n/usr/bin/tar\n/usr/share/doc/tar\n/usr/share/doc/tar/copyright\n/var/empty\n"
    )
    facts = analyze("var/lib/dpkg/info/tar.list", content)
    # usr, usr/bin and usr/share/doc/tar hold listed paths, so are directories; var/empty cannot be told
    assert facts.owned_files == {"tar": ("usr/bin/tar", "usr/share/doc/tar/copyright", "var/empty")}
    assert facts.packages == ()


def test_list_file_multiarch_name_and_crlf() -> None:
    facts = analyze("var/lib/dpkg/info/libc6:amd64.list", "/.\r\n/lib\r\n/lib/libc.so.6\r\n")
    assert facts.owned_files == {"libc6": ("lib/libc.so.6",)}


def test_list_file_bad() -> None:
    assert analyze("var/lib/dpkg/info/empty.list", "/.\n").empty
    with pytest.raises(AnalyzerError):
        analyze("var/lib/dpkg/info/x.list", b"/usr\x00/bin\n")
    with pytest.raises(AnalyzerError):
        analyze("var/lib/dpkg/info/:amd64.list", "/usr/bin/x\n")


# --- differential test against dpkg-query on a real Debian 12 image ------------------------------------


def oci_layer(layout: Path) -> Path:
    """The blob of the single layer of an OCI layout's first manifest."""
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_text())
    (layer,) = manifest["layers"]
    return layout / "blobs" / "sha256" / str(layer["digest"]).split(":", 1)[1]


@pytest.fixture(scope="module")
def bookworm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """var/lib/dpkg of the image extracted into a temporary root, and the kind of each path of the layer."""
    root = tmp_path_factory.mktemp("bookworm")
    entries: dict[str, str] = {}
    with isal.igzip.open(oci_layer(BOOKWORM)) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name.removeprefix("./").rstrip("/")
            entries[name] = "dir" if member.isdir() else "link" if member.issym() else "file"
            if member.isfile() and name.startswith("var/lib/dpkg/") and ".." not in name:
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                target.write_bytes(source.read())
    return root, entries


DPKG_QUERY = shutil.which("dpkg-query")
FORMAT = (
    r"${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${db:Status-Abbrev}\n"
)


@pytest.mark.skipif(DPKG_QUERY is None, reason="dpkg-query not installed")
def test_bookworm_packages_match_dpkg_query(bookworm: tuple[Path, dict[str, str]]) -> None:
    root, _ = bookworm
    admindir = root / "var" / "lib" / "dpkg"
    out = subprocess.run(
        [str(DPKG_QUERY), f"--admindir={admindir}", "-W", "-f", FORMAT],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = []
    for line in out.splitlines():
        name, version, arch, source, source_version, abbrev = line.split("\t")
        if abbrev[1] in "itW":  # installed, triggers-pending, triggers-awaited
            expected.append((name, version, arch, source, source_version))
    facts = analyze("var/lib/dpkg/status", (admindir / "status").read_bytes())
    assert len(expected) == 99
    assert rows(facts) == sorted(expected)
    assert facts.warnings == ()


@pytest.mark.skipif(DPKG_QUERY is None, reason="dpkg-query not installed")
def test_bookworm_owned_files_match_dpkg_query(bookworm: tuple[Path, dict[str, str]]) -> None:
    root, entries = bookworm
    admindir = root / "var" / "lib" / "dpkg"
    owned: dict[str, set[str]] = {}
    for list_file in sorted((admindir / "info").glob("*.list")):
        path = f"var/lib/dpkg/info/{list_file.name}"
        assert wants(path)
        for name, files in analyze(path, list_file.read_bytes()).owned_files.items():
            owned.setdefault(name, set()).update(files)
    names = sorted(owned)
    assert len(names) == 99
    out = subprocess.run(
        [str(DPKG_QUERY), f"--admindir={admindir}", "-L", *names],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    blocks = out.strip("\n").split("\n\n")
    assert len(blocks) == len(names)
    for name, block in zip(names, blocks, strict=True):
        # lines not starting with "/" are notes such as "package diverts others to: /bin/sh.distrib"
        listed = {line.lstrip("/") for line in block.splitlines() if line.startswith("/") and line != "/."}
        mine = owned[name]
        assert mine <= listed, name
        ancestors = {path[:cut] for path in listed for cut, ch in enumerate(path) if ch == "/"}
        for path in listed:
            has_listed_children = path in ancestors
            if path not in entries:  # listed by dpkg but excluded from the image (path-exclude)
                assert (path in mine) is not has_listed_children, f"{name}: {path}"
            elif entries[path] == "file":
                assert path in mine, f"{name}: {path} is a file in the layer but left out"
            else:  # a directory (or a link to one, usrmerge) is kept only when nothing listed lies below it
                assert (path in mine) is not has_listed_children, f"{name}: {path}"


# --- limits ----------------------------------------------------------------------------------------------


def test_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from seawall.inventory.analyzers import dpkg

    monkeypatch.setattr(dpkg, "MAX_STANZAS", 3)
    facts = analyze("var/lib/dpkg/status", STATUS)
    assert [p.name for p in facts.packages] == ["good-one", "held"]
    assert facts.warnings[-1].endswith("more than 3 stanzas, the rest ignored")
    monkeypatch.setattr(dpkg, "MAX_LINES", 10)
    with pytest.raises(AnalyzerError, match="more than 10 lines"):
        analyze("var/lib/dpkg/status", STATUS)
    monkeypatch.setattr(dpkg, "MAX_FIELDS", 2)
    with pytest.raises(AnalyzerError, match="more than 2 fields"):
        analyze("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\nVersion: 1\n")
    monkeypatch.setattr(dpkg, "MAX_LIST_LINES", 2)
    facts = analyze("var/lib/dpkg/info/a.list", "/a\n/b\n/c\n")
    assert facts.owned_files == {"a": ("a", "b")} and "more than 2 lines" in facts.warnings[0]


def test_overlong_list_path_ignored() -> None:
    facts = analyze("var/lib/dpkg/info/a.list", "/" + "d/" * 3000 + "f\n/usr/bin/a\n")
    assert facts.owned_files == {"a": ("usr/bin/a",)}
    assert len(facts.warnings) == 1
