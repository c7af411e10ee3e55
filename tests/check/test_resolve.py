from __future__ import annotations

from datetime import UTC, datetime

from stockade.check.resolve import best_version, needs_resolution, resolve_ranges
from stockade.ecosystems.graph import DependencyGraph, Node, Resolution, Source
from stockade.ecosystems.interface import Ecosystem, PackageInfo, Registry, VersionInfo
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
