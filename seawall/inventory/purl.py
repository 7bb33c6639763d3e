"""Package URLs (purl) for inventoried packages.

One function per direction: :func:`purl_for` builds the canonical purl string of a
:class:`~seawall.model.Package`, :func:`parse_purl` reads one back into its parts.

Per type, following the purl specification:

- ``deb``, ``apk``, ``rpm``: namespace is the OS family (from ``package.distro``, ``debian-12`` ->
  ``debian``), qualifiers ``arch`` and ``distro``. An rpm epoch (``1:2.3-4``) moves to an ``epoch``
  qualifier; a dpkg epoch stays in the version, as dpkg writes it.
- ``npm``: ``@scope/name`` splits into namespace ``@scope`` and name; the name is lower-cased.
- ``golang``: the module path splits at its last ``/``. Case is kept: Go module paths are
  case-sensitive, so lower-casing them (as the spec's text asks) would name another module.
- ``maven``: namespace is the groupId (``Package.namespace``), name the artifactId.
- ``pypi``: the name is lower-cased and ``_`` becomes ``-``.
- ``composer``: ``vendor/package`` splits into namespace and name, both lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL, normalize

from seawall.model import Package

OS_TYPES = frozenset({"deb", "apk", "rpm"})
# The vendor to name when the merge knew no distribution (a distroless image without os-release).
_DEFAULT_VENDOR = {"deb": "debian", "apk": "alpine"}
_DISTRO = re.compile(r"(.+?)-(\d[^-]*)")
_RPM_EPOCH = re.compile(r"(\d+):(.+)")
_TYPE = re.compile(r"[a-z.+\-][a-z0-9.+\-]*")  # purl spec: ASCII letters, digits, ". + -"; no leading digit


class PurlError(ValueError):
    """A package URL that cannot be built (from a package) or parsed (from a string)."""


@dataclass(frozen=True)
class PurlParts:
    """The decoded components of a package URL."""

    type: str
    name: str
    namespace: str = ""
    version: str = ""
    qualifiers: tuple[tuple[str, str], ...] = ()
    subpath: str = ""

    def qualifier(self, key: str) -> str | None:
        return dict(self.qualifiers).get(key)


def os_family(distro: str) -> str:
    """The OS family of a purl ``distro`` qualifier: ``debian-12`` -> ``debian``.

    The family may itself contain dashes (``opensuse-leap-15.5``): the version is the last
    dash-separated part that starts with a digit; without one the whole string is the family.
    """
    match = _DISTRO.fullmatch(distro)
    return match.group(1) if match else distro


def _split_last(path: str) -> tuple[str, str]:
    namespace, _, name = path.rpartition("/")
    return namespace, name


def components(package: Package) -> PurlParts:
    """The purl components of ``package``, normalised for its type."""
    kind = package.type.lower()
    namespace, name, version = package.namespace, package.name, package.version
    qualifiers: dict[str, str] = {}
    if kind in OS_TYPES:
        namespace = os_family(package.distro) if package.distro else _DEFAULT_VENDOR.get(kind, "")
        if kind == "rpm" and (epoch := _RPM_EPOCH.fullmatch(version)):
            qualifiers["epoch"] = epoch.group(1)
            version = epoch.group(2)
        if package.arch:
            qualifiers["arch"] = package.arch
        if package.distro:
            qualifiers["distro"] = package.distro
    elif kind == "npm":
        if not namespace and name.startswith("@") and "/" in name:
            namespace, name = name.split("/", 1)
        name = name.lower()
    elif kind == "golang":
        if not namespace:
            namespace, name = _split_last(name)
    elif kind == "pypi":
        name = name.lower().replace("_", "-")
    elif kind == "composer":
        if not namespace:
            namespace, name = _split_last(name)
        namespace, name = namespace.lower(), name.lower()
    return PurlParts(
        type=kind,
        namespace=namespace,
        name=name,
        version=version,
        qualifiers=tuple(sorted(qualifiers.items())),
    )


def purl_for(package: Package) -> str:
    """The canonical package URL of ``package`` (qualifiers sorted, components percent-encoded).

    packageurl-python normalises and encodes the components (once: building a ``PackageURL`` and
    calling ``to_string`` would do it twice, which shows on images with thousands of packages).
    Raise :class:`PurlError` when the package cannot have one (an empty name, a malformed type).
    """
    parts = components(package)
    if not _TYPE.fullmatch(parts.type) or not parts.name:
        raise PurlError(f"no package URL for {package.type[:40]!r}/{package.name[:200]!r}")
    try:
        kind, namespace, name, version, qualifiers, _ = normalize(
            parts.type,
            parts.namespace or None,
            parts.name,
            parts.version or None,
            dict(parts.qualifiers) or None,
            None,
            encode=True,
        )
    except ValueError as error:
        raise PurlError(f"no package URL for {package.type}/{package.name[:200]!r}: {error}") from None
    if not name:
        raise PurlError(f"no package URL for {package.type}/{package.name[:200]!r}: empty name")
    text = [f"pkg:{kind}/"]
    if namespace:
        text.append(f"{namespace}/")
    text.append(str(name))
    if version:
        text.append(f"@{version}")
    if qualifiers:
        text.append(f"?{qualifiers}")
    return "".join(text)


def purl_or_none(package: Package) -> str | None:
    """Like :func:`purl_for`, but None for a package that cannot have a purl."""
    try:
        return purl_for(package)
    except PurlError:
        return None


def parse_purl(text: str) -> PurlParts:
    """Decode a package URL; raise :class:`PurlError` if it is not one."""
    try:
        parsed = PackageURL.from_string(text)
    except ValueError as error:
        raise PurlError(f"not a package URL: {text[:200]!r}: {error}") from None
    qualifiers = parsed.qualifiers or {}
    return PurlParts(
        type=str(parsed.type),
        namespace=str(parsed.namespace or ""),
        name=str(parsed.name),
        version=str(parsed.version or ""),
        qualifiers=tuple(sorted((str(k), str(v)) for k, v in dict(qualifiers).items())),
        subpath=str(parsed.subpath or ""),
    )
