"""Fixtures for the verification tests: the shared Sigstore data, skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA

CONFORMANCE = SHARED_DATA / "sigstore-conformance" / "bundle-verify"
ASSETS = SHARED_DATA / "sigstore-python-assets" / "assets"


def conformance_cases() -> list[str]:
    """Names of the bundle-verify cases (empty when the shared data is absent)."""
    if not CONFORMANCE.is_dir():
        return []
    return sorted(p.name for p in CONFORMANCE.iterdir() if p.is_dir())


@pytest.fixture
def conformance() -> Path:
    """sigstore-conformance's bundle-verify folder."""
    if not CONFORMANCE.is_dir():
        pytest.skip(f"sigstore-conformance data not found at {CONFORMANCE}")
    return CONFORMANCE


@pytest.fixture
def assets() -> Path:
    """sigstore-python's test assets folder."""
    if not ASSETS.is_dir():
        pytest.skip(f"sigstore-python assets not found at {ASSETS}")
    return ASSETS
