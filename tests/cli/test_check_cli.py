"""End to end: ``stockade db import`` then ``stockade check`` on the example projects."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stockade.cli.main import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
E2E_OSV = REPO / "tests" / "fixtures" / "e2e" / "osv"

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def offline_osv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the OSV API at a closed local port, so nothing leaves the machine."""
    monkeypatch.setenv("STOCKADE_OSV_API_URL", "http://127.0.0.1:9")


@pytest.fixture
def imported(offline_osv: None) -> None:
    result = invoke("db", "import", str(E2E_OSV))
    assert result.exit_code == 0, result.output
    assert "6" in result.output  # records read


def check_json(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    result = invoke("check", *args, "--format", "json", "--output", str(out))
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(out.read_text())


def package(report: dict[str, Any], name: str, version: str | None = None) -> dict[str, Any]:
    for pkg in report["packages"]:
        if pkg["name"] == name and (version is None or pkg["version"] == version):
            found: dict[str, Any] = pkg
            return found
    raise AssertionError(f"{name} {version} not in report")


def test_npm_example_findings(tmp_path: Path, imported: None) -> None:
    code, report = check_json(tmp_path, str(EXAMPLES / "npm-storefront"))
    assert code == 1
    lodash = package(report, "lodash", "4.17.15")
    assert lodash["direct"] is True
    assert lodash["locations"][0].startswith("package")
    [finding] = lodash["findings"]
    assert finding["id"] == "GHSA-p6mc-m468-83gw"
    assert finding["aliases"] == ["CVE-2020-8203"]
    assert finding["severity"] == "high"
    assert finding["score"] == pytest.approx(7.4)
    assert finding["fixed_versions"] == ["4.17.19"]
    # A transitive dependency names the chain that pulls it in.
    qs = package(report, "qs", "6.5.1")
    assert qs["direct"] is False
    assert qs["via"][0].startswith("express@4.16.0")
    assert [f["id"] for f in qs["findings"]] == ["GHSA-hrpp-h998-j3pp"]
    assert qs["findings"][0]["fixed_versions"] == ["6.5.3"]
    # The withdrawn record matches nothing.
    assert package(report, "express", "4.16.0")["findings"] == []
    assert report["summary"]["findings"] == 2
    assert report["sources"][0].startswith("local OSV database")


def test_aliases_merge_into_one_finding(tmp_path: Path, imported: None) -> None:
    code, report = check_json(tmp_path, str(EXAMPLES / "python-service"))
    assert code == 1
    django = package(report, "django", "3.2")
    assert django["direct"] is True
    assert any(loc.startswith("pyproject.toml:") for loc in django["locations"])
    [finding] = django["findings"]
    assert set(finding["aliases"]) | {finding["id"]} == {
        "PYSEC-TEST-0001",
        "GHSA-68w8-qjq3-2gfm",
        "CVE-2021-33203",
    }
    assert finding["fixed_versions"] == ["3.2.4"]
    # djangorestframework was declared as a range but the lockfile gives its exact version.
    drf = package(report, "djangorestframework")
    assert drf["resolution"] == "locked"
    assert drf["spec"] is not None


def test_fail_on_threshold(tmp_path: Path, imported: None) -> None:
    args = [str(EXAMPLES / "npm-storefront"), "--format", "json", "-o", str(tmp_path / "r")]
    assert invoke("check", *args, "--fail-on", "critical").exit_code == 0
    assert invoke("check", *args, "--fail-on", "high").exit_code == 1
    assert invoke("check", *args, "--fail-on", "none").exit_code == 0


def test_ignore_with_reason_and_expiry(tmp_path: Path, imported: None) -> None:
    project = tmp_path / "app"
    shutil.copytree(EXAMPLES / "npm-storefront", project)
    (project / "stockade.toml").write_text(
        """
[[ignore]]
id = "CVE-2020-8203"
reason = "lodash is only used on trusted build-time data"
expires = 2999-01-01

[[ignore]]
id = "GHSA-hrpp-h998-j3pp"
reason = "expired acceptance"
expires = 2001-01-01
""",
        encoding="utf-8",
    )
    code, report = check_json(tmp_path, str(project))
    assert code == 1  # the qs ignore has expired
    [lodash_finding] = package(report, "lodash", "4.17.15")["findings"]
    assert lodash_finding["ignored"]["reason"].startswith("lodash is only used")
    assert report["summary"]["ignored"] == 1
    assert any("expired" in n for n in report["notices"])


def test_malicious_package_is_critical(tmp_path: Path, imported: None) -> None:
    project = tmp_path / "stream"
    project.mkdir()
    (project / "package.json").write_text(
        json.dumps({"name": "s", "version": "1.0.0", "dependencies": {"event-stream": "3.3.6"}})
    )
    (project / "package-lock.json").write_text(
        json.dumps(
            {
                "name": "s",
                "version": "1.0.0",
                "lockfileVersion": 3,
                "requires": True,
                "packages": {
                    "": {
                        "name": "s",
                        "version": "1.0.0",
                        "dependencies": {"event-stream": "3.3.6"},
                    },
                    "node_modules/event-stream": {
                        "version": "3.3.6",
                        "dependencies": {"flatmap-stream": "^0.1.0"},
                    },
                    "node_modules/flatmap-stream": {"version": "0.1.1"},
                },
            },
            indent=2,
        )
    )
    code, report = check_json(tmp_path, str(project), "--fail-on", "critical")
    assert code == 1
    flatmap = package(report, "flatmap-stream", "0.1.1")
    assert flatmap["via"] == ["event-stream@3.3.6"]
    assert flatmap["findings"][0]["kind"] == "malicious"
    assert flatmap["findings"][0]["severity"] == "critical"
    assert report["summary"]["malicious"] == 1


def test_table_output_for_people(imported: None) -> None:
    result = invoke("check", str(EXAMPLES / "npm-storefront"), "--fail-on", "none")
    assert result.exit_code == 0
    assert "lodash" in result.output
    assert "GHSA-p6mc-m468-83gw" in result.output


@pytest.mark.parametrize("fmt", ["sarif", "cyclonedx", "markdown"])
def test_other_formats(tmp_path: Path, imported: None, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = invoke("check", str(EXAMPLES / "npm-storefront"), "-f", fmt, "-o", str(out))
    assert result.exit_code == 1
    text = out.read_text()
    assert "GHSA-p6mc-m468-83gw" in text
    if fmt != "markdown":
        json.loads(text)


def test_no_source_reachable_still_reports(tmp_path: Path, offline_osv: None) -> None:
    code, report = check_json(tmp_path, str(EXAMPLES / "npm-storefront"))
    assert code == 0
    assert len(report["packages"]) > 200
    [notice] = [n for n in report["notices"] if "no vulnerability source" in n]
    assert "stockade db import" in notice
    assert report["sources"] == []


def test_malformed_lockfile_is_a_clear_error(tmp_path: Path, imported: None) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "package-lock.json").write_text('{\n  "lockfileVersion": 3,\n  "packages": {\n')
    result = invoke("check", str(project))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith("error: ")
    assert "package-lock.json:" in lines[0]
    assert "Traceback" not in result.output


def test_unknown_format_and_missing_path(tmp_path: Path, offline_osv: None) -> None:
    assert invoke("check", str(EXAMPLES), "--format", "xml").exit_code == 2
    result = invoke("check", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_output_is_not_half_written(tmp_path: Path, imported: None) -> None:
    target = tmp_path / "missing-folder" / "report.json"
    result = invoke("check", str(EXAMPLES / "npm-storefront"), "-f", "json", "-o", str(target))
    assert result.exit_code == 2
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_db_import_is_all_or_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(E2E_OSV / "GHSA-p6mc-m468-83gw.json", folder)
    (folder / "zz-broken.json").write_text('{"id": "GHSA-broken", "modified": "not a date"}')
    result = invoke("db", "import", str(folder))
    assert result.exit_code == 2
    assert "zz-broken.json" in result.output
    status = invoke("db", "status")
    assert status.exit_code == 0
    assert "known-malicious records: 0" in status.output
    assert "│ 0" in status.output or " 0 " in status.output


def test_real_pysec_findings_for_the_python_example(
    tmp_path: Path, shared_data: Path, offline_osv: None
) -> None:
    result = invoke("db", "import", str(shared_data / "osv" / "pysec" / "vulns"))
    assert result.exit_code == 0, result.output
    code, report = check_json(tmp_path, str(EXAMPLES / "python-worker"))
    assert code == 1
    pycrypto = package(report, "pycrypto", "2.6.1")
    ids = {i for f in pycrypto["findings"] for i in (f["id"], *f["aliases"])}
    assert {"PYSEC-2017-94", "PYSEC-2018-97"} <= ids
    assert report["summary"]["vulnerable_packages"] >= 3
