"""The maintenance component: is the package looked after, and by the people who always did?

Built from the release history (``facts.package.versions``: dates, yanked and deprecated states,
publishers) as of ``facts.as_of``. The score is the base plus the impact of every evidence item:

===========================================================  =====================================
Fact                                                         Impact (base 4.5)
===========================================================  =====================================
latest release <= 6 months / 1 year / 2 years old            +2 / +1.5 / +0.5
latest release <= 4 years / older                            -0.5 / -1.5 (mature: -0.5)
mature (first release >= 5 years ago, >= 10 releases) and    +0.5
latest release over a year old: finished, not abandoned
first release >= 5 / >= 2 / >= 1 years ago; < 90 days        +1.5 / +1 / +0.5; -1
>= 20 / >= 5 releases; a single release                      +1 / +0.5; -0.5
>= 3 / >= 1 releases in the last 12 months                   +1 / +0.5
this version yanked                                          -5, flag ``yanked``
this version deprecated; else the latest deprecated          -4 / -3, flag ``deprecated``
a quarter or more of >= 4 releases yanked                    -0.5
no release for >= 2 years, then one in the last 90 days,     -3, flag ``dormant-then-release``
and this version published on or after it
major version jump (1.2.0 -> 99.0.0; not calendar versions;  -2, flag ``version-jump``
for versions within 180 days of the jump)
published below a release of its own line, or opening a      -1
new major line below the highest (backports are normal)
a single maintainer                                          -0.5
publisher not among the maintainers (version < 1 year old)   -2, flag ``publisher-not-maintainer``
a publisher other than the usual one, new (no earlier        -2, flag ``publisher-change``
version, or under a quarter of them, first within a year)
===========================================================  =====================================

The best case adds up to 10. Confidence is high with five or more dated releases, medium with
two to four, low with one; unknown without any dated release.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import pairwise

from stockade.ecosystems import get
from stockade.ecosystems.interface import PackageInfo, VersionInfo, VersionScheme
from stockade.scoring.components._common import (
    DAYS_PER_YEAR,
    SECONDS_PER_YEAR,
    Dated,
    Scorecard,
    aware,
    listing,
    plural,
    published,
    span,
    years,
)
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import Component, ComponentName, Confidence

BASE = 4.5
MATURE_YEARS = 5.0
MATURE_RELEASES = 10
DORMANT_YEARS = 2.0
RESUMED_DAYS = 90
JUMP_MAJORS = 10
"""A new major this many above the highest before (and at least double it) is a jump."""
FIRST_RELEASE_MAJOR = 90
"""A first release numbered this high (``99.0.0``) is a jump from nothing."""
RECENT_PUBLISHER_YEARS = 1.0
"""Publisher checks against today's maintainers apply to versions this recent."""
MIN_PUBLISHED = 3
"""Earlier versions with a known publisher needed to tell a usual publisher."""
NEW_PUBLISHER_YEARS = 1.0
"""A publisher of under a quarter of the earlier versions, first seen this recently, is new."""
AUTOMATION_PUBLISHERS = frozenset({"github actions", "gitlab ci"})
"""Accounts a registry shows for trusted publishing from CI, not a person."""

_NUMBERS = re.compile(r"^[vV=]?(?:\d+!)?(\d+)(?:\.(\d+))?")
_NO_NUMBERS = (-1, -1)


@lru_cache(maxsize=65536)
def _numbers(version: str) -> tuple[int, int]:
    """Major and minor of a version; ``(-1, -1)`` when it does not start with numbers."""
    match = _NUMBERS.match(version.strip())
    if match is None:
        return _NO_NUMBERS
    return int(match.group(1)), int(match.group(2) or 0)


class MaintenanceScorer:
    """Release recency, history and cadence; yanked, deprecated, dormant-then-release;
    version anomalies; maintainers and publishers."""

    name = ComponentName.MAINTENANCE

    def __call__(self, facts: PackageFacts) -> Component:
        package = facts.package
        if package is None:
            return Component.unknown(self.name, "The registry does not know this package.")
        history = published(facts)
        if not history:
            return Component.unknown(self.name, "The registry gives no release dates.")
        as_of = aware(facts.as_of)
        card = Scorecard(BASE)
        latest_age = years(as_of, history[-1].when)
        first = history[0].when
        if package.created is not None and aware(package.created) < first:
            first = aware(package.created)
        project_age = years(as_of, first)
        mature = project_age >= MATURE_YEARS and len(history) >= MATURE_RELEASES
        _recency(card, history[-1].info, latest_age, mature)
        _history(card, project_age, len(history))
        _cadence(card, history, as_of)
        _states(card, facts, package, history)
        info = facts.info
        if info is not None and info.released is not None:
            when = aware(info.released)
            _dormancy(card, when, history, as_of)
            _anomalies(card, info, when, history, get(facts.ecosystem).versions)
        _people(card, facts, package, history)
        confidence = (
            Confidence.HIGH
            if len(history) >= 5
            else Confidence.MEDIUM
            if len(history) >= 2
            else Confidence.LOW
        )
        summary = (
            f"{plural(len(history), 'release')} over {span(project_age)}, the latest "
            f"{span(latest_age)} ago"
        )
        if card.flags:
            summary += "; warnings: " + ", ".join(f.code for f in card.flags)
        return card.component(self.name, confidence, summary + ".")


def _recency(card: Scorecard, last: VersionInfo, age: float, mature: bool) -> None:
    if age <= 0.5:
        impact = 2.0
    elif age <= 1:
        impact = 1.5
    elif age <= 2:
        impact = 0.5
    elif age <= 4 or mature:
        impact = -0.5
    else:
        impact = -1.5
    card.add(
        "latest-release",
        f"The latest release ({last.version}) is {span(age)} old.",
        impact,
        round(age, 2),
    )
    if mature and age > 1:
        card.add(
            "mature",
            "A long history with many releases: a slow cadence is expected of a finished package.",
            0.5,
        )


def _history(card: Scorecard, age: float, count: int) -> None:
    if age >= 5:
        impact = 1.5
    elif age >= 2:
        impact = 1.0
    elif age >= 1:
        impact = 0.5
    elif age * DAYS_PER_YEAR < 90:
        impact = -1.0
    else:
        impact = 0.0
    card.add("project-age", f"The first release was {span(age)} ago.", impact, round(age, 2))
    if count >= 20:
        impact = 1.0
    elif count >= 5:
        impact = 0.5
    elif count == 1:
        impact = -0.5
    else:
        impact = 0.0
    card.add("releases", f"The registry lists {plural(count, 'dated release')}.", impact, count)


def _cadence(card: Scorecard, history: Sequence[Dated], as_of: datetime) -> None:
    now = as_of.timestamp()
    last_12 = sum(1 for d in history if now - d.stamp <= SECONDS_PER_YEAR)
    last_24 = sum(1 for d in history if now - d.stamp <= 2 * SECONDS_PER_YEAR)
    impact = 1.0 if last_12 >= 3 else 0.5 if last_12 >= 1 else 0.0
    card.add(
        "cadence",
        f"{plural(last_12, 'release')} in the last 12 months and {last_24} in the last 24.",
        impact,
        {"12_months": last_12, "24_months": last_24},
    )


def _states(
    card: Scorecard, facts: PackageFacts, package: PackageInfo, history: Sequence[Dated]
) -> None:
    info = facts.info
    if info is not None and info.yanked:
        why = f": {info.yanked_reason}" if info.yanked_reason else ""
        card.add("yanked", f"Version {info.version} was yanked{why}.", -5.0, info.yanked_reason)
        card.warn(
            "yanked",
            f"{facts.name} {info.version} was withdrawn by its maintainers{why}; "
            "use another version.",
        )
    latest = package.versions.get(package.latest) if package.latest else None
    if info is not None and info.deprecated:
        card.add(
            "deprecated",
            f"Version {info.version} is deprecated: {info.deprecated}",
            -4.0,
            info.deprecated,
        )
        card.warn("deprecated", f"{facts.name} {info.version} is deprecated: {info.deprecated}")
    elif latest is not None and latest.deprecated:
        card.add(
            "package-deprecated",
            f"The package is deprecated (its latest release says: {latest.deprecated}).",
            -3.0,
            latest.deprecated,
        )
        card.warn("deprecated", f"{facts.name} is deprecated: {latest.deprecated}")
    yanked = [d.info.version for d in history if d.info.yanked]
    if yanked:
        heavy = len(history) >= 4 and len(yanked) * 4 >= len(history)
        card.add(
            "yanked-releases",
            f"{len(yanked)} of {plural(len(history), 'release')} were yanked ({listing(yanked)}).",
            -0.5 if heavy else 0.0,
            yanked,
        )


def _dormancy(card: Scorecard, when: datetime, history: Sequence[Dated], as_of: datetime) -> None:
    resumed: tuple[Dated, float] | None = None
    dormant = DORMANT_YEARS * SECONDS_PER_YEAR
    for before, after in pairwise(history):
        if after.stamp - before.stamp >= dormant:
            resumed = (after, after.stamp - before.stamp)
    if resumed is None:
        return
    release, gap = resumed
    if as_of - release.when > timedelta(days=RESUMED_DAYS):
        return
    ago = plural((as_of - release.when).days, "day")
    gap_years = gap / SECONDS_PER_YEAR
    version = release.info.version
    if when >= release.when:
        card.add(
            "dormant-then-release",
            f"No release for {span(gap_years)}, then {version} {ago} ago: "
            "the pattern of a taken-over package.",
            -3.0,
            {"gap_years": round(gap_years, 2), "resumed_with": version},
        )
        card.warn(
            "dormant-then-release",
            f"The package had no release for {span(gap_years)} before {version}, "
            f"published {ago} ago; check who publishes it now.",
        )
    else:
        card.add(
            "resumed-after-dormancy",
            f"The package resumed releasing with {version} after {span(gap_years)} without "
            "a release; this older version predates that.",
        )


def _calendar_like(major: int, when: datetime) -> bool:
    """Whether a major number reads as a year (``2024``, ``24``, ``20240115``)."""
    year = when.year
    if major in {year, year - 1, year % 100, (year - 1) % 100}:
        return True
    text = str(major)
    return len(text) >= 6 and text[:4] in {str(year), str(year - 1)}


JUMP_SETTLED = timedelta(days=180)
"""A major line opened by a jump is only flagged for versions within this time of its opening."""


def _anomalies(
    card: Scorecard,
    info: VersionInfo,
    when: datetime,
    history: Sequence[Dated],
    scheme: VersionScheme,
) -> None:
    major = _numbers(info.version)[0]
    if major < 0:
        return
    opening = next((d for d in history if _numbers(d.info.version)[0] == major), None)
    if opening is None or opening.when > when:
        opening = Dated(when, info, when.timestamp())
    before: list[int] = []
    for dated in history:  # oldest first: the releases before the line opened
        if dated.when >= opening.when:
            break
        if (number := _numbers(dated.info.version)[0]) >= 0:
            before.append(number)
    opened = opening.info.version
    if when - opening.when > JUMP_SETTLED:
        # The line opened long before this version: whatever its number said then, the
        # package has lived on it since (nvidia-*-cu12 went 0.0.1 -> 10.x years ago).
        _order(card, info, when, history, scheme)
        return
    if not before:
        if major >= FIRST_RELEASE_MAJOR and not _calendar_like(major, opening.when):
            _jump(card, info.version, f"the first release of the package is {opened}")
    else:
        top = max(before)
        if (
            major - top >= JUMP_MAJORS
            and major >= 2 * (top + 1)
            and not _calendar_like(major, opening.when)
        ):
            _jump(card, info.version, f"major {top} was the highest before {opened}")
    _order(card, info, when, history, scheme)


def _jump(card: Scorecard, version: str, why: str) -> None:
    card.add(
        "version-jump",
        f"Version {version} jumps far ahead of the history ({why}).",
        -2.0,
        version,
    )
    card.warn(
        "version-jump",
        f"Version {version} is numbered far above the package's history ({why}), "
        "as dependency-confusion and takeover releases are.",
    )


def _order(
    card: Scorecard,
    info: VersionInfo,
    when: datetime,
    history: Sequence[Dated],
    scheme: VersionScheme,
) -> None:
    numbers = _numbers(info.version)
    if numbers == _NO_NUMBERS:
        return
    earlier: list[str] = []
    for dated in history:  # oldest first
        if dated.when >= when:
            break
        earlier.append(dated.info.version)
    # Only versions whose major.minor is not below ours can be higher: keys for those alone.
    key = scheme.key(info.version)
    higher = [
        v
        for v in earlier
        if _numbers(v) >= numbers and not scheme.is_prerelease(v) and scheme.key(v) > key
    ]
    if not higher:
        return
    above_in_line = [v for v in higher if _numbers(v) == numbers]
    if above_in_line:
        why = f"{max(above_in_line, key=scheme.key)} of the same line was already published"
    elif all(_numbers(v)[0] != numbers[0] for v in earlier):
        why = f"it opens major line {numbers[0]} below {max(higher, key=scheme.key)}"
    else:
        return  # a backport to an existing line
    card.add(
        "out-of-order",
        f"Version {info.version} was published after higher versions: {why}.",
        -1.0,
        info.version,
    )


def _people(
    card: Scorecard, facts: PackageFacts, package: PackageInfo, history: Sequence[Dated]
) -> None:
    maintainers = package.maintainers
    if maintainers is not None and maintainers:
        if len(maintainers) == 1:
            card.add(
                "maintainers",
                f"A single maintainer ({maintainers[0]}) can publish.",
                -0.5,
                list(maintainers),
            )
        else:
            card.add(
                "maintainers",
                f"{len(maintainers)} maintainers can publish ({listing(list(maintainers))}).",
                0.0,
                list(maintainers),
            )
    info = facts.info
    publisher = info.published_by if info is not None else None
    if info is None or publisher is None or publisher.lower() in AUTOMATION_PUBLISHERS:
        return
    when = aware(info.released) if info.released else None
    recent = when is None or years(aware(facts.as_of), when) <= RECENT_PUBLISHER_YEARS
    known = {m.lower() for m in maintainers or ()}
    if known and publisher.lower() not in known:
        if recent:
            card.add(
                "publisher-not-maintainer",
                f"{info.version} was published by {publisher}, who is not a listed maintainer.",
                -2.0,
                publisher,
            )
            card.warn(
                "publisher-not-maintainer",
                f"{facts.name} {info.version} was published by {publisher}, an account not "
                "among its maintainers: a possible account change.",
            )
        else:
            card.add(
                "publisher-not-maintainer",
                f"{info.version} was published by {publisher}, no longer a listed maintainer.",
            )
    _publisher(card, facts, info, when, publisher, history)


def _publisher(
    card: Scorecard,
    facts: PackageFacts,
    info: VersionInfo,
    when: datetime | None,
    publisher: str,
    history: Sequence[Dated],
) -> None:
    """Compare the publisher with whoever published most earlier versions."""
    earlier: list[tuple[datetime, str]] = []
    for dated in history:  # oldest first
        if when is not None and dated.when >= when:
            break
        who = dated.info.published_by
        if who and dated.info.version != info.version:
            account = who.lower()
            if account not in AUTOMATION_PUBLISHERS:
                earlier.append((dated.when, account))
    if len(earlier) < MIN_PUBLISHED:
        return
    counts = Counter(account for _, account in earlier)
    usual, usual_count = counts.most_common(1)[0]
    mine = publisher.lower()
    if mine == usual:
        return
    usual_name = next(
        d.info.published_by
        for d in history
        if d.info.published_by and d.info.published_by.lower() == usual
    )
    own = [moment for moment, account in earlier if account == mine]
    newcomer = not own or (
        len(own) * 4 < len(earlier)
        and when is not None
        and years(when, min(own)) <= NEW_PUBLISHER_YEARS
    )
    told = (
        f"{info.version} was published by {publisher}, who published {len(own) or 'none'} of "
        f"the {len(earlier)} earlier versions ({usual_name} published {usual_count})."
    )
    if not newcomer:
        card.add("publisher", told, 0.0, publisher)
        return
    card.add("publisher-change", told, -2.0, {"publisher": publisher, "usual": usual_name})
    card.warn(
        "publisher-change",
        f"{facts.name} {info.version} was published by {publisher}, a new publisher; "
        f"{usual_name} published most earlier versions: a possible account change.",
    )


MAINTENANCE = MaintenanceScorer()
