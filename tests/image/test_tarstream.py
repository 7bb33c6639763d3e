"""The streaming tar reader against Python's tarfile (the reference) and hand-made edge cases."""

from __future__ import annotations

import io
import tarfile

import pytest

from seawall.errors import LayerError
from seawall.image.tarstream import TarReader, normalize_path, resolve_link
from seawall.model import FileKind
from tests.factory import Entry, layer_tar


def _entries(data: bytes) -> list[tuple[str, FileKind, int, str, bytes]]:
    reader = TarReader(io.BytesIO(data))
    out = []
    for entry in reader:
        info = entry.info
        content = reader.read_content(info.size) if info.kind is FileKind.REGULAR else b""
        out.append((info.path, info.kind, info.size, info.link_target, content))
    return out


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_matches_tarfile_for_every_format(fmt: int) -> None:
    long_name = "usr/share/" + "d" * 120 + "/" + "f" * 90
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, data in [("etc/os-release", b"ID=debian\n"), (long_name, b"x" * 1000), ("empty", b"")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("usr/lib/link")
        link.type, link.linkname = (
            tarfile.SYMTYPE,
            "../../etc/" + "t" * (80 if fmt == tarfile.USTAR_FORMAT else 150),
        )
        tar.addfile(link)
    data = buf.getvalue()
    ours = _entries(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        expected = [
            (
                m.name,
                m.size if m.isfile() else 0,
                m.linkname,
                tar.extractfile(m).read() if m.isfile() else b"",
            )  # type: ignore[union-attr]
            for m in tar.getmembers()
        ]
    assert [(p, s, link, c) for p, _, s, link, c in ours] == expected


def test_kinds_and_modes() -> None:
    data = layer_tar(
        [
            Entry("bin", kind="dir", mode=0o755),
            Entry("bin/su", b"\x7fELF", mode=0o4755),
            Entry("bin/sh", kind="symlink", link="busybox"),
            Entry("bin/ash", kind="hardlink", link="bin/su"),
            Entry("dev/null", kind="char"),
        ]
    )
    reader = TarReader(io.BytesIO(data))
    seen = {e.info.path: (e.info.kind, e.info.mode) for e in reader}
    assert seen["bin"] == (FileKind.DIRECTORY, 0o755)
    assert seen["bin/su"] == (FileKind.REGULAR, 0o4755)
    assert seen["bin/sh"][0] is FileKind.SYMLINK
    assert seen["bin/ash"][0] is FileKind.HARDLINK
    assert seen["dev/null"][0] is FileKind.OTHER


def test_truncated_inside_a_file() -> None:
    data = layer_tar([("big", b"a" * 5000)])
    with pytest.raises(LayerError, match="truncated"):
        _entries(data[:2048])


def test_partial_header() -> None:
    with pytest.raises(LayerError, match="partial tar header"):
        _entries(layer_tar([("a", b"1")])[:100])


def test_bad_checksum() -> None:
    data = bytearray(layer_tar([("a", b"1")]))
    data[0] ^= 0xFF
    with pytest.raises(LayerError, match="checksum"):
        _entries(bytes(data))


def test_huge_claimed_size_is_not_trusted() -> None:
    """A header claiming 8 GiB in a tiny stream ends in a clean error, without allocating it."""
    header = bytearray(layer_tar([("x", b"")])[:512])
    header[124:136] = b"77777777777\0"
    header[148:156] = b"        "
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    with pytest.raises(LayerError, match="truncated"):
        _entries(bytes(header) + b"\0" * 1024)


@pytest.mark.parametrize(
    ("raw", "expected", "escaped"),
    [
        ("./etc/passwd", "etc/passwd", False),
        ("/abs/path/", "abs/path", False),
        ("a/../b", "b", False),
        ("../../etc/shadow", "etc/shadow", True),
        ("a/../../x", "x", True),
    ],
)
def test_normalize_path_never_leaves_the_root(raw: str, expected: str, escaped: bool) -> None:
    assert normalize_path(raw) == (expected, escaped)


def test_resolve_link_stays_inside() -> None:
    assert resolve_link("etc/os-release", "../usr/lib/os-release") == ("usr/lib/os-release", False)
    assert resolve_link("etc/x", "/../../../../root/.ssh/id_rsa") == ("root/.ssh/id_rsa", True)


def test_link_entries_carry_no_data_whatever_their_size_field_says() -> None:
    """As Go's archive/tar and Python's tarfile do: a hard link's size field is not data to skip."""
    data = bytearray(layer_tar([("a", b"x"), Entry("b", kind="hardlink", link="a"), ("c", b"after")]))
    offset = 0
    while not data[offset : offset + 100].startswith(b"b\0"):
        offset += 512
    data[offset + 124 : offset + 136] = b"00000001000\0"
    data[offset + 148 : offset + 156] = b"        "
    data[offset + 148 : offset + 156] = f"{sum(data[offset : offset + 512]):06o}\0 ".encode()
    assert [(p, c) for p, _, _, _, c in _entries(bytes(data))] == [("a", b"x"), ("b", b""), ("c", b"after")]
    with tarfile.open(fileobj=io.BytesIO(bytes(data))) as tar:
        assert [m.name for m in tar.getmembers()] == ["a", "b", "c"]
