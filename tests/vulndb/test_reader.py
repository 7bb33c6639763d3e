"""Reading sources as published: directories, zips, tar archives (gzip, zstd), single (compressed) files."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
import zstandard

from seawall.vulndb.errors import SourceError
from seawall.vulndb.feeds import detect_importer
from seawall.vulndb.reader import SourceReader, parse_provenance
from tests.vulndb.data import GO, member, write_tree

GO_RECORD = "golang-vulndb/data/osv/GO-2024-3228.json"
COMMIT = b"a752ea54fd1b989d208a270aeef772f55a36b87a 2026-08-21T13:38:00-07:00\ngolang+vulndb\n"


def _files(reader: SourceReader) -> dict[str, bytes]:
    return {f.path: f.content for f in reader.files(lambda p: p.endswith(".json"))}


def _tar(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_real_archive_streams_members_and_provenance() -> None:
    reader = SourceReader(GO)
    assert reader.kind == "tar"
    paths = [f.path for f in reader.files(lambda p: p == GO_RECORD)]
    assert paths == [GO_RECORD]
    assert reader.provenance.repository == "golang/vulndb"
    assert reader.provenance.revision == "a752ea54fd1b989d208a270aeef772f55a36b87a"
    assert reader.provenance.date == "2026-08-21T13:38:00-07:00"
    assert detect_importer(SourceReader(GO)).name == "osv"


@pytest.mark.parametrize("packaging", ["dir", "zip", "tar", "tar.gz", "tar.zst"])
def test_every_packaging_gives_the_same_files(tmp_path: Path, packaging: str) -> None:
    record = member(GO, GO_RECORD)
    entries = {"db/.source_commit": COMMIT, "db/GO-2024-3228.json": record, "db/README.md": b"x"}
    if packaging == "dir":
        path = write_tree(tmp_path / "db-dir", {k.removeprefix("db/"): v for k, v in entries.items()})
        expected_path = "GO-2024-3228.json"
    else:
        expected_path = "db/GO-2024-3228.json"
        path = tmp_path / f"db.{packaging}"
        if packaging == "zip":
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, content in entries.items():
                    archive.writestr(name, content)
        elif packaging == "tar":
            path.write_bytes(_tar(entries))
        elif packaging == "tar.gz":
            path.write_bytes(gzip.compress(_tar(entries)))
        else:
            path.write_bytes(zstandard.ZstdCompressor().compress(_tar(entries)))
    reader = SourceReader(path)
    assert _files(reader) == {expected_path: record}
    assert reader.provenance.repository == "golang/vulndb"


def test_single_files_plain_and_compressed(tmp_path: Path) -> None:
    csv = b"#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000\ncve,epss,percentile\n"
    plain = tmp_path / "epss_scores-2025-02-20.csv"
    plain.write_bytes(csv)
    packed = tmp_path / "epss_scores-current.csv.gz"
    packed.write_bytes(gzip.compress(csv))
    for path, name in ((plain, "epss_scores-2025-02-20.csv"), (packed, "epss_scores-current.csv")):
        reader = SourceReader(path)
        assert [(f.path, f.content) for f in reader.files(lambda p: True)] == [(name, csv)]
        assert detect_importer(SourceReader(path)).name == "epss"


def test_fingerprints(tmp_path: Path) -> None:
    archive = tmp_path / "a.tar"
    archive.write_bytes(_tar({"x/a.json": b"{}"}))
    first = SourceReader(archive).fingerprint()
    assert first == SourceReader(archive).fingerprint()
    archive.write_bytes(_tar({"x/a.json": b"{ }"}))
    assert SourceReader(archive).fingerprint() != first
    tree = write_tree(tmp_path / "tree", {"a.json": b"{}"})
    before = SourceReader(tree).fingerprint()
    write_tree(tree, {"b.json": b"{}"})
    assert SourceReader(tree).fingerprint() != before


def test_paths_escaping_the_archive_and_oversized_files(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../etc/x.json", b"{}")
        archive.writestr("ok/big.json", b"[" + b" " * 5000 + b"]")
        archive.writestr("ok/small.json", b"{}")
    files = list(SourceReader(path, max_file_bytes=1000).files(lambda p: True))
    assert [(f.path, f.error != "") for f in files] == [("ok/big.json", True), ("ok/small.json", False)]


def test_links_in_a_tree_are_not_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.json": b"{}"})
    tree = write_tree(tmp_path / "tree", {"a.json": b"{}"})
    (tree / "link.json").symlink_to(outside / "secret.json")
    (tree / "dirlink").symlink_to(outside)
    assert list(_files(SourceReader(tree))) == ["a.json"]


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_archives_are_refused(tmp_path: Path, damage: str) -> None:
    data = gzip.compress(_tar({"x/a.json": b"{}" * 5000, "x/b.json": b"{}"}))
    path = tmp_path / "bad.tar.gz"
    path.write_bytes(
        data[: len(data) // 2] if damage == "truncated" else data[:20] + b"\0" * 200 + data[220:]
    )
    with pytest.raises(SourceError, match="corrupt"):
        list(SourceReader(path).files(lambda p: True))


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("seawall.vulndb.reader.BOMB_AFTER", 1024 * 1024)
    path = tmp_path / "bomb.tar.gz"
    path.write_bytes(gzip.compress(_tar({"x/zeros.json": b"\0" * (8 * 1024 * 1024)})))
    with pytest.raises(SourceError, match="decompression bomb"):
        list(SourceReader(path).files(lambda p: True))


def test_missing_and_unknown_sources(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        SourceReader(tmp_path / "nope")
    unknown = write_tree(tmp_path / "unknown", {"notes.txt": b"hello", "data.json": b'{"a": 1}'})
    with pytest.raises(SourceError, match="no feed importer recognises"):
        detect_importer(SourceReader(unknown))


def test_provenance_parsing() -> None:
    provenance = parse_provenance("abc123 2026-01-02T03:04:05Z\nowner+repo\n")
    assert (provenance.repository, provenance.revision, provenance.date) == (
        "owner/repo",
        "abc123",
        "2026-01-02T03:04:05Z",
    )
    assert parse_provenance("").repository == ""
