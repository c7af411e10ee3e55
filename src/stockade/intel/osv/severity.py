"""How severe an OSV record is: CVSS vectors first, then the database's own words.

The best vector wins: CVSS v4 over v3.x over v2, from the affected entry's ``severity`` and the
record's ``severity`` (the affected entry's first when both give the same version). Vectors
are scored with the :mod:`cvss` library; a vector it cannot parse is skipped. Without a usable
vector, ``database_specific.severity`` (GitHub's ``LOW``/``MODERATE``/``HIGH``/``CRITICAL``)
or an ``Ubuntu`` priority decides. ``MAL-`` records (known-malicious packages) are critical.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from stockade.intel.findings import Severity
from stockade.intel.osv.models import Affected, Vulnerability
from stockade.intel.osv.models import Severity as SeverityScore

__all__ = ["score", "score_vector"]

_WORDS: dict[str, Severity] = {
    "negligible": Severity.LOW,
    "low": Severity.LOW,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "critical": Severity.CRITICAL,
}


def _version(vector: str, declared: str) -> int | None:
    """The CVSS major version of a vector (its prefix wins over the declared type)."""
    if vector.startswith("CVSS:4."):
        return 4
    if vector.startswith("CVSS:3."):
        return 3
    if vector.startswith("CVSS:"):
        return None
    if declared == "CVSS_V2" or vector.startswith("AV:"):
        return 2
    return None


def score_vector(vector: str) -> tuple[float, Severity] | None:
    """The base score and rating of a CVSS v2, v3.x or v4 vector; ``None`` if it is invalid."""
    vector = vector.strip()
    version = _version(vector, "CVSS_V2")
    try:
        if version == 4:
            base = float(CVSS4(vector).base_score)
        elif version == 3:
            base = float(CVSS3(vector).base_score)
        elif version == 2:
            base = float(CVSS2(vector).base_score)
            # CVSS v2 has no "critical" rating: 7.0 to 10.0 is high.
            rating = Severity.from_score(base)
            return base, Severity.HIGH if rating is Severity.CRITICAL else rating
        else:
            return None
    except (CVSSError, ValueError, KeyError, TypeError, ArithmeticError):
        return None
    return base, Severity.from_score(base)


def _vectors(scores: Iterable[SeverityScore]) -> list[tuple[int, str]]:
    found = []
    for item in scores:
        if not item.type.upper().startswith("CVSS"):
            continue
        version = _version(item.score.strip(), item.type.upper())
        if version is not None:
            found.append((version, item.score.strip()))
    return found


def _word(value: Any) -> Severity | None:
    if isinstance(value, str):
        return _WORDS.get(value.strip().lower())
    return None


def score(
    record: Vulnerability, affected: Affected | None = None
) -> tuple[float | None, str | None, Severity]:
    """The CVSS base score, the vector it came from and the rating of ``record``.

    ``affected`` is the entry for the package in question, whose own ``severity`` is also
    considered. Never raises: a record with nothing usable is ``(None, None, UNKNOWN)``.
    """
    if record.is_malicious:
        return None, None, Severity.CRITICAL
    candidates = _vectors(affected.severity if affected is not None else ())
    candidates += _vectors(record.severity)
    # Stable sort: v4 before v3 before v2, the affected entry's first within a version.
    for _, vector in sorted(candidates, key=lambda item: -item[0]):
        scored = score_vector(vector)
        if scored is not None:
            return scored[0], vector, scored[1]
    specific = [affected.database_specific if affected is not None else None]
    specific.append(record.database_specific)
    for extra in specific:
        if extra and (word := _word(extra.get("severity"))) is not None:
            return None, None, word
    for item in [*(affected.severity if affected is not None else ()), *record.severity]:
        if item.type.lower() == "ubuntu" and (word := _word(item.score)) is not None:
            return None, None, word
    return None, None, Severity.UNKNOWN
