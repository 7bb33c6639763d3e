"""Oracle plumbing: a missing reference tool fails the test and names the package to install.

With ``SEAWALL_SKIP_ORACLES=1`` such a test is skipped instead (for machines that cannot install them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest

from tests.versions import oracles

T = TypeVar("T")


def call_oracle(func: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``func(*args, **kwargs)``, failing (or skipping) the test when its tool is not installed."""
    try:
        return func(*args, **kwargs)
    except oracles.OracleMissing as exc:
        if os.environ.get("SEAWALL_SKIP_ORACLES") == "1":
            pytest.skip(f"oracle missing (SEAWALL_SKIP_ORACLES=1): {exc}")
        pytest.fail(f"oracle missing: {exc}", pytrace=False)
