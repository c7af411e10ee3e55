"""Recording findings for one file: snippets from the source, caps on repeats."""

from __future__ import annotations

from stockade.analysis.interface import Reporter, clip
from stockade.analysis.javascript.rules import RULES_BY_ID
from stockade.analysis.model import Confidence, Kind, Phase, Severity

CAPABILITY_CAP = 3
"""At most this many findings of one capability rule per file."""
THREAT_CAP = 10
"""At most this many findings of one threat rule per file."""

_WINDOW = 150


def line_of(source: bytes, offset: int) -> int:
    """The 1-based line of a byte offset."""
    return source.count(b"\n", 0, offset) + 1


def snippet_at(source: bytes, offset: int) -> str:
    """The source line around a byte offset; a window of it when the line is long."""
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset)
    end = len(source) if end < 0 else end
    if end - start > _WINDOW:
        start = max(start, offset - 40)
        end = min(end, start + _WINDOW)
    return clip(source[start:end].decode("utf-8", "replace"))


class Emitter:
    """Reports findings of one file through a :class:`Reporter`, once per rule and line, with
    per-rule caps. ``line``/``snippet`` pin every finding to one place (code found inside a
    package.json script)."""

    def __init__(
        self,
        reporter: Reporter,
        source: bytes,
        *,
        line: int | None = None,
        snippet: str | None = None,
    ) -> None:
        self.reporter = reporter
        self.source = source
        self._line = line
        self._snippet = snippet
        self._seen: set[tuple[str, int | None]] = set()
        self._counts: dict[str, int] = {}

    def emit(
        self,
        rule: str,
        message: str,
        offset: int | None,
        phase: Phase | None,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        snippet: str | None = None,
        line: int | None = None,
    ) -> bool:
        """Report ``rule`` at a byte offset (or an explicit line); ``False`` when it was a
        repeat or over the cap."""
        if self._line is not None:
            line, text = self._line, self._snippet or snippet or ""
        elif offset is not None:
            line = line if line is not None else line_of(self.source, offset)
            text = snippet if snippet is not None else snippet_at(self.source, offset)
        else:
            text = snippet or ""
        key = (rule, line)
        if key in self._seen:
            return False
        info = RULES_BY_ID[rule]
        cap = THREAT_CAP if info.kind is Kind.THREAT else CAPABILITY_CAP
        if self._counts.get(rule, 0) >= cap:
            return False
        self._seen.add(key)
        self._counts[rule] = self._counts.get(rule, 0) + 1
        self.reporter.report(
            rule,
            message,
            line=line,
            snippet=text,
            phase=phase,
            severity=severity,
            confidence=confidence,
        )
        return True
