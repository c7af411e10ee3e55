"""Name confusion: which popular package a name imitates (typosquatting, combosquatting ...).

- :mod:`.popular`: the popular names of each ecosystem, shipped as package data.
- :mod:`.detector`: :class:`NameChecker` and the techniques it recognises.
- :mod:`.forms`, :mod:`.edits`, :mod:`.homoglyphs`, :mod:`.keyboard`, :mod:`.words`: the name
  forms, typing slips, look-alike characters, key adjacency and affix/lure words it uses.
"""

from __future__ import annotations

from stockade.scoring.names.detector import NameChecker, NameMatch, Policy, checker
from stockade.scoring.names.popular import PopularNames, popular_names

__all__ = ["NameChecker", "NameMatch", "Policy", "PopularNames", "checker", "popular_names"]
