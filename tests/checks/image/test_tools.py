"""SW-IMG-014..016: shells, package managers and network tools, as files or links, in PATH directories."""

from __future__ import annotations

from pathlib import Path

from tests.checks.image.helpers import audit, where
from tests.factory import Entry

ELF = b"\x7fELF" + b"\x00" * 60


def test_debian_style_files_and_alternatives_links(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                Entry("usr/bin/bash", ELF, mode=0o755),
                Entry("usr/bin/dash", ELF, mode=0o755),
                Entry("usr/bin/sh", kind="symlink", link="dash"),
                Entry("usr/bin/apt-get", ELF, mode=0o755),
                Entry("usr/bin/dpkg", ELF, mode=0o755),
                Entry("usr/local/bin/pip3.11", b"#!/usr/bin/python3\n", mode=0o755),
                Entry("usr/bin/curl", ELF, mode=0o755),
                Entry("usr/bin/nc", kind="symlink", link="/etc/alternatives/nc"),
                Entry("usr/bin/ls", ELF, mode=0o755),
            ]
        ],
    )
    assert where(results, "SW-IMG-014") == ["usr/bin/bash", "usr/bin/dash", "usr/bin/sh"]
    assert where(results, "SW-IMG-015") == ["usr/bin/apt-get", "usr/bin/dpkg", "usr/local/bin/pip3.11"]
    assert where(results, "SW-IMG-016") == ["usr/bin/curl", "usr/bin/nc"]
    sh = next(r for r in results if r.location.file == "usr/bin/sh")
    assert sh.properties["link_target"] == "dash" and "distroless" in sh.message


def test_busybox_applet_links(tmp_path: Path) -> None:
    """busybox images link each applet to one binary: the links are what a user runs."""
    results = audit(
        tmp_path,
        [
            [
                Entry("bin/busybox", ELF, mode=0o755),
                Entry("bin/sh", kind="symlink", link="/bin/busybox"),
                Entry("usr/bin/wget", kind="symlink", link="/bin/busybox"),
                Entry("sbin/apk", ELF, mode=0o755),
                Entry("bin/ls", kind="symlink", link="/bin/busybox"),
            ]
        ],
    )
    assert where(results, "SW-IMG-014") == ["bin/busybox", "bin/sh"]
    assert where(results, "SW-IMG-015") == ["sbin/apk"]
    assert where(results, "SW-IMG-016") == ["usr/bin/wget"]


def test_names_outside_path_directories_are_not_tools(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [
                Entry("usr/share/bash-completion/completions/apt", b"# completion\n"),
                Entry("usr/lib/python3/dist-packages/pip", b"x"),
                Entry("opt/app/bin2/sh", ELF, mode=0o755),
                Entry("etc/ssh", kind="dir"),
            ]
        ],
    )
    assert where(results, "SW-IMG-014") == where(results, "SW-IMG-015") == where(results, "SW-IMG-016") == []


def test_removed_tool_is_not_reported(tmp_path: Path) -> None:
    results = audit(
        tmp_path,
        [
            [Entry("usr/bin/curl", ELF, mode=0o755), Entry("usr/bin/wget", ELF, mode=0o755)],
            [Entry("usr/bin/.wh.curl")],
        ],
    )
    assert where(results, "SW-IMG-016") == ["usr/bin/wget"]
