"""Log test helpers: vector tallies shown in pytest's terminal summary."""

from __future__ import annotations

import pytest

TALLIES: dict[str, str] = {}
"""Vector suite name -> one-line tally, filled by the vector tests."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the tallies of the vector suites that ran."""
    if TALLIES:
        terminalreporter.section("tamper-evident log vectors")
        for name, line in sorted(TALLIES.items()):
            terminalreporter.write_line(f"{name}: {line}")
