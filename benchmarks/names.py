"""Typosquatting detection on real names (``python -m benchmarks.names``).

Measures :class:`stockade.scoring.names.NameChecker` with its default policy, and writes
``benchmarks/results/typosquat.md`` and ``typosquat.json``:

- **recall** on malicious PyPI and npm packages (``../shared/data/osv/malicious/index.csv``,
  status ``malicious``; ``STOCKADE_SHARED_DATA`` moves the folder) that imitate a popular
  package, with two independent ground truths:

  - **A** (named): records whose ``details`` name the imitated package ("typosquatting the
    legitimate package fabric", "impersonating the PyPI package `art`") when that package is
    in the ecosystem's popular list; found when the checker flags the name at all, and
    counted apart when it names that very package;
  - **B** (oracle): names that :func:`oracle` (below, written independently of the checker)
    says imitate one of the 1,000 most popular names;

- **false flags** on the popular names themselves (15,000 PyPI projects and 17,338 npm
  high-impact packages, each checked with its own figure from the list) and on a long tail of
  legitimate PyPI projects outside the list (the packages of the PYSEC advisories in
  ``../shared/data/osv/pysec``, checked as unknown: no figure, not established) and, when a
  registry package list is given (``--sample npm=FILE``, ``--sample PyPI=FILE``: names in the
  first tab-separated column), on a sample of the registry's names outside the popular list
  (mostly legitimate: how often a new package would be warned about);
- **time** per name (median, p95) over every name checked, and the time to build a checker;
- a **sweep** of policies (target-set size, popularity ratio) behind the defaults.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from packaging.utils import canonicalize_name
from rapidfuzz import process
from rapidfuzz.distance import OSA

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names import NameChecker, NameMatch, Policy, PopularNames, popular_names

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKADE_SHARED_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "benchmarks" / "results"

RECALL_TARGET = 0.80
FALSE_FLAG_TARGET = 0.005
MEDIAN_TARGET_MS = 1.0
ORACLE_TOP = 1000
LISTED = 50
"""How many misses the results list per set."""
SAMPLE = 50_000
"""How many names of a registry package list are checked (every n-th name, in order)."""

# --- ground truth A: records that name the imitated package -------------------------------------

_NAMED = (
    re.compile(
        r"typosquat\w*\s+(?:of\s+)?the\s+(?:legitimate|popular|well-known)\s+"
        r"(?:(?:PyPI|npm)\s+)?(?:package\s+)?[`'\"]?(?P<t>[@\w][\w.\-/]*)",
        re.IGNORECASE,
    ),
    re.compile(r"typosquat\w*\s+of\s+[`'\"]?(?P<t>[@\w][\w.\-/]*)", re.IGNORECASE),
    re.compile(
        r"impersonat\w*\s+the\s+(?:(?:PyPI|npm)\s+)?package\s+[`'\"]?(?P<t>[@\w][\w.\-/]*)",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True, slots=True)
class Record:
    """One malicious package of the index."""

    ecosystem: Ecosystem
    name: str
    """Normalised (PEP 503 for PyPI; as published for npm)."""
    id: str
    path: str
    """The record file, relative to the shared data folder."""


def malicious(shared: Path) -> list[Record]:
    """The malicious PyPI and npm packages of the index, one per (ecosystem, name)."""
    seen: set[tuple[Ecosystem, str]] = set()
    out: list[Record] = []
    with (shared / "osv" / "malicious" / "index.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] != "malicious" or row["ecosystem"] not in ("PyPI", "npm"):
                continue
            eco = Ecosystem(row["ecosystem"])
            name = canonicalize_name(row["name"]) if eco is Ecosystem.PYPI else row["name"]
            if (eco, name) not in seen:
                seen.add((eco, name))
                out.append(Record(eco, name, row["id"], row["path"]))
    return out


def named_target(details: str) -> str | None:
    """The package a record's details say is imitated, if they name one."""
    for pattern in _NAMED:
        found = pattern.search(details)
        if found:
            target = found.group("t").rstrip(".,;:)`'\"")
            if target.lower() not in {"package", "packages", "campaign"}:
                return target
    return None


def ground_truth_a(
    shared: Path, records: Iterable[Record], popular: Mapping[Ecosystem, PopularNames]
) -> tuple[list[tuple[Record, str]], list[dict[str, str]]]:
    """(record, imitated target) pairs whose target is popular, and the named ones left out."""
    pairs: list[tuple[Record, str]] = []
    left_out: list[dict[str, str]] = []
    for record in records:
        path = shared / record.path
        if not path.is_file():
            continue  # the npm records are a sample; the index lists them all
        data = json.loads(path.read_text("utf-8"))
        target = named_target(f"{data.get('summary') or ''}\n{data.get('details') or ''}")
        if target is None:
            continue
        names = popular[record.ecosystem]
        if target in names:
            pairs.append((record, names.normalize(target)))
        else:
            left_out.append(
                {"package": _label(record), "named": target, "why": "not in the popular list"}
            )
    return pairs, left_out


# --- ground truth B: an independent oracle ------------------------------------------------------

ORACLE_PREFIXES = ("python3", "python", "py", "nodejs", "node", "js")
ORACLE_SUFFIXES = ("python", "py", "js", "node", "lib", "sdk", "api")
_ORACLE_SEPARATORS = re.compile(r"[-_./@]+")


class Oracle:
    """Ground truth B: does a name imitate one of the top names? (Independent of the checker.)

    A name ``n`` (lower-cased, PEP 503 for PyPI) of at least 4 characters that is not itself in
    the ecosystem's popular list imitates a top name ``t`` (one of the 1,000 most popular, at
    least 4 characters) when, in this order:

    1. ``typo``: the OSA distance of ``n`` and ``t`` is 1, or 2 when ``t`` has 8 characters
       or more;
    2. ``separator``: they are equal once ``- _ . @ /`` are removed;
    3. ``affix``: ``n`` is ``t`` with one of ``python3 python py nodejs node js`` added or
       removed in front, or one of ``python py js node lib sdk api`` or a number added or
       removed behind, glued or with a separator;
    4. ``combo``: ``n`` is ``t`` (5 characters or more) plus one more word, before or after it
       (separated), or ``t`` (6 characters or more) glued to a word of 3 or more letters.
    """

    def __init__(self, popular: PopularNames) -> None:
        self.listed = {n.lower() for n in popular}
        self.top = [n.lower() for n in popular.top(ORACLE_TOP) if len(n) >= 4]
        self.top_set = set(self.top)
        self.flat = {_ORACLE_SEPARATORS.sub("", t): t for t in reversed(self.top)}
        self.words = {"-".join(_words(t)): t for t in reversed(self.top)}
        self.dropped = {v: t for t in reversed(self.top) for v in _affix_variants(t)}

    def __call__(self, name: str) -> tuple[str, str] | None:
        """(rule, imitated name) or ``None``."""
        n = name.lower()
        if len(n) < 4 or n in self.listed:
            return None
        for t, distance, _ in process.extract(
            n, self.top, scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            if distance <= 1 or len(t) >= 8:
                return "typo", t
        flat = _ORACLE_SEPARATORS.sub("", n)
        if flat in self.flat:
            return "separator", self.flat[flat]
        for variant in _affix_variants(n):
            if variant in self.top_set:
                return "affix", variant
        if n in self.dropped:
            return "affix", self.dropped[n]
        words = _words(n)
        if len(words) >= 2:
            for rest in ("-".join(words[1:]), "-".join(words[:-1])):
                if len(rest) >= 5 and rest in self.words:
                    return "combo", self.words[rest]
        for size in range(len(flat) - 3, 5, -1):
            for part in (flat[:size], flat[-size:]):
                if part in self.flat and len(_ORACLE_SEPARATORS.sub("", self.flat[part])) == size:
                    return "combo", self.flat[part]
        return None


def _words(name: str) -> list[str]:
    return [w for w in _ORACLE_SEPARATORS.split(name) if w]


def _affix_variants(n: str) -> list[str]:
    """``n`` with one oracle affix removed (front or back, glued or separated)."""
    out: list[str] = []
    for prefix in ORACLE_PREFIXES:
        if n.startswith(prefix) and len(n) > len(prefix) + 2:
            out.append(n[len(prefix) :].lstrip("-_."))
    for suffix in ORACLE_SUFFIXES:
        if n.endswith(suffix) and len(n) > len(suffix) + 2:
            out.append(n[: -len(suffix)].rstrip("-_."))
    number = re.fullmatch(r"(.*[a-z])[-_.]?v?\d+", n)
    if number:
        out.append(number.group(1))
    return out


# --- running the checker ------------------------------------------------------------------------


@dataclass(slots=True)
class Timed:
    """The answers of a checker over many names, with the time of each."""

    matches: list[list[NameMatch]]
    seconds: list[float]


def run(
    checker: NameChecker, names: Sequence[str], figures: Sequence[int | None] | None = None
) -> Timed:
    """Check every name (with its figure, when given), timing each call."""
    out = Timed([], [])
    for i, name in enumerate(names):
        figure = figures[i] if figures is not None else None
        start = time.perf_counter()
        found = checker.imitations(name, popularity=figure)
        out.seconds.append(time.perf_counter() - start)
        out.matches.append(found)
    return out


def _label(record: Record) -> str:
    return f"{record.ecosystem.value}/{record.name}"


def _first(matches: list[NameMatch]) -> dict[str, Any]:
    m = matches[0]
    return {"target": m.target, "technique": m.technique, "strength": m.strength}


def evaluate(
    checkers: Mapping[Ecosystem, NameChecker],
    records: Sequence[Record],
    truth_a: Sequence[tuple[Record, str]],
    oracles: Mapping[Ecosystem, Oracle],
    tail: Sequence[str],
    samples: Mapping[Ecosystem, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Recall on A and B, false flags on the popular lists, the long tail and the registry
    samples, timing."""
    seconds: list[float] = []
    report: dict[str, Any] = {}

    flagged: dict[tuple[Ecosystem, str], list[NameMatch]] = {}
    for eco, checker in checkers.items():
        names = [r.name for r in records if r.ecosystem is eco]
        timed = run(checker, names)
        seconds += timed.seconds
        flagged.update({(eco, n): m for n, m in zip(names, timed.matches, strict=True) if m})

    report["malicious_flagged"] = {
        "names": len(records),
        "flagged": len(flagged),
        "strong": sum(1 for m in flagged.values() if m[0].strength == "strong"),
        "by_technique": dict(Counter(m[0].technique for m in flagged.values()).most_common()),
    }

    a_rows: list[dict[str, Any]] = []
    for record, target in truth_a:
        found = flagged.get((record.ecosystem, record.name), [])
        a_rows.append(
            {
                "package": _label(record),
                "id": record.id,
                "named": target,
                "flagged": bool(found),
                "right_target": any(m.target == target for m in found),
                **({"match": _first(found)} if found else {}),
            }
        )
    report["recall_a"] = {
        "records": len(a_rows),
        "flagged": sum(r["flagged"] for r in a_rows),
        "right_target": sum(r["right_target"] for r in a_rows),
        "rate": _rate(sum(r["flagged"] for r in a_rows), len(a_rows)),
        "rows": a_rows,
    }

    b: dict[str, Any] = {}
    for eco in checkers:
        rows: list[dict[str, Any]] = []
        for record in records:
            if record.ecosystem is not eco:
                continue
            verdict = oracles[eco](record.name)
            if verdict is not None:
                found = flagged.get((eco, record.name), [])
                rows.append(
                    {
                        "package": record.name,
                        "rule": verdict[0],
                        "oracle_target": verdict[1],
                        "flagged": bool(found),
                        **({"match": _first(found)} if found else {}),
                    }
                )
        by_rule: dict[str, dict[str, int]] = {}
        for rule in ("typo", "separator", "affix", "combo"):
            of_rule = [r for r in rows if r["rule"] == rule]
            by_rule[rule] = {"names": len(of_rule), "flagged": sum(r["flagged"] for r in of_rule)}
        total = sum(1 for r in records if r.ecosystem is eco)
        no_combo = [r for r in rows if r["rule"] != "combo"]
        b[eco.value] = {
            "malicious_names": total,
            "oracle_names": len(rows),
            "flagged": sum(r["flagged"] for r in rows),
            "rate": _rate(sum(r["flagged"] for r in rows), len(rows)),
            "by_rule": by_rule,
            "rate_without_combo": _rate(sum(r["flagged"] for r in no_combo), len(no_combo)),
            "misses": [r for r in rows if not r["flagged"]],
            "flagged_outside_oracle": sum(1 for (e, _), m in flagged.items() if e is eco and m)
            - sum(r["flagged"] for r in rows),
        }
    report["recall_b"] = b

    false_flags: dict[str, Any] = {}
    for eco, checker in checkers.items():
        names = list(checker.popular)
        figures = [checker.popular.popularity(n) for n in names]
        timed = run(checker, names, figures)
        seconds += timed.seconds
        hits = [
            {
                "package": n,
                "rank": checker.popular.rank(n),
                "popularity": f,
                **_first(m),
                "message": m[0].message,
            }
            for n, f, m in zip(names, figures, timed.matches, strict=True)
            if m
        ]
        false_flags[eco.value] = {
            "names": len(names),
            "flagged": len(hits),
            "strong": sum(1 for h in hits if h["strength"] == "strong"),
            "rate": _rate(len(hits), len(names)),
            "list": hits,
        }
    report["false_flags"] = false_flags

    if tail:
        checker = checkers[Ecosystem.PYPI]
        timed = run(checker, tail)
        seconds += timed.seconds
        hits = [
            {"package": n, **_first(m), "message": m[0].message}
            for n, m in zip(tail, timed.matches, strict=True)
            if m
        ]
        report["long_tail"] = {
            "names": len(tail),
            "flagged": len(hits),
            "strong": sum(1 for h in hits if h["strength"] == "strong"),
            "rate": _rate(len(hits), len(tail)),
            "list": hits,
        }

    report["samples"] = {}
    for eco, sample in (samples or {}).items():
        timed = run(checkers[eco], sample)
        seconds += timed.seconds
        report["samples"][eco.value] = sample_report(sample, timed.matches)

    ordered = sorted(seconds)
    report["timing"] = {
        "names": len(seconds),
        "median_ms": round(statistics.median(ordered) * 1000, 4),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 4),
        "max_ms": round(ordered[-1] * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 4),
    }
    return report


def sample_report(names: Sequence[str], matches: Sequence[list[NameMatch]]) -> dict[str, Any]:
    """Flags on a registry sample, by technique, and the popular names most often found in
    plain combinations (weak combosquats), with examples."""
    flagged = [(n, m) for n, m in zip(names, matches, strict=True) if m]
    combos = [(n, m[0]) for n, m in flagged if m[0].technique == "combosquat"]
    weak_combos = [(n, m) for n, m in combos if m.strength == "weak"]
    by_target = Counter(m.target for _, m in weak_combos)
    examples: dict[str, list[str]] = {}
    for n, m in weak_combos:
        if len(examples.setdefault(m.target, [])) < 3:
            examples[m.target].append(n)
    return {
        "names": len(names),
        "flagged": len(flagged),
        "strong": sum(1 for _, m in flagged if m[0].strength == "strong"),
        "rate": _rate(len(flagged), len(names)),
        "weak_combos": len(weak_combos),
        "by_technique": dict(Counter(m[0].technique for _, m in flagged).most_common()),
        "combo_targets": [
            {"target": t, "names": k, "examples": examples[t]} for t, k in by_target.most_common(15)
        ],
    }


def long_tail(shared: Path, popular: PopularNames) -> list[str]:
    """PyPI projects with PYSEC advisories that are not in the popular list."""
    folder = shared / "osv" / "pysec" / "vulns"
    if not folder.is_dir():
        return []
    names = {canonicalize_name(p.name) for p in folder.iterdir() if p.is_dir()}
    return sorted(n for n in names if n not in popular)


def registry_sample(
    path: Path, popular: PopularNames, exclude: Iterable[str], size: int = SAMPLE
) -> list[str]:
    """Every n-th name (normalised, sorted) of a registry package list (one package a line,
    the name in the first tab-separated column, an optional ``name`` header) that is neither
    popular nor in ``exclude``, for at most ``size`` names."""
    skip = set(exclude)
    names: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            raw = line.split("\t", 1)[0].strip()
            if not raw or raw == "name":
                continue
            name = popular.normalize(raw)
            if name and name not in popular and name not in skip:
                names.add(name)
    ordered = sorted(names)
    step = max(1, -(-len(ordered) // size))
    return ordered[::step]


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# --- the sweep ----------------------------------------------------------------------------------

SWEEP: tuple[tuple[str, dict[str, int | bool | None]], ...] = (
    ("targets 1000", {"targets": 1000}),
    ("targets 5000", {"targets": 5000}),
    ("strong_min 100000", {"strong_min": 100_000}),
    ("strong_min 10000000", {"strong_min": 10_000_000}),
    ("ratio 0 (off)", {"ratio": 0}),
    ("ratio 100", {"ratio": 100}),
    ("ratio 300", {"ratio": 300}),
    ("ratio 1000", {"ratio": 1000}),
    ("ratio 10000", {"ratio": 10000}),
    ("combo_top 0 (no plain combinations)", {"combo_top": 0}),
    ("combo_top 300", {"combo_top": 300}),
    ("combo_top 3000", {"combo_top": 3000}),
    ("conventions off", {"conventions": False}),
)
"""Policies compared with the default (one field changed at a time)."""


def summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """The headline figures of a report."""
    b = report["recall_b"]
    out = {
        "recall_a": report["recall_a"]["rate"],
        "recall_b_pypi": b["PyPI"]["rate"],
        "recall_b_npm": b["npm"]["rate"],
        "recall_b_pypi_no_combo": b["PyPI"]["rate_without_combo"],
        "recall_b_npm_no_combo": b["npm"]["rate_without_combo"],
        "flagged_malicious": report["malicious_flagged"]["flagged"],
        "strong_malicious": report["malicious_flagged"]["strong"],
        "false_flags_pypi": report["false_flags"]["PyPI"]["rate"],
        "false_flags_npm": report["false_flags"]["npm"]["rate"],
        "median_ms": report["timing"]["median_ms"],
    }
    if "long_tail" in report:
        out["long_tail"] = report["long_tail"]["rate"]
        out["long_tail_strong"] = report["long_tail"]["strong"]
    for eco, sample in report.get("samples", {}).items():
        out[f"sample_{eco.lower()}"] = sample["rate"]
        out[f"sample_{eco.lower()}_strong"] = sample["strong"]
    return out


# --- output -------------------------------------------------------------------------------------


def render(report: Mapping[str, Any]) -> str:
    """The Markdown results file."""
    policy = report["policy"]
    a = report["recall_a"]
    lines = [
        "# Typosquatting benchmark",
        "",
        f"Generated by `python -m benchmarks.names` on {report['date']}; the popular lists are "
        "the ones shipped in `src/stockade/scoring/data` (see their headers), the malicious "
        "packages those of `../shared/data/osv/malicious` (records published before 2025).",
        "",
        f"Policy (defaults of `stockade.scoring.names.Policy`): {policy_text(policy)}.",
        "",
        "## Summary",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| recall A (records naming a popular imitated package) | {a['flagged']}/{a['records']}"
        f" = {a['rate']:.1%} ({a['right_target']} naming that package) "
        f"| >= {RECALL_TARGET:.0%} |",
    ]
    for eco, b in report["recall_b"].items():
        lines.append(
            f"| recall B, {eco} (oracle) | {b['flagged']}/{b['oracle_names']} = {b['rate']:.1%}; "
            f"{b['rate_without_combo']:.1%} without the combo rule | >= {RECALL_TARGET:.0%} |"
        )
    for eco, f in report["false_flags"].items():
        target = f"<= {FALSE_FLAG_TARGET:.1%}" if eco == "PyPI" else "(reported)"
        lines.append(
            f"| false flags, {eco} popular names | {f['flagged']}/{f['names']} = "
            f"{f['rate']:.2%} ({f['strong']} strong) | {target} |"
        )
    if "long_tail" in report:
        t = report["long_tail"]
        lines.append(
            f"| flags, PyPI long tail (PYSEC projects outside the list, as unknown) | "
            f"{t['flagged']}/{t['names']} = {t['rate']:.1%} ({t['strong']} strong) | (reported) |"
        )
    for eco, sample in report.get("samples", {}).items():
        lines.append(
            f"| flags, {eco} registry sample (names outside the list, as unknown) | "
            f"{sample['flagged']:,}/{sample['names']:,} = {sample['rate']:.1%} "
            f"({sample['strong']:,} strong, {sample['weak_combos']:,} weak combinations) "
            "| (reported) |"
        )
    tm = report["timing"]
    lines += [
        f"| time per name (median / p95 / max) | {tm['median_ms']:.3f} / {tm['p95_ms']:.3f} / "
        f"{tm['max_ms']:.2f} ms over {tm['names']:,} names | median well under "
        f"{MEDIAN_TARGET_MS:g} ms |",
        f"| checker build (PyPI + npm, lists loaded) | {report['build_s']:.2f} s | once per "
        "process |",
        "",
        *_notes(report),
        "",
        "## Ground truths",
        "",
        "**A (named).** Records whose summary or details name the imitated package "
        '("typosquatting the legitimate package fabric", "typosquatting the popular requests '
        'package", "impersonating the PyPI package `art`"), kept when that package is in the '
        "popular list. A record counts as found when the checker flags the name; the table "
        "also says whether it named that very package. The npm folder holds a sample of the "
        "records, so A is mostly PyPI.",
        "",
        "**B (oracle).** " + _oracle_text(),
        "",
        "## Recall A",
        "",
        "| package | named | flagged | match |",
        "|---|---|---|---|",
    ]
    for row in a["rows"]:
        match = row.get("match")
        shown = f"{match['target']} ({match['technique']}, {match['strength']})" if match else ""
        lines.append(
            f"| {row['package']} | {row['named']} | {'yes' if row['flagged'] else 'MISSED'} "
            f"| {shown} |"
        )
    if report.get("a_left_out"):
        lines += ["", "Left out of A (the named package is not in the popular list):", ""]
        lines += [f"- {r['package']}: names `{r['named']}`" for r in report["a_left_out"]]
    lines += ["", "## Recall B", ""]
    for eco, b in report["recall_b"].items():
        rules = ", ".join(f"{rule} {v['flagged']}/{v['names']}" for rule, v in b["by_rule"].items())
        lines += [
            f"**{eco}**: {b['oracle_names']} of {b['malicious_names']} malicious names imitate "
            f"a top-{ORACLE_TOP} name by the oracle; {b['flagged']} flagged "
            f"({b['rate']:.1%}). By rule: {rules}. The checker also flags "
            f"{b['flagged_outside_oracle']} malicious names the oracle does not count.",
            "",
            f"Misses (first {LISTED} of {len(b['misses'])}): "
            + ", ".join(
                f"`{m['package']}` ({m['rule']}: {m['oracle_target']})"
                for m in b["misses"][:LISTED]
            ),
            "",
        ]
    lines += ["## False flags", ""]
    for eco, f in report["false_flags"].items():
        lines += [f"**{eco}** ({f['flagged']} of {f['names']}):", ""]
        lines += [
            f"- `{h['package']}` (#{h['rank']}) -> `{h['target']}` ({h['technique']}, "
            f"{h['strength']})"
            for h in f["list"]
        ] or ["- none"]
        lines.append("")
    if "long_tail" in report:
        t = report["long_tail"]
        lines += [
            f"**PyPI long tail** ({t['flagged']} of {t['names']}; legitimate projects checked "
            "as unknown: no popularity, not established; a registry history would mark most "
            "as established and drop the weak ones):",
            "",
        ]
        lines += [
            f"- `{h['package']}` -> `{h['target']}` ({h['technique']}, {h['strength']})"
            for h in t["list"]
        ] or ["- none"]
        lines.append("")
    lines += _sample_lines(report)
    lines += [
        "## Policy sweep",
        "",
        "One field of the default policy changed at a time. *Flagged malicious* counts every "
        "malicious name flagged, inside the oracle or not.",
        "",
        "| policy | recall A | recall B PyPI | recall B npm | malicious flagged (strong) "
        "| false flags PyPI | false flags npm | long tail (strong) | sample PyPI | sample npm "
        "| median ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, s in report["sweep"].items():
        lines.append(
            f"| {label} | {s['recall_a']:.1%} | {s['recall_b_pypi']:.1%} | "
            f"{s['recall_b_npm']:.1%} | {s['flagged_malicious']} ({s['strong_malicious']}) | "
            f"{s['false_flags_pypi']:.2%} | {s['false_flags_npm']:.2%} | "
            f"{s.get('long_tail', 0.0):.1%} ({s.get('long_tail_strong', 0)}) | "
            f"{_maybe(s, 'sample_pypi')} | {_maybe(s, 'sample_npm')} | {s['median_ms']:.3f} |"
        )
    lines.append("")
    return "\n".join(lines)


def _notes(report: Mapping[str, Any]) -> list[str]:
    """How to read the figures, and why the policy is what it is."""
    sweep = report["sweep"]
    tail = report.get("long_tail", {"names": 0, "flagged": 0, "strong": 0})

    def row(label: str, key: str) -> Any:
        return sweep.get(label, {}).get(key, "n/a")

    def pct(label: str, key: str, digits: int = 1) -> str:
        value = sweep.get(label, {}).get(key)
        return "n/a" if value is None else f"{value:.{digits}%}"

    return [
        "## Reading the results",
        "",
        "- **Targets: every name of both lists.** Typosquats of less popular projects are real "
        "(`freqtarde`, `tkcalendr`, `python-binance` look-alikes, `py-cord` ones): with the top "
        f"1,000 or 5,000 names only, {row('targets 1000', 'flagged_malicious')} or "
        f"{row('targets 5000', 'flagged_malicious')} malicious names are flagged instead of "
        f"{row('default', 'flagged_malicious')}, for long-tail flags of "
        f"{pct('targets 1000', 'long_tail')} or {pct('targets 5000', 'long_tail')} "
        f"instead of {pct('default', 'long_tail')}.",
        "- **Ratio 3,000.** Without the ratio, "
        f"{pct('ratio 0 (off)', 'false_flags_pypi')} of the popular PyPI names resemble a "
        "more popular one (`boto`, `attr`, `grequests`, `pyyml` ...); 1,000 already meets the "
        f"0.5% target ({pct('ratio 1000', 'false_flags_pypi', 2)}), 3,000 leaves the names "
        "listed below. No malicious name is in the lists, so the ratio costs no recall here.",
        "- **npm false flags are nil by construction**: the npm figures derive from ranks and "
        "span only 1:420, less than the ratio, so no high-impact package can imitate another; "
        f"with the ratio off, {pct('ratio 0 (off)', 'false_flags_npm')} of them resemble "
        "a more popular one.",
        f"- **Strong only for targets with 1,000,000 downloads in 30 days or more** (about the "
        "top 4,500 PyPI projects, every npm high-impact package): matches against rarer "
        "targets are weak (a warning, no cap). Strong malicious flags: "
        f"{row('default', 'strong_malicious')}; strong long-tail flags: "
        f"{row('default', 'long_tail_strong')} (with 100,000: "
        f"{row('strong_min 100000', 'long_tail_strong')}).",
        *_combination_notes(report),
        f"- **Long tail**: {tail['flagged']} of {tail['names']} legitimate PyPI projects outside "
        f"the list resemble a popular name when checked without any history; "
        f"{tail['strong']} strongly. In a trust report most of them are established (first "
        "release over 2 years ago, 10 releases or more), which drops the weak matches; the "
        "strong ones (`cobbler`/`cobble`, `pyshop`/`pyshp` ...) are the residual cost.",
        "- **Recall A's miss**: `ascii2text` impersonates `art` by what it does, not by its "
        "name; no name rule can see it.",
        "- **Known limits**: a popular name combined in a scoped name (`@buffer-mono/png-export`) "
        "or in the shape of an extension (`react-fixtures`, `fastapi-https`), two edits that "
        "change the first letter (`rensoflow`), and one edit on a 4-letter name other than a "
        "swap, a neighbouring key or a doubled letter (`lors` for `cors`).",
    ]


def _combination_notes(report: Mapping[str, Any]) -> list[str]:
    """Why plain combinations are weak, and what the plugin conventions cost and save."""
    sweep = report["sweep"]
    b = report["recall_b"]
    npm, combo = b["npm"], b["npm"]["by_rule"]["combo"]
    none = sweep.get("combo_top 0 (no plain combinations)", {})
    off = sweep.get("conventions off", {})
    default = sweep.get("default", {})
    lines = [
        "- **Plain combinations are weak matches.** A popular name plus other words without a "
        "lure word (`axios-proxy`, `express-blackbox`, `eslint-config-mattermost`, "
        f"`buffervelocity`) is the shape of {combo['names']} of the {npm['oracle_names']} "
        "malicious npm names the oracle counts, mostly dependency-confusion names of internal "
        f"packages built on a popular name; the checker flags {combo['flagged']} of them. "
        "Such a match is a warning on a new package (score 7, no cap) and nothing on an "
        "established one. Only the top 1,000 names count, only in unscoped names, and the "
        "popular name must lead or end the name when more than two words are added."
    ]
    if none:
        lines[0] += (
            f" Without them (`combo_top 0`) recall B would be {none['recall_b_npm']:.1%} on npm "
            f"and {none['recall_b_pypi']:.1%} on PyPI"
            + (
                f", and the registry samples' flags {_maybe(none, 'sample_npm')} (npm) and "
                f"{_maybe(none, 'sample_pypi')} (PyPI) instead of "
                f"{_maybe(default, 'sample_npm')} and {_maybe(default, 'sample_pypi')}"
                if "sample_npm" in none and "sample_pypi" in none
                else ""
            )
            + "."
        )
    text = (
        "- **Extension shapes are left alone**: a plain combination in the shape of an "
        "extension (`django-x`, `pytest-x`, `react-x`, `rollup-plugin-x`, `x-webpack-plugin`; "
        "`PLUGIN_PREFIXES` and `PLUGIN_SUFFIXES` in `stockade.scoring.names.words`) is not "
        "flagged: these are the prefixes under which a registry list holds about 50 legitimate "
        "names or more for each malicious one. `eslint-config-` and `eslint-plugin-` stay "
        "flagged: they are the most common shape of the malicious npm names (company lint "
        "configurations published for dependency confusion)."
    )
    if off:
        text += (
            f" With every shape flagged (`conventions off`) npm recall B would be "
            f"{off['recall_b_npm']:.1%} (PyPI {off['recall_b_pypi']:.1%})"
            + (
                f" for registry-sample flags of {_maybe(off, 'sample_npm')} (npm) and "
                f"{_maybe(off, 'sample_pypi')} (PyPI)"
                if "sample_npm" in off and "sample_pypi" in off
                else ""
            )
            + "."
        )
    return [*lines, text]


def _sample_lines(report: Mapping[str, Any]) -> list[str]:
    """The registry samples: flags by technique, and the popular names most often combined."""
    samples = report.get("samples", {})
    if not samples:
        return []
    lines = [
        "## Registry samples",
        "",
        "Names of the registry package lists given with `--sample` (every n-th name outside the "
        "popular list and the malicious records), checked as unknown (no figure, not "
        "established): how often a new package would get a warning. In a trust "
        "report an established package (first release over 2 years ago, 10 releases or more) "
        "keeps only the strong matches.",
        "",
    ]
    for eco, sample in samples.items():
        techniques = ", ".join(f"{k} {v:,}" for k, v in sample["by_technique"].items())
        targets = ", ".join(
            f"`{t['target']}` {t['names']} (`{'`, `'.join(t['examples'])}`)"
            for t in sample["combo_targets"]
        )
        lines += [
            f"**{eco}** ({sample['flagged']:,} of {sample['names']:,} flagged, "
            f"{sample['strong']:,} strongly). First match by technique: {techniques}.",
            "",
            f"Popular names most often in weak combinations: {targets or 'none'}.",
            "",
        ]
    return lines


def _maybe(summary: Mapping[str, Any], key: str) -> str:
    value = summary.get(key)
    return "" if value is None else f"{value:.1%} ({summary.get(key + '_strong', 0):,} strong)"


def policy_text(policy: Mapping[str, int | bool | None]) -> str:
    """A policy's fields in words (``targets = all, ratio = 3,000, conventions = true``)."""

    def shown(v: int | bool | None) -> str:
        if v is None:
            return "all"
        return str(v).lower() if isinstance(v, bool) else f"{v:,}"

    return ", ".join(f"{k} = {shown(v)}" for k, v in policy.items())


def _oracle_text() -> str:
    doc = Oracle.__doc__ or ""
    body = doc.split("\n\n", 1)[1] if "\n\n" in doc else doc
    return " ".join(line.strip() for line in body.splitlines() if line.strip())


# --- main ---------------------------------------------------------------------------------------


def build(policy: Policy) -> tuple[dict[Ecosystem, NameChecker], float]:
    """Checkers of both ecosystems, and the seconds it took to build them."""
    start = time.perf_counter()
    checkers = {
        eco: NameChecker(eco, popular_names(eco), policy) for eco in (Ecosystem.PYPI, Ecosystem.NPM)
    }
    for checker in checkers.values():
        checker.imitations("warm-up")  # first-call costs belong to the build, not to a name
    return checkers, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.names", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--no-sweep", action="store_true", help="only the default policy")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--sample",
        action="append",
        default=[],
        metavar="ECOSYSTEM=FILE",
        help="a registry package list (PyPI or npm; names in the first tab-separated column) "
        f"whose names outside the popular list are checked ({SAMPLE:,} at most)",
    )
    args = parser.parse_args(argv)
    if not (SHARED / "osv" / "malicious").is_dir():
        raise SystemExit(f"shared data not found at {SHARED}; set STOCKADE_SHARED_DATA")

    popular = {eco: popular_names(eco) for eco in (Ecosystem.PYPI, Ecosystem.NPM)}
    records = malicious(SHARED)
    truth_a, left_out = ground_truth_a(SHARED, records, popular)
    oracles = {eco: Oracle(names) for eco, names in popular.items()}
    tail = long_tail(SHARED, popular[Ecosystem.PYPI])
    samples: dict[Ecosystem, list[str]] = {}
    for given in args.sample:
        eco_name, _, file = given.partition("=")
        eco = Ecosystem(eco_name)
        known = {r.name for r in records if r.ecosystem is eco}
        samples[eco] = registry_sample(Path(file), popular[eco], known)

    policy = Policy()
    checkers, build_s = build(policy)
    report = evaluate(checkers, records, truth_a, oracles, tail, samples)
    report["date"] = datetime.now(UTC).date().isoformat()
    report["policy"] = policy.to_json()
    report["build_s"] = round(build_s, 3)
    report["a_left_out"] = left_out
    report["sweep"] = {"default": summary(report)}
    if not args.no_sweep:
        for label, change in SWEEP:
            variant, _ = build(replace(policy, **cast(dict[str, Any], change)))
            result = evaluate(variant, records, truth_a, oracles, tail, samples)
            report["sweep"][label] = summary(result)
            print(f"sweep {label}: {report['sweep'][label]}", file=sys.stderr)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "typosquat.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (RESULTS / "typosquat.md").write_text(render(report), encoding="utf-8")
    print(json.dumps(report["sweep"]["default"], indent=2))
    print(f"Results: {(RESULTS / 'typosquat.md').relative_to(REPO)}")
    return 1 if args.check and missed(report) else 0


def missed(report: Mapping[str, Any]) -> list[str]:
    """The targets the report misses."""
    out: list[str] = []
    if report["recall_a"]["rate"] < RECALL_TARGET:
        out.append("recall A")
    out += [f"recall B {eco}" for eco, b in report["recall_b"].items() if b["rate"] < RECALL_TARGET]
    if report["false_flags"]["PyPI"]["rate"] > FALSE_FLAG_TARGET:
        out.append("false flags PyPI")
    if report["timing"]["median_ms"] > MEDIAN_TARGET_MS:
        out.append("median time")
    return out


if __name__ == "__main__":
    sys.exit(main())
