"""The owning OS package of a flagged file, from the package database's file lists (merged /usr too)."""

from __future__ import annotations

from pathlib import Path

from seawall.inventory.merge import file_owners
from seawall.model import Facts
from tests.checks.image.helpers import audit
from tests.factory import Entry, dpkg_status

ELF = b"\x7fELF" + b"\x00" * 60


def test_setuid_files_name_their_package(tmp_path: Path) -> None:
    """Debian 12 (merged /usr): util-linux's file list says /bin/su, the layer has usr/bin/su."""
    results = audit(
        tmp_path,
        [
            [
                (
                    "var/lib/dpkg/status",
                    dpkg_status(("util-linux", "2.38.1-5+deb12u3"), ("passwd", "1:4.13+dfsg1-1")),
                ),
                ("var/lib/dpkg/info/util-linux.list", b"/.\n/bin\n/bin/su\n/usr/bin/lscpu\n"),
                ("var/lib/dpkg/info/passwd.list", b"/.\n/usr/bin/passwd\n"),
                Entry("usr/bin/su", ELF, mode=0o4755),
                Entry("usr/bin/passwd", ELF, mode=0o4755),
                Entry("usr/local/bin/tool", ELF, mode=0o4755),
            ]
        ],
    )
    owners = {r.location.file: r.properties.get("package") for r in results if r.rule.id == "SW-IMG-010"}
    assert owners == {"usr/bin/su": "util-linux", "usr/bin/passwd": "passwd", "usr/local/bin/tool": None}
    su = next(r for r in results if r.location.file == "usr/bin/su")
    assert su.message.endswith("(installed by package util-linux)")


def test_owners_only_for_the_paths_asked() -> None:
    view = {
        "var/lib/dpkg/info/x.list": (0, {"dpkg": Facts(owned_files={"x": ("bin/sh", "usr/bin/a", "lib/b")})})
    }
    assert file_owners(view, {"usr/bin/sh", "usr/lib/b"}, set()) == {"usr/bin/sh": "x", "usr/lib/b": "x"}
    assert file_owners(view, {"usr/bin/a"}, {"var/lib/dpkg/info/x.list"}) == {}  # a superseded database
    assert file_owners(view, set(), set()) == {}


def test_results_survive_the_layer_cache(tmp_path: Path) -> None:
    from seawall.checks.image import audit_image
    from seawall.image.source import parse_target
    from seawall.inventory.build import InventoryBuilder
    from tests.checks.image.helpers import NON_ROOT, TODAY, oci_layout
    from tests.factory import layer_tar

    layer = layer_tar(
        [Entry("usr/bin/su", ELF, mode=0o4755), Entry("data", kind="dir", mode=0o777), ("a/.env", b"A=1\n")]
    )
    root = oci_layout(tmp_path / "oci", [layer], NON_ROOT)

    def scan() -> tuple[list[str], int]:
        builder = InventoryBuilder.create(tmp_path / "cache", jobs=1, scanners=("config",))
        results = audit_image(builder.build(parse_target(f"oci:{root}")), TODAY)
        return [
            f"{r.rule.id} {r.location.file} {r.location.layer} {r.message}" for r in results
        ], builder.stats.cached

    cold, cached_cold = scan()
    warm, cached_warm = scan()
    assert (cached_cold, cached_warm) == (0, 1)
    assert warm == cold and len(cold) == 3
