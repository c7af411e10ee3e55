"""The OSV API (https://google.github.io/osv.dev/api/) as a vulnerability source.

``POST /v1/querybatch`` answers, for up to 1000 package versions at a time, only the ids (and
``modified`` times) of the records that affect them, with a ``next_page_token`` per query when
there are more; ``GET /v1/vulns/{id}`` then gives each full record. Every record is checked
again locally with :func:`~stockade.intel.osv.matching.affects`, so the API and the local
database agree on what "affected" means.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from stockade.ecosystems.interface import Ecosystem
from stockade.errors import HttpError, OSVError
from stockade.http import HttpClient
from stockade.intel.osv.matching import affects
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.source import PackageQuery

__all__ = ["BATCH_SIZE", "DEFAULT_API_URL", "OSVApiSource"]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.osv.dev"
"""The OSV API; ``STOCKADE_OSV_API_URL`` overrides it."""
BATCH_SIZE = 1000
"""Most queries the API takes in one ``querybatch`` request."""
MAX_PAGES = 100
"""Most follow-up pages fetched for one query (a guard against a looping token)."""


class OSVApiSource:
    """A :class:`~stockade.intel.osv.source.VulnerabilitySource` backed by the OSV API."""

    def __init__(self, http: HttpClient, *, base_url: str | None = None) -> None:
        self.http = http
        """The HTTP client every request goes through."""
        base = base_url or os.environ.get("STOCKADE_OSV_API_URL") or DEFAULT_API_URL
        self.base_url = base.rstrip("/")
        """The API's root URL."""
        self.name = "OSV API" if self.base_url == DEFAULT_API_URL else f"OSV API ({self.base_url})"
        """A short description for reports."""

    async def available(self) -> bool:
        """Whether the API answers: one batch query for a package no record names."""
        probe = PackageQuery(Ecosystem.PYPI, "stockade-availability-probe", "0")
        try:
            answer = await self.http.post_json(
                f"{self.base_url}/v1/querybatch", {"queries": [_query(probe, None)]}
            )
        except HttpError:
            return False
        return isinstance(answer, dict) and isinstance(answer.get("results"), list)

    async def query(
        self, packages: Sequence[PackageQuery]
    ) -> Mapping[PackageQuery, list[Vulnerability]]:
        """The non-withdrawn records affecting each package version (every query gets a key)."""
        unique = list(dict.fromkeys(packages))
        try:
            batches = [unique[i : i + BATCH_SIZE] for i in range(0, len(unique), BATCH_SIZE)]
            found = await asyncio.gather(*(self._query_batch(b) for b in batches))
            ids_of: dict[PackageQuery, set[str]] = {}
            for answer in found:
                ids_of.update(answer)
            wanted = sorted({vid for ids in ids_of.values() for vid in ids})
            records = await asyncio.gather(*(self._record(vid) for vid in wanted))
        except HttpError as exc:
            raise OSVError(
                f"OSV API unreachable: {exc}",
                hint="check the network, or use the local database (stockade db sync)",
            ) from None
        by_id = {r.id: r for r in records if r is not None}
        result: dict[PackageQuery, list[Vulnerability]] = {}
        for pkg in packages:
            matched = [by_id[v] for v in sorted(ids_of.get(pkg, ())) if v in by_id]
            result[pkg] = [r for r in matched if affects(r, pkg.ecosystem, pkg.name, pkg.version)]
        return result

    async def _query_batch(self, batch: Sequence[PackageQuery]) -> dict[PackageQuery, set[str]]:
        """The record ids the API names for each query of one batch, all pages followed."""
        ids: dict[PackageQuery, set[str]] = {pkg: set() for pkg in batch}
        pending: list[tuple[PackageQuery, str | None]] = [(pkg, None) for pkg in batch]
        seen_tokens: set[str] = set()
        pages = 0
        while pending and pages <= MAX_PAGES:
            pages += 1
            payload = {"queries": [_query(pkg, token) for pkg, token in pending]}
            answer = await self.http.post_json(f"{self.base_url}/v1/querybatch", payload)
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(pending):
                raise OSVError("OSV API answered a batch query with an unexpected shape")
            follow: list[tuple[PackageQuery, str | None]] = []
            for (pkg, _token), result in zip(pending, results, strict=True):
                if not isinstance(result, dict):
                    continue
                for vuln in result.get("vulns") or ():
                    if isinstance(vuln, dict) and isinstance(vuln.get("id"), str):
                        ids[pkg].add(vuln["id"])
                token = result.get("next_page_token")
                if isinstance(token, str) and token and token not in seen_tokens:
                    seen_tokens.add(token)
                    follow.append((pkg, token))
            pending = follow
        if pending:
            log.warning("OSV API kept paging after %d pages; stopped", MAX_PAGES)
        return ids

    async def _record(self, vid: str) -> Vulnerability | None:
        """One full record, or ``None`` when the API does not know it or it is malformed."""
        data = await self.http.get_json(f"{self.base_url}/v1/vulns/{quote(vid, safe='')}")
        if data is None:
            return None
        try:
            return Vulnerability.model_validate(data)
        except ValidationError as exc:
            log.warning("OSV API returned an invalid record %s: %s", vid, exc)
            return None


def _query(pkg: PackageQuery, token: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "package": {"ecosystem": pkg.ecosystem.value, "name": pkg.name},
        "version": pkg.version,
    }
    if token is not None:
        query["page_token"] = token
    return query
