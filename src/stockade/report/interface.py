"""The protocol every report format implements."""

from __future__ import annotations

from typing import Protocol

from stockade.check.model import Report


class Formatter(Protocol):
    """Turns a :class:`~stockade.check.model.Report` into text for one audience."""

    name: str
    """The format's name on the command line (``table``, ``json`` ...)."""
    media_type: str
    """The IANA media type of the output."""

    def render(self, report: Report, *, color: bool = False, width: int | None = None) -> str:
        """The whole report as text; ``color`` and ``width`` matter only to terminal formats."""
        ...
