"""package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution, Source
from stockade.ecosystems.npm.parsers import PackageLockParser
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

PARSER = PackageLockParser()
V1 = APP / "npm-v1" / "package-lock.json"
V2 = APP / "npm-v2" / "package-lock.json"
V3 = APP / "npm-v3" / "package-lock.json"

APP_DIRECT = {
    "axios@0.21.0",
    "body-parser@1.20.9",
    "bufferutil@4.1.0",
    "express@4.16.0",
    "lodash@4.17.15",
    "minimist@1.2.0",
    "node-fetch@2.6.0",
    "nodemon@2.0.22",
    "prop-types@15.8.1",
    "react@16.14.0",
    "react-dom@16.14.0",
}


def test_matches_lockfile_names() -> None:
    assert PARSER.matches(Path("app/package-lock.json"))
    assert PARSER.matches(Path("npm-shrinkwrap.json"))
    assert not PARSER.matches(Path("package.json"))
    assert not PARSER.matches(Path("yarn.lock"))
    assert PARSER.is_lockfile


@pytest.mark.parametrize("lockfile", [V1, V2, V3], ids=["v1", "v2", "v3"])
def test_every_installed_version_is_a_locked_node(lockfile: Path) -> None:
    graph = PARSER.parse(lockfile)
    assert ids(graph) == APP_PACKAGES
    assert all(n.resolution is Resolution.LOCKED for n in graph)
    assert graph.sources == [str(lockfile)]
    assert_lines_point_at_entries(graph, lockfile)


def test_v3_direct_dependencies_specs_and_scopes() -> None:
    graph = PARSER.parse(V3)
    assert direct(graph) == APP_DIRECT
    assert node(graph, "express@4.16.0").spec == "4.16.0"
    assert node(graph, "body-parser@1.20.9").spec == "^1.18.2"
    assert scopes(graph, "nodemon@2.0.22") == {"dev"}
    assert scopes(graph, "bufferutil@4.1.0") == {"optional"}
    # Declared as a peer by the project and also needed by react in production.
    assert scopes(graph, "prop-types@15.8.1") == {"peer", "prod"}
    # Transitive flags: dev-only, dev+optional, optional, prod.
    assert scopes(graph, "chokidar@3.6.0") == {"dev"}
    assert scopes(graph, "fsevents@2.3.3") == {"dev"}
    assert scopes(graph, "node-gyp-build@4.8.4") == {"optional"}
    assert scopes(graph, "debug@3.2.7") == {"dev"}
    assert scopes(graph, "debug@2.6.9") == {"prod"}
    assert not node(graph, "debug@2.6.9").direct


def test_v3_edges_follow_nested_node_modules() -> None:
    graph = PARSER.parse(V3)
    # express 4.16.0 has its own body-parser 1.18.2 nested under it; the root has 1.20.9.
    assert "body-parser@1.18.2" in kids(graph, "express@4.16.0")
    assert "body-parser@1.20.9" not in kids(graph, "express@4.16.0")
    assert kids(graph, "body-parser@1.18.2") == {
        "bytes@3.0.0",
        "content-type@1.0.5",
        "debug@2.6.9",
        "depd@1.1.2",
        "http-errors@1.6.3",
        "iconv-lite@0.4.19",
        "on-finished@2.3.0",
        "qs@6.5.1",
        "raw-body@2.3.2",
        "type-is@1.6.18",
    }
    # node_modules/express/node_modules/http-errors/node_modules/statuses (three levels).
    assert kids(graph, "http-errors@1.6.3") == {
        "depd@1.1.2",
        "inherits@2.0.3",
        "setprototypeof@1.1.0",
        "statuses@1.5.0",
    }
    # raw-body 2.3.2 finds its own nested http-errors, which finds depd 1.1.1 beside it
    # and statuses at the top level.
    assert kids(graph, "raw-body@2.3.2") == {
        "bytes@3.0.0",
        "http-errors@1.6.2",
        "iconv-lite@0.4.19",
        "unpipe@1.0.0",
    }
    assert kids(graph, "http-errors@1.6.2") == {
        "depd@1.1.1",
        "inherits@2.0.3",
        "setprototypeof@1.0.3",
        "statuses@1.3.1",
    }
    assert kids(graph, "body-parser@1.20.9") >= {"http-errors@2.0.1", "qs@6.16.2"}
    # Peer dependencies are installed by npm 7+: an edge.
    assert "react@16.14.0" in kids(graph, "react-dom@16.14.0")
    assert kids(graph, "axios@0.21.0") == {"follow-redirects@1.16.3"}
    assert len(edge_set(graph)) == 199


def test_v3_lines_hashes_and_sources() -> None:
    graph = PARSER.parse(V3)
    assert lines(graph, "express@4.16.0") == [377]
    assert lines(graph, "lodash@4.17.15") == [895]
    # One version installed at two paths: both places.
    assert lines(graph, "depd@1.1.2") == [448, 1331]
    lodash = node(graph, "lodash@4.17.15")
    assert lodash.hashes == (
        "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==",
    )
    assert lodash.source is Source.REGISTRY
    assert lodash.source_url is None


def test_v2_reads_packages_like_v3() -> None:
    v2, v3 = PARSER.parse(V2), PARSER.parse(V3)
    assert edge_set(v2) == edge_set(v3)
    assert direct(v2) == direct(v3)
    for n in v3:
        assert v2.nodes[n.key].scopes == n.scopes
        assert v2.nodes[n.key].locations[0].line == n.locations[0].line


def test_v1_nested_dependencies_and_requires() -> None:
    graph = PARSER.parse(V1)
    v3 = PARSER.parse(V3)
    # v1 has no record of peers: the one edge it lacks is react-dom -> react.
    assert edge_set(v3) - edge_set(graph) == {("react-dom@16.14.0", "react@16.14.0")}
    assert edge_set(graph) <= edge_set(v3)
    # No root entry: nothing is known to be direct.
    assert direct(graph) == set()
    assert scopes(graph, "nodemon@2.0.22") == {"dev"}
    assert scopes(graph, "fsevents@2.3.3") == {"dev"}
    assert scopes(graph, "bufferutil@4.1.0") == {"optional"}
    assert lines(graph, "express@4.16.0") == [239]
    assert lines(graph, "lodash@4.17.15") == [590]
    # dependencies > express > dependencies > http-errors, and the one under send.
    assert lines(graph, "http-errors@1.6.3") == [303, 891]


def test_monorepo_workspaces_are_the_project() -> None:
    lockfile = MONOREPO / "npm-v3" / "package-lock.json"
    graph = PARSER.parse(lockfile)
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
    # The alias "lodash-legacy": "npm:lodash@4.17.15" is the real lodash.
    lodash = node(graph, "lodash@4.17.15")
    assert lodash.spec == "4.17.15"
    assert lines(graph, "lodash@4.17.15") == [77]
    assert scopes(graph, "node-gyp-build@4.8.4") == {"dev", "optional"}  # devOptional
    assert scopes(graph, "react@16.14.0") == {"peer"}  # only a peer of react-dom
    tiny = node(graph, "tiny-utils@1.0.0")
    assert (tiny.source, tiny.source_url) == (Source.PATH, "file:vendor/tiny-utils-1.0.0.tgz")
    assert kids(graph, "tiny-utils@1.0.0") == {"ms@2.1.3"}
    assert_lines_point_at_entries(graph, lockfile)


def test_monorepo_v1_keeps_workspace_folders_as_path_nodes() -> None:
    graph = PARSER.parse(MONOREPO / "npm-v1" / "package-lock.json")
    api = node(graph, "@shop/api@file:packages/api")
    assert api.source is Source.PATH
    assert kids(graph, "@shop/api@file:packages/api") == {
        "lodash@4.17.15",
        "minimist@1.2.0",
        "node-fetch@2.6.0",
        "tiny-utils@file:../../vendor/tiny-utils-1.0.0.tgz",
    }


def test_git_url_and_folder_sources_v3() -> None:
    graph = PARSER.parse(SOURCES / "npm-v3" / "package-lock.json")
    git = node(graph, "git-lib@1.3.0")
    assert git.source is Source.GIT
    assert git.source_url == (
        "git+https://github.com/example-org/git-lib.git#5d164d56ba827457acc6662936defef94646fc87"
    )
    assert git.spec == "git+https://github.com/example-org/git-lib.git#v1.3.0"
    tarball = node(graph, "tarball-lib@2.0.0")
    assert (tarball.source, tarball.source_url) == (
        Source.URL,
        "https://downloads.example.com/tarball-lib-2.0.0.tgz",
    )
    assert kids(graph, "tarball-lib@2.0.0") == {"ms@2.1.3"}
    # "node_modules/local-lib" links to the folder "../local-lib", which has no name field.
    local = node(graph, "local-lib@0.1.0")
    assert (local.source, local.source_url) == (Source.PATH, "../local-lib")
    assert local.direct
    assert lines(graph, "local-lib@0.1.0") == [17]
    assert node(graph, "lodash@4.17.15").source is Source.REGISTRY


def test_git_url_and_folder_sources_v1() -> None:
    graph = PARSER.parse(SOURCES / "npm-v1" / "package-lock.json")
    git_version = (
        "git+https://github.com/example-org/git-lib.git#5d164d56ba827457acc6662936defef94646fc87"
    )
    assert node(graph, f"git-lib@{git_version}").source is Source.GIT
    tarball = node(graph, "tarball-lib@https://downloads.example.com/tarball-lib-2.0.0.tgz")
    assert tarball.source is Source.URL
    assert node(graph, "local-lib@file:../local-lib").source is Source.PATH


def _write(tmp_path: Path, text: str, name: str = "package-lock.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _lock(packages: object, version: object = 3) -> str:
    return json.dumps(
        {"name": "x", "version": "1.0.0", "lockfileVersion": version, "packages": packages},
        indent=2,
    )


def test_shrinkwrap_and_link_to_missing_target(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _lock(
            {
                "": {"dependencies": {"a": "^1.0.0", "gone": "file:../gone"}},
                "node_modules/a": {"version": "1.0.1", "dependencies": {"b": "*", "absent": "*"}},
                "node_modules/a/node_modules/b": {"version": "2.0.0"},
                "node_modules/b": {"version": "1.0.0"},
                "node_modules/gone": {"resolved": "../gone", "link": True},
            }
        ),
        "npm-shrinkwrap.json",
    )
    graph = PARSER.parse(path)
    assert ids(graph) == {"a@1.0.1", "b@2.0.0", "b@1.0.0"}
    assert kids(graph, "a@1.0.1") == {"b@2.0.0"}  # its own nested b, not the hoisted one
    assert direct(graph) == {"a@1.0.1"}
    entry_line = path.read_text().splitlines().index('    "node_modules/a/node_modules/b": {') + 1
    assert lines(graph, "b@2.0.0") == [entry_line]


@pytest.mark.parametrize("version", [4, 0, "3", None, True])
def test_unknown_lockfile_version(tmp_path: Path, version: object) -> None:
    path = _write(tmp_path, _lock({}, version))
    with pytest.raises(UnsupportedFormatError) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == 4


def test_truncated_lockfile(tmp_path: Path) -> None:
    text = V3.read_text(encoding="utf-8")
    path = _write(tmp_path, text[: len(text) // 2])
    with pytest.raises(ParseError, match="truncated JSON") as err:
        PARSER.parse(path)
    assert err.value.line == len(text[: len(text) // 2].splitlines())


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "lockfileVersion": 3,\n  "packages": {,}\n}\n')
    with pytest.raises(ParseError, match="invalid JSON") as err:
        PARSER.parse(path)
    assert err.value.line == 3
    assert str(err.value).startswith(f"{path}:3: ")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("[]", "JSON object", 1),
        ("", "empty file", None),
        (_lock([]), "`packages` must be an object", 5),
        (_lock({"node_modules/a": "1.0.0"}), "must be an object", 6),
        (_lock({"node_modules/a": {"resolved": "x"}}), "has no version", 6),
        (_lock({"": {"dependencies": ["a"]}}), "must be an object", 6),
        (json.dumps({"lockfileVersion": 3}), "without `packages`", None),
        (
            json.dumps({"lockfileVersion": 1, "dependencies": {"a": {"version": 1}}}, indent=2),
            "has no version",
            4,
        ),
        (
            json.dumps({"lockfileVersion": 1, "dependencies": {"a": 3}}, indent=2),
            "must be an object",
            4,
        ),
        ("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> main\n", "merge conflict", 1),
    ],
)
def test_wrong_shapes(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ParseError, match=message) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        PARSER.parse(tmp_path / "package-lock.json")
    with pytest.raises(InputError, match="is a directory"):
        PARSER.parse(tmp_path)
    path = tmp_path / "package-lock.json"
    path.write_bytes(b'{\n  "name": "caf\xe9"\n}\n')
    with pytest.raises(InputError, match="not UTF-8") as err:
        PARSER.parse(path)
    assert err.value.line == 2
