"""PyPI: PEP 503 names, PEP 440 versions, the JSON API, Python manifests and lockfiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from stockade.ecosystems.interface import Ecosystem, ManifestParser, Registry, VersionScheme
from stockade.ecosystems.pypi.versions import PEP440

if TYPE_CHECKING:
    from stockade.http import HttpClient


class PyPISupport:
    """The :class:`~stockade.ecosystems.interface.EcosystemSupport` of PyPI."""

    ecosystem: Ecosystem = Ecosystem.PYPI
    versions: VersionScheme = PEP440()

    def normalize_name(self, name: str) -> str:
        return str(canonicalize_name(name.strip()))

    def purl(self, name: str, version: str | None = None) -> str:
        return str(
            PackageURL(type="pypi", name=self.normalize_name(name), version=version).to_string()
        )

    def parsers(self) -> Sequence[ManifestParser]:
        from stockade.ecosystems.pypi.parsers import ALL_PARSERS

        return ALL_PARSERS

    def registry(self, http: HttpClient, base_url: str | None = None) -> Registry:
        from stockade.ecosystems.pypi.registry import PyPIRegistry

        return PyPIRegistry(http, base_url=base_url)
