"""pyproject.toml: PEP 621, PEP 735 dependency groups and Poetry tables, with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import DependencyGraph, Resolution, Scope
from stockade.ecosystems.pypi.parsers import PyprojectParser
from stockade.errors import InputError, ParseError
from tests.ecosystems.pypi.helpers import (
    DJANGO_UV,
    FLASK_POETRY,
    REPORTS_POETRY18,
    ids,
    lines,
    node,
    scopes,
)

PARSER = PyprojectParser()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def table(graph: DependencyGraph) -> dict[str, tuple[str | None, str, int | None]]:
    """name@version -> (spec, scopes, line)."""
    return {
        f"{n.name}@{n.version}": (
            n.spec,
            ",".join(sorted(s.value for s in n.scopes)),
            n.locations[0].line,
        )
        for n in graph
    }


def test_matches() -> None:
    assert PARSER.matches(Path("svc/pyproject.toml"))
    assert not PARSER.matches(Path("svc/pyproject.toml.bak"))
    assert not PARSER.matches(Path("Pipfile"))
    assert not PARSER.is_lockfile


def test_pep621_and_dependency_groups() -> None:
    path = DJANGO_UV / "pyproject.toml"
    graph = PARSER.parse(path)
    assert graph.sources == [str(path)]
    assert table(graph) == {
        "django@3.2.0": ("==3.2.0", "prod", 7),
        "djangorestframework@None": ("<3.15,>=3.12", "prod", 8),
        "requests@2.19.1": ("==2.19.1", "prod", 9),
        "pyyaml@5.3": ("==5.3", "prod", 10),
        "jinja2@2.10": ("==2.10", "prod", 11),
        "markupsafe@2.0.1": ("==2.0.1", "prod", 12),
        "celery@None": ("<5.4,>=5.2", "prod", 13),
        "gunicorn@None": (">=20.1", "prod", 14),
        "psycopg2-binary@None": (">=2.9", "prod", 15),
        "sentry-sdk@None": ("<2,>=1.5", "prod", 16),
        "inv-common@None": (None, "prod", 17),
        "boto3@None": ("<1.10,>=1.9", "optional", 21),
        # The dev group includes test and lint: their requirements, where they are written.
        "pytest@None": (">=7.2", "dev", 24),
        "pytest-django@None": (">=4.5", "dev", 24),
        "factory-boy@None": (">=3.2", "dev", 24),
        "ruff@None": (">=0.1", "dev", 25),
        "flake8@None": (">=6", "dev", 25),
    }
    assert all(n.direct for n in graph)
    assert node(graph, "django@3.2.0").resolution is Resolution.PINNED
    assert node(graph, "celery@None").resolution is Resolution.UNRESOLVED
    # [tool.uv.sources] says where inv-common comes from.
    assert node(graph, "inv-common@None").source.value == "path"
    assert node(graph, "inv-common@None").source_url == "libs/inv-common"
    assert "inventory-service" not in {n.name for n in graph}


def test_poetry_tables_and_groups() -> None:
    graph = PARSER.parse(FLASK_POETRY / "pyproject.toml")
    assert table(graph) == {
        "flask@1.0.2": ("==1.0.2", "prod", 10),
        "jinja2@2.10": ("==2.10", "prod", 11),
        "markupsafe@None": (">=2.0,<2.1", "prod", 12),
        "requests@2.20.0": ("==2.20.0", "prod", 13),
        "urllib3@1.24.1": ("==1.24.1", "prod", 14),
        "pyyaml@5.3": ("==5.3", "prod", 15),
        "sqlalchemy@None": (">=1.4.46,<1.5.0", "prod", 16),
        "marshmallow@None": (">=3.13,<4", "prod", 17),
        "gunicorn@None": (None, "prod", 18),
        "celery@None": (">=5.2,<6.0", "prod", 19),
        "stripe@None": (">=5.0,<6.0", "optional", 20),
        "python-dateutil@None": ("==2.8.*", "prod", 21),
        "pytest@None": (">=7.4,<8.0", "dev", 27),
        "pytest-cov@None": (">=4.1,<5.0", "dev", 28),
        "flake8@None": (">=6", "dev", 29),
        "freezegun@None": (">=1.2,<2.0", "dev", 30),
        "docutils@None": (">=0.20,<0.21", "dev", 36),
        "pygments@None": (">=2.15,<3.0", "dev", 37),
    }
    assert "python" not in {n.name for n in graph}
    assert "billing-api" not in {n.name for n in graph}


def test_legacy_poetry_dev_dependencies() -> None:
    graph = PARSER.parse(REPORTS_POETRY18 / "pyproject.toml")
    assert ids(graph) == {
        "requests@2.19.1",
        "pyyaml@5.3",
        "jinja2@2.10",
        "markupsafe@2.0.1",
        "click@None",
        "tabulate@None",
        "weasyprint@None",
        "pytest@None",
        "requests-mock@None",
    }
    assert scopes(graph, "weasyprint@None") == {"optional"}
    assert scopes(graph, "requests-mock@None") == {"dev"}
    assert lines(graph, "requests-mock@None") == ["pyproject.toml:23"]
    assert node(graph, "tabulate@None").spec == ">=0.9,<0.10"


def test_self_referencing_extras_are_expanded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[project]\n"
        'name = "My_Service"\n'
        'dependencies = ["attrs>=23"]\n'
        "\n"
        "[project.optional-dependencies]\n"
        'aws = ["boto3>=1.26"]\n'
        'all = ["my-service[aws]", "rich"]\n'
        "\n"
        "[dependency-groups]\n"
        'dev = ["my.service[aws]", "pytest"]\n',
    )
    graph = PARSER.parse(path)
    assert ids(graph) == {"attrs@None", "boto3@None", "rich@None", "pytest@None"}
    assert scopes(graph, "boto3@None") == {"optional", "dev"}
    assert lines(graph, "boto3@None") == ["pyproject.toml:6"]
    assert lines(graph, "rich@None") == ["pyproject.toml:7"]


def test_lines_for_inline_tables_dotted_keys_and_repeats(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[project]\n"
        'name = "svc"\n'
        "# requests is pinned below\n"
        'dependencies = ["requests==2.19.1", "urllib3==1.24.1",\n'
        "    \"numpy>=1.24; python_version >= '3.9'\",\n"
        "    \"numpy>=1.21; python_version < '3.9'\",\n"
        "]\n"
        'optional-dependencies.docs = ["sphinx>=7"]\n'
        "\n"
        "[dependency-groups]\n"
        "lint = [\n"
        '    "ruff",  # the linter\n'
        "]\n",
    )
    graph = PARSER.parse(path)
    assert lines(graph, "requests@2.19.1") == ["pyproject.toml:4"]
    assert lines(graph, "urllib3@1.24.1") == ["pyproject.toml:4"]
    assert lines(graph, "numpy@None") == ["pyproject.toml:5", "pyproject.toml:6"]
    assert lines(graph, "sphinx@None") == ["pyproject.toml:8"]
    assert scopes(graph, "sphinx@None") == {"optional"}
    assert lines(graph, "ruff@None") == ["pyproject.toml:12"]


def test_url_requirements(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[project]\n"
        'name = "svc"\n'
        "dependencies = [\n"
        '    "audit-log @ git+https://github.com/example-org/audit-log.git@v2.3.1",\n'
        '    "tool @ https://example.test/tool-1.0.tar.gz",\n'
        '    "core @ file:///srv/src/core",\n'
        "]\n",
    )
    graph = PARSER.parse(path)
    found = {n.name: (n.version, n.source.value, n.source_url) for n in graph}
    assert found == {
        "audit-log": (
            None,
            "git",
            "git+https://github.com/example-org/audit-log.git@v2.3.1",
        ),
        "tool": (None, "url", "https://example.test/tool-1.0.tar.gz"),
        "core": (None, "path", "file:///srv/src/core"),
    }
    assert lines(graph, "core@None") == ["pyproject.toml:6"]


def test_poetry_sources_lists_and_subtables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[tool.poetry]\n"
        'name = "svc"\n'
        "\n"
        "[tool.poetry.dependencies]\n"
        'python = ">=3.10,<4"\n'
        'audit-log = { git = "https://github.com/example-org/audit-log.git", tag = "v2.3.1" }\n'
        'core = { path = "../core", develop = true }\n'
        'tool = { url = "https://example.test/tool-1.0.tar.gz" }\n'
        "numpy = [\n"
        '    { version = "^1.24", python = ">=3.9" },\n'
        '    { version = "~1.21", python = "<3.9" },\n'
        "]\n"
        'legacy = "^0.0.3"\n'
        'any-of = "^1.0 || ^2.0"\n'
        "\n"
        "[tool.poetry.dependencies.requests]\n"
        'version = ">=2.19 <2.20"\n'
        'extras = ["socks"]\n',
    )
    graph = PARSER.parse(path)
    found = {
        f"{n.name}@{n.version}": (n.spec, n.source.value, n.source_url, n.locations[0].line)
        for n in graph
    }
    assert found == {
        "audit-log@None": (
            None,
            "git",
            "https://github.com/example-org/audit-log.git@v2.3.1",
            6,
        ),
        "core@None": (None, "path", "../core", 7),
        "tool@None": (None, "url", "https://example.test/tool-1.0.tar.gz", 8),
        "numpy@None": (">=1.24,<2.0", "registry", None, 9),
        "legacy@None": (">=0.0.3,<0.0.4", "registry", None, 13),
        "any-of@None": (">=2.0,<3.0", "registry", None, 14),
        "requests@None": (">=2.19,<2.20", "registry", None, 16),
    }
    # Both numpy constraints are kept on the one node.
    assert len(node(graph, "numpy@None").locations) == 1


def test_a_file_without_dependencies_gives_an_empty_graph(tmp_path: Path) -> None:
    graph = PARSER.parse(write(tmp_path, "[tool.ruff]\nline-length = 100\n"))
    assert len(graph) == 0
    assert graph.sources == [str(tmp_path / "pyproject.toml")]


def test_scopes_are_kept_apart(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[project]\nname = "x"\ndependencies = ["attrs"]\n'
        '[dependency-groups]\ndev = ["attrs", "pytest"]\n',
    )
    graph = PARSER.parse(path)
    assert node(graph, "attrs@None").scopes == {Scope.PROD, Scope.DEV}
    assert lines(graph, "attrs@None") == ["pyproject.toml:3", "pyproject.toml:5"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[project]\nname = "x"\ndependencies = [\n  "ok",\n  "bad>=>1",\n]\n', 5, "bad>=>1"),
        ('[project]\nname = "x"\ndependencies = "django"\n', 3, "should be an array"),
        ('[project]\nname = "x"\ndependencies = [3]\n', 3, "should be a string"),
        (
            "[dependency-groups]\na = [{include-group = 'b'}]\nb = [{include-group = 'a'}]\n",
            3,
            "itself",
        ),
        ("[dependency-groups]\na = [{include-group = 'nope'}]\n", 2, "unknown group"),
        ("[dependency-groups]\na = [{other = 1}]\n", 2, "include-group"),
        ("[tool.poetry.dependencies]\nflask = 3\n", 2, "version string or a table"),
        ("[tool.poetry.dependencies]\nflask = '^^1'\n", 2, "invalid constraint"),
        ("[tool.poetry.dependencies]\nflask = { version = 1 }\n", 2, "should be a string"),
        ("[tool.poetry]\ndependencies = 'x'\n", 2, "should be a table"),
    ],
)
def test_malformed_content(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_toml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\ndependencies = ["a" "b"]\n')
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == 3
    assert "invalid TOML" in str(err.value)


def test_truncated_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\ndependencies = [\n    "django==3.2.0",\n')
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == 4
    assert "truncated TOML" in str(err.value)


def test_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[project]\nname = "\xe9"\n')
    with pytest.raises(InputError) as err:
        PARSER.parse(path)
    assert err.value.line == 2
