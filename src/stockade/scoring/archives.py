"""The archive verdict of a package version, for the malicious component.

:class:`ArchiveJudge` downloads a version's archives (digest checked) and scans them with
:mod:`stockade.analysis`, never running them. Scans run in a worker process pool when one is
given (bulk ingest), in a thread otherwise.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from stockade.analysis.model import ScanResult, Verdict
from stockade.analysis.scanner import ScanJob, _scan_job
from stockade.ecosystems.interface import Ecosystem, Registry
from stockade.scoring.facts import ArchiveSummary

if TYPE_CHECKING:
    from stockade.http import HttpClient

_RANK = {Verdict.BENIGN: 0, Verdict.SUSPICIOUS: 1, Verdict.MALICIOUS: 2}


def summarize(results: list[ScanResult]) -> ArchiveSummary | None:
    """The worst verdict of a version's archives (``None`` when none could be scanned)."""
    scanned = [r for r in results if r.error is None]
    if not scanned:
        return None
    worst = max(scanned, key=lambda r: (_RANK[r.verdict], r.score))
    return ArchiveSummary(
        verdict=worst.verdict.value,
        risk=round(worst.score, 1),
        reasons=tuple(worst.reasons[:3]),
        files=tuple(r.target for r in scanned),
    )


class ArchiveJudge:
    """Fetch and scan the archives of package versions."""

    def __init__(
        self,
        registry_for: Callable[[Ecosystem], Registry],
        http: HttpClient,
        *,
        executor: Executor | None = None,
        max_bytes: int = 100 << 20,
    ) -> None:
        self._registry_for = registry_for
        self._http = http
        self._executor = executor
        self._max_bytes = max_bytes

    async def judge(self, purl: str) -> tuple[ArchiveSummary | None, str | None]:
        """The verdict on a version's archives, or ``None`` and why it could not be had."""
        from stockade.analysis.fetch import fetch_purl
        from stockade.errors import StockadeError

        with tempfile.TemporaryDirectory(prefix="stockade-score-") as tmp:
            try:
                fetched = await fetch_purl(
                    purl, self._registry_for, self._http, Path(tmp), max_bytes=self._max_bytes
                )
            except StockadeError as exc:
                return None, f"archive not scanned: {exc}"
            loop = asyncio.get_running_loop()
            results: list[ScanResult] = []
            for item in fetched:
                job = ScanJob(
                    path=item.path,
                    ecosystem=item.ecosystem,
                    name=item.name,
                    version=item.version,
                    registry=item.registry,
                    target=item.filename,
                )
                if self._executor is not None:
                    result = await loop.run_in_executor(self._executor, _scan_job, job, ())
                else:
                    result = await asyncio.to_thread(_scan_job, job, ())
                results.append(result)
        summary = summarize(results)
        if summary is None:
            errors = "; ".join(r.error or "" for r in results) or "no archive"
            return None, f"archive not scanned: {errors}"
        return summary, None
