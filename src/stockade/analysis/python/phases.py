"""When each function of a module runs: a small call graph from module-level code, setuptools
command classes and build-backend hooks.

Module-level code runs in the module's phase (install for setup.py, import for a package's
``__init__.py``); a function runs in that phase too when module-level code calls it (directly,
through a class it instantiates, or as a thread/atexit target), and so on transitively. Methods
of setuptools command classes and PEP 517 hooks of an in-tree backend run at install time.
Everything else runs only when called: runtime.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field

from stockade.analysis.model import Phase
from stockade.analysis.python import symbols
from stockade.analysis.python.flow import Evaluator
from stockade.analysis.python.scopes import BindKind, ModuleInfo, Scope

_RANK = {Phase.RUNTIME: 0, Phase.IMPORT: 1, Phase.INSTALL: 2}


def rank(phase: Phase) -> int:
    """0 for runtime, 1 for import, 2 for install."""
    return _RANK[phase]


def runs_automatically(phase: Phase | None) -> bool:
    """Whether code of this phase runs without anyone calling it (install or import)."""
    return phase in (Phase.INSTALL, Phase.IMPORT)


@dataclass(frozen=True, slots=True)
class CommandHook:
    """A setuptools command overridden through ``cmdclass``."""

    command: str
    """The command name (``install``, ``develop`` ...)."""
    target: str
    """The class: a local key (``.PostInstall``) or a dotted name in another module."""
    line: int


@dataclass(slots=True)
class PhasePlan:
    """What decides the phases of one module."""

    module_phase: Phase
    main_phase: Phase
    install_classes: set[str] = field(default_factory=set)
    """Local class keys whose methods run at install time."""
    backend: bool = False
    """Whether the module is an in-tree build backend (its PEP 517 hooks run at install)."""
    entries: dict[str, Phase] = field(default_factory=dict)
    """Functions or classes of this module that other modules call at install or import time."""


def command_hooks(info: ModuleInfo, ev: Evaluator) -> list[CommandHook]:
    """The ``cmdclass`` entries of ``setup(...)`` calls in the module."""
    hooks: list[CommandHook] = []
    for scope in info.scopes:
        for call in scope.calls:
            sym = ev.symbol(call.func, scope)
            if sym is None or not (sym == "setup" or sym.endswith(".setup")):
                continue
            for kw in call.keywords:
                if kw.arg == "cmdclass":
                    for name, value in _mapping_entries(kw.value, scope, ev, 0):
                        target = _class_target(value, scope, ev)
                        if target:
                            hooks.append(CommandHook(name, target, call.lineno))
    return hooks


def _mapping_entries(
    node: ast.expr, scope: Scope, ev: Evaluator, depth: int
) -> list[tuple[str, ast.expr]]:
    if depth > 4:
        return []
    entries: list[tuple[str, ast.expr]] = []
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                entries.extend(_mapping_entries(value, scope, ev, depth + 1))
                continue
            folded = ev.fold(key, scope)
            if folded:
                entries.append((folded.text, value))
    elif isinstance(node, ast.Call) and ev.symbol(node.func, scope) == "builtins.dict":
        for kw in node.keywords:
            if kw.arg:
                entries.append((kw.arg, kw.value))
        for arg in node.args:
            entries.extend(_mapping_entries(arg, scope, ev, depth + 1))
    elif isinstance(node, ast.Name):
        for binding in scope.lookup(node.id) or []:
            if binding.kind is BindKind.VALUE and binding.expr is not None:
                entries.extend(_mapping_entries(binding.expr, binding.scope, ev, depth + 1))
        for binding in scope.lookup(node.id + "[]") or []:
            if binding.symbol and binding.expr is not None:
                entries.append((binding.symbol, binding.expr))
        for call in scope.module.calls + scope.calls:
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "update"
                and isinstance(func.value, ast.Name)
                and func.value.id == node.id
            ):
                for arg in call.args:
                    entries.extend(_mapping_entries(arg, scope, ev, depth + 1))
                for kw in call.keywords:
                    if kw.arg:
                        entries.append((kw.arg, kw.value))
    return entries


def _class_target(node: ast.expr, scope: Scope, ev: Evaluator) -> str | None:
    sym = ev.symbol(node, scope)
    if sym is None:
        return None
    return sym


def install_classes(info: ModuleInfo, ev: Evaluator, *, install_file: bool) -> set[str]:
    """Local classes of an install-time module that subclass setuptools/distutils commands."""
    found: set[str] = set()
    if not install_file:
        return found
    changed = True
    classes = [s for s in info.scopes if s.kind == "class"]
    while changed:
        changed = False
        for scope in classes:
            if scope.key in found or scope.parent is None:
                continue
            for base in scope.bases:
                sym = ev.symbol(base, scope.parent) or ""
                last = sym.rsplit(".", 1)[-1]
                from_tools = sym.startswith(("setuptools", "distutils", "wheel", "Cython"))
                if (from_tools and last in symbols.COMMAND_BASES) or sym[1:] in found:
                    found.add(scope.key)
                    changed = True
                    break
    return found


def assign_phases(info: ModuleInfo, ev: Evaluator, plan: PhasePlan) -> None:
    """Set ``phase`` on every scope of the module."""
    reached: dict[str, Phase] = {}
    queue: deque[tuple[str, Phase]] = deque()

    def reach(key: str, phase: Phase) -> None:
        if phase is Phase.RUNTIME:
            return
        old = reached.get(key)
        if old is not None and rank(old) >= rank(phase):
            return
        reached[key] = phase
        queue.append((key, phase))

    seeds: list[tuple[Scope, Phase]] = []
    for scope in info.scopes:
        if scope.kind == "module":
            seeds.append((scope, plan.module_phase))
        elif scope.kind == "main":
            seeds.append((scope, plan.main_phase))
    for key in plan.install_classes:
        cls = info.functions.get(key)
        if cls is not None:
            for method in cls.methods.values():
                reach(method.key, Phase.INSTALL)
            reach(key, Phase.INSTALL)
    for key, phase in plan.entries.items():
        entry = info.functions.get(key)
        if entry is None:
            continue
        if entry.kind == "class":
            for name in ("__init__", "__new__", "__post_init__", "__call__"):
                reach(f"{key}.{name}", phase)
        reach(key, phase)
    if plan.backend:
        for name in symbols.PEP517_HOOKS:
            if name in info.functions:
                reach(name, Phase.INSTALL)
    for scope, phase in seeds:
        for target in _targets(scope, info, ev):
            reach(target, phase)
    # Class bodies at module level run when the module runs.
    for scope in info.scopes:
        if scope.kind == "class" and scope.parent is not None and scope.parent.kind == "module":
            reach(scope.key, plan.module_phase)
    while queue:
        key, phase = queue.popleft()
        if reached.get(key) is not phase:
            continue
        reached_scope = info.functions.get(key)
        if reached_scope is None:
            continue
        for target in _targets(reached_scope, info, ev):
            reach(target, phase)
    for scope in info.scopes:
        if scope.kind == "module":
            scope.phase = plan.module_phase
        elif scope.kind == "main":
            scope.phase = plan.main_phase
        else:
            scope.phase = reached.get(scope.key, Phase.RUNTIME)


def _targets(scope: Scope, info: ModuleInfo, ev: Evaluator) -> list[str]:
    targets: list[str] = []
    for kind, name in scope.edges:
        if kind == "name":
            targets.extend(_callee(name, scope, info))
        elif kind == "self":
            cls_key = scope.class_key
            if cls_key is not None:
                targets.append(f"{cls_key}.{name}")
        else:
            owner, _, method = name.partition(".")
            for key in _callee(owner, scope, info):
                cls = info.functions.get(key.removesuffix(".__init__"))
                if cls is not None and cls.kind == "class":
                    targets.append(f"{cls.key}.{method}")
            found = scope.lookup(owner)
            if found and found[-1].kind is BindKind.VALUE:
                expr = found[-1].expr
                if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
                    for key in _callee(expr.func.id, found[-1].scope, info):
                        cls = info.functions.get(key.removesuffix(".__init__"))
                        if cls is not None and cls.kind == "class":
                            targets.append(f"{cls.key}.{method}")
    return targets


def _callee(name: str, scope: Scope, info: ModuleInfo) -> list[str]:
    found = scope.lookup(name)
    if not found:
        return []
    binding = found[-1]
    if binding.kind is not BindKind.DEF or binding.symbol is None:
        return []
    target = info.functions.get(binding.symbol)
    if target is None:
        return []
    if target.kind == "class":
        return [f"{target.key}.{m}" for m in ("__init__", "__new__", "__post_init__")] + [
            target.key
        ]
    return [target.key]
