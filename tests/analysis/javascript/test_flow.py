"""Reading what expressions stand for: names, constant text, data sources."""

from __future__ import annotations

from textwrap import dedent

import pytest
from tree_sitter import Node

from stockade.analysis.javascript.flow import Module
from stockade.analysis.javascript.syntax import callee, parse, unescape_js


def module_of(code: str) -> Module:
    source = dedent(code).lstrip("\n").encode()
    return Module(source, parse(source).root_node)


def statement_call(module: Module) -> Node:
    """The call of ``f``, or else the call that makes up the last statement."""
    for call in module.calls:
        if call.text is not None and call.text.startswith(b"f("):
            return call
    statement = module.root.named_children[-1]
    call = statement.named_children[0]
    assert call.type == "call_expression"
    return call


def last_call_callee(module: Module) -> Node:
    found = callee(statement_call(module))
    assert found is not None
    return found


def first_argument(module: Module) -> Node:
    args = statement_call(module).child_by_field_name("arguments")
    assert args is not None
    return args.named_children[0]


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ('const cp = require("child_process");\ncp.exec(x);', "child_process.exec"),
        ('const { exec: run } = require("node:child_process");\nrun(x);', "child_process.exec"),
        ('import { spawn } from "child_process";\nspawn(x);', "child_process.spawn"),
        ('import * as fs from "fs/promises";\nfs.readFile(x);', "fs.readFile"),
        ('const fs = require("fs-extra");\nfs.promises.readFile(x);', "fs.readFile"),
        ('require("https").get(x);', "https.get"),
        ('const r = require;\nr("os").hostname();', "os.hostname"),
        ("globalThis.eval(x);", "eval"),
        ("(0, eval)(x);", "eval"),
        ('const req = require("http").request(o);\nreq.write(x);', "http.request().write"),
        ('const s = new (require("net").Socket)();\ns.connect(1);', "net.Socket().connect"),
        ('require(["child", "process"].join("_")).exec(x);', "child_process.exec"),
    ],
)
def test_path_of_resolves_requires_imports_and_aliases(code: str, path: str) -> None:
    module = module_of(code)
    assert module.path_of(last_call_callee(module)) == path


def test_local_functions_and_parameters_are_not_module_paths() -> None:
    module = module_of("function fetch(u) { return u; }\nfetch(x);")
    assert module.path_of(last_call_callee(module)) is None
    module = module_of("function g(request) { request(x); }")
    assert module.path_of(callee(module.calls[0]) or module.root) is None


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ('f(path.join(os.homedir(), ".ssh", "id_rsa"));', "~/.ssh/id_rsa"),
        ("f(`${process.env.HOME}/.npmrc`);", "~/.npmrc"),
        ('f(Buffer.from("Y2hpbGRfcHJvY2Vzcw==", "base64").toString());', "child_process"),
        ('f(Buffer.from("6f73", "hex").toString());', "os"),
        ("f(String.fromCharCode(104, 105));", "hi"),
        ('f("ssecorp_dlihc".split("").reverse().join(""));', "child_process"),
        ('f(atob("aGk="));', "hi"),
        ('const d = (s) => Buffer.from(s, "hex").toString();\nf(d("6869"));', "hi"),
        ('const base = "https://";\nf(base + "x.example" + "/p");', "https://x.example/p"),
        ('f(a || "~/.aws/credentials");', "~/.aws/credentials"),
    ],
)
def test_skeleton_reads_constant_text_and_static_decodings(code: str, text: str) -> None:
    module = module_of(code)
    assert module.skeleton(first_argument(module)) == text


def test_constant_refuses_unknown_parts() -> None:
    module = module_of('f("a" + b);')
    assert module.constant(first_argument(module)) is None
    module = module_of('const b = "x";\nf("a" + b);')
    assert module.constant(first_argument(module)) == "ax"


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ('const d = Buffer.from(p, "base64");\nf(d);', "decoded"),
        ("f(String.fromCharCode(...codes));", "decoded"),
        ("f(s.split('').reverse().join(''));", "decoded"),
        ("const { hostname } = require('os');\nf(hostname());", "fp:hostname"),
        ("const { USER } = process.env;\nf(USER);", "fp:user"),
        ("f(process.env.GITHUB_TOKEN);", "secret:GITHUB_TOKEN"),
        ("const all = process.env;\nf({ all });", "env"),
        ("const o = {};\no.k = require('os').userInfo();\nf(o);", "fp:user"),
        ("const a = [];\na.push(process.cwd());\nf(a);", "fp:cwd"),
        ("fetch(u).then((r) => r.text()).then((t) => f(t));", "network"),
    ],
)
def test_taint_follows_data_from_its_sources(code: str, tag: str) -> None:
    module = module_of(code)
    assert tag in module.taint(first_argument(module))


@pytest.mark.parametrize(
    "code",
    [
        "f(String.fromCharCode(ch));",
        "f(process.env.NODE_ENV);",
        "f(require('crypto').createHash('sha256').update(require('os').hostname()).digest('hex'));",
        "f(data.length);",
        "const s = decoded.slice(i, j);\nf(text.slice(s, 4));",
    ],
)
def test_taint_leaves_out_what_carries_no_secret(code: str) -> None:
    module = module_of(code)
    tags = module.taint(first_argument(module))
    assert "env" not in tags
    assert "decoded" not in tags
    assert not any(t.startswith("fp:") for t in tags)


def test_parameters_take_the_taint_of_their_call_sites_one_level_deep() -> None:
    module = module_of(
        """
        function send(body) { f(body); }
        send(JSON.stringify(process.env));
        """
    )
    inner = next(c for c in module.calls if c.start_point[0] == 0 and c.text == b"f(body)")
    args = inner.child_by_field_name("arguments")
    assert args is not None
    assert "env" in module.taint(args.named_children[0])


def test_unescape_js() -> None:
    assert unescape_js(r"\x41\u0042\u{43}\n\'") == "ABC\n'"
