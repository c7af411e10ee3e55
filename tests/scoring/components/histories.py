"""Real-shaped package histories for the component tests, and builders of their facts.

Release dates follow the packages' public histories (a subset of versions for the long ones).
``six`` and the ``requests`` releases also in ``tests/fixtures/registry/pypi`` are dated as
recorded there; the well-documented events (the ``event-stream`` takeover of September 2018,
the ``ua-parser-js`` hijack of 22 October 2021) to the day; the rest right to the month or so.
Publishers and maintainers are as the registries showed them at the time where it matters to a
test (``event-stream``: dominictarr, then right9ctrl). They are test data, not a reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from stockade.ecosystems.interface import Ecosystem, PackageInfo, ProvenanceRef, VersionInfo
from stockade.scoring.facts import PackageFacts, SameOrigin
from stockade.scoring.model import Component, Evidence, clamp

Release = tuple[str, str] | tuple[str, str, Mapping[str, Any]]
"""``(version, ISO date[, VersionInfo fields])``."""


def when(text: str) -> datetime:
    """An ISO date or date-time, in UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def package(
    ecosystem: Ecosystem,
    name: str,
    releases: Iterable[Release],
    *,
    latest: str | None = None,
    every: Mapping[str, Any] | None = None,
    **fields: Any,
) -> PackageInfo:
    """A package as a registry client returns it; ``every`` holds fields of all versions."""
    versions: dict[str, VersionInfo] = {}
    for release in releases:
        version, date = release[0], release[1]
        extra = {**(every or {}), **(release[2] if len(release) == 3 else {})}
        versions[version] = VersionInfo(
            ecosystem=ecosystem, name=name, version=version, released=when(date), **extra
        )
    return PackageInfo(
        ecosystem=ecosystem,
        name=name,
        versions=versions,
        latest=latest or list(versions)[-1],
        **fields,
    )


def facts(
    info: PackageInfo | None,
    version: str | None,
    as_of: str,
    *,
    name: str | None = None,
    ecosystem: Ecosystem | None = None,
    **fields: Any,
) -> PackageFacts:
    """The facts of one version, gathered at ``as_of``."""
    return PackageFacts(
        ecosystem=ecosystem or (info.ecosystem if info else Ecosystem.PYPI),
        name=name or (info.name if info else ""),
        version=version,
        package=info,
        as_of=when(as_of),
        **fields,
    )


def with_version(info: PackageInfo, version: str, **changes: Any) -> PackageInfo:
    """The package with one version's fields changed."""
    versions = dict(info.versions)
    versions[version] = replace(versions[version], **changes)
    return replace(info, versions=versions)


# --- PyPI ------------------------------------------------------------------------------------

SIX_RELEASES: list[Release] = [
    # Every release, dated by its first upload (as in tests/fixtures/registry/pypi/six.json).
    ("0.9.0", "2010-06-29"),
    ("0.9.1", "2010-06-30"),
    ("0.9.2", "2010-07-05"),
    ("1.0b1", "2010-11-20"),
    ("1.0.0", "2011-03-15"),
    ("1.1.0", "2011-11-23"),
    ("1.2.0", "2012-08-28"),
    ("1.3.0", "2013-03-18"),
    ("1.4.0", "2013-09-01"),
    ("1.4.1", "2013-09-02"),
    ("1.5.0", "2014-01-05"),
    ("1.5.1", "2014-01-05T05:15:14"),
    ("1.5.2", "2014-01-06"),
    ("1.6.0", "2014-03-14"),
    ("1.6.1", "2014-03-14T03:39:35"),
    ("1.7.0", "2014-06-08"),
    ("1.7.1", "2014-06-09"),
    ("1.7.2", "2014-06-09T04:15:38"),
    ("1.7.3", "2014-06-29"),
    ("1.8.0", "2014-09-11"),
    ("1.9.0", "2015-01-02"),
    ("1.10.0", "2015-10-07"),
    ("1.11.0", "2017-09-17"),
    ("1.12.0", "2018-12-10"),
    ("1.13.0", "2019-11-05"),
    ("1.14.0", "2020-01-15"),
    ("1.15.0", "2020-05-21"),
    ("1.16.0", "2021-05-05"),
    ("1.17.0", "2024-12-04"),
]


def six(*, until: str | None = None) -> PackageInfo:
    """``six``: a finished, slow-moving package with a long history and one owner."""
    releases = [r for r in SIX_RELEASES if until is None or r[1] <= until]
    return package(
        Ecosystem.PYPI,
        "six",
        releases,
        source_repository="https://github.com/benjaminp/six",
        summary="Python 2 and 3 compatibility utilities",
        description=True,
        homepage="https://github.com/benjaminp/six",
        license="MIT",
        classifiers=(
            "Development Status :: 5 - Production/Stable",
            "Intended Audience :: Developers",
            "License :: OSI Approved :: MIT License",
            "Programming Language :: Python :: 3",
        ),
        maintainers=("gutworth",),
    )


REQUESTS_RELEASES: list[Release] = [
    ("0.2.0", "2011-02-14"),
    ("1.0.0", "2012-12-17"),
    ("2.0.0", "2013-09-24"),
    ("2.18.4", "2017-08-15"),
    ("2.19.0", "2018-06-12"),
    ("2.20.0", "2018-10-18"),
    ("2.21.0", "2018-12-10"),
    ("2.22.0", "2019-05-16"),
    ("2.23.0", "2020-02-19"),
    ("2.24.0", "2020-06-17"),
    ("2.25.0", "2020-11-11"),
    ("2.25.1", "2020-12-16"),
    ("2.26.0", "2021-07-13"),
    ("2.27.0", "2022-01-03"),
    ("2.27.1", "2022-01-05"),
    ("2.28.0", "2022-06-09"),
    ("2.28.1", "2022-06-29"),
    ("2.28.2", "2023-01-12"),
    ("2.29.0", "2023-04-26"),
    ("2.30.0", "2023-05-03"),
    ("2.31.0", "2023-05-22"),
    (
        "2.32.0",
        "2024-05-20",
        {"yanked": True, "yanked_reason": "Yanked due to conflicts with CVE-2024-35195 mitigation"},
    ),
    (
        "2.32.1",
        "2024-05-20T22:08:45",
        {"yanked": True, "yanked_reason": "Yanked due to conflicts with CVE-2024-35195 mitigation"},
    ),
    ("2.32.2", "2024-05-21T17:42:00"),
    ("2.32.3", "2024-05-29"),
]


def requests() -> PackageInfo:
    """``requests`` as of mid-2024: active, several maintainers, two yanked releases."""
    return package(
        Ecosystem.PYPI,
        "requests",
        REQUESTS_RELEASES,
        latest="2.32.3",
        source_repository="https://github.com/psf/requests",
        summary="Python HTTP for Humans.",
        description=True,
        homepage="https://requests.readthedocs.io",
        license="Apache-2.0",
        classifiers=(
            "Development Status :: 5 - Production/Stable",
            "License :: OSI Approved :: Apache Software License",
            "Programming Language :: Python :: 3",
        ),
        maintainers=("Lukasa", "graffatcolmingov", "nateprewitt"),
    )


def _pep740(version: str) -> dict[str, Any]:
    filename = f"ultralytics-{version}-py3-none-any.whl"
    return {
        "provenance": (
            ProvenanceRef(
                kind="pep740",
                url=f"https://pypi.test/integrity/ultralytics/{version}/{filename}/provenance",
                filename=filename,
                source_repository="ultralytics/ultralytics",
                workflow="publish.yml",
            ),
        )
    }


def ultralytics() -> PackageInfo:
    """``ultralytics`` in December 2024: releases built with PEP 740 attestations by its CI,
    then 8.3.45 and 8.3.46 uploaded with a stolen token and no attestation (modelled on the
    public incident reports)."""
    return package(
        Ecosystem.PYPI,
        "ultralytics",
        [
            ("8.3.38", "2024-11-28", _pep740("8.3.38")),
            ("8.3.39", "2024-11-29", _pep740("8.3.39")),
            ("8.3.40", "2024-12-01", _pep740("8.3.40")),
            ("8.3.41", "2024-12-04", _pep740("8.3.41")),
            ("8.3.42", "2024-12-05", _pep740("8.3.42")),
            ("8.3.43", "2024-12-05", _pep740("8.3.43")),
            ("8.3.44", "2024-12-06", _pep740("8.3.44")),
            ("8.3.45", "2024-12-07T09:00:00", {"provenance": ()}),
            ("8.3.46", "2024-12-07T10:00:00", {"provenance": ()}),
        ],
        source_repository="https://github.com/ultralytics/ultralytics",
        summary="Ultralytics YOLO for SOTA object detection, multi-object tracking, ...",
        description=True,
        homepage="https://ultralytics.com",
        license="AGPL-3.0",
        keywords=("machine-learning", "deep-learning", "yolo"),
        classifiers=("License :: OSI Approved :: GNU Affero General Public License v3",),
        maintainers=("glenn-jocher",),
    )


# --- npm -------------------------------------------------------------------------------------

EVENT_STREAM_RELEASES: list[Release] = [
    ("0.5.3", "2011-07-18", {"published_by": "dominictarr"}),
    ("1.0.0", "2011-11-26", {"published_by": "dominictarr"}),
    ("2.0.0", "2012-01-17", {"published_by": "dominictarr"}),
    ("3.0.0", "2012-06-27", {"published_by": "dominictarr"}),
    ("3.0.20", "2014-03-03", {"published_by": "dominictarr"}),
    ("3.1.0", "2014-03-10", {"published_by": "dominictarr"}),
    ("3.1.7", "2014-07-18", {"published_by": "dominictarr"}),
    ("3.2.0", "2014-12-21", {"published_by": "dominictarr"}),
    ("3.2.2", "2015-01-27", {"published_by": "dominictarr"}),
    ("3.3.0", "2015-03-15", {"published_by": "dominictarr"}),
    ("3.3.1", "2015-04-28", {"published_by": "dominictarr"}),
    ("3.3.2", "2015-10-21", {"published_by": "dominictarr"}),
    ("3.3.3", "2016-05-23", {"published_by": "dominictarr"}),
    ("3.3.4", "2016-07-06", {"published_by": "dominictarr"}),
    ("3.3.5", "2018-09-05", {"published_by": "right9ctrl"}),
    ("3.3.6", "2018-09-09", {"published_by": "right9ctrl"}),
    ("4.0.0", "2018-09-20", {"published_by": "right9ctrl"}),
    ("4.0.1", "2018-09-21", {"published_by": "right9ctrl"}),
]


def event_stream(
    *, until: str | None = None, maintainers: tuple[str, ...] | None = None
) -> PackageInfo:
    """``event-stream``: handed to a new publisher after two dormant years, who added the
    ``flatmap-stream`` dependency in 3.3.6."""
    releases = [r for r in EVENT_STREAM_RELEASES if until is None or r[1] <= until]
    return package(
        Ecosystem.NPM,
        "event-stream",
        releases,
        source_repository="https://github.com/dominictarr/event-stream",
        summary="construct pipes of streams of events",
        description=True,
        homepage="http://github.com/dominictarr/event-stream",
        license="MIT",
        keywords=("stream", "event", "pipe", "pipeline", "map"),
        maintainers=maintainers if maintainers is not None else ("dominictarr", "right9ctrl"),
    )


UA_PARSER_RELEASES: list[Release] = [
    ("0.7.0", "2014-06-17"),
    ("0.7.10", "2015-10-23"),
    ("0.7.17", "2017-10-07"),
    ("0.7.20", "2019-05-22"),
    ("0.7.21", "2019-12-16"),
    ("0.7.22", "2020-09-12"),
    ("0.7.23", "2020-12-05"),
    ("0.7.24", "2021-02-10"),
    ("0.7.25", "2021-03-23"),
    ("0.7.26", "2021-04-02"),
    ("0.7.27", "2021-04-05"),
    ("0.7.28", "2021-04-08"),
    ("0.7.29", "2021-10-22T12:15:00"),
    ("0.8.0", "2021-10-22T12:16:00"),
    ("1.0.0", "2021-10-22T12:17:00"),
    ("1.0.1", "2021-10-22T16:10:00"),
    ("0.8.1", "2021-10-22T16:11:00"),
    ("0.7.30", "2021-10-22T16:12:00"),
]


def ua_parser_js() -> PackageInfo:
    """``ua-parser-js`` on 22 October 2021: the hijacked 0.7.29, 0.8.0 and 1.0.0, then the
    fixed 1.0.1, 0.8.1 and 0.7.30 published as backports, all from the maintainer's account."""
    return package(
        Ecosystem.NPM,
        "ua-parser-js",
        UA_PARSER_RELEASES,
        latest="0.7.30",
        every={"published_by": "faisalman"},
        source_repository="https://github.com/faisalman/ua-parser-js",
        summary="Lightweight JavaScript-based user-agent string parser",
        description=True,
        homepage="https://github.com/faisalman/ua-parser-js",
        license="MIT",
        keywords=("user-agent", "parser", "browser", "engine", "os", "device", "cpu"),
        maintainers=("faisalman",),
    )


LEFT_PAD_DEPRECATION = "use String.prototype.padStart()"
LEFT_PAD_RELEASES: list[Release] = [
    ("0.0.3", "2014-03-14", {"published_by": "azer"}),
    ("0.0.4", "2015-07-07", {"published_by": "azer"}),
    ("0.0.9", "2015-10-27", {"published_by": "azer"}),
    ("1.0.0", "2016-03-23", {"published_by": "camwest"}),
    ("1.0.1", "2016-03-24", {"published_by": "camwest"}),
    ("1.0.2", "2016-03-29", {"published_by": "camwest"}),
    ("1.1.0", "2016-04-08", {"published_by": "camwest"}),
    ("1.1.1", "2016-06-28", {"published_by": "camwest"}),
    ("1.1.2", "2016-09-08", {"published_by": "camwest"}),
    ("1.1.3", "2016-09-16", {"published_by": "camwest"}),
    ("1.2.0", "2017-11-19", {"published_by": "camwest"}),
    ("1.3.0", "2018-04-09", {"published_by": "camwest"}),
]


def left_pad(*, deprecated: bool = True) -> PackageInfo:
    """``left-pad``: unpublished and republished by a new owner in March 2016, deprecated
    in favour of ``String.prototype.padStart`` (every version carries the message)."""
    every = {"deprecated": LEFT_PAD_DEPRECATION} if deprecated else {}
    return package(
        Ecosystem.NPM,
        "left-pad",
        LEFT_PAD_RELEASES,
        every=every,
        source_repository="https://github.com/stevemao/left-pad",
        summary="String left pad",
        description=True,
        homepage="https://github.com/stevemao/left-pad#readme",
        license="WTFPL",
        keywords=("leftpad", "left", "pad", "padding", "string"),
        maintainers=("camwest",),
    )


def _npm_provenance(version: str) -> dict[str, Any]:
    return {
        "provenance": (
            ProvenanceRef(
                kind="npm",
                url=f"https://npm.test/-/npm/v1/attestations/@solana%2fweb3.js@{version}",
                predicate_type="https://slsa.dev/provenance/v1",
                source_repository="https://github.com/solana-labs/solana-web3.js",
            ),
        )
    }


def solana_web3() -> PackageInfo:
    """``@solana/web3.js`` in December 2024: releases built by CI with npm provenance, then
    1.95.6 and 1.95.7 published from a phished account without it, then the fixed 1.95.8
    (modelled on the public incident reports)."""
    return package(
        Ecosystem.NPM,
        "@solana/web3.js",
        [
            ("1.95.1", "2024-07-16", _npm_provenance("1.95.1")),
            ("1.95.2", "2024-07-30", _npm_provenance("1.95.2")),
            ("1.95.3", "2024-08-22", _npm_provenance("1.95.3")),
            ("1.95.4", "2024-10-15", _npm_provenance("1.95.4")),
            ("1.95.5", "2024-11-18", _npm_provenance("1.95.5")),
            ("1.95.6", "2024-12-03T15:20:00", {"provenance": ()}),
            ("1.95.7", "2024-12-03T15:30:00", {"provenance": ()}),
            ("1.95.8", "2024-12-03T20:40:00", _npm_provenance("1.95.8")),
        ],
        latest="1.95.8",
        source_repository="https://github.com/solana-labs/solana-web3.js",
        summary="Solana Javascript API",
        description=True,
        homepage="https://solana-labs.github.io/solana-web3.js",
        license="MIT",
        keywords=("api", "blockchain"),
        organization="solana",
    )


def babel_core() -> PackageInfo:
    """``@babel/core``: one of the many packages of the ``babel/babel`` monorepo."""
    return package(
        Ecosystem.NPM,
        "@babel/core",
        [("7.24.0", "2024-02-28"), ("7.24.5", "2024-04-29"), ("7.24.7", "2024-06-05")],
        source_repository="https://github.com/babel/babel",
        summary="Babel compiler core.",
        description=True,
        homepage="https://babel.dev/docs/en/next/babel-core",
        license="MIT",
        keywords=("6to5", "babel", "classes", "compiler", "es6", "transpile"),
        organization="babel",
    )


def same_origin(repository: str, *others: str, indexed: int = 20_000) -> SameOrigin:
    """The same-origin index's answer."""
    return SameOrigin(repository=repository, others=others, indexed=indexed)


def assert_adds_up(component: Component, base: float) -> None:
    """The score is the base plus the evidence impacts, as the module tables say."""
    assert component.score is not None
    assert component.score == clamp(base + sum(e.impact for e in component.evidence))


def codes(component: Component) -> set[str]:
    """The evidence codes of a component."""
    return {e.code for e in component.evidence}


def flags(component: Component) -> set[str]:
    """The flag codes of a component."""
    return {f.code for f in component.flags}


def evidence(component: Component, code: str) -> Evidence:
    """The one evidence item of that code."""
    found = [e for e in component.evidence if e.code == code]
    assert len(found) == 1, f"{code}: {component.evidence}"
    return found[0]
