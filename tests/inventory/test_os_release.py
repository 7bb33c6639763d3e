"""OS detection: os-release, alpine-release, debian_version and the Red Hat family's release files."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import isal.igzip
import pytest

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo
from seawall.inventory.analyzers.alpine_release import AlpineReleaseAnalyzer
from seawall.inventory.analyzers.debian_version import DebianVersionAnalyzer
from seawall.inventory.analyzers.os_release import (
    PRIORITY_CODENAME_ONLY,
    PRIORITY_ETC_OS_RELEASE,
    PRIORITY_GENERIC_FILE,
    PRIORITY_USR_LIB_OS_RELEASE,
    PRIORITY_VENDOR_FILE,
    OSReleaseAnalyzer,
    parse_os_release,
)
from seawall.inventory.analyzers.redhat_release import RedHatReleaseAnalyzer
from seawall.model import OSInfo
from tests.paths import IMAGES, TRIVY_FIXTURES

TRIVY_OS = TRIVY_FIXTURES / "fanal" / "analyzer" / "os"
ANALYZERS: list[Analyzer] = [
    OSReleaseAnalyzer(),
    AlpineReleaseAnalyzer(),
    DebianVersionAnalyzer(),
    RedHatReleaseAnalyzer(),
]


def detect(path: str, content: bytes | str) -> OSInfo | None:
    """What the one analyzer that wants ``path`` says about it."""
    data = content.encode() if isinstance(content, str) else content
    (analyzer,) = [a for a in ANALYZERS if a.wants(path, FileInfo(path=path, size=len(data), mode=0o644))]
    assert len(data) <= analyzer.max_size
    return analyzer.analyze(path, data).os


def must_detect(path: str, content: bytes | str) -> OSInfo:
    info = detect(path, content)
    assert info is not None
    return info


def trivy_table(relative: str, table: str) -> list[dict[str, Any]]:
    data = json.loads((TRIVY_OS / relative).read_text())
    cases: list[dict[str, Any]] = data["tables"][table][0]
    return cases


# --- os-release ----------------------------------------------------------------------------------------

# The ID line of each Trivy os-release fixture (Trivy reports its own family constants instead).
TRIVY_OS_RELEASE_IDS = {
    "activestate": "activestate",
    "fedora": "fedora",
    "rhel": "rhel",
    "centos": "centos",
    "centos-stream": "centos",
    "rocky": "rocky",
    "alma": "almalinux",
    "oracle": "ol",
    "alpine": "alpine",
    "opensuseleap-15.2.1": "opensuse-leap",
    "opensuseleap-42.3": "opensuse",
    "opensusetumbleweed": "opensuse-tumbleweed",
    "sles": "sles",
    "slemicro": "sle-micro",
    "slemicro6.0": "sl-micro",
    "slemicro-rancher": "sle-micro-rancher",
    "photon": "photon",
    "azurelinux-3.0": "azurelinux",
    "mariner-2.0": "mariner",
    "mariner-1.0": "mariner",
    "echo": "echo",
    "minimos": "minimos",
    "bottlerocket": "bottlerocket",
    "coreos": "coreos",
}
TRIVY_RELEASE_CASES = [
    case
    for case in trivy_table(
        "release/_transcribed_expected.release_test.json", "Test_osReleaseAnalyzer_Analyze"
    )
    if case["want"] is not None
]


@pytest.mark.parametrize("case", TRIVY_RELEASE_CASES, ids=lambda case: str(case["name"]))
def test_trivy_os_release(case: dict[str, Any]) -> None:
    fixture = str(case["inputFile"]).removeprefix("testdata/")
    content = (TRIVY_OS / "release" / "testdata" / fixture).read_bytes()
    info = must_detect("etc/os-release", content)
    assert info.version == case["want"]["OS"]["Name"]
    assert info.family == TRIVY_OS_RELEASE_IDS[fixture]
    assert info.source == "etc/os-release"
    assert info.priority == PRIORITY_ETC_OS_RELEASE


def test_trivy_os_release_fields() -> None:
    rocky = must_detect("etc/os-release", (TRIVY_OS / "release/testdata/rocky").read_bytes())
    assert rocky.name == "Rocky Linux 9.3 (Blue Onyx)"
    assert rocky.like == ("rhel", "centos", "fedora")
    fedora = must_detect("usr/lib/os-release", (TRIVY_OS / "release/testdata/fedora").read_bytes())
    assert (fedora.codename, fedora.like, fedora.priority) == ("", (), PRIORITY_USR_LIB_OS_RELEASE)
    # "# VERSION=..." is a comment: the version comes from VERSION_ID
    tumbleweed = must_detect(
        "etc/os-release", (TRIVY_OS / "release/testdata/opensusetumbleweed").read_bytes()
    )
    assert tumbleweed.like == ("opensuse", "suse")


def test_trivy_os_release_without_id_gives_no_os() -> None:
    facts = OSReleaseAnalyzer().analyze("etc/os-release", (TRIVY_OS / "release/testdata/no-id").read_bytes())
    assert facts.os is None
    assert facts.warnings == ("etc/os-release: no ID field",)


def test_trivy_os_release_unsupported_cases_still_name_the_os() -> None:
    # Trivy returns nothing for these because it has no detector for them; an SBOM still names the OS.
    unknown = must_detect("etc/os-release", (TRIVY_OS / "release/testdata/unknown").read_bytes())
    assert (unknown.family, unknown.version) == ("unknown", "4.3.2")
    no_version = must_detect("etc/os-release", (TRIVY_OS / "release/testdata/no-version").read_bytes())
    assert (no_version.family, no_version.version, no_version.distro) == ("alpine", "", "alpine")


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ('NAME="Debian GNU/Linux"', "Debian GNU/Linux"),
        ("NAME='single \"quoted\" $x'", 'single "quoted" $x'),
        (r'NAME="a \"b\" \$c \\ d \`e\` \n"', r'a "b" $c \ d `e` \n'),
        (r"NAME=unquoted\ with\ escapes", "unquoted with escapes"),
        ("NAME=plain", "plain"),
        ("NAME=", ""),
        ('NAME=""', ""),
        ('NAME="unterminated', "unterminated"),
        ("NAME=a=b", "a=b"),
        ('  NAME="indented"  ', "indented"),
        ('NAME="Ubuntu 22.04.4 LTS"', "Ubuntu 22.04.4 LTS"),
    ],
)
def test_os_release_quoting(line: str, value: str) -> None:
    assert parse_os_release(line) == {"NAME": value}


def test_os_release_comments_blank_lines_crlf_and_bad_keys() -> None:
    text = '# comment\r\n\r\nID=debian\r\n#ID=ubuntu\r\n1BAD=x\r\nnot an assignment\r\nVERSION_ID="12"\r\n'
    info = must_detect("etc/os-release", text)
    assert (info.family, info.version) == ("debian", "12")
    assert parse_os_release(text.replace("\r\n", "\n")) == {"ID": "debian", "VERSION_ID": "12"}


def test_os_release_id_is_lower_case_and_like_split() -> None:
    info = must_detect(
        "etc/os-release", 'ID="Ubuntu"\nID_LIKE="Debian"\nVERSION_ID=24.04\nUBUNTU_CODENAME=noble\n'
    )
    assert (info.family, info.like, info.codename, info.distro) == (
        "ubuntu",
        ("debian",),
        "noble",
        "ubuntu-24.04",
    )


def test_os_release_hostile_values() -> None:
    with pytest.raises(AnalyzerError):
        detect("etc/os-release", "ID=../../etc\n")
    with pytest.raises(AnalyzerError):
        detect("etc/os-release", b"ID=debian\x00\n")
    facts = OSReleaseAnalyzer().analyze(
        "etc/os-release",
        ('ID=debian\nVERSION_ID="12; rm -rf /"\nPRETTY_NAME="x\x1b[31m' + "y" * 5000 + '"\n').encode(),
    )
    assert facts.os is not None
    assert facts.os.version == ""
    assert "\x1b" not in facts.os.name and len(facts.os.name) <= 256
    assert len(facts.warnings) == 1 and "VERSION_ID" in facts.warnings[0]


# --- alpine-release -------------------------------------------------------------------------------------


def test_trivy_alpine_release() -> None:
    (case,) = trivy_table(
        "alpine/_transcribed_expected.alpine_test.json", "TestAlpineReleaseOSAnalyzer_Required"
    )
    content = case["input"]["Content"]["_call"].split('"')[1]  # strings.NewReader("3.15.4")
    info = must_detect(case["input"]["FilePath"].lstrip("/"), content)
    assert (info.family, info.version) == ("alpine", case["wantResult"]["OS"]["Name"])
    assert info.priority == PRIORITY_VENDOR_FILE


@pytest.mark.parametrize("content", ["", "\n\n", "not a version", "3.15.0 extra", b"\x00\x01"])
def test_alpine_release_bad(content: str | bytes) -> None:
    with pytest.raises(AnalyzerError):
        detect("etc/alpine-release", content)


def test_alpine_release_development_version() -> None:
    assert must_detect("etc/alpine-release", "3.19.0_alpha20231219\n").version == "3.19.0_alpha20231219"


# --- debian_version -------------------------------------------------------------------------------------


def test_trivy_debian_version() -> None:
    cases = trivy_table("debian/_transcribed_expected.debian_test.json", "Test_debianOSAnalyzer_Analyze")
    by_name = {case["name"]: case for case in cases}
    nine = by_name["happy path with debian 9"]
    info = must_detect("etc/debian_version", (TRIVY_OS / "debian" / nine["inputFile"]).read_bytes())
    assert (info.family, info.version, info.codename) == ("debian", nine["want"]["OS"]["Name"], "stretch")
    assert info.priority == PRIORITY_VENDOR_FILE
    sid = by_name["happy path with debian sid"]
    assert sid["want"]["OS"]["Name"] == "buster/sid"
    info = must_detect("etc/debian_version", (TRIVY_OS / "debian" / sid["inputFile"]).read_bytes())
    assert (info.family, info.version, info.codename) == ("debian", "", "buster")
    assert info.priority == PRIORITY_CODENAME_ONLY
    assert by_name["sad path with empty file"]["wantErr"]
    with pytest.raises(AnalyzerError):
        detect("etc/debian_version", (TRIVY_OS / "debian" / "testdata" / "empty").read_bytes())


def test_ubuntu_debian_version_does_not_beat_os_release() -> None:
    debian = must_detect("etc/debian_version", "bookworm/sid\n")
    ubuntu = must_detect("usr/lib/os-release", 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n')
    assert debian.family == "debian" and debian.codename == "bookworm"
    assert debian.priority < ubuntu.priority


@pytest.mark.parametrize("content", ["12.7 and more", "Ubuntu 22.04", "/sid", b"\xff\xfe"])
def test_debian_version_bad(content: str | bytes) -> None:
    with pytest.raises(AnalyzerError):
        detect("etc/debian_version", content)


def test_priority_order() -> None:
    assert (
        PRIORITY_CODENAME_ONLY
        < PRIORITY_USR_LIB_OS_RELEASE
        < PRIORITY_ETC_OS_RELEASE
        < PRIORITY_GENERIC_FILE
        < PRIORITY_VENDOR_FILE
    )


# --- Red Hat family -------------------------------------------------------------------------------------

# Trivy's family name and ours (the os-release ID) for each redhatbase fixture.
REDHAT_CASES = [
    ("alma_test", "Test_almaOSAnalyzer_Analyze", "etc/almalinux-release", "almalinux"),
    ("centos_test", "Test_centosOSAnalyzer_Analyze", "etc/centos-release", "centos"),
    ("fedora_test", "Test_fedoraOSAnalyzer_Analyze", "etc/fedora-release", "fedora"),
    ("oracle_test", "Test_oracleOSAnalyzer_Analyze", "etc/oracle-release", "ol"),
    ("redhatbase_test", "Test_redhatOSAnalyzer_Analyze", "etc/redhat-release", "rhel"),
    ("rocky_test", "Test_rockyOSAnalyzer_Analyze", "etc/rocky-release", "rocky"),
]


@pytest.mark.parametrize(("test", "table", "path", "family"), REDHAT_CASES)
def test_trivy_redhat_family(test: str, table: str, path: str, family: str) -> None:
    happy, sad = trivy_table(f"redhatbase/_transcribed_expected.{test}.json", table)
    content = (TRIVY_OS / "redhatbase" / happy["inputFile"]).read_bytes()
    info = must_detect(path, content)
    assert (info.family, info.version) == (family, happy["want"]["OS"]["Name"])
    assert info.name == content.decode().strip()
    assert sad["wantErr"]
    with pytest.raises(AnalyzerError):
        detect(path, (TRIVY_OS / "redhatbase" / sad["inputFile"]).read_bytes())


def test_redhat_priorities_and_codename() -> None:
    rocky = must_detect("etc/rocky-release", "Rocky Linux release 8.4 (Green Obsidian)\n")
    assert (rocky.codename, rocky.priority, rocky.like) == (
        "Green Obsidian",
        PRIORITY_VENDOR_FILE,
        ("rhel", "centos", "fedora"),
    )
    generic = must_detect("etc/redhat-release", "Rocky Linux release 8.4 (Green Obsidian)\n")
    assert (generic.family, generic.priority) == ("rocky", PRIORITY_GENERIC_FILE)
    rhel = must_detect("etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n")
    assert (rhel.family, rhel.version, rhel.codename) == ("rhel", "7.9", "Maipo")
    stream = must_detect("etc/centos-release", "CentOS Stream release 9\n")
    assert (stream.family, stream.version, stream.codename) == ("centos", "9", "")


def test_trivy_amazon_linux() -> None:
    cases = trivy_table(
        "amazonlinux/_transcribed_expected.amazonlinux_test.json", "Test_amazonlinuxOSAnalyzer_Analyze"
    )
    happy = 0
    for case in cases:
        path = case["input"]["FilePath"]
        content = case["input"]["Content"]["_call"].split("`")[1]  # strings.NewReader(`...`)
        if case.get("want"):
            happy += 1
            info = must_detect(path, content)
            assert info.family == "amzn"
            # Trivy's Name is "<version> (<codename>)", or "AMI release <version>" for Amazon Linux 1
            name = case["want"]["OS"]["Name"].removeprefix("AMI release ")
            assert name == (f"{info.version} ({info.codename})" if info.codename else info.version)
        elif case["name"] == "sad path":
            with pytest.raises(AnalyzerError):
                detect(path, content)
        else:
            # Trivy refuses "Amazon Linux release 2" without a codename; the version is plain enough.
            assert must_detect(path, content).version == "2"
    assert happy == 4


# --- wants ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "etc/os-release.bak",
        "foo/etc/os-release",
        "usr/lib/os-release/x",
        "etc/lsb-release",
        "etc/alpine-release~",
        "usr/etc/debian_version",
        "etc/redhat-release.rpmnew",
        "etc/issue",
    ],
)
def test_not_wanted(path: str) -> None:
    info = FileInfo(path=path, size=10, mode=0o644)
    assert not any(analyzer.wants(path, info) for analyzer in ANALYZERS)


def test_each_path_wanted_by_one_analyzer() -> None:
    paths = [
        "etc/os-release",
        "usr/lib/os-release",
        "etc/alpine-release",
        "etc/debian_version",
        "etc/redhat-release",
        "etc/centos-release",
        "etc/rocky-release",
        "etc/almalinux-release",
        "etc/fedora-release",
        "etc/oracle-release",
        "etc/system-release",
        "usr/lib/system-release",
    ]
    for path in paths:
        info = FileInfo(path=path, size=10, mode=0o644)
        assert sum(analyzer.wants(path, info) for analyzer in ANALYZERS) == 1, path


# --- real images ----------------------------------------------------------------------------------------


def oci_layer(layout: Path) -> Path:
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs" / "sha256" / digest.split(":", 1)[1]).read_text())
    (layer,) = manifest["layers"]
    return layout / "blobs" / "sha256" / str(layer["digest"]).split(":", 1)[1]


def release_files(layer: tarfile.TarFile) -> dict[str, bytes]:
    """The regular files of a layer that some OS analyzer wants."""
    found: dict[str, bytes] = {}
    for member in layer:
        path = member.name.removeprefix("./")
        info = FileInfo(path=path, size=member.size, mode=member.mode)
        if member.isfile() and any(a.wants(path, info) for a in ANALYZERS):
            data = layer.extractfile(member)
            assert data is not None
            found[path] = data.read()
    return found


def detect_all(files: dict[str, bytes]) -> dict[str, OSInfo]:
    return {path: must_detect(path, content) for path, content in files.items()}


def winner(found: dict[str, OSInfo]) -> OSInfo:
    return max(found.values(), key=lambda info: info.priority)


def test_bookworm_image() -> None:
    with (
        isal.igzip.open(oci_layer(IMAGES / "oci" / "bookworm-minbase")) as stream,
        tarfile.open(fileobj=stream, mode="r|") as layer,
    ):
        found = detect_all(release_files(layer))
    # etc/os-release is a link to usr/lib/os-release in Debian: only the target is a regular file
    assert sorted(found) == ["etc/debian_version", "usr/lib/os-release"]
    os_release = found["usr/lib/os-release"]
    assert (os_release.family, os_release.version, os_release.codename) == ("debian", "12", "bookworm")
    assert os_release.name == "Debian GNU/Linux 12 (bookworm)"
    point = found["etc/debian_version"]
    assert point.family == "debian" and point.codename == "bookworm"
    assert point.version.startswith("12.") and point.version.split(".")[1].isdigit()
    assert winner(found) is point


def test_alpine_311_image() -> None:
    with (
        isal.igzip.open(IMAGES / "alpine-311.docker.tar.gz") as stream,
        tarfile.open(fileobj=stream, mode="r|") as archive,
    ):
        member = next(m for m in archive if m.name.endswith("/layer.tar"))
        inner = archive.extractfile(member)
        assert inner is not None
        with tarfile.open(fileobj=inner, mode="r|") as layer:
            found = detect_all(release_files(layer))
    assert sorted(found) == ["etc/alpine-release", "etc/os-release"]
    release, os_release = found["etc/alpine-release"], found["etc/os-release"]
    assert release.family == os_release.family == "alpine"
    assert release.version == os_release.version and release.version.startswith("3.11.")
    assert os_release.name == "Alpine Linux v3.11"
    assert winner(found) is release


def test_alpine_synthetic_image() -> None:
    # recipes/05-synthetic-alpine-rpm.sh: etc/alpine-release "3.15.0", an os-release with VERSION_ID=3.15.0
    with (
        isal.igzip.open(oci_layer(IMAGES / "oci" / "alpine-synth")) as stream,
        tarfile.open(fileobj=stream, mode="r|") as layer,
    ):
        found = detect_all(release_files(layer))
    assert {path: (i.family, i.version) for path, i in found.items()} == {
        "etc/alpine-release": ("alpine", "3.15.0"),
        "etc/os-release": ("alpine", "3.15.0"),
    }
    assert winner(found).source == "etc/alpine-release"


def test_rocky_synthetic_image() -> None:
    # os-release of Rocky 9.1 and "Rocky Linux release 9.1 (Blue Onyx)" in redhat-release and rocky-release
    with (
        isal.igzip.open(oci_layer(IMAGES / "oci" / "rocky-synth")) as stream,
        tarfile.open(fileobj=stream, mode="r|") as layer,
    ):
        found = detect_all(release_files(layer))
    assert {path: (i.family, i.version) for path, i in found.items()} == {
        "etc/os-release": ("rocky", "9.1"),
        "etc/redhat-release": ("rocky", "9.1"),
        "etc/rocky-release": ("rocky", "9.1"),
    }
    assert winner(found).source == "etc/rocky-release"
    assert found["etc/os-release"].like == ("rhel", "centos", "fedora")
