"""pnpm-lock.yaml, lockfileVersion 5.x, 6.0 and 9.0."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution, Source
from stockade.ecosystems.npm.parsers import PackageLockParser, PnpmLockParser
from stockade.errors import InputError, ParseError, UnsupportedFormatError
from tests.ecosystems.npm.helpers import (
    APP,
    APP_PACKAGES,
    MONOREPO,
    SOURCES,
    assert_lines_point_at_entries,
    direct,
    edge_set,
    ids,
    kids,
    lines,
    node,
    scopes,
)

PARSER = PnpmLockParser()
STYLES = ["pnpm-v5", "pnpm-v6", "pnpm-v9"]

APP_DIRECT = {
    "axios@0.21.0",
    "body-parser@1.20.9",
    "bufferutil@4.1.0",
    "express@4.16.0",
    "lodash@4.17.15",
    "minimist@1.2.0",
    "node-fetch@2.6.0",
    "nodemon@2.0.22",
    "react@16.14.0",
    "react-dom@16.14.0",
}
# Line of each package's entry under `packages:`, per lockfile style.
APP_LINES = {
    "pnpm-v5": {"express@4.16.0": 296, "lodash@4.17.15": 537, "react-dom@16.14.0": 736},
    "pnpm-v6": {"express@4.16.0": 311, "lodash@4.17.15": 552, "react-dom@16.14.0": 752},
    "pnpm-v9": {"express@4.16.0": 200, "lodash@4.17.15": 321, "react-dom@16.14.0": 445},
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_matches() -> None:
    assert PARSER.matches(Path("pnpm-lock.yaml"))
    assert not PARSER.matches(Path("pnpm-workspace.yaml"))
    assert PARSER.is_lockfile


@pytest.mark.parametrize("style", STYLES)
def test_app_nodes_direct_scopes_and_lines(style: str) -> None:
    path = APP / style / "pnpm-lock.yaml"
    graph = PARSER.parse(path)
    assert ids(graph) == APP_PACKAGES
    assert all(n.resolution is Resolution.LOCKED for n in graph)
    # pnpm 8+ also lists the project's own peer dependency among the importer's dependencies.
    expected_direct = APP_DIRECT | ({"prop-types@15.8.1"} if style != "pnpm-v5" else set())
    assert direct(graph) == expected_direct
    assert node(graph, "body-parser@1.20.9").spec == "^1.18.2"
    assert scopes(graph, "nodemon@2.0.22") == {"dev"}
    assert scopes(graph, "bufferutil@4.1.0") == {"optional"}
    # Scopes flow down the edges: the dev tool's tree is dev, also through optional edges.
    assert scopes(graph, "chokidar@3.6.0") == {"dev"}
    assert scopes(graph, "fsevents@2.3.3") == {"dev"}
    assert scopes(graph, "node-gyp-build@4.8.4") == {"optional"}
    assert scopes(graph, "debug@2.6.9") == {"prod"}
    for spec, line in APP_LINES[style].items():
        assert lines(graph, spec) == [line]
    assert_lines_point_at_entries(graph, path)
    assert node(graph, "lodash@4.17.15").hashes == (
        "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==",
    )


@pytest.mark.parametrize("style", STYLES)
def test_app_edges_match_npm_but_for_peers(style: str) -> None:
    graph = PARSER.parse(APP / style / "pnpm-lock.yaml")
    npm = PackageLockParser().parse(APP / "npm-v3" / "package-lock.json")
    # Peer suffixes are stripped: react-dom 16.14.0_react@16.14.0 / (react@16.14.0) is 16.14.0.
    assert "react@16.14.0" in kids(graph, "react-dom@16.14.0")
    assert "body-parser@1.18.2" in kids(graph, "express@4.16.0")
    # pnpm resolves debug's optional peer supports-color; npm leaves peers-meta optional out.
    assert edge_set(graph) - edge_set(npm) == {("debug@3.2.7", "supports-color@5.5.0")}
    assert edge_set(npm) - edge_set(graph) == set()


@pytest.mark.parametrize("style", STYLES)
def test_monorepo_importers(style: str) -> None:
    path = MONOREPO / style / "pnpm-lock.yaml"
    graph = PARSER.parse(path)
    # Every importer is the project; "@shop/api": "workspace:^" is a link, not a dependency.
    assert not any(n.name.startswith("@shop/") for n in graph)
    assert direct(graph) == {
        "axios@0.21.0",
        "bufferutil@4.1.0",
        "lodash@4.17.15",
        "minimist@1.2.0",
        "node-fetch@2.6.0",
        "node-gyp-build@4.8.4",
        "react-dom@16.14.0",
        "tiny-utils@1.0.0",
    }
    # "lodash-legacy": "npm:lodash@4.17.15".
    assert node(graph, "lodash@4.17.15").spec == "4.17.15"
    assert scopes(graph, "node-gyp-build@4.8.4") == {"dev", "optional"}
    tiny = node(graph, "tiny-utils@1.0.0")
    assert tiny.source is Source.PATH
    assert tiny.source_url == "file:vendor/tiny-utils-1.0.0.tgz"
    assert kids(graph, "tiny-utils@1.0.0") == {"ms@2.1.3"}
    if style != "pnpm-v5":  # pnpm 7 did not install missing peers by default
        assert scopes(graph, "react@16.14.0") == {"peer"}
        assert "react@16.14.0" in kids(graph, "react-dom@16.14.0")
    assert_lines_point_at_entries(graph, path)


def test_monorepo_v9_lines() -> None:
    graph = PARSER.parse(MONOREPO / "pnpm-v9" / "pnpm-lock.yaml")
    assert lines(graph, "lodash@4.17.15") == [67]
    assert lines(graph, "axios@0.21.0") == [48]


@pytest.mark.parametrize("style", STYLES)
def test_git_url_and_folder_sources(style: str) -> None:
    graph = PARSER.parse(SOURCES / style / "pnpm-lock.yaml")
    (git,) = (n for n in graph if n.name == "git-lib")
    assert git.source is Source.GIT
    assert git.source_url == (
        "https://github.com/example-org/git-lib.git#5d164d56ba827457acc6662936defef94646fc87"
    )
    # pnpm 7 did not record the version of a git dependency.
    assert git.version == (None if style == "pnpm-v5" else "1.3.0")
    tarball = node(graph, "tarball-lib@2.0.0")
    assert (tarball.source, tarball.source_url) == (
        Source.URL,
        "https://downloads.example.com/tarball-lib-2.0.0.tgz",
    )
    assert kids(graph, "tarball-lib@2.0.0") == {"ms@2.1.3"}
    (local,) = (n for n in graph if n.name == "local-lib")
    assert (local.source, local.source_url) == (Source.PATH, "../local-lib")
    assert {f"{k[1]}@{k[2]}" for k in graph.children(local.key)} == {"minimist@1.2.0"}
    assert {n.name for n in graph.direct()} == {"git-lib", "local-lib", "lodash", "tarball-lib"}


V9_MINIMAL = """\
lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0
      lib:
        specifier: link:../lib
        version: link:../lib

packages:

  a@1.0.0:
    resolution: {integrity: sha512-AAAA}

  b@2.0.0:
    resolution: {integrity: sha512-BBBB}

snapshots:

  a@1.0.0:
    dependencies:
      b: 2.0.0

  b@2.0.0: {}
"""


def test_link_outside_the_workspace_is_a_path_dependency(tmp_path: Path) -> None:
    graph = PARSER.parse(_write(tmp_path, V9_MINIMAL))
    (lib,) = (n for n in graph if n.name == "lib")
    assert lib.version is None
    assert (lib.source, lib.source_url, lib.resolution) == (
        Source.PATH,
        "../lib",
        Resolution.UNRESOLVED,
    )
    assert lib.direct
    assert kids(graph, "a@1.0.0") == {"b@2.0.0"}
    assert lines(graph, "b@2.0.0") == [19]


def test_yaml_the_fast_reader_declines_still_parses(tmp_path: Path) -> None:
    # An anchor and a block scalar: valid YAML outside what pnpm writes.
    text = V9_MINIMAL.replace("  b@2.0.0: {}\n", "  b@2.0.0: &empty {}\n") + "note: |\n  hi\n"
    graph = PARSER.parse(_write(tmp_path, text))
    assert ids(graph) == {"a@1.0.0", "b@2.0.0", "lib@None"}
    assert lines(graph, "b@2.0.0") == [19]


@pytest.mark.parametrize(
    ("text", "error", "message", "line"),
    [
        ("lockfileVersion: '4.0'\n", UnsupportedFormatError, "'4.0' is not supported", 1),
        ("lockfileVersion: '10.0'\n", UnsupportedFormatError, "'10.0'", 1),
        ("lockfileVersion: 5.4\npackages: 3\n", ParseError, "`packages` must be a map", 2),
        ("importers: {}\n", ParseError, "no `lockfileVersion`", 1),
        ("- 1\n- 2\n", ParseError, "no `lockfileVersion`", 1),
        ("", ParseError, "empty file", None),
        ("lockfileVersion: '9.0'\nimporters: [\n", ParseError, "invalid YAML", 3),
        ("lockfileVersion: '9.0'\n  bad: indent\n", ParseError, "invalid YAML", 2),
        (
            "lockfileVersion: '6.0'\ndependencies:\n  a:\n    specifier: ^1\n    version: 1.0.0\n",
            ParseError,
            "a 1.0.0, a dependency of ., has no entry in `packages`",
            None,
        ),
        (
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n"
            "        specifier: ^1\n        version: 1.0.0\n"
            "packages:\n  a@1.0.0:\n    resolution: {integrity: x}\nsnapshots:\n  a@1.0.0:\n"
            "    dependencies:\n      b: 2.0.0\n",
            ParseError,
            "b 2.0.0, a dependency of a@1.0.0, has no entry in `snapshots`",
            12,
        ),
        (
            "lockfileVersion: '5.4'\npackages:\n  file:../x:\n    resolution: {directory: ../x}\n",
            ParseError,
            "cannot tell the package name",
            3,
        ),
    ],
)
def test_errors(
    tmp_path: Path, text: str, error: type[Exception], message: str, line: int | None
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(error, match=message) as err:
        PARSER.parse(path)
    assert isinstance(err.value, ParseError)
    assert err.value.path == str(path)
    assert err.value.line == line


@pytest.mark.parametrize("style", STYLES)
def test_truncated_lockfile(tmp_path: Path, style: str) -> None:
    text = (APP / style / "pnpm-lock.yaml").read_text(encoding="utf-8")
    # Cut at an entry boundary halfway through: what is left is valid YAML, but entries are
    # missing that others depend on.
    cut = text.index("\n\n  ", len(text) // 2)
    with pytest.raises(ParseError, match="truncated"):
        PARSER.parse(_write(tmp_path, text[:cut]))


def test_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pnpm-lock.yaml"
    path.write_bytes(b"lockfileVersion: '9.0'\n\xfe\n")
    with pytest.raises(InputError, match="not UTF-8") as err:
        PARSER.parse(path)
    assert err.value.line == 2
