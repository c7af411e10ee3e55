"""Generated 2,000-package lockfiles: every entry, edge and line comes through."""

from __future__ import annotations

import json
from pathlib import Path

from stockade.ecosystems.npm.parsers import PackageLockParser, PnpmLockParser, YarnLockParser
from tests.ecosystems.npm.helpers import key, kids, lines

COUNT = 2000


def _name(i: int) -> str:
    return f"@scope{i % 7}/pkg-{i}" if i % 5 == 0 else f"pkg-{i}"


def test_package_lock_v3(tmp_path: Path) -> None:
    packages: dict[str, object] = {"": {"dependencies": {_name(0): "^1.0.0"}}}
    for i in range(COUNT):
        deps = {_name(i + 1): "^1.0.0"} if i + 1 < COUNT else {}
        packages[f"node_modules/{_name(i)}"] = {
            "version": "1.0.0",
            "resolved": f"https://npm.test/{_name(i)}/-/pkg-{i}-1.0.0.tgz",
            "integrity": f"sha512-{i}",
            "dependencies": deps,
        }
    path = tmp_path / "package-lock.json"
    text = json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2)
    path.write_text(text, encoding="utf-8")
    graph = PackageLockParser().parse(path)
    assert len(graph) == COUNT
    assert kids(graph, f"{_name(1234)}@1.0.0") == {f"{_name(1235)}@1.0.0"}
    last = f'    "node_modules/{_name(COUNT - 1)}": {{'
    assert lines(graph, f"{_name(COUNT - 1)}@1.0.0") == [text.split("\n").index(last) + 1]
    # The chain from the one direct dependency reaches the last package.
    assert len(graph.paths_to(key(f"{_name(COUNT - 1)}@1.0.0"))) == COUNT


def test_pnpm_v9(tmp_path: Path) -> None:
    out = ["lockfileVersion: '9.0'", "", "importers:", "", "  .:", "    dependencies:"]
    out += [f"      '{_name(0)}':", "        specifier: ^1.0.0", "        version: 1.0.0", ""]
    out += ["packages:", ""]
    for i in range(COUNT):
        out += [f"  '{_name(i)}@1.0.0':", f"    resolution: {{integrity: sha512-{i}}}", ""]
    out += ["snapshots:", ""]
    for i in range(COUNT):
        if i + 1 < COUNT:
            out += [f"  '{_name(i)}@1.0.0':", "    dependencies:", f"      '{_name(i + 1)}': 1.0.0"]
        else:
            out += [f"  '{_name(i)}@1.0.0': {{}}"]
        out.append("")
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text("\n".join(out), encoding="utf-8")
    graph = PnpmLockParser().parse(path)
    assert len(graph) == COUNT
    assert kids(graph, f"{_name(999)}@1.0.0") == {f"{_name(1000)}@1.0.0"}
    assert lines(graph, f"{_name(COUNT - 1)}@1.0.0") == [
        out.index(f"  '{_name(COUNT - 1)}@1.0.0':") + 1
    ]
    assert {s.value for s in graph.nodes[key(f"{_name(COUNT - 1)}@1.0.0")].scopes} == {"prod"}


def test_yarn_classic(tmp_path: Path) -> None:
    out = ["# yarn lockfile v1", ""]
    for i in range(COUNT):
        out += [f'"{_name(i)}@^1.0.0", "{_name(i)}@~1.0.0":', '  version "1.0.0"']
        out += [f'  resolved "https://npm.test/{_name(i)}/-/pkg-{i}-1.0.0.tgz"']
        if i + 1 < COUNT:
            out += ["  dependencies:", f'    "{_name(i + 1)}" "~1.0.0"']
        out.append("")
    path = tmp_path / "yarn.lock"
    path.write_text("\n".join(out), encoding="utf-8")
    graph = YarnLockParser().parse(path)
    assert len(graph) == COUNT
    assert kids(graph, f"{_name(1)}@1.0.0") == {f"{_name(2)}@1.0.0"}
    header = f'"{_name(COUNT - 1)}@^1.0.0", "{_name(COUNT - 1)}@~1.0.0":'
    assert lines(graph, f"{_name(COUNT - 1)}@1.0.0") == [out.index(header) + 1]
