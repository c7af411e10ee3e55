"""Reading one regular file of an archive into memory: in bounded chunks, within the limits
of size and total bytes kept, wanted members whole and others by their head, duplicates and
bombs reported. The zip and tar readers hand each file to :meth:`MemberReader.member`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from stockade.analysis.archive.detect import nested_name
from stockade.analysis.archive.errors import READ_ERRORS
from stockade.analysis.archive.limits import CHUNK, Budget, Limits
from stockade.analysis.archive.listing import Listing, Raw
from stockade.analysis.archive.paths import duplicate
from stockade.analysis.archive.rules import Findings


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Taken:
    """The bytes kept of one member."""

    data: bytes
    complete: bool
    error: Exception | None = None
    bomb: bool = False


class MemberReader(ABC):
    """Reads members into :class:`Listing` s, sharing limits, budgets and findings; opening
    nested archives is left to :meth:`nested`."""

    def __init__(
        self, limits: Limits, clock: Callable[[], float], wants: Callable[[str], bool]
    ) -> None:
        self.limits = limits
        self.wants = wants
        self.findings = Findings()
        self.budget = Budget(limits, clock, self.findings)
        self.total_noted = False

    @abstractmethod
    def nested(
        self, raw: Raw, taken: Taken, full: str, rel: str, *, nest: bool, depth: int
    ) -> None:
        """Read the member ``raw`` (an archive by its name) as a nested archive if it is one,
        or report why not when ``nest`` is false or it is incomplete."""

    def member(
        self,
        listing: Listing,
        path: str,
        *,
        size: int,
        executable: bool,
        opener: Callable[[], Readable],
        packed: int | None,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> Taken | None:
        """Read one regular file into ``listing``; returns what was read (``None`` if not)."""
        budget = self.budget
        budget.count_file()
        limits = self.limits
        full = prefix + path
        rel = rel_prefix + listing.tracker.rel(path)
        wanted = self.wants(rel) or (rel != rel_prefix + path and self.wants(rel_prefix + path))
        archive_kind = nested_name(path)
        nest = archive_kind and depth < limits.max_depth
        remaining = max(limits.max_total_bytes - budget.kept, 0)
        keep_cap = limits.max_member_bytes if wanted else limits.head_bytes
        limit = limits.max_member_bytes if nest else min(keep_cap, remaining)
        if packed is not None and budget.bomb_alone(size, packed):
            budget.bomb(full, f"declares {size} bytes packed into {packed}")
            nest = False
            taken = self.take(opener, min(limit, limits.head_bytes), size)
            taken = Taken(taken.data, False, taken.error, bomb=True)
        else:
            taken = self.take(opener, limit, size)
        if duplicate(self.findings, listing, full, path, size, taken.data):
            return None
        raw = Raw(path, max(size, len(taken.data)), taken.data, taken.complete, executable)
        listing.entries.append(raw)
        if taken.error is None and not taken.bomb and archive_kind:
            self.nested(raw, taken, full, rel, nest=nest, depth=depth)
        keep = min(keep_cap, max(limits.max_total_bytes - budget.kept, 0))  # after any nesting
        if len(raw.data) > keep:
            raw.data = raw.data[:keep]
            raw.complete = False
        budget.kept += len(raw.data)
        if wanted and not raw.complete and not taken.bomb and taken.error is None:
            if len(raw.data) >= limits.max_member_bytes:
                self.findings.report(
                    "archive-member-truncated",
                    full,
                    f"A file of {size} bytes; only its first {len(raw.data)} bytes were read "
                    f"(limit per file: {limits.max_member_bytes}).",
                )
            elif not self.total_noted:
                self.total_noted = True
                self.findings.report(
                    "archive-member-truncated",
                    full,
                    f"The files to analyse exceed {limits.max_total_bytes} bytes in all; this "
                    "and later files were read only in part or not at all.",
                )
        return taken

    def take(self, opener: Callable[[], Readable], limit: int, size: int) -> Taken:
        """At most ``limit`` bytes of a member, read in bounded chunks (sizes are not trusted)."""
        chunks: list[bytes] = []
        got = 0
        try:
            handle = opener()
            try:
                while got < limit:
                    self.budget.tick()
                    chunk = handle.read(min(CHUNK, limit - got))
                    if not chunk:
                        return Taken(b"".join(chunks), True)
                    chunks.append(chunk)
                    got += len(chunk)
                # Declared sizes are not trusted: the file is whole only if nothing follows.
                complete = got >= size and not handle.read(1)
            finally:
                handle.close()
        except READ_ERRORS as err:
            return Taken(b"".join(chunks), False, err)
        return Taken(b"".join(chunks), complete)
