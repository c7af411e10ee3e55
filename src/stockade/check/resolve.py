"""Resolve declared ranges to the version that would install today.

Only registry packages declared with a range (no lockfile, no pin) need this. Each is looked up
in its ecosystem's registry, concurrently; the highest version satisfying the range wins, as
pip and npm choose it (yanked PyPI releases are skipped, pre-releases only when asked for).
Failures are per package: the package stays unresolved and carries the error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from stockade import ecosystems
from stockade.ecosystems.graph import DependencyGraph, NodeKey, Resolution, Source
from stockade.ecosystems.interface import Ecosystem, PackageInfo, Registry
from stockade.errors import StockadeError


@dataclass(slots=True)
class ResolveOutcome:
    """What resolution did."""

    resolved: int = 0
    """Ranges resolved to a version."""
    errors: dict[NodeKey, str] = field(default_factory=dict)
    """Per unresolved node (its key after the attempt), why."""


def needs_resolution(graph: DependencyGraph) -> list[NodeKey]:
    """Keys of registry nodes known only by a range."""
    return [node.key for node in graph if node.version is None and node.source is Source.REGISTRY]


async def resolve_ranges(
    graph: DependencyGraph,
    registry_for: Callable[[Ecosystem], Registry],
    *,
    on_done: Callable[[], None] | None = None,
) -> ResolveOutcome:
    """Give every range-only registry node the version that would install today."""
    outcome = ResolveOutcome()
    keys = needs_resolution(graph)
    names = sorted({(k[0], k[1]) for k in keys}, key=lambda k: (k[0].value, k[1]))

    async def fetch(eco: Ecosystem, name: str) -> tuple[PackageInfo | None, str | None]:
        try:
            return await registry_for(eco).package(name), None
        except StockadeError as exc:
            return None, str(exc)
        finally:
            if on_done is not None:
                on_done()

    answers = await asyncio.gather(*(fetch(eco, name) for eco, name in names))
    infos = dict(zip(names, answers, strict=True))
    for key in keys:
        eco, name, _ = key
        node = graph.nodes[key]
        info, error = infos[(eco, name)]
        if info is None:
            outcome.errors[key] = error or f"{name} is not known to the {eco.value} registry"
            node.resolution = Resolution.UNRESOLVED
            continue
        try:
            version = best_version(info, node.spec or "")
        except StockadeError as exc:
            outcome.errors[key] = str(exc)
            node.resolution = Resolution.UNRESOLVED
            continue
        if version is None:
            outcome.errors[key] = f"no published version of {name} satisfies {node.spec!r}"
            node.resolution = Resolution.UNRESOLVED
            continue
        graph.rekey(key, version, Resolution.RESOLVED)
        outcome.resolved += 1
    return outcome


def best_version(info: PackageInfo, spec: str) -> str | None:
    """The version a package manager would install today for ``spec``."""
    scheme = ecosystems.get(info.ecosystem).versions
    if info.ecosystem is Ecosystem.NPM and spec.strip() in ("latest", ""):
        return info.latest or scheme.best(info.versions, "*")
    candidates = [v for v, meta in info.versions.items() if not meta.yanked]
    return scheme.best(candidates, spec)
