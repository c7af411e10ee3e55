"""``stockade score``, ``stockade ingest`` and ``stockade check --min-score`` end to end, with the
registries served on 127.0.0.1 from recorded responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli.main import app
from tests.cli.local_registry import LocalRegistry, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTRY = FIXTURES / "registry"
SCORING = FIXTURES / "scoring"
ROUTES = {
    "/pypi/requests/json": REGISTRY / "pypi" / "requests.json",
    "/pypi/six/json": REGISTRY / "pypi" / "six.json",
    "/pypi/sigstore/json": REGISTRY / "pypi" / "sigstore.json",
    "/simple/sigstore/": REGISTRY / "pypi" / "sigstore-simple.json",
    "/integrity/sigstore/4.5.1/sigstore-4.5.1-py3-none-any.whl/provenance": REGISTRY
    / "pypi"
    / "sigstore-4.5.1-provenance.json",
    "/pypi/coloama/json": SCORING / "coloama.json",
    "/npm/express": REGISTRY / "npm" / "express.json",
    "/npm/@sigstore%2fcore": REGISTRY / "npm" / "sigstore-core.json",
}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalRegistry]:
    with serve(LocalRegistry(ROUTES, {"/pypi/flaky/": 503}), monkeypatch) as served:
        yield served


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def import_malicious_record() -> None:
    code, _, err = run("db", "import", str(SCORING / "MAL-2023-1689.json"))
    assert code == 0, err


def test_score_json_contract(registry: LocalRegistry) -> None:
    code, out, err = run("score", "requests", "--no-scan", "--format", "json", "--source", "local")
    assert code == 0, err
    data = json.loads(out)
    assert data["package"] == "pkg:pypi/requests@2.34.2"
    assert isinstance(data["score"], float) and 5.0 <= data["score"] <= 10.0
    assert set(data["components"]) == {
        "malicious",
        "vulnerabilities",
        "typosquatting",
        "origin",
        "provenance",
        "maintenance",
        "hygiene",
    }
    assert data["components"]["typosquatting"]["score"] == 10.0
    # no OSV data imported and the API unreachable: those parts are unknown, not guessed
    assert data["components"]["vulnerabilities"]["score"] is None
    assert any("no vulnerability source" in p for p in data["incomplete"])
    assert data["flags"] == [] or all(f["level"] != "block" for f in data["flags"])
    assert 1 <= len(data["reasons"]) <= 4


def test_known_malicious_typosquat_scores_zero_and_suggests_the_original(
    registry: LocalRegistry,
) -> None:
    import_malicious_record()
    code, out, err = run("score", "pkg:pypi/coloama@0.4.6", "--no-scan", "-f", "json")
    assert code == 1, err
    data = json.loads(out)
    assert data["score"] == 0.0
    codes = [f["code"] for f in data["flags"]]
    assert codes[0] == "malicious"
    assert "typosquat" in codes
    assert data["components"]["typosquatting"]["evidence"][0]["value"]["target"] == "colorama"
    assert data["alternatives"][0]["name"] == "colorama"
    assert "MAL-2023-1689" in data["reasons"][0]


def test_unknown_name_exits_2_and_still_says_what_it_imitates(registry: LocalRegistry) -> None:
    code, out, err = run("score", "reqeusts", "--no-scan", "-f", "json", "--source", "local")
    assert code == 2
    data = json.loads(out)
    assert data["score"] is None
    assert data["known"] is False
    assert data["components"]["typosquatting"]["evidence"][0]["value"]["target"] == "requests"
    assert "does not know" in err


def test_invalid_name_and_registry_error_exit_2(registry: LocalRegistry) -> None:
    code, _, err = run("score", "not a name", "--no-scan")
    assert code == 2
    assert "not a valid PyPI package name" in err
    code, out, err = run("score", "flaky", "--no-scan", "-f", "json", "--source", "local")
    assert code == 2
    assert "registry error" in json.loads(out)["incomplete"][0]


def test_table_shows_components_and_provenance_claim(registry: LocalRegistry) -> None:
    code, out, err = run("score", "sigstore", "--no-scan", "--source", "local")
    assert code == 0, err
    assert "pkg:pypi/sigstore@4.5.1" in out
    for name in ("malicious", "typosquatting", "provenance", "maintenance", "hygiene"):
        assert name in out
    assert any(p.startswith("/integrity/sigstore/4.5.1/") for p in registry.requests)


def test_npm_scoped_package_and_min_score(registry: LocalRegistry) -> None:
    code, out, _ = run("score", "@sigstore/core", "-f", "json", "--no-scan", "--min-score", "9.9")
    data = json.loads(out)
    assert data["package"].startswith("pkg:npm/%40sigstore/core@")
    assert code == 1  # below the minimum asked for


def test_ingest_resumes_and_check_shows_stored_scores(
    registry: LocalRegistry, tmp_path: Path
) -> None:
    listing = tmp_path / "packages.txt"
    listing.write_text("# popular\nrequests\nsix\npkg:npm/express\nnosuchpackage-xyz\n")
    code, _, err = run("ingest", str(listing), "--source", "local")
    assert code == 0, err
    assert "ingested 3 package(s), 0 already done, 1 unknown" in err
    code, _, err = run("ingest", str(listing), "--source", "local")
    assert code == 0, err
    assert "ingested 0 package(s), 4 already done" in err

    project = tmp_path / "svc"
    project.mkdir()
    (project / "requirements.txt").write_text("requests==2.34.2\nsix==1.17.0\n")
    code, out, err = run("check", str(project), "-f", "json", "--fail-on", "none")
    assert code == 0, err
    packages = {p["name"]: p for p in json.loads(out)["packages"]}
    assert packages["requests"]["score"] is not None
    code, out, _ = run(
        "check", str(project), "-f", "json", "--fail-on", "none", "--min-score", "9.9"
    )
    assert code == 1
    assert "pkg:pypi/requests@2.34.2" in json.loads(out)["summary"]["below_min_score"]


def test_ingest_rejects_a_bad_list_with_file_and_line(tmp_path: Path) -> None:
    listing = tmp_path / "packages.txt"
    listing.write_text("requests\n\nbad name here\n")
    code, _, err = run("ingest", str(listing))
    assert code == 2
    assert f"{listing}:3:" in err


def test_check_scores_fetches_missing_facts_and_names_the_weakest_link(
    registry: LocalRegistry, tmp_path: Path
) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "requirements.txt").write_text("requests==2.34.2\nsix==1.17.0\ncoloama==0.4.6\n")
    import_malicious_record()
    code, out, err = run("check", str(project), "-f", "json", "--scores")
    assert code == 1, err  # the malicious record fails the check
    data = json.loads(out)
    packages = {p["name"]: p for p in data["packages"]}
    assert packages["coloama"]["score"] == 0.0
    assert packages["coloama"]["score_flags"][0] == "malicious"
    assert packages["requests"]["score"] is not None and packages["requests"]["score"] > 5
    assert any(p.startswith("/pypi/coloama/") for p in registry.requests)
    # The facts are kept: a later check without --scores shows the same scores offline.
    registry.requests.clear()
    code, out, _ = run("check", str(project), "-f", "json", "--fail-on", "none")
    assert json.loads(out)["packages"][0]["score"] is not None
    assert registry.requests == []
    code, out, _ = run("check", str(project), "--fail-on", "none")
    assert "Trust scores" in out and "coloama" in out
