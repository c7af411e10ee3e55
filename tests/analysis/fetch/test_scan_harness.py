"""The pure parts of the scan benchmark: sample archives, figures, the report."""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from benchmarks import scan
from stockade.analysis.fetch import ArchiveTooLargeError, Fetched, FetchError
from stockade.analysis.model import (
    Category,
    Confidence,
    Finding,
    Kind,
    Phase,
    ScanResult,
    Severity,
    Verdict,
)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def tar_members(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: m for m in tar.getmembers()}


# --- sample archives ----------------------------------------------------------------------------


def test_python_sample_becomes_an_sdist(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "samples" / "Token Grabber",
        {
            "setup.py": "from setuptools import setup\nsetup(name='token-grabber')\n",
            "grabber/__init__.py": "",
            "bin/run.sh": "#!/bin/sh\n",
        },
    )
    (folder / "bin" / "run.sh").chmod(0o755)
    os.symlink("/etc/passwd", folder / "link")
    sample = scan.build_sample(folder, tmp_path / "out", label="python/malicious/x")
    assert (sample.ecosystem, sample.name, sample.version) == ("PyPI", "Token-Grabber", "0.0.1")
    assert sample.archive.name == "Token-Grabber-0.0.1.tar.gz"
    assert sample.label == "python/malicious/x"
    members = tar_members(sample.archive.read_bytes())
    assert sorted(members) == [
        "Token-Grabber-0.0.1/bin/run.sh",
        "Token-Grabber-0.0.1/grabber/__init__.py",
        "Token-Grabber-0.0.1/setup.py",
    ]
    assert members["Token-Grabber-0.0.1/bin/run.sh"].mode == 0o755
    assert members["Token-Grabber-0.0.1/setup.py"].mode == 0o644
    again = scan.build_sample(folder, tmp_path / "again")
    assert again.archive.read_bytes() == sample.archive.read_bytes()


def test_python_sample_named_by_its_pkg_info(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "aws_cred_stealer",
        {
            "PKG-INFO": "Metadata-Version: 2.1\nName: fabrice\nVersion: 2.7.1\n",
            "setup.py": "",
        },
    )
    sample = scan.build_sample(folder, tmp_path / "out")
    assert (sample.name, sample.version) == ("fabrice", "2.7.1")
    assert sample.archive.name == "fabrice-2.7.1.tar.gz"
    assert sorted(tar_members(sample.archive.read_bytes())) == [
        "fabrice-2.7.1/PKG-INFO",
        "fabrice-2.7.1/setup.py",
    ]


def test_npm_sample_becomes_a_tarball(tmp_path: Path) -> None:
    manifest = {"name": "@evil/pkg", "version": "1.2.3", "scripts": {"postinstall": "node i.js"}}
    folder = write(
        tmp_path / "npm-sample",
        {"package.json": json.dumps(manifest), "i.js": "require('https');\n"},
    )
    sample = scan.build_sample(folder, tmp_path / "out")
    assert (sample.ecosystem, sample.name, sample.version) == ("npm", "@evil/pkg", "1.2.3")
    assert sample.archive.name == "evil-pkg-1.2.3.tgz"
    assert sorted(tar_members(sample.archive.read_bytes())) == [
        "package/i.js",
        "package/package.json",
    ]


def test_npm_sample_without_usable_manifest_fields(tmp_path: Path) -> None:
    folder = write(tmp_path / "broken", {"package.json": "{not json", "index.js": ""})
    sample = scan.build_sample(folder, tmp_path / "out")
    assert (sample.ecosystem, sample.name, sample.version) == ("npm", "broken", "0.0.1")
    assert sample.archive.name == "broken-0.0.1.tgz"


def test_sample_with_dist_info_becomes_a_wheel(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "pth-loader",
        {
            "pth_loader-0.0.1.dist-info/METADATA": "Name: pth-loader\n",  # no version
            "pth_loader.pth": "import os\n",
        },
    )
    sample = scan.build_sample(folder, tmp_path / "out")
    assert sample.archive.name == "pth_loader-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(sample.archive) as zf:
        assert sorted(zf.namelist()) == ["pth_loader-0.0.1.dist-info/METADATA", "pth_loader.pth"]


def test_sample_folders(tmp_path: Path) -> None:
    write(tmp_path / "python" / "malicious" / "b", {"setup.py": ""})
    write(tmp_path / "python" / "malicious" / "a", {"setup.py": ""})
    write(tmp_path / "npm" / "malicious" / "c", {"package.json": "{}"})
    write(tmp_path / "npm" / "benign" / "d", {"package.json": "{}"})
    (tmp_path / "npm" / "malicious" / "README.md").write_text("not a sample")
    found = [p.relative_to(tmp_path).as_posix() for p in scan.sample_folders(tmp_path, "malicious")]
    assert found == ["npm/malicious/c", "python/malicious/a", "python/malicious/b"]


# --- the benign set -----------------------------------------------------------------------------


def test_benign_purls(tmp_path: Path) -> None:
    popular = tmp_path / "popular"
    popular.mkdir()
    rows = [{"project": n, "download_count": 1} for n in ("boto3", "Typing_Extensions", "six")]
    (popular / "top-pypi-packages-30-days.min.json").write_text(json.dumps({"rows": rows}))
    names = ["semver", "@types/node", "debug"]
    (popular / "npm-high-impact-1.13.0.json").write_text(json.dumps({"npmHighImpact": names}))
    assert scan.benign_purls(tmp_path, pypi=2, npm=2) == [
        "pkg:pypi/boto3",
        "pkg:pypi/typing-extensions",
        "pkg:npm/semver",
        "pkg:npm/%40types/node",
    ]
    assert scan.benign_purls(tmp_path, ecosystems=["npm"], limit=1) == ["pkg:npm/semver"]


def test_cache_folder(tmp_path: Path) -> None:
    assert scan.cache_folder(tmp_path, "pkg:npm/%40types/node") == tmp_path / "npm" / "@types__node"
    assert scan.cache_folder(tmp_path, "pkg:pypi/requests") == tmp_path / "pypi" / "requests"


async def test_download_sorts_fetched_from_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fake_fetch(purl: str, registry_for: Any, http: Any, dest: Path, **_: Any) -> Any:
        if purl.endswith("huge"):
            raise ArchiveTooLargeError("huge-1.0.tar.gz is 300 MB, over the 200 MB limit")
        if purl.endswith("gone"):
            raise FetchError("PyPI has no package 'gone'")
        path = dest / "ok-1.0.tar.gz"
        return [Fetched(path, path.name, "0" * 64, "PyPI", "ok", "1.0", {})]

    monkeypatch.setattr("stockade.analysis.fetch.fetch_purl", fake_fetch)
    seen: list[str] = []
    downloaded, skipped = await scan.download(
        ["pkg:pypi/ok", "pkg:pypi/huge", "pkg:pypi/gone"], tmp_path, progress=seen.append
    )
    assert [d.purl for d in downloaded] == ["pkg:pypi/ok"]
    assert downloaded[0].files[0].path == tmp_path / "pypi" / "ok" / "ok-1.0.tar.gz"
    assert [(s.purl, s.too_large) for s in skipped] == [
        ("pkg:pypi/huge", True),
        ("pkg:pypi/gone", False),
    ]
    assert sorted(seen) == ["pkg:pypi/gone", "pkg:pypi/huge", "pkg:pypi/ok"]


# --- figures and report -------------------------------------------------------------------------


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert scan.percentile(values, 95) == 95.0
    assert scan.percentile(values, 50) == 50.0
    assert scan.percentile(values, 100) == 100.0
    assert scan.percentile([3.0, 1.0, 2.0], 95) == 3.0
    assert scan.percentile([0.5], 95) == 0.5
    assert scan.percentile([], 95) == 0.0


def test_timing() -> None:
    seconds = {f"p{i}": i / 100 for i in range(1, 21)}
    figures = scan.timing(seconds, slowest=3)
    assert figures["packages"] == 20
    assert figures["median_s"] == pytest.approx(0.105)
    assert figures["p95_s"] == pytest.approx(0.19)
    assert figures["max_s"] == pytest.approx(0.2)
    assert [s["package"] for s in figures["slowest"]] == ["p20", "p19", "p18"]
    assert scan.timing({})["median_s"] == 0.0


def finding(
    rule: str,
    kind: Kind,
    severity: Severity,
    *,
    path: str = "setup.py",
    line: int | None = 3,
) -> Finding:
    return Finding(
        rule=rule,
        category=Category.NETWORK,
        severity=severity,
        confidence=Confidence.HIGH,
        kind=kind,
        path=path,
        line=line,
        snippet="",
        message=f"{rule} found",
        phase=Phase.INSTALL,
    )


def result(
    verdict: Verdict,
    findings: tuple[Finding, ...] = (),
    *,
    seconds: float = 0.1,
    error: str | None = None,
    target: str = "x",
) -> ScanResult:
    return ScanResult(
        target=target,
        verdict=verdict,
        score={"benign": 1.0, "suspicious": 6.0, "malicious": 9.0}[verdict.value],
        findings=findings,
        reasons=("setup.py (install): something",) if verdict is not Verdict.BENIGN else (),
        stats={"seconds": seconds},
        error=error,
    )


def test_causes_prefer_threats_then_serious_then_first() -> None:
    threat = finding("py-threat", Kind.THREAT, Severity.HIGH)
    medium = finding("py-medium", Kind.CAPABILITY, Severity.MEDIUM, path="", line=None)
    low = [finding(f"py-low{i}", Kind.CAPABILITY, Severity.LOW) for i in range(5)]
    got = scan.causes(result(Verdict.SUSPICIOUS, (threat, medium, *low)))
    assert [(c["rule"], c["where"]) for c in got] == [("py-threat", "setup.py:3")]
    got = scan.causes(result(Verdict.SUSPICIOUS, (medium, *low)))
    assert [(c["rule"], c["where"]) for c in got] == [("py-medium", "(package)")]
    assert [c["rule"] for c in scan.causes(result(Verdict.SUSPICIOUS, tuple(low)))] == [
        "py-low0",
        "py-low1",
        "py-low2",
    ]


def test_benign_report() -> None:
    threat = finding("js-threat", Kind.THREAT, Severity.HIGH, path="install.js")
    triples = [
        ("pkg:pypi/a@1", "PyPI", result(Verdict.BENIGN, seconds=0.1, target="a sdist")),
        (
            "pkg:pypi/a@1",
            "PyPI",
            result(Verdict.SUSPICIOUS, (threat,), seconds=0.3, target="a whl"),
        ),
        ("pkg:pypi/b@2", "PyPI", result(Verdict.BENIGN, seconds=0.2)),
        ("pkg:pypi/c@3", "PyPI", result(Verdict.BENIGN, error="not an archive")),
        ("pkg:npm/d@4", "npm", result(Verdict.MALICIOUS, (threat,), seconds=1.5, target="d")),
    ]
    runs = scan.group(triples)
    assert [(r.package, r.verdict) for r in runs] == [
        ("pkg:pypi/a@1", "suspicious"),
        ("pkg:pypi/b@2", "benign"),
        ("pkg:pypi/c@3", "error"),
        ("pkg:npm/d@4", "malicious"),
    ]
    assert runs[0].seconds == pytest.approx(0.4)
    skipped = [scan.Skipped("pkg:pypi/torch", "torch is 800 MB", too_large=True)]
    report = scan.benign_report(runs, skipped)
    assert report["packages"] == 4
    assert report["archives"] == 5
    assert report["verdicts"] == {
        "PyPI": {"benign": 1, "error": 1, "suspicious": 1},
        "npm": {"malicious": 1},
    }
    assert report["malicious_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert [m["archive"] for m in report["malicious"]] == ["d"]
    (suspicious,) = report["suspicious"]
    assert suspicious["archive"] == "a whl"
    assert suspicious["causes"][0]["where"] == "install.js:3"
    assert report["errors"] == [
        {"package": "pkg:pypi/c@3", "archive": "x", "error": "not an archive"}
    ]
    assert report["skipped"][0]["too_large"] is True
    assert report["timing"]["packages"] == 3
    assert report["archive_timing"]["packages"] == 4
    assert report["archive_timing"]["max_s"] == 1.5
    assert [x["verdict"] for x in report["scanned"]] == [
        "benign",
        "suspicious",
        "benign",
        "error",
        "malicious",
    ]
    assert report["timing"]["slowest"][0] == {"package": "pkg:npm/d@4", "seconds": 1.5}
    text = scan.render({"benign": report})
    assert "PyPI: benign 1, error 1, suspicious 1" in text
    assert "SUSPICIOUS a whl (score 6.0)" in text
    assert "js-threat [threat/high] install.js:3: js-threat found" in text
    assert "TOO LARGE pkg:pypi/torch" in text
    assert "NOT SCANNED x: not an archive" in text
    assert scan.missed({"benign": report}) == ["malicious rate", "median scan time"]


def test_detection_and_lookalike_reports(tmp_path: Path) -> None:
    samples = [
        scan.Sample(f"python/malicious/s{i}", tmp_path / f"s{i}.tar.gz", "PyPI", f"s{i}", "0.0.1")
        for i in range(4)
    ]
    low = finding("py-low", Kind.CAPABILITY, Severity.LOW)
    results = [
        result(Verdict.MALICIOUS),
        result(Verdict.SUSPICIOUS),
        result(Verdict.BENIGN, (low,)),
        result(Verdict.BENIGN, error="truncated"),
    ]
    report = scan.detection_report(samples, results, malicious=True)
    assert (report["samples"], report["flagged"], report["rate"]) == (4, 2, 0.5)
    assert report["verdicts"] == {"benign": 1, "malicious": 1, "suspicious": 1}
    assert [m["sample"] for m in report["misses"]] == ["python/malicious/s2"]
    assert report["misses"][0]["findings"][0]["rule"] == "py-low"
    assert report["errors"] == [{"sample": "python/malicious/s3", "error": "truncated"}]
    lookalikes = scan.detection_report(samples, results, malicious=False)
    assert [f["sample"] for f in lookalikes["false_positives"]] == [
        "python/malicious/s0",
        "python/malicious/s1",
    ]
    text = scan.render({"detection": report, "lookalikes": lookalikes})
    assert "Malicious samples: 2/4 detected (50.0%)" in text
    assert "MISSED python/malicious/s2 (benign, score 1.0)" in text
    assert "FALSE POSITIVE python/malicious/s0 (malicious, 9.0)" in text
