"""The ground truths of benchmarks/names.py: records that name the imitated package, and the
independent oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.names import Oracle, ground_truth_a, malicious, named_target
from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names import PopularNames


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
