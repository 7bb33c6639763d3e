"""The built-image audit (``seawall scan --scanners config``): the image's config, its OS release and
the files the ``config`` analyzers flagged during the layer pass, as one list of check results.

Build the inventory with the ``config`` analyzers (``InventoryBuilder.create(..., scanners=("config",))``),
then call :func:`audit_image`. It reads nothing from the image itself: file results are already in
``inventory.findings`` (with their layer), the config in ``inventory.image.config``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from seawall.checks.image.config_rules import check_config
from seawall.checks.image.os_eol import check_os
from seawall.checks.image.rules import RULES, RULES_BY_ID, catalogue
from seawall.checks.model import CheckResult
from seawall.inventory.analyzers.audit_common import FAMILY
from seawall.model import Inventory

__all__ = ["RULES", "RULES_BY_ID", "audit_image", "catalogue"]


def _completed(result: CheckResult, owners: dict[str, str]) -> CheckResult:
    """The result with the catalogue's current rule text (cached layer results may carry older text),
    the OS package of its file where known, and a word on files a later layer removed."""
    message, properties = result.message, result.properties
    owner = owners.get(result.location.file, "")
    if owner:
        message, properties = f"{message} (installed by package {owner})", {**properties, "package": owner}
    if properties.get("hidden") == "true":
        layer = result.location.layer.removeprefix("sha256:")[:12]
        message = f"{message}; a later layer removed it, but layer {layer} still holds it"
    rule = RULES_BY_ID.get(result.rule.id, result.rule)
    if rule is result.rule and message is result.message:
        return result
    return replace(result, rule=rule, message=message, properties=properties)


def audit_image(inventory: Inventory, today: date | None = None) -> list[CheckResult]:
    """Every built-image result for ``inventory``: file findings (family ``image``; secrets found by the
    secret scanner are not repeated here), config checks and the OS end-of-life check, sorted by rule
    ID and location. ``today`` (default: the current date) decides end of life."""
    files = [
        _completed(result, inventory.file_owners)
        for result in inventory.findings
        if result.rule.family == FAMILY
    ]
    results = [*files, *check_config(inventory.image), *check_os(inventory.os, today or date.today())]
    return sorted(
        results, key=lambda r: (r.rule.id, r.location.file, r.location.line, r.object_name, r.message)
    )
