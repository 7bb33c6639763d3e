"""Load workload files (YAML or JSON) into plain data plus a path -> line index, defensively.

PyYAML's node API gives every node its start line; we build plain Python data (dict, list, str,
int, float, bool, None) ourselves so that the size of the result is bounded: alias expansion is
counted (a "billion laughs" document stops at :data:`MAX_NODES`), nesting is capped, recursive
aliases are refused, and the text and the number of documents are limited. Merge keys (``<<``) are
honoured, as Compose files use them a lot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import yaml

from seawall.errors import SeawallError

MAX_TEXT_BYTES = 16 * 1024 * 1024
MAX_DOCUMENTS = 10_000
MAX_NODES = 2_000_000  # constructed values per file, alias expansions included
MAX_DEPTH = 200

Path = tuple[str | int, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_SOURCE_COMMENT = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)


class WorkloadInputError(SeawallError):
    """A workload file that cannot be read safely: invalid YAML/JSON, or over a safety limit."""


class FileKind(Enum):
    KUBERNETES = "kubernetes"
    COMPOSE = "compose"
    OCI_RUNTIME = "oci-runtime"


@dataclass(frozen=True)
class Document:
    """One YAML document: plain data and the 1-based line of every mapping key and sequence item."""

    data: Any
    lines: Mapping[Path, int] = field(default_factory=dict)
    index: int = 0  # position in its file, 0-based
    start_line: int = 1
    helm_source: str = ""  # the "# Source: chart/templates/x.yaml" comment Helm writes above a document

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one (the document start if none)."""
        probe = path
        while probe:
            found = self.lines.get(probe)
            if found:
                return found
            probe = probe[:-1]
        return self.start_line


@dataclass
class _Budget:
    nodes: int = 0


class _Builder:
    """Turns a composed node tree into plain data, recording lines and enforcing the limits."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.lines: dict[Path, int] = {}
        self._active: set[int] = set()
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.budget.nodes += 1
        if self.budget.nodes > MAX_NODES:
            raise WorkloadInputError(f"more than {MAX_NODES} YAML values (alias expansion?): refused")
        if depth > MAX_DEPTH:
            raise WorkloadInputError(f"YAML nested deeper than {MAX_DEPTH} levels: refused")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        key = id(node)
        if key in self._active:
            raise WorkloadInputError(f"recursive YAML alias at line {node.start_mark.line + 1}: refused")
        self._active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                items: list[Any] = []
                for position, child in enumerate(node.value):
                    child_path = (*path, position)
                    self.lines.setdefault(child_path, child.start_mark.line + 1)
                    items.append(self.build(child, child_path, depth + 1))
                return items
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth)
        finally:
            self._active.discard(key)
        raise WorkloadInputError(f"unsupported YAML node at line {node.start_mark.line + 1}")

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self._merge_pairs(value_node, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise WorkloadInputError(f"complex mapping key at line {key_node.start_mark.line + 1}")
            key = str(key_node.value)
            child_path = (*path, key)
            self.lines[child_path] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child_path, depth + 1)
        for key_node, value_node in merged:  # explicit keys win over merged ones
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            key = str(key_node.value)
            if key in result:
                continue
            child_path = (*path, key)
            self.lines[child_path] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child_path, depth + 1)
        return result

    def _merge_pairs(self, value: yaml.Node, depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise WorkloadInputError(
                    f"merge key (<<) of a non-mapping at line {source.start_mark.line + 1}"
                )
            self.budget.nodes += len(source.value)
            if self.budget.nodes > MAX_NODES:
                raise WorkloadInputError(f"more than {MAX_NODES} YAML values (alias expansion?): refused")
            if depth > MAX_DEPTH:
                raise WorkloadInputError(f"merge keys (<<) nested deeper than {MAX_DEPTH} levels: refused")
            inherited: list[tuple[yaml.Node, yaml.Node]] = []
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE:
                    inherited.extend(self._merge_pairs(value_node, depth + 1))
                else:
                    pairs.append((key_node, value_node))
            pairs.extend(inherited)  # a source's own keys win over what it merges in
        return pairs

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        constructor = self._scalars.yaml_constructors.get(node.tag)
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"):
            return constructor(self._scalars, node) if constructor else node.value
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)  # strings, timestamps, binary, custom tags: kept as their text


def _documents(text: str) -> Iterator[yaml.Node]:
    try:
        yield from yaml.compose_all(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "syntax error"
        raise WorkloadInputError(f"invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise WorkloadInputError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise WorkloadInputError(f"YAML nested deeper than {MAX_DEPTH} levels: refused") from None


def load_documents(text: str) -> list[Document]:
    """Every non-empty document of ``text`` (YAML 1.1 as Kubernetes reads it; JSON is YAML too)."""
    if len(text) > MAX_TEXT_BYTES:
        raise WorkloadInputError(f"file larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB: refused")
    if "\x00" in text:
        raise WorkloadInputError("file contains NUL bytes: not YAML or JSON")
    budget = _Budget()
    sources = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _SOURCE_COMMENT.finditer(text)]
    documents: list[Document] = []
    previous_end = 0
    for position, node in enumerate(_documents(text)):
        if position >= MAX_DOCUMENTS:
            raise WorkloadInputError(f"more than {MAX_DOCUMENTS} YAML documents: refused")
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and not node.value:
            continue  # an empty document ("---" followed by nothing)
        start = node.start_mark.line + 1
        builder = _Builder(budget)
        data = builder.build(node, (), 0)
        helm = ""
        for line, name in sources:
            if previous_end <= line <= start:
                helm = name
        previous_end = node.end_mark.line + 1
        documents.append(Document(data, builder.lines, len(documents), start, helm))
    return documents


def detect_kind(documents: list[Document]) -> FileKind | None:
    """What kind of workload file this is, from the content alone."""
    for document in documents:
        data = document.data
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("ociVersion"), str) and isinstance(data.get("process"), dict):
            return FileKind.OCI_RUNTIME
        if isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
            return FileKind.KUBERNETES
        if isinstance(data.get("services"), dict) and "apiVersion" not in data:
            return FileKind.COMPOSE
    return None


def _key(name: str) -> re.Pattern[str]:
    """``name:`` starting a YAML line, or ``"name":`` anywhere in JSON."""
    return re.compile(rf'^[ \t]*{name}\s*:|"{name}"\s*:', re.MULTILINE)


_OCI, _API_VERSION, _KIND = _key("ociVersion"), _key("apiVersion"), _key("kind")
_SERVICES = re.compile(r'^services\s*:|"services"\s*:', re.MULTILINE)


def looks_like_workload(text: str) -> bool:
    """A cheap pre-filter: could this text be one of our file kinds? (no parsing)."""
    head = text[:MAX_TEXT_BYTES]
    if _API_VERSION.search(head) and _KIND.search(head):
        return True
    return bool(_OCI.search(head) or _SERVICES.search(head))


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one: checks never trip over a wrong type."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []
