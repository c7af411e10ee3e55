"""Stockade's own configuration: ``[tool.stockade]`` in pyproject.toml, or ``stockade.toml``.

Example::

    [tool.stockade]
    fail-on = "high"                 # any | unknown | low | medium | high | critical | none
    exclude = ["tests/fixtures"]     # folders or glob patterns skipped when looking for manifests
    source = "auto"                  # auto | local | osv-api
    resolve = true                   # resolve declared ranges against the registry
    min-score = 4.0                  # fail when a dependency's trust score is below this

    [tool.stockade.registries]       # override the registries found in pip's and npm's settings
    pypi = "https://pypi.example/simple"

    [[tool.stockade.ignore]]
    id = "GHSA-9wx4-h78v-vm56"
    reason = "we never send untrusted data to requests.Session.verify"
    expires = 2027-03-01
    package = "requests"             # optional: only for this package

    [[tool.stockade.suppress]]       # accepted `stockade scan` findings
    rule = "js-child-process"
    package = "esbuild"
    reason = "runs its own platform binary; reviewed"

In ``stockade.toml`` the same keys stand at the top level (no ``[tool.stockade]`` prefix).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from stockade.analysis.suppress import Suppression
from stockade.errors import ConfigError
from stockade.intel.findings import Ignore, Severity

FailOn = Literal["any", "unknown", "low", "medium", "high", "critical", "none"]
SourceName = Literal["auto", "local", "osv-api"]


class _IgnoreModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    expires: date | None = None
    package: str | None = None


class _SuppressModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    package: str | None = None
    version: str | None = None
    sha256: str | None = None
    path: str | None = None

    @model_validator(mode="after")
    def _narrow(self) -> _SuppressModel:
        if self.package is None and self.sha256 is None:
            raise ValueError("a suppression needs a package or a sha256, not only a rule")
        return self


class _RegistriesModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pypi: str | None = None
    npm: str | None = None


class _ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fail_on: FailOn = Field(default="any", alias="fail-on")
    exclude: list[str] = Field(default_factory=list)
    source: SourceName = "auto"
    resolve: bool = True
    min_score: float | None = Field(default=None, alias="min-score", ge=0.0, le=10.0)
    registries: _RegistriesModel = Field(default_factory=_RegistriesModel)
    ignore: list[_IgnoreModel] = Field(default_factory=list)
    suppress: list[_SuppressModel] = Field(default_factory=list)

    @field_validator("ignore", "suppress", mode="before")
    @classmethod
    def _ignore_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value


@dataclass(frozen=True, slots=True)
class Config:
    """The configuration in force for one run."""

    fail_on: FailOn = "any"
    """Threshold for exit code 1: findings at or above it fail the check."""
    exclude: tuple[str, ...] = ()
    """Folders or glob patterns not searched for manifests."""
    source: SourceName = "auto"
    """Which vulnerability source to use."""
    resolve: bool = True
    """Resolve declared ranges against the registry."""
    min_score: float | None = None
    """Fail the check when a dependency's trust score is below this."""
    pypi_registry: str | None = None
    """Index URL overriding pip's settings."""
    npm_registry: str | None = None
    """Registry URL overriding npm's settings."""
    ignores: tuple[Ignore, ...] = ()
    """Accepted vulnerability findings."""
    suppressions: tuple[Suppression, ...] = ()
    """Accepted archive-analysis findings (``stockade scan``)."""
    path: Path | None = None
    """The file the configuration came from (``None``: defaults)."""
    notices: tuple[str, ...] = field(default=())
    """Things to tell the user about the configuration itself."""


def fail_threshold(fail_on: str) -> Severity | None:
    """The lowest severity that fails the check (``None`` for ``none``)."""
    if fail_on == "none":
        return None
    if fail_on == "any":
        return Severity.UNKNOWN
    try:
        return Severity(fail_on)
    except ValueError:
        valid = "any, unknown, low, medium, high, critical, none"
        raise ConfigError(f"invalid severity {fail_on!r}; use one of: {valid}") from None


def find_config(start: Path) -> Path | None:
    """The nearest ``stockade.toml``, or ``pyproject.toml`` with ``[tool.stockade]``, at or
    above ``start``."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "stockade.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.stockade" in _read(pyproject):
            return pyproject
    return None


def load_config(path: Path | None, *, today: date | None = None) -> Config:
    """Read and validate a configuration file (``None``: the defaults).

    Raises :class:`ConfigError` naming the file and key.
    """
    if path is None:
        return Config()
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path, line=_toml_line(exc)) from None
    section: Any = data
    if path.name != "stockade.toml":
        section = data.get("tool", {}).get("stockade", {})
    if not isinstance(section, dict):
        raise ConfigError("[tool.stockade] must be a table", path=path)
    try:
        model = _ConfigModel.model_validate(section)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        line = _key_line(text, str(err["loc"][0])) if err["loc"] else None
        raise ConfigError(f"{where}: {err['msg']}", path=path, line=line) from None
    today = today or date.today()
    notices = [
        f"ignore of {ig.id} expired on {ig.expires.isoformat()} ({path}); it no longer applies"
        for ig in model.ignore
        if ig.expires is not None and ig.expires < today
    ]
    return Config(
        fail_on=model.fail_on,
        exclude=tuple(model.exclude),
        source=model.source,
        resolve=model.resolve,
        min_score=model.min_score,
        pypi_registry=model.registries.pypi,
        npm_registry=model.registries.npm,
        ignores=tuple(
            Ignore(id=ig.id, reason=ig.reason, expires=ig.expires, package=ig.package)
            for ig in model.ignore
            if ig.expires is None or ig.expires >= today
        ),
        suppressions=tuple(Suppression(**sup.model_dump()) for sup in model.suppress),
        path=path,
        notices=tuple(notices),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", path=path) from None


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    import re

    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((key, f'"{key}"', f"[[tool.stockade.{key}", f"[{key}", f"[[{key}")):
            return number
    return None
