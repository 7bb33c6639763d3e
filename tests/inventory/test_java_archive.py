"""Java archives against Trivy's jar fixtures and Syft's manifest fixtures, plus archives built here."""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.analyzer import AnalyzerError, FileInfo, FileKind
from seawall.inventory.analyzers import java_archive
from seawall.inventory.analyzers.java_archive import (
    JavaArchiveAnalyzer,
    filename_coordinates,
    manifest_coordinates,
    parse_manifest,
    parse_properties,
)
from seawall.model import Facts
from tests.paths import SYFT_CATALOGERS, TRIVY_FIXTURES

PARSER_DIR = TRIVY_FIXTURES / "dependency" / "parser" / "java" / "jar"
FANAL_DIR = TRIVY_FIXTURES / "fanal" / "analyzer" / "language" / "java" / "jar"
SYFT_DIR = SYFT_CATALOGERS / "java"
ANALYZER = JavaArchiveAnalyzer()


def _tables(path: Path) -> dict[str, Any]:
    tables: dict[str, Any] = json.loads(path.read_text())["tables"]
    return tables


PARSE = _tables(PARSER_DIR / "_transcribed_expected.parse_test.json")
FANAL = _tables(FANAL_DIR / "_transcribed_expected.jar_test.json")
SYFT_MANIFEST = _tables(SYFT_DIR / "_transcribed_expected.parse_java_manifest_test.json")


def _location(trivy_path: str) -> str:
    """Trivy writes ``a.war/WEB-INF/lib/b.jar``; we write ``a.war!/WEB-INF/lib/b.jar``."""
    return re.sub(r"(\.(?:jar|war|ear|par))/", r"\1!/", trivy_path)


def _ours(facts: Facts) -> set[tuple[str, str, str]]:
    return {(f"{p.namespace}:{p.name}", p.version, loc.path) for p in facts.packages for loc in p.locations}


def _theirs(wanted: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    return {(w["Name"], w["Version"], _location(w["FilePath"])) for w in wanted}


def _analyze(directory: Path, name: str) -> Facts:
    return ANALYZER.analyze(f"testdata/{name}", (directory / "testdata" / name).read_bytes())


TRIVY_CASES = {
    "maven.war": "var:wantMaven",
    "gradle.war": "var:wantGradle",
    "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar": "var:wantFatjar",
    "nested.jar": "var:wantNestedJar",
    "io.quarkus.gizmo.gizmo-1.1.jar": "var:wantDuplicatesJar",
    "multi-license-1.0.0.jar": "var:wantMultiLicense",
    "license-from-jenkins-plugin.jar": "var:wantJenkinsPlugin",
    "test.jar": "var:wantOffline",  # Trivy's offline mode: coordinates from MANIFEST.MF
}


@pytest.mark.parametrize(("name", "table"), TRIVY_CASES.items())
def test_trivy_parser_cases(name: str, table: str) -> None:
    facts = _analyze(PARSER_DIR, name)
    assert _ours(facts) == _theirs(PARSE[table][0])
    assert facts.warnings == ()
    assert all(p.type == "maven" and p.found_by == "java-archive" for p in facts.packages)


def test_duplicate_coordinates_once_per_archive() -> None:
    """The gizmo jar holds four pom.properties for two jackson-databind versions."""
    facts = _analyze(PARSER_DIR, "io.quarkus.gizmo.gizmo-1.1.jar")
    databind = [p for p in facts.packages if p.name == "jackson-databind"]
    assert sorted(p.version for p in databind) == ["2.12.3", "2.13.4"]
    assert all(len(p.locations) == 1 for p in databind)


def test_trivy_heuristic_case_without_maven_search() -> None:
    """Trivy finds the groupId by searching Maven Central for the file name; offline we have none."""
    (wanted,) = PARSE["var:wantHeuristic"][0]
    (package,) = _analyze(PARSER_DIR, "heuristic-1.0.0-SNAPSHOT.jar").packages
    assert (package.name, package.version) == (wanted["Name"].split(":")[1], wanted["Version"])
    assert package.namespace == ""


@pytest.mark.parametrize("case", FANAL["Test_javaLibraryAnalyzer_Analyze"][0], ids=lambda c: c["name"])
def test_trivy_analyzer_cases(case: dict[str, Any]) -> None:
    name = Path(case["inputFile"]).name
    if case["name"].startswith("sad path"):
        with pytest.raises(AnalyzerError, match="not a readable zip"):
            _analyze(FANAL_DIR, name)
        return
    (application,) = case["want"]["Applications"]
    facts = _analyze(FANAL_DIR, name)
    if case.get("includeChecksum") and name == "test.jar":
        # found in Trivy's Java DB by SHA-1; offline only the manifest's version matches
        (package,) = facts.packages
        assert package.version == application["Packages"][0]["Version"]
        return
    assert _ours(facts) == _theirs(application["Packages"])


@pytest.mark.parametrize("case", FANAL["Test_javaLibraryAnalyzer_Required"][0], ids=lambda c: c["name"])
def test_trivy_wants_cases(case: dict[str, Any]) -> None:
    path = case["filePath"]
    assert ANALYZER.wants(path, FileInfo(path, 100, 0o644)) is case["want"]


def test_wants_jenkins_plugins_and_skips_links() -> None:
    assert ANALYZER.wants("var/jenkins/plugins/git.jpi", FileInfo("x", 1, 0o644))
    assert ANALYZER.wants("var/jenkins/plugins/git.hpi", FileInfo("x", 1, 0o644))
    assert not ANALYZER.wants("app.jar", FileInfo("app.jar", 0, 0o777, FileKind.SYMLINK))
    assert not ANALYZER.wants("app.jar.sha1", FileInfo("x", 1, 0o644))


@pytest.mark.parametrize("case", PARSE["TestManifestProperties"][0], ids=lambda c: c["name"])
def test_trivy_manifest_properties(case: dict[str, Any]) -> None:
    got = manifest_coordinates(parse_manifest(case["manifest"]))
    want = case["want"]
    assert got == (None if want == [] else (want["GroupID"], want["ArtifactID"], want["Version"]))


SYFT_SKIPPED = {
    # Syft trims a continuation line; the JAR specification removes exactly one leading space
    "testdata/manifest/leading-space",
}


@pytest.mark.parametrize("case", SYFT_MANIFEST["TestParseJavaManifest"][0], ids=lambda c: c["fixture"])
def test_syft_manifest_main_section(case: dict[str, Any]) -> None:
    if case["fixture"] in SYFT_SKIPPED:
        pytest.skip("continuation whitespace differs from the JAR specification")
    text = (SYFT_DIR / case["fixture"]).read_text()
    expected = {entry["Key"].lower(): entry["Value"] for entry in case["expected"]["Main"]}
    assert parse_manifest(text) == expected


@pytest.mark.parametrize("eol", ["\r\n", "\n", "\r"], ids=["CRLF", "LF", "CR"])
def test_manifest_folding(eol: str) -> None:
    """Manifest lines are at most 72 bytes; longer values continue on lines starting with one space."""
    title = "A rather long implementation title that will not fit on one manifest line at all"
    line = f"Implementation-Title: {title}"
    folded = [line[:72]] + [" " + line[i : i + 71] for i in range(72, len(line), 71)]
    text = eol.join(
        [
            "Manifest-Version: 1.0",
            *folded,
            "Implementation-Version: 1.0",
            "Implementation-Vendor-Id: org.example",
            "",
        ]
    )
    text += eol + "Name: section/" + eol + "Implementation-Version: 9.9" + eol
    assert manifest_coordinates(parse_manifest(text)) == ("org.example", title, "1.0")


def test_bundle_attributes() -> None:
    attributes = parse_manifest(
        "Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;singleton:=true\n"
        "Bundle-Name: jackson-databind\nBundle-Version: 2.15.2\n"
    )
    assert manifest_coordinates(attributes) == ("com.fasterxml.jackson.core", "jackson-databind", "2.15.2")


def test_properties_format() -> None:
    text = (
        "# comment\n! also\n  groupId = org.example\n"
        "artifactId:demo\\\n    -core\nversion 1.0\\u002d1\nempty=\n"
    )
    assert parse_properties(text) == {
        "groupId": "org.example",
        "artifactId": "demo-core",
        "version": "1.0-1",
        "empty": "",
    }


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("commons-lang3-3.11.jar", ("", "commons-lang3", "3.11")),
        ("lib/heuristic-1.0.0-SNAPSHOT.jar", ("", "heuristic", "1.0.0-SNAPSHOT")),
        ("app.war!/WEB-INF/lib/spring-core-5.3.3.jar", ("", "spring-core", "5.3.3")),
        ("app.jar", None),
        ("-1.0.jar", None),
    ],
)
def test_filename_coordinates(filename: str, expected: tuple[str, str, str] | None) -> None:
    assert filename_coordinates(filename) == expected


# archives built here


def _jar(entries: dict[str, bytes | str], encrypted: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    content = bytearray(buffer.getvalue())
    for name in encrypted:  # set the "encrypted" flag in the local and the central header
        for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
            at = content.index(signature)
            while content[at + name_at : at + name_at + len(name)] != name.encode():
                at = content.index(signature, at + 4)
            content[at + flags_at] |= 0x1
    return bytes(content)


def _pom(group: str, artifact: str, version: str) -> dict[str, str]:
    text = f"groupId={group}\nartifactId={artifact}\nversion={version}\n"
    return {f"META-INF/maven/{group}/{artifact}/pom.properties": text}


MANIFEST = (
    "Manifest-Version: 1.0\nImplementation-Vendor-Id: org.manifest\n"
    "Implementation-Title: from-manifest\nImplementation-Version: 7.0\n"
)


def test_pom_properties_win_over_the_manifest() -> None:
    content = _jar({"META-INF/MANIFEST.MF": MANIFEST, **_pom("org.example", "demo", "1.0")})
    facts = ANALYZER.analyze("opt/demo.jar", content)
    assert _ours(facts) == {("org.example:demo", "1.0", "opt/demo.jar")}


def test_manifest_then_file_name() -> None:
    broken_pom = {"META-INF/maven/x/y/pom.properties": "groupId=x\nartifactId=y\n"}  # no version: unusable
    facts = ANALYZER.analyze("lib/other-2.0.jar", _jar({"META-INF/MANIFEST.MF": MANIFEST, **broken_pom}))
    assert _ours(facts) == {("org.manifest:from-manifest", "7.0", "lib/other-2.0.jar")}
    facts = ANALYZER.analyze("lib/other-2.0.jar", _jar({"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}))
    assert _ours(facts) == {(":other", "2.0", "lib/other-2.0.jar")}
    assert ANALYZER.analyze("lib/other.jar", _jar({"a.txt": "x"})).packages == ()


def test_nested_war_and_boot_jar() -> None:
    inner = _jar(_pom("org.inner", "deep", "0.1"))
    lib = _jar({**_pom("org.lib", "lib", "1.0"), "META-INF/jars/deep.jar": inner})
    boot = _jar({"META-INF/MANIFEST.MF": MANIFEST})
    war = _jar(
        {
            **_pom("org.app", "app", "3.0"),
            "WEB-INF/lib/lib-1.0.jar": lib,
            "BOOT-INF/lib/boot.jar": boot,
            "WEB-INF/lib/copy-of-lib.jar": lib,
        }
    )
    facts = ANALYZER.analyze("srv/app.war", war)
    assert _ours(facts) == {
        ("org.app:app", "3.0", "srv/app.war"),
        ("org.lib:lib", "1.0", "srv/app.war!/WEB-INF/lib/lib-1.0.jar"),
        ("org.lib:lib", "1.0", "srv/app.war!/WEB-INF/lib/copy-of-lib.jar"),
        ("org.inner:deep", "0.1", "srv/app.war!/WEB-INF/lib/lib-1.0.jar!/META-INF/jars/deep.jar"),
        ("org.inner:deep", "0.1", "srv/app.war!/WEB-INF/lib/copy-of-lib.jar!/META-INF/jars/deep.jar"),
        ("org.manifest:from-manifest", "7.0", "srv/app.war!/BOOT-INF/lib/boot.jar"),
    }
    lib_package = next(p for p in facts.packages if p.name == "lib")
    assert len(lib_package.locations) == 2  # one package, found at two places


def test_nesting_beyond_the_cap() -> None:
    content = _jar(_pom("org.level", "level6", "6"))
    for level in range(5, -1, -1):
        content = _jar(
            {**_pom("org.level", f"level{level}", str(level)), f"lib/level{level + 1}.jar": content}
        )
    facts = ANALYZER.analyze("top.jar", content)
    assert sorted(p.name for p in facts.packages) == [f"level{n}" for n in range(java_archive.MAX_DEPTH + 1)]
    assert len(facts.warnings) == 1 and "nested deeper" in facts.warnings[0]


def test_zip_bomb_entries_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(java_archive, "MAX_NESTED_SIZE", 1024 * 1024)
    bomb = b"\0" * (4 * 1024 * 1024)
    content = _jar(
        {**_pom("org.ok", "ok", "1"), "lib/bomb.jar": bomb, "META-INF/maven/b/b/pom.properties": bomb}
    )
    assert len(content) < 64 * 1024
    facts = ANALYZER.analyze("app.jar", content)
    assert _ours(facts) == {("org.ok:ok", "1", "app.jar")}
    assert len(facts.warnings) == 2 and all("over the" in w for w in facts.warnings)


def test_entry_lying_about_its_size() -> None:
    """A central directory that understates an entry's size: zipfile stops there and the CRC fails."""
    content = bytearray(_jar({"lib/liar.jar": b"\0" * 100_000, **_pom("org.ok", "ok", "1")}))
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = content.index(signature)
        content[at + size_at : at + size_at + 4] = (10).to_bytes(4, "little")
    facts = ANALYZER.analyze("app.jar", bytes(content))
    assert _ours(facts) == {("org.ok:ok", "1", "app.jar")}
    assert len(facts.warnings) == 1 and "liar.jar" in facts.warnings[0]


def test_decompression_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(java_archive, "MAX_TOTAL_READ", 150_000)
    libs = {
        f"WEB-INF/lib/lib{n}.jar": _jar(
            {**_pom("org.lib", f"lib{n}", "1"), "pad.bin": random.Random(n).randbytes(40_000)}
        )
        for n in range(6)
    }
    facts = ANALYZER.analyze("app.war", _jar(libs))
    assert 1 <= len(facts.packages) < 6
    assert any("budget" in w for w in facts.warnings)


def test_too_many_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(java_archive, "MAX_ENTRIES", 10)
    with pytest.raises(AnalyzerError, match="more than 10 entries"):
        ANALYZER.analyze("app.jar", _jar({f"f{n}.txt": "x" for n in range(11)}))


def test_too_many_nested_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(java_archive, "MAX_ARCHIVES", 2)
    libs = {f"lib/l{n}.jar": _jar(_pom("org.lib", f"l{n}", "1")) for n in range(4)}
    facts = ANALYZER.analyze("app.jar", _jar(libs))
    assert len(facts.packages) == 2 and "more than 2 nested archives" in facts.warnings[0]


def test_corrupt_and_encrypted_members_are_skipped() -> None:
    content = _jar(
        {
            **_pom("org.ok", "ok", "1"),
            "lib/garbage.jar": random.Random(3).randbytes(500),
            "META-INF/maven/s/s/pom.properties": "groupId=s\nartifactId=s\nversion=1\n",
        },
        encrypted=("META-INF/maven/s/s/pom.properties",),
    )
    facts = ANALYZER.analyze("app.jar", content)
    assert _ours(facts) == {("org.ok:ok", "1", "app.jar")}
    assert len(facts.warnings) == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04 not really", random.Random(5).randbytes(2048), _jar(_pom("a", "b", "1"))[:60]],
    ids=["empty", "fake-header", "random", "truncated"],
)
def test_not_a_zip(content: bytes) -> None:
    with pytest.raises(AnalyzerError, match="not a readable zip"):
        ANALYZER.analyze("app.jar", content)


def test_mutated_archives_raise_only_analyzer_error() -> None:
    original = (PARSER_DIR / "testdata" / "nested.jar").read_bytes()
    rng = random.Random(7)
    parsed = 0
    for _ in range(300):
        content = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            content[rng.randrange(len(content))] = rng.randrange(256)
        with contextlib.suppress(AnalyzerError):
            ANALYZER.analyze("nested.jar", bytes(content))
            parsed += 1
    assert 0 < parsed < 300  # some mutants still open, some do not
