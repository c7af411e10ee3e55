"""Reading a zip (wheels, eggs, zips in general) into a :class:`Listing`: through its central
directory when it has a usable one, from its local headers otherwise; declared sizes checked
for bombs before anything is inflated."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from functools import partial
from typing import IO

from stockade.analysis.archive.errors import READ_ERRORS, NotReadable, error_text
from stockade.analysis.archive.limits import BOMB_MIN_BYTES, CHUNK
from stockade.analysis.archive.listing import Listing
from stockade.analysis.archive.members import MemberReader
from stockade.analysis.archive.paths import accept, check_path, link, show, special, text
from stockade.analysis.archive.ziplocal import Inflate, LocalEntry, LocalWalker

_ZIP_SPECIAL = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFSOCK: "socket",
}
"""File types of special members, from the Unix mode in a zip entry's attributes."""


def fill_zip(
    reader: MemberReader, listing: Listing, raw: IO[bytes], prefix: str, rel_prefix: str, depth: int
) -> None:
    """Read a zip's entries into ``listing`` (raises :class:`NotReadable`)."""
    declared = _zip_entry_count(raw)
    if declared is None:
        _fill_zip_local(reader, listing, raw, prefix, rel_prefix, depth, "no central directory")
        return
    if declared > reader.limits.max_members:
        # Do not let zipfile build an index of every declared entry: walk the local headers.
        _fill_zip_local(reader, listing, raw, prefix, rel_prefix, depth, None)
        return
    try:
        archive = zipfile.ZipFile(raw)
    except READ_ERRORS as err:
        _fill_zip_local(reader, listing, raw, prefix, rel_prefix, depth, error_text(err))
        return
    with archive:
        infos = archive.infolist()
        budget = reader.budget
        declared_total = sum(
            i.file_size for i in infos if not budget.bomb_alone(i.file_size, i.compress_size)
        )
        packed_total = raw.seek(0, io.SEEK_END)
        if declared_total > 4 * reader.limits.max_total_bytes and declared_total > (
            reader.limits.max_ratio * max(packed_total, 1)
        ):  # many members, none a bomb alone, or members sharing their data
            budget.bomb(prefix[:-1], f"declares {declared_total} bytes in all, in {packed_total}")
        _zip_entries(reader, archive, infos, listing, prefix, rel_prefix, depth)


def _zip_entries(
    reader: MemberReader,
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    listing: Listing,
    prefix: str,
    rel_prefix: str,
    depth: int,
) -> None:
    for info in infos:  # the top folder is known before reading: wants() sees final paths
        checked = check_path(text(info.orig_filename), is_dir=_zip_is_dir(info))
        if checked.path is not None:
            listing.tracker.add(checked.path, is_dir=_zip_is_dir(info))
    for info in infos:
        reader.budget.tick()
        listing.seen += 1
        reader.budget.count_entry()
        mode = info.external_attr >> 16
        is_dir = _zip_is_dir(info)
        path = accept(
            reader.findings, text(info.orig_filename), prefix, listing, is_dir=is_dir, add=False
        )
        if path is None or is_dir:
            continue
        full = prefix + path
        opener = partial(archive.open, info)
        if stat.S_ISLNK(mode):
            target = reader.take(opener, 4096, info.file_size)
            target_text = target.data.decode("utf-8", "replace")
            link(reader.findings, listing, full, path, target_text, hard=False)
            continue
        if _ZIP_SPECIAL.get(stat.S_IFMT(mode)):
            special(reader.findings, full, _ZIP_SPECIAL[stat.S_IFMT(mode)])
            continue
        taken = reader.member(
            listing,
            path,
            size=info.file_size,
            executable=bool(mode & 0o111),
            opener=opener,
            packed=info.compress_size,
            prefix=prefix,
            rel_prefix=rel_prefix,
            depth=depth,
        )
        if taken is not None and taken.error is not None:
            reader.findings.corrupt(full, taken.error, member=True)


def _fill_zip_local(
    reader: MemberReader,
    listing: Listing,
    raw: IO[bytes],
    prefix: str,
    rel_prefix: str,
    depth: int,
    problem: str | None,
) -> None:
    """Read a zip from its local headers, front to back (no or too big a directory)."""
    where = prefix[:-1]
    walker = LocalWalker(raw)
    try:
        for entry in walker.entries(reader.budget):
            listing.seen += 1
            reader.budget.count_entry()
            _local_entry(reader, entry, listing, prefix, rel_prefix, depth)
            if entry.inflate is not None and _drain(reader, entry.inflate, prefix + entry.name):
                return  # a bomb: its end, and what follows, lie past it
    except READ_ERRORS as err:
        if listing.seen == 0:
            raise NotReadable(
                f"damaged zip archive: nothing could be read ({error_text(err)})"
            ) from None
        reader.findings.corrupt(where, err)
        return
    if problem is not None:
        if listing.seen == 0:
            raise NotReadable(f"damaged zip archive: nothing could be read ({problem})")
        reader.findings.corrupt(where, problem)


def _local_entry(
    reader: MemberReader,
    entry: LocalEntry,
    listing: Listing,
    prefix: str,
    rel_prefix: str,
    depth: int,
) -> None:
    is_dir = entry.name.endswith(("/", "\\"))
    path = accept(reader.findings, text(entry.name), prefix, listing, is_dir=is_dir)
    if path is None or is_dir:
        return
    if entry.unreadable:
        reader.findings.corrupt(prefix + path, entry.unreadable, member=True)
        return
    taken = reader.member(
        listing,
        path,
        size=entry.size,
        executable=False,
        opener=entry.open,
        packed=entry.packed,
        prefix=prefix,
        rel_prefix=rel_prefix,
        depth=depth,
    )
    if taken is not None and taken.error is not None:
        raise taken.error


def _drain(reader: MemberReader, stream: Inflate, where: str) -> bool:
    """Inflate the rest of a member whose size comes after it, to find its end; ``True``
    (reported) when it turns out to be a bomb."""
    limits = reader.limits
    floor = max(BOMB_MIN_BYTES, limits.max_member_bytes)
    while not stream.eof:
        reader.budget.tick()
        stream.read(CHUNK)
        if stream.produced > floor and stream.produced > limits.max_ratio * max(stream.consumed, 1):
            reader.budget.bomb(
                show(where), f"expands to over {stream.produced} bytes from {stream.consumed}"
            )
            return True
    return False


def _zip_is_dir(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or stat.S_ISDIR(info.external_attr >> 16)


def _zip_entry_count(raw: IO[bytes]) -> int | None:
    """The entry count the end-of-central-directory record declares, or ``None`` without one."""
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    span = min(size, 22 + 0xFFFF)
    raw.seek(size - span)
    tail = raw.read(span)
    at = tail.rfind(b"PK\x05\x06")
    raw.seek(0)
    if at < 0 or len(tail) - at < 22:
        return None
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        raw.seek(offset)
        record = raw.read(56)
        raw.seek(0)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            (entries,) = struct.unpack_from("<Q", record, 32)
    return int(entries)
