"""The shared HTTP client against local mock transports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from stockade.errors import HttpError
from stockade.http import HttpClient, redact

URL = "https://pypi.test/pypi/six/json"

Handler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)


class Sleeps:
    """A fake ``sleep`` that records what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(
    tmp_path: Path, handler: Handler, *, sleep: Sleeps | None = None, **kwargs: Any
) -> HttpClient:
    return HttpClient(
        cache_dir=tmp_path / "cache",
        transport=httpx.MockTransport(handler),
        sleep=sleep or Sleeps(),
        **kwargs,
    )


async def test_get_json_decodes_and_sends_user_agent(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"name": "six"})

    async with client(tmp_path, handler) as http:
        assert await http.get_json(URL) == {"name": "six"}
    assert seen[0].headers["User-Agent"].startswith("stockade/")
    assert seen[0].headers["Accept"] == "application/json"


@pytest.mark.parametrize("status", [404, 410])
async def test_not_found_is_none(tmp_path: Path, status: int) -> None:
    async with client(tmp_path, lambda r: httpx.Response(status)) as http:
        assert await http.get_json(URL) is None
        assert await http.get_bytes(URL + "2") is None


async def test_retries_429_and_503_honouring_retry_after(tmp_path: Path) -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(503, headers={"Retry-After": "3"}),
        httpx.Response(200, json=[1]),
    ]
    sleeps = Sleeps()
    async with client(tmp_path, lambda r: answers.pop(0), sleep=sleeps, backoff=0.01) as http:
        assert await http.get_json(URL) == [1]
    assert not answers
    assert len(sleeps.waits) == 2
    assert sleeps.waits[0] >= 7
    assert sleeps.waits[1] >= 3


async def test_retry_after_as_http_date(tmp_path: Path) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=40), usegmt=True)
    answers = [httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=1)]
    sleeps = Sleeps()
    async with client(tmp_path, lambda r: answers.pop(0), sleep=sleeps, backoff=0.01) as http:
        assert await http.get_json(URL) == 1
    assert 20 <= sleeps.waits[0] <= 40


async def test_credentials_never_reach_the_cache(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    url = "https://alice:s3cret@pypi.test/pypi/six/json"
    async with client(tmp_path, handler) as http:
        await http.get_json(url)
        await http.get_json(url)
    assert seen[0].headers["Authorization"].startswith("Basic ")
    assert len(seen) == 1
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            assert b"s3cret" not in entry.read_bytes()


async def test_backoff_grows_without_retry_after(tmp_path: Path) -> None:
    sleeps = Sleeps()
    async with client(
        tmp_path, lambda r: httpx.Response(500), sleep=sleeps, retries=3, backoff=1.0
    ) as http:
        with pytest.raises(HttpError) as err:
            await http.get_json(URL)
    assert err.value.status == 500
    assert err.value.url == URL
    assert len(sleeps.waits) == 3
    # Exponential: 1, 2, 4 seconds plus at most one second of jitter.
    for wait, base in zip(sleeps.waits, (1.0, 2.0, 4.0), strict=True):
        assert base <= wait <= base + 1.0


async def test_gives_up_after_retries(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, headers={"Retry-After": "1"})

    async with client(tmp_path, handler, retries=2) as http:
        with pytest.raises(HttpError) as err:
            await http.get_json(URL)
    assert len(calls) == 3
    assert err.value.status == 503
    assert "503" in str(err.value)


async def test_connect_errors_are_retried_then_reported(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"ok": True})

    async with client(tmp_path, handler) as http:
        assert await http.get_json(URL) == {"ok": True}
    assert len(calls) == 3

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    async with client(tmp_path, down, retries=1) as http:
        with pytest.raises(HttpError) as err:
            await http.get_json(URL + "?x")
    assert err.value.status is None
    assert "ReadTimeout" in str(err.value)


async def test_client_errors_are_not_retried(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(403)

    async with client(tmp_path, handler) as http:
        with pytest.raises(HttpError) as err:
            await http.get_json(URL)
    assert err.value.status == 403
    assert len(calls) == 1


async def test_body_not_json_is_http_error(tmp_path: Path) -> None:
    async with client(tmp_path, lambda r: httpx.Response(200, text="<html>")) as http:
        with pytest.raises(HttpError, match="did not answer with JSON"):
            await http.get_json(URL)


async def test_fresh_entry_is_served_without_request(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json={"n": len(calls)})

    async with client(tmp_path, handler, fresh_for=600) as http:
        assert await http.get_json(URL) == {"n": 1}
        assert await http.get_json(URL) == {"n": 1}
    # A new client over the same folder also hits the disk cache.
    async with client(tmp_path, handler, fresh_for=600) as http:
        assert await http.get_json(URL) == {"n": 1}
    assert len(calls) == 1


async def test_etag_revalidation_serves_cached_body_on_304(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, json={"body": "first"}, headers={"ETag": '"v1"'})

    async with client(tmp_path, handler, fresh_for=0) as http:
        assert await http.get_json(URL) == {"body": "first"}
        assert await http.get_json(URL) == {"body": "first"}
        assert await http.get_json(URL) == {"body": "first"}
    assert len(seen) == 3
    assert "If-None-Match" not in seen[0].headers
    assert seen[1].headers["If-None-Match"] == '"v1"'
    assert seen[2].headers["If-None-Match"] == '"v1"'


async def test_changed_resource_replaces_cache(tmp_path: Path) -> None:
    versions = iter([("v1", "old"), ("v2", "new")])

    def handler(request: httpx.Request) -> httpx.Response:
        etag, body = next(versions)
        return httpx.Response(200, json=body, headers={"ETag": etag})

    async with client(tmp_path, handler, fresh_for=0) as http:
        assert await http.get_json(URL) == "old"
        assert await http.get_json(URL) == "new"
    async with client(tmp_path, handler, offline=True) as http:
        assert await http.get_json(URL) == "new"


async def test_last_modified_revalidation(tmp_path: Path) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-Modified-Since") == stamp:
            return httpx.Response(304)
        return httpx.Response(200, content=b"payload", headers={"Last-Modified": stamp})

    async with client(tmp_path, handler, fresh_for=0) as http:
        assert await http.get_bytes(URL) == b"payload"
        assert await http.get_bytes(URL) == b"payload"
    assert seen[1].headers["If-Modified-Since"] == stamp
    assert "If-None-Match" not in seen[1].headers


async def test_offline_serves_only_from_cache(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("offline client sent a request")

    async with client(tmp_path, lambda r: httpx.Response(200, json=[42])) as http:
        await http.get_json(URL)
    async with client(tmp_path, handler, offline=True, fresh_for=0) as http:
        assert await http.get_json(URL) == [42]
        assert await http.get_json(URL + "/other") is None
        with pytest.raises(HttpError, match="offline"):
            await http.post_json(URL, {})


async def test_not_found_is_remembered_while_fresh(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404)

    async with client(tmp_path, handler) as http:
        assert await http.get_json(URL) is None
        assert await http.get_json(URL) is None
    assert len(calls) == 1


async def test_corrupt_cache_entry_is_treated_as_missing(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json={"n": len(calls)})

    async with client(tmp_path, handler) as http:
        assert await http.get_json(URL) == {"n": 1}
        entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
        assert len(entries) == 1
        entries[0].write_bytes(b"\x00garbage without a header")
        assert await http.get_json(URL) == {"n": 2}
        # Truncated body: the length in the header no longer matches.
        data = entries[0].read_bytes()
        entries[0].write_bytes(data[:-3])
        assert await http.get_json(URL) == {"n": 3}
        # A well-formed entry whose body is not JSON any more.
        head = entries[0].read_bytes().partition(b"\n")[0]
        meta = json.loads(head)
        meta["length"] = 3
        entries[0].write_bytes(json.dumps(meta).encode() + b"\n" + b"{{{")
        assert await http.get_json(URL) == {"n": 4}
    async with client(tmp_path, handler, offline=True) as http:
        entries[0].write_bytes(b"nonsense")
        assert await http.get_json(URL) is None


async def test_cache_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    async with client(tmp_path, lambda r: httpx.Response(200, json={})) as http:
        for i in range(5):
            await http.get_json(f"{URL}?{i}")
    names = [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(names) == 5
    assert not [n for n in names if n.startswith(".tmp")]


async def test_no_store_is_not_cached(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json=1, headers={"Cache-Control": "private, no-store"})

    async with client(tmp_path, handler) as http:
        await http.get_json(URL)
        await http.get_json(URL)
    assert len(calls) == 2


async def test_concurrency_bound_is_respected(tmp_path: Path) -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        return httpx.Response(200, json=str(request.url))

    async with client(tmp_path, handler, max_concurrency=3) as http:
        urls = [f"{URL}?n={i}" for i in range(20)]
        results = await asyncio.gather(*(http.get_json(u) for u in urls))
    assert results == urls
    assert peak == 3


async def test_max_bytes(tmp_path: Path) -> None:
    body = b"x" * 1000

    async with client(tmp_path, lambda r: httpx.Response(200, content=body)) as http:
        with pytest.raises(HttpError, match="larger than 100 bytes"):
            await http.get_bytes(URL, max_bytes=100)
        assert await http.get_bytes(URL, max_bytes=1000) == body
        # A cached body is held to the limit too.
        with pytest.raises(HttpError):
            await http.get_bytes(URL, max_bytes=999)

    class Chunks(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"y" * 100

    def chunked(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Chunks())  # no Content-Length

    async with client(tmp_path, chunked) as http:
        with pytest.raises(HttpError, match="larger than"):
            await http.get_bytes(URL + "?chunked", max_bytes=250)


async def test_post_json_is_not_cached_and_retried(tmp_path: Path) -> None:
    seen: list[bytes] = []
    answers = [httpx.Response(502), httpx.Response(200, json={"results": []})]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return answers.pop(0) if answers else httpx.Response(200, json={"again": True})

    async with client(tmp_path, handler) as http:
        assert await http.post_json(URL, {"q": 1}) == {"results": []}
        assert await http.post_json(URL, {"q": 1}) == {"again": True}
        with pytest.raises(HttpError):
            answers.append(httpx.Response(404))
            await http.post_json(URL, {"q": 2})
    assert json.loads(seen[0]) == {"q": 1}
    assert len(seen) == 4


async def test_auth_and_header_precedence(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    def auth(url: str) -> dict[str, str]:
        return {"Authorization": "Bearer s3cret"} if url.startswith("https://npm.test/") else {}

    async with client(
        tmp_path, handler, auth=auth, headers={"X-Base": "1", "X-Both": "base"}
    ) as http:
        await http.get_json("https://npm.test/pkg", headers={"X-Both": "call"})
        await http.get_json("https://elsewhere.test/pkg")
    assert seen[0].headers["Authorization"] == "Bearer s3cret"
    assert seen[0].headers["X-Base"] == "1"
    assert seen[0].headers["X-Both"] == "call"
    assert "Authorization" not in seen[1].headers


async def test_unsupported_scheme_is_http_error(tmp_path: Path) -> None:
    async with HttpClient(cache_dir=tmp_path) as http:
        with pytest.raises(HttpError, match="cannot fetch"):
            await http.get_json("file:///nowhere/simple")


def test_redact_hides_credentials() -> None:
    assert redact("https://user:pw@pypi.test:8443/simple/") == "https://pypi.test:8443/simple/"
    assert redact("https://pypi.test/simple/") == "https://pypi.test/simple/"


async def test_default_cache_dir_follows_stockade_cache_dir(tmp_path: Path) -> None:
    async with HttpClient() as http:
        assert http.cache_dir.parent.name == "cache"
        assert "stockade-home" in str(http.cache_dir)
