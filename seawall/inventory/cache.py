"""The layer cache: one file per (layer diff_id, analyzer versions), so a layer is analyzed once.

Entries are zstd-compressed JSON written atomically (temporary file, fsync, rename): a crash
never leaves a half-written entry, and a corrupt entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from seawall.inventory.layer_pass import LayerResult
from seawall.model import CheckResult, Facts, Location, OSInfo, Package, Rule, Severity, SourceLocation

log = logging.getLogger(__name__)

FORMAT = 2


def default_cache_dir() -> Path:
    """``$SEAWALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/seawall``, else ``~/.cache/seawall``."""
    explicit = os.environ.get("SEAWALL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seawall"


def _package_to_json(p: Package) -> dict[str, Any]:
    out: dict[str, Any] = {"type": p.type, "name": p.name, "version": p.version}
    for key in ("namespace", "arch", "source_name", "source_version", "found_by", "distro"):
        value = getattr(p, key)
        if value:
            out[key] = value
    if p.licenses:
        out["licenses"] = list(p.licenses)
    if p.locations:
        out["locations"] = [[loc.path, loc.layer] for loc in p.locations]
    if p.os_managed:
        out["os_managed"] = True
    if p.properties:
        out["properties"] = [list(kv) for kv in p.properties]
    return out


def _package_from_json(d: dict[str, Any]) -> Package:
    return Package(
        type=d["type"],
        name=d["name"],
        version=d["version"],
        namespace=d.get("namespace", ""),
        arch=d.get("arch", ""),
        source_name=d.get("source_name", ""),
        source_version=d.get("source_version", ""),
        licenses=tuple(d.get("licenses", ())),
        found_by=d.get("found_by", ""),
        locations=tuple(Location(path, layer) for path, layer in d.get("locations", ())),
        os_managed=d.get("os_managed", False),
        distro=d.get("distro", ""),
        properties=tuple((k, v) for k, v in d.get("properties", ())),
    )


def _finding_to_json(r: CheckResult) -> dict[str, Any]:
    rule = {k: v for k, v in r.rule.__dict__.items() if v not in ("", ())}
    rule["severity"] = r.rule.severity.name
    return {
        "rule": {k: list(v) if isinstance(v, tuple) else v for k, v in rule.items()},
        "message": r.message,
        "location": r.location.__dict__,
        "severity": r.severity.name if r.severity is not None else None,
        "object_name": r.object_name,
        "properties": r.properties,
    }


def _finding_from_json(d: dict[str, Any]) -> CheckResult:
    rule = dict(d["rule"])
    rule["severity"] = Severity[rule["severity"]]
    for key in ("references", "tags"):
        if key in rule:
            rule[key] = tuple(rule[key])
    return CheckResult(
        rule=Rule(**rule),
        message=d["message"],
        location=SourceLocation(**d["location"]),
        severity=Severity[d["severity"]] if d.get("severity") else None,
        object_name=d.get("object_name", ""),
        properties=dict(d.get("properties", {})),
    )


def facts_to_json(f: Facts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.packages:
        out["packages"] = [_package_to_json(p) for p in f.packages]
    if f.os is not None:
        out["os"] = {**f.os.__dict__, "like": list(f.os.like)}
    if f.owned_files:
        out["owned_files"] = {k: list(v) for k, v in f.owned_files.items()}
    if f.warnings:
        out["warnings"] = list(f.warnings)
    if f.findings:
        out["findings"] = [_finding_to_json(r) for r in f.findings]
    return out


def facts_from_json(d: dict[str, Any]) -> Facts:
    os_info = None
    if "os" in d:
        os_info = OSInfo(**{**d["os"], "like": tuple(d["os"].get("like", ()))})
    return Facts(
        packages=tuple(_package_from_json(p) for p in d.get("packages", ())),
        os=os_info,
        owned_files={k: tuple(v) for k, v in d.get("owned_files", {}).items()},
        warnings=tuple(d.get("warnings", ())),
        findings=tuple(_finding_from_json(r) for r in d.get("findings", ())),
    )


def result_to_json(r: LayerResult) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "diff_id": r.diff_id,
        "digest": r.digest,
        "facts": {path: {a: facts_to_json(f) for a, f in per.items()} for path, per in r.facts.items()},
        "whiteouts": r.whiteouts,
        "opaque_dirs": r.opaque_dirs,
        "hardlinks": r.hardlinks,
        "warnings": r.warnings,
        "entries": r.entries,
        "size": r.size,
    }


def result_from_json(d: dict[str, Any]) -> LayerResult:
    if d.get("format") != FORMAT:
        raise ValueError("cache entry of another format")
    return LayerResult(
        diff_id=d["diff_id"],
        digest=d.get("digest", ""),
        facts={path: {a: facts_from_json(f) for a, f in per.items()} for path, per in d["facts"].items()},
        whiteouts=list(d["whiteouts"]),
        opaque_dirs=list(d["opaque_dirs"]),
        hardlinks=dict(d["hardlinks"]),
        warnings=list(d["warnings"]),
        entries=d["entries"],
        size=d["size"],
    )


class LayerCache:
    """Layer results on disk. ``enabled=False`` makes every lookup a miss and writes nothing."""

    def __init__(self, directory: Path, analyzer_versions: dict[str, int], enabled: bool = True) -> None:
        self.directory = directory / "layers"
        self.enabled = enabled
        fingerprint = json.dumps({"format": FORMAT, "analyzers": analyzer_versions}, sort_keys=True)
        self._salt = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]

    def _path(self, diff_id: str) -> Path:
        name = hashlib.sha256(f"{diff_id}|{self._salt}".encode()).hexdigest()
        return self.directory / name[:2] / f"{name}.json.zst"

    def get(self, diff_id: str) -> LayerResult | None:
        if not self.enabled or not diff_id:
            return None
        path = self._path(diff_id)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            import zstandard

            data = json.loads(zstandard.ZstdDecompressor().decompress(raw))
            result = result_from_json(data)
        except Exception as error:  # a damaged entry is a miss, never a failed scan
            log.warning("ignoring damaged cache entry %s: %s", path, error)
            return None
        return result if result.diff_id == diff_id else None

    def put(self, result: LayerResult) -> None:
        if not self.enabled or not result.diff_id:
            return
        import zstandard

        path = self._path(result.diff_id)
        payload = zstandard.ZstdCompressor(level=3).compress(
            json.dumps(result_to_json(result), separators=(",", ":")).encode()
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(payload)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as error:
            log.warning("could not write the layer cache at %s: %s", path.parent, error)
