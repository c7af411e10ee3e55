"""Report formats for ``stockade check``: table, JSON, SARIF, CycloneDX and Markdown.

Every format implements :class:`~stockade.report.interface.Formatter`; look one up by name with
:func:`get_formatter`.
"""

from __future__ import annotations

from stockade.errors import InputError
from stockade.report.cyclonedx import CycloneDxFormatter
from stockade.report.interface import Formatter
from stockade.report.json_format import JsonFormatter
from stockade.report.markdown import MarkdownFormatter
from stockade.report.sarif import SarifFormatter
from stockade.report.table import TableFormatter

FORMATS: dict[str, Formatter] = {
    f.name: f
    for f in (
        TableFormatter(),
        JsonFormatter(),
        SarifFormatter(),
        CycloneDxFormatter(),
        MarkdownFormatter(),
    )
}
"""Every report format by name."""


def get_formatter(name: str) -> Formatter:
    """The formatter called ``name`` (case-insensitive); :class:`InputError` when unknown."""
    formatter = FORMATS.get(name.strip().lower())
    if formatter is None:
        raise InputError(
            f"unknown report format {name!r}; choose one of: {', '.join(FORMATS)}",
            hint="pass --format with one of the listed names",
        )
    return formatter


__all__ = ["FORMATS", "Formatter", "get_formatter"]
