"""SW-IMG-008/009: the OS release against seawall/data/os_eol.json. Expected dates are the vendors'
published ones (quoted per case), so a wrong table entry fails here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from seawall.checks.image.os_eol import check_os, lifecycle_of, lifecycles
from seawall.model import OSInfo
from tests.checks.image.helpers import audit, where


def os(family: str, version: str, name: str = "", codename: str = "") -> OSInfo:
    return OSInfo(family=family, version=version, name=name, codename=codename, source="etc/os-release")


@pytest.mark.parametrize(
    ("info", "eol"),
    [
        (os("alpine", "3.11.5"), "2021-11-01"),  # alpinelinux.org/releases: 3.11 end of support 2021-11-01
        (os("alpine", "3.15.0"), "2023-11-01"),  # 3.15: 2023-11-01
        (os("alpine", "3.1.4"), None),  # 3.1 is not in the table, and 3.1 must not match 3.15
        (os("debian", "12.7"), "2028-06-30"),  # wiki.debian.org/LTS: bookworm LTS until 2028-06-30
        (os("debian", "10"), "2024-06-30"),  # buster LTS ended 2024-06-30
        (os("debian", "", codename="bullseye"), "2026-08-31"),  # bullseye LTS until 2026-08-31
        (os("debian", "", codename="sid"), None),
        (os("ubuntu", "20.04"), "2025-05-31"),  # ubuntu.com/about/release-cycle: focal standard support
        (os("rocky", "9.1"), "2032-05-31"),  # wiki.rockylinux.org: Rocky 9 EOL 2032-05-31
        (os("rhel", "7.9"), "2024-06-30"),  # access.redhat.com: RHEL 7 Maintenance Support 2024-06-30
        (os("centos", "7.9.2009", "CentOS Linux release 7.9.2009 (Core)"), "2024-06-30"),
        (os("centos", "8", "CentOS Stream release 8"), "2024-05-31"),  # Stream 8 end of builds
        (os("centos", "8.4.2105", "CentOS Linux release 8.4.2105"), "2021-12-31"),
        (os("amzn", "2"), "2026-06-30"),  # aws.amazon.com/amazon-linux-2/faqs: 2026-06-30
        (os("amzn", "2023.5.20240805"), "2029-06-30"),
        (os("amzn", "2018.03"), "2023-12-31"),
        (os("fedora", "39"), "2024-11-26"),  # docs.fedoraproject.org/en-US/releases/eol: F39 2024-11-26
        (os("opensuse-leap", "15.5"), "2024-12-31"),  # en.opensuse.org/Lifetime
        (os("wolfi", "20230201"), None),
    ],
)
def test_lifecycle_of(info: OSInfo, eol: str | None) -> None:
    entry = lifecycle_of(info)
    assert (entry.eol.isoformat() if entry else None) == eol


def test_past_soon_and_supported() -> None:
    alpine = os("alpine", "3.11.5", "Alpine Linux v3.11")
    (past,) = check_os(alpine, date(2026, 11, 28))
    assert past.rule.id == "SW-IMG-008" and "2021-11-01" in past.message
    assert past.location.file == "etc/os-release" and past.properties["source"].startswith(
        "https://alpinelinux.org"
    )
    (soon,) = check_os(alpine, date(2021, 10, 1))
    assert soon.rule.id == "SW-IMG-009" and "in 31 days" in soon.message
    assert check_os(alpine, date(2021, 7, 1)) == []
    assert check_os(alpine, date(2021, 11, 1))[0].rule.id == "SW-IMG-009"  # the last day still has support
    assert check_os(None, date(2026, 11, 28)) == []


def test_extended_support_is_named() -> None:
    (result,) = check_os(os("ubuntu", "20.04", "Ubuntu 20.04.6 LTS"), date(2026, 11, 28))
    assert "Ubuntu Pro" in result.message


def test_table_is_well_formed() -> None:
    table = lifecycles()
    assert {"debian", "ubuntu", "alpine", "rhel", "rocky", "almalinux", "amzn", "fedora", "centos"} <= set(
        table
    )
    assert "opensuse-leap" in table
    for family, entries in table.items():
        cycles = [e.cycle for e in entries]
        assert len(cycles) == len(set(cycles)), family
        assert all(e.source.startswith("https://") for e in entries), family


def test_through_an_image(tmp_path: Path) -> None:
    release = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.15.0\nPRETTY_NAME="Alpine Linux v3.15"\n'
    results = audit(tmp_path, [[("etc/os-release", release)]])
    assert where(results, "SW-IMG-008") == ["etc/os-release"]
