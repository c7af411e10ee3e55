"""Every analyser and every rule, registered in one place.

Rules are declared next to the code that finds them (``RULES`` in each analyser module); this
module gathers them, checks that ids are unique, and hands the scanner its analysers.
"""

from __future__ import annotations

from functools import cache

from stockade.analysis.interface import Analyzer
from stockade.analysis.model import Category, Confidence, Kind, RuleInfo, Severity

SCANNER_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        id="analysis-error",
        category=Category.ARCHIVE,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        kind=Kind.CAPABILITY,
        description="An analyser failed on this archive; part of it went unexamined.",
    ),
)
"""Rules the scanner itself reports."""


@cache
def analyzers() -> tuple[Analyzer, ...]:
    """The analysers, in the order they run."""
    from stockade.analysis.binaries import BinaryAnalyzer
    from stockade.analysis.images import ImageAnalyzer
    from stockade.analysis.javascript import JavaScriptAnalyzer
    from stockade.analysis.metadata import MetadataAnalyzer
    from stockade.analysis.python import PythonAnalyzer
    from stockade.analysis.text import TextAnalyzer

    return (
        MetadataAnalyzer(),
        PythonAnalyzer(),
        JavaScriptAnalyzer(),
        BinaryAnalyzer(),
        TextAnalyzer(),
        ImageAnalyzer(),
    )


@cache
def rules() -> dict[str, RuleInfo]:
    """Every rule by id. Raises ``ValueError`` if two rules share an id."""
    from stockade.analysis.archive import RULES as ARCHIVE_RULES

    found: dict[str, RuleInfo] = {}
    sources: list[tuple[str, tuple[RuleInfo, ...]]] = [
        ("scanner", SCANNER_RULES),
        ("archive", tuple(ARCHIVE_RULES)),
    ]
    sources += [(a.name, tuple(a.rules)) for a in analyzers()]
    for owner, declared in sources:
        for rule in declared:
            if rule.id in found:
                raise ValueError(f"rule id {rule.id!r} is registered twice (again by {owner})")
            found[rule.id] = rule
    return found
