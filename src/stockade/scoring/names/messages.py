"""The sentences that say how a name imitates another.

Each function returns the start of a sentence that ends with the imitated name (the detector
appends it with its popularity): "'reqeusts' swaps two letters ('ue') of" + " 'requests' (...)."
"""

from __future__ import annotations

from stockade.scoring.names.edits import Edit, single_edit
from stockade.scoring.names.forms import Core, NameForms
from stockade.scoring.names.homoglyphs import describe


def foreign(raw: str, chars: list[tuple[str, str]]) -> str:
    """Non-ASCII look-alikes, named (``... (CYRILLIC SMALL LETTER IE) for 'e'``)."""
    shown = ", ".join(f"{describe(a)} for '{b}'" for a, b in chars)
    return f"'{raw}' uses look-alike characters ({shown}) to read as"


def lookalike(raw: str, c: NameForms, t: NameForms) -> str:
    """ASCII look-alikes (``'I' for 'l'``, ``'rn' for 'm'``)."""
    shown = raw if len(raw) == len(c.folded) else c.folded
    pairs: set[tuple[str, str]] = set()
    if len(shown) == len(t.folded):
        pairs = {(a, b) for a, b in zip(shown, t.folded, strict=True) if a.lower() != b}
    what = (
        ", ".join(f"'{a}' for '{b}'" for a, b in sorted(pairs))
        if pairs
        else "such as 'rn' for 'm' or 'vv' for 'w'"
    )
    return f"'{raw}' uses look-alike characters ({what}) to read as"


def repeat(raw: str, c: NameForms, t: NameForms) -> str:
    """A doubled or undoubled letter."""
    edit = single_edit(c.flat, t.flat)
    if edit is not None and edit.kind == "insert":
        return f"'{raw}' doubles the '{edit.char}' of"
    if edit is not None and edit.kind == "delete":
        return f"'{raw}' drops one '{edit.char}' of the double '{edit.char * 2}' in"
    return f"'{raw}' repeats or drops repeated letters of"


def edit(raw: str, e: Edit) -> str:
    """One typing slip."""
    if e.kind == "swap":
        return f"'{raw}' swaps two letters ('{e.replaced}{e.char}') of"
    how = "the neighbouring key " if e.keyboard else ""
    if e.kind == "substitute":
        return f"'{raw}' puts {how}'{e.char}' in place of '{e.replaced}' in"
    if e.kind == "insert":
        if e.doubled:
            return f"'{raw}' doubles the '{e.char}' of"
        return f"'{raw}' adds {how}'{e.char}' to"
    if e.doubled:
        return f"'{raw}' drops one '{e.char}' of the double '{e.char * 2}' in"
    return f"'{raw}' drops the '{e.char}' of"


def two_edits(raw: str) -> str:
    """Two typing slips."""
    return f"'{raw}' is two typing slips away from"


def flattened_scope(raw: str, t: NameForms) -> str:
    """A scope turned into words, or words turned into a scope."""
    if t.scope is not None:
        return f"'{raw}' drops the scope mark of"
    return f"'{raw}' splits into a scope the name of"


def affix(name: str, mine: Core, theirs: Core) -> str:
    """Affixes added, dropped or traded."""
    added = [a for a in (mine.prefix, mine.suffix) if a]
    dropped = [a for a in (theirs.prefix, theirs.suffix) if a]
    if added and dropped:
        return f"'{name}' puts {_words(added)} in place of {_words(dropped)} in"
    if added:
        return f"'{name}' adds {_words(added)} to"
    return f"'{name}' drops {_words(dropped)} from"


def combination(name: str, words: list[str]) -> str:
    """A popular name combined with other words."""
    return f"'{name}' combines {_words(words)} with the name of"


def extension(name: str, before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """A popular name with plain words before or after it."""
    if before and after:
        return f"'{name}' puts '{'-'.join(before)}' and '{'-'.join(after)}' around the name of"
    if before:
        return f"'{name}' adds '{'-'.join(before)}' before the name of"
    return f"'{name}' adds '{'-'.join(after)}' after the name of"


def _words(items: list[str]) -> str:
    return " and ".join(f"'{a}'" for a in items)
