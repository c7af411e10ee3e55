"""``--format json``: the stable machine contract ``stockade.check/v1``.

Documented field by field in ``docs/formats.md``. Keys keep a fixed order; packages are sorted
by ecosystem and name (versions keep the report's order), findings most severe first.
"""

from __future__ import annotations

import json
from typing import Any

from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding
from stockade.report._common import ordered_scopes, summarize, timestamp, tool_version

SCHEMA = "stockade.check/v1"
"""The value of the top-level ``schema`` key; bumped on incompatible changes."""


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON contract spells it."""
    ignored = finding.ignored
    return {
        "id": finding.id,
        "aliases": list(finding.aliases),
        "kind": finding.kind.value,
        "summary": finding.summary,
        "severity": finding.severity.value,
        "score": finding.score,
        "cvss_vector": finding.cvss_vector,
        "fixed_versions": list(finding.fixed_versions),
        "url": finding.url,
        "ignored": None
        if ignored is None
        else {
            "reason": ignored.reason,
            "expires": ignored.expires.isoformat() if ignored.expires else None,
        },
    }


def package_dict(pkg: PackageReport) -> dict[str, Any]:
    """One package as the JSON contract spells it."""
    findings = sorted(pkg.findings, key=lambda f: -f.severity.rank)
    return {
        "ecosystem": pkg.ecosystem,
        "name": pkg.name,
        "version": pkg.version,
        "purl": pkg.purl,
        "direct": pkg.direct,
        "scopes": ordered_scopes(pkg.scopes),
        "via": list(pkg.via),
        "locations": list(pkg.locations),
        "resolution": pkg.resolution,
        "spec": pkg.spec,
        "error": pkg.error,
        "findings": [finding_dict(f) for f in findings],
        "score": pkg.score,
        "score_flags": list(pkg.score_flags),
        "weakest": ({"package": pkg.weakest, "score": pkg.weakest_score} if pkg.weakest else None),
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as the JSON contract spells it."""
    s = summarize(report)
    packages = sorted(report.packages, key=lambda p: (p.ecosystem.lower(), p.name))
    return {
        "schema": SCHEMA,
        "tool": {"name": "stockade", "version": tool_version(report)},
        "generated_at": timestamp(report.generated_at),
        "root": report.root,
        "manifests": list(report.manifests),
        "sources": list(report.sources),
        "notices": list(report.notices),
        "summary": {
            "packages": s.packages,
            "vulnerable_packages": s.vulnerable_packages,
            "findings": s.findings,
            "ignored": s.ignored,
            "by_severity": s.by_severity,
            "malicious": s.malicious,
            "errors": s.errors,
            "min_score": report.min_score,
            "below_min_score": [p.purl for p in report.below_min_score()],
        },
        "packages": [package_dict(p) for p in packages],
    }


class JsonFormatter:
    """The report as ``stockade.check/v1`` JSON."""

    name: str = "json"
    media_type: str = "application/json"

    def render(self, report: Report, *, color: bool = False, width: int | None = None) -> str:
        """The report as indented JSON, ending in a newline."""
        return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
