"""Downloading OSV's per-ecosystem zip export, served by a mock transport."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from stockade.errors import OSVError
from stockade.http import HttpClient
from stockade.intel.osv.export import DEFAULT_EXPORT_URL, download_export, export_url
from stockade.intel.osv.loader import iter_records

Handler = Callable[[httpx.Request], httpx.Response]


def export_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in (1, 2):
            record = {
                "id": f"PYSEC-2024-{i}",
                "modified": "2024-06-01T00:00:00Z",
                "affected": [
                    {"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": [f"{i}.0"]}
                ],
            }
            zf.writestr(f"PYSEC-2024-{i}.json", json.dumps(record))
    return buffer.getvalue()


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def client_for(tmp_path: Path) -> AsyncIterator[Callable[..., HttpClient]]:
    made: list[HttpClient] = []

    def make(handler: Handler, fresh_for: float = 600.0) -> HttpClient:
        client = HttpClient(
            cache_dir=tmp_path / "http",
            transport=httpx.MockTransport(handler),
            sleep=no_sleep,
            retries=1,
            fresh_for=fresh_for,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


def test_export_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert export_url("PyPI") == f"{DEFAULT_EXPORT_URL}/PyPI/all.zip"
    assert export_url("pypi") == f"{DEFAULT_EXPORT_URL}/PyPI/all.zip"
    assert export_url("NPM") == f"{DEFAULT_EXPORT_URL}/npm/all.zip"
    assert (
        export_url("crates.io", "http://127.0.0.1:9/x/") == "http://127.0.0.1:9/x/crates.io/all.zip"
    )
    monkeypatch.setenv("STOCKADE_OSV_EXPORT_URL", "http://127.0.0.1:8000")
    assert export_url("npm") == "http://127.0.0.1:8000/npm/all.zip"


async def test_download_writes_the_zip_and_revalidates_with_etag(
    tmp_path: Path, client_for: Callable[..., HttpClient]
) -> None:
    body = export_zip()
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        assert request.url == f"{DEFAULT_EXPORT_URL}/PyPI/all.zip"
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, content=body, headers={"ETag": '"v1"'})

    http = client_for(handler, fresh_for=0.0)
    dest = tmp_path / "exports"
    path = await download_export(http, "PyPI", dest)
    assert path == dest / "PyPI-all.zip"
    assert path.read_bytes() == body
    assert [r.id for r in iter_records([path])] == ["PYSEC-2024-1", "PYSEC-2024-2"]

    path.write_bytes(b"stale")
    again = await download_export(http, "pypi", dest)
    assert again == path
    assert path.read_bytes() == body  # rewritten from the revalidated cache
    assert [r.headers.get("If-None-Match") for r in requests] == [None, '"v1"']
    assert sorted(p.name for p in dest.iterdir()) == ["PyPI-all.zip"]  # no temporary files


async def test_dest_may_name_the_file(
    tmp_path: Path, client_for: Callable[..., HttpClient]
) -> None:
    body = export_zip()
    http = client_for(lambda request: httpx.Response(200, content=body))
    target = tmp_path / "deep" / "npm.zip"
    assert await download_export(http, "npm", target, base_url="http://127.0.0.1:9") == target
    assert target.read_bytes() == body


async def test_unknown_ecosystem_is_none(
    tmp_path: Path, client_for: Callable[..., HttpClient]
) -> None:
    http = client_for(lambda request: httpx.Response(404))
    assert await download_export(http, "Nope", tmp_path) is None
    assert list(tmp_path.glob("*.zip")) == []


async def test_not_a_zip(tmp_path: Path, client_for: Callable[..., HttpClient]) -> None:
    http = client_for(lambda request: httpx.Response(200, content=b"<html>oops</html>"))
    with pytest.raises(OSVError, match="is not a zip archive"):
        await download_export(http, "PyPI", tmp_path)
    assert list(tmp_path.glob("*.zip")) == []


async def test_server_error(tmp_path: Path, client_for: Callable[..., HttpClient]) -> None:
    http = client_for(lambda request: httpx.Response(500))
    with pytest.raises(OSVError, match=r"cannot download the OSV export for PyPI: .*HTTP 500"):
        await download_export(http, "PyPI", tmp_path)
