"""Fixtures of the component tests: a recorded slice of the popular lists."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stockade.ecosystems.interface import Ecosystem

POPULAR: dict[tuple[Ecosystem, str], int] = {
    # 30-day downloads from top-pypi-packages (data of 2026-04-01).
    (Ecosystem.PYPI, "requests"): 1_291_814_272,
    (Ecosystem.PYPI, "six"): 934_334_018,
    (Ecosystem.PYPI, "scikit-learn"): 207_389_880,
    (Ecosystem.PYPI, "azure-core"): 182_434_957,
    (Ecosystem.PYPI, "types-requests"): 165_837_433,
    (Ecosystem.PYPI, "azure-storage-blob"): 120_099_843,
    (Ecosystem.PYPI, "sklearn"): 2_481_459,
    # npm-high-impact 1.13.0 ranks, as a rank-derived figure (10**9 // rank).
    (Ecosystem.NPM, "@babel/parser"): 10**9 // 90,
    (Ecosystem.NPM, "@types/node"): 10**9 // 147,
    (Ecosystem.NPM, "@babel/core"): 10**9 // 155,
    (Ecosystem.NPM, "axios"): 10**9 // 237,
    (Ecosystem.NPM, "@types/react"): 10**9 // 830,
    (Ecosystem.NPM, "event-stream"): 10**9 // 3703,
}


def recorded_popularity(ecosystem: Ecosystem, name: str) -> int | None:
    """A package's figure in the recorded slice of the popular lists."""
    return POPULAR.get((ecosystem, name))


@pytest.fixture
def popularity() -> Callable[[Ecosystem, str], int | None]:
    """Popularity look-ups from the recorded slice (independent of the packaged lists)."""
    return recorded_popularity
