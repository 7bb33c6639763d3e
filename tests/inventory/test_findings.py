"""Findings riding the layer pass: merged by the overlay, secrets kept from every layer, cached."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from seawall.image.source import parse_target
from seawall.inventory.analyzer import Analyzer, FileInfo
from seawall.inventory.build import InventoryBuilder
from seawall.inventory.cache import LayerCache
from seawall.model import CheckResult, Facts, Inventory, Rule, Severity, SourceLocation
from tests.factory import Entry, layer_tar, oci_image

SECRET = Rule("SW-TEST-SECRET", "a secret", Severity.HIGH, "secret", "because", "remove it", tags=("t",))
SETUID = Rule("SW-TEST-SUID", "a setuid file", Severity.MEDIUM, "image", "because", "chmod u-s")


class ProbeAnalyzer(Analyzer):
    """Reports ``*.secret`` files as secrets and ``*.suid`` files as hardening findings."""

    name: ClassVar[str] = "probe"
    version: ClassVar[int] = 1
    suffixes: ClassVar[tuple[str, ...]] = (".secret", ".suid")

    def wants(self, path: str, info: FileInfo) -> bool:
        return path.endswith(self.suffixes)

    def analyze(self, path: str, content: bytes) -> Facts:
        rule = SECRET if path.endswith(".secret") else SETUID
        return Facts(findings=(CheckResult(rule, f"found in {path}", SourceLocation(path, line=1)),))


def build(root: Path, cache: Path, use_cache: bool = True) -> tuple[Inventory, InventoryBuilder]:
    builder = InventoryBuilder(LayerCache(cache, {"probe": 1}, enabled=use_cache), [ProbeAnalyzer()])
    return builder.build(parse_target(f"oci:{root}")), builder


def test_overlay_and_secret_history(tmp_path: Path) -> None:
    layers = [
        layer_tar([("app/key.secret", b"k"), ("bin/tool.suid", b"x"), ("bin/gone.suid", b"x")]),
        layer_tar([Entry("app/.wh.key.secret"), Entry("bin/.wh.gone.suid")]),
    ]
    root = oci_image(tmp_path / "img", layers)
    inventory, _ = build(root, tmp_path / "cache", use_cache=False)
    where = {(r.rule.id, r.location.file) for r in inventory.findings}
    assert where == {("SW-TEST-SECRET", "app/key.secret"), ("SW-TEST-SUID", "bin/tool.suid")}
    assert all(r.location.layer == inventory.image.layers[0].diff_id for r in inventory.findings)


def test_findings_survive_the_cache(tmp_path: Path) -> None:
    root = oci_image(tmp_path / "img", [layer_tar([("a.secret", b"k"), ("b.suid", b"x")])])
    cold, _ = build(root, tmp_path / "cache")
    warm, builder = build(root, tmp_path / "cache")
    assert builder.stats.cached == 1
    assert warm.findings == cold.findings and len(warm.findings) == 2
