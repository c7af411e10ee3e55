"""Severity of OSV records: CVSS vectors by version, database words, malicious packages."""

from __future__ import annotations

from typing import Any

import pytest

from stockade.intel.findings import Severity
from stockade.intel.osv.loader import iter_records
from stockade.intel.osv.severity import score, score_vector
from tests.conftest import FIXTURES
from tests.intel.records import affected, vuln

V2 = "AV:N/AC:L/Au:N/C:C/I:C/A:C"  # 10.0
V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"  # 7.5
V3_LOW = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"  # 1.8
V4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"  # 9.3


def sev(kind: str, vector: str) -> dict[str, str]:
    return {"type": kind, "score": vector}


@pytest.mark.parametrize(
    ("vector", "expected"),
    [
        (V4, (9.3, Severity.CRITICAL)),
        (V3, (7.5, Severity.HIGH)),
        (V3_LOW, (1.8, Severity.LOW)),
        ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N", (5.4, Severity.MEDIUM)),
        (V2, (10.0, Severity.HIGH)),  # CVSS v2 tops out at "high"
        ("AV:N/AC:M/Au:N/C:N/I:P/A:N", (4.3, Severity.MEDIUM)),
        ("CVSS:3.1/AV:N/AC:L", None),
        ("CVSS:4.0/AV:N", None),
        ("CVSS:9.9/AV:N", None),
        ("not a vector", None),
        ("", None),
    ],
)
def test_score_vector(vector: str, expected: tuple[float, Severity] | None) -> None:
    assert score_vector(vector) == expected


def test_v4_beats_v3_beats_v2() -> None:
    record = vuln(
        "GHSA-aaaa-bbbb-cccc",
        affected(),
        severity=[sev("CVSS_V2", V2), sev("CVSS_V3", V3_LOW), sev("CVSS_V4", V4)],
    )
    assert score(record, record.affected[0]) == (9.3, V4, Severity.CRITICAL)
    no_v4 = vuln(
        "GHSA-aaaa-bbbb-cccd", affected(), severity=[sev("CVSS_V2", V2), sev("CVSS_V3", V3)]
    )
    assert score(no_v4, None) == (7.5, V3, Severity.HIGH)


def test_affected_level_severity_counts_and_wins_ties() -> None:
    record = vuln(
        "OSV-2024-10",
        affected(severity=[sev("CVSS_V3", V3_LOW)]),
        severity=[sev("CVSS_V3", V3)],
    )
    assert score(record, record.affected[0]) == (1.8, V3_LOW, Severity.LOW)
    assert score(record, None) == (7.5, V3, Severity.HIGH)
    only_affected = vuln("OSV-2024-11", affected(severity=[sev("CVSS_V4", V4)]))
    assert score(only_affected, only_affected.affected[0])[2] is Severity.CRITICAL


def test_version_comes_from_the_vector_not_the_declared_type() -> None:
    record = vuln("OSV-2024-12", affected(), severity=[sev("CVSS_V3", V4)])
    assert score(record, None) == (9.3, V4, Severity.CRITICAL)


def test_bad_vectors_are_skipped() -> None:
    record = vuln(
        "OSV-2024-13",
        affected(),
        severity=[sev("CVSS_V4", "CVSS:4.0/garbage"), sev("CVSS_V3", V3_LOW)],
    )
    assert score(record, None) == (1.8, V3_LOW, Severity.LOW)
    hopeless = vuln("OSV-2024-14", affected(), severity=[sev("CVSS_V3", "CVSS:3.1/AV:Q")])
    assert score(hopeless, None) == (None, None, Severity.UNKNOWN)


@pytest.mark.parametrize(
    ("specific", "expected"),
    [
        ({"severity": "LOW"}, Severity.LOW),
        ({"severity": "MODERATE"}, Severity.MEDIUM),
        ({"severity": "HIGH"}, Severity.HIGH),
        ({"severity": "CRITICAL"}, Severity.CRITICAL),
        ({"severity": "whatever"}, Severity.UNKNOWN),
        ({"severity": 7}, Severity.UNKNOWN),
        ({}, Severity.UNKNOWN),
    ],
)
def test_database_specific_words(specific: dict[str, Any], expected: Severity) -> None:
    record = vuln("GHSA-2222-3333-4444", affected(), database_specific=specific)
    assert score(record, record.affected[0]) == (None, None, expected)


def test_vector_beats_words_and_words_beat_ubuntu() -> None:
    record = vuln(
        "GHSA-5555-6666-7777",
        affected(),
        severity=[sev("CVSS_V3", V3_LOW)],
        database_specific={"severity": "CRITICAL"},
    )
    assert score(record, None)[2] is Severity.LOW
    words = vuln(
        "OSV-2024-15",
        affected(),
        severity=[sev("Ubuntu", "low")],
        database_specific={"severity": "HIGH"},
    )
    assert score(words, None)[2] is Severity.HIGH
    ubuntu = vuln("OSV-2024-16", affected(), severity=[sev("Ubuntu", "medium")])
    assert score(ubuntu, None)[2] is Severity.MEDIUM


def test_malicious_records_are_critical() -> None:
    record = vuln("MAL-2024-1", affected(versions=["1.0"]), severity=[sev("CVSS_V3", V3_LOW)])
    assert score(record, record.affected[0]) == (None, None, Severity.CRITICAL)


def test_real_records() -> None:
    records = {r.id: r for r in iter_records([FIXTURES / "osv"])}
    werkzeug = records["PYSEC-2023-221"]
    assert score(werkzeug, werkzeug.affected[0]) == (7.5, V3, Severity.HIGH)
    assert score(records["PYSEC-2017-94"], None) == (None, None, Severity.UNKNOWN)
    assert score(records["MAL-2022-58"], None)[2] is Severity.CRITICAL
