"""OSV range evaluation: every event combination, on hand-made and real records."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem
from stockade.intel.osv.loader import iter_records
from stockade.intel.osv.matching import affects, fixed_versions, is_affected
from stockade.intel.osv.models import Vulnerability
from tests.conftest import FIXTURES
from tests.intel.records import affected, rng, simple, vuln

PYPI = Ecosystem.PYPI
NPM = Ecosystem.NPM


def check(record: Vulnerability, expected: dict[str, bool], *, eco: Ecosystem = PYPI) -> None:
    name = record.affected[0].package.name if record.affected[0].package else ""
    got = {v: affects(record, eco, name, v) for v in expected}
    assert got == expected


def test_introduced_fixed() -> None:
    record = simple(("introduced", "1.0"), ("fixed", "2.0"))
    check(
        record,
        {
            "0.9": False,
            "1.0.dev1": False,
            "1.0": True,
            "1.0.0": True,
            "1.5.post1": True,
            "2.0rc1": True,  # a pre-release of the fix sorts before it
            "2.0": False,
            "2.0.1": False,
            "10.0": False,
        },
    )


def test_introduced_last_affected_is_inclusive() -> None:
    record = simple(("introduced", "1.0"), ("last_affected", "1.4"))
    check(record, {"0.9": False, "1.0": True, "1.4": True, "1.4.0": True, "1.4.1": False})
    check(record, {"1.4.post1": False, "1.5a1": False})


def test_introduced_zero_is_below_every_version() -> None:
    record = simple(("introduced", "0"), ("fixed", "0.5"))
    check(record, {"0": True, "0.0.0.dev0": True, "0.4.9": True, "0.5": False})


def test_unfixed_range_affects_everything_from_introduced() -> None:
    check(simple(("introduced", "3.1")), {"3.0.9": False, "3.1": True, "99.0": True})


def test_several_pairs_in_one_range_in_any_order() -> None:
    record = simple(
        ("introduced", "2.0"),
        ("fixed", "2.3"),
        ("introduced", "1.0"),
        ("fixed", "1.2"),
    )
    check(
        record,
        {"0.5": False, "1.0": True, "1.1.9": True, "1.2": False, "1.9": False, "2.0": True},
    )
    check(record, {"2.2.99": True, "2.3": False})


def test_several_ranges() -> None:
    record = vuln(
        "OSV-2024-2",
        affected(
            ranges=[
                rng("ECOSYSTEM", ("introduced", "1.0"), ("fixed", "1.1")),
                rng("ECOSYSTEM", ("introduced", "3.0"), ("last_affected", "3.2")),
            ]
        ),
    )
    check(record, {"1.0.5": True, "2.0": False, "3.2": True, "3.2.1": False})


def test_overlapping_pairs_follow_the_schema_walk() -> None:
    # Events sort to introduced 0, introduced 2.11, fixed 2.11.6, fixed 2.11.7: the walk closes
    # the range at 2.11.6 (the schema's algorithm; PYSEC-2021-114 has this shape).
    record = simple(
        ("introduced", "2.11"),
        ("fixed", "2.11.7"),
        ("introduced", "0"),
        ("fixed", "2.11.6"),
    )
    check(record, {"1.0": True, "2.11.5": True, "2.11.6": False, "2.11.7": False})


def test_limit_bounds_the_range_exclusively() -> None:
    check(simple(("introduced", "0"), ("limit", "2.0")), {"1.9": True, "2.0": False})
    check(
        simple(("introduced", "1.0"), ("fixed", "1.5"), ("limit", "1.3")),
        {"1.2": True, "1.3": False, "1.4": False},
    )
    check(simple(("introduced", "1.0"), ("limit", "*")), {"0.1": False, "1.0": True, "9": True})


def test_several_limits_each_widen_the_scope() -> None:
    record = simple(("introduced", "1.0"), ("limit", "1.5"), ("limit", "3.0"))
    check(record, {"1.2": True, "2.0": True, "3.0": False})


def test_enumerated_versions_only() -> None:
    record = vuln("OSV-2024-3", affected(versions=["1.0", "1.1", "2004d"]))
    # PEP 440 equality: "1.0.0" is "1.0"; the invalid "2004d" matches only itself.
    check(record, {"1.0": True, "1.0.0": True, "1.1": True, "1.2": False, "2004d": True})
    check(record, {"2004e": False, "1.1.0.0": True, "v1.1": True, "0!1.0": True, "1!1.0": False})
    epoch = vuln("OSV-2024-9", affected(versions=["0!2.0", "1!1.0"]))
    check(epoch, {"2.0": True, "2.0.0": True, "1!1.0.0": True, "1.0": False})
    npm = vuln("OSV-2024-10", affected("left-pad", "npm", versions=["v1.2.3", "2.0.0-rc.1"]))
    check(npm, {"1.2.3": True, "=1.2.3": True, "2.0.0-rc.1": True, "2.0.0": False}, eco=NPM)


def test_enumerated_or_range() -> None:
    record = vuln(
        "OSV-2024-4",
        affected(versions=["0.1"], ranges=[rng("ECOSYSTEM", ("introduced", "1.0"))]),
    )
    check(record, {"0.1": True, "0.2": False, "1.0": True})


def test_git_ranges_say_nothing_about_versions() -> None:
    sha = "8dbe0dc3eea5c689d4f76b37b93fe216cf1f00d4"
    record = vuln(
        "OSV-2024-5",
        affected(
            ranges=[rng("GIT", ("introduced", "0"), ("fixed", sha), repo="https://example.test")]
        ),
    )
    check(record, {"0.1": False, "1.0": False, sha: False})
    with_list = vuln(
        "OSV-2024-6",
        affected(
            versions=["1.0"],
            ranges=[rng("GIT", ("introduced", "0"), repo="https://example.test")],
        ),
    )
    check(with_list, {"1.0": True, "1.1": False})


def test_withdrawn_records_affect_nothing() -> None:
    record = vuln(
        "OSV-2024-7",
        affected(versions=["1.0"], ranges=[rng("ECOSYSTEM", ("introduced", "0"))]),
        withdrawn="2024-06-01T00:00:00Z",
    )
    check(record, {"1.0": False, "2.0": False})
    # The entry itself still matches: only the record-level check excludes it.
    assert is_affected(record.affected[0], "1.0", get(PYPI).versions)


def test_semver_range_with_v_prefix() -> None:
    record = simple(("introduced", "v1.0.0"), ("fixed", "v1.2.0"), kind="SEMVER", ecosystem="npm")
    check(
        record,
        {"0.9.9": False, "1.0.0": True, "1.1.5": True, "v1.1.5": True, "1.2.0": False},
        eco=NPM,
    )
    assert fixed_versions(record, NPM, "demo") == ("1.2.0",)


def test_semver_range_on_a_pypi_package_uses_semver_order() -> None:
    record = simple(("introduced", "1.0.0"), ("fixed", "1.10.0"), kind="SEMVER")
    check(record, {"1.9.0": True, "1.10.0": False})


def test_npm_prereleases() -> None:
    record = simple(("introduced", "0"), ("fixed", "2.0.0"), kind="SEMVER", ecosystem="npm")
    check(
        record,
        {"1.0.0-alpha": True, "1.9.9": True, "2.0.0-beta.1": True, "2.0.0": False},
        eco=NPM,
    )
    narrow = simple(
        ("introduced", "1.0.0-beta.9"),
        ("fixed", "1.0.0-beta.10"),
        kind="ECOSYSTEM",
        ecosystem="npm",
    )
    # Numeric pre-release identifiers compare as numbers: beta.10 > beta.9.
    check(
        narrow,
        {"1.0.0-beta.8": False, "1.0.0-beta.9": True, "1.0.0-beta.10": False, "1.0.0": False},
        eco=NPM,
    )


def test_invalid_query_versions_sort_below_every_valid_version() -> None:
    bounded = simple(("introduced", "1.0"), ("fixed", "2.0"))
    check(bounded, {"not a version": False, "1.5-final!": False})
    from_zero = simple(("introduced", "0"), ("fixed", "2.0"))
    check(from_zero, {"0.7.1.fix1": True, "2.0.0-final": True})
    npm = simple(("introduced", "1.0.0"), kind="SEMVER", ecosystem="npm")
    check(npm, {"banana": False, "": False}, eco=NPM)


def test_invalid_event_versions_do_not_crash() -> None:
    # From PYSEC-2019-125: a date as the fixed version. It sorts below every valid version,
    # so only versions that are themselves invalid and sort before it are affected.
    record = simple(("introduced", "0"), ("fixed", "2019-09-12"))
    check(record, {"0.1": False, "1.0": False, "2019.9.12": False, "2019-01-01": True})
    assert fixed_versions(record, PYPI, "demo") == ("2019-09-12",)


def test_package_must_match_by_ecosystem_and_normalised_name() -> None:
    record = simple(("introduced", "0"), name="Foo_Bar.baz")
    assert affects(record, PYPI, "foo-bar-baz", "1.0")
    assert affects(record, "PyPI", "FOO.bar_BAZ", "1.0")
    assert not affects(record, NPM, "Foo_Bar.baz", "1.0")
    assert not affects(record, PYPI, "foo-bar", "1.0")
    npm = simple(("introduced", "0"), kind="SEMVER", ecosystem="npm", name="@scope/pkg")
    assert affects(npm, NPM, "@scope/pkg", "1.0.0")
    assert not affects(npm, NPM, "@scope/other", "1.0.0")


def test_fixed_versions_sorted_unique_by_scheme() -> None:
    record = vuln(
        "OSV-2024-8",
        affected(
            ranges=[
                rng("ECOSYSTEM", ("introduced", "1.0"), ("fixed", "1.10"), ("introduced", "0")),
                rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "1.9")),
                rng("ECOSYSTEM", ("introduced", "2.0"), ("fixed", "1.10")),
                rng("GIT", ("introduced", "0"), ("fixed", "abc123"), repo="https://example.test"),
            ]
        ),
        affected("other", ranges=[rng("ECOSYSTEM", ("introduced", "0"), ("fixed", "0.1"))]),
    )
    assert fixed_versions(record, PYPI, "demo") == ("1.9", "1.10")
    assert fixed_versions(record, PYPI, "other") == ("0.1",)
    # For one version: the fixes above it, of the entries that affect it.
    assert fixed_versions(record, PYPI, "demo", "1.9.5") == ("1.10",)
    assert fixed_versions(record, PYPI, "demo", "0.5") == ("1.9", "1.10")


def test_fixed_versions_of_the_branch_that_affects_the_version() -> None:
    # GitHub's advisories give one affected entry per release branch (GHSA-hrpp-h998-j3pp).
    record = vuln(
        "GHSA-hrpp-h998-j3pp",
        affected(
            "qs", "npm", ranges=[rng("ECOSYSTEM", ("introduced", "6.5.0"), ("fixed", "6.5.3"))]
        ),
        affected(
            "qs", "npm", ranges=[rng("ECOSYSTEM", ("introduced", "6.7.0"), ("fixed", "6.7.3"))]
        ),
    )
    assert fixed_versions(record, NPM, "qs") == ("6.5.3", "6.7.3")
    assert fixed_versions(record, NPM, "qs", "6.5.1") == ("6.5.3",)
    assert fixed_versions(record, NPM, "qs", "6.7.0") == ("6.7.3",)
    assert fixed_versions(record, NPM, "qs", "6.6.0") == ()
    assert fixed_versions(record, PYPI, "absent") == ()


def test_real_records() -> None:
    records = {r.id: r for r in iter_records([FIXTURES / "osv"])}
    pycrypto = [records["PYSEC-2017-94"], records["PYSEC-2018-97"]]
    assert all(affects(r, PYPI, "pycrypto", "2.6.1") for r in pycrypto)
    assert all(affects(r, PYPI, "PyCrypto", "1.9a6") for r in pycrypto)
    assert not affects(records["PYSEC-2017-94"], PYPI, "pycryptodome", "2.6.1")
    py = records["PYSEC-2022-42969"]  # introduced 0, last_affected 1.11.0
    assert affects(py, PYPI, "py", "1.11.0")
    assert not affects(py, PYPI, "py", "1.11.1")
    werkzeug = records["PYSEC-2023-221"]
    assert affects(werkzeug, PYPI, "Werkzeug", "3.0.0")
    assert not affects(werkzeug, PYPI, "werkzeug", "3.0.1")
    assert fixed_versions(werkzeug, PYPI, "werkzeug") == ("2.3.8", "3.0.1")
    assert affects(records["MAL-2024-10238"], PYPI, "123bla", "0.0.1")
    assert not affects(records["MAL-2024-10238"], PYPI, "123bla", "0.0.2")
    assert affects(records["MAL-2023-1574"], PYPI, "aaiohttp", "9.9.9")
    assert not affects(records["MAL-2023-8651"], PYPI, "lodestone", "0.0.58")  # withdrawn
    assert affects(records["MAL-2022-58"], NPM, "@adam_baldwin/pingback", "0.0.1")


versions = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)).map(
    lambda t: ".".join(map(str, t))
)


@given(a=versions, b=versions, v=versions)
def test_introduced_fixed_is_a_half_open_interval(a: str, b: str, v: str) -> None:
    for eco, kind in ((PYPI, "ECOSYSTEM"), (NPM, "SEMVER")):
        scheme = get(eco).versions
        lo, hi = sorted((a, b), key=scheme.key)
        record = simple(("introduced", lo), ("fixed", hi), kind=kind, ecosystem=eco.value)
        expected = scheme.key(lo) <= scheme.key(v) < scheme.key(hi)
        assert affects(record, eco, "demo", v) == expected
