"""From findings to a verdict, as an analyst would judge them.

A capability alone (a network call, a subprocess, base64) is normal. What makes a package
malicious is a combination in code that runs without being asked: install-time or import-time
code that reads secrets *and* talks to the network, decodes a payload *and* executes it,
downloads a file *and* runs it. Correlations are checked per file and execution phase, and
across the package for the strongest signals; each one that fires adds a sentence to the
reasons, so the judgement can be checked.

Score: 0 (nothing of concern) to 10 (certainly malicious); benign below 5, suspicious from 5,
malicious from 8.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from stockade.analysis.model import Category, Confidence, Finding, Kind, Phase, Severity, Verdict

_SEVERITY_WEIGHT = {
    Severity.INFO: 0.0,
    Severity.LOW: 0.4,
    Severity.MEDIUM: 1.2,
    Severity.HIGH: 3.0,
    Severity.CRITICAL: 5.0,
}
_PHASE_WEIGHT = {Phase.INSTALL: 1.5, Phase.IMPORT: 1.2, Phase.RUNTIME: 0.8}
_ACTIVE = (Phase.INSTALL, Phase.IMPORT)
SUSPICIOUS_AT = 5.0
MALICIOUS_AT = 8.0


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict, its score and the reasons."""

    verdict: Verdict
    score: float
    reasons: tuple[str, ...]


def weight(finding: Finding) -> float:
    """How much one finding adds to the risk."""
    base = _SEVERITY_WEIGHT[finding.severity] * finding.confidence.weight
    if finding.kind is Kind.CAPABILITY:
        base *= 0.25
    return base * (_PHASE_WEIGHT.get(finding.phase, 1.0) if finding.phase else 1.0)


@dataclass(frozen=True, slots=True)
class _Group:
    """Findings of one file in one phase."""

    path: str
    phase: Phase | None
    findings: tuple[Finding, ...]

    def has(self, *categories: Category, threat: bool = False, min_rank: int = 0) -> bool:
        return any(
            f.category in categories
            and (not threat or f.kind is Kind.THREAT)
            and f.severity.rank >= min_rank
            for f in self.findings
        )

    def where(self) -> str:
        phase = f" ({self.phase.value})" if self.phase else ""
        return f"{self.path or 'the package'}{phase}"


@dataclass(frozen=True, slots=True)
class _Correlation:
    """A combination that raises the verdict, with the sentence that explains it."""

    verdict: Verdict
    test: Callable[[_Group], bool]
    sentence: str


_NET = (Category.NETWORK, Category.EXFILTRATION)
_GROUP_RULES: tuple[_Correlation, ...] = (
    _Correlation(
        Verdict.MALICIOUS,
        lambda g: (
            g.phase in _ACTIVE
            and g.has(*_NET)
            and g.has(Category.CREDENTIALS, min_rank=Severity.MEDIUM.rank)
        ),
        "reads secrets and sends data over the network in code that runs without being called",
    ),
    _Correlation(
        Verdict.MALICIOUS,
        lambda g: g.phase in _ACTIVE and g.has(Category.EXECUTION, threat=True, min_rank=3),
        "decodes or downloads code and executes it in code that runs without being called",
    ),
    _Correlation(
        Verdict.MALICIOUS,
        lambda g: (
            g.phase in _ACTIVE
            and g.has(*_NET)
            and g.has(Category.FILESYSTEM, Category.PROCESS, threat=True)
        ),
        "downloads and runs or drops a program in code that runs without being called",
    ),
    _Correlation(
        Verdict.MALICIOUS,
        lambda g: (
            g.has(Category.EXFILTRATION, threat=True, min_rank=3)
            and g.has(Category.CREDENTIALS, Category.SURVEILLANCE, Category.PROCESS)
        ),
        "sends secrets or captured data to an exfiltration endpoint",
    ),
    _Correlation(
        Verdict.MALICIOUS,
        lambda g: (
            g.has(Category.PERSISTENCE, threat=True)
            and g.has(Category.PROCESS, Category.NETWORK, Category.EXECUTION, threat=True)
        ),
        "installs itself to start automatically and runs or fetches code",
    ),
    _Correlation(
        Verdict.MALICIOUS,
        lambda g: g.has(Category.SURVEILLANCE, threat=True) and g.has(*_NET),
        "captures the clipboard, keys or screen and has a network channel",
    ),
    _Correlation(
        Verdict.SUSPICIOUS,
        lambda g: g.phase is Phase.INSTALL and g.has(Category.PROCESS, threat=True),
        "starts hidden or detached processes while installing",
    ),
    _Correlation(
        Verdict.SUSPICIOUS,
        lambda g: g.has(Category.EXECUTION, threat=True, min_rank=3),
        "executes decoded or downloaded code",
    ),
    _Correlation(
        Verdict.SUSPICIOUS,
        lambda g: g.phase in _ACTIVE and g.has(Category.EXFILTRATION, threat=True, min_rank=2),
        "contacts an endpoint typical of data theft in code that runs without being called",
    ),
)


def _groups(findings: Iterable[Finding]) -> list[_Group]:
    by_key: dict[tuple[str, Phase | None], list[Finding]] = {}
    for finding in findings:
        by_key.setdefault((finding.path, finding.phase), []).append(finding)
    # Phase-less findings of a file (strings, endpoints) count with each phase of that file.
    groups: list[_Group] = []
    phased = {path for path, phase in by_key if phase is not None}
    for (path, phase), items in by_key.items():
        if phase is None and path in phased:
            continue
        extra = by_key.get((path, None), []) if phase is not None else []
        groups.append(_Group(path, phase, (*items, *extra)))
    return groups


def _single_threats(findings: Sequence[Finding]) -> list[tuple[Verdict, str]]:
    """Threat findings strong enough on their own: critical ones make a package malicious when
    they run at install or import, suspicious when they run only when called."""
    out: list[tuple[Verdict, str]] = []
    for f in findings:
        if f.kind is not Kind.THREAT or f.confidence is not Confidence.HIGH:
            continue
        if f.severity is Severity.CRITICAL and f.phase is Phase.RUNTIME:
            # Alone, in code that runs only when called (pickle of embedded data, marshalled
            # functions: apscheduler, keras and reportlab do this), it is a lead, not a verdict.
            out.append((Verdict.SUSPICIOUS, f"{_where(f)}: {f.message}"))
        elif f.severity is Severity.CRITICAL:
            out.append((Verdict.MALICIOUS, f"{_where(f)}: {f.message}"))
        elif f.severity is Severity.HIGH:
            out.append((Verdict.SUSPICIOUS, f"{_where(f)}: {f.message}"))
    return out


def _where(f: Finding) -> str:
    place = f.path or "the package"
    if f.line:
        place += f":{f.line}"
    return place


def judge(findings: Sequence[Finding]) -> Judgement:
    """The verdict for a package's active findings."""
    raw = sum(weight(f) for f in findings)
    threats = [f for f in findings if f.kind is Kind.THREAT]
    score = 10.0 * (1.0 - math.exp(-raw / 8.0))
    if not threats:
        score = min(score, 3.0)  # capabilities alone never make a package suspicious

    fired: list[tuple[Verdict, str]] = []
    seen: set[str] = set()
    for group in _groups(findings):
        for rule in _GROUP_RULES:
            if rule.test(group):
                reason = f"{group.where()}: {rule.sentence}"
                if reason not in seen:
                    seen.add(reason)
                    fired.append((rule.verdict, reason))
                break  # the strongest correlation per group is enough
    for verdict, reason in _single_threats(findings):
        if reason not in seen:
            seen.add(reason)
            fired.append((verdict, reason))

    verdict = Verdict.BENIGN
    if any(v is Verdict.MALICIOUS for v, _ in fired):
        verdict = Verdict.MALICIOUS
    elif fired or score >= SUSPICIOUS_AT:
        verdict = Verdict.SUSPICIOUS

    if verdict is Verdict.MALICIOUS:
        score = max(score, MALICIOUS_AT + min(2.0, 0.5 * (len(fired) - 1)))
    elif verdict is Verdict.SUSPICIOUS:
        score = min(max(score, SUSPICIOUS_AT), MALICIOUS_AT - 0.1)
    else:
        score = min(score, SUSPICIOUS_AT - 0.1)
    reasons = [r for v, r in fired if v is Verdict.MALICIOUS] + [
        r for v, r in fired if v is Verdict.SUSPICIOUS
    ]
    if verdict is Verdict.SUSPICIOUS and not reasons:
        reasons.append(f"{len(threats)} threat finding(s) add up to a risk of {score:.1f}")
    return Judgement(verdict, round(min(score, 10.0), 1), tuple(reasons))
