"""npm lifecycle scripts: which run at install, what they run, and the files they name."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stockade.analysis.javascript import shell
from stockade.analysis.model import Severity

LIFECYCLE_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "preuninstall",
    "uninstall",
    "postuninstall",
    "prepare",
)
"""Scripts npm runs on the consumer's machine (``prepare`` only for git and local installs)."""

KNOWN_TOOLS = frozenset(
    {
        "node-gyp",
        "node-gyp-build",
        "node-gyp-build-optional",
        "node-gyp-build-optional-packages",
        "prebuild-install",
        "node-pre-gyp",
        "@mapbox/node-pre-gyp",
        "cmake-js",
        "husky",
        "patch-package",
        "opencollective",
        "opencollective-postinstall",
        "is-ci",
        "echo",
        "exit",
        "true",
        ":",
        "tsc",
        "electron-rebuild",
        "electron-builder",
        "ngcc",
        "lerna",
        "npm",
        "yarn",
        "pnpm",
        "lefthook",
        "simple-git-hooks",
        "napi",
        "prisma",
        "test",
        "[",
        "cd",
        "rimraf",
        "shx",
        "ts-patch",
        "node-hook",
        "bower",
        "esbuild",
        "playwright",
    }
)
"""Commands that build, set up git hooks or print banners in ordinary packages."""

_WRAPPERS = frozenset({"npx", "cross-env", "env", "sudo", "exec", "command", "nohup"})
_RISKY_COMMANDS = frozenset(
    {
        "curl",
        "wget",
        "powershell",
        "powershell.exe",
        "pwsh",
        "bash",
        "sh",
        "zsh",
        "cmd",
        "cmd.exe",
        "python",
        "python3",
        "perl",
        "nc",
        "ncat",
        "certutil",
        "bitsadmin",
        "mshta",
        "rundll32",
        "regsvr32",
        "start",
        "chmod",
        "nslookup",
        "dig",
    }
)
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_NODE_VALUE_OPTIONS = frozenset({"-r", "--require", "--import", "--loader", "-C", "--conditions"})


@dataclass(frozen=True, slots=True)
class ScriptCommand:
    """What one lifecycle script runs."""

    name: str
    """The script name (``postinstall`` ...)."""
    command: str
    """The command as written."""
    line: int | None
    """Its line in package.json."""
    severity: Severity
    """INFO for known build tools, LOW for node files and other commands, MEDIUM for
    downloaders and shells."""
    summary: str
    """What it runs, for the finding's message."""
    files: tuple[str, ...] = ()
    """Archive files it runs (``install.js`` for ``node install.js``)."""
    inline_code: tuple[str, ...] = ()
    """JavaScript it passes to ``node -e``."""
    hidden: bool = field(default=False)
    """It starts PowerShell with a hidden window."""


def read_manifest(data: bytes | None, fallback: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """The parsed package.json and its text (``fallback`` when absent or unreadable)."""
    if data is None:
        return fallback, ""
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    try:
        parsed = json.loads(text)
    except ValueError:
        return fallback, text
    return (parsed if isinstance(parsed, dict) else fallback), text


def lifecycle_scripts(
    manifest: Mapping[str, Any], text: str, members: Sequence[str]
) -> list[ScriptCommand]:
    """The lifecycle scripts of a package.json, each read for what it runs."""
    scripts = manifest.get("scripts")
    if not isinstance(scripts, Mapping):
        return []
    known = set(members)
    found = []
    for name in LIFECYCLE_SCRIPTS:
        command = scripts.get(name)
        if not isinstance(command, str) or not command.strip():
            continue
        found.append(_read_script(name, command, _script_line(text, name), known))
    return found


def install_files(commands: Sequence[ScriptCommand]) -> frozenset[str]:
    """The archive files lifecycle scripts run."""
    return frozenset(path for command in commands for path in command.files)


def _script_line(text: str, name: str) -> int | None:
    scripts = re.search(r'"scripts"\s*:\s*\{', text)
    start = scripts.end() if scripts else 0
    match = re.compile(rf'"{re.escape(name)}"\s*:').search(text, start)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1


def _read_script(name: str, command: str, line: int | None, members: set[str]) -> ScriptCommand:
    files: list[str] = []
    inline: list[str] = []
    parts: list[str] = []
    worst = Severity.INFO
    for segment in shell.split_segments(command):
        words = _strip_wrappers(segment)
        if not words:
            continue
        program = words[0].rsplit("/", 1)[-1]
        if program in ("node", "node.exe", "nodejs"):
            script, code = _node_target(words[1:])
            if code is not None:
                inline.append(code)
                required = _inline_requires(code, members)
                files += required
                if _ONLY_REQUIRES.fullmatch(code):
                    parts.append(f"node -e requiring {', '.join(required)}")
                else:
                    parts.append("inline node -e code")
                    worst = max(worst, Severity.LOW, key=lambda s: s.rank)
            elif script is not None:
                resolved = _resolve_file(script, members)
                files.append(resolved)
                present = "" if resolved in members else " (not in the archive)"
                parts.append(f"node {resolved}{present}")
                worst = max(worst, Severity.LOW, key=lambda s: s.rank)
            continue
        if program in KNOWN_TOOLS:
            parts.append(program)
            continue
        parts.append(program)
        level = Severity.MEDIUM if program.lower() in _RISKY_COMMANDS else Severity.LOW
        worst = max(worst, level, key=lambda s: s.rank)
    summary = ", ".join(dict.fromkeys(parts)) or command.strip()
    return ScriptCommand(
        name=name,
        command=command,
        line=line,
        severity=worst,
        summary=summary,
        files=tuple(dict.fromkeys(files)),
        inline_code=tuple(inline),
        hidden=shell.hidden_powershell(command),
    )


def _strip_wrappers(words: list[str]) -> list[str]:
    index = 0
    while index < len(words):
        word = words[index]
        if _ENV_ASSIGNMENT.match(word) or word in _WRAPPERS or word.startswith("--no-"):
            index += 1
            continue
        if word in ("-y", "--yes", "-p", "--package", "--"):
            index += 1
            continue
        break
    return words[index:]


def _node_target(args: list[str]) -> tuple[str | None, str | None]:
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-e", "--eval", "-p", "--print", "-pe"):
            return None, args[index + 1] if index + 1 < len(args) else ""
        if arg.startswith(("--eval=", "--print=")):
            return None, arg.split("=", 1)[1]
        if arg in _NODE_VALUE_OPTIONS:
            index += 2
            continue
        if arg.startswith("-"):
            index += 1
            continue
        return arg, None
    return None, None


def _resolve_file(script: str, members: set[str]) -> str:
    path = posixpath.normpath(script.replace("\\", "/")).lstrip("/")
    path = path.removeprefix("./")
    if path in members:
        return path
    for suffix in (".js", ".cjs", ".mjs", "/index.js"):
        if path + suffix in members:
            return path + suffix
    return path


_ONLY_REQUIRES = re.compile(
    r"""\s*(?:try\s*\{\s*)?(?:require\(\s*['"]\.{1,2}/[^'"]+['"]\s*\)\s*;?\s*)+"""
    r"""(?:\}\s*catch\s*(?:\(\s*\w*\s*\))?\s*\{\s*\}\s*)?"""
)
_REQUIRE = re.compile(r"""require\(\s*['"](\.{1,2}/[^'"]+)['"]\s*\)""")


def _inline_requires(code: str, members: set[str]) -> list[str]:
    return [_resolve_file(m.group(1), members) for m in _REQUIRE.finditer(code)]
