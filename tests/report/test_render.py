"""The renderer registry and the shared document time."""

from __future__ import annotations

import pytest

from seawall.report import FORMATS, RenderOptions, render, renderer, utc_timestamp
from tests.report import inventories as inv


def test_the_cli_formats_are_all_registered() -> None:
    assert set(FORMATS) == {"table", "json", "cyclonedx", "spdx-json"}
    for fmt in FORMATS:
        text = render(inv.FULL, fmt)
        assert text.endswith("\n") and "libssl3" in text
        assert renderer(fmt)(inv.FULL, RenderOptions()) == text


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(inv.FULL, "xml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T10:11:12Z", "2024-03-05T10:11:12Z"),
        ("2024-03-05T10:11:12.123456789Z", "2024-03-05T10:11:12Z"),
        ("2024-03-05t10:11:12z", "2024-03-05T10:11:12Z"),
        ("2024-03-05 10:11:12", "2024-03-05T10:11:12Z"),
        ("2024-03-05T01:11:12+02:30", "2024-03-04T22:41:12Z"),
        ("2024-03-05T23:11:12-0100", "2024-03-06T00:11:12Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"),
        ("2024-02-30T00:00:00Z", None),
        ("2024-03-05T24:00:00Z", None),
        ("2024-03-05T10:11:12+99:00", None),
        ("0001-01-01T00:00:00+01:00", None),
        ("0001-01-01T00:00:00Z", None),
        ("2024-03-05", None),
        ("", None),
        ("2024-03-05T10:11:12Z; rm -rf /", None),
    ],
)
def test_utc_timestamp(value: str, expected: str | None) -> None:
    assert utc_timestamp(value) == expected


def test_utc_timestamp_wants_ascii_digits() -> None:
    assert utc_timestamp("٢٠٢٤-03-05T10:11:12Z") is None
