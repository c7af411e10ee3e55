"""What was read of an archive, before it becomes an :class:`Archive`: the regular files of
each (possibly nested) archive, the single top folder they sit in, and the package format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from stockade.analysis.interface import Member

_SDIST_MARKERS = frozenset({"PKG-INFO", "setup.py", "pyproject.toml"})
"""Files at the top of a Python source distribution."""


class RootTracker:
    """Finds the single top folder every entry sits in, as entries arrive."""

    def __init__(self, *, none: bool = False) -> None:
        self.candidate: str | None = None
        self.broken = none
        self.deep = False

    def add(self, path: str, *, is_dir: bool) -> None:
        if self.broken:
            return
        top, sep, _ = path.partition("/")
        if not sep and not is_dir:
            self.broken = True
        elif self.candidate is None:
            self.candidate = top
        elif top != self.candidate:
            self.broken = True
        self.deep = self.deep or bool(sep)

    @property
    def root(self) -> str:
        """The top folder, or ``""``."""
        if self.candidate and not self.broken and self.deep:
            return self.candidate
        return ""

    def rel(self, path: str) -> str:
        """``path`` below the top folder as known so far (a guess until every entry is seen)."""
        if self.candidate and not self.broken and path.startswith(self.candidate + "/"):
            return path[len(self.candidate) + 1 :]
        return path


@dataclass(slots=True)
class Raw:
    """A regular file read, before relative paths are final."""

    path: str
    size: int
    data: bytes
    complete: bool
    executable: bool
    children: Listing | None = None


@dataclass(slots=True)
class Listing:
    """The entries of one archive (the top one or a nested one)."""

    is_zip: bool
    wheel: bool = False
    entries: list[Raw] = field(default_factory=list)
    tracker: RootTracker = field(default_factory=RootTracker)
    seen: int = 0
    """Entries of any type met (directories and skipped ones included)."""
    digests: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    links: dict[str, bool] = field(default_factory=dict)
    """Symbolic links met, and whether each points outside the tree."""

    def __post_init__(self) -> None:
        if self.wheel:
            self.tracker = RootTracker(none=True)

    @property
    def root(self) -> str:
        """The single top folder (never for wheels), or ``""``."""
        return self.tracker.root


def flatten(listing: Listing, path_prefix: str, rel_prefix: str) -> Iterator[Member]:
    root = listing.root
    for raw in listing.entries:
        rel = raw.path[len(root) + 1 :] if root else raw.path
        yield Member(
            path=path_prefix + raw.path,
            relpath=rel_prefix + rel,
            size=raw.size,
            data=raw.data,
            complete=raw.complete,
            executable=raw.executable,
        )
        if raw.children is not None:
            yield from flatten(raw.children, f"{path_prefix}{raw.path}!", f"{rel_prefix}{rel}!")


def archive_format(listing: Listing) -> str:
    """``wheel``, ``npm``, ``sdist`` or ``archive``."""
    if listing.wheel:
        return "wheel"
    paths = {raw.path for raw in listing.entries}
    if not listing.is_zip and (listing.root == "package" or "package/package.json" in paths):
        return "npm"
    root = listing.root
    top = {p[len(root) + 1 :] if root else p for p in paths}
    if top & _SDIST_MARKERS:
        return "sdist"
    return "archive"
