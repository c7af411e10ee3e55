"""End to end: ``stockade scan`` on archives built from the sample packages, and by purl."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from benchmarks.scan import build_sample, sample_folders
from stockade.cli.main import app

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"
runner = CliRunner()


def scan_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["scan", *args, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_malicious_sample_json_contract(tmp_path: Path) -> None:
    sample = build_sample(SAMPLES / "python" / "malicious" / "env_stealer_webhook", tmp_path)
    code, report = scan_json(str(sample.archive))
    assert code == 1
    assert report["verdict"] == "malicious"
    assert 8 <= report["score"] <= 10
    assert report["reasons"]
    finding = report["findings"][0]
    assert set(finding) == {
        "rule",
        "category",
        "severity",
        "confidence",
        "kind",
        "path",
        "line",
        "snippet",
        "message",
        "phase",
    }
    assert any(f["kind"] == "threat" and f["phase"] == "install" for f in report["findings"])
    assert report["package"]["ecosystem"] == "PyPI"
    assert report["error"] is None


def test_benign_look_alike_exits_zero(tmp_path: Path) -> None:
    sample = build_sample(SAMPLES / "javascript" / "benign" / "node-gyp-addon", tmp_path)
    code, report = scan_json(str(sample.archive))
    assert code == 0
    assert report["verdict"] == "benign"
    assert report["score"] < 5


def test_detection_of_every_sample_and_no_flagged_look_alike(tmp_path: Path) -> None:
    """The sample corpus: at least 90% of malicious samples flagged, no look-alike flagged."""
    malicious = [build_sample(f, tmp_path / "m") for f in sample_folders(SAMPLES, "malicious")]
    benign = [build_sample(f, tmp_path / "b") for f in sample_folders(SAMPLES, "benign")]
    assert len(malicious) >= 40 and len(benign) >= 20
    code, report = scan_json(*(str(s.archive) for s in malicious), "--workers", "2")
    assert code == 1
    verdicts = {r["target"]: r["verdict"] for r in report["results"]}
    missed = sorted(t for t, v in verdicts.items() if v == "benign")
    assert len(missed) <= len(malicious) // 10, missed
    code, report = scan_json(*(str(s.archive) for s in benign), "--workers", "2")
    flagged = sorted(r["target"] for r in report["results"] if r["verdict"] != "benign")
    assert flagged == []
    assert code == 0


def test_table_output_and_suppression(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = build_sample(SAMPLES / "javascript" / "malicious" / "npmrc-stealer", tmp_path)
    result = runner.invoke(app, ["scan", str(sample.archive)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "MALICIOUS" in result.stdout
    assert "risk" in result.stdout
    # Suppress every rule for exactly this archive (by its hash): the verdict goes benign.
    digest = hashlib.sha256(sample.archive.read_bytes()).hexdigest()
    (tmp_path / "stockade.toml").write_text(
        f'[[suppress]]\nrule = "*"\nsha256 = "{digest}"\nreason = "our own test fixture"\n'
    )
    monkeypatch.chdir(tmp_path)
    code, report = scan_json(str(sample.archive))
    assert code == 0
    assert report["findings"] == []
    assert report["suppressed"] and report["suppressed"][0]["reason"] == "our own test fixture"


def test_not_an_archive_is_an_error(tmp_path: Path) -> None:
    fake = tmp_path / "evil-1.0.tar.gz"
    fake.write_text("<html>Not Found</html>\n")
    result = runner.invoke(app, ["scan", str(fake)])
    assert result.exit_code == 2
    assert "not an archive" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["scan", str(tmp_path / "nope.whl")])
    assert missing.exit_code == 2


class Registry(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def pypi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("PIP_INDEX_URL", f"{base}/simple")
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("STOCKADE_HTTP_RETRIES", "0")
    yield base
    server.shutdown()
    server.server_close()


def test_scan_by_purl_checks_the_digest(
    pypi: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = build_sample(SAMPLES / "python" / "malicious" / "base64_exec_setup", tmp_path)
    data = sample.archive.read_bytes()
    name, version = sample.name, sample.version
    url = f"{pypi}/files/{sample.archive.name}"

    def document(digest: str) -> bytes:
        files = [
            {
                "filename": sample.archive.name,
                "url": url,
                "packagetype": "sdist",
                "digests": {"sha256": digest},
                "size": len(data),
                "upload_time_iso_8601": "2024-05-01T10:00:00.000000Z",
                "yanked": False,
            }
        ]
        return json.dumps(
            {
                "info": {"name": name, "version": version, "requires_dist": None},
                "releases": {version: files},
                "urls": files,
            }
        ).encode()

    Registry.routes = {
        f"/pypi/{name}/json": document(hashlib.sha256(data).hexdigest()),
        f"/pypi/{name}/{version}/json": document(hashlib.sha256(data).hexdigest()),
        f"/files/{sample.archive.name}": data,
    }
    code, report = scan_json(f"pkg:pypi/{name}@{version}")
    assert code == 1
    assert report["verdict"] == "malicious"
    assert report["package"]["name"] == name

    # A registry answer whose digest does not match the file (fresh cache, new answers).
    monkeypatch.setenv("STOCKADE_CACHE_DIR", str(tmp_path / "cache2"))
    Registry.routes[f"/pypi/{name}/json"] = document("0" * 64)
    Registry.routes[f"/pypi/{name}/{version}/json"] = document("0" * 64)
    result = runner.invoke(app, ["scan", f"pkg:pypi/{name}@{version}", "-f", "json"])
    assert result.exit_code == 2
    assert "digest" in result.output.lower() or "sha256" in result.output.lower()
