"""Findings, check results and scan results for the policy tests."""

from __future__ import annotations

from seawall.match.finding import VulnFinding
from seawall.model import (
    CheckResult,
    ImageInfo,
    Inventory,
    Location,
    OSInfo,
    Package,
    Rule,
    Severity,
    SourceLocation,
)
from seawall.scan import ScanResult


def package(
    kind: str,
    name: str,
    version: str,
    *,
    namespace: str = "",
    arch: str = "",
    distro: str = "",
    source: str = "",
    paths: tuple[str, ...] = (),
) -> Package:
    return Package(
        type=kind,
        name=name,
        version=version,
        namespace=namespace,
        arch=arch,
        distro=distro,
        source_name=source,
        locations=tuple(Location(p, "sha256:" + "1" * 64) for p in paths),
    )


def finding(advisory: str, pkg: Package, *aliases: str, severity: Severity = Severity.HIGH) -> VulnFinding:
    return VulnFinding(
        advisory_id=advisory,
        package=pkg,
        installed_version=pkg.version,
        status="fixed",
        severity=severity,
        severity_source="test",
        data_source="test",
        rule="test",
        fixed_versions=("999",),
        aliases=aliases,
    )


def check(rule_id: str, path: str, family: str = "image") -> CheckResult:
    rule = Rule(rule_id, f"rule {rule_id}", Severity.MEDIUM, family, "why", "fix")
    return CheckResult(rule, f"{rule_id} at {path}", SourceLocation(path))


def image(
    reference: str = "docker-archive:/tmp/x.tar",
    manifest_digest: str = "",
    config_digest: str = "",
    repo_tags: tuple[str, ...] = (),
) -> ImageInfo:
    return ImageInfo(
        reference=reference,
        manifest_digest=manifest_digest,
        config_digest=config_digest,
        repo_tags=repo_tags,
        architecture="amd64",
    )


def inventory(*packages: Package, info: ImageInfo | None = None, os: OSInfo | None = None) -> Inventory:
    return Inventory(image=info or image(), os=os, packages=tuple(packages))


def scan_result(
    findings: list[VulnFinding], checks: list[CheckResult] | None = None, info: ImageInfo | None = None
) -> ScanResult:
    packages = tuple(dict.fromkeys(f.package for f in findings))
    return ScanResult(
        inventory=inventory(*packages, info=info),
        vulnerabilities=list(findings),
        checks=list(checks or []),
        scanners=("vuln", "config"),
    )
