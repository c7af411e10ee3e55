"""The code detectors: walk the calls of one parsed file and report what they do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from stockade.analysis import indicators
from stockade.analysis.javascript import shell
from stockade.analysis.javascript.emit import Emitter
from stockade.analysis.javascript.flow import (
    ALTERNATIVES,
    CREDENTIAL,
    DECODED,
    DNS_CALLS,
    ENCODED,
    ENV,
    FINGERPRINT,
    FS_READS,
    NETWORK,
    NETWORK_CALLS,
    NETWORK_INSTANCES,
    NETWORK_METHODS,
    SECRET,
    Module,
)
from stockade.analysis.javascript.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    last_name,
    node_text,
    string_value,
    unwrap,
)
from stockade.analysis.javascript.textscan import TextFacts
from stockade.analysis.model import Phase, Severity

PROCESS_CALLS = frozenset(
    {
        "child_process.exec",
        "child_process.execSync",
        "child_process.spawn",
        "child_process.spawnSync",
        "child_process.execFile",
        "child_process.execFileSync",
        "child_process.fork",
        "cross-spawn",
        "cross-spawn.sync",
        "cross-spawn.spawn",
        "execa",
        "execa.execa",
        "execa.execaSync",
        "execa.sync",
        "execa.command",
        "execa.execaCommand",
        "shelljs.exec",
    }
)
EVAL_CALLS = frozenset(
    {
        "eval",
        "Function",
        "vm.runInThisContext",
        "vm.runInNewContext",
        "vm.runInContext",
        "vm.compileFunction",
        "vm.Script",
    }
)
TIMER_CALLS = frozenset({"setTimeout", "setInterval", "setImmediate"})
FS_WRITES = frozenset(
    {
        "fs.writeFileSync",
        "fs.writeFile",
        "fs.appendFileSync",
        "fs.appendFile",
        "fs.createWriteStream",
        "fs.outputFile",
        "fs.outputFileSync",
        "fs.copyFileSync",
        "fs.copyFile",
    }
)
FS_CHMOD = frozenset({"fs.chmodSync", "fs.chmod"})
FS_DELETES = frozenset(
    {
        "fs.rmSync",
        "fs.rm",
        "fs.rmdirSync",
        "fs.rmdir",
        "fs.unlinkSync",
        "fs.unlink",
        "fs.remove",
        "fs.removeSync",
        "fs.emptyDir",
        "fs.emptyDirSync",
        "rimraf",
        "rimraf.sync",
        "rimraf.rimraf",
        "rimraf.rimrafSync",
    }
)
BINDINGS = frozenset({"process.binding", "process._linkedBinding"})
ENV_COLLECTORS = frozenset(
    {
        "JSON.stringify",
        "Object.keys",
        "Object.entries",
        "Object.values",
        "querystring.stringify",
        "qs.stringify",
        "util.inspect",
        "Buffer.from",
        "btoa",
        "encodeURIComponent",
    }
)
THEFT_TARGETS = frozenset(
    {
        "browser saved passwords",
        "browser encryption key",
        "browser cookies",
        "browser autofill and cards",
        "Chrome profile",
        "Chromium profile",
        "Brave profile",
        "Edge profile",
        "Firefox profile",
        "Firefox key store",
        "Firefox saved passwords",
        "Exodus wallet",
        "Electrum wallet",
        "Ethereum keystore",
        "cryptocurrency wallet",
        "Discord token store",
        "Electron/Discord token store",
        "Telegram session",
        "macOS keychain",
        "macOS keychains",
        "GNOME keyring",
        "KDE wallet",
        "MetaMask wallet extension",
        "system password hashes",
        "shell history",
    }
)
"""Credential stores that libraries have no business reading."""

INTERESTING = frozenset(
    {name.rsplit(".", 1)[-1] for name in PROCESS_CALLS | EVAL_CALLS | FS_WRITES | FS_CHMOD}
    | {name.rsplit(".", 1)[-1] for name in FS_DELETES | FS_READS | NETWORK_CALLS | BINDINGS}
    | NETWORK_METHODS
    | TIMER_CALLS
    | {"_compile", "require", "writeText", "writeSync", "copy", "default", "import"}
)
"""The last names of every call the detectors look at; other calls are skipped cheaply."""

_DECODER_TOKENS = (
    b"Buffer",
    b"atob",
    b"fromCharCode",
    b"Decipher",
    b"decrypt",
    b"inflate",
    b"gunzip",
    b"unzip",
    b"brotli",
    b"unescape",
    b"decodeURIComponent",
    b"_0x",
    b"reverse",
    b"decode",
)
_NETWORK_TOKENS = (
    b"http",
    b"fetch",
    b"axios",
    b"request",
    b"got",
    b"net",
    b"dns",
    b"XMLHttpRequest",
    b"WebSocket",
    b"ajax",
    b"needle",
    b"superagent",
    b"undici",
    b"socket",
    b"ws",
)
_LOCAL_DATA_TOKENS = (
    b"hostname",
    b"userInfo",
    b"networkInterfaces",
    b"homedir",
    b"cwd",
    b"__dirname",
    b"__filename",
    b"process.env",
    b"getServers",
    b"readFile",
    b"createReadStream",
    b"readdir",
    b"execSync",
    b"exec(",
    b"env",
)
_REQUIRE_ALIAS = re.compile(rb"([A-Za-z_$][\w$]*)\s*=\s*$")
_PERSIST_ALWAYS = re.compile(
    r"\.ssh/authorized_keys|/etc/cron|/var/spool/cron|\bcrontab\b|Library/Launch(?:Agents|Daemons)|"
    r"Start Menu/Programs/Startup|\.config/autostart|systemd/(?:user|system)/|/etc/rc\.local|"
    r"/etc/init\.d/|/etc/profile\.d/",
    re.IGNORECASE,
)
_PERSIST_LOAD = re.compile(
    r"\.(?:bashrc|bash_profile|bash_login|zshrc|zprofile|profile)\b|config\.fish", re.IGNORECASE
)
_PERSIST_COMMAND = re.compile(
    r"\breg(?:\.exe)?\s+add\b.*\\(?:Run|RunOnce)\b|\bschtasks\b.*\s/create\b|"
    r"\bcrontab\s+(?:-\s*$|-l\b.*\|\s*crontab)|\blaunchctl\s+load\b|"
    r"\bsystemctl\s+(?:--user\s+)?enable\b|>>\s*~?/?[^\s]*\.(?:bashrc|zshrc|profile)\b|"
    r"authorized_keys",
    re.IGNORECASE,
)
_CLIPBOARD_COMMAND = re.compile(r"^\s*(?:pbcopy|clip(?:\.exe)?|xclip|xsel|wl-copy)\b", re.I)
_EXECUTABLE_TARGET = re.compile(
    r"(?:^|/)(?:tmp|temp|appdata)/|^\$TMPDIR|\.(?:exe|bat|cmd|vbs|ps1|scr|sh|dll)$", re.IGNORECASE
)
_WIPE_TARGET = re.compile(
    r"^(?:~|/|~/|/\*|~/\*|[a-z]:/?|/home|/Users|~/(?:Documents|Desktop|Pictures|Downloads)/?)$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Events:
    """Facts collected across a file for the detectors that combine them."""

    network: list[tuple[Node, bool]] = field(default_factory=list)
    writes: list[tuple[Node, str]] = field(default_factory=list)
    chmods: list[Node] = field(default_factory=list)
    processes: list[tuple[Node, bool, bool]] = field(default_factory=list)
    deletes: list[Node] = field(default_factory=list)
    clipboard: list[Node] = field(default_factory=list)
    stores: dict[str, Node] = field(default_factory=dict)
    theft: bool = False


class SourceScan:
    """Runs the code detectors over one parsed file."""

    def __init__(
        self,
        module: Module,
        emit: Emitter,
        file_phase: Phase,
        facts: TextFacts,
    ) -> None:
        self.module = module
        self.emit = emit
        self.file_phase = file_phase
        self.facts = facts
        self.events = _Events()
        source = module.source
        self.decodes = any(token in source for token in _DECODER_TOKENS)
        """The file calls something that decodes (else no data can be tainted ``decoded``)."""
        self.remote = any(token in source for token in _NETWORK_TOKENS)
        """The file may receive data over the network."""
        self.leaks = any(token in source for token in _LOCAL_DATA_TOKENS)
        """The file reads something worth stealing (environment, host details, files)."""
        self.interesting = INTERESTING | _require_aliases(source)
        """:data:`INTERESTING` and the names ``require`` is copied to (``var r = require``)."""

    def phase_at(self, node: Node) -> Phase:
        """When the code at ``node`` runs."""
        if self.file_phase is Phase.RUNTIME:
            return Phase.RUNTIME
        return self.file_phase if self.module.executed(node) else Phase.RUNTIME

    def run(self) -> None:
        """Report every finding of the file."""
        for call in self.module.calls:
            self._call(call)
        self._env_collect()
        self._combined()

    # ------------------------------------------------------------------ dispatch

    def _call(self, call: Node) -> None:
        fn = callee(call)
        if fn is None:
            return
        name = last_name(fn)
        if name is None:
            if fn.type == "subscript_expression":
                self._computed_call(call, fn)
            return
        if name not in self.interesting:
            return
        path = self.module.path_of(fn)
        if path is None:
            if name == "_compile":
                self._eval(call, "module._compile")
            return
        if path in PROCESS_CALLS:
            self._process(call, path)
        elif path in EVAL_CALLS or name == "_compile":
            self._eval(call, path)
        elif path in TIMER_CALLS:
            self._timer(call, path)
        elif path == "require" or fn.type == "import":
            self._require(call)
        elif path in NETWORK_CALLS or _instance_send(path):
            self._network(call, path)
        elif path in FS_READS:
            self._fs_read(call, path)
        elif path in FS_WRITES:
            self._fs_write(call, path)
        elif path in FS_CHMOD:
            self._chmod(call)
        elif path in FS_DELETES:
            self._delete(call, path)
        elif path in BINDINGS:
            self._binding(call)
        elif _clipboard_write(path):
            self.events.clipboard.append(call)

    # ------------------------------------------------------------------ processes

    def _process(self, call: Node, path: str) -> None:
        module = self.module
        args = arguments(call)
        command_args = [a for a in args[:2] if unwrap(a).type not in ("object", *FUNCTION_TYPES)]
        command = " ".join(module.skeleton(a) for a in command_args).strip()
        phase = self.phase_at(call)
        offset = call.start_byte
        short = path.replace("child_process.", "")
        shown = f": {command[:80]}" if command else ""
        self.emit.emit("js-child-process", f"Starts a process with {short}{shown}.", offset, phase)
        for signal in shell.classify_command(command):
            self.emit.emit(signal.rule, f"A child process command {signal.message}.", offset, phase)
        if _PERSIST_COMMAND.search(command):
            self.emit.emit(
                "js-persistence",
                "A child process command installs an autostart entry (Run key, scheduled "
                "task, cron, LaunchAgent, authorized_keys).",
                offset,
                phase,
            )
        tags: set[str] = set()
        if self.decodes or self.remote:
            for arg in command_args:
                tags |= module.taint(arg)
        if DECODED in tags:
            self.emit.emit(
                "js-shell-encoded",
                "Starts a process with a command decoded at run time.",
                offset,
                phase,
            )
        if NETWORK in tags:
            self.emit.emit(
                "js-eval-remote",
                "Starts a process with a command received over the network.",
                offset,
                phase,
            )
        if _CLIPBOARD_COMMAND.match(command):
            self.events.clipboard.append(call)
        detached = self._detached(call, args)
        if detached:
            self.emit.emit(
                "js-detached-process",
                "Starts a detached background process that outlives the parent.",
                offset,
                phase,
            )
            if phase is Phase.INSTALL:
                self.emit.emit(
                    "js-install-detached",
                    "Starts a detached background process while the package is installed.",
                    offset,
                    phase,
                )
        dynamic = bool(command_args) and module.constant(command_args[0]) is None
        self.events.processes.append((call, detached, dynamic))

    def _detached(self, call: Node, args: list[Node]) -> bool:
        """``detached: true``, or output ignored and the child ``unref()``-ed (Node then
        neither waits for it nor keeps a pipe to it)."""
        ignored = False
        for arg in args[1:]:
            options = self._object(arg)
            if options is None:
                continue
            for pair in options.named_children:
                if pair.type != "pair":
                    continue
                key = pair.child_by_field_name("key")
                value = pair.child_by_field_name("value")
                if key is None or value is None:
                    continue
                name = string_value(key) if key.type == "string" else node_text(key)
                if name == "detached" and node_text(value) in ("true", "!0", "1"):
                    return True
                if name == "stdio" and string_value(value) == "ignore":
                    ignored = True
        return ignored and b".unref()" in self.module.source

    def _object(self, node: Node) -> Node | None:
        node = unwrap(node)
        if node.type == "object":
            return node
        if node.type == "identifier":
            defs = self.module.resolve(node)
            if len(defs) == 1 and defs[0].value is not None and not defs[0].key:
                value = unwrap(defs[0].value)
                return value if value.type == "object" else None
        return None

    def _binding(self, call: Node) -> None:
        args = arguments(call)
        name = self.module.constant(args[0]) if args else None
        if name in ("spawn_sync", "process_wrap"):
            self.emit.emit(
                "js-process-binding",
                f"Reaches the internal '{name}' binding to start processes without child_process.",
                call.start_byte,
                self.phase_at(call),
            )

    # ------------------------------------------------------------------ dynamic code

    def _eval(self, call: Node, path: str) -> None:
        args = arguments(call)
        if path != "Function":
            args = args[:1]
        args = [a for a in args if unwrap(a).type not in FUNCTION_TYPES]
        if not args:
            return
        module = self.module
        tags: set[str] = set()
        if self.decodes or self.remote:
            for arg in args:
                tags |= module.taint(arg)
        if DECODED not in tags and all(module.constant(a) is not None for a in args):
            return
        phase = self.phase_at(call)
        what = "module._compile" if path.endswith("_compile") else path
        if DECODED in tags:
            self.emit.emit(
                "js-eval-decoded",
                f"Runs decoded or decrypted data as code with {what}.",
                call.start_byte,
                phase,
            )
        elif NETWORK in tags:
            self.emit.emit(
                "js-eval-remote",
                f"Runs code received over the network with {what}.",
                call.start_byte,
                phase,
            )
        else:
            self.emit.emit(
                "js-dynamic-code",
                f"Compiles a computed string as code with {what}.",
                call.start_byte,
                phase,
            )

    def _timer(self, call: Node, path: str) -> None:
        args = arguments(call)
        if not args or unwrap(args[0]).type in (*FUNCTION_TYPES, "identifier", "member_expression"):
            return
        if not (self.decodes or self.remote):
            return
        tags = self.module.taint(args[0])
        if DECODED in tags or NETWORK in tags:
            rule = "js-eval-decoded" if DECODED in tags else "js-eval-remote"
            self.emit.emit(
                rule,
                f"Runs a string of {'decoded' if DECODED in tags else 'downloaded'} code with "
                f"{path}.",
                call.start_byte,
                self.phase_at(call),
            )

    def _computed_call(self, call: Node, fn: Node) -> None:
        index = fn.child_by_field_name("index")
        if not self.decodes or index is None or self.module.constant(index) is not None:
            return
        if DECODED not in self.module.taint(index):
            return
        tags: set[str] = set()
        for arg in arguments(call):
            tags |= self.module.taint(arg)
        if DECODED in tags:
            self.emit.emit(
                "js-eval-decoded",
                "Calls a method whose name is decoded at run time on decoded data "
                "(hidden module._compile or eval).",
                call.start_byte,
                self.phase_at(call),
            )

    def _require(self, call: Node) -> None:
        args = arguments(call)
        if not self.decodes or not args or unwrap(args[0]).type == "string":
            return
        if DECODED in self.module.taint(args[0]):
            name = self.module.constant(args[0])
            shown = f" ('{name}')" if name else ""
            self.emit.emit(
                "js-obfuscator",
                f"Requires a module whose name is decoded at run time{shown}.",
                call.start_byte,
                self.phase_at(call),
            )

    # ------------------------------------------------------------------ network

    def _network(self, call: Node, path: str) -> None:
        module = self.module
        args = [a for a in arguments(call) if unwrap(a).type not in FUNCTION_TYPES]
        phase = self.phase_at(call)
        offset = call.start_byte
        instance = _instance_send(path)
        destination = " ".join(module.skeleton(a) for a in args)
        endpoint = None if instance else shell.suspicious_endpoint(destination, whole_tokens=True)
        weak = None
        if endpoint is None and not instance:
            for url in indicators.find_urls(destination):
                found = indicators.classify_url(url)
                if found is not None:
                    weak = f"{found.reason} ({url})"
                    break
        tags: set[str] = set()
        if self.leaks:
            for arg in args:
                tags |= module.taint(arg)
        if not instance:
            message = f"Makes a network request with {path}."
            if weak:
                message = f"Makes a network request with {path} to a {weak}."
            self.emit.emit(
                "js-network",
                message,
                offset,
                phase,
                severity=Severity.MEDIUM if weak else None,
            )
        if endpoint:
            self.emit.emit(
                "js-exfil-endpoint",
                f"Sends a request to an endpoint that receives stolen data: {endpoint}.",
                offset,
                phase,
            )
        self._exfil(tags, offset, phase)
        if path in DNS_CALLS and args and self.leaks:
            self._dns(args[0], offset, phase)
        url_decoded = self.decodes and bool(args) and DECODED in module.taint(args[0])
        self.events.network.append((call, bool(endpoint or weak or url_decoded)))

    def _exfil(self, tags: set[str], offset: int, phase: Phase) -> None:
        kinds = sorted(t[len(FINGERPRINT) :] for t in tags if t.startswith(FINGERPRINT))
        creds = sorted(t[len(CREDENTIAL) :] for t in tags if t.startswith(CREDENTIAL))
        secrets = sorted(t[len(SECRET) :] for t in tags if t.startswith(SECRET))
        message = None
        if ENV in tags:
            message = "Sends the whole environment (process.env, with its tokens) over the network."
        elif creds:
            message = f"Sends credential files ({', '.join(creds)}) over the network."
        elif len(kinds) >= 3 or (len(kinds) >= 2 and phase in (Phase.INSTALL, Phase.IMPORT)):
            message = (
                f"Sends a fingerprint of the host ({', '.join(kinds)}) over the network"
                f"{' while the package is installed' if phase is Phase.INSTALL else ''}."
            )
        elif len(secrets) >= 3:
            message = f"Sends secret environment variables ({', '.join(secrets)}) over the network."
        if message:
            self.emit.emit("js-exfil-data", message, offset, phase)

    def _dns(self, host: Node, offset: int, phase: Phase) -> None:
        module = self.module
        if module.constant(host) is not None:
            return
        tags = module.taint(host)
        skeleton = module.skeleton(host)
        suffix = re.search(r"\.[a-z0-9-]+\.[a-z]{2,}\.?$", skeleton, re.IGNORECASE)
        local = {t for t in tags if t.startswith((FINGERPRINT, CREDENTIAL, SECRET))} | (
            tags & {ENV}
        )
        if suffix and (ENCODED in tags or local):
            self.emit.emit(
                "js-dns-exfil",
                f"Looks up host names built from encoded local data under {suffix.group(0)}, "
                "a DNS exfiltration channel.",
                offset,
                phase,
            )

    # ------------------------------------------------------------------ files

    def _fs_read(self, call: Node, path: str) -> None:
        args = arguments(call)
        if not args:
            return
        target_text = self.module.skeleton(args[0]).replace("\\", "/")
        what = indicators.credential_target(target_text)
        if what is None:
            return
        phase = self.phase_at(call)
        self.events.stores.setdefault(what, call)
        verb = "lists" if "readdir" in path or "opendir" in path else "reads"
        if what in THEFT_TARGETS or phase is Phase.INSTALL:
            when = " while the package is installed" if phase is Phase.INSTALL else ""
            self.events.theft = True
            self.emit.emit(
                "js-credential-theft",
                f"{verb.capitalize()} the {what} ({_shown(target_text, what)}){when}.",
                call.start_byte,
                phase,
            )
        else:
            self.emit.emit(
                "js-credential-read",
                f"{verb.capitalize()} the {what} ({_shown(target_text, what)}).",
                call.start_byte,
                phase,
            )

    def _fs_write(self, call: Node, path: str) -> None:
        args = arguments(call)
        if not args:
            return
        target = args[1] if path.startswith("fs.copyFile") and len(args) > 1 else args[0]
        text = self.module.skeleton(target).replace("\\", "/")
        phase = self.phase_at(call)
        if _PERSIST_ALWAYS.search(text) or (
            _PERSIST_LOAD.search(text) and phase in (Phase.INSTALL, Phase.IMPORT)
        ):
            self.emit.emit(
                "js-persistence",
                f"Writes an autostart or access file ({_short(text)}) to run again later.",
                call.start_byte,
                phase,
            )
        self.events.writes.append((call, text))

    def _chmod(self, call: Node) -> None:
        args = arguments(call)
        if len(args) < 2:
            return
        mode = self.module.constant(args[1])
        if mode is None:
            mode = node_text(unwrap(args[1]))
        if _executable_mode(mode):
            self.events.chmods.append(call)

    def _delete(self, call: Node, path: str) -> None:
        args = arguments(call)
        if not args:
            return
        target = self.module.skeleton(args[0]).replace("\\", "/").rstrip() or ""
        self.events.deletes.append(call)
        recursive = path.startswith("rimraf") or path in ("fs.remove", "fs.removeSync")
        recursive = recursive or any("recursive" in node_text(a) for a in args[1:])
        if recursive and target and _WIPE_TARGET.match(target):
            self.emit.emit(
                "js-destructive",
                f"Recursively deletes {target}.",
                call.start_byte,
                self.phase_at(call),
            )

    # ------------------------------------------------------------------ environment

    def _env_collect(self) -> None:
        source = self.module.source
        root = self.module.root
        for match in re.finditer(rb"\bprocess\.env\b(?!\s*(?:\.|\[|\?\.))", source):
            node = root.descendant_for_byte_range(match.start(), match.end())
            while node is not None and node.type != "member_expression":
                node = node.parent
            if node is None or not self.module.is_process_env(node):
                continue
            parent = node.parent
            if parent is None:
                continue
            if parent.type == "for_in_statement":
                self._report_env(node, "Enumerates every environment variable.")
            elif parent.type == "arguments" and parent.parent is not None:
                fn = callee(parent.parent)
                path = self.module.path_of(fn) if fn is not None else None
                if path in ENV_COLLECTORS:
                    self._report_env(node, f"Serialises the whole environment with {path}.")

    def _report_env(self, node: Node, message: str) -> None:
        self.emit.emit("js-env-collect", message, node.start_byte, self.phase_at(node))

    # ------------------------------------------------------------------ combinations

    def _combined(self) -> None:
        events = self.events
        if len(events.stores) >= 3 and not events.theft:
            first = min(events.stores.values(), key=lambda n: n.start_byte)
            self.emit.emit(
                "js-credential-theft",
                f"Reads {len(events.stores)} different credential stores "
                f"({', '.join(sorted(events.stores))}).",
                first.start_byte,
                self.phase_at(first),
            )
        self._dropper()
        if events.clipboard and self.facts.wallet:
            call = events.clipboard[0]
            self.emit.emit(
                "js-clipboard-hijack",
                "Writes to the clipboard in a file that matches crypto-wallet addresses.",
                call.start_byte,
                self.phase_at(call),
            )
        if self.facts.geo and (events.writes or events.deletes):
            call = (events.deletes or [w for w, _ in events.writes])[0]
            self.emit.emit(
                "js-destructive",
                "Overwrites or deletes files after checking the machine's country.",
                call.start_byte,
                self.phase_at(call),
            )

    def _dropper(self) -> None:
        events = self.events
        if not events.network or not events.writes:
            return
        runners = [call for call, _, dynamic in events.processes if dynamic] + events.chmods
        if not runners:
            return
        call = min(runners, key=lambda n: n.start_byte)
        reasons = []
        if any(suspicious for _, suspicious in events.network):
            reasons.append("from a suspicious or hidden address")
        if any(detached for _, detached, _ in events.processes):
            reasons.append("runs it detached")
        if any(_EXECUTABLE_TARGET.search(text) for _, text in events.writes):
            reasons.append("writes it to a temporary or user folder as an executable")
        if self.facts.obfuscated:
            reasons.append("in obfuscated code")
        phase = self.phase_at(call)
        if reasons:
            self.emit.emit(
                "js-dropper",
                f"Downloads a file, writes it and runs it ({'; '.join(reasons)}).",
                call.start_byte,
                phase,
            )
        else:
            self.emit.emit(
                "js-binary-download",
                "Downloads a file, writes it to disk and makes it executable or runs it.",
                call.start_byte,
                phase,
            )


def _require_aliases(source: bytes) -> set[str]:
    """Names ``require`` itself is assigned to (``var r = require, t = process``)."""
    names: set[str] = set()
    position = source.find(b"require")
    while position >= 0 and len(names) < 20:
        after = source[position + 7 : position + 9].lstrip()
        if after[:1] in (b",", b";", b")", b"\n", b"") or after[:1].isspace():
            match = _REQUIRE_ALIAS.search(source[max(0, position - 40) : position])
            if match:
                names.add(match.group(1).decode())
        position = source.find(b"require", position + 7)
    return names


def _instance_send(path: str) -> bool:
    base, _, method = path.rpartition(".")
    return method in NETWORK_METHODS and base in NETWORK_INSTANCES


def _clipboard_write(path: str) -> bool:
    return (
        path.endswith("clipboard.writeText")
        or (path.startswith("clipboardy.") and path.rsplit(".", 1)[-1] in ("write", "writeSync"))
        or path in ("copy-paste.copy", "ncp.copy", "clipboard-copy")
    )


def _executable_mode(mode: str) -> bool:
    mode = mode.strip().strip("'\"")
    if "+x" in mode or mode in ("a+x", "u+x"):
        return True
    try:
        if mode.startswith(("0o", "0O")):
            value = int(mode[2:], 8)
        elif len(mode) in (3, 4) and mode.isdigit() and mode.startswith(("0", "7", "5")):
            value = int(mode, 8)
        else:
            value = int(mode, 0)
    except ValueError:
        return False
    return bool(value & 0o111)


def _shown(text: str, what: str) -> str:
    """The alternative of a skeleton that points at ``what`` (``~/.aws/credentials``)."""
    for piece in text.split(ALTERNATIVES):
        if indicators.credential_target(piece) == what:
            return _short(piece)
    return _short(text)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"
