"""apply_policies: the ignore file and VEX marked on a scan result; nothing dropped; the gate agrees."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

from seawall.policy.gate import Gate
from seawall.policy.ignorefile import parse_ignorefile
from seawall.policy.suppress import apply_policies
from seawall.policy.vex import parse_vex
from tests.policy.factory import check, finding, image, package, scan_result

MUSL = package(
    "apk", "musl", "1.1.24-r2", arch="x86_64", distro="alpine-3.11.5", paths=("lib/apk/db/installed",)
)
LIBCRYPTO = package(
    "apk",
    "libcrypto1.1",
    "1.1.1d-r3",
    arch="x86_64",
    distro="alpine-3.11.5",
    source="openssl",
    paths=("lib/apk/db/installed",),
)
QS = package("npm", "qs", "6.7.0", paths=("app/node_modules/qs/package.json",))

IGNORE = """\
- id: CVE-2019-14697
  package: musl
  expires: 2026-12-31
  reason: musl's DNS resolver is not used
- id: CVE-2020-1967
  package: openssl
  expires: 2024-01-31
  reason: waiting for the 3.12 base image
- id: SW-IMG-003
  path: etc/shadow
  reason: base image default, tracked in BASE-7
"""

OPENVEX = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.com/vex/app-1",
    "author": "app team",
    "timestamp": "2024-02-03T09:33:28Z",
    "version": 1,
    "statements": [
        {
            "vulnerability": {"name": "CVE-2022-24999"},
            "products": [
                {"@id": "pkg:docker/acme/app@v1", "subcomponents": [{"@id": "pkg:npm/qs@6.7.0"}]},
            ],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        },
        {
            "vulnerability": {"name": "CVE-2019-14697"},
            "products": [{"@id": "pkg:apk/alpine/musl"}],
            "status": "affected",
            "action_statement": "upgrade the base image",
        },
    ],
}

TODAY = date(2026, 6, 1)


def result_and_policies():
    findings = [
        finding("CVE-2019-14697", MUSL),
        finding("CVE-2020-1967", LIBCRYPTO),  # its ignore entry expired on 2024-01-31
        finding("GHSA-hrpp-h998-j3pp", QS, "CVE-2022-24999"),
        finding("CVE-2021-3711", LIBCRYPTO),
    ]
    checks = [check("SW-IMG-003", "etc/shadow"), check("SW-IMG-001", "image config")]
    result = scan_result(findings, checks, info=image("docker.io/acme/app:v1"))
    return (
        result,
        parse_ignorefile(IGNORE, "seawall-ignore.yaml"),
        [parse_vex(json.dumps(OPENVEX), "app.vex")],
    )


def test_marks_and_never_drops() -> None:
    result, ignore, vex = result_and_policies()
    applied = apply_policies(result, ignore, vex, TODAY)
    assert len(applied.vulnerabilities) == len(result.vulnerabilities) == 4
    assert len(applied.checks) == len(result.checks) == 2
    by_id = {f.advisory_id: f for f in applied.vulnerabilities}
    musl = by_id["CVE-2019-14697"]
    # The ignore file is the team's own decision: it suppresses although a VEX statement says affected
    assert (
        musl.suppressed
        and musl.suppression == "ignorefile: musl's DNS resolver is not used (expires 2026-12-31)"
    )
    qs = by_id["GHSA-hrpp-h998-j3pp"]
    assert qs.suppressed
    assert qs.suppression == (
        "vex: not_affected (vulnerable_code_not_in_execute_path) from https://example.com/vex/app-1"
    )
    assert not by_id["CVE-2020-1967"].suppressed  # expired
    assert not by_id["CVE-2021-3711"].suppressed
    shadow, config = applied.checks
    assert (
        shadow.suppressed and shadow.suppression_reason == "ignorefile: base image default, tracked in BASE-7"
    )
    assert not config.suppressed
    # the input was not changed in place
    assert not any(f.suppressed for f in result.vulnerabilities)


def test_expired_entry_warns_and_stops_suppressing() -> None:
    result, ignore, vex = result_and_policies()
    applied = apply_policies(result, ignore, vex, TODAY)
    expired = [note for note in applied.notes if "expired" in note]
    assert expired == [
        "ignore entry seawall-ignore.yaml:5 (CVE-2020-1967) expired on 2024-01-31: no longer suppressing"
        " (it would cover 1 finding)"
    ]
    # on a day before the expiry, the same entry suppresses
    earlier = apply_policies(result, ignore, vex, date(2024, 1, 30))
    openssl = next(f for f in earlier.vulnerabilities if f.advisory_id == "CVE-2020-1967")
    assert openssl.suppressed and openssl.suppression.endswith("(expires 2024-01-31)")
    assert not [note for note in earlier.notes if "expired" in note]
    # and on the musl entry's expiry day, musl is reported again
    later = apply_policies(result, ignore, [], date(2026, 12, 31))
    assert not next(f for f in later.vulnerabilities if f.advisory_id == "CVE-2019-14697").suppressed


def test_gate_does_not_count_suppressed_findings() -> None:
    result, ignore, vex = result_and_policies()
    gate = Gate()
    assert gate.fails(result.vulnerabilities, result.checks)
    applied = apply_policies(result, ignore, vex, TODAY)
    remaining = [f for f in applied.vulnerabilities if not f.suppressed]
    assert {f.advisory_id for f in remaining} == {"CVE-2020-1967", "CVE-2021-3711"}
    only_suppressed = [f for f in applied.vulnerabilities if f.suppressed]
    assert not gate.fails(only_suppressed, [c for c in applied.checks if c.suppressed])


def test_existing_suppressions_are_kept() -> None:
    result, ignore, vex = result_and_policies()
    inline = dataclasses.replace(
        result.checks[0], suppressed=True, suppression_reason="inline: seawall:ignore SW-IMG-003 legacy"
    )
    result = dataclasses.replace(result, checks=[inline, *result.checks[1:]])
    applied = apply_policies(result, ignore, vex, TODAY)
    assert applied.checks[0].suppression_reason == "inline: seawall:ignore SW-IMG-003 legacy"


def test_no_policies_change_nothing() -> None:
    result, _, _ = result_and_policies()
    applied = apply_policies(result, None, [], TODAY)
    assert applied.vulnerabilities == result.vulnerabilities and applied.checks == result.checks
    assert applied.notes == result.notes


def test_vex_warnings_reach_the_notes() -> None:
    result, _, _ = result_and_policies()
    useless = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/cpe-only",
        "author": "a",
        "timestamp": "2024-01-01T00:00:00Z",
        "statements": [
            {
                "vulnerability": {"name": "CVE-2021-3711"},
                "products": [{"identifiers": {"cpe23": "cpe:2.3:a:openssl:openssl:1.1.1d:*:*:*:*:*:*:*"}}],
                "status": "not_affected",
                "justification": "component_not_present",
            }
        ],
    }
    applied = apply_policies(result, None, [parse_vex(json.dumps(useless), "cpe.json")], TODAY)
    assert not any(f.suppressed for f in applied.vulnerabilities)
    assert any("names no product by purl or hash" in note for note in applied.notes)
