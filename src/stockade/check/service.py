"""``stockade check``: from a project folder to a :class:`~stockade.check.model.Report`.

find manifests -> build the graph -> resolve ranges -> look up OSV records -> findings.
Network and storage come in as parameters (registries, vulnerability sources), so that the
same flow runs in the CLI, the server and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from stockade import __version__, ecosystems
from stockade.check.discover import build_graph, find_manifests
from stockade.check.model import PackageReport, Report
from stockade.check.resolve import expand_transitive, needs_resolution, resolve_ranges
from stockade.check.scores import DependencyScorer, weakest_below
from stockade.config import Config
from stockade.ecosystems.graph import DependencyGraph, Location, Node, NodeKey, Resolution, Source
from stockade.ecosystems.interface import Ecosystem, Registry
from stockade.errors import OSVError
from stockade.intel.findings import Finding, Ignore
from stockade.intel.osv.findings import build_findings
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.source import PackageQuery, VulnerabilitySource


class Progress(Protocol):
    """Receives progress of a long run (the CLI shows a bar; tests ignore it)."""

    def stage(self, description: str, total: int | None) -> None:
        """A new stage starts, with ``total`` steps when known."""
        ...

    def advance(self, steps: int = 1) -> None:
        """Steps of the current stage are done."""
        ...


class _NoProgress:
    def stage(self, description: str, total: int | None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """What to check and how."""

    root: Path
    """A project folder or a single manifest/lockfile."""
    config: Config = field(default_factory=Config)
    """The configuration in force."""
    resolve: bool = True
    """Resolve declared ranges against the registries."""
    today: date | None = None
    """The day ignores are judged against (default: today)."""
    min_score: float | None = None
    """Fail when a dependency's trust score is below this."""


async def run_check(
    request: CheckRequest,
    *,
    sources: Sequence[VulnerabilitySource],
    registry_for: Callable[[Ecosystem], Registry] | None = None,
    progress: Progress | None = None,
    scorer: DependencyScorer | None = None,
) -> Report:
    """Check a project. ``sources`` are tried in order until one answers; with a ``scorer``
    every dependency gets its trust score, and each direct one the weakest link below it."""
    progress = progress or _NoProgress()
    root = request.root
    report = Report(
        root=str(root),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        tool_version=__version__,
    )
    report.notices.extend(request.config.notices)

    manifests = find_manifests(root, exclude=request.config.exclude)
    progress.stage("Reading manifests", len(manifests))
    graph = build_graph(manifests, on_parsed=lambda _m: progress.advance())
    report.manifests = [_rel(Path(s), root) for s in _sources(graph, [m.path for m in manifests])]
    if not manifests:
        report.notices.append(f"no manifest or lockfile found under {root}")

    resolve_errors: dict[tuple[Ecosystem, str, str | None], str] = {}
    pending = needs_resolution(graph)
    if pending:
        if request.resolve and registry_for is not None:
            progress.stage("Resolving ranges", len({(k[0], k[1]) for k in pending}))
            outcome = await resolve_ranges(graph, registry_for, on_done=progress.advance)
            resolve_errors = outcome.errors
            if outcome.resolved:
                progress.stage("Resolving their dependencies", None)
                expansion = await expand_transitive(graph, registry_for)
                resolve_errors.update(expansion.errors)
                added = (
                    f", with {expansion.added} dependencies of theirs from registry metadata"
                    if expansion.added
                    else ""
                )
                report.notices.append(
                    f"{outcome.resolved} declared range(s) without a lockfile were resolved to the "
                    f"version that would install today{added}; lock your dependencies for exact "
                    "results"
                )
                if expansion.unknown:
                    report.notices.append(
                        f"the registry did not list the dependencies of {expansion.unknown} "
                        "resolved package(s); their own dependencies are not included"
                    )
                if expansion.truncated:
                    report.notices.append(
                        "the dependency tree was cut at 2,000 packages; use a lockfile"
                    )
        else:
            report.notices.append(
                f"{len(pending)} declared range(s) were not resolved (resolution is off); "
                "they are listed without a version and not checked"
            )

    queries = sorted(
        {
            PackageQuery(node.ecosystem, node.name, node.version)
            for node in graph
            if node.version is not None and node.source is Source.REGISTRY
        }
    )
    progress.stage("Looking up vulnerabilities", None)
    records = await _lookup(queries, sources, report)
    progress.advance()

    today = request.today or date.today()
    chains = graph.chains()
    for node in sorted(graph, key=_node_order):
        report.packages.append(
            _package_report(
                node,
                chains.get(node.key, []),
                root,
                records,
                request.config.ignores,
                today,
                resolve_errors.get(node.key),
            )
        )
    if scorer is not None:
        await _attach_scores(report, graph, queries, scorer, progress)
    report.min_score = request.min_score
    return report


async def _attach_scores(
    report: Report,
    graph: DependencyGraph,
    queries: list[PackageQuery],
    scorer: DependencyScorer,
    progress: Progress,
) -> None:
    progress.stage("Scoring dependencies", None)
    # The findings this check made, ignores applied: an accepted finding does not lower a score.
    findings = {
        PackageQuery(Ecosystem(p.ecosystem), p.name, p.version): p.findings
        for p in report.packages
        if p.version is not None
    }
    scores = await scorer.scores(queries, findings)
    progress.advance()
    by_key: dict[NodeKey, float | None] = {
        (q.ecosystem, q.name, q.version): info.score for q, info in scores.items()
    }
    weakest = weakest_below(graph, by_key)
    for i, pkg in enumerate(report.packages):
        if pkg.version is None:
            continue
        ecosystem = Ecosystem(pkg.ecosystem)
        info = scores.get(PackageQuery(ecosystem, pkg.name, pkg.version))
        key: NodeKey = (ecosystem, pkg.name, pkg.version)
        low = weakest.get(key)
        report.packages[i] = replace(
            pkg,
            score=info.score if info else None,
            score_flags=info.flags if info else (),
            weakest=f"{low[0][1]}@{low[0][2]}" if low else None,
            weakest_score=low[1] if low else None,
        )
    report.scored = True
    unscored = sum(1 for q in queries if scores.get(q) is None or scores[q].score is None)
    if unscored:
        report.notices.append(
            f"{unscored} package(s) have no trust score yet; run `stockade check --scores` "
            "(fetches registry metadata) or `stockade ingest`"
        )


async def _lookup(
    queries: list[PackageQuery], sources: Sequence[VulnerabilitySource], report: Report
) -> Mapping[PackageQuery, list[Vulnerability]]:
    if not queries:
        return {}
    problems: list[str] = []
    for source in sources:
        try:
            if not await source.available():
                problems.append(f"{source.name}: not available")
                continue
            answer = await source.query(queries)
        except OSVError as exc:
            problems.append(str(exc))
            continue
        report.sources.append(source.name)
        return answer
    detail = "; ".join(problems) if problems else "none configured"
    report.notices.append(
        "no vulnerability source could be reached, so no package was checked for "
        f"vulnerabilities ({detail}); run `stockade db import PATH` or `stockade db sync`"
    )
    return {}


def _package_report(
    node: Node,
    chain_to: list[NodeKey],
    root: Path,
    records: Mapping[PackageQuery, list[Vulnerability]],
    ignores: Sequence[Ignore],
    today: date,
    error: str | None,
) -> PackageReport:
    support = ecosystems.get(node.ecosystem)
    findings: list[Finding] = []
    if node.version is not None:
        found = records.get(PackageQuery(node.ecosystem, node.name, node.version), [])
        if found:
            findings = [
                _apply_ignores(f, node.name, ignores, today)
                for f in build_findings(found, node.ecosystem, node.name, node.version)
            ]
    chain = chain_to[:-1] if not node.direct else []
    return PackageReport(
        ecosystem=node.ecosystem.value,
        name=node.name,
        version=node.version,
        purl=support.purl(node.name, node.version),
        direct=node.direct,
        scopes=tuple(sorted(s.value for s in node.scopes)),
        via=tuple(f"{k[1]}@{k[2]}" if k[2] else k[1] for k in chain),
        locations=tuple(_location(loc, root) for loc in node.locations),
        resolution=node.resolution.value,
        spec=node.spec,
        findings=tuple(findings),
        error=error if node.resolution is Resolution.UNRESOLVED else None,
    )


def _apply_ignores(
    finding: Finding, package: str, ignores: Sequence[Ignore], today: date
) -> Finding:
    ids = set(finding.ids)
    for ignore in ignores:
        if ignore.id not in ids:
            continue
        if ignore.package is not None and ignore.package.lower() != package.lower():
            continue
        if ignore.expires is not None and ignore.expires < today:
            continue
        return replace(finding, ignored=ignore)
    return finding


def _node_order(node: Node) -> tuple[str, str, tuple[int, object]]:
    key = ecosystems.get(node.ecosystem).versions.key(node.version) if node.version else None
    return (node.ecosystem.value, node.name, (0, "") if key is None else (1, key))


def _sources(graph: DependencyGraph, found: list[Path]) -> list[str]:
    seen = dict.fromkeys([str(p) for p in found] + graph.sources)
    return list(seen)


def _rel(path: Path, root: Path) -> str:
    base = root if root.is_dir() else root.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _location(loc: Location, root: Path) -> str:
    rel = _rel(Path(loc.path), root)
    return rel if loc.line is None else f"{rel}:{loc.line}"
