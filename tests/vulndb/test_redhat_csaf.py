"""The Red Hat CSAF importer on the real advisory files in vunnel's test fixtures (RHSA documents), and on a
VEX document laid out as Red Hat's security-data guidelines describe one (docs/csaf-vex.md, the example
of CVE-2023-20593). Expected values are read off the upstream files: each test quotes them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from seawall.model import Severity
from seawall.vulndb.build import build_database, parse_source
from seawall.vulndb.errors import FeedError
from seawall.vulndb.feeds import ImportReport, detect_importer
from seawall.vulndb.feeds.debian_tracker import BINARY_PACKAGE, SOURCE_PACKAGE
from seawall.vulndb.feeds.redhat_csaf import RedHatCsafImporter, component_of, rhel_namespace
from seawall.vulndb.model import Advisory, AffectedPackage, Event, EventKind, Range, RangeType, Status
from seawall.vulndb.reader import SourceReader
from seawall.vulndb.store import VulnStore
from tests.vulndb.data import vunnel

CSAF = "rhel/test-fixtures/csaf"
FILES = {
    "sudo": f"{CSAF}/advisories/rhsa-2024_0811.json",
    "ruby27": f"{CSAF}/advisories/rhsa-2023_3821.json",
    "ruby31": f"{CSAF}/advisories/rhsa-2024_1431.json",
    "bind": f"{CSAF}/advisories/2025/rhsa-2025_23414.json",
    "python": f"{CSAF}/advisories/2024/rhsa-2024_6163.json",
    "tigervnc": f"{CSAF}/server/2024/rhsa-2024_0010.json",
}
IMPORTER = RedHatCsafImporter()


def _parse(content: bytes, report: ImportReport | None = None, path: str = "x.json") -> Advisory:
    (advisory,) = IMPORTER.parse(path, content, report or ImportReport("redhat"))
    assert isinstance(advisory, Advisory)
    return advisory


@pytest.fixture(scope="module")
def rhsa() -> tuple[dict[str, Advisory], ImportReport]:
    report = ImportReport("redhat")
    return {key: _parse(vunnel(path), report, path) for key, path in FILES.items()}, report


def _entry(advisory: Advisory, namespace: str, name: str) -> AffectedPackage:
    (entry,) = [p for p in advisory.affected if (p.namespace, p.name) == (namespace, name)]
    return entry


def _fixed(version: str) -> tuple[Range, ...]:
    return (
        Range(
            RangeType.ECOSYSTEM, "rpm", (Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, version))
        ),
    )


def test_errata_fields(rhsa: tuple[dict[str, Advisory], ImportReport]) -> None:
    # RHSA-2024:0811 "Red Hat Security Advisory: sudo security update", aggregate_severity Moderate,
    # CVE-2023-28486, CVE-2023-28487, CVE-2023-42465; initial_release_date 2024-02-14T00:54:45+00:00
    sudo = rhsa[0]["sudo"]
    assert sudo.id == "RHSA-2024:0811"
    assert sudo.summary == "Red Hat Security Advisory: sudo security update"
    assert sudo.related == ("CVE-2023-28486", "CVE-2023-28487", "CVE-2023-42465")
    assert sudo.aliases == ()
    assert sudo.published == "2024-02-14T00:54:45+00:00"
    vendor = [r for r in sudo.ratings if r.method == "vendor"]
    assert [(r.source, r.severity, r.vector) for r in vendor] == [("redhat", Severity.MEDIUM, "Moderate")]
    assert ("ADVISORY", "https://access.redhat.com/errata/RHSA-2024:0811") in {
        (r.type, r.url) for r in sudo.references
    }


def test_errata_streams_from_cpes(rhsa: tuple[dict[str, Advisory], ImportReport]) -> None:
    # product_name CPEs: cpe:/o:redhat:enterprise_linux:9::baseos (BaseOS-9.3.0.Z.MAIN) with
    # sudo-0:1.9.5p2-10.el9_3.src; cpe:/o:redhat:rhel_eus:8.6::baseos with sudo-0:1.9.5p2-1.el8_6.src ...
    sudo = rhsa[0]["sudo"]
    expected = {
        "rhel:9": "1.9.5p2-10.el9_3",
        "rhel:9.2+eus": "1.9.5p2-9.el9_2.2",
        "rhel:9.0+eus": "1.9.5p2-7.el9_0.4",
        "rhel:8": "1.9.5p2-1.el8_9",
        "rhel:8.8+eus": "1.9.5p2-1.el8_8",
        "rhel:8.6+eus": "1.9.5p2-1.el8_6",
    }
    assert {p.namespace: p.fixed[0] for p in sudo.affected} == expected
    main = _entry(sudo, "rhel:9", "sudo")
    assert (main.status, main.ranges, main.notes) == (
        Status.FIXED,
        _fixed("1.9.5p2-10.el9_3"),
        "RHSA-2024:0811",
    )
    assert main.properties == SOURCE_PACKAGE  # binary RPMs of the same build folded into the SRPM
    assert main.purl == "pkg:rpm/redhat/sudo?arch=src"
    assert len(sudo.affected) == 6


def test_modular_packages_keep_their_stream(rhsa: tuple[dict[str, Advisory], ImportReport]) -> None:
    # RHSA-2023:3821 ruby:2.7: pkg:rpm/redhat/ruby@2.7.8-139.module%2Bel8.8.0%2B18745%2Bf1bef313
    #   ?arch=src&rpmmod=ruby:2.7:8080020230427102918:63b34585, on cpe:/a:redhat:enterprise_linux:8::appstream
    ruby = _entry(rhsa[0]["ruby27"], "rhel:8", "ruby")
    assert ruby.fixed == ("2.7.8-139.module+el8.8.0+18745+f1bef313",)
    assert ruby.properties == (("package", "source"), ("rpm:module", "ruby:2.7"))
    # rubygem-bigdecimal-2.0.0-139.module+el8.8.0+18745+f1bef313 is built from ruby but has its own EVR:
    # no SRPM of that EVR, so it stays a binary entry
    bigdecimal = _entry(rhsa[0]["ruby27"], "rhel:8", "rubygem-bigdecimal")
    assert bigdecimal.fixed == ("2.0.0-139.module+el8.8.0+18745+f1bef313",)
    assert bigdecimal.properties == (("package", "binary"), ("rpm:module", "ruby:2.7"))
    # RHSA-2024:1431 names products "ruby-0:3.1.4-142.module+el8.9.0+21471+7d1e4a35.src::ruby:3.1"
    assert _entry(rhsa[0]["ruby31"], "rhel:8", "ruby").properties[1] == ("rpm:module", "ruby:3.1")


def test_binary_only_errata_and_epoch(rhsa: tuple[dict[str, Advisory], ImportReport]) -> None:
    # RHSA-2025:23414 bind (cpe:/o:redhat:rhel_els:6, aggregate Important): the binary RPMs
    # bind/bind-libs/bind-sdb/bind-utils-32:9.8.2-0.68.rc1.el6_10.17 are fixed, the SRPM is known_not_affected
    bind = rhsa[0]["bind"]
    assert sorted(p.name for p in bind.affected) == ["bind", "bind-libs", "bind-sdb", "bind-utils"]
    entry = _entry(bind, "rhel:6+els", "bind-libs")
    assert (entry.fixed, entry.properties) == (("32:9.8.2-0.68.rc1.el6_10.17",), BINARY_PACKAGE)
    assert [r.vector for r in bind.ratings if r.method == "vendor"] == ["Important"]
    assert bind.cwes == ("CWE-444", "CWE-347")


def test_one_entry_per_stream_and_scores(rhsa: tuple[dict[str, Advisory], ImportReport]) -> None:
    # RHSA-2024:6163 python3.9-0:3.9.18-3.el9_4.5.src in AppStream, BaseOS and CRB (all RHEL 9): one entry
    python = rhsa[0]["python"]
    (entry,) = python.affected
    assert (entry.namespace, entry.name, entry.fixed) == ("rhel:9", "python3.9", ("3.9.18-3.el9_4.5",))
    # scores: cvss_v3 CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:H, baseScore 5.3
    (score,) = [r for r in python.ratings if r.method == "CVSS_V3"]
    assert (score.vector, score.score, score.severity) == (
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:H",
        5.3,
        Severity.MEDIUM,
    )
    # RHSA-2024:0010 tigervnc: 40 products (src and binaries, four arches) fold into one SRPM entry
    tigervnc = rhsa[0]["tigervnc"]
    assert [(p.namespace, p.name, p.fixed) for p in tigervnc.affected] == [
        ("rhel:9", "tigervnc", ("1.13.1-3.el9_3.3",))
    ]
    assert rhsa[1].counts["binary_rpms_folded"] > 0
    assert rhsa[1].counts["warnings"] == 0


# --- VEX ------------------------------------------------------------------------------------------------


def _product(product_id: str, **helper: str) -> dict[str, Any]:
    return {"product_id": product_id, "name": product_id, "product_identification_helper": helper}


def _vex() -> dict[str, Any]:
    """A VEX file as the guidelines lay it out: CVE-2023-20593's kernel, fixed in 7Server-7.4.AUS by
    kernel-0:3.10.0-693.112.1.el7.src and known_not_affected in red_hat_enterprise_linux_6, plus the
    documented remediation words for unfixed products ("Affected", "Fix deferred", "Will not fix",
    "Out of support scope") and a modular component (php:7.2/php)."""
    rhel6, rhel8, rhel9 = (
        "red_hat_enterprise_linux_6",
        "red_hat_enterprise_linux_8",
        "red_hat_enterprise_linux_9",
    )
    fixed = "kernel-0:3.10.0-693.112.1.el7.src"
    components = ["kernel", "gcc", "microcode_ctl", "openssl", "bash", "php:7.2/php"]
    relations = [
        (rhel6, "kernel"),
        ("7Server-7.4.AUS", fixed),
        (rhel9, "gcc"),
        (rhel9, "microcode_ctl"),
        (rhel8, "openssl"),
        (rhel6, "bash"),
        (rhel8, "php:7.2/php"),
        (rhel9, "kernel"),
    ]
    purls = {
        "kernel": "pkg:rpm/redhat/kernel?arch=src",
        "gcc": "pkg:rpm/redhat/gcc?arch=src",
        "microcode_ctl": "pkg:rpm/redhat/microcode_ctl?arch=src",
        "openssl": "pkg:rpm/redhat/openssl?arch=src",
        "bash": "pkg:rpm/redhat/bash?arch=src",
        "php:7.2/php": "pkg:rpm/redhat/php@7.2?arch=src&rpmmod=php:7.2",
    }
    return {
        "document": {
            "aggregate_severity": {"text": "moderate"},
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "publisher": {"name": "Red Hat Product Security", "namespace": "https://www.redhat.com"},
            "title": "hw: amd: Cross-Process Information Leak",
            "tracking": {"id": "CVE-2023-20593", "initial_release_date": "2023-07-25T06:30:00+00:00"},
        },
        "product_tree": {
            "branches": [
                {
                    "category": "vendor",
                    "name": "Red Hat",
                    "branches": [
                        {
                            "category": "product_family",
                            "name": "Red Hat Enterprise Linux",
                            "branches": [
                                {
                                    "category": "product_name",
                                    "product": _product(rhel6, cpe="cpe:/o:redhat:enterprise_linux:6"),
                                },
                                {
                                    "category": "product_name",
                                    "product": _product(rhel8, cpe="cpe:/o:redhat:enterprise_linux:8"),
                                },
                                {
                                    "category": "product_name",
                                    "product": _product(rhel9, cpe="cpe:/o:redhat:enterprise_linux:9"),
                                },
                                {
                                    "category": "product_name",
                                    "product": _product(
                                        "7Server-7.4.AUS", cpe="cpe:/o:redhat:rhel_aus:7.4::server"
                                    ),
                                },
                            ],
                        },
                        *[
                            {"category": "product_version", "product": _product(c, purl=purls[c])}
                            for c in components
                        ],
                        {
                            "category": "architecture",
                            "name": "src",
                            "branches": [
                                {
                                    "category": "product_version",
                                    "product": _product(
                                        fixed, purl="pkg:rpm/redhat/kernel@3.10.0-693.112.1.el7?arch=src"
                                    ),
                                }
                            ],
                        },
                    ],
                }
            ],
            "relationships": [
                {
                    "category": "default_component_of",
                    "full_product_name": {"product_id": f"{platform}:{component}"},
                    "product_reference": component,
                    "relates_to_product_reference": platform,
                }
                for platform, component in relations
            ],
        },
        "vulnerabilities": [
            {
                "cve": "CVE-2023-20593",
                "cwe": {"id": "CWE-1239"},
                "notes": [{"category": "description", "text": "A flaw was found in hw, in Zen 2 CPUs."}],
                "product_status": {
                    "fixed": [f"7Server-7.4.AUS:{fixed}"],
                    "known_not_affected": [f"{rhel6}:kernel", f"{rhel9}:microcode_ctl"],
                    "known_affected": [
                        f"{rhel9}:gcc",
                        f"{rhel8}:openssl",
                        f"{rhel6}:bash",
                        f"{rhel8}:php:7.2/php",
                    ],
                    "under_investigation": [f"{rhel9}:kernel"],
                },
                "remediations": [
                    {
                        "category": "vendor_fix",
                        "url": "https://access.redhat.com/errata/RHSA-2024:0001",
                        "product_ids": [f"7Server-7.4.AUS:{fixed}"],
                    },
                    {
                        "category": "none_available",
                        "details": "Fix deferred",
                        "product_ids": [f"{rhel9}:gcc"],
                    },
                    {
                        "category": "none_available",
                        "details": "Affected",
                        "product_ids": [f"{rhel8}:php:7.2/php"],
                    },
                    {
                        "category": "no_fix_planned",
                        "details": "Will not fix",
                        "product_ids": [f"{rhel8}:openssl"],
                    },
                    {
                        "category": "no_fix_planned",
                        "details": "Out of support scope",
                        "product_ids": [f"{rhel6}:bash"],
                    },
                ],
                "flags": [{"label": "vulnerable_code_not_present", "product_ids": [f"{rhel6}:kernel"]}],
                "threats": [{"category": "impact", "details": "Moderate", "product_ids": []}],
                "scores": [
                    {
                        "cvss_v3": {
                            "vectorString": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N",
                            "baseScore": 6.5,
                        },
                        "products": [],
                    }
                ],
            }
        ],
    }


def test_vex_states() -> None:
    advisory = _parse(json.dumps(_vex()).encode())
    assert advisory.id == "CVE-2023-20593" and advisory.related == ()
    assert advisory.details == "A flaw was found in hw, in Zen 2 CPUs."
    states = {(p.namespace, p.name): (p.status, p.notes) for p in advisory.affected}
    assert states == {
        ("rhel:7.4+aus", "kernel"): (Status.FIXED, "RHSA-2024:0001"),
        ("rhel:6", "kernel"): (Status.NOT_AFFECTED, "vulnerable_code_not_present"),
        ("rhel:9", "microcode_ctl"): (Status.NOT_AFFECTED, ""),
        ("rhel:9", "gcc"): (Status.FIX_DEFERRED, "Fix deferred"),
        ("rhel:8", "openssl"): (Status.WILL_NOT_FIX, "Will not fix"),
        ("rhel:6", "bash"): (Status.END_OF_LIFE, "Out of support scope"),
        ("rhel:8", "php"): (Status.AFFECTED, "Affected"),
        ("rhel:9", "kernel"): (Status.UNDER_INVESTIGATION, ""),
    }
    assert _entry(advisory, "rhel:7.4+aus", "kernel").fixed == ("3.10.0-693.112.1.el7",)
    gcc = _entry(advisory, "rhel:9", "gcc")
    assert gcc.ranges == (Range(RangeType.ECOSYSTEM, "rpm", (Event(EventKind.INTRODUCED, "0"),)),)
    assert gcc.properties == SOURCE_PACKAGE  # pkg:rpm/redhat/gcc?arch=src
    php = _entry(advisory, "rhel:8", "php")
    assert php.properties == (("package", "source"), ("rpm:module", "php:7.2"))
    # aggregate_severity "moderate" and the impact "Moderate" are one rating
    assert [(r.method, r.severity, r.vector) for r in advisory.ratings] == [
        ("vendor", Severity.MEDIUM, "moderate"),
        ("CVSS_V3", Severity.MEDIUM, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N"),
    ]
    assert advisory.ratings[1].score == 6.5  # the guidelines' baseScore for this vector


def test_vex_product_impact_rates_the_package() -> None:
    doc = _vex()
    doc["vulnerabilities"][0]["threats"] = [
        {"category": "impact", "details": "Low", "product_ids": ["red_hat_enterprise_linux_9:gcc"]}
    ]
    advisory = _parse(json.dumps(doc).encode())
    assert [(r.source, r.severity) for r in _entry(advisory, "rhel:9", "gcc").ratings] == [
        ("redhat", Severity.LOW)
    ]
    assert _entry(advisory, "rhel:8", "openssl").ratings == ()


def test_names_and_namespaces() -> None:
    assert rhel_namespace("cpe:/a:redhat:enterprise_linux:8::appstream") == "rhel:8"
    assert rhel_namespace("cpe:/o:redhat:rhel_eus:8.6::baseos") == "rhel:8.6+eus"
    assert rhel_namespace("cpe:/a:redhat:rhel_software_collections:3::el7") is None
    assert rhel_namespace("cpe:/a:redhat:openshift:4.14::el9") is None
    # NEVRA product names when there is no purl; module-qualified product IDs
    assert component_of("sudo-0:1.9.5p2-1.el8_6.src", "", "x") == component_of(
        "", "pkg:rpm/redhat/sudo@1.9.5p2-1.el8_6?arch=src", "x"
    )
    bind = component_of("bind-32:9.8.2-0.68.rc1.el6_10.17.x86_64", "", "x")
    assert not isinstance(bind, str) and (bind.name, bind.version, bind.arch) == (
        "bind",
        "32:9.8.2-0.68.rc1.el6_10.17",
        "x86_64",
    )
    redis = component_of("", "", "redis-0:7.2.10-1.module+el9.6.0+23332+115a3b01.src::redis:7")
    assert not isinstance(redis, str) and (redis.name, redis.module) == ("redis", "redis:7")
    assert component_of("x", "pkg:oci/ubi9@sha256:abc", "x") == "non-rpm"


def test_hostile_documents() -> None:
    report = ImportReport("redhat")
    doc = _vex()
    tree = doc["product_tree"]
    tree["branches"][0]["branches"].append(
        {"category": "product_version", "product": _product("evil", purl="pkg:rpm/redhat/ev il@1 2?arch=src")}
    )
    tree["relationships"].append(
        {
            "full_product_name": {"product_id": "red_hat_enterprise_linux_9:evil"},
            "product_reference": "evil",
            "relates_to_product_reference": "red_hat_enterprise_linux_9",
        }
    )
    status = doc["vulnerabilities"][0]["product_status"]
    status["known_affected"] += ["red_hat_enterprise_linux_9:evil", "nowhere:nothing", 42]
    advisory = _parse(json.dumps(doc).encode(), report, "vex/cve-2023-20593.json")
    assert len(advisory.affected) == 8
    assert report.counts["invalid_components"] == 1 and report.counts["unattached_products"] == 1
    assert report.counts["warnings"] == 1 and report.warnings[0].startswith(
        "vex/cve-2023-20593.json: product"
    )
    # a document that cannot be read raises FeedError: the build skips the file with a warning
    deep: dict[str, Any] = {"category": "vendor"}
    node = deep
    for _ in range(50):
        child: dict[str, Any] = {"category": "product_family"}
        node["branches"] = [child]
        node = child
    deep_doc = copy.deepcopy(_vex())
    deep_doc["product_tree"]["branches"] = [deep]
    bad_id = copy.deepcopy(_vex())
    bad_id["document"]["tracking"]["id"] = "../../etc/passwd"
    for content in (
        b"{",
        b"[]",
        b'{"document": []}',
        json.dumps(deep_doc).encode(),
        json.dumps(bad_id).encode(),
    ):
        with pytest.raises(FeedError):
            IMPORTER.parse("bad.json", content, ImportReport("redhat"))


def test_detection_and_build(tmp_path: Path) -> None:
    root = tmp_path / "csaf" / "advisories" / "2024"
    root.mkdir(parents=True)
    for key in ("python", "tigervnc"):
        (root / Path(FILES[key]).name).write_bytes(vunnel(FILES[key]))
    (tmp_path / "csaf" / "provider-metadata.json").write_text('{"role": "csaf_trusted_provider"}')
    vex = tmp_path / "csaf" / "vex" / "2023" / "cve-2023-20593.json"
    vex.parent.mkdir(parents=True)
    vex.write_text(json.dumps(_vex()))
    assert detect_importer(SourceReader(tmp_path / "csaf")).name == "redhat-csaf"
    db = tmp_path / "vuln.db"
    result = build_database(db, [parse_source(str(tmp_path / "csaf"))])
    (outcome,) = result.outcomes
    assert outcome.importer == "redhat-csaf" and outcome.report is not None
    assert outcome.report.counts["advisories"] == 3 and outcome.report.counts["warnings"] == 0
    with VulnStore.open(db) as store:
        (python,) = store.lookup("rhel:9", "python3.9")
        assert python.advisory_id == "RHSA-2024:6163"
        assert store.cves(python.row, related=True) == ["CVE-2024-8088"]  # KEV/EPSS reach the errata
        (kernel,) = store.lookup("rhel:7.4+aus", "kernel")
        assert kernel.status is Status.FIXED and kernel.package.fixed == ("3.10.0-693.112.1.el7",)
