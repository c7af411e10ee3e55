"""Reading user targets and checking names against each ecosystem's rules."""

from __future__ import annotations

import pytest

from stockade.ecosystems.interface import Ecosystem
from stockade.errors import InputError, StockadeError
from stockade.scoring.validate import name_problem, parse_target


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("pkg:pypi/Requests@2.32.3", None, (Ecosystem.PYPI, "requests", "2.32.3")),
        ("requests==2.32.3", Ecosystem.PYPI, (Ecosystem.PYPI, "requests", "2.32.3")),
        ("Django_REST.framework", Ecosystem.PYPI, (Ecosystem.PYPI, "django-rest-framework", None)),
        ("express@4.21.2", Ecosystem.NPM, (Ecosystem.NPM, "express", "4.21.2")),
        ("@sigstore/core@2.0.0", None, (Ecosystem.NPM, "@sigstore/core", "2.0.0")),
        ("@types/node", Ecosystem.PYPI, (Ecosystem.NPM, "@types/node", None)),
        ("pkg:npm/%40babel/core@7.26.0", None, (Ecosystem.NPM, "@babel/core", "7.26.0")),
    ],
)
def test_parse_target(
    text: str, default: Ecosystem | None, expected: tuple[Ecosystem, str, str | None]
) -> None:
    target = parse_target(text, default)
    assert (target.ecosystem, target.name, target.version) == expected


@pytest.mark.parametrize(
    ("ecosystem", "name", "fragment"),
    [
        (Ecosystem.PYPI, "-leading", "starts and ends"),
        (Ecosystem.PYPI, "spaces in name", "only ASCII"),
        (Ecosystem.PYPI, "", "empty"),
        (Ecosystem.NPM, ".hidden", "cannot start"),
        (Ecosystem.NPM, "_private", "cannot start"),
        (Ecosystem.NPM, "a/b", "no '/'"),
        (Ecosystem.NPM, "@scope", "@scope/name"),
        (Ecosystem.NPM, "caf\u00e9", "URL-safe"),
        (Ecosystem.NPM, "x" * 215, "214"),
    ],
)
def test_invalid_names_say_why(ecosystem: Ecosystem, name: str, fragment: str) -> None:
    problem = name_problem(ecosystem, name)
    assert problem is not None and fragment in problem


def test_valid_names_pass() -> None:
    assert name_problem(Ecosystem.PYPI, "zope.interface") is None
    assert name_problem(Ecosystem.NPM, "JSONStream") is None  # legacy upper case
    assert name_problem(Ecosystem.NPM, "@angular/core") is None


def test_bad_targets_raise_input_errors() -> None:
    with pytest.raises(InputError, match="not a valid PyPI package name"):
        parse_target("bad name!", Ecosystem.PYPI)
    with pytest.raises(InputError, match="which ecosystem"):
        parse_target("requests", None)
    with pytest.raises(StockadeError, match="unsupported package type"):
        parse_target("pkg:cargo/serde@1.0.0", None)
