"""Every malicious sample yields a threat (and the rules that describe it); no benign
look-alike yields one."""

from __future__ import annotations

import pytest

from stockade.analysis.javascript import JavaScriptAnalyzer
from stockade.analysis.model import Phase

from .helpers import load_sample, rules, sample_names, threats

EXPECTED: dict[str, set[str]] = {
    "base64-eval-loader": {"js-eval-decoded"},
    "charcode-function": {"js-eval-decoded"},
    "clipboard-hijacker": {"js-clipboard-hijack"},
    "crontab-persistence": {"js-persistence", "js-shell-download-exec"},
    "curl-pipe-sh": {"js-shell-download-exec", "js-shell-exfil"},
    "dc-dns-beacon": {"js-dns-exfil", "js-exfil-data", "js-exfil-endpoint"},
    "dc-http-beacon": {"js-exfil-data"},
    "discord-token-grabber": {"js-credential-theft", "js-exfil-endpoint", "js-exfil-data"},
    "env-to-tunnel": {"js-exfil-endpoint", "js-exfil-data"},
    "flatmap-stream-style": {"js-eval-decoded", "js-obfuscator"},
    "miner-postinstall": {"js-miner", "js-install-detached"},
    "node-e-inline": {"js-eval-decoded", "js-shell-encoded"},
    "npmrc-stealer": {"js-credential-theft", "js-exfil-data", "js-exfil-endpoint"},
    "obfuscated-dropper": {"js-obfuscator", "js-dropper", "js-install-detached"},
    "packed-payload": {"js-packed"},
    "powershell-encoded": {"js-shell-encoded"},
    "process-binding-spawn": {"js-process-binding"},
    "protestware-wiper": {"js-destructive"},
    "remote-eval-paste": {"js-eval-remote", "js-exfil-endpoint"},
    "remote-loader-axios": {"js-eval-remote", "js-exfil-endpoint"},
    "reverse-shell": {"js-shell-reverse-shell"},
    "ssh-backdoor": {"js-persistence", "js-exfil-data", "js-exfil-endpoint"},
    "wallet-stealer": {"js-credential-theft", "js-exfil-data", "js-exfil-endpoint"},
    "wget-chmod-run": {"js-shell-download-exec"},
    "xor-decoded-exec": {"js-shell-encoded"},
}

INSTALL_TIME = {
    "crontab-persistence",
    "curl-pipe-sh",
    "dc-dns-beacon",
    "dc-http-beacon",
    "env-to-tunnel",
    "miner-postinstall",
    "node-e-inline",
    "npmrc-stealer",
    "obfuscated-dropper",
    "powershell-encoded",
    "process-binding-spawn",
    "remote-loader-axios",
    "reverse-shell",
    "wallet-stealer",
    "wget-chmod-run",
}


def test_sample_sets_are_large_enough() -> None:
    assert len(sample_names("malicious")) >= 20
    assert len(sample_names("benign")) >= 10
    assert set(sample_names("malicious")) == set(EXPECTED)


@pytest.mark.parametrize("name", sample_names("malicious"))
def test_malicious_sample_yields_threats(name: str) -> None:
    archive, package = load_sample("malicious", name)
    findings = JavaScriptAnalyzer().analyze(archive, package)
    assert threats(findings), f"{name}: no threat in {sorted(rules(findings))}"
    assert EXPECTED[name] <= rules(findings)
    if name in INSTALL_TIME:
        assert any(f.phase is Phase.INSTALL for f in threats(findings))


@pytest.mark.parametrize("name", sample_names("benign"))
def test_benign_look_alike_yields_no_threat(name: str) -> None:
    archive, package = load_sample("benign", name)
    findings = JavaScriptAnalyzer().analyze(archive, package)
    assert threats(findings) == []
    assert all(f.path.startswith("package/") for f in findings)
