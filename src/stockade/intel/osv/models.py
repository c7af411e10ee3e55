"""The OSV schema (https://ossf.github.io/osv-schema/) as pydantic models.

Unknown fields are kept (``extra="allow"``) so that a record round-trips; only the fields
Stockade reasons about are typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Event(_Model):
    """One event of a range: exactly one of the four fields is set."""

    introduced: str | None = None
    fixed: str | None = None
    last_affected: str | None = None
    limit: str | None = None


class Range(_Model):
    """A range of affected versions: ``ECOSYSTEM``, ``SEMVER`` or ``GIT``."""

    type: str
    repo: str | None = None
    events: list[Event] = Field(default_factory=list)
    database_specific: dict[str, Any] | None = None


class Package(_Model):
    """The affected package."""

    ecosystem: str
    name: str
    purl: str | None = None


class Severity(_Model):
    """A severity score: ``CVSS_V2``, ``CVSS_V3``, ``CVSS_V4`` (a vector) or ``Ubuntu``."""

    type: str
    score: str


class Affected(_Model):
    """One affected package with its ranges and enumerated versions."""

    package: Package | None = None
    severity: list[Severity] = Field(default_factory=list)
    ranges: list[Range] = Field(default_factory=list)
    versions: list[str] = Field(default_factory=list)
    ecosystem_specific: dict[str, Any] | None = None
    database_specific: dict[str, Any] | None = None


class Reference(_Model):
    """A link about the vulnerability."""

    type: str
    url: str


class Vulnerability(_Model):
    """One OSV record."""

    schema_version: str | None = None
    id: str
    modified: datetime
    published: datetime | None = None
    withdrawn: datetime | None = None
    aliases: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    upstream: list[str] = Field(default_factory=list)
    summary: str | None = None
    details: str | None = None
    severity: list[Severity] = Field(default_factory=list)
    affected: list[Affected] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    database_specific: dict[str, Any] | None = None

    @property
    def is_malicious(self) -> bool:
        """An OpenSSF malicious-packages record (``MAL-`` id)."""
        return self.id.startswith("MAL-")

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn records must not mark anything affected."""
        return self.withdrawn is not None
