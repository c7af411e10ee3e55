"""``package.json``: the project's declared dependencies (and its workspaces')."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockade.ecosystems.graph import DependencyGraph, Location, Node, Resolution, Scope, Source
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.npm.parsers._common import (
    alias_target,
    classify_spec,
    exact_version,
    json_key_lines,
)
from stockade.ecosystems.npm.versions import NpmSemver
from stockade.ecosystems.parsing import load_json, read_text
from stockade.errors import ParseError

SECTIONS: Mapping[str, Scope] = {
    "dependencies": Scope.PROD,
    "devDependencies": Scope.DEV,
    "optionalDependencies": Scope.OPTIONAL,
    "peerDependencies": Scope.PEER,
}
"""The dependency sections of a package.json and the scope of each."""


@dataclass(frozen=True, slots=True)
class _Manifest:
    path: Path
    data: Mapping[str, Any]
    lines: dict[tuple[str, ...], int]


def _load(path: Path) -> _Manifest:
    text = read_text(path)
    data = load_json(path, text)
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object at the top level", path=path, line=1)
    return _Manifest(path, data, json_key_lines(text))


def dependency_node(name: str, spec: str, scope: Scope, location: Location) -> Node:
    """The direct node a ``"name": "spec"`` declaration makes."""
    alias = alias_target(spec)
    real_name, rng = alias if alias is not None else (name, spec)
    where = classify_spec(rng)
    if where is not None:
        return Node(
            ecosystem=Ecosystem.NPM,
            name=real_name,
            version=None,
            resolution=Resolution.UNRESOLVED,
            spec=spec,
            direct=True,
            scopes={scope},
            locations=[location],
            source=where.source,
            source_url=where.url,
        )
    pinned = exact_version(rng)
    return Node(
        ecosystem=Ecosystem.NPM,
        name=real_name,
        version=pinned,
        resolution=Resolution.PINNED if pinned else Resolution.UNRESOLVED,
        spec=rng.strip(),
        direct=True,
        scopes={scope},
        locations=[location],
    )


def _workspace_patterns(manifest: _Manifest) -> list[str]:
    raw = manifest.data.get("workspaces")
    if raw is None:
        return []
    if isinstance(raw, dict):  # Yarn's {"packages": [...], "nohoist": [...]}
        raw = raw.get("packages", [])
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ParseError(
            "`workspaces` must be a list of folder patterns",
            path=manifest.path,
            line=manifest.lines.get(("workspaces",)),
        )
    return raw


def workspace_manifests(manifest_path: Path, patterns: list[str]) -> list[Path]:
    """The package.json files of the workspaces that ``patterns`` select, sorted."""
    root = manifest_path.parent
    selected: dict[Path, None] = {}
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        pat = pat.strip().removeprefix("./").rstrip("/")
        if not pat or pat.startswith("/"):
            continue
        try:
            found = [p / "package.json" for p in root.glob(pat) if (p / "package.json").is_file()]
        except (ValueError, NotImplementedError, OSError):
            continue
        for candidate in found:
            if "node_modules" in candidate.relative_to(root).parts:
                continue
            if negate:
                selected.pop(candidate, None)
            elif candidate != manifest_path:
                selected[candidate] = None
    return sorted(selected)


class PackageJsonParser:
    """Reads ``package.json``: direct dependencies with their ranges.

    A root package.json with ``workspaces`` also reads each workspace's package.json: the
    workspaces are the project, their dependencies are direct dependencies, and one
    workspace depending on another is not a dependency.
    """

    ecosystem: Ecosystem = Ecosystem.NPM
    kind: str = "package.json"
    is_lockfile: bool = False

    def matches(self, path: Path) -> bool:
        """Whether the file is named ``package.json``."""
        return path.name == "package.json"

    def parse(self, path: Path) -> DependencyGraph:
        """Parse the manifest (and its workspaces' manifests)."""
        root = _load(path)
        manifests = [root]
        for ws_path in workspace_manifests(path, _workspace_patterns(root)):
            manifests.append(_load(ws_path))
        local_versions: dict[str, str] = {}
        for manifest in manifests[1:]:
            name = manifest.data.get("name")
            if isinstance(name, str):
                version = manifest.data.get("version")
                local_versions[name] = version if isinstance(version, str) else "0.0.0"

        graph = DependencyGraph()
        for manifest in manifests:
            graph.sources.append(str(manifest.path))
            self._add_manifest(graph, manifest, local_versions)
        return graph

    @staticmethod
    def _add_manifest(
        graph: DependencyGraph, manifest: _Manifest, local_versions: Mapping[str, str]
    ) -> None:
        for section, scope in SECTIONS.items():
            deps = manifest.data.get(section)
            if deps is None:
                continue
            if not isinstance(deps, dict):
                raise ParseError(
                    f"`{section}` must be an object of package names to version ranges",
                    path=manifest.path,
                    line=manifest.lines.get((section,)),
                )
            for name, spec in deps.items():
                line = manifest.lines.get((section, name))
                if not isinstance(spec, str):
                    raise ParseError(
                        f"`{section}.{name}` must be a version range string",
                        path=manifest.path,
                        line=line,
                    )
                if not name.strip():
                    raise ParseError(f"empty package name in `{section}`", path=manifest.path)
                if name in local_versions and _is_local(spec, local_versions[name]):
                    continue
                location = Location(str(manifest.path), line)
                graph.add(dependency_node(name, spec, scope, location))


def _is_local(spec: str, workspace_version: str) -> bool:
    """Whether a dependency on a workspace's name resolves to that workspace."""
    spec = spec.strip()
    if spec.startswith("workspace:") or spec in {"", "*"}:
        return True
    where = classify_spec(spec)
    if where is not None:
        return where.source is Source.PATH
    return NpmSemver().satisfies(workspace_version, spec)
