"""A vulnerability finding: one advisory applying to one installed package, with its explanation."""

from __future__ import annotations

from dataclasses import dataclass, field

from seawall.model import Package, Severity


@dataclass(frozen=True)
class VulnFinding:
    """One advisory matched to one package.

    ``status`` is the vendor's word for the package (``fixed``: a fixed version exists; ``affected``:
    no fix yet; ``will_not_fix``, ``fix_deferred``, ``end_of_life``). ``data_source`` names the
    database namespace and source that decided it (``debian:12 debian-tracker``), ``rule`` the
    matching rule (``deb-source-package``, ``rhel-family: rocky -> almalinux``), ``affected_range``
    the range the installed version fell in, in the ecosystem's own notation.
    ``severity_source`` says where the severity came from (``debian (vendor)``, ``ghsa CVSS_V3``,
    ``nvd CVSS_V3``).
    """

    advisory_id: str
    package: Package
    installed_version: str
    status: str
    severity: Severity
    severity_source: str
    data_source: str
    rule: str
    affected_range: str = ""
    fixed_versions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    cvss_score: float | None = None
    cvss_vector: str = ""
    references: tuple[str, ...] = ()
    cwes: tuple[str, ...] = ()
    published: str = ""
    kev_date_added: str = ""
    epss_score: float | None = None
    epss_percentile: float | None = None
    notes: str = ""
    suppressed: bool = False
    suppression: str = ""  # why: "ignorefile: reason (expires 2026-12-31)", "vex: not_affected ..."
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def fixed_version(self) -> str:
        """The lowest fixed version, for upgrade advice ("" when there is none)."""
        return self.fixed_versions[0] if self.fixed_versions else ""

    @property
    def cve_ids(self) -> tuple[str, ...]:
        ids = (self.advisory_id, *self.aliases)
        return tuple(dict.fromkeys(i for i in ids if i.startswith("CVE-")))

    @property
    def known_exploited(self) -> bool:
        return bool(self.kev_date_added)
