"""Member names: normalised, checked for what they would do to an extractor (absolute paths,
``..`` traversal, control and bidirectional characters, links out of the tree, special files,
duplicates), and made safe to print. The checks report to :class:`Findings`."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass

from stockade.analysis.archive.listing import Listing
from stockade.analysis.archive.rules import Findings
from stockade.analysis.indicators import BIDI_CHARS
from stockade.analysis.model import Confidence, Severity

_MAX_PATH = 1024
_MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def text(name: str) -> str:
    """A name as text: bytes that were not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def show(name: str) -> str:
    """A name safe to print: control characters escaped, at most 200 characters."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return shown if len(shown) <= 200 else shown[:199] + "…"


@dataclass(frozen=True, slots=True)
class PathCheck:
    """A member name, normalised, and what is wrong with it."""

    path: str | None
    """``a/b/c`` without ``.``, empty parts or backslashes; ``None`` when it must be skipped."""
    rule: str | None = None
    message: str = ""


def check_path(name: str, *, is_dir: bool) -> PathCheck:
    """``name`` normalised, or why it must be skipped or reported."""
    if _CONTROL.search(name):
        return PathCheck(
            None,
            "archive-bad-path",
            "A member name holds control characters (NUL, escape, newline), which can cut or "
            "spoof the name shown to tools and people; skipped.",
        )
    parts_raw = name.replace("\\", "/").split("/")
    if len(name) > _MAX_PATH or any(len(p.encode("utf-8")) > _MAX_NAME for p in parts_raw):
        return PathCheck(
            None,
            "archive-bad-path",
            f"A member name of {len(name)} characters is longer than file systems allow; skipped.",
        )
    unix = "/".join(parts_raw)
    if unix.startswith("/") or _DRIVE.match(unix):
        return PathCheck(
            None,
            "archive-absolute-path",
            "An absolute member path: extracting it would write outside the target folder "
            "(for example over system files); skipped.",
        )
    parts = [p for p in parts_raw if p not in ("", ".")]
    if ".." in parts:
        escapes = posixpath.normpath("/".join(parts)).startswith("..")
        where = "outside the target folder" if escapes else "through parent folders"
        return PathCheck(
            None,
            "archive-path-traversal",
            f"A member path uses '..' and would be extracted {where} (path traversal); skipped.",
        )
    if not parts:
        if is_dir:
            return PathCheck(None)
        return PathCheck(None, "archive-bad-path", "A file member has an empty name; skipped.")
    path = "/".join(parts)
    if not BIDI_CHARS.isdisjoint(name):
        return PathCheck(
            path,
            "archive-bad-path",
            "A member name holds bidirectional control characters, which make it display as "
            "a different name (for example a .py file shown as .txt).",
        )
    return PathCheck(path)


def accept(
    findings: Findings, name: str, prefix: str, listing: Listing, *, is_dir: bool, add: bool = True
) -> str | None:
    """The normalised path of an entry, or ``None`` (reported) when it must be skipped."""
    checked = check_path(name, is_dir=is_dir)
    if checked.rule is not None:
        findings.report(checked.rule, prefix + show(name), checked.message, snippet=show(name))
    if checked.path is None:
        return None
    if add:
        listing.tracker.add(checked.path, is_dir=is_dir)
    if listing.links:
        _through_link(findings, listing, prefix, checked.path)
    return checked.path


def _through_link(findings: Findings, listing: Listing, prefix: str, path: str) -> None:
    """Report a member whose path goes through a symbolic link that leaves the tree."""
    parts = path.split("/")
    for end in range(1, len(parts)):
        ancestor = "/".join(parts[:end])
        if listing.links.get(ancestor):
            findings.report(
                "archive-link-escape",
                prefix + path,
                f"This member's path goes through the symbolic link {ancestor!r}, which "
                "points outside the archive's tree: extracting it writes outside the "
                "target folder.",
                snippet=prefix + path,
            )
            return


def link(
    findings: Findings, listing: Listing, full: str, path: str, target: str, *, hard: bool
) -> None:
    """Report a link (never followed), as escaping the tree when it points outside."""
    unix = target.replace("\\", "/")
    escapes = unix.startswith("/") or bool(_DRIVE.match(unix))
    if not escapes and unix:
        base = "" if hard else posixpath.dirname(path)
        resolved = posixpath.normpath(posixpath.join(base, unix))
        escapes = resolved == ".." or resolved.startswith("../")
    what = "hard link" if hard else "symbolic link"
    snippet = f"{show(full)} -> {show(target)}"
    if not hard:
        listing.links[path] = escapes
    if escapes:
        findings.report(
            "archive-link-escape",
            full,
            f"A {what} to {show(target)!r} points outside the archive's tree: extracting "
            "it lets the link, or files written through it, reach elsewhere; skipped.",
            snippet=snippet,
        )
    else:
        findings.report(
            "archive-link",
            full,
            f"A {what} to {show(target)!r} inside the archive; skipped (links are not followed).",
            snippet=snippet,
        )


def special(findings: Findings, full: str, what: str) -> None:
    """Report a device, FIFO or socket member (``what`` names it)."""
    findings.report(
        "archive-special-file",
        full,
        f"A {what}: packages never hold one, and extracting it as root creates it; skipped.",
        snippet=show(full),
    )


def duplicate(
    findings: Findings, listing: Listing, full: str, path: str, size: int, data: bytes
) -> bool:
    """Whether ``path`` was met before in ``listing`` (reported: the later copy is skipped)."""
    digest = hashlib.sha256(data).digest()
    earlier = listing.digests.get(path)
    if earlier is None:
        listing.digests[path] = (size, digest)
        return False
    if earlier == (size, digest):
        same = "content" if len(data) == size else f"size and first {len(data)} bytes"
        findings.report(
            "archive-duplicate",
            full,
            f"The path appears a second time with the same {same}; the second copy was skipped.",
            severity=Severity.INFO,
            confidence=Confidence.LOW,
        )
    else:
        findings.report(
            "archive-duplicate",
            full,
            "The path appears a second time with different content: extractors keep this "
            "later copy, which was not analysed; the first copy was.",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
        )
    return True
