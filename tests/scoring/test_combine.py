"""The overall score model: blocks, caps, confidence weighting, unknown components, reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stockade.ecosystems.interface import Ecosystem, PackageInfo, VersionInfo
from stockade.scoring.combine import WEIGHTS, build_report, overall, weighted_mean
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import (
    Component,
    ComponentName,
    Confidence,
    Flag,
    FlagLevel,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def comp(
    name: ComponentName,
    score: float | None,
    confidence: Confidence = Confidence.HIGH,
    *flags: Flag,
) -> Component:
    if score is None:
        return Component.unknown(name, "no data")
    return Component(name, score, confidence, f"{name.value} is {score}", flags=flags)


def facts(known: bool = True) -> PackageFacts:
    package = (
        PackageInfo(
            Ecosystem.PYPI,
            "requests",
            {"2.32.3": VersionInfo(Ecosystem.PYPI, "requests", "2.32.3")},
            latest="2.32.3",
        )
        if known
        else None
    )
    return PackageFacts(Ecosystem.PYPI, "requests", "2.32.3" if known else None, package, as_of=NOW)


def test_weighted_mean_can_be_recomputed_by_hand() -> None:
    components = [
        comp(ComponentName.MALICIOUS, 10.0),  # weight 3 x 1.0
        comp(ComponentName.MAINTENANCE, 4.0, Confidence.MEDIUM),  # 2 x 0.7
        comp(ComponentName.HYGIENE, 6.0, Confidence.LOW),  # 1 x 0.4
    ]
    expected = (3 * 10 + 1.4 * 4 + 0.4 * 6) / (3 + 1.4 + 0.4)
    assert weighted_mean(components) == pytest.approx(expected)
    score, flags = overall(components)
    assert score == round(expected, 1)
    assert flags == ()


def test_unknown_components_are_left_out_not_zero() -> None:
    # Trusty's failure mode: one broken input made everything 0. Here it is just absent.
    with_unknown = [comp(ComponentName.MALICIOUS, 10.0), comp(ComponentName.PROVENANCE, None)]
    assert overall(with_unknown)[0] == 10.0
    assert overall([comp(ComponentName.PROVENANCE, None)])[0] is None


def test_block_flag_makes_zero_whatever_else() -> None:
    block = Flag("malicious", FlagLevel.BLOCK, "known malicious")
    components = [
        comp(ComponentName.MALICIOUS, 0.0, Confidence.HIGH, block),
        *(comp(name, 10.0) for name in WEIGHTS if name is not ComponentName.MALICIOUS),
    ]
    score, flags = overall(components)
    assert score == 0.0
    assert flags[0].code == "malicious"


def test_lowest_cap_applies_and_flags_sort_by_severity() -> None:
    warn = Flag("deprecated", FlagLevel.WARN, "deprecated")
    cap5 = Flag("suspicious-archive", FlagLevel.CAP, "suspicious", cap=5.0)
    cap3 = Flag("typosquat", FlagLevel.CAP, "imitates requests", cap=3.0)
    components = [
        comp(ComponentName.MALICIOUS, 8.0, Confidence.HIGH, cap5),
        comp(ComponentName.TYPOSQUATTING, 2.0, Confidence.HIGH, cap3),
        comp(ComponentName.MAINTENANCE, 9.0, Confidence.HIGH, warn),
    ]
    score, flags = overall(components)
    assert score == 3.0
    assert [f.code for f in flags] == ["typosquat", "suspicious-archive", "deprecated"]


def test_cap_does_not_raise_a_lower_score() -> None:
    cap = Flag("suspicious-archive", FlagLevel.CAP, "suspicious", cap=5.0)
    components = [comp(ComponentName.MALICIOUS, 2.0, Confidence.HIGH, cap)]
    assert overall(components)[0] == 2.0


def test_report_reasons_flags_first_then_costliest_components() -> None:
    cap = Flag("typosquat", FlagLevel.CAP, "It imitates requests.", cap=3.0)
    components = [
        comp(ComponentName.MALICIOUS, 10.0),
        comp(ComponentName.TYPOSQUATTING, 1.0, Confidence.HIGH, cap),
        comp(ComponentName.MAINTENANCE, 5.0),
        comp(ComponentName.HYGIENE, 9.5),
    ]
    report = build_report(facts(), components, computed_at=NOW)
    assert report.score == 3.0
    assert report.reasons[0] == "It imitates requests."
    assert report.reasons[1].startswith("Typosquatting:")
    assert report.reasons[2].startswith("Maintenance:")
    assert not any(r.startswith("Hygiene") for r in report.reasons)
    data = report.to_json()
    assert data["package"] == "pkg:pypi/requests@2.32.3"
    assert data["score"] == 3.0
    assert data["flags"][0]["code"] == "typosquat"
    assert set(data["components"]) == {"malicious", "typosquatting", "maintenance", "hygiene"}
    assert data["extra"]["weights"]["malicious"] == 3.0
    assert data["computed_at"].startswith("2026-11-01T00:00:00")


def test_unknown_package_has_no_score_and_says_why() -> None:
    report = build_report(facts(known=False), [comp(ComponentName.TYPOSQUATTING, 10.0)])
    assert report.score is None
    assert report.known is False
    assert report.incomplete == ("the PyPI registry does not know 'requests'",)
    assert report.to_json()["package"] == "pkg:pypi/requests"
