"""Suppressions: accepted findings, keyed by package, version or content hash, and rule.

In ``pyproject.toml`` (``[[tool.stockade.suppress]]``) or ``stockade.toml`` (``[[suppress]]``)::

    [[tool.stockade.suppress]]
    rule = "js-child-process"         # a rule id, or a glob such as "js-*"
    package = "esbuild"                # any of package, version, sha256 narrows it
    version = "0.24.*"                 # glob over the version
    reason = "runs its own platform binary after install; reviewed"

A suppression must give a reason, and at least one of package or sha256 (a suppression of a
rule everywhere would hide malware too).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stockade.analysis.model import Finding, Suppressed


@dataclass(frozen=True, slots=True)
class Suppression:
    """One accepted kind of finding."""

    rule: str
    """Rule id or glob."""
    reason: str
    """Why it is accepted."""
    package: str | None = None
    """Package name (compared case-insensitively, ``-``/``_``/``.`` alike)."""
    version: str | None = None
    """Version or glob."""
    sha256: str | None = None
    """SHA-256 of the archive."""
    path: str | None = None
    """Glob over the file path inside the archive."""

    def matches(
        self, finding: Finding, *, package: str | None, version: str | None, sha256: str | None
    ) -> bool:
        """Whether this suppression accepts ``finding`` of the given package and archive."""
        if not fnmatch.fnmatchcase(finding.rule, self.rule):
            return False
        if self.package is not None and _norm(self.package) != _norm(package or ""):
            return False
        if self.version is not None and not fnmatch.fnmatchcase(version or "", self.version):
            return False
        if self.sha256 is not None and self.sha256.lower() != (sha256 or "").lower():
            return False
        return self.path is None or fnmatch.fnmatchcase(finding.path, self.path)


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def apply(
    findings: Iterable[Finding],
    suppressions: Sequence[Suppression],
    *,
    package: str | None,
    version: str | None,
    sha256: str | None,
) -> tuple[list[Finding], list[Suppressed]]:
    """Split findings into the active ones and the suppressed ones (with their reasons)."""
    active: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        rule = next(
            (
                s
                for s in suppressions
                if s.matches(finding, package=package, version=version, sha256=sha256)
            ),
            None,
        )
        if rule is None:
            active.append(finding)
        else:
            suppressed.append(Suppressed(finding, rule.reason))
    return active, suppressed
