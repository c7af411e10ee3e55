"""Simple data flow inside one module: what a name refers to, what a string folds to, and where
a value comes from.

Three questions, answered lazily at the places the checks care about (calls of exec, network,
processes ...), over the bindings the collector recorded (flow-insensitive: every assignment of
a name in a scope counts):

- :meth:`Evaluator.symbol`: the dotted name of a callee (``os.system``, ``socket.socket().send``).
- :meth:`Evaluator.fold`: the constant text of an expression built from literals
  (``"ex" + "ec"``, ``"cexe"[::-1]``, ``b64decode("ZXhlYw==").decode()``), computed without
  running anything.
- :meth:`Evaluator.origins`: an :class:`Origin` set: literal, decoded, downloaded, a secret ...
"""

from __future__ import annotations

import ast
import base64
import binascii
import codecs
from dataclasses import dataclass
from enum import IntFlag, auto

from stockade.analysis import indicators
from stockade.analysis.python import strings, symbols
from stockade.analysis.python.scopes import Binding, BindKind, ModuleInfo, Scope

MAX_DEPTH = 24
MAX_FOLD = 10_000
MAX_ELEMENTS = 64
EMBEDDED_LENGTH = 16


class Origin(IntFlag):
    """Where a value comes from (a set)."""

    NONE = 0
    LITERAL = auto()
    """Written in the file."""
    EMBEDDED = auto()
    """A string or bytes literal long enough to carry a payload (16 characters or more)."""
    ENCODED = auto()
    """A long high-entropy literal (base64, hex, compressed bytes)."""
    OBFUSCATED = auto()
    """Decoded, decompressed, unmarshalled, reversed or built from character codes, from
    data written in the file."""
    DECODED = auto()
    """Decoded or decompressed from data of unknown origin."""
    DOWNLOADED = auto()
    """Read from the network."""
    FILE = auto()
    """Read from a file."""
    CRED_PATH = auto()
    """A path to a file that holds secrets."""
    CRED_FILE = auto()
    """The content of a file that holds secrets."""
    ENV = auto()
    """``os.environ`` itself."""
    ENV_DUMP = auto()
    """A copy or serialisation of the whole environment."""
    SECRET_ENV = auto()
    """The value of a secret-named environment variable."""
    FINGERPRINT = auto()
    """User name, host name, machine id."""
    PERSIST_PATH = auto()
    """An autostart location."""
    TEMP_PATH = auto()
    """A temporary or per-user data folder."""
    PUBLIC_IP = auto()
    """A public IP address literal."""


HIDDEN_CODE = Origin.OBFUSCATED | Origin.ENCODED | Origin.DOWNLOADED
"""Origins that make running a value a threat."""
SECRETS = Origin.CRED_FILE | Origin.ENV_DUMP
"""Origins that are secrets wherever they are sent."""
_CARRY = (
    Origin.DOWNLOADED
    | Origin.CRED_FILE
    | Origin.ENV_DUMP
    | Origin.SECRET_ENV
    | Origin.FINGERPRINT
    | Origin.OBFUSCATED
    | Origin.DECODED
)
_PATHS = Origin.CRED_PATH | Origin.PERSIST_PATH | Origin.TEMP_PATH


_SERIALISERS = frozenset(
    {"pickle.dumps", "marshal.dumps", "dill.dumps", "cloudpickle.dumps", "copy.deepcopy"}
    | {"copy.copy", "builtins.len", "builtins.isinstance", "builtins.id", "builtins.hash"}
)
_SECRETS_CARRIED = Origin.ENV_DUMP | Origin.CRED_FILE | Origin.SECRET_ENV | Origin.FINGERPRINT
_PATH_JOINERS = frozenset(
    {
        "os.path.join",
        "posixpath.join",
        "ntpath.join",
        "pathlib.Path",
        "pathlib.PurePath",
        "os.path.expanduser",
        "os.path.expandvars",
        "pathlib.Path.home().joinpath",
    }
)


@dataclass(frozen=True, slots=True)
class Folded:
    """The constant text of an expression."""

    text: str
    obfuscated: bool
    """Whether getting it took more than reading a literal (concatenation, decoding ...)."""
    decoded: bool = False
    """Whether it took decoding, reversal or character codes (not just concatenation)."""


def string_origins(value: str | bytes) -> Origin:
    """The origins a literal carries by what it says."""
    found = Origin.LITERAL
    if len(value) >= EMBEDDED_LENGTH:
        found |= Origin.EMBEDDED
    if strings.encoded(value):
        found |= Origin.ENCODED
    if isinstance(value, bytes):
        return found
    if len(value) < 4096:
        if strings.credential_in(value):
            found |= Origin.CRED_PATH
        if strings.persistence_in(value):
            found |= Origin.PERSIST_PATH
        if strings.is_temp_path(value):
            found |= Origin.TEMP_PATH
        if strings.public_ip(value):
            found |= Origin.PUBLIC_IP
    return found


def env_key_origins(name: str) -> Origin:
    """The origins of reading environment variable ``name``."""
    found = Origin.NONE
    if indicators.SECRET_ENV_NAMES.match(name):
        found |= Origin.SECRET_ENV
    upper = name.upper()
    if upper in symbols.FINGERPRINT_ENV:
        found |= Origin.FINGERPRINT
    if upper in symbols.TEMP_ENV:
        found |= Origin.TEMP_PATH
    return found


def _mentions_builtins(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        if node.attr in ("builtins", "__builtins__", "__builtin__"):
            return True
        node = node.value
    return isinstance(node, ast.Name) and node.id in ("builtins", "__builtins__", "__builtin__")


def _is_reverse_slice(node: ast.expr) -> bool:
    if not isinstance(node, ast.Slice) or node.step is None:
        return False
    step = node.step
    if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
        return isinstance(step.operand, ast.Constant) and step.operand.value == 1
    return isinstance(step, ast.Constant) and step.value == -1


def _decode_text(name: str, data: str) -> str | None:
    """Apply a decoder to constant text, without running anything but the decoder."""
    raw = data.encode("latin-1", "replace")
    try:
        if name in ("base64.b64decode", "base64.decodebytes", "base64.standard_b64decode"):
            out = base64.b64decode(raw)
        elif name == "base64.urlsafe_b64decode":
            out = base64.urlsafe_b64decode(raw)
        elif name == "base64.b32decode":
            out = base64.b32decode(raw)
        elif name == "base64.b16decode":
            out = base64.b16decode(raw)
        elif name == "base64.a85decode":
            out = base64.a85decode(raw)
        elif name == "base64.b85decode":
            out = base64.b85decode(raw)
        elif name in ("bytes.fromhex", "bytearray.fromhex", "binascii.unhexlify"):
            out = binascii.unhexlify(raw.replace(b" ", b""))
        elif name == "binascii.a2b_hex":
            out = binascii.unhexlify(raw)
        elif name == "binascii.a2b_base64":
            out = binascii.a2b_base64(raw)
        else:
            return None
    except (ValueError, binascii.Error):
        return None
    return out.decode("latin-1")


class Evaluator:
    """Answers symbol, fold and origin questions for one module."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self._memo: dict[int, Origin] = {}
        self._active: set[int] = set()
        self._string_memo: dict[str | bytes, Origin] = {}
        self._returns_active: set[str] = set()
        self._fold_memo: dict[int, Folded | None] = {}
        self._fold_active: set[int] = set()
        self._network_memo: dict[str, bool] = {}
        self._symbol_memo: dict[tuple[int, int], str | None] = {}

    # Symbols -------------------------------------------------------------------------------

    def symbol(self, node: ast.expr, scope: Scope, depth: int = 0) -> str | None:
        """The dotted name ``node`` refers to, or ``None`` when unknown."""
        if depth == 0:
            key = (id(node), id(scope))
            if key in self._symbol_memo:
                return self._symbol_memo[key]
            found = self._symbol(node, scope, 0)
            self._symbol_memo[key] = found
            return found
        return self._symbol(node, scope, depth)

    def _symbol(self, node: ast.expr, scope: Scope, depth: int) -> str | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            return self._name_symbol(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            base = self.symbol(node.value, scope, depth + 1)
            return symbols.normalize(f"{base}.{node.attr}") if base else None
        if isinstance(node, ast.Call):
            return self._call_symbol(node, scope, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript_symbol(node, scope, depth)
        if isinstance(node, ast.IfExp):
            body = self.symbol(node.body, scope, depth + 1)
            return body or self.symbol(node.orelse, scope, depth + 1)
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                found = self.symbol(value, scope, depth + 1)
                if found:
                    return found
        return None

    def _name_symbol(self, name: str, scope: Scope, depth: int) -> str | None:
        found = scope.lookup(name)
        if found:
            binding = found[-1]
            if binding.kind is BindKind.IMPORT:
                return symbols.normalize(binding.symbol or "")
            if binding.kind is BindKind.DEF:
                return "." + (binding.symbol or name)
            if binding.kind is BindKind.VALUE and binding.expr is not None:
                return self.symbol(binding.expr, binding.scope, depth + 1)
            return None
        if name in ("__builtins__", "__builtin__"):
            return "builtins"
        if name in symbols.BUILTIN_NAMES:
            return symbols.normalize(f"builtins.{name}")
        for module in self.info.stars:
            candidate = f"{module}.{name}"
            if candidate in symbols.KNOWN:
                return candidate
        return None

    def _call_symbol(self, node: ast.Call, scope: Scope, depth: int) -> str | None:
        func = self.symbol(node.func, scope, depth + 1)
        if func is None:
            return None
        if func in symbols.IMPORTERS and node.args:
            folded = self.fold(node.args[0], scope, depth + 1)
            return symbols.normalize(folded.text) if folded and folded.text else None
        if func == "builtins.getattr" and len(node.args) >= 2:
            folded = self.fold(node.args[1], scope, depth + 1)
            if folded is None or not folded.text.isidentifier():
                return None
            base = self.symbol(node.args[0], scope, depth + 1)
            if base is None:
                if _mentions_builtins(node.args[0]):
                    return f"builtins.{folded.text}"
                return None
            return symbols.normalize(f"{base}.{folded.text}")
        if func == "builtins.vars" and node.args:
            base = self.symbol(node.args[0], scope, depth + 1)
            return f"{base}.__dict__" if base else None
        return func + "()"

    def _subscript_symbol(self, node: ast.Subscript, scope: Scope, depth: int) -> str | None:
        base = self.symbol(node.value, scope, depth + 1)
        if base is None:
            return None
        key = self.fold(node.slice, scope, depth + 1)
        if key is None or not key.text.isidentifier():
            return None
        if base in ("builtins.globals()", "builtins.locals()"):
            if key.text == "__builtins__":
                return "builtins"
            return self._name_symbol(key.text, scope.module, depth + 1)
        if base == "builtins.vars()":
            return self._name_symbol(key.text, scope.module, depth + 1)
        if base.endswith(".__dict__"):
            return symbols.normalize(f"{base[:-9]}.{key.text}")
        if base == "builtins":
            return f"builtins.{key.text}"
        return None

    # Folding -------------------------------------------------------------------------------

    def fold(self, node: ast.expr, scope: Scope, depth: int = 0) -> Folded | None:
        """The constant text of ``node``, if it is built from literals only."""
        if isinstance(node, ast.Constant):
            return self._fold(node, scope, depth)
        key = id(node)
        if key in self._fold_memo:
            return self._fold_memo[key]
        if depth > MAX_DEPTH or key in self._fold_active:
            return None
        self._fold_active.add(key)
        try:
            found = self._fold(node, scope, depth)
        finally:
            self._fold_active.discard(key)
        self._fold_memo[key] = found
        return found

    def _fold(self, node: ast.expr, scope: Scope, depth: int) -> Folded | None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Folded(node.value, False) if len(node.value) <= MAX_FOLD else None
            if isinstance(node.value, bytes):
                if len(node.value) > MAX_FOLD:
                    return None
                return Folded(node.value.decode("latin-1"), False)
            return None
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id)
            if not found or len(found) != 1 or found[0].kind is not BindKind.VALUE:
                return None
            return self._fold_binding(found[0], depth)
        if isinstance(node, ast.BinOp):
            return self._fold_binop(node, scope, depth)
        if isinstance(node, ast.JoinedStr):
            parts: list[str] = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                elif isinstance(value, ast.FormattedValue) and value.format_spec is None:
                    inner = self.fold(value.value, scope, depth + 1)
                    if inner is None:
                        return None
                    parts.append(inner.text)
                else:
                    return None
            return Folded("".join(parts), True)
        if isinstance(node, ast.Subscript):
            return self._fold_subscript(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._fold_call(node, scope, depth)
        return None

    def _fold_binding(self, binding: Binding, depth: int) -> Folded | None:
        if binding.expr is None:
            return None
        return self.fold(binding.expr, binding.scope, depth + 1)

    def _fold_binop(self, node: ast.BinOp, scope: Scope, depth: int) -> Folded | None:
        left = self.fold(node.left, scope, depth + 1)
        if left is None:
            return None
        if isinstance(node.op, ast.Add):
            right = self.fold(node.right, scope, depth + 1)
            if right is None or len(left.text) + len(right.text) > MAX_FOLD:
                return None
            return Folded(left.text + right.text, True, left.decoded or right.decoded)
        if isinstance(node.op, ast.Mod) and "%" in left.text:
            items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            values = [self.fold(item, scope, depth + 1) for item in items]
            if any(v is None for v in values):
                return None
            try:
                text = left.text % tuple(v.text for v in values if v is not None)
            except (TypeError, ValueError):
                return None
            return Folded(text, True) if len(text) <= MAX_FOLD else None
        return None

    def _fold_subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Folded | None:
        if not isinstance(node.slice, ast.Slice):
            return None
        value = self.fold(node.value, scope, depth + 1)
        if value is None:
            return None
        if _is_reverse_slice(node.slice) and node.slice.lower is None:
            return Folded(value.text[::-1], True, True)
        bounds: list[int | None] = []
        for part in (node.slice.lower, node.slice.upper, node.slice.step):
            if part is None:
                bounds.append(None)
            elif isinstance(part, ast.Constant) and isinstance(part.value, int):
                bounds.append(part.value)
            elif (
                isinstance(part, ast.UnaryOp)
                and isinstance(part.op, ast.USub)
                and isinstance(part.operand, ast.Constant)
                and isinstance(part.operand.value, int)
            ):
                bounds.append(-part.operand.value)
            else:
                return None
        if bounds[2] == 0:
            return None
        text = value.text[slice(*bounds)]
        return Folded(text, True, value.decoded or (bounds[2] is not None and bounds[2] != 1))

    def _fold_call(self, node: ast.Call, scope: Scope, depth: int) -> Folded | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method == "join" and len(node.args) == 1:
                sep = self.fold(func.value, scope, depth + 1)
                if sep is None:
                    return None
                items = self._fold_sequence(node.args[0], scope, depth + 1)
                if items is None:
                    return None
                text = sep.text.join(i.text for i in items)
                decoded = any(i.decoded for i in items) or self._is_reversed_call(node.args[0])
                return Folded(text, True, decoded) if len(text) <= MAX_FOLD else None
            if method in ("decode", "encode") and not node.args and not node.keywords:
                inner = self.fold(func.value, scope, depth + 1)
                return inner
            if method in ("decode", "encode") and node.args:
                codec = self.fold(node.args[0], scope, depth + 1)
                inner = self.fold(func.value, scope, depth + 1)
                if codec is None or inner is None:
                    return None
                name = codec.text.lower().replace("-", "_")
                if name in ("utf8", "utf_8", "ascii", "latin_1", "latin1"):
                    return inner
                if name in ("rot13", "rot_13"):
                    return Folded(codecs.decode(inner.text, "rot13"), True, True)
                return None
            if method in ("replace", "lower", "upper", "strip", "swapcase", "title", "capitalize"):
                inner = self.fold(func.value, scope, depth + 1)
                if inner is None:
                    return None
                args = [self.fold(a, scope, depth + 1) for a in node.args]
                if any(a is None for a in args):
                    return None
                try:
                    text = getattr(inner.text, method)(*(a.text for a in args if a is not None))
                except (TypeError, ValueError):
                    return None
                if not isinstance(text, str) or len(text) > MAX_FOLD:
                    return None
                return Folded(text, True, inner.decoded or method == "swapcase")
        sym = self.symbol(func, scope, depth + 1)
        if sym is None:
            return None
        if sym == "builtins.chr" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, int):
                try:
                    return Folded(chr(arg.value), True, True)
                except (ValueError, OverflowError):
                    return None
            return None
        if sym in ("builtins.str",) and len(node.args) == 1:
            return self.fold(node.args[0], scope, depth + 1)
        if sym in ("builtins.bytes", "builtins.bytearray") and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, ast.List | ast.Tuple) and all(
                isinstance(e, ast.Constant) and isinstance(e.value, int) for e in arg.elts
            ):
                codes = [e.value for e in arg.elts if isinstance(e, ast.Constant)]
                try:
                    values = bytes(c for c in codes if isinstance(c, int))
                except (ValueError, TypeError):
                    return None
                return Folded(values.decode("latin-1"), True, True)
            return None
        if sym in symbols.DECODERS and node.args:
            inner = self.fold(node.args[0], scope, depth + 1)
            if inner is None:
                return None
            plain = _decode_text(sym, inner.text)
            return Folded(plain, True, True) if plain is not None else None
        if sym in ("codecs.decode", "codecs.encode") and len(node.args) >= 2:
            codec = self.fold(node.args[1], scope, depth + 1)
            inner = self.fold(node.args[0], scope, depth + 1)
            if codec and inner and codec.text.lower().replace("-", "_") in ("rot13", "rot_13"):
                return Folded(codecs.decode(inner.text, "rot13"), True, True)
        return None

    def _is_reversed_call(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "reversed"
        )

    def _fold_sequence(self, node: ast.expr, scope: Scope, depth: int) -> list[Folded] | None:
        if isinstance(node, ast.List | ast.Tuple):
            if len(node.elts) > 4096:
                return None
            items = [self.fold(e, scope, depth + 1) for e in node.elts]
            return None if any(i is None for i in items) else [i for i in items if i]
        if self._is_reversed_call(node) and isinstance(node, ast.Call) and node.args:
            inner = self.fold(node.args[0], scope, depth + 1)
            if inner is None:
                return None
            return [Folded(c, True, True) for c in reversed(inner.text)]
        if isinstance(node, ast.GeneratorExp | ast.ListComp) and len(node.generators) == 1:
            gen = node.generators[0]
            elt = node.elt
            if (
                isinstance(elt, ast.Call)
                and isinstance(elt.func, ast.Name)
                and elt.func.id == "chr"
                and len(elt.args) == 1
                and isinstance(gen.target, ast.Name)
                and isinstance(elt.args[0], ast.Name)
                and elt.args[0].id == gen.target.id
                and not gen.ifs
            ):
                codes = self._int_list(gen.iter, scope)
                if codes is None:
                    return None
                try:
                    return [Folded(chr(c), True, True) for c in codes]
                except (ValueError, OverflowError):
                    return None
            return None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "map"
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "chr"
        ):
            codes = self._int_list(node.args[1], scope)
            if codes is None:
                return None
            try:
                return [Folded(chr(c), True, True) for c in codes]
            except (ValueError, OverflowError):
                return None
        folded = self.fold(node, scope, depth + 1)
        if folded is None:
            return None
        return [Folded(c, folded.obfuscated, folded.decoded) for c in folded.text]

    def _int_list(self, node: ast.expr, scope: Scope) -> list[int] | None:
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id)
            if found and len(found) == 1 and found[0].expr is not None:
                node = found[0].expr
        if not isinstance(node, ast.List | ast.Tuple) or len(node.elts) > MAX_FOLD:
            return None
        values = [
            e.value for e in node.elts if isinstance(e, ast.Constant) and type(e.value) is int
        ]
        return values if len(values) == len(node.elts) else None

    # Text of commands ----------------------------------------------------------------------

    def text(self, node: ast.expr, scope: Scope, depth: int = 0) -> str:
        """Best-effort text of a command (unknown parts become ``…``)."""
        if depth > MAX_DEPTH:
            return "…"
        folded = self.fold(node, scope, depth + 1)
        if folded is not None:
            return folded.text
        if isinstance(node, ast.List | ast.Tuple):
            return " ".join(self.text(e, scope, depth + 1) for e in node.elts[:MAX_ELEMENTS])
        if isinstance(node, ast.JoinedStr):
            return "".join(
                v.value
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                else self.text(v.value, scope, depth + 1)
                if isinstance(v, ast.FormattedValue)
                else "…"
                for v in node.values
            )
        if isinstance(node, ast.BinOp):
            left = self.text(node.left, scope, depth + 1)
            if isinstance(node.op, ast.Add):
                return left + self.text(node.right, scope, depth + 1)
            if isinstance(node.op, ast.Div):
                return left + "/" + self.text(node.right, scope, depth + 1)
            return left
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id)
            if found and found[-1].kind is BindKind.VALUE and found[-1].expr is not None:
                return self.text(found[-1].expr, found[-1].scope, depth + 1)
            return "…"
        if isinstance(node, ast.Attribute):
            if self.symbol(node, scope) == "sys.executable":
                return "python"
            return "…"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                if func.attr == "join" and len(node.args) == 1:
                    sep = self.fold(func.value, scope, depth + 1)
                    inner = node.args[0]
                    if isinstance(inner, ast.List | ast.Tuple):
                        joiner = sep.text if sep else " "
                        return joiner.join(self.text(e, scope, depth + 1) for e in inner.elts)
                    return self.text(inner, scope, depth + 1)
                if func.attr in ("format", "strip", "encode", "decode", "replace"):
                    return self.text(func.value, scope, depth + 1)
            sym = self.symbol(func, scope, depth + 1)
            if sym in ("os.path.join", "posixpath.join", "ntpath.join"):
                return "/".join(self.text(a, scope, depth + 1) for a in node.args)
            if sym in ("shlex.split", "builtins.str", "shlex.join", "os.fspath"):
                return " ".join(self.text(a, scope, depth + 1) for a in node.args)
        return "…"

    # Origins -------------------------------------------------------------------------------

    def origins(self, node: ast.expr, scope: Scope, depth: int = 0) -> Origin:
        """Where the value of ``node`` comes from."""
        key = id(node)
        memo = self._memo.get(key)
        if memo is not None:
            return memo
        if depth > MAX_DEPTH or key in self._active:
            return Origin.NONE
        self._active.add(key)
        try:
            found = self._origins(node, scope, depth)
        finally:
            self._active.discard(key)
        self._memo[key] = found
        return found

    def string_origins(self, value: str | bytes) -> Origin:
        """:func:`string_origins`, cached per file."""
        found = self._string_memo.get(value)
        if found is None:
            found = string_origins(value)
            self._string_memo[value] = found
        return found

    def _origins(self, node: ast.expr, scope: Scope, depth: int) -> Origin:
        d = depth + 1
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str | bytes):
                return self.string_origins(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Origin.LITERAL
            return Origin.NONE
        if isinstance(node, ast.Name):
            return self._name_origins(node, scope, d)
        if isinstance(node, ast.Call):
            return self._call_origins(node, scope, d)
        if isinstance(node, ast.Attribute):
            if node.attr in ("environ", "environb") and self.symbol(node, scope) in (
                "os.environ",
                "os.environb",
            ):
                return Origin.ENV
            return self.origins(node.value, scope, d)
        if isinstance(node, ast.Subscript):
            return self._subscript_origins(node, scope, d)
        if isinstance(node, ast.JoinedStr):
            found = Origin.LITERAL
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    found |= self._dump_env(self.origins(part.value, scope, d))
            return found
        if isinstance(node, ast.BinOp):
            found = self.origins(node.left, scope, d) | self.origins(node.right, scope, d)
            if isinstance(node.op, ast.Mod):
                found = self._dump_env(found)
            elif isinstance(node.op, ast.Div):
                found |= self.path_origins(node, scope, d)
            return found
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return self._union(node.elts, scope, d)
        if isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
            return self._union(keys, scope, d) | self._union(node.values, scope, d)
        if isinstance(node, ast.IfExp):
            return self.origins(node.body, scope, d) | self.origins(node.orelse, scope, d)
        if isinstance(node, ast.BoolOp):
            return self._union(node.values, scope, d)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return self._comprehension_origins(node, scope, d)
        if isinstance(node, ast.Starred | ast.Await | ast.NamedExpr | ast.UnaryOp):
            inner = node.operand if isinstance(node, ast.UnaryOp) else node.value
            return self.origins(inner, scope, d)
        if isinstance(node, ast.FormattedValue):
            return self.origins(node.value, scope, d)
        return Origin.NONE

    def _union(self, nodes: list[ast.expr], scope: Scope, depth: int) -> Origin:
        found = Origin.NONE
        for item in nodes[:MAX_ELEMENTS]:
            found |= self.origins(item, scope, depth)
        if len(nodes) > MAX_ELEMENTS:
            found |= Origin.LITERAL
        return found

    @staticmethod
    def _dump_env(found: Origin) -> Origin:
        if found & Origin.ENV:
            return (found & ~Origin.ENV) | Origin.ENV_DUMP
        return found

    def _name_origins(self, node: ast.Name, scope: Scope, depth: int) -> Origin:
        found_bindings = (scope.lookup(node.id) or [])[-8:]
        found_bindings += (scope.lookup(node.id + "[]") or [])[-8:]
        found = Origin.NONE
        for binding in found_bindings:
            if binding.kind is BindKind.VALUE and binding.expr is not None:
                found |= self.origins(binding.expr, binding.scope, depth)
            elif binding.kind is BindKind.ELEMENT and binding.expr is not None:
                found |= self._dump_env(self.origins(binding.expr, binding.scope, depth))
            elif binding.kind is BindKind.IMPORT and binding.symbol in ("os.environ",):
                found |= Origin.ENV
        return found

    def _subscript_origins(self, node: ast.Subscript, scope: Scope, depth: int) -> Origin:
        value = self.origins(node.value, scope, depth)
        if value & Origin.ENV and not isinstance(node.slice, ast.Slice):
            key = self.fold(node.slice, scope, depth)
            return env_key_origins(key.text) if key else Origin.NONE
        if _is_reverse_slice(node.slice) and value & (Origin.EMBEDDED | Origin.ENCODED):
            return value | Origin.OBFUSCATED
        return value

    def _comprehension_origins(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        scope: Scope,
        depth: int,
    ) -> Origin:
        source = Origin.NONE
        for gen in node.generators:
            source |= self.origins(gen.iter, scope, depth)
        if isinstance(node, ast.DictComp):
            element = self.origins(node.key, scope, depth) | self.origins(node.value, scope, depth)
        else:
            element = self.origins(node.elt, scope, depth)
        found = self._dump_env(source) | element
        if self._transforms_chars(node) and all(
            self._literal_source(gen.iter, scope, 0) for gen in node.generators
        ):
            found |= Origin.OBFUSCATED
        return found

    def _literal_source(self, node: ast.expr, scope: Scope, depth: int) -> bool:
        """Whether ``node`` is data written in the file: a literal, a container of literals,
        or a name bound once to one."""
        if depth > 4:
            return False
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | bytes | int) and not isinstance(node.value, bool)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return bool(node.elts) and all(
                self._literal_source(e, scope, depth + 1) for e in node.elts[:MAX_ELEMENTS]
            )
        if isinstance(node, ast.Subscript):
            return self._literal_source(node.value, scope, depth + 1)
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id)
            if not found or len(found) != 1 or found[0].expr is None:
                return False
            if found[0].kind not in (BindKind.VALUE, BindKind.ELEMENT):
                return False
            return self._literal_source(found[0].expr, found[0].scope, depth + 1)
        return False

    @staticmethod
    def _transforms_chars(node: ast.expr) -> bool:
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else []
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            elements = [node.elt]
        for element in elements:
            for sub in ast.walk(element):
                if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.BitXor):
                    return True
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Name)
                    and sub.func.id in ("chr", "ord")
                ):
                    return True
        return False

    def _call_origins(self, node: ast.Call, scope: Scope, depth: int) -> Origin:
        func = node.func
        sym = self.symbol(func, scope)
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = self.origins(func.value, scope, depth) if isinstance(func, ast.Attribute) else 0
        receiver = Origin(receiver)
        positional = self._union(list(node.args), scope, depth)
        keywords = Origin.NONE
        for kw in node.keywords:
            if kw.arg != "env":
                keywords |= self.origins(kw.value, scope, depth)
        args = positional | keywords
        if sym is not None:
            special = self._known_call_origins(node, sym, scope, args, receiver, depth)
            if special is not None:
                return special
        if method is not None:
            special = self._method_origins(node, method, scope, args, receiver, depth)
            if special is not None:
                return special
        local = self._local_function(sym) if sym is not None else None
        if local is not None and self.talks_to_network(local):
            # What a call to the network answers is not the secret that authenticated it:
            # the result is what the function returns, not its arguments.
            return self.returns(local, depth)
        found = (args | receiver) & ~Origin.ENV
        if positional & Origin.ENV:
            found |= Origin.ENV_DUMP
        if local is not None:
            found |= self.returns(local, depth)
        return found

    def _local_function(self, sym: str) -> str | None:
        """The key of the local function a call symbol names (``.f``, ``.C().method``)."""
        if not sym.startswith("."):
            return None
        key = sym[1:].replace("().", ".")
        return key if key in self.info.functions else None

    def talks_to_network(self, key: str, depth: int = 0) -> bool:
        """Whether local function ``key`` makes a network call, itself or through the local
        functions it calls (three levels deep)."""
        known = self._network_memo.get(key)
        if known is not None:
            return known
        scope = self.info.functions.get(key)
        if scope is None or scope.kind != "function" or depth > 3:
            return False
        self._network_memo[key] = False
        found = False
        for call in scope.calls:
            sym = self.symbol(call.func, scope)
            if sym is None:
                continue
            if symbols.sends(sym) or sym in symbols.FETCHERS:
                found = True
                break
            inner = self._local_function(sym)
            if inner is not None and inner != key and self.talks_to_network(inner, depth + 1):
                found = True
                break
        self._network_memo[key] = found
        return found

    def _known_call_origins(
        self,
        node: ast.Call,
        sym: str,
        scope: Scope,
        args: Origin,
        receiver: Origin,
        depth: int,
    ) -> Origin | None:
        if sym in symbols.DECODERS or sym in symbols.DECOMPRESSORS:
            return self._transform(args | receiver)
        if sym in ("codecs.decode", "codecs.encode") and len(node.args) >= 2:
            codec = self.fold(node.args[1], scope, depth)
            if codec and codec.text.lower().replace("-", "_") in symbols.CODEC_TRANSFORMS:
                return self._transform(args)
            return args & ~Origin.ENV
        if sym in ("builtins.bytes", "builtins.bytearray") and node.args:
            arg = node.args[0]
            if (
                isinstance(arg, ast.List | ast.Tuple)
                and len(arg.elts) >= 8
                and all(isinstance(e, ast.Constant) for e in arg.elts[:MAX_ELEMENTS])
            ):
                return Origin.LITERAL | Origin.OBFUSCATED
            return None
        if sym == "builtins.chr":
            if node.args and self._literal_source(node.args[0], scope, 0):
                return args | Origin.OBFUSCATED
            return args & ~Origin.ENV
        if sym == "builtins.map" and node.args and len(node.args) >= 2:
            mapper = node.args[0]
            if isinstance(mapper, ast.Name) and mapper.id in ("chr", "ord"):
                source = self.origins(node.args[1], scope, depth)
                if self._literal_source(node.args[1], scope, 0):
                    return source | Origin.OBFUSCATED
            return None
        if sym in _SERIALISERS:
            return (args | receiver) & _SECRETS_CARRIED
        if sym in _PATH_JOINERS:
            return ((args | receiver) & ~Origin.ENV) | self.path_origins(node, scope, depth)
        if sym in symbols.FETCHERS or sym.removesuffix("()") in symbols.FETCHERS:
            return Origin.DOWNLOADED
        if symbols.sends(sym) or symbols.sends(sym.removesuffix("()")):
            # A connection, a request object or what a send returns: not the data sent.
            return Origin.NONE
        if sym in symbols.FINGERPRINT:
            return Origin.FINGERPRINT
        if sym in symbols.TEMP_SOURCES:
            return Origin.TEMP_PATH
        if sym in ("os.getenv", "os.environ.get", "os.environ.pop", "os.environ.setdefault"):
            if not node.args:
                return Origin.NONE
            key = self.fold(node.args[0], scope, depth)
            return env_key_origins(key.text) if key else Origin.NONE
        if sym in ("os.environ.copy", "os.environ.items", "os.environ.keys", "os.environ.values"):
            return Origin.ENV_DUMP
        if sym in ("builtins.open", "io.open", "codecs.open", "os.open", "sqlite3.connect"):
            path = self.origins(node.args[0], scope, depth) if node.args else Origin.NONE
            found = Origin.FILE | (path & _PATHS)
            if path & Origin.CRED_PATH:
                found |= Origin.CRED_FILE
            return found
        if sym in ("shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree"):
            path = self.origins(node.args[0], scope, depth) if node.args else Origin.NONE
            return (args & ~Origin.ENV) | (Origin.CRED_FILE if path & Origin.CRED_PATH else 0)
        return None

    def _method_origins(
        self,
        node: ast.Call,
        method: str,
        scope: Scope,
        args: Origin,
        receiver: Origin,
        depth: int,
    ) -> Origin | None:
        if method in ("read_text", "read_bytes", "read", "readlines", "readline"):
            found = receiver & ~Origin.ENV
            if receiver & Origin.CRED_PATH:
                found |= Origin.CRED_FILE
            return found | Origin.FILE
        if method == "translate" and node.args:
            return self._transform(receiver)
        if method in ("decode", "encode") and node.args:
            codec = self.fold(node.args[0], scope, depth)
            if codec and codec.text.lower().replace("-", "_") in symbols.CODEC_TRANSFORMS:
                return self._transform(receiver)
            return None
        if method in ("items", "keys", "values", "copy") and receiver & Origin.ENV:
            return Origin.ENV_DUMP
        if method in ("get", "pop", "setdefault") and receiver & Origin.ENV:
            if not node.args:
                return Origin.NONE
            key = self.fold(node.args[0], scope, depth)
            return env_key_origins(key.text) if key else Origin.NONE
        return None

    def path_origins(self, node: ast.expr, scope: Scope, depth: int) -> Origin:
        """Labels of a path built from parts (``os.path.join(home, ".aws", "credentials")``)."""
        text = self.text(node, scope, depth)
        found = Origin.NONE
        if strings.credential_in(text):
            found |= Origin.CRED_PATH
        if strings.persistence_in(text):
            found |= Origin.PERSIST_PATH
        if strings.is_temp_path(text):
            found |= Origin.TEMP_PATH
        return found

    @staticmethod
    def _transform(source: Origin) -> Origin:
        if source & (Origin.EMBEDDED | Origin.ENCODED | Origin.OBFUSCATED):
            found = Origin.OBFUSCATED
        elif source & Origin.DOWNLOADED:
            found = Origin.DOWNLOADED
        else:
            found = Origin.DECODED
        return found | (source & _CARRY)

    def returns(self, key: str, depth: int) -> Origin:
        """The origins of what local function ``key`` returns."""
        scope = self.info.functions.get(key)
        if scope is None or scope.kind != "function" or key in self._returns_active:
            return Origin.NONE
        self._returns_active.add(key)
        try:
            return self._union(scope.returns, scope, depth + 1)
        finally:
            self._returns_active.discard(key)
