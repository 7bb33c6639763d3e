"""Ignore files: parsing (YAML and Trivy's plain .trivyignore), expiry on a fixed day, matching."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from seawall.errors import SeawallError
from seawall.policy.ignorefile import IgnoreFileError, load_ignorefile, parse_ignorefile
from tests.policy.factory import check, finding, package

# Alpine 3.11's musl 1.1.24-r2 and CVE-2019-14697 are the example of Trivy's own documentation
# (".trivyignore": "CVE-2019-14697 exp:2023-01-01").
MUSL = package(
    "apk", "musl", "1.1.24-r2", arch="x86_64", distro="alpine-3.11.5", paths=("lib/apk/db/installed",)
)
# Debian's libssl3 is built from the openssl source package.
LIBSSL = package(
    "deb",
    "libssl3",
    "3.0.11-1~deb12u2",
    arch="amd64",
    distro="debian-12",
    source="openssl",
    paths=("var/lib/dpkg/status",),
)
JINJA = package(
    "pypi", "Jinja2", "2.10", paths=("usr/local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA",)
)
X_NET = package(
    "golang", "golang.org/x/net", "v0.0.0-20211006190231-62292e806868", paths=("usr/local/bin/app",)
)
ACME = package("golang", "github.com/acme/tool/v2", "v2.1.0", paths=("usr/local/bin/tool",))
ACME_OTHER = package("golang", "github.com/acmecorp/x", "v1.0.0", paths=("usr/local/bin/tool",))


def one(text: str, fmt: str | None = "yaml"):
    ignore = parse_ignorefile(text, "ignore.yaml", fmt)
    assert len(ignore.entries) == 1
    return ignore.entries[0]


YAML = """\
# accepted risks of the api image
- id: CVE-2019-14697
  package: musl
  expires: 2026-12-31
  reason: musl is not used for DNS here (SEC-12)
- id: CVE-2023-5363
  package: pkg:deb/debian/openssl
  reason: no QUIC in use
- package: pkg:golang/github.com/acme/
  reason: our own modules, scanned upstream
- id: SW-IMG-003
  path: /etc/shadow
  reason: base image, tracked in BASE-7
"""


def test_yaml_entries_with_lines_and_fields() -> None:
    ignore = parse_ignorefile(YAML, "ignore.yaml")
    assert ignore.format == "yaml"
    assert [e.line for e in ignore.entries] == [2, 6, 9, 11]
    first = ignore.entries[0]
    assert (first.id, first.packages, first.expires) == ("CVE-2019-14697", ("musl",), date(2026, 12, 31))
    assert first.suppression == "ignorefile: musl is not used for DNS here (SEC-12) (expires 2026-12-31)"
    assert ignore.entries[1].suppression == "ignorefile: no QUIC in use"
    assert ignore.entries[3].paths == ("etc/shadow",)  # a leading slash is ignored: image paths are relative


def test_ignore_key_and_empty_files() -> None:
    text = "ignore:\n  - id: CVE-2019-14697\n    reason: r\n"
    assert parse_ignorefile(text).entries[0].id == "CVE-2019-14697"
    assert parse_ignorefile("ignore:\n").entries == ()
    assert parse_ignorefile("").entries == ()
    assert parse_ignorefile("# nothing yet\n").entries == ()


@pytest.mark.parametrize(
    ("today", "expired"),
    [
        (date(2026, 12, 30), False),
        # From the expiry day on (as the lint: ignores of .seawall.yaml and Trivy's exp: do)
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), True),
    ],
)
def test_expiry_on_a_fixed_day(today: date, expired: bool) -> None:
    ignore = parse_ignorefile(YAML, "ignore.yaml")
    assert ignore.entries[0].expired(today) is expired
    assert (ignore.entries[0] in ignore.active(today)) is not expired
    assert ignore.entries[1] in ignore.active(today)  # no expiry: never expires
    if expired:
        assert ignore.expired(today) == (ignore.entries[0],)
        warning = ignore.entries[0].expiry_warning()
        assert "ignore.yaml:2" in warning and "CVE-2019-14697" in warning and "2026-12-31" in warning


# The example .trivyignore of Trivy's documentation ("Filtering" / "By Finding IDs").
TRIVYIGNORE = """\
# Accept the risk
CVE-2018-14618

# Accept the risk until 2023-01-01
CVE-2019-14697 exp:2023-01-01

# No impact in our settings
CVE-2019-1543

# Ignore misconfigurations
AVD-DS-0002

# Ignore secrets
generic-unwanted-rule
aws-account-id
"""


def test_trivyignore_plain_format(tmp_path: Path) -> None:
    path = tmp_path / ".trivyignore"
    path.write_text(TRIVYIGNORE)
    ignore = load_ignorefile(path)
    assert ignore.format == "trivyignore"
    ids = [e.id for e in ignore.entries]
    assert ids == [
        "CVE-2018-14618",
        "CVE-2019-14697",
        "CVE-2019-1543",
        "AVD-DS-0002",
        "generic-unwanted-rule",
        "aws-account-id",
    ]
    musl_entry = ignore.entries[1]
    assert musl_entry.expires == date(2023, 1, 1) and musl_entry.line == 5
    assert musl_entry.reason == "Accept the risk until 2023-01-01"  # the comment just above
    # Trivy: "exp:2023-01-01" stops ignoring on 2023-01-01
    assert not musl_entry.expired(date(2022, 12, 31))
    assert musl_entry.expired(date(2023, 1, 1))
    assert ignore.entries[0].matches_finding(finding("CVE-2018-14618", MUSL))


def test_plain_format_is_recognised_without_its_file_name() -> None:
    assert parse_ignorefile("CVE-2018-14618\n").format == "trivyignore"
    assert parse_ignorefile("- id: CVE-2018-14618\n  reason: r\n").format == "yaml"
    assert parse_ignorefile("ignore:\n- id: X\n  reason: r\n").format == "yaml"


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("- id: CVE-1\n  reason: [unclosed\n", "yaml", "line 3"),
        ("- id: CVE-1\n  reasn: typo\n", "yaml", "line 2: unknown key 'reasn'"),
        ("- id: CVE-1\n  package: musl\n", "yaml", "line 1: entry CVE-1 needs a reason"),
        (
            "- id: CVE-1\n  reason: r\n  expires: next year\n",
            "yaml",
            "line 3: expiry 'next year' is not a date",
        ),
        ("- id: CVE-1\n  reason: r\n  expires: 2026-02-30\n", "yaml", "line 3: expires: day is out of range"),
        ("ignore:\n- id: X\n  reason: r\nother: 1\n", "yaml", "line 4: unknown top-level key 'other'"),
        ("- id: CVE-1\n  reason: r\n  package: 'pkg:/x'\n", "yaml", "is not a valid purl"),
        ("- reason: everything\n", "yaml", "needs an id, a package or a path"),
        ("- CVE-1\n", "yaml", "line 1: an entry must be a mapping"),
        ("id: CVE-1\nreason: r\n", "yaml", "line 1: expected a list of entries"),
        ("- id: CVE-1\n  reason: r\n  id: CVE-2\n", "yaml", "line 3: id given twice"),
        ("- id: {a: b}\n  reason: r\n", "yaml", "line 1: id must be text"),
        ("CVE-1\nCVE-2 until:2023-01-01\n", "trivyignore", "line 2: unexpected 'until:2023-01-01'"),
        ("CVE-1 exp:2023-13-01\n", "trivyignore", "line 1: expiry '2023-13-01' is not a date"),
        ("CVE-1\n- id: x\n", "trivyignore", "line 2: '-' is not an ID"),
        ("- [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", "yaml", "ignore file"),
    ],
)
def test_malformed_files_name_the_line(text: str, fmt: str, message: str) -> None:
    with pytest.raises(IgnoreFileError) as caught:
        parse_ignorefile(text, "ignore.yaml", fmt)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, SeawallError) and caught.value.exit_code == 2


def test_unreadable_oversized_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(IgnoreFileError, match="cannot read ignore file"):
        load_ignorefile(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (5 * 1024 * 1024))
    with pytest.raises(IgnoreFileError, match="larger than"):
        load_ignorefile(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"- id: X\n\xff\xfe\n")
    with pytest.raises(IgnoreFileError, match="line 2: not UTF-8"):
        load_ignorefile(binary)


def test_billion_laughs_is_bounded() -> None:
    """Aliases are shared, never expanded: nine levels of nine-fold references stay small."""
    lines = ["- id: A0\n  reason: r\n  path: &a0 [x, x, x, x, x, x, x, x, x]\n"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"- id: A{level}\n  reason: r\n  path: &a{level} [{refs}]\n")
    with pytest.raises(IgnoreFileError, match="line 6: path must be text or a list of text"):
        parse_ignorefile("".join(lines), "bomb.yaml", "yaml")


# --- matching -----------------------------------------------------------------------------------------


def test_id_matches_the_advisory_or_any_alias_case_insensitively() -> None:
    entry = one("- id: cve-2021-44228\n  reason: r\n")
    log4j = package("maven", "log4j-core", "2.14.1", namespace="org.apache.logging.log4j")
    # GHSA-jfh8-c2jp-5v3q is the GitHub advisory of CVE-2021-44228 (its aliases say so)
    assert entry.matches_finding(finding("GHSA-jfh8-c2jp-5v3q", log4j, "CVE-2021-44228"))
    assert entry.matches_finding(finding("CVE-2021-44228", log4j))
    assert not entry.matches_finding(finding("CVE-2021-45046", log4j, "GHSA-7rjr-3q55-vv33"))


def test_package_by_name_and_by_source_package() -> None:
    by_source = one("- id: CVE-2023-5363\n  package: openssl\n  reason: r\n")
    assert by_source.matches_finding(finding("CVE-2023-5363", LIBSSL))  # libssl3 is built from openssl
    by_binary = one("- id: CVE-2023-5363\n  package: libssl3\n  reason: r\n")
    assert by_binary.matches_finding(finding("CVE-2023-5363", LIBSSL))
    other = one("- id: CVE-2023-5363\n  package: openssh\n  reason: r\n")
    assert not other.matches_finding(finding("CVE-2023-5363", LIBSSL))


@pytest.mark.parametrize(
    ("purl", "pkg", "expected"),
    [
        ("pkg:apk/alpine/musl", MUSL, True),  # no version: every version
        ("pkg:apk/alpine/musl@1.1.24-r2", MUSL, True),
        ("pkg:apk/alpine/musl@1.1.24-r3", MUSL, False),
        ("pkg:apk/alpine/musl?arch=x86_64", MUSL, True),
        ("pkg:apk/alpine/musl?arch=aarch64", MUSL, False),  # both sides carry arch
        ("pkg:apk/alpine/musl?distro=alpine-3.11.5", MUSL, True),
        ("pkg:apk/alpine/musl-utils", MUSL, False),
        ("pkg:deb/debian/musl", MUSL, False),
        ("pkg:pypi/jinja2", JINJA, True),  # purl names of PyPI are normalised
        ("pkg:pypi/jinja2@2.10", JINJA, True),
        ("pkg:golang/golang.org/x/net", X_NET, True),
        ("pkg:golang/github.com/acme/", ACME, True),  # a prefix: everything under it
        ("pkg:golang/github.com/acme/", ACME_OTHER, False),
        ("pkg:golang/github.com/acme/", X_NET, False),
    ],
)
def test_package_by_purl(purl: str, pkg, expected: bool) -> None:
    entry = one(f"- package: {purl}\n  reason: r\n")
    assert entry.matches_finding(finding("CVE-2000-0001", pkg)) is expected


def test_package_lists() -> None:
    entry = one("- id: CVE-1\n  package: [musl, libssl3]\n  reason: r\n")
    assert entry.matches_finding(finding("CVE-1", MUSL))
    assert entry.matches_finding(finding("CVE-1", LIBSSL))
    assert not entry.matches_finding(finding("CVE-1", JINJA))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("usr/local/lib/python3*/**", True),
        ("/usr/local/lib/python3.11/site-packages/", True),  # a directory covers what is below it
        ("usr/local/lib/python3.11/site-packages/*/METADATA", True),
        ("usr/lib/python3*/**", False),
        ("METADATA", False),  # globs are on the whole path
        ("**/METADATA", True),
    ],
)
def test_path_globs(pattern: str, expected: bool) -> None:
    entry = one(f"- id: CVE-2019-10906\n  path: '{pattern}'\n  reason: r\n")
    assert entry.matches_finding(finding("CVE-2019-10906", JINJA)) is expected


def test_check_results_by_rule_id_and_path() -> None:
    entry = one("- id: SW-IMG-003\n  path: etc/shadow\n  reason: r\n")
    assert entry.matches_check(check("SW-IMG-003", "etc/shadow"))
    assert not entry.matches_check(check("SW-IMG-003", "etc/gshadow"))
    assert not entry.matches_check(check("SW-IMG-004", "etc/shadow"))
    everywhere = one("- id: sw-df-001\n  reason: r\n")
    assert everywhere.matches_check(check("SW-DF-001", "Dockerfile", "dockerfile"))
    by_package = one("- id: SW-IMG-003\n  package: shadow\n  reason: r\n")
    assert not by_package.matches_check(check("SW-IMG-003", "etc/shadow"))
    # a path alone covers every result there: secrets in test data, say
    testdata = one("- path: app/testdata/\n  reason: fake keys for the tests\n")
    assert testdata.matches_check(check("SW-SEC-001", "app/testdata/id_rsa", "secret"))
    assert not testdata.matches_check(check("SW-SEC-001", "app/config/id_rsa", "secret"))
    # a rule ID never matches a vulnerability finding, and an advisory never a check
    assert not everywhere.matches_finding(finding("CVE-1", MUSL))
    assert not one("- id: CVE-1\n  reason: r\n").matches_check(check("SW-IMG-003", "etc/shadow"))
