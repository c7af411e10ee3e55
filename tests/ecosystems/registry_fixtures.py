"""Serve recorded registry responses (``tests/fixtures/registry``) through a mock transport."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "registry"


def load(relative: str) -> Any:
    """A recorded JSON response."""
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


class Server:
    """Answers the URLs it was given with their bodies and everything else with 404."""

    def __init__(self, routes: Mapping[str, Any]) -> None:
        self.routes = dict(routes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = self.routes.get(str(request.url))
        if body is None:
            return httpx.Response(404)
        if isinstance(body, httpx.Response):
            return body
        return httpx.Response(200, json=body)

    def paths(self) -> list[str]:
        """The raw paths requested, in order."""
        return [request.url.raw_path.decode("ascii") for request in self.requests]
