"""The vulnerabilities component: open vulnerability records of this version.

Each open (not ignored) vulnerability takes points from 10 by severity, and a quarter more when
no fixed version exists:

=========  =======  ===============
Severity   Points   Without a fix
=========  =======  ===============
critical   4        5
high       3        3.75
medium     1.5      1.875
low        0.5      0.625
unknown    1        1.25
=========  =======  ===============

The score is ``max(0, 10 - sum)``. An open critical vulnerability also caps the overall score
at 5 (flag ``critical-vulnerability``), an open high one at 7 (flag ``high-vulnerability``):
a version with a known way in is not one to trust, however well kept the project is. Unknown
when no vulnerability source answered.
"""

from __future__ import annotations

from stockade import ecosystems
from stockade.intel.findings import Finding, FindingKind, Severity
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

POINTS = {
    Severity.CRITICAL: 4.0,
    Severity.HIGH: 3.0,
    Severity.MEDIUM: 1.5,
    Severity.LOW: 0.5,
    Severity.UNKNOWN: 1.0,
}
NO_FIX_FACTOR = 1.25
CAPS = {Severity.CRITICAL: 5.0, Severity.HIGH: 7.0}
"""The highest overall score of a version with an open vulnerability of that severity."""


def penalty(finding: Finding) -> float:
    """The points one open vulnerability takes."""
    points = POINTS[finding.severity]
    return points * (NO_FIX_FACTOR if not finding.fixed_versions else 1.0)


class VulnerabilitiesScorer:
    """Open vulnerabilities of the version, by severity, and whether fixes exist."""

    name = ComponentName.VULNERABILITIES

    def __call__(self, facts: PackageFacts) -> Component:
        if facts.findings is None:
            return Component.unknown(self.name, "No vulnerability source was available.")
        open_ = sorted(
            (
                f
                for f in facts.findings
                if f.kind is FindingKind.VULNERABILITY and f.ignored is None
            ),
            key=lambda f: (-f.severity.rank, f.id),
        )
        if not open_:
            return Component(
                name=self.name,
                score=10.0,
                confidence=Confidence.HIGH,
                summary="No known vulnerability affects this version.",
                evidence=(Evidence("no-vulnerabilities", "No open vulnerability record."),),
            )
        evidence: list[Evidence] = []
        total = 0.0
        for finding in open_:
            points = penalty(finding)
            total += points
            fix = (
                f"fixed in {', '.join(finding.fixed_versions[:3])}"
                if finding.fixed_versions
                else "no fixed version yet"
            )
            evidence.append(
                Evidence(
                    "open-vulnerability",
                    f"{finding.id} ({finding.severity.value}): {finding.summary}; {fix}.",
                    impact=-points,
                    value={
                        "id": finding.id,
                        "severity": finding.severity.value,
                        "fixed": list(finding.fixed_versions),
                    },
                )
            )
        fixable = sum(1 for f in open_ if f.fixed_versions)
        worst = open_[0].severity.value
        flags: list[Flag] = []
        cap = CAPS.get(open_[0].severity)
        if cap is not None:
            ids = [f.id for f in open_ if f.severity is open_[0].severity]
            fixed = [v for f in open_ for v in f.fixed_versions]
            scheme = ecosystems.get(facts.ecosystem).versions
            remedy = (
                f"upgrade to a fixed version ({max(fixed, key=scheme.key)} fixes them all)"
                if all(f.fixed_versions for f in open_) and fixed
                else "no fixed version exists for every one of them"
            )
            flags.append(
                Flag(
                    f"{worst}-vulnerability",
                    FlagLevel.CAP,
                    f"{facts.name} {facts.version} has {len(ids)} open {worst} "
                    f"vulnerabilit{'y' if len(ids) == 1 else 'ies'} ({', '.join(ids[:3])}); "
                    f"{remedy}.",
                    cap=cap,
                )
            )
        summary = (
            f"{len(open_)} open vulnerabilit{'y' if len(open_) == 1 else 'ies'} "
            f"(worst {worst}); {fixable} fixed in a later version."
        )
        return Component(
            name=self.name,
            score=clamp(10.0 - total),
            confidence=Confidence.HIGH,
            summary=summary,
            evidence=tuple(evidence),
            flags=tuple(flags),
        )


VULNERABILITIES = VulnerabilitiesScorer()
