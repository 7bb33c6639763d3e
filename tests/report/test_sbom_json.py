"""Seawall's own SBOM JSON and its published JSON Schema (draft 2020-12)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seawall.inventory.purl import purl_for
from seawall.model import Inventory, Package
from seawall.report import RenderOptions, render
from seawall.report.sbom_json import SCHEMA_ID, SCHEMA_VERSION
from tests.paths import REPO
from tests.report import inventories as inv

SCHEMA_PATH = REPO / "seawall" / "schemas" / "seawall-sbom.schema.json"
SCHEMA: dict[str, Any] = json.loads(Path(SCHEMA_PATH).read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def as_json(inventory: Inventory, timestamp: str = "") -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(inventory, "json", RenderOptions(timestamp=timestamp)))
    return document


def errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def entry(document: dict[str, Any], package: Package) -> dict[str, Any]:
    found: list[dict[str, Any]] = [p for p in document["packages"] if p["purl"] == purl_for(package)]
    assert len(found) == 1
    return found[0]


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == SCHEMA_ID
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize("inventory", [inv.FULL, inv.EMPTY], ids=["full", "empty"])
def test_output_is_valid_against_the_schema(inventory: Inventory) -> None:
    assert errors(as_json(inventory)) == []


def test_the_schema_is_strict() -> None:
    document = as_json(inv.FULL)
    document["packages"][0]["colour"] = "red"
    document["image"]["layers"][0]["size"] = -1
    del document["os"]["family"]
    document["created"] = "2024-03-05T10:11:12.5Z"
    assert len(errors(document)) == 4


def test_top_level_shape() -> None:
    document = as_json(inv.FULL)
    assert document["schema_version"] == "1.0"
    assert document["generator"] == {"name": "seawall", "version": "0.1.0"}
    assert document["created"] == "2024-03-05T10:11:12Z"
    assert document["warnings"] == ["usr/lib/x/METADATA: truncated"]
    assert document["analyzers"] == [{"name": "dpkg", "version": 1}, {"name": "python-dist", "version": 2}]
    assert document["os"] == {
        "family": "debian",
        "version": "12.7",
        "name": "Debian GNU/Linux 12 (bookworm)",
        "codename": "bookworm",
        "distro": "debian-12",
        "like": [],
        "source": "etc/os-release",
    }
    assert as_json(inv.EMPTY)["os"] is None


def test_image_and_layers() -> None:
    image = as_json(inv.FULL)["image"]
    assert image["manifest_digest"] == inv.MANIFEST
    assert image["repo_tags"] == ["build/app:1.0"]
    assert [(layer["index"], layer["diff_id"], layer["size"]) for layer in image["layers"]] == [
        (0, inv.L0, 100),
        (1, inv.L1, 200),
        (2, inv.L2, 300),
    ]
    assert image["created"] == "2024-03-05T10:11:12.123456789Z"


def test_packages_keep_every_model_field() -> None:
    document = as_json(inv.FULL)
    curl = entry(document, inv.CURL_RPM)
    assert curl == {
        "purl": "pkg:rpm/rocky/curl@7.76.1-26.el9_3.2?arch=x86_64&distro=rocky-9.3&epoch=1",
        "type": "rpm",
        "namespace": "",
        "name": "curl",
        "version": "1:7.76.1-26.el9_3.2",
        "arch": "x86_64",
        "distro": "rocky-9.3",
        "source_name": "curl",
        "source_version": "7.76.1-26.el9_3.2",
        "licenses": ["MIT"],
        "found_by": "rpm",
        "os_managed": False,
        "layer_index": 0,
        "locations": [{"path": "var/lib/rpm/rpmdb.sqlite", "layer": inv.L0, "layer_index": 0}],
        "properties": [{"name": "rpm:modularitylabel", "value": "curl:1:9030020231212:abc"}],
    }
    typing = entry(document, inv.TYPING_EXT)
    assert typing["layer_index"] == 1
    assert [loc["layer_index"] for loc in typing["locations"]] == [1, 2]
    assert entry(document, inv.FLASK_SQLA)["os_managed"] is True
    assert entry(document, inv.LEFTPAD)["layer_index"] is None
    assert entry(document, inv.BATIK)["namespace"] == "org.apache.xmlgraphics"


def test_packages_sorted_by_type_then_name() -> None:
    document = as_json(replace(inv.FULL, packages=tuple(reversed(inv.PACKAGES))))
    keys = [(p["type"], p["namespace"], p["name"], p["version"]) for p in document["packages"]]
    assert keys == sorted(keys)


def test_a_package_without_a_purl_gets_null() -> None:
    document = as_json(replace(inv.EMPTY, packages=(Package(type="pypi", name="", version="1"),)))
    assert document["packages"][0]["purl"] is None
    assert errors(document) == []


def test_same_input_same_bytes() -> None:
    first = render(inv.FULL, "json")
    assert render(inv.FULL, "json") == first
    assert render(replace(inv.FULL, packages=tuple(reversed(inv.PACKAGES))), "json") == first
    assert as_json(inv.FULL, "2025-01-02T03:04:05Z")["created"] == "2025-01-02T03:04:05Z"
