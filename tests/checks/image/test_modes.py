"""SW-IMG-010..013: setuid/setgid executables, world-writable files and directories, from tar headers."""

from __future__ import annotations

from pathlib import Path

from tests.checks.image.helpers import audit, where
from tests.factory import Entry

ELF = b"\x7fELF" + b"\x00" * 60


def test_setuid_and_setgid_executables(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                Entry("usr/bin/su", ELF, mode=0o4755),
                Entry("usr/bin/chage", ELF, mode=0o2755),
                Entry("usr/bin/both", ELF, mode=0o6755),
                Entry("usr/bin/ls", ELF, mode=0o755),
                Entry(
                    "var/mail/lock", b"", mode=0o2644
                ),  # setgid without x: mandatory locking, not a privilege
            ]
        ],
    )
    assert where(results, "SW-IMG-010") == ["usr/bin/both", "usr/bin/su"]
    assert where(results, "SW-IMG-011") == ["usr/bin/both", "usr/bin/chage"]
    su = next(r for r in results if r.location.file == "usr/bin/su")
    assert su.properties["mode"] == "4755" and "root" in su.message
    assert su.location.layer.startswith("sha256:")


def test_setuid_cleared_in_a_later_layer_is_not_reported(tmp_path: Path) -> None:
    """`RUN chmod u-s /usr/bin/su` copies the binary up into the next layer without the bit."""
    results = audit(
        tmp_path,
        [
            [Entry("usr/bin/su", ELF, mode=0o4755), Entry("usr/bin/mount", ELF, mode=0o4755)],
            [Entry("usr/bin/su", ELF, mode=0o755)],
        ],
    )
    assert where(results, "SW-IMG-010") == ["usr/bin/mount"]


def test_setuid_file_removed_by_whiteout_is_not_reported(tmp_path: Path) -> None:
    results = audit(tmp_path, [[Entry("usr/bin/su", ELF, mode=0o4755)], [Entry("usr/bin/.wh.su")]])
    assert where(results, "SW-IMG-010") == []


def test_setuid_hardlink_is_reported_at_its_own_path(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                Entry("usr/bin/tool", ELF, mode=0o4755),
                Entry("usr/bin/tool-alias", kind="hardlink", link="usr/bin/tool", mode=0o4755),
            ]
        ],
    )
    assert where(results, "SW-IMG-010") == ["usr/bin/tool", "usr/bin/tool-alias"]


def test_world_writable_files(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                Entry("app/start.sh", b"#!/bin/sh\n", mode=0o777),
                Entry("app/data.json", b"{}", mode=0o666),
                Entry("app/ok.json", b"{}", mode=0o664),
                Entry("app/link", kind="symlink", link="ok.json", mode=0o777),  # links are always 0777
            ]
        ],
    )
    assert where(results, "SW-IMG-012") == ["app/data.json", "app/start.sh"]


def test_world_writable_directories_without_sticky_bit(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                Entry("data", kind="dir", mode=0o777),
                Entry("tmp", kind="dir", mode=0o1777),
                Entry("app", kind="dir", mode=0o755),
                Entry("cache", kind="dir", mode=0o777),
            ],
            [Entry("cache", kind="dir", mode=0o1777)],  # chmod +t in a later layer
        ],
    )
    assert where(results, "SW-IMG-013") == ["data"]
    data = next(r for r in results if r.rule.id == "SW-IMG-013")
    assert data.properties["mode"] == "0777"


def test_world_writable_directory_removed_by_opaque_whiteout(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [[Entry("srv/data", kind="dir", mode=0o777)], [Entry("srv/.wh..wh..opq"), Entry("srv", kind="dir")]],
    )
    assert where(results, "SW-IMG-013") == []
