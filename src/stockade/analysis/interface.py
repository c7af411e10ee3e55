"""The contracts between archive reading, analysers and correlation.

- :class:`Member` is one regular file read (safely) from an archive; :class:`Archive` the whole.
- :class:`PackageContext` says what the package is and when each file runs (:class:`Phase`).
- An :class:`Analyzer` turns members into findings; each declares its rules (:class:`RuleInfo`)
  and reports through :class:`Reporter`, so that category, severity and kind come from the one
  registration of the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from stockade.analysis.model import Confidence, Finding, Phase, RuleInfo, Severity

SNIPPET_MAX = 160


@dataclass(frozen=True, slots=True)
class Member:
    """One regular file of an archive, read within the limits."""

    path: str
    """Its path inside the archive, POSIX separators, as stored (``pkg-1.0/setup.py``)."""
    relpath: str
    """The path below the archive's single top folder, if it has one (``setup.py``;
    ``package/index.js`` becomes ``index.js``)."""
    size: int
    """Its uncompressed size as stored in the archive."""
    data: bytes
    """Its content: all of it when ``complete``, otherwise the first bytes only."""
    complete: bool = True
    """Whether ``data`` holds the whole file (large or uninteresting files are only sniffed)."""
    executable: bool = False
    """Whether the archive marks it executable."""

    def text(self) -> str | None:
        """The content decoded as UTF-8 (BOM removed), or ``None`` when it is not text."""
        if b"\x00" in self.data[:8192]:
            return None
        try:
            return self.data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return None


@dataclass(slots=True)
class Archive:
    """Everything read from one archive."""

    filename: str
    """The archive's file name (decides its format: ``.whl``, ``.tar.gz``, ``.tgz``, ``.zip``)."""
    format: str
    """``wheel``, ``sdist``, ``npm`` or ``archive`` (an unknown zip or tar)."""
    sha256: str
    """SHA-256 of the archive bytes."""
    members: list[Member] = field(default_factory=list)
    """Regular files, in archive order."""
    findings: list[Finding] = field(default_factory=list)
    """What the reader found about the archive itself (traversal, links, limits hit)."""
    root: str = ""
    """The single top folder every member sits in (``pkg-1.0``, ``package``), or ``""``."""
    total_size: int = 0
    """Sum of the sizes of the members read."""

    def get(self, relpath: str) -> Member | None:
        """The member at ``relpath`` (below the top folder), if present."""
        for member in self.members:
            if member.relpath == relpath:
                return member
        return None


@dataclass(slots=True)
class PackageContext:
    """What is known about the package an archive belongs to."""

    ecosystem: str | None = None
    """``PyPI``, ``npm`` or ``None`` when unknown."""
    name: str | None = None
    """The package name (from the registry or the archive's own metadata)."""
    version: str | None = None
    """Its version."""
    manifest: Mapping[str, Any] = field(default_factory=dict)
    """The archive's own metadata: package.json for npm; for Python the core metadata fields
    of PKG-INFO/METADATA as a dict of lower-case names to values (lists for repeated fields)."""
    registry: Mapping[str, Any] | None = None
    """What the registry says of this version (name, version, dependencies, scripts ...), when
    fetched; compared with ``manifest`` to find manifest confusion."""
    install_files: frozenset[str] = frozenset()
    """Relative paths of files that run at install time (setup.py, files named by npm
    lifecycle scripts, in-tree build backends)."""
    import_files: frozenset[str] = frozenset()
    """Relative paths of files that run on import (package ``__init__.py``, ``.pth`` files,
    the npm ``main``/``exports`` entry)."""
    binaries_expected: bool = False
    """Whether compiled code is normal here (a platform wheel, a package with native build)."""

    def phase_of(self, relpath: str) -> Phase:
        """The phase a file's module-level code runs in (install, import, or runtime)."""
        if relpath in self.install_files:
            return Phase.INSTALL
        if relpath in self.import_files:
            return Phase.IMPORT
        return Phase.RUNTIME


class Reporter:
    """Builds findings for one file from registered rules, filling in the rule's defaults."""

    def __init__(self, rules: Mapping[str, RuleInfo], path: str) -> None:
        self._rules = rules
        self.path = path
        self.findings: list[Finding] = []

    def report(
        self,
        rule: str,
        message: str,
        *,
        line: int | None = None,
        snippet: str = "",
        phase: Phase | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> Finding:
        """Record a finding of ``rule`` (which must be registered)."""
        info = self._rules[rule]
        finding = Finding(
            rule=rule,
            category=info.category,
            severity=severity or info.severity,
            confidence=confidence or info.confidence,
            kind=info.kind,
            path=self.path,
            line=line,
            snippet=clip(snippet),
            message=message,
            phase=phase,
        )
        self.findings.append(finding)
        return finding


def clip(text: str, limit: int = SNIPPET_MAX) -> str:
    """One line of at most ``limit`` characters (newlines and runs of space folded)."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


class Analyzer(Protocol):
    """Finds evidence in the files of a package."""

    name: str
    """Short name (``python``, ``javascript``, ``binary``, ``metadata`` ...)."""
    rules: Sequence[RuleInfo]
    """Every rule it can report."""

    def wants(self, relpath: str) -> bool:
        """Whether it needs the whole content of this file (others are only sniffed)."""
        ...

    def analyze(self, archive: Archive, package: PackageContext) -> Iterable[Finding]:
        """Findings for the archive's members (and, for package-level analysers, the whole)."""
        ...
