"""Look-alike characters, key adjacency, typing slips and name forms."""

from __future__ import annotations

import pytest

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.names.edits import single_edit
from stockade.scoring.names.forms import NameForms, cores
from stockade.scoring.names.homoglyphs import ascii_fold, describe, foreign_characters, skeleton
from stockade.scoring.names.keyboard import adjacent, neighbours

CYRILLIC_E = "\u0435"
GREEK_OMICRON = "\u03bf"


def test_unicode_lookalikes_fold_to_ascii() -> None:
    assert ascii_fold(f"r{CYRILLIC_E}quests") == "requests"
    assert ascii_fold(f"dj{GREEK_OMICRON}ng{GREEK_OMICRON}") == "djongo"
    assert ascii_fold("ｒｅｑｕｅｓｔｓ") == "requests"  # noqa: RUF001 - full-width letters
    assert ascii_fold("réquests") == "requests"
    assert foreign_characters(f"r{CYRILLIC_E}quests") == [(CYRILLIC_E, "e")]
    assert foreign_characters("requests") == []
    assert describe(CYRILLIC_E) == f"'{CYRILLIC_E}' (CYRILLIC SMALL LETTER IE)"


@pytest.mark.parametrize(
    ("lookalike", "original"),
    [
        ("jeIlyfish", "jellyfish"),
        ("pi11ow", "pillow"),
        ("nurnpy", "numpy"),
        ("c0lorama", "colorama"),
    ],
)
def test_ascii_lookalikes_share_a_skeleton(lookalike: str, original: str) -> None:
    assert skeleton(lookalike) == skeleton(original)
    assert lookalike.lower() != original


def test_qwerty_neighbours() -> None:
    assert neighbours("s") == frozenset("adwezx")
    assert neighbours("q") == frozenset("wa12")
    assert adjacent("u", "j") and adjacent("J", "u")
    assert not adjacent("o", "a")
    assert neighbours("@") == frozenset()


@pytest.mark.parametrize(
    ("candidate", "target", "kind", "doubled", "keyboard"),
    [
        ("reqeusts", "requests", "swap", False, False),
        ("djanga", "django", "substitute", False, False),
        ("requesta", "requests", "substitute", False, True),
        ("colourama", "colorama", "insert", False, False),
        ("reqjuests", "requests", "insert", False, True),
        ("reqquests", "requests", "insert", True, False),
        ("urlib3", "urllib3", "delete", True, False),
        ("equests", "requests", "delete", False, False),
    ],
)
def test_single_edits_are_named(
    candidate: str, target: str, kind: str, doubled: bool, keyboard: bool
) -> None:
    edit = single_edit(candidate, target)
    assert edit is not None
    assert (edit.kind, edit.doubled, edit.keyboard) == (kind, doubled, keyboard)


def test_two_edits_are_not_a_single_edit() -> None:
    assert single_edit("reqeust", "requests") is None
    assert single_edit("requests", "requests") is None


def test_name_forms() -> None:
    forms = NameForms.of("@types/node")
    assert (forms.scope, forms.bare, forms.tokens, forms.flat) == (
        "types",
        "node",
        ("node",),
        "typesnode",
    )
    assert NameForms.of("requests_toolbelt").words_key == "requests-toolbelt"
    assert NameForms.of("toolbelt-requests").sorted_key == "requests-toolbelt"
    assert NameForms.of("urllib3").squeezed == NameForms.of("urlib3").squeezed
    assert NameForms.of("tree-sitter-r").squeezed != NameForms.of("tree-sitter").squeezed


def test_affix_cores() -> None:
    found = {
        (c.core, c.prefix, c.suffix)
        for c in cores(NameForms.of("python3-dateutil"), Ecosystem.PYPI)
    }
    assert ("dateutil", "python3", "") in found
    assert ("python3dateutil", "", "") in found
    assert ("yaml", "py", "") in {
        (c.core, c.prefix, c.suffix) for c in cores(NameForms.of("pyyaml"), Ecosystem.PYPI)
    }
    assert ("telethon", "", "2") in {
        (c.core, c.prefix, c.suffix) for c in cores(NameForms.of("telethon2"), Ecosystem.PYPI)
    }
    assert ("lodash", "", "js") in {
        (c.core, c.prefix, c.suffix) for c in cores(NameForms.of("lodash.js"), Ecosystem.NPM)
    }
    # too short a core once stripped
    assert all(c.core != "jwt" for c in cores(NameForms.of("pyjwt"), Ecosystem.PYPI))
    # glued kind affixes are parts of real words
    assert all(c.suffix != "core" for c in cores(NameForms.of("botocore"), Ecosystem.PYPI))
