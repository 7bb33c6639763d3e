"""CycloneDX 1.6: validated by cyclonedx-python-lib's strict validator against the official
CycloneDX 1.6 JSON schema (with its SPDX licence-id and JSF sub-schemas) that the library ships."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from seawall.inventory.purl import purl_for
from seawall.model import Inventory, Location, Package
from seawall.report import RenderOptions, render
from seawall.report.cyclonedx import licenses
from tests.report import inventories as inv

VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


def cdx(inventory: Inventory, timestamp: str = "") -> str:
    return render(inventory, "cyclonedx", RenderOptions(timestamp=timestamp))


def assert_valid(text: str) -> dict[str, Any]:
    error = VALIDATOR.validate_str(text)
    assert error is None, str(error)
    document: dict[str, Any] = json.loads(text)
    return document


def component_for(document: dict[str, Any], package: Package) -> dict[str, Any]:
    purl = purl_for(package)
    found: list[dict[str, Any]] = [c for c in document["components"] if c.get("purl") == purl]
    assert len(found) == 1, purl
    return found[0]


def properties(component: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["name"], p["value"]) for p in component.get("properties", [])]


@pytest.mark.parametrize("inventory", [inv.FULL, inv.EMPTY], ids=["full", "empty"])
def test_valid_against_the_official_schema(inventory: Inventory) -> None:
    document = assert_valid(cdx(inventory))
    assert document["bomFormat"] == "CycloneDX"
    assert document["specVersion"] == "1.6"


def test_the_validator_does_reject_a_broken_document() -> None:
    document = json.loads(cdx(inv.FULL))
    document["components"][1]["licenses"] = [{"license": {"id": "Not-A-Licence"}}]
    assert VALIDATOR.validate_str(json.dumps(document)) is not None
    document = json.loads(cdx(inv.FULL))
    document["components"][1]["type"] = "package"
    assert VALIDATOR.validate_str(json.dumps(document)) is not None


def test_image_is_the_metadata_component() -> None:
    image = assert_valid(cdx(inv.FULL))["metadata"]["component"]
    assert image["type"] == "container"
    assert image["name"] == "oci:build/app:1.0"
    assert image["version"] == inv.MANIFEST
    props = properties(image)
    assert ("seawall:image:os", "linux") in props
    assert ("seawall:image:architecture", "amd64") in props
    assert ("seawall:image:config_digest", inv.CONFIG) in props
    assert [v for n, v in props if n == "seawall:image:layer:diff_id"] == [inv.L0, inv.L1, inv.L2]


def test_os_is_an_operating_system_component() -> None:
    document = assert_valid(cdx(inv.FULL))
    systems = [c for c in document["components"] if c["type"] == "operating-system"]
    assert len(systems) == 1
    assert (systems[0]["name"], systems[0]["version"]) == ("debian", "12.7")
    assert ("seawall:os:codename", "bookworm") in properties(systems[0])


def test_every_package_is_a_component_with_its_purl() -> None:
    document = assert_valid(cdx(inv.FULL))
    libraries = [c for c in document["components"] if c["type"] == "library"]
    assert len(libraries) == len(inv.PACKAGES)
    assert sorted(c["purl"] for c in libraries) == sorted(purl_for(p) for p in inv.PACKAGES)
    refs = [c["bom-ref"] for c in document["components"]] + [document["metadata"]["component"]["bom-ref"]]
    assert len(refs) == len(set(refs))
    batik = component_for(document, inv.BATIK)
    assert (batik["group"], batik["name"], batik["version"]) == (
        "org.apache.xmlgraphics",
        "batik-anim",
        "1.9.1",
    )


def test_seawall_properties() -> None:
    document = assert_valid(cdx(inv.FULL))
    ssl = properties(component_for(document, inv.LIBSSL))
    assert ("seawall:path", "var/lib/dpkg/status") in ssl
    assert ("seawall:layer:diff_id", inv.L0) in ssl
    assert ("seawall:found_by", "dpkg") in ssl
    assert ("seawall:os_managed", "false") in ssl
    assert ("seawall:source_name", "openssl") in ssl
    assert ("seawall:os_managed", "true") in properties(component_for(document, inv.FLASK_SQLA))
    assert ("seawall:package:rpm:modularitylabel", "curl:1:9030020231212:abc") in properties(
        component_for(document, inv.CURL_RPM)
    )
    typing = properties(component_for(document, inv.TYPING_EXT))
    assert [v for n, v in typing if n == "seawall:path"] == [loc.path for loc in inv.TYPING_EXT.locations]
    assert [v for n, v in typing if n == "seawall:layer:diff_id"] == [inv.L1, inv.L2]


def test_licences_in_the_document() -> None:
    document = assert_valid(cdx(inv.FULL))
    assert component_for(document, inv.LIBSSL)["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert component_for(document, inv.ANGULAR)["licenses"] == [{"license": {"id": "MIT"}}]  # was "mit"
    assert component_for(document, inv.ZLIB)["licenses"] == [
        {"license": {"id": "Zlib"}},
        {"license": {"name": "GPL-2+"}},
    ]
    assert component_for(document, inv.FLASK_SQLA)["licenses"] == [{"expression": "BSD-3-Clause OR MIT"}]
    assert component_for(document, inv.SERDE)["licenses"] == [
        {"expression": "(MIT OR Apache-2.0) AND Unicode-DFS-2016"}
    ]
    assert component_for(document, inv.TYPING_EXT)["licenses"] == [
        {"license": {"name": "Python Software Foundation License"}}
    ]
    assert "licenses" not in component_for(document, inv.LEFTPAD)


def test_licence_choice_cannot_mix_expression_and_free_text() -> None:
    assert licenses(("MIT OR Apache-2.0", "Some custom licence")) == [
        {"license": {"name": "MIT OR Apache-2.0"}},
        {"license": {"name": "Some custom licence"}},
    ]
    assert licenses(("MIT", " MIT ", "")) == [{"license": {"id": "MIT"}}]


def test_dependencies_image_holds_os_and_apps_os_holds_its_packages() -> None:
    document = assert_valid(cdx(inv.FULL))
    graph = {d["ref"]: set(d["dependsOn"]) for d in document["dependencies"]}
    os_packages = {purl_for(p) for p in inv.PACKAGES if p.type in {"deb", "rpm"}}
    apps = {purl_for(p) for p in inv.PACKAGES} - os_packages
    assert graph["os:debian-12"] == os_packages
    assert graph["image"] == apps | {"os:debian-12"}


def test_same_input_same_bytes() -> None:
    first = cdx(inv.FULL)
    assert cdx(inv.FULL) == first
    shuffled = replace(inv.FULL, packages=tuple(reversed(inv.PACKAGES)))
    assert cdx(shuffled) == first


def test_serial_number_is_derived_from_the_content() -> None:
    serial = json.loads(cdx(inv.FULL))["serialNumber"]
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", serial
    )
    changed = replace(inv.FULL, packages=(*inv.PACKAGES[:-1], replace(inv.LEFTPAD, version="1.3.1")))
    assert json.loads(cdx(changed))["serialNumber"] != serial
    assert json.loads(cdx(inv.FULL, "2025-01-01T00:00:00Z"))["serialNumber"] != serial


def test_timestamp_from_argument_then_image_then_epoch() -> None:
    assert json.loads(cdx(inv.FULL))["metadata"]["timestamp"] == "2024-03-05T10:11:12Z"
    stamped = cdx(inv.FULL, "2025-06-01T12:00:00+02:00")
    assert json.loads(stamped)["metadata"]["timestamp"] == "2025-06-01T10:00:00Z"
    assert json.loads(cdx(inv.EMPTY))["metadata"]["timestamp"] == "1970-01-01T00:00:00Z"
    garbage = replace(inv.FULL, image=replace(inv.IMAGE, created="yesterday"))
    assert json.loads(cdx(garbage))["metadata"]["timestamp"] == "1970-01-01T00:00:00Z"
    with pytest.raises(ValueError):
        cdx(inv.FULL, "tomorrow")


def test_hostile_strings_stay_valid_json_and_schema_valid() -> None:
    nasty = Package(
        type="npm",
        name='x"\n\x1b[31m\udcff',
        version="1.0\u202e",
        licenses=("(MIT", "MIT OR" + " (" * 50 + "MIT" + ")" * 50, "\x00"),
        locations=(Location("a\nb", inv.L2),),
    )
    text = cdx(replace(inv.FULL, packages=(nasty, nasty)))
    text.encode("utf-8")  # writable as UTF-8 even with a lone surrogate in the input
    document = assert_valid(text)
    names = [c["name"] for c in document["components"] if c["type"] == "library"]
    assert names == [nasty.name, nasty.name]
    refs = [c["bom-ref"] for c in document["components"]]
    assert len(refs) == len(set(refs))
