"""The provenance component: does the registry publish build provenance for this version,
and does it verify?

From ``VersionInfo.provenance`` (PEP 740 attestations on PyPI, npm provenance): ``None`` means
the registry does not say (unknown), ``()`` that it says there is none. Each reference's
``verified`` is what :func:`stockade.provenance.packages.verify_provenance` concluded:
``True`` (the Sigstore signature, the subject's digest and the builder hold), ``False`` (the
evidence is there and does not hold) or ``None`` (not verified: only *published* counts, so
confidence is medium). The score is the sum of the evidence impacts:

==========================================================  =======  ==========================
Fact                                                        Impact   Flag
==========================================================  =======  ==========================
provenance published for this version                       +8
... and verified (no reference failing)                     +2
... or failing verification (any reference)                 -8       ``provenance-invalid``
                                                                     (cap: overall <= 3)
... claiming a source repository other than the declared    -6       ``provenance-mismatch``
no provenance for this version                              +3
... while the previous release of the same kind had it      -2       ``provenance-dropped``
... while an earlier one of the last 10 releases had it     -1
==========================================================  =======  ==========================

So: verified 10 (high confidence; the evidence names the verified repository and workflow),
invalid 0 (high confidence), published but not verified 8, mismatch 2 (4 when verified), none
3, dropped 1. The share of the last 10 releases that carry provenance is shown as evidence.
Whether earlier releases' provenance matches the repository's tags needs repository access and
is reported as unknown.
"""

from __future__ import annotations

import re

from stockade.ecosystems import get
from stockade.ecosystems.interface import ProvenanceRef, VersionInfo, VersionScheme
from stockade.scoring.components._common import (
    Scorecard,
    aware,
    declared_repository,
    plural,
    published,
    repository_key,
)
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import Component, ComponentName, Confidence, Flag, FlagLevel

RECENT = 10
"""How many recent releases the share and the dropped check look at."""
PUBLISHED = 8.0
VERIFIED = 2.0
INVALID = -8.0
INVALID_CAP = 3.0
"""The highest overall score of a version whose provenance fails verification."""
MISMATCH = -6.0
ABSENT = 3.0
DROPPED = -2.0
STOPPED = -1.0
HISTORY_UNKNOWN = "historical provenance against the repository's tags is unknown"


def _recent(facts: PackageFacts, info: VersionInfo) -> list[VersionInfo]:
    """The scored version and the releases published before it, newest first (at most 10)."""
    history = published(facts)
    if info.released is not None:
        when = aware(info.released)
        history = [d for d in history if d.when <= when]
    earlier: list[VersionInfo] = []
    for dated in reversed(history):
        if dated.info.version != info.version:
            earlier.append(dated.info)
            if len(earlier) == RECENT - 1:
                break
    return [info, *earlier]


_OWNER_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


def _same_repository(claimed: str, declared: str) -> bool:
    """Whether a provenance claim names the declared repository.

    PEP 740 publishers name the repository as ``owner/name`` on their forge (GitHub, GitLab),
    so a claim without a host is compared with the declared repository's last two parts.
    """
    mine = repository_key(declared) or declared.lower()
    if _OWNER_REPO.match(claimed.strip()):
        path = claimed.strip().lower().removesuffix(".git")
        return mine.endswith("/" + path)
    return repository_key(claimed) == mine


def _previous(
    info: VersionInfo, recent: list[VersionInfo], scheme: VersionScheme
) -> VersionInfo | None:
    """The release before this one, of the same kind (pre-release or not), whose provenance
    the registry states."""
    kind = scheme.is_prerelease(info.version)
    return next(
        (
            v
            for v in recent[1:]
            if v.provenance is not None and scheme.is_prerelease(v.version) == kind
        ),
        None,
    )


class ProvenanceScorer:
    """Build provenance of the version: published, absent, dropped, or claiming another
    repository."""

    name = ComponentName.PROVENANCE

    def __call__(self, facts: PackageFacts) -> Component:
        if facts.package is None:
            return Component.unknown(self.name, "The registry does not know this package.")
        info = facts.info
        if info is None:
            return Component.unknown(self.name, "The registry does not list this version.")
        if info.provenance is None:
            return Component.unknown(
                self.name, "The registry does not say whether this version has build provenance."
            )
        card = Scorecard(0.0)
        recent = _recent(facts, info)
        stated = [v for v in recent if v.provenance is not None]
        carrying = [v.version for v in stated if v.provenance]
        card.add(
            "recent-provenance",
            f"{len(carrying)} of the last {plural(len(stated), 'release')} with a stated "
            "provenance carry it.",
            0.0,
            round(len(carrying) / len(stated), 2),
        )
        confidence = Confidence.MEDIUM
        if info.provenance:
            summary = self._published(card, facts, info)
            if any(r.verified is not None for r in info.provenance):
                confidence = Confidence.HIGH
        else:
            summary = self._absent(card, facts, info, recent)
        return card.component(self.name, confidence, f"{summary}; {HISTORY_UNKNOWN}.")

    def _published(self, card: Scorecard, facts: PackageFacts, info: VersionInfo) -> str:
        refs = info.provenance or ()
        kinds = sorted({r.kind for r in refs})
        failed = [r for r in refs if r.verified is False]
        verified = [r for r in refs if r.verified is True]
        state = "not yet verified"
        if failed:
            state = "failing verification"
        elif verified:
            state = "verified"
        card.add(
            "provenance",
            f"Build provenance ({', '.join(kinds)}) is published for {info.version}, {state}.",
            PUBLISHED,
            kinds,
        )
        if failed:
            return self._invalid(card, facts, info, failed)
        if verified:
            self._verified(card, info, verified)
            state = "verified"
        attested = {r.filename for r in refs if r.filename}
        if attested and info.files and len(attested) < len(info.files):
            card.add(
                "partly-attested",
                f"{len(attested)} of the {len(info.files)} files of {info.version} are attested.",
            )
        claimed = sorted({r.source_repository for r in refs if r.source_repository})
        if not claimed:
            return f"Build provenance is published, {state}"
        declared = declared_repository(facts)
        if declared is None:
            card.add(
                "provenance-repository",
                f"The provenance names {claimed[0]}; the package declares no repository to "
                "compare it with.",
                0.0,
                claimed,
            )
            return f"Build provenance is published, {state}"
        others = [c for c in claimed if not _same_repository(c, declared)]
        if not others:
            card.add(
                "provenance-repository",
                f"The provenance names the declared repository ({declared}).",
                0.0,
                claimed,
            )
            return f"Build provenance is published from the declared repository, {state}"
        card.add(
            "provenance-mismatch",
            f"The provenance names {others[0]}, not the declared repository {declared}.",
            MISMATCH,
            others,
        )
        card.warn(
            "provenance-mismatch",
            f"{facts.name} {info.version} was built from {others[0]} according to its "
            f"provenance, but the package declares {declared}.",
        )
        return "Build provenance names another repository than the one the package declares"

    @staticmethod
    def _verified(card: Scorecard, info: VersionInfo, verified: list[ProvenanceRef]) -> None:
        repositories = sorted({r.source_repository for r in verified if r.source_repository})
        workflows = sorted({r.workflow for r in verified if r.workflow})
        where = f" from {repositories[0]}" if repositories else ""
        how = f" by {workflows[0]}" if workflows else ""
        card.add(
            "provenance-verified",
            f"The Sigstore-signed provenance of {info.version} verifies: built{where}{how}.",
            VERIFIED,
            {"repositories": repositories, "workflows": workflows},
        )

    @staticmethod
    def _invalid(
        card: Scorecard, facts: PackageFacts, info: VersionInfo, failed: list[ProvenanceRef]
    ) -> str:
        what = sorted({r.filename or r.kind for r in failed})
        card.add(
            "provenance-invalid",
            f"The provenance of {info.version} ({', '.join(what)}) does not verify.",
            INVALID,
            what,
        )
        card.flags.append(
            Flag(
                "provenance-invalid",
                FlagLevel.CAP,
                f"{facts.name} {info.version} publishes build provenance that does not verify "
                "(a bad signature, another identity or another file): do not trust this "
                "release until it is explained.",
                cap=INVALID_CAP,
            )
        )
        return "Build provenance is published but does not verify"

    def _absent(
        self, card: Scorecard, facts: PackageFacts, info: VersionInfo, recent: list[VersionInfo]
    ) -> str:
        card.add("no-provenance", f"No build provenance is published for {info.version}.", ABSENT)
        scheme = get(facts.ecosystem).versions
        previous = _previous(info, recent, scheme)
        if previous is not None and previous.provenance:
            card.add(
                "provenance-dropped",
                f"The previous release {previous.version} carried build provenance; "
                f"{info.version} does not.",
                DROPPED,
                previous.version,
            )
            card.warn(
                "provenance-dropped",
                f"{facts.name} {info.version} has no build provenance although "
                f"{previous.version} had: the sign of a release published outside the usual "
                "build, as hijacked publishes are.",
            )
            return "Build provenance was dropped in this release"
        earlier = [v.version for v in recent[1:] if v.provenance]
        if earlier:
            card.add(
                "provenance-stopped",
                f"Earlier releases carried build provenance (latest {earlier[0]}); "
                "later ones do not.",
                STOPPED,
                earlier[0],
            )
            return "No build provenance, which earlier releases had"
        return "No build provenance"


PROVENANCE = ProvenanceScorer()
