"""The CycloneDX 1.6 BOM."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stockade.check.model import Report
from stockade.report.cyclonedx import ROOT_REF, CycloneDxFormatter
from tests.report import sample


def _render(report: Report) -> dict[str, Any]:
    data = json.loads(CycloneDxFormatter().render(report))
    assert isinstance(data, dict)
    return data


def test_bom_header(full_report: Report) -> None:
    bom = _render(full_report)
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["specVersion"] == "1.6"
    assert bom["serialNumber"].startswith("urn:uuid:")
    tools = bom["metadata"]["tools"]["components"]
    assert [(t["name"], t["version"]) for t in tools] == [("stockade", "0.1.0")]
    assert bom["metadata"]["component"]["bom-ref"] == ROOT_REF
    assert bom["metadata"]["timestamp"].startswith("2026-03-01T12:30:00")


def test_one_component_per_package(full_report: Report) -> None:
    components = {c["bom-ref"]: c for c in _render(full_report)["components"]}
    assert set(components) == {p.purl for p in full_report.packages}
    widget = components["pkg:npm/%40scope/widget@1.0.0"]
    assert (widget["group"], widget["name"], widget["version"]) == ("@scope", "widget", "1.0.0")
    assert widget["purl"] == "pkg:npm/%40scope/widget@1.0.0"
    assert components["pkg:pypi/requests@2.25.0"]["scope"] == "required"
    assert components["pkg:pypi/pytest@7.0.0"]["scope"] == "optional"
    assert "version" not in components["pkg:npm/left-pad"]
    occurrences = components["pkg:npm/lodash@4.17.20"]["evidence"]["occurrences"]
    assert occurrences == [{"location": "package-lock.json", "line": 88}]


def test_dependencies_follow_via_chains(full_report: Report) -> None:
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in _render(full_report)["dependencies"]}
    assert deps[ROOT_REF] == {
        "pkg:npm/%40scope/widget@1.0.0",
        "pkg:npm/left-pad",
        "pkg:pypi/pytest@7.0.0",
        "pkg:pypi/requests@2.25.0",
    }
    assert deps["pkg:npm/%40scope/widget@1.0.0"] == {"pkg:npm/evil-colors@1.4.1"}
    assert deps["pkg:npm/evil-colors@1.4.1"] == {"pkg:npm/lodash@4.17.20"}
    assert deps["pkg:pypi/requests@2.25.0"] == {"pkg:pypi/urllib3@1.26.4"}
    assert deps["pkg:pypi/urllib3@1.26.4"] == set()


def test_vulnerabilities(full_report: Report) -> None:
    vulns = {v["id"]: v for v in _render(full_report)["vulnerabilities"]}
    assert set(vulns) == {f.id for f in sample.ALL_FINDINGS}
    requests = vulns["GHSA-j8r2-6x86-q33q"]
    assert requests["source"]["name"] == "GitHub Advisory Database"
    assert requests["affects"] == [
        {
            "ref": "pkg:pypi/requests@2.25.0",
            "versions": [{"version": "2.25.0", "status": "affected"}],
        }
    ]
    assert requests["recommendation"] == "Upgrade to 2.31.0"
    (rating,) = requests["ratings"]
    assert (rating["score"], rating["severity"], rating["method"]) == (6.1, "medium", "CVSSv31")
    assert "AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N" in rating["vector"]
    assert [r["id"] for r in requests["references"]] == ["CVE-2023-32681", "PYSEC-2023-74"]
    assert requests["description"] == sample.REQUESTS_VULN.summary
    assert vulns["GHSA-w596-4wvx-j9j6"]["ratings"][0]["method"] == "CVSSv4"
    assert "recommendation" not in vulns["GHSA-w596-4wvx-j9j6"]
    assert vulns["GHSA-aaaa-bbbb-cccc"]["ratings"] == [{"severity": "unknown"}]
    malicious = vulns["MAL-2024-1234"]
    assert malicious["ratings"] == [{"severity": "critical"}]
    assert "malicious" in malicious["recommendation"]
    assert {"name": "stockade:kind", "value": "malicious"} in malicious["properties"]


def test_ignored_findings_carry_an_analysis(full_report: Report) -> None:
    vulns = {v["id"]: v for v in _render(full_report)["vulnerabilities"]}
    analysis = vulns["GHSA-v845-jxx5-vc9f"]["analysis"]
    assert analysis["state"] == "not_affected"
    assert "we never send cookies through urllib3" in analysis["detail"]
    assert "2030-01-31" in analysis["detail"]
    assert vulns["GHSA-v845-jxx5-vc9f"]["recommendation"] == "Upgrade to 1.26.17 or 2.0.6"
    assert "analysis" not in vulns["PYSEC-2021-108"]


def test_one_vulnerability_covers_every_affected_version(full_report: Report) -> None:
    from dataclasses import replace

    older = replace(
        full_report.packages[-1], version="1.26.3", purl="pkg:pypi/urllib3@1.26.3", direct=True
    )
    full_report.packages.append(older)
    vulns = [v for v in _render(full_report)["vulnerabilities"] if v["id"] == "PYSEC-2021-108"]
    assert len(vulns) == 1
    assert {a["ref"] for a in vulns[0]["affects"]} == {
        "pkg:pypi/urllib3@1.26.4",
        "pkg:pypi/urllib3@1.26.3",
    }


def test_empty_report_has_components_and_no_vulnerabilities(empty_report: Report) -> None:
    bom = _render(empty_report)
    assert [c["name"] for c in bom["components"]] == ["attrs"]
    assert bom.get("vulnerabilities", []) == []


@pytest.mark.parametrize("build", [sample.full, sample.empty])
def test_validates_against_the_cyclonedx_schema(build: Any) -> None:
    pytest.importorskip("jsonschema", reason="cyclonedx-python-lib[json-validation] not installed")
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(
        CycloneDxFormatter().render(build())
    )
    assert errors is None, errors


def test_a_malformed_purl_does_not_break_the_bom(empty_report: Report) -> None:
    from dataclasses import replace

    empty_report.packages = [replace(empty_report.packages[0], purl="not a purl")]
    (component,) = _render(empty_report)["components"]
    assert component["bom-ref"] == "not a purl"
    assert "purl" not in component
