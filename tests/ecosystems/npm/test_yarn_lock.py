"""yarn.lock: Yarn classic (v1) and Yarn Berry (v2+)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution, Source
from stockade.ecosystems.npm.parsers import PackageLockParser, YarnLockParser
from stockade.ecosystems.npm.parsers.yarn_lock import parse_classic
from stockade.errors import InputError, ParseError, UnsupportedFormatError
from tests.ecosystems.npm.helpers import (
    APP,
    APP_PACKAGES,
    BERRY_EXTRA,
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

PARSER = YarnLockParser()
CLASSIC = APP / "yarn-classic" / "yarn.lock"
BERRY = APP / "yarn-berry" / "yarn.lock"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "yarn.lock"
    path.write_text(text, encoding="utf-8")
    return path


def test_matches() -> None:
    assert PARSER.matches(Path("a/yarn.lock"))
    assert not PARSER.matches(Path("yarn.lock.bak"))
    assert PARSER.is_lockfile


# --- classic ---------------------------------------------------------------------------------


def test_classic_nodes_edges_and_lines() -> None:
    graph = PARSER.parse(CLASSIC)
    assert ids(graph) == APP_PACKAGES
    assert all(n.resolution is Resolution.LOCKED for n in graph)
    # The lockfile does not say what is direct: left to package.json.
    assert direct(graph) == set()
    assert_lines_point_at_entries(graph, CLASSIC)
    assert lines(graph, "express@4.16.0") == [260]
    assert lines(graph, "lodash@4.17.15") == [494]
    # One entry for several descriptors.
    assert lines(graph, "statuses@1.5.0") == [850]
    assert lines(graph, "depd@1.1.2") == [199]
    assert "body-parser@1.18.2" in kids(graph, "express@4.16.0")
    # Yarn dedupes by range: http-errors 1.6.2 takes statuses ">= 1.3.1 < 2" = 1.5.0,
    # where npm's tree gave it the hoisted 1.3.1.
    assert kids(graph, "http-errors@1.6.2") == {
        "depd@1.1.1",
        "inherits@2.0.3",
        "setprototypeof@1.0.3",
        "statuses@1.5.0",
    }
    npm = PackageLockParser().parse(APP / "npm-v1" / "package-lock.json")
    assert edge_set(graph) ^ edge_set(npm) == {
        ("http-errors@1.6.2", "statuses@1.5.0"),
        ("http-errors@1.6.2", "statuses@1.3.1"),
    }


def test_classic_hashes_and_registry_source() -> None:
    graph = PARSER.parse(CLASSIC)
    lodash = node(graph, "lodash@4.17.15")
    assert lodash.source is Source.REGISTRY
    assert lodash.hashes == (
        "sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==",
    )


def test_classic_workspaces_alias_and_file() -> None:
    graph = PARSER.parse(MONOREPO / "yarn-classic" / "yarn.lock")
    assert not any(n.name.startswith("@shop/") for n in graph)
    assert lines(graph, "lodash@4.17.15") == [29]  # "lodash-legacy@npm:lodash@4.17.15"
    tiny = node(graph, "tiny-utils@1.0.0")
    assert (tiny.source, tiny.source_url) == (Source.PATH, "file:vendor/tiny-utils-1.0.0.tgz")
    assert kids(graph, "tiny-utils@1.0.0") == {"ms@2.1.3"}


def test_classic_git_url_and_folder_sources() -> None:
    graph = PARSER.parse(SOURCES / "yarn-classic" / "yarn.lock")
    git = node(graph, "git-lib@1.3.0")
    assert (git.source, git.source_url) == (
        Source.GIT,
        "git+https://github.com/example-org/git-lib.git#5d164d56ba827457acc6662936defef94646fc87",
    )
    tarball = node(graph, "tarball-lib@2.0.0")
    assert (tarball.source, tarball.source_url) == (
        Source.URL,
        "https://downloads.example.com/tarball-lib-2.0.0.tgz",
    )
    # No integrity line: the sha1 in the URL fragment, as a subresource-integrity string.
    assert tarball.hashes == ("sha1-VTa/9PWSXKsfUnjtdbPe9XOYVBQ=",)
    assert node(graph, "local-lib@0.1.0").source is Source.PATH
    assert kids(graph, "local-lib@0.1.0") == {"minimist@1.2.0"}


def test_classic_format_details(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# yarn lockfile v1\r\n\r\n"
        '"@scope/pkg@^1.0.0", "@scope/pkg@~1.2.0":\r\n'
        '  version "1.2.3"\r\n'
        "  dependencies:\r\n"
        '    dep "^2"\r\n'
        "  optionalDependencies:\r\n"
        '    missing-optional "^1"\r\n'
        "\r\n"
        "dep@^2:\r\n"
        '  version "2.0.0"\r\n'
        '  resolved "https://npm.test/dep/-/dep-2.0.0.tgz"\r\n',
    )
    entries = parse_classic(path, path.read_text(encoding="utf-8"))
    assert [(e.descriptors, e.line) for e in entries] == [
        (["@scope/pkg@^1.0.0", "@scope/pkg@~1.2.0"], 3),
        (["dep@^2"], 10),
    ]
    graph = PARSER.parse(path)
    assert edge_set(graph) == {("@scope/pkg@1.2.3", "dep@2.0.0")}


def test_empty_lockfile_is_an_empty_graph(tmp_path: Path) -> None:
    graph = PARSER.parse(_write(tmp_path, "# yarn lockfile v1\n\n"))
    assert len(graph) == 0


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('a@^1:\n  version "1.0.0\n', "unterminated string", 2),
        ('a@^1\n  version "1.0.0"\n', "entry header", 1),
        ('  version "1.0.0"\n', "outside any entry", 1),
        ('a@^1:\n  version "1.0.0" extra\n', "`key value`", 2),
        ('a@^1:\n  resolved "x"\n', "has no version", 1),
        ('a@^1:\n  version "1"\n  dependencies:\n    b "^1"\n', "has no entry", 1),
        ('a@^1:\n  version "1"\n  dependencies "b"\n', "must be a map", 1),
        ('a@^1:\n\tversion "1"\n', "tabs", 2),
        ('a@^1:\n  version "1"\n  x "\\q"\n', "escape", 3),
        ('a@^1:\n<<<<<<< HEAD\n  version "1"\n', "merge conflict", 2),
        ('a@^1:\n  version "1"\n  b #1\n', "unexpected text", 3),
    ],
)
def test_classic_errors(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ParseError, match=message) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line


def test_classic_truncated_at_an_entry(tmp_path: Path) -> None:
    text = CLASSIC.read_text(encoding="utf-8")
    cut = text.index("\nlodash@4.17.15:")
    with pytest.raises(ParseError, match="truncated"):
        PARSER.parse(_write(tmp_path, text[:cut]))


def test_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "yarn.lock"
    path.write_bytes(b'a@^1:\n  version "1\xc3"\n')
    with pytest.raises(InputError, match="not UTF-8") as err:
        PARSER.parse(path)
    assert err.value.line == 2


# --- Berry -----------------------------------------------------------------------------------


def test_berry_nodes_direct_and_scopes() -> None:
    graph = PARSER.parse(BERRY)
    assert ids(graph) == APP_PACKAGES | BERRY_EXTRA
    assert not any(n.name == "shop-web" for n in graph)  # the workspace is the project
    assert direct(graph) == {
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
    assert node(graph, "body-parser@1.20.9").spec == "^1.18.2"
    assert node(graph, "express@4.16.0").spec == "4.16.0"
    # Berry does not tell dev from prod; dependenciesMeta marks bufferutil optional.
    assert scopes(graph, "nodemon@2.0.22") == {"prod"}
    assert scopes(graph, "bufferutil@4.1.0") == {"optional"}
    assert scopes(graph, "node-gyp@13.1.0") == {"optional"}
    assert scopes(graph, "express@4.16.0") == {"prod"}
    assert_lines_point_at_entries(graph, BERRY)


def test_berry_edges_patches_and_lines() -> None:
    graph = PARSER.parse(BERRY)
    assert "body-parser@1.18.2" in kids(graph, "express@4.16.0")
    assert kids(graph, "axios@0.21.0") == {"follow-redirects@1.16.3"}
    assert kids(graph, "bufferutil@4.1.0") == {"node-gyp-build@4.8.4", "node-gyp@13.1.0"}
    assert lines(graph, "express@4.16.0") == [379]
    assert lines(graph, "lodash@4.17.15") == [714]
    # The npm entry and Yarn's built-in patch of fsevents are one package version.
    fsevents = node(graph, "fsevents@2.3.3")
    assert lines(graph, "fsevents@2.3.3") == [477, 487]
    assert fsevents.source is Source.REGISTRY
    # Berry's checksums digest its own archives, not npm tarballs: not kept as hashes.
    assert fsevents.hashes == ()


def test_berry_workspaces_aliases_and_locators() -> None:
    path = MONOREPO / "yarn-berry" / "yarn.lock"
    graph = PARSER.parse(path)
    assert not any(n.name.startswith("@shop/") or n.name == "shop-monorepo" for n in graph)
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
    assert lines(graph, "lodash@4.17.15") == [128]
    assert node(graph, "lodash@4.17.15").spec == "4.17.15"
    # "tiny-utils": "file:../../vendor/..." is bound to the workspace that declared it.
    tiny = node(graph, "tiny-utils@1.0.0")
    assert (tiny.source, tiny.source_url) == (Source.PATH, "file:../../vendor/tiny-utils-1.0.0.tgz")
    assert lines(graph, "tiny-utils@1.0.0") == [322]
    assert kids(graph, "tiny-utils@1.0.0") == {"ms@2.1.3"}
    assert_lines_point_at_entries(graph, path)


def test_berry_git_and_url_sources() -> None:
    graph = PARSER.parse(SOURCES / "yarn-berry" / "yarn.lock")
    git = node(graph, "git-lib@1.3.0")
    assert (git.source, git.source_url) == (
        Source.GIT,
        "https://github.com/example-org/git-lib.git#commit=5d164d56ba827457acc6662936defef94646fc87",
    )
    assert node(graph, "tarball-lib@2.0.0").source is Source.URL
    assert node(graph, "local-lib@0.1.0").source is Source.PATH
    assert direct(graph) == {
        "git-lib@1.3.0",
        "local-lib@0.1.0",
        "lodash@4.17.15",
        "tarball-lib@2.0.0",
    }


BERRY_V4 = """\
# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 4
  cacheKey: 7

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    minimist: 1.2.0
    chalk: ^2.4.0
  languageName: unknown
  linkType: soft

"chalk@npm:^2.4.0":
  version: 2.4.2
  resolution: "chalk@npm:2.4.2"
  dependencies:
    supports-color: ^5.3.0
  dependenciesMeta:
    supports-color:
      optional: true
  checksum: ec3661d38fe77f681200f878edbd9448821924e0f93a9cefc0e26a33b145f1027a2084bf1996
  languageName: node
  linkType: hard

"minimist@npm:1.2.0":
  version: 1.2.0
  resolution: "minimist@npm:1.2.0"
  languageName: node
  linkType: hard

"supports-color@npm:^5.3.0":
  version: 5.5.0
  resolution: "supports-color@npm:5.5.0"
  languageName: node
  linkType: hard
"""


def test_berry_older_lockfile_without_npm_protocol_in_dependencies(tmp_path: Path) -> None:
    graph = PARSER.parse(_write(tmp_path, BERRY_V4))
    assert direct(graph) == {"minimist@1.2.0", "chalk@2.4.2"}
    assert kids(graph, "chalk@2.4.2") == {"supports-color@5.5.0"}
    assert scopes(graph, "supports-color@5.5.0") == {"optional"}
    assert lines(graph, "supports-color@5.5.0") == [34]


@pytest.mark.parametrize(
    ("text", "error", "message", "line"),
    [
        ("__metadata:\n  version: 1\n", UnsupportedFormatError, "version '1'", 2),
        ("__metadata:\n  version: x\n", UnsupportedFormatError, "version 'x'", 2),
        ("__metadata: 3\n", ParseError, "no `__metadata` map", None),
        ('__metadata:\n  version: 8\n\n"a@npm:1":\n  version: [1\n', ParseError, "YAML", 6),
        (
            '__metadata:\n  version: 8\n\n"a@npm:1":\n  version: 1.0.0\n',
            ParseError,
            "has no resolution",
            4,
        ),
        ('__metadata:\n  version: 8\n\n"a@npm:1": 3\n', ParseError, "must be a map", 4),
        (
            '__metadata:\n  version: 8\n\n"a@npm:1":\n  resolution: "a@npm:1.0.0"\n',
            ParseError,
            "has no version",
            4,
        ),
        (
            '__metadata:\n  version: 8\n\n"a@npm:1":\n  version: 1.0.0\n'
            '  resolution: "a@npm:1.0.0"\n  dependencies:\n    b: "npm:^2"\n',
            ParseError,
            "b@npm:\\^2, a dependency of a@npm:1.0.0, has no entry",
            4,
        ),
    ],
)
def test_berry_errors(
    tmp_path: Path, text: str, error: type[Exception], message: str, line: int | None
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(error, match=message) as err:
        PARSER.parse(path)
    assert isinstance(err.value, ParseError)
    assert err.value.path == str(path)
    assert err.value.line == line


def test_berry_truncated_between_entries(tmp_path: Path) -> None:
    text = BERRY.read_text(encoding="utf-8")
    path = _write(tmp_path, text[: text.index('"lodash@npm:4.17.15"')])
    with pytest.raises(ParseError, match="truncated") as err:
        PARSER.parse(path)
    # The first entry that depends on one cut off: @isaacs/fs-minipass needs minipass.
    assert "minipass@npm:^7.0.4, a dependency of @isaacs/fs-minipass@npm:4.0.1" in str(err.value)
    assert err.value.line == 8


def test_berry_truncated_inside_a_value(tmp_path: Path) -> None:
    text = BERRY.read_text(encoding="utf-8")
    cut = text.index("checksum: 10c0/") + 20
    path = _write(tmp_path, text[:cut].rsplit("\n", 1)[0] + '\n  resolution: "oops')
    with pytest.raises(ParseError, match="invalid YAML") as err:
        PARSER.parse(path)
    assert err.value.line == text[:cut].count("\n") + 1
