"""``package-lock.json`` and ``npm-shrinkwrap.json``, lockfileVersion 1, 2 and 3."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from stockade.ecosystems.graph import (
    DependencyGraph,
    Location,
    Node,
    NodeKey,
    Resolution,
    Source,
)
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.npm.parsers._common import (
    KeyLines,
    alias_target,
    classify_resolved,
    classify_spec,
    exact_version,
    flags_scopes,
    integrity_hashes,
)
from stockade.ecosystems.npm.parsers.package_json import SECTIONS
from stockade.ecosystems.parsing import load_json, read_text
from stockade.errors import ParseError, UnsupportedFormatError

_EDGE_SECTIONS = ("dependencies", "optionalDependencies", "peerDependencies")
_VERSION_KEY = re.compile(r'"lockfileVersion"\s*:')


def _line_of_version(text: str) -> int | None:
    match = _VERSION_KEY.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _declared_range(spec: str) -> str:
    alias = alias_target(spec)
    return alias[1] if alias is not None else spec


def _mapping(value: Any, what: str, path: Path, line: int | None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{what} must be an object", path=path, line=line)
    return value


def _workspace_patterns(root: Mapping[str, Any]) -> list[str]:
    raw = root.get("workspaces")
    if isinstance(raw, dict):
        raw = raw.get("packages")
    if not isinstance(raw, list):
        return []
    return [p.strip().removeprefix("./").rstrip("/") for p in raw if isinstance(p, str)]


def _is_installed(key: str) -> bool:
    return key.startswith("node_modules/") or "/node_modules/" in key


class _PackagesReader:
    """Lockfile v2/v3: the flat ``packages`` map keyed by install path."""

    def __init__(self, path: Path, packages: Mapping[str, Any], lines: KeyLines) -> None:
        self.path = path
        self.packages = packages
        self.lines = lines
        self.graph = DependencyGraph()
        self.keys: dict[str, NodeKey | None] = {}
        for key, entry in packages.items():
            if not isinstance(entry, dict):
                raise ParseError(
                    f"entry {key!r} must be an object", path=path, line=lines.get(("packages", key))
                )
        root = packages.get("", {})
        patterns = _workspace_patterns(root)
        # A linked folder takes its package name from the link when it does not say.
        self.link_names = {
            entry["resolved"]: key.rsplit("node_modules/", 1)[-1]
            for key, entry in packages.items()
            if entry.get("link") is True and isinstance(entry.get("resolved"), str)
        }
        self.project = {""} | {
            key
            for key in packages
            if key and not _is_installed(key) and any(fnmatchcase(key, p) for p in patterns)
        }

    def read(self) -> DependencyGraph:
        self.graph.sources.append(str(self.path))
        for key in self.packages:
            if key not in self.project:
                self._node(key)
        for key, entry in self.packages.items():
            if key in self.project or entry.get("link") is True:
                continue
            parent = self.keys.get(key)
            if parent is None:
                continue
            for section in _EDGE_SECTIONS:
                for dep in self._section(entry, key, section):
                    child = self._node_at(self._find(key, dep))
                    if child is not None:
                        self.graph.add_edge(parent, child)
        for key in sorted(self.project):
            entry = self.packages.get(key, {})
            for section, scope in SECTIONS.items():
                for dep, spec in self._section(entry, key, section).items():
                    child = self._node_at(self._find(key, dep))
                    if child is None:
                        continue
                    node = self.graph.nodes[child]
                    node.direct = True
                    node.scopes.add(scope)
                    if isinstance(spec, str) and node.spec is None:
                        node.spec = _declared_range(spec)
        return self.graph

    def _section(self, entry: Mapping[str, Any], key: str, section: str) -> Mapping[str, Any]:
        return _mapping(
            entry.get(section),
            f"`{section}` of {key or 'the root package'!r}",
            self.path,
            self.lines.get(("packages", key)),
        )

    def _find(self, start: str, name: str) -> str | None:
        """Node's module resolution: the nearest ``node_modules/<name>`` up from ``start``."""
        base = start
        while True:
            candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
            if candidate in self.packages:
                return candidate
            if not base:
                return None
            cut = base.rfind("/node_modules/")
            base = base[:cut] if cut >= 0 else ""

    def _node_at(self, key: str | None) -> NodeKey | None:
        if key is None or key in self.project:
            return None
        return self._node(key)

    def _node(self, key: str) -> NodeKey | None:
        if key in self.keys:
            return self.keys[key]
        self.keys[key] = None  # guards against link cycles
        entry = self.packages[key]
        line = self.lines.get(("packages", key))
        if entry.get("link") is True:
            target = entry.get("resolved")
            result = None
            if isinstance(target, str) and target in self.packages:
                result = self._node_at(target)
            self.keys[key] = result
            return result
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            if _is_installed(key):
                name = key.rsplit("node_modules/", 1)[-1]
            else:
                name = self.link_names.get(key) or Path(key).name
        version = entry.get("version")
        installed = _is_installed(key)
        if not isinstance(version, str) or not version:
            if installed:
                raise ParseError(f"entry {key!r} has no version", path=self.path, line=line)
            version = None
        resolved = entry.get("resolved")
        resolved = resolved if isinstance(resolved, str) else None
        if installed:
            where = classify_resolved(resolved)
            source = where.source if where else Source.REGISTRY
            source_url = where.url if where else None
        else:
            source, source_url = Source.PATH, key
        node = self.graph.add(
            Node(
                ecosystem=Ecosystem.NPM,
                name=name,
                version=version,
                resolution=Resolution.LOCKED if version else Resolution.UNRESOLVED,
                scopes=flags_scopes(entry),
                locations=[Location(str(self.path), line)],
                source=source,
                source_url=source_url,
                hashes=integrity_hashes(entry.get("integrity")),
            )
        )
        self.keys[key] = node.key
        return node.key


class _DependenciesReader:
    """Lockfile v1: the nested ``dependencies`` tree with ``requires``."""

    def __init__(self, path: Path, dependencies: Mapping[str, Any], lines: KeyLines) -> None:
        self.path = path
        self.lines = lines
        self.graph = DependencyGraph()
        self.entries: dict[tuple[str, ...], Mapping[str, Any]] = {}
        self.keys: dict[tuple[str, ...], NodeKey] = {}
        self._collect(dependencies, ())

    def _line(self, chain: tuple[str, ...]) -> int | None:
        return self.lines.get(tuple(part for name in chain for part in ("dependencies", name)))

    def _collect(self, dependencies: Mapping[str, Any], chain: tuple[str, ...]) -> None:
        for name, entry in dependencies.items():
            here = (*chain, name)
            if not isinstance(entry, dict):
                raise ParseError(
                    f"entry {' > '.join(here)!r} must be an object",
                    path=self.path,
                    line=self._line(here),
                )
            self.entries[here] = entry
            nested = _mapping(
                entry.get("dependencies"),
                f"`dependencies` of {' > '.join(here)!r}",
                self.path,
                self._line(here),
            )
            self._collect(nested, here)

    def read(self) -> DependencyGraph:
        self.graph.sources.append(str(self.path))
        for chain, entry in self.entries.items():
            self.keys[chain] = self._node(chain, entry)
        for chain, entry in self.entries.items():
            requires = _mapping(
                entry.get("requires"),
                f"`requires` of {' > '.join(chain)!r}",
                self.path,
                self._line(chain),
            )
            for dep in requires:
                found = self._find(chain, dep)
                if found is not None:
                    self.graph.add_edge(self.keys[chain], self.keys[found])
        return self.graph

    def _find(self, chain: tuple[str, ...], name: str) -> tuple[str, ...] | None:
        for depth in range(len(chain), -1, -1):
            candidate = (*chain[:depth], name)
            if candidate in self.entries:
                return candidate
        return None

    def _node(self, chain: tuple[str, ...], entry: Mapping[str, Any]) -> NodeKey:
        line = self._line(chain)
        raw = entry.get("version")
        if not isinstance(raw, str) or not raw:
            raise ParseError(
                f"entry {' > '.join(chain)!r} has no version", path=self.path, line=line
            )
        name = chain[-1]
        version = raw
        resolved = entry.get("resolved")
        resolved = resolved if isinstance(resolved, str) else None
        where = classify_resolved(resolved)
        alias = alias_target(raw)
        if alias is not None:
            name, version = alias
        elif exact_version(raw) is None:
            # A git, tarball or folder dependency: npm 6 writes its spec as the version.
            where = classify_spec(raw) or where
        node = self.graph.add(
            Node(
                ecosystem=Ecosystem.NPM,
                name=name,
                version=version,
                scopes=flags_scopes(entry),
                locations=[Location(str(self.path), line)],
                source=where.source if where else Source.REGISTRY,
                source_url=where.url if where else None,
                hashes=integrity_hashes(entry.get("integrity")),
            )
        )
        return node.key


class PackageLockParser:
    """Reads ``package-lock.json`` / ``npm-shrinkwrap.json`` (lockfileVersion 1, 2, 3).

    Versions 2 and 3 are read from ``packages``: direct dependencies and their kinds come from
    the root entry (and workspace entries: workspaces are the project, not dependencies),
    scopes from the ``dev``/``optional``/``devOptional``/``peer`` flags, and edges follow
    Node's module resolution through nested ``node_modules``. Version 1 has no root entry:
    its nodes are not marked direct (merge with package.json for that).
    """

    ecosystem: Ecosystem = Ecosystem.NPM
    kind: str = "package-lock.json"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """Whether the file is a package-lock.json or npm-shrinkwrap.json."""
        return path.name in {"package-lock.json", "npm-shrinkwrap.json"}

    def parse(self, path: Path) -> DependencyGraph:
        """Parse the lockfile into a graph of locked versions."""
        text = read_text(path)
        data = load_json(path, text)
        if not isinstance(data, dict):
            raise ParseError("expected a JSON object at the top level", path=path, line=1)
        version = data.get("lockfileVersion")
        if isinstance(version, bool) or version not in (1, 2, 3):
            what = "no lockfileVersion" if version is None else f"lockfileVersion {version!r}"
            raise UnsupportedFormatError(
                f"{what} is not supported (expected 1, 2 or 3)",
                path=path,
                line=_line_of_version(text),
                hint="regenerate the lockfile with a current npm",
            )
        lines = KeyLines(text)
        packages = data.get("packages")
        if version >= 2 and packages is not None:
            if not isinstance(packages, dict):
                raise ParseError(
                    "`packages` must be an object", path=path, line=lines.get(("packages",))
                )
            return _PackagesReader(path, packages, lines).read()
        if version == 3:
            raise ParseError("lockfileVersion 3 without `packages`", path=path)
        dependencies = _mapping(
            data.get("dependencies"), "`dependencies`", path, lines.get(("dependencies",))
        )
        return _DependenciesReader(path, dependencies, lines).read()


__all__ = ["PackageLockParser"]
