"""The ``lint:`` section of ``.seawall.yaml``: severity overrides, ignores, trusted registries.

```yaml
lint:
  trusted_registries: [registry.example.com, docker.io/library]
  severity:
    SW-DF-004: high            # one of low, medium, high, critical
  ignore:
    - SW-DF-024                # a bare ID: everywhere
    - id: SW-DF-009
      paths: ["legacy/*"]      # globs on the path as given on the command line
      reason: pinned through a snapshot mirror
      expires: 2027-06-30      # from this day on the entry no longer applies (and says so)
```

Other top-level keys belong to other commands and are left alone. :func:`apply_config` works on
any :class:`~seawall.checks.model.CheckResult`, so workload results use the same file.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from seawall.checks.model import CheckResult
from seawall.errors import SeawallError
from seawall.model import Severity

DEFAULT_NAMES = (".seawall.yaml", ".seawall.yml")
MAX_CONFIG_BYTES = 1024 * 1024
_KEYS = frozenset({"severity", "ignore", "trusted_registries"})
_IGNORE_KEYS = frozenset({"id", "paths", "reason", "expires"})


class ConfigError(SeawallError):
    """The configuration file cannot be used."""


@dataclass(frozen=True)
class IgnoreEntry:
    rule_id: str
    paths: tuple[str, ...] = ()
    reason: str = ""
    expires: date | None = None

    def matches(self, result: CheckResult) -> bool:
        if result.rule.id != self.rule_id:
            return False
        if not self.paths:
            return True
        path = result.location.file.replace("\\", "/")
        return any(
            fnmatch.fnmatchcase(path, pattern) or PurePosixPath(path).match(pattern) for pattern in self.paths
        )


@dataclass(frozen=True)
class LintConfig:
    severities: Mapping[str, Severity] = field(default_factory=dict)
    ignores: tuple[IgnoreEntry, ...] = ()
    trusted_registries: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    source: str = ""


def load_config(path: Path, today: date | None = None) -> LintConfig:
    """Read ``path``; ConfigError (exit 2) for a missing, oversized or malformed file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"cannot read config {path}: {error.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config {path} is larger than {MAX_CONFIG_BYTES} bytes")
    return parse_config(data.decode("utf-8", errors="replace"), str(path), today or date.today())


def find_config(directory: Path) -> Path | None:
    for name in DEFAULT_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def parse_config(text: str, source: str, today: date) -> LintConfig:
    try:
        document = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config {source}{where}: not valid YAML") from None
    if document is None:
        return LintConfig(source=source)
    if not isinstance(document, dict):
        raise ConfigError(f"config {source}: expected a mapping at the top")
    section = document.get("lint")
    if section is None:
        return LintConfig(source=source)
    if not isinstance(section, dict):
        raise ConfigError(f"config {source}: 'lint' must be a mapping")
    unknown = sorted(str(key) for key in section if key not in _KEYS)
    if unknown:
        raise ConfigError(
            f"config {source}: unknown key lint.{unknown[0]} (known: {', '.join(sorted(_KEYS))})"
        )
    warnings: list[str] = []
    ignores = _ignores(section.get("ignore") or [], source, today, warnings)
    return LintConfig(
        _severities(section.get("severity") or {}, source),
        tuple(ignores),
        tuple(_strings(section.get("trusted_registries") or [], f"{source}: lint.trusted_registries")),
        tuple(warnings),
        source,
    )


def _strings(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"config {where} must be a list of strings")
    return [item.strip() for item in value if item.strip()]


def _severities(value: object, source: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"config {source}: lint.severity must map rule IDs to severities")
    found = {}
    for key, level in value.items():
        name = str(level).strip().upper()
        if name not in Severity.__members__:
            raise ConfigError(f"config {source}: lint.severity.{key}: unknown severity {level!r}")
        found[str(key).strip().upper()] = Severity[name]
    return found


def _ignores(value: object, source: str, today: date, warnings: list[str]) -> list[IgnoreEntry]:
    if not isinstance(value, list):
        raise ConfigError(f"config {source}: lint.ignore must be a list")
    entries = []
    for item in value:
        if isinstance(item, str):
            entries.append(IgnoreEntry(item.strip().upper()))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ConfigError(f"config {source}: each lint.ignore entry is an ID or a mapping with 'id'")
        unknown = sorted(str(key) for key in item if key not in _IGNORE_KEYS)
        if unknown:
            raise ConfigError(
                f"config {source}: unknown key {unknown[0]!r} in lint.ignore entry {item['id']}"
            )
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires.strip())
            except ValueError:
                raise ConfigError(f"config {source}: expires of {item['id']} is not YYYY-MM-DD") from None
        if expires is not None and not isinstance(expires, date):
            raise ConfigError(f"config {source}: expires of {item['id']} is not YYYY-MM-DD")
        entry = IgnoreEntry(
            item["id"].strip().upper(),
            tuple(_strings(item.get("paths") or [], f"{source}: lint.ignore paths")),
            str(item.get("reason") or "").strip(),
            expires,
        )
        if expires is not None and expires <= today:
            warnings.append(f"ignore of {entry.rule_id} in {source} expired on {expires.isoformat()}")
            continue
        entries.append(entry)
    return entries


def apply_config(results: Iterable[CheckResult], config: LintConfig) -> list[CheckResult]:
    """Severity overrides and ignore entries applied; inline suppressions are kept as they are."""
    applied = []
    for result in results:
        override = config.severities.get(result.rule.id)
        if override is not None and override != result.effective_severity:
            result = dataclasses.replace(result, severity=override)
        if not result.suppressed:
            for entry in config.ignores:
                if entry.matches(result):
                    reason = entry.reason or f"ignored in {config.source or 'the config file'}"
                    properties = {**result.properties, "suppressed_by": "config"}
                    result = dataclasses.replace(
                        result, suppressed=True, suppression_reason=reason, properties=properties
                    )
                    break
        applied.append(result)
    return applied
