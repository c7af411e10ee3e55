"""LocalOSVSource: the local database as a vulnerability source, on synthetic and real records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from stockade.ecosystems.interface import Ecosystem
from stockade.intel.osv.models import Vulnerability
from stockade.intel.osv.source import PackageQuery, VulnerabilitySource
from stockade.store.osv import LocalOSVSource, OSVStore
from tests.store.conftest import make_record

PYPI, NPM = Ecosystem.PYPI, Ecosystem.NPM


def _load(paths: list[Path]) -> list[Vulnerability]:
    yaml = YAML(typ="safe")
    records = []
    for path in sorted(paths):
        raw = json.loads(path.read_text()) if path.suffix == ".json" else yaml.load(path)
        records.append(Vulnerability.model_validate(raw))
    return records


def _ids(found: list[Vulnerability]) -> list[str]:
    return [record.id for record in found]


async def test_empty_database_is_not_available(store: OSVStore) -> None:
    source = LocalOSVSource(store)
    assert source.name == "local OSV database (0 records)"
    assert await source.available() is False
    query = PackageQuery(PYPI, "demo", "1.0")
    assert await source.query([query]) == {query: []}


async def test_query_matches_versions_and_skips_withdrawn(store: OSVStore) -> None:
    store.import_records(
        [
            make_record("PYSEC-A", packages=[("PyPI", "Demo_Pkg")], introduced="1.0", fixed="2.0"),
            make_record("MAL-W", packages=[("PyPI", "demo-pkg")], withdrawn="2024-05-01T00:00Z"),
            make_record("MAL-N", packages=[("npm", "left-pad")], fixed=None),
        ],
        source="test",
    )
    source: VulnerabilitySource = LocalOSVSource(store)
    assert source.name == "local OSV database (3 records)"
    assert await source.available() is True

    inside = PackageQuery(PYPI, "demo-pkg", "1.5")
    fixed = PackageQuery(PYPI, "demo-pkg", "2.0")
    before = PackageQuery(PYPI, "demo-pkg", "0.9")
    npm = PackageQuery(NPM, "left-pad", "1.3.0")
    unknown = PackageQuery(NPM, "right-pad", "1.0.0")
    result = await source.query([inside, fixed, before, npm, unknown])
    assert {q: _ids(found) for q, found in result.items()} == {
        inside: ["PYSEC-A"],
        fixed: [],
        before: [],
        npm: ["MAL-N"],
        unknown: [],
    }


async def test_real_pysec_records(store: OSVStore, shared_data: Path) -> None:
    vulns = shared_data / "osv" / "pysec" / "vulns"
    records = _load([*vulns.glob("pycrypto/*.yaml"), *vulns.glob("pyyaml/*.yaml")])
    stats = store.import_records(records, source="pysec")
    assert stats.added == len(records) >= 8

    source = LocalOSVSource(store)
    pycrypto = PackageQuery(PYPI, "pycrypto", "2.6.1")
    old_yaml = PackageQuery(PYPI, "pyyaml", "5.3.1")
    new_yaml = PackageQuery(PYPI, "pyyaml", "6.0")
    result = await source.query([pycrypto, old_yaml, new_yaml])
    assert {"PYSEC-2017-94", "PYSEC-2018-97"} <= set(_ids(result[pycrypto]))
    assert _ids(result[old_yaml]) == ["PYSEC-2021-142"]
    assert result[new_yaml] == []
    found = store.get("CVE-2013-7459")
    assert found is not None
    assert found.id == "PYSEC-2017-94"


async def test_real_malicious_records(store: OSVStore, shared_data: Path) -> None:
    malicious = shared_data / "osv" / "malicious"
    active = malicious / "pypi" / "123bla" / "MAL-2024-10238.json"
    withdrawn = malicious / "withdrawn" / "npm" / "shared" / "MAL-2024-3007.json"
    if not (active.is_file() and withdrawn.is_file()):
        pytest.skip("the expected malicious-package records are not in the shared data")
    stats = store.import_records(_load([active, withdrawn]), source="malicious")
    assert (stats.added, stats.withdrawn) == (2, 1)

    source = LocalOSVSource(store)
    bad = PackageQuery(PYPI, "123bla", "0.0.1")
    cleared = PackageQuery(NPM, "shared", "0.0.9")
    result = await source.query([bad, cleared])
    assert _ids(result[bad]) == ["MAL-2024-10238"]
    assert result[bad][0].is_malicious
    assert result[cleared] == []
    assert store.stats().withdrawn == 1


def test_name_counts_records(store: OSVStore) -> None:
    store.import_records([make_record("PYSEC-1")], source="test")
    assert LocalOSVSource(store).name == "local OSV database (1 record)"
