"""``--format sarif``: SARIF 2.1.0 for code-scanning interfaces.

One rule per distinct finding id, one result per (package, finding). Ignored findings are
results with an external suppression, so code-scanning tools show them as dismissed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from typing import Any

from stockade.check.model import PackageReport, Report
from stockade.intel.findings import Finding, FindingKind, Severity
from stockade.report._common import (
    advisory_url,
    fix_text,
    relative_uri,
    short_ids,
    split_location,
    timestamp,
    tool_version,
    upgrade_text,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "stockade/v1"
"""The ``partialFingerprints`` key; its value is stable per (purl, finding id)."""
SRCROOT = "%SRCROOT%"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.UNKNOWN: "warning",
    Severity.LOW: "note",
}
"""SARIF result level by severity (malicious findings are always ``error``)."""

DEFAULT_SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.UNKNOWN: "5.0",
    Severity.LOW: "2.0",
}
"""``security-severity`` when a finding has no CVSS score (malicious: ``10.0``)."""


def _level(finding: Finding) -> str:
    return "error" if finding.kind is FindingKind.MALICIOUS else LEVELS[finding.severity]


def _security_severity(finding: Finding) -> str:
    if finding.kind is FindingKind.MALICIOUS:
        return "10.0"
    if finding.score is not None:
        return f"{finding.score:.1f}"
    return DEFAULT_SECURITY_SEVERITY[finding.severity]


def fingerprint(purl: str, finding_id: str) -> str:
    """A stable hash of a package and a finding id."""
    return hashlib.sha256(f"{purl}\0{finding_id}".encode()).hexdigest()


def _rule(finding: Finding) -> dict[str, Any]:
    url = advisory_url(finding)
    summary = finding.summary or finding.id
    malicious = finding.kind is FindingKind.MALICIOUS
    tags = ["security", "malicious" if malicious else "vulnerability", "dependency"]
    help_text = summary
    if finding.aliases:
        help_text += f"\n\nAlso known as: {', '.join(finding.aliases)}."
    if malicious:
        help_text += "\n\nThis package is known to be malicious: remove it."
    elif finding.fixed_versions:
        help_text += f"\n\nFixed in: {fix_text(finding)}."
    help_text += f"\n\nMore: {url}"
    rule: dict[str, Any] = {
        "id": finding.id,
        "name": "MaliciousPackage" if malicious else "VulnerableDependency",
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "helpUri": url,
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _level(finding)},
        "properties": {
            "security-severity": _security_severity(finding),
            "tags": tags,
            "precision": "very-high",
            "aliases": list(finding.aliases),
        },
    }
    if finding.cvss_vector:
        rule["properties"]["cvss_vector"] = finding.cvss_vector
    return rule


def _message(pkg: PackageReport, finding: Finding) -> str:
    version = pkg.version or pkg.spec or "(unknown version)"
    where = f"{pkg.name} {version} ({pkg.ecosystem})"
    path = "a direct dependency" if pkg.direct else "a transitive dependency"
    if pkg.via:
        path += " via " + " > ".join(pkg.via)
    ids = short_ids(finding)
    if finding.kind is FindingKind.MALICIOUS:
        head = f"{where}, {path}, is a known-malicious package ({ids})"
        tail = "Remove it and treat the machines that installed it as compromised."
    else:
        head = f"{where}, {path}, is affected by {ids} [{finding.severity.value}]"
        upgrade = upgrade_text(finding)
        tail = f"{upgrade}." if upgrade else "No fixed version is known."
    summary = f": {finding.summary.rstrip('.')}." if finding.summary else "."
    return f"{head}{summary} {tail}"


def _location(pkg: PackageReport, report: Report) -> dict[str, Any] | None:
    where = pkg.locations[0] if pkg.locations else (report.manifests[0] if report.manifests else "")
    if not where:
        return None
    path, line = split_location(where) if pkg.locations else (where, None)
    uri, relative = relative_uri(path, report.root)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(
    pkg: PackageReport, finding: Finding, rule_index: int, report: Report
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": _level(finding),
        "message": {"text": _message(pkg, finding)},
    }
    location = _location(pkg, report)
    if location is not None:
        result["locations"] = [location]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(pkg.purl, finding.id)}
    result["properties"] = {
        "purl": pkg.purl,
        "ecosystem": pkg.ecosystem,
        "package": pkg.name,
        "version": pkg.version,
        "direct": pkg.direct,
        "via": list(pkg.via),
        "scopes": list(pkg.scopes),
        "fixed_versions": list(finding.fixed_versions),
    }
    if finding.ignored is not None:
        reason = finding.ignored.reason
        if finding.ignored.expires is not None:
            reason += f" (until {finding.ignored.expires.isoformat()})"
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": reason}
        ]
    return result


def sarif_dict(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for pkg in report.packages:
        for finding in pkg.findings:
            if finding.id not in index:
                index[finding.id] = len(rules)
                rules.append(_rule(finding))
            results.append(_result(pkg, finding, index[finding.id], report))
    notifications = [
        {"level": "warning", "message": {"text": notice}} for notice in report.notices
    ] + [
        {"level": "warning", "message": {"text": f"{p.name} ({p.ecosystem}): {p.error}"}}
        for p in report.packages
        if p.error
    ]
    driver: dict[str, Any] = {
        "name": "stockade",
        "version": tool_version(report),
        "semanticVersion": tool_version(report),
        "rules": rules,
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    root = PurePath(report.root)
    if root.is_absolute():
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}}
    if report.generated_at is not None:
        run["invocations"][0]["endTimeUtc"] = timestamp(report.generated_at)
    return {"version": SARIF_VERSION, "$schema": SARIF_SCHEMA, "runs": [run]}


class SarifFormatter:
    """The report as a SARIF 2.1.0 log for code-scanning interfaces."""

    name: str = "sarif"
    media_type: str = "application/sarif+json"

    def render(self, report: Report, *, color: bool = False, width: int | None = None) -> str:
        """The SARIF log as indented JSON, ending in a newline."""
        return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
