"""Node.js packages: ``package.json`` manifests.

Which manifests, as Trivy's node-pkg analyzer decides (its ``isPackageRoot`` cases): every
``package.json`` outside ``node_modules`` (an application or workspace in the image, which Trivy and
Syft both report), and inside ``node_modules`` only a package's own manifest,
``node_modules/NAME/package.json`` or ``node_modules/@SCOPE/NAME/package.json``, anchored on the
innermost ``node_modules`` so nested dependencies, pnpm's virtual store
(``node_modules/.pnpm/x@1/node_modules/x``) and yarn's unplugged folders are found, while helper
manifests inside a package (``node_modules/rxjs/ajax/package.json``) are not packages.
A manifest without a name or a version is no package.

The npm naming, version and licence rules used by the lockfile analyzers live here too.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from seawall.inventory.analyzer import Analyzer, AnalyzerError, FileInfo, MiB, register
from seawall.model import Facts, Package

MANIFEST_MAX_SIZE = 4 * MiB
_NODE_MODULES = "node_modules/"
_MAX_LICENSES = 16
_MAX_LICENSE_TEXT = 200
# npm's rule for new names is stricter (lower case only); old packages may have capitals.
_NAME = re.compile(r"(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*/)?[A-Za-z0-9~_-][A-Za-z0-9._~-]*")
_NAME_MAX = 214
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_~-]{0,127}")


def valid_npm_name(name: str) -> bool:
    """Whether ``name`` is a plausible npm package name (``pkg`` or ``@scope/pkg``)."""
    return len(name) <= _NAME_MAX and _NAME.fullmatch(name) is not None


def plain_version(version: str) -> bool:
    """Whether ``version`` is a registry version, not a URL, path or git reference."""
    return _VERSION.fullmatch(version) is not None


def split_name_at(spec: str) -> tuple[str, str]:
    """``("@scope/pkg", "rest")`` from ``"@scope/pkg@rest"``; ``("", spec)`` if there is no ``@``."""
    at = spec.find("@", 1)
    if at < 0:
        return "", spec
    return spec[:at], spec[at + 1 :]


def _license_text(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("type")
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > _MAX_LICENSE_TEXT or not value.isprintable():
        return ""
    return value


def npm_licenses(manifest: dict[str, Any]) -> tuple[str, ...]:
    """Licences of a manifest or lockfile entry.

    ``license`` may be a string, an object ``{"type": ...}`` or a list of either; the legacy
    ``licenses`` field is a list of ``{"type", "url"}`` objects (plain strings there are malformed
    and ignored, as Syft does).
    """
    found: list[str] = []
    value = manifest.get("license")
    items = value if isinstance(value, list) else [value]
    legacy = manifest.get("licenses")
    if isinstance(legacy, list):
        items = items + [item for item in legacy if isinstance(item, dict)]
    for item in items[:_MAX_LICENSES]:
        text = _license_text(item)
        if text and text not in found:
            found.append(text)
    return tuple(found)


def load_json(content: bytes, what: str) -> object:
    """Parsed JSON; malformed or absurdly nested input is an :class:`AnalyzerError`."""
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise AnalyzerError(f"{what}: not UTF-8") from exc
    except RecursionError as exc:
        raise AnalyzerError(f"{what}: JSON nested too deeply") from exc
    except ValueError as exc:
        raise AnalyzerError(f"{what}: JSON decode error: {str(exc)[:80]}") from exc


def is_package_manifest(path: str) -> bool:
    """Whether the ``package.json`` at ``path`` is a package root (not a helper inside a package)."""
    index = path.rfind(_NODE_MODULES)
    while index > 0 and path[index - 1] != "/":
        index = path.rfind(_NODE_MODULES, 0, index)
    if index < 0:
        return True
    parts = path[index + len(_NODE_MODULES) :].split("/")
    if len(parts) == 2:
        return parts[1] == "package.json" and parts[0][:1] not in ("", ".", "@")
    if len(parts) == 3:
        return parts[2] == "package.json" and parts[0].startswith("@") and parts[1][:1] not in ("", ".")
    return False


@register
class NodePackageAnalyzer(Analyzer):
    """``package.json`` of a package root: name, version and licences of one package."""

    name = "node-package"
    version = 1
    basenames: ClassVar[frozenset[str]] = frozenset({"package.json"})
    max_size = MANIFEST_MAX_SIZE

    def wants(self, path: str, info: FileInfo) -> bool:
        return (path == "package.json" or path.endswith("/package.json")) and is_package_manifest(path)

    def analyze(self, path: str, content: bytes) -> Facts:
        manifest = load_json(content, path)
        if not isinstance(manifest, dict):
            raise AnalyzerError(f"{path}: package.json is not an object")
        name = manifest.get("name")
        version = manifest.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            return Facts()
        if not valid_npm_name(name):
            raise AnalyzerError(f"{path}: invalid package name {name[:60]!r}")
        version = version.strip()
        if not plain_version(version):
            raise AnalyzerError(f"{path}: invalid version {version[:60]!r}")
        package = Package(
            type="npm",
            name=name,
            version=version,
            licenses=npm_licenses(manifest),
            found_by=self.name,
        )
        return Facts(packages=(package,))
