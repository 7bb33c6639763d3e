"""Sections and segments of ELF, PE and Mach-O executables, read from bytes.

Only the headers are parsed: the file's section table (names, file offsets, sizes, addresses) and its
loadable segments (used to map a virtual address back to a file offset). Every count and offset is
checked against the file before use, so hostile input raises :class:`ExecutableError` and nothing else.
A header table past the end of the file is an error; a single section or segment whose bytes lie past
the end (a truncated file) is kept with ``file_size`` 0, so it can be named but not read.
Universal ("fat") Mach-O files are not supported.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import Any

MAX_SECTIONS = 4096
MAX_SEGMENTS = 4096
MAX_LOAD_COMMANDS = 4096
_NAME_LIMIT = 256

_ELF_MAGIC = b"\x7fELF"
_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", 32),
    b"\xce\xfa\xed\xfe": ("<", 32),
    b"\xfe\xed\xfa\xcf": (">", 64),
    b"\xcf\xfa\xed\xfe": ("<", 64),
}


class ExecutableError(ValueError):
    """The bytes start like an executable but its headers are inconsistent or truncated."""


class Format(enum.Enum):
    ELF = "elf"
    PE = "pe"
    MACHO = "macho"


@dataclass(frozen=True)
class Region:
    """A section or a loadable segment: where its bytes are in the file and in memory.

    ``file_size`` is how many bytes the file holds (0 for zero-filled ``.bss``-like regions);
    ``mem_size`` how many the loader maps. ``segment`` is the Mach-O segment of a section.
    """

    name: str
    addr: int
    offset: int
    file_size: int
    mem_size: int
    writable: bool = False
    executable: bool = False
    segment: str = ""


@dataclass(frozen=True)
class Executable:
    format: Format
    bits: int
    big_endian: bool
    sections: tuple[Region, ...]
    segments: tuple[Region, ...]

    def section(self, name: str, segment: str = "") -> Region | None:
        """The first section called ``name`` (and, if given, in Mach-O segment ``segment``)."""
        for region in self.sections:
            if region.name == name and (not segment or region.segment == segment):
                return region
        return None

    def read_address(self, content: bytes, addr: int, size: int) -> bytes | None:
        """``size`` bytes at virtual address ``addr``, if a segment maps them from the file."""
        if size < 0 or addr < 0:
            return None
        for region in self.segments:
            if region.addr <= addr and addr + size <= region.addr + region.file_size:
                start = region.offset + (addr - region.addr)
                data = content[start : start + size]
                return data if len(data) == size else None
        return None


def region_bytes(content: bytes, region: Region, limit: int | None = None) -> bytes:
    """The file bytes of ``region``, at most ``limit`` of them."""
    size = region.file_size if limit is None else min(region.file_size, limit)
    return content[region.offset : region.offset + size]


def looks_executable(content: bytes) -> bool:
    """Whether ``content`` starts with an ELF, PE (``MZ``) or thin Mach-O magic number."""
    head = content[:4]
    return head == _ELF_MAGIC or head[:2] == b"MZ" or head in _MACHO_MAGICS


def parse_executable(content: bytes) -> Executable:
    """The section and segment tables of an ELF, PE or Mach-O file."""
    head = content[:4]
    try:
        if head == _ELF_MAGIC:
            return _parse_elf(content)
        if head[:2] == b"MZ":
            return _parse_pe(content)
        if head in _MACHO_MAGICS:
            return _parse_macho(content)
    except struct.error as error:
        raise ExecutableError(f"truncated header: {error}") from None
    raise ExecutableError("unrecognized executable format")


def _unpack(fmt: str, content: bytes, offset: int) -> tuple[Any, ...]:
    if offset < 0 or offset + struct.calcsize(fmt) > len(content):
        raise ExecutableError(f"header at offset {offset} runs past the end of the file")
    return struct.unpack_from(fmt, content, offset)


def _cstring(data: bytes, offset: int) -> str:
    if offset < 0 or offset >= len(data):
        return ""
    end = data.find(b"\0", offset, offset + _NAME_LIMIT)
    raw = data[offset : end if end >= 0 else offset + _NAME_LIMIT]
    return raw.decode("latin-1")


def _check_table(content: bytes, offset: int, count: int, entry_size: int, what: str) -> None:
    if offset < 0 or offset + count * entry_size > len(content):
        raise ExecutableError(f"{what} table runs past the end of the file")


# ELF


def _parse_elf(content: bytes) -> Executable:
    if len(content) < 16:
        raise ExecutableError("truncated ELF identification")
    elf_class, data = content[4], content[5]
    if elf_class not in (1, 2) or data not in (1, 2):
        raise ExecutableError("bad ELF class or data encoding")
    bits = 32 if elf_class == 1 else 64
    order = "<" if data == 1 else ">"
    word = "I" if bits == 32 else "Q"
    header = _unpack(f"{order}HHI{word}{word}{word}IHHHHHH", content, 16)
    phoff, shoff = header[4], header[5]
    phentsize, phnum, shentsize, shnum, shstrndx = header[8], header[9], header[10], header[11], header[12]
    segments = _elf_segments(content, order, bits, phoff, phentsize, phnum)
    sections = _elf_sections(content, order, bits, shoff, shentsize, shnum, shstrndx)
    return Executable(Format.ELF, bits, order == ">", sections, segments)


def _elf_segments(
    content: bytes, order: str, bits: int, off: int, entsize: int, num: int
) -> tuple[Region, ...]:
    if num == 0 or off == 0:
        return ()
    layout = f"{order}IIQQQQQQ" if bits == 64 else f"{order}IIIIIIII"
    if num > MAX_SEGMENTS or entsize < struct.calcsize(layout):
        raise ExecutableError("bad ELF program header table")
    _check_table(content, off, num, entsize, "ELF program header")
    segments = []
    for index in range(num):
        fields = struct.unpack_from(layout, content, off + index * entsize)
        if bits == 64:
            p_type, flags, offset, vaddr, _, filesz, memsz, _ = fields
        else:
            p_type, offset, vaddr, _, filesz, memsz, flags, _ = fields
        if p_type != 1:  # PT_LOAD
            continue
        filesz = 0 if offset + filesz > len(content) else filesz
        segments.append(Region("", vaddr, offset, filesz, memsz, bool(flags & 2), bool(flags & 1)))
    return tuple(segments)


def _elf_sections(
    content: bytes, order: str, bits: int, off: int, entsize: int, num: int, strndx: int
) -> tuple[Region, ...]:
    if off == 0:
        return ()
    layout = f"{order}IIQQQQIIQQ" if bits == 64 else f"{order}IIIIIIIIII"
    if entsize < struct.calcsize(layout):
        raise ExecutableError("bad ELF section header size")
    if num == 0 or strndx == 0xFFFF:  # extended numbering: the real values live in section 0
        first = _unpack(layout, content, off)
        num = num or first[5]
        strndx = first[6] if strndx == 0xFFFF else strndx
    if num > MAX_SECTIONS:
        raise ExecutableError(f"too many ELF sections ({num})")
    _check_table(content, off, num, entsize, "ELF section header")
    raw = [struct.unpack_from(layout, content, off + index * entsize) for index in range(num)]
    names = b""
    if 0 < strndx < num:
        strtab = raw[strndx]
        names = content[strtab[4] : strtab[4] + strtab[5]]
    sections = []
    for name_off, sh_type, flags, addr, offset, size, *_ in raw:
        if sh_type == 0:  # SHT_NULL
            continue
        file_size = 0 if sh_type == 8 or offset + size > len(content) else size  # SHT_NOBITS or truncated
        sections.append(
            Region(_cstring(names, name_off), addr, offset, file_size, size, bool(flags & 1), bool(flags & 4))
        )
    return tuple(sections)


# PE

_SCN_CNT_CODE = 0x20
_SCN_MEM_EXECUTE = 0x20000000
_SCN_MEM_WRITE = 0x80000000


def _parse_pe(content: bytes) -> Executable:
    (pe_offset,) = _unpack("<I", content, 0x3C)
    if content[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise ExecutableError("MZ file without a PE signature")
    _machine, nsections, _, symtab, nsymbols, opt_size, _ = _unpack("<HHIIIHH", content, pe_offset + 4)
    opt = pe_offset + 24
    (magic,) = _unpack("<H", content, opt) if opt_size >= 2 else (0,)
    if magic == 0x10B:
        bits, (image_base,) = 32, _unpack("<I", content, opt + 28)
    elif magic == 0x20B:
        bits, (image_base,) = 64, _unpack("<Q", content, opt + 24)
    else:
        raise ExecutableError("PE file without a PE32/PE32+ optional header")
    if nsections > MAX_SECTIONS:
        raise ExecutableError(f"too many PE sections ({nsections})")
    table = opt + opt_size
    _check_table(content, table, nsections, 40, "PE section")
    strings_at = symtab + nsymbols * 18 if symtab else 0
    sections = []
    for index in range(nsections):
        raw_name, vsize, vaddr, raw_size, raw_ptr, _, _, _, _, flags = struct.unpack_from(
            "<8sIIIIIIHHI", content, table + index * 40
        )
        name = raw_name.rstrip(b"\0").decode("latin-1")
        if name.startswith("/") and name[1:].isdigit() and strings_at:
            name = _cstring(content, strings_at + int(name[1:]))
        file_size = min(raw_size, vsize) if vsize else raw_size
        if raw_ptr == 0 or raw_ptr + file_size > len(content):
            file_size = 0
        executable = bool(flags & (_SCN_MEM_EXECUTE | _SCN_CNT_CODE))
        sections.append(
            Region(
                name,
                image_base + vaddr,
                raw_ptr,
                file_size,
                vsize or raw_size,
                bool(flags & _SCN_MEM_WRITE),
                executable,
            )
        )
    regions = tuple(sections)
    return Executable(Format.PE, bits, False, regions, regions)


# Mach-O

_LC_SEGMENT = 0x1
_LC_SEGMENT_64 = 0x19
_ZEROFILL_TYPES = frozenset({0x1, 0xC, 0x12})


def _parse_macho(content: bytes) -> Executable:
    order, bits = _MACHO_MAGICS[content[:4]]
    _, _, _, ncmds, sizeofcmds, _ = _unpack(f"{order}iiIIII", content, 4)
    if ncmds > MAX_LOAD_COMMANDS:
        raise ExecutableError(f"too many Mach-O load commands ({ncmds})")
    offset = 28 if bits == 32 else 32
    end = offset + sizeofcmds
    if end > len(content):
        raise ExecutableError("Mach-O load commands run past the end of the file")
    segments: list[Region] = []
    sections: list[Region] = []
    for _ in range(ncmds):
        cmd, cmdsize = _unpack(f"{order}II", content, offset)
        if cmdsize < 8 or offset + cmdsize > end:
            raise ExecutableError("bad Mach-O load command size")
        if cmd in (_LC_SEGMENT, _LC_SEGMENT_64):
            _macho_segment(content, order, cmd == _LC_SEGMENT_64, offset, cmdsize, segments, sections)
            if len(sections) > MAX_SECTIONS:
                raise ExecutableError("too many Mach-O sections")
        offset += cmdsize
    return Executable(Format.MACHO, bits, order == ">", tuple(sections), tuple(segments))


def _macho_segment(
    content: bytes,
    order: str,
    wide: bool,
    offset: int,
    cmdsize: int,
    segments: list[Region],
    sections: list[Region],
) -> None:
    word = "Q" if wide else "I"
    head = f"{order}II16s{word}{word}{word}{word}iiII"
    sect = f"{order}16s16s{word}{word}IIIIIII" + ("I" if wide else "")
    head_size, sect_size = struct.calcsize(head), struct.calcsize(sect)
    _, _, segname, vmaddr, vmsize, fileoff, filesize, _maxprot, initprot, nsects, _ = _unpack(
        head, content, offset
    )
    if head_size + nsects * sect_size > cmdsize:
        raise ExecutableError("Mach-O segment command too small for its sections")
    if fileoff + filesize > len(content):
        filesize = 0
    seg = segname.rstrip(b"\0").decode("latin-1")
    segments.append(
        Region(seg, vmaddr, fileoff, filesize, vmsize, bool(initprot & 2), bool(initprot & 4), seg)
    )
    for index in range(nsects):
        fields = struct.unpack_from(sect, content, offset + head_size + index * sect_size)
        sectname, sect_seg, addr, size, sect_offset, flags = (
            fields[0],
            fields[1],
            fields[2],
            fields[3],
            fields[4],
            fields[8],
        )
        zero_filled = (flags & 0xFF) in _ZEROFILL_TYPES or sect_offset == 0
        file_size = 0 if zero_filled or sect_offset + size > len(content) else size
        sections.append(
            Region(
                sectname.rstrip(b"\0").decode("latin-1"),
                addr,
                sect_offset,
                file_size,
                size,
                bool(initprot & 2),
                bool(initprot & 4),
                sect_seg.rstrip(b"\0").decode("latin-1"),
            )
        )
