"""Registry URL discovery from pip's and npm's settings (temporary files and env dicts only)."""

from __future__ import annotations

import base64
import os
import stat
import sys
from pathlib import Path

import pytest

from stockade.ecosystems import registries
from stockade.ecosystems.registries import (
    NpmConfig,
    RegistryLocation,
    is_forge,
    npm_auth_headers,
    npm_registry_url,
    pip_config_files,
    pypi_index_url,
    pypi_json_api_base,
    pypi_json_url,
    source_repository_url,
)
from stockade.errors import ParseError, RegistryError

# --- pip ---------------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_override_wins(tmp_path: Path) -> None:
    conf = write(tmp_path / "pip.conf", "[global]\nindex-url = https://conf.test/simple\n")
    found = pypi_index_url(
        override="https://mine.test/simple",
        env={"PIP_INDEX_URL": "https://env.test/simple"},
        config_files=[conf],
    )
    assert found == RegistryLocation("https://mine.test/simple", "override")


def test_pip_index_url_env_beats_files(tmp_path: Path) -> None:
    conf = write(tmp_path / "pip.conf", "[install]\nindex-url = https://conf.test/simple\n")
    found = pypi_index_url(env={"PIP_INDEX_URL": "https://env.test/simple"}, config_files=[conf])
    assert found == RegistryLocation("https://env.test/simple", "PIP_INDEX_URL")


def test_later_files_override_earlier(tmp_path: Path) -> None:
    first = write(tmp_path / "etc" / "pip.conf", "[global]\nindex-url = https://one.test/simple\n")
    second = write(tmp_path / "user" / "pip.conf", "[global]\nindex_url=https://two.test/simple\n")
    found = pypi_index_url(env={}, config_files=[first, second])
    assert found == RegistryLocation("https://two.test/simple", f"{second} [global] index-url")


def test_install_section_beats_global_across_files(tmp_path: Path) -> None:
    # pip merges all files per section first, then lets [install] override [global].
    low = write(tmp_path / "a.conf", "[install]\nindex-url = https://install.test/simple\n")
    high = write(tmp_path / "b.conf", "[global]\nindex-url = https://global.test/simple\n")
    found = pypi_index_url(env={}, config_files=[low, high, tmp_path / "missing.conf"])
    assert found.url == "https://install.test/simple"
    assert found.source == f"{low} [install] index-url"


def test_other_sections_and_keys_are_ignored(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "pip.conf",
        "[download]\nindex-url = https://download.test/simple\n"
        "[global]\nextra-index-url = https://extra.test/simple\ntimeout = 60\n",
    )
    found = pypi_index_url(env={}, config_files=[conf])
    assert found.source == "pip's default"


def test_default_comes_from_pip() -> None:
    from pip._internal.models.index import PyPI

    found = pypi_index_url(env={"PIP_CONFIG_FILE": os.devnull})
    assert found == RegistryLocation(PyPI.simple_url, "pip's default")


def test_no_pip_and_nothing_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pip._internal.models.index", None)
    with pytest.raises(RegistryError) as err:
        pypi_index_url(env={}, config_files=[])
    assert err.value.hint is not None
    assert "PIP_INDEX_URL" in err.value.hint
    assert "[tool.stockade.registries] pypi" in err.value.hint


def test_broken_pip_conf_names_file_and_line(tmp_path: Path) -> None:
    conf = write(tmp_path / "pip.conf", "[global]\nindex-url = https://x.test/simple\nnot a pair\n")
    with pytest.raises(ParseError) as err:
        pypi_index_url(env={}, config_files=[conf])
    assert err.value.path == str(conf)
    assert err.value.line == 3
    headless = write(tmp_path / "headless.conf", "index-url = https://x.test/simple\n")
    with pytest.raises(ParseError) as err:
        pypi_index_url(env={}, config_files=[headless])
    assert err.value.path == str(headless)
    assert err.value.line == 1


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG layout")
def test_pip_config_file_order(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_DIRS": f"{tmp_path / 'xdg1'}{os.pathsep}{tmp_path / 'xdg2'}",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "VIRTUAL_ENV": str(tmp_path / "venv"),
    }
    assert pip_config_files(env) == [
        tmp_path / "xdg1" / "pip" / "pip.conf",
        tmp_path / "xdg2" / "pip" / "pip.conf",
        Path("/etc/pip.conf"),
        tmp_path / "home" / ".pip" / "pip.conf",
        tmp_path / "config" / "pip" / "pip.conf",
        tmp_path / "venv" / "pip.conf",
    ]
    # Without XDG variables pip uses ~/.config and /etc/xdg.
    plain = pip_config_files({"HOME": str(tmp_path / "home")})
    assert plain == [
        Path("/etc/xdg/pip/pip.conf"),
        Path("/etc/pip.conf"),
        tmp_path / "home" / ".pip" / "pip.conf",
        tmp_path / "home" / ".config" / "pip" / "pip.conf",
    ]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG layout")
def test_pip_config_file_env(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"HOME": str(home), "PIP_CONFIG_FILE": str(tmp_path / "absent.conf")}
    # A PIP_CONFIG_FILE that does not exist keeps the user files and comes last.
    files = pip_config_files(env)
    assert files[-1] == tmp_path / "absent.conf"
    assert home / ".config" / "pip" / "pip.conf" in files
    # One that exists replaces the user files.
    write(tmp_path / "present.conf", "[global]\n")
    files = pip_config_files({**env, "PIP_CONFIG_FILE": str(tmp_path / "present.conf")})
    assert files[-1] == tmp_path / "present.conf"
    assert not [f for f in files if str(f).startswith(str(home))]
    assert pip_config_files({**env, "PIP_CONFIG_FILE": os.devnull}) == []


@pytest.mark.parametrize(
    ("index", "base"),
    [
        ("https://pypi.test/simple", "https://pypi.test"),
        ("https://pypi.test/simple/", "https://pypi.test"),
        (
            "https://mirror.test/api/pypi/pypi-remote/simple/",
            "https://mirror.test/api/pypi/pypi-remote",
        ),
        ("https://mirror.test/custom/index/", "https://mirror.test/custom/index"),
    ],
)
def test_json_api_base(index: str, base: str) -> None:
    assert pypi_json_api_base(index) == base


def test_json_urls() -> None:
    assert pypi_json_url("https://pypi.test/simple/", "six") == "https://pypi.test/pypi/six/json"
    assert (
        pypi_json_url("https://pypi.test/simple", "zope.interface", "5.0.0+local")
        == "https://pypi.test/pypi/zope.interface/5.0.0%2Blocal/json"
    )


# --- npm ---------------------------------------------------------------------------------------


@pytest.fixture
def npm_home(tmp_path: Path) -> dict[str, str]:
    """An environment with an empty home, no npm or node on PATH."""
    (tmp_path / "home").mkdir()
    (tmp_path / "bin").mkdir()
    return {"HOME": str(tmp_path / "home"), "PATH": str(tmp_path / "bin")}


def test_npm_env_registry(tmp_path: Path, npm_home: dict[str, str]) -> None:
    write(tmp_path / "proj" / ".npmrc", "registry=https://project.test/\n")
    for name in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        env = {**npm_home, name: "https://env.test/"}
        found = npm_registry_url(env=env, project_dir=tmp_path / "proj")
        assert found == RegistryLocation("https://env.test/", "npm_config_registry")
    # An empty variable is not a setting.
    found = npm_registry_url(
        env={**npm_home, "npm_config_registry": ""}, project_dir=tmp_path / "proj"
    )
    assert found.url == "https://project.test/"


def test_npmrc_precedence(tmp_path: Path, npm_home: dict[str, str]) -> None:
    project = write(tmp_path / "proj" / ".npmrc", "registry=https://project.test/\n")
    user = write(Path(npm_home["HOME"]) / ".npmrc", "registry=https://user.test/\n")
    globalrc = write(tmp_path / "prefix" / "etc" / "npmrc", "registry=https://global.test/\n")
    env = {**npm_home, "PREFIX": str(tmp_path / "prefix")}
    proj = tmp_path / "proj"
    assert npm_registry_url(env=env, project_dir=proj) == RegistryLocation(
        "https://project.test/", f"{project} registry"
    )
    project.unlink()
    assert npm_registry_url(env=env, project_dir=proj).source == f"{user} registry"
    user.unlink()
    assert npm_registry_url(env=env, project_dir=proj).source == f"{globalrc} registry"


def test_npm_userconfig_and_globalconfig_env(tmp_path: Path, npm_home: dict[str, str]) -> None:
    other_user = write(tmp_path / "elsewhere" / "npmrc", "@acme:registry=https://acme.test/\n")
    other_global = write(tmp_path / "g" / "npmrc", "registry=https://global.test/\n")
    write(Path(npm_home["HOME"]) / ".npmrc", "registry=https://ignored.test/\n")
    env = {
        **npm_home,
        "NPM_CONFIG_USERCONFIG": str(other_user),
        "npm_config_globalconfig": str(other_global),
    }
    assert npm_registry_url(env=env, project_dir=tmp_path).url == "https://global.test/"
    assert (
        npm_registry_url(env=env, project_dir=tmp_path, scope="@acme").url == "https://acme.test/"
    )


def test_npm_prefix_from_user_config(tmp_path: Path, npm_home: dict[str, str]) -> None:
    write(Path(npm_home["HOME"]) / ".npmrc", f"prefix={tmp_path / 'p'}\n")
    write(tmp_path / "p" / "etc" / "npmrc", "registry=https://global.test/\n")
    assert npm_registry_url(env=npm_home, project_dir=tmp_path).url == "https://global.test/"


def test_scoped_registry(tmp_path: Path, npm_home: dict[str, str]) -> None:
    files = [
        write(
            tmp_path / "u.npmrc",
            "registry=https://public.test/\n@acme:registry=https://acme.test/npm/\n",
        ),
        write(tmp_path / "p.npmrc", "@other:registry = https://other.test/\n"),
    ]
    for scope in ("@acme", "acme", "@acme/widget"):
        found = npm_registry_url(env=npm_home, scope=scope, npmrc_files=files)
        assert found == RegistryLocation("https://acme.test/npm/", f"{files[0]} @acme:registry")
    assert (
        npm_registry_url(env=npm_home, scope="@nobody", npmrc_files=files).url
        == "https://public.test/"
    )
    assert npm_registry_url(env=npm_home, npmrc_files=files).url == "https://public.test/"
    env = {**npm_home, "npm_config_@acme:registry": "https://env-acme.test/"}
    assert (
        npm_registry_url(env=env, scope="@acme", npmrc_files=files).url == "https://env-acme.test/"
    )


def test_later_npmrc_files_override(tmp_path: Path, npm_home: dict[str, str]) -> None:
    low = write(tmp_path / "global", "registry=https://low.test/\n")
    high = write(tmp_path / "project", "registry=https://high.test/\n")
    assert npm_registry_url(env=npm_home, npmrc_files=[low, high]).url == "https://high.test/"


def test_npmrc_syntax(tmp_path: Path, npm_home: dict[str, str]) -> None:
    rc = write(
        tmp_path / ".npmrc",
        "; a comment\n"
        "# another\n"
        "registry = https://${REG_HOST}/${REG_PATH?}  ; trailing comment\n"
        'quoted = "https://q.test/#x"\n'
        "single = 'raw ${REG_HOST}'\n"
        "literal = \\${REG_HOST}\n"
        "unset = ${NOT_SET_ANYWHERE}\n"
        "flag\n"
        "[section]\n"
        "registry = https://in-a-section.test/\n",
    )
    config = NpmConfig.load(env={**npm_home, "REG_HOST": "reg.test"}, npmrc_files=[rc])
    assert config.get("registry") == ("https://reg.test/", str(rc))
    assert config.get("quoted") == ("https://q.test/#x", str(rc))
    assert config.get("single") == ("raw reg.test", str(rc))
    assert config.get("literal") == ("${REG_HOST}", str(rc))
    assert config.get("unset") == ("${NOT_SET_ANYWHERE}", str(rc))
    assert config.get("flag") == ("true", str(rc))


def test_npm_auth_token(tmp_path: Path, npm_home: dict[str, str]) -> None:
    rc = write(
        tmp_path / ".npmrc",
        "//npm.test/:_authToken=${NPM_TOKEN}\n"
        "//npm.test/private/:_authToken=private-token\n"
        "//basic.test:8080/:_auth=dXNlcjpwYXNz\n"
        "//pw.test/:username=alice\n"
        f"//pw.test/:_password={base64.b64encode(b'wonderland').decode()}\n",
    )
    env = {**npm_home, "NPM_TOKEN": "t0ken"}

    def headers(url: str) -> dict[str, str]:
        return npm_auth_headers(url, env=env, npmrc_files=[rc])

    assert headers("https://npm.test/is-number") == {"Authorization": "Bearer t0ken"}
    assert headers("https://npm.test/is-number/-/is-number-7.0.0.tgz") == {
        "Authorization": "Bearer t0ken"
    }
    assert headers("https://npm.test/private/pkg") == {"Authorization": "Bearer private-token"}
    assert headers("https://basic.test:8080/x") == {"Authorization": "Basic dXNlcjpwYXNz"}
    assert headers("https://basic.test/x") == {}
    expected = base64.b64encode(b"alice:wonderland").decode()
    assert headers("https://pw.test/@s%2fp") == {"Authorization": f"Basic {expected}"}
    assert headers("https://elsewhere.test/is-number") == {}
    assert headers("https://npm.test.evil.test/is-number") == {}


def _fake_npm(bindir: Path, script: str) -> Path:
    npm = bindir / "npm"
    npm.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    return npm


@pytest.mark.skipif(os.name == "nt", reason="shell script stands in for npm")
def test_default_asks_npm_once(tmp_path: Path, npm_home: dict[str, str]) -> None:
    registries._ask_npm.cache_clear()
    calls = tmp_path / "calls"
    _fake_npm(
        Path(npm_home["PATH"]),
        f'echo "$@" >> "{calls}"\necho "npm warn something" >&2\necho https://from-npm.test/\n',
    )
    first = npm_registry_url(env=npm_home, project_dir=tmp_path)
    second = npm_registry_url(env=npm_home, project_dir=tmp_path, scope="@acme")
    assert first == second == RegistryLocation("https://from-npm.test/", "npm config get registry")
    assert calls.read_text().splitlines() == ["config get registry"]
    registries._ask_npm.cache_clear()


@pytest.mark.skipif(os.name == "nt", reason="shell script stands in for npm")
def test_npm_failing(tmp_path: Path, npm_home: dict[str, str]) -> None:
    registries._ask_npm.cache_clear()
    _fake_npm(Path(npm_home["PATH"]), 'echo "npm ERR! broken" >&2\nexit 1\n')
    with pytest.raises(RegistryError, match="broken") as err:
        npm_registry_url(env=npm_home, project_dir=tmp_path)
    assert err.value.hint is not None and "npm_config_registry" in err.value.hint
    registries._ask_npm.cache_clear()


def test_no_npm_and_nothing_configured(tmp_path: Path, npm_home: dict[str, str]) -> None:
    with pytest.raises(RegistryError, match="npm is not installed") as err:
        npm_registry_url(env=npm_home, project_dir=tmp_path)
    assert err.value.hint is not None
    assert "[tool.stockade.registries] npm" in err.value.hint


def test_npm_override(npm_home: dict[str, str]) -> None:
    assert npm_registry_url(override="https://o.test/", env=npm_home).source == "override"


# --- source repositories -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("git+https://github.com/request/request.git", "https://github.com/request/request"),
        (
            "git://github.com/jonschlinkert/is-number.git",
            "https://github.com/jonschlinkert/is-number",
        ),
        ("git+ssh://git@github.com/owner/repo.git", "https://github.com/owner/repo"),
        ("ssh://git@gitlab.com/group/sub/project.git", "https://gitlab.com/group/sub/project"),
        ("git@github.com:owner/repo.git", "https://github.com/owner/repo"),
        ("github:owner/repo", "https://github.com/owner/repo"),
        ("gitlab:owner/repo", "https://gitlab.com/owner/repo"),
        ("bitbucket:owner/repo", "https://bitbucket.org/owner/repo"),
        ("jonschlinkert/is-number", "https://github.com/jonschlinkert/is-number"),
        ("http://www.github.com/Owner/Repo/", "https://github.com/Owner/Repo"),
        (
            "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst",
            "https://github.com/urllib3/urllib3",
        ),
        (
            "https://gitlab.com/group/sub/project/-/tree/main",
            "https://gitlab.com/group/sub/project",
        ),
        ("https://github.com/owner/repo.git#v1.2.3", "https://github.com/owner/repo"),
        ("https://git.example.test/team/tool.git", "https://git.example.test/team/tool"),
        ("https://github.com/owner", None),
        (
            "git+https://github.com:isaacs/node-graceful-fs.git",
            "https://github.com/isaacs/node-graceful-fs",
        ),
        ("https://git.example.test:8443/team/tool", "https://git.example.test:8443/team/tool"),
        ("", None),
        (None, None),
        ("not a url", None),
        ("file:///home/repo", None),
    ],
)
def test_source_repository_url(raw: str | None, url: str | None) -> None:
    assert source_repository_url(raw) == url


def test_is_forge() -> None:
    assert is_forge("https://github.com/psf/requests")
    assert is_forge("https://gitlab.gnome.org/GNOME/glib")
    assert not is_forge("https://requests.readthedocs.io")
