"""Reporting findings for one file: snippets from the source line, duplicates dropped."""

from __future__ import annotations

from stockade.analysis.interface import Reporter
from stockade.analysis.model import Confidence, Phase, Severity


class Emitter:
    """Wraps a :class:`Reporter` for one file: one finding per rule and line, and optional
    once-per-file reporting for runtime capabilities (to keep noise down)."""

    def __init__(
        self, reporter: Reporter, lines: list[str], *, host: tuple[int, str] | None = None
    ) -> None:
        self.reporter = reporter
        self._lines = lines
        self._host = host
        self._seen: set[tuple[str, int | None]] = set()
        self._once: set[tuple[str, str]] = set()

    def nested(self, line: int) -> Emitter:
        """An emitter for code embedded in this file at ``line`` (reported at that line)."""
        child = Emitter(self.reporter, [], host=(self.line(line) or line, self.snippet(line)))
        child._seen = self._seen
        child._once = self._once
        return child

    def line(self, line: int | None) -> int | None:
        """The reported line for a line of the analysed text."""
        if self._host is not None:
            return self._host[0]
        return line

    def snippet(self, line: int | None) -> str:
        """The source line (for a nested text: the host line)."""
        if self._host is not None:
            return self._host[1]
        if line is None or not 0 < line <= len(self._lines):
            return ""
        return self._lines[line - 1].strip()

    def emit(
        self,
        rule: str,
        line: int | None,
        message: str,
        phase: Phase | None,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        once: str | None = None,
    ) -> bool:
        """Report ``rule`` at ``line`` unless already reported there (or, with ``once``, already
        reported for that key in this file); whether it was reported."""
        where = self.line(line)
        if (rule, where) in self._seen:
            return False
        if once is not None:
            if (rule, once) in self._once:
                return False
            self._once.add((rule, once))
        self._seen.add((rule, where))
        self.reporter.report(
            rule,
            message,
            line=where,
            snippet=self.snippet(line),
            phase=phase,
            severity=severity,
            confidence=confidence,
        )
        return True

    def reported(self, rule: str, line: int | None) -> bool:
        """Whether ``rule`` was already reported at ``line``."""
        return (rule, self.line(line)) in self._seen
