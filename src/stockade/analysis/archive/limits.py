"""How much of an archive is read, at most, and the budget that enforces it while reading:
time on the clock, entries and files met, bytes kept, compression ratios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stockade.analysis.archive.errors import Stop
from stockade.analysis.archive.rules import Findings

CHUNK = 64 * 1024
"""Bytes read at a time."""
INFLATE_IN = 16 * 1024
"""Compressed bytes fed at a time when inflating by hand (small, so ratios are seen early)."""
BOMB_MIN_BYTES = 1 << 20
"""A member is a bomb only when it also expands past this (small compressible files are not)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of an archive is read, at most."""

    max_members: int = 20_000
    """Regular files read; beyond: a finding, reading stops."""
    max_total_bytes: int = 256 << 20
    """Uncompressed bytes kept in memory over all members."""
    max_member_bytes: int = 16 << 20
    """A wanted member larger than this keeps only its head."""
    head_bytes: int = 4096
    """Bytes kept of members not wanted in full (for sniffing)."""
    max_depth: int = 2
    """Nested archives (a .zip/.tar.gz/.whl/.tgz inside) are read this deep."""
    max_seconds: float = 30.0
    """Wall-clock budget for reading; beyond: a finding, reading stops."""
    max_ratio: int = 200
    """Compression ratio over which a member (or a compressed tar stream) is a bomb."""

    def __post_init__(self) -> None:
        for name in ("max_members", "max_total_bytes", "max_member_bytes", "max_ratio"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        if self.head_bytes < 0 or self.max_depth < 0 or self.max_seconds <= 0:
            raise ValueError("Limits.head_bytes and max_depth must be >= 0, max_seconds > 0")


class Budget:
    """The limits of one read as it goes: the clock, counts and bytes kept, shared by nested
    archives. Running out is reported to ``findings``, and :class:`Stop` ends reading."""

    def __init__(self, limits: Limits, clock: Callable[[], float], findings: Findings) -> None:
        self.limits = limits
        self.clock = clock
        self.findings = findings
        self.deadline = clock() + limits.max_seconds
        self.kept = 0
        """Bytes of member data kept in memory so far."""
        self.files = 0
        self.entries = 0

    def tick(self) -> None:
        """Stop when the time budget is spent."""
        if self.clock() > self.deadline:
            self.findings.report(
                "archive-timeout",
                "",
                f"Reading the archive took longer than {self.limits.max_seconds:g} s; the rest "
                "of it was not read.",
            )
            raise Stop

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > 2 * self.limits.max_members + 1000:
            self.findings.report(
                "archive-too-many-members",
                "",
                f"The archive has more than {self.entries - 1} entries; the rest of it was not "
                "read.",
            )
            raise Stop

    def count_file(self) -> None:
        self.files += 1
        if self.files > self.limits.max_members:
            self.findings.report(
                "archive-too-many-members",
                "",
                f"The archive has more than {self.limits.max_members} files; the rest of it was "
                "not read.",
            )
            raise Stop

    def bomb_alone(self, size: int, packed: int) -> bool:
        """Whether a member's declared sizes make it a bomb: more than a member may cost,
        packed at over ``max_ratio`` (libraries padded with zeros reach 200:1 at 2 MB)."""
        floor = max(BOMB_MIN_BYTES, self.limits.max_member_bytes)
        return size > floor and size > self.limits.max_ratio * max(packed, 1)

    def bomb(self, where: str, detail: str) -> None:
        """Report a decompression bomb at ``where``; ``detail`` says what it expands to."""
        self.findings.report(
            "archive-bomb",
            where,
            f"Compressed data that {detail} (over {self.limits.max_ratio}:1): a decompression "
            "bomb; it was not read further.",
        )
