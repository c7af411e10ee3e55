"""``uv.lock`` (version 1): the locked tree, with the project's own direct dependencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
from stockade.ecosystems.parsing import read_text
from stockade.ecosystems.pypi.parsers._common import (
    TomlLines,
    array,
    load_toml,
    normalize,
    optional_string,
    string,
    table,
    tables,
)
from stockade.errors import ParseError, UnsupportedFormatError

SUPPORTED_VERSIONS = (1,)
"""The ``version`` values of uv.lock read."""

_SOURCES = {
    "registry": Source.REGISTRY,
    "git": Source.GIT,
    "url": Source.URL,
    "path": Source.PATH,
    "directory": Source.PATH,
    "editable": Source.PATH,
    "virtual": Source.PATH,
}


@dataclass(slots=True)
class _Package:
    name: str
    version: str | None
    source: Mapping[str, Any]
    entry: Mapping[str, Any]
    line: int | None
    root: bool


def _check_version(path: Path, data: Mapping[str, Any], lines: TomlLines) -> None:
    top = lines.section(()) or (-1, 0)
    found = lines.key_line(*top, "version")
    line = found + 1 if found is not None else None
    version = data.get("version")
    if version is None:
        raise ParseError("not a uv.lock: no top-level 'version'", path=path, line=1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ParseError("'version' should be an integer", path=path, line=line)
    if version not in SUPPORTED_VERSIONS:
        raise UnsupportedFormatError(
            f"uv.lock version {version} is not supported "
            f"(supported: {', '.join(str(v) for v in SUPPORTED_VERSIONS)})",
            path=path,
            line=line,
            hint="regenerate the lockfile with a uv release this version of Stockade reads",
        )


def _source(pkg: _Package, path: Path) -> tuple[Source, str | None]:
    for kind, source in _SOURCES.items():
        value = pkg.source.get(kind)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ParseError(
                f"source.{kind} of {pkg.name} should be a string", path=path, line=pkg.line
            )
        return source, None if source is Source.REGISTRY else value
    return Source.REGISTRY, None


def _hashes(pkg: _Package, path: Path) -> tuple[str, ...]:
    found: list[str] = []
    sdist = table(pkg.entry.get("sdist"), f"sdist of {pkg.name}", path, pkg.line)
    wheels = tables(pkg.entry.get("wheels"), f"wheels of {pkg.name}", path, pkg.line)
    for artifact in [sdist, *wheels]:
        digest = artifact.get("hash")
        if isinstance(digest, str):
            found.append(digest)
    return tuple(dict.fromkeys(found))


def _is_root(source: Mapping[str, Any], name: str, members: set[str]) -> bool:
    if name in members:
        return True
    return any(source.get(kind) == "." for kind in ("virtual", "editable"))


class UvLockParser:
    """``uv.lock``: every locked package with hashes and edges; the root's dependencies direct."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "uv.lock"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """Files named ``uv.lock``."""
        return path.name == "uv.lock"

    def parse(self, path: Path) -> DependencyGraph:
        """Packages (LOCKED) and edges; the project root's dependencies are direct."""
        text = read_text(path)
        data = load_toml(path, text)
        lines = TomlLines(text)
        _check_version(path, data, lines)
        manifest = table(data.get("manifest"), "[manifest]", path, None)
        members = {
            normalize(string(m, "manifest member", path, None))
            for m in array(manifest.get("members"), "manifest.members", path, None)
        }
        entries = tables(data.get("package"), "package", path, None)
        packages: list[_Package] = []
        for entry, line in zip(entries, lines.entry_lines("package", len(entries)), strict=True):
            name = normalize(string(entry.get("name"), "package name", path, line))
            version = optional_string(entry.get("version"), f"version of {name}", path, line)
            source = table(entry.get("source"), f"source of {name}", path, line)
            packages.append(
                _Package(name, version, source, entry, line, _is_root(source, name, members))
            )
        return self._graph(path, packages)

    def _graph(self, path: Path, packages: list[_Package]) -> DependencyGraph:
        graph = DependencyGraph()
        graph.sources.append(str(path))
        keys: dict[int, NodeKey] = {}
        by_name: dict[str, list[tuple[_Package, NodeKey | None]]] = {}
        for index, pkg in enumerate(packages):
            key: NodeKey | None = None
            if not pkg.root:
                source, url = _source(pkg, path)
                node = graph.add(
                    Node(
                        ecosystem=Ecosystem.PYPI,
                        name=pkg.name,
                        version=pkg.version,
                        resolution=Resolution.LOCKED if pkg.version else Resolution.UNRESOLVED,
                        scopes=set(),
                        locations=[Location(str(path), pkg.line)],
                        source=source,
                        source_url=url,
                        hashes=_hashes(pkg, path),
                    )
                )
                key = keys[index] = node.key
            by_name.setdefault(pkg.name, []).append((pkg, key))

        def resolve(owner: _Package, dep: Mapping[str, Any]) -> list[NodeKey]:
            name = normalize(
                string(dep.get("name"), f"a dependency of {owner.name}", path, owner.line)
            )
            candidates = by_name.get(name, [])
            version = dep.get("version")
            if version is not None:
                candidates = [c for c in candidates if c[0].version == version]
            if not candidates:
                wanted = f"{name} {version}" if version is not None else name
                raise ParseError(
                    f"{owner.name} depends on {wanted}, which is not locked",
                    path=path,
                    line=owner.line,
                )
            return [key for _, key in candidates if key is not None]

        def dependency_lists(pkg: _Package, field: str) -> dict[str, list[Mapping[str, Any]]]:
            if field == "dependencies":
                return {
                    "": tables(pkg.entry.get(field), f"dependencies of {pkg.name}", path, pkg.line)
                }
            groups = table(pkg.entry.get(field), f"{field} of {pkg.name}", path, pkg.line)
            return {
                group: tables(deps, f"{field}.{group} of {pkg.name}", path, pkg.line)
                for group, deps in groups.items()
            }

        roots: dict[NodeKey, set[Scope]] = {}
        fields = (
            ("dependencies", Scope.PROD),
            ("optional-dependencies", Scope.OPTIONAL),
            ("dev-dependencies", Scope.DEV),
        )
        for index, pkg in enumerate(packages):
            for field, scope in fields:
                for deps in dependency_lists(pkg, field).values():
                    for dep in deps:
                        for target in resolve(pkg, dep):
                            if pkg.root:
                                roots.setdefault(target, set()).add(scope)
                                graph.nodes[target].direct = True
                            elif field != "dev-dependencies":
                                graph.add_edge(keys[index], target)
        for key, scopes in roots.items():
            graph.nodes[key].scopes = set(scopes)
        graph.propagate_scopes()
        return graph
