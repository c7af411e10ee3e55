"""Secrets: credential files, the environment, fingerprints."""

from __future__ import annotations

import pytest

from stockade.analysis.model import Kind, Phase, Severity
from tests.analysis.python.helpers import hits, rules, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ('os.path.expanduser("~/.ssh/id_rsa")', "SSH private key"),
        ('os.path.join(os.path.expanduser("~"), ".aws", "credentials")', "AWS credentials"),
        ('os.path.join(os.getenv("APPDATA"), "discord", "Local Storage", "leveldb")', "Discord"),
        (
            'os.getenv("LOCALAPPDATA") + "\\\\Google\\\\Chrome\\\\User Data\\\\Local State"',
            "Chrome",
        ),
        ('"/etc/passwd"', "system accounts"),
        ('pathlib.Path.home() / ".config" / "gcloud"', "Google Cloud"),
    ],
)
def test_reading_credentials_at_install_time_is_a_threat(path: str, what: str) -> None:
    findings = scan_code(
        f"""
        import os, pathlib
        data = open({path}).read()
        """,
        INSTALL,
    )
    assert hits(findings, "py-credential-autorun") == [(2, INSTALL)]
    assert what in next(f.message for f in findings if f.rule == "py-credential-autorun")


def test_reading_credentials_in_library_code_is_a_capability() -> None:
    findings = scan_code(
        """
        import os

        def load_key(name="id_rsa"):
            path = os.path.expanduser("~/.ssh/id_rsa")
            with open(path) as handle:
                return handle.read()
        """
    )
    assert hits(findings, "py-credential-path") == [(4, RUNTIME)]
    assert threats(findings) == []


def test_path_read_text_of_credentials_at_import() -> None:
    findings = scan_code(
        """
        from pathlib import Path
        creds = (Path.home() / ".aws" / "credentials").read_text()
        """,
        IMPORT,
    )
    assert hits(findings, "py-credential-autorun") == [(2, IMPORT)]


def test_building_a_credential_path_at_import_is_only_a_capability() -> None:
    findings = scan_code(
        """
        import os
        DEFAULT_KEY = os.path.join(os.path.expanduser("~"), ".ssh", "id_ed25519")
        """,
        IMPORT,
    )
    assert hits(findings, "py-credential-path") == [(2, IMPORT)]
    assert threats(findings) == []


def test_cookie_key_in_a_dict_is_not_a_path() -> None:
    findings = scan_code(
        """
        HEADERS = {"Cookies": "a=b", "Local State": "x"}
        """,
        INSTALL,
    )
    assert findings == []


@pytest.mark.parametrize(
    "expression",
    [
        "json.dumps(dict(os.environ))",
        "str(os.environ)",
        "json.dumps(os.environ.copy())",
    ],
)
def test_serialising_the_environment(expression: str) -> None:
    findings = scan_code(
        f"""
        import json, os
        text = {expression}
        """,
        INSTALL,
    )
    assert hits(findings, "py-env-harvest") == [(2, INSTALL)]
    assert findings[0].kind is Kind.CAPABILITY


def test_iterating_the_environment_at_install_time() -> None:
    findings = scan_code(
        """
        import os
        collected = {k: v for k, v in os.environ.items()}
        for key in os.environ:
            print(key)
        """,
        INSTALL,
    )
    assert hits(findings, "py-env-harvest") == [(2, INSTALL), (3, INSTALL)]


def test_copying_the_environment_for_a_subprocess_is_quiet() -> None:
    findings = scan_code(
        """
        import os
        env = os.environ.copy()
        env["CFLAGS"] = "-O2"
        path = os.environ.get("PATH", "")
        home = os.environ["HOME"]
        """,
        INSTALL,
    )
    assert findings == []


def test_reading_a_secret_variable() -> None:
    findings = scan_code(
        """
        import os
        key = os.environ.get("AWS_SECRET_ACCESS_KEY")
        token = os.environ["GITHUB_TOKEN"]
        other = os.getenv("NPM_TOKEN")
        """,
        IMPORT,
    )
    assert hits(findings, "py-secret-env") == [(2, IMPORT), (3, IMPORT), (4, IMPORT)]
    assert {f.severity for f in findings} == {Severity.LOW}


def test_secret_variables_in_library_code_are_info_once() -> None:
    findings = scan_code(
        """
        import os

        def credentials():
            return os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        """
    )
    assert hits(findings, "py-secret-env") == [(4, RUNTIME)]
    assert findings[0].severity is Severity.INFO


def test_fingerprinting_at_install_time() -> None:
    findings = scan_code(
        """
        import getpass, os, platform, socket
        user = getpass.getuser()
        host = socket.gethostname()
        node = platform.node()
        login = os.environ["USERNAME"]
        """,
        INSTALL,
    )
    assert hits(findings, "py-fingerprint") == [(n, INSTALL) for n in (2, 3, 4, 5)]
    assert {f.severity for f in findings} == {Severity.INFO}


def test_fingerprinting_in_library_code_is_quiet() -> None:
    findings = scan_code(
        """
        import socket

        def node_name():
            return socket.gethostname()
        """
    )
    assert "py-fingerprint" not in rules(findings)
