"""The set of Python parsers and the helpers they share."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem, ManifestParser
from stockade.ecosystems.parsing import read_text
from stockade.ecosystems.pypi.parsers import ALL_PARSERS
from stockade.ecosystems.pypi.parsers._common import (
    TomlLines,
    load_toml,
)
from stockade.ecosystems.pypi.parsers._poetry import to_pep440
from stockade.errors import InputError, ParseError
from tests.ecosystems.pypi.helpers import FIXTURES

KINDS = {
    "requirements.txt",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
    "Pipfile.lock",
    "Pipfile",
}


def test_one_parser_of_each_kind() -> None:
    assert {p.kind for p in ALL_PARSERS} == KINDS
    assert len(ALL_PARSERS) == len(KINDS)
    for parser in ALL_PARSERS:
        assert isinstance(parser, ManifestParser)
        assert parser.ecosystem is Ecosystem.PYPI
    assert list(get("PyPI").parsers()) == ALL_PARSERS
    locks = {p.kind for p in ALL_PARSERS if p.is_lockfile}
    assert locks == {"poetry.lock", "uv.lock", "pylock.toml", "Pipfile.lock"}


@pytest.mark.parametrize(
    "path",
    sorted(p for p in FIXTURES.rglob("*") if p.is_file()),
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_every_fixture_file_has_at_most_one_parser(path: Path) -> None:
    matching = [p.kind for p in ALL_PARSERS if p.matches(path)]
    expected = {
        "requirements.in": "requirements.txt",
        "constraints.txt": None,
    }.get(path.name, "requirements.txt" if path.suffix in (".txt", ".in") else path.name)
    if path.name.startswith("pylock"):
        expected = "pylock.toml"
    assert matching == ([expected] if expected else [])


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=lambda p: p.kind)
def test_every_parser_reports_unreadable_files(parser: ManifestParser, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        parser.parse(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        parser.parse(tmp_path / "absent")
    binary = tmp_path / "binary"
    binary.write_bytes(b"# first line\n\x00\x9f\x92\x96 second line\n")
    with pytest.raises(InputError) as err:
        parser.parse(binary)
    assert (err.value.path, err.value.line) == (str(binary), 2)
    assert "UTF-8" in str(err.value)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2,<2.0"),
        ("^1", ">=1,<2"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0", ">=0,<1"),
        ("^2.0.0rc1", ">=2.0.0rc1,<3.0.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("~=1.2", "~=1.2"),
        ("1.2.3", "==1.2.3"),
        ("=1.2.3", "==1.2.3"),
        ("==1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        ("*", ""),
        ("", ""),
        (">=1.2, <1.5", ">=1.2,<1.5"),
        (">= 1.2 < 1.5", ">=1.2,<1.5"),
        (">=1.2,!=1.3.*", ">=1.2,!=1.3.*"),
        ("^1.0 || ^2.0", ">=2.0,<3.0"),
    ],
)
def test_poetry_constraints_as_pep440(constraint: str, expected: str) -> None:
    assert to_pep440(constraint) == expected


@pytest.mark.parametrize("constraint", ["^^1", "^x.y", "~", ">=", "1.0 ||", ">>1"])
def test_invalid_poetry_constraints(constraint: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        to_pep440(constraint)


def test_toml_lines() -> None:
    text = (
        "# lock\n"
        "[[package]]\n"
        'name = "a"\n'
        'notes = """\n'
        "[[package]]\n"
        '"""\n'
        "\n"
        '[ "package" . deps ]\n'
        "Requests_Toolbelt = '1'\n"
        "\n"
        "[[package]]\n"
        'name = "b"\n'
    )
    lines = TomlLines(text)
    assert lines.array_entries("package") == [2, 11]
    assert lines.entry_lines("package", 2) == [2, 11]
    assert lines.entry_lines("package", 3) == [None, None, None]
    assert lines.section(("package", "deps")) == (7, 10)
    assert lines.locate(("package", "deps"), None, "requests-toolbelt") == 9
    assert lines.locate(("package", "deps"), None, "absent") is None


def test_toml_errors_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    with pytest.raises(ParseError) as err:
        load_toml(path, 'a = 1\nb = "unterminated\nc = 3\n')
    assert err.value.line == 2
    assert "(at line" not in str(err.value)
    with pytest.raises(ParseError) as err:
        load_toml(path, "a = 1\nb = [\n  1,\n")
    assert err.value.line == 3
    assert "truncated TOML" in str(err.value)


def test_read_text_drops_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\xef\xbb\xbfsix==1.16.0\n")
    assert read_text(path) == "six==1.16.0\n"
