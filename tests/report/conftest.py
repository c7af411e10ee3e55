"""Fixtures for the format tests."""

from __future__ import annotations

import pytest

from stockade.check.model import Report
from tests.report import sample


@pytest.fixture
def full_report() -> Report:
    """The realistic report."""
    return sample.full()


@pytest.fixture
def empty_report() -> Report:
    """The report with no findings."""
    return sample.empty()
