"""Registries served on 127.0.0.1 from recorded responses, for end-to-end CLI tests.

pip and npm settings (``PIP_INDEX_URL``, ``npm_config_registry``) point at the server, the OSV
API at a closed port, and retries are off, so a test never leaves the machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class LocalRegistry:
    """What the server answers, and what it was asked."""

    routes: Mapping[str, Path]
    """Request path -> recorded JSON body."""
    failures: Mapping[str, int] = field(default_factory=dict)
    """Request path prefix -> HTTP status to answer instead."""
    base: str = ""
    """``http://127.0.0.1:PORT``; ``https://pypi.test`` in bodies is rewritten to it."""
    requests: list[str] = field(default_factory=list)

    def answer(self, path: str) -> tuple[int, bytes]:
        self.requests.append(path)
        for prefix, status in self.failures.items():
            if path.startswith(prefix):
                return status, b""
        found = self.routes.get(path)
        if found is None:
            return 404, b""
        return 200, found.read_bytes().replace(b"https://pypi.test", self.base.encode())


@contextmanager
def serve(registry: LocalRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalRegistry]:
    """Run ``registry`` on 127.0.0.1 with pip, npm and the OSV API pointed at it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = registry.answer(self.path)
            self.send_response(status)
            if body:
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    registry.base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("PIP_INDEX_URL", f"{registry.base}/simple")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("npm_config_registry", f"{registry.base}/npm/")
    monkeypatch.setenv("STOCKADE_OSV_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("STOCKADE_HTTP_RETRIES", "0")
    try:
        yield registry
    finally:
        server.shutdown()
        server.server_close()
