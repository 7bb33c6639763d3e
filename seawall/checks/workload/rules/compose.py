"""Compose rules (``SW-COMPOSE-NNN``): the container-settings ideas written for Compose keys."""

from __future__ import annotations

from seawall.checks.model import Rule
from seawall.checks.workload.rules.container import build_rules

BY_KEY: dict[str, Rule] = build_rules("SW-COMPOSE", "compose")
RULES: tuple[Rule, ...] = tuple(BY_KEY.values())
