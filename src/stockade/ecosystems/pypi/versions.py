"""PEP 440 version semantics for PyPI (via :mod:`packaging`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from stockade.errors import InputError


@lru_cache(maxsize=65536)
def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


@lru_cache(maxsize=4096)
def _specifier(spec: str) -> SpecifierSet:
    try:
        return SpecifierSet(spec.strip())
    except InvalidSpecifier as exc:
        raise InputError(f"invalid version specifier {spec!r}: {exc}") from None


class PEP440:
    """The :class:`~stockade.ecosystems.interface.VersionScheme` of PyPI.

    Versions that are not valid PEP 440 (legacy versions of old releases) sort before every
    valid version, by their text, as pip's ``LegacyVersion`` once did.
    """

    def key(self, version: str) -> Any:
        parsed = _parse(version)
        return (0, version, None) if parsed is None else (1, "", parsed)

    def is_valid(self, version: str) -> bool:
        return _parse(version) is not None

    def is_prerelease(self, version: str) -> bool:
        parsed = _parse(version)
        return parsed is not None and parsed.is_prerelease

    def satisfies(self, version: str, spec: str) -> bool:
        if not spec.strip() or spec.strip() == "*":
            return True
        parsed = _parse(version)
        if parsed is None:
            return False
        return _specifier(spec).contains(parsed, prereleases=True)

    def best(self, versions: Iterable[str], spec: str) -> str | None:
        valid = [v for v in versions if _parse(v) is not None]
        spec = "" if spec.strip() == "*" else spec
        # SpecifierSet.filter applies pip's rule: pre-releases only if the spec names one or
        # nothing else matches.
        chosen = list(_specifier(spec).filter(valid))
        return max(chosen, key=self.key) if chosen else None
