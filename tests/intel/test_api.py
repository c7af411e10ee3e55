"""The OSV API source against hand-written responses in the API's own shapes.

``POST /v1/querybatch`` answers ``{"results": [{"vulns": [{"id", "modified"}],
"next_page_token"?}, {}, ...]}`` (one result per query, ``{}`` when nothing matches) and
``GET /v1/vulns/{id}`` answers the full OSV record, as https://google.github.io/osv.dev/api/
documents. The records served are the real ones under ``tests/fixtures/osv`` plus hand-made
ones.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from stockade.ecosystems.interface import Ecosystem
from stockade.errors import OSVError
from stockade.http import HttpClient
from stockade.intel.osv.api import OSVApiSource
from stockade.intel.osv.loader import iter_records
from stockade.intel.osv.source import PackageQuery
from tests.conftest import FIXTURES

API = "https://api.osv.dev"
PYPI = Ecosystem.PYPI
NPM = Ecosystem.NPM

Handler = Callable[[httpx.Request], httpx.Response]


def fixture_records() -> dict[str, dict[str, Any]]:
    return {
        r.id: r.model_dump(mode="json", exclude_none=True) for r in iter_records([FIXTURES / "osv"])
    }


class FakeOSV:
    """A stand-in for the OSV API: ``index`` maps (ecosystem, name) to record ids."""

    def __init__(
        self,
        records: dict[str, dict[str, Any]],
        index: dict[tuple[str, str], list[str]],
        *,
        page_size: int = 1000,
    ) -> None:
        self.records = records
        self.index = index
        self.page_size = page_size
        self.batches: list[list[dict[str, Any]]] = []
        self.fetched: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/querybatch":
            queries = json.loads(request.content)["queries"]
            self.batches.append(queries)
            return httpx.Response(200, json={"results": [self._answer(q) for q in queries]})
        if request.method == "GET" and path.startswith("/v1/vulns/"):
            vid = path.removeprefix("/v1/vulns/")
            self.fetched.append(vid)
            if vid not in self.records:
                return httpx.Response(404, json={"code": 5, "message": "Bug not found."})
            return httpx.Response(200, json=self.records[vid])
        return httpx.Response(404)

    def _answer(self, query: dict[str, Any]) -> dict[str, Any]:
        package = query["package"]
        ids = self.index.get((package["ecosystem"], package["name"]), [])
        start = int(query.get("page_token", "0"))
        page = ids[start : start + self.page_size]
        if not page:
            return {}
        result: dict[str, Any] = {
            "vulns": [{"id": v, "modified": "2024-06-01T00:00:00Z"} for v in page]
        }
        if start + self.page_size < len(ids):
            result["next_page_token"] = str(start + self.page_size)
        return result


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def client_for(tmp_path: Path) -> AsyncIterator[Callable[[Handler], HttpClient]]:
    made: list[HttpClient] = []

    def make(handler: Handler) -> HttpClient:
        client = HttpClient(
            cache_dir=tmp_path / "http",
            transport=httpx.MockTransport(handler),
            sleep=no_sleep,
            retries=2,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


def q(name: str, version: str, eco: Ecosystem = PYPI) -> PackageQuery:
    return PackageQuery(eco, name, version)


async def test_query_matches_locally_and_keys_every_package(client_for: Any) -> None:
    records = fixture_records()
    fake = FakeOSV(
        records,
        {
            ("PyPI", "pycrypto"): ["PYSEC-2017-94", "PYSEC-2018-97"],
            # The API may name records that do not affect the exact version asked for:
            ("PyPI", "werkzeug"): ["PYSEC-2023-221"],
            ("PyPI", "lodestone"): ["MAL-2023-8651"],  # withdrawn
            ("npm", "@adam_baldwin/pingback"): ["MAL-2022-58"],
        },
    )
    source = OSVApiSource(client_for(fake))
    wanted = [
        q("pycrypto", "2.6.1"),
        q("werkzeug", "3.0.1"),
        q("werkzeug", "3.0.0"),
        q("lodestone", "0.0.58"),
        q("@adam_baldwin/pingback", "1.0.0", NPM),
        q("requests", "2.32.3"),
        q("pycrypto", "2.6.1"),
    ]
    result = await source.query(wanted)
    assert set(result) == set(wanted)
    assert [r.id for r in result[q("pycrypto", "2.6.1")]] == ["PYSEC-2017-94", "PYSEC-2018-97"]
    assert result[q("werkzeug", "3.0.1")] == []
    assert [r.id for r in result[q("werkzeug", "3.0.0")]] == ["PYSEC-2023-221"]
    assert result[q("lodestone", "0.0.58")] == []
    assert [r.id for r in result[q("@adam_baldwin/pingback", "1.0.0", NPM)]] == ["MAL-2022-58"]
    assert result[q("requests", "2.32.3")] == []
    # One batch, duplicates sent once; every distinct id fetched once.
    assert len(fake.batches) == 1
    assert len(fake.batches[0]) == 6
    assert fake.batches[0][0] == {
        "package": {"ecosystem": "PyPI", "name": "pycrypto"},
        "version": "2.6.1",
    }
    assert sorted(fake.fetched) == sorted(set(fake.fetched))
    assert len(fake.fetched) == 5


async def test_batches_of_at_most_1000(client_for: Any) -> None:
    records = fixture_records()
    fake = FakeOSV(records, {("PyPI", "pycrypto"): ["PYSEC-2017-94"]})
    source = OSVApiSource(client_for(fake))
    wanted = [q("pycrypto", f"2.{i}") for i in range(2500)]
    result = await source.query(wanted)
    assert sorted(len(b) for b in fake.batches) == [500, 1000, 1000]
    assert fake.fetched == ["PYSEC-2017-94"]
    assert len(result) == 2500
    # PYSEC-2017-94 enumerates 2.0 .. 2.6.1 (and its range is introduced 0: every version).
    assert all(len(found) == 1 for found in result.values())


async def test_pages_are_followed(client_for: Any) -> None:
    records = {
        f"OSV-2024-{i}": {
            "id": f"OSV-2024-{i}",
            "modified": "2024-06-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0"]}],
        }
        for i in range(5)
    }
    fake = FakeOSV(records, {("PyPI", "demo"): sorted(records)}, page_size=2)
    source = OSVApiSource(client_for(fake))
    result = await source.query([q("demo", "1.0"), q("other", "1.0")])
    assert [r.id for r in result[q("demo", "1.0")]] == sorted(records)
    assert result[q("other", "1.0")] == []
    assert [len(b) for b in fake.batches] == [2, 1, 1]
    assert fake.batches[1] == [
        {"package": {"ecosystem": "PyPI", "name": "demo"}, "version": "1.0", "page_token": "2"}
    ]


async def test_a_repeating_page_token_does_not_loop(client_for: Any) -> None:
    posts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal posts
        if request.method == "POST":
            posts += 1
            n = len(json.loads(request.content)["queries"])
            return httpx.Response(200, json={"results": [{"next_page_token": "same"}] * n})
        return httpx.Response(404)

    result = await OSVApiSource(client_for(handler)).query([q("demo", "1.0")])
    assert result == {q("demo", "1.0"): []}
    assert posts == 2


async def test_unknown_and_invalid_records_are_skipped(client_for: Any) -> None:
    records = {
        "OSV-2024-1": {"id": "OSV-2024-1", "affected": []},  # no "modified"
    }
    fake = FakeOSV(records, {("PyPI", "demo"): ["OSV-2024-1", "OSV-2024-404"]})
    result = await OSVApiSource(client_for(fake)).query([q("demo", "1.0")])
    assert result == {q("demo", "1.0"): []}
    assert sorted(fake.fetched) == ["OSV-2024-1", "OSV-2024-404"]


async def test_unreachable_api_raises_osv_error(client_for: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    source = OSVApiSource(client_for(handler))
    with pytest.raises(OSVError, match=r"^OSV API unreachable: cannot reach https://api\.osv\.dev"):
        await source.query([q("demo", "1.0")])
    assert not await source.available()


async def test_server_errors_raise_osv_error(client_for: Any) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    with pytest.raises(OSVError, match=r"OSV API unreachable: .* answered HTTP 503"):
        await OSVApiSource(client_for(handler)).query([q("demo", "1.0")])
    assert calls == 3  # the first try and two retries


async def test_unexpected_answer_shape(client_for: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": []})

    with pytest.raises(OSVError, match="unexpected shape"):
        await OSVApiSource(client_for(handler)).query([q("demo", "1.0")])


async def test_available_and_base_url_override(
    client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    payloads: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        payloads.append(json.loads(request.content))
        return httpx.Response(200, json={"results": [{}]})

    source = OSVApiSource(client_for(handler))
    assert source.name == "OSV API"
    assert await source.available()
    assert seen == [f"POST {API}/v1/querybatch"]
    assert payloads[0] == {
        "queries": [
            {
                "package": {"ecosystem": "PyPI", "name": "stockade-availability-probe"},
                "version": "0",
            }
        ]
    }
    monkeypatch.setenv("STOCKADE_OSV_API_URL", "http://127.0.0.1:8080/osv/")
    local = OSVApiSource(client_for(handler))
    assert local.name == "OSV API (http://127.0.0.1:8080/osv)"
    assert await local.available()
    assert seen[-1] == "POST http://127.0.0.1:8080/osv/v1/querybatch"
    explicit = OSVApiSource(client_for(handler), base_url="http://127.0.0.1:9/")
    assert explicit.base_url == "http://127.0.0.1:9"


async def test_not_available_when_the_answer_is_not_the_api(client_for: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=["a captive portal, perhaps"])

    assert not await OSVApiSource(client_for(handler)).available()


async def test_empty_query(client_for: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    assert await OSVApiSource(client_for(handler)).query([]) == {}
