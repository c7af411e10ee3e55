"""Helpers shared by the Python parsers: reading files, typed access, text lines, pins."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet

from stockade.ecosystems import get
from stockade.ecosystems.parsing import check_conflict_markers
from stockade.errors import ParseError

_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")


def normalize(name: str) -> str:
    """The PEP 503 form of a package name."""
    return get("PyPI").normalize_name(name)


def load_toml(path: Path, text: str) -> dict[str, Any]:
    """Parse TOML text, turning errors into :class:`ParseError` with the line."""
    check_conflict_markers(path, text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        line: int | None = getattr(exc, "lineno", None)  # Python 3.14 and later
        found = _TOML_AT.search(message)
        if found is not None:
            message = message[: found.start()]
            if line is None:
                line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
        what = "truncated TOML" if found is not None and not found.group(1) else "invalid TOML"
        raise ParseError(f"{what}: {message}", path=path, line=line) from None


def _kind(value: object) -> str:
    names = {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)


def table(value: object, what: str, path: Path, line: int | None) -> Mapping[str, Any]:
    """``value`` as a table (``{}`` for ``None``), or a :class:`ParseError`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{what} should be a table, not {_kind(value)}", path=path, line=line)
    return value


def array(value: object, what: str, path: Path, line: int | None) -> list[Any]:
    """``value`` as an array (``[]`` for ``None``), or a :class:`ParseError`."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{what} should be an array, not {_kind(value)}", path=path, line=line)
    return value


def tables(value: object, what: str, path: Path, line: int | None) -> list[Mapping[str, Any]]:
    """``value`` as an array of tables (``[]`` for ``None``), or a :class:`ParseError`."""
    items = array(value, what, path, line)
    for item in items:
        if not isinstance(item, dict):
            raise ParseError(f"{what} should hold tables, not {_kind(item)}", path=path, line=line)
    return items


def string(value: object, what: str, path: Path, line: int | None) -> str:
    """``value`` as a non-empty string, or a :class:`ParseError` (missing or wrong type)."""
    if value is None:
        raise ParseError(f"{what} is missing", path=path, line=line)
    if not isinstance(value, str) or not value.strip():
        raise ParseError(f"{what} should be a non-empty string", path=path, line=line)
    return value


def optional_string(value: object, what: str, path: Path, line: int | None) -> str | None:
    """``value`` as a string or ``None``, or a :class:`ParseError` for another type."""
    return None if value is None else string(value, what, path, line)


def pinned_version(spec: SpecifierSet) -> str | None:
    """The version an ``==x`` / ``===x`` specifier set pins, or ``None`` for a range."""
    items = list(spec)
    if len(items) != 1:
        return None
    only = items[0]
    if only.operator == "===" or (only.operator == "==" and "*" not in only.version):
        return only.version
    return None


def hash_strings(digests: Mapping[str, Any]) -> list[str]:
    """``{"sha256": "ab.."}`` as ``["sha256:ab.."]`` (non-string values skipped)."""
    return [f"{algo}:{value}" for algo, value in digests.items() if isinstance(value, str)]


def name_pattern(name: str) -> re.Pattern[str]:
    """A pattern finding ``name`` spelled any PEP 503-equivalent way, as a whole word."""
    parts = [re.escape(p) for p in re.split(r"[-_.]+", name.strip()) if p]
    body = r"[-_.]+".join(parts)
    return re.compile(rf"(?<![A-Za-z0-9._-]){body}(?![A-Za-z0-9._-])", re.IGNORECASE)


def _split_key(raw: str) -> tuple[str, ...] | None:
    parts: list[str] = []
    pos = 0
    while True:
        match = _KEY_PART.match(raw, pos)
        if match is None:
            return None
        parts.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
        if pos == len(raw):
            return tuple(parts)
        if raw[pos] != ".":
            return None
        pos += 1


class TomlLines:
    """Line numbers in TOML text (tomllib gives none): headers, keys, mentions of names."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, bool, tuple[str, ...]]] = []
        """(0-based line, is an array of tables, the key path) of every table header."""
        in_multiline: str | None = None
        for index, line in enumerate(self.lines):
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
            match = _HEADER.match(line)
            if match is None:
                continue
            key = _split_key(match.group(2))
            if key is not None:
                self.headers.append((index, match.group(1) == "[[", key))

    def array_entries(self, name: str) -> list[int]:
        """1-based lines of the ``[[name]]`` headers, in order."""
        return [i + 1 for i, is_array, key in self.headers if is_array and key == (name,)]

    def entry_lines(self, name: str, count: int) -> list[int | None]:
        """1-based lines of the ``count`` entries of array of tables ``[[name]]``.

        ``None`` for each entry when the headers do not match the entries one to one (an
        inline array, say).
        """
        found = self.array_entries(name)
        return list(found) if len(found) == count else [None] * count

    def section(self, key: tuple[str, ...]) -> tuple[int, int] | None:
        """The 0-based ``(header, end)`` range of table ``[key]`` (``()``: the top level)."""
        start = -1 if not key else None
        if key:
            for index, is_array, header in self.headers:
                if not is_array and header == key:
                    start = index
                    break
        if start is None:
            return None
        end = next((i for i, _, _ in self.headers if i > start), len(self.lines))
        return (start, end)

    def key_line(self, start: int, end: int, key: str, *, first: bool = False) -> int | None:
        """The 0-based line in ``(start, end)`` that assigns ``key``.

        Of a dotted key (``a.b = 1``) the last part is compared, or with ``first`` the first.
        """
        wanted = normalize(key)
        for index in range(start + 1, end):
            head, sep, _ = self.lines[index].partition("=")
            if not sep:
                continue
            parts = _split_key(head.strip())
            if parts and normalize(parts[0 if first else -1]) == wanted:
                return index
        return None

    def mention(self, start: int, end: int, name: str, skip: Iterable[int] = ()) -> int | None:
        """The first 0-based line in ``[start, end)`` that mentions ``name``, outside ``skip``."""
        pattern = name_pattern(name)
        skipped = set(skip)
        for index in range(max(start, 0), end):
            code = self.lines[index].split("#", 1)[0]
            if index not in skipped and pattern.search(code):
                return index
        return None

    def locate(
        self, table_key: tuple[str, ...], key: str | None, name: str, skip: Iterable[int] = ()
    ) -> int | None:
        """The 1-based line declaring dependency ``name`` under ``table_key`` (and ``key``).

        Looks in the table's own section, then in its parents' (for dotted keys and inline
        tables): from the line assigning ``key`` (a list of requirements) on, or for the line
        assigning ``name`` itself when ``key`` is ``None``. Falls back to the key's line.
        """
        skipped = set(skip)
        own = self.section((*table_key, name)) if key is None else None
        if own is not None:
            return own[0] + 1
        for depth in range(len(table_key), -1, -1):
            bounds = self.section(table_key[:depth])
            if bounds is None:
                continue
            start, end = bounds
            if key is None:
                found = self.key_line(start, end, name)
                if found is not None and found not in skipped:
                    return found + 1
                continue
            anchor = self.key_line(start, end, key)
            if anchor is None:
                continue
            found = self.mention(anchor, end, name, skipped)
            return (found if found is not None else anchor) + 1
        return None
