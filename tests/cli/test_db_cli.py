"""``stockade db sync`` and ``db status`` against an OSV export served on 127.0.0.1."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli.main import app

E2E_OSV = Path(__file__).resolve().parents[1] / "fixtures" / "e2e" / "osv"


def export_zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, (E2E_OSV / name).read_bytes())
    return buffer.getvalue()


EXPORTS = {
    "/npm/all.zip": export_zip(
        ["GHSA-p6mc-m468-83gw.json", "GHSA-hrpp-h998-j3pp.json", "MAL-2024-0001.json"]
    ),
    "/PyPI/all.zip": export_zip(["PYSEC-TEST-0001.json", "GHSA-68w8-qjq3-2gfm.json"]),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = EXPORTS.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"v1"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def export_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("STOCKADE_OSV_EXPORT_URL", base)
    monkeypatch.setenv("STOCKADE_HTTP_RETRIES", "0")
    yield base
    server.shutdown()
    server.server_close()


def test_sync_downloads_and_imports_each_ecosystem(export_server: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "sync"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    status = runner.invoke(app, ["db", "status"], catch_exceptions=False)
    assert status.exit_code == 0
    assert "known-malicious records: 1" in status.output
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in status.output.splitlines()
        if line.count("│") == 3
    }
    assert rows["npm"] == "3"
    assert rows["PyPI"] == "2"
    # A second sync changes nothing.
    again = runner.invoke(app, ["db", "sync", "--ecosystem", "npm"], catch_exceptions=False)
    assert again.exit_code == 0
    assert "│            3 │     0 │" in again.output


def test_sync_of_unknown_ecosystem_fails_cleanly(export_server: str) -> None:
    result = CliRunner().invoke(app, ["db", "sync", "-e", "Hackage"])
    assert result.exit_code == 2
    assert "error:" in result.output
