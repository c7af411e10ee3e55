"""The JavaScript analyser: npm lifecycle scripts and JavaScript sources, parsed with
tree-sitter and never run."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from tree_sitter import Node, Tree

from stockade.analysis.interface import Archive, Member, PackageContext, Reporter
from stockade.analysis.javascript import shell
from stockade.analysis.javascript.detect import SourceScan
from stockade.analysis.javascript.emit import Emitter
from stockade.analysis.javascript.flow import Module
from stockade.analysis.javascript.rules import RULES, RULES_BY_ID
from stockade.analysis.javascript.scripts import (
    ScriptCommand,
    install_files,
    lifecycle_scripts,
    read_manifest,
)
from stockade.analysis.javascript.syntax import parse
from stockade.analysis.javascript.textscan import is_bundled, needs_code_analysis, scan_text
from stockade.analysis.model import Confidence, Finding, Phase, RuleInfo, Severity

SOURCE_SUFFIXES = (".js", ".cjs", ".mjs")
"""Files analysed as JavaScript. TypeScript sources (``.ts``) are skipped: npm runs the
compiled JavaScript, which is analysed."""

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Only the first 2 MiB of a file are analysed (cut at a line end); a note says so."""

MAX_PACKAGE_BYTES = 3 * 1024 * 1024
"""At most this much source is parsed in one package: install-time files first, then
load-time files, then the rest, bundles last, smaller first; files that no longer fit only
get the text checks, and a note says how many."""


_INERT_FOLDERS = re.compile(r"(?:^|/)(?:docs?|examples?|samples?|tests?|__tests__|site|_static)/")


def _inert(relpath: str, package: PackageContext) -> bool:
    """Script files that no install and no import runs: web assets inside a Python package
    (pip never runs JavaScript), and documentation, examples and tests of an npm package that
    no lifecycle script names."""
    return package.ecosystem == "PyPI" or bool(_INERT_FOLDERS.search(relpath))


def _doubtful(finding: Finding) -> Finding:
    """A finding in a file nothing runs: kept as evidence, with low confidence."""
    return replace(finding, confidence=Confidence.LOW)


class JavaScriptAnalyzer:
    """Finds npm malware in package.json lifecycle scripts and JavaScript files."""

    name = "javascript"
    rules: Sequence[RuleInfo] = RULES

    def __init__(
        self,
        max_source_bytes: int = MAX_SOURCE_BYTES,
        max_package_bytes: int = MAX_PACKAGE_BYTES,
    ) -> None:
        self.max_source_bytes = max_source_bytes
        self.max_package_bytes = max_package_bytes

    def wants(self, relpath: str) -> bool:
        """Whether it needs the whole content of this file."""
        return relpath == "package.json" or relpath.lower().endswith(SOURCE_SUFFIXES)

    def analyze(self, archive: Archive, package: PackageContext) -> list[Finding]:
        """Findings for the package.json scripts and every JavaScript file of the archive."""
        findings: list[Finding] = []
        manifest_member = archive.get("package.json")
        manifest, text = read_manifest(
            manifest_member.data if manifest_member is not None else None, package.manifest
        )
        relpaths = [member.relpath for member in archive.members]
        commands = lifecycle_scripts(manifest, text, relpaths)
        install = package.install_files | install_files(commands)
        if commands:
            path = manifest_member.path if manifest_member is not None else "package.json"
            findings += self.analyze_scripts(path, commands)
        sources = [m for m in archive.members if m.relpath.lower().endswith(SOURCE_SUFFIXES)]
        phases = {
            m.relpath: Phase.INSTALL if m.relpath in install else package.phase_of(m.relpath)
            for m in sources
        }
        order = {Phase.INSTALL: 0, Phase.IMPORT: 1, Phase.RUNTIME: 2}
        sources.sort(key=lambda m: (order[phases[m.relpath]], is_bundled(m.relpath), len(m.data)))
        budget = self.max_package_bytes
        shallow: list[Member] = []
        for index, member in enumerate(sources):
            size = min(len(member.data), self.max_source_bytes)
            deep = size <= budget or index == 0
            if deep:
                budget -= size
            else:
                shallow.append(member)
            found = self.analyze_source(member, phases[member.relpath], deep=deep)
            if phases[member.relpath] is Phase.RUNTIME and _inert(member.relpath, package):
                found = [_doubtful(f) for f in found]
            findings += found
        if shallow:
            megabytes = sum(len(m.data) for m in shallow) / 1e6
            reporter = Reporter(RULES_BY_ID, "")
            Emitter(reporter, b"").emit(
                "js-analysis-limit",
                f"The package is large: {len(shallow)} files ({megabytes:.1f} MB) were only given "
                "the text checks, not parsed.",
                None,
                None,
            )
            findings += reporter.findings
        return findings

    def analyze_scripts(self, path: str, commands: Sequence[ScriptCommand]) -> list[Finding]:
        """Findings for lifecycle scripts (all run at install time)."""
        reporter = Reporter(RULES_BY_ID, path)
        for command in commands:
            emit = Emitter(reporter, command.command.encode(), line=command.line)
            severity = command.severity
            hidden = ""
            if command.hidden:
                severity, hidden = Severity.MEDIUM, " in a hidden PowerShell window"
            elif shell.has_encoded_blob(command.command):
                severity, hidden = Severity.MEDIUM, " with an encoded blob in its command"
            when = (
                "when the package is installed from git or prepared locally"
                if command.name == "prepare"
                else "when the package is installed"
                if "install" in command.name
                else "when the package is uninstalled"
            )
            emit.emit(
                "js-install-script",
                f"The {command.name} script runs {command.summary}{hidden} {when}.",
                None,
                Phase.INSTALL,
                severity=severity,
                snippet=command.command,
            )
            for signal in shell.classify_command(command.command):
                emit.emit(
                    signal.rule,
                    f"The {command.name} script {signal.message}.",
                    None,
                    Phase.INSTALL,
                    snippet=command.command,
                )
            for code in command.inline_code:
                inline = Emitter(
                    reporter, code.encode(), line=command.line, snippet=command.command
                )
                self._scan(code.encode(), "package.json", inline, Phase.INSTALL)
        return reporter.findings

    def analyze_source(self, member: Member, phase: Phase, *, deep: bool = True) -> list[Finding]:
        """Findings for one JavaScript file whose module-level code runs in ``phase``
        (``deep=False``: the text checks only)."""
        reporter = Reporter(RULES_BY_ID, member.path)
        data = member.data
        if b"\x00" in data[:8192]:
            Emitter(reporter, b"").emit(
                "js-analysis-limit",
                "The file is not text and was not analysed.",
                None,
                None,
            )
            return reporter.findings
        notes = []
        if len(data) > self.max_source_bytes:
            cut = data.rfind(b"\n", 0, self.max_source_bytes)
            data = data[: cut if cut > 0 else self.max_source_bytes]
            notes.append(f"only its first {len(data)} of {member.size} bytes were analysed")
        elif not member.complete:
            notes.append(f"only the first {len(data)} of {member.size} bytes were read")
        source = data.removeprefix(b"\xef\xbb\xbf")
        emit = Emitter(reporter, source)
        if notes:
            emit.emit(
                "js-analysis-limit",
                f"The file is large: {notes[0]}.",
                None,
                None,
                line=None,
            )
        self._scan(source, member.relpath, emit, phase, deep=deep)
        return reporter.findings

    @staticmethod
    def _scan(
        source: bytes, relpath: str, emit: Emitter, phase: Phase, *, deep: bool = True
    ) -> None:
        trees: list[Tree] = []

        def root() -> Node:
            if not trees:
                trees.append(parse(source))
            return trees[0].root_node

        facts = scan_text(source, relpath, emit, phase, root)
        if deep and needs_code_analysis(source):
            SourceScan(Module(source, root()), emit, phase, facts).run()
