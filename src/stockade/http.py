"""The one HTTP client every network source uses.

:class:`HttpClient` wraps one :class:`httpx.AsyncClient` (HTTP/1.1 keep-alive) with bounded
concurrency, retries with exponential backoff and jitter (connect errors, timeouts, 429 and
5xx, honouring ``Retry-After``) and an on-disk cache that revalidates with ``ETag`` and
``Last-Modified``.

The cache keeps one file per URL, named by the SHA-256 of the URL. A file holds one line of
JSON (status, validators, fetch time, body length) followed by the raw body, so a hit costs one
read and no re-encoding. Files are written atomically (temporary file, then :func:`os.replace`)
and an entry that cannot be read back is treated as missing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from stockade import __version__, paths
from stockade.errors import HttpError

log = logging.getLogger(__name__)

_CACHE_FORMAT = 1
_MAX_WAIT = 60.0
"""The longest single wait between attempts, whatever ``Retry-After`` asks for."""
_NOT_FOUND = frozenset({404, 410})


def _retryable(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def redact(url: str) -> str:
    """The URL without any user name or password, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True, slots=True)
class _Entry:
    """A response as the cache keeps it."""

    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    fetched: float = 0.0
    cached: bool = False
    """Whether this came from the disk rather than the network just now."""


class _DiskCache:
    """One file per URL under ``root``: a JSON header line, then the raw body."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / digest[:2] / digest

    def load(self, url: str) -> _Entry | None:
        path = self.path(url)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            cut = data.index(b"\n")
            head = json.loads(data[:cut])
            body = data[cut + 1 :]
            if (
                not isinstance(head, dict)
                or head.get("format") != _CACHE_FORMAT
                or head.get("url") != redact(url)
                or head.get("length") != len(body)
            ):
                raise ValueError("bad header")
            return _Entry(
                status=int(head["status"]),
                body=body,
                etag=head.get("etag"),
                last_modified=head.get("last_modified"),
                fetched=float(head["fetched"]),
                cached=True,
            )
        except (ValueError, KeyError, TypeError):
            log.debug("ignoring corrupt cache entry %s for %s", path, redact(url))
            return None

    def store(self, url: str, entry: _Entry) -> None:
        path = self.path(url)
        head = {
            "format": _CACHE_FORMAT,
            "url": redact(url),  # never credentials on disk
            "status": entry.status,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "fetched": entry.fetched,
            "length": len(entry.body),
        }
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(json.dumps(head).encode("utf-8"))
                out.write(b"\n")
                out.write(entry.body)
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            log.debug("could not write cache entry %s: %s", path, exc)
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def drop(self, url: str) -> None:
        self.path(url).unlink(missing_ok=True)


class HttpClient:
    """Async HTTP for every network source: connection reuse (one httpx.AsyncClient, HTTP/1.1
    keep-alive), bounded concurrency (asyncio.Semaphore), retries with exponential backoff +
    jitter on connect errors, timeouts, 429 and 5xx (honouring Retry-After), and an on-disk
    cache that honours ETag/Last-Modified.

    ``cache_dir=None`` keeps the cache in ``paths.cache_dir() / "http"``. ``auth`` maps a URL
    to extra headers for it (e.g. an npm ``_authToken``); ``sleep`` is what waits between
    attempts.
    """

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        max_concurrency: int = 16,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 30.0,
        fresh_for: float = 600.0,
        offline: bool = False,
        headers: Mapping[str, str] | None = None,
        auth: Callable[[str], Mapping[str, str]] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._cache = _DiskCache(cache_dir if cache_dir is not None else paths.cache_dir() / "http")
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._retries = max(0, retries)
        self._backoff = backoff
        self._fresh_for = fresh_for
        self.offline = offline
        self._headers = {"User-Agent": f"stockade/{__version__}", **(headers or {})}
        self._auth = auth
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            follow_redirects=True,
        )

    @property
    def cache_dir(self) -> Path:
        """Where cached responses are kept."""
        return self._cache.root

    async def get_json(self, url: str, *, headers: Mapping[str, str] | None = None) -> Any | None:
        """GET and decode JSON. None on 404/410 (the source does not know it). Cached: a cached
        entry younger than fresh_for seconds is used without a request; an older one is
        revalidated with If-None-Match / If-Modified-Since (304 -> cached body). offline=True
        serves only from cache (None when not cached). Raises stockade.errors.HttpError(url=,
        status=) when retries are exhausted or the body is not JSON."""
        wanted = {"Accept": "application/json", **(headers or {})}
        entry = await self._get(url, wanted, max_bytes=None)
        if entry is None or entry.status in _NOT_FOUND:
            return None
        try:
            return json.loads(entry.body)
        except ValueError:
            if not entry.cached:
                raise HttpError(
                    f"{redact(url)} did not answer with JSON", url=url, status=entry.status
                ) from None
        # A cached body that no longer decodes is a corrupt entry: fetch afresh.
        self._cache.drop(url)
        if self.offline:
            return None
        entry = await self._get(url, wanted, max_bytes=None)
        if entry is None or entry.status in _NOT_FOUND:
            return None
        try:
            return json.loads(entry.body)
        except ValueError:
            raise HttpError(
                f"{redact(url)} did not answer with JSON", url=url, status=entry.status
            ) from None

    async def get_bytes(
        self, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int | None = None
    ) -> bytes | None:
        """Same semantics for raw bodies (archives, zip exports); HttpError if larger than
        max_bytes."""
        entry = await self._get(url, dict(headers or {}), max_bytes=max_bytes)
        if entry is None or entry.status in _NOT_FOUND:
            return None
        if max_bytes is not None and len(entry.body) > max_bytes:
            raise HttpError(_too_large(url, max_bytes), url=url, status=entry.status)
        return entry.body

    async def post_json(
        self, url: str, payload: Any, *, headers: Mapping[str, str] | None = None
    ) -> Any:
        """POST JSON, decode JSON; never cached; same retry rules."""
        if self.offline:
            raise HttpError(f"offline: not sending a request to {redact(url)}", url=url)
        wanted = {"Accept": "application/json", "Content-Type": "application/json"}
        wanted.update(headers or {})
        content = json.dumps(payload).encode("utf-8")
        status, _, body = await self._send("POST", url, wanted, content=content, max_bytes=None)
        if not 200 <= status <= 299:
            raise HttpError(f"{redact(url)} answered HTTP {status}", url=url, status=status)
        try:
            return json.loads(body)
        except ValueError:
            raise HttpError(
                f"{redact(url)} did not answer with JSON", url=url, status=status
            ) from None

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _get(
        self, url: str, headers: dict[str, str], *, max_bytes: int | None
    ) -> _Entry | None:
        """A response for ``url`` from the cache, revalidated or fetched as needed."""
        headers = dict(headers)
        cached = self._cache.load(url)
        if self.offline:
            return cached
        if cached is not None and time.time() - cached.fetched < self._fresh_for:
            return cached
        if cached is not None and cached.status == 200:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        status, resp_headers, body = await self._send(
            "GET", url, headers, content=None, max_bytes=max_bytes
        )
        now = time.time()
        if status == 304 and cached is not None and cached.status == 200:
            entry = replace(
                cached,
                fetched=now,
                etag=resp_headers.get("ETag") or cached.etag,
                last_modified=resp_headers.get("Last-Modified") or cached.last_modified,
            )
            self._cache.store(url, entry)
            return entry
        if status in _NOT_FOUND:
            entry = _Entry(status=status, body=b"", fetched=now)
        elif 200 <= status <= 299:
            entry = _Entry(
                status=200,
                body=body,
                etag=resp_headers.get("ETag"),
                last_modified=resp_headers.get("Last-Modified"),
                fetched=now,
            )
        else:
            raise HttpError(f"{redact(url)} answered HTTP {status}", url=url, status=status)
        if "no-store" not in resp_headers.get("Cache-Control", "").lower():
            self._cache.store(url, entry)
        return entry

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        *,
        content: bytes | None,
        max_bytes: int | None,
    ) -> tuple[int, httpx.Headers, bytes]:
        """Send with retries; the final status, headers and (for 2xx) body."""
        merged = dict(self._headers)
        if self._auth is not None:
            merged.update(self._auth(url))
        merged.update(headers)
        attempt = 0
        while True:
            try:
                async with (
                    self._semaphore,
                    self._client.stream(method, url, headers=merged, content=content) as resp,
                ):
                    status = resp.status_code
                    if not (_retryable(status) and attempt < self._retries):
                        body = b""
                        if 200 <= status <= 299:
                            body = await _read(resp, url, max_bytes)
                        if _retryable(status):
                            raise HttpError(
                                f"{redact(url)} answered HTTP {status} "
                                f"after {attempt + 1} attempts",
                                url=url,
                                status=status,
                            )
                        return status, resp.headers, body
                    delay = self._delay(attempt, _retry_after(resp.headers.get("Retry-After")))
                    log.debug("%s answered %s; retrying in %.1fs", redact(url), status, delay)
            except httpx.UnsupportedProtocol as exc:
                raise HttpError(f"cannot fetch {redact(url)}: {exc}", url=url) from None
            except httpx.TransportError as exc:
                if attempt >= self._retries:
                    raise HttpError(
                        f"cannot reach {redact(url)} after {attempt + 1} attempts: "
                        f"{type(exc).__name__}: {exc}",
                        url=url,
                    ) from None
                delay = self._delay(attempt, None)
                log.debug("%s failed (%s); retrying in %.1fs", redact(url), exc, delay)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise HttpError(f"cannot fetch {redact(url)}: {exc}", url=url) from None
            await self._sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = self._backoff * 2.0**attempt + random.uniform(0, self._backoff)
        return min(_MAX_WAIT, max(backoff, retry_after or 0.0))


def _too_large(url: str, max_bytes: int) -> str:
    return f"{redact(url)} is larger than {max_bytes} bytes"


async def _read(resp: httpx.Response, url: str, max_bytes: int | None) -> bytes:
    """The body, refusing to read more than ``max_bytes``."""
    if max_bytes is None:
        return await resp.aread()
    length = resp.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise HttpError(_too_large(url, max_bytes), url=url, status=resp.status_code)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise HttpError(_too_large(url, max_bytes), url=url, status=resp.status_code)
        chunks.append(chunk)
    return b"".join(chunks)
