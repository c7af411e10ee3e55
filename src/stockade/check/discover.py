"""Find the manifests and lockfiles of a project and read them into one dependency graph.

Per folder and ecosystem, a lockfile is the truth for versions; a manifest beside it
(pyproject.toml, Pipfile, package.json) says which packages the project declares directly and
where. Without a lockfile, the manifest's ranges are kept for later resolution. Requirements
files stand on their own.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stockade import ecosystems
from stockade.ecosystems.graph import DependencyGraph, Location, Node, NodeKey, Scope
from stockade.ecosystems.interface import Ecosystem, ManifestParser, VersionScheme
from stockade.errors import InputError, StockadeError

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".yarn",
        ".pnpm-store",
    }
)
"""Folders never searched: installed packages, virtual environments, VCS data, caches."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """A file found under the checked path, with the parser that reads it."""

    path: Path
    """The file."""
    parser: ManifestParser
    """Its parser."""


def all_parsers() -> list[ManifestParser]:
    """Every parser of every ecosystem."""
    return [p for eco in ecosystems.all_ecosystems() for p in eco.parsers()]


def find_manifests(
    root: Path, *, exclude: Sequence[str] = (), parsers: Sequence[ManifestParser] | None = None
) -> list[Manifest]:
    """Every manifest and lockfile at or below ``root`` (a folder or a single file)."""
    parsers = list(parsers) if parsers is not None else all_parsers()
    if not root.exists():
        raise InputError("no such file or folder", path=root)
    if root.is_file():
        matched = [p for p in parsers if p.matches(root)]
        if not matched:
            kinds = ", ".join(sorted({p.kind for p in parsers}))
            raise InputError(
                "not a manifest or lockfile Stockade reads",
                path=root,
                hint=f"supported: {kinds}",
            )
        return [Manifest(root, matched[0])]
    found: list[Manifest] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel = here.relative_to(root)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(rel / d, exclude))
        for name in sorted(files):
            path = here / name
            if _excluded(rel / name, exclude):
                continue
            for parser in parsers:
                if parser.matches(path):
                    found.append(Manifest(path, parser))
                    break
    return found


def _excluded(rel: Path, patterns: Sequence[str]) -> bool:
    text = rel.as_posix()
    return any(
        fnmatch.fnmatch(text, pat)
        or text == pat.rstrip("/")
        or text.startswith(pat.rstrip("/") + "/")
        for pat in patterns
    )


def build_graph(
    manifests: Iterable[Manifest], *, on_parsed: Callable[[Manifest], None] | None = None
) -> DependencyGraph:
    """Parse every manifest and combine them into one graph (see the module's docstring)."""
    groups: dict[tuple[Path, Ecosystem], list[Manifest]] = {}
    for manifest in manifests:
        groups.setdefault((manifest.path.parent, manifest.parser.ecosystem), []).append(manifest)
    graph = DependencyGraph()
    for key in sorted(groups, key=lambda k: (str(k[0]), k[1].value)):
        graph.merge(_folder_graph(groups[key], on_parsed))
    return graph


def _folder_graph(
    manifests: list[Manifest], on_parsed: Callable[[Manifest], None] | None
) -> DependencyGraph:
    locks = [m for m in manifests if m.parser.is_lockfile]
    standalone = [m for m in manifests if _is_requirements(m)]
    declared = [m for m in manifests if not m.parser.is_lockfile and not _is_requirements(m)]
    graph = DependencyGraph()
    parsed: dict[Path, DependencyGraph] = {}
    for manifest in manifests:
        parsed[manifest.path] = manifest.parser.parse(manifest.path)
        if on_parsed is not None:
            on_parsed(manifest)
    for manifest in locks:
        graph.merge(parsed[manifest.path])
    lock_knows_scopes = any(node.scopes != {Scope.PROD} for node in graph)
    rescoped: set[NodeKey] | None = None if lock_knows_scopes else set()
    for manifest in declared:
        decl = parsed[manifest.path]
        if locks:
            _mark_direct(graph, decl, rescoped=rescoped)
            for src in decl.sources:
                if src not in graph.sources:
                    graph.sources.append(src)
        else:
            graph.merge(decl)
    if locks and declared and not lock_knows_scopes:
        graph.propagate_scopes()
    for manifest in standalone:
        graph.merge(parsed[manifest.path])
    return graph


def _is_requirements(manifest: Manifest) -> bool:
    return manifest.parser.kind.startswith("requirements")


def _mark_direct(
    locked: DependencyGraph, declared: DependencyGraph, *, rescoped: set[NodeKey] | None = None
) -> None:
    """Mark the locked nodes that the manifest declares as direct, with the manifest's lines.

    When a name is locked at several versions, the ones satisfying the declared range are
    marked (all of them if none does). A declared package missing from the lockfile (a stale
    lock) is added with its range so that it is still reported. When the lockfile records no
    scopes, ``rescoped`` collects the nodes whose default scope the manifest's has replaced.
    """
    by_name: dict[tuple[Ecosystem, str], list[Node]] = {}
    for node in locked:
        by_name.setdefault((node.ecosystem, node.name), []).append(node)
    for decl in declared:
        candidates = by_name.get((decl.ecosystem, decl.name))
        if not candidates:
            locked.add(
                Node(
                    ecosystem=decl.ecosystem,
                    name=decl.name,
                    version=decl.version,
                    resolution=decl.resolution,
                    spec=decl.spec,
                    direct=True,
                    scopes=set(decl.scopes),
                    locations=list(decl.locations),
                    source=decl.source,
                    source_url=decl.source_url,
                )
            )
            continue
        scheme = ecosystems.get(decl.ecosystem).versions
        chosen = [
            n for n in candidates if n.version and _satisfies(scheme, n.version, decl.spec)
        ] or candidates
        for node in chosen:
            node.direct = True
            node.spec = node.spec or decl.spec
            if rescoped is not None and node.key not in rescoped:
                node.scopes = set(decl.scopes)
                rescoped.add(node.key)
            elif rescoped is not None or Scope.PROD in decl.scopes:
                node.scopes |= decl.scopes
            node.locations = _declared_first(decl.locations, node.locations)


def _satisfies(scheme: VersionScheme, version: str, spec: str | None) -> bool:
    if not spec:
        return True
    try:
        return scheme.satisfies(version, spec)
    except StockadeError:
        return False


def _declared_first(declared: list[Location], existing: list[Location]) -> list[Location]:
    return list(dict.fromkeys([*declared, *existing]))
