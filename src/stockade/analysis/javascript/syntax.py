"""Parsing JavaScript with tree-sitter (never running it) and reading literal values."""

from __future__ import annotations

import re
from functools import lru_cache

import tree_sitter_javascript
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "generator_function_declaration",
        "generator_function",
        "method_definition",
    }
)
"""Node types that start a new function scope."""

STRING_TYPES = frozenset({"string", "template_string"})
"""Node types of string literals."""

_WRAPPERS = frozenset({"parenthesized_expression", "sequence_expression"})
_ESCAPE = re.compile(
    r"\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|(\r\n|\n|\r)|(.))",
    re.DOTALL,
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

_STRUCTURE_QUERY = """
(call_expression) @call
(new_expression) @call
(import_statement) @import
(variable_declarator) @declarator
(assignment_expression) @assign
(augmented_assignment_expression) @assign
(formal_parameters) @params
(for_in_statement) @loop
(function_declaration) @scope
(function_expression) @scope
(arrow_function) @scope
(generator_function) @scope
(generator_function_declaration) @scope
(method_definition) @scope
"""


@lru_cache(maxsize=1)
def language() -> Language:
    """The JavaScript grammar."""
    return Language(tree_sitter_javascript.language())


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(language())


@lru_cache(maxsize=1)
def structure_query() -> Query:
    """Calls, constructions, imports, functions, declarations, assignments and parameters."""
    return Query(language(), _STRUCTURE_QUERY)


def parse(source: bytes) -> Tree:
    """The syntax tree of ``source`` (tree-sitter recovers from errors; nothing is run)."""
    return _parser().parse(source)


def captures(query: Query, node: Node) -> dict[str, list[Node]]:
    """The query's captures under ``node``, by capture name."""
    return QueryCursor(query).captures(node)


def node_text(node: Node) -> str:
    """The source text of ``node``."""
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


def unwrap(node: Node) -> Node:
    """``node`` without parentheses; for a sequence ``(0, f)`` its last expression."""
    while True:
        if node.type in _WRAPPERS and node.named_child_count:
            node = node.named_children[-1]
        else:
            return node


def unescape_js(raw: str) -> str:
    """The value of the body of a JavaScript string literal with its escapes resolved."""
    if "\\" not in raw:
        return raw

    def one(match: re.Match[str]) -> str:
        hex2, braced, hex4, newline, other = match.groups()
        code = hex2 or braced or hex4
        if code:
            try:
                return chr(int(code, 16))
            except (ValueError, OverflowError):
                return ""
        if newline:
            return ""
        return _SIMPLE_ESCAPES.get(other, other)

    return _ESCAPE.sub(one, raw)


def string_value(node: Node) -> str | None:
    """The value of a string literal, or a template literal without substitutions."""
    if node.type == "string":
        parts = [node_text(child) for child in node.named_children]
        return unescape_js("".join(parts))
    if node.type == "template_string":
        pieces = []
        for child in node.named_children:
            if child.type == "template_substitution":
                return None
            pieces.append(node_text(child))
        return unescape_js("".join(pieces))
    return None


def callee(call: Node) -> Node | None:
    """The called expression of a call or ``new`` expression."""
    field = "constructor" if call.type == "new_expression" else "function"
    found = call.child_by_field_name(field)
    return unwrap(found) if found is not None else None


def arguments(call: Node) -> list[Node]:
    """The argument expressions of a call or ``new`` expression (comments left out)."""
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [child for child in args.named_children if child.type != "comment"]


def function_name(function: Node) -> str | None:
    """The name a function is declared or assigned under, if any."""
    name = function.child_by_field_name("name")
    if name is not None and function.type != "method_definition":
        return node_text(name)
    parent = function.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
    elif parent.type == "assignment_expression":
        target = parent.child_by_field_name("left")
    else:
        return None
    if target is not None and target.type == "identifier":
        return node_text(target)
    return None


def last_name(node: Node) -> str | None:
    """The last name in a called expression: ``exec`` for ``cp.exec``, ``eval`` for ``eval``."""
    if node.type == "identifier":
        return node_text(node)
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return node_text(prop) if prop is not None else None
    if node.type == "subscript_expression":
        index = node.child_by_field_name("index")
        return string_value(index) if index is not None else None
    return None
