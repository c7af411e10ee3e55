"""The malicious component: known-malicious records and the archive verdict.

========================================  =======  =========================================
Fact                                      Score    Flag
========================================  =======  =========================================
an OSV ``MAL-`` record for this version   0        ``malicious`` (block: overall 0)
the archive verdict is ``malicious``      0        ``malicious-archive`` (block: overall 0)
the archive verdict is ``suspicious``     10-risk  ``suspicious-archive`` (cap: overall <= 5)
no record, archive benign                 10
========================================  =======  =========================================

Confidence is high when both a record source answered and the archive was scanned, medium when
only one of them was available; with neither the component is unknown.
"""

from __future__ import annotations

from stockade.intel.findings import FindingKind
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import (
    Component,
    ComponentName,
    Confidence,
    Evidence,
    Flag,
    FlagLevel,
    clamp,
)

SUSPICIOUS_CAP = 5.0
"""The highest overall score of a version whose archive was judged suspicious."""


class MaliciousScorer:
    """Known-malicious records (block), and the archive verdict of :mod:`stockade.analysis`."""

    name = ComponentName.MALICIOUS

    def __call__(self, facts: PackageFacts) -> Component:
        if facts.findings is None and facts.archive is None:
            return Component.unknown(
                self.name,
                "Neither a malicious-package database nor an archive scan was available.",
            )
        evidence: list[Evidence] = []
        flags: list[Flag] = []
        score = 10.0
        records = [f for f in facts.findings or () if f.kind is FindingKind.MALICIOUS]
        if records:
            ids = [f.id for f in records]
            score = 0.0
            evidence.append(
                Evidence(
                    "known-malicious",
                    f"Reported as malicious ({', '.join(ids)}): {records[0].summary}",
                    impact=-10.0,
                    value=ids,
                )
            )
            flags.append(
                Flag(
                    "malicious",
                    FlagLevel.BLOCK,
                    f"{facts.name} {facts.version} is a known-malicious package ({ids[0]}); "
                    "do not install it, and treat any machine that did as compromised.",
                )
            )
        elif facts.findings is not None:
            evidence.append(
                Evidence("no-malicious-record", "No malicious-package record names this version.")
            )
        archive = facts.archive
        if archive is not None:
            why = f" ({archive.reasons[0]})" if archive.reasons else ""
            if archive.verdict == "malicious":
                score = 0.0
                evidence.append(
                    Evidence(
                        "archive-malicious",
                        f"Static analysis judged the archive malicious, risk {archive.risk:.1f}"
                        f"{why}.",
                        impact=-10.0,
                        value=archive.risk,
                    )
                )
                flags.append(
                    Flag(
                        "malicious-archive",
                        FlagLevel.BLOCK,
                        f"The archive of {facts.name} {facts.version} behaves like malware{why}.",
                    )
                )
            elif archive.verdict == "suspicious":
                penalty = min(10.0, archive.risk)
                score = min(score, 10.0 - penalty)
                evidence.append(
                    Evidence(
                        "archive-suspicious",
                        "Static analysis found suspicious behaviour, "
                        f"risk {archive.risk:.1f}{why}.",
                        impact=-penalty,
                        value=archive.risk,
                    )
                )
                flags.append(
                    Flag(
                        "suspicious-archive",
                        FlagLevel.CAP,
                        f"The archive shows suspicious behaviour{why}; review it before use.",
                        cap=SUSPICIOUS_CAP,
                    )
                )
            else:
                evidence.append(
                    Evidence(
                        "archive-benign",
                        f"Static analysis of {len(archive.files) or 'its'} archive(s) "
                        f"found nothing malicious (risk {archive.risk:.1f}).",
                        value=archive.risk,
                    )
                )
        both = facts.findings is not None and archive is not None
        confidence = Confidence.HIGH if both or score == 0.0 else Confidence.MEDIUM
        if score == 0.0:
            summary = "Known or judged malicious."
        elif score < 10.0:
            summary = "The archive shows suspicious behaviour."
        elif both:
            summary = "No malicious record, and the archive looks benign."
        elif archive is not None:
            summary = "The archive looks benign (no malicious-package database was available)."
        else:
            summary = "No malicious record (the archive was not scanned)."
        return Component(
            name=self.name,
            score=clamp(score),
            confidence=confidence,
            summary=summary,
            evidence=tuple(evidence),
            flags=tuple(flags),
        )


MALICIOUS = MaliciousScorer()
