"""scripts/generate_popular.py on a tiny copy of the shared popular data (and on the real one
when present: the committed lists must be what it generates)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names.popular import PopularNames, read_list

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "generate_popular.py"
COMMIT = "5501c5c934df26d6f01fb1ca810845db02111c7d"


def _source(folder: Path, *, csv_only: bool = False) -> Path:
    folder.mkdir()
    rows = [
        {"download_count": 1_880_218_825, "project": "boto3"},
        {"download_count": 1_293_719_496, "project": "Typing_Extensions"},
        {"download_count": 1_291_814_272, "project": "requests"},
        {"download_count": 57_487, "project": "typing.extensions"},
        {"download_count": 58_000, "project": "zope.interface"},
    ]
    if csv_only:
        lines = ["download_count,project"] + [
            f'{r["download_count"]},"{r["project"]}"' for r in rows
        ]
        (folder / "top-pypi-packages-30-days.csv").write_text("\n".join(lines) + "\n")
    else:
        (folder / "top-pypi-packages-30-days.min.json").write_text(
            json.dumps({"last_update": "2026-04-01 06:34:06", "rows": rows})
        )
    (folder / "README.txt").write_text(
        "Source: github.com/hugovk/top-pypi-packages at commit " + COMMIT + "\n"
    )
    downloads = ["semver", "minimatch", "debug", "JSONStream"]
    (folder / "npm-high-impact-1.13.0.json").write_text(
        json.dumps(
            {
                "npmHighImpact": [*downloads, "@types/node"],
                "npmTopDownloads": downloads,
                "npmTopDependents": ["@types/node", "debug"],
            }
        )
    )
    return folder


def _run(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(source), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def _entries(path: Path) -> list[tuple[str, int]]:
    lines = [x for x in path.read_text("utf-8").splitlines() if not x.startswith("#")]
    return [(name, int(figure)) for name, figure in (x.split("\t") for x in lines)]


def test_generates_both_lists_with_headers(tmp_path: Path) -> None:
    source = _source(tmp_path / "popular")
    done = _run(source, tmp_path / "out", "--date", "2026-01-02")
    assert done.returncode == 0, done.stderr
    pypi = tmp_path / "out" / "popular-pypi.txt"
    npm = tmp_path / "out" / "popular-npm.txt"
    assert _entries(pypi) == [
        ("boto3", 1_880_218_825),
        ("typing-extensions", 1_293_719_496),
        ("requests", 1_291_814_272),
        ("zope-interface", 58_000),
    ]
    header = pypi.read_text("utf-8")
    assert COMMIT in header
    assert "data of 2026-04-01 06:34:06" in header
    assert "on 2026-01-02; 4 entries" in header
    assert "no licence file" in header
    entries = _entries(npm)
    assert [n for n, _ in entries] == ["semver", "minimatch", "debug", "JSONStream", "@types/node"]
    figures = [f for _, f in entries]
    assert figures[0] == 1_700_000_000
    assert figures == sorted(figures, reverse=True)
    # the last of npmTopDownloads sits at the high-impact threshold (1,000,000 a week)
    assert figures[3] == pytest.approx(1_000_000 * 30 / 7, rel=1e-3)
    text = npm.read_text("utf-8")
    assert "npm-high-impact 1.13.0" in text and "MIT" in text
    exponent = float(re.search(r"r \*\* -([0-9.]+)", text).group(1))  # type: ignore[union-attr]
    assert figures[1] == pytest.approx(1_700_000_000 * 2**-exponent, rel=1e-5)
    # what it writes is what the package reads
    names = PopularNames.from_text(Ecosystem.NPM, text)
    assert names.rank("JSONStream") == 4


def test_output_is_deterministic(tmp_path: Path) -> None:
    source = _source(tmp_path / "popular")
    assert _run(source, tmp_path / "a", "--date", "2026-01-02").returncode == 0
    assert _run(source, tmp_path / "b", "--date", "2026-01-02").returncode == 0
    for name in ("popular-pypi.txt", "popular-npm.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_reads_the_csv_when_there_is_no_json(tmp_path: Path) -> None:
    source = _source(tmp_path / "popular", csv_only=True)
    assert _run(source, tmp_path / "out", "--date", "2026-01-02").returncode == 0
    entries = _entries(tmp_path / "out" / "popular-pypi.txt")
    assert entries[1] == ("typing-extensions", 1_293_719_496)
    assert len(entries) == 4


def test_a_missing_source_is_an_error(tmp_path: Path) -> None:
    done = _run(tmp_path / "nowhere", tmp_path / "out")
    assert done.returncode != 0
    assert "not found" in done.stderr
    assert not (tmp_path / "out").exists()


def test_committed_lists_are_what_the_shared_data_generates(
    shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "popular"
    if not source.is_dir():
        pytest.skip(f"popular data not found at {source}")
    for ecosystem in Ecosystem:
        committed = read_list(ecosystem)
        date = re.search(r"on (\d{4}-\d{2}-\d{2});", committed)
        assert date is not None
        out = tmp_path / ecosystem.value
        assert _run(source, out, "--date", date.group(1)).returncode == 0
        name = "popular-pypi.txt" if ecosystem is Ecosystem.PYPI else "popular-npm.txt"
        assert (out / name).read_text("utf-8") == committed
