"""The terminal table: exact text for a small inventory, sorting, and hostile names."""

from __future__ import annotations

from dataclasses import replace

from seawall.model import Inventory, Location, OSInfo, Package
from seawall.report import render
from tests.report import inventories as inv


def table(inventory: Inventory) -> str:
    return render(inventory, "table")


def test_exact_output() -> None:
    small = replace(inv.FULL, packages=(inv.TYPING_EXT, inv.LIBSSL, inv.BATIK, inv.LEFTPAD, inv.ANGULAR))
    assert table(small) == (
        "OS: debian 12.7 (Debian GNU/Linux 12 (bookworm))\n"
        "NAME                               VERSION           TYPE   LAYER\n"
        "libssl3                            3.0.15-1~deb12u1  deb    0\n"
        "org.apache.xmlgraphics:batik-anim  1.9.1             maven  2\n"
        "@angular/animation                 12.3.1            npm    2\n"
        "left-pad                           1.3.0             npm    -\n"
        "typing_extensions                  4.12.2            pypi   1\n"
    )


def test_sorted_by_type_then_name_case_insensitively() -> None:
    packages = (
        Package(type="pypi", name="zope", version="1"),
        Package(type="deb", name="zlib1g", version="1"),
        Package(type="pypi", name="Babel", version="2"),
        Package(type="pypi", name="attrs", version="3"),
        Package(type="apk", name="musl", version="4"),
    )
    lines = table(replace(inv.EMPTY, packages=packages)).splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["musl", "zlib1g", "attrs", "Babel", "zope"]


def test_columns_are_aligned_and_lines_have_no_trailing_space() -> None:
    lines = table(inv.FULL).splitlines()
    header = lines[1]
    starts = [header.index(title) for title in ("VERSION", "TYPE", "LAYER")]
    for line in lines[2:]:
        assert line == line.rstrip()
        for start in starts:
            assert line[start - 2 : start] == "  " and line[start] != " "
    assert len(lines) == len(inv.PACKAGES) + 2


def test_layer_is_the_lowest_one_that_holds_the_package() -> None:
    lines = table(replace(inv.FULL, packages=(inv.TYPING_EXT,))).splitlines()
    assert lines[2].split() == ["typing_extensions", "4.12.2", "pypi", "1"]
    unknown = replace(inv.LIBSSL, locations=(Location("var/lib/dpkg/status", "sha256:" + "9" * 64),))
    assert table(replace(inv.FULL, packages=(unknown,))).splitlines()[2].split()[-1] == "-"


def test_empty_and_unknown_os() -> None:
    assert table(inv.EMPTY) == "OS: unknown\nNo packages found.\n"


def test_os_line_without_a_pretty_name() -> None:
    alpine = OSInfo(family="alpine", version="3.19.1")
    assert table(replace(inv.EMPTY, os=alpine)).splitlines()[0] == "OS: alpine 3.19.1"


def test_terminal_control_characters_are_neutralised() -> None:
    hostile = Package(type="npm", name="\x1b[2J\x1b]0;owned\x07evil", version="1.0\u202egnp.exe\r\n")
    text = table(
        replace(inv.EMPTY, os=OSInfo(family="x\x1by", version="1", name="\x9b31m"), packages=(hostile,))
    )
    for bad in ("\x1b", "\x07", "\u202e", "\r", "\x9b"):
        assert bad not in text
    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("?[2J?]0;owned?evil")
