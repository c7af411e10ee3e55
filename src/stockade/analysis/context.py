"""What a package archive is and when each of its files runs, read from its own metadata.

``build_context`` turns an :class:`~stockade.analysis.interface.Archive` into a
:class:`~stockade.analysis.interface.PackageContext`: the parsed manifest (``package.json``,
``PKG-INFO`` or a wheel's ``METADATA``), the files that run at install time (npm lifecycle
scripts, ``setup.py``, in-tree build backends), the files that run on import (the npm entry
points, top-level ``__init__.py`` files, ``.pth`` files) and whether compiled code is normal
here. Nothing is executed: scripts are read as text and their command lines split with
:mod:`shlex`.
"""

from __future__ import annotations

import ast
import json
import posixpath
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from email.parser import Parser
from typing import Any

from stockade.analysis.interface import Archive, Member, PackageContext

INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")
"""npm lifecycle scripts that run when a package is installed from the registry."""

LIFECYCLE_SCRIPTS = (*INSTALL_SCRIPTS, "prepare")
"""Lifecycle scripts whose files count as install-time code (``prepare`` runs for git and
local installs)."""

MULTIPLE_USE_FIELDS = frozenset(
    {
        "classifier",
        "dynamic",
        "license-file",
        "obsoletes",
        "obsoletes-dist",
        "platform",
        "project-url",
        "provides",
        "provides-dist",
        "provides-extra",
        "requires",
        "requires-dist",
        "requires-external",
        "supported-platform",
    }
)
"""Core metadata fields that may appear more than once (kept as lists in the manifest)."""

NATIVE_SOURCE_SUFFIXES = (
    ".c",
    ".cc",
    ".cpp",
    ".cxx",
    ".c++",
    ".m",
    ".mm",
    ".pyx",
    ".pxd",
    ".rs",
    ".f",
    ".f90",
    ".f95",
    ".cu",
    ".go",
    ".zig",
)
"""Source files whose presence in an sdist means it builds compiled code."""

NATIVE_BUILD_FILES = frozenset(
    {"binding.gyp", "Cargo.toml", "CMakeLists.txt", "meson.build", "build.zig"}
)
"""Build files whose presence at any depth means compiled code is built."""

NATIVE_NPM_HELPERS = (
    "node-gyp",
    "node-gyp-build",
    "node-pre-gyp",
    "prebuild-install",
    "cmake-js",
    "napi-rs",
)
"""Tools named in npm install scripts that build or fetch native addons."""

_PLATFORMS = (
    "linux|darwin|macos|osx|win32|windows|win|freebsd|openbsd|netbsd|sunos|android|aix|"
    "openharmony|wasi"
)
_ARCHES = (
    "x64|x86_64|amd64|arm64|aarch64|ia32|x86|i686|arm|armv7|arm64ec|ppc64|ppc64le|s390x|"
    "riscv64|loong64|loongarch64|mips64el|universal|musl|gnu|msvc|gnueabihf|eabi|64|32"
)
_NATIVE_NPM_NAME = re.compile(
    rf"(?:^|[-/_.])(?:{_PLATFORMS})(?:[-_.](?:{_ARCHES}))+(?:$|[-_.])", re.IGNORECASE
)
_NATIVE_NPM_SCOPES = ("@esbuild/", "@swc/core-", "@rollup/rollup-", "@img/sharp-", "@next/swc-")
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
_INTERPRETERS = frozenset({"node", "nodejs", "python", "python3", "python2", "perl", "ruby"})
_NODE_INLINE = frozenset({"-e", "--eval", "-p", "--print"})
_NODE_FLAG_ARGS = frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader"})
_SCRIPT_SUFFIXES = (".js", ".cjs", ".mjs", ".sh", ".py", ".ts", ".bash", ".pl")
_NOT_INSTALLED_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "doc",
        "docs",
        "example",
        "examples",
        "benchmark",
        "benchmarks",
        "bench",
        "tools",
        "scripts",
        "ci",
        "build",
        "dist",
        ".github",
        ".tox",
        ".nox",
        "node_modules",
    }
)
_NOT_INSTALLED_MODULES = frozenset(
    {
        "setup.py",
        "conftest.py",
        "noxfile.py",
        "fabfile.py",
        "tasks.py",
        "dodo.py",
        "runtests.py",
        "docs.py",
        "bootstrap.py",
        "ez_setup.py",
        "distribute_setup.py",
        "versioneer.py",
    }
)
_NOT_CODE_SUFFIXES = (".json", ".d.ts", ".d.mts", ".d.cts", ".css", ".map", ".wasm")
_MAX_SCRIPT_DEPTH = 4
_OPERATOR_CHARS = frozenset("&|;()<>\n")


def needs(relpath: str) -> bool:
    """Whether ``build_context`` reads this file's content (analysers should want it whole)."""
    if relpath in ("package.json", "PKG-INFO", "pyproject.toml"):
        return True
    head, _, tail = relpath.rpartition("/")
    return head.endswith(".dist-info") and "/" not in head and tail in ("METADATA", "WHEEL")


def build_context(
    archive: Archive,
    *,
    ecosystem: str | None = None,
    registry: Mapping[str, Any] | None = None,
    name: str | None = None,
    version: str | None = None,
) -> PackageContext:
    """The package an archive holds: manifest, install- and import-time files, whether
    binaries are expected. Arguments given win over what the archive says."""
    eco = normalise_ecosystem(ecosystem) if ecosystem else _guess_ecosystem(archive)
    if eco == "npm":
        context = _npm_context(archive)
    elif eco == "PyPI":
        context = _python_context(archive)
    else:
        context = PackageContext(ecosystem=eco)
    context.ecosystem = eco
    context.registry = registry
    manifest_name = context.manifest.get("name")
    manifest_version = context.manifest.get("version")
    context.name = name or (manifest_name if isinstance(manifest_name, str) else None)
    context.version = version or (manifest_version if isinstance(manifest_version, str) else None)
    return context


def normalise_ecosystem(ecosystem: str) -> str:
    """``PyPI`` or ``npm`` for any spelling of them; other names unchanged."""
    lowered = ecosystem.strip().lower()
    if lowered in ("pypi", "python", "pip"):
        return "PyPI"
    if lowered == "npm":
        return "npm"
    return ecosystem


def _guess_ecosystem(archive: Archive) -> str | None:
    if archive.format == "npm":
        return "npm"
    if archive.format in ("wheel", "sdist"):
        return "PyPI"
    if archive.get("package.json") is not None:
        return "npm"
    if any(archive.get(p) is not None for p in ("PKG-INFO", "setup.py", "pyproject.toml")):
        return "PyPI"
    return None


# --- npm ------------------------------------------------------------------------------------


def read_json_object(member: Member | None) -> dict[str, Any]:
    """A member's content parsed as a JSON object, or ``{}``."""
    if member is None:
        return {}
    text = member.text()
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def npm_manifest(archive: Archive) -> dict[str, Any]:
    """The top ``package.json`` of an npm archive, parsed (``{}`` when absent or invalid)."""
    member = archive.get("package.json")
    if member is None:
        candidates = [m for m in archive.members if posixpath.basename(m.relpath) == "package.json"]
        candidates = [m for m in candidates if "node_modules/" not in m.relpath]
        member = min(candidates, key=lambda m: m.relpath.count("/"), default=None)
    return read_json_object(member)


def scripts_of(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The manifest's ``scripts`` that are strings."""
    scripts = manifest.get("scripts")
    if not isinstance(scripts, Mapping):
        return {}
    return {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}


def install_scripts(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The install-time lifecycle scripts (``preinstall``, ``install``, ``postinstall``)."""
    scripts = scripts_of(manifest)
    return {k: scripts[k] for k in INSTALL_SCRIPTS if k in scripts}


def implicit_gyp_install(archive: Archive, manifest: Mapping[str, Any]) -> bool:
    """Whether npm runs ``node-gyp rebuild`` on install: a ``binding.gyp`` at the root and no
    ``install`` or ``preinstall`` script."""
    scripts = scripts_of(manifest)
    if "install" in scripts or "preinstall" in scripts:
        return False
    return archive.get("binding.gyp") is not None or manifest.get("gypfile") is True


def command_files(command: str, scripts: Mapping[str, str] | None = None) -> list[str]:
    """Files (as written, relative or not) that a lifecycle command line runs; ``npm run X``
    follows script ``X`` of ``scripts``."""
    found: list[str] = []
    _command_files(command, scripts or {}, found, 0)
    return found


def _command_files(command: str, scripts: Mapping[str, str], out: list[str], depth: int) -> None:
    if depth > _MAX_SCRIPT_DEPTH:
        return
    for segment in _segments(command):
        tokens = segment
        while tokens and (_ENV_ASSIGNMENT.match(tokens[0]) or tokens[0] in ("env", "exec")):
            tokens = tokens[1:]
        if tokens and tokens[0] in ("cross-env", "npx", "sudo") and len(tokens) > 1:
            tokens = tokens[1:]
            while tokens and _ENV_ASSIGNMENT.match(tokens[0]):
                tokens = tokens[1:]
        if not tokens:
            continue
        program = posixpath.basename(tokens[0])
        args = tokens[1:]
        if program in _INTERPRETERS or program in _SHELLS:
            _interpreter_files(program, args, scripts, out, depth)
        elif program in ("npm", "yarn", "pnpm") and args:
            target = _run_script_target(args)
            if target and target in scripts:
                _command_files(scripts[target], scripts, out, depth + 1)
        elif tokens[0].startswith(("./", "../")) or tokens[0].endswith(_SCRIPT_SUFFIXES):
            out.append(tokens[0])


def _interpreter_files(
    program: str, args: list[str], scripts: Mapping[str, str], out: list[str], depth: int
) -> None:
    i = 0
    while i < len(args):
        arg = args[i]
        if program in _SHELLS and arg == "-c":
            if i + 1 < len(args):
                _command_files(args[i + 1], scripts, out, depth + 1)
            return
        if arg in _NODE_INLINE or (program.startswith("python") and arg == "-c"):
            return
        if arg in _NODE_FLAG_ARGS:
            if i + 1 < len(args) and args[i + 1].startswith((".", "/")):
                out.append(args[i + 1])
            i += 2
            continue
        if program.startswith("python") and arg == "-m":
            return
        if arg.startswith("-"):
            i += 1
            continue
        out.append(arg)
        return


def _run_script_target(args: list[str]) -> str | None:
    rest = [a for a in args if not a.startswith("-")]
    if rest and rest[0] in ("run", "run-script") and len(rest) > 1:
        return rest[1]
    return None


def _segments(command: str) -> Iterator[list[str]]:
    """The simple commands of a command line, as token lists (quotes respected; split at
    ``&&``, ``||``, ``;``, ``|``, ``&`` and newlines)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain splitting
        tokens = [t for t in re.split(r"\s+|(&&|\|\||;|\||&)", command) if t]
    current: list[str] = []
    for token in tokens:
        if set(token) <= _OPERATOR_CHARS:
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


def resolve_path(
    path: str, present: Archive | AbstractSet[str], *, node: bool = False
) -> str | None:
    """``path`` relative to the package root, normalised; for Node also tries ``.js``,
    ``.cjs``, ``.mjs``, ``.json`` and ``/index.js`` among the ``present`` paths (an archive's,
    or a set of them: faster for many look-ups). ``None`` for paths outside the package."""
    if isinstance(present, Archive):
        present = {m.relpath for m in present.members}
    if not path or path.startswith(("/", "~", "$")) or "://" in path:
        return None
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal.startswith("../") or normal == "..":
        return None
    normal = normal.removeprefix("./")
    if normal in present or not node:
        return normal
    for candidate in (
        normal + ".js",
        normal + ".cjs",
        normal + ".mjs",
        normal + ".json",
        normal + "/index.js",
        normal + "/index.cjs",
        normal + "/index.mjs",
    ):
        if candidate in present:
            return candidate
    return normal


def export_targets(exports: Any) -> list[str]:
    """Every file path named in a package.json ``exports`` value (strings, condition maps,
    subpath maps, arrays); wildcard patterns are left out."""
    found: list[str] = []
    stack: list[Any] = [exports]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if value.startswith("./") and "*" not in value:
                found.append(value)
        elif isinstance(value, Mapping):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return found


def _npm_context(archive: Archive) -> PackageContext:
    manifest = npm_manifest(archive)
    present = {m.relpath for m in archive.members}
    scripts = scripts_of(manifest)
    install: set[str] = set()
    for key in LIFECYCLE_SCRIPTS:
        if key in scripts:
            for written in command_files(scripts[key], scripts):
                resolved = resolve_path(written, present, node=True)
                if resolved:
                    install.add(resolved)
    gyp_runs = implicit_gyp_install(archive, manifest) or any(
        "node-gyp" in scripts.get(k, "") for k in LIFECYCLE_SCRIPTS
    )
    if gyp_runs and archive.get("binding.gyp") is not None:
        install.add("binding.gyp")  # node-gyp evaluates its <!(...) command expansions
    imports: set[str] = set()
    main = manifest.get("main")
    entry = resolve_path(main if isinstance(main, str) and main else "index.js", present, node=True)
    if entry:
        imports.add(entry)
    for target in export_targets(manifest.get("exports")):
        resolved = resolve_path(target, present, node=True)
        if resolved and not resolved.endswith(_NOT_CODE_SUFFIXES):
            imports.add(resolved)
    return PackageContext(
        manifest=manifest,
        install_files=frozenset(install),
        import_files=frozenset(imports),
        binaries_expected=_npm_binaries_expected(archive, manifest),
    )


def _npm_binaries_expected(archive: Archive, manifest: Mapping[str, Any]) -> bool:
    if manifest.get("gypfile") is True or isinstance(manifest.get("binary"), Mapping):
        return True
    name = manifest.get("name")
    if isinstance(name, str) and native_npm_name(name):
        return True
    if _restricted(manifest.get("os")) or _restricted(manifest.get("cpu")):
        return True
    scripts = scripts_of(manifest)
    if any(
        helper in scripts.get(k, "") for k in LIFECYCLE_SCRIPTS for helper in NATIVE_NPM_HELPERS
    ):
        return True
    for member in archive.members:
        rel = member.relpath
        if rel.startswith("prebuilds/") or "/prebuilds/" in rel:
            return True
        if posixpath.basename(rel) == "binding.gyp":
            return True
    return False


def native_npm_name(name: str) -> bool:
    """Whether an npm name is shaped like a platform-specific binary package
    (``@esbuild/linux-x64``, ``@swc/core-darwin-arm64``, ``turbo-windows-64``)."""
    lowered = name.lower()
    return lowered.startswith(_NATIVE_NPM_SCOPES) or bool(_NATIVE_NPM_NAME.search(lowered))


def _restricted(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str) and not v.startswith("!") for v in value)
    )


# --- Python ---------------------------------------------------------------------------------


def parse_core_metadata(text: str) -> dict[str, Any]:
    """PKG-INFO/METADATA as lower-case field names to values (lists for multiple-use fields;
    the body, if any, as ``description``)."""
    message = Parser().parsestr(text)
    fields: dict[str, Any] = {}
    for key, raw in message.items():
        lowered = key.lower()
        value = str(raw)
        if lowered in MULTIPLE_USE_FIELDS:
            fields.setdefault(lowered, []).append(value)
        elif lowered not in fields:
            fields[lowered] = value
    body = message.get_payload()
    if isinstance(body, str) and body.strip() and "description" not in fields:
        fields["description"] = body
    return fields


def dist_info_dirs(archive: Archive) -> list[str]:
    """The top-level ``*.dist-info`` folders of a wheel."""
    found = {
        m.relpath.split("/", 1)[0]
        for m in archive.members
        if "/" in m.relpath and m.relpath.split("/", 1)[0].endswith(".dist-info")
    }
    return sorted(found)


def python_manifest(archive: Archive) -> dict[str, Any]:
    """The core metadata of an sdist (``PKG-INFO``) or wheel (``*.dist-info/METADATA``)."""
    member = archive.get("PKG-INFO")
    if member is None:
        for folder in dist_info_dirs(archive):
            member = archive.get(f"{folder}/METADATA")
            if member is not None:
                break
    if member is None:
        return {}
    text = member.text()
    return parse_core_metadata(text) if text is not None else {}


def _python_context(archive: Archive) -> PackageContext:
    wheel = archive.format == "wheel" or (
        archive.get("PKG-INFO") is None and bool(dist_info_dirs(archive))
    )
    manifest = python_manifest(archive)
    install: set[str] = set()
    if not wheel:
        if archive.get("setup.py") is not None:
            install.add("setup.py")
            install.update(_setup_helpers(archive))
        install.update(_backend_files(archive))
    imports = _python_import_files(archive, wheel=wheel)
    expected = _wheel_binaries_expected(archive) if wheel else _sdist_binaries_expected(archive)
    return PackageContext(
        manifest=manifest,
        install_files=frozenset(install),
        import_files=frozenset(imports),
        binaries_expected=expected,
    )


def _backend_files(archive: Archive) -> list[str]:
    """The module files of an in-tree build backend (``[build-system] backend-path``)."""
    member = archive.get("pyproject.toml")
    text = member.text() if member else None
    if not text:
        return []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    system = data.get("build-system")
    if not isinstance(system, dict):
        return []
    backend = system.get("build-backend")
    paths = system.get("backend-path")
    if not isinstance(backend, str) or not isinstance(paths, list):
        return []
    module = backend.split(":", 1)[0].strip()
    if not module:
        return []
    parts = module.split(".")
    found: list[str] = []
    for base in paths:
        if not isinstance(base, str):
            continue
        root = resolve_path(base, archive) or ""
        prefix = "" if root in ("", ".") else root + "/"
        # Importing a.b.c runs a/__init__.py, a/b/__init__.py and a/b/c(.py|/__init__.py).
        for depth in range(1, len(parts) + 1):
            stem = prefix + "/".join(parts[:depth])
            for candidate in (stem + ".py", stem + "/__init__.py"):
                if archive.get(candidate) is not None:
                    found.append(candidate)
    return found


def _python_import_files(archive: Archive, *, wheel: bool) -> set[str]:
    paths = [m.relpath for m in archive.members]
    present = set(paths)
    found: set[str] = {p for p in paths if p.endswith(".pth")}
    if wheel:
        data = sorted({p.split("/", 1)[0] for p in paths if p.split("/", 1)[0].endswith(".data")})
        roots = ["", *(f"{d}/{lib}/" for d in data for lib in ("purelib", "platlib"))]
    else:
        roots = ["", "src/", "lib/"]
    for root in roots:
        for path in paths:
            if not path.startswith(root):
                continue
            rest = path[len(root) :]
            parts = rest.split("/")
            first = parts[0]
            if first.endswith((".dist-info", ".data", ".egg-info")):
                continue
            if not wheel and first in _NOT_INSTALLED_DIRS:
                continue
            if len(parts) == 1:
                if rest.endswith(".py") and (wheel or rest not in _NOT_INSTALLED_MODULES):
                    found.add(path)
                continue
            if parts[-1] != "__init__.py":
                continue
            # The shallowest __init__.py on each path: the top-level (or namespace) package.
            ancestors = ("/".join(parts[:i]) + "/__init__.py" for i in range(1, len(parts) - 1))
            if not any(root + a in present for a in ancestors):
                found.add(path)
    return found


def _setup_helpers(archive: Archive) -> list[str]:
    """Local modules that ``setup.py`` imports (their module-level code runs at install)."""
    member = archive.get("setup.py")
    text = member.text() if member is not None else None
    if not text:
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module.split(".")[0])
    found: list[str] = []
    for name in dict.fromkeys(names):
        for candidate in (f"{name}.py", f"{name}/__init__.py"):
            if archive.get(candidate) is not None:
                found.append(candidate)
    return found


def wheel_tags(archive: Archive) -> list[str]:
    """The wheel's compatibility tags (``cp312-cp312-manylinux_2_17_x86_64`` ...), from its
    file name, else from ``WHEEL``."""
    name = posixpath.basename(archive.filename)
    if name.endswith(".whl"):
        parts = name[: -len(".whl")].split("-")
        if len(parts) in (5, 6):
            py, abi, plats = parts[-3], parts[-2], parts[-1]
            return [
                f"{p}-{a}-{pl}"
                for p in py.split(".")
                for a in abi.split(".")
                for pl in plats.split(".")
            ]
    tags: list[str] = []
    for folder in dist_info_dirs(archive):
        member = archive.get(f"{folder}/WHEEL")
        text = member.text() if member is not None else None
        if text:
            tags += re.findall(r"(?im)^Tag:[ \t]*(\S+)", text)
    return list(dict.fromkeys(tags))


def _wheel_binaries_expected(archive: Archive) -> bool:
    tags = wheel_tags(archive)
    if tags:
        return any(not t.endswith("-none-any") for t in tags)
    for folder in dist_info_dirs(archive):
        member = archive.get(f"{folder}/WHEEL")
        text = member.text() if member is not None else None
        if text and re.search(r"(?im)^Root-Is-Purelib:\s*false", text):
            return True
    return False


def _sdist_binaries_expected(archive: Archive) -> bool:
    for member in archive.members:
        base = posixpath.basename(member.relpath)
        if base in NATIVE_BUILD_FILES or base.lower().endswith(NATIVE_SOURCE_SUFFIXES):
            return True
    return False
