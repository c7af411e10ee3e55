"""Report formats for ``stockade check``: table, JSON, SARIF, CycloneDX and Markdown.

Every format implements :class:`~stockade.report.interface.Formatter`; look one up by name with
:func:`get_formatter`. Formats are imported on first use, so that a run pays only for the one
it renders (CycloneDX's library is slow to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from stockade.errors import InputError
from stockade.report.interface import Formatter

_WHERE: dict[str, tuple[str, str]] = {
    "table": ("stockade.report.table", "TableFormatter"),
    "json": ("stockade.report.json_format", "JsonFormatter"),
    "sarif": ("stockade.report.sarif", "SarifFormatter"),
    "cyclonedx": ("stockade.report.cyclonedx", "CycloneDxFormatter"),
    "markdown": ("stockade.report.markdown", "MarkdownFormatter"),
}


class _Formats(Mapping[str, Formatter]):
    """Formatters by name, each made once, when first asked for."""

    def __init__(self) -> None:
        self._made: dict[str, Formatter] = {}

    def __getitem__(self, name: str) -> Formatter:
        if name not in self._made:
            module, cls = _WHERE[name]
            self._made[name] = getattr(importlib.import_module(module), cls)()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


FORMATS: Mapping[str, Formatter] = _Formats()
"""Every report format by name."""


def get_formatter(name: str) -> Formatter:
    """The formatter called ``name`` (case-insensitive); :class:`InputError` when unknown."""
    key = name.strip().lower()
    if key not in _WHERE:
        raise InputError(
            f"unknown report format {name!r}; choose one of: {', '.join(_WHERE)}",
            hint="pass --format with one of the listed names",
        )
    return FORMATS[key]


__all__ = ["FORMATS", "Formatter", "get_formatter"]
