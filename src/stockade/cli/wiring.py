"""Build the network clients and sources a command needs, only when it needs them.

A check of a lockfile against the local database makes no request, so it should not pay for
importing httpx or loading TLS certificates; these helpers defer both to first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from stockade import ecosystems, paths
from stockade.ecosystems.interface import Ecosystem, Registry
from stockade.errors import ConfigError
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.source import PackageQuery, VulnerabilitySource

if TYPE_CHECKING:
    from stockade.http import HttpClient


class Clients:
    """Lazily made HTTP clients and registries for one run; an async context manager."""

    def __init__(self, *, registries: Mapping[Ecosystem, str | None] | None = None) -> None:
        self._overrides = dict(registries or {})
        self._http: dict[str, HttpClient] = {}
        self._registries: dict[Ecosystem, Registry] = {}

    def http(self, purpose: str = "registry") -> HttpClient:
        """The client for ``purpose``: ``registry`` (patient) or ``osv-api`` (one quick retry,
        so that an offline machine learns within a second that the API is out of reach)."""
        if purpose not in self._http:
            from stockade.http import HttpClient

            cache = paths.cache_dir() / "http"
            retries = _env_int("STOCKADE_HTTP_RETRIES", 4)
            if purpose == "osv-api":
                retries = min(retries, 1)
                self._http[purpose] = HttpClient(cache_dir=cache, retries=retries, timeout=15)
            else:
                self._http[purpose] = HttpClient(cache_dir=cache, retries=retries)
        return self._http[purpose]

    def registry(self, ecosystem: Ecosystem) -> Registry:
        """The registry client of an ecosystem, made on first use."""
        if ecosystem not in self._registries:
            support = ecosystems.get(ecosystem)
            self._registries[ecosystem] = support.registry(
                self.http(), base_url=self._overrides.get(ecosystem)
            )
        return self._registries[ecosystem]

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for client in self._http.values():
            await client.aclose()


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return max(0, int(value))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


class LazyOSVApi:
    """The OSV API source, with its HTTP client made only if it is asked."""

    name = "OSV API"

    def __init__(self, clients: Clients) -> None:
        self._clients = clients
        self._source: VulnerabilitySource | None = None

    def _real(self) -> VulnerabilitySource:
        if self._source is None:
            from stockade.intel.osv.api import OSVApiSource

            self._source = OSVApiSource(self._clients.http("osv-api"))
            self.name = self._source.name
        return self._source

    async def available(self) -> bool:
        return await self._real().available()

    async def query(
        self, packages: Sequence[PackageQuery]
    ) -> Mapping[PackageQuery, list[Vulnerability]]:
        return await self._real().query(packages)


def vulnerability_sources(choice: str, clients: Clients) -> list[VulnerabilitySource]:
    """The sources to try, in order, for ``--source auto|local|osv-api``."""
    sources: list[VulnerabilitySource] = []
    if choice in ("auto", "local"):
        from stockade.store.osv import LocalOSVSource, OSVStore

        sources.append(LocalOSVSource(OSVStore.open()))
    if choice in ("auto", "osv-api"):
        sources.append(LazyOSVApi(clients))
    return sources
