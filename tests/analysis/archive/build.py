"""Build archives in memory for the reader tests: ordinary packages and hostile ones."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from collections.abc import Iterable, Mapping

Entry = tuple[tarfile.TarInfo, bytes]


def file(name: str, data: bytes | str = b"", *, mode: int = 0o644) -> Entry:
    """A regular tar member."""
    raw = data.encode() if isinstance(data, str) else data
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    info.mode = mode
    info.mtime = 1_700_000_000
    return info, raw


def folder(name: str) -> Entry:
    """A directory tar member."""
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info, b""


def link(name: str, target: str, *, hard: bool = False) -> Entry:
    """A symbolic (or hard) link tar member."""
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info, b""


def node(name: str, kind: bytes) -> Entry:
    """A device or FIFO tar member (``tarfile.CHRTYPE`` ...)."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.devmajor, info.devminor = 1, 3
    return info, b""


def tar(entries: Iterable[Entry], compression: str = "gz", fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """A tar archive (``gz``, ``bz2``, ``xz`` or ``""`` for none) of the entries, in order."""
    buf = io.BytesIO()
    mode = f"w:{compression}" if compression else "w"
    with tarfile.open(fileobj=buf, mode=mode, format=fmt) as archive:  # type: ignore[call-overload]
        for info, data in entries:
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buf.getvalue()


def zip_(
    files: Mapping[str, bytes | str],
    *,
    modes: Mapping[str, int] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip archive of the files (``modes`` sets Unix mode bits, file type included)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            mode = (modes or {}).get(name, 0o100644)
            info.external_attr = mode << 16
            info.create_system = 3
            archive.writestr(info, data)
    return buf.getvalue()


class Unseekable(io.RawIOBase):
    """A write-only stream that cannot seek, so zipfile writes data descriptors."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.buf.write(data)


def sdist(
    name: str = "demo", version: str = "1.0", extra: Mapping[str, bytes] | None = None
) -> bytes:
    """A small, ordinary sdist (.tar.gz) with a top folder ``name-version``."""
    root = f"{name}-{version}"
    files = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
        "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\n',
        f"src/{name}/__init__.py": '__version__ = "1.0"\n',
        "scripts/run.sh": "#!/bin/sh\nexec python -m demo\n",
        **{k: v.decode() for k, v in (extra or {}).items()},
    }
    entries = [folder(root)]
    for rel, text in files.items():
        mode = 0o755 if rel.endswith(".sh") else 0o644
        entries.append(file(f"{root}/{rel}", text, mode=mode))
    return tar(entries)


def gnu_sparse(name: str, real_size: int, pieces: list[tuple[int, bytes]]) -> bytes:
    """A GNU (old-style) sparse member header and its stored data: ``real_size`` bytes of which
    only ``pieces`` (offset, data; at most four) are stored, the rest being holes."""
    stored = b"".join(data for _, data in pieces)
    info = tarfile.TarInfo(name)
    info.size = len(stored)
    info.mode = 0o644
    header = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    header[156:157] = tarfile.GNUTYPE_SPARSE
    at = 386
    for offset, data in pieces:
        header[at : at + 12] = b"%011o\x00" % offset
        header[at + 12 : at + 24] = b"%011o\x00" % len(data)
        at += 24
    header[482] = 0  # no extension blocks
    header[483:495] = b"%011o\x00" % real_size
    header[148:156] = b" " * 8
    header[148:155] = b"%06o\x00" % sum(header)
    padding = -len(stored) % 512
    return bytes(header) + stored + b"\x00" * padding + b"\x00" * 1024


def many_members_tgz(count: int, root: str = "pkg-1.0") -> bytes:
    """A .tar.gz of ``count`` one-byte files, built without tarfile (fast)."""
    template = bytearray(file(f"{root}/x", b"x")[0].tobuf(format=tarfile.USTAR_FORMAT))
    template[0:100] = b"\x00" * 100
    template[148:156] = b" " * 8
    base = sum(template)
    data_block = b"x" + b"\x00" * 511
    parts: list[bytes] = []
    for i in range(count):
        name = f"{root}/m{i:07d}.txt".encode()
        header = bytearray(template)
        header[0 : len(name)] = name
        header[148:155] = b"%06o\x00" % (base + sum(name))
        parts.append(bytes(header))
        parts.append(data_block)
    parts.append(b"\x00" * 1024)
    return gzip.compress(b"".join(parts), compresslevel=1)
