"""Clipboard, keyboard and screen capture, and crypto-mining markers."""

from __future__ import annotations

import pytest

from stockade.analysis.model import Kind, Phase
from tests.analysis.python.helpers import hits, rules, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


def test_clipboard_hijacker() -> None:
    findings = scan_code(
        """
        import re, time, pyperclip

        ETH = re.compile(r"^0x[a-fA-F0-9]{40}$")

        def watch():
            while True:
                if ETH.match(pyperclip.paste()):
                    pyperclip.copy("0x0000000000000000000000000000000000000bad")
                time.sleep(1)
        """
    )
    assert hits(findings, "py-clipboard-hijack") == [(8, RUNTIME)]
    assert hits(findings, "py-clipboard") == [(7, RUNTIME)]


def test_clipboard_utility_without_wallets_is_a_capability() -> None:
    findings = scan_code(
        """
        import json, pyperclip

        def pretty():
            pyperclip.copy(json.dumps(json.loads(pyperclip.paste()), indent=2))
        """
    )
    assert hits(findings, "py-clipboard") == [(4, RUNTIME)]
    assert threats(findings) == []


@pytest.mark.parametrize(
    ("statements", "rule"),
    [
        ("text = pyperclip.paste()", "py-clipboard"),
        ("text = ctypes.windll.user32.GetClipboardData(1)", "py-clipboard"),
        ("text = tkinter.Tk().clipboard_get()", "py-clipboard"),
        ("keyboard.Listener(on_press=print).start()", "py-keylogger"),
        ("state = ctypes.windll.user32.GetAsyncKeyState(65)", "py-keylogger"),
        ("image = ImageGrab.grab()", "py-screenshot"),
        ("image = pyautogui.screenshot()", "py-screenshot"),
        ("shot = mss.mss().shot()", "py-screenshot"),
    ],
)
def test_surveillance_is_a_capability_at_runtime_and_a_threat_on_import(
    statements: str, rule: str
) -> None:
    header = (
        "import ctypes, tkinter, pyperclip, pyautogui, mss\n"
        "from pynput import keyboard\n"
        "from PIL import ImageGrab\n"
    )
    runtime = scan_code(header + f"def spy():\n    {statements}\n")
    assert hits(runtime, rule) == [(5, RUNTIME)]
    assert threats(runtime) == []
    imported = scan_code(header + f"{statements}\n", IMPORT)
    assert hits(imported, "py-surveillance-autorun") == [(4, IMPORT)]


@pytest.mark.parametrize(
    "literal",
    [
        "stratum+tcp://pool.minexmr.test:4444",
        "https://github.test/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-x64.tar.gz",
        "pool.supportxmr.test:3333",
    ],
)
def test_mining_markers(literal: str) -> None:
    findings = scan_code(f"POOL = {literal!r}\n")
    assert hits(findings, "py-miner") == [(1, RUNTIME)]
    assert findings[0].kind is Kind.THREAT


def test_words_that_contain_marker_letters_are_quiet() -> None:
    findings = scan_code('NAMES = ["randomxyz", "xmrigger", "nicehashes"]\n')
    assert "py-miner" not in rules(findings)
