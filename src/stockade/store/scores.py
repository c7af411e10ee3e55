"""The scoring store: facts and trust reports per package version, and cross-package indexes.

Implements :class:`stockade.scoring.interface.ScoreStore`. Facts are kept whole
(``PackageFacts.to_json()``) by version; each package also has one row describing its latest
version seen (normalised source repository, summary, popularity) and the keywords and
classifiers of those facts, which answer the same-origin and similar-package questions.
Writes upsert and are all-or-nothing per call.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import Table, and_, delete, func, not_, select, tuple_
from sqlalchemy.orm import Session

from stockade.scoring.facts import PackageFacts
from stockade.scoring.interface import PackageKey, SimilarPackage, StoredReport
from stockade.store.db import Database
from stockade.store.models import PackageFactsRow, PackageRow, PackageTermRow, TrustReportRow

_WRITE_CHUNK = 500
"""Facts serialised and written per round of :meth:`ScoreStore.save_many`."""
_IN_CHUNK = 300
"""Composite keys per ``IN (...)`` clause (three bound parameters each)."""
_YIELD_PER = 500
"""Rows fetched per round when streaming facts."""
MAX_TERMS = 100
"""Terms indexed per package (keyword-stuffed packages would otherwise match everything)."""
MAX_TERM_LENGTH = 200
"""Longer keywords are not indexed."""

_PACKAGE = PackageRow.metadata.tables[PackageRow.__tablename__]
_TERM = PackageTermRow.metadata.tables[PackageTermRow.__tablename__]
_FACTS = PackageFactsRow.metadata.tables[PackageFactsRow.__tablename__]
_REPORT = TrustReportRow.metadata.tables[TrustReportRow.__tablename__]

_FORGES_OWNER_REPO = frozenset({"github.com", "bitbucket.org", "codeberg.org"})
"""Hosts whose repositories are exactly ``owner/name``: deeper paths are cut off."""
_SHORTHANDS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
"""npm ``repository`` shorthands (``github:owner/name``)."""
_SCP_LIKE = re.compile(r"^(?:[\w.+-]+@)?(?P<host>[\w.-]+\.[a-z]{2,}):(?P<path>[^/].*)$", re.I)
"""``git@github.com:owner/name.git``."""

_T = TypeVar("_T")


def normalize_repository(url: str | None) -> str | None:
    """The comparable form of a source repository URL, or ``None`` when it names none.

    Lower-case host (without ``www.``) and path, without scheme, user, port, query, fragment,
    ``.git`` suffix or trailing slash: ``https://github.com/Foo/Bar.git``,
    ``git+ssh://git@github.com/foo/bar``, ``git@github.com:foo/bar.git`` and ``github:foo/bar``
    all give ``github.com/foo/bar``. On GitHub, Bitbucket and Codeberg only ``owner/name`` is
    kept (``/tree/main/packages/x`` is the same repository); on GitLab, what follows ``/-/``.
    """
    if not url:
        return None
    text = url.strip()
    if text.lower().startswith("git+"):
        text = text[4:]
    host: str | None
    shorthand, _, rest = text.partition(":")
    if shorthand.lower() in _SHORTHANDS and not rest.startswith("//"):
        host, path = _SHORTHANDS[shorthand.lower()], rest
    elif "://" in text:
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:
            return None
        path = parts.path
    elif match := _SCP_LIKE.match(text):
        host, path = match["host"], match["path"]
    else:
        host, _, path = text.partition("/")
        host = host.rpartition("@")[2].partition(":")[0]
    path = path.split("?", 1)[0].split("#", 1)[0]
    if not host:
        return None
    host = host.lower().rstrip(".")
    host = host.removeprefix("www.")
    if "." not in host:
        return None
    segments = [s for s in path.lower().split("/") if s]
    if host in _FORGES_OWNER_REPO:
        segments = segments[:2]
    elif host == "gitlab.com" and "-" in segments:
        segments = segments[: segments.index("-")]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
        if not segments[-1]:
            segments.pop()
    if not segments:
        return None
    return f"{host}/{'/'.join(segments)}"


def normalize_term(term: str) -> str:
    """The comparable form of a keyword or classifier: lower case, single spaces."""
    return " ".join(term.split()).lower()


def facts_terms(facts: PackageFacts) -> list[str]:
    """The terms indexed for a package: its keywords then classifiers, normalised, unique,
    at most :data:`MAX_TERMS`, each at most :data:`MAX_TERM_LENGTH` characters."""
    package = facts.package
    if package is None:
        return []
    terms: dict[str, None] = {}
    for raw in (*package.keywords, *package.classifiers):
        term = normalize_term(raw)
        if term and len(term) <= MAX_TERM_LENGTH:
            terms[term] = None
            if len(terms) >= MAX_TERMS:
                break
    return list(terms)


def facts_repository(facts: PackageFacts) -> str | None:
    """The normalised repository the facts declare: the package's, else the version's."""
    if facts.package is not None:
        key = normalize_repository(facts.package.source_repository)
        if key is not None:
            return key
    info = facts.info
    return normalize_repository(info.source_repository) if info is not None else None


@dataclass(frozen=True, slots=True)
class _PackageState:
    version: str
    latest: str | None
    updated_at: datetime


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chunks(values: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _replaces(state: _PackageState | None, facts: PackageFacts) -> bool:
    """Whether ``facts`` should describe the package instead of what ``state`` came from.

    A package without a row takes any version. Otherwise the registry's latest version (or
    the version already described) takes over unless the row holds newer facts of a version
    that was the registry's latest; facts of other versions never replace the row.
    """
    if state is None:
        return True
    newer = _utc(facts.as_of) >= state.updated_at
    is_latest = facts.package is not None and facts.package.latest == facts.version
    if is_latest:
        return newer or state.latest != state.version
    return facts.version == state.version and newer


class ScoreStore:
    """Package facts, trust reports and the indexes across packages, in a database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        """The database."""

    @classmethod
    def open(cls, url: str | None = None) -> ScoreStore:
        """The store in the database at ``url`` (default: Stockade's own)."""
        return cls(Database.open(url))

    # -- facts -----------------------------------------------------------------------------

    def save_facts(self, facts: PackageFacts) -> None:
        """Insert or replace the facts of one version and refresh its package's indexes.

        Raises ``ValueError`` when the facts have no version. One transaction.
        """
        self.save_many((facts,))

    def save_many(self, facts: Iterable[PackageFacts]) -> int:
        """Insert or replace the facts of many versions in one transaction; how many were read.

        Faster than :meth:`save_facts` in a loop (rows are written in batches). When the same
        version comes twice, the last one is kept. Raises ``ValueError`` when one has no
        version, and then nothing is written.
        """
        count = 0
        with self.db.session() as session:
            for chunk in _chunks(facts, _WRITE_CHUNK):
                for item in chunk:
                    if item.version is None:
                        raise ValueError(
                            f"facts of {item.ecosystem}/{item.name} have no version to store"
                        )
                count += len(chunk)
                self._write_facts(session, chunk)
        return count

    def _write_facts(self, session: Session, chunk: Sequence[PackageFacts]) -> None:
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        by_package: dict[tuple[str, str], list[PackageFacts]] = {}
        for facts in chunk:
            assert facts.version is not None
            eco = str(facts.ecosystem)
            rows[(eco, facts.name, facts.version)] = {
                "ecosystem": eco,
                "name": facts.name,
                "version": facts.version,
                "facts": facts.to_json(),
                "fetched_at": _utc(facts.as_of),
            }
            by_package.setdefault((eco, facts.name), []).append(facts)
        self._upsert(session, _FACTS, list(rows.values()), update=True)

        states = self._package_states(session, list(by_package))
        described: dict[tuple[str, str], PackageFacts] = {}
        for package, versions in by_package.items():
            for facts in versions:
                if _replaces(states.get(package), facts):
                    assert facts.version is not None
                    latest = facts.package.latest if facts.package is not None else None
                    states[package] = _PackageState(facts.version, latest, _utc(facts.as_of))
                    described[package] = facts
        if not described:
            return
        package_rows = [
            {
                "ecosystem": eco,
                "name": name,
                "version": facts.version,
                "latest": facts.package.latest if facts.package is not None else None,
                "repository_key": facts_repository(facts),
                "summary": facts.package.summary if facts.package is not None else None,
                "popularity": facts.popularity,
                "updated_at": _utc(facts.as_of),
            }
            for (eco, name), facts in described.items()
        ]
        self._upsert(session, _PACKAGE, package_rows, update=True)
        for keys in _chunks(described, _IN_CHUNK):
            session.execute(delete(_TERM).where(tuple_(_TERM.c.ecosystem, _TERM.c.name).in_(keys)))
        term_rows = [
            {"ecosystem": eco, "name": name, "term": term}
            for (eco, name), facts in described.items()
            for term in facts_terms(facts)
        ]
        if term_rows:
            self._upsert(session, _TERM, term_rows, update=False)

    @staticmethod
    def _package_states(
        session: Session, packages: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], _PackageState]:
        states: dict[tuple[str, str], _PackageState] = {}
        for keys in _chunks(packages, _IN_CHUNK):
            query = select(
                _PACKAGE.c.ecosystem,
                _PACKAGE.c.name,
                _PACKAGE.c.version,
                _PACKAGE.c.latest,
                _PACKAGE.c.updated_at,
            ).where(tuple_(_PACKAGE.c.ecosystem, _PACKAGE.c.name).in_(keys))
            for eco, name, version, latest, updated_at in session.execute(query):
                states[(eco, name)] = _PackageState(version, latest, _utc(updated_at))
        return states

    def _upsert(
        self, session: Session, table: Table, rows: list[dict[str, Any]], *, update: bool
    ) -> None:
        """Insert ``rows``; on a primary-key conflict replace the row (``update``) or keep it."""
        if not rows:
            return
        keys = [column.name for column in table.primary_key.columns]
        if self.db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            pg = pg_insert(table)
            if update:
                changed = {c: pg.excluded[c] for c in rows[0] if c not in keys}
                session.execute(pg.on_conflict_do_update(index_elements=keys, set_=changed), rows)
            else:
                session.execute(pg.on_conflict_do_nothing(index_elements=keys), rows)
            return
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite = sqlite_insert(table)
        if update:
            changed = {c: lite.excluded[c] for c in rows[0] if c not in keys}
            session.execute(lite.on_conflict_do_update(index_elements=keys, set_=changed), rows)
        else:
            session.execute(lite.on_conflict_do_nothing(index_elements=keys), rows)

    def load_facts(self, key: PackageKey) -> PackageFacts | None:
        """The stored facts of a version, if any."""
        with self.db.session() as session:
            data = session.execute(
                select(_FACTS.c.facts).where(
                    _FACTS.c.ecosystem == key.ecosystem,
                    _FACTS.c.name == key.name,
                    _FACTS.c.version == key.version,
                )
            ).scalar()
        return None if data is None else PackageFacts.from_json(data)

    def load_many(
        self, keys: Iterable[PackageKey]
    ) -> Generator[tuple[PackageKey, PackageFacts], None, None]:
        """The stored facts of ``keys``, in their order, read a few hundred at a time.

        Versions without stored facts are skipped. Several times faster than
        :meth:`load_facts` per key (one query per batch instead of one per version).
        """
        columns = tuple_(_FACTS.c.ecosystem, _FACTS.c.name, _FACTS.c.version)
        with self.db.session() as session:
            for chunk in _chunks(keys, _IN_CHUNK):
                wanted = list(dict.fromkeys((k.ecosystem, k.name, k.version) for k in chunk))
                found = {
                    (eco, name, version): data
                    for eco, name, version, data in session.execute(
                        select(
                            _FACTS.c.ecosystem, _FACTS.c.name, _FACTS.c.version, _FACTS.c.facts
                        ).where(columns.in_(wanted))
                    )
                }
                for key in chunk:
                    data = found.get((key.ecosystem, key.name, key.version))
                    if data is not None:
                        yield key, PackageFacts.from_json(data)

    def iter_facts(
        self, *, ecosystem: str | None = None, limit: int | None = None
    ) -> Generator[PackageFacts, None, None]:
        """Stored facts by ecosystem, name and version, streamed in batches.

        The read stays open while the iterator is consumed; close it (or exhaust it) to end
        it early.
        """
        query = select(_FACTS.c.facts).order_by(_FACTS.c.ecosystem, _FACTS.c.name, _FACTS.c.version)
        if ecosystem is not None:
            query = query.where(_FACTS.c.ecosystem == ecosystem)
        if limit is not None:
            query = query.limit(limit)
        with self.db.session() as session:
            result = session.execute(query.execution_options(yield_per=_YIELD_PER))
            for data in result.scalars():
                yield PackageFacts.from_json(data)

    def iter_keys(
        self, *, ecosystem: str | None = None, limit: int | None = None
    ) -> Generator[PackageKey, None, None]:
        """The versions with stored facts, in the order of :meth:`iter_facts` (cheap)."""
        query = select(_FACTS.c.ecosystem, _FACTS.c.name, _FACTS.c.version).order_by(
            _FACTS.c.ecosystem, _FACTS.c.name, _FACTS.c.version
        )
        if ecosystem is not None:
            query = query.where(_FACTS.c.ecosystem == ecosystem)
        if limit is not None:
            query = query.limit(limit)
        with self.db.session() as session:
            for eco, name, version in session.execute(
                query.execution_options(yield_per=_YIELD_PER * 10)
            ):
                yield PackageKey(eco, name, version)

    # -- reports ---------------------------------------------------------------------------

    def save_report(
        self, key: PackageKey, score: float | None, report: dict[str, Any], computed_at: datetime
    ) -> None:
        """Insert or replace the report of a version."""
        self.save_reports([(key, score, report)], computed_at)

    def save_reports(
        self,
        reports: Iterable[tuple[PackageKey, float | None, dict[str, Any]]],
        computed_at: datetime,
    ) -> int:
        """Insert or replace many reports in one transaction; how many were written."""
        when = _utc(computed_at)
        rows = {
            (key.ecosystem, key.name, key.version): {
                "ecosystem": key.ecosystem,
                "name": key.name,
                "version": key.version,
                "score": score,
                "report": report,
                "computed_at": when,
            }
            for key, score, report in reports
        }
        with self.db.session() as session:
            for chunk in _chunks(list(rows.values()), _WRITE_CHUNK):
                self._upsert(session, _REPORT, list(chunk), update=True)
        return len(rows)

    def load_report(self, key: PackageKey) -> StoredReport | None:
        """The stored report of a version, if any."""
        with self.db.session() as session:
            row = session.execute(
                select(_REPORT.c.score, _REPORT.c.report, _REPORT.c.computed_at).where(
                    _REPORT.c.ecosystem == key.ecosystem,
                    _REPORT.c.name == key.name,
                    _REPORT.c.version == key.version,
                )
            ).first()
        if row is None:
            return None
        score, report, computed_at = row
        return StoredReport(key=key, score=score, report=report, computed_at=_utc(computed_at))

    def reported_since(self, keys: Iterable[PackageKey], since: datetime) -> set[PackageKey]:
        """Which of ``keys`` have a report computed at or after ``since`` (for resuming)."""
        wanted = {(k.ecosystem, k.name, k.version): k for k in keys}
        found: set[PackageKey] = set()
        columns = tuple_(_REPORT.c.ecosystem, _REPORT.c.name, _REPORT.c.version)
        with self.db.session() as session:
            for chunk in _chunks(wanted, _IN_CHUNK):
                query = select(_REPORT.c.ecosystem, _REPORT.c.name, _REPORT.c.version).where(
                    columns.in_(chunk), _REPORT.c.computed_at >= _utc(since)
                )
                found.update(
                    wanted[(eco, name, version)] for eco, name, version in session.execute(query)
                )
        return found

    # -- indexes across packages -----------------------------------------------------------

    def same_origin(self, ecosystem: str, name: str, repository: str) -> tuple[Sequence[str], int]:
        """Other packages (``ecosystem/name``, any ecosystem) whose latest facts declare the
        same normalised repository, most popular first, and how many packages are indexed."""
        key = normalize_repository(repository)
        with self.db.session() as session:
            total = session.execute(select(func.count()).select_from(_PACKAGE)).scalar_one()
            if key is None:
                return [], total
            rows = session.execute(
                select(_PACKAGE.c.ecosystem, _PACKAGE.c.name)
                .where(
                    _PACKAGE.c.repository_key == key,
                    not_(and_(_PACKAGE.c.ecosystem == ecosystem, _PACKAGE.c.name == name)),
                )
                .order_by(
                    _PACKAGE.c.popularity.is_(None),
                    _PACKAGE.c.popularity.desc(),
                    _PACKAGE.c.ecosystem,
                    _PACKAGE.c.name,
                )
            ).all()
        return [f"{eco}/{other}" for eco, other in rows], total

    def same_origin_many(
        self, packages: Iterable[tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, str], list[str]], int]:
        """:meth:`same_origin` for many ``(ecosystem, name, repository)`` at once (a few
        queries in all): the others by ``(ecosystem, name)``, and how many packages are
        indexed."""
        wanted = [(eco, name, normalize_repository(repo)) for eco, name, repo in packages]
        keys = sorted({key for _, _, key in wanted if key is not None})
        claimants: dict[str, list[tuple[str, str]]] = {}
        with self.db.session() as session:
            total = session.execute(select(func.count()).select_from(_PACKAGE)).scalar_one()
            for chunk in _chunks(keys, _IN_CHUNK):
                rows = session.execute(
                    select(_PACKAGE.c.repository_key, _PACKAGE.c.ecosystem, _PACKAGE.c.name)
                    .where(_PACKAGE.c.repository_key.in_(chunk))
                    .order_by(
                        _PACKAGE.c.popularity.is_(None),
                        _PACKAGE.c.popularity.desc(),
                        _PACKAGE.c.ecosystem,
                        _PACKAGE.c.name,
                    )
                ).all()
                for key, eco, other in rows:
                    claimants.setdefault(key, []).append((eco, other))
        found = {
            (eco, name): [
                f"{o_eco}/{other}"
                for o_eco, other in claimants.get(key or "", [])
                if (o_eco, other) != (eco, name)
            ]
            for eco, name, key in wanted
        }
        return found, total

    def similar(
        self, ecosystem: str, terms: Sequence[str], *, exclude: str, min_score: float, limit: int
    ) -> list[SimilarPackage]:
        """Packages of ``ecosystem`` sharing the most of ``terms`` whose report for the latest
        version seen scores at least ``min_score``: most shared terms first, then best score.

        Terms compare in :func:`normalize_term` form; the shared ones are given as spelled in
        ``terms``. ``exclude`` is a package name left out.
        """
        spelled: dict[str, str] = {}
        for term in terms:
            spelled.setdefault(normalize_term(term), term)
        spelled.pop("", None)
        wanted = list(spelled)[:_IN_CHUNK]
        if not wanted or limit <= 0:
            return []
        # Count shared terms on the term index alone, then look the few packages up by key:
        # the plan stays cheap even before the database has statistics on fresh rows.
        counted = (
            select(_TERM.c.name, func.count().label("shared"))
            .where(
                _TERM.c.ecosystem == ecosystem,
                _TERM.c.term.in_(wanted),
                _TERM.c.name != exclude,
            )
            .group_by(_TERM.c.name)
            .subquery("counted")
        )
        query = (
            select(counted.c.name, _PACKAGE.c.version, _REPORT.c.score, counted.c.shared)
            .join(
                _PACKAGE,
                and_(_PACKAGE.c.ecosystem == ecosystem, _PACKAGE.c.name == counted.c.name),
            )
            .join(
                _REPORT,
                and_(
                    _REPORT.c.ecosystem == ecosystem,
                    _REPORT.c.name == counted.c.name,
                    _REPORT.c.version == _PACKAGE.c.version,
                ),
            )
            .where(_REPORT.c.score >= min_score)
            .order_by(counted.c.shared.desc(), _REPORT.c.score.desc(), counted.c.name)
            .limit(limit)
        )
        with self.db.session() as session:
            found = session.execute(query).all()
            names = [row[0] for row in found]
            matched: dict[str, set[str]] = {name: set() for name in names}
            if names:
                for name, term in session.execute(
                    select(_TERM.c.name, _TERM.c.term).where(
                        _TERM.c.ecosystem == ecosystem,
                        _TERM.c.name.in_(names),
                        _TERM.c.term.in_(wanted),
                    )
                ):
                    matched[name].add(term)
        return [
            SimilarPackage(
                ecosystem=ecosystem,
                name=name,
                version=version,
                score=score,
                shared=tuple(spelled[t] for t in wanted if t in matched[name]),
            )
            for name, version, score, _count in found
        ]


__all__ = [
    "MAX_TERMS",
    "MAX_TERM_LENGTH",
    "ScoreStore",
    "facts_repository",
    "facts_terms",
    "normalize_repository",
    "normalize_term",
]
