"""Helpers shared by the npm parsers: reading files, JSON key lines, specs and sources."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from stockade.ecosystems.graph import Scope, Source

_EXACT = re.compile(r"^\s*[=v]*\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$")
_RANGE_START = re.compile(r"^(?:[\d^~<>=*]|[xX](?:$|\.)|v\d)")
_HEX_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_GIT_HOSTS = ("github:", "gitlab:", "bitbucket:", "gist:")
_SHORTHAND = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(?:#.*)?$")
# A JSON object key at the start of a line: its indentation, the raw key, and whether it opens
# an object (`"key": {`). npm and every editor pretty-print lockfiles this way.
_JSON_KEY = re.compile(r'([ \t]*)"((?:[^"\\]|\\.)*)"[ \t]*:[ \t]*(\{$)?')


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        value: str = json.loads(f'"{raw}"')
    except json.JSONDecodeError:
        return raw
    return value


def json_key_lines(text: str, *, openers_only: bool = False) -> dict[tuple[str, ...], int]:
    """Map each object key's path (``("packages", "node_modules/a")``) to its 1-based line.

    One pass over pretty-printed JSON, following nesting by indentation; the first occurrence
    of a path wins. With ``openers_only`` only keys that open an object are recorded (enough
    to place lockfile entries, and much faster). Minified JSON yields only its first key.
    """
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip(" \t\r")
        if openers_only and not line.endswith("{"):
            continue
        match = _JSON_KEY.match(line)
        if match is None:
            continue
        width = len(match.group(1).expandtabs(8))
        while stack and stack[-1][0] >= width:
            stack.pop()
        key = _unescape(match.group(2))
        lines.setdefault((*(k for _, k in stack), key), number)
        if match.group(3):
            stack.append((width, key))
    return lines


class KeyLines:
    """Lines of JSON object keys: those opening objects at once, every key on a miss."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._openers = json_key_lines(text, openers_only=True)
        self._all: dict[tuple[str, ...], int] | None = None

    def get(self, path: tuple[str, ...]) -> int | None:
        """The 1-based line of the key at ``path``, or ``None``."""
        line = self._openers.get(path)
        if line is None:
            if self._all is None:
                self._all = json_key_lines(self._text)
            line = self._all.get(path)
        return line


def exact_version(spec: str) -> str | None:
    """The version an npm spec pins exactly (``"1.2.3"``, ``"=1.2.3"``), else ``None``."""
    match = _EXACT.match(spec)
    return match.group(1) if match else None


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """Split ``name@range`` (``@scope/name@range``) into name and range (``""`` if none)."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def alias_target(spec: str) -> tuple[str, str] | None:
    """For an alias spec ``npm:real-name@range``, the real name and range; else ``None``.

    Berry's ``npm:^1.2.0`` (the registry protocol with a plain range) is not an alias.
    """
    if not spec.startswith("npm:"):
        return None
    rest = spec[4:].strip()
    if not rest:
        return None
    if "@" not in rest[1:] and not rest.startswith("@"):
        if _RANGE_START.match(rest) or "||" in rest or " " in rest:
            return None
        return rest, "*"
    name, rng = split_descriptor(rest)
    return name, rng or "*"


@dataclass(frozen=True, slots=True)
class SpecSource:
    """Where a non-registry spec points."""

    source: Source
    url: str


def classify_spec(spec: str) -> SpecSource | None:
    """The non-registry source an npm dependency spec names, or ``None`` for a registry range.

    Git (``git+https://``, ``github:user/repo``, ``user/repo``), URL tarballs
    (``https://.../x.tgz``) and local paths (``file:``, ``link:``, ``workspace:``, ``./dir``).
    """
    spec = spec.strip()
    lower = spec.lower()
    if lower.startswith(("git+", "git://", "git@")) or lower.startswith(_GIT_HOSTS):
        return SpecSource(Source.GIT, spec)
    if lower.startswith(("http://", "https://")):
        host_path = urlsplit(spec)
        if host_path.path.endswith(".git") or "#commit=" in spec:
            return SpecSource(Source.GIT, spec)
        return SpecSource(Source.URL, spec)
    if lower.startswith(("file:", "link:", "workspace:", "portal:")):
        return SpecSource(Source.PATH, spec)
    if spec.startswith(("./", "../", "/", "~/")) or spec in {".", ".."}:
        return SpecSource(Source.PATH, spec)
    if _SHORTHAND.match(spec) and not spec.startswith("npm:"):
        return SpecSource(Source.GIT, f"github:{spec}")
    return None


def classify_resolved(resolved: str | None) -> SpecSource | None:
    """The source a lockfile ``resolved`` URL shows; ``None`` for a registry tarball."""
    if not resolved:
        return None
    lower = resolved.lower()
    if lower.startswith(("http://", "https://")):
        base = resolved.split("#", 1)[0].split("?", 1)[0]
        if "/-/" in base and base.endswith(".tgz"):
            return None
        if "://codeload.github.com/" in lower or base.endswith(".git"):
            return SpecSource(Source.GIT, resolved)
        return SpecSource(Source.URL, resolved)
    return classify_spec(resolved) or SpecSource(Source.PATH, resolved)


def integrity_hashes(integrity: object, resolved: str | None = None) -> tuple[str, ...]:
    """Subresource-integrity strings of an entry; a ``#<sha1 hex>`` URL fragment as fallback."""
    if isinstance(integrity, str) and integrity.strip():
        return tuple(integrity.split())
    if resolved and "#" in resolved:
        fragment = resolved.rsplit("#", 1)[1]
        if _HEX_SHA1.match(fragment):
            return ("sha1-" + base64.b64encode(bytes.fromhex(fragment)).decode("ascii"),)
    return ()


def strip_fragment(url: str) -> str:
    """A URL without its ``#...`` fragment."""
    return url.split("#", 1)[0]


def flags_scopes(entry: Mapping[str, Any]) -> set[Scope]:
    """Scopes from npm's ``dev``/``optional``/``devOptional``/``peer`` entry flags."""
    dev = entry.get("dev") is True
    optional = entry.get("optional") is True
    if entry.get("devOptional") is True:
        return {Scope.DEV, Scope.OPTIONAL}
    if dev:
        return {Scope.DEV}
    if optional:
        return {Scope.OPTIONAL}
    if entry.get("peer") is True:
        return {Scope.PEER}
    return {Scope.PROD}
