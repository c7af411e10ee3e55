"""The components of a trust score, one module each; every one a pure
:class:`~stockade.scoring.interface.ComponentScorer` of the package facts."""

from __future__ import annotations

from stockade.scoring.interface import ComponentScorer


def default_scorers() -> tuple[ComponentScorer, ...]:
    """Every component, in the order reports show them."""
    from stockade.scoring.components.hygiene import HYGIENE
    from stockade.scoring.components.maintenance import MAINTENANCE
    from stockade.scoring.components.malicious import MALICIOUS
    from stockade.scoring.components.origin import ORIGIN
    from stockade.scoring.components.provenance import PROVENANCE
    from stockade.scoring.components.typosquatting import TYPOSQUATTING
    from stockade.scoring.components.vulnerabilities import VULNERABILITIES

    return (
        MALICIOUS,
        VULNERABILITIES,
        TYPOSQUATTING,
        ORIGIN,
        PROVENANCE,
        MAINTENANCE,
        HYGIENE,
    )
