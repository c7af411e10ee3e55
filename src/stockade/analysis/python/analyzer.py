"""The Python analyser: parses Python members with :mod:`ast` (never running them) and reports
what they do and when it runs."""

from __future__ import annotations

import ast
import configparser
import contextlib
import gc
import re
import tomllib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from stockade.analysis.interface import Archive, Member, PackageContext, Reporter
from stockade.analysis.model import Finding, Kind, Phase, RuleInfo, Severity
from stockade.analysis.python import strings
from stockade.analysis.python.checks import ModuleSpec, analyze_module
from stockade.analysis.python.emit import Emitter
from stockade.analysis.python.imports import module_imports
from stockade.analysis.python.phases import CommandHook, rank
from stockade.analysis.python.rules import RULES, RULES_BY_ID
from stockade.analysis.python.selection import triage

MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Python files larger than this are analysed on their first lines up to this size."""
MAX_PYC_FINDINGS = 20
ANALYSIS_BUDGET = 1000 * 1000
"""Bytes of Python source analysed in full per archive beyond the files that run by themselves
(install and import roots, command hooks): triaged files, those that run earliest and the
smallest first."""
FULL_BELOW = ANALYSIS_BUDGET
"""Packages with at most this many bytes of Python source besides the files that run by
themselves are analysed in full, without triage."""
STRONG_BUDGET = 1000 * 1000
"""Bytes of source with strong signs of malware analysed past :data:`ANALYSIS_BUDGET`."""

_SOURCE_SUFFIXES = (".py", ".pyw")
_CONFIG_NAMES = ("setup.cfg", "pyproject.toml")
_TOP_LEVEL_START = re.compile(r"\n(?=[A-Za-z_@#])")
_BACK_OFF = (0, 1 << 16, 1 << 19, 1 << 20)
"""How far back from the cut a truncated file is tried again (a cut inside a long string or
bracket does not parse)."""
_PTH_CALLS = frozenset(
    {"exec", "eval", "compile", "system", "popen", "Popen", "check_call", "check_output"}
    | {"urlopen", "urlretrieve", "b64decode", "decompress", "loads", "startfile", "execv"}
    | {"execve", "execl", "execvp", "spawnv", "spawnl", "getoutput", "run_path"}
)
_PTH_THREAT_RULES = frozenset(
    {
        "py-exec-decoded",
        "py-exec-dynamic",
        "py-process",
        "py-process-hidden",
        "py-shell-download-exec",
        "py-reverse-shell",
        "py-network",
        "py-exfil-endpoint",
        "py-exfil-data",
        "py-drop-executable",
        "py-persistence-autorun",
        "py-credential-autorun",
        "py-surveillance-autorun",
        "py-obfuscated-name",
        "py-encoded-blob",
        "py-env-harvest",
        "py-miner",
    }
)


class PythonAnalyzer:
    """Finds malicious behaviour in Python source, ``.pth`` files and build configuration."""

    name = "python"
    rules: Sequence[RuleInfo] = RULES

    def __init__(
        self,
        *,
        full_below: int = FULL_BELOW,
        budget: int = ANALYSIS_BUDGET,
        strong_budget: int = STRONG_BUDGET,
    ) -> None:
        self.full_below = full_below
        """Packages with at most this many bytes of other source are analysed in full."""
        self.budget = budget
        """Bytes of triaged source analysed in full beyond the files that run by themselves."""
        self.strong_budget = strong_budget
        """Bytes of source with strong signs of malware analysed past ``budget``."""

    def wants(self, relpath: str) -> bool:
        """Python sources, ``.pth`` files, ``setup.cfg`` and ``pyproject.toml``."""
        lower = relpath.lower()
        if lower.endswith((*_SOURCE_SUFFIXES, ".pth")):
            return True
        return lower.rsplit("/", 1)[-1] in _CONFIG_NAMES

    def analyze(self, archive: Archive, package: PackageContext) -> list[Finding]:
        """Findings for every Python member of the archive."""
        return _PackageRun(archive, package, self).run()


def module_name(relpath: str) -> str | None:
    """The dotted module a source file defines (``src/pkg/sub/__init__.py`` is ``pkg.sub``)."""
    lower = relpath.lower()
    if not lower.endswith(_SOURCE_SUFFIXES):
        return None
    parts = relpath.rsplit(".", 1)[0].split("/")
    if len(parts) > 1 and parts[0] in ("src", "lib"):
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def _package_of(relpath: str) -> str:
    name = module_name(relpath) or ""
    if relpath.endswith("__init__.py"):
        return name
    return name.rpartition(".")[0]


class _PackageRun:
    """One analysis of one archive."""

    def __init__(self, archive: Archive, package: PackageContext, limits: PythonAnalyzer) -> None:
        self.archive = archive
        self.package = package
        self.full_below = limits.full_below
        self.budget = limits.budget
        self.strong_budget = limits.strong_budget
        self.sources: dict[str, Member] = {}
        self.modules: dict[str, str] = {}
        for member in archive.members:
            if member.relpath.lower().endswith(_SOURCE_SUFFIXES):
                self.sources.setdefault(member.relpath, member)
                name = module_name(member.relpath)
                if name and name not in self.modules:
                    self.modules[name] = member.relpath
        self.findings: dict[str, list[Finding]] = {}
        self.extra_classes: dict[str, set[str]] = {}
        self.hooks: dict[str, list[CommandHook]] = {}
        self.backends: set[str] = set()
        self.entries: dict[str, dict[str, Phase]] = {}

    def run(self) -> list[Finding]:
        """Analyse configuration, .pth and .pyc files, then sources in phase order."""
        for member in self.archive.members:
            lower = member.relpath.lower()
            name = lower.rsplit("/", 1)[-1]
            if name == "setup.cfg":
                self._setup_cfg(member)
            elif name == "pyproject.toml":
                self._pyproject(member)
            elif lower.endswith(".pth"):
                self._pth(member)
        self._pycs()
        self._sources()
        ordered: list[Finding] = []
        for member in self.archive.members:
            ordered.extend(self.findings.pop(member.path, []))
        for rest in self.findings.values():
            ordered.extend(rest)
        return ordered

    def _reporter(self, member: Member) -> Reporter:
        reporter = Reporter(RULES_BY_ID, member.path)
        reporter.findings = self.findings.setdefault(member.path, [])
        return reporter

    # Sources -------------------------------------------------------------------------------

    def _sources(self) -> None:
        """Analyse the files that run by themselves in full, following their imports; then
        the other files that triage finds worth it, within the byte budget."""
        install_roots = {p for p in self.package.install_files if p in self.sources}
        install_roots |= self.backends
        if not self.package.install_files and "setup.py" in self.sources:
            install_roots.add("setup.py")
        import_roots = {p for p in self.package.import_files if p in self.sources}
        forced = install_roots | import_roots
        phases: dict[str, Phase] = {}
        reached: list[str] = []
        for roots, phase in ((install_roots, Phase.INSTALL), (import_roots, Phase.IMPORT)):
            queue: deque[str] = deque()
            for relpath in sorted(roots):
                if relpath not in phases:
                    phases[relpath] = phase
                    queue.append(relpath)
            while queue:
                relpath = queue.popleft()
                if relpath in forced:
                    imported = self._source(relpath, phase, root=relpath in roots)
                else:
                    reached.append(relpath)
                    imported = self._line_imports(relpath)
                for name in imported:
                    if name not in phases:
                        phases[name] = phase
                        queue.append(name)
        rest = [(p, phases[p]) for p in reached]
        rest += [(p, self.package.phase_of(p)) for p in self.sources if p not in phases]
        self._within_budget(rest)

    def _line_imports(self, relpath: str) -> list[str]:
        """The local modules a file imports at module level, read from its import lines."""
        data = self.sources[relpath].data[:MAX_SOURCE_BYTES]
        return self._resolve_imports(module_imports(data, _package_of(relpath)))

    def _within_budget(self, files: list[tuple[str, Phase]]) -> None:
        """Analyse the files nothing forces: all of them in a small package; in a large one
        those triage finds worth it, the files that run earliest and the smallest first,
        until the budget is spent, then those with strong signs of malware while the strong
        budget lasts, and those with alarming signs whatever the budgets."""
        pool: list[_Candidate] = []
        clean = _Tally()
        ordinary: list[_Candidate] = []
        for index, (relpath, phase) in enumerate(files):
            head = self.sources[relpath].data[:MAX_SOURCE_BYTES]
            candidate = _Candidate(index, relpath, phase, len(head))
            if relpath in self.hooks or relpath in self.extra_classes:
                pool.append(replace(candidate, forced=True))
            elif phase is Phase.RUNTIME and strings.is_test_path(relpath):
                verdict = triage(head)
                if verdict.strong:
                    pool.append(replace(candidate, strong=True, alarming=verdict.alarming))
            else:
                ordinary.append(candidate)
        if sum(c.size for c in ordinary) <= self.full_below:
            pool += ordinary
        else:
            for candidate in ordinary:
                verdict = triage(self.sources[candidate.relpath].data[:MAX_SOURCE_BYTES])
                if verdict.threat:
                    pool.append(
                        replace(candidate, strong=verdict.strong, alarming=verdict.alarming)
                    )
                else:
                    clean.add(candidate.size)
        budget, strong_budget = self.budget, self.strong_budget
        chosen: list[_Candidate] = []
        skipped = _Tally()
        for candidate in sorted(pool, key=lambda c: (-rank(c.phase), c.size, c.index)):
            if candidate.forced or candidate.alarming:
                chosen.append(candidate)
            elif candidate.size <= budget or budget == self.budget > 0:
                budget = max(0, budget - candidate.size)  # one file may exceed it alone
                chosen.append(candidate)
            elif candidate.strong and candidate.size <= strong_budget:
                strong_budget -= candidate.size
                chosen.append(candidate)
            else:
                skipped.add(candidate.size)
        for candidate in sorted(chosen, key=lambda c: c.index):
            self._source(candidate.relpath, candidate.phase, root=False)
        if skipped.files:
            self._budget_note(skipped, clean)

    def _budget_note(self, skipped: _Tally, clean: _Tally) -> None:
        reporter = Reporter(RULES_BY_ID, "")
        reporter.findings = self.findings.setdefault("", [])
        reporter.report(
            "py-analysis-budget",
            f"The package holds more Python source than one analysis covers: {skipped} that "
            f"name calls or strings the threat rules look for were only triaged, past the "
            f"{self.budget / 1e6:g} MB budget and without strong signs of malware; {clean} "
            "name none and were not parsed.",
        )

    def _source(self, relpath: str, phase: Phase, *, root: bool) -> list[str]:
        with _collector_paused():
            return self._analyse(relpath, phase, root=root)

    def _analyse(self, relpath: str, phase: Phase, *, root: bool) -> list[str]:
        member = self.sources[relpath]
        reporter = self._reporter(member)
        install_root = root and phase is Phase.INSTALL
        text = member.text()
        if text is None:
            self._unparsable(reporter, relpath, install_root, "is not UTF-8 text", phase)
            return []
        truncated = not member.complete
        if len(member.data) > MAX_SOURCE_BYTES:
            cut = text.rfind("\n", 0, MAX_SOURCE_BYTES)
            text = text[: cut if cut > 0 else MAX_SOURCE_BYTES]
            truncated = True
        tree = self._parse(text, truncated)
        if tree is None:
            if truncated:
                reporter.report(
                    "py-file-truncated",
                    f"The file holds {member.size:,} bytes, over the analysis limit, and its "
                    "beginning does not parse on its own; it was not analysed.",
                    phase=phase,
                )
            else:
                self._unparsable(reporter, relpath, install_root, "is not valid Python 3", phase)
            return []
        if truncated:
            reporter.report(
                "py-file-truncated",
                f"The file holds {member.size:,} bytes; only its first "
                f"{len(text.encode('utf-8', 'replace')):,} bytes were analysed.",
                phase=phase,
            )
        name = relpath.rsplit("/", 1)[-1]
        spec = ModuleSpec(
            relpath=relpath,
            package=_package_of(relpath),
            module_phase=phase,
            main_phase=Phase.INSTALL if install_root and name == "setup.py" else Phase.RUNTIME,
            install_file=phase is Phase.INSTALL,
            backend=relpath in self.backends,
            extra_install_classes=frozenset(self.extra_classes.get(relpath, ())),
            hooks_from_elsewhere=tuple(self.hooks.get(relpath, ())),
            entries=tuple(self.entries.get(relpath, {}).items()),
            test_file=strings.is_test_path(relpath),
        )
        lines = text.splitlines()
        try:
            result = analyze_module(tree, lines, spec, Emitter(reporter, lines))
        except RecursionError:
            reporter.report(
                "py-file-truncated",
                "The code nests too deeply to analyse completely; the analysis stopped early.",
                phase=phase,
            )
            return []
        for hook in result.hooks:
            module, _, cls = hook.target.rpartition(".")
            target = self.modules.get(module)
            if target is not None:
                self.extra_classes.setdefault(target, set()).add(cls)
                self.hooks.setdefault(target, []).append(hook)
        for name, called in result.calls_out.items():
            module, _, function = name.rpartition(".")
            target = self.modules.get(module)
            if target is not None and target != relpath:
                entries = self.entries.setdefault(target, {})
                if entries.get(function) is not Phase.INSTALL:
                    entries[function] = called
        return self._resolve_imports(result.imports)

    def _parse(self, text: str, truncated: bool) -> ast.Module | None:
        ends = [len(text)]
        if truncated:
            for back in _BACK_OFF:
                end = _top_level_start(text, len(text) - back)
                if end and end not in ends:
                    ends.append(end)
        for end in ends:
            try:
                return ast.parse(text[:end])
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
        return None

    def _unparsable(
        self, reporter: Reporter, relpath: str, install_root: bool, why: str, phase: Phase
    ) -> None:
        if install_root:
            reporter.report(
                "py-install-script-invalid",
                f"{relpath} runs at install time but {why}, so its content cannot be reviewed "
                "as Python.",
                phase=phase,
            )
        else:
            reporter.report(
                "py-syntax-error",
                f"{relpath} {why} and was not analysed.",
                phase=phase,
            )

    def _resolve_imports(self, names: list[str]) -> list[str]:
        found: list[str] = []
        for name in names:
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                relpath = self.modules.get(".".join(parts[:end]))
                if relpath is not None and relpath not in found:
                    found.append(relpath)
        return found

    # .pth files ----------------------------------------------------------------------------

    def _pth(self, member: Member) -> None:
        text = member.text()
        if text is None:
            return
        lines = text.splitlines()
        code = [line if line.startswith(("import ", "import\t")) else "" for line in lines]
        if not any(code):
            return
        reporter = self._reporter(member)
        before = len(reporter.findings)
        source = "\n".join(code)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        if tree is not None:
            spec = ModuleSpec(
                relpath=member.relpath,
                package="",
                module_phase=Phase.IMPORT,
                main_phase=Phase.IMPORT,
            )
            with contextlib.suppress(RecursionError):
                analyze_module(tree, code, spec, Emitter(reporter, code))
        found = reporter.findings[before:]
        emitter = Emitter(reporter, lines)
        for index, line in enumerate(code):
            if not line:
                continue
            number = index + 1
            reason = _pth_reason(line) or next(
                (
                    f"it triggers {f.rule}"
                    for f in found
                    if f.line == number and (f.rule in _PTH_THREAT_RULES or f.kind is Kind.THREAT)
                ),
                None,
            )
            if reason:
                emitter.emit(
                    "py-pth-exec",
                    number,
                    f"This .pth line runs code at every Python start ({reason}), far beyond "
                    "adding paths.",
                    Phase.IMPORT,
                )
            else:
                emitter.emit(
                    "py-pth-import",
                    number,
                    "This .pth line imports a module at every Python start.",
                    Phase.IMPORT,
                    once="pth",
                )

    # .pyc files ----------------------------------------------------------------------------

    def _pycs(self) -> None:
        reported = 0
        accidental: Member | None = None
        accidental_count = 0
        for member in self.archive.members:
            if not member.relpath.lower().endswith(".pyc"):
                continue
            has_source = _pyc_source(member.relpath) in self.sources
            if has_source:
                if self.archive.format == "sdist":
                    accidental = accidental or member
                    accidental_count += 1
                continue
            if reported >= MAX_PYC_FINDINGS:
                continue
            reported += 1
            reporter = self._reporter(member)
            where = "a source distribution" if self.archive.format == "sdist" else "the archive"
            reporter.report(
                "py-pyc-shipped",
                f"{member.relpath} is compiled bytecode in {where} with no matching source, "
                "code that cannot be reviewed.",
                snippet=member.relpath,
                phase=self.package.phase_of(_pyc_source(member.relpath)),
                severity=Severity.HIGH if self.archive.format == "sdist" else Severity.MEDIUM,
            )
        if accidental is not None:
            reporter = self._reporter(accidental)
            reporter.report(
                "py-pyc-shipped",
                f"The source distribution ships {accidental_count} compiled .pyc file(s) next to "
                "their sources (likely stale build output, but not what the sources say).",
                snippet=accidental.relpath,
                phase=Phase.RUNTIME,
                severity=Severity.LOW,
            )

    # Configuration -------------------------------------------------------------------------

    def _setup_cfg(self, member: Member) -> None:
        text = member.text()
        if text is None:
            return
        self._config_strings(member, text)
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
            value = parser.get("options", "cmdclass", fallback="")
        except configparser.Error:
            return
        for entry in value.splitlines():
            command, _, target = entry.partition("=")
            if target.strip():
                self._command_hook(command.strip(), target.strip().replace(":", "."), text)

    def _pyproject(self, member: Member) -> None:
        text = member.text()
        if text is None:
            return
        self._config_strings(member, text)
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            return
        system = data.get("build-system")
        if isinstance(system, dict):
            backend = system.get("build-backend")
            paths = system.get("backend-path")
            if isinstance(backend, str) and isinstance(paths, list) and paths:
                self._in_tree_backend(member, text, backend, paths)
        tool = data.get("tool")
        setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
        cmdclass = setuptools.get("cmdclass") if isinstance(setuptools, dict) else None
        if isinstance(cmdclass, dict):
            for command, target in cmdclass.items():
                if isinstance(target, str):
                    self._command_hook(command, target.replace(":", "."), text)

    def _in_tree_backend(
        self, member: Member, text: str, backend: str, paths: list[object]
    ) -> None:
        module = backend.split(":", 1)[0].strip()
        found: list[str] = []
        for base in paths:
            if not isinstance(base, str):
                continue
            prefix = base.strip().strip("/").removeprefix("./")
            prefix = "" if prefix in ("", ".") else prefix + "/"
            stem = prefix + module.replace(".", "/")
            for candidate in (stem + ".py", stem + "/__init__.py"):
                if candidate in self.sources:
                    found.append(candidate)
        self.backends.update(found)
        line = _line_of(text, "build-backend")
        reporter = self._reporter(member)
        Emitter(reporter, text.splitlines()).emit(
            "py-build-backend",
            line,
            f"The package is built by its own backend {module!r} "
            f"({', '.join(found) or 'not found in the archive'}), code that runs at install time.",
            Phase.INSTALL,
        )

    def _command_hook(self, command: str, target: str, text: str) -> None:
        module, _, cls = target.rpartition(".")
        relpath = self.modules.get(module)
        if relpath is None or not cls:
            return
        self.extra_classes.setdefault(relpath, set()).add(cls)
        hook = CommandHook(command, target, _line_of(text, command) or 0)
        self.hooks.setdefault(relpath, []).append(hook)

    def _config_strings(self, member: Member, text: str) -> None:
        reporter = self._reporter(member)
        emitter = Emitter(reporter, text.splitlines())
        for index, line in enumerate(text.splitlines()[:20_000]):
            for endpoint in strings.endpoints(line):
                rule = "py-exfil-endpoint" if endpoint.strong else "py-suspicious-url"
                emitter.emit(
                    rule,
                    index + 1,
                    f"The build configuration names {endpoint.value}, "
                    f"{'an' if endpoint.reason[:1].lower() in 'aeiou' else 'a'} {endpoint.reason}.",
                    Phase.INSTALL,
                )
            marker = strings.miner_marker(line)
            if marker:
                emitter.emit(
                    "py-miner",
                    index + 1,
                    f"The build configuration names {marker!r}, crypto-mining software.",
                    Phase.INSTALL,
                )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is parsed and analysed: the syntax
    tree is millions of new objects, none garbage yet, and scanning them again and again costs
    a third of the time. The file's garbage is collected as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pth_reason(line: str, depth: int = 0) -> str | None:
    """Why a .pth line does more than set up paths (code run by ``exec`` of a literal is
    judged on what it contains)."""
    try:
        tree = ast.parse(line)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.args[0] if node.args else None
            text = first.value if isinstance(first, ast.Constant) else None
            literal = isinstance(text, str)
            if name in ("exec", "eval", "compile") and isinstance(text, str) and depth < 2:
                inner = _pth_reason(text, depth + 1)
                if inner:
                    return inner
                continue
            if name in _PTH_CALLS:
                return f"it calls {name}()"
            if name == "__import__" and first is not None and not literal:
                return "it imports a computed module name"
    return None


def _top_level_start(text: str, before: int) -> int | None:
    """The offset of the last line before ``before`` that starts a top-level statement."""
    if before <= 0:
        return None
    window = max(0, before - 65_536)
    found = None
    for match in _TOP_LEVEL_START.finditer(text, window, before):
        found = match.start()
    return found


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A file that may get a full analysis."""

    index: int
    relpath: str
    phase: Phase
    size: int
    forced: bool = False
    strong: bool = False
    alarming: bool = False


@dataclass(slots=True)
class _Tally:
    """Files and bytes left out."""

    files: int = 0
    size: int = 0

    def add(self, size: int) -> None:
        """Count one file of ``size`` bytes."""
        self.files += 1
        self.size += size

    def __str__(self) -> str:
        files = "1 file" if self.files == 1 else f"{self.files:,} files"
        return f"{files} ({self.size / 1e6:.1f} MB)"


def _pyc_source(relpath: str) -> str:
    folder, _, name = relpath.rpartition("/")
    stem = name.rsplit(".", 1)[0].split(".", 1)[0]
    if folder.endswith("__pycache__"):
        folder = folder[: -len("__pycache__")].rstrip("/")
    return f"{folder}/{stem}.py" if folder else f"{stem}.py"


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
