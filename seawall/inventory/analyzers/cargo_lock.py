"""``Cargo.lock``: every locked crate (lock file versions 1 to 4 share the ``[[package]]`` tables).

Each ``[[package]]`` has ``name``, ``version`` and, unless it is a workspace member or a path
dependency, ``source``; the oldest files also name the root crate in a ``[root]`` table. Crates
without a source are reported too (as Trivy does) with the property ``cargo:source=local``.
A table without a usable name and version is skipped with a warning.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeGuard

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, FileKind, MiB, register
from seawall.model import Facts, Package

NAME = "cargo-lock"
_FILE = "Cargo.lock"
_MAX_FIELD = 1024
_MAX_WARNINGS = 20
LOCAL = ("cargo:source", "local")


def parse_cargo_lock(content: bytes) -> Facts:
    try:
        import tomllib  # imported on first use

        document = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise AnalyzerError("Cargo.lock is not UTF-8") from None
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise AnalyzerError(f"Cargo.lock is not valid TOML: {str(error)[:100]}") from None
    tables = document.get("package", [])
    if not isinstance(tables, list):
        raise AnalyzerError("Cargo.lock 'package' is not an array of tables")
    root = document.get("root")
    if isinstance(root, dict):
        tables = [root, *tables]
    found: dict[tuple[str, str], Package] = {}
    warnings: list[str] = []
    for index, table in enumerate(tables):
        package = _package(table)
        if package is None:
            if len(warnings) < _MAX_WARNINGS:
                warnings.append(f"Cargo.lock package #{index + 1}: no usable name and version")
            continue
        found.setdefault((package.name, package.version), package)
    return Facts(packages=tuple(found.values()), warnings=tuple(warnings))


def _package(table: Any) -> Package | None:
    if not isinstance(table, dict):
        return None
    name, version = table.get("name"), table.get("version")
    if _text(name) and _text(version):
        properties = () if table.get("source") else (LOCAL,)
        return Package("cargo", name, version, found_by=NAME, properties=properties)
    return None


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= _MAX_FIELD


@register
class CargoLockAnalyzer(Analyzer):
    name = NAME
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"Cargo.lock"})
    max_size = 16 * MiB

    def wants(self, path: str, info: FileInfo) -> bool:
        return (
            info.kind is FileKind.REGULAR
            and path.endswith(_FILE)
            and (len(path) == len(_FILE) or path[-len(_FILE) - 1] == "/")
        )

    def analyze(self, path: str, content: bytes) -> Facts:
        return parse_cargo_lock(content)
