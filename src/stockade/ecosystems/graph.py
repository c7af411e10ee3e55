"""The dependency graph that manifest and lockfile parsers produce.

Nodes are package versions (or, where only a range is known, a package with a range); edges go
from a dependent to its dependency. A graph knows which nodes are direct, their scopes (prod,
dev, optional, peer), and where each was declared (file and line).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from stockade.ecosystems.interface import Ecosystem


class Scope(StrEnum):
    """Why a dependency is installed."""

    PROD = "prod"
    DEV = "dev"
    OPTIONAL = "optional"
    PEER = "peer"


class Resolution(StrEnum):
    """How the node's version is known."""

    LOCKED = "locked"
    """An exact version from a lockfile."""
    PINNED = "pinned"
    """An exact version pinned in a manifest (``==1.2.3``, ``"1.2.3"``)."""
    RESOLVED = "resolved"
    """Only a range was declared; the version is the one that would install today."""
    UNRESOLVED = "unresolved"
    """Only a range is known and it could not be resolved."""


class Source(StrEnum):
    """Where the package comes from."""

    REGISTRY = "registry"
    URL = "url"
    GIT = "git"
    PATH = "path"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where a dependency was declared."""

    path: str
    """The file, as given to the parser."""
    line: int | None = None
    """1-based line number, when known."""

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


NodeKey = tuple[Ecosystem, str, str | None]
"""(ecosystem, normalised name, version or ``None`` when only a range is known)."""


@dataclass(slots=True)
class Node:
    """One package (version) in the graph."""

    ecosystem: Ecosystem
    """Its ecosystem."""
    name: str
    """Normalised name."""
    version: str | None
    """Exact version, or ``None`` while only a range is known."""
    resolution: Resolution = Resolution.LOCKED
    """How the version is known."""
    spec: str | None = None
    """The declared range, when one was declared (``>=2,<3``, ``^1.2.0``)."""
    direct: bool = False
    """Declared by the project itself (not only pulled in by another package)."""
    scopes: set[Scope] = field(default_factory=lambda: {Scope.PROD})
    """Why it is installed; several when reached several ways."""
    locations: list[Location] = field(default_factory=list)
    """Where it was declared or locked."""
    source: Source = Source.REGISTRY
    """Registry, URL, git or local path."""
    source_url: str | None = None
    """The URL, git URL or path for non-registry sources."""
    hashes: tuple[str, ...] = ()
    """Digests recorded for it (``sha256:...``, npm ``sha512-...`` integrity)."""

    @property
    def key(self) -> NodeKey:
        """The node's identity in the graph."""
        return (self.ecosystem, self.name, self.version)

    def merge(self, other: Node) -> None:
        """Fold what ``other`` (same key) knows into this node."""
        self.direct = self.direct or other.direct
        # A package reached as prod anywhere is prod; dev only if it is dev everywhere.
        self.scopes |= other.scopes
        for loc in other.locations:
            if loc not in self.locations:
                self.locations.append(loc)
        self.spec = self.spec or other.spec
        self.source_url = self.source_url or other.source_url
        if other.hashes:
            self.hashes = tuple(dict.fromkeys(self.hashes + other.hashes))
        if self.source is Source.REGISTRY and other.source is not Source.REGISTRY:
            self.source = other.source
        order = list(Resolution)
        if order.index(other.resolution) < order.index(self.resolution):
            self.resolution = other.resolution


class DependencyGraph:
    """Packages and the edges between them (dependent -> dependency)."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, Node] = {}
        self.edges: dict[NodeKey, set[NodeKey]] = {}
        self.sources: list[str] = []
        """The files this graph was read from."""

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __contains__(self, key: object) -> bool:
        return key in self.nodes

    def add(self, node: Node) -> Node:
        """Add a node, merging it into an existing one with the same key. Returns the node kept."""
        existing = self.nodes.get(node.key)
        if existing is None:
            self.nodes[node.key] = node
            return node
        existing.merge(node)
        return existing

    def add_edge(self, parent: NodeKey, child: NodeKey) -> None:
        """Record that ``parent`` depends on ``child`` (both must be in the graph)."""
        if parent not in self.nodes or child not in self.nodes:
            raise KeyError(f"edge between unknown nodes {parent} -> {child}")
        if parent != child:
            self.edges.setdefault(parent, set()).add(child)

    def children(self, key: NodeKey) -> set[NodeKey]:
        """The direct dependencies of a node."""
        return self.edges.get(key, set())

    def direct(self) -> list[Node]:
        """The project's own declared dependencies."""
        return [n for n in self.nodes.values() if n.direct]

    def rekey(self, old: NodeKey, version: str, resolution: Resolution) -> Node:
        """Give a range-only node its resolved version, keeping its edges."""
        node = self.nodes.pop(old)
        node.version = version
        node.resolution = resolution
        kept = self.add(node)
        kids = self.edges.pop(old, set())
        if kids:
            self.edges.setdefault(kept.key, set()).update(kids)
        for parent_kids in self.edges.values():
            if old in parent_kids:
                parent_kids.discard(old)
                parent_kids.add(kept.key)
        return kept

    def merge(self, other: DependencyGraph) -> None:
        """Fold another graph into this one."""
        for node in other.nodes.values():
            self.add(node)
        for parent, kids in other.edges.items():
            self.edges.setdefault(parent, set()).update(kids)
        for src in other.sources:
            if src not in self.sources:
                self.sources.append(src)

    def propagate_scopes(
        self,
        optional_edges: Iterable[tuple[NodeKey, NodeKey]] = (),
        peer_edges: Iterable[tuple[NodeKey, NodeKey]] = (),
    ) -> None:
        """Give every node the scopes it is reached with from the direct nodes.

        A node reached through a prod path is ``{prod}``; otherwise it gets every scope it is
        reached with (``{dev}``, ``{dev, optional}`` ...). An edge in ``optional_edges``
        (``peer_edges``) turns a prod path into an optional (peer) one. Direct nodes keep their
        declared scopes as well; nodes no direct node reaches keep theirs.
        """
        optional = set(optional_edges)
        peer = set(peer_edges)
        reached: dict[NodeKey, set[Scope]] = {}
        queue: deque[tuple[NodeKey, Scope]] = deque(
            (node.key, scope)
            for node in self.nodes.values()
            if node.direct
            for scope in node.scopes
        )
        while queue:
            key, scope = queue.popleft()
            seen = reached.setdefault(key, set())
            if scope in seen:
                continue
            seen.add(scope)
            for child in self.edges.get(key, ()):
                next_scope = scope
                if scope is Scope.PROD and (key, child) in optional:
                    next_scope = Scope.OPTIONAL
                elif scope is Scope.PROD and (key, child) in peer:
                    next_scope = Scope.PEER
                if next_scope not in reached.get(child, ()):
                    queue.append((child, next_scope))
        for key, scopes in reached.items():
            node = self.nodes[key]
            computed = {Scope.PROD} if Scope.PROD in scopes else set(scopes)
            node.scopes = computed | node.scopes if node.direct else computed

    def chains(self) -> dict[NodeKey, list[NodeKey]]:
        """For every node reachable from a direct dependency, the shortest chain from one
        (inclusive at both ends). One breadth-first walk over the whole graph; ties are broken
        by name and version, so the answer is deterministic."""
        found: dict[NodeKey, list[NodeKey]] = {}
        queue: deque[NodeKey] = deque()
        for node in sorted(self.direct(), key=lambda n: _sort_key(n.key)):
            found[node.key] = [node.key]
            queue.append(node.key)
        while queue:
            key = queue.popleft()
            for kid in sorted(self.edges.get(key, ()), key=_sort_key):
                if kid not in found:
                    found[kid] = [*found[key], kid]
                    queue.append(kid)
        return found

    def paths_to(self, key: NodeKey) -> list[NodeKey]:
        """The shortest chain from a direct dependency down to ``key`` (inclusive).

        Empty when ``key`` is not reachable from any direct dependency. For many nodes, use
        :meth:`chains` once instead.
        """
        return self.chains().get(key, [])


def _sort_key(key: NodeKey) -> tuple[str, str, str]:
    return (key[0].value, key[1], key[2] or "")
