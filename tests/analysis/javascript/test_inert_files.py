"""Script files that no install or import runs keep their findings, with low confidence."""

from __future__ import annotations

from dataclasses import replace

from stockade.analysis.javascript import JavaScriptAnalyzer
from stockade.analysis.model import Confidence
from tests.analysis.javascript.helpers import archive, context

PACKED = (
    "eval(function(p,a,c,k,e,d){e=function(c){return c};return p}"
    "('0 1',2,2,'a|b'.split('|'),0,{}))\n"
)


def confidences(path: str, *, ecosystem: str = "npm", install: tuple[str, ...] = ()) -> set[str]:
    package = replace(context(install=install), ecosystem=ecosystem)
    found = JavaScriptAnalyzer().analyze(archive({path: PACKED}), package)
    return {f.confidence.value for f in found if f.rule == "js-packed"}


def test_packed_docs_asset_in_a_python_package_is_doubtful() -> None:
    assert confidences("doc/html/_static/interface.js", ecosystem="PyPI") == {"low"}
    assert confidences("mypkg/static/app.js", ecosystem="PyPI") == {"low"}


def test_packed_code_in_npm_docs_is_doubtful_unless_an_install_script_runs_it() -> None:
    assert confidences("docs/theme.js") == {"low"}
    assert confidences("docs/theme.js", install=("docs/theme.js",)) == {Confidence.HIGH.value}
    assert confidences("lib/index.js") == {Confidence.HIGH.value}
