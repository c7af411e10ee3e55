"""The maintenance component on real release histories: six, requests, left-pad, event-stream,
ua-parser-js, and the shapes of takeovers and dependency confusion."""

from __future__ import annotations

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.components.maintenance import BASE, MAINTENANCE
from stockade.scoring.model import ComponentName, Confidence, FlagLevel
from tests.scoring.components.histories import (
    LEFT_PAD_DEPRECATION,
    SIX_RELEASES,
    assert_adds_up,
    codes,
    event_stream,
    evidence,
    facts,
    flags,
    left_pad,
    package,
    requests,
    six,
    ua_parser_js,
    with_version,
)


def test_a_finished_package_with_a_long_history_scores_well() -> None:
    # six in mid-2024: the latest release (1.16.0) three years old, nothing in two years.
    component = MAINTENANCE(facts(six(until="2024-06-01"), "1.16.0", "2024-06-01"))
    assert component.name is ComponentName.MAINTENANCE
    assert component.score is not None and component.score >= 6
    assert component.confidence is Confidence.HIGH
    assert not component.flags
    assert "mature" in codes(component)
    assert evidence(component, "cadence").value == {"12_months": 0, "24_months": 0}
    assert_adds_up(component, BASE)


def test_a_release_after_years_raises_the_score() -> None:
    before = MAINTENANCE(facts(six(until="2024-06-01"), "1.16.0", "2024-06-01"))
    after = MAINTENANCE(facts(six(), "1.17.0", "2026-04-01"))
    assert before.score is not None and after.score is not None
    assert after.score > before.score
    assert evidence(after, "latest-release").value < evidence(before, "latest-release").value


def test_an_active_package_scores_ten() -> None:
    component = MAINTENANCE(facts(requests(), "2.32.3", "2024-06-01"))
    assert component.score == 10.0
    assert not component.flags
    assert evidence(component, "cadence").value["12_months"] == 4
    assert evidence(component, "maintainers").impact == 0.0
    # Two yanked releases out of 25 are noted without a penalty.
    yanked = evidence(component, "yanked-releases")
    assert yanked.value == ["2.32.0", "2.32.1"] and yanked.impact == 0.0
    assert_adds_up(component, BASE)


def test_versions_published_after_the_facts_are_ignored() -> None:
    component = MAINTENANCE(facts(six(), "1.13.0", "2020-01-01"))
    assert "(1.13.0)" in evidence(component, "latest-release").message
    # 25 of the 29 releases: 1.14.0 to 1.17.0 came later.
    assert evidence(component, "releases").value == 25
    assert len(SIX_RELEASES) == 29


def test_a_yanked_version_is_flagged_and_penalised() -> None:
    fine = MAINTENANCE(facts(requests(), "2.32.3", "2024-06-01"))
    yanked = MAINTENANCE(facts(requests(), "2.32.0", "2024-06-01"))
    assert flags(yanked) == {"yanked"}
    assert yanked.flags[0].level is FlagLevel.WARN
    assert "CVE-2024-35195" in yanked.flags[0].message
    assert fine.score is not None and yanked.score == fine.score - 5
    assert_adds_up(yanked, BASE)


def test_a_deprecated_version_is_flagged() -> None:
    component = MAINTENANCE(facts(left_pad(), "1.3.0", "2024-06-01"))
    assert flags(component) == {"deprecated"}
    assert LEFT_PAD_DEPRECATION in component.flags[0].message
    assert evidence(component, "deprecated").impact == -4.0
    assert component.score is not None and component.score <= 3
    assert_adds_up(component, BASE)


def test_a_deprecated_package_flags_its_older_versions_too() -> None:
    # Only the latest carries the message: the package as a whole is deprecated.
    info = with_version(left_pad(deprecated=False), "1.3.0", deprecated=LEFT_PAD_DEPRECATION)
    component = MAINTENANCE(facts(info, "1.2.0", "2024-06-01"))
    assert flags(component) == {"deprecated"}
    assert evidence(component, "package-deprecated").impact == -3.0
    assert "deprecated" not in codes(component)


def test_dormant_then_release_and_a_new_publisher_event_stream() -> None:
    # 3.3.5, the first release in two years, by a publisher who had never published it.
    component = MAINTENANCE(facts(event_stream(until="2018-09-05"), "3.3.5", "2018-09-06"))
    assert flags(component) == {"dormant-then-release", "publisher-change"}
    assert evidence(component, "dormant-then-release").value == {
        "gap_years": 2.17,
        "resumed_with": "3.3.5",
    }
    change = evidence(component, "publisher-change")
    assert change.value == {"publisher": "right9ctrl", "usual": "dominictarr"}
    assert "none of the 14 earlier versions" in change.message
    assert_adds_up(component, BASE)


def test_the_flatmap_stream_release_keeps_both_warnings() -> None:
    # 3.3.6 added flatmap-stream; its publisher had published one version, four days before.
    component = MAINTENANCE(facts(event_stream(until="2018-09-09"), "3.3.6", "2018-09-20"))
    assert flags(component) == {"dormant-then-release", "publisher-change"}
    assert (
        "published 1 of the 15 earlier versions" in evidence(component, "publisher-change").message
    )
    healthy = MAINTENANCE(facts(ua_parser_js(), "0.7.28", "2021-05-01"))
    assert component.score is not None and healthy.score is not None
    assert component.score < healthy.score


def test_an_older_version_of_a_resumed_package_is_not_flagged() -> None:
    component = MAINTENANCE(facts(event_stream(until="2018-09-09"), "3.3.4", "2018-09-20"))
    assert not component.flags
    assert "resumed-after-dormancy" in codes(component)
    assert evidence(component, "resumed-after-dormancy").impact == 0.0


def test_a_resumed_release_long_ago_is_not_dormant_then_release() -> None:
    component = MAINTENANCE(facts(event_stream(), "4.0.1", "2019-06-01"))
    assert "dormant-then-release" not in flags(component)


def test_a_publisher_not_among_the_maintainers() -> None:
    info = event_stream(until="2018-09-05", maintainers=("dominictarr",))
    component = MAINTENANCE(facts(info, "3.3.5", "2018-09-06"))
    assert "publisher-not-maintainer" in flags(component)
    assert evidence(component, "publisher-not-maintainer").value == "right9ctrl"
    # Years later the mismatch only says the publisher left.
    old = MAINTENANCE(facts(event_stream(maintainers=("dominictarr",)), "3.3.5", "2021-01-01"))
    assert "publisher-not-maintainer" not in flags(old)
    assert evidence(old, "publisher-not-maintainer").impact == 0.0


def test_an_ownership_transfer_shows_as_a_publisher_change() -> None:
    # left-pad 1.0.0: republished by its new owner after azer unpublished it in March 2016.
    component = MAINTENANCE(facts(left_pad(deprecated=False), "1.0.0", "2016-03-25"))
    assert flags(component) == {"publisher-change"}
    # A year and several releases later the new owner is the usual publisher.
    later = MAINTENANCE(facts(left_pad(deprecated=False), "1.3.0", "2018-05-01"))
    assert not later.flags


def test_publishing_from_ci_is_not_a_publisher_change() -> None:
    info = with_version(event_stream(), "4.0.1", published_by="GitHub Actions")
    component = MAINTENANCE(facts(info, "4.0.1", "2018-09-22"))
    assert "publisher-change" not in flags(component)
    assert "publisher-not-maintainer" not in flags(component)


def test_backports_are_not_out_of_order() -> None:
    # ua-parser-js 0.7.30 and 0.8.1 were published after 1.0.1, on their own lines.
    for version in ("0.7.30", "0.8.1"):
        component = MAINTENANCE(facts(ua_parser_js(), version, "2021-10-23"))
        assert "out-of-order" not in codes(component)
        assert not component.flags


def test_a_hijack_from_the_maintainers_own_account_is_invisible_here() -> None:
    # 0.7.29 was malicious but published from faisalman's account, on the usual cadence:
    # maintenance metadata cannot tell (the malicious component's records do).
    component = MAINTENANCE(facts(ua_parser_js(), "0.7.29", "2021-10-22T13:00:00"))
    assert not component.flags
    assert component.score is not None and component.score >= 8


def _confusion(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    # An internal-looking package with a few releases, then one numbered far above.
    return [("1.0.0", "2022-03-01"), ("1.1.0", "2022-09-12"), ("1.2.0", "2023-04-20"), *extra]


def test_a_big_major_jump_is_flagged() -> None:
    info = package(
        Ecosystem.NPM,
        "acme-billing-utils",
        _confusion(("99.0.0", "2024-05-30"), ("99.0.1", "2024-05-31")),
    )
    for version in ("99.0.0", "99.0.1"):
        component = MAINTENANCE(facts(info, version, "2024-06-01"))
        assert flags(component) == {"version-jump"}
        assert (
            "major 1 was the highest before 99.0.0" in evidence(component, "version-jump").message
        )
        assert_adds_up(component, BASE)
    assert not MAINTENANCE(facts(info, "1.2.0", "2024-06-01")).flags


def test_a_jump_long_settled_is_not_flagged_again() -> None:
    # nvidia-curand-cu12 opened with a 0.0.1 placeholder, then moved to 10.x for good.
    info = package(
        Ecosystem.PYPI,
        "nvidia-curand-cu12",
        [("0.0.1", "2022-10-25"), ("10.3.1.50", "2023-01-04"), ("10.3.10.19", "2025-03-11")],
    )
    assert "version-jump" in codes(MAINTENANCE(facts(info, "10.3.1.50", "2023-02-01")))
    assert "version-jump" not in codes(MAINTENANCE(facts(info, "10.3.10.19", "2025-04-01")))


def test_a_first_release_numbered_99_is_a_jump() -> None:
    info = package(Ecosystem.NPM, "acme-internal-config", [("99.10.9", "2024-05-30")])
    component = MAINTENANCE(facts(info, "99.10.9", "2024-06-01"))
    assert flags(component) == {"version-jump"}
    assert component.confidence is Confidence.LOW
    assert evidence(component, "project-age").impact == -1.0
    assert evidence(component, "releases").impact == -0.5


def test_calendar_versions_and_ordinary_majors_are_not_jumps() -> None:
    certifi = package(
        Ecosystem.PYPI,
        "certifi",
        [("2022.12.7", "2022-12-07"), ("2023.7.22", "2023-07-22"), ("2024.2.2", "2024-02-02")],
    )
    assert "version-jump" not in codes(MAINTENANCE(facts(certifi, "2024.2.2", "2024-03-01")))
    # pip went from 10.0.1 to 18.0 when it moved to calendar versions (July 2018).
    pip = package(
        Ecosystem.PYPI,
        "pip",
        [("9.0.3", "2018-03-21"), ("10.0.1", "2018-04-19"), ("18.0", "2018-07-22")],
    )
    assert "version-jump" not in codes(MAINTENANCE(facts(pip, "18.0", "2018-08-01")))
    # A first calendar version after 0.x is not a jump either.
    cal = package(Ecosystem.PYPI, "tzdata", [("0.9", "2019-05-01"), ("2020.1", "2020-07-01")])
    assert "version-jump" not in codes(MAINTENANCE(facts(cal, "2020.1", "2020-08-01")))


def test_a_release_below_its_own_line_is_out_of_order() -> None:
    info = package(
        Ecosystem.NPM,
        "some-lib",
        [("1.2.4", "2023-01-10"), ("1.2.5", "2023-02-10"), ("1.2.3", "2023-03-10")],
    )
    component = MAINTENANCE(facts(info, "1.2.3", "2023-03-11"))
    assert evidence(component, "out-of-order").impact == -1.0
    assert "1.2.5 of the same line" in evidence(component, "out-of-order").message
    assert not component.flags


def test_a_new_minor_of_an_older_major_is_a_backport() -> None:
    info = package(
        Ecosystem.NPM,
        "some-lib",
        [("3.8.0", "2023-01-10"), ("4.0.0", "2023-02-10"), ("3.9.0", "2023-03-10")],
    )
    assert "out-of-order" not in codes(MAINTENANCE(facts(info, "3.9.0", "2023-03-11")))


def test_a_new_major_line_below_the_top_is_out_of_order() -> None:
    info = package(
        Ecosystem.PYPI,
        "some-lib",
        [("3.0.0", "2023-01-10"), ("3.1.0", "2023-02-10"), ("2.0.0", "2023-03-10")],
    )
    component = MAINTENANCE(facts(info, "2.0.0", "2023-03-11"))
    assert "opens major line 2" in evidence(component, "out-of-order").message


def test_a_patch_after_a_release_candidate_is_in_order() -> None:
    info = package(
        Ecosystem.NPM,
        "some-lib",
        [("1.2.4", "2023-01-10"), ("1.2.5-rc.1", "2023-02-10"), ("1.2.5", "2023-03-10")],
    )
    assert "out-of-order" not in codes(MAINTENANCE(facts(info, "1.2.5", "2023-03-11")))


def test_a_single_maintainer_costs_little() -> None:
    component = MAINTENANCE(facts(six(until="2024-06-01"), "1.16.0", "2024-06-01"))
    assert evidence(component, "maintainers").impact == -0.5
    assert evidence(component, "maintainers").value == ["gutworth"]


def test_unknown_without_package_or_dates() -> None:
    unknown = MAINTENANCE(facts(None, None, "2024-06-01", name="no-such-package"))
    assert unknown.score is None and unknown.name is ComponentName.MAINTENANCE
    undated = package(Ecosystem.PYPI, "old", [("1.0", "2010-01-01")])
    undated = with_version(undated, "1.0", released=None)
    component = MAINTENANCE(facts(undated, "1.0", "2024-06-01"))
    assert component.score is None
    assert "no release dates" in component.summary
