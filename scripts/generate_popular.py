"""Generate the popular-name lists of :mod:`stockade.scoring.names` from the shared data.

Reads ``top-pypi-packages-30-days.min.json`` (or ``top-pypi-packages-30-days.csv``) and
``npm-high-impact-<version>.json`` from a folder (default ``../shared/data/popular``) and writes
``src/stockade/scoring/data/popular-pypi.txt`` and ``popular-npm.txt``: one ``name<TAB>figure``
line per package, most popular first, under ``#`` comment lines naming the source, its commit or
version, its licence and the generation date.

- PyPI: the PEP 503 normalised name and its downloads over 30 days, as the source gives them
  (a name that normalises to one already listed keeps the first, more downloaded, figure).
- npm: the source gives ranked names without counts, so the figure is a pseudo count of
  downloads over 30 days derived from the rank ``r`` (1-based) in ``npmHighImpact`` (the union of
  the lists, most downloaded first)::

      figure(r) = round(TOP_30D * r ** -s),   s = ln(TOP_30D / THRESHOLD_30D) / ln(N)

  ``TOP_30D`` (1.7e9) is about the monthly downloads of the most downloaded npm package (some
  400 million a week), ``THRESHOLD_30D`` (1,000,000 a week times 30/7) the download threshold
  of npm's high-impact criteria, and ``N`` the length of ``npmTopDownloads`` (the packages that
  meet that threshold): the curve is a power law through the first package and the last one
  above the threshold, so figures are comparable in size with the PyPI counts.

The output is deterministic: it depends on the input files and on the date written in the
header, which is ``--date``, else ``SOURCE_DATE_EPOCH`` (reproducible-builds convention), else
today (UTC).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path("../shared/data/popular")
DEFAULT_OUT = REPO / "src" / "stockade" / "scoring" / "data"

PYPI_JSON = "top-pypi-packages-30-days.min.json"
PYPI_CSV = "top-pypi-packages-30-days.csv"
NPM_GLOB = "npm-high-impact-*.json"

TOP_30D = 1_700_000_000
"""Pseudo downloads over 30 days of npm rank 1 (about 400 million a week)."""
THRESHOLD_30D = round(1_000_000 * 30 / 7)
"""npm's high-impact download threshold (1,000,000 a week) over 30 days."""

_PYPI_UPSTREAM = "github.com/hugovk/top-pypi-packages"
_NPM_UPSTREAM = "github.com/wooorm/npm-high-impact"


def read_pypi(source: Path) -> tuple[list[tuple[str, int]], str]:
    """The PyPI rows as (project, downloads), most downloaded first, and the data's date."""
    path = source / PYPI_JSON
    if path.is_file():
        data = json.loads(path.read_text("utf-8"))
        rows = [(str(r["project"]), int(r["download_count"])) for r in data["rows"]]
        stamp = str(data.get("last_update") or "unknown")
    else:
        path = source / PYPI_CSV
        if not path.is_file():
            raise SystemExit(f"neither {PYPI_JSON} nor {PYPI_CSV} found in {source}")
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [(r["project"], int(r["download_count"])) for r in csv.DictReader(handle)]
        stamp = "unknown"
    rows.sort(key=lambda row: -row[1])  # stable: ties keep the source's order
    return rows, stamp


def pypi_lines(rows: Iterable[tuple[str, int]]) -> list[str]:
    """``name<TAB>downloads`` lines, names normalised, first occurrence kept."""
    seen: set[str] = set()
    out: list[str] = []
    for project, downloads in rows:
        name = canonicalize_name(project)
        if name and name not in seen:
            seen.add(name)
            out.append(f"{name}\t{downloads}")
    return out


def npm_file(source: Path) -> Path:
    """The npm-high-impact file of the highest version in ``source``."""
    found = sorted(source.glob(NPM_GLOB), key=lambda p: _version_key(_npm_version(p)))
    if not found:
        raise SystemExit(f"no {NPM_GLOB} found in {source}")
    return found[-1]


def npm_exponent(top_downloads: int) -> float:
    """The power-law exponent ``s`` of the rank formula (see the module docstring)."""
    return math.log(TOP_30D / THRESHOLD_30D) / math.log(max(top_downloads, 2))


def npm_figure(rank: int, exponent: float) -> int:
    """The pseudo downloads over 30 days of a 1-based rank."""
    figure: float = TOP_30D * float(rank) ** -exponent
    return round(figure)


def npm_lines(data: dict[str, Sequence[str]]) -> tuple[list[str], float]:
    """``name<TAB>figure`` lines in ``npmHighImpact`` order, and the exponent used."""
    exponent = npm_exponent(len(data.get("npmTopDownloads", ())))
    seen: set[str] = set()
    out: list[str] = []
    for raw in data["npmHighImpact"]:
        name = raw.strip()
        if name and name not in seen:
            seen.add(name)
            out.append(f"{name}\t{npm_figure(len(seen), exponent)}")
    return out, exponent


def pypi_commit(source: Path) -> str:
    """The upstream commit the folder's README.txt names for the PyPI list, else ``unknown``."""
    readme = source / "README.txt"
    text = readme.read_text("utf-8") if readme.is_file() else ""
    found = re.search(r"top-pypi-packages\s+at\s+commit\s+([0-9a-f]{7,40})", text)
    return found.group(1) if found else "unknown"


def generation_date(given: str | None) -> date:
    """``--date``, else ``SOURCE_DATE_EPOCH``, else today (UTC)."""
    if given:
        return date.fromisoformat(given)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return datetime.now(UTC).date()


def write(path: Path, header: Sequence[str], lines: Sequence[str]) -> None:
    """Write ``#`` header lines then the entries (LF line ends, UTF-8)."""
    text = "".join(f"# {h}\n" if h else "#\n" for h in header) + "".join(f"{x}\n" for x in lines)
    path.write_text(text, encoding="utf-8", newline="\n")


def generate(source: Path, out: Path, today: date) -> tuple[Path, Path]:
    """Write both lists into ``out``; returns their paths (PyPI, npm)."""
    out.mkdir(parents=True, exist_ok=True)
    rows, stamp = read_pypi(source)
    pypi = pypi_lines(rows)
    pypi_path = out / "popular-pypi.txt"
    write(
        pypi_path,
        [
            "Popular PyPI projects: PEP 503 normalised name, TAB, downloads over 30 days;",
            "most downloaded first. Read by stockade.scoring.names.popular.",
            f"Source: {_PYPI_UPSTREAM} at commit {pypi_commit(source)}, "
            f"{PYPI_JSON if (source / PYPI_JSON).is_file() else PYPI_CSV} (data of {stamp}).",
            "Licence: the upstream repository carries no licence file; the counts derive from",
            "PyPI's public download statistics. Cite: Hugo van Kemenade, top-pypi-packages.",
            f"Generated by scripts/generate_popular.py on {today.isoformat()}; "
            f"{len(pypi)} entries.",
        ],
        pypi,
    )
    npm_path_in = npm_file(source)
    data = json.loads(npm_path_in.read_text("utf-8"))
    npm, exponent = npm_lines(data)
    version = _npm_version(npm_path_in)
    npm_path = out / "popular-npm.txt"
    write(
        npm_path,
        [
            "Popular npm packages: name as published, TAB, pseudo downloads over 30 days derived",
            "from the rank r (1-based) in npmHighImpact (most downloaded first):",
            f"round({TOP_30D} * r ** -{exponent:.6f}), a power law through about 400 million",
            "weekly downloads at rank 1 and npm's high-impact threshold (1,000,000 a week) at",
            f"the last of npmTopDownloads (rank {len(data.get('npmTopDownloads', ()))}). "
            "Read by stockade.scoring.names.popular.",
            f"Source: the npm package npm-high-impact {version} ({_NPM_UPSTREAM}), "
            f"{npm_path_in.name}.",
            "Licence: MIT (c) Titus Wormer.",
            f"Generated by scripts/generate_popular.py on {today.isoformat()}; {len(npm)} entries.",
        ],
        npm,
    )
    return pypi_path, npm_path


def _npm_version(path: Path) -> str:
    found = re.fullmatch(r"npm-high-impact-(.+)\.json", path.name)
    return found.group(1) if found else "unknown"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="generate_popular.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="the popular data folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the lists")
    parser.add_argument("--date", help="the generation date to record (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        raise SystemExit(f"source folder not found: {args.source}")
    for path in generate(args.source, args.out, generation_date(args.date)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
