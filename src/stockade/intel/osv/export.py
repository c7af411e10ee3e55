"""OSV's published exports: one zip of every record per ecosystem.

OSV publishes ``<base>/<ECOSYSTEM>/all.zip`` (one ``<ID>.json`` per record). The download goes
through :class:`~stockade.http.HttpClient`, whose cache revalidates with ``ETag``, so an
unchanged export is not downloaded twice; the file is written atomically.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from stockade.ecosystems.interface import Ecosystem
from stockade.errors import HttpError, OSVError
from stockade.http import HttpClient

__all__ = ["DEFAULT_EXPORT_URL", "MAX_EXPORT_BYTES", "download_export", "export_url"]

log = logging.getLogger(__name__)

DEFAULT_EXPORT_URL = "https://osv-vulnerabilities.storage.googleapis.com"
"""Where OSV publishes its exports; ``STOCKADE_OSV_EXPORT_URL`` overrides it."""
MAX_EXPORT_BYTES = 4 * 1024 * 1024 * 1024
"""Largest export accepted."""


def _canonical(ecosystem: str) -> str:
    """OSV's spelling of a known ecosystem (``pypi`` -> ``PyPI``); others as given."""
    for eco in Ecosystem:
        if eco.value.lower() == ecosystem.strip().lower():
            return eco.value
    return ecosystem.strip()


def export_url(ecosystem: str, base_url: str | None = None) -> str:
    """The URL of an ecosystem's ``all.zip`` export."""
    base = base_url or os.environ.get("STOCKADE_OSV_EXPORT_URL") or DEFAULT_EXPORT_URL
    return f"{base.rstrip('/')}/{quote(_canonical(ecosystem), safe='')}/all.zip"


async def download_export(
    http: HttpClient, ecosystem: str, dest: Path, *, base_url: str | None = None
) -> Path | None:
    """Download the export of ``ecosystem`` into the folder ``dest`` (or to ``dest`` itself
    when it names a ``.zip`` file) and return the file's path.

    ``None`` when OSV publishes no export for that ecosystem; :class:`OSVError` when it cannot
    be downloaded or is not a zip.
    """
    name = _canonical(ecosystem)
    url = export_url(name, base_url)
    try:
        body = await http.get_bytes(url, max_bytes=MAX_EXPORT_BYTES)
    except HttpError as exc:
        raise OSVError(f"cannot download the OSV export for {name}: {exc}") from None
    if body is None:
        log.warning("OSV publishes no export for ecosystem %r (%s)", name, url)
        return None
    if not body.startswith(b"PK"):
        raise OSVError(f"the OSV export for {name} ({url}) is not a zip archive")
    target = dest if dest.suffix.lower() == ".zip" else dest / f"{name}-all.zip"
    _write_atomic(target, body)
    return target


def _write_atomic(target: Path, body: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise OSVError(f"{target}: cannot write the OSV export: {exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSVError(f"{target}: cannot write the OSV export: {exc}") from None
