"""Sigstore bundle verification speed (``python -m benchmarks.provenance_verify``).

Offline, over real bundles: the sigstore-conformance bundle-verify cases that must verify
(``../shared/data/sigstore-conformance``, by path and by digest) and sigstore-python's asset
bundles with their roots and identities (``../shared/data/sigstore-python-assets``;
``STOCKADE_SHARED_DATA`` moves the folder). Each verification is one
:func:`stockade.provenance.verify.verify_bundle` call: reading and parsing the bundle, the
certificate chain at the signed time, SCT, identity policy, Merkle inclusion proof, signed
checkpoint, SET / RFC 3161 timestamps, the signature, and the log entry's consistency. Trusted
roots are loaded once (as a long-running caller would) and timed apart. The failing cases are
timed as well (rejections per second). Writes ``benchmarks/results/provenance-verify.md`` and
``provenance-verify.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sigstore.models import TrustedRoot

from stockade.errors import StockadeError
from stockade.provenance.policy import IdentityPolicy
from stockade.provenance.trust import load_trust, shipped_root
from stockade.provenance.verify import verify_bundle

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKADE_SHARED_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "benchmarks" / "results"
CONFORMANCE = SHARED / "sigstore-conformance" / "bundle-verify"
ASSETS = SHARED / "sigstore-python-assets" / "assets"
BEACON = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
ACTIONS = "https://token.actions.githubusercontent.com"
GITHUB_LOGIN = "https://github.com/login/oauth"


@dataclass(frozen=True)
class Job:
    """One verification: a label, its group, and the call."""

    label: str
    group: str
    run: Callable[[], object]
    must_verify: bool


def _conformance_jobs(production: TrustedRoot) -> list[Job]:
    jobs: list[Job] = []
    for case in sorted(p for p in CONFORMANCE.iterdir() if p.is_dir()):
        artifact = case / "artifact" if (case / "artifact").exists() else CONFORMANCE / "a.txt"
        bundle = case / "bundle.sigstore.json"
        root = production
        if (case / "trusted_root.json").exists():
            # The unusable-root case is rejected when its root is loaded, not timed.
            with contextlib.suppress(StockadeError):
                root = load_trust(case / "trusted_root.json")
        key = case / "key.pub" if (case / "key.pub").exists() else None
        identity = _read_or(case / "identity", BEACON)
        issuer = _read_or(case / "issuer", ACTIONS)
        policy = None if key else IdentityPolicy.of(identity=identity, issuer=issuer)
        passes = not case.name.endswith("fail")
        if passes:
            if key is not None:
                group = "managed key"
            elif case.name.startswith("rekor2"):
                group = "Rekor v2 (timestamps)"
            elif "dsse" in case.name or "intoto" in case.name:
                group = "DSSE / in-toto"
            else:
                group = "message signature, Rekor v1"
        else:
            group = "rejections (failing cases)"
        digest = "sha256:" + hashlib.sha256(artifact.read_bytes()).hexdigest()
        for mode, target in (("path", artifact), ("digest", digest)):
            jobs.append(
                Job(
                    f"{case.name} ({mode})",
                    group,
                    _call(target, bundle, policy, root, key),
                    passes,
                )
            )
    return jobs


def _read_or(path: Path, default: str) -> str:
    return path.read_text().strip() if path.exists() else default


def _asset_jobs(production: TrustedRoot, staging: TrustedRoot) -> list[Job]:
    table: list[tuple[str, str, str, str, TrustedRoot]] = [
        ("bundle.txt", "bundle.txt.sigstore", "a@tny.town", GITHUB_LOGIN, staging),
        (
            "bundle_v3.txt",
            "bundle_v3.txt.sigstore",
            "william@yossarian.net",
            GITHUB_LOGIN,
            staging,
        ),
        (
            "bundle_v3_alt.txt",
            "bundle_v3_alt.txt.sigstore",
            "william@yossarian.net",
            GITHUB_LOGIN,
            staging,
        ),
        (
            "staging-rekor-v2.txt",
            "staging-rekor-v2.txt.sigstore.json",
            "jku@goto.fi",
            GITHUB_LOGIN,
            staging,
        ),
        (
            "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf",
            "a.dsse.staging-rekor-v2.txt.sigstore.json",
            BEACON,
            ACTIONS,
            staging,
        ),
        (
            "sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201",
            "bundle_v3_github.whl.sigstore",
            "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
            ACTIONS,
            production,
        ),
        (
            "tsa/bundle.txt",
            "tsa/bundle.txt.sigstore",
            "alexis.challande@trailofbits.com",
            "https://accounts.google.com",
            staging,
        ),
    ]
    jobs = []
    for artifact, bundle, identity, issuer, root in table:
        target: Path | str = artifact if artifact.startswith("sha256:") else ASSETS / artifact
        policy = IdentityPolicy.of(identity=identity, issuer=issuer)
        jobs.append(
            Job(
                bundle,
                "sigstore-python assets",
                _call(target, ASSETS / bundle, policy, root, None),
                True,
            )
        )
    return jobs


def _call(
    target: Path | str,
    bundle: Path,
    policy: IdentityPolicy | None,
    root: TrustedRoot,
    key: Path | None,
) -> Callable[[], object]:
    def run() -> object:
        return verify_bundle(target, bundle, policy, root, key=key)

    return run


def _time(job: Job) -> tuple[float, float, bool]:
    """Wall-clock and CPU seconds of one run, and whether it verified."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        job.run()
        verified = True
    except StockadeError:
        verified = False
    return time.perf_counter() - start, time.process_time() - cpu, verified


def measure(rounds: int) -> dict[str, Any]:
    """Run every job `rounds` times (after one warm-up round) and summarise by group."""
    start = time.perf_counter()
    production = shipped_root("production")
    staging = shipped_root("staging")
    root_load_ms = (time.perf_counter() - start) / 2 * 1000
    jobs = _conformance_jobs(production) + _asset_jobs(production, staging)
    wrong = [j.label for j in jobs if _time(j)[2] != j.must_verify]
    samples: dict[str, list[float]] = {}
    cpu: dict[str, float] = {}
    for _ in range(rounds):
        for job in jobs:
            elapsed, used, _ = _time(job)
            samples.setdefault(job.group, []).append(elapsed)
            cpu[job.group] = cpu.get(job.group, 0.0) + used
    groups = {}
    for group, times in sorted(samples.items()):
        ordered = sorted(times)
        groups[group] = {
            "verifications": len(times),
            "per_second": round(len(times) / sum(times), 1),
            "per_cpu_second": round(len(times) / max(cpu[group], 1e-9), 1),
            "median_ms": round(statistics.median(times) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        }
    verifying = [t for g, ts in samples.items() if not g.startswith("rejections") for t in ts]
    verifying_cpu = sum(c for g, c in cpu.items() if not g.startswith("rejections"))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "environment": {
            "python": platform.python_version(),
            "sigstore": version("sigstore"),
            "cryptography": version("cryptography"),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU",
        },
        "rounds": rounds,
        "jobs": len(jobs),
        "unexpected_outcomes": wrong,
        "trusted_root_load_ms": round(root_load_ms, 2),
        "overall_verified": {
            "verifications": len(verifying),
            "per_second": round(len(verifying) / sum(verifying), 1),
            "per_cpu_second": round(len(verifying) / max(verifying_cpu, 1e-9), 1),
            "median_ms": round(statistics.median(verifying) * 1000, 2),
        },
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "groups": groups,
    }


def markdown(report: dict[str, Any]) -> str:
    """The Markdown results file."""
    env = report["environment"]
    overall = report["overall_verified"]
    lines = [
        "# Sigstore bundle verification speed",
        "",
        f"`python -m benchmarks.provenance_verify` on {report['date']}: Python {env['python']}, "
        f"sigstore {env['sigstore']}, cryptography {env['cryptography']}, {env['machine']}. "
        "Offline; one process, one thread.",
        "",
        f"{report['jobs']} verification jobs (every sigstore-conformance bundle-verify case by "
        "path and by digest, and the sigstore-python asset bundles with their roots and "
        f"identities), each run {report['rounds']} times after a warm-up round. "
        f"Unexpected outcomes: {len(report['unexpected_outcomes'])}.",
        "",
        f"**Bundles verified: {overall['per_second']} per second** wall-clock "
        f"({overall['per_cpu_second']} per CPU-second; median {overall['median_ms']} ms over "
        f"{overall['verifications']} verifications; load average "
        f"{report['load_average_at_start']} when the run started). "
        f"Loading a shipped trusted root: {report['trusted_root_load_ms']} ms (once per process).",
        "",
        "| Group | Verifications | Per second | Per CPU-second | Median ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for group, row in report["groups"].items():
        lines.append(
            f"| {group} | {row['verifications']} | {row['per_second']} | "
            f"{row['per_cpu_second']} | "
            f"{row['median_ms']} | {row['p95_ms']} |"
        )
    lines += [
        "",
        "A verification is one `verify_bundle` call: read and parse the bundle, build the "
        "certificate chain at the signed time, check the SCT and the identity policy, the "
        "Merkle inclusion proof and signed checkpoint, the SET or RFC 3161 timestamps, the "
        "signature, and the log entry's consistency with the bundle. Rejections stop at the "
        "first defect, so they are faster.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the summary and write the results files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    if not CONFORMANCE.is_dir() or not ASSETS.is_dir():
        print(f"shared Sigstore data not found under {SHARED}", file=sys.stderr)
        return 2
    report = measure(args.rounds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "provenance-verify.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "provenance-verify.md").write_text(markdown(report))
    print(json.dumps(report["overall_verified"]), json.dumps(report["groups"], indent=2))
    return 1 if report["unexpected_outcomes"] else 0


if __name__ == "__main__":
    sys.exit(main())
