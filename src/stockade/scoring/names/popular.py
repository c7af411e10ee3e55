"""The popular package names of each ecosystem, from the lists shipped with Stockade.

``stockade/scoring/data/popular-pypi.txt`` and ``popular-npm.txt`` (written by
``scripts/generate_popular.py``) hold one ``name<TAB>figure`` line per package, most popular
first, under ``#`` comment lines. The figure is downloads over 30 days (PyPI) or a pseudo count
derived from the rank (npm; the formula is in the file's header). Lists are read lazily, once per
ecosystem (:func:`popular_names`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

from stockade.ecosystems import get
from stockade.ecosystems.interface import Ecosystem

DATA_FILES = {Ecosystem.PYPI: "popular-pypi.txt", Ecosystem.NPM: "popular-npm.txt"}
"""The package-data file of each ecosystem, under ``stockade/scoring/data``."""


class PopularNames:
    """The popular names of one ecosystem, most popular first, with their figures and ranks.

    Names are compared in the ecosystem's normal form (PEP 503 for PyPI; as written for npm,
    where legacy upper-case names are distinct packages).
    """

    def __init__(self, ecosystem: Ecosystem, entries: Iterable[tuple[str, int]]) -> None:
        self.ecosystem = Ecosystem(ecosystem)
        self._normalize = get(self.ecosystem).normalize_name
        self._names: list[str] = []
        self._figures: dict[str, int] = {}
        self._ranks: dict[str, int] = {}
        for raw, figure in entries:
            name = self._normalize(raw)
            if name and name not in self._figures:
                self._names.append(name)
                self._figures[name] = figure
                self._ranks[name] = len(self._names)

    @classmethod
    def from_text(cls, ecosystem: Ecosystem, text: str) -> PopularNames:
        """Names from the text of a list file (``#`` lines and blank lines skipped)."""
        entries: list[tuple[str, int]] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, _, figure = line.partition("\t")
            if not figure.strip().isdigit():
                raise ValueError(f"popular list line {number}: expected 'name<TAB>number'")
            entries.append((name, int(figure)))
        return cls(ecosystem, entries)

    def normalize(self, name: str) -> str:
        """``name`` in the ecosystem's normal form."""
        return self._normalize(name)

    def popularity(self, name: str) -> int | None:
        """The package's figure (downloads over 30 days or the npm pseudo count), ``None``
        when it is not in the list."""
        return self._figures.get(self._normalize(name))

    def rank(self, name: str) -> int | None:
        """The package's 1-based rank (1 = most popular), ``None`` when not in the list."""
        return self._ranks.get(self._normalize(name))

    def top(self, count: int | None = None) -> list[str]:
        """The ``count`` most popular names (all when ``None``), most popular first."""
        return list(self._names if count is None else self._names[:count])

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._normalize(name) in self._figures

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"PopularNames({self.ecosystem.value!r}, {len(self)} names)"


def read_list(ecosystem: Ecosystem) -> str:
    """The text of the ecosystem's list as shipped in the package data."""
    data = resources.files("stockade.scoring").joinpath("data", DATA_FILES[Ecosystem(ecosystem)])
    return data.read_text(encoding="utf-8")


@cache
def popular_names(ecosystem: Ecosystem) -> PopularNames:
    """The shipped popular names of an ecosystem, read on first use and kept."""
    eco = Ecosystem(ecosystem)
    return PopularNames.from_text(eco, read_list(eco))
