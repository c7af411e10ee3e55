"""The tamper-evident log's speed (``python -m benchmarks.provenance_log``).

- **appends**: entries per second through ``LogStore.append_many`` in batches (one transaction
  per batch) on SQLite and PostgreSQL, and one entry per transaction for comparison. Target: at
  least 5,000 per second on SQLite.
- **proofs**: a log grown to 1,000,000 entries with ``append_many``; at 1,000, 10,000, 100,000
  and 1,000,000 entries, the time to produce an inclusion proof (random leaf, current size) and
  a consistency proof (random older size), each a fresh store transaction reading O(log n)
  nodes; every sampled proof is verified (not timed). Target: under 5 ms per proof at
  1,000,000 entries. Then the time of a full audit of that log.

PostgreSQL runs in its own database (``stockade_bench_log``) created on the server of
``STOCKADE_BENCH_POSTGRES_URL`` (default: ``STOCKADE_TEST_POSTGRES_URL``), and is skipped when
that server cannot be reached. Results go to ``benchmarks/results/provenance-log.md`` and
``provenance-log.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stockade.provenance.log import merkle
from stockade.store.db import Database, normalize_url
from stockade.store.log import LogEntry, LogStore

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
TARGET_APPENDS = 5_000.0
TARGET_PROOF_MS = 5.0
CHECKPOINT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
BENCH_DATABASE = "stockade_bench_log"
WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def _entries(start: int, count: int) -> list[LogEntry]:
    return [
        LogEntry(
            "policy-decision" if i % 4 else "attestation",
            f"pkg:pypi/package-{i % 5000}@{i % 17}.0",
            {"decision": "allow" if i % 7 else "deny", "score": i % 11, "policy": "default"},
            WHEN,
        )
        for i in range(start, start + count)
    ]


def _postgres_url() -> str | None:
    base = os.environ.get("STOCKADE_BENCH_POSTGRES_URL") or os.environ.get(
        "STOCKADE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    url = normalize_url(base)
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": BENCH_DATABASE}
            ).first()
            if exists:
                conn.execute(text(f'DROP DATABASE "{BENCH_DATABASE}"'))
            conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"PostgreSQL skipped: {first}", file=sys.stderr)
        return None
    finally:
        engine.dispose()
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    admin = make_url(url).set(database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"'))
    finally:
        engine.dispose()


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [value * 1000 for value in seconds]
    return {
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(_percentile(ms, 0.95), 3),
        "max_ms": round(max(ms), 3),
    }


def measure_appends(url: str, *, batches: int, batch_size: int, singles: int) -> dict[str, Any]:
    """Entries per second in batches and one per transaction, on a fresh log."""
    with Database.open(url) as db:
        log = LogStore(db)
        total = batches * batch_size
        start = time.perf_counter()
        for batch in range(batches):
            log.append_many(_entries(batch * batch_size, batch_size))
        batched = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(singles):
            log.append(_entries(total + i, 1)[0])
        single = time.perf_counter() - start
        head = log.head()
    return {
        "batched": {
            "entries": total,
            "batch_size": batch_size,
            "seconds": round(batched, 3),
            "per_second": round(total / batched, 1),
        },
        "one_per_transaction": {
            "entries": singles,
            "seconds": round(single, 3),
            "per_second": round(singles / single, 1),
        },
        "final_size": head.size,
    }


def measure_proofs(log: LogStore, size: int, samples: int, rng: random.Random) -> dict[str, Any]:
    """Time ``samples`` inclusion and consistency proofs on a log of ``size`` entries."""
    inclusion: list[float] = []
    consistency: list[float] = []
    nodes_inclusion: list[int] = []
    nodes_consistency: list[int] = []
    root = log.head().root_hash
    for _ in range(samples):
        index = rng.randrange(size)
        start = time.perf_counter()
        proof = log.inclusion_proof(index)
        inclusion.append(time.perf_counter() - start)
        merkle.verify_inclusion(index, size, proof.leaf_hash, proof.hashes, root)
        nodes_inclusion.append(
            sum(len(merkle.range_nodes(*r)) for r in merkle.inclusion_ranges(index, size))
        )
        old = rng.randrange(1, size)
        start = time.perf_counter()
        cproof = log.consistency_proof(old)
        consistency.append(time.perf_counter() - start)
        cproof.verify()
        nodes_consistency.append(
            sum(len(merkle.range_nodes(*r)) for r in merkle.consistency_ranges(old, size))
            + len(merkle.compact_range(old))
        )
    return {
        "size": size,
        "samples": samples,
        "inclusion": {**_summary_ms(inclusion), "max_nodes_read": max(nodes_inclusion) + 1},
        "consistency": {**_summary_ms(consistency), "max_nodes_read": max(nodes_consistency)},
    }


def grow_and_prove(
    url: str, *, final_size: int, batch_size: int, samples: int, seed: int
) -> dict[str, Any]:
    """Grow a fresh log to ``final_size`` with ``append_many``, proving at each size step."""
    rng = random.Random(seed)
    steps = [size for size in CHECKPOINT_SIZES if size <= final_size] or [final_size]
    if steps[-1] != final_size:
        steps.append(final_size)
    results: list[dict[str, Any]] = []
    with Database.open(url) as db:
        log = LogStore(db)
        done = 0
        build_seconds = 0.0
        for step in steps:
            while done < step:
                count = min(batch_size, step - done)
                start = time.perf_counter()
                log.append_many(_entries(done, count))
                build_seconds += time.perf_counter() - start
                done += count
            results.append(measure_proofs(log, step, samples, rng))
            print(
                f"  {step:>9,} entries: inclusion {results[-1]['inclusion']['median_ms']} ms, "
                f"consistency {results[-1]['consistency']['median_ms']} ms (median)",
                file=sys.stderr,
            )
        start = time.perf_counter()
        audited = log.audit()
        audit_seconds = time.perf_counter() - start
        if audited != log.head():
            raise SystemExit("the audit does not reproduce the log's head")
    return {
        "audit": {"entries": final_size, "seconds": round(audit_seconds, 2)},
        "build": {
            "entries": final_size,
            "batch_size": batch_size,
            "seconds": round(build_seconds, 1),
            "per_second": round(final_size / build_seconds, 1),
        },
        "proofs": results,
    }


def _environment() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "load": f"{os.getloadavg()[0]:.2f}",
    }


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Tamper-evident log benchmark",
        "",
        "`python -m benchmarks.provenance_log` "
        f"({report['environment']['date']}; Python {report['environment']['python']}, "
        f"SQLite {report['environment']['sqlite']}, {report['environment']['cpus']} CPUs). "
        "Entries are ~200-byte JSON policy decisions; every proof sampled was also verified.",
        "",
        "## Appends",
        "",
        "| backend | batched (entries/s) | batch | one per transaction (entries/s) | target |",
        "|---|---:|---:|---:|---|",
    ]
    for backend, data in report["appends"].items():
        batched, single = data["batched"], data["one_per_transaction"]
        met = "met" if batched["per_second"] >= TARGET_APPENDS else "MISSED"
        target = f">= {TARGET_APPENDS:,.0f}/s: {met}" if backend == "sqlite" else "more than SQLite"
        lines.append(
            f"| {backend} | {batched['per_second']:,.0f} | {batched['batch_size']:,} | "
            f"{single['per_second']:,.0f} | {target} |"
        )
    grown = [
        f"{backend} {data['build']['per_second']:,.0f}/s"
        for backend, data in report["proofs"].items()
    ]
    lines += [
        "",
        "In batches of 10,000 (growing the proof logs to their full size): "
        + ", ".join(grown)
        + ". One entry per transaction pays a commit (an fsync) per entry.",
    ]
    for backend, data in report["proofs"].items():
        build = data["build"]
        lines += [
            "",
            f"## Proofs on {backend} (log grown to {build['entries']:,} entries in batches of "
            f"{build['batch_size']:,}: {build['per_second']:,.0f} entries/s)",
            "",
            "| entries | inclusion median / p95 (ms) | nodes read | consistency median / p95 "
            "(ms) | nodes read |",
            "|---:|---:|---:|---:|---:|",
        ]
        for row in data["proofs"]:
            inc, con = row["inclusion"], row["consistency"]
            lines.append(
                f"| {row['size']:,} | {inc['median_ms']} / {inc['p95_ms']} | "
                f"{inc['max_nodes_read']} | {con['median_ms']} / {con['p95_ms']} | "
                f"{con['max_nodes_read']} |"
            )
        audit = data["audit"]
        lines += [
            "",
            f"Full audit (`stockade log verify --full`: every entry re-hashed and the tree "
            f"rebuilt): {audit['entries']:,} entries in {audit['seconds']} s.",
        ]
        last = data["proofs"][-1]
        worst_median = max(last["inclusion"]["median_ms"], last["consistency"]["median_ms"])
        worst_p95 = max(last["inclusion"]["p95_ms"], last["consistency"]["p95_ms"])
        met = "met" if worst_median < TARGET_PROOF_MS else "MISSED"
        lines.append("")
        lines.append(
            f"Target under {TARGET_PROOF_MS} ms per proof at {last['size']:,} entries: {met} "
            f"(median {worst_median} ms; p95 {worst_p95} ms, "
            f"{'also under' if worst_p95 < TARGET_PROOF_MS else 'over'} the target)."
        )
    lines += [
        "",
        f"Load average (1 min) when the run started: {report['environment']['load']} on "
        f"{report['environment']['cpus']} CPUs shared with other work; the tail (p95) is the "
        "figure that load moves most.",
        "",
        "Nodes read: the most stored hashes (complete subtrees and leaves) one proof needed, "
        "plus the old root's nodes for consistency; it grows with log2 of the size, and each "
        "proof reads them in one query (after one for the head).",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=1_000_000, help="final log size on SQLite")
    parser.add_argument(
        "--postgres-size", type=int, default=1_000_000, help="final log size on PostgreSQL"
    )
    parser.add_argument("--samples", type=int, default=500, help="proofs timed per size")
    parser.add_argument("--batch", type=int, default=1_000, help="entries per append batch")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-write", action="store_true", help="do not write the results")
    args = parser.parse_args(argv)

    report: dict[str, Any] = {"environment": _environment(), "appends": {}, "proofs": {}}
    with tempfile.TemporaryDirectory(prefix="stockade-bench-log-") as folder:
        backends = [("sqlite", f"sqlite:///{folder}/appends.db", f"sqlite:///{folder}/proofs.db")]
        pg_url = None if args.no_postgres else _postgres_url()
        if pg_url is not None:
            backends.append(("postgresql", pg_url, pg_url))
        try:
            for name, append_url, fresh_url in backends:
                proof_url = fresh_url
                print(f"{name}: appends", file=sys.stderr)
                report["appends"][name] = measure_appends(
                    append_url, batches=50, batch_size=args.batch, singles=500
                )
                if name == "postgresql":  # a fresh database for the proofs
                    _drop_postgres(pg_url or "")
                    proof_url = _postgres_url() or proof_url
                size = args.size if name == "sqlite" else args.postgres_size
                print(f"{name}: growing to {size:,} entries", file=sys.stderr)
                report["proofs"][name] = grow_and_prove(
                    proof_url, final_size=size, batch_size=10_000, samples=args.samples, seed=5
                )
        finally:
            if pg_url is not None:
                _drop_postgres(pg_url)
    markdown = _markdown(report)
    print(markdown)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "provenance-log.json").write_text(json.dumps(report, indent=2) + "\n")
        (RESULTS / "provenance-log.md").write_text(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
