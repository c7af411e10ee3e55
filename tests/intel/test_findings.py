"""From OSV records to findings: alias merging, severity, fixes, summaries, order."""

from __future__ import annotations

from typing import Any

from stockade.ecosystems.interface import Ecosystem
from stockade.intel.findings import FindingKind, Severity
from stockade.intel.osv.findings import build_findings, primary_id
from stockade.intel.osv.loader import iter_records
from stockade.intel.osv.models import Vulnerability
from tests.conftest import FIXTURES
from tests.intel.records import affected, rng, vuln

PYPI = Ecosystem.PYPI
V3_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"  # 7.5
V3_CRIT = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8


def rec(vid: str, *, fixed: str = "2.0", name: str = "demo", **fields: Any) -> Vulnerability:
    entry = affected(name, ranges=[rng("ECOSYSTEM", ("introduced", "0"), ("fixed", fixed))])
    return vuln(vid, entry, **fields)


def cvss(vector: str) -> list[dict[str, str]]:
    return [{"type": "CVSS_V3", "score": vector}]


def test_aliases_merge_into_one_finding() -> None:
    ghsa = rec(
        "GHSA-aaaa-bbbb-cccc",
        aliases=["CVE-2024-1"],
        summary="Denial of service in demo",
        severity=cvss(V3_HIGH),
        fixed="1.5",
    )
    pysec = rec("PYSEC-2024-9", aliases=["CVE-2024-1", "GHSA-aaaa-bbbb-cccc"], fixed="1.5.1")
    cve = rec("CVE-2024-1", severity=cvss(V3_CRIT), fixed="1.5")
    other = rec("OSV-2024-77", summary="Something else")
    findings = build_findings([pysec, other, cve, ghsa], PYPI, "demo", "1.0")
    assert [f.id for f in findings] == ["GHSA-aaaa-bbbb-cccc", "OSV-2024-77"]
    merged = findings[0]
    assert merged.aliases == ("CVE-2024-1", "PYSEC-2024-9")
    assert merged.severity is Severity.CRITICAL  # the highest in the group (the CVE's)
    assert (merged.score, merged.cvss_vector) == (9.8, V3_CRIT)
    assert merged.fixed_versions == ("1.5", "1.5.1")
    assert merged.summary == "Denial of service in demo"
    assert merged.url == "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc"
    assert merged.kind is FindingKind.VULNERABILITY
    # The order records arrive in does not matter.
    assert build_findings([ghsa, cve, other, pysec], PYPI, "demo", "1.0") == findings


def test_aliases_merge_transitively() -> None:
    a = rec("PYSEC-2024-1", aliases=["CVE-2024-5"])
    b = rec("GHSA-1111-2222-3333", aliases=["CVE-2024-5", "CVE-2024-6"])
    c = rec("OSV-2024-3", aliases=["CVE-2024-6"])
    (finding,) = build_findings([a, b, c], PYPI, "demo", "1.0")
    assert finding.id == "GHSA-1111-2222-3333"
    assert finding.ids == (
        "GHSA-1111-2222-3333",
        "CVE-2024-5",
        "CVE-2024-6",
        "OSV-2024-3",
        "PYSEC-2024-1",
    )


def test_same_id_from_two_sources_is_one_finding() -> None:
    older = rec("PYSEC-2024-2", summary="Old text")
    newer = rec(
        "PYSEC-2024-2",
        summary="New text",
        severity=cvss(V3_HIGH),
        fixed="1.9",
        modified="2024-09-01T00:00:00Z",
    )
    (finding,) = build_findings([older, newer], PYPI, "demo", "1.0")
    assert finding.id == "PYSEC-2024-2"
    assert finding.summary == "New text"
    assert build_findings([newer, older], PYPI, "demo", "1.0") == [finding]
    assert finding.aliases == ()
    assert finding.severity is Severity.HIGH
    assert finding.fixed_versions == ("1.9", "2.0")


def test_primary_id_preference() -> None:
    assert primary_id(["CVE-2024-1", "PYSEC-2024-1", "GHSA-x"]) == "GHSA-x"
    assert primary_id(["GHSA-x", "MAL-2024-1"]) == "MAL-2024-1"
    assert primary_id(["CVE-2024-1", "OSV-2024-1"]) == "OSV-2024-1"
    assert primary_id(["CVE-2024-2", "CVE-2024-1"]) == "CVE-2024-1"
    assert primary_id(["PYSEC-2024-2", "PYSEC-2024-10"]) == "PYSEC-2024-10"


def test_a_lone_cve_record_keeps_its_id() -> None:
    (finding,) = build_findings([rec("CVE-2023-9", aliases=["GHSA-zzzz"])], PYPI, "demo", "1")
    # The GHSA alias is only mentioned, not a record we have: the record's own id leads.
    assert (finding.id, finding.aliases) == ("CVE-2023-9", ("GHSA-zzzz",))


def test_sorted_most_severe_first_then_by_id() -> None:
    records = [
        rec("OSV-2024-5"),
        rec("OSV-2024-4", database_specific={"severity": "LOW"}),
        rec("OSV-2024-3", severity=cvss(V3_HIGH)),
        rec("OSV-2024-2", database_specific={"severity": "LOW"}),
        rec("MAL-2024-8", summary="Malicious code in demo (PyPI)"),
    ]
    findings = build_findings(records, PYPI, "demo", "1.0")
    assert [(f.id, f.severity) for f in findings] == [
        ("MAL-2024-8", Severity.CRITICAL),
        ("OSV-2024-3", Severity.HIGH),
        ("OSV-2024-2", Severity.LOW),
        ("OSV-2024-4", Severity.LOW),
        ("OSV-2024-5", Severity.UNKNOWN),
    ]
    assert findings[0].kind is FindingKind.MALICIOUS


def test_records_not_affecting_the_version_are_left_out() -> None:
    fixed = rec("OSV-2024-1", fixed="1.0")
    withdrawn = rec("OSV-2024-2", withdrawn="2024-06-01T00:00:00Z")
    other_package = rec("OSV-2024-3", name="other")
    assert build_findings([fixed, withdrawn, other_package], PYPI, "demo", "1.0") == []


def test_summary_falls_back_to_the_first_line_of_details() -> None:
    long_line = "A " + "very " * 40 + "long first line."
    record = rec("OSV-2024-1", details=f"\n---\n## {long_line}\n\nMore text.")
    (finding,) = build_findings([record], PYPI, "demo", "1.0")
    assert finding.summary.startswith("A very very")
    assert finding.summary.endswith("…")
    assert len(finding.summary) <= 120
    (bare,) = build_findings([rec("OSV-2024-2")], PYPI, "demo", "1.0")
    assert bare.summary == "no description"


def test_severity_of_the_matching_affected_entry() -> None:
    record = vuln(
        "OSV-2024-1",
        affected(
            ranges=[rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.0"))],
            severity=cvss(V3_CRIT),
        ),
        affected(
            ranges=[rng("ECOSYSTEM", ("introduced", "2.0"), ("fixed", "2.1"))],
            severity=cvss(V3_HIGH),
        ),
    )
    (old,) = build_findings([record], PYPI, "demo", "0.5")
    (new,) = build_findings([record], PYPI, "demo", "2.0.5")
    assert (old.severity, new.severity) == (Severity.CRITICAL, Severity.HIGH)
    # Only the fix of the entry (release branch) that affects the version.
    assert (old.fixed_versions, new.fixed_versions) == (("1.0",), ("2.1",))


def test_real_records() -> None:
    records = list(iter_records([FIXTURES / "osv"]))
    pycrypto = build_findings(records, PYPI, "pycrypto", "2.6.1")
    assert [f.id for f in pycrypto] == ["PYSEC-2017-94", "PYSEC-2018-97"]
    assert pycrypto[0].aliases == ("CVE-2013-7459", "GHSA-cq27-v7xp-c356")
    assert pycrypto[0].summary.startswith("Heap-based buffer overflow in the ALGnew function")
    assert pycrypto[0].fixed_versions == ()  # GIT fixes only
    (werkzeug,) = build_findings(records, PYPI, "werkzeug", "3.0.0")
    assert (werkzeug.severity, werkzeug.score) == (Severity.HIGH, 7.5)
    assert werkzeug.fixed_versions == ("3.0.1",)  # 2.3.8 is below 3.0.0
    (older,) = build_findings(records, PYPI, "werkzeug", "2.2.0")
    assert older.fixed_versions == ("2.3.8", "3.0.1")
    (mal,) = build_findings(records, Ecosystem.NPM, "@adam_baldwin/pingback", "1.0.0")
    assert (mal.id, mal.aliases, mal.kind) == (
        "MAL-2022-58",
        ("GHSA-7mjw-pwcg-wwvf",),
        FindingKind.MALICIOUS,
    )
    assert mal.summary == "Malicious code in @adam_baldwin/pingback (npm)"
    assert build_findings(records, PYPI, "lodestone", "0.0.58") == []  # withdrawn
