"""Where the package registries are: read from pip's and npm's own settings, as they read them.

Stockade names no registry itself. The PyPI index comes from ``PIP_INDEX_URL`` or pip's
configuration files (and, when nothing is configured, from pip's own default); the npm registry
comes from ``npm_config_registry`` or the ``.npmrc`` files (and, when nothing is configured,
from ``npm config get registry``). Credentials for npm registries come from the same ``.npmrc``
files (``//host/path/:_authToken=...``).
"""

from __future__ import annotations

import base64
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from stockade.errors import ParseError, RegistryError

__all__ = [
    "NpmConfig",
    "RegistryLocation",
    "is_forge",
    "npm_auth_headers",
    "npm_registry_url",
    "pip_config_files",
    "pypi_index_url",
    "pypi_json_api_base",
    "pypi_json_url",
    "source_repository_url",
]

_PIP_HINT = (
    "set PIP_INDEX_URL, index-url in pip.conf, or [tool.stockade.registries] pypi "
    "to your package index"
)
_NPM_HINT = (
    "set npm_config_registry, registry= in .npmrc, or [tool.stockade.registries] npm "
    "to your npm registry"
)
_NPM_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class RegistryLocation:
    """A registry base URL and where it was found."""

    url: str
    """The base URL (a PyPI simple index, an npm registry)."""
    source: str
    """Where it came from: ``PIP_INDEX_URL``, ``/etc/pip.conf [global] index-url``, ..."""


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME") or (env.get("USERPROFILE") if os.name == "nt" else None)
    return Path(home) if home else Path.home()


# --- pip ---------------------------------------------------------------------------------------


def pip_config_files(env: Mapping[str, str] | None = None) -> list[Path]:
    """pip's configuration files, lowest precedence first, as ``pip config debug`` lists them.

    Global (``$XDG_CONFIG_DIRS/pip/pip.conf``, ``/etc/pip.conf``), then user
    (``~/.pip/pip.conf``, ``$XDG_CONFIG_HOME/pip/pip.conf``; skipped when ``PIP_CONFIG_FILE``
    names an existing file), then site (``$VIRTUAL_ENV/pip.conf``), then ``PIP_CONFIG_FILE``.
    ``PIP_CONFIG_FILE=os.devnull`` disables them all. Files need not exist.
    """
    env = os.environ if env is None else env
    env_file = env.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    home = _home(env)
    basename = "pip.ini" if os.name == "nt" else "pip.conf"
    files: list[Path] = []
    # Global.
    if sys.platform == "win32":
        program_data = env.get("PROGRAMDATA", r"C:\ProgramData")
        files.append(Path(program_data) / "pip" / basename)
    elif sys.platform == "darwin":
        files.append(Path("/Library/Application Support/pip") / basename)
    else:
        dirs = env.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        files += [Path(d) / "pip" / basename for d in dirs.split(os.pathsep) if d]
        files.append(Path("/etc") / basename)
    # User: the legacy file is overridden by the new one.
    if not (env_file and Path(env_file).exists()):
        if os.name == "nt":
            files.append(home / "pip" / basename)
            appdata = env.get("APPDATA")
            if appdata:
                files.append(Path(appdata) / "pip" / basename)
        else:
            files.append(home / ".pip" / basename)
            if sys.platform == "darwin" and (home / "Library/Application Support/pip").is_dir():
                files.append(home / "Library/Application Support/pip" / basename)
            else:
                xdg = env.get("XDG_CONFIG_HOME") or str(home / ".config")
                files.append(Path(xdg) / "pip" / basename)
    # Site: the active virtual environment.
    venv = env.get("VIRTUAL_ENV")
    if venv:
        files.append(Path(venv) / basename)
    if env_file:
        files.append(Path(env_file))
    return files


def _read_pip_config(path: Path) -> dict[str, dict[str, str]]:
    """The sections of one pip configuration file, keys normalised as pip does."""
    parser = configparser.RawConfigParser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read pip configuration: {exc}", path=path) from None
    try:
        parser.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError as exc:
        raise ParseError(
            "invalid pip configuration: a setting before any [section]", path=path, line=exc.lineno
        ) from None
    except configparser.ParsingError as exc:
        errors = getattr(exc, "errors", [])
        line = errors[0][0] if errors else None
        raise ParseError("invalid pip configuration line", path=path, line=line) from None
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        message = exc.message.splitlines()[0] if exc.message else type(exc).__name__
        raise ParseError(f"invalid pip configuration: {message}", path=path, line=line) from None
    sections: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        values = sections.setdefault(section, {})
        for key, value in parser.items(section):
            name = key.lower().replace("_", "-")
            if name.startswith("--"):
                name = name[2:]
            values[name] = value
    return sections


def pypi_index_url(
    *,
    override: str | None = None,
    env: Mapping[str, str] | None = None,
    config_files: Sequence[Path] | None = None,
) -> RegistryLocation:
    """The PyPI index URL pip would use for ``pip install``.

    In order: ``override``; ``PIP_INDEX_URL``; ``index-url`` from pip's configuration files
    (``config_files``, lowest precedence first, or :func:`pip_config_files`), where later files
    override earlier ones and ``[install]`` overrides ``[global]``; pip's own default.
    Raises :class:`~stockade.errors.RegistryError` when nothing is configured and pip is not
    importable, and :class:`~stockade.errors.ParseError` for a broken configuration file.
    """
    if override:
        return RegistryLocation(override, "override")
    env = os.environ if env is None else env
    from_env = env.get("PIP_INDEX_URL", "").strip()
    if from_env:
        return RegistryLocation(from_env, "PIP_INDEX_URL")
    files = pip_config_files(env) if config_files is None else list(config_files)
    merged: dict[tuple[str, str], tuple[str, str]] = {}
    for path in files:
        for section, values in _read_pip_config(path).items():
            for key, value in values.items():
                merged[(section, key)] = (value, f"{path} [{section}] {key}")
    for section in ("install", "global"):
        found = merged.get((section, "index-url"))
        if found and found[0].strip():
            return RegistryLocation(found[0].strip(), found[1])
    try:
        from pip._internal.models.index import PyPI
    except ImportError:
        raise RegistryError(
            "no package index is configured and pip is not installed to say its default",
            hint=_PIP_HINT,
        ) from None
    return RegistryLocation(str(PyPI.simple_url), "pip's default")


def pypi_json_api_base(index_url: str) -> str:
    """The base of the PyPI JSON API that goes with a simple index URL.

    An index ``<base>/simple`` (with or without the trailing slash) serves its JSON API at
    ``<base>/pypi/<name>/json`` and ``<base>/pypi/<name>/<version>/json``; this is the layout
    of PyPI itself and of the mirrors and proxies that copy it. For any other layout the index
    URL itself is assumed to be ``<base>``; an index that serves no JSON API then answers 404,
    which reads as "unknown".
    """
    base = index_url.strip().rstrip("/")
    if base.endswith("/simple"):
        base = base[: -len("/simple")]
    return base


def pypi_json_url(index_url: str, name: str, version: str | None = None) -> str:
    """The JSON API URL of a project, or of one of its versions."""
    base = pypi_json_api_base(index_url)
    name = quote(name, safe="")
    if version is None:
        return f"{base}/pypi/{name}/json"
    return f"{base}/pypi/{name}/{quote(version, safe='')}/json"


# --- npm ---------------------------------------------------------------------------------------

_ENV_EXPR = re.compile(r"(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}")


def _env_replace(text: str, env: Mapping[str, str]) -> str:
    """Expand ``${VAR}`` (and ``${VAR?}``, empty when unset) as npm does in ``.npmrc``."""

    def sub(match: re.Match[str]) -> str:
        escapes, name, optional = match.group(1), match.group(2), match.group(3)
        if len(escapes) % 2:
            return match.group(0)[(len(escapes) + 1) // 2 :]
        fallback = "" if optional else f"${{{name}}}"
        return escapes[: len(escapes) // 2] + env.get(name, fallback)

    return _ENV_EXPR.sub(sub, text)


def _ini_value(raw: str) -> str:
    """A value as npm's ``ini`` reader unquotes it (inline ``;``/``#`` comments dropped)."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        if raw[0] == "'":
            return raw[1:-1]
        try:
            value = json.loads(raw)
            return value if isinstance(value, str) else raw[1:-1]
        except ValueError:
            return raw[1:-1]
    out: list[str] = []
    escaped = False
    for char in raw:
        if escaped:
            out.append(char if char in "\\;#" else "\\" + char)
            escaped = False
        elif char in ";#":
            break
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    if escaped:
        out.append("\\")
    return "".join(out).strip()


def _read_npmrc(path: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The top-level settings of one ``.npmrc`` file (missing file: none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read npm configuration: {exc}", path=path) from None
    values: dict[str, str] = {}
    in_section = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("[") and line.endswith("]"):
            in_section = True  # npm reads no registry settings from sections
            continue
        if in_section:
            continue
        key, sep, raw = line.partition("=")
        key = _env_replace(_ini_value(key), env)
        if not key:
            continue
        values[key.removesuffix("[]")] = _env_replace(_ini_value(raw), env) if sep else "true"
    return values


def _npm_env_settings(env: Mapping[str, str]) -> dict[str, str]:
    """``npm_config_*`` environment variables (any case) as npm keys."""
    values: dict[str, str] = {}
    for name, value in env.items():
        if not name.lower().startswith("npm_config_") or value == "":
            continue
        key = name[len("npm_config_") :]
        if not key.startswith("//"):
            key = (key[0] + key[1:].replace("_", "-")).lower() if key else key
        values[key] = value
    return values


def _scope_name(scope: str) -> str:
    head = scope.strip().split("/", 1)[0]
    return head if head.startswith("@") else "@" + head


def _nerf_dart(url: str) -> str:
    """``//host[:port]/path/`` of a URL, as npm keys credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    return f"//{host}{path}"


@dataclass(frozen=True, slots=True)
class NpmConfig:
    """npm's settings from the environment and the ``.npmrc`` files, highest precedence first."""

    layers: tuple[tuple[str, Mapping[str, str]], ...] = ()
    """(where, settings) pairs: environment, project, user, global."""
    env: Mapping[str, str] = field(default_factory=dict)
    """The environment the settings were read with."""

    @classmethod
    def load(
        cls,
        *,
        project_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        npmrc_files: Sequence[Path] | None = None,
    ) -> NpmConfig:
        """Read npm's settings as npm would from ``project_dir`` (default: the current folder).

        ``npmrc_files`` (lowest precedence first) replaces the discovery of the project, user
        and global files; the ``npm_config_*`` environment still applies over them.
        """
        env = dict(os.environ if env is None else env)
        layers: list[tuple[str, Mapping[str, str]]] = []
        from_env = _npm_env_settings(env)
        if from_env:
            layers.append(("environment", from_env))
        if npmrc_files is not None:
            for path in reversed(npmrc_files):
                layers.append((str(path), _read_npmrc(path, env)))
            return cls(tuple(layers), env)
        project = (project_dir or Path.cwd()) / ".npmrc"
        project_settings = _read_npmrc(project, env)
        layers.append((str(project), project_settings))
        user_file = from_env.get("userconfig")
        user = Path(user_file) if user_file else _home(env) / ".npmrc"
        user_settings = _read_npmrc(user, env)
        layers.append((str(user), user_settings))
        known = {**user_settings, **project_settings, **from_env}
        global_file = known.get("globalconfig")
        if global_file:
            layers.append((global_file, _read_npmrc(Path(global_file), env)))
        else:
            prefix = known.get("prefix") or env.get("PREFIX") or _node_prefix(env)
            if prefix:
                path = Path(prefix) / "etc" / "npmrc"
                layers.append((str(path), _read_npmrc(path, env)))
        return cls(tuple((where, values) for where, values in layers if values), env)

    def get(self, key: str) -> tuple[str, str] | None:
        """The value of a setting and where it was found, or ``None``."""
        for where, values in self.layers:
            value = values.get(key)
            if value is not None and value != "":
                return value, where
        return None

    def registry(self, scope: str | None = None) -> RegistryLocation | None:
        """The configured registry (for a scope, ``@scope:registry`` first), or ``None``."""
        keys = [f"{_scope_name(scope)}:registry"] if scope else []
        keys.append("registry")
        for key in keys:
            found = self.get(key)
            if found:
                value, where = found
                source = f"npm_config_{key}" if where == "environment" else f"{where} {key}"
                return RegistryLocation(value, source)
        return None

    def auth_headers(self, url: str) -> dict[str, str]:
        """The ``Authorization`` header npm would send with a request for ``url``, if any.

        Credentials are looked up by the URL's ``//host/path/`` walking up the path, as npm
        does, so they are never sent to another host.
        """
        key = _nerf_dart(url)
        while len(key) > 2:
            token = self.get(f"{key}:_authToken")
            if token:
                return {"Authorization": f"Bearer {token[0]}"}
            basic = self.get(f"{key}:_auth")
            if basic:
                return {"Authorization": f"Basic {basic[0]}"}
            user = self.get(f"{key}:username")
            password = self.get(f"{key}:_password")
            if user and password:
                try:
                    secret = base64.b64decode(password[0], validate=True).decode("utf-8")
                except ValueError:
                    secret = password[0]
                pair = base64.b64encode(f"{user[0]}:{secret}".encode()).decode("ascii")
                return {"Authorization": f"Basic {pair}"}
            # Walk up: drop what follows the last slash, or the slash itself.
            key = re.sub(r"([^/]+|/)$", "", key)
        return {}


def _node_prefix(env: Mapping[str, str]) -> str | None:
    """npm's global prefix derived from where ``node`` is installed."""
    node = shutil.which("node", path=env.get("PATH"))
    if node is None:
        return None
    bindir = Path(node).resolve().parent
    return str(bindir if os.name == "nt" else bindir.parent)


@lru_cache(maxsize=8)
def _ask_npm(executable: str) -> str:
    """``npm config get registry``, once per process and executable."""
    try:
        done = subprocess.run(
            [executable, "config", "get", "registry"],
            capture_output=True,
            text=True,
            timeout=_NPM_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RegistryError(f"could not ask npm for its registry: {exc}", hint=_NPM_HINT) from None
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    url = lines[-1] if lines else ""
    if done.returncode != 0 or not url.startswith(("http://", "https://")):
        detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise RegistryError(
            f"`npm config get registry` gave no registry URL: {detail}", hint=_NPM_HINT
        )
    return url


def npm_registry_url(
    *,
    override: str | None = None,
    project_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    scope: str | None = None,
    npmrc_files: Sequence[Path] | None = None,
    config: NpmConfig | None = None,
) -> RegistryLocation:
    """The npm registry npm would use (for ``scope``, e.g. ``@acme``, when given).

    In order: ``override``; ``npm_config_registry`` (and ``npm_config_@scope:registry``);
    the project ``.npmrc``, the user's (``npm_config_userconfig`` or ``~/.npmrc``) and the
    global one (``$PREFIX/etc/npmrc``), ``@scope:registry`` before ``registry`` in each;
    finally ``npm config get registry``, asked once per process. Raises
    :class:`~stockade.errors.RegistryError` when nothing is configured and npm is absent.
    """
    if override:
        return RegistryLocation(override, "override")
    env = os.environ if env is None else env
    if config is None:
        config = NpmConfig.load(project_dir=project_dir, env=env, npmrc_files=npmrc_files)
    found = config.registry(scope)
    if found is not None:
        return found
    npm = shutil.which("npm", path=env.get("PATH"))
    if npm is None:
        raise RegistryError(
            "no npm registry is configured and npm is not installed", hint=_NPM_HINT
        )
    return RegistryLocation(_ask_npm(npm), "npm config get registry")


def npm_auth_headers(
    url: str,
    *,
    project_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    npmrc_files: Sequence[Path] | None = None,
    config: NpmConfig | None = None,
) -> dict[str, str]:
    """Headers carrying the credentials the ``.npmrc`` files hold for ``url`` (may be empty).

    ``//host/path/:_authToken`` gives a bearer token; ``:_auth`` or ``:username`` with a
    base64 ``:_password`` give basic authentication. ``${VAR}`` in the files is expanded.
    """
    if config is None:
        config = NpmConfig.load(project_dir=project_dir, env=env, npmrc_files=npmrc_files)
    return config.auth_headers(url)


# --- source repositories -----------------------------------------------------------------------

_FORGES = frozenset(
    {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "git.sr.ht", "gitee.com"}
)
_OWNER_REPO = frozenset({"github.com", "bitbucket.org", "codeberg.org", "gitee.com"})
"""Forges whose repository URLs are exactly ``/owner/repo``."""
_SHORTCUTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+\.[a-z]{2,}):(?!//)(?P<path>[^\s]+)$", re.I)
_SHORTHAND = re.compile(r"^(?:(?P<kind>github|gitlab|bitbucket):)?(?P<path>[\w.-]+/[\w.-]+)$")


def is_forge(url: str) -> bool:
    """Whether a URL points at a known code forge (GitHub, GitLab, Bitbucket, Codeberg ...)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host in _FORGES or host.startswith("gitlab.")


def source_repository_url(raw: str | None) -> str | None:
    """A repository URL as a browsable ``https://`` URL, or ``None`` when it is not one.

    Accepts what npm and PyPI metadata hold: ``git+https://``, ``git://``, ``git+ssh://``,
    ``git@host:owner/repo.git``, ``github:owner/repo`` and bare ``owner/repo`` (GitHub).
    On a forge the URL is cut to the repository (``/tree/...`` and such dropped).
    """
    if not raw:
        return None
    text = raw.strip().split("#", 1)[0]
    shorthand = _SHORTHAND.match(text)
    if shorthand:
        host = _SHORTCUTS[shorthand.group("kind") or "github"]
        return _tidy(host, shorthand.group("path"))
    scp = _SCP.match(text)
    if scp and "://" not in text:
        return _tidy(scp.group("host"), scp.group("path"))
    text = text.removeprefix("git+")
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https", "git", "ssh"} or not parts.hostname:
        return None
    host = parts.hostname.lower()
    path = parts.path
    try:
        port = parts.port
    except ValueError:
        # ``https://github.com:owner/repo``: an scp-style path after a scheme, seen in the wild
        port = None
        path = parts.netloc.rsplit(":", 1)[1] + "/" + path.lstrip("/")
    if port is not None and parts.scheme in {"http", "https"}:
        host = f"{host}:{port}"
    return _tidy(host, path)


def _tidy(host: str, path: str) -> str | None:
    host = host.lower().removeprefix("www.")
    path = path.strip("/").removesuffix(".git").rstrip("/")
    if not path:
        return None
    segments = path.split("/")
    if host in _OWNER_REPO:
        segments = segments[:2]
    elif host in _FORGES or host.startswith("gitlab."):
        # GitLab and SourceHut nest deeper: cut at /-/ or at /tree/, /blob/.
        for marker in ("-", "tree", "blob"):
            if marker in segments[1:]:
                segments = segments[: segments.index(marker, 1)]
    else:
        return f"https://{host}/{'/'.join(segments)}"
    if len(segments) < 2:
        return None
    segments[-1] = segments[-1].removesuffix(".git")
    return f"https://{host}/{'/'.join(segments)}"
