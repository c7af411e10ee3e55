"""What a file is, from its first bytes: a zip, a tar (plain or gzip, bzip2 or xz
compressed), or something else described in a few words."""

from __future__ import annotations

SNIFF = 4096
"""Bytes looked at to tell what a file is."""
_NESTED_SUFFIXES = (
    ".whl",
    ".zip",
    ".egg",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.bz2",
    ".tbz2",
    ".tar.xz",
    ".txz",
)
"""Names of members that are archives themselves (read nested)."""
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_XZ_MAGIC = b"\xfd7zXZ\x00"
_OTHER_MAGIC = (
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive, which is not supported"),
    (b"Rar!\x1a\x07", "a RAR archive, which is not supported"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data, which is not supported"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
)


def container_kind(head: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz``, ``zip`` or ``tar`` from the magic bytes, else ``None``."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3] in b"123456789":
        return "bzip2"
    if head.startswith(_XZ_MAGIC):
        return "xz"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if is_tar_header(head):
        return "tar"
    return None


def is_tar_header(block: bytes) -> bool:
    """Whether the first 512 bytes are a tar header (ustar magic or a valid checksum)."""
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar":
        return True
    field_ = block[148:156].replace(b"\x00", b" ").strip()
    try:
        stored = int(field_, 8) if field_ else -1
    except ValueError:
        return False
    return stored == sum(block[:148]) + 256 + sum(block[156:512])


def describe(head: bytes) -> str:
    """What data that is no archive looks like, in a few words."""
    if not head:
        return "an empty file"
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith(b"\x1f\x8b"):
        return "gzip data"
    sample = head[:2048]
    decoded = sample.decode("utf-8", errors="replace")
    if b"\x00" not in sample and decoded.count("\ufffd") <= 2:
        start = decoded.lstrip().lower()
        if start.startswith(("<!doctype html", "<html")):
            return "an HTML page"
        first = " ".join(decoded.strip().split("\n", 1)[0].split())[:40]
        return f"text (it starts with {first!r})"
    return f"unrecognised binary data (it starts with {head[:8].hex(' ')})"


def nested_name(path: str) -> bool:
    """Whether a member's name says it is an archive itself (read as a nested one)."""
    return path.lower().endswith(_NESTED_SUFFIXES)
