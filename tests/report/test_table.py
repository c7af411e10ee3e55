"""The Rich table for people at a terminal."""

from __future__ import annotations

import pytest

from stockade.check.model import Report
from stockade.report.table import TableFormatter
from tests.report import sample

BOX_LEFT = "│╭├╰"
BOX_RIGHT = "│╮┤╯"


def _render(report: Report, width: int = 120, color: bool = False) -> str:
    return TableFormatter().render(report, color=color, width=width)


@pytest.mark.parametrize("width", [80, 160])
def test_fits_the_width_and_loses_no_finding(full_report: Report, width: int) -> None:
    text = _render(full_report, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for line in lines:
        if line and line[0] in BOX_LEFT:
            assert line.rstrip()[-1] in BOX_RIGHT, line
    for finding in sample.ALL_FINDINGS:
        assert finding.id in text


@pytest.mark.parametrize("width", range(70, 201, 10))
def test_table_borders_close_at_any_width(full_report: Report, width: int) -> None:
    for line in _render(full_report, width).splitlines():
        if line and line[0] in BOX_LEFT:
            assert line.rstrip()[-1] in BOX_RIGHT, (width, line)


def test_header_and_sections(full_report: Report) -> None:
    text = _render(full_report, 160)
    assert "Checked project: 4 manifests and lockfiles" in text
    assert "7 packages" in text
    assert "Sources: local OSV database (12,718 records)" in text
    assert "the OSV API could not be reached" in text
    assert "Ignored findings" in text
    assert "we never send cookies through urllib3" in text
    assert "2030-01-31" in text
    assert "Could not fully check 1 package:" in text
    assert "left-pad ^9.0.0 (unresolved)" in text
    assert "no version of left-pad matches ^9.0.0" in text


def test_rows_show_version_path_scope_severity_and_fix(full_report: Report) -> None:
    text = _render(full_report, 160)
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if "│" in line}
    assert "2.25.0 (resolved)" in rows["requests PyPI"]
    assert "direct" in rows["requests PyPI"]
    assert "@scope/widget@1.0.0 >" in rows["lodash npm"]
    assert "via @scope/widget@1.0.0 >" in _render(full_report, 80)
    assert "GHSA-j8r2-6x86-q33q" in rows["requests PyPI"]
    assert "(CVE-2023-32681, +1)" in text
    assert "medium" in rows["requests PyPI"]
    assert "2.31.0" in rows["requests PyPI"]
    assert "MALICIOUS" in rows["evil-colors npm"]
    assert "dev" in rows["pytest PyPI"]
    table = text[text.index("╭", text.index("Notice") + 10) :]
    assert table.index("evil-colors") < table.index("lodash") < table.index("urllib3")


def test_ignored_findings_are_not_in_the_main_table(full_report: Report) -> None:
    text = _render(full_report, 160)
    main = text[: text.index("Ignored findings")]
    assert "GHSA-v845-jxx5-vc9f" not in main


def test_summary_line(full_report: Report) -> None:
    last = " ".join(_render(full_report, 200).split("\n\n")[-1].split())
    assert last.startswith(
        "5 vulnerabilities in 4 packages (1 critical, 1 high, 1 medium, 1 low, 1 unknown), "
        "1 known-malicious, 1 ignored, 1 not fully checked"
    )


def test_clean_report(empty_report: Report) -> None:
    text = _render(empty_report, 80)
    assert "No known vulnerabilities found in 1 package" in text
    assert "╭" not in text


def test_color_only_when_asked(full_report: Report) -> None:
    assert "\x1b[" not in _render(full_report)
    colored = _render(full_report, color=True)
    assert "\x1b[" in colored
    assert "\x1b[1;37;41m MALICIOUS " in colored
    assert "\x1b[1;32mNo known vulnerabilities" in _render(sample.empty(), color=True)


def test_markup_in_summaries_is_shown_verbatim(full_report: Report) -> None:
    text = _render(full_report, 160)
    assert "<mixin> [deep]" in text


def test_trust_scores_table_shows_direct_dependencies_and_weakest_links(
    full_report: Report,
) -> None:
    from dataclasses import replace

    full_report.packages = [
        replace(p, score=2.5, score_flags=("typosquat",))
        if p.name == "evil-colors"
        else replace(p, score=8.0, weakest="evil-colors@1.4.1", weakest_score=2.5)
        if p.name == "@scope/widget"
        else p
        for p in full_report.packages
    ]
    full_report.scored = True
    full_report.min_score = 4.0
    text = _render(full_report)
    assert "Trust scores" in text
    table = text[text.index("Trust scores") :]
    widget = next(line for line in table.splitlines() if "@scope/widget" in line)
    assert "8.0" in widget and "evil-colors@1.4.1 2.5" in widget
    evil = next(line for line in table.splitlines() if "evil-colors npm" in line)
    assert "2.5 < min" in evil and "typosquat" in evil and "(transitive)" in evil
    assert "1 package below the minimum trust score 4" in text
    assert "Trust scores" not in _render(replace(full_report, scored=False))
