from __future__ import annotations

from datetime import UTC, datetime

from stockade.check.resolve import (
    best_version,
    expand_transitive,
    needs_resolution,
    resolve_ranges,
)
from stockade.ecosystems.graph import DependencyGraph, Node, Resolution, Scope, Source
from stockade.ecosystems.interface import (
    DeclaredRequirement,
    Ecosystem,
    PackageInfo,
    Registry,
    VersionInfo,
)
from stockade.errors import RegistryError


def info(eco: Ecosystem, name: str, versions: dict[str, bool], latest: str) -> PackageInfo:
    return PackageInfo(
        ecosystem=eco,
        name=name,
        versions={
            v: VersionInfo(eco, name, v, released=datetime(2024, 1, 1, tzinfo=UTC), yanked=y)
            for v, y in versions.items()
        },
        latest=latest,
    )


class FakeRegistry:
    def __init__(self, eco: Ecosystem, packages: dict[str, PackageInfo | Exception]) -> None:
        self.ecosystem = eco
        self.packages = packages
        self.calls: list[str] = []

    async def package(self, name: str) -> PackageInfo | None:
        self.calls.append(name)
        answer = self.packages.get(name)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def version(self, name: str, version: str) -> VersionInfo | None:
        return None


def test_best_version_skips_yanked_and_prereleases() -> None:
    pkg = info(Ecosystem.PYPI, "flask", {"2.0.0": False, "2.1.0": True, "3.0.0rc1": False}, "2.0.0")
    assert best_version(pkg, ">=2") == "2.0.0"
    assert best_version(pkg, ">=3.0.0rc1") == "3.0.0rc1"


def test_best_version_npm_latest_tag_and_caret() -> None:
    pkg = info(
        Ecosystem.NPM,
        "lodash",
        {"4.17.20": False, "4.17.21": False, "5.0.0-beta.1": False},
        "4.17.21",
    )
    assert best_version(pkg, "latest") == "4.17.21"
    assert best_version(pkg, "^4.17.0") == "4.17.21"
    assert best_version(pkg, "^3") is None


async def test_resolve_ranges_rekeys_and_reports_errors() -> None:
    graph = DependencyGraph()
    flask = graph.add(
        Node(Ecosystem.PYPI, "flask", None, Resolution.UNRESOLVED, spec=">=2", direct=True)
    )
    graph.add(Node(Ecosystem.PYPI, "ghost", None, Resolution.UNRESOLVED, spec="*", direct=True))
    graph.add(Node(Ecosystem.PYPI, "broken", None, Resolution.UNRESOLVED, spec="*", direct=True))
    graph.add(
        Node(Ecosystem.PYPI, "local", None, Resolution.UNRESOLVED, source=Source.PATH, direct=True)
    )
    child = graph.add(Node(Ecosystem.PYPI, "click", "8.1.0"))
    graph.add_edge(flask.key, child.key)
    assert len(needs_resolution(graph)) == 3

    registry = FakeRegistry(
        Ecosystem.PYPI,
        {
            "flask": info(Ecosystem.PYPI, "flask", {"1.0": False, "2.3.3": False}, "2.3.3"),
            "broken": RegistryError("registry timed out"),
        },
    )
    reg: Registry = registry
    outcome = await resolve_ranges(graph, lambda eco: reg)
    assert outcome.resolved == 1
    resolved = graph.nodes[(Ecosystem.PYPI, "flask", "2.3.3")]
    assert resolved.resolution is Resolution.RESOLVED
    assert graph.children(resolved.key) == {child.key}
    errors = {k[1]: v for k, v in outcome.errors.items()}
    assert "not known" in errors["ghost"]
    assert errors["broken"] == "registry timed out"
    assert sorted(registry.calls) == ["broken", "flask", "ghost"]


class MetaRegistry:
    """A registry whose versions declare dependencies."""

    def __init__(
        self,
        eco: Ecosystem,
        releases: dict[str, dict[str, list[tuple[str, str, str, str | None]]]],
        latest: dict[str, str] | None = None,
    ) -> None:
        self.ecosystem = eco
        self.releases = releases
        self.latest = latest or {}

    def _info(self, name: str, version: str) -> VersionInfo:
        deps = tuple(
            DeclaredRequirement(name=n, spec=s, scope=scope, marker=m)
            for n, s, scope, m in self.releases[name][version]
        )
        return VersionInfo(self.ecosystem, name, version, dependencies=deps)

    async def package(self, name: str) -> PackageInfo | None:
        if name not in self.releases:
            return None
        versions = {v: self._info(name, v) for v in self.releases[name]}
        return PackageInfo(self.ecosystem, name, versions, latest=self.latest.get(name))

    async def version(self, name: str, version: str) -> VersionInfo | None:
        if name not in self.releases or version not in self.releases[name]:
            return None
        return self._info(name, version)


async def test_expand_follows_declared_dependencies_with_markers_and_extras() -> None:
    registry = MetaRegistry(
        Ecosystem.PYPI,
        {
            "webapp-lib": {
                "1.0": [
                    ("helper", ">=2", "prod", None),
                    ("py2-only", "", "prod", 'python_version < "3"'),
                    ("fancy", "", "optional", 'extra == "fancy"'),
                    ("ghost-dep", ">=1", "prod", None),
                ]
            },
            "helper": {"1.0": [], "2.1": [("leaf", "<2", "prod", None)]},
            "leaf": {"1.5": [], "2.0": []},
            "py2-only": {"1.0": []},
            "fancy": {"1.0": []},
        },
    )
    graph = DependencyGraph()
    graph.add(
        Node(
            Ecosystem.PYPI,
            "webapp-lib",
            None,
            Resolution.UNRESOLVED,
            spec=">=1",
            direct=True,
            scopes={Scope.DEV},
        )
    )
    reg: Registry = registry
    assert (await resolve_ranges(graph, lambda eco: reg)).resolved == 1
    outcome = await expand_transitive(graph, lambda eco: reg)
    versions = {n.name: n.version for n in graph}
    assert versions == {
        "webapp-lib": "1.0",
        "helper": "2.1",
        "leaf": "1.5",
        "ghost-dep": None,
    }
    assert outcome.added == 2
    assert [k[1] for k in outcome.errors] == ["ghost-dep"]
    leaf = graph.nodes[(Ecosystem.PYPI, "leaf", "1.5")]
    assert leaf.resolution is Resolution.RESOLVED and not leaf.direct
    assert leaf.scopes == {Scope.DEV}  # reached only from a dev dependency
    chain = graph.chains()[leaf.key]
    assert [k[1] for k in chain] == ["webapp-lib", "helper", "leaf"]


async def test_expand_npm_reuses_a_satisfying_version_and_adds_another_when_needed() -> None:
    registry = MetaRegistry(
        Ecosystem.NPM,
        {
            "app-a": {"1.2.0": [("shared", "^1.0.0", "prod", None)]},
            "app-b": {"2.0.0": [("shared", "^2.0.0", "prod", None), ("types", "*", "dev", None)]},
            "shared": {"1.4.0": [], "2.3.0": []},
            "types": {"1.0.0": []},
        },
    )
    graph = DependencyGraph()
    for name, spec in (("app-a", "^1.0.0"), ("app-b", "^2.0.0")):
        graph.add(Node(Ecosystem.NPM, name, None, Resolution.UNRESOLVED, spec=spec, direct=True))
    reg: Registry = registry
    await resolve_ranges(graph, lambda eco: reg)
    outcome = await expand_transitive(graph, lambda eco: reg)
    assert sorted((n.name, n.version) for n in graph) == [
        ("app-a", "1.2.0"),
        ("app-b", "2.0.0"),
        ("shared", "1.4.0"),
        ("shared", "2.3.0"),
    ]
    assert outcome.added == 2 and not outcome.errors


async def test_expand_stops_at_the_package_limit() -> None:
    Deps = list[tuple[str, str, str, str | None]]
    chain: dict[str, dict[str, Deps]] = {
        f"p{i}": {"1.0.0": [(f"p{i + 1}", "*", "prod", None)]} for i in range(50)
    }
    chain["p50"] = {"1.0.0": []}
    registry = MetaRegistry(Ecosystem.NPM, chain)
    graph = DependencyGraph()
    graph.add(Node(Ecosystem.NPM, "p0", None, Resolution.UNRESOLVED, spec="*", direct=True))
    reg: Registry = registry
    await resolve_ranges(graph, lambda eco: reg)
    outcome = await expand_transitive(graph, lambda eco: reg, max_packages=10)
    assert outcome.truncated
    assert len(graph) == 10
