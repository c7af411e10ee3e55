"""Builders for the generic analysers' tests: members, archives and tiny binary files."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from stockade.analysis.interface import Archive, Member
from stockade.analysis.model import Finding

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "analysis" / "generic"


def fixture(*parts: str) -> bytes:
    """The bytes of a fixture file."""
    return FIXTURES.joinpath(*parts).read_bytes()


def member(
    relpath: str,
    data: bytes | str,
    *,
    root: str = "package",
    executable: bool = False,
    complete: bool = True,
    size: int | None = None,
) -> Member:
    """A member as the archive reader makes it."""
    raw = data.encode() if isinstance(data, str) else data
    path = f"{root}/{relpath}" if root else relpath
    return Member(
        path=path,
        relpath=relpath,
        size=len(raw) if size is None else size,
        data=raw,
        complete=complete,
        executable=executable,
    )


def archive(
    files: Mapping[str, Any] | Iterable[Member],
    *,
    fmt: str = "npm",
    filename: str | None = None,
    root: str | None = None,
) -> Archive:
    """An archive of ``files`` (relpath to ``bytes`` or ``str`` content, or ready members)."""
    top = root if root is not None else {"npm": "package", "wheel": ""}.get(fmt, "pkg-1.0")
    if isinstance(files, Mapping):
        members = [member(rel, data, root=top) for rel, data in files.items()]
    else:
        members = list(files)
    name = filename or {"npm": "pkg-1.0.0.tgz", "wheel": "pkg-1.0-py3-none-any.whl"}.get(
        fmt, "pkg-1.0.tar.gz"
    )
    return Archive(
        filename=name,
        format=fmt,
        sha256="0" * 64,
        members=members,
        root=top,
        total_size=sum(m.size for m in members),
    )


def rules_of(findings: Iterable[Finding]) -> list[str]:
    """The rule ids of ``findings``, in order."""
    return [f.rule for f in findings]


def elf(*, machine: int = 62, e_type: int = 3, bits: int = 64) -> bytes:
    """A 64-byte ELF header (x86-64 shared object by default), little-endian."""
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1, 1, 0]) + b"\x00" * 8
    return ident + struct.pack("<HHI", e_type, machine, 1) + b"\x00" * 40


def pe(*, machine: int = 0x8664, dll: bool = False) -> bytes:
    """A DOS stub pointing at a PE header (x86-64 executable by default)."""
    offset = 0x80
    dos = bytearray(b"MZ" + b"\x90" * (offset - 2))
    dos[0x3C:0x40] = struct.pack("<I", offset)
    characteristics = 0x2022 if dll else 0x0022
    header = b"PE\x00\x00" + struct.pack("<HHIIIHH", machine, 3, 0, 0, 0, 240, characteristics)
    return bytes(dos) + header + b"\x00" * 64


def macho64() -> bytes:
    """A little-endian 64-bit Mach-O header (ARM64 executable)."""
    return b"\xcf\xfa\xed\xfe" + struct.pack("<IIIIII", 0x0100000C, 0, 2, 0, 0, 0) + b"\x00" * 32


def java_class() -> bytes:
    """The start of a Java class file (major version 61), which shares Mach-O's fat magic."""
    return b"\xca\xfe\xba\xbe" + struct.pack(">HH", 0, 61) + b"\x00\x10" + b"\x00" * 40


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(*, chunks: Iterable[bytes] = (), after: bytes = b"") -> bytes:
    """A valid 1x1 RGB PNG, with extra chunks before the image data and bytes after IEND."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + b"".join(chunks)
        + png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00"))
        + png_chunk(b"IEND", b"")
        + after
    )


def jpeg(*, segments: Iterable[bytes] = (), after: bytes = b"") -> bytes:
    """A structurally valid baseline JPEG (markers, a scan with stuffed bytes, EOI)."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    app0 = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = segment(0xDB, b"\x00" + bytes(range(1, 65)))
    sof = segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    scan = b"\x12\x34\xff\x00\x56\xff\xd0\x78"  # a stuffed 0xFF and a restart marker
    return b"\xff\xd8" + app0 + b"".join(segments) + dqt + sof + sos + scan + b"\xff\xd9" + after


def jpeg_segment(marker: int, body: bytes) -> bytes:
    """One JPEG marker segment."""
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def gif(*, comment: bytes | None = None, after: bytes = b"") -> bytes:
    """A 1x1 GIF89a with a global colour table, optionally a comment extension."""
    header = b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    extension = b""
    if comment is not None:
        blocks = b"".join(
            bytes([len(comment[i : i + 255])]) + comment[i : i + 255]
            for i in range(0, len(comment), 255)
        )
        extension = b"\x21\xfe" + blocks + b"\x00"
    image = b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00" + b"\x02\x02\x44\x01\x00"
    return header + extension + image + b"\x3b" + after
