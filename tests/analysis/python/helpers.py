"""Build archives and contexts for the Python analyser tests (no reader needed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stockade.analysis.interface import Archive, Member, PackageContext
from stockade.analysis.model import Finding, Kind, Phase
from stockade.analysis.python import PythonAnalyzer

ROOT = "pkg-1.0"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "analysis" / "python"

WHERE = {
    Phase.INSTALL: "setup.py",
    Phase.IMPORT: "pkg/__init__.py",
    Phase.RUNTIME: "pkg/util.py",
}
"""Where a test module goes so that its module-level code runs in the given phase."""


def code(text: str) -> str:
    """Dedented source starting on line 1."""
    return textwrap.dedent(text).lstrip("\n")


def member(relpath: str, data: str | bytes, *, root: str = ROOT) -> Member:
    """A complete member at ``relpath`` below ``root``."""
    raw = data.encode() if isinstance(data, str) else data
    path = f"{root}/{relpath}" if root else relpath
    return Member(path=path, relpath=relpath, size=len(raw), data=raw)


def context(
    files: dict[str, str | bytes],
    *,
    install: tuple[str, ...] | None = None,
    imports: tuple[str, ...] | None = None,
) -> PackageContext:
    """A context: setup.py runs at install, top-level ``__init__.py`` and .pth files on import."""
    if install is None:
        install = tuple(p for p in files if p == "setup.py")
    if imports is None:
        imports = tuple(
            p
            for p in files
            if p.endswith(".pth") or (p.count("/") == 1 and p.endswith("/__init__.py"))
        )
    return PackageContext(
        ecosystem="PyPI",
        name="pkg",
        version="1.0",
        install_files=frozenset(install),
        import_files=frozenset(imports),
    )


def scan(
    files: dict[str, str | bytes],
    *,
    install: tuple[str, ...] | None = None,
    imports: tuple[str, ...] | None = None,
    fmt: str = "sdist",
    root: str = ROOT,
    analyzer: PythonAnalyzer | None = None,
) -> list[Finding]:
    """Analyse an archive made of ``files`` (relative paths to content)."""
    archive = Archive(
        filename=f"{root or 'pkg'}.tar.gz",
        format=fmt,
        sha256="0" * 64,
        members=[member(p, d, root=root) for p, d in files.items()],
        root=root,
    )
    ctx = context(files, install=install, imports=imports)
    return list((analyzer or PythonAnalyzer()).analyze(archive, ctx))


def scan_code(source: str, phase: Phase = Phase.RUNTIME) -> list[Finding]:
    """Analyse one module placed so that its module level runs in ``phase``."""
    return scan({WHERE[phase]: code(source)})


def hits(findings: list[Finding], rule: str) -> list[tuple[int | None, Phase | None]]:
    """(line, phase) of every finding of ``rule``, by line."""
    found = [(f.line, f.phase) for f in findings if f.rule == rule]
    return sorted(found, key=lambda item: (item[0] or 0, str(item[1])))


def rules(findings: list[Finding]) -> set[str]:
    """The rule ids that fired."""
    return {f.rule for f in findings}


def threats(findings: list[Finding]) -> list[Finding]:
    """The threat findings."""
    return [f for f in findings if f.kind is Kind.THREAT]


def sample(folder: Path) -> dict[str, str | bytes]:
    """The files of a sample package folder, by relative path."""
    return {
        str(p.relative_to(folder)).replace("\\", "/"): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
