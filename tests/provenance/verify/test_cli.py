"""``stockade verify``: exit 0 verified, 1 not verified, 2 unusable input, one-line reasons,
never a traceback; table and JSON output."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockade.cli.main import app
from stockade.provenance.bundles import MAX_BUNDLE_BYTES

WHEEL = "sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201"
WHEEL_IDENTITY = (
    "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
)
ACTIONS = "https://token.actions.githubusercontent.com"
GITHUB_LOGIN = "https://github.com/login/oauth"


def _verify(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["verify", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _wheel(assets: Path, *extra: str) -> tuple[int, str, str]:
    return _verify(WHEEL, "--bundle", str(assets / "bundle_v3_github.whl.sigstore"), *extra)


def test_verified_table(assets: Path) -> None:
    code, out, err = _wheel(
        assets,
        "--certificate-identity-regexp",
        r"https://github\.com/trailofbits/rfc8785\.py/.*",
        "--certificate-oidc-issuer",
        ACTIONS,
        "--certificate-github-workflow-repository",
        "trailofbits/rfc8785.py",
        "--certificate-github-workflow-ref",
        "refs/tags/v0.1.2",
        "--certificate-github-workflow-sha",
        "d8b4a6445f38c48b9137a8099706d9b8073146e4",
        "--certificate-github-workflow-trigger",
        "release",
        "--certificate-github-workflow-name",
        "release",
    )
    assert code == 0, err
    assert "79605083" in out and "trailofbits/rfc8785.py" in out


def test_verified_json(assets: Path) -> None:
    code, out, _ = _verify(
        str(assets / "bundle.txt"),
        "--bundle",
        str(assets / "bundle.txt.sigstore"),
        "--certificate-identity",
        "a@tny.town",
        "--certificate-oidc-issuer",
        GITHUB_LOGIN,
        "--staging",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["verified"] is True
    assert data["identity"] == "a@tny.town" and data["log_index"] == 7390977
    assert data["integrated_time"] == "2023-04-26T00:21:09Z"


@pytest.mark.parametrize(
    ("flag", "value", "reason"),
    [
        ("--certificate-github-workflow-trigger", "push", "github_workflow_trigger"),
        ("--certificate-github-workflow-ref", "refs/heads/main", "github_workflow_ref"),
        ("--certificate-oidc-issuer-regexp", "https://accounts\\.google\\.com", "issuer"),
    ],
)
def test_not_verified_exit_1(assets: Path, flag: str, value: str, reason: str) -> None:
    args = ["--certificate-identity", WHEEL_IDENTITY]
    if "issuer" not in flag:
        args += ["--certificate-oidc-issuer", ACTIONS]
    code, _, err = _wheel(assets, *args, flag, value)
    assert code == 1
    assert err.startswith("not verified:") and reason in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_not_verified_json(assets: Path) -> None:
    code, out, _ = _wheel(
        assets, "--certificate-identity", "x@example.com", "--certificate-oidc-issuer", ACTIONS,
        "--format", "json",
    )  # fmt: skip
    assert code == 1
    assert json.loads(out) == {"verified": False, "reason": json.loads(out)["reason"]}
    assert "x@example.com" in json.loads(out)["reason"]


def _bundle_file(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "bundle.sigstore.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _truncated_certificate(assets: Path) -> str:
    document = json.loads((assets / "bundle.txt.sigstore").read_text())
    chain = document["verificationMaterial"]["x509CertificateChain"]["certificates"]
    raw = base64.b64decode(chain[0]["rawBytes"])
    chain[0]["rawBytes"] = base64.b64encode(raw[: len(raw) // 2]).decode()
    return json.dumps(document)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"mediaType": "application/json"}', "unsupported bundle media type"),
        ('{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}', "malformed bundle"),
        (b"\xff\xfe\x00", "not UTF-8"),
        ("TRUNCATED-CERT", "malformed certificate"),
    ],
)
def test_unusable_bundle_exit_2(
    assets: Path, tmp_path: Path, content: str | bytes, reason: str
) -> None:
    if content == "TRUNCATED-CERT":
        content = _truncated_certificate(assets)
    bundle = _bundle_file(tmp_path, content)
    code, _, err = _verify(
        str(assets / "bundle.txt"), "--bundle", str(bundle), "--certificate-identity",
        "a@tny.town", "--certificate-oidc-issuer", GITHUB_LOGIN, "--staging",
    )  # fmt: skip
    assert code == 2, err
    assert err.startswith("error:") and reason in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_oversized_bundle_exit_2(assets: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "huge.sigstore.json"
    with bundle.open("wb") as handle:
        handle.truncate(MAX_BUNDLE_BYTES + 1)
    code, _, err = _wheel_like(assets, bundle)
    assert code == 2 and "too large" in err


def _wheel_like(assets: Path, bundle: Path) -> tuple[int, str, str]:
    return _verify(
        WHEEL, "--bundle", str(bundle), "--certificate-identity", WHEEL_IDENTITY,
        "--certificate-oidc-issuer", ACTIONS,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["sha256:1234"], "64 hex digits"),
        (["md5:d41d8cd98f00b204e9800998ecf8427e"], "unsupported digest algorithm"),
        (["missing-file.bin"], "no such file"),
    ],
)
def test_unusable_artifact_exit_2(assets: Path, args: list[str], reason: str) -> None:
    code, _, err = _verify(
        *args, "--bundle", str(assets / "bundle_v3_github.whl.sigstore"),
        "--certificate-identity", WHEEL_IDENTITY, "--certificate-oidc-issuer", ACTIONS,
    )  # fmt: skip
    assert code == 2 and reason in err


def test_policy_errors_exit_2(assets: Path, tmp_path: Path) -> None:
    code, _, err = _wheel(assets, "--certificate-identity", WHEEL_IDENTITY)
    assert code == 2 and "issuer is required" in err
    code, _, err = _wheel(
        assets, "--certificate-identity-regexp", "(", "--certificate-oidc-issuer", ACTIONS
    )
    assert code == 2 and "invalid regular expression" in err
    code, _, err = _wheel(
        assets, "--certificate-identity", WHEEL_IDENTITY, "--certificate-oidc-issuer", ACTIONS,
        "--trusted-root", str(tmp_path / "none.json"),
    )  # fmt: skip
    assert code == 2 and "no such file" in err
    code, _, err = _wheel(
        assets, "--certificate-identity", WHEEL_IDENTITY, "--certificate-oidc-issuer", ACTIONS,
        "--format", "xml",
    )  # fmt: skip
    assert code == 2 and "unknown format" in err


def test_key_flag(conformance: Path) -> None:
    case = conformance / "managed-key-happy-path"
    code, out, err = _verify(
        str(conformance / "a.txt"), "--bundle", str(case / "bundle.sigstore.json"),
        "--key", str(case / "key.pub"), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["key_id"] and json.loads(out)["log_index"] == 771488337
