"""The hygiene component: licence (SPDX, named, free text, none), summary, README, repository,
homepage, classifiers or keywords."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stockade.scoring.components.hygiene import (
    HYGIENE,
    LicenceKind,
    is_spdx_expression,
    licence_kind,
)
from stockade.scoring.model import ComponentName, Confidence
from tests.scoring.components.histories import (
    assert_adds_up,
    codes,
    event_stream,
    evidence,
    facts,
    left_pad,
    requests,
    six,
    with_version,
)


@pytest.mark.parametrize(
    "text",
    [
        "MIT",
        "mit",  # ids match without regard to case
        "Apache-2.0",
        "(MIT OR Apache-2.0)",  # the dual licence many npm packages declare
        "Apache-2.0 AND (MIT OR BSD-3-Clause)",
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        "GPL-3.0+",
        "LGPL-2.1+ and MIT",
        "LicenseRef-scancode-proprietary",
        "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
        "BSD-2-Clause OR (GPL-2.0-only AND Zlib)",
    ],
)
def test_valid_spdx_expressions(text: str) -> None:
    assert is_spdx_expression(text)
    assert licence_kind(text) is LicenceKind.SPDX


@pytest.mark.parametrize(
    "text",
    [
        "MIT License",  # the trove classifier's name, not an id
        "Apache Software License",
        "BSD",
        "(MIT",
        "MIT AND",
        "MIT OR OR ISC",
        "MIT WITH LLVM-exception-typo",
        "Apache-2.0 WITH",
        "()",
        "Foo-1.0",
        "",
    ],
)
def test_invalid_spdx_expressions(text: str) -> None:
    assert not is_spdx_expression(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("MIT License", LicenceKind.NAMED),
        ("MIT License OR Apache Software License", LicenceKind.NAMED),  # PyPI classifiers
        ("Apache 2.0", LicenceKind.NAMED),
        ("BSD", LicenceKind.NAMED),
        ("GNU Affero General Public License v3", LicenceKind.NAMED),
        ("SEE LICENSE IN LICENSE.md", LicenceKind.FREE_TEXT),  # npm's pointer to a file
        ("UNLICENSED", LicenceKind.FREE_TEXT),  # npm's word for "not open source"
        ("Copyright (c) 2021 Acme Corp. All rights reserved.", LicenceKind.FREE_TEXT),
        ("", LicenceKind.NONE),
        (None, LicenceKind.NONE),
    ],
)
def test_licence_kinds(text: str | None, kind: LicenceKind) -> None:
    assert licence_kind(text) is kind


def test_complete_metadata_scores_ten() -> None:
    component = HYGIENE(facts(requests(), "2.32.3", "2024-06-01"))
    assert component.name is ComponentName.HYGIENE
    assert component.score == 10.0
    assert component.confidence is Confidence.HIGH
    assert component.summary == "Complete package metadata."
    assert_adds_up(component, 0.0)


def test_spdx_scores_above_a_named_licence_above_free_text_above_none() -> None:
    scores: list[float] = []
    for licence in ("Apache-2.0", "Apache Software License", "SEE LICENSE IN LICENSE", None):
        info = replace(requests(), license=licence)
        component = HYGIENE(facts(info, "2.32.3", "2024-06-01"))
        assert evidence(component, "licence").value == licence
        assert component.score is not None
        scores.append(component.score)
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
    assert scores[-1] == 7.0


def test_the_versions_own_licence_comes_first() -> None:
    info = with_version(replace(six(), license=None), "1.17.0", license="MIT")
    component = HYGIENE(facts(info, "1.17.0", "2026-04-01"))
    assert "valid SPDX" in evidence(component, "licence").message


def test_npm_keywords_count_as_classifiers_do_on_pypi() -> None:
    component = HYGIENE(facts(event_stream(), "4.0.1", "2018-10-01"))
    assert evidence(component, "keywords").impact == 1.0
    assert evidence(component, "keywords").value == ["stream", "event", "pipe", "pipeline", "map"]
    bare = HYGIENE(facts(replace(event_stream(), keywords=()), "4.0.1", "2018-10-01"))
    assert "no-keywords" in codes(bare)
    assert bare.score == (component.score or 0) - 1


def test_pypi_keywords_without_classifiers_count_half() -> None:
    info = replace(requests(), classifiers=(), keywords=("http", "requests"))
    component = HYGIENE(facts(info, "2.32.3", "2024-06-01"))
    assert evidence(component, "keywords").impact == 0.5
    neither = HYGIENE(facts(replace(info, keywords=()), "2.32.3", "2024-06-01"))
    assert "no-classifiers" in codes(neither)


def test_missing_parts_are_named_in_the_summary() -> None:
    info = replace(
        left_pad(), summary="left-pad", homepage=None, source_repository=None, license=None
    )
    component = HYGIENE(facts(info, "1.3.0", "2024-06-01"))
    assert codes(component) >= {"no-summary", "no-repository", "no-homepage"}
    assert component.summary == "Package metadata lacks licence, summary, repository, homepage."
    assert component.score == 2.5  # README 1.5 and keywords 1
    assert_adds_up(component, 0.0)


def test_an_unknown_readme_counts_half_with_medium_confidence() -> None:
    component = HYGIENE(facts(replace(requests(), description=None), "2.32.3", "2024-06-01"))
    assert evidence(component, "description-unknown").impact == 0.75
    assert component.confidence is Confidence.MEDIUM
    no_readme = HYGIENE(facts(replace(requests(), description=False), "2.32.3", "2024-06-01"))
    assert "no-description" in codes(no_readme)
    assert (no_readme.score or 0) < (component.score or 0)


def test_unknown_package() -> None:
    component = HYGIENE(facts(None, None, "2024-06-01", name="no-such-package"))
    assert component.score is None
    assert component.name is ComponentName.HYGIENE
