"""Access to the real feed archives in ../shared/vulndata for the vulnerability database tests."""

from __future__ import annotations

import functools
import io
import json
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from seawall.vulndb.feeds import Importer, ImportReport
from seawall.vulndb.model import Record
from seawall.vulndb.reader import SourceReader
from tests.paths import SHARED

VULNDATA = SHARED / "vulndata"
PYPA = VULNDATA / "pypa-advisory-database.tar.gz"
GO = VULNDATA / "golang-vulndb.tar.gz"
ALMA = VULNDATA / "almalinux-osv.tar.gz"
KEV = VULNDATA / "cisa-kev.tar.gz"
VUNNEL = VULNDATA / "vunnel-test-fixtures.tar.gz"
VUNNEL_PROVIDERS = "vunnel-test-fixtures/tests/unit/providers"


@functools.cache
def _members(archive: Path, names: frozenset[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.name in names and member.isfile():
                handle = tar.extractfile(member)
                assert handle is not None
                found[member.name] = handle.read()
                if len(found) == len(names):
                    break
    missing = names - set(found)
    assert not missing, f"not in {archive.name}: {sorted(missing)}"
    return found


def members(archive: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The bytes of these members of a real archive (read with tarfile: an oracle independent of ours)."""
    return dict(_members(archive, frozenset(names)))


def member(archive: Path, name: str) -> bytes:
    return members(archive, [name])[name]


def vunnel(path: str) -> bytes:
    """A file of anchore's vunnel test fixtures, by its path under tests/unit/providers/."""
    return member(VUNNEL, f"{VUNNEL_PROVIDERS}/{path}")


def vunnel_json(path: str) -> Any:
    return json.loads(vunnel(path))


def parse_archive(
    archive: Path, importer: Importer, names: Iterable[str]
) -> tuple[dict[str, list[Record]], ImportReport, SourceReader]:
    """Our importer on these members of a real archive, read through our own source reader."""
    wanted = set(names)
    reader = SourceReader(archive)
    report = ImportReport(archive.name)
    parsed = {
        f.path: list(importer.parse(f.path, f.content, report))
        for f in reader.files(lambda p: p in wanted)
        if not f.error
    }
    assert set(parsed) == wanted
    return parsed, report, reader


def subset_archive(
    target: Path, archive: Path, names: Iterable[str], extra: dict[str, bytes] | None = None
) -> Path:
    """A small .tar.gz in the upstream layout: these real members, ``.source_commit`` and ``extra`` files."""
    top = archive.name.removesuffix(".tar.gz")
    wanted = {*names, f"{top}/.source_commit"}
    files = {**members(archive, wanted), **(extra or {})}
    with tarfile.open(target, "w:gz") as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(files[name]))
    return target


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root
