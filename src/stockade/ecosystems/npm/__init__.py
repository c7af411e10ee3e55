"""npm: package names, semver, packuments, package.json and the npm, yarn and pnpm lockfiles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from packageurl import PackageURL

from stockade.ecosystems.interface import Ecosystem, ManifestParser, Registry, VersionScheme
from stockade.ecosystems.npm.versions import NpmSemver

if TYPE_CHECKING:
    from stockade.http import HttpClient


class NpmSupport:
    """The :class:`~stockade.ecosystems.interface.EcosystemSupport` of npm."""

    ecosystem: Ecosystem = Ecosystem.NPM
    versions: VersionScheme = NpmSemver()

    def normalize_name(self, name: str) -> str:
        # npm names are compared as written (new names must be lower case; old ones may not be).
        return name.strip()

    def purl(self, name: str, version: str | None = None) -> str:
        name = self.normalize_name(name)
        namespace = None
        if name.startswith("@") and "/" in name:
            namespace, name = name.split("/", 1)
        return str(
            PackageURL(type="npm", namespace=namespace, name=name, version=version).to_string()
        )

    def parsers(self) -> Sequence[ManifestParser]:
        from stockade.ecosystems.npm.parsers import ALL_PARSERS

        return ALL_PARSERS

    def registry(self, http: HttpClient, base_url: str | None = None) -> Registry:
        from stockade.ecosystems.npm.registry import NpmRegistry

        return NpmRegistry(http, base_url=base_url)
