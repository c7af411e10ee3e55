"""Shared helpers and expectations for the Python parser tests."""

from __future__ import annotations

import re
from pathlib import Path

from stockade.ecosystems.graph import DependencyGraph, Node, NodeKey
from stockade.ecosystems.interface import Ecosystem

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "manifests" / "python"
DJANGO_UV = FIXTURES / "django-uv"
FLASK_POETRY = FIXTURES / "flask-poetry"
REPORTS_POETRY18 = FIXTURES / "reports-poetry18"
REPORTS_POETRY11 = FIXTURES / "reports-poetry11"
FASTAPI_PIPENV = FIXTURES / "fastapi-pipenv"
FLASK_REQUIREMENTS = FIXTURES / "flask-requirements"
LAYERED = FIXTURES / "layered"
PYLOCK_SOURCES = FIXTURES / "pylock-sources"
UV_WORKSPACE = FIXTURES / "uv-workspace"

DJANGO_PACKAGES = frozenset(
    {
        "amqp@5.4.2",
        "asgiref@3.12.1",
        "asgiref@3.13.0",
        "async-timeout@5.0.1",
        "billiard@4.3.2",
        "boto3@1.9.253",
        "botocore@1.12.253",
        "celery@5.3.6",
        "certifi@2026.10.18",
        "chardet@3.0.4",
        "click-didyoumean@0.3.1",
        "click-plugins@1.1.1.2",
        "click-repl@0.4.1",
        "click@8.5.1",
        "colorama@0.4.6",
        "django@3.2",
        "djangorestframework@3.14.0",
        "docutils@0.15.2",
        "exceptiongroup@1.3.1",
        "factory-boy@3.3.3",
        "faker@40.54.0",
        "flake8@7.4.1",
        "flake8@7.5.0",
        "gunicorn@27.0.1",
        "idna@2.7",
        "iniconfig@2.3.1",
        "inv-common@0.3.0",
        "jinja2@2.10",
        "jmespath@0.10.0",
        "kombu@5.7.0",
        "markupsafe@2.0.1",
        "mccabe@0.7.0",
        "packaging@26.3",
        "pluggy@1.7.0",
        "prompt-toolkit@3.0.53",
        "psycopg2-binary@2.9.13",
        "pycodestyle@2.15.0",
        "pyflakes@4.0.3",
        "pyflakes@4.1.0",
        "pygments@2.21.0",
        "pyjwt@2.15.1",
        "pytest-django@4.14.0",
        "pytest@9.2.0",
        "python-dateutil@2.9.0.post0",
        "pytz@2026.6",
        "pyyaml@5.3",
        "redis@5.3.1",
        "requests@2.19.1",
        "ruff@0.17.6",
        "s3transfer@0.2.1",
        "sentry-sdk@1.9.0",
        "six@1.17.0",
        "sqlparse@0.6.1",
        "tomli@2.5.0",
        "typing-extensions@4.16.0",
        "tzdata@2026.6",
        "urllib3@1.23",
        "vine@5.1.0",
        "wcwidth@0.9.4",
    }
)
"""Every package uv locked for the Django service (its root project excluded)."""

REPORTS_PACKAGES = frozenset(
    {
        "cairocffi@1.7.1",
        "cairosvg@2.8.2",
        "certifi@2026.10.18",
        "cffi@2.0.0",
        "chardet@3.0.4",
        "click@8.1.8",
        "colorama@0.4.6",
        "cssselect2@0.8.0",
        "defusedxml@0.7.1",
        "exceptiongroup@1.3.1",
        "html5lib@1.1",
        "idna@2.7",
        "iniconfig@2.1.0",
        "jinja2@2.10",
        "markupsafe@2.0.1",
        "packaging@26.3",
        "pillow@11.3.0",
        "pluggy@1.6.0",
        "pycparser@2.23",
        "pyphen@0.17.2",
        "pytest@7.4.4",
        "pyyaml@5.3",
        "requests-mock@1.11.0",
        "requests@2.19.1",
        "setuptools@82.0.1",
        "six@1.17.0",
        "tabulate@0.9.0",
        "tinycss2@1.4.0",
        "tomli@2.5.0",
        "typing-extensions@4.16.0",
        "urllib3@1.23",
        "weasyprint@52.5",
        "webencodings@0.5.1",
    }
)
"""Every package Poetry locked for the report builder (lock-version 1.1 and 2.0 alike)."""

REPORTS_OPTIONAL = frozenset(
    {
        "cairocffi@1.7.1",
        "cairosvg@2.8.2",
        "cffi@2.0.0",
        "cssselect2@0.8.0",
        "defusedxml@0.7.1",
        "html5lib@1.1",
        "pillow@11.3.0",
        "pycparser@2.23",
        "pyphen@0.17.2",
        "setuptools@82.0.1",
        "tinycss2@1.4.0",
        "weasyprint@52.5",
        "webencodings@0.5.1",
    }
)
"""The report builder's packages installed only for its ``pdf`` extra."""

_NAME_LINE = re.compile(r'^\s*name\s*=\s*"([^"]+)"')


def key(spec: str) -> NodeKey:
    """``"name@1.2.3"`` (or ``"name@None"``) -> the node key."""
    name, _, version = spec.rpartition("@")
    return (Ecosystem.PYPI, name, None if version in ("", "None") else version)


def ids(graph: DependencyGraph) -> set[str]:
    """Every node as ``name@version``."""
    return {f"{n.name}@{n.version}" for n in graph}


def node(graph: DependencyGraph, spec: str) -> Node:
    """The node ``name@version`` (fails the test when absent)."""
    found = graph.nodes.get(key(spec))
    assert found is not None, f"{spec} not in graph"
    return found


def kids(graph: DependencyGraph, spec: str) -> set[str]:
    """The dependencies of ``name@version`` as ``name@version`` strings."""
    return {f"{k[1]}@{k[2]}" for k in graph.children(key(spec))}


def scopes(graph: DependencyGraph, spec: str) -> set[str]:
    """The scopes of a node as plain strings."""
    return {s.value for s in node(graph, spec).scopes}


def with_scopes(graph: DependencyGraph, *wanted: str) -> set[str]:
    """The nodes whose scopes are exactly ``wanted``."""
    return {f"{n.name}@{n.version}" for n in graph if {s.value for s in n.scopes} == set(wanted)}


def lines(graph: DependencyGraph, spec: str) -> list[str]:
    """A node's locations as ``file-name:line`` strings."""
    return [f"{Path(loc.path).name}:{loc.line}" for loc in node(graph, spec).locations]


def direct(graph: DependencyGraph) -> set[str]:
    """The direct nodes as ``name@version``."""
    return {f"{n.name}@{n.version}" for n in graph.direct()}


def edge_set(graph: DependencyGraph) -> set[tuple[str, str]]:
    """Every edge as a pair of ``name@version`` strings."""
    return {(f"{p[1]}@{p[2]}", f"{c[1]}@{c[2]}") for p, cs in graph.edges.items() for c in cs}


def normalized(name: str) -> str:
    """PEP 503 form, written out here so the tests do not lean on the code under test."""
    return re.sub(r"[-_.]+", "-", name).lower()


def assert_lines_point_at_entries(graph: DependencyGraph, path: Path, header: str) -> None:
    """Every node's location is a ``header`` line whose entry names the package."""
    text = path.read_text(encoding="utf-8").splitlines()
    for n in graph:
        assert [loc.path for loc in n.locations] == [str(path)], n.key
        line = n.locations[0].line
        assert line is not None, n.key
        assert text[line - 1].strip() == header, (n.key, line)
        following = (_NAME_LINE.match(t) for t in text[line : line + 3])
        names = [normalized(m.group(1)) for m in following if m]
        assert names[:1] == [n.name], (n.key, line)
