"""Read package archives safely: sdists, wheels, npm tarballs, and zips or tars in general.

Archives are hostile input. Nothing is ever extracted or written to disk: members are read into
memory with bounded loops, within :class:`Limits` of count, size, nesting and time, whatever
sizes the archive declares. Members that could harm an extractor (absolute paths, ``..``
traversal, links, devices, duplicates, odd names) are skipped and reported as findings, as are
bombs and the limits hit.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import posixpath
import re
import stat
import struct
import tarfile
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, Protocol, cast

from stockade.analysis.indicators import BIDI_CHARS
from stockade.analysis.interface import Archive, Member, Reporter
from stockade.analysis.model import Category, Confidence, Finding, Kind, RuleInfo, Severity
from stockade.errors import InputError

__all__ = ["RULES", "ArchiveError", "Limits", "read_archive"]


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


class ArchiveError(InputError):
    """The file is not an archive Stockade reads, or nothing of it can be read.

    ``str(err)`` is one line naming the file and what it actually looks like.
    """


def _rule(
    id: str, kind: Kind, severity: Severity, description: str, confidence: Confidence
) -> RuleInfo:
    return RuleInfo(
        id=id,
        category=Category.ARCHIVE,
        severity=severity,
        confidence=confidence,
        kind=kind,
        description=description,
    )


_THREAT, _CAP = Kind.THREAT, Kind.CAPABILITY
_HIGH, _MED, _LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

RULES: Sequence[RuleInfo] = (
    _rule(
        "archive-path-traversal",
        _THREAT,
        Severity.HIGH,
        "A member path uses '..' to climb out of the extraction folder (Zip Slip).",
        _HIGH,
    ),
    _rule(
        "archive-absolute-path",
        _THREAT,
        Severity.HIGH,
        "A member path is absolute or names a drive, so extracting it writes anywhere.",
        _HIGH,
    ),
    _rule(
        "archive-bad-path",
        _THREAT,
        Severity.MEDIUM,
        "A member name holds control or bidirectional characters, or is too long to extract; "
        "such names hide or spoof files.",
        _MED,
    ),
    _rule(
        "archive-link",
        _CAP,
        Severity.LOW,
        "A symbolic or hard link inside the archive's own tree; links are not followed.",
        _HIGH,
    ),
    _rule(
        "archive-link-escape",
        _THREAT,
        Severity.HIGH,
        "A link points outside the archive's tree, so extraction can read or overwrite files "
        "elsewhere.",
        _HIGH,
    ),
    _rule(
        "archive-special-file",
        _THREAT,
        Severity.MEDIUM,
        "A device node or FIFO member; packages have none, and extracting one creates it.",
        _HIGH,
    ),
    _rule(
        "archive-duplicate",
        _THREAT,
        Severity.MEDIUM,
        "A path appears twice; extractors keep the later copy, which can shadow what a "
        "reviewer saw.",
        _MED,
    ),
    _rule(
        "archive-bomb",
        _THREAT,
        Severity.HIGH,
        "Data compressed far beyond what real files allow (a decompression bomb).",
        _HIGH,
    ),
    _rule(
        "archive-too-many-members",
        _CAP,
        Severity.MEDIUM,
        "The archive has more members than the reading limit; the rest was not analysed.",
        _HIGH,
    ),
    _rule(
        "archive-member-truncated",
        _CAP,
        Severity.INFO,
        "A file larger than the per-file or total limit was analysed only in part.",
        _HIGH,
    ),
    _rule(
        "archive-timeout",
        _CAP,
        Severity.MEDIUM,
        "Reading the archive took longer than its time budget; the rest was not analysed.",
        _HIGH,
    ),
    _rule(
        "archive-corrupt",
        _CAP,
        Severity.LOW,
        "The archive or a member is truncated, damaged, encrypted or uses an unsupported "
        "method; what could be read was.",
        _HIGH,
    ),
    _rule(
        "archive-nesting",
        _CAP,
        Severity.LOW,
        "An archive inside the archive was not opened: nested too deep or too large.",
        _HIGH,
    ),
)
"""The rules the archive reader reports (category ``archive``)."""

_RULES = {r.id: r for r in RULES}
_HAZARDS = frozenset(
    {
        "archive-path-traversal",
        "archive-absolute-path",
        "archive-bad-path",
        "archive-link",
        "archive-link-escape",
        "archive-special-file",
        "archive-duplicate",
        "archive-bomb",
    }
)
"""Rules about what extracting a member would do (milder inside nested archives)."""

_CHUNK = 64 * 1024
_SNIFF = 4096
_MAX_HEADER_BYTES = 1 << 20
"""Extended tar header data (pax, GNU long names, sparse maps) read for one member, at most."""
_MAX_PATH = 1024
_MAX_NAME = 255
_BOMB_MIN_BYTES = 1 << 20
"""A member is a bomb only when it also expands past this (small compressible files are not)."""
_MAX_FINDINGS_PER_RULE = 100
_INFLATE_IN = 16 * 1024
_XZ_MEMLIMIT = 128 << 20
"""Memory an xz stream may ask for (``xz -9`` needs 65 MiB)."""
"""Compressed bytes fed at a time when inflating by hand (small, so ratios are seen early)."""
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
_SDIST_MARKERS = frozenset({"PKG-INFO", "setup.py", "pyproject.toml"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
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
_READ_ERRORS: tuple[type[Exception], ...] = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    ValueError,
    LookupError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)
"""What libraries raise on damaged or hostile data (our own control flow is not among them)."""


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
    head = raw.read(_SNIFF)
    raw.seek(0)
    kind = _container_kind(head)
    if kind is None:
        raise ArchiveError(f"not an archive: it looks like {_describe(head)}", path=name)
    listing = _Listing(kind == "zip", wheel=kind == "zip" and name.lower().endswith(".whl"))
    reader = _Reader(limits, clock, wants)
    try:
        reader.fill(listing, raw, kind, "", "", 0)
    except _NotReadable as err:
        raise ArchiveError(str(err), path=name) from None
    except (_Stop, _Abandon):
        pass
    members = list(_flatten(listing, "", ""))
    return Archive(
        filename=name,
        format=_format(listing),
        sha256=digest,
        members=members,
        findings=reader.final_findings(),
        root=listing.root,
        total_size=sum(m.size for m in members),
    )


# --- what a file is ---------------------------------------------------------------------------


def _container_kind(head: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz``, ``zip`` or ``tar`` from the magic bytes, else ``None``."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3] in b"123456789":
        return "bzip2"
    if head.startswith(_XZ_MAGIC):
        return "xz"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if _is_tar_header(head):
        return "tar"
    return None


def _is_tar_header(block: bytes) -> bool:
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


def _describe(head: bytes) -> str:
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


def _nested_name(path: str) -> bool:
    return path.lower().endswith(_NESTED_SUFFIXES)


def _text(name: str) -> str:
    """A name as text: bytes that were not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _show(name: str) -> str:
    """A name safe to print: control characters escaped, at most 200 characters."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return shown if len(shown) <= 200 else shown[:199] + "…"


@dataclass(frozen=True, slots=True)
class _PathCheck:
    """A member name, normalised, and what is wrong with it."""

    path: str | None
    """``a/b/c`` without ``.``, empty parts or backslashes; ``None`` when it must be skipped."""
    rule: str | None = None
    message: str = ""


def _check_path(name: str, *, is_dir: bool) -> _PathCheck:
    if _CONTROL.search(name):
        return _PathCheck(
            None,
            "archive-bad-path",
            "A member name holds control characters (NUL, escape, newline), which can cut or "
            "spoof the name shown to tools and people; skipped.",
        )
    parts_raw = name.replace("\\", "/").split("/")
    if len(name) > _MAX_PATH or any(len(p.encode("utf-8")) > _MAX_NAME for p in parts_raw):
        return _PathCheck(
            None,
            "archive-bad-path",
            f"A member name of {len(name)} characters is longer than file systems allow; skipped.",
        )
    unix = "/".join(parts_raw)
    if unix.startswith("/") or _DRIVE.match(unix):
        return _PathCheck(
            None,
            "archive-absolute-path",
            "An absolute member path: extracting it would write outside the target folder "
            "(for example over system files); skipped.",
        )
    parts = [p for p in parts_raw if p not in ("", ".")]
    if ".." in parts:
        escapes = posixpath.normpath("/".join(parts)).startswith("..")
        where = "outside the target folder" if escapes else "through parent folders"
        return _PathCheck(
            None,
            "archive-path-traversal",
            f"A member path uses '..' and would be extracted {where} (path traversal); skipped.",
        )
    if not parts:
        if is_dir:
            return _PathCheck(None)
        return _PathCheck(None, "archive-bad-path", "A file member has an empty name; skipped.")
    path = "/".join(parts)
    if not BIDI_CHARS.isdisjoint(name):
        return _PathCheck(
            path,
            "archive-bad-path",
            "A member name holds bidirectional control characters, which make it display as "
            "a different name (for example a .py file shown as .txt).",
        )
    return _PathCheck(path)


# --- what was read ----------------------------------------------------------------------------


class _RootTracker:
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
class _Raw:
    """A regular file read, before relative paths are final."""

    path: str
    size: int
    data: bytes
    complete: bool
    executable: bool
    children: _Listing | None = None


@dataclass(slots=True)
class _Listing:
    """The entries of one archive (the top one or a nested one)."""

    is_zip: bool
    wheel: bool = False
    entries: list[_Raw] = field(default_factory=list)
    tracker: _RootTracker = field(default_factory=_RootTracker)
    seen: int = 0
    """Entries of any type met (directories and skipped ones included)."""
    digests: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    links: dict[str, bool] = field(default_factory=dict)
    """Symbolic links met, and whether each points outside the tree."""

    def __post_init__(self) -> None:
        if self.wheel:
            self.tracker = _RootTracker(none=True)

    @property
    def root(self) -> str:
        """The single top folder (never for wheels), or ``""``."""
        return self.tracker.root


def _flatten(listing: _Listing, path_prefix: str, rel_prefix: str) -> Iterator[Member]:
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
            yield from _flatten(raw.children, f"{path_prefix}{raw.path}!", f"{rel_prefix}{rel}!")


def _format(listing: _Listing) -> str:
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


# --- reading ----------------------------------------------------------------------------------


class _Stop(Exception):
    """Reading stops altogether (a limit was hit; the finding is recorded)."""


class _Abandon(Exception):
    """Reading of one (possibly nested) archive stops (the finding is recorded)."""


class _NotReadable(Exception):
    """Nothing of an archive could be read; the message says why."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _Taken:
    """The bytes kept of one member."""

    data: bytes
    complete: bool
    error: Exception | None = None
    bomb: bool = False


class _Reader:
    """Reads archives into :class:`_Listing` s, sharing limits, budgets and findings."""

    def __init__(
        self, limits: Limits, clock: Callable[[], float], wants: Callable[[str], bool]
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.wants = wants
        self.deadline = clock() + limits.max_seconds
        self.kept = 0
        self.files = 0
        self.entries = 0
        self.total_noted = False
        self.findings: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.depth = 0
        """How deep in nested archives reading is now."""

    # findings and limits

    def report(
        self,
        rule: str,
        path: str,
        message: str,
        *,
        snippet: str = "",
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        self.counts[rule] += 1
        if self.counts[rule] > _MAX_FINDINGS_PER_RULE:
            return
        if self.depth and rule in _HAZARDS:
            # Installers unpack the package, never the archives inside it (test fixtures,
            # vendored wheels): what would harm an extractor there harms nobody by itself.
            if severity is not Severity.INFO:
                severity = Severity.LOW
            confidence = Confidence.LOW
            message += " It lies inside a nested archive, which installers do not unpack."
        reporter = Reporter(_RULES, path)
        reporter.report(rule, message, snippet=snippet, severity=severity, confidence=confidence)
        self.findings.extend(reporter.findings)

    def final_findings(self) -> list[Finding]:
        out = list(self.findings)
        for rule, count in self.counts.items():
            if count > _MAX_FINDINGS_PER_RULE:
                extra = count - _MAX_FINDINGS_PER_RULE
                reporter = Reporter(_RULES, "")
                reporter.report(rule, f"{extra} more findings of this rule are not listed.")
                out.extend(reporter.findings)
        return out

    def tick(self) -> None:
        """Stop when the time budget is spent."""
        if self.clock() > self.deadline:
            self.report(
                "archive-timeout",
                "",
                f"Reading the archive took longer than {self.limits.max_seconds:g} s; the rest "
                "of it was not read.",
            )
            raise _Stop

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > 2 * self.limits.max_members + 1000:
            self.report(
                "archive-too-many-members",
                "",
                f"The archive has more than {self.entries - 1} entries; the rest of it was not "
                "read.",
            )
            raise _Stop

    def count_file(self) -> None:
        self.files += 1
        if self.files > self.limits.max_members:
            self.report(
                "archive-too-many-members",
                "",
                f"The archive has more than {self.limits.max_members} files; the rest of it was "
                "not read.",
            )
            raise _Stop

    def corrupt(self, where: str, err: BaseException | str, *, member: bool = False) -> None:
        if member:
            message = f"This member could not be read ({_error_text(err)}); it is kept in part."
        else:
            message = (
                f"The archive is truncated or damaged ({_error_text(err)}); what came before "
                "was read."
            )
        self.report("archive-corrupt", where, message)

    # containers

    def fill(
        self,
        listing: _Listing,
        raw: IO[bytes],
        kind: str,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> None:
        """Read one archive's entries into ``listing`` (raises :class:`_NotReadable`)."""
        if kind == "zip":
            self._fill_zip(listing, raw, prefix, rel_prefix, depth)
        else:
            self._fill_tar(listing, raw, kind, prefix, rel_prefix, depth)

    def _fill_tar(
        self,
        listing: _Listing,
        raw: IO[bytes],
        kind: str,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> None:
        where = prefix[:-1]
        guard = _Guard(_decompressed(kind, raw), None if kind == "tar" else raw, self, where)
        guard.header_budget = _MAX_HEADER_BYTES
        try:
            archive = tarfile.TarFile(fileobj=cast(IO[bytes], guard), mode="r", encoding="utf-8")
        except _READ_ERRORS as err:
            raise _NotReadable(_why_not_tar(kind, raw, err)) from None
        try:
            while True:
                self.tick()
                guard.header_budget = _MAX_HEADER_BYTES
                info = archive.next()
                guard.header_budget = None
                archive.__dict__["members"].clear()  # tarfile would keep every header
                if info is None:
                    break
                self._tar_entry(archive, info, listing, prefix, rel_prefix, depth)
        except _READ_ERRORS as err:
            if listing.seen == 0:
                raise _NotReadable(_why_not_tar(kind, raw, err)) from None
            self.corrupt(where, err)

    def _tar_entry(
        self,
        archive: tarfile.TarFile,
        info: tarfile.TarInfo,
        listing: _Listing,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> None:
        listing.seen += 1
        self.count_entry()
        path = self._accept(_text(info.name), prefix, listing, is_dir=info.isdir())
        if path is None or info.isdir():
            return
        full = prefix + path
        if info.issym() or info.islnk():
            self._link(listing, full, path, _text(info.linkname), hard=info.islnk())
            return
        if not info.isreg():
            self._special(full, _TAR_TYPES.get(info.type, f"member of unknown type {info.type!r}"))
            return

        def open_member() -> _Readable:
            handle = archive.extractfile(info)
            if handle is None:  # pragma: no cover - regular members always have one
                raise tarfile.ReadError("no data")
            return handle

        taken = self._member(
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

    def _fill_zip(
        self, listing: _Listing, raw: IO[bytes], prefix: str, rel_prefix: str, depth: int
    ) -> None:
        declared = _zip_entry_count(raw)
        if declared is None:
            self._fill_zip_local(listing, raw, prefix, rel_prefix, depth, "no central directory")
            return
        if declared > self.limits.max_members:
            # Do not let zipfile build an index of every declared entry: walk the local headers.
            self._fill_zip_local(listing, raw, prefix, rel_prefix, depth, None)
            return
        try:
            archive = zipfile.ZipFile(raw)
        except _READ_ERRORS as err:
            self._fill_zip_local(listing, raw, prefix, rel_prefix, depth, _error_text(err))
            return
        with archive:
            infos = archive.infolist()
            declared_total = sum(
                i.file_size for i in infos if not self._bomb_alone(i.file_size, i.compress_size)
            )
            packed_total = raw.seek(0, io.SEEK_END)
            if declared_total > 4 * self.limits.max_total_bytes and declared_total > (
                self.limits.max_ratio * max(packed_total, 1)
            ):  # many members, none a bomb alone, or members sharing their data
                self._bomb(
                    prefix[:-1], f"declares {declared_total} bytes in all, in {packed_total}"
                )
            self._zip_entries(archive, infos, listing, prefix, rel_prefix, depth)

    def _zip_entries(
        self,
        archive: zipfile.ZipFile,
        infos: list[zipfile.ZipInfo],
        listing: _Listing,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> None:
        for info in infos:  # the top folder is known before reading: wants() sees final paths
            checked = _check_path(_text(info.orig_filename), is_dir=_zip_is_dir(info))
            if checked.path is not None:
                listing.tracker.add(checked.path, is_dir=_zip_is_dir(info))
        for info in infos:
            self.tick()
            listing.seen += 1
            self.count_entry()
            mode = info.external_attr >> 16
            is_dir = _zip_is_dir(info)
            path = self._accept(
                _text(info.orig_filename), prefix, listing, is_dir=is_dir, add=False
            )
            if path is None or is_dir:
                continue
            full = prefix + path
            opener = partial(archive.open, info)
            if stat.S_ISLNK(mode):
                target = self._take(opener, 4096, info.file_size)
                self._link(listing, full, path, target.data.decode("utf-8", "replace"), hard=False)
                continue
            if _ZIP_SPECIAL.get(stat.S_IFMT(mode)):
                self._special(full, _ZIP_SPECIAL[stat.S_IFMT(mode)])
                continue
            taken = self._member(
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
                self.corrupt(full, taken.error, member=True)

    def _fill_zip_local(
        self,
        listing: _Listing,
        raw: IO[bytes],
        prefix: str,
        rel_prefix: str,
        depth: int,
        problem: str | None,
    ) -> None:
        """Read a zip from its local headers, front to back (no or too big a directory)."""
        where = prefix[:-1]
        walker = _LocalWalker(raw)
        try:
            for entry in walker.entries(self):
                listing.seen += 1
                self.count_entry()
                self._local_entry(entry, listing, prefix, rel_prefix, depth)
                if entry.inflate is not None and self._drain(entry.inflate, prefix + entry.name):
                    return  # a bomb: its end, and what follows, lie past it
        except _READ_ERRORS as err:
            if listing.seen == 0:
                raise _NotReadable(
                    f"damaged zip archive: nothing could be read ({_error_text(err)})"
                ) from None
            self.corrupt(where, err)
            return
        if problem is not None:
            if listing.seen == 0:
                raise _NotReadable(f"damaged zip archive: nothing could be read ({problem})")
            self.corrupt(where, problem)

    def _local_entry(
        self, entry: _LocalEntry, listing: _Listing, prefix: str, rel_prefix: str, depth: int
    ) -> None:
        is_dir = entry.name.endswith(("/", "\\"))
        path = self._accept(_text(entry.name), prefix, listing, is_dir=is_dir)
        if path is None or is_dir:
            return
        if entry.unreadable:
            self.corrupt(prefix + path, entry.unreadable, member=True)
            return
        taken = self._member(
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

    def _drain(self, stream: _Inflate, where: str) -> bool:
        """Inflate the rest of a member whose size comes after it, to find its end; ``True``
        (reported) when it turns out to be a bomb."""
        floor = max(_BOMB_MIN_BYTES, self.limits.max_member_bytes)
        while not stream.eof:
            self.tick()
            stream.read(_CHUNK)
            if stream.produced > floor and stream.produced > self.limits.max_ratio * max(
                stream.consumed, 1
            ):
                self._bomb(
                    _show(where), f"expands to over {stream.produced} bytes from {stream.consumed}"
                )
                return True
        return False

    # entries

    def _accept(
        self, name: str, prefix: str, listing: _Listing, *, is_dir: bool, add: bool = True
    ) -> str | None:
        """The normalised path of an entry, or ``None`` (reported) when it must be skipped."""
        checked = _check_path(name, is_dir=is_dir)
        if checked.rule is not None:
            self.report(checked.rule, prefix + _show(name), checked.message, snippet=_show(name))
        if checked.path is None:
            return None
        if add:
            listing.tracker.add(checked.path, is_dir=is_dir)
        if listing.links:
            self._through_link(listing, prefix, checked.path)
        return checked.path

    def _through_link(self, listing: _Listing, prefix: str, path: str) -> None:
        """Report a member whose path goes through a symbolic link that leaves the tree."""
        parts = path.split("/")
        for end in range(1, len(parts)):
            ancestor = "/".join(parts[:end])
            if listing.links.get(ancestor):
                self.report(
                    "archive-link-escape",
                    prefix + path,
                    f"This member's path goes through the symbolic link {ancestor!r}, which "
                    "points outside the archive's tree: extracting it writes outside the "
                    "target folder.",
                    snippet=prefix + path,
                )
                return

    def _link(self, listing: _Listing, full: str, path: str, target: str, *, hard: bool) -> None:
        unix = target.replace("\\", "/")
        escapes = unix.startswith("/") or bool(_DRIVE.match(unix))
        if not escapes and unix:
            base = "" if hard else posixpath.dirname(path)
            resolved = posixpath.normpath(posixpath.join(base, unix))
            escapes = resolved == ".." or resolved.startswith("../")
        what = "hard link" if hard else "symbolic link"
        snippet = f"{_show(full)} -> {_show(target)}"
        if not hard:
            listing.links[path] = escapes
        if escapes:
            self.report(
                "archive-link-escape",
                full,
                f"A {what} to {_show(target)!r} points outside the archive's tree: extracting "
                "it lets the link, or files written through it, reach elsewhere; skipped.",
                snippet=snippet,
            )
        else:
            self.report(
                "archive-link",
                full,
                f"A {what} to {_show(target)!r} inside the archive; skipped (links are not "
                "followed).",
                snippet=snippet,
            )

    def _special(self, full: str, what: str) -> None:
        self.report(
            "archive-special-file",
            full,
            f"A {what}: packages never hold one, and extracting it as root creates it; skipped.",
            snippet=_show(full),
        )

    def _member(
        self,
        listing: _Listing,
        path: str,
        *,
        size: int,
        executable: bool,
        opener: Callable[[], _Readable],
        packed: int | None,
        prefix: str,
        rel_prefix: str,
        depth: int,
    ) -> _Taken | None:
        """Read one regular file into ``listing``; returns what was read (``None`` if not)."""
        self.count_file()
        limits = self.limits
        full = prefix + path
        rel = rel_prefix + listing.tracker.rel(path)
        wanted = self.wants(rel) or (rel != rel_prefix + path and self.wants(rel_prefix + path))
        archive_kind = _nested_name(path)
        nest = archive_kind and depth < limits.max_depth
        remaining = max(limits.max_total_bytes - self.kept, 0)
        keep_cap = limits.max_member_bytes if wanted else limits.head_bytes
        limit = limits.max_member_bytes if nest else min(keep_cap, remaining)
        if packed is not None and self._bomb_alone(size, packed):
            self._bomb(full, f"declares {size} bytes packed into {packed}")
            nest = False
            taken = self._take(opener, min(limit, limits.head_bytes), size)
            taken = _Taken(taken.data, False, taken.error, bomb=True)
        else:
            taken = self._take(opener, limit, size)
        if self._duplicate(listing, full, path, size, taken.data):
            return None
        raw = _Raw(path, max(size, len(taken.data)), taken.data, taken.complete, executable)
        listing.entries.append(raw)
        if taken.error is None and not taken.bomb and archive_kind:
            self._nested(raw, taken, full, rel, nest=nest, depth=depth)
        keep = min(keep_cap, max(limits.max_total_bytes - self.kept, 0))  # after any nesting
        if len(raw.data) > keep:
            raw.data = raw.data[:keep]
            raw.complete = False
        self.kept += len(raw.data)
        if wanted and not raw.complete and not taken.bomb and taken.error is None:
            if len(raw.data) >= limits.max_member_bytes:
                self.report(
                    "archive-member-truncated",
                    full,
                    f"A file of {size} bytes; only its first {len(raw.data)} bytes were read "
                    f"(limit per file: {limits.max_member_bytes}).",
                )
            elif not self.total_noted:
                self.total_noted = True
                self.report(
                    "archive-member-truncated",
                    full,
                    f"The files to analyse exceed {limits.max_total_bytes} bytes in all; this "
                    "and later files were read only in part or not at all.",
                )
        return taken

    def _take(self, opener: Callable[[], _Readable], limit: int, size: int) -> _Taken:
        """At most ``limit`` bytes of a member, read in bounded chunks (sizes are not trusted)."""
        chunks: list[bytes] = []
        got = 0
        try:
            handle = opener()
            try:
                while got < limit:
                    self.tick()
                    chunk = handle.read(min(_CHUNK, limit - got))
                    if not chunk:
                        return _Taken(b"".join(chunks), True)
                    chunks.append(chunk)
                    got += len(chunk)
                # Declared sizes are not trusted: the file is whole only if nothing follows.
                complete = got >= size and not handle.read(1)
            finally:
                handle.close()
        except _READ_ERRORS as err:
            return _Taken(b"".join(chunks), False, err)
        return _Taken(b"".join(chunks), complete)

    def _bomb_alone(self, size: int, packed: int) -> bool:
        """Whether a member's declared sizes make it a bomb: more than a member may cost,
        packed at over ``max_ratio`` (libraries padded with zeros reach 200:1 at 2 MB)."""
        floor = max(_BOMB_MIN_BYTES, self.limits.max_member_bytes)
        return size > floor and size > self.limits.max_ratio * max(packed, 1)

    def _bomb(self, where: str, detail: str) -> None:
        self.report(
            "archive-bomb",
            where,
            f"Compressed data that {detail} (over {self.limits.max_ratio}:1): a decompression "
            "bomb; it was not read further.",
        )

    def _duplicate(self, listing: _Listing, full: str, path: str, size: int, data: bytes) -> bool:
        digest = hashlib.sha256(data).digest()
        earlier = listing.digests.get(path)
        if earlier is None:
            listing.digests[path] = (size, digest)
            return False
        if earlier == (size, digest):
            same = "content" if len(data) == size else f"size and first {len(data)} bytes"
            self.report(
                "archive-duplicate",
                full,
                f"The path appears a second time with the same {same}; the second copy was "
                "skipped.",
                severity=Severity.INFO,
                confidence=Confidence.LOW,
            )
        else:
            self.report(
                "archive-duplicate",
                full,
                "The path appears a second time with different content: extractors keep this "
                "later copy, which was not analysed; the first copy was.",
                severity=Severity.HIGH,
                confidence=Confidence.HIGH,
            )
        return True

    def _nested(
        self, raw: _Raw, taken: _Taken, full: str, rel: str, *, nest: bool, depth: int
    ) -> None:
        kind = _container_kind(taken.data[:_SNIFF])
        if kind is None:
            return
        if not nest:
            self.report(
                "archive-nesting",
                full,
                f"An archive nested more than {self.limits.max_depth} deep; not opened.",
            )
            return
        if not taken.complete:
            self.report(
                "archive-nesting",
                full,
                f"A nested archive larger than {self.limits.max_member_bytes} bytes; not opened.",
            )
            return
        child = _Listing(kind == "zip", wheel=kind == "zip" and full.lower().endswith(".whl"))
        raw.children = child
        self.depth += 1
        try:
            self.fill(child, io.BytesIO(taken.data), kind, full + "!", rel + "!", depth + 1)
        except _NotReadable as err:
            self.report("archive-corrupt", full, f"This nested archive could not be read: {err}.")
        except _Abandon:
            pass
        finally:
            self.depth -= 1


# --- tar streams ------------------------------------------------------------------------------

_TAR_TYPES = {
    tarfile.CHRTYPE: "character device",
    tarfile.BLKTYPE: "block device",
    tarfile.FIFOTYPE: "FIFO (named pipe)",
}
_ZIP_SPECIAL = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFSOCK: "socket",
}


def _decompressed(kind: str, raw: IO[bytes]) -> IO[bytes]:
    if kind == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if kind == "bzip2":
        return cast(IO[bytes], bz2.BZ2File(raw))
    if kind == "xz":
        return cast(IO[bytes], io.BufferedReader(_XzReader(raw), _CHUNK))
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
                data = self._pending or self._raw.read(_INFLATE_IN)
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
        return f"not a readable tar archive ({_error_text(err)})"
    try:
        raw.seek(0)
        block = _decompressed(kind, raw).read(512)
        problem: BaseException = err
    except _READ_ERRORS as inner:
        block, problem = b"", inner
    if problem is err and isinstance(err, tarfile.TarError) and not str(err).startswith("zlib"):
        if not block:
            return f"{kind}-compressed data that is empty"
        if not _is_tar_header(block):
            looks = _describe(block)
            return f"{kind}-compressed data that is not a tar archive: it looks like {looks}"
        return f"a damaged tar archive inside {kind} data ({_error_text(err)})"
    return f"truncated or damaged {kind} data: nothing could be read ({_error_text(problem)})"


def _error_text(err: BaseException | str) -> str:
    if isinstance(err, str):
        return err
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:160]


class _Guard:
    """The (decompressed) tar stream as tarfile sees it: forward only, on the clock, with no
    unbounded header reads, and watching the compression ratio."""

    def __init__(
        self, inner: IO[bytes], packed: IO[bytes] | None, reader: _Reader, where: str
    ) -> None:
        self._inner = inner
        self._packed = packed
        self._packed_start = packed.tell() if packed is not None else 0
        self._reader = reader
        self._where = where
        self._pos = 0
        limits = reader.limits
        self._bomb_floor = max(_BOMB_MIN_BYTES, 4 * limits.max_member_bytes)
        self.header_budget: int | None = None
        """Bytes tarfile may still read for the current header (``None``: member data)."""

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        self._reader.tick()
        if size < 0:
            size = _CHUNK
        if self.header_budget is not None:
            if size > self.header_budget:
                self._reader.report(
                    "archive-corrupt",
                    self._where,
                    f"A tar header asks to read {size} bytes of extended header data (over "
                    f"{_MAX_HEADER_BYTES}); the rest of the archive was not read.",
                )
                raise _Abandon
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
            self._reader.tick()
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
        if self._pos > self._reader.limits.max_ratio * consumed:
            self._reader._bomb(self._where, f"expands to over {self._pos} bytes from {consumed}")
            raise _Abandon


# --- zips -------------------------------------------------------------------------------------


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


class _Inflate:
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
        size = _CHUNK if size < 0 else size
        out = b""
        while not out and not self._z.eof and size > 0:
            data = self._tail
            if not data:
                want = _INFLATE_IN if self._left is None else min(_INFLATE_IN, self._left)
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


@dataclass(slots=True)
class _LocalEntry:
    """One entry met by walking local headers."""

    name: str
    size: int
    open: Callable[[], _Readable]
    packed: int | None
    """Its compressed size, when the header gives it."""
    unreadable: str | None = None
    inflate: _Inflate | None = None
    """Its stream, when its sizes follow its data: its end is found only by inflating it."""


class _LocalWalker:
    """Walks a zip's local file headers front to back (for zips without a usable directory)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def entries(self, reader: _Reader) -> Iterator[_LocalEntry]:
        raw = self._raw
        raw.seek(0)
        while True:
            reader.tick()
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
                yield _LocalEntry(name, usize, _no_open, None, unreadable=problem)
                raw.seek(start + csize)
                continue
            stream: _Bounded | _Inflate
            if method == 0:
                stream = _Bounded(raw, csize)
            else:
                stream = _Inflate(raw, None if streamed else csize)
            used = False

            def opener(s: _Bounded | _Inflate = stream) -> _Readable:
                nonlocal used
                if used:
                    raise ValueError("member already read")
                used = True
                return s

            yield _LocalEntry(
                name,
                usize,
                opener,
                None if streamed else csize,
                inflate=stream if isinstance(stream, _Inflate) and streamed else None,
            )
            if not streamed:
                raw.seek(start + csize)
                continue
            assert isinstance(stream, _Inflate)
            while not stream.eof:  # drain the rest to find where the member ends
                reader.tick()
                stream.read(_CHUNK)
            raw.seek(-stream.unused(), io.SEEK_CUR)
            _skip_descriptor(raw)


def _no_open() -> _Readable:
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
