"""Archive analysis on real packages and on the test samples (``make bench-scan``).

Three sets, each scanned with :func:`stockade.analysis.scanner.scan_many` across processes:

- **benign**: the latest release of the 300 most downloaded PyPI projects and of the first 200
  npm packages of ``npmHighImpact`` (from ``../shared/data/popular``; ``STOCKADE_SHARED_DATA``
  moves it), downloaded live with ``fetch_purl(which="default")`` through the user's pip and npm
  settings into ``benchmarks/.cache/scan/`` (kept between runs; downloads are not timed).
  Targets: at most 1% judged malicious, every suspicious one explained, a median scan time of
  0.2 s and a p95 of 2 s per package.
- **detection**: every sample folder ``tests/fixtures/analysis/*/malicious/*/``, built into an
  archive; the share judged malicious or suspicious, and the misses.
- **look-alikes**: every ``tests/fixtures/analysis/*/benign/*/`` sample; the false positives.

A sample folder holds a package tree. With a ``package.json`` at its top it becomes an npm
tarball (``package/``); with a ``*.dist-info`` folder at its top, a wheel; otherwise an sdist
(``<name>-<version>/``, from its PKG-INFO, else the folder's name and 0.0.1). The report goes
to ``benchmarks/.out/scan.json`` and a summary to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import math
import os
import re
import statistics
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stockade.analysis.fetch import Fetched
    from stockade.analysis.model import Finding, ScanResult
    from stockade.analysis.scanner import ScanJob

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKADE_SHARED_DATA", REPO.parent / "shared" / "data"))
CACHE = REPO / "benchmarks" / ".cache" / "scan"
OUT = REPO / "benchmarks" / ".out" / "scan.json"
SAMPLES = REPO / "tests" / "fixtures" / "analysis"

PYPI_COUNT = 300
NPM_COUNT = 200
MAX_BYTES = 200 << 20
MALICIOUS_RATE_TARGET = 0.01
MEDIAN_TARGET = 0.2
P95_TARGET = 2.0
SAMPLE_VERSION = "0.0.1"
_MTIME = 1_700_000_000
"""A fixed modification time, so that a sample builds into the same bytes every time."""
_ORDER = {"benign": 0, "suspicious": 1, "malicious": 2}


# --- the benign set -----------------------------------------------------------------------------


def benign_purls(
    shared: Path,
    *,
    pypi: int = PYPI_COUNT,
    npm: int = NPM_COUNT,
    ecosystems: Sequence[str] = ("pypi", "npm"),
    limit: int | None = None,
) -> list[str]:
    """The purls (no version: the latest) of the popular packages, PyPI first; ``limit``
    caps each ecosystem."""
    from stockade.ecosystems import get
    from stockade.ecosystems.interface import Ecosystem

    purls: list[str] = []
    popular = shared / "popular"
    if "pypi" in ecosystems:
        data = json.loads((popular / "top-pypi-packages-30-days.min.json").read_text("utf-8"))
        names = [row["project"] for row in data["rows"][:pypi]]
        purls += [get(Ecosystem.PYPI).purl(n) for n in names[:limit]]
    if "npm" in ecosystems:
        data = json.loads((popular / "npm-high-impact-1.13.0.json").read_text("utf-8"))
        names = list(data["npmHighImpact"][:npm])
        purls += [get(Ecosystem.NPM).purl(n) for n in names[:limit]]
    return purls


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A package's archives, fetched and verified."""

    purl: str
    files: tuple[Fetched, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A package that was not scanned, and why."""

    purl: str
    reason: str
    too_large: bool = False


def cache_folder(cache: Path, purl: str) -> Path:
    """Where a package's archives are kept: ``<cache>/<type>/<name>`` (scope folded in)."""
    from stockade.analysis.fetch import parse_purl

    ecosystem, name, _ = parse_purl(purl)
    safe = re.sub(r"[^A-Za-z0-9._@-]+", "__", name)
    return cache / ecosystem.purl_type / safe


async def download(
    purls: Sequence[str],
    cache: Path,
    *,
    concurrency: int = 8,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Downloaded], list[Skipped]]:
    """Fetch every package's default archives (bounded concurrency), through the user's
    registry settings; failures and archives over the limit become notes."""
    from stockade.analysis.fetch import ArchiveTooLargeError, fetch_purl
    from stockade.cli.wiring import Clients
    from stockade.errors import StockadeError

    gate = asyncio.Semaphore(concurrency)
    done: list[Downloaded | Skipped] = []

    async with Clients() as clients:

        async def one(purl: str) -> Downloaded | Skipped:
            async with gate:
                try:
                    fetched = await fetch_purl(
                        purl,
                        clients.registry,
                        clients.http(),
                        cache_folder(cache, purl),
                        max_bytes=MAX_BYTES,
                    )
                except ArchiveTooLargeError as exc:
                    result: Downloaded | Skipped = Skipped(purl, str(exc), too_large=True)
                except StockadeError as exc:
                    result = Skipped(purl, str(exc))
                else:
                    result = Downloaded(purl, tuple(fetched))
            if progress is not None:
                progress(purl)
            return result

        done = list(await asyncio.gather(*(one(p) for p in purls)))
    return (
        [d for d in done if isinstance(d, Downloaded)],
        [d for d in done if isinstance(d, Skipped)],
    )


# --- the samples --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """A sample folder built into an archive."""

    label: str
    """``<group>/<malicious|benign>/<sample>``."""
    archive: Path
    ecosystem: str
    name: str
    version: str


def sample_folders(root: Path, kind: str) -> list[Path]:
    """Every ``<root>/*/<kind>/*/`` folder, sorted."""
    return sorted(p for p in root.glob(f"*/{kind}/*") if p.is_dir())


def _files(folder: Path) -> list[tuple[str, Path]]:
    """Regular files below ``folder`` (links are not followed), as (POSIX relpath, path)."""
    found: list[tuple[str, Path]] = []
    for base, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(base) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name.lstrip("@")).strip("-") or "sample"


def build_sample(folder: Path, out: Path, *, label: str | None = None) -> Sample:
    """Build a sample folder into an archive in ``out``: an npm ``.tgz`` (``package/``) when it
    has a ``package.json``, a wheel when it has a ``*.dist-info`` folder, else an sdist
    ``.tar.gz`` with the top folder ``<name>-<version>/`` (from PKG-INFO, else the folder's
    name and 0.0.1). The same folder gives the same bytes."""
    files = _files(folder)
    label = label or folder.name
    out.mkdir(parents=True, exist_ok=True)
    manifest = folder / "package.json"
    if manifest.is_file():
        name, version = folder.name, SAMPLE_VERSION
        try:
            data = json.loads(manifest.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict):
            name = data["name"] if isinstance(data.get("name"), str) else name
            version = data["version"] if isinstance(data.get("version"), str) else version
        archive = out / f"{_safe(name)}-{_safe(version)}.tgz"
        archive.write_bytes(_tarball(files, "package"))
        return Sample(label, archive, "npm", name, version)
    dist_info = sorted(p for p in folder.glob("*.dist-info") if p.is_dir())
    metadata = dist_info[0] / "METADATA" if dist_info else folder / "PKG-INFO"
    name, version = _core_metadata(metadata, folder.name)
    safe, safe_version = _safe(name), _safe(version)
    if dist_info:
        archive = out / f"{safe.replace('-', '_')}-{safe_version}-py3-none-any.whl"
        archive.write_bytes(_wheel(files))
    else:
        archive = out / f"{safe}-{safe_version}.tar.gz"
        archive.write_bytes(_tarball(files, f"{safe}-{safe_version}"))
    return Sample(label, archive, "PyPI", name, version)


def _core_metadata(path: Path, fallback: str) -> tuple[str, str]:
    """Name and version from a PKG-INFO or METADATA file (headers only), else the folder's
    name and 0.0.1."""
    from email.parser import HeaderParser

    try:
        headers = HeaderParser().parsestr(path.read_text("utf-8", errors="replace"))
    except OSError:
        return _safe(fallback), SAMPLE_VERSION
    name, version = headers.get("Name"), headers.get("Version")
    return (
        name.strip() if name and name.strip() else _safe(fallback),
        version.strip() if version and version.strip() else SAMPLE_VERSION,
    )


def _tarball(files: Iterable[tuple[str, Path]], top: str) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(data)
            info.mtime = _MTIME
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=_MTIME) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def _wheel(files: Iterable[tuple[str, Path]]) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, path in files:
            info = zipfile.ZipInfo(rel, date_time=time.gmtime(_MTIME)[:6])
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return packed.getvalue()


# --- figures ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0 < q <= 100) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def timing(seconds: Mapping[str, float], *, slowest: int = 10) -> dict[str, Any]:
    """Median, p95 and max of per-package scan times, and the slowest packages."""
    values = list(seconds.values())
    worst = sorted(seconds.items(), key=lambda kv: (-kv[1], kv[0]))[:slowest]
    return {
        "packages": len(values),
        "median_s": round(statistics.median(values), 4) if values else 0.0,
        "p95_s": round(percentile(values, 95), 4),
        "max_s": round(max(values, default=0.0), 4),
        "total_s": round(sum(values), 3),
        "slowest": [{"package": k, "seconds": round(v, 4)} for k, v in worst],
    }


def causes(result: ScanResult) -> list[dict[str, Any]]:
    """The findings behind a verdict: the threat findings, else the medium-or-worse ones,
    else the first three (findings come most severe first)."""
    from stockade.analysis.model import Kind, Severity

    chosen: Sequence[Finding] = [f for f in result.findings if f.kind is Kind.THREAT]
    if not chosen:
        chosen = [f for f in result.findings if f.severity.rank >= Severity.MEDIUM.rank]
    if not chosen:
        chosen = result.findings[:3]
    return [finding_dict(f) for f in chosen]


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding in the report: rule, place, message and the rest of its JSON form."""
    where = finding.path or "(package)"
    if finding.line:
        where += f":{finding.line}"
    return {"where": where, **finding.to_dict()}


@dataclass(slots=True)
class PackageRun:
    """The scans of one package's archives."""

    package: str
    ecosystem: str
    results: list[ScanResult] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """The worst verdict of its archives; ``error`` when none could be scanned."""
        judged = [r.verdict.value for r in self.results if not r.error]
        return max(judged, key=_ORDER.__getitem__) if judged else "error"

    @property
    def seconds(self) -> float:
        """Analysis time of all its archives."""
        return sum(r.stats.get("seconds", 0.0) for r in self.results if not r.error)


def group(pairs: Iterable[tuple[str, str, ScanResult]]) -> list[PackageRun]:
    """(package, ecosystem, result) triples grouped by package, in first-seen order."""
    runs: dict[str, PackageRun] = {}
    for package, ecosystem, result in pairs:
        runs.setdefault(package, PackageRun(package, ecosystem)).results.append(result)
    return list(runs.values())


def _flagged(run: PackageRun, verdict: str) -> list[dict[str, Any]]:
    return [
        {
            "package": run.package,
            "archive": r.target,
            "verdict": r.verdict.value,
            "score": r.score,
            "reasons": list(r.reasons),
            "causes": causes(r),
        }
        for r in run.results
        if not r.error and r.verdict.value == verdict
    ]


def benign_report(runs: Sequence[PackageRun], skipped: Sequence[Skipped]) -> dict[str, Any]:
    """Verdict counts per ecosystem, the malicious and suspicious packages with their causes,
    archives that could not be scanned, skipped packages, and scan times."""
    counts: dict[str, Counter[str]] = {}
    for run in runs:
        counts.setdefault(run.ecosystem, Counter())[run.verdict] += 1
    judged = [r for r in runs if r.verdict != "error"]
    malicious = [r for r in judged if r.verdict == "malicious"]
    return {
        "packages": len(runs),
        "archives": sum(len(r.results) for r in runs),
        "verdicts": {eco: dict(sorted(c.items())) for eco, c in sorted(counts.items())},
        "malicious_rate": round(len(malicious) / len(judged), 4) if judged else 0.0,
        "malicious": [item for r in malicious for item in _flagged(r, "malicious")],
        "suspicious": [item for r in judged for item in _flagged(r, "suspicious")],
        "errors": [
            {"package": r.package, "archive": x.target, "error": x.error}
            for r in runs
            for x in r.results
            if x.error
        ],
        "skipped": [
            {"package": s.purl, "reason": s.reason, "too_large": s.too_large} for s in skipped
        ],
        "timing": timing({r.package: r.seconds for r in judged}),
        "archive_timing": timing(
            {
                x.target: x.stats.get("seconds", 0.0)
                for r in judged
                for x in r.results
                if not x.error
            }
        ),
        "scanned": [
            {
                "package": r.package,
                "archive": x.target,
                "verdict": "error" if x.error else x.verdict.value,
                "score": x.score,
                "seconds": x.stats.get("seconds", 0.0),
                "findings": len(x.findings),
            }
            for r in runs
            for x in r.results
        ],
    }


def detection_report(
    samples: Sequence[Sample], results: Sequence[ScanResult], *, malicious: bool
) -> dict[str, Any]:
    """For malicious samples, the detection rate (malicious or suspicious) and the misses; for
    benign look-alikes, the false positives."""
    verdicts = Counter(r.verdict.value for r in results if not r.error)
    flagged = [
        (s, r) for s, r in zip(samples, results, strict=True) if not r.error and _is_flagged(r)
    ]
    errors = [
        {"sample": s.label, "error": r.error}
        for s, r in zip(samples, results, strict=True)
        if r.error
    ]
    report: dict[str, Any] = {
        "samples": len(samples),
        "verdicts": dict(sorted(verdicts.items())),
        "flagged": len(flagged),
        "rate": round(len(flagged) / len(samples), 4) if samples else 0.0,
        "errors": errors,
    }
    if malicious:
        report["misses"] = [
            {
                "sample": s.label,
                "verdict": r.verdict.value,
                "score": r.score,
                "findings": [finding_dict(f) for f in r.findings[:5]],
            }
            for s, r in zip(samples, results, strict=True)
            if not r.error and not _is_flagged(r)
        ]
    else:
        report["false_positives"] = [
            {
                "sample": s.label,
                "verdict": r.verdict.value,
                "score": r.score,
                "reasons": list(r.reasons),
                "causes": causes(r),
            }
            for s, r in flagged
        ]
    return report


def _is_flagged(result: ScanResult) -> bool:
    return result.verdict.value in ("malicious", "suspicious")


# --- the readable summary -----------------------------------------------------------------------


def _status(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _cause_lines(item: Mapping[str, Any], indent: str = "      ") -> list[str]:
    lines = [f"{indent}reason: {reason}" for reason in item.get("reasons", [])]
    for cause in item.get("causes", item.get("findings", [])):
        lines.append(
            f"{indent}{cause['rule']} [{cause['kind']}/{cause['severity']}] "
            f"{cause['where']}: {cause['message']}"
        )
    return lines


def render(report: Mapping[str, Any]) -> str:
    """The report as text for a terminal."""
    lines: list[str] = []
    benign = report.get("benign")
    if benign is not None:
        lines.append(f"Popular packages: {benign['packages']} ({benign['archives']} archives)")
        for eco, counts in benign["verdicts"].items():
            shown = ", ".join(f"{v} {n}" for v, n in counts.items())
            lines.append(f"  {eco}: {shown}")
        rate = benign["malicious_rate"]
        lines.append(
            f"  malicious: {len(benign['malicious'])} ({rate:.1%}; target <= "
            f"{MALICIOUS_RATE_TARGET:.0%}: {_status(rate <= MALICIOUS_RATE_TARGET)})"
        )
        for kind in ("malicious", "suspicious"):
            for item in benign[kind]:
                lines.append(f"  {kind.upper()} {item['archive']} (score {item['score']})")
                lines.extend(_cause_lines(item))
        t = benign["timing"]
        lines.append(
            f"  scan time per package: median {t['median_s']:.3f} s "
            f"(target {MEDIAN_TARGET} s: {_status(t['median_s'] <= MEDIAN_TARGET)}), "
            f"p95 {t['p95_s']:.3f} s (target {P95_TARGET} s: {_status(t['p95_s'] <= P95_TARGET)})"
            f", max {t['max_s']:.3f} s; wall {benign.get('wall_s', 0.0):.1f} s"
        )
        a = benign["archive_timing"]
        lines.append(
            f"  scan time per archive: median {a['median_s']:.3f} s, p95 {a['p95_s']:.3f} s, "
            f"max {a['max_s']:.3f} s ({a['packages']} archives)"
        )
        lines.append("  slowest packages:")
        lines.extend(f"    {s['seconds']:7.2f} s  {s['package']}" for s in t["slowest"])
        for item in benign["errors"]:
            lines.append(f"  NOT SCANNED {item['archive']}: {item['error']}")
        for item in benign["skipped"]:
            what = "TOO LARGE" if item["too_large"] else "NOT FETCHED"
            lines.append(f"  {what} {item['package']}: {item['reason']}")
    detection = report.get("detection")
    if detection is not None:
        lines.append(
            f"Malicious samples: {detection['flagged']}/{detection['samples']} detected "
            f"({detection['rate']:.1%}); verdicts {detection['verdicts']}"
        )
        for miss in detection["misses"]:
            lines.append(f"  MISSED {miss['sample']} ({miss['verdict']}, score {miss['score']})")
            lines.extend(_cause_lines(miss))
        lines.extend(f"  NOT SCANNED {e['sample']}: {e['error']}" for e in detection["errors"])
    lookalikes = report.get("lookalikes")
    if lookalikes is not None:
        lines.append(
            f"Benign look-alikes: {lookalikes['flagged']}/{lookalikes['samples']} flagged "
            f"({lookalikes['rate']:.1%}); verdicts {lookalikes['verdicts']}"
        )
        for item in lookalikes["false_positives"]:
            lines.append(f"  FALSE POSITIVE {item['sample']} ({item['verdict']}, {item['score']})")
            lines.extend(_cause_lines(item))
        lines.extend(f"  NOT SCANNED {e['sample']}: {e['error']}" for e in lookalikes["errors"])
    return "\n".join(lines)


# --- running ------------------------------------------------------------------------------------


class _Ticker:
    """A one-line counter on stderr."""

    def __init__(self, stage: str, total: int) -> None:
        self.stage, self.total, self.done = stage, total, 0

    def __call__(self, *_: object) -> None:
        self.done += 1
        if sys.stderr.isatty() or self.done == self.total or self.done % 50 == 0:
            end = "\n" if self.done == self.total else ""
            print(f"\r{self.stage}: {self.done}/{self.total}", end=end, file=sys.stderr, flush=True)


def _scan(jobs: Sequence[ScanJob], workers: int | None, stage: str) -> list[ScanResult]:
    from stockade.analysis.scanner import scan_many

    if not jobs:
        return []
    return scan_many(jobs, workers=workers, progress=_Ticker(stage, len(jobs)))


def run_benign(args: argparse.Namespace) -> dict[str, Any]:
    """Download (untimed) and scan the popular packages."""
    from stockade.analysis.scanner import ScanJob

    ecosystems = [args.ecosystem] if args.ecosystem else ["pypi", "npm"]
    purls = benign_purls(SHARED, ecosystems=ecosystems, limit=args.limit)
    ticker = _Ticker("Downloading", len(purls))
    downloaded, skipped = asyncio.run(
        download(purls, CACHE, concurrency=args.concurrency, progress=ticker)
    )
    jobs: list[ScanJob] = []
    owners: list[tuple[str, str]] = []
    for package in downloaded:
        for f in package.files:
            jobs.append(
                ScanJob(
                    path=f.path,
                    ecosystem=f.ecosystem,
                    name=f.name,
                    version=f.version,
                    registry=f.registry,
                    target=f"{f.name}@{f.version} ({f.filename})",
                )
            )
            owners.append((f"{package.purl}@{f.version}", f.ecosystem))
    started = time.perf_counter()
    results = _scan(jobs, args.workers, "Scanning")
    wall = time.perf_counter() - started
    runs = group((o, e, r) for (o, e), r in zip(owners, results, strict=True))
    report = benign_report(runs, skipped)
    report["wall_s"] = round(wall, 2)
    report["workers"] = args.workers or os.cpu_count() or 1
    return report


def run_samples(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build and scan the ``malicious`` or ``benign`` sample folders."""
    from stockade.analysis.scanner import ScanJob

    folders = sample_folders(SAMPLES, kind)
    with tempfile.TemporaryDirectory(prefix="stockade-samples-") as tmp:
        samples = [
            build_sample(folder, Path(tmp) / str(i), label=folder.relative_to(SAMPLES).as_posix())
            for i, folder in enumerate(folders)
        ]
        if args.ecosystem:
            wanted = {"pypi": "PyPI", "npm": "npm"}[args.ecosystem]
            samples = [s for s in samples if s.ecosystem == wanted]
        jobs = [
            ScanJob(
                path=s.archive,
                ecosystem=s.ecosystem,
                name=s.name,
                version=s.version,
                target=s.label,
            )
            for s in samples
        ]
        results = _scan(jobs, args.workers, f"Scanning {kind} samples")
    return detection_report(samples, results, malicious=kind == "malicious")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scan", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--limit", type=int, help="at most N popular packages per ecosystem")
    parser.add_argument("--ecosystem", choices=("pypi", "npm"), help="only this ecosystem")
    parser.add_argument(
        "--part", choices=("all", "benign", "samples"), default="all", help="what to run"
    )
    parser.add_argument("--workers", type=int, help="scanning processes (default: CPU count)")
    parser.add_argument("--concurrency", type=int, default=8, help="parallel downloads")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    # Downloads also pass through the HTTP cache: keep them beside the archives, not in the
    # user's cache, unless a cache folder was chosen.
    os.environ.setdefault("STOCKADE_CACHE_DIR", str(CACHE / "stockade"))

    report: dict[str, Any] = {}
    if args.part in ("all", "benign"):
        if not (SHARED / "popular").is_dir():
            raise SystemExit(f"shared data not found at {SHARED}; set STOCKADE_SHARED_DATA")
        report["benign"] = run_benign(args)
    if args.part in ("all", "samples"):
        report["detection"] = run_samples("malicious", args)
        report["lookalikes"] = run_samples("benign", args)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(render(report))
    print(f"Report: {OUT.relative_to(REPO)}")
    return 1 if args.check and missed(report) else 0


def missed(report: Mapping[str, Any]) -> list[str]:
    """The targets the report misses."""
    out: list[str] = []
    benign = report.get("benign")
    if benign is not None:
        if benign["malicious_rate"] > MALICIOUS_RATE_TARGET:
            out.append("malicious rate")
        if benign["timing"]["median_s"] > MEDIAN_TARGET:
            out.append("median scan time")
        if benign["timing"]["p95_s"] > P95_TARGET:
            out.append("p95 scan time")
    return out


if __name__ == "__main__":
    sys.exit(main())
