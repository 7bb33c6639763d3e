"""``docker run`` / ``podman run`` rules (``SW-RUN-NNN``): the container-settings ideas written for flags."""

from __future__ import annotations

from seawall.checks.model import Rule
from seawall.checks.workload.rules.container import build_rules

BY_KEY: dict[str, Rule] = build_rules("SW-RUN", "docker-run")
RULES: tuple[Rule, ...] = tuple(BY_KEY.values())
