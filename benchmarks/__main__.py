"""Stockade benchmarks (``make bench``).

Measured with the PYSEC and malicious-package records of ``../shared/data/osv`` imported:

- ``import``: ``stockade db import`` of the whole set into an empty SQLite database
  (target: under 10 s);
- ``check``: ``stockade check`` of a generated 500-package uv.lock on a warm cache
  (target: under 1 s).

Both run the real command in a subprocess, so start-up time is included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKADE_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGETS = {"import": 10.0, "check": 1.0}


def stockade(args: list[str], env: dict[str, str]) -> float:
    """Run the stockade CLI; return the wall time in seconds."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "stockade", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"stockade {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def affected_versions(pysec: Path) -> dict[str, str]:
    """One affected version per PYSEC package (so that the benchmark lockfile has findings)."""
    yaml = YAML(typ="safe")
    found: dict[str, str] = {}
    for record in sorted(pysec.glob("*/*.yaml"))[::7]:
        data = yaml.load(record.read_text(encoding="utf-8"))
        for affected in data.get("affected", []):
            versions = affected.get("versions") or []
            name = affected.get("package", {}).get("name", "").lower()
            if versions and name and name not in found:
                found[name] = versions[len(versions) // 2]
    return found


def write_lockfile(path: Path, count: int, seed: int = 1) -> None:
    """A uv.lock of ``count`` real PyPI project names (from the popular list)."""
    rng = random.Random(seed)
    popular = json.loads((SHARED / "popular" / "top-pypi-packages-30-days.min.json").read_text())
    names = [row["project"] for row in popular["rows"][: count * 2]]
    vulnerable = affected_versions(SHARED / "osv" / "pysec" / "vulns")
    chosen = sorted(set(names[:count]))
    lines = ["version = 1", 'requires-python = ">=3.11"', ""]
    lines += [
        "[[package]]",
        'name = "bench-project"',
        'version = "0.1.0"',
        'source = { virtual = "." }',
        "dependencies = [",
    ]
    lines += [f'    {{ name = "{n}" }},' for n in chosen[:60]]
    lines += ["]", ""]
    for index, name in enumerate(chosen):
        version = vulnerable.get(name.lower(), f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.0")
        lines += [
            "[[package]]",
            f'name = "{name}"',
            f'version = "{version}"',
            'source = { registry = "https://pypi.test/simple" }',
        ]
        kids = [chosen[(index * 7 + k) % len(chosen)] for k in (1, 2)] if index >= 60 else []
        kids = [k for k in kids if k != name]
        if kids:
            lines.append("dependencies = [")
            lines += [f'    {{ name = "{k}" }},' for k in kids]
            lines.append("]")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (SHARED / "osv").is_dir():
        raise SystemExit(f"shared data not found at {SHARED}; set STOCKADE_SHARED_DATA")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="stockade-bench-") as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        env["STOCKADE_DATA_DIR"] = str(work / "data")
        env["STOCKADE_CACHE_DIR"] = str(work / "cache")
        sources = [str(SHARED / "osv" / "pysec" / "vulns"), str(SHARED / "osv" / "malicious")]

        import_times = []
        for run in range(min(args.runs, 3)):
            env["STOCKADE_DATA_DIR"] = str(work / f"data-{run}")
            import_times.append(stockade(["db", "import", *sources], env))
        results["import"] = {
            "median_s": statistics.median(import_times),
            "min_s": min(import_times),
        }

        project = work / "project"
        project.mkdir()
        write_lockfile(project / "uv.lock", 500)
        check_args = [
            "check",
            str(project),
            "--format",
            "json",
            "--output",
            str(work / "report.json"),
            "--source",
            "local",
            "--fail-on",
            "none",
        ]
        stockade(check_args, env)  # warm the caches
        check_times = [stockade(check_args, env) for _ in range(args.runs)]
        report = json.loads((work / "report.json").read_text())
        results["check"] = {
            "median_s": statistics.median(check_times),
            "min_s": min(check_times),
            "packages": float(report["summary"]["packages"]),
            "findings": float(report["summary"]["findings"]),
        }

    for name, figures in results.items():
        status = "ok" if figures["median_s"] <= TARGETS[name] else "SLOWER THAN TARGET"
        extra = ", ".join(f"{k}={v:g}" for k, v in figures.items() if not k.endswith("_s"))
        print(
            f"{name:8s} median {figures['median_s']:.2f} s  min {figures['min_s']:.2f} s  "
            f"(target < {TARGETS[name]:g} s: {status}) {extra}"
        )
    out = REPO / "benchmarks" / ".out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
