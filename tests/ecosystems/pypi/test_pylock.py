"""PEP 751 pylock.toml: packages, sources, hashes, marker scopes, dependencies, lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution
from stockade.ecosystems.pypi.parsers import PylockParser, UvLockParser
from stockade.errors import ParseError, UnsupportedFormatError
from tests.ecosystems.pypi.helpers import (
    DJANGO_PACKAGES,
    DJANGO_UV,
    PYLOCK_SOURCES,
    assert_lines_point_at_entries,
    edge_set,
    ids,
    lines,
    node,
    with_scopes,
)

PARSER = PylockParser()
EXPORTED = DJANGO_UV / "pylock.toml"
SOURCES = PYLOCK_SOURCES / "pylock.toml"


def write(tmp_path: Path, text: str, name: str = "pylock.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pylock.toml", True),
        ("pylock.dev.toml", True),
        ("pylock.py311-linux.toml", True),
        ("pylock.a.b.toml", False),
        ("pylock.json", False),
        ("uv.lock", False),
    ],
)
def test_matches(name: str, expected: bool) -> None:
    assert PARSER.matches(Path("svc") / name) is expected
    assert PARSER.is_lockfile


def test_uv_export_has_the_packages_of_its_uv_lock() -> None:
    graph = PARSER.parse(EXPORTED)
    assert graph.sources == [str(EXPORTED)]
    # The editable workspace package is a directory without a version in PEP 751.
    assert ids(graph) == (DJANGO_PACKAGES - {"inv-common@0.3.0"}) | {"inv-common@None"}
    assert edge_set(graph) == set()  # uv writes no dependencies
    assert not graph.direct()
    assert with_scopes(graph, "prod") == ids(graph)
    common = node(graph, "inv-common@None")
    assert (common.source.value, common.source_url) == ("path", "libs/inv-common")
    assert common.resolution is Resolution.UNRESOLVED
    assert all(n.resolution is Resolution.LOCKED for n in graph if n.version)
    # The same artifacts, so the same hashes as the uv.lock they came from.
    from_uv = UvLockParser().parse(DJANGO_UV / "uv.lock")
    for n in graph:
        if n.version:
            assert set(n.hashes) == set(from_uv.nodes[n.key].hashes), n.key
    assert lines(graph, "jinja2@2.10") == ["pylock.toml:200"]
    assert_lines_point_at_entries(graph, EXPORTED, "[[packages]]")


def test_sources_markers_and_dependencies() -> None:
    graph = PARSER.parse(SOURCES)
    found = {
        f"{n.name}@{n.version}": (
            ",".join(sorted(s.value for s in n.scopes)),
            n.source.value,
            n.source_url,
            n.locations[0].line,
        )
        for n in graph
    }
    assert found == {
        "requests@2.19.1": ("prod", "registry", None, 9),
        "certifi@2026.10.18": ("prod", "registry", None, 25),
        "chardet@3.0.4": ("prod", "registry", None, 33),
        "idna@2.7": ("prod", "registry", None, 41),
        "urllib3@1.23": ("prod", "registry", None, 49),
        "pyyaml@5.3": ("prod", "registry", None, 57),
        "audit-log@2.3.1": (
            "prod",
            "git",
            "https://github.com/example-org/audit-log.git@4f2b0c7d9e8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c",
            63,
        ),
        "orders-core@None": ("prod", "path", "libs/orders-core", 74),
        "legacy-tools@0.9": (
            "prod",
            "url",
            "https://files.pypi.test/packages/legacy-tools-0.9.tar.gz",
            78,
        ),
        "boto3@1.9.253": ("optional", "registry", None, 83),
        "pytest@7.4.0": ("dev", "registry", None, 92),
        "tomli@2.0.1": ("dev", "registry", None, 104),
        "tomli@2.5.0": ("dev", "registry", None, 113),
    }
    assert edge_set(graph) == {
        ("requests@2.19.1", "certifi@2026.10.18"),
        ("requests@2.19.1", "chardet@3.0.4"),
        ("requests@2.19.1", "idna@2.7"),
        ("requests@2.19.1", "urllib3@1.23"),
        ("audit-log@2.3.1", "pyyaml@5.3"),
        ("pytest@7.4.0", "tomli@2.0.1"),
    }
    assert node(graph, "requests@2.19.1").hashes == (
        "sha256:ec22d826a36ed72a7358ff3fe56cbd4ba69dd7a6718ffd450ff0e9df7a47ce6a",
        "sha256:63b52e3c866428a224f97cab011de738c36aec0185aa91cfacd418b5d58911d1",
    )
    assert node(graph, "legacy-tools@0.9").hashes == (
        "sha256:9d3c1f0e5b7a2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e",
    )


def test_unknown_major_version_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n')
    with pytest.raises(UnsupportedFormatError) as err:
        PARSER.parse(path)
    assert err.value.line == 1
    assert "supported: 1.x" in str(err.value)


def test_a_newer_minor_version_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'lock-version = "1.1"\ncreated-by = "x"\n\n'
        '[[packages]]\nname = "six"\nversion = "1.16.0"\n',
        name="pylock.ci.toml",
    )
    assert ids(PARSER.parse(path)) == {"six@1.16.0"}


def test_an_entry_with_only_a_name_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, 'lock-version = "1.0"\n[[packages]]\nname = "a"\ndirectory = {}\n')
    graph = PARSER.parse(path)
    assert ids(graph) == {"a@None"}
    assert node(graph, "a@None").resolution is Resolution.UNRESOLVED


def test_truncated_lock(tmp_path: Path) -> None:
    text = SOURCES.read_text(encoding="utf-8")
    cut = text[: text.index("[packages.vcs]") + 8]
    path = write(tmp_path, cut)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == cut.count("\n") + 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('created-by = "x"\n', 1, "no 'lock-version'"),
        ("lock-version = 1.0\n", 1, "should be a string"),
        ('lock-version = "1.0"\n', None, "no 'packages'"),
        ('lock-version = "1.0"\n[[packages]]\nversion = "1"\n', 2, "package name"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = 1\n', 2, "version of a"),
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nwheels = {}\n', 2, "wheels of a"),
        (
            'lock-version = "1.0"\n[[packages]]\nname = "a"\ndirectory = { editable = true }\n',
            2,
            "directory.path",
        ),
        (
            'lock-version = "1.0"\n[[packages]]\nname = "a"\ndependencies = [3]\n',
            2,
            "dependencies of a",
        ),
    ],
)
def test_malformed_lock(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == line
    assert words in str(err.value)
