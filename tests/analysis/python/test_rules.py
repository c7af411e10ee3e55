"""The rule registry."""

from __future__ import annotations

from stockade.analysis.model import Kind
from stockade.analysis.python import RULES, PythonAnalyzer
from stockade.analysis.python.rules import RULES_BY_ID


def test_rule_ids_are_unique_and_prefixed() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(rule_id.startswith("py-") for rule_id in ids)
    assert set(RULES_BY_ID) == set(ids)


def test_every_rule_has_one_sentence() -> None:
    for rule in RULES:
        assert rule.description.endswith(".")
        assert rule.description.count(". ") == 0, rule.id


def test_autorun_rules_are_threats_and_their_twins_capabilities() -> None:
    for rule in RULES:
        if rule.id.endswith("-autorun"):
            assert rule.kind is Kind.THREAT
    for twin in ("py-persistence", "py-credential-path", "py-clipboard", "py-keylogger"):
        assert RULES_BY_ID[twin].kind is Kind.CAPABILITY


def test_analyzer_declares_rules_and_wanted_files() -> None:
    analyzer = PythonAnalyzer()
    assert analyzer.name == "python"
    assert list(analyzer.rules) == RULES
    for wanted in ("setup.py", "pkg/mod.py", "tool.pyw", "pkg-nspkg.pth", "setup.cfg"):
        assert analyzer.wants(wanted)
    assert analyzer.wants("sub/pyproject.toml")
    for unwanted in ("pkg/mod.pyc", "README.md", "pkg/data.json", "pkg/lib.so"):
        assert not analyzer.wants(unwanted)
