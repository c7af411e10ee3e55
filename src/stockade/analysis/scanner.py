"""Scan a package archive: read it safely, run every analyser, judge the findings.

``scan_archive`` scans one archive in this process; ``scan_many`` scans many across processes.
Nothing in an archive is ever executed, imported or installed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockade.analysis.interface import Archive, PackageContext, Reporter
from stockade.analysis.model import Finding, ScanResult, Severity, Verdict
from stockade.analysis.suppress import Suppression, apply
from stockade.analysis.verdict import judge
from stockade.errors import StockadeError

_ORDER = {s: i for i, s in enumerate(reversed(list(Severity)))}


@dataclass(frozen=True, slots=True)
class ScanJob:
    """One archive to scan, with what is known of its package."""

    path: Path
    """The archive file."""
    ecosystem: str | None = None
    """``PyPI`` or ``npm``, when known."""
    name: str | None = None
    """Package name, when known."""
    version: str | None = None
    """Package version, when known."""
    registry: Mapping[str, Any] | None = None
    """What the registry says of the version (for manifest-confusion checks)."""
    target: str | None = None
    """How the user named it (a purl, a path); defaults to the file name."""


def scan_archive(
    source: Path | bytes,
    *,
    filename: str | None = None,
    ecosystem: str | None = None,
    name: str | None = None,
    version: str | None = None,
    registry: Mapping[str, Any] | None = None,
    suppressions: Sequence[Suppression] = (),
    limits: Any = None,
    target: str | None = None,
) -> ScanResult:
    """Scan one archive (a path or its bytes). Raises :class:`StockadeError` when the file is
    not an archive Stockade reads."""
    from stockade.analysis.archive import Limits, read_archive
    from stockade.analysis.context import build_context
    from stockade.analysis.registry import analyzers, rules

    started = time.perf_counter()
    chosen = analyzers()

    def wants(relpath: str) -> bool:
        return any(a.wants(relpath) for a in chosen)

    archive = read_archive(
        source,
        filename=filename,
        wants=wants,
        limits=limits if limits is not None else Limits(),
    )
    package = build_context(
        archive, ecosystem=ecosystem, registry=registry, name=name, version=version
    )
    findings: list[Finding] = list(archive.findings)
    for analyzer in chosen:
        findings.extend(_run(analyzer, archive, package, rules()))
    findings.sort(key=_finding_order)
    active, suppressed = apply(
        findings,
        suppressions,
        package=package.name,
        version=package.version,
        sha256=archive.sha256,
    )
    judgement = judge(active)
    label = target or filename or (source.name if isinstance(source, Path) else "archive")
    return ScanResult(
        target=label,
        verdict=judgement.verdict,
        score=judgement.score,
        findings=tuple(active),
        reasons=judgement.reasons,
        suppressed=tuple(suppressed),
        ecosystem=package.ecosystem,
        name=package.name,
        version=package.version,
        sha256=archive.sha256,
        stats={
            "members": float(len(archive.members)),
            "bytes": float(archive.total_size),
            "seconds": round(time.perf_counter() - started, 4),
        },
    )


def _run(
    analyzer: Any, archive: Archive, package: PackageContext, registered: Mapping[str, Any]
) -> list[Finding]:
    """Run one analyser; a crash on hostile input becomes a finding, not a failed scan."""
    try:
        return list(analyzer.analyze(archive, package))
    except RecursionError:
        reason = "input nested too deeply"
    except Exception as exc:  # an analyser bug must not hide the rest of the evidence
        reason = f"{type(exc).__name__}: {exc}"
    reporter = Reporter(registered, "")
    reporter.report(
        "analysis-error",
        f"The {analyzer.name} analyser failed ({reason}); its part of the archive was not "
        "examined.",
    )
    return reporter.findings


def _finding_order(f: Finding) -> tuple[int, int, str, int]:
    return (_ORDER[f.severity], 0 if f.kind.value == "threat" else 1, f.path, f.line or 0)


def _scan_job(job: ScanJob, suppressions: Sequence[Suppression]) -> ScanResult:
    try:
        return scan_archive(
            job.path,
            ecosystem=job.ecosystem,
            name=job.name,
            version=job.version,
            registry=job.registry,
            suppressions=suppressions,
            target=job.target,
        )
    except StockadeError as exc:
        return error_result(job.target or job.path.name, str(exc))


def error_result(target: str, error: str) -> ScanResult:
    """The result for an archive that could not be scanned."""
    return ScanResult(
        target=target,
        verdict=Verdict.BENIGN,
        score=0.0,
        findings=(),
        error=error,
    )


def scan_many(
    jobs: Sequence[ScanJob],
    *,
    workers: int | None = None,
    suppressions: Sequence[Suppression] = (),
    progress: Callable[[ScanResult], None] | None = None,
) -> list[ScanResult]:
    """Scan archives in parallel across processes; results in the order of ``jobs``."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(jobs) <= 1:
        results = []
        for job in jobs:
            results.append(_scan_job(job, suppressions))
            if progress is not None:
                progress(results[-1])
        return results
    ordered: list[ScanResult | None] = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = {pool.submit(_scan_job, job, suppressions): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker that died (memory, signal)
                result = error_result(jobs[index].target or jobs[index].path.name, str(exc))
            ordered[index] = result
            if progress is not None:
                progress(result)
    return [r for r in ordered if r is not None]
