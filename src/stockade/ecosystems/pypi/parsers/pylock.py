"""PEP 751 lock files: ``pylock.toml`` and ``pylock.<name>.toml`` (lock-version 1.x)."""

from __future__ import annotations

import re
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
from stockade.ecosystems.parsing import read_text
from stockade.ecosystems.pypi.parsers._common import (
    TomlLines,
    hash_strings,
    load_toml,
    normalize,
    optional_string,
    string,
    table,
    tables,
)
from stockade.errors import ParseError, UnsupportedFormatError

SUPPORTED_MAJORS = ("1",)
"""Major lock-versions read (PEP 751 defines 1.0)."""

_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")
_GROUPS = re.compile(r"\bdependency_groups\b")
_EXTRAS = re.compile(r"\bextras\b")


def _check_version(path: Path, data: Mapping[str, Any], lines: TomlLines) -> None:
    top = lines.section(()) or (-1, 0)
    found = lines.key_line(*top, "lock-version")
    line = found + 1 if found is not None else None
    version = data.get("lock-version")
    if version is None:
        raise ParseError("not a pylock.toml: no 'lock-version'", path=path, line=1)
    if not isinstance(version, str):
        raise ParseError("'lock-version' should be a string", path=path, line=line)
    if version.split(".")[0] not in SUPPORTED_MAJORS:
        raise UnsupportedFormatError(
            f"pylock.toml lock-version {version} is not supported "
            f"(supported: {', '.join(m + '.x' for m in SUPPORTED_MAJORS)})",
            path=path,
            line=line,
        )


def _scopes(marker: str | None) -> set[Scope]:
    """Scope from a PEP 751 marker: ``'x' in dependency_groups`` dev, ``'y' in extras`` optional."""
    if marker is None:
        return {Scope.PROD}
    groups, extras = bool(_GROUPS.search(marker)), bool(_EXTRAS.search(marker))
    if groups and not extras:
        return {Scope.DEV}
    if extras and not groups:
        return {Scope.OPTIONAL}
    return {Scope.PROD}


def _origin(
    pkg: Mapping[str, Any], name: str, path: Path, line: int | None
) -> tuple[Source, str | None]:
    vcs = table(pkg.get("vcs"), f"vcs of {name}", path, line)
    if vcs:
        url = optional_string(vcs.get("url"), "vcs.url", path, line)
        url = url or optional_string(vcs.get("path"), "vcs.path", path, line)
        commit = optional_string(vcs.get("commit-id"), "vcs.commit-id", path, line)
        if url and commit:
            url = f"{url}@{commit}"
        return (Source.GIT if vcs.get("type") == "git" else Source.URL), url
    directory = table(pkg.get("directory"), f"directory of {name}", path, line)
    if directory:
        return Source.PATH, string(directory.get("path"), "directory.path", path, line)
    archive = table(pkg.get("archive"), f"archive of {name}", path, line)
    if archive:
        url = optional_string(archive.get("url"), "archive.url", path, line)
        if url:
            return Source.URL, url
        return Source.PATH, optional_string(archive.get("path"), "archive.path", path, line)
    return Source.REGISTRY, None


def _hashes(pkg: Mapping[str, Any], name: str, path: Path, line: int | None) -> tuple[str, ...]:
    artifacts: list[Mapping[str, Any]] = []
    for kind in ("archive", "sdist"):
        artifacts.append(table(pkg.get(kind), f"{kind} of {name}", path, line))
    artifacts += tables(pkg.get("wheels"), f"wheels of {name}", path, line)
    found: list[str] = []
    for artifact in artifacts:
        digests = table(artifact.get("hashes"), f"hashes of {name}", path, line)
        found += hash_strings(digests)
    return tuple(dict.fromkeys(found))


class PylockParser:
    """PEP 751 ``pylock.toml``: locked packages with hashes; edges where ``dependencies`` say."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "pylock.toml"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """``pylock.toml`` and ``pylock.<name>.toml``."""
        return _NAME.match(path.name) is not None

    def parse(self, path: Path) -> DependencyGraph:
        """Every ``[[packages]]`` entry (LOCKED), its hashes, source and dependencies."""
        text = read_text(path)
        data = load_toml(path, text)
        lines = TomlLines(text)
        _check_version(path, data, lines)
        if "packages" not in data:
            raise ParseError("no 'packages' array", path=path)
        entries = tables(data.get("packages"), "packages", path, None)
        graph = DependencyGraph()
        graph.sources.append(str(path))
        by_name: dict[str, list[NodeKey]] = {}
        pending: list[tuple[NodeKey, list[Mapping[str, Any]], int | None]] = []
        for pkg, line in zip(entries, lines.entry_lines("packages", len(entries)), strict=True):
            name = normalize(string(pkg.get("name"), "package name", path, line))
            version = optional_string(pkg.get("version"), f"version of {name}", path, line)
            marker = optional_string(pkg.get("marker"), f"marker of {name}", path, line)
            source, url = _origin(pkg, name, path, line)
            node = graph.add(
                Node(
                    ecosystem=Ecosystem.PYPI,
                    name=name,
                    version=version,
                    resolution=Resolution.LOCKED if version else Resolution.UNRESOLVED,
                    scopes=_scopes(marker),
                    locations=[Location(str(path), line)],
                    source=source,
                    source_url=url,
                    hashes=_hashes(pkg, name, path, line),
                )
            )
            if node.key not in by_name.setdefault(name, []):
                by_name[name].append(node.key)
            deps = tables(pkg.get("dependencies"), f"dependencies of {name}", path, line)
            pending.append((node.key, deps, line))
        for key, deps, line in pending:
            for dep in deps:
                dep_name = normalize(string(dep.get("name"), "dependency name", path, line))
                targets = by_name.get(dep_name, [])
                wanted = dep.get("version")
                if wanted is not None:
                    targets = [t for t in targets if t[2] == wanted]
                for target in targets:
                    graph.add_edge(key, target)
        return graph
