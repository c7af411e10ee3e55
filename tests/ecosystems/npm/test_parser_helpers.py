"""The npm parsers' shared pieces: YAML reader, JSON key lines, spec classification."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from stockade.ecosystems.graph import DependencyGraph, Node, Scope, Source
from stockade.ecosystems.interface import Ecosystem, ManifestParser
from stockade.ecosystems.npm.parsers import ALL_PARSERS
from stockade.ecosystems.npm.parsers._common import (
    alias_target,
    classify_resolved,
    classify_spec,
    exact_version,
    integrity_hashes,
    json_key_lines,
    split_descriptor,
)
from stockade.ecosystems.npm.parsers._yaml import _fast_load, _scan_key_lines, load_yaml
from tests.ecosystems.npm.helpers import FIXTURES

YAML_FIXTURES = sorted(FIXTURES.glob("*/pnpm-v*/pnpm-lock.yaml")) + sorted(
    FIXTURES.glob("*/yarn-berry/yarn.lock")
)


def test_all_parsers() -> None:
    kinds = {p.kind for p in ALL_PARSERS}
    assert kinds == {"package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"}
    for parser in ALL_PARSERS:
        assert isinstance(parser, ManifestParser)
        assert parser.ecosystem is Ecosystem.NPM
    names = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock"]
    names.append("pnpm-lock.yaml")
    for name in names:
        assert sum(p.matches(Path("proj") / name) for p in ALL_PARSERS) == 1, name
    assert not any(p.matches(Path("requirements.txt")) for p in ALL_PARSERS)


@pytest.mark.parametrize("path", YAML_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fast_yaml_reader_agrees_with_ruamel(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data, lines = _fast_load(text)
    try:
        expected = YAML(typ="base").load(text)
    except Exception:  # libyaml rejects `{tarball: file:x}`, which YAML 1.2 allows
        expected = YAML(typ="base", pure=True).load(text)
    assert data == expected
    assert lines == _scan_key_lines(text)
    assert len(YAML_FIXTURES) == 12


def test_fast_yaml_reader_subset() -> None:
    text = (
        "# comment\n"
        "a: plain value\n"
        "b: 'it''s'\n"
        'c: "tab\\tquote\\""\n'
        "d: {x: 1, 'y': 'a, b', z: file:x.tgz}\n"
        "e: [darwin, 'x64']\n"
        "f:\n"
        "- one\n"
        "- two\n"
        "g:\n"
        "  h:\n"
        "    - three\n"
        "  i: {}\n"
        "  j:\n"
        "k: []\n"
        "'@scope/x@1.0.0(peer@2)':\r\n"
        "  version: 1.0.0\n"
    )
    data, lines = _fast_load(text)
    assert data == {
        "a": "plain value",
        "b": "it's",
        "c": 'tab\tquote"',
        "d": {"x": "1", "y": "a, b", "z": "file:x.tgz"},
        "e": ["darwin", "x64"],
        "f": ["one", "two"],
        "g": {"h": ["three"], "i": {}, "j": ""},
        "k": [],
        "@scope/x@1.0.0(peer@2)": {"version": "1.0.0"},
    }
    assert lines[("g", "i")] == 13
    assert lines[("@scope/x@1.0.0(peer@2)",)] == 16
    assert ("g", "h", "three") not in lines
    assert load_yaml(Path("x.yaml"), text).data == data


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: |\n  block\n",
        "a: b # comment\n",
        "---\na: 1\n",
        "a:\n\t- 1\n",
        "a: 'unterminated\n  more'\n",
        "? complex\n: key\n",
        "a: {b: {c: 1}}\n",
        "a: 1\na: 2\n",
    ],
)
def test_fast_yaml_reader_declines_the_rest(text: str) -> None:
    from stockade.ecosystems.npm.parsers._yaml import _Unsupported

    with pytest.raises(_Unsupported):
        _fast_load(text)


def test_yaml_fallback_keeps_values_as_strings() -> None:
    doc = load_yaml(Path("x.yaml"), "a: &x 5.4\nb: *x\nc: {tarball: file:x.tgz}\n")
    assert doc.data == {"a": "5.4", "b": "5.4", "c": {"tarball": "file:x.tgz"}}
    assert doc.lines == {("a",): 1, ("b",): 2, ("c",): 3}


def test_json_key_lines() -> None:
    text = (
        "{\n"
        '  "packages": {\n'
        '    "": {\n'
        '      "name": "x"\n'
        "    },\n"
        '    "node_modules/a\\"b": {\n'
        '      "dependencies": {\n'
        '        "c": "1"\n'
        "      }\n"
        "    }\n"
        "  },\n"
        '  "name": "y"\n'
        "}\n"
    )
    assert json_key_lines(text) == {
        ("packages",): 2,
        ("packages", ""): 3,
        ("packages", "", "name"): 4,
        ("packages", 'node_modules/a"b'): 6,
        ("packages", 'node_modules/a"b', "dependencies"): 7,
        ("packages", 'node_modules/a"b', "dependencies", "c"): 8,
        ("name",): 12,
    }
    assert json_key_lines(text, openers_only=True) == {
        ("packages",): 2,
        ("packages", ""): 3,
        ("packages", 'node_modules/a"b'): 6,
        ("packages", 'node_modules/a"b', "dependencies"): 7,
    }


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("^1.2.3", None),
        ("latest", None),
        ("1.x || >=2.5.0", None),
        ("npm:lodash@^4", None),
        ("github:user/repo", (Source.GIT, "github:user/repo")),
        ("user/repo#semver:^1", (Source.GIT, "github:user/repo#semver:^1")),
        ("gitlab:user/repo", (Source.GIT, "gitlab:user/repo")),
        ("git://host/repo.git", (Source.GIT, "git://host/repo.git")),
        ("git@host:user/repo.git", (Source.GIT, "git@host:user/repo.git")),
        ("https://host/user/repo.git#v1", (Source.GIT, "https://host/user/repo.git#v1")),
        ("https://host/pkg.tgz", (Source.URL, "https://host/pkg.tgz")),
        ("file:../x", (Source.PATH, "file:../x")),
        ("link:../x", (Source.PATH, "link:../x")),
        ("workspace:*", (Source.PATH, "workspace:*")),
        ("../x", (Source.PATH, "../x")),
        ("~/x", (Source.PATH, "~/x")),
    ],
)
def test_classify_spec(spec: str, expected: tuple[Source, str] | None) -> None:
    found = classify_spec(spec)
    assert (None if found is None else (found.source, found.url)) == expected


@pytest.mark.parametrize(
    ("resolved", "expected"),
    [
        (None, None),
        ("https://npm.test/@babel/core/-/core-7.0.0.tgz", None),
        ("https://npm.test/a/-/a-1.0.0.tgz#0123456789abcdef0123456789abcdef01234567", None),
        ("https://codeload.github.com/u/r/tar.gz/abc", Source.GIT),
        ("https://example.com/x.tgz", Source.URL),
        ("git+ssh://git@github.com/u/r.git#abc", Source.GIT),
        ("file:vendor/x.tgz", Source.PATH),
        ("../somewhere", Source.PATH),
    ],
)
def test_classify_resolved(resolved: str | None, expected: Source | None) -> None:
    found = classify_resolved(resolved)
    assert (None if found is None else found.source) == expected


def test_small_helpers() -> None:
    assert exact_version("1.2.3") == "1.2.3"
    assert exact_version("=v1.2.3-beta.1+build") == "1.2.3-beta.1+build"
    assert exact_version("1.2") is None
    assert exact_version("^1.2.3") is None
    assert split_descriptor("@scope/name@^1") == ("@scope/name", "^1")
    assert split_descriptor("name") == ("name", "")
    assert alias_target("npm:@types/node@^14") == ("@types/node", "^14")
    assert alias_target("npm:lodash") == ("lodash", "*")
    assert alias_target("npm:^4.17.21") is None
    assert alias_target("^4") is None
    assert integrity_hashes("sha512-a sha1-b") == ("sha512-a", "sha1-b")
    assert integrity_hashes(None, "https://x/a.tgz#" + "00" * 20) == (
        "sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    assert integrity_hashes(None, "https://x/a.tgz") == ()


def _node(name: str, *, direct: bool = False, scopes: set[Scope] | None = None) -> Node:
    return Node(Ecosystem.NPM, name, "1.0.0", direct=direct, scopes=scopes or {Scope.PROD})


def test_propagate_scopes() -> None:
    graph = DependencyGraph()
    for n in [
        _node("app-dep", direct=True),
        _node("dev-tool", direct=True, scopes={Scope.DEV}),
        _node("shared"),
        _node("dev-only"),
        _node("opt"),
        _node("dev-opt"),
        _node("peer"),
        _node("orphan", scopes={Scope.DEV}),
    ]:
        graph.add(n)

    def k(name: str) -> tuple[Ecosystem, str, str]:
        return (Ecosystem.NPM, name, "1.0.0")

    for parent, child in [
        ("app-dep", "shared"),
        ("dev-tool", "shared"),
        ("dev-tool", "dev-only"),
        ("app-dep", "opt"),
        ("dev-tool", "dev-opt"),
        ("opt", "dev-opt"),
        ("app-dep", "peer"),
    ]:
        graph.add_edge(k(parent), k(child))
    graph.propagate_scopes(
        optional_edges=[(k("app-dep"), k("opt"))],
        peer_edges=[(k("app-dep"), k("peer"))],
    )
    got = {n.name: {s.value for s in n.scopes} for n in graph}
    assert got == {
        "app-dep": {"prod"},
        "dev-tool": {"dev"},
        "shared": {"prod"},
        "dev-only": {"dev"},
        "opt": {"optional"},
        "dev-opt": {"dev", "optional"},
        "peer": {"peer"},
        "orphan": {"dev"},
    }
