"""``registry scan`` against a real registry: every tag, each digest indexed once, no layer downloaded
again; findings from the upstream Alpine secdb sample (zlib 1.2.11-r3: CVE-2018-25032 fixed in
1.2.12-r0, CVE-2022-37434 fixed in 1.2.12-r2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from seawall.cli.registry import registry as registry_group
from seawall.errors import SeawallError
from seawall.registry.client import RegistryClient
from seawall.watch.registry_scan import resolve_tags, scan_registry, selected, split_target
from seawall.watch.report import images_with_package, summarize
from seawall.watch.store import ResultsStore
from tests.registry.servers import RegistryProcess
from tests.watch.conftest import Webhook, blob_gets, options_for

ZLIB = {"CVE-2018-25032": "1.2.12-r0", "CVE-2022-37434": "1.2.12-r2"}


def digest_of(registry: RegistryProcess, repository: str, tag: str) -> str:
    client = RegistryClient(registry.host, options_for(registry.host))
    try:
        return client.head_manifest(repository, tag).digest
    finally:
        client.close()


def test_targets_and_globs() -> None:
    assert split_target("127.0.0.1:5000/apps/alpine") == ("127.0.0.1:5000", "apps/alpine")
    assert split_target("reg.example:443") == ("reg.example:443", "")
    with pytest.raises(SeawallError):
        split_target("/apps")
    assert selected("apps/alpine", "1.0", ("apps/*",), ())
    assert not selected("base/hardened", "latest", ("apps/*",), ())
    assert not selected("apps/alpine", "1.0", (), ("*:1.*",))
    assert selected("apps/alpine", "latest", (), ("*:1.*",))


def test_scan_indexes_each_digest_once_and_a_rescan_downloads_nothing(
    registry: RegistryProcess, new_db: Path, tmp_path: Path
) -> None:
    options = options_for(registry.host)
    alpine = digest_of(registry, "apps/alpine", "latest")
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        first = scan_registry(store, registry.host, db_path=new_db, cache_dir=tmp_path / "c", options=options)
        assert (first.repositories, first.tags, len(first.digests)) == (3, 4, 3)
        assert len(first.indexed) == 3 and alpine in first.indexed and not first.warnings
        tags = {(t.repository, t.tag): t.digest for t in store.tag_rows()}
        assert tags[("apps/alpine", "1.0")] == tags[("apps/alpine", "latest")] == alpine

        before = blob_gets(registry)
        second = scan_registry(
            store, registry.host, db_path=new_db, cache_dir=tmp_path / "c2", options=options
        )
        assert second.indexed == [] and blob_gets(registry) == before
        assert second.new_findings == 0 and second.tags == 4

        found = {(f.advisory, f.package, f.version, f.fixed) for f in store.findings_of([alpine])}
        assert found == {(cve, "zlib", "1.2.11-r3", fixed) for cve, fixed in ZLIB.items()}


def test_include_and_exclude_choose_repositories_and_tags(
    registry: RegistryProcess, new_db: Path, tmp_path: Path
) -> None:
    with ResultsStore.open(f"sqlite:///{tmp_path / 'results.db'}") as store:
        outcome = scan_registry(
            store,
            registry.host,
            include=("apps/*",),
            exclude=("*:1.0",),
            db_path=new_db,
            cache_dir=tmp_path / "c",
            options=options_for(registry.host),
        )
        assert outcome.tags == 2
        assert {(t.repository, t.tag) for t in store.tag_rows()} == {
            ("apps/alpine", "latest"),
            ("apps/rocky", "latest"),
        }


def test_report_counts_per_tag_and_answers_which_images_hold_a_package(
    registry: RegistryProcess, new_db: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    with ResultsStore.open(url) as store:
        scan_registry(
            store,
            registry.host,
            "apps/alpine",
            db_path=new_db,
            cache_dir=tmp_path / "c",
            options=options_for(registry.host),
        )
        summaries = {s.tag: s for s in summarize(store)}
        assert set(summaries) == {"1.0", "latest"}
        assert sum(summaries["latest"].counts.values()) == 2
        assert {f["advisory"] for f in summaries["1.0"].newest} == set(ZLIB)
        hits = images_with_package(store, "zlib", "1.2.11-r3")
        assert {(h.repository, h.tag) for h in hits} == {("apps/alpine", "1.0"), ("apps/alpine", "latest")}
        assert images_with_package(store, "zlib", "1.2.12-r2") == []
        assert images_with_package(store, "no-such-package") == []

    runner = CliRunner()
    result = runner.invoke(registry_group, ["report", "--store", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {(d["repository"], d["tag"]) for d in document} == {
        ("apps/alpine", "1.0"),
        ("apps/alpine", "latest"),
    }
    table = runner.invoke(registry_group, ["report", "--store", url, "--package", "zlib"])
    assert table.exit_code == 0 and "apps/alpine:latest" in table.output and "1.2.11-r3" in table.output


def test_cli_scan_summarises(registry: RegistryProcess, new_db: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    result = CliRunner().invoke(
        registry_group,
        ["scan", f"{registry.host}/apps/rocky", "--store", url, "--db", str(new_db),
         "--cache-dir", str(tmp_path), "--insecure-registry", registry.host],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 repositories, 1 tags, 1 digests (1 indexed now)" in result.output
    bad = CliRunner().invoke(registry_group, ["report", "--store", "nosuchdialect://x"])
    assert bad.exit_code != 0 and "results store" in str(bad.exception or bad.output)


class _ListingClient:
    """Stands in for a registry that lists a tag which is not a valid tag name (a path, here)."""

    registry = "registry.invalid"

    def tags(self, repository: str) -> list[str]:
        return ["1.0", "../../../v2/_catalog", "latest"]

    def head_manifest(self, repository: str, tag: str) -> object:
        class Head:
            digest = f"sha256:{'a' * 63}{len(tag)}"

        return Head()


def test_invalid_tag_names_from_the_registry_are_skipped() -> None:
    warnings: list[str] = []
    found = resolve_tags(_ListingClient(), "apps/x", (), (), warnings)  # type: ignore[arg-type]
    assert set(found) == {"1.0", "latest"}
    assert len(warnings) == 1 and "invalid tag" in warnings[0]


def test_cli_watch_once_notifies_and_records_the_run(
    registry: RegistryProcess, new_db: Path, tmp_path: Path, webhook: Webhook
) -> None:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    args = [
        "watch", f"{registry.host}/apps/alpine", "--once", "--store", url, "--webhook", webhook.url,
        "--db", str(new_db), "--cache-dir", str(tmp_path), "--insecure-registry", registry.host,
    ]  # fmt: skip
    result = CliRunner().invoke(registry_group, args)
    assert result.exit_code == 0, result.output
    assert "2 new findings notified" in result.output and len(webhook.received) == 1
    again = CliRunner().invoke(registry_group, args)
    assert again.exit_code == 0 and "0 new findings notified" in again.output and len(webhook.received) == 1
    closed = "127.0.0.1:9"  # the discard port: nothing listens there
    down_args = ["watch", f"{closed}/apps/alpine", "--once", "--store", url, "--db", str(new_db)]
    down = CliRunner().invoke(registry_group, [*down_args, "--insecure-registry", closed])
    assert down.exit_code == 2
