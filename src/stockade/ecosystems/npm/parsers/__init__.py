"""npm manifest and lockfile parsers."""

from __future__ import annotations

from stockade.ecosystems.interface import ManifestParser

ALL_PARSERS: list[ManifestParser] = []
