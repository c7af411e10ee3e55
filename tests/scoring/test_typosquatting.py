"""The typosquatting component: flags, caps, scores, establishment and unknown packages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stockade.ecosystems.interface import Ecosystem, PackageInfo, VersionInfo
from stockade.scoring.alternatives import imitated
from stockade.scoring.components.typosquatting import (
    TYPOSQUAT_CAP,
    TYPOSQUATTING,
    TyposquattingScorer,
)
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import Component, ComponentName, Confidence, FlagLevel
from stockade.scoring.names import NameChecker, Policy, PopularNames, checker

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def package(
    ecosystem: Ecosystem, name: str, *, releases: int, first: datetime, every: timedelta
) -> PackageInfo:
    versions = {
        f"1.0.{i}": VersionInfo(ecosystem, name, f"1.0.{i}", released=first + i * every)
        for i in range(releases)
    }
    return PackageInfo(ecosystem, name, versions, latest=f"1.0.{releases - 1}")


def facts(
    name: str,
    ecosystem: Ecosystem = Ecosystem.PYPI,
    *,
    releases: int = 0,
    years: float = 0.0,
    popularity: int | None = None,
) -> PackageFacts:
    if not releases:
        return PackageFacts(ecosystem, name, None, None, popularity=popularity, as_of=NOW)
    first = NOW - timedelta(days=365.25 * years)
    info = package(
        ecosystem, name, releases=releases, first=first, every=(NOW - first) / (releases + 1)
    )
    return PackageFacts(ecosystem, name, info.latest, info, popularity=popularity, as_of=NOW)


def imitation(component: Component) -> dict[str, object]:
    found = [e for e in component.evidence if e.code == "imitates"]
    assert found, component
    value = found[0].value
    assert isinstance(value, dict)
    return value


def test_an_unknown_typosquat_is_capped() -> None:
    component = TYPOSQUATTING(facts("reqeusts"))
    assert component.name is ComponentName.TYPOSQUATTING
    assert component.score == 2.0
    assert component.confidence is Confidence.HIGH
    (flag,) = component.flags
    assert (flag.code, flag.level, flag.cap) == ("typosquat", FlagLevel.CAP, TYPOSQUAT_CAP)
    assert "'requests'" in flag.message
    value = imitation(component)
    assert value["target"] == "requests"
    assert value["technique"] == "edit-distance"
    assert value["strength"] == "strong"
    assert any(e.code == "unknown-package" for e in component.evidence)
    assert imitated([component]) == ["requests"]


@pytest.mark.parametrize(
    ("name", "ecosystem", "score", "technique"),
    [
        ("jeilyfish", Ecosystem.PYPI, 1.0, "homoglyph"),
        ("crossenv", Ecosystem.NPM, 1.0, "separator"),
        ("jsonstream", Ecosystem.NPM, 1.0, "case"),
        ("python3-dateutil", Ecosystem.PYPI, 2.0, "affix"),
        ("urlib3", Ecosystem.PYPI, 2.0, "repeated-char"),
        ("types-node", Ecosystem.NPM, 2.0, "scope"),
        ("toolbelt-requests", Ecosystem.PYPI, 2.0, "reorder"),
        ("discord-selfbot", Ecosystem.PYPI, 3.0, "combosquat"),
    ],
)
def test_strong_imitations_score_low_and_cap(
    name: str, ecosystem: Ecosystem, score: float, technique: str
) -> None:
    component = TYPOSQUATTING(facts(name, ecosystem, releases=2, years=0.1))
    assert component.score == score
    assert imitation(component)["technique"] == technique
    assert [f.level for f in component.flags] == [FlagLevel.CAP]
    assert component.summary.startswith(f"'{name}' imitates the popular package")


@pytest.mark.parametrize(
    ("name", "score"),
    [("yaml", 5.0), ("freqtarde", 5.0), ("beatifusoup4", 6.0), ("invokehttp", 7.0)],
)
def test_weak_resemblances_warn(name: str, score: float) -> None:
    component = TYPOSQUATTING(facts(name, releases=3, years=0.5))
    assert component.score == score
    assert component.confidence is Confidence.MEDIUM
    (flag,) = component.flags
    assert (flag.code, flag.level, flag.cap) == ("possible-typosquat", FlagLevel.WARN, None)
    assert imitation(component)["strength"] == "weak"
    assert any(e.code == "history" for e in component.evidence)


@pytest.mark.parametrize(
    ("name", "ecosystem", "target"),
    [
        ("axios-proxy", Ecosystem.NPM, "axios"),  # MAL-2023-116
        ("eslint-config-mattermost", Ecosystem.NPM, "eslint"),  # MAL-2022-2800
        ("httpx-advanced", Ecosystem.PYPI, "httpx"),  # MAL-2024-5234
    ],
)
def test_a_new_package_extending_a_popular_name_gets_a_warning(
    name: str, ecosystem: Ecosystem, target: str
) -> None:
    component = TYPOSQUATTING(facts(name, ecosystem, releases=1, years=0.01))
    assert component.score == 7.0
    (flag,) = component.flags
    assert (flag.code, flag.level, flag.cap) == ("possible-typosquat", FlagLevel.WARN, None)
    value = imitation(component)
    assert (value["target"], value["technique"], value["strength"]) == (
        target,
        "combosquat",
        "weak",
    )


@pytest.mark.parametrize(
    ("name", "ecosystem"),
    [
        ("express-frobnicate", Ecosystem.NPM),  # an old plugin outside the popular list
        ("requests-frobnicate", Ecosystem.PYPI),
        ("react-frobnicate", Ecosystem.NPM),  # a conventional prefix: never flagged
    ],
)
def test_an_established_extension_is_not_flagged(name: str, ecosystem: Ecosystem) -> None:
    component = TYPOSQUATTING(facts(name, ecosystem, releases=15, years=4.0))
    assert component.score == 10.0
    assert component.flags == ()


def test_established_packages_ignore_weak_resemblances() -> None:
    component = TYPOSQUATTING(facts("yaml", releases=12, years=3.0))
    assert component.score == 10.0
    assert component.flags == ()
    (history,) = [e for e in component.evidence if e.code == "established"]
    assert history.value == {"years": 3.0, "releases": 12}


def test_established_packages_keep_strong_imitations() -> None:
    component = TYPOSQUATTING(facts("reqeusts", releases=12, years=3.0))
    assert component.score == 2.0
    assert component.flags[0].level is FlagLevel.CAP


@pytest.mark.parametrize(("releases", "years"), [(12, 1.5), (5, 3.0)])
def test_establishment_needs_both_age_and_releases(releases: int, years: float) -> None:
    component = TYPOSQUATTING(facts("yaml", releases=releases, years=years))
    assert component.score == 5.0


def test_releases_after_the_facts_are_not_history() -> None:
    first = NOW - timedelta(days=3 * 365)
    info = package(Ecosystem.PYPI, "yaml", releases=12, first=first, every=timedelta(days=200))
    as_of = first + timedelta(days=800)  # 2.2 years in, 5 releases out
    component = TYPOSQUATTING(PackageFacts(Ecosystem.PYPI, "yaml", "1.0.0", info, as_of=as_of))
    assert component.score == 5.0
    (history,) = [e for e in component.evidence if e.code == "history"]
    assert history.value == {"years": 2.19, "releases": 5}


def test_naive_release_dates_are_utc() -> None:
    first = datetime(2020, 1, 1)
    info = package(Ecosystem.PYPI, "yaml", releases=12, first=first, every=timedelta(days=30))
    component = TYPOSQUATTING(PackageFacts(Ecosystem.PYPI, "yaml", "1.0.0", info, as_of=NOW))
    assert component.score == 10.0


@pytest.mark.parametrize(
    ("name", "ecosystem"),
    [
        ("requests", Ecosystem.PYPI),
        ("attr", Ecosystem.PYPI),
        ("boto", Ecosystem.PYPI),
        ("requests-oauthlib", Ecosystem.PYPI),
        ("react-dom", Ecosystem.NPM),
        ("@types/node", Ecosystem.NPM),
    ],
)
def test_popular_packages_are_not_imitations(name: str, ecosystem: Ecosystem) -> None:
    popularity = checker(ecosystem).popular.popularity(name)
    assert popularity is not None
    component = TYPOSQUATTING(facts(name, ecosystem, releases=1, popularity=popularity))
    assert component.score == 10.0
    assert component.confidence is Confidence.HIGH
    assert component.flags == ()
    assert component.evidence[0].code == "popular"
    assert component.summary == f"'{name}' does not imitate the name of a popular package."


def test_an_unknown_name_that_imitates_nothing() -> None:
    component = TYPOSQUATTING(facts("frobnicator"))
    assert component.score == 10.0
    assert [e.code for e in component.evidence] == ["unknown-package"]


def test_a_scorer_with_its_own_lists() -> None:
    popular = PopularNames.from_text(Ecosystem.PYPI, "internal-tool\t5000000\n")
    scorer = TyposquattingScorer(lambda eco: NameChecker(eco, popular, Policy()))
    assert scorer(facts("internal-tol")).score == 2.0
    assert scorer(facts("reqeusts")).score == 10.0
    assert scorer.name is ComponentName.TYPOSQUATTING
