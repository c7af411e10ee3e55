"""``pnpm-lock.yaml``, lockfileVersion 5.x, 6.x and 9.x."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stockade.ecosystems.graph import (
    DependencyGraph,
    Location,
    Node,
    NodeKey,
    Resolution,
    Scope,
    Source,
)
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.npm.parsers._common import (
    SpecSource,
    alias_target,
    classify_resolved,
    integrity_hashes,
    split_descriptor,
)
from stockade.ecosystems.npm.parsers._yaml import KeyLines, load_yaml
from stockade.ecosystems.parsing import check_conflict_markers, read_text
from stockade.errors import ParseError, UnsupportedFormatError

IMPORTER_SECTIONS: Mapping[str, Scope] = {
    "dependencies": Scope.PROD,
    "devDependencies": Scope.DEV,
    "optionalDependencies": Scope.OPTIONAL,
}
"""An importer's dependency sections and their scopes."""
_SUPPORTED = ("5", "6", "9")


def _strip_peers(version: str, style: int) -> str:
    """``1.2.3(react@18.2.0)`` (6, 9) or ``1.2.3_react@18.2.0`` (5) -> ``1.2.3``."""
    if style == 5:
        return version.split("_", 1)[0]
    return version.split("(", 1)[0]


def _source(resolution: Any) -> SpecSource | None:
    if not isinstance(resolution, dict):
        return None
    if resolution.get("type") == "git" and isinstance(resolution.get("repo"), str):
        commit = resolution.get("commit")
        url = resolution["repo"] + (f"#{commit}" if isinstance(commit, str) else "")
        return SpecSource(Source.GIT, url)
    if isinstance(resolution.get("directory"), str):
        return SpecSource(Source.PATH, resolution["directory"])
    tarball = resolution.get("tarball")
    if isinstance(tarball, str):
        return classify_resolved(tarball)
    return None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        doc = load_yaml(path, text)
        self.lines: KeyLines = doc.lines
        data = doc.data
        if not isinstance(data, dict) or "lockfileVersion" not in data:
            raise ParseError("not a pnpm lockfile: no `lockfileVersion`", path=path, line=1)
        raw = data["lockfileVersion"]
        major = raw.split(".", 1)[0] if isinstance(raw, str) else ""
        if major not in _SUPPORTED:
            raise UnsupportedFormatError(
                f"lockfileVersion {raw!r} is not supported (expected 5.x, 6.x or 9.0)",
                path=path,
                line=self.lines.get(("lockfileVersion",)),
            )
        self.style = int(major)
        importers = data.get("importers")
        self.importers: Mapping[str, Any] = (
            {".": data} if importers is None else self._map(importers, ("importers",))
        )
        for name, importer in self.importers.items():
            self._map(importer, ("importers", name))
        self.packages = self._map(data.get("packages"), ("packages",))
        self.snapshots = (
            self._map(data.get("snapshots"), ("snapshots",)) if self.style >= 9 else self.packages
        )
        self.graph = DependencyGraph()
        self.graph.sources.append(str(path))
        self.keys: dict[str, NodeKey] = {}
        self._names: dict[str, str] | None = None

    def _map(self, value: Any, where: tuple[str, ...]) -> Mapping[str, Any]:
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise ParseError(
                f"`{'.'.join(where)}` must be a map", path=self.path, line=self.lines.get(where)
            )
        return value

    def _line(self, section: str, key: str) -> int | None:
        return self.lines.get((section, key))

    def _name_version(self, key: str, meta: Mapping[str, Any]) -> tuple[str, str | None]:
        """Name and version of an entry: its own fields, else parsed from its key.

        Non-registry entries (``file:../lib``, ``github.com/org/repo/<sha>``) take the name
        they are depended on by when they do not name themselves; a folder may have no
        version (``None``).
        """
        name, version = meta.get("name"), meta.get("version")
        name = name if isinstance(name, str) and name else None
        version = version if isinstance(version, str) and version else None
        if self.style < 9 and not key.startswith("/"):
            found = name or self._referenced_as().get(key)
            if found is None:
                raise ParseError(
                    f"cannot tell the package name of {key!r}",
                    path=self.path,
                    line=self._line("packages", key),
                )
            return found, version
        bare = key.removeprefix("/")
        if self.style == 5:
            parsed_name, _, parsed_version = bare.rpartition("/")
        else:
            parsed_name, parsed_version = split_descriptor(bare.split("(", 1)[0])
        if not parsed_name or not parsed_version:
            raise ParseError(
                f"cannot tell the package and version of {key!r}",
                path=self.path,
                line=self._line("packages", key) or self._line("snapshots", key),
            )
        if version is None and ":" not in parsed_version:
            version = _strip_peers(parsed_version, self.style)
        return name or parsed_name, version

    def _referenced_as(self) -> dict[str, str]:
        """The dependency names that non-registry keys are referenced under (built once)."""
        if self._names is None:
            self._names = {}
            sections = [
                *(
                    importer.get(s)
                    for importer in self.importers.values()
                    for s in IMPORTER_SECTIONS
                ),
                *(
                    entry.get(s)
                    for entry in self.snapshots.values()
                    if isinstance(entry, dict)
                    for s in ("dependencies", "optionalDependencies")
                ),
            ]
            for deps in sections:
                if not isinstance(deps, dict):
                    continue
                for dep, value in deps.items():
                    ref = value.get("version") if isinstance(value, dict) else value
                    if isinstance(ref, str):
                        self._names.setdefault(ref, dep)
        return self._names

    def _package_meta(self, key: str) -> tuple[str, Mapping[str, Any]]:
        """The ``packages`` key and entry holding a snapshot's metadata."""
        if self.style < 9:
            return key, self.packages[key]
        base = key.split("(", 1)[0]
        meta = self.packages.get(base)
        if meta is None:
            meta = self.packages.get(key, {})
            base = key
        return base, self._map(meta, ("packages", base))

    def _node(self, key: str) -> NodeKey:
        found = self.keys.get(key)
        if found is not None:
            return found
        entry = self.snapshots[key]
        if entry is not None and entry != "" and not isinstance(entry, dict):
            raise ParseError(
                f"entry {key!r} must be a map",
                path=self.path,
                line=self._line("snapshots" if self.style >= 9 else "packages", key),
            )
        meta_key, meta = self._package_meta(key)
        name, version = self._name_version(meta_key, meta)
        resolution = meta.get("resolution")
        where = _source(resolution)
        integrity = resolution.get("integrity") if isinstance(resolution, dict) else None
        line = self._line("packages", meta_key) or self._line("snapshots", key)
        node = self.graph.add(
            Node(
                ecosystem=Ecosystem.NPM,
                name=name,
                version=version,
                resolution=Resolution.LOCKED if version else Resolution.UNRESOLVED,
                locations=[Location(str(self.path), line)],
                source=where.source if where else Source.REGISTRY,
                source_url=where.url if where else None,
                hashes=integrity_hashes(integrity),
            )
        )
        self.keys[key] = node.key
        return node.key

    def _resolve(self, owner: str, where: str, dep: str, ref: Any) -> NodeKey | None:
        """The node a ``dep: ref`` reference names; ``None`` for a link to an importer."""
        if not isinstance(ref, str) or not ref:
            raise ParseError(
                f"dependency {dep!r} of {owner!r} has no version", path=self.path, line=None
            )
        if ref.startswith("link:"):
            target = posixpath.normpath(posixpath.join(where, ref[len("link:") :]))
            if target in self.importers:
                return None
            node = self.graph.add(
                Node(
                    ecosystem=Ecosystem.NPM,
                    name=dep,
                    version=None,
                    resolution=Resolution.UNRESOLVED,
                    locations=[Location(str(self.path), self._line("importers", owner))],
                    source=Source.PATH,
                    source_url=target,
                )
            )
            return node.key
        if self.style == 5:
            candidates = (f"/{dep}/{ref}", ref)
        elif self.style == 6:
            candidates = (f"/{dep}@{ref}", ref)
        else:
            candidates = (f"{dep}@{ref}", ref)
        for candidate in candidates:
            if candidate in self.snapshots:
                return self._node(candidate)
        section = "snapshots" if self.style >= 9 else "packages"
        line = self._line(section, owner) or self._line("importers", owner)
        raise ParseError(
            f"{dep} {ref}, a dependency of {owner}, has no entry in `{section}` "
            "(is the lockfile truncated or edited by hand?)",
            path=self.path,
            line=line,
        )

    def read(self) -> DependencyGraph:
        optional_edges: set[tuple[NodeKey, NodeKey]] = set()
        peer_edges: set[tuple[NodeKey, NodeKey]] = set()
        for key in self.snapshots:
            parent = self._node(key)
            entry = self.snapshots[key]
            if not isinstance(entry, dict):
                continue
            peers = self._package_meta(key)[1].get("peerDependencies")
            peers = peers if isinstance(peers, dict) else {}
            for section in ("dependencies", "optionalDependencies"):
                deps = self._map(entry.get(section), (key, section))
                for dep, ref in deps.items():
                    child = self._resolve(key, "", dep, ref)
                    if child is None:
                        continue
                    self.graph.add_edge(parent, child)
                    if section == "optionalDependencies":
                        optional_edges.add((parent, child))
                    elif dep in peers:
                        peer_edges.add((parent, child))
        declared: dict[NodeKey, set[Scope]] = {}
        for where, importer in self.importers.items():
            specifiers = self._map(importer.get("specifiers"), ("importers", where))
            for section, scope in IMPORTER_SECTIONS.items():
                deps = self._map(importer.get(section), ("importers", where))
                for dep, value in deps.items():
                    spec = specifiers.get(dep)
                    ref = value
                    if isinstance(value, dict):
                        spec, ref = value.get("specifier"), value.get("version")
                    child = self._resolve(where, where, dep, ref)
                    if child is None:
                        continue
                    node = self.graph.nodes[child]
                    node.direct = True
                    if node.spec is None and isinstance(spec, str):
                        alias = alias_target(spec)
                        node.spec = alias[1] if alias else spec
                    declared.setdefault(child, set()).add(scope)
        for node_key, scopes in declared.items():
            self.graph.nodes[node_key].scopes = scopes
        self.graph.propagate_scopes(optional_edges, peer_edges)
        return self.graph


class PnpmLockParser:
    """Reads ``pnpm-lock.yaml`` (lockfileVersion 5.x, 6.x and 9.0).

    Direct dependencies and their scopes come from the importers (the root ``.`` and any
    workspace package, which are the project); other nodes inherit scopes along the edges of
    ``packages`` (5, 6) or ``snapshots`` (9). Peer suffixes are stripped from versions.
    """

    ecosystem: Ecosystem = Ecosystem.NPM
    kind: str = "pnpm-lock.yaml"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """Whether the file is named ``pnpm-lock.yaml``."""
        return path.name == "pnpm-lock.yaml"

    def parse(self, path: Path) -> DependencyGraph:
        """Parse the lockfile into a graph of locked versions."""
        text = read_text(path)
        check_conflict_markers(path, text)
        if not text.strip():
            raise ParseError("empty file, expected a pnpm lockfile", path=path)
        return _Reader(path, text).read()
