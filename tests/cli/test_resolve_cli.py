"""Ranges without a lockfile are resolved against registries, here served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli.main import app
from tests.cli.local_registry import LocalRegistry, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"
ROUTES = {
    "/pypi/six/json": FIXTURES / "pypi" / "six.json",
    "/pypi/requests/json": FIXTURES / "pypi" / "requests.json",
    "/npm/is-number": FIXTURES / "npm" / "is-number.json",
}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalRegistry]:
    with serve(LocalRegistry(ROUTES, {"/pypi/broken/json": 500}), monkeypatch) as served:
        yield served


def test_ranges_resolve_to_todays_versions(tmp_path: Path, registry: LocalRegistry) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "requirements.txt").write_text(
        "six>=1.10\nrequests<2.32\nbroken>=1\nnosuchpkg>=1\nflask==2.0.1\n"
    )
    (project / "package.json").write_text(
        json.dumps({"name": "svc", "version": "1.0.0", "dependencies": {"is-number": "^6.0.0"}})
    )
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["check", str(project), "-f", "json", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    by_name = {p["name"]: p for p in report["packages"]}

    six = json.loads((FIXTURES / "pypi" / "six.json").read_text())["info"]["version"]
    assert by_name["six"]["version"] == six
    assert by_name["six"]["resolution"] == "resolved"
    assert by_name["six"]["spec"] == ">=1.10"
    # The yanked 2.32.0 and 2.32.1 are out of range anyway; the highest below them wins.
    assert by_name["requests"]["version"].startswith("2.31")
    assert by_name["is-number"]["version"] == "6.0.0"
    assert by_name["flask"]["resolution"] == "pinned"

    # Failures are per package; the rest of the report is still produced.
    assert by_name["broken"]["version"] is None
    assert by_name["broken"]["resolution"] == "unresolved"
    assert "500" in by_name["broken"]["error"]
    assert "not known" in by_name["nosuchpkg"]["error"]
    assert any("resolved to the version that would install today" in n for n in report["notices"])
    # Pinned packages are never looked up.
    assert not any("flask" in r for r in registry.requests)


def test_no_resolve_leaves_ranges_unresolved(tmp_path: Path, registry: LocalRegistry) -> None:
    (tmp_path / "requirements.txt").write_text("six>=1.10\n")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["check", str(tmp_path), "--no-resolve", "-f", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    [six] = json.loads(out.read_text())["packages"]
    assert six["version"] is None and six["resolution"] == "unresolved"
    assert registry.requests == []
