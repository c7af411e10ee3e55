"""The rules the archive reader reports, and the findings it collects while reading."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from stockade.analysis.archive.errors import error_text
from stockade.analysis.interface import Reporter
from stockade.analysis.model import Category, Confidence, Finding, Kind, RuleInfo, Severity

_MAX_FINDINGS_PER_RULE = 100
"""Findings of one rule listed one by one; the rest are counted in a last finding."""


def _rule(
    id: str, kind: Kind, severity: Severity, description: str, confidence: Confidence
) -> RuleInfo:
    return RuleInfo(
        id=id,
        category=Category.ARCHIVE,
        severity=severity,
        confidence=confidence,
        kind=kind,
        description=description,
    )


_THREAT, _CAP = Kind.THREAT, Kind.CAPABILITY
_HIGH, _MED, _LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

RULES: Sequence[RuleInfo] = (
    _rule(
        "archive-path-traversal",
        _THREAT,
        Severity.HIGH,
        "A member path uses '..' to climb out of the extraction folder (Zip Slip).",
        _HIGH,
    ),
    _rule(
        "archive-absolute-path",
        _THREAT,
        Severity.HIGH,
        "A member path is absolute or names a drive, so extracting it writes anywhere.",
        _HIGH,
    ),
    _rule(
        "archive-bad-path",
        _THREAT,
        Severity.MEDIUM,
        "A member name holds control or bidirectional characters, or is too long to extract; "
        "such names hide or spoof files.",
        _MED,
    ),
    _rule(
        "archive-link",
        _CAP,
        Severity.LOW,
        "A symbolic or hard link inside the archive's own tree; links are not followed.",
        _HIGH,
    ),
    _rule(
        "archive-link-escape",
        _THREAT,
        Severity.HIGH,
        "A link points outside the archive's tree, so extraction can read or overwrite files "
        "elsewhere.",
        _HIGH,
    ),
    _rule(
        "archive-special-file",
        _THREAT,
        Severity.MEDIUM,
        "A device node or FIFO member; packages have none, and extracting one creates it.",
        _HIGH,
    ),
    _rule(
        "archive-duplicate",
        _THREAT,
        Severity.MEDIUM,
        "A path appears twice; extractors keep the later copy, which can shadow what a "
        "reviewer saw.",
        _MED,
    ),
    _rule(
        "archive-bomb",
        _THREAT,
        Severity.HIGH,
        "Data compressed far beyond what real files allow (a decompression bomb).",
        _HIGH,
    ),
    _rule(
        "archive-too-many-members",
        _CAP,
        Severity.MEDIUM,
        "The archive has more members than the reading limit; the rest was not analysed.",
        _HIGH,
    ),
    _rule(
        "archive-member-truncated",
        _CAP,
        Severity.INFO,
        "A file larger than the per-file or total limit was analysed only in part.",
        _HIGH,
    ),
    _rule(
        "archive-timeout",
        _CAP,
        Severity.MEDIUM,
        "Reading the archive took longer than its time budget; the rest was not analysed.",
        _HIGH,
    ),
    _rule(
        "archive-corrupt",
        _CAP,
        Severity.LOW,
        "The archive or a member is truncated, damaged, encrypted or uses an unsupported "
        "method; what could be read was.",
        _HIGH,
    ),
    _rule(
        "archive-nesting",
        _CAP,
        Severity.LOW,
        "An archive inside the archive was not opened: nested too deep or too large.",
        _HIGH,
    ),
)
"""The rules the archive reader reports (category ``archive``)."""

RULES_BY_ID = {r.id: r for r in RULES}
_HAZARDS = frozenset(
    {
        "archive-path-traversal",
        "archive-absolute-path",
        "archive-bad-path",
        "archive-link",
        "archive-link-escape",
        "archive-special-file",
        "archive-duplicate",
        "archive-bomb",
    }
)
"""Rules about what extracting a member would do (milder inside nested archives)."""


class Findings:
    """The findings of one archive (nested ones included), capped per rule."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.depth = 0
        """How deep in nested archives reading is now."""

    def report(
        self,
        rule: str,
        path: str,
        message: str,
        *,
        snippet: str = "",
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        self.counts[rule] += 1
        if self.counts[rule] > _MAX_FINDINGS_PER_RULE:
            return
        if self.depth and rule in _HAZARDS:
            # Installers unpack the package, never the archives inside it (test fixtures,
            # vendored wheels): what would harm an extractor there harms nobody by itself.
            if severity is not Severity.INFO:
                severity = Severity.LOW
            confidence = Confidence.LOW
            message += " It lies inside a nested archive, which installers do not unpack."
        reporter = Reporter(RULES_BY_ID, path)
        reporter.report(rule, message, snippet=snippet, severity=severity, confidence=confidence)
        self.items.extend(reporter.findings)

    def corrupt(self, where: str, err: BaseException | str, *, member: bool = False) -> None:
        if member:
            message = f"This member could not be read ({error_text(err)}); it is kept in part."
        else:
            message = (
                f"The archive is truncated or damaged ({error_text(err)}); what came before "
                "was read."
            )
        self.report("archive-corrupt", where, message)

    def final(self) -> list[Finding]:
        """The findings, with one more per rule that had too many to list."""
        out = list(self.items)
        for rule, count in self.counts.items():
            if count > _MAX_FINDINGS_PER_RULE:
                extra = count - _MAX_FINDINGS_PER_RULE
                reporter = Reporter(RULES_BY_ID, "")
                reporter.report(rule, f"{extra} more findings of this rule are not listed.")
                out.extend(reporter.findings)
        return out
