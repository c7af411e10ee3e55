"""Reading manifest and lockfile text: the helpers every parser shares.

Each turns a problem into an :class:`~stockade.errors.InputError` or
:class:`~stockade.errors.ParseError` naming the file and, where it can, the line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stockade.errors import InputError, ParseError

_CONFLICT = ("<<<<<<<", "=======", ">>>>>>>")


def read_text(path: Path) -> str:
    """The file's text (UTF-8, an optional BOM dropped); :class:`InputError` if unreadable."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=path) from None
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path=path,
            line=line,
        ) from None
    return text.removeprefix("\ufeff")


def check_conflict_markers(path: Path, text: str) -> None:
    """Raise :class:`ParseError` at the first unresolved git merge-conflict marker."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(_CONFLICT):
            raise ParseError(
                "unresolved merge conflict",
                path=path,
                line=number,
                hint="resolve the conflict (or regenerate the lockfile) and try again",
            )


def load_json(path: Path, text: str) -> Any:
    """Parse JSON text, turning errors into :class:`ParseError` with the line."""
    if not text.strip():
        raise ParseError("empty file, expected a JSON object", path=path)
    check_conflict_markers(path, text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # An error on the last line of a text that does not close its outer value means the
        # text stops early: say so, that is the likely cause.
        rest = text[exc.pos :].strip()
        cut = not rest or ("\n" not in rest and not text.rstrip().endswith(("}", "]")))
        what = "truncated JSON" if cut else "invalid JSON"
        raise ParseError(f"{what}: {exc.msg}", path=path, line=exc.lineno) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", path=path) from None
