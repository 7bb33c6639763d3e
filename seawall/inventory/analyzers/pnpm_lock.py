"""pnpm lockfiles: ``pnpm-lock.yaml``, lockfile versions 5.x, 6.x and 9.

Every version lists the installed packages under ``packages``; keys differ:

* 5.x: ``/name/1.2.3`` or ``/@scope/name/1.2.3_peer@1.0.0+other@2.0.0`` (peer suffix after ``_``);
* 6.x: ``/name@1.2.3`` or ``/@scope/name@1.2.3(peer@1.0.0)``;
* 9: ``name@1.2.3`` without peers (they moved to ``snapshots``);

a key without the leading ``/`` starts with a registry host (``registry.example/name/1.2.3``).
Tarball, git and directory packages have their own keys and carry ``name``/``version`` fields,
which then win; a package left without a registry version (a local directory) is skipped.

Dev dependencies: 5.x and 6.x mark packages ``dev: true``; 9 does not, so the dependency graph in
``snapshots`` is walked from every importer's ``dependencies``/``optionalDependencies`` and
``devDependencies``: a package only reachable from dev roots is a dev dependency.

pnpm 10+ may put a first YAML document describing pnpm itself (``packageManagerDependencies``,
``configDependencies``) before the project's; such a document is not the project's inventory and
is skipped, as Trivy does. A document without ``lockfileVersion`` inherits the previous one's.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.inventory.analyzers.node_package import plain_version, split_name_at, valid_npm_name
from seawall.model import Facts, Package

_LOCK_NAME = "pnpm-lock.yaml"
_ENV_SECTIONS = frozenset({"configDependencies", "packageManagerDependencies"})
_PROD_SECTIONS = ("dependencies", "optionalDependencies")
MAX_DOCUMENTS = 16
_NO_KEY = object()
MAX_PACKAGES = 200_000
# A parsed lockfile takes ten to twenty times its size in memory; real ones stay far below this.
LOCKFILE_MAX_SIZE = 32 * MiB


def lockfile_major(value: object, path: str) -> int:
    """The major lockfile version (``5`` for ``5.4``, ``9`` for ``'9.0'``)."""
    text = value.strip().strip("'\"") if isinstance(value, str) else ""
    major = text.partition(".")[0]
    if not major.isdigit() or len(major) > 3:
        raise AnalyzerError(f"{path}: unusable lockfileVersion {text[:20]!r}")
    return int(major)


def parse_key(key: str, major: int) -> tuple[str, str]:
    """``(name, version)`` of a ``packages`` key; ``("", "")`` if it names no registry package."""
    if key.startswith("/"):
        key = key[1:]
    elif major < 9:
        key = key.partition("/")[2]  # drop the registry host
    if major < 6:
        parts = key.split("/")
        if key.startswith("@"):
            if len(parts) != 3:
                return "", ""
            name, version = f"{parts[0]}/{parts[1]}", parts[2]
        else:
            if len(parts) != 2:
                return "", ""
            name, version = parts
        version = version.partition("_")[0]
    else:
        name, version = split_name_at(key)
        version = version.partition("(")[0]
    return name, version


def _text(entry: dict[str, Any], field: str) -> str:
    value = entry.get(field)
    return value if isinstance(value, str) else ""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_env_document(document: dict[str, Any]) -> bool:
    """Whether the document only describes pnpm itself (its config and package-manager deps)."""
    importers = _mapping(document.get("importers"))
    if not importers or any(field in document for field in (*_PROD_SECTIONS, "devDependencies")):
        return False
    return all(set(_mapping(importer)) <= _ENV_SECTIONS for importer in importers.values())


def _reference(spec: object) -> str:
    """The resolved reference of an importer or snapshot dependency (a string, or ``{version: ...}``)."""
    if isinstance(spec, dict):
        spec = spec.get("version")
    return spec if isinstance(spec, str) else ""


def _reachable(roots: list[str], snapshots: dict[str, Any]) -> set[str]:
    """Snapshot keys reachable from ``roots`` through dependencies and optional dependencies."""
    seen: set[str] = set()
    queue = deque(key for key in roots if key in snapshots)
    seen.update(queue)
    while queue:
        entry = _mapping(snapshots.get(queue.popleft()))
        for section in _PROD_SECTIONS:
            for name, spec in _mapping(entry.get(section)).items():
                key = _snapshot_key(str(name), _reference(spec), snapshots)
                if key and key not in seen:
                    seen.add(key)
                    queue.append(key)
    return seen


def _snapshot_key(name: str, reference: str, snapshots: dict[str, Any]) -> str:
    """The snapshot a dependency resolves to: ``name@reference``, or ``reference`` for an alias."""
    if not reference:
        return ""
    key = f"{name}@{reference}"
    if key in snapshots:
        return key
    return reference if reference in snapshots else ""


def _dev_only_v9(document: dict[str, Any]) -> set[str]:
    """``packages`` keys (peer suffix removed) that only dev dependencies lead to."""
    snapshots = _mapping(document.get("snapshots"))
    prod_roots: list[str] = []
    dev_roots: list[str] = []
    sections = (
        ("dependencies", prod_roots),
        ("optionalDependencies", prod_roots),
        ("devDependencies", dev_roots),
    )
    for importer in _mapping(document.get("importers")).values():
        for section, roots in sections:
            for name, spec in _mapping(_mapping(importer).get(section)).items():
                key = _snapshot_key(str(name), _reference(spec), snapshots)
                if key:
                    roots.append(key)
    prod = {key.partition("(")[0] for key in _reachable(prod_roots, snapshots)}
    dev = {key.partition("(")[0] for key in _reachable(dev_roots, snapshots)}
    return dev - prod


def _add(found: dict[tuple[str, str], bool], name: str, version: str, dev: bool) -> None:
    """Records one package; it stays a dev dependency only if every sighting says so."""
    if not valid_npm_name(name) or not plain_version(version):
        return
    known = found.get((name, version))
    found[(name, version)] = dev if known is None else known and dev
    if len(found) > MAX_PACKAGES:
        raise AnalyzerError(f"more than {MAX_PACKAGES} packages")


def _direct_dependencies(document: dict[str, Any], major: int, found: dict[tuple[str, str], bool]) -> None:
    """The importers' own dependencies (a trimmed lockfile may not repeat them in ``packages``)."""
    importers = [document, *_mapping(document.get("importers")).values()]
    for importer in importers:
        importer = _mapping(importer)
        for section, dev in (
            ("dependencies", False),
            ("optionalDependencies", False),
            ("devDependencies", True),
        ):
            for name, spec in _mapping(importer.get(section)).items():
                version = _reference(spec).partition("(")[0]
                if major < 6:
                    version = version.partition("_")[0]
                _add(found, str(name), version, dev)


def _packages(document: dict[str, Any], major: int, found: dict[tuple[str, str], bool]) -> None:
    """Adds ``(name, version) -> dev`` of one document to ``found``."""
    dev_only = _dev_only_v9(document) if major >= 9 else set()
    for key, entry in _mapping(document.get("packages")).items():
        if not isinstance(key, str):
            continue
        entry = _mapping(entry)
        name, version = parse_key(key, major)
        name = _text(entry, "name") or name
        version = _text(entry, "version") or version
        dev_field = _text(entry, "dev")
        _add(found, name, version, dev_field == "true" if dev_field else key in dev_only)
    _direct_dependencies(document, major, found)


def load_yaml_documents(content: bytes, path: str, max_documents: int = MAX_DOCUMENTS) -> list[Any]:
    """The YAML documents of a file, built straight from libyaml's events.

    Much faster than PyYAML's loaders on big lockfiles: no node graph, no tag resolution. Every
    scalar stays a string (as with ``BaseLoader``), an alias is the anchored object itself (shared,
    never copied), a later duplicate key wins, an empty document is ``None``. Nesting is bounded by
    libyaml (1000 levels) and walked without recursion.
    """
    import yaml  # imported on first use: most images hold no YAML lockfile

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    if b"\x00" in content:
        raise AnalyzerError(f"{path}: binary content")
    documents: list[Any] = []
    anchors: dict[str, Any] = {}
    stack: list[list[Any]] = []  # [container, pending mapping key]
    root: Any = None
    try:
        for event in yaml.parse(content, Loader=loader):
            value: Any
            if isinstance(event, yaml.ScalarEvent):
                value = event.value
                if event.anchor:
                    anchors[event.anchor] = value
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise AnalyzerError(f"{path}: unknown YAML alias")
                value = anchors[event.anchor]
            elif isinstance(event, yaml.CollectionStartEvent):
                value = {} if isinstance(event, yaml.MappingStartEvent) else []
                if event.anchor:
                    anchors[event.anchor] = value
                stack.append([value, _NO_KEY])
                continue
            elif isinstance(event, yaml.CollectionEndEvent):
                value = stack.pop()[0]
            elif isinstance(event, yaml.DocumentStartEvent):
                anchors, root = {}, None
                continue
            elif isinstance(event, yaml.DocumentEndEvent):
                documents.append(root if root != "" else None)
                if len(documents) > max_documents:
                    raise AnalyzerError(f"{path}: more than {max_documents} YAML documents")
                continue
            else:
                continue
            if not stack:
                root = value
                continue
            frame = stack[-1]
            container = frame[0]
            if isinstance(container, list):
                container.append(value)
            elif frame[1] is _NO_KEY:
                if not isinstance(value, str):
                    raise AnalyzerError(f"{path}: unsupported YAML mapping key")
                frame[1] = value
            else:
                container[frame[1]] = value
                frame[1] = _NO_KEY
    except yaml.YAMLError as exc:
        raise AnalyzerError(f"{path}: invalid YAML: {str(exc)[:80]}") from exc
    return documents


@register
class PnpmLockAnalyzer(Analyzer):
    """``pnpm-lock.yaml`` outside ``node_modules``."""

    name = "pnpm-lock"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({_LOCK_NAME})
    max_size = LOCKFILE_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        return (path == _LOCK_NAME or path.endswith("/" + _LOCK_NAME)) and "node_modules/" not in path

    def analyze(self, path: str, content: bytes) -> Facts:
        found: dict[tuple[str, str], bool] = {}
        major = 0
        for document in load_yaml_documents(content, path):
            if document is None:
                continue
            if not isinstance(document, dict):
                raise AnalyzerError(f"{path}: lockfile is not a mapping")
            if "lockfileVersion" in document or not major:
                major = lockfile_major(document.get("lockfileVersion"), path)
            if _is_env_document(document):
                continue
            try:
                _packages(document, major, found)
            except AnalyzerError as exc:
                raise AnalyzerError(f"{path}: {exc}") from exc
        packages = tuple(
            Package(
                type="npm",
                name=name,
                version=version,
                found_by=self.name,
                properties=(("dev", "true"),) if dev else (),
            )
            for (name, version), dev in sorted(found.items())
        )
        return Facts(packages=packages)
