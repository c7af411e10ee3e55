"""Poetry version constraints (``^1.2``, ``~1.2``, ``1.2.*``, ``>=1,<2 || >=3``) as PEP 440."""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_TERM = re.compile(r"\s*(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*([^\s,|<>=!~^]+)\s*,?")


def _bump(release: tuple[int, ...], index: int) -> str:
    upper = [*release[:index], release[index] + 1]
    upper += [0] * (len(release) - len(upper))
    return ".".join(str(part) for part in upper)


def _release(version: str) -> tuple[int, ...]:
    try:
        return Version(version).release
    except InvalidVersion:
        raise ValueError(f"invalid version {version!r}") from None


def _caret(version: str) -> list[str]:
    release = _release(version)
    first = next((i for i, part in enumerate(release) if part != 0), len(release) - 1)
    return [f">={version}", f"<{_bump(release, first)}"]


def _tilde(version: str) -> list[str]:
    release = _release(version)
    return [f">={version}", f"<{_bump(release, 0 if len(release) == 1 else 1)}"]


def _alternative(text: str) -> str:
    terms: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TERM.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"invalid constraint {text!r}")
        pos = match.end()
        op, version = match.group(1) or "", match.group(2)
        if version == "*":
            if op not in ("", "=", "=="):
                raise ValueError(f"invalid constraint {text!r}")
            continue
        if op == "^":
            terms += _caret(version)
        elif op == "~":
            terms += _tilde(version)
        elif op in ("", "="):
            terms.append(f"=={version}")
        else:
            terms.append(f"{op}{version}")
    spec = ",".join(terms)
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        raise ValueError(f"invalid constraint {text!r}") from None
    return spec


def to_pep440(constraint: str) -> str:
    """A Poetry constraint as a PEP 440 specifier set (``""`` for any version).

    ``^`` and ``~`` become explicit bounds the way Poetry reads them; a bare version is an
    exact pin. PEP 440 has no "or": of ``a || b`` the last alternative is kept, which in
    practice is the newest range and so the one an install picks. Raises :class:`ValueError`
    on text that is not a constraint.
    """
    alternatives = constraint.split("||")
    if any(not alt.strip() for alt in alternatives) and len(alternatives) > 1:
        raise ValueError(f"invalid constraint {constraint!r}")
    return _alternative(alternatives[-1])
