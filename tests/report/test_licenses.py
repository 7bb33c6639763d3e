"""Licence strings sorted into SPDX ids, SPDX expressions and free text."""

from __future__ import annotations

import json
from pathlib import Path

import cyclonedx.schema._res as cdx_resources
import pytest

from seawall.report._spdx_license_list import EXCEPTION_IDS, LICENSE_IDS
from seawall.report.licenses import expression, is_compound, license_id, license_ref


def test_every_identifier_we_know_is_one_the_cyclonedx_schema_accepts() -> None:
    # the CycloneDX schema's enumeration is the SPDX licence list (ids and exceptions)
    schema = json.loads(Path(cdx_resources.SPDX_JSON).read_text(encoding="utf-8"))
    accepted = set(schema["enum"])
    assert LICENSE_IDS.issubset(accepted)
    assert EXCEPTION_IDS.issubset(accepted)
    assert not LICENSE_IDS & EXCEPTION_IDS
    assert {"MIT", "Apache-2.0", "GPL-2.0-or-later", "GPL-2.0+", "0BSD"} <= LICENSE_IDS
    assert {"Classpath-exception-2.0", "LLVM-exception"} <= EXCEPTION_IDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [("MIT", "MIT"), ("mit", "MIT"), (" apache-2.0 ", "Apache-2.0"), ("GPL-2+", None), ("BSD License", None)],
)
def test_license_id(text: str, expected: str | None) -> None:
    assert license_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MIT", "MIT"),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
        ("mit or apache-2.0", None),  # operators must be upper case
        ("(mit  OR apache-2.0)AND GPL-2.0-only", "(MIT OR Apache-2.0) AND GPL-2.0-only"),
        ("GPL-2.0-only WITH classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("LGPL-2.1+", "LGPL-2.1+"),
        ("Apache-1.1+ OR LicenseRef-Acme-1", "Apache-1.1+ OR LicenseRef-Acme-1"),
        ("DocumentRef-x:LicenseRef-y", "DocumentRef-x:LicenseRef-y"),
        ("MIT WITH Apache-2.0", None),  # not an exception
        ("Classpath-exception-2.0", None),  # an exception alone is not a licence
        ("GPL-2+", None),
        ("MIT AND", None),
        ("(MIT", None),
        ("MIT)", None),
        ("()", None),
        ("MIT MIT", None),
        ("", None),
        ("(" * 17 + "MIT" + ")" * 17, None),  # nesting cap
        ("(" * 16 + "MIT" + ")" * 16, "(" * 16 + "MIT" + ")" * 16),
        ("MIT OR " * 500 + "MIT", None),  # length cap
    ],
)
def test_expression(text: str, expected: str | None) -> None:
    assert expression(text) == expected


def test_is_compound() -> None:
    assert is_compound("MIT OR Apache-2.0")
    assert not is_compound("MIT")


def test_license_ref_is_stable_valid_and_distinct() -> None:
    assert license_ref("Acme-1.0") == "LicenseRef-Acme-1.0"
    gpl = license_ref("GPL-2+")
    assert gpl == license_ref("GPL-2+")
    assert gpl.startswith("LicenseRef-GPL-2-") and gpl != license_ref("GPL-2")
    assert license_ref("a b") != license_ref("a_b")
    long = license_ref("x" * 500)
    assert len(long) < 100
    assert license_ref("±±").startswith("LicenseRef-")
    for text in ("GPL-2+", "a b", "±±", "x" * 500, "--"):
        assert expression(license_ref(text)) == license_ref(text)
