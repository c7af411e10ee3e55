"""From OSV records to findings: one :class:`~stockade.intel.findings.Finding` per vulnerability.

Records that name each other in ``aliases`` (transitively), or share an id because two sources
hold the same record, describe one vulnerability and become one finding carrying every id.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem
from stockade.intel.findings import Finding, FindingKind, Severity
from stockade.intel.osv.matching import affects, fixed_versions, is_affected, matching_affected
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.severity import score

__all__ = ["OSV_URL", "build_findings", "primary_id"]

OSV_URL = "https://osv.dev/vulnerability/{id}"
"""Where a finding's page is."""
SUMMARY_LENGTH = 120
"""Longest summary kept, in characters."""

_PREFERENCE = ("MAL-", "GHSA-", "PYSEC-")
_RULE = re.compile(r"^[-_=*#\s]*$")


def _id_rank(vid: str) -> tuple[int, str]:
    """Sort key of ids, most preferred first: MAL, GHSA, PYSEC, other OSV ids, then CVE."""
    for rank, prefix in enumerate(_PREFERENCE):
        if vid.startswith(prefix):
            return rank, vid
    if vid.startswith("CVE-"):
        return len(_PREFERENCE) + 1, vid
    return len(_PREFERENCE), vid


def primary_id(ids: Iterable[str]) -> str:
    """The id a group of ids is shown under (a MAL-, GHSA-, PYSEC- or other id over a CVE)."""
    return min(ids, key=_id_rank)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # Deterministic: the smaller id becomes the root.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def _summary(records: list[Vulnerability]) -> str:
    text = next((r.summary.strip() for r in records if r.summary and r.summary.strip()), "")
    if not text:
        for record in records:
            lines = (record.details or "").splitlines()
            line = next((ln for ln in lines if not _RULE.match(ln)), "")
            text = line.strip().lstrip("#").strip()
            if text:
                break
    text = " ".join(text.split())
    if len(text) > SUMMARY_LENGTH:
        text = text[: SUMMARY_LENGTH - 1].rstrip() + "…"
    return text or "no description"


def build_findings(
    records: Iterable[Vulnerability], ecosystem: Ecosystem | str, name: str, version: str
) -> list[Finding]:
    """The findings of ``name`` at ``version``: one per vulnerability, aliases merged.

    Records that do not affect the package version (or are withdrawn) are left out. The list
    is sorted most severe first, then by id.
    """
    eco = Ecosystem(ecosystem)
    relevant = [r for r in records if affects(r, eco, name, version)]
    groups = _UnionFind()
    for record in relevant:
        groups.find(record.id)
        for alias in record.aliases:
            groups.union(record.id, alias)
    by_root: dict[str, list[Vulnerability]] = defaultdict(list)
    for record in relevant:
        by_root[groups.find(record.id)].append(record)
    findings = [_finding(members, eco, name, version) for members in by_root.values()]
    findings.sort(key=lambda f: (-f.severity.rank, f.id))
    return findings


def _finding(members: list[Vulnerability], eco: Ecosystem, name: str, version: str) -> Finding:
    # Preferred ids first; the newest copy first among records with the same id.
    members.sort(key=lambda r: (_id_rank(r.id), -r.modified.timestamp()))
    main = primary_id(r.id for r in members)
    ids = {r.id for r in members}
    for record in members:
        ids.update(record.aliases)
    scheme = get(eco).versions
    best: tuple[int, float, float | None, str | None, Severity] = (
        0,
        -2.0,
        None,
        None,
        Severity.UNKNOWN,
    )
    for record in members:
        entries = list(matching_affected(record, eco, name))
        # The severity of the entry that matched this version, if the record has several.
        affected = next((a for a in entries if is_affected(a, version, scheme)), None)
        value, vector, rating = score(record, affected)
        candidate = (rating.rank, value if value is not None else -1.0, value, vector, rating)
        if candidate[:2] > best[:2]:
            best = candidate
    fixed = {v for record in members for v in fixed_versions(record, eco, name, version)}
    malicious = any(r.is_malicious for r in members)
    return Finding(
        id=main,
        aliases=tuple(sorted(ids - {main})),
        kind=FindingKind.MALICIOUS if malicious else FindingKind.VULNERABILITY,
        summary=_summary(members),
        severity=best[4],
        score=best[2],
        cvss_vector=best[3],
        fixed_versions=tuple(sorted(fixed, key=lambda v: (scheme.key(v), v))),
        url=OSV_URL.format(id=main),
    )
