"""Characters that look like others: Unicode confusables and ASCII look-alikes.

Registry names are ASCII (PyPI and npm reject anything else), so a non-ASCII letter in a name
that someone typed or pasted is a look-alike by itself. :func:`ascii_fold` maps the Unicode
confusables of Latin letters to the letters they imitate: compatibility forms (full-width
letters, ligatures) through NFKC, accented letters by dropping their marks, and a table of
Cyrillic, Greek and other Latin-like letters (a subset of Unicode TR39 ``confusables.txt``, the
lower-case forms that read as ASCII letters). :func:`skeleton` further merges the ASCII
look-alikes: ``0``/``o``, ``1``/``l``/``i``/``I`` (after lower-casing ``I`` is ``i``), ``rn``/``m``
and ``vv``/``w``; two names with the same skeleton read alike.
"""

from __future__ import annotations

import unicodedata

CONFUSABLES: dict[str, str] = {
    # Cyrillic (lower case; upper-case letters are lower-cased first)
    "\u0430": "a",  # CYRILLIC SMALL LETTER A
    "\u0432": "b",  # CYRILLIC SMALL LETTER VE
    "\u0501": "d",  # CYRILLIC SMALL LETTER KOMI DE
    "\u0435": "e",  # CYRILLIC SMALL LETTER IE
    "\u0451": "e",  # CYRILLIC SMALL LETTER IO
    "\u04bb": "h",  # CYRILLIC SMALL LETTER SHHA
    "\u043d": "h",  # CYRILLIC SMALL LETTER EN
    "\u0456": "i",  # CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
    "\u0457": "i",  # CYRILLIC SMALL LETTER YI
    "\u0458": "j",  # CYRILLIC SMALL LETTER JE
    "\u043a": "k",  # CYRILLIC SMALL LETTER KA
    "\u04cf": "l",  # CYRILLIC SMALL LETTER PALOCHKA
    "\u043c": "m",  # CYRILLIC SMALL LETTER EM
    "\u043f": "n",  # CYRILLIC SMALL LETTER PE
    "\u043e": "o",  # CYRILLIC SMALL LETTER O
    "\u0440": "p",  # CYRILLIC SMALL LETTER ER
    "\u051b": "q",  # CYRILLIC SMALL LETTER QA
    "\u0433": "r",  # CYRILLIC SMALL LETTER GHE
    "\u0455": "s",  # CYRILLIC SMALL LETTER DZE
    "\u0442": "t",  # CYRILLIC SMALL LETTER TE
    "\u0475": "v",  # CYRILLIC SMALL LETTER IZHITSA
    "\u051d": "w",  # CYRILLIC SMALL LETTER WE
    "\u0445": "x",  # CYRILLIC SMALL LETTER HA
    "\u0443": "y",  # CYRILLIC SMALL LETTER U
    "\u04af": "y",  # CYRILLIC SMALL LETTER STRAIGHT U
    # Greek
    "\u03b1": "a",  # GREEK SMALL LETTER ALPHA
    "\u03b2": "b",  # GREEK SMALL LETTER BETA
    "\u03b5": "e",  # GREEK SMALL LETTER EPSILON
    "\u03b7": "n",  # GREEK SMALL LETTER ETA
    "\u03b9": "i",  # GREEK SMALL LETTER IOTA
    "\u03ba": "k",  # GREEK SMALL LETTER KAPPA
    "\u03bd": "v",  # GREEK SMALL LETTER NU
    "\u03bf": "o",  # GREEK SMALL LETTER OMICRON
    "\u03c1": "p",  # GREEK SMALL LETTER RHO
    "\u03c4": "t",  # GREEK SMALL LETTER TAU
    "\u03c5": "u",  # GREEK SMALL LETTER UPSILON
    "\u03c7": "x",  # GREEK SMALL LETTER CHI
    "\u03b3": "y",  # GREEK SMALL LETTER GAMMA
    # Latin letters outside ASCII that read as ASCII ones
    "\u0131": "i",  # LATIN SMALL LETTER DOTLESS I
    "\u0269": "i",  # LATIN SMALL LETTER IOTA
    "\u01c0": "l",  # LATIN LETTER DENTAL CLICK
    "\u0251": "a",  # LATIN SMALL LETTER ALPHA
    "\u0261": "g",  # LATIN SMALL LETTER SCRIPT G
    "\u0262": "g",  # LATIN LETTER SMALL CAPITAL G
    "\u029c": "h",  # LATIN LETTER SMALL CAPITAL H
    "\u026a": "i",  # LATIN LETTER SMALL CAPITAL I
    "\u029f": "l",  # LATIN LETTER SMALL CAPITAL L
    "\u0274": "n",  # LATIN LETTER SMALL CAPITAL N
    "\u1d0f": "o",  # LATIN LETTER SMALL CAPITAL O
    "\u0280": "r",  # LATIN LETTER SMALL CAPITAL R
    "\ua731": "s",  # LATIN LETTER SMALL CAPITAL S
    "\u1d1c": "u",  # LATIN LETTER SMALL CAPITAL U
    "\u1d20": "v",  # LATIN LETTER SMALL CAPITAL V
    "\u1d21": "w",  # LATIN LETTER SMALL CAPITAL W
    "\u1d22": "z",  # LATIN LETTER SMALL CAPITAL Z
    "\u0185": "b",  # LATIN SMALL LETTER TONE SIX
    "\u0257": "d",  # LATIN SMALL LETTER D WITH HOOK
    "\u0253": "b",  # LATIN SMALL LETTER B WITH HOOK
    "\u217c": "l",  # SMALL ROMAN NUMERAL FIFTY
    "\u2170": "i",  # SMALL ROMAN NUMERAL ONE
    # punctuation that reads as a separator
    "\u2010": "-",  # HYPHEN
    "\u2011": "-",  # NON-BREAKING HYPHEN
    "\u2012": "-",  # FIGURE DASH
    "\u2013": "-",  # EN DASH
    "\u2014": "-",  # EM DASH
    "\u2212": "-",  # MINUS SIGN
    "\ufe58": "-",  # SMALL EM DASH
    "\u2024": ".",  # ONE DOT LEADER
    "\uff3f": "_",  # FULLWIDTH LOW LINE
}
"""Non-ASCII characters and the ASCII character they imitate."""

ASCII_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("rn", "m"),
    ("vv", "w"),
    ("0", "o"),
    ("1", "l"),
    ("i", "l"),
    ("|", "l"),
)
"""ASCII sequences that read as others, replaced in this order by :func:`skeleton`."""


def ascii_fold(text: str) -> str:
    """``text`` lower-cased with its Unicode look-alikes replaced by the ASCII characters they
    imitate; characters with no ASCII reading are kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return text
    out: list[str] = []
    for char in text:
        if char.isascii():
            out.append(char)
        elif char in CONFUSABLES:
            out.append(CONFUSABLES[char])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
            out.append(CONFUSABLES.get(base, base) if base else char)
    return "".join(out)


def foreign_characters(text: str) -> list[tuple[str, str]]:
    """The non-ASCII characters of ``text`` that read as ASCII ones, with their readings
    (``[("\u0435", "e")]`` for a Cyrillic ``ie``), in order, each once."""
    seen: dict[str, str] = {}
    for char in unicodedata.normalize("NFKC", text):
        if not char.isascii() and char not in seen:
            folded = ascii_fold(char)
            if folded.isascii() and folded:
                seen[char] = folded
    return list(seen.items())


def skeleton(text: str) -> str:
    """The reading of ``text``: :func:`ascii_fold`, then the ASCII look-alikes merged."""
    out = ascii_fold(text)
    for source, target in ASCII_LOOKALIKES:
        out = out.replace(source, target)
    return out


def describe(char: str) -> str:
    """A character for a message, with its Unicode name when not ASCII."""
    if char.isascii():
        return f"'{char}'"
    return f"'{char}' ({unicodedata.name(char, f'U+{ord(char):04X}')})"
