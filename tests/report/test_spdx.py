"""SPDX 2.3 JSON.

Schema validity is checked against the SPDX 2.3 JSON schema as the lib4sbom package ships it
(``lib4sbom/schemas/spdx/2.3-schema.json``): the only PyPI package found that carries it. Its text
is the SPDX project's released 2.3 schema (``schemas/spdx-schema-2-3.json`` of spdx/spdx-spec)
except that it also requires ``name`` on snippets, which these documents never contain. Beyond
the schema, the tests check what the schema cannot: unique SPDXIDs, relationships that point at
real elements, every LicenseRef defined, licence expressions that parse.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seawall.inventory.purl import purl_for
from seawall.model import Inventory, Location, Package
from seawall.report import RenderOptions, render
from seawall.report.licenses import expression
from tests.report import inventories as inv


def _spdx_schema() -> dict[str, Any] | None:
    spec = importlib.util.find_spec("lib4sbom")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "schemas" / "spdx" / "2.3-schema.json"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


SCHEMA = _spdx_schema()
needs_schema = pytest.mark.skipif(
    SCHEMA is None, reason="lib4sbom (ships the SPDX 2.3 JSON schema) not installed"
)


def spdx(inventory: Inventory, timestamp: str = "") -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(inventory, "spdx-json", RenderOptions(timestamp=timestamp)))
    return document


def by_purl(document: dict[str, Any], package: Package) -> dict[str, Any]:
    purl = purl_for(package)
    found: list[dict[str, Any]] = [
        p
        for p in document["packages"]
        if any(ref["referenceLocator"] == purl for ref in p.get("externalRefs", []))
    ]
    assert len(found) == 1, purl
    return found[0]


@needs_schema
def test_the_schema_is_the_spdx_2_3_schema() -> None:
    assert SCHEMA is not None
    assert SCHEMA["$id"] == "http://spdx.org/rdf/terms/2.3"
    assert SCHEMA["title"] == "SPDX 2.3"


@needs_schema
@pytest.mark.parametrize("inventory", [inv.FULL, inv.EMPTY], ids=["full", "empty"])
def test_valid_against_the_spdx_2_3_schema(inventory: Inventory) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(spdx(inventory))]
    assert errors == []


@needs_schema
def test_the_schema_does_reject_a_broken_document() -> None:
    validator = jsonschema.Draft7Validator(SCHEMA)
    document = spdx(inv.FULL)
    document["packages"][2]["primaryPackagePurpose"] = "PLUGIN"
    del document["packages"][3]["downloadLocation"]
    assert len(list(validator.iter_errors(document))) == 2


def test_document_header() -> None:
    document = spdx(inv.FULL)
    assert document["spdxVersion"] == "SPDX-2.3"
    assert document["dataLicense"] == "CC0-1.0"
    assert document["SPDXID"] == "SPDXRef-DOCUMENT"
    assert document["name"] == "oci:build/app:1.0"
    assert document["creationInfo"]["created"] == "2024-03-05T10:11:12Z"
    assert document["creationInfo"]["creators"] == ["Tool: seawall-0.1.0"]
    assert re.fullmatch(r"\d+\.\d+", document["creationInfo"]["licenseListVersion"])


def test_ids_are_unique_and_well_formed() -> None:
    ids = [p["SPDXID"] for p in spdx(inv.FULL)["packages"]]
    assert len(ids) == len(set(ids)) == len(inv.PACKAGES) + 2
    assert all(re.fullmatch(r"SPDXRef-[a-zA-Z0-9.-]+", i) for i in ids)


def test_relationships_describe_the_image_which_contains_the_rest() -> None:
    document = spdx(inv.FULL)
    ids = {p["SPDXID"] for p in document["packages"]} | {"SPDXRef-DOCUMENT"}
    relations = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in document["relationships"]
    }
    assert all(a in ids and b in ids for a, _, b in relations)
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image") in relations
    assert ("SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem") in relations
    for package in inv.PACKAGES:
        holder = "SPDXRef-OperatingSystem" if package.type in {"deb", "rpm"} else "SPDXRef-Image"
        assert (holder, "CONTAINS", by_purl(document, package)["SPDXID"]) in relations
    assert len(relations) == len(inv.PACKAGES) + 2


def test_image_and_os_packages() -> None:
    document = spdx(inv.FULL)
    image = next(p for p in document["packages"] if p["SPDXID"] == "SPDXRef-Image")
    assert image["versionInfo"] == inv.MANIFEST
    assert image["primaryPackagePurpose"] == "CONTAINER"
    assert "platform linux/amd64" in image["comment"]
    system = next(p for p in document["packages"] if p["SPDXID"] == "SPDXRef-OperatingSystem")
    assert (system["name"], system["versionInfo"], system["primaryPackagePurpose"]) == (
        "debian",
        "12.7",
        "OPERATING_SYSTEM",
    )


def test_packages_carry_purl_version_and_where_found() -> None:
    document = spdx(inv.FULL)
    for package in inv.PACKAGES:
        entry = by_purl(document, package)
        assert entry["name"] == package.name
        assert entry["versionInfo"] == package.version
        assert entry["externalRefs"] == [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": purl_for(package),
            }
        ]
    ssl = by_purl(document, inv.LIBSSL)
    assert ssl["sourceInfo"] == f"found by dpkg in var/lib/dpkg/status (layer 0: {inv.L0})"
    assert "source package openssl 3.0.15-1~deb12u1" in ssl["comment"]
    assert "groupId org.apache.xmlgraphics" in by_purl(document, inv.BATIK)["comment"]
    assert "introduced in layer 1" in by_purl(document, inv.TYPING_EXT)["comment"]


def test_declared_licences() -> None:
    document = spdx(inv.FULL)
    assert by_purl(document, inv.LIBSSL)["licenseDeclared"] == "Apache-2.0"
    assert by_purl(document, inv.ANGULAR)["licenseDeclared"] == "MIT"
    assert by_purl(document, inv.FLASK_SQLA)["licenseDeclared"] == "BSD-3-Clause OR MIT"
    assert by_purl(document, inv.SERDE)["licenseDeclared"] == "(MIT OR Apache-2.0) AND Unicode-DFS-2016"
    assert by_purl(document, inv.LEFTPAD)["licenseDeclared"] == "NOASSERTION"
    zlib = by_purl(document, inv.ZLIB)["licenseDeclared"]
    assert re.fullmatch(r"Zlib AND LicenseRef-GPL-2-[0-9a-f]{8}", zlib)
    typing = by_purl(document, inv.TYPING_EXT)["licenseDeclared"]
    assert typing.startswith("LicenseRef-Python-Software-Foundation-License")


def test_every_licence_ref_is_defined_once_and_used() -> None:
    document = spdx(inv.FULL)
    infos = document["hasExtractedLicensingInfos"]
    defined = {i["licenseId"]: i["extractedText"] for i in infos}
    assert len(defined) == len(infos)
    used = set()
    for package in document["packages"]:
        declared = package["licenseDeclared"]
        assert declared == "NOASSERTION" or expression(declared) is not None
        used.update(re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", declared))
    assert used == set(defined)
    assert set(defined.values()) == {"GPL-2+", "Python Software Foundation License"}


def test_a_licence_ref_given_by_the_package_is_defined_too() -> None:
    package = Package(type="npm", name="x", version="1", licenses=("LicenseRef-Acme OR MIT",))
    document = spdx(replace(inv.EMPTY, packages=(package,)))
    declared = document["packages"][1]["licenseDeclared"]
    assert [i["licenseId"] for i in document["hasExtractedLicensingInfos"]] == [declared]
    assert document["hasExtractedLicensingInfos"][0]["extractedText"] == "LicenseRef-Acme OR MIT"


def test_same_input_same_bytes_and_namespace_follows_content() -> None:
    options = RenderOptions()
    first = render(inv.FULL, "spdx-json", options)
    assert render(replace(inv.FULL, packages=tuple(reversed(inv.PACKAGES))), "spdx-json", options) == first
    namespace = json.loads(first)["documentNamespace"]
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", namespace
    )
    assert "#" not in namespace
    changed = replace(inv.FULL, packages=(*inv.PACKAGES[:-1], replace(inv.LEFTPAD, version="9")))
    assert spdx(changed)["documentNamespace"] != namespace
    assert spdx(inv.FULL, "2030-01-01T00:00:00Z")["documentNamespace"] != namespace


@needs_schema
def test_hostile_strings_stay_valid() -> None:
    nasty = Package(
        type="pypi",
        name="\x1b]0;pwn\x07\udcff",
        version="1\n2",
        licenses=("((((", "\u202eMIT"),
        locations=(Location("a\nb"),),
    )
    text = render(replace(inv.FULL, packages=(nasty, nasty)), "spdx-json")
    text.encode("utf-8")
    document = json.loads(text)
    ids = [p["SPDXID"] for p in document["packages"]]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"SPDXRef-[a-zA-Z0-9.-]+", i) for i in ids)
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(document)) == []


def test_official_spdx_tools_find_no_problem(tmp_path: Path) -> None:
    """spdx-tools (the SPDX project's Python library) checks what JSON Schema cannot."""
    pytest.importorskip("spdx_tools", reason="spdx-tools not installed")
    from spdx_tools.spdx.parser.json import json_parser
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    for inventory in (inv.FULL, inv.EMPTY):
        path = tmp_path / "sbom.spdx.json"
        path.write_text(render(inventory, "spdx-json"), encoding="utf-8")
        messages = validate_full_spdx_document(json_parser.parse_from_file(str(path)))
        assert [m.validation_message for m in messages] == []
