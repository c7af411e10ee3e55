"""One pass over a module's syntax tree: scopes, name bindings, calls, strings and call edges.

Nothing is judged here. The tree is walked once, iteratively (obfuscated code nests deeply), and
every node the checks need later is filed under the scope it runs in.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

from stockade.analysis.model import Phase

MAX_BINDINGS = 12
"""How many assignments of one name in one scope are remembered (the last ones)."""


class BindKind(IntEnum):
    """How a name got its value."""

    IMPORT = 1
    """``import m`` / ``from m import n``: ``symbol`` is the dotted name."""
    VALUE = 2
    """``x = expr`` (also ``with expr as x``, ``x := expr``): ``expr`` is the value."""
    ELEMENT = 3
    """``for x in expr`` and comprehensions: ``x`` is an element of ``expr``."""
    DEF = 4
    """``def x`` / ``class x``: ``symbol`` is the local key (``f``, ``C``, ``C.m``)."""
    PARAM = 5
    """A function parameter or an exception name: unknown."""


@dataclass(slots=True, eq=False)
class Binding:
    """One binding of a name."""

    kind: BindKind
    scope: Scope
    symbol: str | None = None
    expr: ast.expr | None = None


@dataclass(slots=True, eq=False)
class Scope:
    """A module, class body, function body, or the ``if __name__ == "__main__"`` block."""

    kind: str
    """``module``, ``main``, ``class`` or ``function``."""
    key: str
    """``""`` for the module, ``f``/``C``/``C.m``/``f.g`` for definitions."""
    parent: Scope | None
    node: ast.AST | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    strings: list[ast.Constant] = field(default_factory=list)
    env_reads: list[ast.Subscript] = field(default_factory=list)
    loops: list[ast.expr] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    returns: list[ast.expr] = field(default_factory=list)
    declared_global: set[str] = field(default_factory=set)
    class_key: str | None = None
    methods: dict[str, Scope] = field(default_factory=dict)
    bases: list[ast.expr] = field(default_factory=list)
    phase: Phase = Phase.RUNTIME

    def bind(self, name: str, binding: Binding) -> None:
        """Record a binding of ``name`` here (or in the module for ``global`` names)."""
        target = self
        if name in self.declared_global:
            while target.parent is not None:
                target = target.parent
        found = target.bindings.setdefault(name, [])
        found.append(binding)
        if len(found) > MAX_BINDINGS:
            del found[0]

    def lookup(self, name: str) -> list[Binding] | None:
        """The bindings ``name`` refers to from here (Python's scoping, class bodies skipped)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if scope.kind != "class" or first:
                found = scope.bindings.get(name)
                if found:
                    return found
            first = False
            scope = scope.parent
        return None

    @property
    def module(self) -> Scope:
        """The module scope."""
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(slots=True)
class ModuleInfo:
    """Everything collected from one module."""

    module: Scope
    scopes: list[Scope]
    """Every scope, parents before children."""
    functions: dict[str, Scope]
    """Function and class scopes by key."""
    imports: list[tuple[str, int]]
    """Dotted module names imported at module level (absolute), with their line."""
    stars: list[str]
    """Modules star-imported at module level."""
    bare_calls: set[int]
    """ids of calls whose result is discarded (expression statements)."""
    identifiers: dict[str, int]
    """Identifiers (names, attributes, definitions, parameters) with their first line."""
    line_calls: Counter[int]
    """Calls per line, for the lines of interest."""
    line_statements: Counter[int]
    """Statements per line, for the lines of interest."""

    def release(self) -> None:
        """Break the reference cycles between scopes and bindings, so that the module's
        scopes and syntax tree are freed at once rather than by the cyclic collector."""
        for scope in self.scopes:
            scope.bindings = {}
            scope.methods = {}
            scope.parent = None
        self.functions = {}


_SKIPPED_FIELDS = frozenset(
    {"ctx", "op", "ops", "type_comment", "annotation", "returns", "type_ignores", "type_params"}
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that hold child nodes that matter (no contexts, operators or
    annotations), last first (the order they are pushed on a stack to be visited in order)."""
    names: tuple[str, ...] = getattr(cls, "_fields", ())
    fields = tuple(f for f in reversed(names) if f not in _SKIPPED_FIELDS)
    _FIELDS[cls] = fields
    return fields


_OTHER, _NAME, _CONSTANT, _BINDER, _CALL, _ATTRIBUTE, _EXPR = 0, 1, 2, 3, 4, 5, 6
_FUNCTION, _CLASS, _LAMBDA, _IF, _ANNOTATED = 7, 8, 9, 10, 11
_BINDERS = (
    {ast.Assign, ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.comprehension}
    | {ast.With, ast.AsyncWith, ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal}
    | {ast.ExceptHandler, ast.Return, ast.Subscript}
)
_KINDS: dict[type, int] = {
    ast.Name: _NAME,
    ast.Constant: _CONSTANT,
    ast.Call: _CALL,
    ast.Attribute: _ATTRIBUTE,
    ast.Expr: _EXPR,
    ast.FunctionDef: _FUNCTION,
    ast.AsyncFunctionDef: _FUNCTION,
    ast.ClassDef: _CLASS,
    ast.Lambda: _LAMBDA,
    ast.If: _IF,
    ast.AnnAssign: _ANNOTATED,
    **dict.fromkeys(_BINDERS, _BINDER),
}
"""How :meth:`Collector.collect` treats each node class (others: only their children)."""


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and consts)


_CALLBACK_TAKERS = ("Thread", "Timer", "Process", "register", "start_new_thread", "submit")


class Collector:
    """Walks one module and fills a :class:`ModuleInfo`."""

    def __init__(self, package: str, lines_of_interest: frozenset[int] = frozenset()) -> None:
        self._package = package
        self._lines = lines_of_interest

    def collect(self, tree: ast.Module) -> ModuleInfo:
        """Collect scopes, bindings, calls and strings of ``tree``."""
        module = Scope("module", "", None, tree)
        info = ModuleInfo(module, [module], {}, [], [], set(), {}, Counter(), Counter())
        main: Scope | None = None
        stack: list[tuple[ast.AST, Scope]] = [(n, module) for n in reversed(tree.body)]
        push = stack.append
        pop = stack.pop
        idents = info.identifiers
        lines = self._lines
        fields_of = _FIELDS
        kinds = _KINDS
        node_type = ast.AST
        while stack:
            node, scope = pop()
            cls = type(node)
            kind = kinds.get(cls, _OTHER)
            if kind is _NAME:
                name = cast(ast.Name, node)
                if name.id not in idents:
                    idents[name.id] = name.lineno
                continue
            if kind is _CONSTANT:
                if isinstance(cast(ast.Constant, node).value, str | bytes):
                    scope.strings.append(cast(ast.Constant, node))
                continue
            if lines and isinstance(node, ast.stmt) and node.lineno in lines:
                info.line_statements[node.lineno] += 1
            if kind is _OTHER:
                pass
            elif kind is _BINDER:
                self._bindings(node, scope, info)
            elif kind is _CALL:
                self._call(cast(ast.Call, node), scope, info)
            elif kind is _ATTRIBUTE:
                attribute = cast(ast.Attribute, node)
                if attribute.attr not in idents:
                    idents[attribute.attr] = attribute.lineno
            elif kind is _EXPR:
                value = cast(ast.Expr, node).value
                if type(value) is ast.Constant:
                    continue  # docstrings and comment-like strings
                if type(value) is ast.Call:
                    info.bare_calls.add(id(value))
            elif kind is _FUNCTION:
                self._function(cast(ast.FunctionDef, node), scope, stack, info)
                continue
            elif kind is _CLASS:
                self._class(cast(ast.ClassDef, node), scope, stack, info)
                continue
            elif kind is _LAMBDA:
                function = cast(ast.Lambda, node)
                stack.extend((d, scope) for d in reversed(function.args.defaults))
                push((function.body, scope))
                continue
            elif kind is _IF:
                branch = cast(ast.If, node)
                if scope.kind == "module" and _is_main_guard(branch.test):
                    if main is None:
                        main = Scope("main", "", module, node, bindings=module.bindings)
                        info.scopes.append(main)
                    stack.extend((n, scope) for n in reversed(branch.orelse))
                    stack.extend((n, main) for n in reversed(branch.body))
                    continue
            elif kind is _ANNOTATED:
                annotated = cast(ast.AnnAssign, node)
                if annotated.value is not None:
                    self._assign(annotated.target, annotated.value, scope)
                    push((annotated.value, scope))
                continue
            fields = fields_of.get(cls)
            if fields is None:
                fields = _fields(cls)
            for field_name in fields:
                child: object = getattr(node, field_name, None)
                if child is None:
                    continue
                if isinstance(child, list):
                    for item in reversed(child):
                        if isinstance(item, node_type):
                            push((item, scope))
                elif isinstance(child, node_type):
                    push((child, scope))
        return info

    # Definitions ---------------------------------------------------------------------------

    def _key(self, scope: Scope, name: str) -> str:
        return f"{scope.key}.{name}" if scope.key else name

    def _function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        scope: Scope,
        stack: list[tuple[ast.AST, Scope]],
        info: ModuleInfo,
    ) -> None:
        key = self._key(scope, node.name)
        scope.bind(node.name, Binding(BindKind.DEF, scope, symbol=key))
        if node.name not in info.identifiers:
            info.identifiers[node.name] = node.lineno
        inner = Scope("function", key, scope, node)
        if scope.kind == "class":
            inner.class_key = scope.key
            scope.methods[node.name] = inner
        info.functions[key] = inner
        info.scopes.append(inner)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            inner.params.append(arg.arg)
            inner.bind(arg.arg, Binding(BindKind.PARAM, inner))
            if arg.arg not in info.identifiers:
                info.identifiers[arg.arg] = node.lineno
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                inner.bind(extra.arg, Binding(BindKind.PARAM, inner))
        for decorator in node.decorator_list:
            text = ast.unparse(decorator) if isinstance(decorator, ast.Attribute) else ""
            if text.endswith("register"):
                scope.edges.append(("name", node.name))
        stack.extend((n, inner) for n in reversed(node.body))
        stack.extend((d, scope) for d in reversed(node.decorator_list))
        stack.extend((d, scope) for d in reversed(args.defaults))
        stack.extend((d, scope) for d in reversed(args.kw_defaults) if d is not None)

    def _class(
        self, node: ast.ClassDef, scope: Scope, stack: list[tuple[ast.AST, Scope]], info: ModuleInfo
    ) -> None:
        key = self._key(scope, node.name)
        scope.bind(node.name, Binding(BindKind.DEF, scope, symbol=key))
        if node.name not in info.identifiers:
            info.identifiers[node.name] = node.lineno
        inner = Scope("class", key, scope, node, bases=list(node.bases))
        info.functions[key] = inner
        info.scopes.append(inner)
        stack.extend((n, inner) for n in reversed(node.body))
        stack.extend((d, scope) for d in reversed(node.decorator_list))
        stack.extend((b, scope) for b in reversed(node.bases))
        stack.extend((k.value, scope) for k in reversed(node.keywords))

    # Calls ---------------------------------------------------------------------------------

    def _call(self, node: ast.Call, scope: Scope, info: ModuleInfo) -> None:
        scope.calls.append(node)
        if self._lines and node.lineno in self._lines:
            info.line_calls[node.lineno] += 1
        func = node.func
        if isinstance(func, ast.Name):
            scope.edges.append(("name", func.id))
            taker = func.id
        elif isinstance(func, ast.Attribute):
            taker = func.attr
            value = func.value
            if isinstance(value, ast.Name):
                if value.id in ("self", "cls"):
                    scope.edges.append(("self", func.attr))
                else:
                    scope.edges.append(("attr", f"{value.id}.{func.attr}"))
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                scope.edges.append(("name", value.func.id))
                scope.edges.append(("attr", f"{value.func.id}.{func.attr}"))
        else:
            return
        if taker.endswith(_CALLBACK_TAKERS):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Name):
                    scope.edges.append(("name", arg.id))
                elif (
                    isinstance(arg, ast.Attribute)
                    and isinstance(arg.value, ast.Name)
                    and arg.value.id in ("self", "cls")
                ):
                    scope.edges.append(("self", arg.attr))

    # Bindings ------------------------------------------------------------------------------

    def _bindings(self, node: ast.AST, scope: Scope, info: ModuleInfo) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._assign(target, node.value, scope)
        elif isinstance(node, ast.AugAssign | ast.NamedExpr):
            self._assign(node.target, node.value, scope)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            self._element(node.target, node.iter, scope)
            scope.loops.append(node.iter)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, item.context_expr, scope)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.bind(alias.asname, Binding(BindKind.IMPORT, scope, symbol=alias.name))
                else:
                    top = alias.name.split(".", 1)[0]
                    scope.bind(top, Binding(BindKind.IMPORT, scope, symbol=top))
                if scope.kind == "module":
                    info.imports.append((alias.name, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = self._absolute(node.module, node.level)
            if base is None:
                return
            for alias in node.names:
                if alias.name == "*":
                    if scope.kind == "module":
                        info.stars.append(base)
                    continue
                symbol = f"{base}.{alias.name}" if base else alias.name
                scope.bind(alias.asname or alias.name, Binding(BindKind.IMPORT, scope, symbol))
                if scope.kind == "module":
                    info.imports.append((symbol, node.lineno))
            if scope.kind == "module" and base:
                info.imports.append((base, node.lineno))
        elif isinstance(node, ast.Global | ast.Nonlocal):
            if isinstance(node, ast.Global):
                scope.declared_global.update(node.names)
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                scope.bind(node.name, Binding(BindKind.PARAM, scope))
        elif isinstance(node, ast.Return):
            if node.value is not None:
                scope.returns.append(node.value)
        elif isinstance(node, ast.Subscript):
            value = node.value
            if (isinstance(value, ast.Attribute) and value.attr in ("environ", "environb")) or (
                isinstance(value, ast.Name) and value.id == "environ"
            ):
                scope.env_reads.append(node)

    def _absolute(self, module: str | None, level: int) -> str | None:
        if level == 0:
            return module or ""
        parts = self._package.split(".") if self._package else []
        if level - 1 > len(parts):
            return None
        base = parts[: len(parts) - (level - 1)]
        if module:
            base.append(module)
        return ".".join(base)

    def _assign(self, target: ast.expr, value: ast.expr, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, Binding(BindKind.VALUE, scope, expr=value))
        elif isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                for sub, val in zip(target.elts, value.elts, strict=True):
                    self._assign(sub, val, scope)
            else:
                for sub in target.elts:
                    self._element(sub, value, scope)
        elif isinstance(target, ast.Starred):
            self._element(target.value, value, scope)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            key = target.slice.value if isinstance(target.slice, ast.Constant) else None
            symbol = key if isinstance(key, str) else None
            scope.bind(
                target.value.id + "[]", Binding(BindKind.VALUE, scope, symbol=symbol, expr=value)
            )

    def _element(self, target: ast.expr, source: ast.expr, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, Binding(BindKind.ELEMENT, scope, expr=source))
        elif isinstance(target, ast.Tuple | ast.List):
            for sub in target.elts:
                self._element(sub, source, scope)
        elif isinstance(target, ast.Starred):
            self._element(target.value, source, scope)
