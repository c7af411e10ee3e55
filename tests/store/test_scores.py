"""The scoring store: facts and reports by version, package indexes, on SQLite and PostgreSQL.

Package metadata comes from the recorded registry responses (``tests/fixtures/registry``) read
by the real registry clients, with the keywords and classifiers of those recordings and the
provenance and maintainer fields the recordings lack added in their registries' shapes.
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, select

from stockade.ecosystems.interface import Ecosystem, PackageInfo, ProvenanceRef
from stockade.ecosystems.npm.registry import NpmRegistry
from stockade.ecosystems.pypi.registry import PyPIRegistry
from stockade.ecosystems.registries import NpmConfig
from stockade.http import HttpClient
from stockade.intel.findings import Finding, FindingKind, Severity
from stockade.scoring.facts import ArchiveSummary, PackageFacts, SameOrigin
from stockade.scoring.interface import PackageKey
from stockade.scoring.interface import ScoreStore as ScoreStoreProtocol
from stockade.store import migrations
from stockade.store.db import Database
from stockade.store.models import PackageRow, PackageTermRow
from stockade.store.scores import (
    MAX_TERMS,
    ScoreStore,
    facts_terms,
    normalize_repository,
    normalize_term,
)
from tests.ecosystems.registry_fixtures import Server, load

API = "https://pypi.test/pypi"
AS_OF = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SCORE_TABLES = {"package", "package_term", "package_facts", "trust_report"}


# -- real-shaped package metadata ----------------------------------------------------------


NPM_PACKUMENTS = {
    "is-number": "is-number",
    "@types/node": "types-node",
    "request": "request",
    "express": "express",
    "@sigstore/core": "sigstore-core",
}


@functools.cache
def registry_packages() -> dict[str, PackageInfo]:
    """Recorded PyPI and npm packages as the registry clients read them."""
    routes = {f"{API}/{name}/json": load(f"pypi/{name}.json") for name in ("six", "requests")}
    for name, recording in NPM_PACKUMENTS.items():
        routes[f"https://npm.test/{name.replace('/', '%2f')}"] = load(f"npm/{recording}.json")
    server = Server(routes)

    async def fetch(cache: Path) -> dict[str, PackageInfo | None]:
        async with HttpClient(
            cache_dir=cache, transport=httpx.MockTransport(server), retries=0
        ) as http:
            pypi = PyPIRegistry(http, base_url="https://pypi.test/simple/")
            npm = NpmRegistry(http, base_url="https://npm.test/", config=NpmConfig())
            found = {name: await pypi.package(name) for name in ("six", "requests")}
            for name in NPM_PACKUMENTS:
                found[name] = await npm.package(name)
        return found

    with tempfile.TemporaryDirectory() as folder:
        infos = asyncio.run(fetch(Path(folder)))
    return {name: _completed(info) for name, info in infos.items() if info is not None}


def _completed(info: PackageInfo) -> PackageInfo:
    """The package as read, with what the client or the recording lacks filled in the shape
    the registry publishes it: keywords and classifiers from the recording, provenance of the
    latest version, publisher and maintainers. What the client read is kept."""
    latest = info.latest
    assert latest is not None
    version = info.versions[latest]
    if info.ecosystem is Ecosystem.PYPI:
        recorded = load(f"pypi/{info.name}.json")["info"]
        provenance = tuple(
            ProvenanceRef(
                kind="pep740",
                url=f"https://pypi.test/integrity/{info.name}/{latest}/{file.filename}/provenance",
                filename=file.filename,
                predicate_type="https://docs.pypi.test/attestations/publish/v1",
                source_repository=info.source_repository,
                workflow="publish.yml",
            )
            for file in version.files
        )
        keywords = tuple(k.lower() for k in (recorded.get("keywords") or "").split(",") if k)
        classifiers = tuple(recorded["classifiers"])
        maintainers: tuple[str, ...] = (f"{info.name}-maintainer", "release-bot")
        publisher = None
    else:
        manifest = load(f"npm/{NPM_PACKUMENTS[info.name]}.json")["versions"][latest]
        provenance = (
            ProvenanceRef(
                kind="npm",
                url=f"https://npm.test/-/npm/v1/attestations/{info.name}@{latest}",
                predicate_type="https://slsa.dev/provenance/v1",
            ),
        )
        keywords = tuple(k.lower() for k in manifest.get("keywords") or ())
        classifiers = ()
        maintainers = ("maintainer",)
        publisher = "maintainer"
    version = replace(
        version,
        provenance=version.provenance if version.provenance is not None else provenance,
        published_by=version.published_by or publisher,
    )
    return replace(
        info,
        versions={**info.versions, latest: version},
        keywords=info.keywords or keywords,
        classifiers=info.classifiers or classifiers,
        maintainers=info.maintainers if info.maintainers is not None else maintainers,
        created=info.created
        or min(v.released for v in info.versions.values() if v.released is not None),
    )


def facts_of(
    info: PackageInfo,
    version: str | None = None,
    *,
    name: str | None = None,
    as_of: datetime = AS_OF,
    popularity: int | None = None,
    **changes: Any,
) -> PackageFacts:
    """Facts of ``version`` (default: the latest) of the package, renamed when ``name``."""
    if name is not None:
        info = replace(
            info,
            name=name,
            versions={v: replace(i, name=name) for v, i in info.versions.items()},
        )
    if changes:
        info = replace(info, **changes)
    return PackageFacts(
        ecosystem=info.ecosystem,
        name=info.name,
        version=version or info.latest,
        package=info,
        findings=(),
        popularity=popularity,
        as_of=as_of,
    )


def key_of(facts: PackageFacts) -> PackageKey:
    assert facts.version is not None
    return PackageKey(str(facts.ecosystem), facts.name, facts.version)


def package_row(db: Database, ecosystem: str, name: str) -> tuple[PackageRow | None, list[str]]:
    with db.session() as session:
        row = session.get(PackageRow, (ecosystem, name))
        terms = session.scalars(
            select(PackageTermRow.term)
            .where(PackageTermRow.ecosystem == ecosystem, PackageTermRow.name == name)
            .order_by(PackageTermRow.term)
        ).all()
    return row, list(terms)


@pytest.fixture
def scores(db: Database) -> ScoreStore:
    store = ScoreStore(db)
    protocol: ScoreStoreProtocol = store  # mypy checks that the store meets the protocol
    assert protocol is store
    return store


# -- facts ---------------------------------------------------------------------------------


def test_facts_round_trip_with_full_metadata(scores: ScoreStore) -> None:
    requests = registry_packages()["requests"]
    facts = replace(
        facts_of(requests, popularity=1_200_000_000),
        findings=(
            Finding(
                id="GHSA-9hjg-9r4m-mvj7",
                aliases=("CVE-2024-47081", "PYSEC-2025-0001"),
                kind=FindingKind.VULNERABILITY,
                summary="Requests vulnerable to .netrc credentials leak via malicious URLs",
                severity=Severity.MEDIUM,
                score=5.3,
                cvss_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N",
                fixed_versions=("2.32.4",),
                url="https://osv.test/vulnerability/GHSA-9hjg-9r4m-mvj7",
            ),
        ),
        archive=ArchiveSummary(
            verdict="benign",
            risk=0.4,
            reasons=("reads environment variables at import time",),
            files=("requests-2.34.2-py3-none-any.whl", "requests-2.34.2.tar.gz"),
        ),
        same_origin=SameOrigin(repository="github.com/psf/requests", others=(), indexed=42),
        problems=("archive of 2.32.0 not scanned: yanked",),
    )
    scores.save_facts(facts)

    loaded = scores.load_facts(key_of(facts))
    assert loaded == facts.trimmed()
    assert loaded is not None
    assert loaded.package is not None
    assert loaded.version == "2.34.2"
    assert sorted(loaded.package.versions) == sorted(requests.versions)
    info = loaded.info
    assert info is not None
    assert info.provenance is not None
    assert info.provenance == requests.versions["2.34.2"].provenance
    assert {p.filename for p in info.provenance} == {f.filename for f in info.files}
    assert loaded.package.maintainers == requests.maintainers
    assert loaded.package.maintainers
    assert "Topic :: Internet :: WWW/HTTP" in loaded.package.classifiers
    # Datetimes come back aware, in UTC, to the microsecond.
    assert info.released == datetime(2026, 5, 14, 19, 25, 26, 443000, tzinfo=UTC)
    assert loaded.as_of == AS_OF
    # Other versions keep their dates and states but not their files (trimmed for storage).
    yanked = loaded.package.versions["2.32.0"]
    assert yanked.yanked is True
    assert yanked.files == ()
    assert yanked.released == requests.versions["2.32.0"].released
    assert loaded.findings is not None
    assert loaded.findings[0].aliases == ("CVE-2024-47081", "PYSEC-2025-0001")
    assert scores.load_facts(PackageKey("PyPI", "requests", "2.31.0")) is None
    assert scores.load_facts(PackageKey("npm", "requests", "2.34.2")) is None


def test_scoped_npm_package_round_trip(scores: ScoreStore) -> None:
    node = registry_packages()["@types/node"]
    facts = facts_of(node, popularity=140_000_000)
    scores.save_facts(facts)
    loaded = scores.load_facts(PackageKey("npm", "@types/node", "26.6.6"))
    assert loaded == facts.trimmed()
    assert loaded is not None
    assert loaded.purl == "pkg:npm/%40types/node@26.6.6"
    assert loaded.package is not None
    assert loaded.package.organization == "types"
    assert "4.0.22-alpha" in loaded.package.versions


def test_npm_provenance_on_every_version_round_trips(scores: ScoreStore) -> None:
    core = registry_packages()["@sigstore/core"]
    facts = facts_of(core, popularity=9_000_000)
    scores.save_facts(facts)
    loaded = scores.load_facts(PackageKey("npm", "@sigstore/core", core.latest or ""))
    assert loaded == facts.trimmed()
    assert loaded is not None
    assert loaded.package is not None
    # The scored version keeps its refs whole; other versions keep what components read of
    # them: whether they carry provenance (and of which kind), publisher and dates.
    latest = core.latest or ""
    for number, stored in loaded.package.versions.items():
        original = core.versions[number].provenance
        if number == latest:
            assert stored.provenance == original
        else:
            kinds = None if original is None else [ref.kind for ref in original]
            assert kinds == (
                None if stored.provenance is None else [r.kind for r in stored.provenance]
            )
        assert stored.published_by == core.versions[number].published_by
        assert stored.released == core.versions[number].released
    refs = loaded.package.versions[latest].provenance
    assert refs
    assert refs[0].predicate_type is not None
    assert loaded.package.created == core.created


def test_unknown_package_facts_store_and_load(scores: ScoreStore, db: Database) -> None:
    facts = PackageFacts(
        ecosystem=Ecosystem.PYPI,
        name="reqeusts",
        version="1.0.0",
        package=None,
        problems=("the registry does not know reqeusts",),
        as_of=AS_OF,
    )
    scores.save_facts(facts)
    assert scores.load_facts(PackageKey("PyPI", "reqeusts", "1.0.0")) == facts
    row, terms = package_row(db, "PyPI", "reqeusts")
    assert row is not None
    assert (row.version, row.latest, row.repository_key) == ("1.0.0", None, None)
    assert terms == []


def test_facts_without_a_version_are_refused_and_nothing_is_written(scores: ScoreStore) -> None:
    unknown = PackageFacts(ecosystem=Ecosystem.NPM, name="no-such-pkg", version=None, package=None)
    with pytest.raises(ValueError, match="npm/no-such-pkg have no version"):
        scores.save_facts(unknown)
    six = facts_of(registry_packages()["six"])
    with pytest.raises(ValueError, match="no version"):
        scores.save_many([six, unknown])
    assert list(scores.iter_facts()) == []
    assert scores.same_origin("PyPI", "other", "https://github.com/benjaminp/six") == ([], 0)


def test_save_replaces_the_stored_facts(scores: ScoreStore) -> None:
    six = registry_packages()["six"]
    scores.save_facts(facts_of(six, popularity=10, as_of=AS_OF))
    later = facts_of(six, popularity=20, as_of=AS_OF + timedelta(days=1))
    scores.save_facts(later)
    assert scores.load_facts(key_of(later)) == later.trimmed()
    assert [f.popularity for f in scores.iter_facts()] == [20]


def test_save_many_across_write_batches_keeps_the_last_duplicate(
    scores: ScoreStore, db: Database
) -> None:
    infos = registry_packages()
    batch = [
        facts_of(infos["is-number"], name=f"is-number-{i:04d}", popularity=i) for i in range(1_100)
    ]
    batch.append(facts_of(infos["is-number"], name="is-number-0007", popularity=7_000))
    assert scores.save_many(batch) == 1_101
    keys = list(scores.iter_keys(ecosystem="npm"))
    assert len(keys) == 1_100
    assert keys[7] == PackageKey("npm", "is-number-0007", "7.0.0")
    stored = scores.load_facts(keys[7])
    assert stored is not None
    assert stored.popularity == 7_000
    others, indexed = scores.same_origin(
        "npm", "is-number-0000", "https://github.com/jonschlinkert/is-number"
    )
    assert indexed == 1_100
    assert len(others) == 1_099
    assert others[0] == "npm/is-number-0007"  # most popular first
    # Batched loads keep the order asked, across batches, and skip versions never stored.
    asked = [*reversed(keys), PackageKey("npm", "is-number-0001", "6.0.0"), keys[3]]
    loaded = list(scores.load_many(asked))
    assert [key for key, _ in loaded] == [*reversed(keys), keys[3]]
    assert all((f.name, f.version) == (k.name, k.version) for k, f in loaded)
    assert loaded[-1][1] == scores.load_facts(keys[3])
    row, terms = package_row(db, "npm", "is-number-0500")
    assert row is not None
    assert row.popularity == 500
    assert "is-number" in terms


def test_iter_facts_is_ordered_filtered_and_limited(scores: ScoreStore) -> None:
    infos = registry_packages()
    saved = [
        facts_of(infos["six"]),
        facts_of(infos["six"], "1.16.0"),
        facts_of(infos["requests"], "2.31.0"),
        facts_of(infos["request"]),
        facts_of(infos["@types/node"]),
        facts_of(infos["is-number"]),
    ]
    scores.save_many(reversed(saved))
    order = [(str(f.ecosystem), f.name, f.version) for f in scores.iter_facts()]
    assert order == [
        ("PyPI", "requests", "2.31.0"),
        ("PyPI", "six", "1.16.0"),
        ("PyPI", "six", "1.17.0"),
        ("npm", "@types/node", "26.6.6"),
        ("npm", "is-number", "7.0.0"),
        ("npm", "request", "2.88.2"),
    ]
    assert [f.name for f in scores.iter_facts(ecosystem="npm", limit=2)] == [
        "@types/node",
        "is-number",
    ]
    assert [(k.name, k.version) for k in scores.iter_keys(ecosystem="PyPI")] == [
        (n, v) for _, n, v in order[:3]
    ]
    stream = scores.iter_facts()
    first = next(stream)
    stream.close()  # ending early releases the read
    assert first.name == "requests"
    scores.save_facts(facts_of(infos["six"], "1.15.0"))
    assert sum(1 for _ in scores.iter_facts(ecosystem="PyPI")) == 4


# -- package row and terms -----------------------------------------------------------------


def test_package_row_follows_the_latest_version(scores: ScoreStore, db: Database) -> None:
    six = registry_packages()["six"]
    # First seen through an old version: the row describes it until the latest comes.
    scores.save_facts(facts_of(six, "1.16.0", as_of=AS_OF))
    row, _ = package_row(db, "PyPI", "six")
    assert row is not None
    assert (row.version, row.latest) == ("1.16.0", "1.17.0")
    # The latest takes over even with older facts, since the row described an old version.
    scores.save_facts(facts_of(six, as_of=AS_OF - timedelta(hours=1), popularity=5))
    row, terms = package_row(db, "PyPI", "six")
    assert row is not None
    assert (row.version, row.latest, row.popularity) == ("1.17.0", "1.17.0", 5)
    assert row.repository_key == "github.com/benjaminp/six"
    assert row.summary == "Python 2 and 3 compatibility utilities"
    assert "topic :: utilities" in terms
    # Older versions saved later do not replace it.
    scores.save_facts(facts_of(six, "1.15.0", as_of=AS_OF + timedelta(days=3)))
    row, _ = package_row(db, "PyPI", "six")
    assert row is not None
    assert row.version == "1.17.0"
    # Facts of the latest older than the stored ones do not either.
    scores.save_facts(facts_of(six, as_of=AS_OF - timedelta(days=1), popularity=1))
    row, _ = package_row(db, "PyPI", "six")
    assert row is not None
    assert row.popularity == 5
    # Newer facts of the latest refresh the row and replace its terms.
    scores.save_facts(
        facts_of(
            six,
            as_of=AS_OF + timedelta(days=4),
            popularity=9,
            keywords=("Compat", "py2"),
            classifiers=("Topic :: Software Development :: Libraries",),
        )
    )
    row, terms = package_row(db, "PyPI", "six")
    assert row is not None
    assert row.popularity == 9
    assert terms == ["compat", "py2", "topic :: software development :: libraries"]
    # A new release the registry calls latest takes over, with the repository it declares.
    release = replace(six.versions["1.17.0"], version="1.18.0")
    scores.save_facts(
        facts_of(
            six,
            "1.18.0",
            as_of=AS_OF + timedelta(days=30),
            versions={**six.versions, "1.18.0": release},
            latest="1.18.0",
            source_repository="https://github.com/python-compat/six",
        )
    )
    row, _ = package_row(db, "PyPI", "six")
    assert row is not None
    assert (row.version, row.latest) == ("1.18.0", "1.18.0")
    assert row.repository_key == "github.com/python-compat/six"


def test_terms_are_normalised_unique_and_bounded() -> None:
    is_number = registry_packages()["is-number"]
    facts = facts_of(
        is_number,
        keywords=(
            "parseFloat",
            "parsefloat",
            "  is   number ",
            "",
            "x" * 300,
            *(f"kw{i}" for i in range(200)),
        ),
    )
    terms = facts_terms(facts)
    assert terms[:2] == ["parsefloat", "is number"]
    assert len(terms) == MAX_TERMS
    assert all(len(t) <= 200 for t in terms)
    assert normalize_term("Topic :: Internet ::  WWW/HTTP") == "topic :: internet :: www/http"


# -- same origin ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://github.com/Foo/Bar.git", "github.com/foo/bar"),
        ("github.com/foo/bar", "github.com/foo/bar"),
        ("git+https://github.com/foo/bar.git", "github.com/foo/bar"),
        ("git+ssh://git@github.com/foo/bar.git", "github.com/foo/bar"),
        ("git://github.com/foo/bar.git", "github.com/foo/bar"),
        ("git@github.com:Foo/Bar.git", "github.com/foo/bar"),
        ("github:foo/bar", "github.com/foo/bar"),
        ("https://www.github.com/foo/bar/tree/main/packages/baz", "github.com/foo/bar"),
        ("https://github.com/foo/bar/#readme", "github.com/foo/bar"),
        ("https://user:token@GitHub.com:443/foo/bar?tab=readme", "github.com/foo/bar"),
        ("https://gitlab.com/group/sub/project/-/tree/main", "gitlab.com/group/sub/project"),
        ("https://bitbucket.org/team/repo/src/master/", "bitbucket.org/team/repo"),
        ("https://git.example.org/tools/Repo.git/", "git.example.org/tools/repo"),
        ("https://github.com", None),
        ("https://github.com/", None),
        ("UNKNOWN", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_normalize_repository(url: str | None, key: str | None) -> None:
    assert normalize_repository(url) == key


def test_same_origin_across_ecosystems_and_url_variants(scores: ScoreStore) -> None:
    infos = registry_packages()
    six = infos["six"]
    scores.save_many(
        [
            facts_of(six, popularity=900),
            # An npm package and a PyPI look-alike claiming six's repository, differently spelt.
            facts_of(
                infos["is-number"],
                name="six-js",
                popularity=50,
                source_repository="git+https://github.com/BenjaminP/six.git",
            ),
            facts_of(
                six, name="sixx", popularity=None, source_repository="git@github.com:benjaminp/six"
            ),
            facts_of(
                six,
                name="six-compat",
                popularity=70,
                source_repository="https://github.com/benjaminp/six/tree/master",
            ),
            facts_of(infos["requests"]),
            facts_of(infos["@types/node"]),
        ]
    )
    others, indexed = scores.same_origin("PyPI", "six", "https://github.com/benjaminp/six.git")
    assert indexed == 6
    assert list(others) == ["PyPI/six-compat", "npm/six-js", "PyPI/sixx"]
    others, _ = scores.same_origin("npm", "six-js", "github.com/benjaminp/six")
    assert list(others) == ["PyPI/six", "PyPI/six-compat", "PyPI/sixx"]
    # Scoped names come back whole; the package asking is left out.
    others, _ = scores.same_origin(
        "PyPI", "types-node", "https://github.com/DefinitelyTyped/DefinitelyTyped"
    )
    assert list(others) == ["npm/@types/node"]
    others, _ = scores.same_origin(
        "npm", "@types/node", "github.com/definitelytyped/definitelytyped"
    )
    assert list(others) == []
    assert scores.same_origin("PyPI", "x", "https://github.com/nobody/nothing") == ([], 6)
    assert scores.same_origin("PyPI", "x", "not a url") == ([], 6)


def test_same_origin_forgets_a_repository_the_latest_facts_dropped(scores: ScoreStore) -> None:
    request = registry_packages()["request"]
    scores.save_facts(facts_of(request, name="request-fork", as_of=AS_OF))
    assert scores.same_origin("npm", "request", "https://github.com/request/request")[0] == [
        "npm/request-fork"
    ]
    scores.save_facts(
        facts_of(
            request,
            name="request-fork",
            as_of=AS_OF + timedelta(days=1),
            source_repository="https://github.com/someone/request-fork",
        )
    )
    assert scores.same_origin("npm", "request", "https://github.com/request/request") == ([], 1)


# -- reports -------------------------------------------------------------------------------


def test_report_round_trip_and_replace(scores: ScoreStore) -> None:
    key = PackageKey("PyPI", "requests", "2.34.2")
    first = {
        "package": "pkg:pypi/requests@2.34.2",
        "score": 8.6,
        "flags": [],
        "components": {"vulnerabilities": {"score": 9.0, "confidence": "high"}},
        "computed_at": "2026-06-01T12:00:00+00:00",
    }
    scores.save_report(key, 8.6, first, AS_OF)
    stored = scores.load_report(key)
    assert stored is not None
    assert (stored.key, stored.score, stored.report) == (key, 8.6, first)
    assert stored.computed_at == AS_OF
    assert stored.computed_at.tzinfo is not None
    unknown = {**first, "score": None, "components": {}}
    local = datetime(2026, 6, 2, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    scores.save_report(key, None, unknown, local)
    stored = scores.load_report(key)
    assert stored is not None
    assert stored.score is None
    assert stored.report == unknown
    assert stored.computed_at == datetime(2026, 6, 2, 9, 30, tzinfo=UTC)
    assert scores.load_report(PackageKey("PyPI", "requests", "2.31.0")) is None


def test_reported_since_over_many_keys(scores: ScoreStore) -> None:
    keys = [PackageKey("npm", f"pkg-{i:04d}", f"1.{i % 7}.0") for i in range(2_000)]
    for i, key in enumerate(keys):
        if i % 3 == 0:
            continue  # never reported
        scores.save_report(key, 5.0, {"score": 5.0}, AS_OF + timedelta(minutes=i % 5))
    since = AS_OF + timedelta(minutes=2)
    expected = {k for i, k in enumerate(keys) if i % 3 and i % 5 >= 2}
    asked = [*keys, PackageKey("PyPI", "pkg-0001", "1.1.0"), PackageKey("npm", "pkg-0001", "9")]
    started = time.perf_counter()
    found = scores.reported_since(iter(asked), since)
    elapsed = time.perf_counter() - started
    assert found == expected
    assert len(found) == 800
    assert elapsed < 5.0
    assert scores.reported_since([], since) == set()
    assert scores.reported_since(keys[:3], AS_OF) == {keys[1], keys[2]}


# -- similar packages ----------------------------------------------------------------------


def _similar_corpus(scores: ScoreStore) -> None:
    is_number = registry_packages()["is-number"]
    corpus: dict[str, tuple[Sequence[str], float | None]] = {
        "is-number": (("number", "is-number", "math", "numeric", "check"), 9.1),
        "is-num": (("number", "is-number", "numeric"), 4.0),
        "isnumeric": (("number", "numeric", "check"), 8.2),
        "num-check": (("number", "numeric", "check"), 7.5),
        "mathjs": (("math", "number"), 9.6),
        "unscored": (("number", "numeric", "check", "math"), None),
        "left-pad": (("pad", "string"), 9.9),
    }
    batch = [
        facts_of(is_number, name=name, keywords=tuple(keywords))
        for name, (keywords, _) in corpus.items()
    ]
    scores.save_many(batch)
    for facts in batch:
        score = corpus[facts.name][1]
        scores.save_report(key_of(facts), score, {"score": score}, AS_OF)


def test_similar_orders_by_shared_terms_then_score(scores: ScoreStore) -> None:
    _similar_corpus(scores)
    found = scores.similar(
        "npm", ["Number", "numeric", "check", "math"], exclude="is-number", min_score=7.0, limit=5
    )
    assert [(p.name, p.shared, p.score) for p in found] == [
        ("isnumeric", ("Number", "numeric", "check"), 8.2),
        ("num-check", ("Number", "numeric", "check"), 7.5),
        ("mathjs", ("Number", "math"), 9.6),
    ]
    assert all(p.version == "7.0.0" and p.ecosystem == "npm" for p in found)
    # The minimum score filters (is-num scores 4.0; unscored has no score at all).
    lower = scores.similar("npm", ["number", "is-number"], exclude="x", min_score=0.0, limit=10)
    assert [p.name for p in lower] == ["is-number", "is-num", "mathjs", "isnumeric", "num-check"]
    assert lower[1].shared == ("number", "is-number")
    assert [
        p.name for p in scores.similar("npm", ["math"], exclude="", min_score=9.5, limit=3)
    ] == ["mathjs"]
    # One term shared by all: the best scores first, cut at the limit.
    top = scores.similar("npm", ["number"], exclude="x", min_score=0.0, limit=2)
    assert [(p.name, p.score) for p in top] == [("mathjs", 9.6), ("is-number", 9.1)]
    assert scores.similar("PyPI", ["number"], exclude="x", min_score=0.0, limit=5) == []
    assert scores.similar("npm", ["", "  "], exclude="x", min_score=0.0, limit=5) == []
    assert scores.similar("npm", ["number"], exclude="x", min_score=0.0, limit=0) == []


def test_similar_uses_the_report_of_the_latest_version(scores: ScoreStore) -> None:
    six = registry_packages()["six"]
    scores.save_facts(facts_of(six, name="compat-lib"))
    scores.save_report(PackageKey("PyPI", "compat-lib", "1.16.0"), 9.0, {}, AS_OF)
    terms = ["Topic :: Utilities", "Intended Audience :: Developers"]
    assert scores.similar("PyPI", terms, exclude="six", min_score=5.0, limit=5) == []
    scores.save_report(PackageKey("PyPI", "compat-lib", "1.17.0"), 6.5, {}, AS_OF)
    (found,) = scores.similar("PyPI", terms, exclude="six", min_score=5.0, limit=5)
    assert (found.name, found.version, found.score) == ("compat-lib", "1.17.0", 6.5)
    assert found.shared == ("Topic :: Utilities", "Intended Audience :: Developers")


# -- schema and speed ----------------------------------------------------------------------


def test_migration_down_to_0001_and_up_again(scores: ScoreStore, db: Database) -> None:
    scores.save_facts(facts_of(registry_packages()["six"]))
    with db.engine.begin() as conn:
        migrations.downgrade(conn, "0001")
    tables = set(inspect(db.engine).get_table_names())
    assert not tables & SCORE_TABLES
    assert {"vulnerability", "affected_package", "alias", "meta"} <= tables
    assert db.revision() == "0001"
    with Database.open(db.engine.url.render_as_string(hide_password=False)) as again:
        assert again.migrated is True
        assert again.revision() == migrations.HEAD_REVISION
        assert set(inspect(again.engine).get_table_names()) >= SCORE_TABLES
        assert list(ScoreStore(again).iter_facts()) == []


def test_iter_facts_rate(scores: ScoreStore, db: Database) -> None:
    """2,000 real-shaped facts stream and parse well above 200 per second."""
    if db.dialect != "sqlite":
        pytest.skip("the rate is measured on SQLite")
    infos = list(registry_packages().values())
    batch = [
        facts_of(info, version, name=f"{info.name}-{i}")
        for i in range(90)
        for info in infos
        for version in list(info.versions)[-5:]
    ][:2_000]
    assert len(batch) == 2_000
    scores.save_many(batch)
    started = time.perf_counter()
    count = sum(1 for facts in scores.iter_facts() if facts.package is not None)
    rate = count / (time.perf_counter() - started)
    assert count == 2_000
    assert rate > 200, f"{rate:.0f} facts/s"


def test_batched_reports_and_same_origin_answers(scores: ScoreStore) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    packages = registry_packages()
    for name in ("six", "requests", "express"):
        scores.save_facts(facts_of(packages[name]))
    keys = [
        PackageKey(info.ecosystem.value, info.name, info.latest or "")
        for info in (packages["six"], packages["requests"])
    ]
    written = scores.save_reports(
        [(keys[0], 7.5, {"package": "six"}), (keys[1], None, {"package": "requests"})], now
    )
    assert written == 2
    assert scores.load_report(keys[0]).score == 7.5  # type: ignore[union-attr]
    assert scores.load_report(keys[1]).score is None  # type: ignore[union-attr]
    scores.save_reports([(keys[0], 8.0, {"package": "six"})], now)
    assert scores.load_report(keys[0]).score == 8.0  # type: ignore[union-attr]

    repository = packages["requests"].source_repository or ""
    found, total = scores.same_origin_many(
        [("PyPI", "requests", repository), ("PyPI", "evil-requests", repository.upper())]
    )
    single, single_total = scores.same_origin("PyPI", "evil-requests", repository)
    assert total == single_total == 3
    assert found[("PyPI", "requests")] == []
    assert found[("PyPI", "evil-requests")] == list(single) == ["PyPI/requests"]
