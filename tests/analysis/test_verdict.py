"""Correlation: capabilities alone stay benign; combinations in active code are malicious."""

from __future__ import annotations

from stockade.analysis.model import Category, Confidence, Finding, Kind, Phase, Severity, Verdict
from stockade.analysis.suppress import Suppression, apply
from stockade.analysis.verdict import judge


def f(
    category: Category,
    *,
    kind: Kind = Kind.THREAT,
    severity: Severity = Severity.HIGH,
    confidence: Confidence = Confidence.HIGH,
    phase: Phase | None = Phase.INSTALL,
    path: str = "setup.py",
    rule: str = "test-rule",
) -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=severity,
        confidence=confidence,
        kind=kind,
        path=path,
        line=1,
        snippet="x",
        message=f"{category.value} behaviour",
        phase=phase,
    )


def test_no_findings_is_benign_zero() -> None:
    judgement = judge([])
    assert judgement.verdict is Verdict.BENIGN
    assert judgement.score == 0.0
    assert judgement.reasons == ()


def test_many_capabilities_alone_stay_benign() -> None:
    caps = [
        f(c, kind=Kind.CAPABILITY, severity=Severity.MEDIUM, phase=Phase.RUNTIME, path=f"m{i}.py")
        for i, c in enumerate([Category.NETWORK, Category.PROCESS, Category.EXECUTION] * 20)
    ]
    judgement = judge(caps)
    assert judgement.verdict is Verdict.BENIGN
    assert judgement.score < 5


def test_secrets_and_network_at_install_time_is_malicious() -> None:
    judgement = judge(
        [
            f(Category.CREDENTIALS, kind=Kind.CAPABILITY, severity=Severity.MEDIUM),
            f(Category.NETWORK, kind=Kind.CAPABILITY, severity=Severity.MEDIUM),
        ]
    )
    assert judgement.verdict is Verdict.MALICIOUS
    assert judgement.score >= 8
    assert judgement.reasons[0].startswith("setup.py (install): reads secrets")


def test_same_pair_at_runtime_in_different_files_is_not_malicious() -> None:
    judgement = judge(
        [
            f(
                Category.CREDENTIALS,
                kind=Kind.CAPABILITY,
                phase=Phase.RUNTIME,
                path="a.py",
                severity=Severity.MEDIUM,
            ),
            f(
                Category.NETWORK,
                kind=Kind.CAPABILITY,
                phase=Phase.RUNTIME,
                path="b.py",
                severity=Severity.MEDIUM,
            ),
        ]
    )
    assert judgement.verdict is Verdict.BENIGN


def test_exec_of_decoded_code_at_import_is_malicious_at_runtime_suspicious() -> None:
    assert judge([f(Category.EXECUTION, phase=Phase.IMPORT)]).verdict is Verdict.MALICIOUS
    runtime = judge([f(Category.EXECUTION, phase=Phase.RUNTIME, confidence=Confidence.MEDIUM)])
    assert runtime.verdict is Verdict.SUSPICIOUS
    assert 5 <= runtime.score < 8


def test_phase_less_endpoint_joins_the_code_of_its_file() -> None:
    judgement = judge(
        [
            f(Category.EXFILTRATION, phase=None, path="index.js"),
            f(
                Category.CREDENTIALS,
                kind=Kind.CAPABILITY,
                severity=Severity.MEDIUM,
                phase=Phase.RUNTIME,
                path="index.js",
            ),
        ]
    )
    assert judgement.verdict is Verdict.MALICIOUS
    assert "exfiltration endpoint" in judgement.reasons[0]


def test_single_critical_threat_is_malicious_single_high_is_suspicious() -> None:
    critical = judge([f(Category.ARCHIVE, severity=Severity.CRITICAL, phase=None, path="")])
    assert critical.verdict is Verdict.MALICIOUS
    high = judge([f(Category.BINARY, phase=None, path="lib/x.png")])
    assert high.verdict is Verdict.SUSPICIOUS
    assert high.reasons == ("lib/x.png:1: binary behaviour",)


def test_low_confidence_threat_alone_is_benign() -> None:
    judgement = judge(
        [
            f(
                Category.OBFUSCATION,
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
                phase=Phase.RUNTIME,
                path="a.py",
            )
        ]
    )
    assert judgement.verdict is Verdict.BENIGN


def test_suppressions_match_package_version_hash_and_rule() -> None:
    finding = f(Category.PROCESS, rule="js-child-process", path="install.js")
    keep = f(Category.NETWORK, rule="js-network", path="install.js")
    rules = [
        Suppression(rule="js-child-*", reason="reviewed", package="Esbuild", version="0.24.*"),
        Suppression(rule="js-network", reason="other archive", sha256="ab" * 32),
    ]
    active, suppressed = apply(
        [finding, keep], rules, package="esbuild", version="0.24.2", sha256="cd" * 32
    )
    assert active == [keep]
    assert [(s.finding, s.reason) for s in suppressed] == [(finding, "reviewed")]
    active, _ = apply([finding], rules, package="esbuild", version="0.25.0", sha256=None)
    assert active == [finding]


def test_a_named_token_and_a_download_in_a_build_script_is_not_theft() -> None:
    """A build script that reads GITHUB_TOKEN to call an API and downloads a library (lxml's
    buildlibxml.py does): low-severity secret read plus network is not exfiltration."""
    judgement = judge(
        [
            f(Category.CREDENTIALS, kind=Kind.CAPABILITY, severity=Severity.LOW),
            f(Category.NETWORK, kind=Kind.CAPABILITY, severity=Severity.MEDIUM),
        ]
    )
    assert judgement.verdict is Verdict.BENIGN
