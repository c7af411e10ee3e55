"""Scoring a package version: gather its facts, score the components, combine, suggest.

``gather`` is the only part that does I/O (registry, vulnerability sources, archive scan,
store); ``score_facts`` is pure apart from asking the store for alternatives, so stored facts
can be rescored quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from stockade.ecosystems.interface import Ecosystem, PackageInfo, Registry
from stockade.errors import OSVError, RegistryError, StockadeError
from stockade.http import HttpClient
from stockade.intel.findings import Finding
from stockade.intel.osv.findings import build_findings
from stockade.intel.osv.source import PackageQuery, VulnerabilitySource
from stockade.scoring.alternatives import suggest
from stockade.scoring.archives import ArchiveJudge
from stockade.scoring.combine import build_report, overall
from stockade.scoring.components import default_scorers
from stockade.scoring.facts import PackageFacts, SameOrigin
from stockade.scoring.interface import ComponentScorer, ScoreStore
from stockade.scoring.model import TrustReport
from stockade.scoring.validate import Target


def popularity(ecosystem: Ecosystem, name: str) -> int | None:
    """The package's figure in the popular lists, or ``None`` when it is not among them."""
    from stockade.scoring.names.popular import popular_names

    return popular_names(ecosystem).popularity(name)


def score_facts(
    facts: PackageFacts,
    *,
    store: ScoreStore | None = None,
    scorers: Sequence[ComponentScorer] | None = None,
    now: datetime | None = None,
) -> TrustReport:
    """The trust report of a version from its facts."""
    chosen = scorers if scorers is not None else default_scorers()
    components = [scorer(facts) for scorer in chosen]
    score, _ = overall(components)
    alternatives = suggest(facts, components, score if facts.package else None, store)
    return build_report(facts, components, alternatives=alternatives, computed_at=now)


@dataclass
class Gatherer:
    """Collects the facts of package versions from the registries, intel and archives."""

    registry_for: Callable[[Ecosystem], Registry]
    sources: Sequence[VulnerabilitySource] = ()
    archives: ArchiveJudge | None = None
    store: ScoreStore | None = None
    http: HttpClient | None = None
    """When given, the scored version's build provenance is fetched and verified (Sigstore)."""

    async def facts(self, target: Target, *, now: datetime | None = None) -> PackageFacts:
        """Everything known of the version ``target`` names (the latest when it names none).

        Never raises for a problem of the package or a service: the facts say what is
        missing (``problems``) and the report is marked incomplete.
        """
        now = now or datetime.now(UTC)
        base = PackageFacts(
            ecosystem=target.ecosystem,
            name=target.name,
            version=None,
            package=None,
            popularity=popularity(target.ecosystem, target.name),
            as_of=now,
        )
        registry = self.registry_for(target.ecosystem)
        try:
            package = await registry.package(target.name)
        except RegistryError as exc:
            return replace(base, problems=(f"registry error: {exc}",))
        if package is None:
            return replace(
                base,
                problems=(f"the {target.ecosystem.value} registry does not know {target.name!r}",),
            )
        version = self._pick_version(package, target.version)
        if version is None:
            wanted = target.version or "latest"
            return replace(
                base,
                problems=(
                    f"the {target.ecosystem.value} registry has no version {wanted} of "
                    f"{target.name!r}",
                ),
                version=target.version,
            )
        problems: list[str] = []
        package = await self._with_provenance(registry, package, version, problems)
        if self.http is not None:
            package = await self._verified(package, version, self.http, problems)
        facts = replace(base, package=package, version=version, name=package.name)
        findings = await self._findings(facts, problems)
        archive = None
        if self.archives is not None:
            archive, why = await self.archives.judge(facts.purl)
            if why:
                problems.append(why)
        facts = replace(
            facts,
            findings=findings,
            archive=archive,
            same_origin=self._same_origin(facts),
            problems=tuple(problems),
        )
        return facts

    @staticmethod
    def _pick_version(package: PackageInfo, wanted: str | None) -> str | None:
        if wanted is None:
            return package.latest if package.latest in package.versions else None
        if wanted in package.versions:
            return wanted
        from stockade import ecosystems

        scheme = ecosystems.get(package.ecosystem).versions
        for known in package.versions:
            valid = scheme.is_valid(known) and scheme.is_valid(wanted)
            if valid and scheme.key(known) == scheme.key(wanted):
                return known
        return None

    @staticmethod
    async def _with_provenance(
        registry: Registry, package: PackageInfo, version: str, problems: list[str]
    ) -> PackageInfo:
        """The package with provenance references filled where the registry gives them apart
        (PyPI's index), and the publisher the scored version's attestation claims."""
        enrich = getattr(registry, "with_provenance", None)
        if enrich is None:
            return package
        try:
            enriched: PackageInfo = await enrich(package)
        except StockadeError as exc:
            problems.append(f"provenance not read: {exc}")
            return package
        info = enriched.versions.get(version)
        claim = getattr(registry, "attestation_publisher", None)
        if claim is None or info is None or not info.provenance:
            return enriched
        first = info.provenance[0]
        if first.url is None or first.source_repository is not None:
            return enriched
        try:
            publisher = await claim(first.url)
        except StockadeError as exc:
            problems.append(f"provenance publisher not read: {exc}")
            return enriched
        if publisher is None:
            return enriched
        repository, workflow = publisher
        refs = tuple(
            replace(ref, source_repository=repository, workflow=workflow) for ref in info.provenance
        )
        versions = {**enriched.versions, version: replace(info, provenance=refs)}
        return replace(enriched, versions=versions)

    @staticmethod
    async def _verified(
        package: PackageInfo, version: str, http: HttpClient, problems: list[str]
    ) -> PackageInfo:
        """The package with the scored version's provenance verified (PEP 740, npm)."""
        info = package.versions.get(version)
        if info is None or not info.provenance:
            return package
        from stockade.provenance.packages import verify_provenance

        try:
            return await verify_provenance(package, version, http)
        except StockadeError as exc:
            problems.append(f"provenance not verified: {exc}")
            return package

    async def _findings(
        self, facts: PackageFacts, problems: list[str]
    ) -> tuple[Finding, ...] | None:
        assert facts.version is not None
        query = PackageQuery(facts.ecosystem, facts.name, facts.version)
        reasons: list[str] = []
        for source in self.sources:
            try:
                if not await source.available():
                    reasons.append(f"{source.name}: not available")
                    continue
                answer = await source.query([query])
            except OSVError as exc:
                reasons.append(str(exc))
                continue
            records = answer.get(query, [])
            return tuple(build_findings(records, facts.ecosystem, facts.name, facts.version))
        detail = "; ".join(reasons) if reasons else "none configured"
        problems.append(f"no vulnerability source answered ({detail})")
        return None

    def _same_origin(self, facts: PackageFacts) -> SameOrigin | None:
        package = facts.package
        if self.store is None or package is None or not package.source_repository:
            return None
        others, indexed = self.store.same_origin(
            facts.ecosystem.value, facts.name, package.source_repository
        )
        return SameOrigin(
            repository=package.source_repository, others=tuple(others), indexed=indexed
        )


def refresh_same_origin(facts: PackageFacts, store: ScoreStore) -> PackageFacts:
    """The facts with the same-origin answer the store gives now (it learns as it ingests)."""
    package = facts.package
    if package is None or not package.source_repository:
        return facts
    others, indexed = store.same_origin(
        facts.ecosystem.value, facts.name, package.source_repository
    )
    return replace(
        facts,
        same_origin=SameOrigin(
            repository=package.source_repository, others=tuple(others), indexed=indexed
        ),
    )
