"""The ground truths of benchmarks/names.py: records that name the imitated package, and the
independent oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.names import (
    Oracle,
    ground_truth_a,
    malicious,
    named_target,
    policy_text,
    registry_sample,
    sample_report,
)
from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names import NameChecker, Policy, PopularNames


@pytest.mark.parametrize(
    ("details", "target"),
    [
        (
            "The PyPI package fabrice is a malicious package typosquatting the legitimate "
            "package fabric. The package is an info stealer.",
            "fabric",
        ),
        (
            "Malicious packages typosquatting the popular requests package. payload execute a "
            "cryptomining malware",
            "requests",
        ),
        (
            "Security researchers discovered a malicious package called `ascii2text` "
            "impersonating the PyPI package `art`.",
            "art",
        ),
        ("A typosquat of lodash that steals tokens.", "lodash"),
        ("Malicious Typosquatting packages campaign targeting developers", None),
        ("The package communicates with a domain associated with malicious activity.", None),
    ],
)
def test_named_targets(details: str, target: str | None) -> None:
    assert named_target(details) == target


@pytest.fixture
def oracle() -> Oracle:
    names = ["requests", "python-dateutil", "cross-env", "colorama", "six", "zope-interface"]
    popular = PopularNames(Ecosystem.PYPI, ((n, 1000 - i) for i, n in enumerate(names)))
    return Oracle(popular)


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("reqeusts", ("typo", "requests")),
        ("python3-dateutil", ("typo", "python-dateutil")),
        ("crossenv", ("typo", "cross-env")),  # rules apply in order
        ("z-o-p-e-interface", ("separator", "zope-interface")),
        ("requests-py", ("affix", "requests")),
        ("pyrequests", ("typo", "requests")),
        ("python-requests", ("affix", "requests")),
        ("requests2", ("typo", "requests")),
        ("dateutil", ("affix", "python-dateutil")),
        ("colorama-stealer", ("combo", "colorama")),
        ("instacolorama", ("combo", "colorama")),
        ("sixx", None),  # 'six' is shorter than 4 letters
        ("requests", None),  # popular itself
        ("tpramhydracpu", None),
    ],
)
def test_oracle(oracle: Oracle, name: str, verdict: tuple[str, str] | None) -> None:
    assert oracle(name) == verdict


def test_ground_truth_a_reads_the_records(tmp_path: Path) -> None:
    folder = tmp_path / "osv" / "malicious"
    (folder / "pypi" / "fabrice").mkdir(parents=True)
    (folder / "pypi" / "fabrice" / "MAL-1.json").write_text(
        json.dumps({"id": "MAL-1", "details": "typosquatting the legitimate package fabric."})
    )
    (folder / "pypi" / "zlibsrc").mkdir(parents=True)
    (folder / "pypi" / "zlibsrc" / "MAL-2.json").write_text(
        json.dumps({"id": "MAL-2", "details": "impersonating the PyPI package `zlib`."})
    )
    (folder / "index.csv").write_text(
        "status,ecosystem,name,id,versions,ranges,all_versions,published,modified,withdrawn,"
        "aliases,sources,path\n"
        "malicious,PyPI,Fabrice,MAL-1,1.0,,0,,,,,,osv/malicious/pypi/fabrice/MAL-1.json\n"
        "malicious,PyPI,fabrice,MAL-3,1.1,,0,,,,,,osv/malicious/pypi/fabrice/MAL-1.json\n"
        "malicious,PyPI,zlibsrc,MAL-2,1.0,,0,,,,,,osv/malicious/pypi/zlibsrc/MAL-2.json\n"
        "withdrawn,PyPI,oldname,MAL-4,1.0,,0,,,,,,osv/malicious/withdrawn/x.json\n"
        "malicious,npm,absent,MAL-5,1.0,,0,,,,,,osv/malicious/npm/absent/MAL-5.json\n"
    )
    records = malicious(tmp_path)
    assert [(r.ecosystem.value, r.name) for r in records] == [
        ("PyPI", "fabrice"),
        ("PyPI", "zlibsrc"),
        ("npm", "absent"),
    ]
    popular = {
        Ecosystem.PYPI: PopularNames(Ecosystem.PYPI, [("fabric", 10)]),
        Ecosystem.NPM: PopularNames(Ecosystem.NPM, []),
    }
    pairs, left_out = ground_truth_a(tmp_path, records, popular)
    assert [(r.name, t) for r, t in pairs] == [("fabrice", "fabric")]
    assert left_out == [
        {"package": "PyPI/zlibsrc", "named": "zlib", "why": "not in the popular list"}
    ]


def test_registry_sample_keeps_unknown_names(tmp_path: Path) -> None:
    listing = tmp_path / "pypi.tsv"
    listing.write_text(
        "name\tversion\tmonth\n"
        "Requests\t2.32.3\t2024-05\n"  # popular
        "Fabrice\t0.1\t2024-01\n"  # malicious, left out by the caller
        "Zope.Interface_Tools\t1.0\t2019-02\n"
        "zope-interface-tools\t1.0\t2019-02\n"  # the same name, normalised
        "alpha\t1\t2020-01\n"
        "beta\t1\t2020-01\n"
        "gamma\t1\t2020-01\n"
        "\n"
    )
    popular = PopularNames(Ecosystem.PYPI, [("requests", 1000)])
    names = registry_sample(listing, popular, {"fabrice"})
    assert names == ["alpha", "beta", "gamma", "zope-interface-tools"]
    assert registry_sample(listing, popular, {"fabrice"}, size=2) == ["alpha", "gamma"]


def test_sample_report_counts_weak_combinations() -> None:
    popular = PopularNames(Ecosystem.NPM, [("express", 10_000_000), ("lodash", 9_000_000)])
    checker = NameChecker(Ecosystem.NPM, popular, Policy())
    names = ["express-blackbox", "lodahs", "frobnicator", "acme-express"]
    report = sample_report(names, [checker.imitations(n) for n in names])
    assert (report["names"], report["flagged"], report["strong"]) == (4, 3, 1)
    assert report["weak_combos"] == 2
    assert report["by_technique"] == {"combosquat": 2, "edit-distance": 1}
    assert report["combo_targets"] == [
        {"target": "express", "names": 2, "examples": ["express-blackbox", "acme-express"]}
    ]


def test_policy_text() -> None:
    text = policy_text(Policy().to_json())
    assert "targets = all" in text and "ratio = 3,000" in text and "conventions = true" in text
