"""in-toto statements and SLSA provenance predicates."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stockade.errors import InputError
from stockade.provenance.intoto import (
    CYCLONEDX_PREDICATE,
    GITHUB_BUILD_TYPE,
    GITHUB_HOSTED_BUILDER,
    SLSA_PROVENANCE_V1,
    SPDX_PREDICATE,
    STATEMENT_TYPE,
    ResourceDescriptor,
    Statement,
    build_from_environment,
    github_actions_build,
    manual_build,
    parse_dependency,
    parse_parameter,
    sbom_predicate_type,
    slsa_predicate,
    subject_for_file,
    validate_statement,
)

# The variables a GitHub-hosted run of a push to main sets (values from a real run's shape).
GITHUB_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "octo-org/octo-lib",
    "GITHUB_REPOSITORY_ID": "123456789",
    "GITHUB_REPOSITORY_OWNER_ID": "987654",
    "GITHUB_REF": "refs/heads/main",
    "GITHUB_SHA": "3f786850e387550fdab836ed7e6dc881de23001b",
    "GITHUB_WORKFLOW_REF": "octo-org/octo-lib/.github/workflows/release.yml@refs/heads/main",
    "GITHUB_EVENT_NAME": "push",
    "GITHUB_RUN_ID": "9876543210",
    "GITHUB_RUN_ATTEMPT": "2",
    "RUNNER_ENVIRONMENT": "github-hosted",
}


def test_statement_shape(tmp_path: Path) -> None:
    artifact = tmp_path / "pkg-1.0.tar.gz"
    artifact.write_bytes(b"tarball bytes")
    subject = subject_for_file(artifact)
    statement = Statement((subject,), SLSA_PROVENANCE_V1, {"k": "v"})
    data = json.loads(statement.to_json())
    assert data == {
        "_type": STATEMENT_TYPE,
        "subject": [
            {
                "name": "pkg-1.0.tar.gz",
                "digest": {"sha256": hashlib.sha256(b"tarball bytes").hexdigest()},
            }
        ],
        "predicateType": SLSA_PROVENANCE_V1,
        "predicate": {"k": "v"},
    }
    assert validate_statement(data) == Statement((subject,), SLSA_PROVENANCE_V1, {"k": "v"})


def test_sigstore_accepts_the_statement(tmp_path: Path) -> None:
    from sigstore import dsse

    statement = Statement(
        (subject_for_file(Path(__file__)),),
        SLSA_PROVENANCE_V1,
        slsa_predicate(manual_build(builder_id="https://ci.example/builder")),
    )
    parsed = dsse.Statement(statement.to_json())
    assert parsed._inner.predicate_type == SLSA_PROVENANCE_V1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"_type": "https://in-toto.io/Statement/v0.1"}, "_type must be"),
        ({"_type": STATEMENT_TYPE, "subject": []}, "subject must be a non-empty list"),
        (
            {"_type": STATEMENT_TYPE, "subject": [{"name": "a", "digest": {"sha256": "AB"}}]},
            "lowercase hex",
        ),
        (
            {"_type": STATEMENT_TYPE, "subject": [{"name": "a", "digest": {"sha256": "ab"}}]},
            "64 hex digits",
        ),
        (
            {"_type": STATEMENT_TYPE, "subject": [{"name": "a", "digest": {"sha1": "0" * 40}}]},
            "predicateType",
        ),
        (
            {
                "_type": STATEMENT_TYPE,
                "subject": [{"name": "a", "digest": {"sha1": "0" * 40}}],
                "predicateType": "x",
                "predicate": [],
            },
            "predicate must be a JSON object",
        ),
    ],
)
def test_invalid_statements(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        validate_statement(data)


def test_missing_subject_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        subject_for_file(tmp_path / "absent")


def test_github_actions_provenance() -> None:
    build = github_actions_build(GITHUB_ENV)
    assert build is not None
    predicate = slsa_predicate(build)
    assert predicate == {
        "buildDefinition": {
            "buildType": GITHUB_BUILD_TYPE,
            "externalParameters": {
                "workflow": {
                    "ref": "refs/heads/main",
                    "repository": "https://github.com/octo-org/octo-lib",
                    "path": ".github/workflows/release.yml",
                }
            },
            "internalParameters": {
                "github": {
                    "event_name": "push",
                    "repository_id": "123456789",
                    "repository_owner_id": "987654",
                    "runner_environment": "github-hosted",
                }
            },
            "resolvedDependencies": [
                {
                    "uri": "git+https://github.com/octo-org/octo-lib@refs/heads/main",
                    "digest": {"gitCommit": "3f786850e387550fdab836ed7e6dc881de23001b"},
                }
            ],
        },
        "runDetails": {
            "builder": {"id": GITHUB_HOSTED_BUILDER},
            "metadata": {
                "invocationId": "https://github.com/octo-org/octo-lib/actions/runs/9876543210/attempts/2"
            },
        },
    }


def test_not_github_actions() -> None:
    assert github_actions_build({}) is None
    with pytest.raises(InputError, match="builder id must be given"):
        build_from_environment({})


def test_flags_override_and_fill_in() -> None:
    build = build_from_environment(GITHUB_ENV, builder_id="https://builder.example/v1")
    assert build.builder_id == "https://builder.example/v1"
    assert build.build_type == GITHUB_BUILD_TYPE
    manual = manual_build(
        builder_id="https://builder.example/v1",
        external_parameters={"target": "dist"},
        resolved_dependencies=[
            ResourceDescriptor("git+https://git.example/r@refs/tags/v1", {"gitCommit": "a" * 40})
        ],
        started_on=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        finished_on=datetime(2026, 1, 2, 3, 14, 5, tzinfo=UTC),
    )
    predicate = slsa_predicate(manual)
    assert predicate["buildDefinition"]["externalParameters"] == {"target": "dist"}
    assert predicate["runDetails"]["metadata"] == {
        "startedOn": "2026-01-02T03:04:05Z",
        "finishedOn": "2026-01-02T03:14:05Z",
    }
    assert "internalParameters" not in predicate["buildDefinition"]


def test_sbom_predicate_types() -> None:
    assert sbom_predicate_type({"bomFormat": "CycloneDX", "specVersion": "1.6"}) == (
        CYCLONEDX_PREDICATE
    )
    assert sbom_predicate_type({"spdxVersion": "SPDX-2.3"}) == SPDX_PREDICATE
    with pytest.raises(InputError, match="not a CycloneDX or SPDX"):
        sbom_predicate_type({"name": "x"})


def test_caller_values_complete_the_ci_ones() -> None:
    build = build_from_environment(
        GITHUB_ENV,
        external_parameters={"inputs": "release"},
        resolved_dependencies=[
            parse_dependency("https://tools.example/builder.tar#sha256:" + "b" * 64)
        ],
        invocation_id="https://ci.example/run/7",
    )
    assert build.external_parameters["inputs"] == "release"
    assert "workflow" in build.external_parameters
    assert [d.uri for d in build.resolved_dependencies] == [
        "git+https://github.com/octo-org/octo-lib@refs/heads/main",
        "https://tools.example/builder.tar",
    ]
    assert build.invocation_id == "https://ci.example/run/7"


def test_manual_build_from_flags() -> None:
    build = build_from_environment(
        {},
        builder_id="https://builder.example/v1",
        external_parameters=dict([parse_parameter("target=dist"), parse_parameter("opt=a=b")]),
        resolved_dependencies=[
            parse_dependency("git+https://git.example/r@refs/tags/v1#gitCommit:" + "c" * 40)
        ],
    )
    predicate = slsa_predicate(build)
    assert predicate["buildDefinition"]["externalParameters"] == {"target": "dist", "opt": "a=b"}
    assert predicate["buildDefinition"]["resolvedDependencies"] == [
        {"uri": "git+https://git.example/r@refs/tags/v1", "digest": {"gitCommit": "c" * 40}}
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a uri", "must start with a URI"),
        ("https://x.example/a#sha256", "ALGORITHM:HEX"),
        ("https://x.example/a#sha256:abc", "ALGORITHM:HEX"),
        ("https://x.example/a#gitCommit:zz", "ALGORITHM:HEX"),
    ],
)
def test_bad_dependencies(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_dependency(text)


def test_bad_parameters() -> None:
    with pytest.raises(InputError, match="KEY=VALUE"):
        parse_parameter("novalue")
    with pytest.raises(InputError, match="KEY=VALUE"):
        parse_parameter("=x")


def test_known_predicates_are_checked() -> None:
    from stockade.provenance.intoto import check_predicate

    good = slsa_predicate(manual_build(builder_id="https://builder.example/v1"))
    check_predicate(SLSA_PROVENANCE_V1, good)
    with pytest.raises(InputError, match=r"buildDefinition\.buildType"):
        check_predicate(SLSA_PROVENANCE_V1, {"runDetails": good["runDetails"]})
    with pytest.raises(InputError, match=r"runDetails\.builder\.id"):
        check_predicate(SLSA_PROVENANCE_V1, {**good, "runDetails": {"builder": {}}})
    check_predicate(CYCLONEDX_PREDICATE, {"bomFormat": "CycloneDX", "specVersion": "1.6"})
    with pytest.raises(InputError, match="not a document of type " + re.escape(SPDX_PREDICATE)):
        check_predicate(SPDX_PREDICATE, {"bomFormat": "CycloneDX"})
    with pytest.raises(InputError, match="not a CycloneDX or SPDX"):
        check_predicate(CYCLONEDX_PREDICATE, {"reviewer": "alice"})
    check_predicate("https://example.com/review/v1", {"anything": True})
