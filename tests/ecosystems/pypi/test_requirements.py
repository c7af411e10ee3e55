"""pip requirements files: pins, ranges, hashes, includes, constraints, URLs, editables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stockade.ecosystems.graph import Resolution, Scope, Source
from stockade.ecosystems.pypi.parsers import RequirementsParser
from stockade.errors import InputError, ParseError
from tests.ecosystems.pypi.helpers import FLASK_REQUIREMENTS, LAYERED, ids, lines, node

PARSER = RequirementsParser()
COMPILED = FLASK_REQUIREMENTS / "requirements.txt"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("requirements_test.txt", True),
        ("dev-requirements.txt", True),
        ("requirements.in", True),
        ("requirements/base.txt", True),
        ("requirements/prod.in", True),
        ("constraints.txt", False),
        ("requirements.lock", False),
        ("setup.py", False),
        ("notes/base.txt", False),
    ],
)
def test_matches(name: str, expected: bool) -> None:
    assert PARSER.matches(Path("project") / name) is expected
    assert not PARSER.is_lockfile


def test_compiled_file_gives_pinned_direct_nodes_with_their_hashes_and_lines() -> None:
    graph = PARSER.parse(COMPILED)
    assert ids(graph) == {
        "certifi@2026.10.18",
        "chardet@3.0.4",
        "click@8.5.1",
        "flask@1.0.2",
        "flask-sqlalchemy@2.5.1",
        "greenlet@3.5.6",
        "gunicorn@27.0.1",
        "idna@2.7",
        "itsdangerous@2.0.1",
        "jinja2@2.10",
        "markupsafe@2.0.1",
        "psycopg2-binary@2.9.13",
        "pyyaml@5.3",
        "requests@2.20.0",
        "sqlalchemy@1.4.54",
        "urllib3@1.24.1",
        "werkzeug@2.0.3",
    }
    assert graph.sources == [str(COMPILED)]
    for n in graph:
        assert n.direct
        assert n.resolution is Resolution.PINNED
        assert n.scopes == {Scope.PROD}
        assert n.source is Source.REGISTRY
        assert n.spec == f"=={n.version}"
        assert len(n.hashes) >= 1
    assert lines(graph, "certifi@2026.10.18") == ["requirements.txt:5"]
    assert lines(graph, "flask@1.0.2") == ["requirements.txt:17"]
    assert lines(graph, "jinja2@2.10") == ["requirements.txt:122"]
    assert lines(graph, "urllib3@1.24.1") == ["requirements.txt:335"]
    assert lines(graph, "werkzeug@2.0.3") == ["requirements.txt:341"]
    assert node(graph, "flask@1.0.2").hashes == (
        "sha256:2271c0070dbcb5275fad4a82e29f23ab92682dc45f9dfbc22c02ba9b9322ce48",
        "sha256:a080b744b7e345ccfcbc77954861cb05b3c63786e93f2b3875e0913d44b43f05",
    )
    assert len(node(graph, "greenlet@3.5.6").hashes) == 79
    assert graph.edges == {}


def test_hashes_are_read_from_continuation_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "requirements.txt",
        "django==3.2.0 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "requests==2.19.1 --hash=sha256:cccc\n",
    )
    graph = PARSER.parse(path)
    assert node(graph, "django@3.2.0").hashes == ("sha256:aaaa", "sha256:bbbb")
    assert lines(graph, "django@3.2.0") == ["requirements.txt:1"]
    assert node(graph, "requests@2.19.1").hashes == ("sha256:cccc",)
    assert lines(graph, "requests@2.19.1") == ["requirements.txt:4"]


def test_layered_requirements_follow_includes_and_constraints() -> None:
    path = LAYERED / "requirements.txt"
    graph = PARSER.parse(path)
    assert graph.sources == [
        str(path),
        str(LAYERED / "requirements" / "base.txt"),
        str(LAYERED / "requirements" / "common.txt"),
        str(LAYERED / "constraints.txt"),
    ]
    table = {
        f"{n.name}@{n.version}": (n.resolution.value, n.spec, n.source.value, n.source_url)
        for n in graph
    }
    assert table == {
        "django@3.2.0": ("pinned", "==3.2.0", "registry", None),
        "requests@None": ("unresolved", "<2.20,>=2.19", "registry", None),
        "celery@None": ("unresolved", "~=5.2", "registry", None),
        "orders-client@1.4.2": (
            "pinned",
            None,
            "url",
            "https://files.pypi.test/packages/orders_client-1.4.2-py3-none-any.whl",
        ),
        "legacy-tools@0.9": (
            "pinned",
            None,
            "url",
            "https://files.pypi.test/packages/legacy-tools-0.9.tar.gz#egg=legacy-tools",
        ),
        "audit-log@None": (
            "unresolved",
            None,
            "git",
            "git+https://github.com/example-org/audit-log.git@v2.3.1#egg=audit-log",
        ),
        "orders-core@None": ("unresolved", None, "path", "./libs/orders-core"),
        "feature-flags@None": (
            "unresolved",
            None,
            "git",
            "git+https://github.com/example-org/feature-flags.git@main#egg=feature-flags",
        ),
        "pywin32@306": ("pinned", "==306", "registry", None),
        # The constraints file narrows the range and pins the versions...
        "gunicorn@None": ("unresolved", "<21,>=20", "registry", None),
        "sqlparse@0.4.1": ("pinned", ">=0.4", "registry", None),
        "urllib3@1.24.1": ("pinned", None, "registry", None),
        # ...from the included files, read once each though they include each other.
        "pyyaml@5.3": ("pinned", "==5.3", "registry", None),
        "jinja2@2.10": ("pinned", "==2.10", "registry", None),
    }
    assert "boto3" not in {n.name for n in graph}  # constrained, never required
    assert all(n.direct and n.scopes == {Scope.PROD} for n in graph)
    assert lines(graph, "django@3.2.0") == ["requirements.txt:12"]
    assert node(graph, "django@3.2.0").hashes == (
        "sha256:0604e84c4fb698a5e53e5857b5aea945b2f19a18f25f10b8748dbdf935788927",
    )
    assert lines(graph, "requests@None") == ["requirements.txt:14"]
    assert lines(graph, "feature-flags@None") == ["requirements.txt:20"]
    assert lines(graph, "pywin32@306") == ["requirements.txt:21"]
    assert lines(graph, "pyyaml@5.3") == ["base.txt:3"]
    assert lines(graph, "urllib3@1.24.1") == ["base.txt:5", "constraints.txt:2"]
    assert lines(graph, "sqlparse@0.4.1") == ["common.txt:3", "constraints.txt:3"]
    assert lines(graph, "gunicorn@None") == ["requirements.txt:22", "constraints.txt:4"]
    assert node(graph, "urllib3@1.24.1").locations[0].path == str(
        LAYERED / "requirements" / "base.txt"
    )


def test_include_paths_are_relative_to_the_including_file() -> None:
    path = LAYERED / "requirements" / "dev.txt"
    graph = PARSER.parse(path)
    assert graph.sources[:2] == [str(path), str(LAYERED / "requirements.txt")]
    assert lines(graph, "pytest@7.4.0") == ["dev.txt:2"]
    assert lines(graph, "factory-boy@None") == ["dev.txt:3"]
    assert lines(graph, "django@3.2.0") == ["requirements.txt:12"]
    assert len(graph) == 16


def test_relative_paths_stay_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "reqs" / "base.txt", "six==1.16.0\n")
    write(tmp_path / "requirements.txt", "-r reqs/base.txt\n")
    monkeypatch.chdir(tmp_path)
    graph = PARSER.parse(Path("requirements.txt"))
    assert graph.sources == ["requirements.txt", os.path.join("reqs", "base.txt")]
    assert [str(loc) for loc in node(graph, "six@1.16.0").locations] == [
        os.path.join("reqs", "base.txt") + ":1"
    ]


def test_cycles_are_read_once(tmp_path: Path) -> None:
    a = write(tmp_path / "requirements.txt", "-r requirements-b.txt\nsix==1.16.0\n")
    write(tmp_path / "requirements-b.txt", "-r requirements.txt\nattrs==23.1.0\n")
    graph = PARSER.parse(a)
    assert ids(graph) == {"six@1.16.0", "attrs@23.1.0"}
    assert graph.sources == [str(a), str(tmp_path / "requirements-b.txt")]


def test_markers_and_extras_keep_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "requirements.txt",
        'pywin32==306 ; sys_platform == "win32"\n'
        'uvloop>=0.17; sys_platform != "win32"\n'
        "requests[socks,security]==2.19.1\n"
        'importlib-metadata>=4 ; python_version < "3.8"\n',
    )
    graph = PARSER.parse(path)
    assert ids(graph) == {
        "pywin32@306",
        "uvloop@None",
        "requests@2.19.1",
        "importlib-metadata@None",
    }
    assert lines(graph, "importlib-metadata@None") == ["requirements.txt:4"]


def test_the_same_package_twice_is_one_node_with_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "requirements.txt",
        'numpy>=1.24 ; python_version >= "3.9"\nnumpy>=1.21 ; python_version < "3.9"\n',
    )
    graph = PARSER.parse(path)
    assert lines(graph, "numpy@None") == ["requirements.txt:1", "requirements.txt:2"]
    assert node(graph, "numpy@None").spec == ">=1.24"


def test_options_and_comments_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path / "requirements.txt",
        "# tools\n"
        "--index-url https://pypi.test/simple\n"
        "--extra-index-url https://mirror.example.test/simple\n"
        "-i https://pypi.test/simple\n"
        "--trusted-host mirror.example.test\n"
        "-f https://example.test/wheels\n"
        "--find-links ./wheels\n"
        "--pre\n"
        "--prefer-binary\n"
        "--only-binary :all:\n"
        "   \n"
        "flask==2.0.0  # the web framework\n",
    )
    graph = PARSER.parse(path)
    assert ids(graph) == {"flask@2.0.0"}
    assert lines(graph, "flask@2.0.0") == ["requirements.txt:12"]


def test_urls_paths_and_editables(tmp_path: Path) -> None:
    write(tmp_path / "libs" / "core" / "setup.cfg", "[metadata]\nname = Orders_Core\n")
    write(tmp_path / "pyproject.toml", '[project]\nname = "my-service"\n')
    path = write(
        tmp_path / "requirements.txt",
        "./dist/tool_kit-2.1.0-py3-none-any.whl\n"
        "-e ./libs/core\n"
        "-e .\n"
        "pkg @ git+https://github.com/example-org/pkg.git@v2.1\n"
        "hgpkg @ hg+https://hg.example.test/repo\n"
        "Archive @ https://example.test/downloads/archive-1.0.zip\n"
        "Django===3.2.0\n"
        "Flask==2.*\n",
    )
    graph = PARSER.parse(path)
    table = {
        f"{n.name}@{n.version}": (n.resolution.value, n.spec, n.source.value, n.source_url)
        for n in graph
    }
    assert table == {
        "tool-kit@2.1.0": ("pinned", None, "path", "./dist/tool_kit-2.1.0-py3-none-any.whl"),
        "orders-core@None": ("unresolved", None, "path", "./libs/core"),
        "my-service@None": ("unresolved", None, "path", "."),
        "pkg@None": ("unresolved", None, "git", "git+https://github.com/example-org/pkg.git@v2.1"),
        "hgpkg@None": ("unresolved", None, "url", "hg+https://hg.example.test/repo"),
        "archive@1.0": ("pinned", None, "url", "https://example.test/downloads/archive-1.0.zip"),
        "django@3.2.0": ("pinned", "===3.2.0", "registry", None),
        "flask@None": ("unresolved", "==2.*", "registry", None),
    }


def test_a_constraint_that_contradicts_the_requirement_does_not_pin(tmp_path: Path) -> None:
    write(tmp_path / "constraints.txt", "requests==2.31.0\nidna>=3\n")
    path = write(tmp_path / "requirements.txt", "-c constraints.txt\nrequests<2.20\nidna\n")
    graph = PARSER.parse(path)
    assert ids(graph) == {"requests@None", "idna@None"}
    assert node(graph, "requests@None").spec == "<2.20"
    assert node(graph, "idna@None").spec == ">=3"
    assert lines(graph, "idna@None") == ["requirements.txt:3", "constraints.txt:2"]


def test_empty_and_comment_only_files_give_empty_graphs(tmp_path: Path) -> None:
    assert len(PARSER.parse(write(tmp_path / "requirements.txt", ""))) == 0
    assert len(PARSER.parse(write(tmp_path / "requirements-dev.txt", "# nothing\n\n"))) == 0


def test_malformed_requirement_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "flask==2.0.0\n\ndjango>=>3\n")
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.path == str(path)
    assert err.value.line == 3
    assert "django>=>3" in str(err.value)


def test_malformed_line_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    write(tmp_path / "base.txt", "six==1.16.0\nnot a requirement!\n")
    path = write(tmp_path / "requirements.txt", "-r base.txt\n")
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert (err.value.path, err.value.line) == (str(tmp_path / "base.txt"), 2)


def test_unknown_option_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "six\n--no-such-option\n")
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == 2
    assert "--no-such-option" in str(err.value)


def test_missing_include_is_reported_at_the_including_line(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "six\n-r missing.txt\n")
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert (err.value.path, err.value.line) == (str(path), 2)
    assert "missing.txt" in str(err.value)


def test_remote_include_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "-c https://example.test/constraints.txt\n")
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == 1
    assert "remote" in str(err.value)


def test_requirement_without_a_name_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "https://example.test/download?id=3\n")
    with pytest.raises(ParseError) as err:
        PARSER.parse(path)
    assert err.value.line == 1
    assert "#egg=" in str(err.value)


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    binary = tmp_path / "requirements.txt"
    binary.write_bytes(b"six==1.16.0\nflask==2.0\xff\n")
    with pytest.raises(InputError) as err:
        PARSER.parse(binary)
    assert (err.value.path, err.value.line) == (str(binary), 2)
    folder = tmp_path / "requirements"
    folder.mkdir()
    with pytest.raises(InputError, match="directory"):
        PARSER.parse(folder)
    with pytest.raises(InputError, match="no such file"):
        PARSER.parse(tmp_path / "requirements-missing.txt")
