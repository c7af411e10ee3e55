"""``poetry.lock`` (lock-version 1.x and 2.x): the locked tree, its edges and groups."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)

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
from stockade.ecosystems.pypi.parsers._poetry import to_pep440
from stockade.errors import ParseError, UnsupportedFormatError

SUPPORTED_MAJORS = ("1", "2")
"""Major lock-versions read: 1.x (Poetry 1.0-1.2), 2.x (Poetry 1.3 and later)."""

_SOURCES = {"git": Source.GIT, "url": Source.URL, "file": Source.PATH, "directory": Source.PATH}


def _lock_version(path: Path, data: Mapping[str, Any], lines: TomlLines) -> str:
    bounds = lines.section(("metadata",))
    line = bounds[0] + 1 if bounds else None
    metadata = table(data.get("metadata"), "[metadata]", path, line)
    if not metadata and not data.get("package"):
        raise ParseError("not a poetry.lock: no [[package]] and no [metadata]", path=path)
    if bounds is not None:
        found = lines.key_line(bounds[0], bounds[1], "lock-version")
        line = found + 1 if found is not None else line
    version = optional_string(metadata.get("lock-version"), "lock-version", path, line) or "1.0"
    if version.split(".")[0] not in SUPPORTED_MAJORS:
        raise UnsupportedFormatError(
            f"poetry.lock lock-version {version} is not supported "
            f"(supported: {', '.join(m + '.x' for m in SUPPORTED_MAJORS)})",
            path=path,
            line=line,
            hint="regenerate the lockfile with a Poetry release this version of Stockade reads",
        )
    return version


def _file_version(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _hashes(
    files: list[Mapping[str, Any]], version: str, filter_by_version: bool
) -> tuple[str, ...]:
    found: list[str] = []
    for entry in files:
        digest = entry.get("hash")
        filename = entry.get("file")
        if not isinstance(digest, str):
            continue
        if filter_by_version and isinstance(filename, str):
            of_file = _file_version(filename)
            if of_file is not None and canonicalize_version(of_file) != canonicalize_version(
                version
            ):
                continue
        found.append(digest)
    return tuple(dict.fromkeys(found))


def _scopes(pkg: Mapping[str, Any], path: Path, line: int | None) -> set[Scope]:
    optional = pkg.get("optional") is True
    groups = pkg.get("groups")
    if groups is not None:
        names = {str(g) for g in array(groups, "groups", path, line)}
    else:
        category = optional_string(pkg.get("category"), "category", path, line)
        names = {category} if category else {"main"}
    scopes = {Scope.DEV for name in names if name != "main"}
    if "main" in names:
        scopes.add(Scope.OPTIONAL if optional else Scope.PROD)
    return scopes or {Scope.PROD}


def _source(pkg: Mapping[str, Any], path: Path, line: int | None) -> tuple[Source, str | None]:
    source = table(pkg.get("source"), "package.source", path, line)
    kind = source.get("type")
    if not isinstance(kind, str) or kind not in _SOURCES:
        return Source.REGISTRY, None
    url = optional_string(source.get("url"), "package.source.url", path, line)
    ref = source.get("resolved_reference") or source.get("reference")
    if kind == "git" and url and isinstance(ref, str) and ref:
        url = f"{url}@{ref}"
    return _SOURCES[kind], url


def _constraint(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("version"), str):
        return str(value["version"])
    return "*"


def _targets(candidates: list[Node], value: object) -> list[Node]:
    """The locked versions of a dependency that its constraint(s) allow (all, if none fit)."""
    if len(candidates) <= 1:
        return candidates
    constraints = value if isinstance(value, list) else [value]
    chosen: list[Node] = []
    for item in constraints:
        try:
            spec = SpecifierSet(to_pep440(_constraint(item)))
        except ValueError:
            continue
        chosen += [n for n in candidates if n.version and spec.contains(n.version, True)]
    unique = {n.key: n for n in chosen}
    return list(unique.values()) if unique else candidates


class PoetryLockParser:
    """``poetry.lock``: every locked package with hashes, edges and scopes (no direct flag)."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "poetry.lock"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """Files named ``poetry.lock``."""
        return path.name == "poetry.lock"

    def parse(self, path: Path) -> DependencyGraph:
        """All packages (LOCKED), edges from ``[package.dependencies]``, scopes from groups."""
        text = read_text(path)
        data = load_toml(path, text)
        lines = TomlLines(text)
        _lock_version(path, data, lines)
        packages = tables(data.get("package"), "package", path, None)
        starts = lines.entry_lines("package", len(packages))
        legacy_files = table(
            table(data.get("metadata"), "[metadata]", path, None).get("files"),
            "metadata.files",
            path,
            None,
        )
        files_by_name = {normalize(k): v for k, v in legacy_files.items()}
        graph = DependencyGraph()
        graph.sources.append(str(path))
        by_name: dict[str, dict[NodeKey, Node]] = {}
        deps_of: list[tuple[Node, Mapping[str, Any]]] = []
        for pkg, line in zip(packages, starts, strict=True):
            name = normalize(string(pkg.get("name"), "package name", path, line))
            pkg_version = string(pkg.get("version"), f"version of {name}", path, line)
            if "files" in pkg:
                files = tables(pkg.get("files"), f"files of {name}", path, line)
                hashes = _hashes(files, pkg_version, filter_by_version=False)
            else:
                files = tables(files_by_name.get(name), f"metadata.files.{name}", path, None)
                hashes = _hashes(files, pkg_version, filter_by_version=True)
            source, url = _source(pkg, path, line)
            node = graph.add(
                Node(
                    ecosystem=Ecosystem.PYPI,
                    name=name,
                    version=pkg_version,
                    resolution=Resolution.LOCKED,
                    scopes=_scopes(pkg, path, line),
                    locations=[Location(str(path), line)],
                    source=source,
                    source_url=url,
                    hashes=hashes,
                )
            )
            by_name.setdefault(name, {})[node.key] = node
            deps = table(pkg.get("dependencies"), f"dependencies of {name}", path, line)
            deps_of.append((node, deps))
        for node, deps in deps_of:
            for dep_name, value in deps.items():
                candidates = list(by_name.get(normalize(dep_name), {}).values())
                for target in _targets(candidates, value):
                    graph.add_edge(node.key, target.key)
        return graph
