"""uv.lock (version 1): the root's direct dependencies, edges, scopes, sources, lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution
from stockade.ecosystems.pypi.parsers import UvLockParser
from stockade.errors import ParseError, UnsupportedFormatError
from tests.ecosystems.pypi.helpers import (
    DJANGO_PACKAGES,
    DJANGO_UV,
    UV_WORKSPACE,
    assert_lines_point_at_entries,
    direct,
    ids,
    key,
    kids,
    lines,
    node,
    with_scopes,
)

PARSER = UvLockParser()
DJANGO_LOCK = DJANGO_UV / "uv.lock"
WORKSPACE_LOCK = UV_WORKSPACE / "uv.lock"

DJANGO_OPTIONAL = {
    "boto3@1.9.253",
    "botocore@1.12.253",
    "docutils@0.15.2",
    "jmespath@0.10.0",
    "s3transfer@0.2.1",
}
DJANGO_DEV = {
    "colorama@0.4.6",
    "exceptiongroup@1.3.1",
    "factory-boy@3.3.3",
    "faker@40.54.0",
    "flake8@7.4.1",
    "flake8@7.5.0",
    "iniconfig@2.3.1",
    "mccabe@0.7.0",
    "packaging@26.3",
    "pluggy@1.7.0",
    "pycodestyle@2.15.0",
    "pyflakes@4.0.3",
    "pyflakes@4.1.0",
    "pygments@2.21.0",
    "pytest-django@4.14.0",
    "pytest@9.2.0",
    "ruff@0.17.6",
    "tomli@2.5.0",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "uv.lock"
    path.write_text(text, encoding="utf-8")
    return path


def test_matches() -> None:
    assert PARSER.matches(Path("svc/uv.lock"))
    assert not PARSER.matches(Path("svc/poetry.lock"))
    assert PARSER.is_lockfile


def test_packages_without_the_root_project() -> None:
    graph = PARSER.parse(DJANGO_LOCK)
    assert ids(graph) == DJANGO_PACKAGES
    assert graph.sources == [str(DJANGO_LOCK)]
    assert all(n.resolution is Resolution.LOCKED for n in graph)
    assert direct(graph) == {
        "boto3@1.9.253",
        "celery@5.3.6",
        "django@3.2",
        "djangorestframework@3.14.0",
        "factory-boy@3.3.3",
        "flake8@7.4.1",
        "flake8@7.5.0",
        "gunicorn@27.0.1",
        "inv-common@0.3.0",
        "jinja2@2.10",
        "markupsafe@2.0.1",
        "psycopg2-binary@2.9.13",
        "pytest-django@4.14.0",
        "pytest@9.2.0",
        "pyyaml@5.3",
        "requests@2.19.1",
        "ruff@0.17.6",
        "sentry-sdk@1.9.0",
    }


def test_scopes_follow_the_edges_from_the_root() -> None:
    graph = PARSER.parse(DJANGO_LOCK)
    assert with_scopes(graph, "optional") == DJANGO_OPTIONAL
    assert with_scopes(graph, "dev") == DJANGO_DEV
    # Reached from prod as well as from an extra or a dev group: installed in prod, so prod.
    shared = {
        "python-dateutil@2.9.0.post0",
        "six@1.17.0",
        "urllib3@1.23",
        "typing-extensions@4.16.0",
        "tzdata@2026.6",
    }
    assert shared <= with_scopes(graph, "prod")
    assert with_scopes(graph, "prod", "optional") == set()
    assert with_scopes(graph, "prod", "dev") == set()
    assert len(with_scopes(graph, "prod")) == 36


def test_edges_pick_the_version_named_by_the_entry() -> None:
    graph = PARSER.parse(DJANGO_LOCK)
    assert kids(graph, "django@3.2") == {
        "asgiref@3.12.1",
        "asgiref@3.13.0",
        "pytz@2026.6",
        "sqlparse@0.6.1",
    }
    assert kids(graph, "flake8@7.4.1") == {"mccabe@0.7.0", "pycodestyle@2.15.0", "pyflakes@4.0.3"}
    assert kids(graph, "flake8@7.5.0") == {"mccabe@0.7.0", "pycodestyle@2.15.0", "pyflakes@4.1.0"}
    assert kids(graph, "requests@2.19.1") == {
        "certifi@2026.10.18",
        "chardet@3.0.4",
        "idna@2.7",
        "urllib3@1.23",
    }
    # celery's redis extra (asked for as celery[redis]) is an edge of celery.
    assert "redis@5.3.1" in kids(graph, "celery@5.3.6")
    assert graph.paths_to(key("redis@5.3.1")) == [key("celery@5.3.6"), key("redis@5.3.1")]
    assert kids(graph, "inv-common@0.3.0") == {"python-dateutil@2.9.0.post0"}


def test_hashes_sources_and_lines() -> None:
    graph = PARSER.parse(DJANGO_LOCK)
    assert node(graph, "pyyaml@5.3").hashes == (
        "sha256:e9f45bd5b92c7974e59bcd2dcc8631a6b6cc380a904725fce7bc08872e691615",
    )
    assert node(graph, "jinja2@2.10").hashes == (
        "sha256:f84be1bb0040caca4cea721fcbbbbd61f9be9464ca236387158b0feea01914a4",
        "sha256:74c935a1b8bb9a3947c50a54766a969d4846290e1e788ea44c1392163723c3bd",
    )
    assert len(node(graph, "psycopg2-binary@2.9.13").hashes) == 67
    common = node(graph, "inv-common@0.3.0")
    assert (common.source.value, common.source_url, common.hashes) == (
        "path",
        "libs/inv-common",
        (),
    )
    assert lines(graph, "django@3.2") == ["uv.lock:194"]
    assert lines(graph, "asgiref@3.13.0") == ["uv.lock:36"]
    assert_lines_point_at_entries(graph, DJANGO_LOCK, "[[package]]")


def test_workspace_members_are_the_project() -> None:
    graph = PARSER.parse(WORKSPACE_LOCK)
    assert ids(graph) == {
        "audit-log@2.3.1",
        "iniconfig@2.3.1",
        "jinja2@2.10",
        "markupsafe@2.0.1",
        "orders-client@1.4.2",
        "packaging@26.3",
        "pluggy@1.7.0",
        "pytest@7.4.0",
        "pyyaml@5.3",
        "shared-models@0.1.0",
        "vendored-utils@0.2.0",
    }
    assert direct(graph) == {
        "audit-log@2.3.1",
        "jinja2@2.10",
        "orders-client@1.4.2",
        "pytest@7.4.0",
        "pyyaml@5.3",
        "shared-models@0.1.0",
        "vendored-utils@0.2.0",
    }
    assert with_scopes(graph, "dev") == {
        "iniconfig@2.3.1",
        "packaging@26.3",
        "pluggy@1.7.0",
        "pytest@7.4.0",
    }
    sources = {n.name: (n.source.value, n.source_url) for n in graph if n.source_url}
    assert sources == {
        "audit-log": (
            "git",
            "https://github.com/example-org/audit-log.git?rev=v2.3.1"
            "#4f2b0c7d9e8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c",
        ),
        "orders-client": (
            "url",
            "https://files.pypi.test/packages/orders_client-1.4.2-py3-none-any.whl",
        ),
        "shared-models": ("path", "libs/shared-models"),
        "vendored-utils": ("path", "vendor/vendored_utils-0.2.0-py3-none-any.whl"),
    }
    assert kids(graph, "audit-log@2.3.1") == {"pyyaml@5.3"}
    assert node(graph, "vendored-utils@0.2.0").hashes == (
        "sha256:7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f",
    )
    assert lines(graph, "audit-log@2.3.1") == ["uv.lock:11"]
    assert_lines_point_at_entries(graph, WORKSPACE_LOCK, "[[package]]")


def test_an_editable_root_is_the_project(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version = 1\n"
        "requires-python = '>=3.11'\n\n"
        "[[package]]\n"
        'name = "svc"\n'
        'version = "1.0.0"\n'
        'source = { editable = "." }\n'
        'dependencies = [{ name = "six" }]\n\n'
        "[package.optional-dependencies]\n"
        'yaml = [{ name = "pyyaml" }]\n\n'
        "[[package]]\n"
        'name = "six"\n'
        'version = "1.16.0"\n'
        'source = { registry = "https://pypi.test/simple" }\n\n'
        "[[package]]\n"
        'name = "pyyaml"\n'
        'version = "5.3"\n'
        'source = { registry = "https://pypi.test/simple" }\n',
    )
    graph = PARSER.parse(path)
    assert ids(graph) == {"six@1.16.0", "pyyaml@5.3"}
    assert direct(graph) == {"six@1.16.0", "pyyaml@5.3"}
    assert with_scopes(graph, "optional") == {"pyyaml@5.3"}
    assert lines(graph, "pyyaml@5.3") == ["uv.lock:18"]


def test_other_lock_versions_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# written by a newer uv\nversion = 2\nrevision = 1\n")
    with pytest.raises(UnsupportedFormatError) as err:
        PARSER.parse(path)
    assert err.value.line == 2
    assert "supported: 1" in str(err.value)


def test_truncated_lock(tmp_path: Path) -> None:
    text = DJANGO_LOCK.read_text(encoding="utf-8")
    cut = text[: text.index('name = "django"') + 40]
    path = write(tmp_path, cut)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == cut.count("\n") + 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[[package]]\nname = 'a'\n", 1, "no top-level 'version'"),
        ("version = '1'\n", 1, "integer"),
        ("version = 1\n[[package]]\nversion = '1'\n", 2, "package name"),
        ("version = 1\n[[package]]\nname = 'a'\nversion = 1\n", 2, "version of a"),
        ("version = 1\n[[package]]\nname = 'a'\nsource = 'pypi'\n", 2, "source of a"),
        ("version = 1\n[[package]]\nname = 'a'\nwheels = 'x'\n", 2, "wheels of a"),
        (
            "version = 1\n[[package]]\nname = 'a'\nversion = '1'\n"
            "dependencies = [{ name = 'b' }]\n",
            2,
            "a depends on b, which is not locked",
        ),
        (
            "version = 1\n[[package]]\nname = 'a'\nversion = '1'\n"
            "dependencies = [{ name = 'b', version = '2' }]\n"
            "[[package]]\nname = 'b'\nversion = '1'\n",
            2,
            "b 2, which is not locked",
        ),
        ("version = 1\npackage = 3\n", None, "should be an array"),
    ],
)
def test_malformed_lock(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert words in str(err.value)
