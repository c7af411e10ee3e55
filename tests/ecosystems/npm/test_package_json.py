"""package.json: direct dependencies, spec kinds, aliases and workspaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stockade.ecosystems.graph import DependencyGraph, Location, Node, Resolution, Source
from stockade.ecosystems.interface import Ecosystem
from stockade.ecosystems.npm.parsers import PackageJsonParser
from stockade.errors import InputError, ParseError
from tests.ecosystems.npm.helpers import APP, FIXTURES, MONOREPO

PARSER = PackageJsonParser()


def _by_name(graph: DependencyGraph) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for n in graph:
        assert n.name not in found, f"{n.name} twice"
        found[n.name] = n
    return found


def test_matches_only_package_json() -> None:
    assert PARSER.matches(Path("web/package.json"))
    assert not PARSER.matches(Path("package-lock.json"))
    assert not PARSER.is_lockfile
    assert PARSER.ecosystem is Ecosystem.NPM


def test_express_react_app() -> None:
    path = APP / "package.json"
    graph = PARSER.parse(path)
    nodes = _by_name(graph)
    got = {
        name: (n.version, n.resolution, n.spec, {s.value for s in n.scopes}, n.locations)
        for name, n in nodes.items()
    }

    def at(line: int) -> list[Location]:
        return [_loc(path, line)]

    pinned, ranged = Resolution.PINNED, Resolution.UNRESOLVED
    assert got == {
        "axios": ("0.21.0", pinned, "0.21.0", {"prod"}, at(11)),
        "body-parser": (None, ranged, "^1.18.2", {"prod"}, at(12)),
        "express": ("4.16.0", pinned, "4.16.0", {"prod"}, at(13)),
        "lodash": ("4.17.15", pinned, "4.17.15", {"prod"}, at(14)),
        "minimist": ("1.2.0", pinned, "1.2.0", {"prod"}, at(15)),
        "node-fetch": ("2.6.0", pinned, "2.6.0", {"prod"}, at(16)),
        "react": (None, ranged, "^16.14.0", {"prod"}, at(17)),
        "react-dom": (None, ranged, "^16.14.0", {"prod"}, at(18)),
        "nodemon": (None, ranged, "^2.0.22", {"dev"}, at(21)),
        "bufferutil": (None, ranged, "^4.0.1", {"optional"}, at(24)),
        "prop-types": (None, ranged, "^15.7.0", {"peer"}, at(27)),
    }
    assert all(n.direct and n.source is Source.REGISTRY for n in graph)
    assert graph.edges == {}
    assert graph.sources == [str(path)]


def _loc(path: Path, line: int) -> Location:
    return Location(str(path), line)


def test_every_kind_of_spec() -> None:
    path = FIXTURES / "specs" / "package.json"
    nodes = _by_name(PARSER.parse(path))
    summary = {
        name: (n.version, n.resolution.value, n.source.value, n.source_url)
        for name, n in nodes.items()
    }
    assert summary == {
        "express": ("4.16.0", "pinned", "registry", None),
        "axios": ("0.21.0", "pinned", "registry", None),
        "body-parser": (None, "unresolved", "registry", None),
        "debug": (None, "unresolved", "registry", None),
        "react": (None, "unresolved", "registry", None),
        "chalk": (None, "unresolved", "registry", None),
        "anything": (None, "unresolved", "registry", None),
        "nothing": (None, "unresolved", "registry", None),
        # Aliases are nodes of the real package.
        "lodash": ("4.17.15", "pinned", "registry", None),
        "@types/node": (None, "unresolved", "registry", None),
        "left-pad": (None, "unresolved", "git", "github:stevemao/left-pad#v1.3.0"),
        "is-even": (None, "unresolved", "git", "github:jonschlinkert/is-even"),
        "git-lib": (
            None,
            "unresolved",
            "git",
            "git+https://github.com/example-org/git-lib.git#v1.3.0",
        ),
        "ssh-lib": (None, "unresolved", "git", "git+ssh://git@github.com/example-org/ssh-lib.git"),
        "tarball-lib": (
            None,
            "unresolved",
            "url",
            "https://downloads.example.com/tarball-lib-2.0.0.tgz",
        ),
        "local-lib": (None, "unresolved", "path", "file:../local-lib"),
        "linked-lib": (None, "unresolved", "path", "link:../linked-lib"),
        "relative-lib": (None, "unresolved", "path", "./vendor/relative-lib"),
        "@shop/api": (None, "unresolved", "path", "workspace:^"),
        "nodemon": (None, "unresolved", "registry", None),
        "node-fetch": ("2.6.0", "pinned", "registry", None),
        "bufferutil": (None, "unresolved", "registry", None),
    }
    assert nodes["lodash"].spec == "4.17.15"
    assert nodes["@types/node"].spec == "^14.0.0"
    assert nodes["axios"].spec == "=0.21.0"
    assert nodes["nothing"].spec == ""
    # Declared as a dependency and as a peer: one node, both places.
    assert {s.value for s in nodes["react"].scopes} == {"prod", "peer"}
    assert [loc.line for loc in nodes["react"].locations] == [10, 34]
    assert {s.value for s in nodes["node-fetch"].scopes} == {"dev"}


def test_workspaces_are_the_project() -> None:
    root = MONOREPO / "package.json"
    graph = PARSER.parse(root)
    api = MONOREPO / "packages" / "api" / "package.json"
    web = MONOREPO / "packages" / "web" / "package.json"
    assert graph.sources == [str(root), str(api), str(web)]
    nodes = _by_name(graph)
    # @shop/web depends on @shop/api ("^0.3.0", the workspace's version): not a dependency.
    assert set(nodes) == {
        "node-gyp-build",
        "bufferutil",
        "lodash",
        "minimist",
        "node-fetch",
        "tiny-utils",
        "axios",
        "react-dom",
    }
    assert nodes["lodash"].locations == [_loc(api, 5)]
    assert nodes["axios"].locations == [_loc(web, 6)]
    assert nodes["node-gyp-build"].locations == [_loc(root, 9)]
    assert nodes["tiny-utils"].source is Source.PATH
    assert all(n.direct for n in graph)


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_workspace_globs_negation_and_mismatched_versions(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "package.json",
        {"name": "root", "workspaces": {"packages": ["libs/*", "!libs/skip", "tools/**"]}},
    )
    _write(tmp_path / "libs" / "a" / "package.json", {"name": "a", "version": "2.0.0"})
    _write(
        tmp_path / "libs" / "b" / "package.json",
        {"name": "b", "dependencies": {"a": "^1.0.0", "left-pad": "1.3.0"}},
    )
    _write(tmp_path / "libs" / "skip" / "package.json", {"dependencies": {"skipped": "1.0.0"}})
    _write(
        tmp_path / "libs" / "b" / "node_modules" / "x" / "package.json",
        {"dependencies": {"hidden": "1.0.0"}},
    )
    (tmp_path / "libs" / "not-a-package").mkdir()
    _write(
        tmp_path / "tools" / "deep" / "c" / "package.json",
        {"name": "c", "devDependencies": {"a": "*"}},
    )
    graph = PARSER.parse(root)
    # "a": "^1.0.0" is not satisfied by the workspace a@2.0.0: npm fetches it from the registry.
    assert {(n.name, n.spec) for n in graph} == {("a", "^1.0.0"), ("left-pad", "1.3.0")}
    assert len(graph.sources) == 4


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{\n  "dependencies": {\n    "a": "1.0.0",\n  }\n}\n', "invalid JSON", 4),
        ('{\n  "dependencies": {\n    "a": "1.0', "truncated JSON", 3),
        ("[1, 2]", "JSON object", 1),
        ("", "empty file", None),
        ('{\n  "name": "x",\n  "dependencies": ["a"]\n}', "must be an object", 3),
        ('{\n  "devDependencies": {\n    "a": 1\n  }\n}', "`devDependencies.a`", 3),
        ('{\n  "workspaces": "packages/*"\n}', "`workspaces` must be a list", 2),
        ('{\n  "dependencies": {\n    "": "1.0.0"\n  }\n}', "empty package name", None),
    ],
)
def test_bad_manifests(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    path = tmp_path / "package.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=message) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line


def test_bad_workspace_manifest_names_that_file(tmp_path: Path) -> None:
    root = _write(tmp_path / "package.json", {"workspaces": ["packages/*"]})
    broken = tmp_path / "packages" / "a" / "package.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{\n  "name": "a",\n  "dependencies": {\n', encoding="utf-8")
    with pytest.raises(ParseError) as err:
        PARSER.parse(root)
    assert err.value.path == str(broken)


def test_non_utf8_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_bytes(b'{\n  "description": "\xff"\n}')
    with pytest.raises(InputError, match="not UTF-8") as err:
        PARSER.parse(path)
    assert err.value.line == 2
    with pytest.raises(InputError, match="no such file"):
        PARSER.parse(tmp_path / "missing" / "package.json")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_bytes(b'\xef\xbb\xbf{\n  "dependencies": {\n    "ms": "2.1.3"\n  }\n}\n')
    (ms,) = PARSER.parse(path)
    assert (ms.name, ms.version, ms.locations[0].line) == ("ms", "2.1.3", 3)
