"""exec/eval/compile of decoded, decompressed, unmarshalled or downloaded data."""

from __future__ import annotations

import pytest

from stockade.analysis.model import Kind, Phase, Severity
from tests.analysis.python.helpers import hits, rules, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL
B64 = "aW1wb3J0IG9zOyBwcmludChvcy5nZXRjd2QoKSk="  # "import os; print(os.getcwd())"


@pytest.mark.parametrize(
    "expression",
    [
        f'base64.b64decode("{B64}")',
        f'base64.b64decode(b"{B64}").decode()',
        'base64.b32decode("NFWXA33SOQQG64Y=")',
        'base64.b16decode("696D706F7274206F73")',
        'base64.a85decode("Bl.g-Ec`FBF#tL`EbTE5-o!.")',
        'codecs.decode("vzcbeg bf; cevag(bf.trgpjq())", "rot13")',
        'codecs.decode("696d706f7274206f730a", "hex")',
        'bytes.fromhex("696d706f7274206f730a7072696e74").decode()',
        'binascii.unhexlify("696d706f7274206f730a7072696e74")',
        'zlib.decompress(b"x\\x9c\\xcb\\xcc-\\xc8/*Q\\xc8/\\x06\\x00\\x0e\\xa9\\x03\\x1b")',
        'bz2.decompress(b"BZh91AY&SY\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00")',
        'lzma.decompress(b"\\xfd7zXZ\\x00\\x00\\x04\\xe6\\xd6\\xb4F\\x02\\x00!\\x01")',
        'gzip.decompress(b"\\x1f\\x8b\\x08\\x00\\x00\\x00\\x00\\x00\\x02\\xff\\xcb\\xcc-\\xc8/*")',
        'marshal.loads(b"\\xe3\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00")',
        '"".join(chr(c) for c in [105, 109, 112, 111, 114, 116, 32, 111, 115])',
        '"".join(map(chr, [105, 109, 112, 111, 114, 116, 32, 111, 115]))',
        '")(dwcteg.so(tnirp ;so tropmi"[::-1]',
        'zlib.decompress(base64.b64decode("eJzLzC3ILypRyC/OVzDP0c8qyc9LTQEAXAQH1A=="))',
    ],
)
def test_exec_of_decoded_literals_is_a_threat(expression: str) -> None:
    findings = scan_code(
        f"""
        import base64, binascii, bz2, codecs, gzip, lzma, marshal, zlib
        exec({expression})
        """
    )
    assert hits(findings, "py-exec-decoded") == [(2, RUNTIME)]
    assert threats(findings)[0].severity is Severity.CRITICAL


def test_data_flow_through_names_in_one_scope() -> None:
    findings = scan_code(
        f"""
        import base64

        def load():
            blob = "{B64}"
            payload = base64.b64decode(blob)
            text = payload.decode("utf-8")
            exec(compile(text, "<string>", "exec"))
        """
    )
    assert hits(findings, "py-exec-decoded") == [(7, RUNTIME)]


def test_module_level_payload_used_inside_a_function() -> None:
    findings = scan_code(
        f"""
        import base64 as b
        PAYLOAD = b.b64decode("{B64}")

        def run():
            eval(PAYLOAD)
        """
    )
    assert hits(findings, "py-exec-decoded") == [(5, RUNTIME)]


@pytest.mark.parametrize(
    "callee",
    [
        'getattr(__builtins__, "ex" + "ec")',
        '__import__("builtins").exec',
        'getattr(__import__("builtins"), "exec")',
        '__builtins__.__dict__["exec"]',
    ],
)
def test_exec_reached_through_lookups(callee: str) -> None:
    findings = scan_code(
        f"""
        import base64
        run = {callee}
        run(base64.b64decode("{B64}"))
        """,
        IMPORT,
    )
    assert hits(findings, "py-exec-decoded") == [(3, IMPORT)]


def test_exec_of_downloaded_code() -> None:
    findings = scan_code(
        """
        import requests
        import urllib.request

        def update():
            exec(requests.get("https://pypi.test/x.py").text)
            code = urllib.request.urlopen("https://pypi.test/y.py").read()
            exec(code)
        """
    )
    assert hits(findings, "py-exec-decoded") == [(5, RUNTIME), (7, RUNTIME)]
    assert "downloaded" in threats(findings)[0].message


def test_decoding_unknown_data_is_a_threat_only_when_it_runs_by_itself() -> None:
    source = """
        import base64, sys
        exec(base64.b64decode(sys.argv[1]))
        """
    assert hits(scan_code(source, INSTALL), "py-exec-decoded") == [(2, INSTALL)]
    runtime = scan_code(source, RUNTIME)
    assert hits(runtime, "py-exec-decoded") == []
    assert hits(runtime, "py-exec-dynamic") == [(2, RUNTIME)]


def test_unpickling_embedded_data() -> None:
    findings = scan_code(
        f"""
        import base64, pickle
        config = pickle.loads(base64.b64decode("{B64}"))
        state = pickle.loads(b"\\x80\\x04\\x95\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x00K\\x01.")
        """,
        INSTALL,
    )
    assert hits(findings, "py-exec-decoded") == [(2, INSTALL), (3, INSTALL)]


def test_unpickling_literals_in_library_code_is_a_capability() -> None:
    findings = scan_code(
        """
        import pickle

        def test_old_format():
            assert pickle.loads(b"\\x80\\x02K\\x01.") == 1
            assert pickle.loads(pickle.dumps([1, 2])) == [1, 2]
        """
    )
    assert hits(findings, "py-unpickle-data") == [(4, RUNTIME)]
    assert threats(findings) == []


def test_six_style_exec_of_literal_code_is_quiet() -> None:
    findings = scan_code(
        '''
        import builtins
        exec_ = getattr(builtins, "exec")
        exec_("""def reraise(tp, value, tb=None):
            raise value
        """)
        exec("x = 1")
        VALUE = eval("1 + 2")
        '''
    )
    assert findings == []


def test_template_code_and_version_files_are_quiet() -> None:
    findings = scan_code(
        """
        import os

        about = {}
        with open(os.path.join("pkg", "__version__.py")) as handle:
            exec(handle.read(), about)

        def make_init(fields):
            body = "\\n".join(f"    self.{f} = {f}" for f in fields)
            namespace = {}
            exec(f"def __init__(self, {', '.join(fields)}):\\n{body}", namespace)
            return namespace["__init__"]
        """,
        INSTALL,
    )
    assert findings == []


def test_base64_of_user_data_that_is_not_run_is_quiet() -> None:
    findings = scan_code(
        """
        import base64, json

        def decode_cursor(cursor):
            return json.loads(base64.b64decode(cursor + "=="))
        """
    )
    assert findings == []


def test_eval_of_unknown_input_is_an_info_capability_once_per_file() -> None:
    findings = scan_code(
        """
        def calc(expression, names):
            return eval(expression, {}, names)

        def calc2(expression):
            return eval(expression)
        """
    )
    assert hits(findings, "py-exec-dynamic") == [(2, RUNTIME)]
    assert findings[0].severity is Severity.INFO
    assert findings[0].kind is Kind.CAPABILITY


def test_exec_of_unknown_code_at_import_time_is_a_low_capability() -> None:
    findings = scan_code(
        """
        import os
        exec(os.environ.get("PKG_STARTUP", ""))
        """,
        IMPORT,
    )
    assert hits(findings, "py-exec-dynamic") == [(2, IMPORT)]
    assert findings[0].severity is Severity.LOW
    assert "py-exec-decoded" not in rules(findings)


def test_code_run_from_a_literal_is_analysed_too() -> None:
    findings = scan_code(
        f"""
        exec("import base64\\nexec(base64.b64decode('{B64}'))")
        """,
        IMPORT,
    )
    assert hits(findings, "py-exec-decoded") == [(1, IMPORT)]
