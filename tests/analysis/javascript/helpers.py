"""Building archives and contexts for the JavaScript analyser tests (no I/O beyond fixtures)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from stockade.analysis.interface import Archive, Member, PackageContext
from stockade.analysis.javascript import JavaScriptAnalyzer
from stockade.analysis.model import Finding, Kind, Phase

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "analysis" / "javascript"
ROOT = "package"

_NODE_FILE = re.compile(r"\bnode\s+(?:--?[\w-]+\s+)*([\w./-]+\.c?js)\b")


def member(relpath: str, content: str | bytes, *, complete: bool = True) -> Member:
    """A member of an npm tarball (under ``package/``)."""
    data = content.encode() if isinstance(content, str) else content
    return Member(
        path=f"{ROOT}/{relpath}", relpath=relpath, size=len(data), data=data, complete=complete
    )


def archive(files: Mapping[str, str | bytes]) -> Archive:
    """An npm archive holding ``files`` (relative path to content)."""
    return Archive(
        filename="pkg-1.0.0.tgz",
        format="npm",
        sha256="0" * 64,
        members=[member(path, content) for path, content in files.items()],
        root=ROOT,
    )


def context(
    *,
    install: Iterable[str] = (),
    imports: Iterable[str] = (),
    manifest: Mapping[str, object] | None = None,
) -> PackageContext:
    """A package context with the given install-time and load-time files."""
    return PackageContext(
        ecosystem="npm",
        name="pkg",
        version="1.0.0",
        manifest=dict(manifest or {}),
        install_files=frozenset(install),
        import_files=frozenset(imports),
    )


def scan(
    files: Mapping[str, str | bytes],
    *,
    install: Iterable[str] = (),
    imports: Iterable[str] = (),
    analyzer: JavaScriptAnalyzer | None = None,
) -> list[Finding]:
    """Every finding of the analyser on an archive of ``files``."""
    return list(
        (analyzer or JavaScriptAnalyzer()).analyze(
            archive(files), context(install=install, imports=imports)
        )
    )


def hits(findings: Iterable[Finding], rule: str) -> list[tuple[int | None, Phase | None]]:
    """(line, phase) of every finding of ``rule``, by line."""
    return sorted(((f.line, f.phase) for f in findings if f.rule == rule), key=lambda h: h[0] or 0)


def rules(findings: Iterable[Finding]) -> set[str]:
    """The rule ids found."""
    return {f.rule for f in findings}


def threats(findings: Iterable[Finding]) -> list[Finding]:
    """The threat findings."""
    return [f for f in findings if f.kind is Kind.THREAT]


def sample_names(kind: str) -> list[str]:
    """The sample folders under ``malicious`` or ``benign``."""
    return sorted(p.name for p in (FIXTURES / kind).iterdir() if p.is_dir())


def load_sample(kind: str, name: str) -> tuple[Archive, PackageContext]:
    """A fixture sample as an archive, with the context a context builder would give it:
    files named by ``node <file>`` in lifecycle scripts run at install, ``main`` on load."""
    folder = FIXTURES / kind / name
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = json.loads(files["package.json"])
    scripts = manifest.get("scripts", {})
    install = {
        match.group(1).removeprefix("./")
        for key in ("preinstall", "install", "postinstall")
        for match in _NODE_FILE.finditer(scripts.get(key, ""))
    }
    main = str(manifest.get("main", "index.js")).removeprefix("./")
    return archive(files), context(install=install, imports={main}, manifest=manifest)
