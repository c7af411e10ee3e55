"""Log test helpers: the vector tallies go to the provenance terminal summary."""

from __future__ import annotations

from tests.provenance.conftest import TALLIES

__all__ = ["TALLIES"]
