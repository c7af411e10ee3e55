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
from stockade.ecosystems.graph import DependencyGraph, Node, NodeKey, Resolution, Source
from stockade.ecosystems.interface import Ecosystem, PackageInfo, Registry, VersionInfo
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


@dataclass(slots=True)
class ExpandOutcome:
    """What transitive expansion did."""

    added: int = 0
    """Packages added from registry metadata."""
    unknown: int = 0
    """Resolved packages whose registry metadata did not list their dependencies."""
    errors: dict[NodeKey, str] = field(default_factory=dict)
    """Dependencies that could not be resolved, by the key of their (unresolved) node."""
    truncated: bool = False
    """The package limit was reached."""


async def expand_transitive(
    graph: DependencyGraph,
    registry_for: Callable[[Ecosystem], Registry],
    *,
    max_packages: int = 2000,
    environment: dict[str, str] | None = None,
) -> ExpandOutcome:
    """Add the dependencies of resolved packages, as the installer would pick them today.

    Only packages whose version was resolved from a range (no lockfile) are expanded; their
    declared dependencies are resolved against the registry, level by level. PyPI environment
    markers are evaluated for this interpreter's environment and extras are left out; npm takes
    ``dependencies``, ``optionalDependencies`` and ``peerDependencies``. A dependency already in
    the graph at a version that satisfies the range is reused (for PyPI, the one version of a
    name is always reused: pip installs one). This is a greedy resolver: it does not backtrack.
    """
    from packaging.markers import InvalidMarker, Marker

    outcome = ExpandOutcome()
    frontier = [n.key for n in graph if n.resolution is Resolution.RESOLVED and n.version]
    expanded: set[NodeKey] = set()

    def keep(eco: Ecosystem, scope: str, marker: str | None) -> bool:
        if eco is Ecosystem.NPM:
            return scope in ("prod", "optional", "peer")
        if scope != "prod":
            return False  # extras are installed only when asked for
        if not marker:
            return True
        try:
            return bool(Marker(marker).evaluate(environment))
        except InvalidMarker:
            return False

    while frontier and not outcome.truncated:
        level = [k for k in frontier if k not in expanded and k in graph]
        expanded.update(level)
        metas = await asyncio.gather(*(_version_meta(registry_for, k) for k in level))
        wanted: list[tuple[NodeKey, str, str]] = []
        for key, meta in zip(level, metas, strict=True):
            if meta is None or meta.dependencies is None:
                outcome.unknown += 1
                continue
            eco = key[0]
            support = ecosystems.get(eco)
            for dep in meta.dependencies:
                if keep(eco, dep.scope, dep.marker):
                    wanted.append((key, support.normalize_name(dep.name), dep.spec))
        names = sorted({(parent[0], name) for parent, name, _ in wanted}, key=_name_order)
        infos = dict(
            zip(
                names,
                await asyncio.gather(*(_package(registry_for, e, n) for e, n in names)),
                strict=True,
            )
        )
        frontier = []
        for parent, name, spec in wanted:
            eco = parent[0]
            child = _reuse(graph, eco, name, spec)
            if child is None:
                if len(graph) >= max_packages:
                    outcome.truncated = True
                    break
                child = _add_resolved(graph, eco, name, spec, infos[(eco, name)], outcome)
                if child.version is not None:
                    frontier.append(child.key)
            graph.add_edge(parent, child.key)
    graph.propagate_scopes()
    return outcome


async def _version_meta(
    registry_for: Callable[[Ecosystem], Registry], key: NodeKey
) -> VersionInfo | None:
    try:
        return await registry_for(key[0]).version(key[1], key[2] or "")
    except StockadeError:
        return None


async def _package(
    registry_for: Callable[[Ecosystem], Registry], eco: Ecosystem, name: str
) -> tuple[PackageInfo | None, str | None]:
    try:
        return await registry_for(eco).package(name), None
    except StockadeError as exc:
        return None, str(exc)


def _name_order(item: tuple[Ecosystem, str]) -> tuple[str, str]:
    return (item[0].value, item[1])


def _reuse(graph: DependencyGraph, eco: Ecosystem, name: str, spec: str) -> Node | None:
    scheme = ecosystems.get(eco).versions
    same = [n for n in graph if n.ecosystem is eco and n.name == name]
    if eco is Ecosystem.PYPI and same:
        return same[0]
    for node in same:
        try:
            if node.version is not None and scheme.satisfies(node.version, spec):
                return node
        except StockadeError:
            continue
    return None


def _add_resolved(
    graph: DependencyGraph,
    eco: Ecosystem,
    name: str,
    spec: str,
    answer: tuple[PackageInfo | None, str | None],
    outcome: ExpandOutcome,
) -> Node:
    info, error = answer
    version: str | None = None
    if info is not None:
        try:
            version = best_version(info, spec)
        except StockadeError as exc:
            error = str(exc)
        if version is None and error is None:
            error = f"no published version of {name} satisfies {spec!r}"
    elif error is None:
        error = f"{name} is not known to the {eco.value} registry"
    node = graph.add(
        Node(
            ecosystem=eco,
            name=name,
            version=version,
            resolution=Resolution.RESOLVED if version else Resolution.UNRESOLVED,
            spec=spec,
        )
    )
    if version is None:
        outcome.errors[node.key] = error or "unresolved"
    else:
        outcome.added += 1
    return node
