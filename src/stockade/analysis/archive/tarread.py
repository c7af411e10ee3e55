"""Reading a tar (npm tarballs, sdists, tars in general; plain or gzip, bzip2 or xz
compressed) into a :class:`Listing`: streamed forward once, as :mod:`tarfile` reads it, with
the stream bounded in header size, time and compression ratio."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from typing import IO, Any, cast

from stockade.analysis.archive.detect import describe, is_tar_header
from stockade.analysis.archive.errors import READ_ERRORS, Abandon, NotReadable, error_text
from stockade.analysis.archive.limits import BOMB_MIN_BYTES, CHUNK, INFLATE_IN, Budget
from stockade.analysis.archive.listing import Listing
from stockade.analysis.archive.members import MemberReader, Readable
from stockade.analysis.archive.paths import accept, link, special, text

_MAX_HEADER_BYTES = 1 << 20
"""Extended tar header data (pax, GNU long names, sparse maps) read for one member, at most."""
_XZ_MEMLIMIT = 128 << 20
"""Memory an xz stream may ask for (``xz -9`` needs 65 MiB)."""
_TAR_TYPES = {
    tarfile.CHRTYPE: "character device",
    tarfile.BLKTYPE: "block device",
    tarfile.FIFOTYPE: "FIFO (named pipe)",
}
"""Tar member types of special files."""


def fill_tar(
    reader: MemberReader,
    listing: Listing,
    raw: IO[bytes],
    kind: str,
    prefix: str,
    rel_prefix: str,
    depth: int,
) -> None:
    """Read a (compressed) tar's entries into ``listing`` (raises :class:`NotReadable`)."""
    where = prefix[:-1]
    guard = _Guard(_decompressed(kind, raw), None if kind == "tar" else raw, reader.budget, where)
    guard.header_budget = _MAX_HEADER_BYTES
    try:
        archive = tarfile.TarFile(fileobj=cast(IO[bytes], guard), mode="r", encoding="utf-8")
    except READ_ERRORS as err:
        raise NotReadable(_why_not_tar(kind, raw, err)) from None
    try:
        while True:
            reader.budget.tick()
            guard.header_budget = _MAX_HEADER_BYTES
            info = archive.next()
            guard.header_budget = None
            archive.__dict__["members"].clear()  # tarfile would keep every header
            if info is None:
                break
            _tar_entry(reader, archive, info, listing, prefix, rel_prefix, depth)
    except READ_ERRORS as err:
        if listing.seen == 0:
            raise NotReadable(_why_not_tar(kind, raw, err)) from None
        reader.findings.corrupt(where, err)


def _tar_entry(
    reader: MemberReader,
    archive: tarfile.TarFile,
    info: tarfile.TarInfo,
    listing: Listing,
    prefix: str,
    rel_prefix: str,
    depth: int,
) -> None:
    listing.seen += 1
    reader.budget.count_entry()
    path = accept(reader.findings, text(info.name), prefix, listing, is_dir=info.isdir())
    if path is None or info.isdir():
        return
    full = prefix + path
    if info.issym() or info.islnk():
        link(reader.findings, listing, full, path, text(info.linkname), hard=info.islnk())
        return
    if not info.isreg():
        what = _TAR_TYPES.get(info.type, f"member of unknown type {info.type!r}")
        special(reader.findings, full, what)
        return

    def open_member() -> Readable:
        handle = archive.extractfile(info)
        if handle is None:  # pragma: no cover - regular members always have one
            raise tarfile.ReadError("no data")
        return handle

    taken = reader.member(
        listing,
        path,
        size=info.size,
        executable=bool(info.mode & 0o111),
        opener=open_member,
        packed=None,
        prefix=prefix,
        rel_prefix=rel_prefix,
        depth=depth,
    )
    if taken is not None and taken.error is not None:
        raise taken.error


class _Guard:
    """The (decompressed) tar stream as tarfile sees it: forward only, on the clock, with no
    unbounded header reads, and watching the compression ratio."""

    def __init__(
        self, inner: IO[bytes], packed: IO[bytes] | None, budget: Budget, where: str
    ) -> None:
        self._inner = inner
        self._packed = packed
        self._packed_start = packed.tell() if packed is not None else 0
        self._budget = budget
        self._where = where
        self._pos = 0
        limits = budget.limits
        self._bomb_floor = max(BOMB_MIN_BYTES, 4 * limits.max_member_bytes)
        self.header_budget: int | None = None
        """Bytes tarfile may still read for the current header (``None``: member data)."""

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        self._budget.tick()
        if size < 0:
            size = CHUNK
        if self.header_budget is not None:
            if size > self.header_budget:
                self._budget.findings.report(
                    "archive-corrupt",
                    self._where,
                    f"A tar header asks to read {size} bytes of extended header data (over "
                    f"{_MAX_HEADER_BYTES}); the rest of the archive was not read.",
                )
                raise Abandon
            self.header_budget -= size
        data = self._inner.read(size)
        self._pos += len(data)
        self._check_ratio()
        return data

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only absolute seeks")
        if self._packed is None:  # uncompressed: seeking costs nothing
            self._inner.seek(pos)
            self._pos = pos
            return pos
        if pos < self._pos:
            raise io.UnsupportedOperation("backward seek in a compressed tar stream")
        while self._pos < pos:
            self._budget.tick()
            chunk = self._inner.read(min(1 << 20, pos - self._pos))
            if not chunk:
                break
            self._pos += len(chunk)
            self._check_ratio()
        return self._pos

    def _check_ratio(self) -> None:
        if self._packed is None or self._pos <= self._bomb_floor:
            return
        consumed = max(self._packed.tell() - self._packed_start, 1)
        if self._pos > self._budget.limits.max_ratio * consumed:
            self._budget.bomb(self._where, f"expands to over {self._pos} bytes from {consumed}")
            raise Abandon


def _decompressed(kind: str, raw: IO[bytes]) -> IO[bytes]:
    if kind == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if kind == "bzip2":
        return cast(IO[bytes], bz2.BZ2File(raw))
    if kind == "xz":
        return cast(IO[bytes], io.BufferedReader(_XzReader(raw), CHUNK))
    return raw


class _XzReader(io.RawIOBase):
    """An xz stream (or several, concatenated) decoded with a memory limit: the header of an
    xz stream chooses the dictionary size, and ``lzma.LZMAFile`` would allocate up to 4 GiB."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._z = lzma.LZMADecompressor(memlimit=_XZ_MEMLIMIT)
        self._pending = b""
        self._fresh = True
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with memoryview(buffer) as view:
            data = self._read(len(view))
            view[: len(data)] = data
        return len(data)

    def _read(self, size: int) -> bytes:
        while not self._done and size > 0:
            if self._z.eof:  # another stream may follow
                self._pending = self._z.unused_data
                self._z = lzma.LZMADecompressor(memlimit=_XZ_MEMLIMIT)
                self._fresh = True
            data = b""
            if self._z.needs_input or self._pending:
                data = self._pending or self._raw.read(INFLATE_IN)
                self._pending = b""
                if not data:
                    if self._fresh:
                        self._done = True
                        continue
                    raise EOFError("xz data ends before the end of its stream")
                if self._fresh:
                    data = data.lstrip(b"\x00")  # padding between streams
                    if not data:
                        continue
                    self._fresh = False
            out = self._z.decompress(data, size)
            if out:
                return out
        return b""


def _why_not_tar(kind: str, raw: IO[bytes], err: BaseException) -> str:
    if kind == "tar":
        return f"not a readable tar archive ({error_text(err)})"
    try:
        raw.seek(0)
        block = _decompressed(kind, raw).read(512)
        problem: BaseException = err
    except READ_ERRORS as inner:
        block, problem = b"", inner
    if problem is err and isinstance(err, tarfile.TarError) and not str(err).startswith("zlib"):
        if not block:
            return f"{kind}-compressed data that is empty"
        if not is_tar_header(block):
            looks = describe(block)
            return f"{kind}-compressed data that is not a tar archive: it looks like {looks}"
        return f"a damaged tar archive inside {kind} data ({error_text(err)})"
    return f"truncated or damaged {kind} data: nothing could be read ({error_text(problem)})"
