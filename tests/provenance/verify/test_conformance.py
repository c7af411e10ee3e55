"""Every sigstore-conformance bundle-verify case, by path and by digest, through the
conformance CLI client, with the reason checked for representative failures."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from stockade.provenance.conformance import run
from tests.provenance.conftest import TALLIES
from tests.provenance.verify.cases import (
    CANNOT_PASS,
    DEFAULT_IDENTITY,
    DEFAULT_ISSUER,
    EXIT_TWO,
    REASONS,
    REJECTED_AT_ANOTHER_STEP,
)
from tests.provenance.verify.conftest import conformance_cases


def _arguments(case: Path) -> tuple[list[str], Path]:
    """The protocol arguments for `case` (as the upstream runner builds them) and its artifact."""
    artifact = case / "artifact" if (case / "artifact").exists() else case.parent / "a.txt"
    args = ["verify-bundle", "--bundle", str(case / "bundle.sigstore.json")]
    if (case / "key.pub").exists():
        args += ["--key", str(case / "key.pub")]
    else:
        identity = case / "identity"
        issuer = case / "issuer"
        args += [
            "--certificate-identity",
            identity.read_text().strip() if identity.exists() else DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            issuer.read_text().strip() if issuer.exists() else DEFAULT_ISSUER,
        ]
    if (case / "trusted_root.json").exists():
        args += ["--trusted-root", str(case / "trusted_root.json")]
    return args, artifact


def _modes(artifact: Path) -> dict[str, str]:
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    return {"path": str(artifact), "digest": f"sha256:{digest}"}


@pytest.mark.parametrize("name", conformance_cases())
@pytest.mark.parametrize("mode", ["path", "digest"])
def test_case(conformance: Path, name: str, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    if name in CANNOT_PASS:
        pytest.xfail(CANNOT_PASS[name])
    args, artifact = _arguments(conformance / name)
    code = run([*args, _modes(artifact)[mode]])
    err = capsys.readouterr().err
    if not name.endswith("fail"):
        assert code == 0, err
        assert err == ""
        return
    assert code == (2 if name in EXIT_TWO else 1), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    if name in REASONS:
        assert REASONS[name] in err.lower(), err


def test_tally(conformance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """All cases in both modes: print the tally the issue asks for, and require every one."""
    tally = {"pass": 0, "fail": 0, "expected failures": 0}
    wrong: list[str] = []
    for name in conformance_cases():
        args, artifact = _arguments(conformance / name)
        for mode, value in _modes(artifact).items():
            code = run([*args, value])
            as_expected = (code != 0) == name.endswith("fail")
            if as_expected:
                tally["pass"] += 1
            elif name in CANNOT_PASS:
                tally["expected failures"] += 1
            else:
                tally["fail"] += 1
                wrong.append(f"{name} ({mode})")
    capsys.readouterr()
    cases = len(conformance_cases())
    TALLIES["sigstore-conformance bundle-verify"] = (
        f"{cases} cases x 2 modes (path, digest): {tally['pass']} as expected, "
        f"{tally['fail']} wrong, {tally['expected failures']} known failures"
    )
    assert cases == 70
    assert wrong == []
    assert tally["pass"] == 2 * cases - 2 * len(CANNOT_PASS)


def test_reason_table_names_real_cases(conformance: Path) -> None:
    names = set(conformance_cases())
    assert set(REASONS) <= names
    assert names >= EXIT_TWO
    assert all(n.endswith("fail") for n in REASONS)


@pytest.mark.parametrize(("name", "code"), [("happy-path-v0.3", 0), ("signature-mismatch_fail", 1)])
def test_client_as_a_process(conformance: Path, name: str, code: int) -> None:
    """The executable the upstream runner calls: exit code, and one line on failure."""
    args, artifact = _arguments(conformance / name)
    done = subprocess.run(
        [sys.executable, "-m", "stockade.provenance.conformance", *args, str(artifact)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == (0 if code == 0 else 1), done.stderr


def test_documented_cases_are_failing_cases(conformance: Path) -> None:
    names = set(conformance_cases())
    assert set(REJECTED_AT_ANOTHER_STEP) <= names
    assert all(n.endswith("fail") for n in REJECTED_AT_ANOTHER_STEP)
