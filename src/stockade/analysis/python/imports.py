"""The modules a Python file imports at module level, found by a cheap scan of its lines.

Files that triage leaves unparsed still decide which other files run at import time, so their
``import x`` and ``from x import y`` lines are read without a parser: every line that starts
with ``import`` or ``from`` counts, unless an enclosing block (found by walking back to lines
of smaller indentation) is a ``def``, a ``class`` or the ``if __name__ == "__main__"`` guard,
as :class:`~stockade.analysis.python.scopes.Collector` would decide from the syntax tree.
Lines inside multi-line strings that look like imports may count too; that only makes more
files import-time, never fewer.
"""

from __future__ import annotations

import re

MAX_WALK = 400
"""How many lines are walked back to find the block an indented import sits in (past that,
the import is taken to sit in a function)."""

_FROM = re.compile(rb"from[ \t]+(\.*)([\w.]*)[ \t]+$")
_NAME = re.compile(rb"[A-Za-z_][\w.]*")
_LOCAL_BLOCKS = (b"def ", b"def\t", b"async ", b"class ", b"class\t", b"@")


def module_imports(data: bytes, package: str) -> list[str]:
    """Absolute dotted names a file imports at module level (``from a import b`` gives
    ``a.b`` and ``a``; relative imports are resolved against ``package``)."""
    found: list[str] = []
    levels: dict[int, tuple[int, bool]] = {}
    pos = data.find(b"import")
    while pos >= 0:
        after = pos + 6
        next_pos = data.find(b"import", after)
        if after >= len(data) or data[after] not in b" \t(\\":
            pos = next_pos
            continue
        line_start = data.rfind(b"\n", 0, pos) + 1
        head = data[line_start:pos]
        stripped = head.lstrip(b" \t")
        indent = len(head) - len(stripped)
        if stripped and not stripped.startswith(b"from"):
            pos = next_pos
            continue
        from_match = _FROM.match(stripped) if stripped else None
        if stripped and from_match is None:
            pos = next_pos
            continue
        if indent and not _module_level(data, line_start, indent, levels):
            pos = next_pos
            continue
        names, end = _names(data, after)
        if from_match is None:
            for name in names:
                found.append(name)
        else:
            module = from_match.group(2).decode("ascii", "replace")
            base = _absolute(module, package, len(from_match.group(1)))
            if base is not None:
                for name in names:
                    if name != "*":
                        found.append(f"{base}.{name}" if base else name)
                if base:
                    found.append(base)
        pos = data.find(b"import", end) if end > after else next_pos
    return found


def _names(data: bytes, start: int) -> tuple[list[str], int]:
    """The names after ``import`` (``a.b as c, d`` gives ``a.b`` and ``d``; a parenthesised
    list may span lines), and where the statement ends."""
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    while data[start:end].rstrip().endswith(b"\\") and end < len(data):
        following = data.find(b"\n", end + 1)
        end = len(data) if following < 0 else following
    text = data[start:end]
    if text.lstrip().startswith(b"("):
        close = data.find(b")", start)
        if close >= 0:
            end = close
            text = data[start:close].replace(b"(", b" ")
    lines = [line.split(b"#", 1)[0] for line in text.split(b"\n")]
    text = b" ".join(lines).split(b";", 1)[0]
    names: list[str] = []
    for raw in text.replace(b"\\", b" ").split(b","):
        part = raw.strip()
        if part == b"*":
            names.append("*")
            continue
        match = _NAME.match(part)
        if match is not None:
            names.append(match.group(0).decode("ascii", "replace").rstrip("."))
    return names, end


def _module_level(
    data: bytes, line_start: int, indent: int, levels: dict[int, tuple[int, bool]]
) -> bool:
    """Whether an import indented by ``indent`` sits only in module-level blocks (``try``,
    ``if``, ``with`` ...), not in a function, class or ``__main__`` guard."""
    result = _walk(data, line_start, indent, levels)
    levels[line_start] = (indent, result)
    return result


def _walk(data: bytes, line_start: int, indent: int, levels: dict[int, tuple[int, bool]]) -> bool:
    want = indent
    end = line_start
    for _ in range(MAX_WALK):
        if end <= 0:
            return True
        start = data.rfind(b"\n", 0, end - 1) + 1
        line = data[start : end - 1]
        end = start
        text = line.lstrip(b" \t")
        if not text or text.startswith(b"#"):
            continue
        depth = len(line) - len(text)
        if depth > want:
            continue
        if depth == want:
            known = levels.get(start)
            if known is not None and known[0] == depth:
                return known[1]
            continue
        if text[:1] in b")]}":
            continue  # the end of a bracketed header: its first line comes later
        if text.startswith(_LOCAL_BLOCKS) or text.startswith(b"if __name__"):
            return False
        want = depth
        if want == 0:
            return True
    return False


def _absolute(module: str, package: str, level: int) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base)
