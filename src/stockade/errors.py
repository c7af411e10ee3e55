"""One error hierarchy for the whole product.

Every error a user can cause or meet derives from :class:`StockadeError`. The CLI turns any of
them into a one-line message and exit code 2; nothing else prints a traceback to a user.
"""

from __future__ import annotations

from pathlib import Path


class StockadeError(Exception):
    """Base of every error Stockade raises on purpose."""

    hint: str | None = None
    """What the user can do next, shown after the message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class InputError(StockadeError):
    """A file or value given by the user is not what it should be.

    ``str(err)`` names the file and place: ``path:line: message`` (or ``path: message``).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = self.path if line is None else f"{self.path}:{line}"
            where += ": "
        super().__init__(f"{where}{message}", hint=hint)


class ParseError(InputError):
    """A manifest, lockfile or record could not be parsed."""


class UnsupportedFormatError(ParseError):
    """A file is of a known kind but a version or variant Stockade does not read."""


class ConfigError(InputError):
    """Stockade's own configuration is invalid."""


class HttpError(StockadeError):
    """An HTTP request failed after its retries (network error, timeout, bad status)."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(message)


class RegistryError(StockadeError):
    """A package registry could not answer (network error, timeout, bad response)."""


class OSVError(StockadeError):
    """The OSV service or an OSV export could not be used."""


class InvalidRecordError(InputError):
    """An OSV record is malformed. ``path`` names the file and ``record_id`` the record."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        record_id: str | None = None,
        line: int | None = None,
    ) -> None:
        self.record_id = record_id
        prefix = f"record {record_id}: " if record_id else ""
        super().__init__(f"{prefix}{message}", path=path, line=line)


class StoreError(StockadeError):
    """The database could not be opened, migrated or written."""


class VerificationFailed(StockadeError):
    """Evidence was examined and does not verify (a signature, an identity, a proof): the
    CLI exits 1, unlike unusable input (exit 2)."""
