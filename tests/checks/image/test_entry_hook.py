"""The layer pass's header hook: ``analyze_entry`` for links and (opt-in) directories, ``header_only``
analyzers that never cause a read, and hardlinks sharing their target's facts in the merge."""

from __future__ import annotations

import io
from typing import ClassVar

from seawall.inventory.analyzer import Analyzer, FileInfo
from seawall.inventory.layer_pass import LayerPass, LayerResult
from seawall.inventory.merge import overlay
from seawall.model import CheckResult, Facts, Rule, Severity, SourceLocation
from tests.factory import Entry, layer_tar

RULE = Rule("SW-TEST-001", "seen", Severity.LOW, "image", "because", "nothing")


def seen(info: FileInfo, how: str) -> Facts:
    return Facts(findings=(CheckResult(RULE, f"{how} {info.kind.value}", SourceLocation(info.path)),))


class LinkAnalyzer(Analyzer):
    """Wants ``*.tool`` entries of any kind; reads files, judges links by their header."""

    name: ClassVar[str] = "links"
    version: ClassVar[int] = 1
    suffixes: ClassVar[tuple[str, ...]] = (".tool",)

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith(".tool")

    def analyze(self, path: str, content: bytes) -> Facts:
        return seen(FileInfo(path, len(content), 0), "read")

    def analyze_entry(self, info: FileInfo) -> Facts:
        return seen(info, "header")


class HeaderAnalyzer(Analyzer):
    """Header-only, directories included: wants every entry whose mode has the other-write bit."""

    name: ClassVar[str] = "header"
    version: ClassVar[int] = 1
    header_only: ClassVar[bool] = True
    directories: ClassVar[bool] = True
    reads: ClassVar[list[str]] = []

    def wants(self, path: str, info: FileInfo) -> bool:
        return bool(info.mode & 0o002)

    def analyze(self, path: str, content: bytes) -> Facts:
        self.reads.append(path)
        return Facts()

    def analyze_entry(self, info: FileInfo) -> Facts:
        return seen(info, "header")


def messages(facts: dict[str, Facts]) -> dict[str, str]:
    return {name: f.findings[0].message for name, f in facts.items()}


def run(entries: list[Entry | tuple[str, bytes]], analyzers: list[Analyzer]) -> LayerResult:
    return LayerPass(analyzers).run(io.BytesIO(layer_tar(entries)), "test")


def test_links_reach_analyze_entry() -> None:
    result = run(
        [
            ("bin/a.tool", b"x"),
            Entry("bin/b.tool", kind="symlink", link="a.tool"),
            Entry("dev/c.tool", kind="char"),
        ],
        [LinkAnalyzer()],
    )
    assert messages(result.facts["bin/a.tool"]) == {"links": "read file"}
    assert messages(result.facts["bin/b.tool"]) == {"links": "header symlink"}
    assert messages(result.facts["dev/c.tool"]) == {"links": "header other"}


def test_header_only_analyzers_never_read_and_see_directories() -> None:
    HeaderAnalyzer.reads.clear()
    result = run(
        [
            Entry("data", kind="dir", mode=0o777),
            Entry("app", kind="dir", mode=0o755),
            Entry("data/open.tool", b"x", mode=0o666),
            Entry("data/open.txt", b"x", mode=0o666),
        ],
        [HeaderAnalyzer(), LinkAnalyzer()],
    )
    assert HeaderAnalyzer.reads == []
    assert messages(result.facts["data"]) == {"header": "header dir"}
    assert "app" not in result.facts  # not wanted: directories are not recorded for nothing
    assert messages(result.facts["data/open.tool"]) == {"links": "read file", "header": "header file"}
    assert messages(result.facts["data/open.txt"]) == {"header": "header file"}


def test_directories_reach_only_analyzers_that_ask() -> None:
    result = run([Entry("x.tool", kind="dir", mode=0o777)], [LinkAnalyzer()])
    assert result.facts == {}


def test_hardlink_keeps_its_own_header_facts_and_inherits_the_rest() -> None:
    """A hard link whose target was not kept: the merge gives it the target's facts from other analyzers."""
    entries: list[Entry | tuple[str, bytes]] = [
        Entry("a.tool", b"x" * 2_000_000, mode=0o666),  # over the hardlink content cache
        Entry("b.tool", kind="hardlink", link="a.tool", mode=0o666),
    ]
    result = run(entries, [HeaderAnalyzer(), LinkAnalyzer()])
    assert result.hardlinks == {"b.tool": "a.tool"}
    assert messages(result.facts["b.tool"]) == {"header": "header hardlink"}
    view = overlay([result])
    assert messages(view["b.tool"][1]) == {"links": "read file", "header": "header hardlink"}
    assert view["b.tool"][1]["header"].findings[0].location.file == "b.tool"
