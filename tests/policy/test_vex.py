"""VEX: OpenVEX examples of the OpenVEX specification, CycloneDX VEX examples of CycloneDX's bom-examples.

Expected outcomes follow the specifications' semantics: ``not_affected`` and ``fixed`` suppress,
``affected`` and ``under_investigation`` do not, the latest statement wins (OpenVEX "Inheritance Flow"),
CycloneDX ``resolved`` is VEX ``fixed``, ``exploitable`` is ``affected``, ``in_triage`` is
``under_investigation``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seawall.inventory.purl import parse_purl
from seawall.policy.vex import VexError, VexIndex, load_vex, parse_vex, purl_matches
from tests.policy.factory import finding, image, inventory, package

# --- OpenVEX -----------------------------------------------------------------------------------------

# "A sample of a minimal OpenVEX document" (OpenVEX specification, "Document")
MINIMAL = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://openvex.dev/docs/example/vex-9fb3463de1b57",
    "author": "Wolfi J Inkinson",
    "role": "Document Creator",
    "timestamp": "2023-01-08T18:02:03.647787998-06:00",
    "version": 1,
    "statements": [
        {
            "vulnerability": {"name": "CVE-2023-12345"},
            "products": [
                {"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"},
                {"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"},
            ],
            "status": "fixed",
        }
    ],
}

# The specification's closing example (Spring Boot and log4shell); the spec text lacks two commas
# and has trailing ones, which are corrected here, and the impact statement is cut short.
SPRING = """{
  "@context": "https://openvex.dev/ns",
  "@id": "https://openvex.dev/docs/public/vex-2e67563e128250cbcb3e98930df948dd053e43271d70dc50cfa22d57e03fe96f",
  "author": "Spring Builds <spring-builds@users.noreply.github.com>",
  "role": "Project Release Bot",
  "timestamp": "2023-01-16T19:07:16.853479631-06:00",
  "version": 1,
  "statements": [
    {
      "vulnerability": {
        "@id": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
        "name": "CVE-2021-44228",
        "description": "Remote code injection in Log4j",
        "aliases": ["GHSA-jfh8-c2jp-5v3q"]
      },
      "products": [
        {
          "@id": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
          "identifiers": {"purl": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"},
          "hashes": {"sha-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
        }
      ],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "Spring Boot users are only affected by this vulnerability"
    }
  ]
}"""

SPRING_DOC_ID = (
    "https://openvex.dev/docs/public/vex-2e67563e128250cbcb3e98930df948dd053e43271d70dc50cfa22d57e03fe96f"
)

# "Updating Statements with Inherited Data": under_investigation, then fixed (inheriting the
# later document timestamp).
INHERITED = {
    "@context": "https://openvex.dev/ns",
    "@id": "https://openvex.dev/docs/example/vex-84822c4e5028c",
    "author": "Wolfi J Inkinson",
    "role": "Document Creator",
    "timestamp": "2023-01-09T09:08:42-06:00",
    "version": 1,
    "statements": [
        {
            "timestamp": "2023-01-08T18:02:03-06:00",
            "vulnerability": {"name": "CVE-2023-12345"},
            "products": [{"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"}],
            "status": "under_investigation",
        },
        {
            "vulnerability": {"name": "CVE-2023-12345"},
            "products": [{"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"}],
            "status": "fixed",
        },
    ],
}

# vexctl's output for an image and two of its npm subcomponents, as Docker's documentation shows it
# (Docker Scout, "Create an exception using the VEX"); <ORG> is "acme" here.
SCOUT = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://openvex.dev/docs/public/vex-a7e7c69be57bc49dec9cc2f3a3e3329b12674ca53b53a53ab42134dcc0510779",
    "author": "author@example.com",
    "timestamp": "2024-02-03T09:33:28.913572+01:00",
    "version": 1,
    "statements": [
        {
            "vulnerability": {"name": "CVE-2022-24999"},
            "timestamp": "2024-02-03T09:33:28.913574+01:00",
            "products": [
                {
                    "@id": "pkg:docker/acme/scout-demo-service@v1",
                    "subcomponents": [{"@id": "pkg:npm/express@4.17.1"}, {"@id": "pkg:npm/qs@6.7.0"}],
                }
            ],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        }
    ],
}

GIT_X86 = package("apk", "git", "2.39.0-r1", arch="x86_64", distro="wolfi-20230201")
GIT_ARM = package("apk", "git", "2.39.0-r1", arch="armv7", distro="wolfi-20230201")
GIT_AARCH64 = package("apk", "git", "2.39.0-r1", arch="aarch64", distro="wolfi-20230201")
GIT_NEWER = package("apk", "git", "2.39.1-r0", arch="x86_64", distro="wolfi-20230201")


def decide(documents: list[Any], pkg, advisory: str, *aliases: str, info=None):
    docs = [
        d if not isinstance(d, dict | str) else parse_vex(json.dumps(d) if isinstance(d, dict) else d)
        for d in documents
    ]
    index = VexIndex(docs, inventory(pkg, info=info))
    return index.decide(finding(advisory, pkg, *aliases))


def suppressed(documents: list[Any], pkg, advisory: str, *aliases: str, info=None) -> bool:
    statement = decide(documents, pkg, advisory, *aliases, info=info)
    return statement is not None and statement.suppresses


def test_minimal_openvex_document() -> None:
    document = parse_vex(json.dumps(MINIMAL), "minimal.json")
    assert (
        document.format == "openvex" and document.id == "https://openvex.dev/docs/example/vex-9fb3463de1b57"
    )
    assert suppressed([MINIMAL], GIT_X86, "CVE-2023-12345")
    assert suppressed([MINIMAL], GIT_ARM, "CVE-2023-12345")
    # The statement names armv7 and x86_64 only: not aarch64, not another version, not another CVE
    assert not suppressed([MINIMAL], GIT_AARCH64, "CVE-2023-12345")
    assert not suppressed([MINIMAL], GIT_NEWER, "CVE-2023-12345")
    assert not suppressed([MINIMAL], GIT_X86, "CVE-2023-12346")
    assert decide([MINIMAL], GIT_X86, "CVE-2023-12345").reason == (
        "vex: fixed from https://openvex.dev/docs/example/vex-9fb3463de1b57"
    )


def test_spring_example_with_alias_and_justification() -> None:
    spring = package("maven", "spring-boot", "2.6.0-M3", namespace="org.springframework.boot")
    statement = decide([SPRING], spring, "GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228")
    assert statement is not None and statement.suppresses
    assert statement.justification == "vulnerable_code_not_in_execute_path"
    assert statement.reason.startswith(
        f"vex: not_affected (vulnerable_code_not_in_execute_path) from {SPRING_DOC_ID}: Spring Boot users"
    )
    # the statement's alias matches a finding named by the CVE too
    assert suppressed([SPRING], spring, "CVE-2021-44228")
    # other versions, and log4j-core itself (the statement does not name it), stay reported
    assert not suppressed(
        [SPRING],
        package("maven", "spring-boot", "2.6.1", namespace="org.springframework.boot"),
        "CVE-2021-44228",
    )
    log4j = package("maven", "log4j-core", "2.14.1", namespace="org.apache.logging.log4j")
    assert not suppressed([SPRING], log4j, "CVE-2021-44228")


def test_latest_statement_wins() -> None:
    assert suppressed([INHERITED], GIT_ARM, "CVE-2023-12345")  # fixed, issued after under_investigation
    later_affected = {
        **INHERITED,
        "statements": [
            {**INHERITED["statements"][1], "status": "fixed", "timestamp": "2023-01-08T00:00:00Z"},
            {
                **INHERITED["statements"][0],
                "status": "affected",
                "action_statement": "upgrade to 2.39.1-r0",
                "timestamp": "2023-01-10T00:00:00Z",
            },
        ],
    }
    statement = decide([later_affected], GIT_ARM, "CVE-2023-12345")
    assert statement is not None and statement.status == "affected" and not statement.suppresses
    # across documents: a later document's affected withdraws an earlier not_affected
    assert not suppressed([MINIMAL, later_affected], GIT_ARM, "CVE-2023-12345")


@pytest.mark.parametrize("status", ["affected", "under_investigation"])
def test_statuses_that_do_not_suppress(status: str) -> None:
    document = json.loads(json.dumps(MINIMAL))
    document["statements"][0]["status"] = status
    statement = decide([document], GIT_X86, "CVE-2023-12345")
    assert statement is not None and statement.status == status
    assert not statement.suppresses


def test_image_product_with_subcomponents() -> None:
    qs = package("npm", "qs", "6.7.0", paths=("app/node_modules/qs/package.json",))
    express = package("npm", "express", "4.17.1", paths=("app/node_modules/express/package.json",))
    scout = image("docker.io/acme/scout-demo-service:v1")
    assert suppressed([SCOUT], qs, "CVE-2022-24999", info=scout)
    assert suppressed([SCOUT], express, "CVE-2022-24999", info=scout)
    # another image, another tag, another version of qs, a package not listed: not covered
    assert not suppressed([SCOUT], qs, "CVE-2022-24999", info=image("docker.io/acme/other:v1"))
    assert not suppressed([SCOUT], qs, "CVE-2022-24999", info=image("docker.io/acme/scout-demo-service:v2"))
    assert not suppressed([SCOUT], package("npm", "qs", "6.9.0"), "CVE-2022-24999", info=scout)
    assert not suppressed([SCOUT], package("npm", "body-parser", "1.19.0"), "CVE-2022-24999", info=scout)


DIGEST = "sha256:" + "ab" * 32


def oci_statement(product: dict[str, Any], status: str = "not_affected") -> dict[str, Any]:
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/image-1",
        "author": "platform team",
        "timestamp": "2024-05-01T00:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2023-44487"},
                "products": [product],
                "status": status,
                "justification": "vulnerable_code_not_present",
            }
        ],
    }


@pytest.mark.parametrize(
    ("product", "info", "expected"),
    [
        ({"@id": f"pkg:oci/api@{DIGEST.replace(':', '%3A')}"}, image(manifest_digest=DIGEST), True),
        ({"@id": f"pkg:oci/api@{DIGEST}"}, image(manifest_digest="sha256:" + "cd" * 32), False),
        (
            {"@id": "pkg:oci/api?repository_url=registry.example.com/shop/api"},
            image("registry.example.com/shop/api:1.2"),
            True,
        ),
        (
            {"@id": "pkg:oci/api?repository_url=registry.example.com/shop/api"},
            image("registry.example.com/other/api:1.2"),
            False,
        ),
        (
            {"@id": "pkg:oci/rocky-synth"},
            image("docker-archive:/x.tar", repo_tags=("docker.io/library/rocky-synth:latest",)),
            True,
        ),
        (
            {"identifiers": {"purl": "pkg:oci/rocky-synth?tag=9"}},
            image(repo_tags=("docker.io/library/rocky-synth:latest",)),
            False,
        ),
        (
            {"@id": "https://example.com/image", "hashes": {"sha-256": DIGEST.removeprefix("sha256:")}},
            image(config_digest=DIGEST),
            True,
        ),
    ],
)
def test_image_product_without_subcomponents_covers_every_package(product, info, expected: bool) -> None:
    golang_net = package("golang", "golang.org/x/net", "v0.7.0", paths=("usr/local/bin/api",))
    assert suppressed([oci_statement(product)], golang_net, "CVE-2023-44487", info=info) is expected


def test_not_affected_needs_a_justification_or_impact_statement() -> None:
    document = oci_statement({"@id": "pkg:oci/api"})
    del document["statements"][0]["justification"]
    with pytest.raises(VexError, match="statement 1: not_affected needs a justification"):
        parse_vex(json.dumps(document), "x.json")
    document["statements"][0]["impact_statement"] = "the HTTP/2 server is not built in"
    assert parse_vex(json.dumps(document)).statements[0].impact_statement


def test_openvex_0_0_1_strings() -> None:
    legacy = {
        "@context": "https://openvex.dev/ns",
        "@id": "https://openvex.dev/docs/example/legacy",
        "author": "a",
        "timestamp": "2023-01-08T18:02:03Z",
        "statements": [
            {
                "vulnerability": "CVE-2023-12345",
                "products": ["pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"],
                "status": "fixed",
            }
        ],
    }
    assert suppressed([legacy], GIT_X86, "CVE-2023-12345")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"hello": 1}', "neither OpenVEX"),
        ('{"@context": "https://openvex.dev/ns", "statements": {}}', "'statements' must be a list"),
        (
            '{"@context": "https://openvex.dev/ns", "statements": [{"vulnerability": {"name": "CVE-1"}, '
            '"status": "maybe"}]}',
            "statement 1: status 'maybe'",
        ),
        ('{"@context": "https://openvex.dev/ns", "statements": [{"status": "fixed"}]}', "statement 1"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}', "no 'vulnerabilities'"),
        (
            '{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "fine"}}]}',
            "analysis.state 'fine'",
        ),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_malformed_documents(text: str, message: str) -> None:
    with pytest.raises(VexError, match=message) as caught:
        parse_vex(text, "doc.json")
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_load_vex_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "spring.openvex.json"
    path.write_text(SPRING)
    assert load_vex(path).statements[0].vulnerability == "CVE-2021-44228"
    with pytest.raises(VexError, match="cannot read VEX file"):
        load_vex(tmp_path / "missing.json")


# --- CycloneDX VEX -----------------------------------------------------------------------------------

# CycloneDX bom-examples VEX/vex.json: jackson-databind named by a BOM-Link into another BOM.
CDX_VEX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.4",
    "version": 1,
    "vulnerabilities": [
        {
            "id": "CVE-2020-25649",
            "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-25649"},
            "references": [
                {
                    "id": "SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",
                    "source": {
                        "name": "SNYK",
                        "url": "https://security.snyk.io/vuln/SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",
                    },
                }
            ],
            "analysis": {
                "state": "not_affected",
                "justification": "code_not_reachable",
                "response": "will_not_fix",
                "detail": "Automated dataflow analysis and manual code review indicates that the "
                "vulnerable code is not reachable, either directly or indirectly.",
            },
            "affects": [
                {
                    "ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1"
                    "#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
                }
            ],
        }
    ],
}

JACKSON = package("maven", "jackson-databind", "2.10.0", namespace="com.fasterxml.jackson.core")


def test_cyclonedx_vex_with_bom_link() -> None:
    statement = decide([CDX_VEX], JACKSON, "GHSA-288c-cq4h-88gq", "CVE-2020-25649")
    assert statement is not None and statement.suppresses
    assert statement.reason.startswith(
        "vex: not_affected (code_not_reachable) from <vex>: Automated dataflow"
    )
    # the reference's ID is an alias of the vulnerability
    assert suppressed([CDX_VEX], JACKSON, "SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302")
    # the qualifier type=jar is only on one side; another version is not covered
    newer = package("maven", "jackson-databind", "2.10.5", namespace="com.fasterxml.jackson.core")
    assert not suppressed([CDX_VEX], newer, "CVE-2020-25649")


def cisa_case_1(state: str, **analysis: str) -> dict[str, Any]:
    """CycloneDX bom-examples VEX/CISA-Use-Cases/Case-1, the product given a purl (the example has none)."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {
            "timestamp": "2022-03-03T00:00:00Z",
            "component": {
                "name": "ABC",
                "version": "4.2",
                "type": "application",
                "bom-ref": "product-ABC",
                "purl": "pkg:generic/acme/abc@4.2",
            },
        },
        "vulnerabilities": [
            {
                "id": "CVE-2021-44228",
                "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"},
                "analysis": {"state": state, **analysis},
                "affects": [{"ref": "product-ABC"}],
            }
        ],
    }


ABC = package("generic", "abc", "4.2", namespace="acme")


@pytest.mark.parametrize(
    ("state", "status", "suppresses"),
    [
        ("not_affected", "not_affected", True),
        ("resolved", "fixed", True),
        ("resolved_with_pedigree", "fixed", True),
        ("false_positive", "not_affected", True),
        ("exploitable", "affected", False),
        ("in_triage", "under_investigation", False),
    ],
)
def test_cyclonedx_states(state: str, status: str, suppresses: bool) -> None:
    statement = decide([cisa_case_1(state, justification="code_not_present")], ABC, "CVE-2021-44228")
    assert statement is not None
    assert statement.status == status and statement.suppresses is suppresses
    assert statement.document == "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"


def test_cyclonedx_vex_about_components_and_the_image() -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {
            "component": {
                "bom-ref": "image",
                "type": "container",
                "name": "registry.example.com/shop/api:1.2",
            }
        },
        "components": [
            {
                "bom-ref": "musl-ref",
                "type": "library",
                "name": "musl",
                "version": "1.1.24-r2",
                "purl": "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5",
            },
        ],
        "vulnerabilities": [
            {
                "id": "CVE-2019-14697",
                "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                "affects": [{"ref": "musl-ref"}],
            },
            {"id": "CVE-2020-28928", "analysis": {"state": "resolved"}, "affects": [{"ref": "image"}]},
            {
                "id": "CVE-2021-0001",
                "analysis": {"state": "not_affected"},
                "affects": [{"ref": "unknown-ref"}],
            },
            {
                "id": "CVE-2021-0002",
                "analysis": {"state": "not_affected"},
                "affects": [
                    {"ref": "musl-ref", "versions": [{"range": "vers:apk/<1.2", "status": "unaffected"}]}
                ],
            },
            {"id": "CVE-2021-0003", "affects": [{"ref": "musl-ref"}]},
        ],
    }
    musl = package("apk", "musl", "1.1.24-r2", arch="x86_64", distro="alpine-3.11.5")
    api = image("registry.example.com/shop/api:1.2")
    # Trivy writes distro=3.11.5, we write alpine-3.11.5: the same release
    assert suppressed([document], musl, "CVE-2019-14697", info=api)
    assert suppressed([document], musl, "CVE-2020-28928", info=api)  # the whole image
    assert not suppressed([document], musl, "CVE-2020-28928", info=image("registry.example.com/shop/web:1.2"))
    parsed = parse_vex(json.dumps(document), "doc.json")
    assert not suppressed([parsed], musl, "CVE-2021-0001", info=api)
    assert not suppressed([parsed], musl, "CVE-2021-0002", info=api)  # ranges are not evaluated
    assert [s.vulnerability for s in parsed.statements][-1] == "CVE-2021-0002"  # no analysis: no statement
    assert any("unknown-ref" in w for w in parsed.warnings)
    assert any("ranges are not evaluated" in w for w in parsed.warnings)


# --- purl matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "actual", "expected"),
    [
        # Trivy writes a deb epoch as a qualifier; dpkg (and our purls) keep it in the version
        (
            "pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?epoch=1",
            "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3",
            True,
        ),
        ("pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3", "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3", False),
        (
            "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?epoch=1",
            "pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?epoch=1",
            True,
        ),
        ("pkg:apk/alpine/musl?distro=3.11.5", "pkg:apk/alpine/musl@1.1.24-r2?distro=alpine-3.11.5", True),
        (
            "pkg:apk/alpine/musl?distro=alpine-3.12.0",
            "pkg:apk/alpine/musl@1.1.24-r2?distro=alpine-3.11.5",
            False,
        ),
        ("pkg:npm/%40babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0", True),
        ("pkg:golang/github.com/Sirupsen/logrus", "pkg:golang/github.com/sirupsen/logrus@v1.0.0", False),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core",
            "pkg:maven/org.apache.logging.log4j/log4j-api@2.0",
            False,
        ),
        ("pkg:pypi/django?extra=1", "pkg:pypi/django@3.2", True),
    ],
)
def test_purl_matching(wanted: str, actual: str, expected: bool) -> None:
    assert purl_matches(parse_purl(wanted), parse_purl(actual)) is expected
