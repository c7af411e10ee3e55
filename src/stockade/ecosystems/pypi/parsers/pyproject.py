"""``pyproject.toml``: PEP 621 dependencies, PEP 735 dependency groups and Poetry tables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from stockade.ecosystems.graph import DependencyGraph, Location, Node, Resolution, Scope, Source
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.parsing import read_text
from stockade.ecosystems.pypi.parsers._common import (
    TomlLines,
    array,
    load_toml,
    normalize,
    pinned_version,
    table,
)
from stockade.ecosystems.pypi.parsers._poetry import to_pep440
from stockade.errors import ParseError

_LEADING_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(slots=True)
class _Doc:
    path: Path
    data: Mapping[str, Any]
    lines: TomlLines
    project: str | None
    graph: DependencyGraph = field(default_factory=DependencyGraph)
    used: dict[tuple[tuple[str, ...], str | None, str], set[int]] = field(default_factory=dict)
    uv_sources: dict[str, tuple[Source, str]] = field(default_factory=dict)

    def line(self, table_key: tuple[str, ...], key: str | None, name: str) -> int | None:
        """The line declaring ``name`` (each use of a name takes the next line naming it)."""
        used = self.used.setdefault((table_key, key, normalize(name)), set())
        found = self.lines.locate(table_key, key, name, skip={u - 1 for u in used})
        if found is not None:
            used.add(found)
        return found

    def where(self, key: tuple[str, ...]) -> int | None:
        """The line of table or value ``key``: its header, or the key assigning it."""
        own = self.lines.section(key)
        if own is not None:
            return own[0] + 1
        for depth in range(len(key) - 1, -1, -1):
            bounds = self.lines.section(key[:depth])
            if bounds is None:
                continue
            found = self.lines.key_line(*bounds, key[depth], first=True)
            if found is not None:
                return found + 1
            return bounds[0] + 1 if bounds[0] >= 0 else None
        return None


def _node(
    name: str,
    spec: str,
    scope: Scope,
    location: Location,
    source: Source = Source.REGISTRY,
    source_url: str | None = None,
) -> Node:
    version = pinned_version(SpecifierSet(spec)) if source is Source.REGISTRY else None
    return Node(
        ecosystem=Ecosystem.PYPI,
        name=normalize(name),
        version=version,
        resolution=Resolution.PINNED if version else Resolution.UNRESOLVED,
        spec=spec or None,
        direct=True,
        scopes={scope},
        locations=[location],
        source=source,
        source_url=source_url,
    )


def _url_source(url: str) -> Source:
    if url.startswith("git+"):
        return Source.GIT
    return Source.PATH if url.startswith("file:") else Source.URL


class _Pep508:
    """Requirement strings of PEP 621 and PEP 735, with self-references expanded."""

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.extras: Mapping[str, Any] = {}
        self.extras_key: tuple[str, ...] = ("project", "optional-dependencies")

    def add(
        self,
        text: object,
        scope: Scope,
        table_key: tuple[str, ...],
        key: str,
        seen: frozenset[str] = frozenset(),
    ) -> None:
        doc = self.doc
        if not isinstance(text, str):
            line = doc.where((*table_key, key))
            raise ParseError(
                f"{'.'.join((*table_key, key))}: a requirement should be a string, not {text!r}",
                path=doc.path,
                line=line,
            )
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            guess = _LEADING_NAME.match(text)
            line = (
                doc.line(table_key, key, guess.group(1)) if guess else doc.where((*table_key, key))
            )
            reason = str(exc).splitlines()[0]
            raise ParseError(
                f"invalid requirement {text!r}: {reason}", path=doc.path, line=line
            ) from None
        name = normalize(req.name)
        if doc.project is not None and name == doc.project:
            # The project naming itself with extras: those extras' dependencies, in this scope.
            for extra in sorted(normalize(e) for e in req.extras):
                if extra in seen:
                    continue
                entries = self.extras.get(extra)
                for entry in array(entries, f"extra {extra!r}", doc.path, None):
                    self.add(entry, scope, self.extras_key, extra, seen | {extra})
            return
        location = Location(str(doc.path), doc.line(table_key, key, req.name))
        uv_source = doc.uv_sources.get(name)
        if req.url:
            node = _node(req.name, "", scope, location, _url_source(req.url), req.url)
        elif uv_source is not None:
            node = _node(req.name, str(req.specifier), scope, location, *uv_source)
        else:
            node = _node(req.name, str(req.specifier), scope, location)
        doc.graph.add(node)


def _pep621(doc: _Doc, reqs: _Pep508) -> None:
    where = ("project",)
    project = table(doc.data.get("project"), "[project]", doc.path, doc.where(where))
    deps_line = doc.where((*where, "dependencies"))
    for text in array(project.get("dependencies"), "project.dependencies", doc.path, deps_line):
        reqs.add(text, Scope.PROD, where, "dependencies")
    opt_key = ("project", "optional-dependencies")
    what = "project.optional-dependencies"
    optional = table(project.get("optional-dependencies"), what, doc.path, doc.where(opt_key))
    reqs.extras = {normalize(k): v for k, v in optional.items()}
    for extra, entries in optional.items():
        line = doc.where((*opt_key, extra))
        for text in array(entries, f"{what}.{extra}", doc.path, line):
            reqs.add(text, Scope.OPTIONAL, opt_key, extra, frozenset({normalize(extra)}))


def _groups(doc: _Doc, reqs: _Pep508) -> None:
    key = ("dependency-groups",)
    groups = table(doc.data.get(key[0]), "[dependency-groups]", doc.path, doc.where(key))
    by_name = {normalize(name): name for name in groups}

    def expand(group: str, chain: tuple[str, ...]) -> None:
        line = doc.where((*key, group))
        entries = array(groups[group], f"dependency-groups.{group}", doc.path, line)
        for entry in entries:
            if isinstance(entry, dict):
                include = entry.get("include-group")
                if not isinstance(include, str) or len(entry) != 1:
                    raise ParseError(
                        f"dependency-groups.{group}: expected a requirement string or "
                        f"{{include-group = ...}}, not {entry!r}",
                        path=doc.path,
                        line=doc.line(key, group, group),
                    )
                target = by_name.get(normalize(include))
                if target is None:
                    raise ParseError(
                        f"dependency-groups.{group} includes unknown group {include!r}",
                        path=doc.path,
                        line=doc.line(key, group, include),
                    )
                if normalize(target) in chain:
                    raise ParseError(
                        f"dependency-groups.{group} includes itself through {include!r}",
                        path=doc.path,
                        line=doc.line(key, group, include),
                    )
                expand(target, (*chain, normalize(target)))
            else:
                reqs.add(entry, Scope.DEV, key, group)

    for group in groups:
        expand(group, (normalize(group),))


def _poetry_entry(
    doc: _Doc,
    table_key: tuple[str, ...],
    name: str,
    value: object,
    scope: Scope,
    location: Location | None = None,
) -> None:
    if location is None:
        location = Location(str(doc.path), doc.line(table_key, None, name))
    where = f"{'.'.join(table_key)}.{name}"
    if isinstance(value, list):
        for item in value:
            _poetry_entry(doc, table_key, name, item, scope, location)
        return
    if isinstance(value, str):
        value = {"version": value}
    if not isinstance(value, dict):
        raise ParseError(
            f"{where} should be a version string or a table, not {value!r}",
            path=doc.path,
            line=location.line,
        )
    if value.get("optional") is True and scope is Scope.PROD:
        scope = Scope.OPTIONAL
    for kind, source in (("git", Source.GIT), ("url", Source.URL), ("path", Source.PATH)):
        target = value.get(kind)
        if target is None:
            continue
        if not isinstance(target, str):
            raise ParseError(
                f"{where}.{kind} should be a string", path=doc.path, line=location.line
            )
        ref = next(
            (value[r] for r in ("rev", "tag", "branch") if isinstance(value.get(r), str)), None
        )
        url = f"{target}@{ref}" if ref else target
        doc.graph.add(_node(name, "", scope, location, source, url))
        return
    constraint = value.get("version", "*")
    if not isinstance(constraint, str):
        raise ParseError(f"{where}.version should be a string", path=doc.path, line=location.line)
    try:
        spec = to_pep440(constraint)
    except ValueError as exc:
        raise ParseError(f"{where}: {exc}", path=doc.path, line=location.line) from None
    doc.graph.add(_node(name, spec, scope, location))


def _poetry(doc: _Doc) -> None:
    tool = table(doc.data.get("tool"), "[tool]", doc.path, doc.where(("tool",)))
    poetry = table(tool.get("poetry"), "[tool.poetry]", doc.path, doc.where(("tool", "poetry")))
    sections: list[tuple[tuple[str, ...], object, Scope]] = [
        (("tool", "poetry", "dependencies"), poetry.get("dependencies"), Scope.PROD),
        (("tool", "poetry", "dev-dependencies"), poetry.get("dev-dependencies"), Scope.DEV),
    ]
    groups_key = ("tool", "poetry", "group")
    groups = table(poetry.get("group"), "tool.poetry.group", doc.path, doc.where(groups_key))
    for group, raw_group in groups.items():
        group_key = (*groups_key, group)
        body = table(raw_group, ".".join(group_key), doc.path, doc.where(group_key))
        sections.append(((*group_key, "dependencies"), body.get("dependencies"), Scope.DEV))
    for table_key, raw, scope in sections:
        deps = table(raw, ".".join(table_key), doc.path, doc.where(table_key))
        for name, value in deps.items():
            if normalize(name) == "python":
                continue
            _poetry_entry(doc, table_key, name, value, scope)


def _uv_sources(data: Mapping[str, Any]) -> dict[str, tuple[Source, str]]:
    """Non-registry sources that ``[tool.uv.sources]`` gives PEP 621 requirements."""
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    sources = uv.get("sources") if isinstance(uv, dict) else None
    found: dict[str, tuple[Source, str]] = {}
    for name, spec in (sources or {}).items() if isinstance(sources, dict) else ():
        for entry in spec if isinstance(spec, list) else [spec]:
            if not isinstance(entry, dict):
                continue
            for kind, source in (("git", Source.GIT), ("url", Source.URL), ("path", Source.PATH)):
                if isinstance(entry.get(kind), str):
                    found.setdefault(normalize(name), (source, entry[kind]))
    return found


def _project_name(data: Mapping[str, Any]) -> str | None:
    project = data.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        return normalize(project["name"])
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict) and isinstance(poetry.get("name"), str):
        return normalize(poetry["name"])
    return None


class PyprojectParser:
    """``pyproject.toml``: the project's declared (direct) dependencies and their ranges."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    kind: str = "pyproject.toml"
    is_lockfile: bool = False

    def matches(self, path: Path) -> bool:
        """Files named ``pyproject.toml``."""
        return path.name == "pyproject.toml"

    def parse(self, path: Path) -> DependencyGraph:
        """PEP 621 (prod, optional), PEP 735 groups (dev) and Poetry tables (prod, dev)."""
        text = read_text(path)
        data = load_toml(path, text)
        doc = _Doc(path, data, TomlLines(text), _project_name(data), uv_sources=_uv_sources(data))
        doc.graph.sources.append(str(path))
        reqs = _Pep508(doc)
        _pep621(doc, reqs)
        _groups(doc, reqs)
        _poetry(doc)
        return doc.graph
