"""The format registry and the properties every format shares."""

from __future__ import annotations

import json

import pytest

from stockade.check.model import Report
from stockade.errors import InputError
from stockade.report import FORMATS, get_formatter
from tests.report import sample


def test_formats_are_registered_under_their_names() -> None:
    assert list(FORMATS) == ["table", "json", "sarif", "cyclonedx", "markdown"]
    for name, formatter in FORMATS.items():
        assert formatter.name == name
        assert "/" in formatter.media_type


def test_get_formatter_is_case_insensitive() -> None:
    assert get_formatter("SARIF") is FORMATS["sarif"]
    assert get_formatter(" json ") is FORMATS["json"]


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(InputError) as err:
        get_formatter("xml")
    message = str(err.value)
    assert "'xml'" in message
    for name in FORMATS:
        assert name in message


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("build", [sample.full, sample.empty, lambda: Report(root=".")])
def test_every_format_renders_every_report(name: str, build: object) -> None:
    assert callable(build)
    report = build()
    text = get_formatter(name).render(report, color=False, width=100)
    assert text.endswith("\n")
    assert "\x1b[" not in text
    if name in {"json", "sarif", "cyclonedx"}:
        assert isinstance(json.loads(text), dict)


@pytest.mark.parametrize("name", ["json", "sarif", "markdown"])
def test_rendering_is_deterministic(name: str) -> None:
    formatter = get_formatter(name)
    assert formatter.render(sample.full()) == formatter.render(sample.full())
