"""Which package names an ecosystem accepts, and how a user's ``NAME[@VERSION]`` or purl is read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from stockade import ecosystems
from stockade.ecosystems.interface import Ecosystem
from stockade.errors import InputError

_PYPI_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_NPM_MAX = 214


def name_problem(ecosystem: Ecosystem, name: str) -> str | None:
    """Why ``name`` is not a valid package name of the ecosystem, or ``None`` when it is.

    PyPI: the PEP 508 name grammar. npm: the rules npm enforces on new names (at most 214
    characters, URL-safe, no leading ``.`` or ``_``, no spaces, ``@scope/name`` for scopes);
    upper-case letters are accepted, since old packages have them.
    """
    if not name:
        return "the name is empty"
    if ecosystem is Ecosystem.PYPI:
        if not _PYPI_NAME.match(name):
            return (
                "a PyPI name has only ASCII letters, digits, '.', '-' and '_', and starts and "
                "ends with a letter or digit"
            )
        return None
    if len(name) > _NPM_MAX:
        return f"an npm name has at most {_NPM_MAX} characters"
    if name != name.strip():
        return "an npm name cannot start or end with spaces"
    parts = name[1:].split("/") if name.startswith("@") else [name]
    if name.startswith("@") and (len(parts) != 2 or not all(parts)):
        return "a scoped npm name is written @scope/name"
    if not name.startswith("@") and "/" in name:
        return "an npm name has no '/' outside a scope"
    for part in parts:
        if part.startswith((".", "_")):
            return "an npm name cannot start with '.' or '_'"
        if quote(part, safe="!'()*~-._") != part:
            return f"an npm name is URL-safe; {part!r} is not"
    return None


@dataclass(frozen=True, slots=True)
class Target:
    """A package version a user asked about."""

    ecosystem: Ecosystem
    name: str
    """Normalised name."""
    version: str | None
    """``None`` for the registry's latest."""
    given: str
    """As the user wrote it."""


def parse_target(text: str, default: Ecosystem | None = None) -> Target:
    """Read ``pkg:pypi/requests@2.32.3``, ``requests@2.32.3``, ``requests==2.32.3``,
    ``@scope/name@1.0.0`` or a bare name.

    Without a purl the ecosystem is ``default``; names starting with ``@`` are npm. Raises
    :class:`~stockade.errors.InputError` for an invalid name.
    """
    given = text
    text = text.strip()
    if text.startswith("pkg:"):
        from stockade.analysis.fetch import parse_purl

        ecosystem, name, version = parse_purl(text)
    else:
        if text.startswith("@"):
            ecosystem = Ecosystem.NPM
        elif default is not None:
            ecosystem = default
        else:
            raise InputError(
                f"{text!r}: which ecosystem? give a purl (pkg:pypi/NAME, pkg:npm/NAME) "
                "or --ecosystem pypi|npm"
            )
        version = None
        name = text
        if "==" in text and ecosystem is Ecosystem.PYPI:
            name, _, version = text.partition("==")
        else:
            head, sep, tail = (
                text[1:].rpartition("@") if text.startswith("@") else text.rpartition("@")
            )
            if sep:
                name = ("@" if text.startswith("@") else "") + head
                version = tail
        name = name.strip()
        version = (version or "").strip() or None
    problem = name_problem(ecosystem, name)
    if problem is not None:
        raise InputError(f"{given!r} is not a valid {ecosystem.value} package name: {problem}")
    return Target(ecosystem, ecosystems.get(ecosystem).normalize_name(name), version, given)
