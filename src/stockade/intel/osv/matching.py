"""Which package versions an OSV record affects, by the schema's evaluation rules.

See https://ossf.github.io/osv-schema/#evaluation. A version is affected when it is listed in
``affected[].versions`` or lies in any ``ECOSYSTEM`` or ``SEMVER`` range; ``GIT`` ranges name
commits and are ignored here. ``ECOSYSTEM`` ranges use the package's ecosystem order (PEP 440
for PyPI, npm's semver for npm); ``SEMVER`` ranges always use semver order, with a leading
``v`` stripped.

Enumerated versions match by the scheme's equality (PEP 440: ``1.0`` is ``1.0.0``), which
includes the exact string.

Invalid versions never raise: they are ordered by the scheme's fallback key, which sorts them
below every valid version (by their text, as pip's ``LegacyVersion`` did). So an invalid queried
version lies in a range only when the range opens at ``introduced: "0"``, and an invalid event
version sits at the bottom of the order. This is also how osv.dev expanded the PyPA records'
ranges into their ``versions`` lists (legacy versions are listed under ``introduced: "0"``).

Each ``affected`` entry is compiled once (sorted event keys) and cached by object identity, so
matching many package versions against the same records is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem, VersionScheme
from stockade.intel.osv.models import Affected, Range, Vulnerability

__all__ = ["affects", "fixed_versions", "is_affected", "matching_affected"]

_LOWEST: tuple[int] = (0,)
"""Sort key of ``introduced: "0"``: below every version, valid or not."""
_HIGHEST: tuple[int] = (2,)
"""Sort key of ``limit: "*"``: above every version."""


class _Kind(IntEnum):
    INTRODUCED = 0
    FIXED = 1
    LAST_AFFECTED = 2


@dataclass(frozen=True, slots=True)
class _CompiledRange:
    """One range's events as ``(sort key, kind)`` pairs, sorted, and its limit keys."""

    events: tuple[tuple[Any, _Kind], ...]
    limits: tuple[Any, ...] | None
    """``None`` when the range has no limit event (an implicit ``*``)."""

    def contains(self, key: Any) -> bool:
        """Whether the version of sort key ``key`` lies in this range (``IncludedInRanges``)."""
        if self.limits is not None and not any(key < limit for limit in self.limits):
            return False
        vulnerable = False
        for event_key, kind in self.events:
            if key < event_key:
                break  # events are sorted: none of the rest can fire
            if kind is _Kind.INTRODUCED:
                vulnerable = True
            elif kind is _Kind.FIXED or key > event_key:
                vulnerable = False
        return vulnerable


_NUMBER = re.compile(r"\d+")
_EPOCH = -1
"""Bucket of listed versions that carry a PEP 440 epoch."""


def _first_number(version: str) -> int | None:
    found = _NUMBER.search(version)
    return int(found.group()) if found else None


class _CompiledAffected:
    """An ``affected`` entry ready for fast matching."""

    __slots__ = ("_buckets", "ranges", "scheme", "semver_ranges", "versions")

    def __init__(
        self,
        scheme: VersionScheme,
        versions: list[str],
        ranges: list[_CompiledRange],
        semver_ranges: list[_CompiledRange],
    ) -> None:
        self.scheme = scheme
        self.versions = frozenset(versions)
        self.ranges = tuple(ranges)
        self.semver_ranges = tuple(semver_ranges)
        self._buckets: dict[int | None, tuple[str, ...]] | None = None

    def in_ranges(self, version: str) -> bool:
        if self.ranges:
            key = (1, self.scheme.key(version))
            if any(r.contains(key) for r in self.ranges):
                return True
        if self.semver_ranges:
            key = (1, _semver().key(_strip_v(version)))
            if any(r.contains(key) for r in self.semver_ranges):
                return True
        return False

    def matches(self, version: str) -> bool:
        if version in self.versions or self.in_ranges(version):
            return True
        if not self.versions:
            return False
        # The same version spelled differently ("1.0" and "1.0.0" under PEP 440, "v1.2.3" and
        # "1.2.3" in semver). Equal versions start with the same number (an epoch, marked
        # "!", aside), so only the listed versions that do are compared by key.
        if self._buckets is None:
            buckets: dict[int | None, list[str]] = {}
            for listed in self.versions:
                head = _EPOCH if "!" in listed else _first_number(listed)
                buckets.setdefault(head, []).append(listed)
            self._buckets = {head: tuple(found) for head, found in buckets.items()}
        if "!" in version:
            candidates: Iterable[str] = self.versions
        else:
            head = _first_number(version)
            candidates = (*self._buckets.get(head, ()), *self._buckets.get(_EPOCH, ()))
        key = self.scheme.key(version)
        return any(self.scheme.key(listed) == key for listed in candidates)


class _Key:
    """An ``affected`` entry and a scheme, hashed by identity (the models are unhashable).

    The cache holding the key holds the objects too, so their ids cannot be reused meanwhile.
    """

    __slots__ = ("affected", "scheme")

    def __init__(self, affected: Affected, scheme: VersionScheme) -> None:
        self.affected = affected
        self.scheme = scheme

    def __hash__(self) -> int:
        return hash((id(self.affected), id(self.scheme)))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Key)
            and other.affected is self.affected
            and other.scheme is self.scheme
        )


def _semver() -> VersionScheme:
    return get(Ecosystem.NPM).versions


def _strip_v(version: str) -> str:
    return version[1:] if version[:1] in ("v", "V") and version[1:2].isdigit() else version


def _compile_range(rng: Range, scheme: VersionScheme, *, semver: bool) -> _CompiledRange:
    events: list[tuple[Any, _Kind]] = []
    limits: list[Any] = []
    has_limit = False
    for event in rng.events:
        if event.introduced is not None:
            raw, kind = event.introduced, _Kind.INTRODUCED
        elif event.fixed is not None:
            raw, kind = event.fixed, _Kind.FIXED
        elif event.last_affected is not None:
            raw, kind = event.last_affected, _Kind.LAST_AFFECTED
        elif event.limit is not None:
            has_limit = True
            if "*" in event.limit:
                limits.append(_HIGHEST)
            else:
                value = _strip_v(event.limit) if semver else event.limit
                limits.append((1, scheme.key(value)))
            continue
        else:
            continue
        if kind is _Kind.INTRODUCED and raw == "0":
            events.append((_LOWEST, kind))
            continue
        value = _strip_v(raw) if semver else raw
        events.append(((1, scheme.key(value)), kind))
    # A stable sort keeps the record's own order between events of equal versions.
    events.sort(key=lambda item: item[0])
    return _CompiledRange(events=tuple(events), limits=tuple(limits) if has_limit else None)


@lru_cache(maxsize=16384)
def _compiled(key: _Key) -> _CompiledAffected:
    affected, scheme = key.affected, key.scheme
    ranges: list[_CompiledRange] = []
    semver_ranges: list[_CompiledRange] = []
    for rng in affected.ranges:
        if rng.type == "ECOSYSTEM":
            ranges.append(_compile_range(rng, scheme, semver=False))
        elif rng.type == "SEMVER":
            semver_ranges.append(_compile_range(rng, _semver(), semver=True))
        # GIT ranges (commit hashes) and unknown types say nothing about versions.
    return _CompiledAffected(scheme, affected.versions, ranges, semver_ranges)


def is_affected(affected: Affected, version: str, scheme: VersionScheme) -> bool:
    """Whether ``version`` is listed in ``affected.versions`` or lies in one of its ranges."""
    return _compiled(_Key(affected, scheme)).matches(version)


def in_ranges(affected: Affected, version: str, scheme: VersionScheme) -> bool:
    """Whether ``version`` lies in one of the ``ECOSYSTEM``/``SEMVER`` ranges (the list aside)."""
    return _compiled(_Key(affected, scheme)).in_ranges(version)


@lru_cache(maxsize=65536)
def _normalize(ecosystem: Ecosystem, name: str) -> str:
    return get(ecosystem).normalize_name(name)


def matching_affected(
    record: Vulnerability, ecosystem: Ecosystem | str, name: str
) -> Iterable[Affected]:
    """The ``affected`` entries of ``record`` that name this package."""
    eco = Ecosystem(ecosystem)
    wanted = _normalize(eco, name)
    for affected in record.affected:
        package = affected.package
        if package is None or package.ecosystem != eco.value:
            continue
        if _normalize(eco, package.name) == wanted:
            yield affected


def affects(record: Vulnerability, ecosystem: Ecosystem | str, name: str, version: str) -> bool:
    """Whether ``record`` affects ``name`` at ``version``; withdrawn records affect nothing."""
    if record.withdrawn is not None:
        return False
    scheme = get(ecosystem).versions
    return any(is_affected(a, version, scheme) for a in matching_affected(record, ecosystem, name))


def fixed_versions(
    record: Vulnerability, ecosystem: Ecosystem | str, name: str, version: str | None = None
) -> tuple[str, ...]:
    """The ``fixed`` versions the record gives for this package, unique, lowest first.

    With ``version``, only the fixes that matter to it: those of the ``affected`` entries that
    affect it, above it (a record may give one entry per release branch).
    """
    scheme = get(ecosystem).versions
    found: set[str] = set()
    for affected in matching_affected(record, ecosystem, name):
        if version is not None and not is_affected(affected, version, scheme):
            continue
        for rng in affected.ranges:
            if rng.type not in ("ECOSYSTEM", "SEMVER"):
                continue
            for event in rng.events:
                if event.fixed:
                    found.add(_strip_v(event.fixed) if rng.type == "SEMVER" else event.fixed)
    if version is not None:
        floor = scheme.key(version)
        found = {v for v in found if scheme.key(v) > floor}
    return tuple(sorted(found, key=lambda v: (scheme.key(v), v)))
