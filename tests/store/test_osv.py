"""OSVStore: import (upsert, all-or-nothing), lookups by id, alias and name, stats, meta."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from stockade.errors import InvalidRecordError
from stockade.intel.osv.models import Vulnerability
from stockade.store.models import AffectedPackageRow, AliasRow, VulnerabilityRow
from stockade.store.osv import ImportStats, OSVStore, name_key
from tests.store.conftest import make_record, parse_time


def _rows(store: OSVStore, table: type[AffectedPackageRow] | type[AliasRow]) -> int:
    with store.db.session() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_import_counts_and_reimport_is_unchanged(store: OSVStore) -> None:
    records = [
        make_record("PYSEC-1", aliases=["CVE-1"]),
        make_record("PYSEC-2", packages=[("PyPI", "other"), ("npm", "other")]),
        make_record("MAL-3", withdrawn="2024-02-01T00:00:00Z"),
    ]
    stats = store.import_records(records, source="test")
    assert stats == ImportStats(added=3, updated=0, unchanged=0, withdrawn=1)
    assert stats.total == 3
    assert store.count() == 3
    assert _rows(store, AffectedPackageRow) == 4
    assert _rows(store, AliasRow) == 1

    again = store.import_records(records, source="test")
    assert again == ImportStats(added=0, updated=0, unchanged=3, withdrawn=1)
    assert store.count() == 3
    assert _rows(store, AffectedPackageRow) == 4


def test_newer_record_replaces_the_stored_one(store: OSVStore) -> None:
    old = make_record("PYSEC-1", aliases=["CVE-OLD"], packages=[("PyPI", "old-name")])
    new = make_record(
        "PYSEC-1",
        modified="2024-06-01T00:00:00Z",
        aliases=["CVE-NEW"],
        packages=[("PyPI", "new-name")],
        summary="second version",
    )
    store.import_records([old], source="first")
    stats = store.import_records([new], source="second")
    assert stats == ImportStats(updated=1)

    assert store.get("CVE-OLD") is None
    assert store.get("CVE-NEW") == new
    assert store.candidates("PyPI", ["old-name"]) == {"old-name": []}
    assert store.candidates("PyPI", ["new-name"]) == {"new-name": [new]}
    assert _rows(store, AffectedPackageRow) == 1
    assert _rows(store, AliasRow) == 1
    with store.db.session() as session:
        row = session.get(VulnerabilityRow, "PYSEC-1")
        assert row is not None
        assert row.source == "second"
        assert row.modified == parse_time("2024-06-01T00:00:00Z")


def test_older_or_equal_record_is_skipped(store: OSVStore) -> None:
    current = make_record("PYSEC-1", modified="2024-06-01T00:00:00Z", summary="current")
    older = make_record("PYSEC-1", modified="2024-01-01T00:00:00Z", summary="older")
    same = make_record("PYSEC-1", modified="2024-06-01T00:00:00Z", summary="same time")
    store.import_records([current], source="test")
    assert store.import_records([older, same], source="test") == ImportStats(unchanged=2)
    stored = store.get("PYSEC-1")
    assert stored is not None
    assert stored.summary == "current"


def test_a_repeated_id_in_one_import_keeps_the_newest(store: OSVStore) -> None:
    first = make_record("PYSEC-1", modified="2024-01-01T00:00:00Z", summary="first")
    second = make_record("PYSEC-1", modified="2024-03-01T00:00:00Z", summary="second")
    stale = make_record("PYSEC-1", modified="2024-02-01T00:00:00Z", summary="stale")
    stats = store.import_records([first, second, stale], source="test")
    assert stats.added == 1
    assert stats.unchanged == 1
    assert store.count() == 1
    stored = store.get("PYSEC-1")
    assert stored is not None
    assert stored.summary == "second"


def test_failing_iterable_writes_nothing(store: OSVStore) -> None:
    store.import_records([make_record("KEPT-1", summary="before")], source="test")

    def records() -> Iterator[Vulnerability]:
        yield make_record("KEPT-1", modified="2025-01-01T00:00:00Z", summary="after")
        for n in range(1500):  # more than one write chunk before the failure
            yield make_record(f"NEW-{n}")
        raise InvalidRecordError("missing field 'id'", path="bad.json")

    with pytest.raises(InvalidRecordError, match=r"bad\.json"):
        store.import_records(records(), source="test")
    assert store.count() == 1
    kept = store.get("KEPT-1")
    assert kept is not None
    assert kept.summary == "before"
    assert store.get("NEW-0") is None
    assert _rows(store, AffectedPackageRow) == 1


def test_progress_reports_records_read(store: OSVStore) -> None:
    seen: list[int] = []
    store.import_records(
        (make_record(f"R-{n}") for n in range(2500)), source="test", progress=seen.append
    )
    assert seen == [1000, 2000, 2500]

    seen.clear()
    records = [make_record(f"R-{n}") for n in range(2000)]
    stats = store.import_records(records, source="test", progress=seen.append)
    assert stats.unchanged == 2000
    assert seen == [1000, 2000]


def test_get_by_id_and_by_alias(store: OSVStore) -> None:
    record = make_record("PYSEC-2017-94", aliases=["CVE-2013-7459", "GHSA-cq27-v7xp-c356"])
    store.import_records([record], source="test")
    assert store.get("PYSEC-2017-94") == record
    assert store.get("CVE-2013-7459") == record
    assert store.get("GHSA-cq27-v7xp-c356") == record
    assert store.get("CVE-0000-0000") is None


def test_raw_record_round_trips(store: OSVStore) -> None:
    record = make_record("PYSEC-9", aliases=["CVE-9"])
    store.import_records([record], source="test")
    stored = store.get("PYSEC-9")
    assert stored is not None
    assert stored.model_dump() == record.model_dump()
    assert stored.model_extra == {"credits": [{"name": "someone"}]}
    assert stored.modified.utcoffset() is not None


def test_candidates_by_normalised_names(store: OSVStore) -> None:
    django = make_record("PYSEC-D", packages=[("PyPI", "Django")])
    zope = make_record("PYSEC-Z", packages=[("PyPI", "zope.interface")])
    npm = make_record("MAL-N", packages=[("npm", "left-pad")])
    go = make_record("GO-1", packages=[("Go", "Example.com/Mod")])
    store.import_records([django, zope, npm, go], source="test")

    found = store.candidates("PyPI", ["django", "DJANGO", "zope-interface", "Zope_Interface", "x"])
    assert found == {
        "django": [django],
        "DJANGO": [django],
        "zope-interface": [zope],
        "Zope_Interface": [zope],
        "x": [],
    }
    assert store.candidates("npm", ["left-pad", "django"]) == {"left-pad": [npm], "django": []}
    assert store.candidates("Go", ["example.com/mod"]) == {"example.com/mod": [go]}


def test_candidates_many_names_and_records(store: OSVStore) -> None:
    records = [make_record(f"R-{n}", packages=[("PyPI", f"pkg-{n % 700}")]) for n in range(1400)]
    store.import_records(records, source="test")
    names = [f"Pkg_{n}" for n in range(1200)]
    found = store.candidates("PyPI", names)
    assert len(found) == 1200
    assert [r.id for r in found["Pkg_5"]] == ["R-5", "R-705"]
    assert found["Pkg_900"] == []


def test_withdrawn_records_are_stored_but_not_candidates(store: OSVStore) -> None:
    gone = make_record("MAL-W", withdrawn="2024-02-01T00:00:00Z")
    store.import_records([gone], source="test")
    assert store.get("MAL-W") == gone
    assert store.candidates("PyPI", ["demo"]) == {"demo": []}
    assert store.candidates("PyPI", ["demo"], include_withdrawn=True) == {"demo": [gone]}


def test_stats(store: OSVStore) -> None:
    assert store.stats().total == 0
    store.import_records(
        [
            make_record("PYSEC-1"),
            make_record("MAL-1", packages=[("npm", "evil"), ("npm", "evil2")]),
            make_record("MAL-2", packages=[("PyPI", "evil")], withdrawn="2024-02-01T00:00:00Z"),
        ],
        source="test",
    )
    stats = store.stats()
    assert (stats.total, stats.malicious, stats.withdrawn) == (3, 2, 1)
    assert dict(stats.by_ecosystem) == {"PyPI": 2, "npm": 1}
    assert stats.last_imported is not None
    assert stats.last_imported.utcoffset() is not None


def test_meta(store: OSVStore) -> None:
    assert store.get_meta("etag:pysec") is None
    store.set_meta("etag:pysec", '"abc"')
    assert store.get_meta("etag:pysec") == '"abc"'
    store.set_meta("etag:pysec", '"def"')
    assert store.get_meta("etag:pysec") == '"def"'


@pytest.mark.parametrize(
    ("ecosystem", "name", "key"),
    [
        ("PyPI", "Zope.Interface", "zope-interface"),
        ("npm", "@Scope/Pkg", "@Scope/Pkg"),
        ("Maven", "Org.Example:Lib", "org.example:lib"),
    ],
)
def test_name_key(ecosystem: str, name: str, key: str) -> None:
    assert name_key(ecosystem, name) == key
