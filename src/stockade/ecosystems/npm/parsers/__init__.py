"""npm manifest and lockfile parsers."""

from __future__ import annotations

from stockade.ecosystems.interface import ManifestParser
from stockade.ecosystems.npm.parsers.package_json import PackageJsonParser
from stockade.ecosystems.npm.parsers.package_lock import PackageLockParser
from stockade.ecosystems.npm.parsers.pnpm_lock import PnpmLockParser
from stockade.ecosystems.npm.parsers.yarn_lock import YarnLockParser

ALL_PARSERS: list[ManifestParser] = [
    PackageJsonParser(),
    PackageLockParser(),
    YarnLockParser(),
    PnpmLockParser(),
]

__all__ = [
    "ALL_PARSERS",
    "PackageJsonParser",
    "PackageLockParser",
    "PnpmLockParser",
    "YarnLockParser",
]
