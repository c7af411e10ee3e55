"""The helpers the four components share: release history, repository keys, phrasing."""

from __future__ import annotations

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.components._common import listing, published, repository_key, span
from tests.scoring.components.histories import facts, package, six, with_version


def test_published_is_chronological_with_version_order_for_ties() -> None:
    info = package(
        Ecosystem.NPM,
        "some-lib",
        [
            ("1.10.0", "2023-05-01T10:00:00"),
            ("1.9.0", "2023-05-01T10:00:00"),
            ("1.8.0", "2023-04-01"),
        ],
    )
    assert [d.info.version for d in published(facts(info, "1.10.0", "2024-01-01"))] == [
        "1.8.0",
        "1.9.0",
        "1.10.0",
    ]


def test_published_leaves_out_undated_and_later_versions() -> None:
    info = with_version(six(), "1.0b1", released=None)
    history = published(facts(info, "1.16.0", "2021-06-01"))
    versions = [d.info.version for d in history]
    assert "1.0b1" not in versions and "1.17.0" not in versions
    assert versions[-1] == "1.16.0"
    assert all(d.when.tzinfo is not None for d in history)
    assert history[0].stamp == history[0].when.timestamp()


def test_published_answers_each_facts_with_its_own_history() -> None:
    # The last answer is kept for the next component: other facts get their own.
    early = facts(six(), "1.10.0", "2016-01-01")
    late = facts(six(), "1.17.0", "2025-01-01")
    assert published(early)[-1].info.version == "1.10.0"
    assert published(late)[-1].info.version == "1.17.0"
    assert published(early)[-1].info.version == "1.10.0"
    mutated = published(early)
    mutated.clear()  # callers get a copy
    assert published(early)


def test_repository_keys() -> None:
    expected = "github.com/psf/requests"
    for url in (
        "https://github.com/psf/requests",
        "https://github.com/PSF/Requests.git",
        "git+https://github.com/psf/requests.git",
        "git@github.com:psf/requests.git",
        "psf/requests",
        "https://github.com/psf/requests/tree/main/src",
    ):
        assert repository_key(url) == expected, url
    assert repository_key(None) is None
    assert repository_key("not a url") is None


def test_phrases() -> None:
    assert span(0.001) == "less than a day"
    assert span(10 / 365.25) == "10 days"
    assert span(0.5) == "6 months"
    assert span(3.14) == "3.1 years"
    assert listing(["a", "b"]) == "a, b"
    assert listing([str(i) for i in range(8)], limit=3) == "0, 1, 2 and 5 more"
