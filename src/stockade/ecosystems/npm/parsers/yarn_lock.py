"""``yarn.lock``: Yarn classic (v1, its own indented format) and Yarn Berry (v2+, YAML)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from stockade.ecosystems.graph import (
    DependencyGraph,
    Location,
    Node,
    NodeKey,
    Scope,
    Source,
)
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.npm.parsers._common import (
    SpecSource,
    alias_target,
    classify_resolved,
    classify_spec,
    integrity_hashes,
    split_descriptor,
)
from stockade.ecosystems.npm.parsers._yaml import load_yaml
from stockade.ecosystems.parsing import check_conflict_markers, read_text
from stockade.errors import ParseError, UnsupportedFormatError

_BERRY = re.compile(r"^__metadata:", re.MULTILINE)
_TOKEN = re.compile(r'[ ]*(?:("(?:[^"\\]|\\.)*")|([^\s:,"#][^\s:,]*)|(:)|(,))')
_MIN_BERRY_VERSION = 4
_SHA1_FRAGMENT = re.compile(r"#[0-9a-f]{40}$")


@dataclass(slots=True)
class ClassicEntry:
    """One entry of a Yarn classic lockfile."""

    descriptors: list[str]
    """Its ``name@range`` keys."""
    fields: dict[str, Any]
    """Its fields (``version``, ``resolved``, ``dependencies`` ...), nested maps as dicts."""
    line: int
    """The line of its header."""


def _tokens(path: Path, text: str, number: int) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    end = len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            rest = text[pos:].lstrip(" ")
            if not rest:
                break
            if rest.startswith('"'):
                raise ParseError("unterminated string", path=path, line=number)
            raise ParseError(f"unexpected text {rest[:20]!r}", path=path, line=number)
        quoted, bare, colon, _comma = match.groups()
        if quoted is not None:
            try:
                tokens.append(("str", json.loads(quoted)))
            except json.JSONDecodeError:
                raise ParseError("invalid string escape", path=path, line=number) from None
        elif bare is not None:
            tokens.append(("str", bare))
        elif colon is not None:
            tokens.append((":", ":"))
        else:
            tokens.append((",", ","))
        pos = match.end()
    return tokens


_QUOTED = r'"((?:[^"\\\n]|\\.)*)"'
_BARE = r"([^\s:,\"#][^\s:,]*)"
_FIELD = re.compile(rf"(?:{_QUOTED}|{_BARE})(?:(:)|[ ]+(?:{_QUOTED}|{_BARE}))$")


def _field_text(quoted: str | None, bare: str | None, path: Path, number: int) -> str:
    if quoted is None:
        return bare or ""
    if "\\" not in quoted:
        return quoted
    try:
        value: str = json.loads(f'"{quoted}"')
    except json.JSONDecodeError:
        raise ParseError("invalid string escape", path=path, line=number) from None
    return value


def parse_classic(path: Path, text: str) -> list[ClassicEntry]:
    """Read the Yarn classic lockfile format into its entries (line by line, one pass)."""
    entries: list[ClassicEntry] = []
    stack: list[tuple[int, dict[str, Any]]] = []
    for number, raw_line in enumerate(text.split("\n"), 1):
        line = raw_line.rstrip("\r").rstrip()
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        if content.startswith("\t"):
            raise ParseError("tabs are not allowed for indentation", path=path, line=number)
        indent = len(line) - len(content)
        if indent and stack:
            # The two common shapes, `key "value"` and `key:`, without the tokenizer.
            match = _FIELD.match(content)
            if match is not None:
                while len(stack) > 1 and stack[-1][0] >= indent:
                    stack.pop()
                name = _field_text(match.group(1), match.group(2), path, number)
                if match.group(3) is not None:
                    nested_map: dict[str, Any] = {}
                    stack[-1][1][name] = nested_map
                    stack.append((indent, nested_map))
                else:
                    value = _field_text(match.group(4), match.group(5), path, number)
                    stack[-1][1][name] = value
                continue
        tokens = _tokens(path, content, number)
        kinds = [kind for kind, _ in tokens]
        if indent == 0:
            # Header: "name@range", name@range2:
            if (
                not tokens
                or kinds[-1] != ":"
                or kinds[0::2] != ["str"] * ((len(kinds) + 1) // 2)
                or kinds[1:-1:2] != [","] * (len(kinds) // 2 - 1)
            ):
                raise ParseError("expected an entry header `name@range:`", path=path, line=number)
            fields: dict[str, Any] = {}
            entries.append(ClassicEntry([value for kind, value in tokens[0:-1:2]], fields, number))
            stack = [(0, fields)]
            continue
        if not stack:
            raise ParseError("a field outside any entry", path=path, line=number)
        while len(stack) > 1 and stack[-1][0] >= indent:
            stack.pop()
        container = stack[-1][1]
        if kinds == ["str", ":"]:
            nested: dict[str, Any] = {}
            container[tokens[0][1]] = nested
            stack.append((indent, nested))
        elif kinds in (["str", "str"], ["str", ":", "str"]):
            container[tokens[0][1]] = tokens[-1][1]
        else:
            raise ParseError("expected `key value` or `key:`", path=path, line=number)
    return entries


def _entry_source(rng: str, resolved: str | None) -> SpecSource | None:
    by_spec = classify_spec(rng)
    if by_spec is None:
        return classify_resolved(resolved)
    if by_spec.source is Source.PATH or not resolved:
        return by_spec
    if by_spec.source is Source.URL and _SHA1_FRAGMENT.search(resolved):
        # Yarn appends the tarball's sha1 to the URL; that is a digest, not part of the URL.
        resolved = resolved.rsplit("#", 1)[0]
    return SpecSource(by_spec.source, resolved)


def _mapping(value: Any, what: str, path: Path, line: int) -> Mapping[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{what} must be a map", path=path, line=line)
    return value


def _classic_graph(path: Path, text: str) -> DependencyGraph:
    entries = parse_classic(path, text)
    graph = DependencyGraph()
    graph.sources.append(str(path))
    index: dict[str, NodeKey] = {}
    for entry in entries:
        version = entry.fields.get("version")
        if not isinstance(version, str) or not version:
            raise ParseError(
                f"entry {entry.descriptors[0]!r} has no version", path=path, line=entry.line
            )
        name, rng = split_descriptor(entry.descriptors[0])
        alias = alias_target(rng)
        if alias is not None:
            name, rng = alias
        resolved = entry.fields.get("resolved")
        resolved = resolved if isinstance(resolved, str) else None
        where = _entry_source(rng, resolved)
        node = graph.add(
            Node(
                ecosystem=Ecosystem.NPM,
                name=name,
                version=version,
                locations=[Location(str(path), entry.line)],
                source=where.source if where else Source.REGISTRY,
                source_url=where.url if where else None,
                hashes=integrity_hashes(entry.fields.get("integrity"), resolved),
            )
        )
        for descriptor in entry.descriptors:
            index[descriptor] = node.key
    for entry in entries:
        parent = index[entry.descriptors[0]]
        for section in ("dependencies", "optionalDependencies"):
            deps = _mapping(entry.fields.get(section), f"`{section}`", path, entry.line)
            for dep, rng in deps.items():
                child = index.get(f"{dep}@{rng}")
                if child is None:
                    if section == "optionalDependencies":
                        continue
                    raise ParseError(
                        f"{dep}@{rng}, a dependency of {entry.descriptors[0]}, has no entry "
                        "(is the lockfile truncated or edited by hand?)",
                        path=path,
                        line=entry.line,
                    )
                graph.add_edge(parent, child)
    return graph


@dataclass(frozen=True, slots=True)
class _BerryEntry:
    key: str
    fields: Mapping[str, Any]
    resolution: str
    line: int
    is_workspace: bool


def _berry_source(ref: str) -> SpecSource | None:
    """The non-registry source of a Berry locator reference (``npm:1.2.3`` -> ``None``)."""
    if ref.startswith("npm:"):
        return None
    if ref.startswith("patch:"):
        inner = unquote(ref[len("patch:") :].split("#", 1)[0])
        return _berry_source(split_descriptor(inner)[1])
    if ref.startswith(("file:", "portal:", "link:")):
        return SpecSource(Source.PATH, ref.split("::", 1)[0].split("#", 1)[0])
    return classify_spec(ref) or SpecSource(Source.URL, ref)


def _is_optional(meta: Mapping[str, Any], dep: str) -> bool:
    entry = meta.get(dep)
    return isinstance(entry, dict) and entry.get("optional") == "true"


class _BerryReader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        doc = load_yaml(path, text)
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get("__metadata"), dict):
            raise ParseError("not a Yarn lockfile: no `__metadata` map", path=path)
        raw_version = data["__metadata"].get("version", "")
        line = doc.lines.get(("__metadata", "version")) or doc.lines.get(("__metadata",))
        if not (isinstance(raw_version, str) and raw_version.isdigit()) or (
            int(raw_version) < _MIN_BERRY_VERSION
        ):
            raise UnsupportedFormatError(
                f"Yarn lockfile version {raw_version!r} is not supported",
                path=path,
                line=line,
            )
        self.entries: list[_BerryEntry] = []
        for key, fields in data.items():
            if key == "__metadata":
                continue
            entry_line = doc.lines.get((key,), 0)
            if not isinstance(fields, dict):
                raise ParseError(f"entry {key!r} must be a map", path=path, line=entry_line)
            resolution = fields.get("resolution")
            if not isinstance(resolution, str) or "@" not in resolution[1:]:
                raise ParseError(f"entry {key!r} has no resolution", path=path, line=entry_line)
            workspace = split_descriptor(resolution)[1].startswith("workspace:")
            self.entries.append(_BerryEntry(key, fields, resolution, entry_line, workspace))
        self.index: dict[tuple[str, str | None], _BerryEntry] = {}
        for entry in self.entries:
            for descriptor in entry.key.split(","):
                base, _, params = descriptor.strip().partition("::")
                locator = parse_qs(params).get("locator", [None])[0] if params else None
                self.index[(base, locator)] = entry

    def lookup(self, parent: _BerryEntry, dep: str, rng: str) -> _BerryEntry:
        descriptor = f"{dep}@{rng}"
        found = self.index.get((descriptor, None)) or self.index.get(
            (descriptor, parent.resolution)
        )
        if found is None and ":" not in rng:
            found = self.index.get((f"{dep}@npm:{rng}", None))
        if found is None:
            raise ParseError(
                f"{descriptor}, a dependency of {parent.resolution}, has no entry "
                "(is the lockfile truncated or edited by hand?)",
                path=self.path,
                line=parent.line,
            )
        return found

    def read(self) -> DependencyGraph:
        graph = DependencyGraph()
        graph.sources.append(str(self.path))
        keys: dict[str, NodeKey] = {}
        for entry in self.entries:
            if entry.is_workspace:
                continue
            version = entry.fields.get("version")
            if not isinstance(version, str) or not version:
                raise ParseError(
                    f"entry {entry.key!r} has no version", path=self.path, line=entry.line
                )
            name, ref = split_descriptor(entry.resolution)
            where = _berry_source(ref)
            # Berry's `checksum` digests its own zip archive, not the npm tarball: not kept.
            node = graph.add(
                Node(
                    ecosystem=Ecosystem.NPM,
                    name=name,
                    version=version,
                    locations=[Location(str(self.path), entry.line)],
                    source=where.source if where else Source.REGISTRY,
                    source_url=where.url if where else None,
                )
            )
            keys[entry.key] = node.key
        optional_edges: set[tuple[NodeKey, NodeKey]] = set()
        declared: dict[NodeKey, set[Scope]] = {}
        for entry in self.entries:
            deps = _mapping(
                entry.fields.get("dependencies"), "`dependencies`", self.path, entry.line
            )
            meta = _mapping(
                entry.fields.get("dependenciesMeta"), "`dependenciesMeta`", self.path, entry.line
            )
            for dep, rng in deps.items():
                if not isinstance(rng, str):
                    raise ParseError(
                        f"dependency {dep!r} must be a string", path=self.path, line=entry.line
                    )
                target = self.lookup(entry, dep, rng)
                if target.is_workspace:
                    continue
                child = keys[target.key]
                if entry.is_workspace:
                    node = graph.nodes[child]
                    node.direct = True
                    if node.spec is None:
                        alias = alias_target(rng)
                        node.spec = alias[1] if alias else rng.removeprefix("npm:")
                    scope = Scope.OPTIONAL if _is_optional(meta, dep) else Scope.PROD
                    declared.setdefault(child, set()).add(scope)
                    continue
                parent = keys[entry.key]
                graph.add_edge(parent, child)
                if _is_optional(meta, dep):
                    optional_edges.add((parent, child))
        for key, scopes in declared.items():
            graph.nodes[key].scopes = scopes
        graph.propagate_scopes(optional_edges)
        return graph


class YarnLockParser:
    """Reads ``yarn.lock``, both Yarn classic (v1) and Yarn Berry (v2+).

    Berry: direct dependencies are those of the workspace entries (``@workspace:``), which
    are the project; Berry does not tell dev from prod, so direct ones are prod (optional when
    ``dependenciesMeta`` says so) and the rest inherit their scopes. Classic: the lockfile
    does not say which dependencies are direct; nodes are left not direct with the default
    prod scope, for the caller to merge with package.json.
    """

    ecosystem: Ecosystem = Ecosystem.NPM
    kind: str = "yarn.lock"
    is_lockfile: bool = True

    def matches(self, path: Path) -> bool:
        """Whether the file is named ``yarn.lock``."""
        return path.name == "yarn.lock"

    def parse(self, path: Path) -> DependencyGraph:
        """Parse a classic or Berry lockfile."""
        text = read_text(path)
        check_conflict_markers(path, text)
        if _BERRY.search(text):
            return _BerryReader(path, text).read()
        return _classic_graph(path, text)
