"""Hand-made OSV records for the tests."""

from __future__ import annotations

from typing import Any

from stockade.intel.osv.models import Vulnerability

MODIFIED = "2024-05-01T00:00:00Z"


def events(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """``events(("introduced", "0"), ("fixed", "1.2"))``."""
    return [{kind: value} for kind, value in pairs]


def rng(kind: str, *pairs: tuple[str, str], repo: str | None = None) -> dict[str, Any]:
    """One range of type ``kind`` (``ECOSYSTEM``, ``SEMVER``, ``GIT``)."""
    out: dict[str, Any] = {"type": kind, "events": events(*pairs)}
    if repo is not None:
        out["repo"] = repo
    return out


def affected(
    name: str = "demo",
    ecosystem: str = "PyPI",
    *,
    ranges: list[dict[str, Any]] | None = None,
    versions: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One ``affected`` entry."""
    return {
        "package": {"ecosystem": ecosystem, "name": name},
        "ranges": ranges or [],
        "versions": versions or [],
        **extra,
    }


def vuln(vid: str = "OSV-2024-1", *entries: dict[str, Any], **fields: Any) -> Vulnerability:
    """A record with the given ``affected`` entries and top-level fields."""
    data: dict[str, Any] = {"id": vid, "modified": MODIFIED, "affected": list(entries)}
    data.update(fields)
    return Vulnerability.model_validate(data)


def simple(
    *pairs: tuple[str, str],
    kind: str = "ECOSYSTEM",
    ecosystem: str = "PyPI",
    name: str = "demo",
    vid: str = "OSV-2024-1",
) -> Vulnerability:
    """A record with one range over one package."""
    return vuln(vid, affected(name, ecosystem, ranges=[rng(kind, *pairs)]))
