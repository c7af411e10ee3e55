"""Pipenv: ``Pipfile.lock`` (pipfile-spec 6) and ``Pipfile``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stockade.ecosystems.graph import DependencyGraph, Location, Node, Resolution, Scope, Source
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.parsing import load_json, read_text
from stockade.ecosystems.pypi.parsers._common import (
    TomlLines,
    array,
    load_toml,
    normalize,
    optional_string,
    pinned_version,
    table,
)
from stockade.errors import ParseError, UnsupportedFormatError

SUPPORTED_SPECS = (6,)
"""The ``_meta.pipfile-spec`` values of Pipfile.lock read."""

LOCK_SECTIONS: Mapping[str, Scope] = {"default": Scope.PROD, "develop": Scope.DEV}
"""Pipfile.lock sections and their scopes."""

PIPFILE_SECTIONS: Mapping[str, Scope] = {"packages": Scope.PROD, "dev-packages": Scope.DEV}
"""Pipfile package tables and their scopes (other package categories count as dev)."""

_NOT_PACKAGES = frozenset({"source", "requires", "scripts", "pipenv"})


class _JsonLines:
    """Line numbers of keys in pretty-printed JSON (pipenv writes one key per line)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, key: str, start: int = 0) -> int | None:
        """The first 0-based line at or after ``start`` where ``"key":`` appears."""
        pattern = re.compile(re.escape(f'"{key}"') + r"\s*:")
        for index in range(max(start, 0), len(self.lines)):
            if pattern.search(self.lines[index]):
                return index
        return None


def _origin(
    entry: Mapping[str, Any], where: str, path: Path, line: int | None
) -> tuple[Source, str | None]:
    git = optional_string(entry.get("git"), f"{where}.git", path, line)
    if git is not None:
        ref = entry.get("ref")
        return Source.GIT, f"{git}@{ref}" if isinstance(ref, str) and ref else git
    for kind in ("hg", "svn", "bzr"):
        vcs = optional_string(entry.get(kind), f"{where}.{kind}", path, line)
        if vcs is not None:
            return Source.URL, vcs
    local = optional_string(entry.get("path"), f"{where}.path", path, line)
    if local is not None:
        return Source.PATH, local
    url = optional_string(entry.get("file"), f"{where}.file", path, line)
    if url is not None:
        return (Source.PATH if url.startswith("file:") else Source.URL), url
    return Source.REGISTRY, None


def _spec(text: str, where: str, path: Path, line: int | None) -> SpecifierSet:
    text = "" if text.strip() == "*" else text
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ParseError(f"{where}: invalid version {text!r}", path=path, line=line) from None


class PipfileLockParser:
    """``Pipfile.lock``: exact versions and hashes; ``default`` is prod, ``develop`` dev.

    The format records neither edges nor which packages are direct.
    """

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "Pipfile.lock"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """Files named ``Pipfile.lock``."""
        return path.name == "Pipfile.lock"

    def parse(self, path: Path) -> DependencyGraph:
        """Every package of ``default`` and ``develop`` (LOCKED)."""
        text = read_text(path)
        data = load_json(path, text)
        lines = _JsonLines(text)
        if not isinstance(data, dict):
            raise ParseError("expected a JSON object at the top level", path=path, line=1)
        meta_line = lines.find("_meta")
        if "_meta" not in data:
            raise ParseError("not a Pipfile.lock: no '_meta'", path=path, line=1)
        meta = table(data.get("_meta"), "_meta", path, _one(meta_line))
        spec_line = lines.find("pipfile-spec", meta_line or 0)
        spec = meta.get("pipfile-spec")
        if spec not in SUPPORTED_SPECS:
            raise UnsupportedFormatError(
                f"Pipfile.lock pipfile-spec {spec!r} is not supported "
                f"(supported: {', '.join(str(s) for s in SUPPORTED_SPECS)})",
                path=path,
                line=_one(spec_line if spec is not None else meta_line),
                hint="regenerate the lockfile with a pipenv release this version of Stockade reads",
            )
        graph = DependencyGraph()
        graph.sources.append(str(path))
        for section, scope in LOCK_SECTIONS.items():
            start = lines.find(section)
            packages = table(data.get(section), section, path, _one(start))
            cursor = start or 0
            for name, entry in packages.items():
                # Keys come in file order: look on from the previous one, then from the top.
                found = lines.find(name, cursor)
                if found is None:
                    found = lines.find(name, start or 0)
                cursor = found + 1 if found is not None else cursor
                line = _one(found)
                graph.add(self._node(name, entry, scope, Location(str(path), line), path))
        return graph

    def _node(self, name: str, entry: object, scope: Scope, location: Location, path: Path) -> Node:
        where = f"{name}"
        line = location.line
        if not isinstance(entry, dict):
            raise ParseError(f"{where} should be an object", path=path, line=line)
        pinned: str | None = None
        text = optional_string(entry.get("version"), f"{where}.version", path, line)
        if text is not None:
            pinned = pinned_version(_spec(text, where, path, line))
            if pinned is None:
                raise ParseError(f"{where}: version {text!r} is not exact", path=path, line=line)
        hashes = [str(h) for h in array(entry.get("hashes"), f"{where}.hashes", path, line)]
        source, url = _origin(entry, where, path, line)
        return Node(
            ecosystem=Ecosystem.PYPI,
            name=normalize(name),
            version=pinned,
            resolution=Resolution.LOCKED if pinned else Resolution.UNRESOLVED,
            scopes={scope},
            locations=[location],
            source=source,
            source_url=url,
            hashes=tuple(dict.fromkeys(hashes)),
        )


def _one(index: int | None) -> int | None:
    return None if index is None else index + 1


class PipfileParser:
    """``Pipfile``: the project's declared (direct) dependencies and their ranges."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "Pipfile"
    is_lockfile: bool = False

    def matches(self, path: Path) -> bool:
        """Files named ``Pipfile``."""
        return path.name == "Pipfile"

    def parse(self, path: Path) -> DependencyGraph:
        """``[packages]`` (prod) and ``[dev-packages]`` (dev), with other categories as dev."""
        text = read_text(path)
        data = load_toml(path, text)
        lines = TomlLines(text)
        graph = DependencyGraph()
        graph.sources.append(str(path))
        for section, raw in data.items():
            if section in _NOT_PACKAGES:
                continue
            scope = PIPFILE_SECTIONS.get(section, Scope.DEV)
            packages = table(raw, f"[{section}]", path, lines.locate((), None, section))
            for name, value in packages.items():
                line = lines.locate((section,), None, name)
                graph.add(self._node(section, name, value, scope, Location(str(path), line), path))
        return graph

    def _node(
        self, section: str, name: str, value: object, scope: Scope, location: Location, path: Path
    ) -> Node:
        where = f"{section}.{name}"
        line = location.line
        if isinstance(value, str):
            value = {"version": value}
        if not isinstance(value, dict):
            raise ParseError(f"{where} should be a version string or a table", path=path, line=line)
        source, url = _origin(value, where, path, line)
        text = optional_string(value.get("version"), f"{where}.version", path, line) or "*"
        spec = _spec(text, where, path, line) if source is Source.REGISTRY else SpecifierSet()
        pinned = pinned_version(spec)
        return Node(
            ecosystem=Ecosystem.PYPI,
            name=normalize(name),
            version=pinned,
            resolution=Resolution.PINNED if pinned else Resolution.UNRESOLVED,
            spec=str(spec) or None,
            direct=True,
            scopes={scope},
            locations=[location],
            source=source,
            source_url=url,
        )
