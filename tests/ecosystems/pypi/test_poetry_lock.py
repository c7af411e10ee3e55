"""poetry.lock, lock-version 1.1, 2.0 and 2.1: packages, hashes, edges, scopes, lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution, Source
from stockade.ecosystems.pypi.parsers import PoetryLockParser
from stockade.errors import InputError, ParseError, UnsupportedFormatError
from tests.ecosystems.pypi.helpers import (
    FLASK_POETRY,
    REPORTS_OPTIONAL,
    REPORTS_PACKAGES,
    REPORTS_POETRY11,
    REPORTS_POETRY18,
    assert_lines_point_at_entries,
    edge_set,
    ids,
    kids,
    lines,
    node,
    with_scopes,
)

PARSER = PoetryLockParser()
V21 = FLASK_POETRY / "poetry.lock"
V20 = REPORTS_POETRY18 / "poetry.lock"
V11 = REPORTS_POETRY11 / "poetry.lock"

FLASK_PROD = {
    "amqp@5.4.2",
    "async-timeout@5.0.1",
    "billiard@4.3.2",
    "celery@5.6.3",
    "certifi@2026.10.18",
    "chardet@3.0.4",
    "click-didyoumean@0.3.1",
    "click-plugins@1.1.1.2",
    "click-repl@0.4.1",
    "click@8.5.1",
    "flask@1.0.2",
    "greenlet@3.5.6",
    "gunicorn@27.0.1",
    "idna@2.7",
    "itsdangerous@2.2.0",
    "jinja2@2.10",
    "kombu@5.7.0",
    "markupsafe@2.0.1",
    "marshmallow@3.26.2",
    "prompt-toolkit@3.0.53",
    "pyyaml@5.3",
    "redis@8.1.0",
    "requests@2.20.0",
    "sqlalchemy@1.4.54",
    "tzdata@2026.6",
    "tzlocal@5.4.5",
    "urllib3@1.24.1",
    "vine@5.1.0",
    "wcwidth@0.9.4",
    "werkzeug@2.1.2",
}
FLASK_DEV = {
    "colorama@0.4.6",
    "coverage@7.16.2",
    "docutils@0.20.1",
    "flake8@7.4.1",
    "freezegun@1.5.5",
    "iniconfig@2.3.1",
    "mccabe@0.7.0",
    "pluggy@1.7.0",
    "pycodestyle@2.15.0",
    "pyflakes@4.0.3",
    "pygments@2.21.0",
    "pytest-cov@4.1.0",
    "pytest@7.4.4",
    "tomli@2.5.0",
}
FLASK_BOTH = {
    "exceptiongroup@1.3.1",
    "packaging@26.3",
    "python-dateutil@2.8.2",
    "six@1.17.0",
    "typing-extensions@4.16.0",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "poetry.lock"
    path.write_text(text, encoding="utf-8")
    return path


def test_matches() -> None:
    assert PARSER.matches(Path("app/poetry.lock"))
    assert not PARSER.matches(Path("app/pyproject.toml"))
    assert PARSER.is_lockfile


def test_lock_2_1_packages_scopes_and_groups() -> None:
    graph = PARSER.parse(V21)
    assert ids(graph) == FLASK_PROD | FLASK_DEV | FLASK_BOTH | {"stripe@5.5.1"}
    assert len(graph) == 50
    assert graph.sources == [str(V21)]
    assert all(n.resolution is Resolution.LOCKED and not n.direct for n in graph)
    assert all(n.source is Source.REGISTRY for n in graph)
    assert with_scopes(graph, "prod") == FLASK_PROD
    assert with_scopes(graph, "dev") == FLASK_DEV  # docs and dev groups alike
    assert with_scopes(graph, "prod", "dev") == FLASK_BOTH
    assert with_scopes(graph, "optional") == {"stripe@5.5.1"}


def test_lock_2_1_edges_hashes_and_lines() -> None:
    graph = PARSER.parse(V21)
    assert kids(graph, "flask@1.0.2") == {
        "click@8.5.1",
        "itsdangerous@2.2.0",
        "jinja2@2.10",  # written "Jinja2" in the lock
        "werkzeug@2.1.2",
    }
    assert kids(graph, "requests@2.20.0") == {
        "certifi@2026.10.18",
        "chardet@3.0.4",
        "idna@2.7",
        "urllib3@1.24.1",
    }
    assert kids(graph, "kombu@5.7.0") == {
        "amqp@5.4.2",
        "packaging@26.3",
        "redis@8.1.0",  # an optional dependency, locked because celery[redis] asked for it
        "tzdata@2026.6",
        "vine@5.1.0",
    }
    assert kids(graph, "click-repl@0.4.1") == {
        "click@8.5.1",
        "prompt-toolkit@3.0.53",  # written prompt_toolkit
        "typing-extensions@4.16.0",
    }
    assert kids(graph, "urllib3@1.24.1") == set()
    assert len(edge_set(graph)) == 51
    assert node(graph, "flask@1.0.2").hashes == (
        "sha256:a080b744b7e345ccfcbc77954861cb05b3c63786e93f2b3875e0913d44b43f05",
        "sha256:2271c0070dbcb5275fad4a82e29f23ab92682dc45f9dfbc22c02ba9b9322ce48",
    )
    assert len(node(graph, "pyyaml@5.3").hashes) == 11
    assert lines(graph, "flask@1.0.2") == ["poetry.lock:392"]
    assert lines(graph, "urllib3@1.24.1") == ["poetry.lock:1175"]
    assert_lines_point_at_entries(graph, V21, "[[package]]")


def test_lock_2_0_has_no_groups_so_only_optional_is_told_apart() -> None:
    graph = PARSER.parse(V20)
    assert ids(graph) == REPORTS_PACKAGES
    assert with_scopes(graph, "optional") == REPORTS_OPTIONAL
    assert with_scopes(graph, "prod") == REPORTS_PACKAGES - REPORTS_OPTIONAL
    assert kids(graph, "requests-mock@1.11.0") == {"requests@2.19.1", "six@1.17.0"}
    assert lines(graph, "requests@2.19.1") == ["poetry.lock:590"]
    assert_lines_point_at_entries(graph, V20, "[[package]]")


def test_lock_1_1_categories_and_metadata_files() -> None:
    graph = PARSER.parse(V11)
    assert ids(graph) == REPORTS_PACKAGES
    assert with_scopes(graph, "dev") == {
        "exceptiongroup@1.3.1",
        "iniconfig@2.1.0",
        "packaging@26.3",
        "pluggy@1.6.0",
        "pytest@7.4.4",
        "requests-mock@1.11.0",
        "tomli@2.5.0",
        "typing-extensions@4.16.0",
    }
    assert with_scopes(graph, "optional") == REPORTS_OPTIONAL
    assert node(graph, "requests@2.19.1").hashes == (
        "sha256:63b52e3c866428a224f97cab011de738c36aec0185aa91cfacd418b5d58911d1",
        "sha256:ec22d826a36ed72a7358ff3fe56cbd4ba69dd7a6718ffd450ff0e9df7a47ce6a",
    )
    assert lines(graph, "requests@2.19.1") == ["poetry.lock:260"]
    assert_lines_point_at_entries(graph, V11, "[[package]]")
    # The same resolution in both formats: same edges, same hashes.
    newer = PARSER.parse(V20)
    assert edge_set(graph) == edge_set(newer)
    assert {n.key: n.hashes for n in graph} == {n.key: n.hashes for n in newer}


def test_versions_of_one_name_are_told_apart_by_constraint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[[package]]\n"
        'name = "app-lib"\n'
        'version = "1.0.0"\n'
        'groups = ["main"]\n'
        "files = []\n"
        "\n"
        "[package.dependencies]\n"
        "importlib-metadata = [\n"
        '    {version = ">=4,<5", markers = "python_version < \\"3.8\\""},\n'
        '    {version = ">=6", markers = "python_version >= \\"3.8\\""},\n'
        "]\n"
        'zipp = ">=3.1"\n'
        'missing-optional = {version = "*", optional = true}\n'
        "\n"
        "[[package]]\n"
        'name = "importlib-metadata"\n'
        'version = "4.13.0"\n'
        'groups = ["main"]\n'
        'markers = "python_version < \\"3.8\\""\n'
        "files = []\n"
        "\n"
        "[[package]]\n"
        'name = "importlib-metadata"\n'
        'version = "6.8.0"\n'
        'groups = ["main"]\n'
        "files = []\n"
        "\n"
        "[[package]]\n"
        'name = "zipp"\n'
        'version = "3.17.0"\n'
        'groups = ["main"]\n'
        "files = []\n"
        "\n"
        "[package.dependencies]\n"
        'importlib-metadata = "^6"\n'
        "\n"
        "[metadata]\n"
        'lock-version = "2.1"\n'
        'python-versions = "^3.7"\n'
        'content-hash = "0"\n',
    )
    graph = PARSER.parse(path)
    assert kids(graph, "app-lib@1.0.0") == {
        "importlib-metadata@4.13.0",
        "importlib-metadata@6.8.0",
        "zipp@3.17.0",
    }
    assert kids(graph, "zipp@3.17.0") == {"importlib-metadata@6.8.0"}
    assert lines(graph, "importlib-metadata@6.8.0") == ["poetry.lock:22"]


def test_package_sources(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[[package]]\n"
        'name = "audit-log"\n'
        'version = "2.3.1"\n'
        'groups = ["main"]\n'
        "files = []\n"
        "\n"
        "[package.source]\n"
        'type = "git"\n'
        'url = "https://github.com/example-org/audit-log.git"\n'
        'reference = "v2.3.1"\n'
        'resolved_reference = "4f2b0c7d9e8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c"\n'
        "\n"
        "[[package]]\n"
        'name = "core"\n'
        'version = "0.1.0"\n'
        'groups = ["main"]\n'
        "develop = true\n"
        "files = []\n"
        "\n"
        "[package.source]\n"
        'type = "directory"\n'
        'url = "../core"\n'
        "\n"
        "[[package]]\n"
        'name = "tool"\n'
        'version = "1.0"\n'
        'groups = ["main"]\n'
        'files = [{file = "tool-1.0.tar.gz", hash = "sha256:abcd"}]\n'
        "\n"
        "[package.source]\n"
        'type = "url"\n'
        'url = "https://example.test/tool-1.0.tar.gz"\n'
        "\n"
        "[[package]]\n"
        'name = "private-lib"\n'
        'version = "3.0"\n'
        'groups = ["main"]\n'
        "files = []\n"
        "\n"
        "[package.source]\n"
        'type = "legacy"\n'
        'url = "https://pypi.test/simple"\n'
        'reference = "internal"\n'
        "\n"
        "[metadata]\n"
        'lock-version = "2.1"\n',
    )
    graph = PARSER.parse(path)
    found = {n.name: (n.source.value, n.source_url, n.hashes) for n in graph}
    assert found == {
        "audit-log": (
            "git",
            "https://github.com/example-org/audit-log.git@4f2b0c7d9e8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c",
            (),
        ),
        "core": ("path", "../core", ()),
        "tool": ("url", "https://example.test/tool-1.0.tar.gz", ("sha256:abcd",)),
        "private-lib": ("registry", None, ()),
    }


def test_unknown_lock_version_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[package]]\nname = "six"\nversion = "1.16.0"\n\n[metadata]\nlock-version = "3.0"\n',
    )
    with pytest.raises(UnsupportedFormatError) as err:
        PARSER.parse(path)
    assert err.value.line == 6
    assert "3.0" in str(err.value)
    assert "1.x, 2.x" in str(err.value)


def test_truncated_lock(tmp_path: Path) -> None:
    text = V21.read_text(encoding="utf-8")
    cut = text[: text.index('{file = "Flask-1.0.2.tar.gz"') + 20]
    path = write(tmp_path, cut)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == cut.count("\n") + 1
    assert "truncated TOML" in str(err.value) or "invalid TOML" in str(err.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[package]]\nname = "six"\n\n[metadata]\nlock-version = "2.1"\n', 1, "version of six"),
        ('[[package]]\nversion = "1"\n\n[metadata]\nlock-version = "2.1"\n', 1, "package name"),
        ('[[package]]\nname = 3\nversion = "1"\n', 1, "package name"),
        ('package = "six"\n[metadata]\nlock-version = "2.1"\n', None, "array"),
        ('[[package]]\nname = "a"\nversion = "1"\ngroups = "main"\n', 1, "groups"),
        ('[[package]]\nname = "a"\nversion = "1"\nfiles = "x"\n', 1, "files of a"),
        ('[[package]]\nname = "a"\nversion = "1"\ndependencies = 3\n', 1, "dependencies of a"),
        ("[metadata]\nlock-version = 2\n", 2, "lock-version"),
        ("[tool.other]\nx = 1\n", None, "not a poetry.lock"),
    ],
)
def test_malformed_lock(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_merge_conflict_markers_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[package]]\n<<<<<<< HEAD\nname = "six"\n=======\nname = "attrs"\n>>>>>>> main\n',
    )
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == 2
    assert "merge conflict" in str(err.value)


def test_a_directory_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").mkdir()
    with pytest.raises(InputError, match="directory"):
        PARSER.parse(tmp_path / "poetry.lock")
