"""When code runs: module level and what it calls or passes on runs when the file is loaded
(or installed); code that only something else calls runs at runtime."""

from __future__ import annotations

from textwrap import dedent

import pytest

from stockade.analysis.model import Phase

from .helpers import hits, scan


def phases(code: str, *, install: bool = True) -> list[tuple[int | None, Phase | None]]:
    """(line, phase) of each child_process call in a file run at install (or at runtime)."""
    source = "const { exec } = require('child_process');\n" + dedent(code).lstrip("\n")
    findings = scan({"setup.js": source}, install=["setup.js"] if install else [])
    return hits(findings, "js-child-process")


def test_module_level_code_runs_in_the_file_phase() -> None:
    assert phases('exec("a");') == [(2, Phase.INSTALL)]
    assert phases('exec("a");', install=False) == [(2, Phase.RUNTIME)]


@pytest.mark.parametrize(
    "code",
    [
        '(function () { exec("a"); })();',
        '!function () { exec("a"); }();',
        '(() => { exec("a"); })();',
        '(function () { exec("a"); }).call(this);',
        'void (async () => { exec("a"); })();',
    ],
)
def test_immediately_invoked_functions_run_in_the_file_phase(code: str) -> None:
    assert phases(code) == [(2, Phase.INSTALL)]


def test_functions_called_from_module_level_run_in_the_file_phase() -> None:
    code = """
    function main() {
      helper();
    }
    function helper() {
      exec("a");
    }
    main();
    """
    assert phases(code) == [(6, Phase.INSTALL)]


def test_callbacks_passed_from_module_level_run_in_the_file_phase() -> None:
    code = """
    require("https").get("https://x.example", (res) => {
      res.on("end", () => exec("a"));
    });
    setTimeout(function later() { exec("b"); }, 100);
    process.nextTick(start);
    function start() { exec("c"); }
    """
    assert phases(code) == [(3, Phase.INSTALL), (5, Phase.INSTALL), (7, Phase.INSTALL)]


def test_exported_and_uncalled_code_runs_at_runtime() -> None:
    code = """
    function build() {
      exec("a");
    }
    class Tool {
      run() { exec("b"); }
    }
    module.exports = { build, Tool };
    """
    assert phases(code) == [(3, Phase.RUNTIME), (6, Phase.RUNTIME)]
    code = """
    const obj = { go() { exec("c"); } };
    function onlyFromExported() { exec("d"); }
    module.exports = { obj, api: () => onlyFromExported() };
    """
    assert phases(code) == [(2, Phase.RUNTIME), (3, Phase.RUNTIME)]


def test_a_function_calling_itself_is_not_run_by_that_call() -> None:
    code = """
    function walk(n) {
      exec("a");
      if (n) walk(n - 1);
    }
    """
    assert phases(code) == [(3, Phase.RUNTIME)]


def test_import_phase_follows_the_import_files() -> None:
    source = "require('child_process').execSync('id');\n"
    findings = scan({"index.js": source, "lib/other.js": source}, imports=["index.js"])
    assert sorted((f.path, f.phase) for f in findings) == [
        ("package/index.js", Phase.IMPORT),
        ("package/lib/other.js", Phase.RUNTIME),
    ]


def test_files_named_by_lifecycle_scripts_run_at_install_even_without_the_context() -> None:
    manifest = '{"name": "p", "scripts": {"postinstall": "node ./tools/setup"}}'
    source = "require('child_process').execSync('id');\n"
    findings = scan({"package.json": manifest, "tools/setup.js": source})
    assert hits(findings, "js-child-process") == [(1, Phase.INSTALL)]
