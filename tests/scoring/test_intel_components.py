"""The malicious and vulnerabilities components, from real-shaped findings and verdicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from stockade.ecosystems.interface import Ecosystem, PackageInfo, VersionInfo
from stockade.intel.findings import Finding, FindingKind, Ignore, Severity
from stockade.scoring.components.malicious import MALICIOUS, SUSPICIOUS_CAP
from stockade.scoring.components.vulnerabilities import VULNERABILITIES
from stockade.scoring.facts import ArchiveSummary, PackageFacts
from stockade.scoring.model import Confidence, FlagLevel

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def facts(
    name: str,
    version: str,
    findings: tuple[Finding, ...] | None = (),
    archive: ArchiveSummary | None = None,
) -> PackageFacts:
    package = PackageInfo(
        Ecosystem.PYPI,
        name,
        {version: VersionInfo(Ecosystem.PYPI, name, version)},
        latest=version,
    )
    return PackageFacts(
        Ecosystem.PYPI, name, version, package, findings=findings, archive=archive, as_of=NOW
    )


MAL = Finding(
    id="MAL-2024-4720",
    aliases=(),
    kind=FindingKind.MALICIOUS,
    summary="Malicious code in 1337test (PyPI)",
    severity=Severity.CRITICAL,
)
# Real records: jinja2 3.1.2 is affected by these (PYSEC-less GHSA ids, as the OSV API returns).
XSS = Finding(
    id="GHSA-h5c8-rqwp-cp95",
    aliases=("CVE-2024-22195",),
    kind=FindingKind.VULNERABILITY,
    summary="Jinja vulnerable to HTML attribute injection when passing user input as keys to "
    "xmlattr filter",
    severity=Severity.MEDIUM,
    score=5.4,
    fixed_versions=("3.1.3",),
)
SANDBOX = Finding(
    id="GHSA-q2x7-8rv6-6q7h",
    aliases=("CVE-2024-56201",),
    kind=FindingKind.VULNERABILITY,
    summary="Jinja has a sandbox breakout through indirect reference to format method",
    severity=Severity.HIGH,
    score=8.8,
    fixed_versions=("3.1.5",),
)
NOFIX = Finding(
    id="PYSEC-2023-0000",
    aliases=(),
    kind=FindingKind.VULNERABILITY,
    summary="A critical flaw without a fixed release",
    severity=Severity.CRITICAL,
)


def test_malicious_record_blocks() -> None:
    component = MALICIOUS(facts("1337test", "1", (MAL,)))
    assert component.score == 0.0
    assert component.flags[0].level is FlagLevel.BLOCK
    assert "MAL-2024-4720" in component.flags[0].message
    assert component.evidence[0].value == ["MAL-2024-4720"]


def test_malicious_archive_verdict_blocks_even_without_records() -> None:
    archive = ArchiveSummary(
        "malicious", 9.5, ("setup.py reads ~/.aws/credentials and posts them to a webhook",)
    )
    component = MALICIOUS(facts("colourama", "0.1", None, archive))
    assert component.score == 0.0
    assert component.flags[0].code == "malicious-archive"
    assert "webhook" in component.flags[0].message
    assert component.confidence is Confidence.HIGH


def test_suspicious_archive_lowers_and_caps() -> None:
    archive = ArchiveSummary("suspicious", 6.0, ("decodes and runs a base64 payload",))
    component = MALICIOUS(facts("pkg", "1.0", (), archive))
    assert component.score == 4.0
    assert component.flags[0].level is FlagLevel.CAP
    assert component.flags[0].cap == SUSPICIOUS_CAP


def test_benign_confidence_depends_on_what_was_available() -> None:
    benign = ArchiveSummary("benign", 0.4, (), ("requests-2.32.3.tar.gz",))
    assert MALICIOUS(facts("requests", "2.32.3", (), benign)).confidence is Confidence.HIGH
    only_records = MALICIOUS(facts("requests", "2.32.3", ()))
    assert only_records.score == 10.0
    assert only_records.confidence is Confidence.MEDIUM
    assert "not scanned" in only_records.summary
    assert MALICIOUS(facts("requests", "2.32.3", None)).score is None


def test_vulnerability_points_by_severity_and_fix() -> None:
    component = VULNERABILITIES(facts("jinja2", "3.1.2", (XSS, SANDBOX)))
    # high 3 + medium 1.5, both fixed
    assert component.score == 5.5
    assert [e.value["id"] for e in component.evidence] == [SANDBOX.id, XSS.id]
    assert "fixed in 3.1.5" in component.evidence[0].message
    assert component.summary.startswith("2 open vulnerabilities (worst high); 2 fixed")
    no_fix = VULNERABILITIES(facts("x", "1.0", (NOFIX,)))
    assert no_fix.score == 5.0  # critical without a fix: 4 x 1.25
    assert "no fixed version yet" in no_fix.evidence[0].message


def test_vulnerabilities_ignore_accepted_and_malicious_findings() -> None:
    accepted = replace(XSS, ignored=Ignore(XSS.id, "not used"))
    component = VULNERABILITIES(facts("jinja2", "3.1.2", (accepted, MAL)))
    assert component.score == 10.0
    assert VULNERABILITIES(facts("jinja2", "3.1.2", None)).score is None
    many = VULNERABILITIES(facts("x", "1.0", (NOFIX, NOFIX, NOFIX)))
    assert many.score == 0.0


def test_open_critical_or_high_vulnerabilities_cap_the_overall_score() -> None:
    component = VULNERABILITIES(facts("jinja2", "3.1.2", (XSS, SANDBOX)))
    assert [(f.code, f.cap) for f in component.flags] == [("high-vulnerability", 7.0)]
    assert "GHSA-q2x7-8rv6-6q7h" in component.flags[0].message
    assert "3.1.5 fixes them all" in component.flags[0].message
    critical = VULNERABILITIES(facts("x", "1.0", (NOFIX, XSS)))
    assert [(f.code, f.cap) for f in critical.flags] == [("critical-vulnerability", 5.0)]
    assert "no fixed version exists" in critical.flags[0].message
    assert not VULNERABILITIES(facts("jinja2", "3.1.2", (XSS,))).flags
