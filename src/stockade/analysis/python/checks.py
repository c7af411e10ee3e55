"""The checks run on one parsed module: calls, strings and file-wide patterns."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from stockade.analysis import indicators
from stockade.analysis.interface import clip
from stockade.analysis.model import Phase, Severity
from stockade.analysis.python import strings, symbols
from stockade.analysis.python.emit import Emitter
from stockade.analysis.python.flow import HIDDEN_CODE, SECRETS, Evaluator, Origin
from stockade.analysis.python.phases import (
    CommandHook,
    PhasePlan,
    assign_phases,
    command_hooks,
    install_classes,
    runs_automatically,
)
from stockade.analysis.python.scopes import BindKind, Collector, ModuleInfo, Scope
from stockade.analysis.python.shell import command_facts

LONG_LINE = 2000
"""Lines longer than this many characters are looked at as possibly packed code."""
MAX_INLINE_DEPTH = 2

_OBFUSCATED_IDENT = re.compile(
    r"^_0x[0-9a-fA-F]{2,}$|^(?=.*I)(?=.*[l1])[Il1]{6,}$|^(?=.*O)(?=.*0)[O0]{5,}$"
)
_Test = Callable[[str], str | None]
_PYARMOR_NAMES = ("__pyarmor__", "pyarmor_runtime", "__armor_enter__", "__armor_exit__")
_PYARMOR_MODULES = ("pytransform", "pyarmor_runtime")
_SOCKETISH = ("socket.socket()", "socket.create_connection()", "socket.socket().accept()")
_SERIALISERS = frozenset(
    {
        "json.dumps",
        "json.dump",
        "builtins.str",
        "builtins.repr",
        "builtins.print",
        "pickle.dumps",
        "yaml.dump",
        "yaml.safe_dump",
        "pprint.pformat",
        "pprint.pprint",
        "base64.b64encode",
        "marshal.dumps",
    }
)
_EXEC_BITS = ("S_IEXEC", "S_IXUSR", "S_IXGRP", "S_IXOTH", "S_IRWXU", "S_IRWXG", "S_IRWXO")
_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open"})
_PHASE_WORDS = {
    Phase.INSTALL: "at install time",
    Phase.IMPORT: "at import time",
    Phase.RUNTIME: "when called",
}


@dataclass(slots=True)
class ModuleResult:
    """What the analysis of one module tells the rest of the package analysis."""

    imports: list[str] = field(default_factory=list)
    """Modules imported by module-level code (absolute dotted names)."""
    hooks: list[CommandHook] = field(default_factory=list)
    """``cmdclass`` overrides found in this module."""
    calls_out: dict[str, Phase] = field(default_factory=dict)
    """Dotted names this module calls at install or import time (``pkg.mod.func``)."""


@dataclass(slots=True)
class ModuleSpec:
    """How to analyse one module."""

    relpath: str
    package: str
    """The dotted package the module sits in (for relative imports)."""
    module_phase: Phase
    main_phase: Phase
    install_file: bool = False
    backend: bool = False
    extra_install_classes: frozenset[str] = frozenset()
    """Class names another module's ``cmdclass`` or setup.cfg names as install commands."""
    hooks_from_elsewhere: tuple[CommandHook, ...] = ()
    """Command hooks declared elsewhere whose class is in this module."""
    entries: tuple[tuple[str, Phase], ...] = ()
    """Functions or classes of this module other modules call at install or import time."""
    test_file: bool = False
    depth: int = 0


def analyze_module(
    tree: ast.Module, lines: list[str], spec: ModuleSpec, emitter: Emitter
) -> ModuleResult:
    """Run every check on one parsed module, reporting through ``emitter``."""
    long_lines = frozenset(i + 1 for i, text in enumerate(lines) if len(text) > LONG_LINE)
    info = Collector(spec.package, long_lines).collect(tree)
    try:
        return _analyze(info, lines, spec, emitter)
    finally:
        info.release()


def _analyze(
    info: ModuleInfo, lines: list[str], spec: ModuleSpec, emitter: Emitter
) -> ModuleResult:
    ev = Evaluator(info)
    hooks = command_hooks(info, ev)
    classes = install_classes(info, ev, install_file=spec.install_file)
    local_hooks = [h for h in hooks if h.target.startswith(".")]
    classes.update(h.target[1:] for h in local_hooks)
    classes.update(n for n in spec.extra_install_classes if n in info.functions)
    plan = PhasePlan(spec.module_phase, spec.main_phase, classes, spec.backend, dict(spec.entries))
    assign_phases(info, ev, plan)
    checks = ModuleChecks(info, ev, emitter, spec, lines)
    checks.run()
    for hook in [*local_hooks, *spec.hooks_from_elsewhere]:
        checks.report_hook(hook)
    result = ModuleResult(hooks=[h for h in hooks if not h.target.startswith(".")])
    result.imports = [name for name, _ in info.imports]
    result.calls_out = _calls_out(info, ev)
    return result


def _calls_out(info: ModuleInfo, ev: Evaluator) -> dict[str, Phase]:
    """Dotted names called (or started as threads) by code that runs at install or import."""
    found: dict[str, Phase] = {}
    for scope in info.scopes:
        if not runs_automatically(scope.phase):
            continue
        for call in scope.calls:
            targets = [call.func, *call.args, *(k.value for k in call.keywords)]
            for target in targets:
                if not isinstance(target, ast.Name | ast.Attribute):
                    continue
                sym = ev.symbol(target, scope)
                if (
                    sym
                    and not sym.startswith((".", "builtins."))
                    and "()" not in sym
                    and found.get(sym) is not Phase.INSTALL
                ):
                    found[sym] = scope.phase
    return found


class ModuleChecks:
    """The checks of one module."""

    def __init__(
        self,
        info: ModuleInfo,
        ev: Evaluator,
        emitter: Emitter,
        spec: ModuleSpec,
        lines: list[str],
    ) -> None:
        self.info = info
        self.ev = ev
        self.out = emitter
        self.spec = spec
        self.lines = lines
        self.clipboard_reads: list[tuple[int, Phase]] = []
        self.clipboard_writes: list[tuple[int, Phase]] = []
        self.wallet_line: int | None = None
        self._senders: dict[str, set[str]] = {}
        self._endpoints: set[str] = set()

    # Driver --------------------------------------------------------------------------------

    def run(self) -> None:
        """Check every scope, then the file as a whole."""
        for scope in self.info.scopes:
            drops = _Drops()
            shells = _Shells()
            for call in scope.calls:
                self._call(call, scope, drops, shells)
            self._finish_drops(drops, scope)
            if shells.dup2 and shells.spawns:
                line = shells.spawns[0]
                self.out.emit(
                    "py-reverse-shell",
                    line,
                    "A socket is duplicated onto standard input/output and a shell is started, "
                    "handing a remote host a command line.",
                    scope.phase,
                )
            for read in scope.env_reads:
                self._env_subscript(read, scope)
            for source in scope.loops:
                self._env_iteration(source, scope)
            for const in scope.strings:
                self._string(const, scope)
        self._file_checks()

    def _phase_words(self, phase: Phase) -> str:
        return _PHASE_WORDS[phase]

    # Calls ---------------------------------------------------------------------------------

    def _call(self, call: ast.Call, scope: Scope, drops: _Drops, shells: _Shells) -> None:
        sym = self.ev.symbol(call.func, scope)
        self._dynamic_names(call, scope, sym)
        method = call.func.attr if isinstance(call.func, ast.Attribute) else None
        if method is not None:
            self._methods(call, method, scope, drops)
        if sym is None:
            return
        if sym in symbols.EXEC:
            self._exec(call, sym, scope)
        elif sym in symbols.UNPICKLERS:
            self._unpickle(call, sym, scope)
        if sym in symbols.PROCESS:
            self._process(call, sym, scope, drops, shells)
        self._network(call, sym, scope)
        self._credentials(call, sym, scope)
        self._environment(call, sym, scope)
        self._persistence_call(call, sym, scope)
        self._surveillance(call, sym, scope)
        self._drop_events(call, sym, scope, drops)
        if sym == "os.dup2" and call.args:
            first = call.args[0]
            if (
                isinstance(first, ast.Call)
                and isinstance(first.func, ast.Attribute)
                and first.func.attr == "fileno"
            ):
                owner = self.ev.symbol(first.func.value, scope) or ""
                if owner.startswith(_SOCKETISH):
                    shells.dup2 = True
        if sym.startswith(".") and sym[1:] in self.info.functions:
            self._local_call(call, sym[1:], scope)

    # Dynamic execution ---------------------------------------------------------------------

    def _exec(self, call: ast.Call, sym: str, scope: Scope) -> None:
        if not call.args:
            return
        name = sym.rsplit(".", 1)[-1]
        arg = call.args[0]
        found = self.ev.origins(arg, scope)
        phase = scope.phase
        if found & HIDDEN_CODE:
            self.out.emit(
                "py-exec-decoded",
                call.lineno,
                f"{name}() runs code {self._source_words(arg, scope, found)} "
                f"{self._phase_words(phase)}, hiding what it does from review.",
                phase,
            )
            return
        if found & Origin.DECODED:
            if runs_automatically(phase):
                self.out.emit(
                    "py-exec-decoded",
                    call.lineno,
                    f"{name}() runs decoded data {self._phase_words(phase)}, so what runs "
                    "cannot be read from the source.",
                    phase,
                )
            else:
                self.out.emit(
                    "py-exec-dynamic",
                    call.lineno,
                    f"{name}() runs code decoded at run time from data the file does not show.",
                    phase,
                )
            return
        if sym == "types.FunctionType" or found & (Origin.LITERAL | Origin.FILE):
            self._inline_code(arg, scope, call.lineno)
            return
        if isinstance(arg, ast.Constant):
            return
        if runs_automatically(phase):
            self.out.emit(
                "py-exec-dynamic",
                call.lineno,
                f"{name}() runs code that is not written in the file {self._phase_words(phase)}.",
                phase,
            )
        else:
            self.out.emit(
                "py-exec-dynamic",
                call.lineno,
                f"{name}() runs code built at run time (a normal capability of templating and "
                "plugin code).",
                phase,
                severity=Severity.INFO,
                once="runtime",
            )

    def _source_words(self, node: ast.expr, scope: Scope, found: Origin) -> str:
        how = self._evidence_call(node, scope, _TRANSFORM_NAMES)
        if found & Origin.OBFUSCATED:
            return (
                f"decoded from data hidden in the file ({how})"
                if how
                else ("rebuilt from data hidden in the file")
            )
        if found & Origin.DOWNLOADED:
            return "downloaded from the network"
        return "taken from a long encoded string"

    def _unpickle(self, call: ast.Call, sym: str, scope: Scope) -> None:
        if not call.args:
            return
        found = self.ev.origins(call.args[0], scope)
        phase = scope.phase
        hidden = found & (Origin.OBFUSCATED | Origin.ENCODED)
        embedded = found & Origin.DOWNLOADED or _is_literal(call.args[0], scope)
        if hidden or (runs_automatically(phase) and embedded):
            self.out.emit(
                "py-exec-decoded",
                call.lineno,
                f"{sym}() unpickles bytes {self._source_words(call.args[0], scope, found)} "
                f"{self._phase_words(phase)}; unpickling runs the code the data names.",
                phase,
            )
        elif found & Origin.DOWNLOADED or _is_literal(call.args[0], scope):
            where = "downloaded" if found & Origin.DOWNLOADED else "embedded"
            self.out.emit(
                "py-unpickle-data",
                call.lineno,
                f"{sym}() loads {where} pickle data, which can run code when loaded.",
                phase,
                once=None if runs_automatically(phase) else "runtime",
            )

    # Dynamic names -------------------------------------------------------------------------

    def _dynamic_names(self, call: ast.Call, scope: Scope, sym: str | None) -> None:
        func = call.func
        target: ast.expr | None = None
        subject = ""
        sensitive_object = True
        if sym in symbols.IMPORTERS and call.args:
            target = call.args[0]
            subject = "__import__" if sym == "builtins.__import__" else "import_module"
        elif sym == "builtins.getattr" and len(call.args) >= 2:
            target = call.args[1]
            subject = "getattr"
            owner = self.ev.symbol(call.args[0], scope) or ""
            head = owner.split(".", 1)[0]
            sensitive_object = "()" not in owner and head in symbols.SENSITIVE_NAMES
        elif isinstance(func, ast.Subscript):
            owner = self.ev.symbol(func.value, scope) or ""
            if owner in ("builtins.globals()", "builtins.locals()", "builtins.vars()") or (
                owner.endswith(".__dict__")
            ):
                target = func.slice
                subject = owner.removeprefix("builtins.").removesuffix(".__dict__") + "[...]"
        if target is None or isinstance(target, ast.Constant):
            return
        phase = scope.phase
        folded = self.ev.fold(target, scope)
        if folded is not None:
            if not folded.obfuscated:
                return
            last = folded.text.rsplit(".", 1)[-1]
            if (
                folded.decoded
                or folded.text in symbols.SENSITIVE_NAMES
                or (last in symbols.SENSITIVE_NAMES)
            ):
                how = (
                    "decoding, reversal or character codes"
                    if folded.decoded
                    else ("string concatenation")
                )
                self.out.emit(
                    "py-obfuscated-name",
                    call.lineno,
                    f"{subject} looks up {folded.text!r} from a name hidden by {how}, a trick "
                    "to keep the real call out of sight.",
                    phase,
                )
            return
        if runs_automatically(phase) and sensitive_object:
            self.out.emit(
                "py-dynamic-import",
                call.lineno,
                f"{subject} takes a name computed at run time {self._phase_words(phase)}.",
                phase,
            )

    # Processes -----------------------------------------------------------------------------

    def _command_node(self, call: ast.Call, sym: str) -> ast.expr | None:
        if sym.startswith(("os.exec", "os.spawn", "os.posix_spawn")):
            args = call.args[1:] if sym.startswith("os.spawn") else call.args
            return ast.List(elts=list(args), ctx=ast.Load()) if args else None
        if sym.startswith("ctypes.windll.shell32.ShellExecute") or sym == "win32api.ShellExecute":
            return ast.List(elts=list(call.args[1:4]), ctx=ast.Load())
        if call.args:
            return call.args[0]
        for kw in call.keywords:
            if kw.arg in ("args", "cmd", "command"):
                return kw.value
        return None

    def _process(
        self, call: ast.Call, sym: str, scope: Scope, drops: _Drops, shells: _Shells
    ) -> None:
        phase = scope.phase
        auto = runs_automatically(phase)
        node = self._command_node(call, sym)
        text = self.ev.text(node, scope) if node is not None else ""
        facts = command_facts(text)
        shown = clip(text, 80)
        shells.spawns.append(call.lineno)
        threat = False
        if facts.download_exec:
            threat = (
                self.out.emit(
                    "py-shell-download-exec",
                    call.lineno,
                    f"The command {shown!r} downloads a payload and runs it "
                    f"{self._phase_words(phase)}.",
                    phase,
                )
                or threat
            )
        if facts.reverse_shell or self._socket_stdio(call, scope):
            threat = (
                self.out.emit(
                    "py-reverse-shell",
                    call.lineno,
                    f"The command {shown!r} connects a shell to a network socket.",
                    phase,
                )
                or threat
            )
        detached, silent = self._process_flags(call, scope)
        bare_popen = sym == "subprocess.Popen" and id(call) in self.info.bare_calls
        if facts.hidden:
            threat = (
                self.out.emit(
                    "py-process-hidden",
                    call.lineno,
                    f"The command {shown!r} runs hidden (no window or encoded PowerShell).",
                    phase,
                )
                or threat
            )
        elif auto and (facts.detached or detached or (silent and bare_popen)):
            how = detached or silent or "in the background"
            threat = (
                self.out.emit(
                    "py-process-hidden",
                    call.lineno,
                    f"A process is started {how} {self._phase_words(phase)}, so it keeps running "
                    "unseen after the installer or importer moves on.",
                    phase,
                )
                or threat
            )
        if facts.persistence:
            self._persistence(call.lineno, facts.persistence, scope)
        if facts.clipboard_read:
            self.clipboard_reads.append((call.lineno, phase))
        if facts.clipboard_write:
            self.clipboard_writes.append((call.lineno, phase))
        if facts.network:
            self._exfil(call, scope, f"the command {shown!r}")
        if node is not None:
            self._inline_python(node, scope, call.lineno)
        if threat:
            return
        if auto:
            self.out.emit(
                "py-process",
                call.lineno,
                f"{sym}() runs {shown!r} {self._phase_words(phase)}.",
                phase,
            )
        else:
            self.out.emit(
                "py-process",
                call.lineno,
                f"{sym}() starts processes when the code is called.",
                phase,
                severity=Severity.INFO,
                once="runtime",
            )

    def _socket_stdio(self, call: ast.Call, scope: Scope) -> bool:
        for kw in call.keywords:
            if kw.arg not in ("stdin", "stdout", "stderr"):
                continue
            value = kw.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "fileno"
            ):
                value = value.func.value
            owner = self.ev.symbol(value, scope) or ""
            if owner.startswith(_SOCKETISH):
                return True
        return False

    def _process_flags(self, call: ast.Call, scope: Scope) -> tuple[str | None, str | None]:
        detached: str | None = None
        silent: str | None = None
        quiet_streams = 0
        for kw in call.keywords:
            value = kw.value
            if kw.arg == "creationflags":
                names = {
                    n.attr if isinstance(n, ast.Attribute) else n.id
                    for n in ast.walk(value)
                    if isinstance(n, ast.Attribute | ast.Name)
                }
                number = value.value if isinstance(value, ast.Constant) else None
                if "DETACHED_PROCESS" in names or (isinstance(number, int) and number & 0x8):
                    detached = "detached from the console"
                if "CREATE_NO_WINDOW" in names or (isinstance(number, int) and number & 0x08000000):
                    silent = silent or "without a window"
            elif kw.arg == "start_new_session":
                if isinstance(value, ast.Constant) and value.value is True:
                    detached = "in a new session"
            elif kw.arg == "preexec_fn":
                sym = self.ev.symbol(value, scope) or ""
                if sym in ("os.setsid", "os.setpgrp"):
                    detached = "in a new session"
            elif kw.arg == "startupinfo":
                silent = silent or "with a hidden window"
            elif kw.arg in ("stdout", "stderr"):
                sym = self.ev.symbol(value, scope) or ""
                if sym == "subprocess.DEVNULL" or "devnull" in ast.unparse(value).lower():
                    quiet_streams += 1
        if quiet_streams >= 2:
            silent = silent or "with its output discarded"
        return detached, silent

    def _inline_python(self, node: ast.expr, scope: Scope, line: int) -> None:
        if not isinstance(node, ast.List | ast.Tuple):
            return
        elts = node.elts
        for index, elt in enumerate(elts[:-1]):
            flag = self.ev.fold(elt, scope)
            if flag is None or flag.text != "-c":
                continue
            program = self.ev.fold(elts[0], scope)
            head = self.ev.text(elts[0], scope).lower()
            if program is not None and "python" not in program.text.lower():
                return
            if program is None and "python" not in head:
                return
            self._inline_code(elts[index + 1], scope, line)
            return

    def _inline_code(self, node: ast.expr, scope: Scope, line: int) -> None:
        """Analyse Python code given as a constant string (``exec("...")``, ``python -c``)."""
        if self.spec.depth >= MAX_INLINE_DEPTH:
            return
        code = self.ev.fold(node, scope)
        if code is None or len(code.text) < 8:
            return
        try:
            tree = ast.parse(code.text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        spec = ModuleSpec(
            relpath=self.spec.relpath,
            package=self.spec.package,
            module_phase=scope.phase,
            main_phase=scope.phase,
            test_file=self.spec.test_file,
            depth=self.spec.depth + 1,
        )
        analyze_module(tree, code.text.splitlines(), spec, self.out.nested(line))

    # Network and exfiltration --------------------------------------------------------------

    def _network(self, call: ast.Call, sym: str, scope: Scope) -> None:
        if not symbols.sends(sym):
            return
        phase = scope.phase
        if sym in symbols.NETWORK:
            if phase is Phase.INSTALL:
                self.out.emit(
                    "py-network",
                    call.lineno,
                    f"{sym}() reaches the network at install time.",
                    phase,
                    severity=Severity.MEDIUM,
                )
            elif phase is Phase.IMPORT:
                self.out.emit(
                    "py-network",
                    call.lineno,
                    f"{sym}() reaches the network at import time.",
                    phase,
                )
            else:
                self.out.emit(
                    "py-network",
                    call.lineno,
                    f"{sym}() reaches the network when the code is called.",
                    phase,
                    severity=Severity.INFO,
                    once="runtime",
                )
        self._exfil(call, scope, f"{sym}()")

    def _exfil(self, call: ast.Call, scope: Scope, what: str) -> None:
        found = Origin.NONE
        values = [*call.args, *(kw.value for kw in call.keywords if kw.arg != "env")]
        for value in values:
            found |= self.ev.origins(value, scope)
        self._report_exfil(call.lineno, found, scope.phase, what)
        if found & Origin.PUBLIC_IP:
            address = self._evidence_string(call, scope, strings.public_ip)
            if address:
                self._endpoint(
                    call.lineno,
                    strings.Endpoint(address, "raw IP address", strong=True),
                    scope.phase,
                    sent=True,
                )
        for value in values:
            for sub, _ in _walk_with_bindings(value, scope, 3):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    for endpoint in strings.endpoints(sub.value):
                        if endpoint.strong:
                            self._endpoint(call.lineno, endpoint, scope.phase, sent=True)
                            return

    def _report_exfil(self, line: int, found: Origin, phase: Phase, what: str) -> None:
        secrets = found & SECRETS
        if runs_automatically(phase):
            secrets |= found & (Origin.SECRET_ENV | Origin.FINGERPRINT)
        if not secrets:
            return
        kinds = []
        if secrets & Origin.CRED_FILE:
            kinds.append("the content of a credentials file")
        if secrets & Origin.ENV_DUMP:
            kinds.append("the whole environment")
        if secrets & Origin.SECRET_ENV:
            kinds.append("secret environment variables")
        if secrets & Origin.FINGERPRINT:
            kinds.append("the user and host names")
        self.out.emit(
            "py-exfil-data",
            line,
            f"{what} sends {' and '.join(kinds)} over the network {self._phase_words(phase)}.",
            phase,
        )

    def _local_call(self, call: ast.Call, key: str, scope: Scope) -> None:
        target = self.info.functions[key]
        if target.kind != "function":
            return
        senders = self._sending_params(target)
        if not senders:
            return
        found = Origin.NONE
        params = target.params[1:] if target.class_key else target.params
        for index, arg in enumerate(call.args):
            if index < len(params) and params[index] in senders:
                found |= self.ev.origins(arg, scope)
        for kw in call.keywords:
            if kw.arg in senders:
                found |= self.ev.origins(kw.value, scope)
        phase = scope.phase if runs_automatically(scope.phase) else target.phase
        self._report_exfil(call.lineno, found, phase, f"{key}()")

    def _sending_params(self, scope: Scope, depth: int = 0) -> set[str]:
        """Parameters of a local function that reach a network call (through up to three
        levels of local calls)."""
        cached = self._senders.get(scope.key)
        if cached is not None:
            return cached
        if depth > 3:
            return set()
        self._senders[scope.key] = set()
        params = set(scope.params)
        found: set[str] = set()
        for call in scope.calls:
            sym = self.ev.symbol(call.func, scope)
            if sym is None:
                continue
            sends = symbols.sends(sym)
            if not sends and sym.startswith(".") and sym[1:] in self.info.functions:
                inner = self.info.functions[sym[1:]]
                sends = (
                    inner is not scope
                    and inner.kind == "function"
                    and bool(self._sending_params(inner, depth + 1))
                )
            if not sends:
                continue
            names = _names_in([*call.args, *(k.value for k in call.keywords)], scope, 3)
            found |= names & params
        self._senders[scope.key] = found
        return found

    # Credentials and environment -----------------------------------------------------------

    def _credentials(self, call: ast.Call, sym: str, scope: Scope) -> None:
        reads = sym in symbols.FILE_READ
        if not reads and sym not in symbols.PATH_BUILD:
            return
        if not call.args:
            return
        node = call.args[0] if reads else None
        nodes = [node] if node is not None else list(call.args)
        what = None
        for item in nodes:
            what = self._credential_what(item, scope)
            if what:
                break
        if what is None:
            return
        self._report_credential(call.lineno, what, scope, reads, sym)

    def _credential_what(self, node: ast.expr, scope: Scope) -> str | None:
        what = strings.credential_in(self.ev.text(node, scope))
        if what is None and self.ev.origins(node, scope) & Origin.CRED_PATH:
            what = self._evidence_string(node, scope, strings.credential_in)
            what = what or "a file that holds secrets"
        return what

    def _report_credential(self, line: int, what: str, scope: Scope, reads: bool, how: str) -> None:
        phase = scope.phase
        if reads and runs_automatically(phase):
            self.out.emit(
                "py-credential-autorun",
                line,
                f"{how}() reads {what} {self._phase_words(phase)}, which no installer or "
                "import needs.",
                phase,
            )
        elif runs_automatically(phase):
            self.out.emit(
                "py-credential-path",
                line,
                f"{how}() builds the path of {what} {self._phase_words(phase)}.",
                phase,
            )
        else:
            self.out.emit(
                "py-credential-path",
                line,
                f"{how}() accesses {what} when the code is called.",
                phase,
                once=f"runtime {what}",
            )

    def _environment(self, call: ast.Call, sym: str, scope: Scope) -> None:
        phase = scope.phase
        auto = runs_automatically(phase)
        if sym in ("os.getenv", "os.environ.get", "os.environ.pop", "os.getenvb") and call.args:
            key = self.ev.fold(call.args[0], scope)
            if key is not None:
                self._env_name(key.text, call.lineno, scope)
        elif sym in _SERIALISERS and any(
            self.ev.origins(a, scope) & (Origin.ENV | Origin.ENV_DUMP)
            and _mentions_environ(a, scope)
            for a in call.args
        ):
            self._harvest(call.lineno, f"{sym}() serialises the whole environment", scope)
        elif sym in symbols.FINGERPRINT and auto:
            self.out.emit(
                "py-fingerprint",
                call.lineno,
                f"{sym}() identifies the user or machine {self._phase_words(phase)}.",
                phase,
                once=sym,
            )

    def _env_name(self, name: str, line: int, scope: Scope) -> None:
        phase = scope.phase
        auto = runs_automatically(phase)
        if indicators.SECRET_ENV_NAMES.match(name):
            if auto:
                self.out.emit(
                    "py-secret-env",
                    line,
                    f"Reads the secret environment variable {name} {self._phase_words(phase)}.",
                    phase,
                )
            else:
                self.out.emit(
                    "py-secret-env",
                    line,
                    f"Reads the secret environment variable {name} when called.",
                    phase,
                    severity=Severity.INFO,
                    once="runtime",
                )
        elif auto and name.upper() in symbols.FINGERPRINT_ENV:
            self.out.emit(
                "py-fingerprint",
                line,
                f"Reads {name} to identify the user or machine {self._phase_words(phase)}.",
                phase,
                once=name,
            )

    def _env_subscript(self, node: ast.Subscript, scope: Scope) -> None:
        if self.ev.symbol(node.value, scope) not in ("os.environ", "os.environb"):
            return
        key = self.ev.fold(node.slice, scope)
        if key is not None:
            self._env_name(key.text, node.lineno, scope)

    def _env_iteration(self, source: ast.expr, scope: Scope) -> None:
        if self.ev.origins(source, scope) & (Origin.ENV | Origin.ENV_DUMP) and _mentions_environ(
            source
        ):
            self._harvest(source.lineno, "The code walks through every environment variable", scope)

    def _harvest(self, line: int, what: str, scope: Scope) -> None:
        phase = scope.phase
        if runs_automatically(phase):
            self.out.emit(
                "py-env-harvest",
                line,
                f"{what} {self._phase_words(phase)}, as environment stealers do.",
                phase,
            )
        else:
            self.out.emit(
                "py-env-harvest",
                line,
                f"{what} when called.",
                phase,
                severity=Severity.INFO,
                once="runtime",
            )

    # Persistence ---------------------------------------------------------------------------

    def _persistence_call(self, call: ast.Call, sym: str, scope: Scope) -> None:
        target: list[ast.expr] = []
        if sym in _OPENERS and call.args and self._writes(call, scope):
            target = [call.args[0]]
        elif sym in symbols.COPY_CALLS:
            target = list(call.args[1:2])
        elif sym in symbols.WINREG_WRITE and sym not in ("winreg.OpenKey", "winreg.OpenKeyEx"):
            target = list(call.args)
        elif sym.startswith("crontab.CronTab") and sym.endswith((".write", ".new")):
            self._persistence(call.lineno, "a cron job", scope)
            return
        for node in target:
            what = strings.persistence_in(self.ev.text(node, scope))
            if what is None and self.ev.origins(node, scope) & Origin.PERSIST_PATH:
                what = self._evidence_string(node, scope, strings.persistence_in)
            if what:
                self._persistence(call.lineno, what, scope)
                return

    def _writes(self, call: ast.Call, scope: Scope) -> bool:
        mode_node = call.args[1] if len(call.args) > 1 else None
        for kw in call.keywords:
            if kw.arg == "mode":
                mode_node = kw.value
        if mode_node is None:
            return False
        mode = self.ev.fold(mode_node, scope)
        return mode is not None and any(c in mode.text for c in "wax+")

    def _persistence(self, line: int, what: str, scope: Scope) -> None:
        phase = scope.phase
        if runs_automatically(phase):
            self.out.emit(
                "py-persistence-autorun",
                line,
                f"Sets up persistence through {what} {self._phase_words(phase)}, so code keeps "
                "running after the package is gone.",
                phase,
            )
        else:
            self.out.emit(
                "py-persistence",
                line,
                f"Writes to {what} when the code is called.",
                phase,
            )

    # Surveillance --------------------------------------------------------------------------

    def _surveillance(self, call: ast.Call, sym: str, scope: Scope) -> None:
        if sym in symbols.CLIPBOARD_READ:
            self.clipboard_reads.append((call.lineno, scope.phase))
            self._spy(call.lineno, "py-clipboard", f"{sym}() reads the clipboard", scope)
        elif sym in symbols.CLIPBOARD_WRITE:
            self.clipboard_writes.append((call.lineno, scope.phase))
        elif sym in symbols.KEYLOGGER:
            self._spy(call.lineno, "py-keylogger", f"{sym}() watches the keyboard", scope)
        elif sym in symbols.SCREENSHOT:
            self._spy(call.lineno, "py-screenshot", f"{sym}() captures the screen", scope)

    def _methods(self, call: ast.Call, method: str, scope: Scope, drops: _Drops) -> None:
        if method == "clipboard_get":
            self.clipboard_reads.append((call.lineno, scope.phase))
            self._spy(call.lineno, "py-clipboard", "clipboard_get() reads the clipboard", scope)
        elif method == "clipboard_append":
            self.clipboard_writes.append((call.lineno, scope.phase))
        elif method in ("read_text", "read_bytes") and isinstance(call.func, ast.Attribute):
            what = self._credential_what(call.func.value, scope)
            if what:
                self._report_credential(call.lineno, what, scope, True, f"Path.{method}")
        elif method in ("write_text", "write_bytes") and isinstance(call.func, ast.Attribute):
            receiver = call.func.value
            what = strings.persistence_in(self.ev.text(receiver, scope))
            if what is None and self.ev.origins(receiver, scope) & Origin.PERSIST_PATH:
                what = self._evidence_string(receiver, scope, strings.persistence_in)
            if what:
                self._persistence(call.lineno, what, scope)
            if call.args:
                drops.writes.append(
                    (_keys(receiver, scope), self.ev.origins(call.args[0], scope), call.lineno)
                )
        elif method == "write" and call.args and isinstance(call.func, ast.Attribute):
            path = self._handle_path(call.func.value, scope)
            if path is not None:
                drops.writes.append(
                    (_keys(path, scope), self.ev.origins(call.args[0], scope), call.lineno)
                )
        elif (
            method == "chmod"
            and call.args
            and isinstance(call.func, ast.Attribute)
            and _exec_mode(call.args[0])
        ):
            drops.execs.append((_keys(call.func.value, scope), call.lineno, "chmod"))

    def _spy(self, line: int, rule: str, what: str, scope: Scope) -> None:
        phase = scope.phase
        if runs_automatically(phase):
            self.out.emit(
                "py-surveillance-autorun",
                line,
                f"{what} {self._phase_words(phase)}, which no installer or import needs.",
                phase,
            )
        else:
            self.out.emit(rule, line, f"{what} when the code is called.", phase, once="runtime")

    # Dropped executables -------------------------------------------------------------------

    def _handle_path(self, node: ast.expr, scope: Scope) -> ast.expr | None:
        """The path a file handle was opened on for writing."""
        opener: ast.expr | None = node
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id)
            opener = found[-1].expr if found and found[-1].kind is BindKind.VALUE else None
        if not isinstance(opener, ast.Call) or not opener.args:
            return None
        sym = self.ev.symbol(opener.func, scope)
        if sym in _OPENERS and self._writes(opener, scope):
            return opener.args[0]
        return None

    def _drop_events(self, call: ast.Call, sym: str, scope: Scope, drops: _Drops) -> None:
        if sym in ("urllib.request.urlretrieve", "wget.download") and len(call.args) >= 2:
            drops.writes.append((_keys(call.args[1], scope), Origin.DOWNLOADED, call.lineno))
        elif sym == "shutil.copyfileobj" and len(call.args) >= 2:
            path = self._handle_path(call.args[1], scope)
            if path is not None:
                data = self.ev.origins(call.args[0], scope)
                drops.writes.append((_keys(path, scope), data, call.lineno))
        elif sym == "os.chmod" and len(call.args) >= 2 and _exec_mode(call.args[1]):
            drops.execs.append((_keys(call.args[0], scope), call.lineno, "chmod"))
        elif sym in symbols.PROCESS:
            node = self._command_node(call, sym)
            if node is None:
                return
            if sym in symbols.SHELL_STRING or not isinstance(node, ast.List | ast.Tuple):
                if isinstance(node, ast.List | ast.Tuple):
                    node = node.elts[0] if node.elts else node
                keys: set[str] = set()
                for sub in _walk(node, 64):
                    if isinstance(sub, ast.Name):
                        keys |= _keys(sub, scope)
                keys |= _keys(node, scope)
                drops.execs.append((keys, call.lineno, "run"))
                return
            if not node.elts:
                return
            program = node.elts[0]
            head = self.ev.text(program, scope).lower()
            if "python" in head and len(node.elts) > 1:
                drops.execs.append((_keys(node.elts[1], scope), call.lineno, "python"))
            else:
                drops.execs.append((_keys(program, scope), call.lineno, "run"))

    def _finish_drops(self, drops: _Drops, scope: Scope) -> None:
        if not drops.writes or not drops.execs:
            return
        phase = scope.phase
        for keys, line, kind in drops.execs:
            for write_keys, data, _ in drops.writes:
                if not keys & write_keys:
                    continue
                verb = "makes it executable" if kind == "chmod" else "runs it"
                if data & HIDDEN_CODE:
                    source = "downloaded" if data & Origin.DOWNLOADED else "decoded"
                    self.out.emit(
                        "py-drop-executable",
                        line,
                        f"Writes {source} data to a file and {verb} "
                        f"{self._phase_words(phase)}, the pattern of a dropper.",
                        phase,
                    )
                    break
                if kind == "run" and runs_automatically(phase):
                    self.out.emit(
                        "py-drop-executable",
                        line,
                        f"Writes a program to disk and runs it {self._phase_words(phase)}.",
                        phase,
                    )
                    break

    # Strings -------------------------------------------------------------------------------

    def _string(self, node: ast.Constant, scope: Scope) -> None:
        value = node.value
        if not isinstance(value, str | bytes):
            return
        phase = scope.phase
        kind = strings.encoded(value) if len(value) >= 200 else None
        if kind:
            self.out.emit(
                "py-encoded-blob",
                node.lineno,
                f"A {len(value):,}-character {kind} literal looks like an encoded payload.",
                phase,
                severity=Severity.LOW if runs_automatically(phase) else Severity.INFO,
                once="blob",
            )
        if not isinstance(value, str):
            return
        for endpoint in strings.endpoints(value):
            self._endpoint(node.lineno, endpoint, phase)
        marker = strings.miner_marker(value)
        if marker:
            self.out.emit(
                "py-miner",
                node.lineno,
                f"The string names {marker!r}, crypto-mining software or a mining pool.",
                phase,
            )
        if self.wallet_line is None and strings.wallet_pattern(value):
            self.wallet_line = node.lineno

    def _endpoint(
        self, line: int, endpoint: strings.Endpoint, phase: Phase, *, sent: bool = False
    ) -> None:
        shown = clip(endpoint.value, 90)
        strong = endpoint.strong and (
            sent or runs_automatically(phase) or endpoint.reason not in strings.CONTEXTUAL
        )
        if strong and not (self.spec.test_file and phase is Phase.RUNTIME):
            if sent and endpoint.value in self._endpoints:
                return
            self._endpoints.add(endpoint.value)
            self.out.emit(
                "py-exfil-endpoint",
                line,
                f"{shown} is {_a(endpoint.reason)}, a common destination for stolen data.",
                phase,
            )
        else:
            where = (
                " in a test or example file"
                if strong
                else " named in code that runs only when called"
                if endpoint.strong
                else ""
            )
            runtime = phase is Phase.RUNTIME
            self.out.emit(
                "py-suspicious-url",
                line,
                f"{shown} is {_a(endpoint.reason)}{where}.",
                phase,
                severity=Severity.INFO if runtime else None,
                once="runtime" if runtime else None,
            )

    # File-wide checks ----------------------------------------------------------------------

    def _file_checks(self) -> None:
        module_phase = self.info.module.phase
        self._identifiers(module_phase)
        self._pyarmor(module_phase)
        self._long_lines(module_phase)
        if self.clipboard_reads and self.clipboard_writes and self.wallet_line is not None:
            line, phase = self.clipboard_writes[0]
            self.out.emit(
                "py-clipboard-hijack",
                line,
                "Reads the clipboard, matches cryptocurrency addresses and writes the clipboard "
                "back, swapping wallet addresses for the attacker's.",
                phase,
            )

    def _identifiers(self, phase: Phase) -> None:
        names = self.info.identifiers
        odd = [(line, name) for name, line in names.items() if _OBFUSCATED_IDENT.match(name)]
        if len(odd) >= 10 or (len(odd) >= 4 and len(odd) * 3 >= len(names)):
            line, _ = min(odd)
            examples = ", ".join(sorted(n for _, n in odd)[:3])
            self.out.emit(
                "py-obfuscated-identifiers",
                line,
                f"{len(odd)} machine-made identifiers ({examples} ...) show the code went "
                "through an obfuscator.",
                phase,
            )

    def _pyarmor(self, phase: Phase) -> None:
        line: int | None = None
        for name, first in self.info.identifiers.items():
            if name.startswith(_PYARMOR_NAMES):
                line = first if line is None else min(line, first)
        for module, first in self.info.imports:
            head = module.rsplit(".", 1)[-1] if "." in module else module
            if head.startswith(_PYARMOR_NAMES + _PYARMOR_MODULES) or module.startswith(
                _PYARMOR_MODULES
            ):
                line = first if line is None else min(line, first)
        if line is None:
            return
        self.out.emit(
            "py-pyarmor",
            line,
            "The module is packed with PyArmor; its real code is encrypted bytecode.",
            phase,
        )
        if phase is Phase.INSTALL:
            self.out.emit(
                "py-packed-install",
                line,
                "Code that runs at install time is packed with PyArmor, hiding what the "
                "installation does.",
                phase,
            )

    def _long_lines(self, phase: Phase) -> None:
        for index, text in enumerate(self.lines):
            if len(text) <= LONG_LINE:
                continue
            line = index + 1
            calls = self.info.line_calls.get(line, 0)
            statements = self.info.line_statements.get(line, 0)
            if calls >= 10 or statements >= 5:
                self.out.emit(
                    "py-long-line",
                    line,
                    f"Line {line} packs {len(text):,} characters of code ({statements} "
                    f"statements, {calls} calls) into one line, as packers and minifiers do.",
                    phase,
                    once="long",
                )

    def report_hook(self, hook: CommandHook) -> None:
        """Report a ``cmdclass`` override whose class is defined in this module."""
        key = hook.target.rsplit(".", 1)[-1] if not hook.target.startswith(".") else hook.target[1:]
        cls = self.info.functions.get(key)
        if cls is None or cls.kind != "class" or "run" not in cls.methods:
            return
        node = cls.node
        line = node.lineno if isinstance(node, ast.ClassDef) else hook.line
        severity = Severity.LOW if hook.command in symbols.INSTALL_COMMANDS else Severity.INFO
        self.out.emit(
            "py-install-hook",
            line,
            f"cmdclass replaces the {hook.command!r} command with {key}.run(), which runs at "
            "install time.",
            Phase.INSTALL,
            severity=severity,
        )

    # Evidence ------------------------------------------------------------------------------

    def _evidence_string(self, node: ast.expr, scope: Scope, test: _Test) -> str | None:
        for sub, _ in _walk_with_bindings(node, scope, 3):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                found = test(sub.value)
                if found:
                    return found
        return None

    def _evidence_call(self, node: ast.expr, scope: Scope, wanted: frozenset[str]) -> str | None:
        for sub, sub_scope in _walk_with_bindings(node, scope, 3):
            if isinstance(sub, ast.Call):
                sym = self.ev.symbol(sub.func, sub_scope)
                if sym in wanted:
                    return sym
                if isinstance(sub.func, ast.Attribute) and sub.func.attr in ("translate",):
                    return "str.translate"
            if (
                isinstance(sub, ast.Subscript)
                and isinstance(sub.slice, ast.Slice)
                and sub.slice.step is not None
            ):
                return "a reversed string"
        return None


_TRANSFORM_NAMES = (
    symbols.DECODERS
    | symbols.DECOMPRESSORS
    | symbols.FETCHERS
    | {"codecs.decode", "codecs.encode", "builtins.chr", "builtins.bytes", "builtins.map"}
)


@dataclass(slots=True)
class _Drops:
    writes: list[tuple[set[str], Origin, int]] = field(default_factory=list)
    execs: list[tuple[set[str], int, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Shells:
    dup2: bool = False
    spawns: list[int] = field(default_factory=list)


def _walk(node: ast.AST, limit: int) -> list[ast.AST]:
    out: list[ast.AST] = []
    stack = [node]
    while stack and len(out) < limit:
        current = stack.pop()
        out.append(current)
        stack.extend(ast.iter_child_nodes(current))
    return out


def _walk_with_bindings(node: ast.expr, scope: Scope, depth: int) -> list[tuple[ast.AST, Scope]]:
    out: list[tuple[ast.AST, Scope]] = []
    pending: list[tuple[ast.AST, Scope, int]] = [(node, scope, depth)]
    seen: set[int] = set()
    while pending and len(out) < 256:
        current, where, left = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        out.append((current, where))
        if isinstance(current, ast.Name) and left > 0:
            for binding in where.lookup(current.id) or []:
                if binding.expr is not None:
                    pending.append((binding.expr, binding.scope, left - 1))
            continue
        pending.extend((child, where, left) for child in ast.iter_child_nodes(current))
    return out


def _names_in(nodes: list[ast.expr], scope: Scope, depth: int) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        for sub, _ in _walk_with_bindings(node, scope, depth):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
    return names


def _a(noun: str) -> str:
    """``noun`` with its indefinite article."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _is_literal(node: ast.expr, scope: Scope) -> bool:
    """Whether ``node`` is a string or bytes literal, directly or through one assignment."""
    if isinstance(node, ast.Name):
        found = scope.lookup(node.id)
        if not found or found[-1].kind is not BindKind.VALUE or found[-1].expr is None:
            return False
        node = found[-1].expr
    return isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)


def _mentions_environ(node: ast.expr, scope: Scope | None = None) -> bool:
    """Whether the expression (or, given a scope, the assigned value of a name) names
    ``os.environ`` itself."""
    if scope is not None and isinstance(node, ast.Name):
        found = scope.lookup(node.id)
        return bool(found) and any(
            b.kind is BindKind.VALUE and b.expr is not None and _mentions_environ(b.expr)
            for b in found or []
        )
    return any(
        (isinstance(sub, ast.Attribute) and sub.attr == "environ")
        or (isinstance(sub, ast.Name) and sub.id == "environ")
        for sub in _walk(node, 32)
    )


def _exec_mode(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return bool(node.value & 0o111)
    return any(
        (isinstance(sub, ast.Attribute) and sub.attr in _EXEC_BITS)
        or (isinstance(sub, ast.Name) and sub.id in _EXEC_BITS)
        or (isinstance(sub, ast.Constant) and isinstance(sub.value, int) and sub.value & 0o111)
        for sub in _walk(node, 32)
    )


def _keys(node: ast.expr, scope: Scope, depth: int = 0) -> set[str]:
    """Names for a path expression, to match the file written with the file run."""
    keys = {ast.dump(node, annotate_fields=False)}
    if isinstance(node, ast.Name):
        keys.add("name:" + node.id)
        found = scope.lookup(node.id)
        if found and depth < 2:
            for binding in found:
                if binding.kind is BindKind.VALUE and binding.expr is not None:
                    keys |= _keys(binding.expr, binding.scope, depth + 1)
    elif isinstance(node, ast.Call) and len(node.args) == 1 and depth < 3:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("str", "fspath", "abspath", "realpath", "Path", "normpath"):
            keys |= _keys(node.args[0], scope, depth + 1)
    return keys
