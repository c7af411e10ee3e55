"""``--format cyclonedx``: a CycloneDX 1.6 JSON BOM with the findings as vulnerabilities.

Built with ``cyclonedx-python-lib``: one component per package (bom-ref = purl), dependencies
from the ``via`` chains, and one vulnerability per (finding id, package name, fix, ignore).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from decimal import Decimal
from itertools import pairwise
from pathlib import PurePath

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.impact_analysis import ImpactAnalysisAffectedStatus, ImpactAnalysisState
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding, FindingKind, Ignore
from stockade.report._common import (
    OSV_VULNERABILITY_URL,
    advisory_url,
    split_location,
    split_ref,
    tool_version,
    upgrade_text,
)

PROPERTY_PREFIX = "stockade:"
"""Namespace of Stockade's own CycloneDX properties."""
ROOT_REF = "stockade-root"
"""bom-ref of the checked project (``metadata.component``)."""


def alias_source(alias: str) -> VulnerabilitySource:
    """The database an id belongs to, from its prefix."""
    if alias.startswith("GHSA-"):
        return VulnerabilitySource(
            name="GitHub Advisory Database", url=XsUri(f"https://github.com/advisories/{alias}")
        )
    if alias.startswith("CVE-"):
        return VulnerabilitySource(
            name="NVD", url=XsUri(f"https://nvd.nist.gov/vuln/detail/{alias}")
        )
    return VulnerabilitySource(name="OSV", url=XsUri(OSV_VULNERABILITY_URL + alias))


def _component(pkg: PackageReport, bom_ref: str) -> Component:
    group: str | None = None
    name = pkg.name
    if pkg.ecosystem == "npm" and name.startswith("@") and "/" in name:
        group, name = name.split("/", 1)
    scope = (
        ComponentScope.REQUIRED
        if {"prod", "peer"} & set(pkg.scopes) or not pkg.scopes
        else ComponentScope.OPTIONAL
    )
    props = [
        Property(name=PROPERTY_PREFIX + "ecosystem", value=pkg.ecosystem),
        Property(name=PROPERTY_PREFIX + "direct", value=str(pkg.direct).lower()),
        Property(name=PROPERTY_PREFIX + "resolution", value=pkg.resolution),
        *(Property(name=PROPERTY_PREFIX + "scope", value=s) for s in pkg.scopes),
    ]
    if pkg.spec:
        props.append(Property(name=PROPERTY_PREFIX + "spec", value=pkg.spec))
    if pkg.error:
        props.append(Property(name=PROPERTY_PREFIX + "error", value=pkg.error))
    evidence = None
    if pkg.locations:
        occurrences = []
        for loc in pkg.locations:
            path, line = split_location(loc)
            occurrences.append(Occurrence(location=path, line=line))
        evidence = ComponentEvidence(occurrences=occurrences)
    try:
        purl: PackageURL | None = PackageURL.from_string(pkg.purl)
    except ValueError:
        purl = None
    return Component(
        type=ComponentType.LIBRARY,
        name=name,
        group=group,
        version=pkg.version,
        purl=purl,
        bom_ref=bom_ref,
        scope=scope,
        evidence=evidence,
        properties=props,
    )


def _severity(finding: Finding) -> VulnerabilitySeverity:
    return VulnerabilitySeverity(finding.severity.value)


def _rating(finding: Finding) -> VulnerabilityRating:
    if finding.score is None and not finding.cvss_vector:
        return VulnerabilityRating(severity=_severity(finding))
    method = (
        VulnerabilityScoreSource.get_from_vector(finding.cvss_vector)
        if finding.cvss_vector
        else VulnerabilityScoreSource.OTHER
    )
    return VulnerabilityRating(
        source=alias_source(finding.id),
        score=Decimal(str(finding.score)) if finding.score is not None else None,
        severity=_severity(finding),
        method=method,
        vector=finding.cvss_vector,
    )


def _recommendation(finding: Finding, name: str) -> str | None:
    if finding.kind is FindingKind.MALICIOUS:
        return f"Remove {name}: it is known to be malicious."
    return upgrade_text(finding) or None


def _analysis(ignore: Ignore) -> VulnerabilityAnalysis:
    detail = f"Ignored by configuration: {ignore.reason}"
    if ignore.expires is not None:
        detail += f" (until {ignore.expires.isoformat()})"
    return VulnerabilityAnalysis(state=ImpactAnalysisState.NOT_AFFECTED, detail=detail)


def _vulnerability(
    finding: Finding, name: str, targets: Iterable[tuple[str, str | None]], bom_ref: str
) -> Vulnerability:
    props = [Property(name=PROPERTY_PREFIX + "kind", value=finding.kind.value)]
    return Vulnerability(
        bom_ref=bom_ref,
        id=finding.id,
        source=alias_source(finding.id),
        references=[VulnerabilityReference(id=a, source=alias_source(a)) for a in finding.aliases],
        ratings=[_rating(finding)],
        description=finding.summary or None,
        recommendation=_recommendation(finding, name),
        advisories=[VulnerabilityAdvisory(url=XsUri(advisory_url(finding)))],
        analysis=_analysis(finding.ignored) if finding.ignored is not None else None,
        affects=[
            BomTarget(
                ref=ref,
                versions=[
                    BomTargetVersionRange(
                        version=version, status=ImpactAnalysisAffectedStatus.AFFECTED
                    )
                ]
                if version
                else None,
            )
            for ref, version in targets
        ],
        properties=props,
    )


def build_bom(report: Report) -> Bom:
    """The report as a CycloneDX BOM model."""
    bom = Bom()
    if report.generated_at is not None:
        bom.metadata.timestamp = report.generated_at
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="stockade", version=tool_version(report))
    )
    root = Component(
        type=ComponentType.APPLICATION,
        name=PurePath(report.root).name or report.root,
        bom_ref=ROOT_REF,
    )
    bom.metadata.component = root

    components: dict[int, Component] = {}
    by_ref: dict[tuple[str, str, str | None], Component] = {}
    used_refs: set[str] = {ROOT_REF}
    for i, pkg in enumerate(report.packages):
        ref, n = pkg.purl, 1
        while ref in used_refs:
            n += 1
            ref = f"{pkg.purl}#{n}"
        used_refs.add(ref)
        comp = _component(pkg, ref)
        components[i] = comp
        by_ref.setdefault((pkg.ecosystem, pkg.name, pkg.version), comp)
        bom.components.add(comp)

    edges: dict[str, set[str]] = {}
    refs: dict[str, Component] = {ROOT_REF: root}
    for i, pkg in enumerate(report.packages):
        comp = components[i]
        refs[str(comp.bom_ref)] = comp
        if pkg.direct:
            edges.setdefault(ROOT_REF, set()).add(str(comp.bom_ref))
        chain: list[Component] = []
        for link in pkg.via:
            found = by_ref.get((pkg.ecosystem, *split_ref(link)))
            if found is not None:
                chain.append(found)
        chain.append(comp)
        for parent, child in pairwise(chain):
            if parent is not child:
                edges.setdefault(str(parent.bom_ref), set()).add(str(child.bom_ref))
    for parent_ref, kids in sorted(edges.items()):
        bom.register_dependency(refs[parent_ref], [refs[k] for k in sorted(kids)])

    groups: dict[tuple[str, str, tuple[str, ...], Ignore | None], list[int]] = {}
    first: dict[tuple[str, str, tuple[str, ...], Ignore | None], Finding] = {}
    for i, pkg in enumerate(report.packages):
        for finding in pkg.findings:
            key = (finding.id, pkg.name, finding.fixed_versions, finding.ignored)
            groups.setdefault(key, []).append(i)
            first.setdefault(key, finding)
    for key, members in groups.items():
        targets = [(str(components[i].bom_ref), report.packages[i].version) for i in members]
        ref, n = key[0], 1
        while ref in used_refs:
            n += 1
            ref = f"{key[0]}#{n}"
        used_refs.add(ref)
        bom.vulnerabilities.add(_vulnerability(first[key], key[1], targets, ref))
    return bom


class CycloneDxFormatter:
    """The report as a CycloneDX 1.6 JSON BOM with vulnerabilities."""

    name: str = "cyclonedx"
    media_type: str = "application/vnd.cyclonedx+json"

    def render(self, report: Report, *, color: bool = False, width: int | None = None) -> str:
        """The BOM as indented CycloneDX 1.6 JSON, ending in a newline."""
        bom = build_bom(report)
        with warnings.catch_warnings():
            # Packages whose path from a direct dependency is unknown leave the graph partial;
            # that is what the report knows, not a defect of the BOM.
            warnings.filterwarnings(
                "ignore", message="The Component this BOM is describing", category=UserWarning
            )
            text = JsonV1Dot6(bom).output_as_string(indent=2)
        return text + "\n"
