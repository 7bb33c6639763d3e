"""CVSS base scores from vectors, against scores published upstream.

Oracles: every (vectorString, baseScore) pair in the real NVD API pages and Red Hat CSAF advisories of
vunnel's test fixtures (NVD's and Red Hat's own calculators); the worked examples of the CVSS v3.1
"Examples" document and of the CVSS v2 guide (section 3.3).
"""

from __future__ import annotations

import json
import tarfile
from typing import Any

import pytest

from seawall.model import Severity
from seawall.vulndb import cvss
from tests.vulndb.data import VUNNEL


def _published_pairs() -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    v3: set[tuple[str, float]] = set()
    v2: set[tuple[str, float]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            vector, score = node.get("vectorString"), node.get("baseScore")
            if isinstance(vector, str) and isinstance(score, int | float):
                if vector.startswith("CVSS:3"):
                    v3.add((vector, float(score)))
                elif vector.startswith("AV:"):
                    v2.add((vector, float(score)))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with tarfile.open(VUNNEL, "r:gz") as tar:
        for member in tar:
            if (
                member.isfile()
                and member.name.endswith(".json")
                and ("/nvd/" in member.name or "/rhel/" in member.name)
            ):
                handle = tar.extractfile(member)
                assert handle is not None
                walk(json.loads(handle.read()))
    return sorted(v3), sorted(v2)


V3_PAIRS, V2_PAIRS = _published_pairs()


def test_the_fixtures_hold_enough_pairs() -> None:
    assert len(V3_PAIRS) >= 30
    assert sum("/S:C/" in vector for vector, _ in V3_PAIRS) >= 5  # scope-changed formula exercised
    assert V2_PAIRS


@pytest.mark.parametrize(("vector", "score"), V3_PAIRS)
def test_v3_matches_nvd_and_red_hat(vector: str, score: float) -> None:
    assert cvss.v3_base_score(vector) == score


@pytest.mark.parametrize(("vector", "score"), V2_PAIRS)
def test_v2_matches_nvd(vector: str, score: float) -> None:
    assert cvss.v2_base_score(vector) == score


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),  # CVE-2014-0160 Heartbleed
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),  # CVE-2014-6271 Shellshock
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),  # CVE-2013-1937 phpMyAdmin XSS
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),  # no impact: 0 by definition
    ],
)
def test_v3_specification_examples(vector: str, score: float) -> None:
    assert cvss.v3_base_score(vector) == score


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8),  # CVE-2002-0392
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),  # CVE-2003-0818
        ("AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2),  # CVE-2003-0062
    ],
)
def test_v2_guide_examples(vector: str, score: float) -> None:
    assert cvss.v2_base_score(vector) == score


def test_roundup_is_the_v31_definition() -> None:
    # Appendix A: Roundup(4.02) is 4.1, Roundup(4.00) is 4.0; differences below 1e-5 are float noise
    assert cvss.roundup(4.02) == 4.1
    assert cvss.roundup(4.0) == 4.0
    assert cvss.roundup(4.00001) == 4.1
    assert cvss.roundup(4.000001) == 4.0


def test_temporal_and_environmental_metrics_do_not_change_the_base_score() -> None:
    base = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    assert cvss.v3_base_score(base + "/E:P/RL:O/RC:C/CR:H/MAV:L") == 7.5


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N",  # A missing
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/A:H",  # A twice
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",  # bad value
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/ZZ:1",  # unknown metric
        "CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "CVSS:3.1/AV:N//AC:L",
        "",
    ],
)
def test_invalid_v3_vectors_are_refused(vector: str) -> None:
    with pytest.raises(cvss.CvssError):
        cvss.v3_base_score(vector)


def test_v4_vectors_are_validated_and_kept() -> None:
    # the v4 vector of PYSEC-2026-1356's severity list kind (with supplemental metric U:Amber)
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/U:Amber"
    assert cvss.v4_validate(vector) == vector
    for bad in ("CVSS:4.0/AV:N/AC:L", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Q"):
        with pytest.raises(cvss.CvssError):
            cvss.v4_validate(bad)


def test_severity_ratings() -> None:
    assert [cvss.severity_of(s) for s in (None, 0.0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0)] == [
        Severity.UNKNOWN,
        Severity.UNKNOWN,
        Severity.LOW,
        Severity.LOW,
        Severity.MEDIUM,
        Severity.MEDIUM,
        Severity.HIGH,
        Severity.HIGH,
        Severity.CRITICAL,
        Severity.CRITICAL,
    ]
    assert cvss.severity_of(10.0, version=2) is Severity.HIGH  # v2 has no Critical
