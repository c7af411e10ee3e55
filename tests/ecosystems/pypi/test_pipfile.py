"""Pipenv: Pipfile.lock (pipfile-spec 6) and Pipfile."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution, Scope
from stockade.ecosystems.pypi.parsers import PipfileLockParser, PipfileParser
from stockade.errors import InputError, ParseError, UnsupportedFormatError
from tests.ecosystems.pypi.helpers import FASTAPI_PIPENV, ids, lines, node, with_scopes

LOCK_PARSER = PipfileLockParser()
PIPFILE_PARSER = PipfileParser()
LOCK = FASTAPI_PIPENV / "Pipfile.lock"
PIPFILE = FASTAPI_PIPENV / "Pipfile"

DEFAULT_ONLY = {
    "alembic@1.20.1",
    "annotated-types@0.8.0",
    "chardet@3.0.4",
    "fastapi@0.110.3",
    "httptools@0.9.0",
    "jinja2@2.10",
    "mako@1.4.3",
    "markupsafe@2.0.1",
    "pydantic-core@2.50.4",
    "pydantic@2.14.3",
    "python-dotenv@1.2.4",
    "python-multipart@0.0.34",
    "pyyaml@5.3",
    "requests@2.21.0",
    "sqlalchemy@2.1.9",
    "starlette@0.37.2",
    "typing-inspection@0.4.5",
    "urllib3@1.24.1",
    "uvicorn@0.54.0",
    "uvloop@0.23.0",
    "watchfiles@1.3.0",
    "websockets@17.4",
}
DEVELOP_ONLY = {
    "black@23.3.0",
    "httpcore@1.0.9",
    "httpx@0.28.1",
    "iniconfig@2.3.1",
    "mypy-extensions@1.2.0",
    "packaging@26.3",
    "pathspec@1.1.1",
    "platformdirs@4.14.7",
    "pluggy@1.7.0",
    "pygments@2.21.0",
    "pytest@9.2.0",
}
BOTH = {
    "anyio@4.16.0",
    "certifi@2026.10.18",
    "click@8.5.1",
    "h11@0.16.0",
    "idna@2.8",
    "typing-extensions@4.16.0",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_matches() -> None:
    assert LOCK_PARSER.matches(Path("svc/Pipfile.lock"))
    assert not LOCK_PARSER.matches(Path("svc/Pipfile"))
    assert PIPFILE_PARSER.matches(Path("svc/Pipfile"))
    assert not PIPFILE_PARSER.matches(Path("svc/Pipfile.lock"))
    assert LOCK_PARSER.is_lockfile
    assert not PIPFILE_PARSER.is_lockfile


def test_lock_sections_versions_and_scopes() -> None:
    graph = LOCK_PARSER.parse(LOCK)
    assert graph.sources == [str(LOCK)]
    assert ids(graph) == DEFAULT_ONLY | DEVELOP_ONLY | BOTH
    assert with_scopes(graph, "prod") == DEFAULT_ONLY
    assert with_scopes(graph, "dev") == DEVELOP_ONLY
    assert with_scopes(graph, "prod", "dev") == BOTH
    assert all(n.resolution is Resolution.LOCKED and not n.direct for n in graph)
    assert graph.edges == {}


def test_lock_hashes_and_lines() -> None:
    graph = LOCK_PARSER.parse(LOCK)
    assert node(graph, "requests@2.21.0").hashes == (
        "sha256:502a824f31acdacb3a35b6690b5fbf0bc41d63a24a45c4004352b0242707598e",
        "sha256:7bf2a778576d825600030a110f3c0e3e8edc51dfaafe1c146e39a2027784957b",
    )
    assert len(node(graph, "black@23.3.0").hashes) > 20
    assert lines(graph, "requests@2.21.0") == ["Pipfile.lock:495"]
    assert lines(graph, "urllib3@1.24.1") == ["Pipfile.lock:607"]
    assert lines(graph, "jinja2@2.10") == ["Pipfile.lock:215"]
    assert lines(graph, "anyio@4.16.0") == ["Pipfile.lock:36", "Pipfile.lock:895"]
    assert lines(graph, "pytest@9.2.0") == ["Pipfile.lock:1039"]
    text = LOCK.read_text(encoding="utf-8").splitlines()
    for n in graph:
        for loc in n.locations:
            assert loc.line is not None
            assert text[loc.line - 1].strip().startswith(f'"{n.name}": {{'), n.key


def test_lock_git_path_and_file_entries(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Pipfile.lock",
        """{
    "_meta": {"pipfile-spec": 6, "hash": {"sha256": "00"}},
    "default": {
        "audit-log": {
            "git": "https://github.com/example-org/audit-log.git",
            "ref": "4f2b0c7d9e8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c"
        },
        "svc": {
            "editable": true,
            "path": "."
        },
        "tool": {
            "file": "https://example.test/tool-1.0.tar.gz",
            "version": "==1.0"
        }
    },
    "develop": {}
}
""",
    )
    graph = LOCK_PARSER.parse(path)
    found = {
        f"{n.name}@{n.version}": (
            n.resolution.value,
            n.source.value,
            n.source_url,
            n.locations[0].line,
        )
        for n in graph
    }
    assert found == {
        "audit-log@None": (
            "unresolved",
            "git",
            "https://github.com/example-org/audit-log.git@4f2b0c7d9e8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c",
            4,
        ),
        "svc@None": ("unresolved", "path", ".", 8),
        "tool@1.0": ("locked", "url", "https://example.test/tool-1.0.tar.gz", 12),
    }


def test_unknown_pipfile_spec_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Pipfile.lock",
        '{\n  "_meta": {\n    "pipfile-spec": 7\n  },\n  "default": {}\n}\n',
    )
    with pytest.raises(UnsupportedFormatError) as err:
        LOCK_PARSER.parse(path)
    assert err.value.line == 3
    assert "supported: 6" in str(err.value)


def test_truncated_lock(tmp_path: Path) -> None:
    text = LOCK.read_text(encoding="utf-8")
    cut = text[: text.index('"version": "==2.21.0"')]
    path = write(tmp_path, "Pipfile.lock", cut)
    with pytest.raises(ParseError) as err:
        LOCK_PARSER.parse(path)
    assert err.value.line == cut.count("\n") + 1
    assert "truncated JSON" in str(err.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty file"),
        ("[]\n", 1, "JSON object"),
        ('{"default": {}}\n', 1, "no '_meta'"),
        ('{"_meta": [],\n "default": {}}\n', 1, "_meta should be a table"),
        ('{"_meta": {"pipfile-spec": 6},\n "default": []}\n', 2, "default should be a table"),
        ('{"_meta": {"pipfile-spec": 6},\n "default": {\n  "six": "1.0"}}\n', 3, "six should be"),
        (
            '{"_meta": {"pipfile-spec": 6},\n "default": {\n  "six": {"version": ">=1"}}}\n',
            3,
            "not exact",
        ),
        (
            '{"_meta": {"pipfile-spec": 6},\n "default": {\n  "six": {"version": 1}}}\n',
            3,
            "version",
        ),
        (
            '{"_meta": {"pipfile-spec": 6},\n "default": {\n  "six": {"hashes": "x"}}}\n',
            3,
            "hashes",
        ),
        ('{"_meta": {"pipfile-spec": 6}, "default": {,}}\n', 1, "invalid JSON"),
    ],
)
def test_malformed_lock(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    path = write(tmp_path, "Pipfile.lock", text)
    with pytest.raises(ParseError) as err:
        LOCK_PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_pipfile_declarations() -> None:
    graph = PIPFILE_PARSER.parse(PIPFILE)
    found = {
        f"{n.name}@{n.version}": (n.spec, ",".join(s.value for s in n.scopes), n.locations[0].line)
        for n in graph
    }
    assert found == {
        "fastapi@None": ("<0.111,>=0.100", "prod", 7),
        "uvicorn@None": ("~=0.23", "prod", 8),
        "sqlalchemy@None": ("~=2.0", "prod", 9),
        "alembic@None": (None, "prod", 10),
        "pyyaml@5.3": ("==5.3", "prod", 11),
        "jinja2@2.10": ("==2.10", "prod", 12),
        "markupsafe@2.0.1": ("==2.0.1", "prod", 13),
        "requests@2.21.0": ("==2.21.0", "prod", 14),
        "urllib3@1.24.1": ("==1.24.1", "prod", 15),
        "python-multipart@None": (">=0.0.6", "prod", 16),
        "pytest@None": (None, "dev", 19),
        "httpx@None": (">=0.24", "dev", 20),
        "black@23.3.0": ("==23.3.0", "dev", 21),
    }
    assert all(n.direct for n in graph)
    assert node(graph, "pyyaml@5.3").resolution is Resolution.PINNED
    assert node(graph, "httpx@None").resolution is Resolution.UNRESOLVED


def test_pipfile_tables_sources_and_categories(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Pipfile",
        "[[source]]\n"
        'url = "https://pypi.test/simple"\n'
        'name = "pypi"\n'
        "\n"
        "[packages]\n"
        'Django = {version = "==3.2.0", extras = ["argon2"]}\n'
        'audit-log = {git = "https://github.com/example-org/audit-log.git", ref = "v2.3.1"}\n'
        'svc = {path = ".", editable = true}\n'
        'pywin32 = {version = "*", sys_platform = "== \'win32\'"}\n'
        "\n"
        "[docs]\n"
        'sphinx = ">=7"\n'
        "\n"
        "[requires]\n"
        'python_version = "3.11"\n',
    )
    graph = PIPFILE_PARSER.parse(path)
    found = {
        f"{n.name}@{n.version}": (n.source.value, n.source_url, n.locations[0].line) for n in graph
    }
    assert found == {
        "django@3.2.0": ("registry", None, 6),
        "audit-log@None": ("git", "https://github.com/example-org/audit-log.git@v2.3.1", 7),
        "svc@None": ("path", ".", 8),
        "pywin32@None": ("registry", None, 9),
        "sphinx@None": ("registry", None, 12),
    }
    assert node(graph, "sphinx@None").scopes == {Scope.DEV}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[packages]\nsix = 1\n", 2, "version string or a table"),
        ("[packages]\nsix = '>>1'\n", 2, "invalid version"),
        ("# deps\npackages = 3\n", 2, "should be a table"),
        ("[packages]\nsix = \n", 2, "invalid TOML"),
    ],
)
def test_malformed_pipfile(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    path = write(tmp_path, "Pipfile", text)
    with pytest.raises(ParseError) as err:
        PIPFILE_PARSER.parse(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_unreadable_lock(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_bytes(b'{\n"_meta": "\xff"}\n')
    with pytest.raises(InputError) as err:
        LOCK_PARSER.parse(path)
    assert err.value.line == 2
