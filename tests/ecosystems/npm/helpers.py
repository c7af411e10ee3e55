"""Shared helpers and expectations for the npm parser tests."""

from __future__ import annotations

from pathlib import Path

from stockade.ecosystems.graph import DependencyGraph, Node, NodeKey
from stockade.ecosystems.interface import Ecosystem

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "manifests" / "npm"
APP = FIXTURES / "express-react-app"
MONOREPO = FIXTURES / "monorepo"
SOURCES = FIXTURES / "sources"

APP_PACKAGES = frozenset(
    {
        "accepts@1.3.8",
        "anymatch@3.1.3",
        "array-flatten@1.1.1",
        "async-function@1.0.0",
        "async-generator-function@1.0.0",
        "axios@0.21.0",
        "balanced-match@1.0.2",
        "binary-extensions@2.3.0",
        "body-parser@1.18.2",
        "body-parser@1.20.9",
        "brace-expansion@1.1.22",
        "braces@3.0.3",
        "bufferutil@4.1.0",
        "bytes@3.0.0",
        "bytes@3.1.2",
        "call-bind-apply-helpers@1.0.2",
        "call-bound@1.0.4",
        "chokidar@3.6.0",
        "concat-map@0.0.1",
        "content-disposition@0.5.2",
        "content-type@1.0.5",
        "cookie-signature@1.0.6",
        "cookie@0.3.1",
        "debug@2.6.9",
        "debug@3.2.7",
        "depd@1.1.1",
        "depd@1.1.2",
        "depd@2.0.0",
        "destroy@1.0.4",
        "destroy@1.2.0",
        "dunder-proto@1.0.1",
        "ee-first@1.1.1",
        "encodeurl@1.0.4",
        "es-define-property@1.0.1",
        "es-errors@1.3.0",
        "es-object-atoms@1.1.2",
        "escape-html@1.0.3",
        "etag@1.8.1",
        "express@4.16.0",
        "fill-range@7.1.1",
        "finalhandler@1.1.0",
        "follow-redirects@1.16.3",
        "forwarded@0.2.0",
        "fresh@0.5.2",
        "fsevents@2.3.3",
        "function-bind@1.1.2",
        "generator-function@2.0.1",
        "get-intrinsic@1.3.1",
        "get-proto@1.0.1",
        "glob-parent@5.1.2",
        "gopd@1.2.0",
        "has-flag@3.0.0",
        "has-symbols@1.1.0",
        "hasown@2.0.4",
        "http-errors@1.6.2",
        "http-errors@1.6.3",
        "http-errors@2.0.1",
        "iconv-lite@0.4.19",
        "iconv-lite@0.4.24",
        "ignore-by-default@1.0.1",
        "inherits@2.0.3",
        "inherits@2.0.4",
        "ipaddr.js@1.9.1",
        "is-binary-path@2.1.0",
        "is-extglob@2.1.1",
        "is-glob@4.0.3",
        "is-number@7.0.0",
        "js-tokens@4.0.0",
        "lodash@4.17.15",
        "loose-envify@1.4.0",
        "math-intrinsics@1.1.0",
        "media-typer@0.3.0",
        "merge-descriptors@1.0.1",
        "methods@1.1.2",
        "mime-db@1.52.0",
        "mime-types@2.1.35",
        "mime@1.4.1",
        "minimatch@3.1.5",
        "minimist@1.2.0",
        "ms@2.0.0",
        "ms@2.1.3",
        "negotiator@0.6.3",
        "node-fetch@2.6.0",
        "node-gyp-build@4.8.4",
        "nodemon@2.0.22",
        "normalize-path@3.0.0",
        "object-assign@4.1.1",
        "object-inspect@1.14.0",
        "on-finished@2.3.0",
        "on-finished@2.4.2",
        "parseurl@1.3.3",
        "path-to-regexp@0.1.7",
        "picomatch@2.3.2",
        "prop-types@15.8.1",
        "proxy-addr@2.0.8",
        "pstree.remy@1.1.8",
        "qs@6.16.2",
        "qs@6.5.1",
        "range-parser@1.2.1",
        "raw-body@2.3.2",
        "raw-body@2.5.3",
        "react-dom@16.14.0",
        "react-is@16.13.1",
        "react@16.14.0",
        "readdirp@3.6.0",
        "safe-buffer@5.1.1",
        "safer-buffer@2.1.2",
        "scheduler@0.19.1",
        "semver@5.7.3",
        "semver@7.0.0",
        "send@0.16.0",
        "serve-static@1.13.0",
        "setprototypeof@1.0.3",
        "setprototypeof@1.1.0",
        "setprototypeof@1.2.0",
        "side-channel-list@1.0.1",
        "side-channel-map@1.0.1",
        "side-channel-weakmap@1.0.2",
        "side-channel@1.1.1",
        "simple-update-notifier@1.1.0",
        "statuses@1.3.1",
        "statuses@1.5.0",
        "statuses@2.0.2",
        "supports-color@5.5.0",
        "to-regex-range@5.0.1",
        "toidentifier@1.0.1",
        "touch@3.1.1",
        "type-is@1.6.18",
        "undefsafe@2.0.5",
        "unpipe@1.0.0",
        "utils-merge@1.0.1",
        "vary@1.1.2",
    }
)
"""Every package version the Express/React app installs (npm, yarn classic and pnpm agree)."""

BERRY_EXTRA = frozenset(
    {
        "@isaacs/fs-minipass@4.0.1",
        "abbrev@5.0.0",
        "chownr@3.0.0",
        "env-paths@2.2.1",
        "exponential-backoff@3.1.3",
        "fdir@6.5.0",
        "graceful-fs@4.2.12",
        "isexe@4.0.0",
        "minipass@7.1.3",
        "minizlib@3.1.0",
        "node-gyp@13.1.0",
        "nopt@10.0.1",
        "picomatch@4.0.7",
        "proc-log@7.0.0",
        "semver@7.8.6",
        "tar@7.5.23",
        "tinyglobby@0.2.17",
        "undici@8.12.4",
        "which@7.0.0",
        "yallist@5.0.0",
    }
)
"""What Berry adds: node-gyp, which it injects for packages with native builds, and its tree."""


def key(spec: str) -> NodeKey:
    """``"name@1.2.3"`` -> the node key."""
    name, _, version = spec.rpartition("@")
    return (Ecosystem.NPM, name, version or None)


def ids(graph: DependencyGraph) -> set[str]:
    """Every node as ``name@version``."""
    return {f"{n.name}@{n.version}" for n in graph}


def node(graph: DependencyGraph, spec: str) -> Node:
    """The node ``name@version`` (fails the test when absent)."""
    found = graph.nodes.get(key(spec))
    assert found is not None, f"{spec} not in graph"
    return found


def kids(graph: DependencyGraph, spec: str) -> set[str]:
    """The dependencies of ``name@version`` as ``name@version`` strings."""
    return {f"{k[1]}@{k[2]}" for k in graph.children(key(spec))}


def scopes(graph: DependencyGraph, spec: str) -> set[str]:
    """The scopes of a node as plain strings."""
    return {s.value for s in node(graph, spec).scopes}


def lines(graph: DependencyGraph, spec: str) -> list[int | None]:
    """The line numbers of a node's locations."""
    return [loc.line for loc in node(graph, spec).locations]


def direct(graph: DependencyGraph) -> set[str]:
    """The direct nodes as ``name@version``."""
    return {f"{n.name}@{n.version}" for n in graph.direct()}


def edge_set(graph: DependencyGraph) -> set[tuple[str, str]]:
    """Every edge as a pair of ``name@version`` strings."""
    return {(f"{p[1]}@{p[2]}", f"{c[1]}@{c[2]}") for p, cs in graph.edges.items() for c in cs}


def assert_lines_point_at_entries(graph: DependencyGraph, path: Path) -> None:
    """Every location of every node is a line of ``path`` that names the package."""
    text = path.read_text(encoding="utf-8").split("\n")
    for n in graph:
        assert n.locations, n.key
        for loc in n.locations:
            assert loc.path == str(path)
            assert loc.line is not None, n.key
            assert n.name in text[loc.line - 1] or (n.source_url or "") in text[loc.line - 1], (
                n.key,
                loc.line,
                text[loc.line - 1],
            )
