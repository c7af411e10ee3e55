"""Provenance test helpers: the tallies of the vector and conformance suites, shown in pytest's
terminal summary (so CI logs carry them)."""

from __future__ import annotations

import pytest

TALLIES: dict[str, str] = {}
"""Suite name -> one-line tally, filled by the suites as they run."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the tallies of the suites that ran."""
    if TALLIES:
        terminalreporter.section("provenance vectors and conformance")
        for name, line in sorted(TALLIES.items()):
            terminalreporter.write_line(f"{name}: {line}")
