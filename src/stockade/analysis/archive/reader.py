"""Reading an archive, start to end: the file opened and hashed, its kind told from its first
bytes, its entries read by the zip or tar reader, archives inside it read in turn (as deep as
the limits allow), and the result assembled into an :class:`Archive`."""

from __future__ import annotations

import hashlib
import io
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from stockade.analysis.archive.detect import SNIFF, container_kind, describe
from stockade.analysis.archive.errors import Abandon, ArchiveError, NotReadable, Stop
from stockade.analysis.archive.limits import Limits
from stockade.analysis.archive.listing import Listing, Raw, archive_format, flatten
from stockade.analysis.archive.members import MemberReader, Taken
from stockade.analysis.archive.tarread import fill_tar
from stockade.analysis.archive.zipread import fill_zip
from stockade.analysis.interface import Archive


def _everything(relpath: str) -> bool:
    return True


def read_archive(
    source: Path | bytes,
    *,
    filename: str | None = None,
    wants: Callable[[str], bool] = _everything,
    limits: Limits = Limits(),
    clock: Callable[[], float] = time.monotonic,
) -> Archive:
    """Read an archive (a path or its bytes) into memory, safely and within ``limits``.

    ``wants(relpath)`` says which members are kept whole (up to ``max_member_bytes``); others
    keep their first ``head_bytes``. Raises :class:`ArchiveError` when the file is not a zip
    or tar (plain, gzip, bzip2 or xz) or nothing of it can be read.
    """
    if isinstance(source, bytes):
        name = filename or "<bytes>"
        return _read(
            io.BytesIO(source), name, hashlib.sha256(source).hexdigest(), wants, limits, clock
        )
    name = filename or source.name
    try:
        if not stat.S_ISREG(source.stat().st_mode):  # a FIFO would block, a device never end
            raise ArchiveError("cannot be read: not a regular file", path=name)
        raw = source.open("rb")
    except OSError as err:
        raise ArchiveError(f"cannot be read: {err.strerror or err}", path=name) from None
    with raw:
        digest = hashlib.file_digest(raw, "sha256").hexdigest()
        raw.seek(0)
        return _read(raw, name, digest, wants, limits, clock)


def _read(
    raw: IO[bytes],
    name: str,
    digest: str,
    wants: Callable[[str], bool],
    limits: Limits,
    clock: Callable[[], float],
) -> Archive:
    head = raw.read(SNIFF)
    raw.seek(0)
    kind = container_kind(head)
    if kind is None:
        raise ArchiveError(f"not an archive: it looks like {describe(head)}", path=name)
    listing = Listing(kind == "zip", wheel=kind == "zip" and name.lower().endswith(".whl"))
    reader = _Reader(limits, clock, wants)
    try:
        reader.fill(listing, raw, kind, "", "", 0)
    except NotReadable as err:
        raise ArchiveError(str(err), path=name) from None
    except (Stop, Abandon):
        pass
    members = list(flatten(listing, "", ""))
    return Archive(
        filename=name,
        format=archive_format(listing),
        sha256=digest,
        members=members,
        findings=reader.findings.final(),
        root=listing.root,
        total_size=sum(m.size for m in members),
    )


class _Reader(MemberReader):
    """Reads an archive and the archives nested in it, each with the zip or tar reader."""

    def fill(
        self,
        listing: Listing,
        raw: IO[bytes],
        kind: str,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> None:
        """Read one archive's entries into ``listing`` (raises :class:`NotReadable`)."""
        if kind == "zip":
            fill_zip(self, listing, raw, prefix, rel_prefix, depth)
        else:
            fill_tar(self, listing, raw, kind, prefix, rel_prefix, depth)

    def nested(
        self, raw: Raw, taken: Taken, full: str, rel: str, *, nest: bool, depth: int
    ) -> None:
        kind = container_kind(taken.data[:SNIFF])
        if kind is None:
            return
        if not nest:
            self.findings.report(
                "archive-nesting",
                full,
                f"An archive nested more than {self.limits.max_depth} deep; not opened.",
            )
            return
        if not taken.complete:
            self.findings.report(
                "archive-nesting",
                full,
                f"A nested archive larger than {self.limits.max_member_bytes} bytes; not opened.",
            )
            return
        child = Listing(kind == "zip", wheel=kind == "zip" and full.lower().endswith(".whl"))
        raw.children = child
        self.findings.depth += 1
        try:
            self.fill(child, io.BytesIO(taken.data), kind, full + "!", rel + "!", depth + 1)
        except NotReadable as err:
            self.findings.report(
                "archive-corrupt", full, f"This nested archive could not be read: {err}."
            )
        except Abandon:
            pass
        finally:
            self.findings.depth -= 1
