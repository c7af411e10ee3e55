"""The ``stockade.check/v1`` JSON contract."""

from __future__ import annotations

import json
from typing import Any

from stockade.check.model import Report
from stockade.report.json_format import SCHEMA, JsonFormatter
from tests.report import sample

TOP_KEYS = [
    "schema",
    "tool",
    "generated_at",
    "root",
    "manifests",
    "sources",
    "notices",
    "summary",
    "packages",
]
PACKAGE_KEYS = [
    "ecosystem",
    "name",
    "version",
    "purl",
    "direct",
    "scopes",
    "via",
    "locations",
    "resolution",
    "spec",
    "error",
    "findings",
    "score",
    "score_flags",
    "weakest",
]
FINDING_KEYS = [
    "id",
    "aliases",
    "kind",
    "summary",
    "severity",
    "score",
    "cvss_vector",
    "fixed_versions",
    "url",
    "ignored",
]


def _render(report: Report) -> dict[str, Any]:
    data = json.loads(JsonFormatter().render(report))
    assert isinstance(data, dict)
    return data


def test_top_level_contract(full_report: Report) -> None:
    data = _render(full_report)
    assert list(data) == TOP_KEYS
    assert data["schema"] == SCHEMA == "stockade.check/v1"
    assert data["tool"] == {"name": "stockade", "version": "0.1.0"}
    assert data["generated_at"] == "2026-03-01T12:30:00Z"
    assert data["root"] == "project"
    assert data["manifests"] == full_report.manifests
    assert data["sources"] == ["local OSV database (12,718 records)"]
    assert data["notices"] == full_report.notices


def test_summary(full_report: Report) -> None:
    assert _render(full_report)["summary"] == {
        "packages": 7,
        "vulnerable_packages": 5,
        "findings": 6,
        "ignored": 1,
        "by_severity": {"critical": 2, "high": 1, "medium": 1, "low": 1, "unknown": 1},
        "malicious": 1,
        "errors": 1,
        "min_score": None,
        "below_min_score": [],
    }


def test_every_package_is_listed_sorted(full_report: Report) -> None:
    packages = _render(full_report)["packages"]
    assert [(p["ecosystem"], p["name"]) for p in packages] == [
        ("npm", "@scope/widget"),
        ("npm", "evil-colors"),
        ("npm", "left-pad"),
        ("npm", "lodash"),
        ("PyPI", "pytest"),
        ("PyPI", "requests"),
        ("PyPI", "urllib3"),
    ]
    for pkg in packages:
        assert list(pkg) == PACKAGE_KEYS
        for finding in pkg["findings"]:
            assert list(finding) == FINDING_KEYS
    clean = packages[0]
    assert clean["findings"] == []
    assert clean["purl"] == "pkg:npm/%40scope/widget@1.0.0"


def test_package_fields(full_report: Report) -> None:
    packages = {p["name"]: p for p in _render(full_report)["packages"]}
    lodash = packages["lodash"]
    assert lodash["direct"] is False
    assert lodash["via"] == ["@scope/widget@1.0.0", "evil-colors@1.4.1"]
    assert lodash["locations"] == ["package-lock.json:88"]
    assert [f["id"] for f in lodash["findings"]] == ["GHSA-35jh-r3h4-6jhm", "GHSA-aaaa-bbbb-cccc"]
    left_pad = packages["left-pad"]
    assert left_pad["version"] is None
    assert left_pad["resolution"] == "unresolved"
    assert left_pad["spec"] == "^9.0.0"
    assert left_pad["error"] == "no version of left-pad matches ^9.0.0"
    assert left_pad["scopes"] == ["dev"]
    assert packages["requests"]["resolution"] == "resolved"


def test_finding_fields(full_report: Report) -> None:
    packages = {p["name"]: p for p in _render(full_report)["packages"]}
    requests = packages["requests"]["findings"][0]
    assert requests == {
        "id": "GHSA-j8r2-6x86-q33q",
        "aliases": ["CVE-2023-32681", "PYSEC-2023-74"],
        "kind": "vulnerability",
        "summary": sample.REQUESTS_VULN.summary,
        "severity": "medium",
        "score": 6.1,
        "cvss_vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
        "fixed_versions": ["2.31.0"],
        "url": "https://github.com/advisories/GHSA-j8r2-6x86-q33q",
        "ignored": None,
    }
    urllib3 = {f["id"]: f for f in packages["urllib3"]["findings"]}
    assert urllib3["GHSA-v845-jxx5-vc9f"]["ignored"] == {
        "reason": "we never send cookies through urllib3",
        "expires": "2030-01-31",
    }
    assert urllib3["GHSA-v845-jxx5-vc9f"]["fixed_versions"] == ["1.26.17", "2.0.6"]
    malicious = packages["evil-colors"]["findings"][0]
    assert (malicious["kind"], malicious["severity"], malicious["score"]) == (
        "malicious",
        "critical",
        None,
    )


def test_no_finding_is_lost(full_report: Report) -> None:
    ids = [f["id"] for p in _render(full_report)["packages"] for f in p["findings"]]
    assert sorted(ids) == sorted(f.id for f in sample.ALL_FINDINGS)


def test_empty_report(empty_report: Report) -> None:
    data = _render(empty_report)
    assert data["summary"]["findings"] == 0
    assert data["summary"]["by_severity"] == dict.fromkeys(
        ["critical", "high", "medium", "low", "unknown"], 0
    )
    assert len(data["packages"]) == 1
    assert data["notices"] == []


def test_output_is_indented_and_stable(full_report: Report) -> None:
    text = JsonFormatter().render(full_report)
    assert text.startswith('{\n  "schema": "stockade.check/v1",\n')
    shuffled = sample.full()
    shuffled.packages.reverse()
    assert JsonFormatter().render(shuffled) == text


def test_scores_and_min_score(full_report: Report) -> None:
    from dataclasses import replace

    full_report.packages = [
        replace(p, score=2.5, score_flags=("typosquat",))
        if p.name == "evil-colors"
        else replace(p, score=8.0, weakest="evil-colors@1.4.1", weakest_score=2.5)
        if p.name == "@scope/widget"
        else p
        for p in full_report.packages
    ]
    full_report.min_score = 4.0
    data = _render(full_report)
    packages = {p["name"]: p for p in data["packages"]}
    assert packages["evil-colors"]["score"] == 2.5
    assert packages["evil-colors"]["score_flags"] == ["typosquat"]
    assert packages["@scope/widget"]["weakest"] == {"package": "evil-colors@1.4.1", "score": 2.5}
    assert packages["pytest"]["score"] is None and packages["pytest"]["weakest"] is None
    assert data["summary"]["min_score"] == 4.0
    assert data["summary"]["below_min_score"] == ["pkg:npm/evil-colors@1.4.1"]
    assert full_report.fails(None)
