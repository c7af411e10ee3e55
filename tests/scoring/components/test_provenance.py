"""The provenance component: published, absent, dropped (ultralytics, @solana/web3.js),
claiming another repository, and unknown."""

from __future__ import annotations

from dataclasses import replace

from stockade.ecosystems.interface import Ecosystem, FileInfo, ProvenanceRef
from stockade.scoring.components.provenance import PROVENANCE
from stockade.scoring.model import ComponentName, Confidence, FlagLevel
from tests.scoring.components.histories import (
    REQUESTS_RELEASES,
    assert_adds_up,
    codes,
    evidence,
    facts,
    flags,
    package,
    requests,
    solana_web3,
    ultralytics,
    with_version,
)


def test_published_provenance_from_the_declared_repository() -> None:
    # PEP 740 publishers name GitHub repositories as owner/name.
    component = PROVENANCE(facts(ultralytics(), "8.3.44", "2024-12-06T12:00:00"))
    assert component.name is ComponentName.PROVENANCE
    assert component.score == 8.0
    assert component.confidence is Confidence.MEDIUM
    assert not component.flags
    assert evidence(component, "provenance").value == ["pep740"]
    assert "declared repository" in evidence(component, "provenance-repository").message
    assert evidence(component, "recent-provenance").value == 1.0
    assert "historical provenance" in component.summary and "unknown" in component.summary
    assert_adds_up(component, 0.0)


def test_provenance_dropped_by_a_token_upload_ultralytics() -> None:
    component = PROVENANCE(facts(ultralytics(), "8.3.45", "2024-12-08"))
    assert component.score == 1.0
    assert flags(component) == {"provenance-dropped"}
    assert component.flags[0].level is FlagLevel.WARN
    assert evidence(component, "provenance-dropped").value == "8.3.44"
    # 7 of the 8 releases up to 8.3.45 carry provenance.
    assert evidence(component, "recent-provenance").value == round(7 / 8, 2)
    assert_adds_up(component, 0.0)


def test_the_release_after_a_drop_shows_provenance_stopped() -> None:
    component = PROVENANCE(facts(ultralytics(), "8.3.46", "2024-12-08"))
    assert not component.flags
    assert component.score == 2.0
    assert evidence(component, "provenance-stopped").value == "8.3.44"


def test_provenance_dropped_on_npm_and_restored_by_the_fix() -> None:
    bad = PROVENANCE(facts(solana_web3(), "1.95.6", "2024-12-04"))
    assert flags(bad) == {"provenance-dropped"}
    assert bad.score == 1.0
    fixed = PROVENANCE(facts(solana_web3(), "1.95.8", "2024-12-04"))
    assert fixed.score == 8.0 and not fixed.flags
    assert evidence(fixed, "provenance").value == ["npm"]
    assert evidence(fixed, "recent-provenance").value == round(6 / 8, 2)


def test_provenance_claiming_another_repository() -> None:
    ref = ProvenanceRef(
        kind="npm",
        url="https://npm.test/-/npm/v1/attestations/@solana%2fweb3.js@1.95.8",
        predicate_type="https://slsa.dev/provenance/v1",
        source_repository="https://github.com/solana-web3-labs/solana-web3.js",
    )
    info = with_version(solana_web3(), "1.95.8", provenance=(ref,))
    component = PROVENANCE(facts(info, "1.95.8", "2024-12-04"))
    assert component.score == 2.0
    assert flags(component) == {"provenance-mismatch"}
    assert evidence(component, "provenance-mismatch").value == [ref.source_repository]
    assert "solana-labs/solana-web3.js" in component.flags[0].message
    assert_adds_up(component, 0.0)


def test_repository_spellings_are_compared_normalised() -> None:
    ref = ProvenanceRef(
        kind="sigstore", source_repository="git+https://github.com/PSF/Requests.git"
    )
    info = with_version(requests(), "2.32.3", provenance=(ref,))
    component = PROVENANCE(facts(info, "2.32.3", "2024-06-01"))
    assert component.score == 8.0 and not component.flags


def test_provenance_without_a_declared_repository_cannot_be_compared() -> None:
    info = with_version(replace(ultralytics(), source_repository=None), "8.3.44")
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert component.score == 8.0
    assert "no repository to compare" in evidence(component, "provenance-repository").message


def test_no_provenance_in_a_project_that_never_had_it() -> None:
    info = package(
        Ecosystem.PYPI,
        "requests",
        REQUESTS_RELEASES,
        every={"provenance": ()},
        source_repository="https://github.com/psf/requests",
    )
    component = PROVENANCE(facts(info, "2.32.3", "2024-06-01"))
    assert component.score == 3.0
    assert component.confidence is Confidence.MEDIUM
    assert not component.flags
    assert codes(component) == {"recent-provenance", "no-provenance"}
    assert evidence(component, "recent-provenance").value == 0.0


def test_some_files_attested() -> None:
    info = ultralytics()
    wheel = info.versions["8.3.44"]
    files = (
        FileInfo(filename="ultralytics-8.3.44-py3-none-any.whl", url="https://files.pypi.test/w"),
        FileInfo(filename="ultralytics-8.3.44.tar.gz", url="https://files.pypi.test/s"),
    )
    info = with_version(info, "8.3.44", files=files, provenance=wheel.provenance)
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert "1 of the 2 files" in evidence(component, "partly-attested").message


def test_a_prerelease_without_provenance_is_compared_with_prereleases() -> None:
    info = package(
        Ecosystem.NPM,
        "@solana/web3.js",
        [
            ("2.0.0-rc.3", "2024-11-01", {"provenance": ()}),
            ("1.95.5", "2024-11-18", {"provenance": solana_web3().versions["1.95.5"].provenance}),
            ("2.0.0-rc.4", "2024-11-20", {"provenance": ()}),
        ],
        source_repository="https://github.com/solana-labs/solana-web3.js",
    )
    component = PROVENANCE(facts(info, "2.0.0-rc.4", "2024-11-21"))
    assert "provenance-dropped" not in flags(component)
    assert component.score == 2.0  # an earlier release had it: stopped, not dropped


def test_unknown_when_the_registry_does_not_say() -> None:
    # A mirror that strips provenance keys: the versions' provenance is None.
    component = PROVENANCE(facts(requests(), "2.32.3", "2024-06-01"))
    assert component.score is None
    assert "does not say" in component.summary
    missing = PROVENANCE(facts(requests(), "9.9.9", "2024-06-01"))
    assert missing.score is None and "does not list" in missing.summary
    unknown = PROVENANCE(facts(None, None, "2024-06-01", name="no-such-package"))
    assert unknown.score is None


def test_a_host_less_claim_is_compared_on_the_declared_forge() -> None:
    # PEP 740 GitLab publishers name the project as namespace/project, like GitHub ones.
    ref = ProvenanceRef(kind="pep740", source_repository="pycqa/flake8-gitlab")
    info = package(
        Ecosystem.PYPI,
        "flake8-gitlab",
        [("1.0.0", "2024-11-01", {"provenance": (ref,)})],
        source_repository="https://gitlab.com/pycqa/flake8-gitlab",
    )
    assert PROVENANCE(facts(info, "1.0.0", "2024-12-01")).score == 8.0
    other = ProvenanceRef(kind="pep740", source_repository="someone-else/flake8-gitlab")
    moved = with_version(info, "1.0.0", provenance=(other,))
    assert flags(PROVENANCE(facts(moved, "1.0.0", "2024-12-01"))) == {"provenance-mismatch"}


def _verified_refs(verified: bool | None, **claims: str) -> tuple[ProvenanceRef, ...]:
    return (
        ProvenanceRef(
            kind="pep740",
            url="https://pypi.test/integrity/ultralytics/8.3.44/ultralytics-8.3.44.tar.gz/provenance",
            filename="ultralytics-8.3.44.tar.gz",
            verified=verified,
            **claims,
        ),
    )


def test_verified_provenance_scores_10_with_high_confidence() -> None:
    refs = _verified_refs(
        True,
        source_repository="https://github.com/ultralytics/ultralytics",
        workflow=".github/workflows/publish.yml",
    )
    info = with_version(ultralytics(), "8.3.44", provenance=refs)
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert component.score == 10.0
    assert component.confidence is Confidence.HIGH
    assert not component.flags
    proof = evidence(component, "provenance-verified")
    assert proof.impact == 2.0
    assert "https://github.com/ultralytics/ultralytics" in proof.message
    assert ".github/workflows/publish.yml" in proof.message
    assert proof.value == {
        "repositories": ["https://github.com/ultralytics/ultralytics"],
        "workflows": [".github/workflows/publish.yml"],
    }
    assert "verified" in evidence(component, "provenance").message
    assert "declared repository" in evidence(component, "provenance-repository").message
    assert component.summary.startswith(
        "Build provenance is published from the declared repository, verified"
    )
    assert_adds_up(component, 0.0)


def test_failing_verification_scores_0_and_caps_the_overall_at_3() -> None:
    info = with_version(ultralytics(), "8.3.44", provenance=_verified_refs(False))
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert component.score == 0.0
    assert component.confidence is Confidence.HIGH
    assert flags(component) == {"provenance-invalid"}
    flag = component.flags[0]
    assert flag.level is FlagLevel.CAP and flag.cap == 3.0
    assert "does not verify" in flag.message
    assert evidence(component, "provenance-invalid").value == ["ultralytics-8.3.44.tar.gz"]
    assert "does not verify" in component.summary
    assert_adds_up(component, 0.0)


def test_one_failing_file_outweighs_verified_ones() -> None:
    good = _verified_refs(True, source_repository="https://github.com/ultralytics/ultralytics")
    bad = ProvenanceRef(
        kind="pep740",
        url="https://pypi.test/integrity/ultralytics/8.3.44/w.whl/provenance",
        filename="ultralytics-8.3.44-py3-none-any.whl",
        verified=False,
    )
    info = with_version(ultralytics(), "8.3.44", provenance=(*good, bad))
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert component.score == 0.0
    assert flags(component) == {"provenance-invalid"}
    assert evidence(component, "provenance-invalid").value == [
        "ultralytics-8.3.44-py3-none-any.whl"
    ]


def test_unverified_provenance_stays_published_with_medium_confidence() -> None:
    info = with_version(ultralytics(), "8.3.44", provenance=_verified_refs(None))
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert component.score == 8.0
    assert component.confidence is Confidence.MEDIUM
    assert "not yet verified" in evidence(component, "provenance").message
    assert "provenance-verified" not in codes(component)


def test_verified_provenance_from_another_repository_still_warns() -> None:
    refs = _verified_refs(True, source_repository="https://github.com/someone/ultralytics")
    info = with_version(ultralytics(), "8.3.44", provenance=refs)
    component = PROVENANCE(facts(info, "8.3.44", "2024-12-06T12:00:00"))
    assert component.score == 4.0
    assert flags(component) == {"provenance-mismatch"}
    assert_adds_up(component, 0.0)
