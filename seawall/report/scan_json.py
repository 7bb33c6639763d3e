"""The scan as our own JSON (schema: ``seawall/schemas/seawall-scan.schema.json``)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from seawall import __version__
from seawall.inventory.purl import purl_for
from seawall.match.finding import VulnFinding
from seawall.model import CheckResult
from seawall.report.scan_options import ScanRenderOptions
from seawall.scan import ScanResult

SCHEMA_VERSION = "seawall-scan/1"


def _vulnerability(f: VulnFinding) -> dict[str, Any]:
    location = f.package.locations[0] if f.package.locations else None
    return {
        "id": f.advisory_id,
        "aliases": list(f.aliases),
        "package": {
            "type": f.package.type,
            "name": f.package.name,
            "version": f.package.version,
            "purl": purl_for(f.package),
            "path": location.path if location else "",
            "layer": location.layer if location else "",
        },
        "installed_version": f.installed_version,
        "fixed_versions": list(f.fixed_versions),
        "status": f.status,
        "severity": f.severity.name,
        "severity_source": f.severity_source,
        "cvss": {"score": f.cvss_score, "vector": f.cvss_vector} if f.cvss_score is not None else None,
        "data_source": f.data_source,
        "rule": f.rule,
        "affected_range": f.affected_range,
        "title": f.title,
        "references": list(f.references),
        "cwes": list(f.cwes),
        "kev": {"date_added": f.kev_date_added} if f.kev_date_added else None,
        "epss": None if f.epss_score is None else {"score": f.epss_score, "percentile": f.epss_percentile},
        "suppressed": f.suppressed,
        "suppression": f.suppression,
    }


def _check(c: CheckResult) -> dict[str, Any]:
    return {
        "rule_id": c.rule.id,
        "title": c.rule.title,
        "family": c.rule.family,
        "severity": c.effective_severity.name,
        "message": c.message,
        "location": {"file": c.location.file, "line": c.location.line, "layer": c.location.layer},
        "remediation": c.rule.fix,
        "suppressed": c.suppressed,
        "suppression": c.suppression_reason,
    }


def render_scan(result: ScanResult, options: ScanRenderOptions) -> str:
    shown, checks = result.vulnerabilities, result.checks
    image = result.inventory.image
    os_info = result.inventory.os
    vuln_counts = Counter(f.severity.name for f in shown if not f.suppressed)
    check_counts = Counter(c.effective_severity.name for c in checks if not c.suppressed)
    document = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "seawall", "version": __version__},
        "image": {
            "reference": image.reference,
            "manifest_digest": image.manifest_digest,
            "config_digest": image.config_digest,
            "os": image.os,
            "architecture": image.architecture,
            "layers": [
                {"digest": layer.digest, "diff_id": layer.diff_id, "created_by": layer.created_by}
                for layer in image.layers
            ],
        },
        "os": {"family": os_info.family, "version": os_info.version} if os_info else None,
        "scanners": list(result.scanners),
        "database": dict(sorted(result.db_metadata.items())),
        "packages_checked": result.packages_checked,
        "summary": {
            "vulnerabilities": dict(sorted(vuln_counts.items())),
            "checks": dict(sorted(check_counts.items())),
            "suppressed": sum(1 for f in shown if f.suppressed) + sum(1 for c in checks if c.suppressed),
        },
        "vulnerabilities": [_vulnerability(f) for f in shown],
        "checks": [_check(c) for c in checks],
        "notes": list(result.notes),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
