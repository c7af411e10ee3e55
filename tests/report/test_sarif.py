"""SARIF 2.1.0 output for code-scanning interfaces."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from stockade.check.model import Report
from stockade.report.sarif import FINGERPRINT_KEY, SarifFormatter, fingerprint
from tests.report import sample


def _render(report: Report) -> dict[str, Any]:
    data = json.loads(SarifFormatter().render(report))
    assert isinstance(data, dict)
    return data


def assert_valid_sarif(log: dict[str, Any]) -> None:
    """The properties SARIF 2.1.0 requires, and rule references that resolve."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list)
    assert log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str)
        assert driver["name"]
        rules = driver.get("rules", [])
        rule_ids = [r["id"] for r in rules]
        assert len(rule_ids) == len(set(rule_ids))
        for rule in rules:
            assert isinstance(rule["id"], str)
            float(rule["properties"]["security-severity"])
        for result in run["results"]:
            assert isinstance(result["message"]["text"], str)
            assert result["message"]["text"]
            assert result["ruleId"] in rule_ids
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert result["level"] in {"none", "note", "warning", "error"}
            for location in result.get("locations", []):
                physical = location["physicalLocation"]
                assert physical["artifactLocation"]["uri"]
                if "region" in physical:
                    assert physical["region"]["startLine"] >= 1
            for suppression in result.get("suppressions", []):
                assert suppression["kind"] in {"inSource", "external"}
        for invocation in run.get("invocations", []):
            assert isinstance(invocation["executionSuccessful"], bool)


def test_shape_is_valid(full_report: Report, empty_report: Report) -> None:
    assert_valid_sarif(_render(full_report))
    empty = _render(empty_report)
    assert_valid_sarif(empty)
    assert empty["runs"][0]["results"] == []


def test_one_rule_per_finding_id(full_report: Report) -> None:
    shared = replace(
        full_report.packages[0], findings=(sample.LODASH_VULN,), purl="pkg:npm/other@1"
    )
    full_report.packages.append(shared)
    run = _render(full_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert sorted(r["id"] for r in rules) == sorted(f.id for f in sample.ALL_FINDINGS)
    assert sum(r["ruleId"] == "GHSA-35jh-r3h4-6jhm" for r in run["results"]) == 2


def test_rules_carry_description_link_and_severity(full_report: Report) -> None:
    rules = {r["id"]: r for r in _render(full_report)["runs"][0]["tool"]["driver"]["rules"]}
    lodash = rules["GHSA-35jh-r3h4-6jhm"]
    assert lodash["shortDescription"]["text"] == "Command Injection in lodash"
    assert lodash["helpUri"] == "https://github.com/advisories/GHSA-35jh-r3h4-6jhm"
    assert lodash["properties"]["security-severity"] == "9.1"
    assert "security" in lodash["properties"]["tags"]
    # No score: a default per severity level; no url: the OSV page.
    assert rules["GHSA-v845-jxx5-vc9f"]["properties"]["security-severity"] == "8.0"
    unknown = rules["GHSA-aaaa-bbbb-cccc"]
    assert unknown["helpUri"] == "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc"
    assert rules["MAL-2024-1234"]["properties"]["security-severity"] == "10.0"
    assert "malicious" in rules["MAL-2024-1234"]["properties"]["tags"]


def test_results(full_report: Report) -> None:
    results = _render(full_report)["runs"][0]["results"]
    assert len(results) == len(sample.ALL_FINDINGS)
    by_id = {r["ruleId"]: r for r in results}
    levels = {rule: r["level"] for rule, r in by_id.items()}
    assert levels == {
        "MAL-2024-1234": "error",
        "GHSA-35jh-r3h4-6jhm": "error",
        "PYSEC-2021-108": "error",
        "GHSA-v845-jxx5-vc9f": "error",
        "GHSA-j8r2-6x86-q33q": "warning",
        "GHSA-aaaa-bbbb-cccc": "warning",
        "GHSA-w596-4wvx-j9j6": "note",
    }
    message = by_id["GHSA-j8r2-6x86-q33q"]["message"]["text"]
    assert "requests 2.25.0" in message
    assert "Upgrade to 2.31.0" in message
    assert "no fixed version" in by_id["GHSA-w596-4wvx-j9j6"]["message"]["text"].lower()
    assert "malicious" in by_id["MAL-2024-1234"]["message"]["text"]
    transitive = by_id["GHSA-35jh-r3h4-6jhm"]["message"]["text"]
    assert "via @scope/widget@1.0.0 > evil-colors@1.4.1" in transitive


def test_locations_are_relative_to_the_root(full_report: Report) -> None:
    by_id = {r["ruleId"]: r for r in _render(full_report)["runs"][0]["results"]}
    lodash = by_id["GHSA-35jh-r3h4-6jhm"]["locations"][0]["physicalLocation"]
    assert lodash == {
        "artifactLocation": {"uri": "package-lock.json", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 88},
    }
    urllib3 = by_id["PYSEC-2021-108"]["locations"][0]["physicalLocation"]
    assert urllib3 == {"artifactLocation": {"uri": "requirements.txt", "uriBaseId": "%SRCROOT%"}}


def test_absolute_root_gets_a_base_uri(tmp_path: Any) -> None:
    report = sample.full()
    report.root = str(tmp_path)
    report.packages = [
        replace(p, locations=tuple(f"{tmp_path}/{loc}" for loc in p.locations))
        for p in report.packages
    ]
    run = _render(report)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"package-lock.json", "requirements.txt", "requirements-dev.txt"}


def test_ignored_findings_are_suppressed(full_report: Report) -> None:
    results = _render(full_report)["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["GHSA-v845-jxx5-vc9f"]
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert "we never send cookies through urllib3" in suppression["justification"]
    assert "2030-01-31" in suppression["justification"]


def test_fingerprints_are_stable_per_package_and_id(full_report: Report) -> None:
    results = _render(full_report)["runs"][0]["results"]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(set(prints)) == len(prints)
    requests = next(r for r in results if r["ruleId"] == "GHSA-j8r2-6x86-q33q")
    expected = fingerprint("pkg:pypi/requests@2.25.0", "GHSA-j8r2-6x86-q33q")
    assert requests["partialFingerprints"][FINGERPRINT_KEY] == expected
    moved = sample.full()
    moved.packages = [replace(p, locations=("elsewhere.txt:99",)) for p in moved.packages]
    again = _render(moved)["runs"][0]["results"]
    assert [r["partialFingerprints"][FINGERPRINT_KEY] for r in again] == prints


def test_notices_and_package_errors_become_notifications(full_report: Report) -> None:
    invocation = _render(full_report)["runs"][0]["invocations"][0]
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert full_report.notices[0] in texts
    assert any("left-pad" in t and "^9.0.0" in t for t in texts)
