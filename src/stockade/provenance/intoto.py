"""in-toto Statement v1 with SLSA provenance v1 and SBOM predicates.

A statement names its subjects by digest and carries one predicate. The SLSA provenance
predicate is filled from the CI's environment where the CI exposes it (GitHub Actions, in the
shape GitHub's own build-provenance attestations use), otherwise from what the caller gives.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stockade.errors import InputError

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
"""``_type`` of an in-toto Statement v1."""
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
"""Predicate type of SLSA provenance v1."""
CYCLONEDX_PREDICATE = "https://cyclonedx.org/bom"
"""Predicate type of a CycloneDX SBOM."""
SPDX_PREDICATE = "https://spdx.dev/Document"
"""Predicate type of an SPDX document."""
GITHUB_BUILD_TYPE = "https://actions.github.io/buildtypes/workflow/v1"
"""The build type of a GitHub Actions workflow run."""
GITHUB_HOSTED_BUILDER = "https://github.com/actions/runner/github-hosted"
"""The builder id of GitHub-hosted runners."""
GITHUB_SELF_HOSTED_BUILDER = "https://github.com/actions/runner/self-hosted"
"""The builder id of self-hosted runners."""
STOCKADE_BUILD_TYPE = "https://stockade.dev/buildtypes/manual/v1"
"""The build type recorded when no CI is detected and none is given."""

_HEX_DIGEST = re.compile(r"^[0-9a-f]+$")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128, "sha1": 40, "gitCommit": 40}


@dataclass(frozen=True, slots=True)
class Subject:
    """An artifact a statement is about."""

    name: str
    """Its name (a file name, a purl)."""
    digest: Mapping[str, str]
    """Digests by algorithm, lowercase hex."""

    def to_dict(self) -> dict[str, Any]:
        """The subject's JSON form."""
        return {"name": self.name, "digest": dict(sorted(self.digest.items()))}


def subject_for_bytes(name: str, data: bytes) -> Subject:
    """A subject with the SHA-256 of ``data``."""
    return Subject(name=name, digest={"sha256": hashlib.sha256(data).hexdigest()})


def subject_for_file(path: Path, name: str | None = None) -> Subject:
    """A subject for a file, named by its file name unless ``name`` is given."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    return Subject(name=name or path.name, digest={"sha256": digest.hexdigest()})


@dataclass(frozen=True, slots=True)
class Statement:
    """An in-toto Statement v1."""

    subjects: tuple[Subject, ...]
    """What it is about (at least one)."""
    predicate_type: str
    """A URI naming the predicate's meaning."""
    predicate: Mapping[str, Any]
    """The claim."""

    def to_dict(self) -> dict[str, Any]:
        """The statement's JSON form."""
        return {
            "_type": STATEMENT_TYPE,
            "subject": [s.to_dict() for s in self.subjects],
            "predicateType": self.predicate_type,
            "predicate": dict(self.predicate),
        }

    def to_json(self) -> bytes:
        """Compact UTF-8 JSON: the bytes a DSSE envelope signs."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()


def validate_statement(data: object) -> Statement:
    """Check an in-toto Statement v1's shape and return it.

    Raises :class:`~stockade.errors.InputError` naming the first problem: wrong ``_type``, no
    subjects, a subject without a name or with a malformed digest, a missing predicate type or
    a predicate that is not an object.
    """
    if not isinstance(data, Mapping):
        raise InputError("an in-toto statement must be a JSON object")
    if data.get("_type") != STATEMENT_TYPE:
        raise InputError(f"_type must be {STATEMENT_TYPE!r}, not {data.get('_type')!r}")
    raw_subjects = data.get("subject")
    if not isinstance(raw_subjects, list) or not raw_subjects:
        raise InputError("subject must be a non-empty list")
    subjects = tuple(_subject(s, i) for i, s in enumerate(raw_subjects))
    predicate_type = data.get("predicateType")
    if not isinstance(predicate_type, str) or not predicate_type:
        raise InputError("predicateType must be a non-empty string")
    predicate = data.get("predicate", {})
    if not isinstance(predicate, Mapping):
        raise InputError("predicate must be a JSON object")
    return Statement(subjects, predicate_type, predicate)


def _subject(raw: object, index: int) -> Subject:
    if not isinstance(raw, Mapping):
        raise InputError(f"subject[{index}] must be an object")
    name = raw.get("name", "")
    digest = raw.get("digest")
    if not isinstance(name, str):
        raise InputError(f"subject[{index}].name must be a string")
    if not isinstance(digest, Mapping) or not digest:
        raise InputError(f"subject[{index}].digest must be a non-empty object")
    for algorithm, value in digest.items():
        expected = _DIGEST_LENGTHS.get(str(algorithm))
        if not isinstance(value, str) or not _HEX_DIGEST.match(value):
            raise InputError(f"subject[{index}].digest.{algorithm} must be lowercase hex")
        if expected is not None and len(value) != expected:
            raise InputError(f"subject[{index}].digest.{algorithm} must have {expected} hex digits")
    return Subject(name=name, digest={str(k): str(v) for k, v in digest.items()})


@dataclass(frozen=True, slots=True)
class ResourceDescriptor:
    """A SLSA resource descriptor (a resolved dependency: source, tool, base image)."""

    uri: str
    """Where it comes from (``git+https://host/owner/repo@refs/heads/main``)."""
    digest: Mapping[str, str] = field(default_factory=dict)
    """Digests (``gitCommit``, ``sha256``)."""
    name: str | None = None
    """An optional name."""

    def to_dict(self) -> dict[str, Any]:
        """The descriptor's JSON form (empty fields left out)."""
        out: dict[str, Any] = {"uri": self.uri}
        if self.digest:
            out["digest"] = dict(sorted(self.digest.items()))
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What a SLSA provenance v1 predicate says about a build."""

    builder_id: str
    """Who ran the build (the trusted platform)."""
    build_type: str
    """A URI naming the template of ``external_parameters``."""
    external_parameters: Mapping[str, Any] = field(default_factory=dict)
    """Inputs the user controlled (workflow, ref, repository)."""
    internal_parameters: Mapping[str, Any] = field(default_factory=dict)
    """Inputs the platform set."""
    resolved_dependencies: tuple[ResourceDescriptor, ...] = ()
    """Sources and tools the build used."""
    invocation_id: str | None = None
    """An id of this run (a URL of the CI run)."""
    started_on: datetime | None = None
    """When the build started."""
    finished_on: datetime | None = None
    """When it finished."""


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slsa_predicate(build: BuildInfo) -> dict[str, Any]:
    """The SLSA provenance v1 predicate of ``build``."""
    definition: dict[str, Any] = {
        "buildType": build.build_type,
        "externalParameters": dict(build.external_parameters),
    }
    if build.internal_parameters:
        definition["internalParameters"] = dict(build.internal_parameters)
    if build.resolved_dependencies:
        definition["resolvedDependencies"] = [d.to_dict() for d in build.resolved_dependencies]
    metadata: dict[str, str] = {}
    if build.invocation_id:
        metadata["invocationId"] = build.invocation_id
    if build.started_on is not None:
        metadata["startedOn"] = _timestamp(build.started_on)
    if build.finished_on is not None:
        metadata["finishedOn"] = _timestamp(build.finished_on)
    run: dict[str, Any] = {"builder": {"id": build.builder_id}}
    if metadata:
        run["metadata"] = metadata
    return {"buildDefinition": definition, "runDetails": run}


def github_actions_build(env: Mapping[str, str]) -> BuildInfo | None:
    """The build described by GitHub Actions' variables, or ``None`` outside GitHub Actions.

    Follows GitHub's build-provenance attestations: the workflow (repository, ref, path) as
    external parameters, the event and repository ids as internal ones, the repository at
    its commit as the resolved dependency, and the run (with its attempt) as invocation id.
    """
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repository = env.get("GITHUB_REPOSITORY", "")
    ref = env.get("GITHUB_REF", "")
    workflow_ref = env.get("GITHUB_WORKFLOW_REF", "")
    # GITHUB_WORKFLOW_REF is "owner/repo/.github/workflows/build.yml@refs/heads/main".
    path = workflow_ref.split("@", 1)[0]
    if repository and path.startswith(repository + "/"):
        path = path[len(repository) + 1 :]
    repo_url = f"{server}/{repository}"
    internal = {
        key: env[var]
        for key, var in (
            ("event_name", "GITHUB_EVENT_NAME"),
            ("repository_id", "GITHUB_REPOSITORY_ID"),
            ("repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"),
            ("runner_environment", "RUNNER_ENVIRONMENT"),
        )
        if env.get(var)
    }
    self_hosted = env.get("RUNNER_ENVIRONMENT") == "self-hosted"
    run_id = env.get("GITHUB_RUN_ID")
    invocation = None
    if run_id:
        invocation = (
            f"{repo_url}/actions/runs/{run_id}/attempts/{env.get('GITHUB_RUN_ATTEMPT', '1')}"
        )
    sha = env.get("GITHUB_SHA", "")
    return BuildInfo(
        builder_id=GITHUB_SELF_HOSTED_BUILDER if self_hosted else GITHUB_HOSTED_BUILDER,
        build_type=GITHUB_BUILD_TYPE,
        external_parameters={"workflow": {"ref": ref, "repository": repo_url, "path": path}},
        internal_parameters={"github": internal} if internal else {},
        resolved_dependencies=(
            ResourceDescriptor(
                uri=f"git+{repo_url}@{ref}", digest={"gitCommit": sha} if sha else {}
            ),
        ),
        invocation_id=invocation,
    )


def manual_build(
    *,
    builder_id: str | None,
    build_type: str | None = None,
    external_parameters: Mapping[str, Any] | None = None,
    resolved_dependencies: Sequence[ResourceDescriptor] = (),
    invocation_id: str | None = None,
    started_on: datetime | None = None,
    finished_on: datetime | None = None,
) -> BuildInfo:
    """A build described by the caller (flags), for builds outside a known CI."""
    if not builder_id:
        raise InputError(
            "no CI detected: the builder id must be given",
            hint="pass --builder-id (a URI naming the build platform)",
        )
    return BuildInfo(
        builder_id=builder_id,
        build_type=build_type or STOCKADE_BUILD_TYPE,
        external_parameters=dict(external_parameters or {}),
        resolved_dependencies=tuple(resolved_dependencies),
        invocation_id=invocation_id,
        started_on=started_on,
        finished_on=finished_on,
    )


def build_from_environment(
    env: Mapping[str, str],
    *,
    builder_id: str | None = None,
    build_type: str | None = None,
    external_parameters: Mapping[str, Any] | None = None,
    resolved_dependencies: Sequence[ResourceDescriptor] = (),
    invocation_id: str | None = None,
) -> BuildInfo:
    """The CI's description of this build, completed by the caller's values: ``builder_id``,
    ``build_type`` and ``invocation_id`` replace the CI's, external parameters are added to
    its (the caller's win on a clash) and resolved dependencies appended. Outside a known CI,
    a manual build from the caller's values alone (which needs ``builder_id``)."""
    found = github_actions_build(env)
    if found is None:
        return manual_build(
            builder_id=builder_id,
            build_type=build_type,
            external_parameters=external_parameters,
            resolved_dependencies=resolved_dependencies,
            invocation_id=invocation_id,
        )
    return BuildInfo(
        builder_id=builder_id or found.builder_id,
        build_type=build_type or found.build_type,
        external_parameters={**found.external_parameters, **(external_parameters or {})},
        internal_parameters=found.internal_parameters,
        resolved_dependencies=(*found.resolved_dependencies, *resolved_dependencies),
        invocation_id=invocation_id or found.invocation_id,
        started_on=found.started_on,
        finished_on=found.finished_on,
    )


def parse_dependency(text: str) -> ResourceDescriptor:
    """A resolved dependency written ``URI`` or ``URI#ALGORITHM:HEX`` (``gitCommit``,
    ``sha256`` ...), as the ``--resolved-dependency`` flag takes it."""
    uri, sep, digest = text.partition("#")
    if "://" not in uri:
        raise InputError(f"resolved dependency {text!r} must start with a URI")
    if not sep:
        return ResourceDescriptor(uri=uri)
    algorithm, colon, value = digest.partition(":")
    value = value.lower()
    expected = _DIGEST_LENGTHS.get(algorithm)
    if not colon or not _HEX_DIGEST.match(value) or (expected and len(value) != expected):
        raise InputError(f"resolved dependency {text!r}: write the digest as ALGORITHM:HEX")
    return ResourceDescriptor(uri=uri, digest={algorithm: value})


def parse_parameter(text: str) -> tuple[str, str]:
    """An external parameter written ``KEY=VALUE``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"external parameter {text!r} must be KEY=VALUE")
    return key.strip(), value


def sbom_predicate_type(document: Mapping[str, Any]) -> str:
    """The predicate type for an SBOM document: CycloneDX (``bomFormat``) or SPDX
    (``spdxVersion``). Raises :class:`~stockade.errors.InputError` for anything else."""
    if document.get("bomFormat") == "CycloneDX":
        return CYCLONEDX_PREDICATE
    if str(document.get("spdxVersion", "")).startswith("SPDX-"):
        return SPDX_PREDICATE
    raise InputError("not a CycloneDX or SPDX JSON document")


def check_predicate(predicate_type: str, predicate: Mapping[str, Any]) -> None:
    """Check that a predicate given for a known type has that type's shape: SLSA provenance
    v1 (build type and builder id), CycloneDX (``bomFormat``) or SPDX (``spdxVersion``).
    Other types are taken as given. Raises :class:`~stockade.errors.InputError`."""
    if predicate_type == SLSA_PROVENANCE_V1:
        definition = predicate.get("buildDefinition")
        run = predicate.get("runDetails")
        builder = run.get("builder") if isinstance(run, Mapping) else None
        if not isinstance(definition, Mapping) or not isinstance(definition.get("buildType"), str):
            raise InputError("SLSA provenance v1 needs buildDefinition.buildType")
        if not isinstance(builder, Mapping) or not isinstance(builder.get("id"), str):
            raise InputError("SLSA provenance v1 needs runDetails.builder.id")
    elif (
        predicate_type in (CYCLONEDX_PREDICATE, SPDX_PREDICATE)
        and sbom_predicate_type(predicate) != predicate_type
    ):
        raise InputError(f"the predicate is not a document of type {predicate_type}")
