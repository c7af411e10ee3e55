"""The origin component: name fit, monorepos and the starjacking pattern."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.components._common import split_package
from stockade.scoring.components.origin import (
    BASE,
    NO_REPOSITORY,
    ORIGIN,
    Fit,
    OriginScorer,
    name_fit,
    popular_lists,
)
from stockade.scoring.model import ComponentName, Confidence, FlagLevel
from tests.scoring.components.histories import (
    assert_adds_up,
    babel_core,
    codes,
    evidence,
    facts,
    flags,
    package,
    requests,
    same_origin,
)

Popularity = Callable[[Ecosystem, str], int | None]
REQUESTS_REPO = "https://github.com/psf/requests"


@pytest.mark.parametrize(
    ("name", "repository", "fit"),
    [
        ("requests", "https://github.com/psf/requests", Fit.EXACT),
        ("django-foo", "https://github.com/org/django-foo", Fit.EXACT),
        ("python-dateutil", "https://github.com/dateutil/dateutil", Fit.EXACT),
        ("msgpack", "https://github.com/msgpack/msgpack-python", Fit.EXACT),
        ("ua-parser-js", "https://github.com/faisalman/ua-parser-js", Fit.EXACT),
        ("colors", "https://github.com/Marak/colors.js", Fit.EXACT),
        ("@babel/core", "https://github.com/babel/babel", Fit.STEM),
        ("azure-storage-blob", "https://github.com/Azure/azure-sdk-for-python", Fit.STEM),
        ("@types/node", "https://github.com/DefinitelyTyped/DefinitelyTyped", Fit.STEM),
        ("types-requests", "https://github.com/python/typeshed", Fit.STEM),
        ("torch", "https://github.com/pytorch/pytorch", Fit.STEM),
        ("google-api-core", "https://github.com/googleapis/python-api-core", Fit.STEM),
        ("lodash.get", "https://github.com/lodash/lodash", Fit.STEM),
        ("flatmap-stream", "https://github.com/dominictarr/event-stream", Fit.STEM),
        ("reqeusts", "https://github.com/psf/requests", Fit.NEAR),
        ("evilpkg", "https://github.com/psf/requests", Fit.NONE),
        ("crypto-helper", "https://github.com/axios/axios", Fit.NONE),
        ("python-evil", "https://github.com/python/cpython", Fit.NONE),
    ],
)
def test_name_fit(name: str, repository: str, fit: Fit) -> None:
    assert name_fit(name, repository) is fit


def test_starjacking_a_popular_repository(popularity: Popularity) -> None:
    info = package(
        Ecosystem.PYPI,
        "evilpkg",
        [("0.1.0", "2024-05-30")],
        source_repository=REQUESTS_REPO,
        summary="Python HTTP for Humans.",
    )
    scorer = OriginScorer(popularity)
    component = scorer(
        facts(info, "0.1.0", "2024-06-01", same_origin=same_origin(REQUESTS_REPO, "PyPI/requests"))
    )
    assert component.name is ComponentName.ORIGIN
    assert component.score == 2.0
    assert flags(component) == {"starjacking"}
    assert component.flags[0].level is FlagLevel.WARN
    assert "PyPI/requests" in component.flags[0].message
    assert component.confidence is Confidence.MEDIUM  # evidence, not a verdict
    assert evidence(component, "starjacking").value == ["PyPI/requests"]
    assert evidence(component, "name-fit").value == "none"
    assert_adds_up(component, BASE)


def test_a_look_alike_name_declaring_the_real_repository(popularity: Popularity) -> None:
    info = package(
        Ecosystem.PYPI, "reqeusts", [("2.32.3", "2024-06-01")], source_repository=REQUESTS_REPO
    )
    component = OriginScorer(popularity)(
        facts(info, "2.32.3", "2024-06-02", same_origin=same_origin(REQUESTS_REPO, "PyPI/requests"))
    )
    assert flags(component) == {"starjacking"}
    assert component.score == 2.0
    assert evidence(component, "name-fit").value == "near"


def test_the_owner_is_not_starjacking_its_starjackers(popularity: Popularity) -> None:
    component = OriginScorer(popularity)(
        facts(
            requests(),
            "2.32.3",
            "2024-06-01",
            same_origin=same_origin(REQUESTS_REPO, "PyPI/evilpkg", "PyPI/reqeusts"),
            popularity=1_291_814_272,
        )
    )
    assert component.score == 10.0
    assert not component.flags
    assert component.confidence is Confidence.HIGH
    assert "likely its owner" in evidence(component, "shared-repository").message
    assert_adds_up(component, BASE)


def test_a_sole_claimant_that_fits() -> None:
    component = ORIGIN(
        facts(requests(), "2.32.3", "2024-06-01", same_origin=same_origin(REQUESTS_REPO))
    )
    assert component.score == 10.0
    assert "sole-claimant" in codes(component)


def test_monorepo_packages_share_a_repository(popularity: Popularity) -> None:
    # @babel/core is less popular than @babel/parser, but both are named after babel/babel.
    component = OriginScorer(popularity)(
        facts(
            babel_core(),
            "7.24.7",
            "2024-07-01",
            same_origin=same_origin(
                "https://github.com/babel/babel",
                "npm/@babel/parser",
                "npm/@babel/traverse",
                "npm/@babel/generator",
            ),
        )
    )
    assert not component.flags
    assert component.score == 9.0
    assert "monorepo" in evidence(component, "shared-repository").message
    assert_adds_up(component, BASE)


@pytest.mark.parametrize(
    ("ecosystem", "name", "repository", "others"),
    [
        (
            Ecosystem.PYPI,
            "azure-storage-blob",
            "https://github.com/Azure/azure-sdk-for-python",
            ("PyPI/azure-core", "PyPI/azure-identity", "PyPI/azure-storage-queue"),
        ),
        (
            Ecosystem.NPM,
            "@types/react",
            "https://github.com/DefinitelyTyped/DefinitelyTyped",
            ("npm/@types/node", "npm/@types/express"),
        ),
        (
            Ecosystem.PYPI,
            "types-requests",
            "https://github.com/python/typeshed",
            ("PyPI/types-pyyaml", "PyPI/types-setuptools"),
        ),
    ],
)
def test_more_popular_monorepo_siblings_are_not_starjacking(
    popularity: Popularity,
    ecosystem: Ecosystem,
    name: str,
    repository: str,
    others: tuple[str, ...],
) -> None:
    info = package(ecosystem, name, [("1.0.0", "2024-01-01")], source_repository=repository)
    component = OriginScorer(popularity)(
        facts(info, "1.0.0", "2024-06-01", same_origin=same_origin(repository, *others))
    )
    assert not component.flags
    assert component.score == 9.0


def test_an_unpopular_pair_falls_back_to_the_better_fitting_claimant() -> None:
    # Neither is in the popular lists: the claimant named like the repository owns it.
    repository = "https://github.com/alice/tiny-cache"
    info = package(
        Ecosystem.NPM,
        "crypto-wallet-helper",
        [("1.0.0", "2024-05-01")],
        source_repository=repository,
    )
    component = OriginScorer(lambda ecosystem, name: None)(
        facts(info, "1.0.0", "2024-06-01", same_origin=same_origin(repository, "npm/tiny-cache"))
    )
    assert flags(component) == {"starjacking"}


def test_a_popular_package_is_not_starjacking_a_less_popular_one() -> None:
    repository = "https://github.com/AzureAD/microsoft-authentication-library-for-python"
    info = package(Ecosystem.PYPI, "msal", [("1.28.0", "2024-03-01")], source_repository=repository)

    def figures(ecosystem: Ecosystem, name: str) -> int | None:
        return {"msal": 60_000_000, "msal-extensions": 20_000_000}.get(name)

    component = OriginScorer(figures)(
        facts(
            info,
            "1.28.0",
            "2024-06-01",
            same_origin=same_origin(repository, "PyPI/msal-extensions"),
        )
    )
    assert not component.flags
    # The name does not fit and the repository is shared: a small penalty, no flag.
    assert evidence(component, "shared-unfitting").impact == -2.0
    assert component.score == 5.0
    assert_adds_up(component, BASE)


def test_others_given_as_package_urls(popularity: Popularity) -> None:
    info = package(
        Ecosystem.NPM,
        "babel-helper-x",
        [("1.0.0", "2024-05-01")],
        source_repository="https://github.com/babel/babel",
    )
    component = OriginScorer(popularity)(
        facts(
            info,
            "1.0.0",
            "2024-06-01",
            same_origin=same_origin("https://github.com/babel/babel", "pkg:npm/%40babel/parser"),
        )
    )
    assert not component.flags
    assert evidence(component, "shared-repository").value == ["pkg:npm/%40babel/parser"]


def test_no_repository_declared() -> None:
    info = package(Ecosystem.NPM, "left-pad-ng", [("1.0.0", "2024-05-01")])
    component = ORIGIN(facts(info, "1.0.0", "2024-06-01"))
    assert component.score == NO_REPOSITORY
    assert component.confidence is Confidence.LOW
    assert "no-repository" in codes(component)


def test_a_small_index_gives_low_confidence(popularity: Popularity) -> None:
    component = OriginScorer(popularity)(
        facts(
            requests(), "2.32.3", "2024-06-01", same_origin=same_origin(REQUESTS_REPO, indexed=40)
        )
    )
    assert component.confidence is Confidence.LOW
    assert "among 40 packages indexed" in evidence(component, "sole-claimant").message


def test_unknown_without_index_or_package() -> None:
    without_index = ORIGIN(facts(requests(), "2.32.3", "2024-06-01"))
    assert without_index.score is None
    assert REQUESTS_REPO in without_index.summary
    unknown = ORIGIN(facts(None, None, "2024-06-01", name="no-such-package"))
    assert unknown.score is None


def test_split_package_references() -> None:
    assert split_package("PyPI/requests") == (Ecosystem.PYPI, "requests")
    assert split_package("npm/@babel/core") == (Ecosystem.NPM, "@babel/core")
    assert split_package("pkg:npm/%40babel/core") == (Ecosystem.NPM, "@babel/core")
    assert split_package("pkg:pypi/requests@2.32.3") == (Ecosystem.PYPI, "requests")
    assert split_package("crates.io/serde") is None
    assert split_package("pkg:cargo/serde") is None
    assert split_package("requests") is None


def test_the_packaged_popular_lists_answer_when_installed() -> None:
    # Whether or not the lists are installed, the look-up answers without raising.
    figure = popular_lists(Ecosystem.PYPI, "requests")
    assert figure is None or figure > 1_000_000
    assert popular_lists(Ecosystem.PYPI, "surely-not-a-popular-package-name") is None


def test_popular_packages_sharing_a_monorepo_are_not_flagged() -> None:
    # Seen in the benchmark: scheduler and react-is both declare react's repository.
    repository = "https://github.com/facebook/react"
    info = package(
        Ecosystem.NPM, "scheduler", [("0.25.0", "2024-12-05")], source_repository=repository
    )

    def figures(ecosystem: Ecosystem, name: str) -> int | None:
        return {"scheduler": 40_000_000, "react-is": 120_000_000}.get(name)

    component = OriginScorer(figures)(
        facts(info, "0.25.0", "2025-01-01", same_origin=same_origin(repository, "npm/react-is"))
    )
    assert not component.flags
    assert evidence(component, "shared-unfitting").impact == -2.0


def test_a_repository_of_many_packages_is_a_monorepo_even_for_unknown_names() -> None:
    repository = "https://github.com/googleapis/google-cloud-python"
    info = package(
        Ecosystem.PYPI, "db-dtypes", [("1.3.0", "2024-08-01")], source_repository=repository
    )
    others = ("PyPI/google-auth", "PyPI/google-cloud-storage", "PyPI/google-cloud-bigquery")
    component = OriginScorer(lambda ecosystem, name: None)(
        facts(info, "1.3.0", "2024-09-01", same_origin=same_origin(repository, *others))
    )
    assert not component.flags
