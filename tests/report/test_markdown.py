"""Markdown for pull-request comments and job summaries."""

from __future__ import annotations

from dataclasses import replace

from stockade.check.model import Report
from stockade.report.markdown import HEADING, MarkdownFormatter, code, escape
from tests.report import sample


def _table_rows(text: str) -> list[list[str]]:
    """The data rows of every Markdown table, split on unescaped pipes."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = line.replace("\\|", "\x00").strip("| ").split(" | ")
            rows.append([c.replace("\x00", "\\|") for c in cells])
    return rows


def test_escape_neutralises_markdown_and_html() -> None:
    assert escape("a | b") == "a \\| b"
    assert escape("*bold* _it_ `code` [link](x) ~s~") == (
        "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\~s\\~"
    )
    assert escape("<script>alert(1)</script> & co") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    )
    assert escape("two\nlines") == "two lines"
    assert code("a|b") == "`a\\|b`"
    assert code("a`b") == "``a`b``"


def test_report_content(full_report: Report) -> None:
    text = MarkdownFormatter().render(full_report)
    assert text.startswith(HEADING + "\n")
    assert (
        "**5 vulnerabilities** in 4 packages (1 critical, 1 high, 1 medium, 1 low, 1 unknown)"
        in text
    )
    assert "**1 known-malicious**, 1 ignored, 1 not fully checked" in text
    assert "> **Warning:** the OSV API could not be reached" in text
    assert "(`package-lock.json`, `package.json`, `requirements.txt`" in text
    assert "Sources: local OSV database (12,718 records)" in text


def test_malicious_packages_come_first(full_report: Report) -> None:
    text = MarkdownFormatter().render(full_report)
    callout = text.index("Known-malicious packages")
    assert callout < text.index("### Vulnerable packages")
    assert text.index("`evil-colors`", callout) < text.index("### Vulnerable packages")
    rows = _table_rows(text)
    assert rows[1][0] == "`evil-colors` (npm)"
    assert rows[1][4] == "**MALICIOUS**"


def test_table_rows(full_report: Report) -> None:
    rows = _table_rows(MarkdownFormatter().render(full_report))
    header, *vulnerable = rows[: 1 + 6]
    assert header == ["Package", "Version", "Via", "Finding", "Severity", "Fixed in", "Summary"]
    assert all(len(r) == 7 for r in vulnerable)
    by_link = {r[3].split("]")[0].lstrip("["): r for r in vulnerable}
    lodash = by_link["GHSA-35jh-r3h4-6jhm"]
    assert lodash[2] == "`@scope/widget@1.0.0` > `evil-colors@1.4.1`"
    assert lodash[3] == (
        "[GHSA-35jh-r3h4-6jhm](https://github.com/advisories/GHSA-35jh-r3h4-6jhm) (CVE-2021-23337)"
    )
    assert (lodash[4], lodash[5]) == ("**critical**", "4.17.21")
    requests = by_link["GHSA-j8r2-6x86-q33q"]
    assert requests[1] == "2.25.0 (resolved)"
    assert requests[2] == "direct"
    assert requests[6].endswith("in requests \\| with \\*pipes\\*")
    assert by_link["GHSA-w596-4wvx-j9j6"][0] == "`pytest` (PyPI) *dev*"
    assert by_link["GHSA-w596-4wvx-j9j6"][5] == "no fix"
    assert by_link["GHSA-aaaa-bbbb-cccc"][3].startswith(
        "[GHSA-aaaa-bbbb-cccc](https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc)"
    )
    assert by_link["GHSA-aaaa-bbbb-cccc"][6] == "Prototype pollution in &lt;mixin&gt; \\[deep\\]"


def test_ignored_findings_are_collapsed(full_report: Report) -> None:
    text = MarkdownFormatter().render(full_report)
    details = text[text.index("<details>") : text.index("</details>")]
    assert "<summary>1 ignored finding</summary>" in details
    assert "GHSA-v845-jxx5-vc9f" in details
    assert "we never send cookies through urllib3 | 2030-01-31 |" in details
    before = text[: text.index("<details>")]
    assert "GHSA-v845-jxx5-vc9f" not in before


def test_no_finding_is_lost(full_report: Report) -> None:
    text = MarkdownFormatter().render(full_report)
    for finding in sample.ALL_FINDINGS:
        assert f"[{finding.id}](" in text


def test_package_errors_are_listed(full_report: Report) -> None:
    text = MarkdownFormatter().render(full_report)
    assert "**Could not fully check 1 package:**" in text
    assert "- `left-pad` ^9.0.0 (unresolved) (npm): no version of left-pad matches ^9.0.0" in text


def test_clean_report(empty_report: Report) -> None:
    text = MarkdownFormatter().render(empty_report)
    assert "No known vulnerabilities found in 1 package." in text
    assert "|" not in text
    assert "<details>" not in text


def test_pipes_in_names_do_not_break_the_table() -> None:
    report = sample.full()
    report.packages = [replace(p, name=p.name + "|x") for p in report.packages]
    rows = _table_rows(MarkdownFormatter().render(report))
    assert all(len(r) in {6, 7} for r in rows)
