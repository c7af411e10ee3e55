"""Trust scores on real packages (``make bench-score``).

- **benign set**: the latest versions of the 1,000 most downloaded PyPI projects and of the first
  500 npm high-impact packages (from the popular lists shipped in the package, generated from
  ``../shared/data/popular``), gathered live through the user's pip and npm settings into a
  fresh SQLite store, with the OSV records of ``../shared/data/osv`` imported as the intel
  source; ``--scan`` also downloads and scans every archive. Target: at most 1% score below 3;
  every one of those is listed with its reasons.
- **speed**: every stored version rescored from the store (facts loaded, same-origin index
  asked, components, combination, report saved), on one core. Target: at least 200 versions
  per second.
- **typosquatting**: recall and false flags (``benchmarks/names.py``).

Results go to ``benchmarks/results/score.md`` and ``score.json``; the store of the last run is
kept in ``benchmarks/.cache/score/`` so that ``--offline`` reruns the scoring parts alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKADE_SHARED_DATA", REPO.parent / "shared" / "data"))
CACHE = REPO / "benchmarks" / ".cache" / "score"
RESULTS = REPO / "benchmarks" / "results"
PYPI_COUNT = 1000
NPM_COUNT = 500
LOW = 3.0
LOW_SHARE_TARGET = 0.01
RATE_TARGET = 200.0


def _store(fresh: bool) -> Any:
    from stockade.store.db import Database
    from stockade.store.scores import ScoreStore

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "store.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        for journal in (CACHE / "journal").glob("*.jsonl"):
            journal.unlink()
    return Database.open(f"sqlite:///{path}"), ScoreStore


def _import_osv(db: Any) -> int:
    from stockade.intel.osv.loader import iter_records
    from stockade.store.osv import OSVStore

    store = OSVStore(db)
    if store.count():
        return int(store.count())
    paths = [p for p in (SHARED / "osv" / "pysec", SHARED / "osv" / "malicious") if p.exists()]
    if paths:
        store.import_records(iter_records(paths), source="benchmark")
    return int(store.count())


async def _gather(targets: Sequence[Any], db: Any, store: Any, scan: bool) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor

    from stockade.cli.wiring import Clients
    from stockade.scoring.archives import ArchiveJudge
    from stockade.scoring.ingest import Journal, gather_all
    from stockade.scoring.service import Gatherer
    from stockade.store.osv import LocalOSVSource, OSVStore

    journal = Journal.for_job(CACHE / "journal", targets, fresh=False)
    done = 0
    started = time.perf_counter()

    def tick() -> None:
        nonlocal done
        done += 1
        if done % 100 == 0:
            print(f"  {done} gathered ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    with ProcessPoolExecutor(2) as pool:
        async with Clients() as clients:
            gatherer = Gatherer(
                registry_for=clients.registry,
                sources=[LocalOSVSource(OSVStore(db))],
                archives=ArchiveJudge(clients.registry, clients.http(), executor=pool)
                if scan
                else None,
                store=store,
            )
            stats = await gather_all(
                targets, gatherer, store, journal, concurrency=16, on_done=tick
            )
    return {
        "targets": stats.total,
        "gathered": stats.scored,
        "resumed": stats.skipped,
        "unknown": stats.unknown,
        "failed": stats.failed,
        "errors": stats.errors[:20],
        "seconds": round(time.perf_counter() - started, 1),
    }


def _rescore(store: Any) -> tuple[list[Any], dict[str, Any]]:
    from stockade.ecosystems.interface import Ecosystem
    from stockade.scoring.ingest import rescore
    from stockade.scoring.names.detector import checker

    now = datetime.now(UTC)
    all_facts = list(store.iter_facts())
    # Once per process, not per version: building the name checkers (reported on its own).
    warm = time.perf_counter()
    for ecosystem in Ecosystem:
        checker(ecosystem)
    startup = time.perf_counter() - warm
    started = time.perf_counter()
    cpu = time.process_time()
    reports = rescore([_key(f) for f in all_facts], store, now=now)
    wall = time.perf_counter() - started
    cpu_used = time.process_time() - cpu
    # Scoring alone (facts already in memory), to show where the time goes.
    from stockade.scoring.service import score_facts

    started = time.perf_counter()
    for facts in all_facts:
        score_facts(facts, store=None, now=now)
    pure = time.perf_counter() - started
    count = len(all_facts)
    return reports, {
        "versions": count,
        "rate_per_second_wall": round(count / wall, 1) if wall else None,
        "rate_per_second_cpu": round(count / cpu_used, 1) if cpu_used else None,
        "rate_scoring_only": round(count / pure, 1) if pure else None,
        "target": RATE_TARGET,
        "startup_seconds": round(startup, 2),
        "note": "load facts + same-origin query + 7 components + combine + save report, "
        "one process (one core)",
    }


def _key(facts: Any) -> Any:
    from stockade.scoring.interface import PackageKey

    return PackageKey(facts.ecosystem.value, facts.name, facts.version)


def _quality(reports: Sequence[Any]) -> dict[str, Any]:
    scored = [r for r in reports if r.score is not None]
    low = sorted((r for r in scored if r.score < LOW), key=lambda r: (r.score, r.purl))
    by_eco: dict[str, list[float]] = {}
    for r in scored:
        by_eco.setdefault(r.ecosystem, []).append(r.score)
    flags = Counter(f.code for r in scored for f in r.flags)
    buckets = Counter(int(min(r.score, 9.99)) for r in scored)
    return {
        "scored": len(scored),
        "below_3": len(low),
        "below_3_share": round(len(low) / len(scored), 4) if scored else None,
        "target_share": LOW_SHARE_TARGET,
        "median": {e: statistics.median(v) for e, v in sorted(by_eco.items())},
        "histogram": {f"{b}-{b + 1}": buckets.get(b, 0) for b in range(10)},
        "flags": dict(flags.most_common()),
        "low": [{"package": r.purl, "score": r.score, "reasons": list(r.reasons[:3])} for r in low],
        "lowest_20": [
            {"package": r.purl, "score": r.score, "reasons": list(r.reasons[:2])}
            for r in sorted(scored, key=lambda r: (r.score, r.purl))[:20]
        ],
    }


def _markdown(result: dict[str, Any]) -> str:
    q = result.get("quality") or {}
    s = result["speed"]
    g = result.get("gather") or {}
    lines = [
        "# Trust score benchmark",
        "",
        f"Facts gathered {result.get('gathered_on') or '-'}, scored {result['date']} on "
        f"{os.cpu_count()} cores; model `{result['model']}`.",
        "",
        "## Popular packages (benign set)",
        "",
        f"- Targets: {g.get('targets', '-')} (PyPI top {PYPI_COUNT}, npm high-impact first "
        f"{NPM_COUNT}); archives scanned: {result['scan']}; gathered in {g.get('seconds', '-')} s "
        f"({g.get('unknown', 0)} unknown to the registry, {g.get('failed', 0)} failed).",
        f"- Scored: {q.get('scored', '-')}; **below {LOW:g}: {q.get('below_3', '-')} "
        f"({100 * (q.get('below_3_share') or 0):.2f}%, "
        f"target at most {100 * LOW_SHARE_TARGET:g}%)**.",
        f"- Median score: {q.get('median', {})}.",
        f"- Histogram: {q.get('histogram', {})}.",
        f"- Flags raised: {q.get('flags', {})}.",
        "",
    ]
    if q.get("low"):
        lines += ["Scored below 3, and why:", ""]
        for item in q["low"]:
            lines.append(f"- `{item['package']}` {item['score']}: " + " / ".join(item["reasons"]))
        lines.append("")
    lines += ["The 20 lowest:", ""]
    for item in q.get("lowest_20", []):
        lines.append(f"- `{item['package']}` {item['score']}: " + " / ".join(item["reasons"]))
    lines += [
        "",
        "## Speed (scoring from facts in the store)",
        "",
        f"- {s['versions']} versions: **{s['rate_per_second_wall']} per second** wall "
        f"({s['rate_per_second_cpu']} per CPU second) on one core, target at least "
        f"{RATE_TARGET:g}; scoring alone (facts in memory): {s['rate_scoring_only']} per second.",
        f"- {s['note']}; building the typosquatting name indexes once per process took "
        f"{s['startup_seconds']} s before that.",
        "",
        *(f"Note: {note}" for note in result.get("notes", [])),
        "",
        "Typosquatting figures: see `typosquat.md`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--offline", action="store_true", help="rescore the kept store only")
    parser.add_argument("--fresh", action="store_true", help="start from an empty store")
    parser.add_argument("--scan", action="store_true", help="also scan every archive")
    parser.add_argument("--pypi", type=int, default=PYPI_COUNT)
    parser.add_argument("--npm", type=int, default=NPM_COUNT)
    args = parser.parse_args(argv)

    from stockade.ecosystems.interface import Ecosystem
    from stockade.scoring.combine import MODEL_VERSION
    from stockade.scoring.names.popular import popular_names
    from stockade.scoring.validate import Target

    db, store_type = _store(args.fresh)
    store = store_type(db)
    result: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "model": MODEL_VERSION,
        "scan": args.scan,
    }
    previous = RESULTS / "score.json"
    if args.offline and previous.exists():
        # Rescoring only: keep what the last live run gathered, say when it was rescored.
        kept = json.loads(previous.read_text(encoding="utf-8"))
        result["gather"] = kept.get("gather")
        result["scan"] = kept.get("scan", False)
        result["gathered_on"] = kept.get("gathered_on", kept.get("date"))
        result["notes"] = kept.get("notes", [])
    if not args.offline:
        result["gathered_on"] = result["date"]
        print(f"OSV records in the store: {_import_osv(db)}", file=sys.stderr)
        targets = [
            Target(Ecosystem.PYPI, n, None, n)
            for n in list(popular_names(Ecosystem.PYPI))[: args.pypi]
        ] + [
            Target(Ecosystem.NPM, n, None, n)
            for n in list(popular_names(Ecosystem.NPM))[: args.npm]
        ]
        result["gather"] = asyncio.run(_gather(targets, db, store, args.scan))
        print(f"gathered: {result['gather']}", file=sys.stderr)
    reports, speed = _rescore(store)
    result["speed"] = speed
    result["quality"] = _quality(reports)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "score.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "score.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
