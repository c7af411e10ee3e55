"""npm's semver semantics (via ``node-semver``, a port of npm's own ``semver``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import nodesemver

_ANY = {"", "*", "latest", "x", "X"}


@lru_cache(maxsize=65536)
def _parse(version: str) -> Any:
    text = version.strip()
    try:
        # make_semver alone is laxer than npm (it takes "1.2", "1.2.3.4"); valid() is not.
        if nodesemver.valid(text, loose=True) is None:
            return None
        return nodesemver.make_semver(text, loose=True)
    except Exception:  # node-semver raises ValueError and TypeError for bad input
        return None


def _pre_key(part: object) -> tuple[int, int, str]:
    # Numeric identifiers sort before alphanumeric ones (semver 2.0.0 §11.4).
    return (0, part, "") if isinstance(part, int) else (1, 0, str(part))


class NpmSemver:
    """The :class:`~stockade.ecosystems.interface.VersionScheme` of npm.

    ``satisfies`` and ``best`` follow npm: pre-releases match only ranges that name a
    pre-release of the same major.minor.patch.
    """

    def key(self, version: str) -> Any:
        parsed = _parse(version)
        if parsed is None:
            return (0, (), version)
        pre = tuple(_pre_key(p) for p in parsed.prerelease)
        # A release sorts after its pre-releases: (1,) > (0, ...).
        pre_key = ((1,),) if not pre else ((0,), *pre)
        return (1, (parsed.major, parsed.minor, parsed.patch, pre_key), "")

    def is_valid(self, version: str) -> bool:
        return _parse(version) is not None

    def is_prerelease(self, version: str) -> bool:
        parsed = _parse(version)
        return parsed is not None and bool(parsed.prerelease)

    def satisfies(self, version: str, spec: str) -> bool:
        spec = spec.strip()
        if spec in _ANY:
            spec = "*"
        if _parse(version) is None:
            return False
        try:
            return bool(nodesemver.satisfies(version, spec, loose=True))
        except Exception:
            return False

    def best(self, versions: Iterable[str], spec: str) -> str | None:
        spec = spec.strip()
        if spec in _ANY:
            spec = "*"
        valid = [v for v in versions if _parse(v) is not None]
        try:
            found = nodesemver.max_satisfying(valid, spec, loose=True)
        except Exception:
            return None
        return str(found) if found is not None else None
