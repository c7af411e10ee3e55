"""The matcher against real data: the PyPA advisory database and OpenSSF malicious-packages.

Most PYSEC records carry both ``ECOSYSTEM`` ranges and the ``versions`` list osv.dev expanded
from them, so the data checks the range evaluation: among the enumerated versions and every
version an event names, the ranges alone must mark exactly the enumerated ones.

``KNOWN_DISAGREEMENTS`` lists the records whose own data disagrees, with the reason. Most are
ranges that start at an ``introduced`` version which was never published (so it cannot be
enumerated, but the ranges include it). The test fails if the set changes either way.
"""

from __future__ import annotations

import csv
from pathlib import Path

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem
from stockade.intel.osv.loader import iter_records
from stockade.intel.osv.matching import affects, in_ranges, matching_affected
from stockade.intel.osv.models import Affected

KNOWN_DISAGREEMENTS: dict[str, str] = {
    "PYSEC-2009-4": "introduced 1.0 is not among the enumerated versions",
    "PYSEC-2009-10": "introduced 3.9a0 is not among the enumerated versions",
    "PYSEC-2010-13": "introduced 1.7, 1.8 is not among the enumerated versions",
    "PYSEC-2010-15": "introduced 1.8 is not among the enumerated versions",
    "PYSEC-2010-16": "introduced 1.8 is not among the enumerated versions",
    "PYSEC-2014-19": "introduced 1.7a0 is not among the enumerated versions",
    "PYSEC-2014-20": "introduced 1.7a0 is not among the enumerated versions",
    "PYSEC-2014-27": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-29": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-30": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-31": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-32": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-33": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-34": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-35": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-36": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-37": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-39": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-40": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-41": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-42": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-43": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-44": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-45": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-46": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-47": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-48": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-49": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-50": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-51": "introduced 4.3a0 is not among the enumerated versions",
    "PYSEC-2014-52": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-53": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-54": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-55": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-56": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-57": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-58": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-59": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-60": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-61": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-62": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-63": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-64": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2014-67": "introduced 3.3 is not among the enumerated versions",
    "PYSEC-2014-68": "introduced 3.3 is not among the enumerated versions",
    "PYSEC-2014-77": "introduced 0.8, 0.11, 0.12 is not among the enumerated versions",
    "PYSEC-2015-9": "introduced 1.8a0 is not among the enumerated versions",
    "PYSEC-2015-11": "introduced 1.9a0 is not among the enumerated versions",
    "PYSEC-2015-18": "introduced 1.8a0 is not among the enumerated versions",
    "PYSEC-2016-2": "introduced 1.10a0 is not among the enumerated versions",
    "PYSEC-2017-49": "introduced 0.0 is not among the enumerated versions",
    "PYSEC-2017-72": "introduced 3.0 is not among the enumerated versions",
    "PYSEC-2017-73": "introduced 3.0 is not among the enumerated versions",
    "PYSEC-2018-67": "introduced 3.0a0 is not among the enumerated versions",
    "PYSEC-2018-70": "introduced 2.5 is not among the enumerated versions",
    "PYSEC-2018-71": "introduced 2.5 is not among the enumerated versions",
    "PYSEC-2018-72": "introduced 2.5 is not among the enumerated versions",
    "PYSEC-2018-73": "introduced 2.5 is not among the enumerated versions",
    "PYSEC-2018-94": "introduced 7.0.0 is not among the enumerated versions",
    "PYSEC-2019-162": "introduced 0.4.0 is not among the enumerated versions",
    "PYSEC-2019-163": "introduced 0.4.0 is not among the enumerated versions",
    "PYSEC-2019-164": "introduced 0.4.0 is not among the enumerated versions",
    "PYSEC-2019-165": "introduced 3.1 is not among the enumerated versions",
    "PYSEC-2019-166": "introduced 1.0 is not among the enumerated versions",
    "PYSEC-2019-168": "introduced 4.6.0 is not among the enumerated versions",
    "PYSEC-2019-169": "introduced 1.0.2 is not among the enumerated versions",
    "PYSEC-2019-184": "introduced 0.6.1 is not among the enumerated versions",
    "PYSEC-2019-190": "introduced 11.0.0 is not among the enumerated versions",
    "PYSEC-2019-191": "introduced 18.0.0 is not among the enumerated versions",
    "PYSEC-2019-227": "introduced 1.0.0 is not among the enumerated versions",
    "PYSEC-2020-100": "introduced 2.1 is not among the enumerated versions",
    "PYSEC-2020-245": "introduced 3.5.0.0 is not among the enumerated versions",
    "PYSEC-2020-270": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-271": "introduced 2.3.0rc0 is not among the enumerated versions",
    "PYSEC-2020-272": "introduced 2.3.0rc0 is not among the enumerated versions",
    "PYSEC-2020-273": "introduced 2.3.0rc0 is not among the enumerated versions",
    "PYSEC-2020-274": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-275": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-282": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-283": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-284": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-285": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-286": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-287": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-288": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-289": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-290": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-291": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-297": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-298": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-299": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-300": "introduced 2.4.0rc0 is not among the enumerated versions",
    "PYSEC-2020-301": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-302": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-303": "introduced 2.0.0 is not among the enumerated versions",
    "PYSEC-2020-306": "introduced 2.3.0rc0 is not among the enumerated versions",
    "PYSEC-2020-307": "introduced 2.3.0rc0 is not among the enumerated versions",
    "PYSEC-2020-308": "introduced 2.3.0rc0 is not among the enumerated versions",
    "PYSEC-2020-335": "introduced 2.4.0rc0 is not among the enumerated versions",
    "PYSEC-2021-114": (
        "overlapping pairs in one range: the walk closes at fixed 2.11.6, which is enumerated"
    ),
    "PYSEC-2021-147": "introduced 4.2.0 is not among the enumerated versions",
    "PYSEC-2021-355": "introduced 0.4.2 is not among the enumerated versions",
    "PYSEC-2022-185": "introduced 0.1 is not among the enumerated versions",
    "PYSEC-2022-216": "introduced 0.0.1 is not among the enumerated versions",
    "PYSEC-2022-218": "introduced 0.9.50 is not among the enumerated versions",
    "PYSEC-2022-219": "introduced 0.0.5 is not among the enumerated versions",
    "PYSEC-2022-303": "introduced 2.6.0 is not among the enumerated versions",
    "PYSEC-2023-61": (
        "enumerates the 3.2 and 4.2 pre-releases, which sort below introduced 3.2 and 4.2"
    ),
    "PYSEC-2023-177": "enumerates 23.9.0 and 23.9.0.post1, at and above its fixed 23.9.0",
    "PYSEC-2024-1": "has no ECOSYSTEM range at all, only the enumerated 0.5",
}


def _named_versions(affected: Affected) -> set[str]:
    named = set()
    for rng in affected.ranges:
        if rng.type not in ("ECOSYSTEM", "SEMVER"):
            continue
        for event in rng.events:
            for value in (event.introduced, event.fixed, event.last_affected, event.limit):
                if value and value != "0" and "*" not in value:
                    named.add(value)
    return named


def _disagrees(affected: Affected) -> bool:
    scheme = get(Ecosystem.PYPI).versions
    candidates = set(affected.versions) | _named_versions(affected)
    marked = {v for v in candidates if in_ranges(affected, v, scheme)}
    enumerated = {scheme.key(v) for v in affected.versions}
    extra = {v for v in marked if scheme.key(v) not in enumerated}
    missing = set(affected.versions) - marked
    return bool(extra or missing)


def test_pysec_ranges_agree_with_enumerated_versions(shared_data: Path) -> None:
    records = list(iter_records([shared_data / "osv" / "pysec" / "vulns"]))
    assert len(records) > 2000
    disagreeing = {r.id for r in records for a in r.affected if _disagrees(a)}
    assert disagreeing == set(KNOWN_DISAGREEMENTS)


def test_pysec_readme_example(shared_data: Path) -> None:
    folder = shared_data / "osv" / "pysec" / "vulns" / "pycrypto"
    found = {
        r.id for r in iter_records([folder]) if affects(r, Ecosystem.PYPI, "pycrypto", "2.6.1")
    }
    assert {"PYSEC-2017-94", "PYSEC-2018-97"} <= found


def test_malicious_index_matches_records(shared_data: Path) -> None:
    folder = shared_data / "osv" / "malicious"
    records = {r.id: r for r in iter_records([folder])}
    checked = 0
    with (folder / "index.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            record = records.get(row["id"])
            if record is None:
                continue  # the npm records are a sample; the index lists them all
            eco = Ecosystem(row["ecosystem"])
            assert list(matching_affected(record, eco, row["name"])), row["id"]
            listed = [v for v in row["versions"].split(";") if v]
            if row["all_versions"] == "1":
                listed += ["0.0.1", "1.0.0", "99.1.0"]
            for version in listed:
                hit = affects(record, eco, row["name"], version)
                assert hit == (row["status"] == "malicious"), (row["id"], version)
                checked += 1
    assert checked > 10000
