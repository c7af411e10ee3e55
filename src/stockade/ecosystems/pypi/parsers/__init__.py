"""Python manifest and lockfile parsers."""

from __future__ import annotations

from stockade.ecosystems.interface import ManifestParser
from stockade.ecosystems.pypi.parsers.pipfile import PipfileLockParser, PipfileParser
from stockade.ecosystems.pypi.parsers.poetry_lock import PoetryLockParser
from stockade.ecosystems.pypi.parsers.pylock import PylockParser
from stockade.ecosystems.pypi.parsers.pyproject import PyprojectParser
from stockade.ecosystems.pypi.parsers.requirements import RequirementsParser
from stockade.ecosystems.pypi.parsers.uv_lock import UvLockParser

ALL_PARSERS: list[ManifestParser] = [
    RequirementsParser(),
    PyprojectParser(),
    PoetryLockParser(),
    UvLockParser(),
    PylockParser(),
    PipfileLockParser(),
    PipfileParser(),
]

__all__ = [
    "ALL_PARSERS",
    "PipfileLockParser",
    "PipfileParser",
    "PoetryLockParser",
    "PylockParser",
    "PyprojectParser",
    "RequirementsParser",
    "UvLockParser",
]
