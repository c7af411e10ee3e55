"""Loading the YAML lockfiles (pnpm-lock.yaml, Berry yarn.lock) fast, with key lines.

Both are written by their tools in a small block-style subset of YAML: mappings indented by
spaces, ``- item`` sequences, plain or quoted scalars and one-line flow collections
(``{integrity: sha512-...}``, ``[darwin]``). A line-based reader handles that subset in one
pass, several times faster than a full YAML loader, and records the line of every key near
the top. Anything outside the subset (anchors, block scalars, multi-line values, tabs ...)
falls back to ``ruamel.yaml``. Either way every scalar is a string, as ruamel's ``base``
loader gives them: ``5.4``, ``true`` and an empty value are ``"5.4"``, ``"true"`` and ``""``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockade.errors import ParseError

KeyLines = dict[tuple[str, ...], int]
_MAX_DEPTH = 2
_PLAIN_BAD_START = tuple("&*!|>%@`#'\"{[]},?")
_PLAIN_KEY_BAD_START = tuple("&*!|>%@`#{[]},?-")
_FLOW_PLAIN = re.compile(r"^[^\[\]{},'\"#&*!|>%@`][^\[\]{},#]*$")


class _Unsupported(Exception):
    """The text leaves the subset the fast reader handles."""


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A loaded YAML document and the lines of its keys down to depth two."""

    data: Any
    lines: KeyLines


def load_yaml(path: Path, text: str) -> YamlDoc:
    """Load a lockfile's YAML; :class:`ParseError` with the line when it is malformed."""
    try:
        data, lines = _fast_load(text)
    except _Unsupported:
        return YamlDoc(_ruamel_load(path, text), _scan_key_lines(text))
    return YamlDoc(data, lines)


def _ruamel_load(path: Path, text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        try:
            return YAML(typ="base").load(text)
        except MarkedYAMLError:
            # libyaml reads YAML 1.1, where a flow value like `{tarball: file:x.tgz}` (which
            # pnpm writes) is an error; the pure loader reads YAML 1.2.
            return YAML(typ="base", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise ParseError(f"invalid YAML: {problem}", path=path, line=line) from None
    except YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", path=path) from None
    except RecursionError:
        raise ParseError("invalid YAML: nested too deeply", path=path) from None


def _unquote_single(raw: str) -> tuple[str, str]:
    """Parse a single-quoted scalar at the start of ``raw``: (value, rest of the line)."""
    i = 1
    out: list[str] = []
    while True:
        j = raw.find("'", i)
        if j < 0:
            raise _Unsupported
        out.append(raw[i:j])
        if raw.startswith("''", j):
            out.append("'")
            i = j + 2
            continue
        return "".join(out), raw[j + 1 :]


_DECODER = json.JSONDecoder()


def _unquote_double(raw: str) -> tuple[str, str]:
    """Parse a double-quoted scalar at the start of ``raw`` (JSON-compatible escapes only)."""
    end = raw.find('"', 1)
    if end > 0 and "\\" not in raw[:end]:
        return raw[1:end], raw[end + 1 :]
    if "\\" in raw and re.search(r"\\[^\"\\/bfnrtu]", raw):
        raise _Unsupported
    try:
        value, end = _DECODER.raw_decode(raw)
    except json.JSONDecodeError:
        raise _Unsupported from None
    if not isinstance(value, str):
        raise _Unsupported
    return value, raw[end:]


def _scalar(raw: str) -> str:
    """A whole-line scalar value (plain or quoted)."""
    first = raw[0]
    if first == "'":
        value, rest = _unquote_single(raw)
    elif first == '"':
        value, rest = _unquote_double(raw)
    else:
        if raw.startswith(_PLAIN_BAD_START) or ": " in raw or " #" in raw or raw.endswith(":"):
            raise _Unsupported
        if raw.startswith(("- ", "? ")) or raw in {"-", "?", "~"}:
            raise _Unsupported
        return raw
    if rest.strip():
        raise _Unsupported
    return value


_FLOW_ITEM = re.compile(r"""[ ]*((?:'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^,'"\[\]{}])+)(,|$)""")


def _flow_items(inner: str) -> list[str]:
    """Split the inside of a one-level flow collection at its top-level commas."""
    if not inner.strip():
        return []
    if "'" not in inner and '"' not in inner:
        if any(ch in inner for ch in "[]{}"):
            raise _Unsupported
        items = [item.strip() for item in inner.split(",")]
    else:
        items = []
        pos, end = 0, len(inner)
        while pos < end:
            match = _FLOW_ITEM.match(inner, pos)
            if match is None:
                raise _Unsupported
            items.append(match.group(1).strip())
            pos = match.end()
            if not match.group(2):
                break
        else:
            items.append("")  # a trailing comma
    if not all(items):
        raise _Unsupported
    return items


def _flow_scalar(raw: str) -> str:
    if raw[0] == "'":
        value, rest = _unquote_single(raw)
    elif raw[0] == '"':
        value, rest = _unquote_double(raw)
    else:
        if not _FLOW_PLAIN.match(raw) or ": " in raw or raw.endswith(":"):
            raise _Unsupported
        return raw
    if rest.strip():
        raise _Unsupported
    return value


def _value(raw: str) -> Any:
    """A value after ``key: `` or ``- ``: a scalar or a one-line flow collection."""
    first = raw[0]
    if first == "{":
        if not raw.endswith("}"):
            raise _Unsupported
        mapping: dict[str, str] = {}
        for item in _flow_items(raw[1:-1]):
            key, sep, val = _split_key(item)
            if not sep or key in mapping:
                raise _Unsupported
            mapping[key] = _flow_scalar(val.strip()) if val.strip() else ""
        return mapping
    if first == "[":
        if not raw.endswith("]"):
            raise _Unsupported
        return [_flow_scalar(item) for item in _flow_items(raw[1:-1])]
    return _scalar(raw)


def _split_key(content: str) -> tuple[str, bool, str]:
    """Split ``key: value`` / ``key:`` into (key, is-a-mapping-entry, raw value)."""
    first = content[0]
    if first in "'\"":
        key, rest = _unquote_single(content) if first == "'" else _unquote_double(content)
        if rest == ":":
            return key, True, ""
        if rest.startswith(": "):
            return key, True, rest[2:].strip()
        raise _Unsupported
    sep = content.find(": ")
    if sep < 0:
        if not content.endswith(":"):
            return content, False, ""
        key, value = content[:-1], ""
    else:
        key, value = content[:sep], content[sep + 2 :].strip()
        if value.endswith(":") and not value.startswith(("'", '"')):
            raise _Unsupported
    key = key.rstrip()
    if not key or key.startswith(_PLAIN_KEY_BAD_START) or " #" in key:
        raise _Unsupported
    return key, True, value


def _fast_load(text: str) -> tuple[Any, KeyLines]:
    root: dict[str, Any] = {}
    lines: KeyLines = {}
    # Open containers: (indent, container, key path).
    stack: list[tuple[int, Any, tuple[str, ...]]] = [(0, root, ())]
    pending: tuple[dict[str, Any], str, int, tuple[str, ...]] | None = None
    seen_content = False
    for number, raw_line in enumerate(text.split("\n"), 1):
        line = raw_line.rstrip(" \r")
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            continue
        if content[0] == "\t":
            raise _Unsupported
        if not seen_content:
            seen_content = True
            if content.startswith(("---", "%")) or line != content:
                raise _Unsupported
        indent = len(line) - len(content)
        is_item = content == "-" or content.startswith("- ")
        if pending is not None:
            parent, pkey, pindent, ppath = pending
            pending = None
            if indent > pindent or (indent == pindent and is_item):
                child: Any = [] if is_item else {}
                parent[pkey] = child
                stack.append((indent, child, ppath))
            else:
                parent[pkey] = ""
        while stack[-1][0] > indent or (
            stack[-1][0] == indent and not is_item and isinstance(stack[-1][1], list)
        ):
            stack.pop()
        top_indent, container, path = stack[-1]
        if top_indent != indent:
            raise _Unsupported
        if is_item:
            if not isinstance(container, list) or content == "-":
                raise _Unsupported
            container.append(_value(content[2:].strip()))
            continue
        if not isinstance(container, dict):
            raise _Unsupported
        key, is_entry, raw_value = _split_key(content)
        if not is_entry or key in container:
            raise _Unsupported
        if len(path) < _MAX_DEPTH:
            key_path = (*path, key)
            lines[key_path] = number
        else:
            key_path = path  # deeper paths are not recorded
        if raw_value:
            container[key] = _value(raw_value)
        else:
            container[key] = ""
            pending = (container, key, indent, key_path)
    if not seen_content:
        return None, lines
    return root, lines


# A key at the start of a line: quoted, or plain (a `#` inside is fine, not after a space).
_SCAN_KEY = re.compile(
    r"""^( *)('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s'"#\-?](?:[^\s#]|#|[ \t]+(?=[^\s#]))*?)"""
    r""":(?: |$)"""
)


def _scan_key_lines(text: str) -> KeyLines:
    """Key lines of a document the fast reader declined (best effort, by indentation)."""
    lines: KeyLines = {}
    stack: list[tuple[int, str]] = []
    for number, raw_line in enumerate(text.split("\n"), 1):
        match = _SCAN_KEY.match(raw_line.rstrip("\r"))
        if not match:
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if len(stack) >= _MAX_DEPTH:
            continue
        raw_key = match.group(2).strip()
        try:
            key = _split_key(raw_key + ":")[0]
        except _Unsupported:
            key = raw_key
        lines.setdefault((*(k for _, k in stack), key), number)
        stack.append((indent, key))
    return lines
