"""Every malicious sample package yields a threat; benign look-alikes yield none."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockade.analysis.model import Kind
from tests.analysis.python.helpers import FIXTURES, rules, sample, scan, threats

MALICIOUS = sorted(p for p in (FIXTURES / "malicious").iterdir() if p.is_dir())
BENIGN = sorted(p for p in (FIXTURES / "benign").iterdir() if p.is_dir())

EXPECTED = {
    "aws_cred_stealer": {"py-credential-autorun", "py-exfil-data", "py-exfil-endpoint"},
    "base64_exec_setup": {"py-exec-decoded"},
    "bashrc_cron_persistence": {"py-persistence-autorun", "py-shell-download-exec"},
    "browser_stealer": {"py-credential-autorun", "py-exfil-data", "py-exfil-endpoint"},
    "clipboard_hijacker": {"py-clipboard-hijack", "py-surveillance-autorun"},
    "cmdclass_dropper": {"py-drop-executable", "py-process-hidden", "py-install-hook"},
    "curl_pipe_sh": {"py-shell-download-exec", "py-exfil-endpoint"},
    "dependency_confusion_recon": {"py-exfil-data", "py-exfil-endpoint"},
    "env_post_import": {"py-exfil-data", "py-exfil-endpoint"},
    "env_stealer_webhook": {"py-exfil-data", "py-exfil-endpoint", "py-credential-autorun"},
    "hex_exec": {"py-exec-decoded"},
    "intree_backend_stealer": {"py-build-backend", "py-credential-autorun", "py-exfil-data"},
    "keylogger_telegram": {"py-surveillance-autorun", "py-exfil-endpoint"},
    "marshal_loader": {"py-exec-decoded"},
    "obfuscated_identifiers": {"py-obfuscated-identifiers", "py-obfuscated-name"},
    "pickle_loader": {"py-exec-decoded"},
    "powershell_dropper": {"py-process-hidden"},
    "pth_loader": {"py-pth-exec", "py-exec-decoded"},
    "pyarmor_loader": {"py-packed-install", "py-pyarmor"},
    "reverse_shell": {"py-reverse-shell", "py-exfil-endpoint"},
    "screenshot_spy": {"py-surveillance-autorun", "py-exfil-endpoint"},
    "stego_image_loader": {"py-exec-decoded"},
    "typosquat_token_stealer": {"py-credential-autorun", "py-exfil-data", "py-exfil-endpoint"},
    "whitespace_hidden_exec": {"py-exec-decoded"},
    "windows_startup_persistence": {"py-persistence-autorun"},
    "xmrig_miner": {"py-miner", "py-drop-executable"},
}


def test_there_are_enough_samples() -> None:
    assert len(MALICIOUS) >= 20
    assert len(BENIGN) >= 10
    assert {p.name for p in MALICIOUS} == set(EXPECTED)


@pytest.mark.parametrize("folder", MALICIOUS, ids=lambda p: p.name)
def test_malicious_sample_yields_a_threat(folder: Path) -> None:
    findings = scan(sample(folder), root=f"{folder.name}-0.0.1")
    assert threats(findings), [f.rule for f in findings]
    assert EXPECTED[folder.name] <= rules(findings)
    for finding in findings:
        assert finding.phase is not None
        assert finding.message.endswith(".")
        assert len(finding.snippet) <= 160


@pytest.mark.parametrize("folder", BENIGN, ids=lambda p: p.name)
def test_benign_look_alike_yields_no_threat(folder: Path) -> None:
    findings = scan(sample(folder), root=f"{folder.name}-0.0.1")
    assert [f for f in findings if f.kind is Kind.THREAT] == []
