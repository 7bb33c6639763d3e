"""Hand-built scan results for the scan renderer tests.

The findings restate real advisories (quoted below from the feeds in ../shared/vulndata and from NVD):

- DSA-5343-1 (Debian DSA list): openssl in bullseye fixed in 1.1.1n-0+deb11u4, covering CVE-2022-2097,
  CVE-2022-4304, CVE-2022-4450, CVE-2023-0215, CVE-2023-0286; severity from NVD's CVSS of CVE-2023-0286,
  7.4 ``CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H``.
- PYSEC-2021-108 (pypa advisory-database): urllib3 introduced 1.25.4, fixed 1.26.5; aliases CVE-2021-33503
  and GHSA-q2q7-5pp4-w6pg; NVD 7.5 ``CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H``.
- PYSEC-2021-66 (pypa advisory-database): jinja2 introduced 0, fixed 2.11.3; aliases CVE-2020-28493,
  GHSA-g3rq-g295-4j3m; NVD 5.3 ``CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L``. Suppressed here by VEX.
- GO-2021-0113 (golang vulndb): golang.org/x/text fixed 0.3.7; aliases CVE-2021-38561, GHSA-ppp9-7jff-5vj2.
- GHSA-jfh8-c2jp-5v3q (GitHub advisories, log4j-core < 2.15.0, CVE-2021-44228, CVSS 10.0
  ``CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H``, CWE-502/CWE-917); in CISA KEV since 2021-12-10.

One package is hostile: its name, path and the finding's title carry markup and undecodable bytes.
"""

from __future__ import annotations

from seawall.checks.image.config_rules import check_config
from seawall.match.finding import VulnFinding
from seawall.model import (
    CheckResult,
    ImageInfo,
    Inventory,
    LayerInfo,
    Location,
    OSInfo,
    Package,
    Severity,
    SourceLocation,
)
from seawall.scan import ScanResult
from seawall.secrets.rules import RULES_BY_ID as SECRET_RULES

L0 = "sha256:" + "0" * 63 + "a"
L1 = "sha256:" + "1" * 63 + "b"
L2 = "sha256:" + "2" * 63 + "c"
HOSTILE_NAME = '<script>alert("name")</script>'
HOSTILE_PATH = 'app/"><img src=x onerror=alert(1)>/\udcff.jar'
HOSTILE_TITLE = "[click](javascript:alert(1)) <b>bold</b> & `code`"

IMAGE = ImageInfo(
    reference="registry.example/shop/api:1.4",
    manifest_digest="sha256:" + "d" * 64,
    config_digest="sha256:" + "e" * 64,
    os="linux",
    architecture="amd64",
    layers=(
        LayerInfo(
            "sha256:" + "a" * 64, L0, created_by="/bin/sh -c #(nop) ADD file:3a1b2c3d4e5f60718293a4b5 in / "
        ),
        LayerInfo(
            "sha256:" + "b" * 64, L1, created_by="RUN /bin/sh -c apt-get install -y openssl # buildkit"
        ),
        LayerInfo("sha256:" + "c" * 64, L2, created_by="COPY app /app # buildkit"),
    ),
    created="2024-03-05T10:11:12Z",
    config={"config": {"User": "", "ExposedPorts": {"22/tcp": {}}}},
)
BULLSEYE = OSInfo(family="debian", version="11.6", codename="bullseye", source="etc/os-release")

LIBSSL = Package(
    type="deb",
    name="libssl1.1",
    version="1.1.1n-0+deb11u3",
    arch="amd64",
    source_name="openssl",
    source_version="1.1.1n-0+deb11u3",
    found_by="dpkg",
    locations=(Location("var/lib/dpkg/status", L1),),
    distro="debian-11",
)
URLLIB3 = Package(
    type="pypi",
    name="urllib3",
    version="1.26.4",
    found_by="python-dist",
    locations=(Location("app/venv/lib/python3.9/site-packages/urllib3-1.26.4.dist-info/METADATA", L2),),
)
JINJA2 = Package(
    type="pypi",
    name="Jinja2",
    version="2.11.2",
    found_by="python-dist",
    locations=(Location("app/venv/lib/python3.9/site-packages/Jinja2-2.11.2.dist-info/METADATA", L2),),
)
XTEXT = Package(
    type="golang",
    name="golang.org/x/text",
    version="v0.3.5",
    found_by="go-binary",
    locations=(Location("usr/local/bin/app", L2),),
)
LOG4J = Package(
    type="maven",
    namespace="org.apache.logging.log4j",
    name="log4j-core",
    version="2.14.1",
    found_by="java-archive",
    locations=(Location("app/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar", L2),),
)
HOSTILE = Package(
    type="npm",
    name=HOSTILE_NAME,
    version="1.0.0",
    found_by="node-package",
    locations=(Location(HOSTILE_PATH, L2),),
)
PACKAGES = (LIBSSL, URLLIB3, JINJA2, XTEXT, LOG4J, HOSTILE)
INVENTORY = Inventory(image=IMAGE, os=BULLSEYE, packages=PACKAGES)

DSA = VulnFinding(
    advisory_id="DSA-5343-1",
    package=LIBSSL,
    installed_version="1.1.1n-0+deb11u3",
    status="fixed",
    severity=Severity.HIGH,
    severity_source="nvd CVSS_V3 (NVD enrichment)",
    data_source="debian:11 (debian-tracker-lists-2023)",
    rule="deb-source-package",
    affected_range="<1.1.1n-0+deb11u4",
    fixed_versions=("1.1.1n-0+deb11u4",),
    aliases=("CVE-2022-2097", "CVE-2022-4304", "CVE-2022-4450", "CVE-2023-0215", "CVE-2023-0286"),
    title="openssl - security update",
    cvss_score=7.4,
    cvss_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H",
)
URLLIB3_REDOS = VulnFinding(
    advisory_id="PYSEC-2021-108",
    package=URLLIB3,
    installed_version="1.26.4",
    status="fixed",
    severity=Severity.HIGH,
    severity_source="nvd CVSS_V3 (NVD enrichment)",
    data_source="pypi (pypa-advisory-database)",
    rule="ecosystem",
    affected_range=">=1.25.4, <1.26.5",
    fixed_versions=("1.26.5",),
    aliases=("CVE-2021-33503", "GHSA-q2q7-5pp4-w6pg"),
    description=(
        "An issue was discovered in urllib3 before 1.26.5. When provided with a URL containing many @ "
        "characters in the authority component, the authority regular expression exhibits catastrophic "
        "backtracking, causing a denial of service if a URL were passed as a parameter or redirected to "
        "via an HTTP redirect."
    ),
    cvss_score=7.5,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    references=(
        "https://github.com/advisories/GHSA-q2q7-5pp4-w6pg",
        "https://github.com/urllib3/urllib3/commit/2d4a3fee6de2fa45eb82169361918f759269b4ec",
    ),
    published="2021-06-29T11:15:00Z",
)
JINJA2_REDOS = VulnFinding(
    advisory_id="PYSEC-2021-66",
    package=JINJA2,
    installed_version="2.11.2",
    status="fixed",
    severity=Severity.MEDIUM,
    severity_source="nvd CVSS_V3 (NVD enrichment)",
    data_source="pypi (pypa-advisory-database)",
    rule="ecosystem",
    affected_range="<2.11.3",
    fixed_versions=("2.11.3",),
    aliases=("CVE-2020-28493", "SNYK-PYTHON-JINJA2-1012994", "GHSA-g3rq-g295-4j3m"),
    description=(
        "This affects the package jinja2 from 0.0.0 and before 2.11.3. The ReDoS vulnerability is mainly "
        "due to the `_punctuation_re regex` operator and its use of multiple wildcards."
    ),
    cvss_score=5.3,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
    references=("https://github.com/pallets/jinja/pull/1343", "javascript:alert(1)"),
    published="2021-02-01T20:15:00Z",
    suppressed=True,
    suppression="vex: not_affected (vulnerable_code_not_in_execute_path) from https://example.com/vex/app: "
    "urlize is never used",
)
XTEXT_OOB = VulnFinding(
    advisory_id="GO-2021-0113",
    package=XTEXT,
    installed_version="v0.3.5",
    status="fixed",
    severity=Severity.HIGH,
    severity_source="nvd CVSS_V3 (NVD enrichment)",
    data_source="go (golang-vulndb)",
    rule="ecosystem",
    affected_range=">=0, <0.3.7",
    fixed_versions=("v0.3.7",),
    aliases=("CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"),
    title="Out-of-bounds read in golang.org/x/text/language",
    cvss_score=7.5,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    references=("https://go.dev/cl/340830",),
)
LOG4SHELL = VulnFinding(
    advisory_id="GHSA-jfh8-c2jp-5v3q",
    package=LOG4J,
    installed_version="2.14.1",
    status="fixed",
    severity=Severity.CRITICAL,
    severity_source="ghsa CVSS_V3",
    data_source="maven (ghsa)",
    rule="ecosystem",
    affected_range=">=2.13.0, <2.15.0",
    fixed_versions=("2.15.0",),
    aliases=("CVE-2021-44228",),
    title="Remote code injection in Log4j",
    cvss_score=10.0,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
    cwes=("CWE-502", "CWE-917"),
    kev_date_added="2021-12-10",
    epss_score=0.94358,
    epss_percentile=0.99982,
)
HOSTILE_FINDING = VulnFinding(  # the vendor says LOW although CVSS says CRITICAL: the vendor decides
    advisory_id="CVE-2024-0001",
    package=HOSTILE,
    installed_version="1.0.0",
    status="affected",
    severity=Severity.LOW,
    severity_source="debian (vendor)",
    data_source="npm (test <feed>)",
    rule="ecosystem",
    title=HOSTILE_TITLE,
    description="</script><script>alert(2)</script>",
    cvss_score=9.8,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
)
FINDINGS = [DSA, URLLIB3_REDOS, JINJA2_REDOS, XTEXT_OOB, LOG4SHELL, HOSTILE_FINDING]

CONFIG_RESULTS = check_config(IMAGE)  # SW-IMG-001 (no User) and SW-IMG-006 (22/tcp exposed)
SECRET = CheckResult(
    rule=SECRET_RULES["SW-SECRET-001"].meta,
    message="AWS access key ID: AKIA****************",
    location=SourceLocation("app/.env", line=3, layer=L2),
    properties={"match": "AKIA****************", "fingerprint": "f" * 64},
)
SUPPRESSED_CHECK = CheckResult(
    rule=CONFIG_RESULTS[1].rule,
    message=CONFIG_RESULTS[1].message,
    location=CONFIG_RESULTS[1].location,
    object_name="ExposedPorts",
    suppressed=True,
    suppression_reason="ignorefile: bastion image (expires 2030-01-01)",
)


def full(show_suppressed: bool = True) -> ScanResult:
    """Every scanner, every kind of finding; suppressed items included when asked (as the CLI does)."""
    findings = [f for f in FINDINGS if show_suppressed or not f.suppressed]
    checks = [CONFIG_RESULTS[0], SECRET] + ([SUPPRESSED_CHECK] if show_suppressed else [])
    return ScanResult(
        inventory=INVENTORY,
        vulnerabilities=findings,
        checks=checks,
        scanners=("vuln", "config", "secret"),
        db_metadata={
            "built_at": "2026-08-01T00:00:00Z",
            "schema_version": "1",
            "content_digest": "sha256:ab",
        },
        packages_checked=len(PACKAGES),
        notes=["version not comparable: left-pad 1.x: bad version"],
        suppressed_count=2,
    )


def empty() -> ScanResult:
    """A clean image: nothing found."""
    return ScanResult(
        inventory=Inventory(image=ImageInfo(reference="dir:rootfs"), os=None, packages=()),
        scanners=("vuln", "config", "secret"),
    )
