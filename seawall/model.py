"""Shared vocabulary of Seawall: packages, where they were found, the operating system.

Every other room imports from here; this module imports nothing of ours.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class FileKind(enum.Enum):
    REGULAR = "file"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    DIRECTORY = "dir"
    OTHER = "other"


class FileInfo(NamedTuple):
    """Header facts of one tar entry. ``path`` is normalised: relative, no leading ``/`` or ``./``.

    A named tuple rather than a dataclass: one is made for every entry of every layer.
    """

    path: str
    size: int
    mode: int
    kind: FileKind = FileKind.REGULAR
    link_target: str = ""
    uid: int = 0
    gid: int = 0

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)


@dataclass(frozen=True, order=True)
class Location:
    """A place inside an image that proves something.

    ``path`` is relative to the image root, without a leading slash (``var/lib/dpkg/status``).
    A file inside an archive inside the image is written ``app/x.war!/WEB-INF/lib/y.jar``.
    ``layer`` is the diff_id (``sha256:...``) of the layer the file came from; analyzers leave it
    empty and the merge fills it in.
    """

    path: str
    layer: str = ""


@dataclass(frozen=True)
class Package:
    """One installed package.

    ``type`` is the package-URL type (``deb``, ``apk``, ``rpm``, ``pypi``, ``npm``, ``maven``,
    ``golang``, ``cargo``, ``gem``, ``nuget``, ``composer``).
    ``name`` is the ecosystem's own full name (npm ``@scope/pkg``, a Go module path, a PyPI project
    name as written in its metadata); only Maven splits it: ``namespace`` is the groupId and ``name``
    the artifactId.
    ``version`` is the full version as the ecosystem writes it, e.g. dpkg ``1:2.3-4``, rpm
    ``[EPOCH:]VERSION-RELEASE``, apk ``1.2.3-r4``, Go ``v1.2.3``.
    ``source_name``/``source_version`` name the source package for OS packages (Debian source,
    Alpine origin, the rpm SOURCERPM's name and version).
    ``distro`` (``debian-12``) is filled in by the merge for OS packages.
    ``properties`` carries sorted ecosystem extras, e.g. ``("rpm:modularitylabel", "...")``,
    ``("go:toolchain", "go1.21.3")``, ``("dev", "true")``.
    """

    type: str
    name: str
    version: str
    namespace: str = ""
    arch: str = ""
    source_name: str = ""
    source_version: str = ""
    licenses: tuple[str, ...] = ()
    found_by: str = ""
    locations: tuple[Location, ...] = ()
    os_managed: bool = False
    distro: str = ""
    properties: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Identity used to merge duplicates: the same package found at several places."""
        return (self.type, self.namespace, self.name, self.version, self.arch)

    def property(self, name: str) -> str | None:
        for key, value in self.properties:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class OSInfo:
    """The operating system of an image, as one release file says it.

    ``family`` is the os-release ``ID`` in lower case (``debian``, ``ubuntu``, ``alpine``, ``rocky``,
    ``almalinux``, ``rhel``, ``centos``, ``fedora``, ``amzn``, ``sles``, ``opensuse-leap``, ``wolfi``,
    ``distroless`` ...). ``version`` is the most precise release number the file gives (``12.7``,
    ``3.15.0``, ``9.1``). ``priority`` orders competing files: the highest wins in the merge
    (a distribution's own release file beats the generic os-release).
    """

    family: str
    version: str
    name: str = ""
    codename: str = ""
    source: str = ""
    priority: int = 0
    like: tuple[str, ...] = ()

    @property
    def distro(self) -> str:
        """The purl ``distro`` qualifier, e.g. ``debian-12`` or ``alpine-3.15.0``.

        Debian's point releases (12.7) share one security namespace, so Debian is named by its major
        release, as its os-release VERSION_ID does; others keep the release as given.
        """
        version = self.version.split(".")[0] if self.family == "debian" else self.version
        return f"{self.family}-{version}" if version else self.family


@dataclass(frozen=True)
class Facts:
    """What one analyzer learned from one file.

    ``owned_files`` maps an OS package name to the paths (no leading slash) that its package
    database says it installed; the merge uses it to mark language packages as OS-managed and to
    name the owner of a file.
    """

    packages: tuple[Package, ...] = ()
    os: OSInfo | None = None
    owned_files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    findings: tuple[CheckResult, ...] = ()  # e.g. secrets found in the file

    @property
    def empty(self) -> bool:
        return not (self.packages or self.os or self.owned_files or self.warnings or self.findings)


@dataclass(frozen=True)
class LayerInfo:
    """One layer of an image: its blob digest, its uncompressed digest, and the history entry."""

    digest: str
    diff_id: str
    size: int = 0
    media_type: str = ""
    created_by: str = ""


@dataclass(frozen=True)
class ImageInfo:
    """What identifies the image that was inventoried."""

    reference: str
    manifest_digest: str = ""
    config_digest: str = ""
    os: str = ""
    architecture: str = ""
    variant: str = ""
    layers: tuple[LayerInfo, ...] = ()
    repo_tags: tuple[str, ...] = ()
    created: str = ""
    config: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the image config JSON

    def layer_index(self, diff_id: str) -> int | None:
        for index, layer in enumerate(self.layers):
            if layer.diff_id == diff_id:
                return index
        return None


@dataclass(frozen=True)
class Inventory:
    """The software bill of materials of one image: its OS and every package with its proofs."""

    image: ImageInfo
    os: OSInfo | None
    packages: tuple[Package, ...]
    warnings: tuple[str, ...] = ()
    analyzers: tuple[tuple[str, int], ...] = ()
    findings: tuple[CheckResult, ...] = ()  # hardening and secret results about the image's files
    # The OS package that installed each file a finding names (path -> package name), where known.
    file_owners: dict[str, str] = field(default_factory=dict, compare=False)


class Severity(enum.IntEnum):
    """One scale for every kind of result: vulnerabilities, hardening checks, secrets."""

    UNKNOWN = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``high``, ``HIGH``, ``Important`` (Red Hat), ``moderate`` ... -> a Severity (UNKNOWN if unsure)."""
        value = text.strip().upper()
        aliases = {
            "IMPORTANT": "HIGH",
            "MODERATE": "MEDIUM",
            "NEGLIGIBLE": "LOW",
            "UNIMPORTANT": "LOW",
            "NOT YET ASSIGNED": "UNKNOWN",
            "NONE": "UNKNOWN",
            "INFO": "LOW",
        }
        value = aliases.get(value, value)
        return cls[value] if value in cls.__members__ else cls.UNKNOWN


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue. ``id`` is stable forever (``SW-DF-001`` style: family + number)."""

    id: str
    title: str
    severity: Severity
    family: str  # "dockerfile", "image", "kubernetes", "compose", "oci-runtime", "docker-run", "secret"
    rationale: str
    fix: str
    bad_example: str = ""
    good_example: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # e.g. ("pss:baseline",), ("pss:restricted",), ("cis-docker:4.1",)


@dataclass(frozen=True)
class SourceLocation:
    """Where a result points: a file (and line/column, 1-based, 0 when unknown), or a path in an image."""

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    layer: str = ""  # for results inside an image: the diff_id of the layer


@dataclass(frozen=True)
class CheckResult:
    """One rule failing at one place. ``message`` is specific ("USER is root in stage 'final'")."""

    rule: Rule
    message: str
    location: SourceLocation
    severity: Severity | None = None  # overrides rule.severity (config file); None: the rule's
    object_name: str = ""  # e.g. "Deployment/web container app", "stage build"
    suppressed: bool = False
    suppression_reason: str = ""
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def effective_severity(self) -> Severity:
        return self.severity if self.severity is not None else self.rule.severity
