"""The hygiene component: does the package say what it is, under which licence, from where?

The score adds up the points of what the registry metadata holds (10 when everything is there):

===============================================  ========================================
Fact                                             Points
===============================================  ========================================
licence: a valid SPDX expression                 3
licence: a recognised name (``MIT License``)     2
licence: other free text (``SEE LICENSE IN``)    1
no licence                                       0
a summary (not just the name)                    1.5
a long description (README)                      1.5 (0.75 when the registry does not say)
a source repository link                         2
a homepage                                       1
classifiers (PyPI) or keywords (npm)             1 (PyPI keywords without classifiers 0.5)
===============================================  ========================================

SPDX expressions are checked here without a dependency: ``AND``/``OR``/``WITH``, parentheses,
``+``, ``LicenseRef-``/``DocumentRef-`` and a compact list of common licence and exception ids
(matched without regard to case, as SPDX says). Confidence is high, medium when the registry
does not say whether a README is published; unknown when the registry does not know the package.
"""

from __future__ import annotations

import re
from enum import StrEnum

from stockade.ecosystems.interface import Ecosystem
from stockade.scoring.components._common import Scorecard, declared_repository
from stockade.scoring.facts import PackageFacts
from stockade.scoring.model import Component, ComponentName, Confidence

_LICENSE_IDS = """
    0BSD AFL-2.1 AFL-3.0 AGPL-1.0 AGPL-3.0 AGPL-3.0-only AGPL-3.0-or-later Apache-1.0 Apache-1.1
    Apache-2.0 APSL-2.0 Artistic-1.0 Artistic-2.0 Beerware BlueOak-1.0.0 BSD-1-Clause BSD-2-Clause
    BSD-2-Clause-Patent BSD-3-Clause BSD-3-Clause-Clear BSD-3-Clause-LBNL BSD-4-Clause BSL-1.0
    BUSL-1.1 bzip2-1.0.6 CAL-1.0 CC-BY-3.0 CC-BY-4.0 CC-BY-NC-4.0 CC-BY-NC-SA-4.0 CC-BY-SA-3.0
    CC-BY-SA-4.0 CC-PDDC CC0-1.0 CDDL-1.0 CDDL-1.1 CECILL-2.1 CECILL-B CECILL-C CNRI-Python
    CPL-1.0 curl ECL-2.0 EFL-2.0 Elastic-2.0 EPL-1.0 EPL-2.0 EUPL-1.1 EUPL-1.2 GFDL-1.3
    GFDL-1.3-only GFDL-1.3-or-later GPL-1.0 GPL-1.0+ GPL-1.0-only GPL-1.0-or-later GPL-2.0
    GPL-2.0+ GPL-2.0-only GPL-2.0-or-later GPL-3.0 GPL-3.0+ GPL-3.0-only GPL-3.0-or-later HPND
    HPND-sell-variant ICU IJG ISC JSON LGPL-2.0 LGPL-2.0+ LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1
    LGPL-2.1+ LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0 LGPL-3.0+ LGPL-3.0-only LGPL-3.0-or-later
    Libpng libpng-2.0 LPPL-1.3c MIT MIT-0 MIT-CMU MIT-Modern-Variant MPL-1.0 MPL-1.1 MPL-2.0
    MPL-2.0-no-copyleft-exception MS-PL MS-RL MulanPSL-2.0 NCSA NTP ODbL-1.0 OFL-1.1 OpenSSL
    OSL-3.0 PHP-3.01 PostgreSQL PSF-2.0 Python-2.0 Python-2.0.1 QPL-1.0 Ruby SSPL-1.0
    Unicode-3.0 Unicode-DFS-2016 Unlicense UPL-1.0 Vim W3C WTFPL X11 Zlib ZPL-2.0 ZPL-2.1
    """
SPDX_LICENSES = frozenset(s.lower() for s in _LICENSE_IDS.split())
"""Common SPDX licence ids (deprecated ones like ``GPL-2.0+`` included: still valid)."""

_EXCEPTION_IDS = """
    Autoconf-exception-3.0 Bison-exception-2.2 Classpath-exception-2.0 Font-exception-2.0
    GCC-exception-2.0 GCC-exception-3.1 Linux-syscall-note LLVM-exception
    OpenJDK-assembly-exception-1.0 Qt-LGPL-exception-1.1 Swift-exception u-boot-exception-2.0
    WxWindows-exception-3.1
    """
SPDX_EXCEPTIONS = frozenset(s.lower() for s in _EXCEPTION_IDS.split())
"""Common SPDX licence exception ids (after ``WITH``)."""

_REF = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$")
_TOKENS = re.compile(r"\s*(\(|\)|[^\s()]+)")
_KNOWN_NAMES = re.compile(
    r"\b(?:MIT|BSD|Apache|A?GPL|LGPL|GNU|Mozilla|MPL|ISC|Unlicense|Python Software Foundation|"
    r"PSF|Zope|Eclipse|Artistic|Public Domain|CC0|Creative Commons|Boost|zlib|WTFPL|"
    r"European Union Public|EUPL|Academic Free|CeCILL|Historical Permission|Universal Permissive)",
    re.IGNORECASE,
)
"""Licence names that are standard without being SPDX ids (trove classifiers, ``Apache 2.0``)."""


class LicenceKind(StrEnum):
    """How a declared licence reads."""

    SPDX = "spdx"
    NAMED = "named"
    FREE_TEXT = "free-text"
    NONE = "none"


def is_spdx_expression(text: str) -> bool:
    """Whether ``text`` is a valid SPDX licence expression over the known ids."""
    tokens = _TOKENS.findall(text.strip())
    if not tokens:
        return False
    parser = _Parser(tokens)
    return parser.expression() and parser.at_end()


class _Parser:
    """Recursive descent over ``or := and (OR and)*``, ``and := with (AND with)*``,
    ``with := simple [WITH exception]``, ``simple := id[+] | ref | ( or )``."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos == len(self.tokens)

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _operator(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token in {word, word.lower()}:
            self.pos += 1
            return True
        return False

    def expression(self) -> bool:
        if not self._conjunction():
            return False
        while self._operator("OR"):
            if not self._conjunction():
                return False
        return True

    def _conjunction(self) -> bool:
        if not self._with():
            return False
        while self._operator("AND"):
            if not self._with():
                return False
        return True

    def _with(self) -> bool:
        if not self._simple():
            return False
        if self._operator("WITH"):
            token = self._peek()
            if token is None or token.lower() not in SPDX_EXCEPTIONS:
                return False
            self.pos += 1
        return True

    def _simple(self) -> bool:
        token = self._peek()
        if token is None:
            return False
        self.pos += 1
        if token == "(":
            if not self.expression() or self._peek() != ")":
                return False
            self.pos += 1
            return True
        if token.upper() in {"AND", "OR", "WITH", ")"}:
            return False
        return (
            bool(_REF.match(token))
            or token.lower() in SPDX_LICENSES
            or (token.endswith("+") and token[:-1].lower() in SPDX_LICENSES)
        )


def licence_kind(text: str | None) -> LicenceKind:
    """Whether a declared licence is an SPDX expression, a recognised name or free text."""
    if text is None or not text.strip():
        return LicenceKind.NONE
    if is_spdx_expression(text):
        return LicenceKind.SPDX
    if text.strip().upper() == "UNLICENSED" or "SEE LICENSE" in text.upper():
        return LicenceKind.FREE_TEXT  # npm's words for "not open source" and "read the file"
    return LicenceKind.NAMED if _KNOWN_NAMES.search(text) else LicenceKind.FREE_TEXT


_LICENCE_POINTS = {
    LicenceKind.SPDX: 3.0,
    LicenceKind.NAMED: 2.0,
    LicenceKind.FREE_TEXT: 1.0,
    LicenceKind.NONE: 0.0,
}


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class HygieneScorer:
    """Licence, summary, README, repository, homepage, classifiers or keywords."""

    name = ComponentName.HYGIENE

    def __call__(self, facts: PackageFacts) -> Component:
        package = facts.package
        if package is None:
            return Component.unknown(self.name, "The registry does not know this package.")
        info = facts.info
        card = Scorecard(0.0)
        licence = (info.license if info else None) or package.license
        kind = licence_kind(licence)
        described = {
            LicenceKind.SPDX: f"The licence {licence!r} is a valid SPDX expression.",
            LicenceKind.NAMED: f"The licence {licence!r} is a recognised name but not SPDX.",
            LicenceKind.FREE_TEXT: f"The licence is free text ({licence!r}).",
            LicenceKind.NONE: "No licence is declared.",
        }[kind]
        card.add("licence", described, _LICENCE_POINTS[kind], licence)
        summary = (package.summary or "").strip()
        if summary and _squash(summary) != _squash(facts.name):
            card.add("summary", "A summary is published.", 1.5, summary)
        else:
            card.add("no-summary", "No summary beyond the name is published.")
        if package.description is None:
            card.add(
                "description-unknown",
                "The registry does not say whether a README is published.",
                0.75,
            )
        elif package.description:
            card.add("description", "A long description (README) is published.", 1.5)
        else:
            card.add("no-description", "No long description (README) is published.")
        repository = declared_repository(facts)
        if repository:
            card.add("repository", f"The source repository is declared ({repository}).", 2.0)
        else:
            card.add("no-repository", "No source repository is declared.")
        if package.homepage:
            card.add("homepage", f"A homepage is declared ({package.homepage}).", 1.0)
        else:
            card.add("no-homepage", "No homepage is declared.")
        _terms(card, facts.ecosystem, package.classifiers, package.keywords)
        missing = [e.code.removeprefix("no-") for e in card.evidence if e.code.startswith("no-")]
        if kind is LicenceKind.NONE:
            missing.insert(0, "licence")
        text = (
            "Complete package metadata"
            if not missing and card.score >= 10
            else "Package metadata lacks " + ", ".join(missing)
            if missing
            else "Package metadata is present but not all of it standard"
        )
        confidence = Confidence.MEDIUM if package.description is None else Confidence.HIGH
        return card.component(self.name, confidence, text + ".")


def _terms(
    card: Scorecard, ecosystem: Ecosystem, classifiers: tuple[str, ...], keywords: tuple[str, ...]
) -> None:
    if ecosystem is Ecosystem.PYPI and classifiers:
        count = len(classifiers)
        card.add("classifiers", f"{count} classifiers are declared.", 1.0, count)
    elif ecosystem is Ecosystem.PYPI and keywords:
        card.add("keywords", "Keywords but no classifiers are declared.", 0.5, list(keywords))
    elif keywords:
        card.add("keywords", f"{len(keywords)} keywords are declared.", 1.0, list(keywords))
    elif ecosystem is Ecosystem.PYPI:
        card.add("no-classifiers", "No classifiers are declared.")
    else:
        card.add("no-keywords", "No keywords are declared.")


HYGIENE = HygieneScorer()
