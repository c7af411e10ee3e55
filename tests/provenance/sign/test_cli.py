"""End to end: ``stockade keygen``, ``sign``, ``attest`` and ``sbom``."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from typer.testing import CliRunner, Result

from stockade.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
runner = CliRunner()
PASSWORD = "correct horse battery staple"


def run(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    # Never a traceback: every outcome is an exit code.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOCKADE_KEY_PASSWORD", PASSWORD)
    prefix = tmp_path / "release"
    result = run("keygen", "--output-key-prefix", str(prefix))
    assert result.exit_code == 0, result.output
    return prefix


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "demo-1.0.0.tar.gz"
    path.write_bytes(b"\x1f\x8b release archive bytes")
    return path


def _payload(bundle: Path) -> dict[str, Any]:
    data = json.loads(bundle.read_text())
    loaded: dict[str, Any] = json.loads(base64.b64decode(data["dsseEnvelope"]["payload"]))
    return loaded


def test_keygen_files(keys: Path, tmp_path: Path) -> None:
    from stockade.provenance.keys import KeyAlgorithm, load_signing_key

    private = keys.with_name("release.key")
    public = keys.with_name("release.pub")
    assert load_signing_key(private, PASSWORD.encode()).algorithm is KeyAlgorithm.ECDSA_P256
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in private.read_bytes()
    assert b"BEGIN PUBLIC KEY" in public.read_bytes()
    before = private.read_bytes()
    again = run("keygen", "--output-key-prefix", str(keys))
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert private.read_bytes() == before
    forced = run("keygen", "--output-key-prefix", str(keys), "--force", "-a", "ed25519")
    assert forced.exit_code == 0
    assert private.read_bytes() != before
    assert load_signing_key(private, PASSWORD.encode()).algorithm is KeyAlgorithm.ED25519
    plain = run("keygen", "--output-key-prefix", str(tmp_path / "plain"), "--no-password")
    assert plain.exit_code == 0
    assert b"BEGIN PRIVATE KEY" in (tmp_path / "plain.key").read_bytes()
    bad = run("keygen", "--output-key-prefix", str(tmp_path / "x"), "-a", "rsa")
    assert bad.exit_code == 2
    assert "unknown algorithm" in bad.output


def test_keygen_needs_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STOCKADE_KEY_PASSWORD", raising=False)
    result = run("keygen", "--output-key-prefix", str(tmp_path / "k"))
    assert result.exit_code == 2
    assert "no key password given" in result.output
    assert not (tmp_path / "k.key").exists()


def test_sign_then_verify(keys: Path, artifact: Path) -> None:
    result = run("sign", str(artifact), "--key", str(keys.with_name("release.key")))
    assert result.exit_code == 0, result.output
    bundle = artifact.with_name(artifact.name + ".sigstore.json")
    data = json.loads(bundle.read_text())
    assert data["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
    public = str(keys.with_name("release.pub"))
    verified = run("verify", str(artifact), "--bundle", str(bundle), "--key", public)
    assert verified.exit_code == 0, verified.output
    artifact.write_bytes(artifact.read_bytes() + b"!")
    tampered = run("verify", str(artifact), "--bundle", str(bundle), "--key", public)
    assert tampered.exit_code == 1


def test_attest_slsa_in_github_actions(
    keys: Path, artifact: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "octo-org/demo",
        "GITHUB_REF": "refs/tags/v1.0.0",
        "GITHUB_SHA": "a" * 40,
        "GITHUB_WORKFLOW_REF": "octo-org/demo/.github/workflows/release.yml@refs/tags/v1.0.0",
        "GITHUB_RUN_ID": "42",
        "GITHUB_RUN_ATTEMPT": "1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "provenance.json"
    key = str(keys.with_name("release.key"))
    result = run("attest", str(artifact), "--slsa", "--key", key, "-o", str(out))
    assert result.exit_code == 0, result.output
    statement = _payload(out)
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    assert statement["subject"] == [
        {
            "name": artifact.name,
            "digest": {"sha256": hashlib.sha256(artifact.read_bytes()).hexdigest()},
        }
    ]
    workflow = statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]
    assert workflow == {
        "ref": "refs/tags/v1.0.0",
        "repository": "https://github.com/octo-org/demo",
        "path": ".github/workflows/release.yml",
    }
    public = str(keys.with_name("release.pub"))
    verified = run("verify", str(artifact), "--bundle", str(out), "--key", public)
    assert verified.exit_code == 0, verified.output


def test_attest_sbom_made_or_given(keys: Path, artifact: Path, tmp_path: Path) -> None:
    key = str(keys.with_name("release.key"))
    made = tmp_path / "made.json"
    project = str(EXAMPLES / "python-worker")
    result = run("attest", str(artifact), "--sbom", project, "--key", key, "-o", str(made))
    assert result.exit_code == 0, result.output
    statement = _payload(made)
    assert statement["predicateType"] == "https://cyclonedx.org/bom"
    assert statement["predicate"]["bomFormat"] == "CycloneDX"
    assert len(statement["predicate"]["components"]) == 13
    spdx = tmp_path / "sbom.spdx.json"
    assert run("sbom", project, "-f", "spdx", "-o", str(spdx)).exit_code == 0
    given = tmp_path / "given.json"
    result = run("attest", str(artifact), "--sbom", str(spdx), "--key", key, "-o", str(given))
    assert result.exit_code == 0, result.output
    statement = _payload(given)
    assert statement["predicateType"] == "https://spdx.dev/Document"
    assert statement["predicate"] == json.loads(spdx.read_text())


def test_attest_custom_predicate(keys: Path, artifact: Path, tmp_path: Path) -> None:
    predicate = tmp_path / "review.json"
    predicate.write_text('{"reviewer": "alice", "result": "approved"}')
    out = tmp_path / "review.sigstore.json"
    result = run(
        "attest",
        str(artifact),
        "--predicate",
        str(predicate),
        "--type",
        "https://example.com/code-review/v1",
        "--key",
        str(keys.with_name("release.key")),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    statement = _payload(out)
    assert statement["predicateType"] == "https://example.com/code-review/v1"
    assert statement["predicate"] == {"reviewer": "alice", "result": "approved"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--slsa", "--sbom", "."], "exactly one of"),
        ([], "exactly one of"),
        (["--predicate", "{p}"], "--predicate needs --type"),
        (["--predicate", "{p}", "--type", "nonsense"], "unknown predicate type"),
        (["--predicate", "{bad}", "--type", "cyclonedx"], "not JSON"),
        (["--slsa"], "builder id must be given"),
        (["--predicate", "{p}", "--type", "slsaprovenance1"], "needs buildDefinition"),
        (["--predicate", "{p}", "--type", "spdx"], "not a CycloneDX or SPDX"),
    ],
)
def test_attest_bad_input(
    keys: Path,
    artifact: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "p.json").write_text("{}")
    (tmp_path / "bad.json").write_text("{not json")
    args = [a.format(p=tmp_path / "p.json", bad=tmp_path / "bad.json") for a in extra]
    key = str(keys.with_name("release.key"))
    result = run("attest", str(artifact), *args, "--key", key)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) <= 2  # the message and perhaps a hint


def test_sign_bad_input(
    keys: Path, artifact: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = str(keys.with_name("release.key"))
    missing = run("sign", str(tmp_path / "absent.tar.gz"), "--key", key)
    assert missing.exit_code == 2
    assert "no such file" in missing.output
    public = run("sign", str(artifact), "--key", str(keys.with_name("release.pub")))
    assert public.exit_code == 2
    assert "not a PEM private key" in public.output
    monkeypatch.setenv("STOCKADE_KEY_PASSWORD", "wrong")
    wrong = run("sign", str(artifact), "--key", key)
    assert wrong.exit_code == 2
    assert "wrong password" in wrong.output
    assert not artifact.with_name(artifact.name + ".sigstore.json").exists()


def test_keyless_without_a_token(artifact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGSTORE_IDENTITY_TOKEN", raising=False)
    monkeypatch.setattr("sigstore.oidc.detect_credential", lambda *a, **k: None)
    result = run("sign", str(artifact))
    assert result.exit_code == 2
    assert "no OIDC identity token" in result.output
    bad = run("sign", str(artifact), "--identity-token", "not-a-jwt")
    assert bad.exit_code == 2
    assert "unusable identity token" in bad.output


def test_keyless_cli_reaches_the_signer(
    artifact: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keyless signing from the command line, with sigstore's signer (Fulcio and Rekor)
    replaced by a fake at the signer-factory seam."""
    from contextlib import contextmanager
    from importlib import resources

    from stockade.provenance import sign as sign_module

    store = resources.files("sigstore") / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
    config = tmp_path / "trust_config.json"
    config.write_text(
        json.dumps(
            {
                "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
                "trustedRoot": json.loads((store / "trusted_root.json").read_text()),
                "signingConfig": json.loads((store / "signing_config.v0.2.json").read_text()),
            }
        )
    )
    signed: list[bytes] = []

    class FakeSigner:
        def sign_artifact(self, input_: bytes) -> Any:
            signed.append(input_)
            return type("B", (), {"to_json": lambda self: '{"fake": true}'})()

        def sign_dsse(self, input_: Any) -> Any:  # pragma: no cover - not used here
            raise AssertionError

    @contextmanager
    def factory(context: Any, token: Any) -> Any:
        assert token.issuer == "https://accounts.example"
        yield FakeSigner()

    real = sign_module.keyless_sign_blob
    monkeypatch.setattr(
        sign_module,
        "keyless_sign_blob",
        lambda data, token, context: real(data, token, context, signer_factory=factory),
    )
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "https://accounts.example",
            "aud": "sigstore",
            "sub": "alice",
            "iat": now,
            "exp": now + 300,
        },
        "test-secret-long-enough-for-hmac-sha256",
        algorithm="HS256",
    )
    result = run("sign", str(artifact), "--identity-token", token, "--trust-config", str(config))
    assert result.exit_code == 0, result.output
    assert signed == [artifact.read_bytes()]
    assert json.loads(artifact.with_name(artifact.name + ".sigstore.json").read_text()) == {
        "fake": True
    }


def test_sbom_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = str(EXAMPLES / "python-service")
    first = run("sbom", project, "--timestamp", "2026-03-01T12:00:00Z")
    assert first.exit_code == 0
    bom = json.loads(first.stdout)
    assert bom["specVersion"] == "1.6"
    assert bom["metadata"]["timestamp"].startswith("2026-03-01T12:00:00")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772366400")
    out = tmp_path / "sbom.cdx.json"
    second = run("sbom", project, "-o", str(out))
    assert second.exit_code == 0
    assert out.read_text() == first.stdout
    bad = run("sbom", project, "-f", "swid")
    assert bad.exit_code == 2
    assert "unknown SBOM format" in bad.output
    bad_time = run("sbom", project, "--timestamp", "noon")
    assert bad_time.exit_code == 2
    empty = run("sbom", str(tmp_path / "nothing-here"))
    assert empty.exit_code == 2


def test_attest_slsa_from_flags(
    keys: Path, artifact: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out = tmp_path / "provenance.json"
    result = run(
        "attest",
        str(artifact),
        "--slsa",
        "--builder-id",
        "https://builder.example/v1",
        "--external-parameter",
        "target=dist",
        "--resolved-dependency",
        "git+https://git.example/demo@refs/tags/v1.0.0#gitCommit:" + "d" * 40,
        "--invocation-id",
        "https://builder.example/runs/12",
        "--key",
        str(keys.with_name("release.key")),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    predicate = _payload(out)["predicate"]
    assert predicate["runDetails"] == {
        "builder": {"id": "https://builder.example/v1"},
        "metadata": {"invocationId": "https://builder.example/runs/12"},
    }
    assert predicate["buildDefinition"]["externalParameters"] == {"target": "dist"}
    assert predicate["buildDefinition"]["resolvedDependencies"][0]["digest"] == {
        "gitCommit": "d" * 40
    }


def test_keygen_asks_for_the_password_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockade.cli import provenance_sign

    monkeypatch.delenv("STOCKADE_KEY_PASSWORD", raising=False)
    monkeypatch.setattr(provenance_sign, "can_prompt", lambda: True)
    prefix = str(tmp_path / "asked")
    mismatch = runner.invoke(app, ["keygen", "--output-key-prefix", prefix], input="one\ntwo\n")
    assert mismatch.exit_code != 0
    assert not (tmp_path / "asked.key").exists()
    result = runner.invoke(app, ["keygen", "--output-key-prefix", prefix], input="s3cret\ns3cret\n")
    assert result.exit_code == 0, result.output
    from stockade.provenance.keys import load_signing_key

    assert load_signing_key(tmp_path / "asked.key", b"s3cret").hint
    artifact = tmp_path / "a.txt"
    artifact.write_text("hello")
    signed = runner.invoke(
        app, ["sign", str(artifact), "--key", str(tmp_path / "asked.key")], input="s3cret\n"
    )
    assert signed.exit_code == 0, signed.output
    assert artifact.with_name("a.txt.sigstore.json").is_file()


def test_attestations_are_recorded_in_the_log(keys: Path, artifact: Path, tmp_path: Path) -> None:
    key = str(keys.with_name("release.key"))
    bundle = tmp_path / "slsa.json"
    result = run(
        "attest",
        str(artifact),
        "--slsa",
        "--builder-id",
        "https://ci.example.test/runner",
        "--key",
        key,
        "-o",
        str(bundle),
    )
    assert result.exit_code == 0, result.output
    assert "Recorded in the log at index 0" in result.stderr
    proof = run("log", "prove", "--index", "0")
    assert proof.exit_code == 0, proof.output
    assert json.loads(proof.stdout)["tree_size"] == 1
    from stockade.store.db import Database
    from stockade.store.log import LogStore

    with Database.open() as db:
        entry = LogStore(db).entry(0).entry_json()
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    assert entry["kind"] == "attestation"
    assert entry["subject"] == f"sha256:{digest}"
    assert entry["data"]["predicate_type"] == "https://slsa.dev/provenance/v1"
    assert entry["data"]["bundle_sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    skipped = run(
        "attest",
        str(artifact),
        "--slsa",
        "--builder-id",
        "https://ci.example.test/runner",
        "--key",
        key,
        "-o",
        str(bundle),
        "--no-log",
    )
    assert skipped.exit_code == 0 and "Recorded" not in skipped.stderr
