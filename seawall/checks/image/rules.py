"""The built-image rule catalogue (family ``image``, IDs ``SW-IMG-NNN``, stable forever).

Rules live beside the code that checks them: config rules in :mod:`.config_rules`, the OS release
rules in :mod:`.os_eol`, file rules in the ``audit_*`` analyzers of the layer pass. This module only
gathers them (a new rule module is added to ``_MODULES``) and refuses duplicate IDs.
"""

from __future__ import annotations

from seawall.checks.image import config_rules, os_eol
from seawall.checks.model import Rule
from seawall.inventory.analyzers import (
    audit_accounts,
    audit_binaries,
    audit_credentials,
    audit_dotenv,
    audit_git,
    audit_keys,
    audit_modes,
)

_MODULES = (
    config_rules,
    os_eol,
    audit_accounts,
    audit_binaries,
    audit_credentials,
    audit_dotenv,
    audit_git,
    audit_keys,
    audit_modes,
)


def _catalogue() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for module in _MODULES:
        for rule in module.RULES:
            if rule.id in rules:
                raise ValueError(f"two image rules with ID {rule.id}")
            rules[rule.id] = rule
    return dict(sorted(rules.items()))


RULES_BY_ID: dict[str, Rule] = _catalogue()
RULES: tuple[Rule, ...] = tuple(RULES_BY_ID.values())


def catalogue() -> dict[str, Rule]:
    """Rules by ID, for the documentation generator (tools/gen_rule_docs.py)."""
    return dict(RULES_BY_ID)
