"""What one JavaScript file's code refers to, read from its syntax tree and never run.

:class:`Module` answers the questions the detectors ask about an expression:

- :meth:`Module.path_of`: the dotted name it stands for (``cp.exec`` after
  ``const cp = require("child_process")`` is ``child_process.exec``);
- :meth:`Module.skeleton`: the constant text it is built from (string pieces, ``path.join``,
  statically decoded base64/hex/char codes, one-line helper functions);
- :meth:`Module.taint`: where its data comes from (decoded blobs, the network, the environment,
  host fingerprints, credential files), a simple flow-insensitive intra-file taint;
- :meth:`Module.executed`: whether the code runs when the file is loaded (module level,
  immediately invoked functions, callbacks passed from module level, functions called from
  there) rather than only when something calls into the package.

Every answer is bounded (depth and size limits, memoised), so work stays linear in practice.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from tree_sitter import Node

from stockade.analysis import indicators
from stockade.analysis.javascript.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    captures,
    function_name,
    node_text,
    string_value,
    structure_query,
    unescape_js,
    unwrap,
)

EMPTY: frozenset[str] = frozenset()
ALTERNATIVES = " | "
"""Separates the alternatives of ``a || b`` and ``c ? a : b`` in a skeleton."""

DECODED = "decoded"
NETWORK = "network"
ENV = "env"
ENCODED = "encoded"
FINGERPRINT = "fp:"
SECRET = "secret:"
CREDENTIAL = "cred:"

_ROOT = 0
_MAX_DEPTH = 12
_MAX_TEXT = 20_000
_MAX_SITES = 25
_MAX_ACTIVE = 120
_MAX_MENTIONS = 400
_MAX_LEVEL = 1
TAINT_BUDGET = 6000
"""Expressions :meth:`Module.taint` visits at most per file."""

_GLOBAL_OBJECTS = frozenset({"global", "globalThis", "window", "self"})
_MODULE_ALIASES = {
    "fs-extra": "fs",
    "graceful-fs": "fs",
    "original-fs": "fs",
    "fs/promises": "fs.promises",
    "dns/promises": "dns.promises",
}
_OBFUSCATOR_NAME = re.compile(r"^_0x[0-9a-f]{4,}$")
_DECOMPRESS = re.compile(r"^zlib\.(?:inflate|inflateRaw|gunzip|unzip|brotliDecompress)(?:Sync)?$")

NETWORK_CALLS = frozenset(
    {
        "http.get",
        "http.request",
        "https.get",
        "https.request",
        "http2.connect",
        "net.connect",
        "net.createConnection",
        "net.Socket",
        "tls.connect",
        "dgram.createSocket",
        "dns.lookup",
        "dns.resolve",
        "dns.resolve4",
        "dns.resolve6",
        "dns.resolveTxt",
        "dns.resolveAny",
        "dns.resolveCname",
        "dns.resolveMx",
        "fetch",
        "node-fetch",
        "node-fetch.default",
        "undici.fetch",
        "undici.request",
        "axios",
        "axios.default",
        "axios.get",
        "axios.post",
        "axios.put",
        "axios.patch",
        "axios.delete",
        "axios.head",
        "axios.request",
        "request",
        "request.get",
        "request.post",
        "request.put",
        "got",
        "got.get",
        "got.post",
        "got.put",
        "needle",
        "needle.get",
        "needle.post",
        "needle.request",
        "superagent",
        "superagent.get",
        "superagent.post",
        "XMLHttpRequest",
        "WebSocket",
        "ws",
        "navigator.sendBeacon",
        "$.ajax",
        "$.post",
        "$.getScript",
        "jQuery.ajax",
        "jQuery.post",
    }
)
"""Calls that reach the network (after :func:`normalise_path`)."""

DNS_CALLS = frozenset(p for p in NETWORK_CALLS if p.startswith("dns."))
"""The DNS look-ups among :data:`NETWORK_CALLS`."""

NETWORK_INSTANCES = frozenset(
    {
        "http.request()",
        "https.request()",
        "http.get()",
        "https.get()",
        "net.Socket()",
        "net.connect()",
        "net.createConnection()",
        "tls.connect()",
        "dgram.createSocket()",
        "XMLHttpRequest()",
        "WebSocket()",
        "ws()",
        "http2.connect()",
    }
)
"""Objects whose ``write``/``end``/``send``/``connect``/``open`` methods send data."""

NETWORK_METHODS = frozenset({"write", "end", "send", "connect", "open", "request"})

FINGERPRINT_CALLS = {
    "os.hostname": "hostname",
    "os.userInfo": "user",
    "os.networkInterfaces": "netif",
    "os.homedir": "home",
    "process.cwd": "cwd",
    "dns.getServers": "dns",
}
"""Calls whose results identify the host, by fingerprint kind."""

_FINGERPRINT_ENV = {
    "USER": "user",
    "USERNAME": "user",
    "LOGNAME": "user",
    "USERDOMAIN": "user",
    "HOSTNAME": "hostname",
    "COMPUTERNAME": "hostname",
    "HOME": "home",
    "USERPROFILE": "home",
    "PWD": "cwd",
    "INIT_CWD": "cwd",
}
_FINGERPRINT_COMMANDS = re.compile(
    r"^\s*(?:(whoami)|(hostname)|(id|uname)\b|(ipconfig|ifconfig|ip\s+a)|(pwd))", re.IGNORECASE
)
_PROCESS_OUTPUT = frozenset(
    {
        "child_process.execSync",
        "child_process.execFileSync",
        "child_process.spawnSync",
        "child_process.exec",
        "child_process.execFile",
    }
)
FS_READS = frozenset(
    {
        "fs.readFileSync",
        "fs.readFile",
        "fs.createReadStream",
        "fs.readdirSync",
        "fs.readdir",
        "fs.copyFileSync",
        "fs.copyFile",
        "fs.openSync",
        "fs.open",
        "fs.readJsonSync",
        "fs.readJson",
        "fs.opendir",
        "fs.opendirSync",
    }
)
"""Calls that read files or list folders."""


def normalise_module(name: str) -> str:
    """A module name as the detectors know it (``node:fs`` and ``fs-extra`` are ``fs``)."""
    name = name.removeprefix("node:")
    return _MODULE_ALIASES.get(name, name)


def normalise_path(path: str) -> str:
    """A dotted path with promise variants folded (``fs.promises.readFile`` is
    ``fs.readFile``)."""
    if ".promises." in path:
        path = path.replace("fs.promises.", "fs.").replace("dns.promises.", "dns.")
    return path


@dataclass(slots=True, eq=False)
class Def:
    """One way a name gets a value: a declaration, assignment, parameter, function or import."""

    name: str
    node: Node
    kind: str
    value: Node | None = None
    key: str | None = None
    index: int = -1
    func: Node | None = None
    module: str | None = None
    scope: int | None = None


@dataclass(slots=True)
class _Bindings:
    declared: dict[int, list[Def]]
    assigned: dict[int | None, list[Def]]


class Module:
    """Questions about one parsed file (see the module docstring)."""

    def __init__(self, source: bytes, root: Node) -> None:
        self.source = source
        self.root = root
        found = captures(structure_query(), root)
        self._found = found
        self.calls: list[Node] = sorted(found.get("call", []), key=lambda n: n.start_byte)
        self.imports: list[Node] = found.get("import", [])
        scopes = sorted(found.get("scope", []), key=lambda n: (n.start_byte, -n.end_byte))
        self._scope_nodes = scopes
        self._scope_starts = [n.start_byte for n in scopes]
        self._scope_ends = [n.end_byte for n in scopes]
        self._scope_parents = _nesting(self._scope_starts, self._scope_ends)
        self._defs: dict[str, list[Def]] | None = None
        self._site_index: dict[str, tuple[list[Node], list[Node]]] = {}
        self._chains: dict[int, tuple[int, ...]] = {}
        self._resolved: dict[tuple[str, int], list[Def]] = {}
        self._binding_index: dict[str, _Bindings] = {}
        self._paths: dict[int, str | None] = {}
        self._skeletons: dict[int, str] = {}
        self._taints: tuple[dict[int, frozenset[str]], ...] = ({}, {})
        self._param_taints: tuple[dict[int, frozenset[str]], ...] = ({}, {})
        self._level = 0
        self.budget = TAINT_BUDGET
        """Expressions :meth:`taint` may still visit; past it, unvisited ones count as clean
        (keeps huge bundles fast; malware files are small)."""
        self._returns: dict[int, list[Node]] = {}
        self._executed: dict[int, bool] = {}
        self._busy: set[tuple[str, int]] = set()

    # ----------------------------------------------------------------- definitions

    @property
    def defs(self) -> dict[str, list[Def]]:
        """Every definition in the file, by name."""
        if self._defs is None:
            self._defs = self._index_definitions()
        return self._defs

    def _index_definitions(self) -> dict[str, list[Def]]:
        defs: dict[str, list[Def]] = {}

        def add(d: Def) -> None:
            defs.setdefault(d.name, []).append(d)

        found = self._found
        for node in found.get("declarator", []):
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if name is None:
                continue
            if name.type == "identifier":
                add(Def(node_text(name), node, "var", value))
            elif name.type == "object_pattern":
                for key, target in _object_pattern_names(name):
                    add(Def(target, node, "var", value, key=key))
            elif name.type == "array_pattern":
                for child in name.named_children:
                    if child.type == "identifier":
                        add(Def(node_text(child), node, "var", value, key="[]"))
        for node in found.get("loop", []):
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None:
                for target in _pattern_identifiers(left):
                    add(Def(target, node, "var", right, key="[]"))
        for node in found.get("assign", []):
            left = node.child_by_field_name("left")
            if left is None:
                continue
            right = node.child_by_field_name("right")
            if left.type == "identifier":
                add(Def(node_text(left), node, "assign", right))
            elif left.type in ("member_expression", "subscript_expression"):
                root = _root_identifier(left)
                if root is not None:
                    add(Def(root, node, "member", right))
        for match in _MUTATOR_CALL.finditer(self.source):
            prop = self.root.descendant_for_byte_range(match.start(1), match.end(1))
            member = prop.parent if prop is not None else None
            call = member.parent if member is not None else None
            if member is None or call is None or call.type != "call_expression":
                continue
            root = _root_identifier(member.child_by_field_name("object"))
            args = call.child_by_field_name("arguments")
            if root is not None and args is not None:
                add(Def(root, call, "member", args))
        for node in found.get("scope", []):
            kind = node.type
            if kind in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    add(Def(node_text(name), node, "function", func=node))
            elif kind == "arrow_function":
                single = node.child_by_field_name("parameter")
                if single is not None:
                    add(Def(node_text(single), single, "param", index=0, func=node))
        for node in found.get("params", []):
            function = node.parent
            if function is None:
                continue
            params = [c for c in node.named_children if c.type != "comment"]
            for index, param in enumerate(params):
                for target in _pattern_identifiers(param):
                    add(Def(target, param, "param", index=index, func=function))
        for node in self.imports:
            self._index_import(node, add)
        return defs

    def _index_import(self, node: Node, add: Callable[[Def], None]) -> None:
        source = node.child_by_field_name("source")
        module = string_value(source) if source is not None else None
        if module is None:
            return
        module = normalise_module(module)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    add(Def(node_text(part), node, "import", module=module))
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        add(Def(node_text(ident), node, "import", module=module))
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or name
                        if name is not None and alias is not None:
                            member = node_text(name).strip("'\"")
                            target = module if member == "default" else f"{module}.{member}"
                            add(Def(node_text(alias), node, "import", module=target))

    def enclosing(self, node: Node) -> Node | None:
        """The innermost function around ``node`` (not ``node`` itself), or ``None``."""
        start, end = node.start_byte, node.end_byte
        index = bisect.bisect_right(self._scope_starts, start) - 1
        ends, parents = self._scope_ends, self._scope_parents
        while index >= 0:
            if ends[index] >= end:
                candidate = self._scope_nodes[index]
                itself = (
                    self._scope_starts[index] == start
                    and ends[index] == end
                    and candidate.type == node.type
                )
                if not itself:
                    return candidate
            index = parents[index]
        return None

    def scope_chain(self, node: Node) -> tuple[int, ...]:
        """Ids of the functions around ``node``, innermost first, ending with the module."""
        function = self.enclosing(node)
        if function is None:
            return (_ROOT,)
        cached = self._chains.get(function.id)
        if cached is None:
            cached = (function.id, *self.scope_chain(function))
            self._chains[function.id] = cached
        return cached

    def _def_scope(self, d: Def) -> int:
        if d.scope is None:
            if d.kind == "param" and d.func is not None:
                d.scope = d.func.id
            else:
                d.scope = self.scope_chain(d.node)[0]
        return d.scope

    def _bindings(self, name: str) -> _Bindings:
        cached = self._binding_index.get(name)
        if cached is not None:
            return cached
        declared: dict[int, list[Def]] = {}
        assigned: dict[int | None, list[Def]] = {}
        defs = self.defs.get(name, [])
        for d in defs:
            if d.kind not in ("assign", "member"):
                declared.setdefault(self._def_scope(d), []).append(d)
        for d in defs:
            if d.kind in ("assign", "member"):
                chain = self.scope_chain(d.node)
                target = next((s for s in chain if s in declared), None)
                if target is None and d.kind == "member":
                    continue  # a property of a global (process.env.X = ...) is not data flow
                assigned.setdefault(target, []).append(d)
        result = _Bindings(declared, assigned)
        self._binding_index[name] = result
        return result

    def resolve(self, ident: Node) -> list[Def]:
        """The definitions an identifier refers to (all assignments to the same binding)."""
        name = node_text(ident)
        if name not in self.defs:
            return []
        chain = self.scope_chain(ident)
        key = (name, chain[0])
        cached = self._resolved.get(key)
        if cached is not None:
            return cached
        bindings = self._bindings(name)
        target = next((s for s in chain if s in bindings.declared), None)
        result = list(bindings.declared.get(target, [])) if target is not None else []
        result += bindings.assigned.get(target, [])
        self._resolved[key] = result
        return result

    def local_function(self, node: Node) -> Node | None:
        """The function a called identifier names, when it is defined in this file."""
        node = unwrap(node)
        if node.type in FUNCTION_TYPES:
            return node
        if node.type != "identifier":
            return None
        for d in self.resolve(node):
            if d.kind == "function" and d.func is not None:
                return d.func
            if d.kind in ("var", "assign") and d.value is not None and d.key is None:
                value = unwrap(d.value)
                if value.type in FUNCTION_TYPES:
                    return value
        return None

    def _sites(self, name: str) -> tuple[list[Node], list[Node]]:
        """Calls of ``name(...)`` (and ``name.call/apply``), and calls passing ``name`` as an
        argument, found by searching the text for the name (at most a few hundred places)."""
        cached = self._site_index.get(name)
        if cached is not None:
            return cached
        calls: list[Node] = []
        passes: list[Node] = []
        for start in _mentions(self.source, name.encode()):
            ident = self.root.descendant_for_byte_range(start, start + len(name.encode()))
            if ident is None or ident.type != "identifier":
                continue
            parent = ident.parent
            if parent is None:
                continue
            if parent.type == "call_expression" and parent.child_by_field_name("function") == ident:
                calls.append(parent)
            elif parent.type == "member_expression" and parent.parent is not None:
                prop = parent.child_by_field_name("property")
                outer = parent.parent
                if (
                    prop is not None
                    and node_text(prop) in ("call", "apply")
                    and outer.type == "call_expression"
                    and outer.child_by_field_name("function") == parent
                ):
                    calls.append(outer)
            elif parent.type == "arguments" and parent.parent is not None:
                passes.append(parent.parent)
        result = (calls, passes)
        self._site_index[name] = result
        return result

    # ----------------------------------------------------------------- names

    def path_of(self, node: Node, depth: int = 0) -> str | None:
        """The dotted name an expression stands for, or ``None`` when it is not a name."""
        node = unwrap(node)
        cached = self._paths.get(node.id, "?")
        if cached != "?":
            return cached
        guard = ("path", node.id)
        if depth > _MAX_DEPTH or guard in self._busy or len(self._busy) > _MAX_ACTIVE:
            return None
        self._busy.add(guard)
        try:
            path = self._path(node, depth)
        finally:
            self._busy.discard(guard)
        path = normalise_path(path) if path else None
        self._paths[node.id] = path
        return path

    def _path(self, node: Node, depth: int) -> str | None:
        kind = node.type
        if kind == "identifier":
            return self._identifier_path(node, depth)
        if kind in ("member_expression", "subscript_expression"):
            obj = node.child_by_field_name("object")
            if kind == "member_expression":
                prop = node.child_by_field_name("property")
                name = node_text(prop) if prop is not None else None
            else:
                index = node.child_by_field_name("index")
                name = self.constant(index) if index is not None else None
            if obj is None or not name:
                return None
            base = self.path_of(obj, depth + 1)
            if base is None:
                return None
            return name if base in _GLOBAL_OBJECTS else f"{base}.{name}"
        if kind == "call_expression":
            fn = callee(node)
            if fn is None:
                return None
            if fn.type == "import" or (fn.type == "identifier" and node_text(fn) == "require"):
                return self._required(node)
            base = self.path_of(fn, depth + 1)
            if base == "require":
                return self._required(node)
            return f"{base}()" if base else None
        if kind == "new_expression":
            fn = callee(node)
            base = self.path_of(fn, depth + 1) if fn is not None else None
            return f"{base}()" if base else None
        if kind == "await_expression":
            inner = node.named_children[0] if node.named_child_count else None
            return self.path_of(inner, depth + 1) if inner is not None else None
        if kind == "this":
            return "this"
        return None

    def _identifier_path(self, node: Node, depth: int) -> str | None:
        name = node_text(node)
        defs = [d for d in self.resolve(node) if d.kind != "member"]
        if not defs:
            return name if not self.resolve(node) else None
        if any(d.kind == "var" and d.value is not None for d in defs) or len(defs) > 1:
            defs = [d for d in defs if d.value is not None or d.kind not in ("var", "assign")]
        paths: set[str] = set()
        for d in defs:
            if d.kind == "import" and d.module:
                paths.add(d.module)
            elif d.kind in ("var", "assign") and d.value is not None and d.key != "[]":
                value = unwrap(d.value)
                if value.type == "binary_expression":
                    value = unwrap(value.named_children[-1]) if value.named_child_count else value
                base = self.path_of(value, depth + 1)
                if base is None:
                    return None
                paths.add(f"{base}.{d.key}" if d.key else base)
            else:
                return None
        return paths.pop() if len(paths) == 1 else None

    def _required(self, call: Node) -> str | None:
        args = arguments(call)
        if not args:
            return None
        name = self.constant(args[0])
        return normalise_module(name) if name else None

    def constant(self, node: Node) -> str | None:
        """The value of an expression made only of constants (strings, concatenation,
        statically decodable calls), or ``None``."""
        node = unwrap(node)
        value = string_value(node)
        if value is not None:
            return value
        if node.type in ("binary_expression", "call_expression", "identifier", "template_string"):
            if self._has_unknowns(node, 0):
                return None
            return self.skeleton(node)
        return None

    def _has_unknowns(self, node: Node, depth: int) -> bool:
        node = unwrap(node)
        if depth > 6:
            return True
        kind = node.type
        if kind in ("string", "number"):
            return False
        if kind == "template_string":
            return any(
                self._has_unknowns(c.named_children[0], depth + 1)
                for c in node.named_children
                if c.type == "template_substitution" and c.named_child_count
            )
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is None or node_text(op) != "+":
                return True
            return any(self._has_unknowns(c, depth + 1) for c in node.named_children)
        if kind == "identifier":
            defs = self.resolve(node)
            values = [d.value for d in defs if d.kind in ("var", "assign")]
            if len(values) != 1 or len(defs) != 1 or values[0] is None or defs[0].key:
                return True
            return self._has_unknowns(values[0], depth + 1)
        if kind == "call_expression":
            fn = callee(node)
            path = self.path_of(fn) if fn is not None else None
            if path in ("String.fromCharCode", "atob", "Buffer.from", "unescape"):
                return any(self._has_unknowns(a, depth + 1) for a in arguments(node))
            if fn is not None and fn.type == "member_expression":
                prop = fn.child_by_field_name("property")
                obj = fn.child_by_field_name("object")
                if prop is not None and obj is not None and node_text(prop) in _STRING_METHODS:
                    return self._has_unknowns(obj, depth + 1) or any(
                        self._has_unknowns(a, depth + 1) for a in arguments(node)
                    )
            function = self.local_function(fn) if fn is not None else None
            if function is not None and len(self.returns(function)) == 1:
                return any(self._has_unknowns(a, depth + 1) for a in arguments(node))
            return True
        if kind == "array":
            return any(self._has_unknowns(c, depth + 1) for c in node.named_children)
        return True

    # ----------------------------------------------------------------- text

    def skeleton(self, node: Node, env: dict[str, str] | None = None, depth: int = 0) -> str:
        """The constant text an expression is built from; unknown parts are left out."""
        node = unwrap(node)
        if env is None:
            cached = self._skeletons.get(node.id)
            if cached is not None:
                return cached
        guard = ("skeleton", node.id)
        if depth > _MAX_DEPTH or guard in self._busy or len(self._busy) > _MAX_ACTIVE:
            return ""
        self._busy.add(guard)
        try:
            text = self._skeleton(node, env, depth)[:_MAX_TEXT]
        finally:
            self._busy.discard(guard)
        if env is None:
            self._skeletons[node.id] = text
        return text

    def _skeleton(self, node: Node, env: dict[str, str] | None, depth: int) -> str:
        kind = node.type
        value = string_value(node)
        if value is not None:
            return value
        if kind == "number":
            return node_text(node)
        if kind == "template_string":
            parts = []
            for child in node.named_children:
                if child.type == "template_substitution" and child.named_child_count:
                    parts.append(self.skeleton(child.named_children[0], env, depth + 1))
                elif child.type != "template_substitution":
                    parts.append(string_value_piece(child))
            return "".join(parts)
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            operator = node_text(op) if op is not None else ""
            if operator == "+":
                return "".join(self.skeleton(c, env, depth + 1) for c in node.named_children)
            if operator in ("||", "??"):
                sides = [self.skeleton(c, env, depth + 1) for c in node.named_children]
                return ALTERNATIVES.join(side for side in sides if side)
            return ""
        if kind in ("identifier", "shorthand_property_identifier"):
            name = node_text(node)
            if env is not None and name in env:
                return env[name]
            defs = self.resolve(node)
            values = [d.value for d in defs if d.kind in ("var", "assign") and d.value is not None]
            if len(values) == 1 and defs[0].key in (None, "[]"):
                return self.skeleton(values[0], None, depth + 1)
            return ""
        if kind == "member_expression":
            path = self.path_of(node)
            if path in ("process.env.HOME", "process.env.USERPROFILE"):
                return "~"
            if path in ("process.env.APPDATA", "process.env.LOCALAPPDATA"):
                return "~/AppData/" + ("Roaming" if path.endswith(".APPDATA") else "Local")
            if path in ("path.sep", "path.posix.sep"):
                return "/"
            return ""
        if kind == "call_expression":
            return self._call_skeleton(node, env, depth)
        if kind in ("object", "array"):
            pieces = []
            for child in node.named_children:
                target = child.child_by_field_name("value") if child.type == "pair" else child
                if target is not None and target.type not in FUNCTION_TYPES:
                    pieces.append(self.skeleton(target, env, depth + 1))
            return " ".join(p for p in pieces if p)
        if kind == "ternary_expression":
            branches = [
                self.skeleton(c, env, depth + 1)
                for c in (node.child_by_field_name(f) for f in ("consequence", "alternative"))
                if c is not None
            ]
            return ALTERNATIVES.join(b for b in branches if b)
        if kind in ("await_expression", "spread_element"):
            return " ".join(
                self.skeleton(c, env, depth + 1) for c in node.named_children if c.is_named
            )
        return ""

    def _call_skeleton(self, node: Node, env: dict[str, str] | None, depth: int) -> str:
        fn = callee(node)
        if fn is None:
            return ""
        args = arguments(node)
        path = self.path_of(fn)
        texts = [self.skeleton(a, env, depth + 1) for a in args]
        if path in ("path.join", "path.resolve", "path.posix.join", "path.win32.join"):
            return "/".join(t for t in texts if t)
        if path in ("path.normalize", "String", "decodeURI"):
            return texts[0] if texts else ""
        if path == "os.homedir":
            return "~"
        if path == "os.tmpdir":
            return "$TMPDIR"
        if path in ("decodeURIComponent", "unescape"):
            return unquote(texts[0]) if texts else ""
        if path == "String.fromCharCode":
            return _from_char_codes(texts)
        if path == "atob":
            return _b64(texts[0]) if texts else ""
        if path == "Buffer.from" or (path == "Buffer" and node.type == "new_expression"):
            encoding = texts[1].lower() if len(texts) > 1 else ""
            if encoding in ("base64", "base64url"):
                return _b64(texts[0])
            if encoding == "hex":
                return _hex(texts[0])
            return texts[0] if texts else ""
        if fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            prop = fn.child_by_field_name("property")
            method = node_text(prop) if prop is not None else ""
            if obj is not None and method == "join":
                items = self._sequence(obj, env, depth + 1)
                if items is not None:
                    return (texts[0] if texts else ",").join(items)
            if obj is not None and method in _STRING_METHODS:
                return _string_method(self.skeleton(obj, env, depth + 1), method, texts, args)
        function = self.local_function(fn)
        if function is not None:
            return self._inline(function, args, texts, env, depth)
        return ""

    def _sequence(self, node: Node, env: dict[str, str] | None, depth: int) -> list[str] | None:
        """The items of an array-valued expression (array literal, ``split``, ``reverse``)."""
        node = unwrap(node)
        if depth > _MAX_DEPTH:
            return None
        if node.type == "array":
            return [self.skeleton(c, env, depth + 1) for c in node.named_children]
        if node.type == "identifier":
            defs = self.resolve(node)
            if len(defs) == 1 and defs[0].value is not None and not defs[0].key:
                return self._sequence(defs[0].value, None, depth + 1)
            return None
        if node.type != "call_expression":
            return None
        fn = callee(node)
        if fn is None or fn.type != "member_expression":
            return None
        obj = fn.child_by_field_name("object")
        method = _last(fn)
        if obj is None:
            return None
        if method == "reverse":
            items = self._sequence(obj, env, depth + 1)
            return items[::-1] if items is not None else None
        if method == "split":
            args = arguments(node)
            sep = self.skeleton(args[0], env, depth + 1) if args else None
            text = self.skeleton(obj, env, depth + 1)
            if sep is None or (args and unwrap(args[0]).type not in ("string", "template_string")):
                return None
            return list(text) if sep == "" else text.split(sep)
        return None

    def _inline(
        self,
        function: Node,
        args: list[Node],
        texts: list[str],
        env: dict[str, str] | None,
        depth: int,
    ) -> str:
        returns = self.returns(function)
        if len(returns) != 1:
            return ""
        params = function.child_by_field_name("parameters") or function.child_by_field_name(
            "parameter"
        )
        names: list[str] = []
        if params is not None:
            if params.type == "identifier":
                names = [node_text(params)]
            else:
                names = [node_text(p) for p in params.named_children if p.type == "identifier"]
        bound = dict(zip(names, texts, strict=False))
        return self.skeleton(returns[0], bound, depth + 1)

    def returns(self, function: Node) -> list[Node]:
        """The returned expressions of a function (an arrow's expression body included)."""
        cached = self._returns.get(function.id)
        if cached is not None:
            return cached
        found: list[Node] = []
        body = function.child_by_field_name("body")
        if body is not None and body.type != "statement_block":
            found.append(body)
        elif body is not None:
            stack = list(body.named_children)
            while stack and len(found) < _MAX_SITES:
                item = stack.pop()
                if item.type in FUNCTION_TYPES or item.type == "class_declaration":
                    continue
                if item.type == "return_statement":
                    found.extend(c for c in item.named_children if c.type != "comment")
                    continue
                stack.extend(item.named_children)
        self._returns[function.id] = found
        return found

    # ----------------------------------------------------------------- taint

    def taint(self, node: Node) -> frozenset[str]:
        """Where the data of an expression comes from (tags such as ``decoded``, ``network``,
        ``env``, ``fp:hostname``, ``cred:SSH private key``)."""
        node = unwrap(node)
        memo = self._taints[self._level]
        cached = memo.get(node.id)
        if cached is not None:
            return cached
        guard = ("taint", node.id * 2 + self._level)
        if guard in self._busy or len(self._busy) > _MAX_ACTIVE or self.budget <= 0:
            return EMPTY
        self.budget -= 1
        self._busy.add(guard)
        try:
            result = self._taint(node)
        finally:
            self._busy.discard(guard)
        memo[node.id] = result
        return result

    def _taint(self, node: Node) -> frozenset[str]:
        kind = node.type
        if kind in FUNCTION_TYPES or kind in ("string", "number", "comment", "regex"):
            return EMPTY
        if kind in ("identifier", "shorthand_property_identifier"):
            return self._identifier_taint(node)
        if kind in ("member_expression", "subscript_expression"):
            return self._member_taint(node)
        if kind in ("call_expression", "new_expression"):
            return self._call_taint(node)
        tags: set[str] = set()
        for child in node.named_children:
            if child.type not in FUNCTION_TYPES:
                tags |= self.taint(child)
        return frozenset(tags)

    def _identifier_taint(self, node: Node) -> frozenset[str]:
        name = node_text(node)
        defs = self.resolve(node)
        if not defs:
            if name in ("__dirname", "__filename"):
                return frozenset({FINGERPRINT + "cwd"})
            return EMPTY
        tags: set[str] = set()
        for d in defs[:_MAX_SITES]:
            if d.kind == "param":
                tags |= self._param_taint(d)
            elif d.kind in ("var", "assign", "member") and d.value is not None:
                if d.key and d.key != "[]" and self.is_process_env(d.value):
                    tags |= env_var_tags(d.key)
                else:
                    tags |= self.taint(d.value)
        return frozenset(tags)

    def _member_taint(self, node: Node) -> frozenset[str]:
        obj = node.child_by_field_name("object")
        if obj is None:
            return EMPTY
        obj = unwrap(obj)
        if (
            obj.type == "identifier"
            and node_text(obj) == "process"
            and node.type == ("member_expression")
        ):
            prop = node.child_by_field_name("property")
            if prop is not None and node_text(prop) == "env" and not self.resolve(obj):
                return frozenset({ENV})
        if node.type == "member_expression" and _last(node) == "length":
            return EMPTY
        if self.is_process_env(obj):
            name = self._member_name(node)
            if name is None:
                return frozenset({ENV})
            return env_var_tags(name)
        return self.taint(obj)

    def _member_name(self, node: Node) -> str | None:
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return node_text(prop) if prop is not None else None
        index = node.child_by_field_name("index")
        return self.constant(index) if index is not None else None

    def is_process_env(self, node: Node, depth: int = 0) -> bool:
        """Whether an expression is ``process.env`` itself (or a name given to it)."""
        node = unwrap(node)
        if node.type == "identifier" and depth < 3:
            defs = self.resolve(node)
            return (
                len(defs) == 1
                and defs[0].kind == "var"
                and defs[0].value is not None
                and not defs[0].key
                and self.is_process_env(defs[0].value, depth + 1)
            )
        if node.type != "member_expression":
            return False
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is None or prop is None or node_text(prop) != "env":
            return False
        obj = unwrap(obj)
        return obj.type == "identifier" and self.path_of(obj) == "process"

    def _call_taint(self, node: Node) -> frozenset[str]:
        fn = callee(node)
        if fn is None:
            return EMPTY
        source = self.call_sources(node, fn)
        if source is None:
            return EMPTY
        tags = set(source)
        with_args = True
        if fn.type in ("member_expression", "subscript_expression"):
            obj = fn.child_by_field_name("object")
            if obj is not None:
                tags |= self.taint(obj)
                # A method of a data value (s.slice(i, j)) returns data of the value, not of
                # its arguments; functions of modules and globals (JSON.stringify(x)) return
                # data of their arguments.
                with_args = _last(fn) in _DATA_METHODS or self.path_of(obj) is not None
        function = self.local_function(fn)
        if function is not None:
            guard = ("returns", function.id)
            if guard not in self._busy:
                self._busy.add(guard)
                try:
                    for ret in self.returns(function):
                        tags |= self.taint(ret)
                finally:
                    self._busy.discard(guard)
        if with_args:
            for arg in arguments(node):
                if arg.type not in FUNCTION_TYPES:
                    tags |= self.taint(arg)
        return frozenset(tags)

    def call_sources(self, node: Node, fn: Node) -> frozenset[str] | None:
        """The data sources a call itself is (decoders, network, fingerprints, credential
        reads); ``None`` for calls that wash data out (hashes)."""
        name = _last(fn)
        if name in ("digest", "createHash", "createHmac", "hash"):
            return None
        if fn.type == "identifier" and _OBFUSCATOR_NAME.match(node_text(fn)):
            return frozenset({DECODED})
        path = self.path_of(fn)
        tags: set[str] = set()
        if name == "toString":
            args = arguments(node)
            encoding = self.constant(args[0]) if args else None
            if encoding in ("hex", "base64", "base64url", "base32") or encoding == "16":
                tags.add(ENCODED)
        if name in ("btoa", "encodeURIComponent", "hexlify", "base32"):
            tags.add(ENCODED)
        if path is None:
            if name == "join" and _reversed(fn):
                tags.add(DECODED)
            return frozenset(tags)
        if _is_decoder(path, node, self):
            tags.add(DECODED)
        elif path in NETWORK_CALLS or _network_instance_call(path):
            tags.add(NETWORK)
        elif path in FINGERPRINT_CALLS:
            tags.add(FINGERPRINT + FINGERPRINT_CALLS[path])
        elif path in FS_READS:
            args = arguments(node)
            target = indicators.credential_target(
                self.skeleton(args[0]).replace("\\", "/") if args else ""
            )
            if target:
                tags.add(CREDENTIAL + target)
        elif path in _PROCESS_OUTPUT:
            args = arguments(node)
            match = _FINGERPRINT_COMMANDS.match(self.skeleton(args[0])) if args else None
            if match:
                kinds = ("user", "hostname", "user", "netif", "cwd")
                tags.add(FINGERPRINT + kinds[match.lastindex - 1 if match.lastindex else 0])
        elif name == "join" and _reversed(fn):
            tags.add(DECODED)
        return frozenset(tags)

    def _param_taint(self, d: Def) -> frozenset[str]:
        memo = self._param_taints[self._level]
        cached = memo.get(id(d))
        if cached is not None:
            return cached
        guard = ("param", id(d) * 2 + self._level)
        if guard in self._busy or d.func is None or len(self._busy) > _MAX_ACTIVE:
            return EMPTY
        self._busy.add(guard)
        try:
            tags = self._compute_param_taint(d, d.func)
        finally:
            self._busy.discard(guard)
        memo[id(d)] = tags
        return tags

    def _compute_param_taint(self, d: Def, function: Node) -> frozenset[str]:
        tags: set[str] = set()
        parent = _parent_skipping_parens(function)
        if parent is not None and parent.type == "arguments" and parent.parent is not None:
            call = parent.parent
            fn = callee(call)
            if fn is not None:
                tags |= self.call_sources(call, fn) or EMPTY
                if fn.type in ("member_expression", "subscript_expression"):
                    obj = fn.child_by_field_name("object")
                    if obj is not None:
                        tags |= self.taint(obj)
            return frozenset(tags)
        if parent is not None and parent.type == "call_expression":
            args = arguments(parent)
            if d.index < len(args):
                tags |= self.taint(args[d.index])
            return frozenset(tags)
        if self._level >= _MAX_LEVEL:
            return frozenset(tags)
        self._level += 1
        try:
            for call in self.call_sites(function):
                args = arguments(call)
                if 0 <= d.index < len(args):
                    tags |= self.taint(args[d.index])
        finally:
            self._level -= 1
        return frozenset(tags)

    def call_sites(self, function: Node, *, passed: bool = False) -> list[Node]:
        """Calls of a named function (that resolve to it); with ``passed``, also calls that
        pass it as an argument (callbacks)."""
        name = function_name(function)
        if not name:
            return []
        calls, passes = self._sites(name)
        sites = [(site, True) for site in calls]
        if passed:
            sites += [(site, False) for site in passes]
        found = []
        for site, called in sites:
            fn = callee(site) if called else None
            target = self._named(site, name, fn)
            if target is not None and target.id == function.id:
                found.append(site)
                if len(found) >= _MAX_SITES:
                    break
        return found

    def _named(self, site: Node, name: str, fn: Node | None) -> Node | None:
        if fn is not None and fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            fn = unwrap(obj) if obj is not None else None
        if fn is None or fn.type != "identifier" or node_text(fn) != name:
            fn = next(
                (a for a in arguments(site) if a.type == "identifier" and node_text(a) == name),
                None,
            )
        return self.local_function(fn) if fn is not None else None

    # ----------------------------------------------------------------- phase

    def executed(self, node: Node) -> bool:
        """Whether the code at ``node`` runs when the file is loaded (see the module
        docstring); ``False`` means only when something calls into it."""
        function = self.enclosing(node)
        return True if function is None else self._function_executed(function)

    def _function_executed(self, function: Node) -> bool:
        cached = self._executed.get(function.id)
        if cached is not None:
            return cached
        guard = ("exec", function.id)
        if guard in self._busy or len(self._busy) > _MAX_ACTIVE:
            return False
        self._busy.add(guard)
        try:
            result = self._compute_executed(function)
        finally:
            self._busy.discard(guard)
        self._executed[function.id] = result
        return result

    def _compute_executed(self, function: Node) -> bool:
        if function.type == "method_definition":
            return False
        parent = _parent_skipping_parens(function)
        if parent is None:
            return False
        if parent.type == "call_expression" and callee(parent) == function:
            return self.executed(parent)
        if parent.type == "member_expression" and parent.parent is not None:
            prop = parent.child_by_field_name("property")
            if prop is not None and node_text(prop) in ("call", "apply"):
                return parent.parent.type == "call_expression" and self.executed(parent.parent)
            return False
        if parent.type == "arguments" and parent.parent is not None:
            return self.executed(parent.parent)
        for site in self.call_sites(function, passed=True):
            if not _inside(site, function) and self.executed(site):
                return True
        return False


_DATA_METHODS = frozenset({"concat", "replace", "replaceAll", "assign", "from", "of"})
_MUTATOR_CALL = re.compile(rb"\.\s*(push|unshift|append|set|assign|write)\s*\(")
_STRING_METHODS = frozenset(
    {"toString", "trim", "join", "reverse", "split", "concat", "replace", "toLowerCase"}
)


def string_value_piece(node: Node) -> str:
    """The value of a piece of a template literal (a fragment or an escape)."""
    return unescape_js(node_text(node))


def env_var_tags(name: str) -> frozenset[str]:
    """Taint tags of reading one environment variable."""
    if name in _FINGERPRINT_ENV:
        return frozenset({FINGERPRINT + _FINGERPRINT_ENV[name]})
    if indicators.SECRET_ENV_NAMES.match(name):
        return frozenset({SECRET + name})
    return EMPTY


def _object_pattern_names(pattern: Node) -> list[tuple[str, str]]:
    found = []
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            found.append((node_text(child), node_text(child)))
        elif child.type == "object_assignment_pattern":
            left = child.child_by_field_name("left")
            if left is not None:
                found.append((node_text(left), node_text(left)))
        elif child.type == "pair_pattern":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            if key is None or value is None:
                continue
            key_text = string_value(key) if key.type == "string" else node_text(key)
            if value.type == "assignment_pattern":
                value = value.child_by_field_name("left") or value
            if value.type == "identifier" and key_text:
                found.append((key_text, node_text(value)))
    return found


def _pattern_identifiers(node: Node) -> list[str]:
    if node.type == "identifier":
        return [node_text(node)]
    if node.type in ("assignment_pattern",):
        left = node.child_by_field_name("left")
        return _pattern_identifiers(left) if left is not None else []
    if node.type in ("rest_pattern", "object_pattern", "array_pattern"):
        names: list[str] = []
        for child in node.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                names.append(node_text(child))
            elif child.type == "pair_pattern":
                value = child.child_by_field_name("value")
                if value is not None:
                    names += _pattern_identifiers(value)
            else:
                names += _pattern_identifiers(child)
        return names
    return []


def _nesting(starts: list[int], ends: list[int]) -> list[int]:
    """For intervals sorted by start (outer first on ties), the index of each one's innermost
    enclosing interval, or -1."""
    parents: list[int] = []
    stack: list[int] = []
    for index, end in enumerate(ends[: len(starts)]):
        while stack and ends[stack[-1]] < end:
            stack.pop()
        parents.append(stack[-1] if stack else -1)
        stack.append(index)
    return parents


_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def _mentions(source: bytes, name: bytes) -> list[int]:
    """Offsets where ``name`` appears as a whole identifier, not after a dot (capped)."""
    found: list[int] = []
    position = source.find(name)
    size = len(name)
    while position >= 0 and len(found) < _MAX_MENTIONS:
        before = source[position - 1] if position else 32
        after = source[position + size] if position + size < len(source) else 32
        if before not in _NAME_BYTES and before != 46 and after not in _NAME_BYTES:
            found.append(position)
        position = source.find(name, position + size)
    return found


def _root_identifier(node: Node | None) -> str | None:
    """``a`` for ``a``, ``a.b.c`` and ``a[b]``."""
    while node is not None and node.type in ("member_expression", "subscript_expression"):
        node = node.child_by_field_name("object")
    return node_text(node) if node is not None and node.type == "identifier" else None


def _parent_skipping_parens(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    return parent


def _inside(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def _last(fn: Node) -> str:
    if fn.type == "identifier":
        return node_text(fn)
    if fn.type == "member_expression":
        prop = fn.child_by_field_name("property")
        return node_text(prop) if prop is not None else ""
    return ""


def _reversed(fn: Node) -> bool:
    """Whether ``fn`` is ``<...>.reverse().join`` (a reversed string being reassembled)."""
    obj = fn.child_by_field_name("object")
    if obj is None:
        return False
    obj = unwrap(obj)
    if obj.type != "call_expression":
        return False
    inner = callee(obj)
    return inner is not None and _last(inner) == "reverse"


def _network_instance_call(path: str) -> bool:
    base, _, method = path.rpartition(".")
    return method in NETWORK_METHODS and base in NETWORK_INSTANCES


def _is_decoder(path: str, node: Node, module: Module) -> bool:
    if path in ("atob", "unescape", "base64.decode", "js-base64.decode"):
        return True
    if path in ("String.fromCharCode.apply", "String.fromCharCode.call"):
        return True
    if path == "String.fromCharCode":
        # One character at a time is what parsers do; many codes, a spread or an XOR is a
        # string being rebuilt from numbers.
        args = arguments(node)
        return len(args) >= 3 or any(
            a.type == "spread_element"
            or (a.type == "binary_expression" and b"^" in (a.text or b""))
            for a in args
        )
    if path in ("crypto.createDecipher", "crypto.createDecipheriv", "crypto.privateDecrypt"):
        return True
    if _DECOMPRESS.match(path):
        return True
    if path == "Buffer.from" or (path == "Buffer" and node.type == "new_expression"):
        args = arguments(node)
        if len(args) > 1:
            encoding = module.constant(args[1])
            return encoding in ("base64", "base64url", "hex")
        return False
    if path == "decodeURIComponent":
        args = arguments(node)
        if args and unwrap(args[0]).type == "call_expression":
            inner = callee(unwrap(args[0]))
            return inner is not None and _last(inner) in ("escape", "atob")
    return False


def _from_char_codes(texts: list[str]) -> str:
    chars = []
    for text in texts:
        for raw in text.split(","):
            piece = raw.strip()
            try:
                based = piece.lower().startswith(("0x", "0o", "0b"))
                chars.append(chr(int(piece, 0) if based else int(piece)))
            except (ValueError, OverflowError):
                return ""
    return "".join(chars)


def _b64(text: str) -> str:
    compact = re.sub(r"\s+", "", text)
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        try:
            raw = base64.b64decode(compact + "=" * (-len(compact) % 4))
        except (binascii.Error, ValueError):
            return ""
    return raw.decode("utf-8", "replace")


def _hex(text: str) -> str:
    try:
        return bytes.fromhex(text.strip()).decode("utf-8", "replace")
    except ValueError:
        return ""


def _string_method(base: str, method: str, texts: list[str], args: list[Node]) -> str:
    if method == "trim":
        return base.strip()
    if method == "toLowerCase":
        return base.lower()
    if method == "toString":
        return base
    if method in ("split", "reverse", "join"):
        return base
    if method == "concat":
        return base + "".join(texts)
    if method == "replace" and len(texts) == 2 and args and unwrap(args[0]).type == "string":
        return base.replace(texts[0], texts[1], 1)
    return base
