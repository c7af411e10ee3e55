"""pip requirements files (``requirements*.txt``, ``requirements/*.txt``, ``*.in``).

Lines are read with ``pip-requirements-parser`` (pip's own line grammar: continuations,
comments, options, hashes, editables, URLs); ``-r`` includes and ``-c`` constraints are
followed here, relative to the including file and safe against cycles.
"""

from __future__ import annotations

import configparser
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from pip_requirements_parser import OptionLine, RequirementsFile

from stockade.ecosystems.graph import DependencyGraph, Location, Node, Resolution, Source
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.parsing import read_text
from stockade.ecosystems.pypi.parsers._common import (
    normalize,
    pinned_version,
)
from stockade.errors import ParseError

_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VCS = ("git+", "hg+", "svn+", "bzr+")


@dataclass(slots=True)
class _Constraint:
    spec: SpecifierSet
    location: Location


@dataclass(slots=True)
class _State:
    graph: DependencyGraph = field(default_factory=DependencyGraph)
    visited: set[Path] = field(default_factory=set)
    constraints: dict[str, list[_Constraint]] = field(default_factory=dict)


def _display(path: Path) -> Path:
    return Path(os.path.normpath(path))


def _archive_name_version(filename: str) -> tuple[str, str] | None:
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return str(name), str(version)


def _project_name(directory: Path) -> str | None:
    """The name a local project directory declares (pyproject.toml, then setup.cfg)."""
    try:
        data = tomllib.loads((directory / "pyproject.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    for table in (data.get("project"), data.get("tool", {}).get("poetry")):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            return str(table["name"])
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(directory / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    name = parser.get("metadata", "name", fallback=None)
    return name or None


def _local_path(url: str, base: Path) -> Path:
    if url.startswith("file:"):
        return Path(unquote(urlsplit(url).path))
    return base / url


def _node(req: Any, path: Path, base: Path) -> Node:
    """The direct node one parsed requirement line makes."""
    line = req.line_number
    location = Location(str(path), line)
    link = req.link
    url: str | None = link.url if link is not None else None
    name: str | None = req.name
    version: str | None = None
    spec: str | None = None
    source = Source.REGISTRY
    if url is not None:
        bare = url.split("#", 1)[0].split("?", 1)[0]
        if url.startswith(_VCS):
            source = Source.GIT if url.startswith("git+") else Source.URL
        elif url.startswith("file:") or not _REMOTE.match(url):
            source = Source.PATH
        else:
            source = Source.URL
        if not url.startswith(_VCS):
            archive = _archive_name_version(unquote(bare.rstrip("/").rsplit("/", 1)[-1]))
            if archive is not None:
                name = name or archive[0]
                version = archive[1]
        if name is None and source is Source.PATH:
            directory = _local_path(bare, base)
            name = _project_name(directory) or directory.resolve().name
    if not name:
        raise ParseError(
            "cannot tell the package name of this requirement (add '#egg=NAME')",
            path=path,
            line=line,
        )
    specifier: SpecifierSet | None = req.specifier if req.req is not None else None
    if url is None and specifier is not None:
        spec = str(specifier) or None
        version = pinned_version(specifier)
    resolution = Resolution.PINNED if version else Resolution.UNRESOLVED
    return Node(
        ecosystem=Ecosystem.PYPI,
        name=normalize(name),
        version=version,
        resolution=resolution,
        spec=spec,
        direct=True,
        locations=[location],
        source=source,
        source_url=url,
        hashes=tuple(dict.fromkeys(req.hash_options)),
    )


def _include(state: _State, path: Path, target: str, line: int, constraint: bool) -> None:
    if _REMOTE.match(target) and not target.startswith("file:"):
        raise ParseError(
            f"remote requirements file {target!r} is not supported; download it first",
            path=path,
            line=line,
        )
    included = _display(_local_path(target, path.parent))
    if not included.is_file():
        what = "constraints" if constraint else "requirements"
        reason = "is not a file" if included.exists() else "does not exist"
        raise ParseError(f"included {what} file {target!r} {reason}", path=path, line=line)
    _parse_file(state, included, constraint)


def _parse_file(state: _State, path: Path, constraint: bool) -> None:
    real = path.resolve()
    if real in state.visited:
        return
    state.visited.add(real)
    read_text(path)  # clear errors for unreadable files, before the library reads it
    if str(path) not in state.graph.sources:
        state.graph.sources.append(str(path))
    try:
        parsed = RequirementsFile.from_file(str(path), include_nested=False)
    except Exception as exc:  # the library's own errors: a line it could not handle
        raise ParseError(f"cannot parse requirements: {exc}", path=path) from None
    for invalid in parsed.invalid_lines:
        message = str(invalid.error_message).strip().splitlines()[0]
        for prefix in ("pip_requirements_parser: error: ", "Invalid requirement:", " :", " "):
            message = message.removeprefix(prefix)
        raise ParseError(
            f"invalid requirement {invalid.line!r}: {message}",
            path=path,
            line=invalid.line_number,
        )
    items: list[Any] = [*parsed.requirements, *parsed.options]
    items.sort(key=lambda item: item.line_number or 0)
    for item in items:
        if isinstance(item, OptionLine):
            options = item.options
            for target in options.get("requirements", []):
                _include(state, path, target, item.line_number, constraint)
            for target in options.get("constraints", []):
                _include(state, path, target, item.line_number, True)
            continue
        node = _node(item, path, path.parent)
        if constraint:
            if node.spec is not None and node.source is Source.REGISTRY:
                state.constraints.setdefault(node.name, []).append(
                    _Constraint(SpecifierSet(node.spec), node.locations[0])
                )
            continue
        state.graph.add(node)


def _apply_constraints(state: _State) -> None:
    graph = state.graph
    for key, node in list(graph.nodes.items()):
        rules = state.constraints.get(node.name)
        if not rules or node.version is not None or node.source is not Source.REGISTRY:
            continue
        spec = SpecifierSet(node.spec or "")
        for rule in rules:
            pin = pinned_version(rule.spec)
            if pin is None:
                spec &= rule.spec
                node.spec = str(spec)
                node.locations.append(rule.location)
            elif spec.contains(pin, prereleases=True):
                node.locations.append(rule.location)
                graph.rekey(key, pin, Resolution.PINNED)
                break


class RequirementsParser:
    """pip requirements files: every line a direct dependency, pins as exact versions."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "requirements.txt"
    is_lockfile: bool = False

    def matches(self, path: Path) -> bool:
        """``*requirements*.txt`` / ``.in``, or any ``.txt`` / ``.in`` in a ``requirements`` dir."""
        name = path.name.lower()
        if not name.endswith((".txt", ".in")):
            return False
        return "requirements" in name or path.parent.name.lower() == "requirements"

    def parse(self, path: Path) -> DependencyGraph:
        """Read the file and the files it includes; constraints pin what is required."""
        state = _State()
        _parse_file(state, path, constraint=False)
        _apply_constraints(state)
        return state.graph
