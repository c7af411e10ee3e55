"""JavaScript analysis: npm lifecycle scripts and JavaScript sources read with tree-sitter,
never run. :class:`JavaScriptAnalyzer` implements the analyser protocol; its rules are in
:mod:`stockade.analysis.javascript.rules`."""

from stockade.analysis.javascript.analyzer import JavaScriptAnalyzer
from stockade.analysis.javascript.rules import RULES

__all__ = ["RULES", "JavaScriptAnalyzer"]
