"""A zip read from its local file headers, front to back, for zips without a usable central
directory (missing, damaged, or declaring more entries than may be indexed): stored and
deflated members, sizes given before or after the data, zip64 sizes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from stockade.analysis.archive.limits import CHUNK, INFLATE_IN, Budget
from stockade.analysis.archive.members import Readable


@dataclass(slots=True)
class LocalEntry:
    """One entry met by walking local headers."""

    name: str
    size: int
    open: Callable[[], Readable]
    packed: int | None
    """Its compressed size, when the header gives it."""
    unreadable: str | None = None
    inflate: Inflate | None = None
    """Its stream, when its sizes follow its data: its end is found only by inflating it."""


class LocalWalker:
    """Walks a zip's local file headers front to back (for zips without a usable directory)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def entries(self, budget: Budget) -> Iterator[LocalEntry]:
        raw = self._raw
        raw.seek(0)
        while True:
            budget.tick()
            if raw.read(4) != b"PK\x03\x04":
                return
            fixed = raw.read(26)
            if len(fixed) < 26:
                raise EOFError("truncated local header")
            _, flags, method, _, _, _, csize, usize, nlen, xlen = struct.unpack(
                "<HHHHHIIIHH", fixed
            )
            name_b = raw.read(nlen)
            extra = raw.read(xlen)
            if len(name_b) < nlen or len(extra) < xlen:
                raise EOFError("truncated local header")
            if 0xFFFFFFFF in (csize, usize):
                usize, csize = _zip64_sizes(extra, usize, csize)
            name = name_b.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            start = raw.tell()
            streamed = bool(flags & 0x08)
            problem = None
            if flags & 0x01:
                problem = "encrypted"
            elif method not in (0, 8):
                problem = f"compression method {method} is not supported"
            elif streamed and method == 0:
                raise EOFError("a stored member without sizes: its end cannot be found")
            if problem is not None:
                if streamed:
                    raise EOFError(f"a member is {problem} and its end cannot be found")
                yield LocalEntry(name, usize, _no_open, None, unreadable=problem)
                raw.seek(start + csize)
                continue
            stream: _Bounded | Inflate
            if method == 0:
                stream = _Bounded(raw, csize)
            else:
                stream = Inflate(raw, None if streamed else csize)
            used = False

            def opener(s: _Bounded | Inflate = stream) -> Readable:
                nonlocal used
                if used:
                    raise ValueError("member already read")
                used = True
                return s

            yield LocalEntry(
                name,
                usize,
                opener,
                None if streamed else csize,
                inflate=stream if isinstance(stream, Inflate) and streamed else None,
            )
            if not streamed:
                raw.seek(start + csize)
                continue
            assert isinstance(stream, Inflate)
            while not stream.eof:  # drain the rest to find where the member ends
                budget.tick()
                stream.read(CHUNK)
            raw.seek(-stream.unused(), io.SEEK_CUR)
            _skip_descriptor(raw)


def _no_open() -> Readable:
    raise zipfile.BadZipFile("member cannot be read")


def _zip64_sizes(extra: bytes, usize: int, csize: int) -> tuple[int, int]:
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        if tag == 0x0001:
            body = extra[at + 4 : at + 4 + length]
            values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            if usize == 0xFFFFFFFF and values:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF and values:
                csize = values.pop(0)
            break
        at += 4 + length
    return usize, csize


def _skip_descriptor(raw: IO[bytes]) -> None:
    """Skip a data descriptor (with or without signature, 32- or 64-bit sizes)."""
    start = raw.tell()
    ahead = raw.read(28)
    for length in (16, 12, 24, 20):
        if length <= len(ahead) and (ahead[length : length + 2] in (b"PK", b"")):
            if length in (16, 24) and ahead[:4] != b"PK\x07\x08":
                continue
            raw.seek(start + length)
            return
    raw.seek(start + min(len(ahead), 16))


class _Bounded:
    """At most ``left`` bytes of a file (a stored zip member)."""

    def __init__(self, raw: IO[bytes], left: int) -> None:
        self._raw = raw
        self._left = left
        self.consumed = 0

    def read(self, size: int = -1, /) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._raw.read(size)
        if len(data) < size:
            raise EOFError("stored data ends early")
        self._left -= len(data)
        self.consumed += len(data)
        return data

    def close(self) -> None:
        return None


class Inflate:
    """A raw deflate stream read from a file, bounded in output per call."""

    def __init__(self, raw: IO[bytes], left: int | None) -> None:
        self._raw = raw
        self._left = left
        self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        self._tail = b""
        self.consumed = 0
        self.produced = 0

    @property
    def eof(self) -> bool:
        return self._z.eof

    def read(self, size: int = -1, /) -> bytes:
        size = CHUNK if size < 0 else size
        out = b""
        while not out and not self._z.eof and size > 0:
            data = self._tail
            if not data:
                want = INFLATE_IN if self._left is None else min(INFLATE_IN, self._left)
                data = self._raw.read(want) if want else b""
                if not data:
                    raise EOFError("compressed data ends early")
                self.consumed += len(data)
                if self._left is not None:
                    self._left -= len(data)
            out = self._z.decompress(data, size)
            self._tail = self._z.unconsumed_tail
        self.produced += len(out)
        return out

    def close(self) -> None:
        return None

    def unused(self) -> int:
        """Bytes read from the file past the end of the stream."""
        return len(self._z.unused_data) + len(self._tail)
