"""When code runs: module level, functions called from it, command classes, imports."""

from __future__ import annotations

from stockade.analysis.model import Phase
from tests.analysis.python.helpers import code, hits, scan, scan_code

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL
PING = 'requests.get("https://pypi.test/ping")'


def test_functions_called_at_module_level_take_the_module_phase() -> None:
    findings = scan_code(
        f"""
        import requests

        def helper():
            {PING}

        def outer():
            helper()

        def unused():
            {PING}

        outer()
        """,
        INSTALL,
    )
    assert hits(findings, "py-network") == [(4, INSTALL), (10, RUNTIME)]


def test_classes_instantiated_at_module_level_run_their_constructor() -> None:
    findings = scan_code(
        f"""
        import requests

        class Grabber:
            def __init__(self):
                self.send()

            def send(self):
                {PING}

            def other(self):
                {PING}

        Grabber()
        """,
        IMPORT,
    )
    assert hits(findings, "py-network") == [(8, IMPORT), (11, RUNTIME)]


def test_thread_and_atexit_targets_run() -> None:
    findings = scan_code(
        f"""
        import atexit, threading, requests

        def beacon():
            {PING}

        @atexit.register
        def goodbye():
            {PING}

        threading.Thread(target=beacon, daemon=True).start()
        """,
        IMPORT,
    )
    assert hits(findings, "py-network") == [(4, IMPORT), (8, IMPORT)]


def test_main_guard_runs_in_setup_py_but_not_on_import() -> None:
    source = f"""
        import requests

        if __name__ == "__main__":
            {PING}
        """
    assert hits(scan_code(source, INSTALL), "py-network") == [(4, INSTALL)]
    assert hits(scan_code(source, IMPORT), "py-network") == [(4, RUNTIME)]


def test_nested_functions_run_only_when_called() -> None:
    findings = scan_code(
        f"""
        import requests

        def factory():
            def inner():
                {PING}
            return inner

        handler = factory()
        """,
        IMPORT,
    )
    assert hits(findings, "py-network") == [(5, RUNTIME)]


def test_command_class_methods_run_at_install_time() -> None:
    findings = scan(
        {
            "setup.py": code(
                f"""
                import requests
                from setuptools import setup
                from setuptools.command.egg_info import egg_info

                def beacon():
                    {PING}

                class EggInfo(egg_info):
                    def run(self):
                        beacon()
                        egg_info.run(self)

                setup(name="pkg", cmdclass={{"egg_info": EggInfo}})
                """
            )
        }
    )
    assert hits(findings, "py-network") == [(6, INSTALL)]


def test_modules_imported_by_setup_py_and_init_run_too() -> None:
    findings = scan(
        {
            "setup.py": "from pkg.version import VERSION\n",
            "pkg/__init__.py": "from .core import start\nstart()\n",
            "pkg/version.py": f"import requests\n{PING}\nVERSION = '1'\n",
            "pkg/core.py": code(
                f"""
                import requests

                def start():
                    {PING}

                def later():
                    {PING}
                """
            ),
            "pkg/extra.py": f"import requests\n{PING}\n",
        }
    )
    by_file = {(f.path.split("/", 1)[1], f.line, f.phase) for f in findings}
    assert ("pkg/version.py", 2, INSTALL) in by_file
    assert ("pkg/core.py", 4, INSTALL) in by_file
    assert ("pkg/core.py", 7, RUNTIME) in by_file
    assert ("pkg/extra.py", 2, RUNTIME) in by_file


def test_function_run_only_by_user_code_is_runtime_in_init() -> None:
    findings = scan_code(
        f"""
        import requests

        def check_for_updates():
            {PING}
        """,
        IMPORT,
    )
    assert hits(findings, "py-network") == [(4, RUNTIME)]
