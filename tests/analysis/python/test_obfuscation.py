"""Obfuscation: packed lines, encoded blobs, machine-made names, PyArmor, computed names, .pyc."""

from __future__ import annotations

import base64
import random

import pytest

from stockade.analysis.model import Kind, Phase, Severity
from tests.analysis.python.helpers import code, hits, rules, scan, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


def _blob(size: int) -> str:
    rng = random.Random(size)
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(size))).decode()


def test_packed_code_on_one_long_line() -> None:
    packed = ";".join(f"v{i}=f(g({i}),h({i}))" for i in range(150))
    findings = scan_code(f"import os\n{packed}\n")
    assert hits(findings, "py-long-line") == [(2, RUNTIME)]


def test_long_data_table_is_not_packed_code() -> None:
    table = "TABLE = [" + ", ".join(str(i) for i in range(1500)) + "]"
    findings = scan_code(f"{table}\nNAMES = {{{', '.join(repr(str(i)) for i in range(400))}}}\n")
    assert "py-long-line" not in rules(findings)


def test_encoded_blob_is_one_capability_per_file() -> None:
    findings = scan_code(f'A = "{_blob(400)}"\nB = "{_blob(500)}"\n', IMPORT)
    assert hits(findings, "py-encoded-blob") == [(1, IMPORT)]
    assert findings[0].severity is Severity.LOW
    runtime = scan_code(f'A = "{_blob(400)}"\n')
    assert runtime[0].severity is Severity.INFO


def test_long_prose_is_not_a_blob() -> None:
    text = "This is documentation text, " * 20
    assert scan_code(f"HELP = {text!r}\n") == []


def test_machine_made_identifiers() -> None:
    names = "\n".join(f"_0x{i:04x} = {i}" for i in range(12))
    findings = scan_code(names + "\n", IMPORT)
    assert hits(findings, "py-obfuscated-identifiers") == [(1, IMPORT)]
    lookalikes = "\n".join(
        f"{name} = 1" for name in ("IlIlIlI", "lIlIIll", "IIlllII", "O0O0O0", "O00OO0")
    )
    assert hits(scan_code(lookalikes + "\n"), "py-obfuscated-identifiers") == [(1, RUNTIME)]


def test_ordinary_short_names_are_not_obfuscation() -> None:
    findings = scan_code("x0 = 1\nOOOOOO = 2\nIII = 3\nll = [i for i in range(3)]\n")
    assert findings == []


def test_pyarmor_stub() -> None:
    stub = code(
        """
        from pyarmor_runtime_000000 import __pyarmor__
        __pyarmor__(__name__, __file__, b"PY000000\\x00\\x03\\x0b\\x00")
        """
    )
    imported = scan({"pkg/__init__.py": stub})
    assert hits(imported, "py-pyarmor") == [(1, IMPORT)]
    assert threats(imported) == []
    installed = scan({"setup.py": stub})
    assert hits(installed, "py-packed-install") == [(1, INSTALL)]


def test_old_pytransform_stub() -> None:
    findings = scan_code(
        """
        from pytransform import pyarmor_runtime
        pyarmor_runtime()
        """
    )
    assert hits(findings, "py-pyarmor") == [(1, RUNTIME)]


@pytest.mark.parametrize(
    "lookup",
    [
        '__import__("o" + "s")',
        '__import__("so"[::-1])',
        '__import__("".join(["sub", "process"]))',
        'importlib.import_module(base64.b64decode("c29ja2V0").decode())',
        'getattr(os, "sys" + "tem")',
        'getattr(os, "".join(chr(c) for c in [115, 121, 115, 116, 101, 109]))',
        'globals()["ev" + "al"]("1")',
    ],
)
def test_names_hidden_from_readers(lookup: str) -> None:
    findings = scan_code(
        f"""
        import base64, importlib, os
        x = {lookup}
        """
    )
    assert hits(findings, "py-obfuscated-name") == [(2, RUNTIME)]


def test_plain_dynamic_lookups_are_quiet_or_info() -> None:
    runtime = scan_code(
        """
        import importlib

        def plugin(name):
            module = importlib.import_module("plugins." + name)
            return getattr(module, "entry_" + name)
        """
    )
    assert runtime == []
    imported = scan_code(
        """
        import os
        backend = __import__(os.environ.get("PKG_BACKEND", "json"))
        helper = getattr(os, os.environ["HELPER"])
        config = getattr(backend, "load")
        """,
        IMPORT,
    )
    assert hits(imported, "py-dynamic-import") == [(2, IMPORT), (3, IMPORT)]
    assert all(f.kind is Kind.CAPABILITY for f in imported)


def test_innocent_concatenated_names_are_quiet() -> None:
    findings = scan_code(
        """
        PREFIX = "get_"
        def handler(obj, kind):
            return getattr(obj, "handle" + "_event")
        """
    )
    assert findings == []


def test_pyc_shipped_in_an_sdist() -> None:
    pyc = b"\xa7\r\r\n" + bytes(12) + b"\xe3" + bytes(40)
    alone = scan({"pkg/__init__.py": "", "pkg/core.pyc": pyc})
    assert [(f.rule, f.severity) for f in alone] == [("py-pyc-shipped", Severity.HIGH)]
    stale = scan(
        {
            "pkg/__init__.py": "",
            "pkg/core.py": "X = 1\n",
            "pkg/__pycache__/core.cpython-311.pyc": pyc,
            "pkg/__pycache__/__init__.cpython-311.pyc": pyc,
        }
    )
    assert [(f.rule, f.severity) for f in stale] == [("py-pyc-shipped", Severity.LOW)]
    assert "2 compiled" in stale[0].message
    wheel = scan({"pkg/__init__.py": "", "pkg/core.py": "", "pkg/core.pyc": pyc}, fmt="wheel")
    assert wheel == []


def test_build_tool_naming_pyarmor_is_not_packed() -> None:
    findings = scan_code(
        '''
        PACKERS = ["pyarmor", "nuitka"]

        def protect(path):
            """Run pyarmor gen on a folder (a build step of the user's own project)."""
            return ["pyarmor", "gen", path]
        ''',
        INSTALL,
    )
    assert findings == []
