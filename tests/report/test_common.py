"""Helpers shared by the formats."""

from __future__ import annotations

from dataclasses import replace

from stockade.check.model import Report
from stockade.intel.findings import Finding, FindingKind, Severity
from stockade.report._common import (
    by_urgency,
    relative_uri,
    short_ids,
    split_location,
    split_ref,
    summarize,
    timestamp,
    upgrade_text,
    version_text,
    via_text,
)
from tests.report import sample


def _finding(id_: str, *aliases: str) -> Finding:
    return Finding(
        id=id_, aliases=aliases, kind=FindingKind.VULNERABILITY, summary="", severity=Severity.LOW
    )


def test_short_ids_prefers_a_cve_alias_and_counts_the_rest() -> None:
    assert short_ids(_finding("GHSA-xxxx")) == "GHSA-xxxx"
    assert short_ids(_finding("GHSA-xxxx", "CVE-2021-1234")) == "GHSA-xxxx (CVE-2021-1234)"
    assert short_ids(_finding("PYSEC-1", "CVE-1", "GHSA-2")) == "PYSEC-1 (CVE-1, +1)"
    assert short_ids(_finding("PYSEC-1", "GHSA-2", "OSV-3")) == "PYSEC-1 (GHSA-2, +1)"
    assert short_ids(_finding("CVE-1", "CVE-2", "GHSA-2")) == "CVE-1 (CVE-2, +1)"


def test_split_location_and_ref() -> None:
    assert split_location("requirements.txt:12") == ("requirements.txt", 12)
    assert split_location("requirements.txt") == ("requirements.txt", None)
    assert split_location("C:\\proj\\package.json") == ("C:\\proj\\package.json", None)
    assert split_ref("@scope/widget@1.0.0") == ("@scope/widget", "1.0.0")
    assert split_ref("requests@2.25.0") == ("requests", "2.25.0")
    assert split_ref("@scope/widget") == ("@scope/widget", None)


def test_relative_uri() -> None:
    assert relative_uri("project/requirements.txt", "project") == ("requirements.txt", True)
    assert relative_uri("requirements.txt", ".") == ("requirements.txt", True)
    assert relative_uri("/srv/app/sub dir/package.json", "/srv/app") == (
        "sub%20dir/package.json",
        True,
    )
    uri, relative = relative_uri("/elsewhere/package.json", "/srv/app")
    assert (uri, relative) == ("file:///elsewhere/package.json", False)


def test_summarize_counts_every_kind(full_report: Report) -> None:
    s = summarize(full_report)
    assert s.packages == 7
    assert s.vulnerable_packages == 5
    assert s.findings == 6
    assert s.vulnerabilities == 5
    assert s.packages_with_vulnerabilities == 4
    assert s.malicious == 1
    assert s.ignored == 1
    assert s.errors == 1
    assert s.by_severity == {"critical": 2, "high": 1, "medium": 1, "low": 1, "unknown": 1}
    assert s.vulnerabilities_by_severity["critical"] == 1
    assert sum(s.by_severity.values()) == s.findings == full_report.findings_count


def test_texts_for_people(full_report: Report) -> None:
    by_name = {p.name: p for p in full_report.packages}
    assert version_text(by_name["requests"]) == "2.25.0 (resolved)"
    assert version_text(by_name["left-pad"]) == "^9.0.0 (unresolved)"
    assert via_text(by_name["requests"]) == "direct"
    assert via_text(by_name["lodash"]) == "via @scope/widget@1.0.0 > evil-colors@1.4.1"
    long = replace(by_name["lodash"], via=("a@1", "b@2", "c@3", "d@4"))
    assert via_text(long, max_links=3) == "via a@1 > … > c@3 > d@4"
    assert upgrade_text(sample.URLLIB3_IGNORED) == "Upgrade to 1.26.17 or 2.0.6"
    assert upgrade_text(sample.PYTEST_VULN) == ""


def test_by_urgency_puts_malicious_first(full_report: Report) -> None:
    names = [p.name for p in by_urgency(full_report.packages)]
    assert names == ["evil-colors", "lodash", "urllib3", "requests", "pytest"]


def test_timestamp_is_utc() -> None:
    from datetime import datetime, timedelta, timezone

    when = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    assert timestamp(when) == "2026-03-01T12:30:00Z"
    assert timestamp(datetime(2026, 3, 1, 12, 30)) == "2026-03-01T12:30:00Z"
    assert timestamp(None) is None
