"""Read package archives safely: sdists, wheels, npm tarballs, and zips or tars in general.

Archives are hostile input. Nothing is ever extracted or written to disk: members are read into
memory with bounded loops, within :class:`Limits` of count, size, nesting and time, whatever
sizes the archive declares. Members that could harm an extractor (absolute paths, ``..``
traversal, links, devices, duplicates, odd names) are skipped and reported as findings, as are
bombs and the limits hit.
"""

from stockade.analysis.archive.errors import ArchiveError
from stockade.analysis.archive.limits import Limits
from stockade.analysis.archive.reader import read_archive
from stockade.analysis.archive.rules import RULES

__all__ = ["RULES", "ArchiveError", "Limits", "read_archive"]
