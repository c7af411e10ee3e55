"""Build claims from SLSA provenance predicates and Fulcio certificates, checked the way
slsa-verifier checks them: expected source repository, builder id, tag or branch.

:func:`claims_from_predicate` reads SLSA v0.2 (``invocation.configSource``, npm's
``github.com/npm/cli/gha/v2`` and GitLab build types) and SLSA v1
(``buildDefinition.externalParameters.workflow``, ``runDetails.builder``) predicates;
:func:`claims_from_certificate` reads the GitHub/GitLab workflow claims Fulcio writes into
the signing certificate (OIDs ``1.3.6.1.4.1.57264.1.*``). :func:`check` compares claims with
a :class:`SlsaPolicy` and gives every reason a check fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

SLSA_V02 = "https://slsa.dev/provenance/v0.2"
SLSA_V1 = "https://slsa.dev/provenance/v1"
SLSA_TYPES = frozenset({SLSA_V02, SLSA_V1})
"""The SLSA provenance predicate types this module reads."""

DEFAULT_BUILDERS: tuple[str, ...] = (
    "https://github.com/actions/runner",
    "https://github.com/actions/runner/github-hosted",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/*",
    "https://gitlab.com/*/-/runners/*",
)
"""Builder ids trusted by default: GitHub-hosted runners (npm's v0.2 and v1 provenance), the
SLSA GitHub generator's reusable workflows, and GitLab.com runners (``*`` matches within
the id)."""

_OID = "1.3.6.1.4.1.57264.1."
_ISSUER = _OID + "8"
_BUILD_SIGNER = _OID + "9"
_RUNNER = _OID + "11"
_SOURCE_URI = _OID + "12"
_SOURCE_DIGEST = _OID + "13"
_SOURCE_REF = _OID + "14"
_BUILD_CONFIG = _OID + "18"
_TRIGGER = _OID + "20"
_INVOCATION = _OID + "21"


@dataclass(frozen=True, slots=True)
class BuildClaims:
    """Where and how an artifact was built, as provenance or a certificate states it."""

    source_repository: str | None = None
    """The source repository URL (``https://github.com/owner/name``)."""
    commit: str | None = None
    """The source commit."""
    ref: str | None = None
    """The git ref built (``refs/tags/v1.0.1``, ``refs/heads/main``)."""
    workflow: str | None = None
    """The workflow file within the repository (``.github/workflows/release.yml``)."""
    builder_id: str | None = None
    """The SLSA builder id (``https://github.com/actions/runner/github-hosted``)."""
    build_type: str | None = None
    """The SLSA build type, when from a predicate."""
    trigger: str | None = None
    """The event that started the build (``release``, ``push``, ``workflow_dispatch``)."""
    invocation: str | None = None
    """The build run (a run URL or id)."""
    issuer: str | None = None
    """The OIDC issuer, when from a certificate."""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


_GIT_URI = re.compile(r"^(?:git\+)?(?P<repo>https?://[^@]+?)(?:\.git)?(?:@(?P<ref>.+))?$")


def _split_git_uri(uri: str | None) -> tuple[str | None, str | None]:
    """``git+https://github.com/o/r@refs/tags/v1`` as (``https://github.com/o/r``, ref)."""
    if not uri:
        return None, None
    match = _GIT_URI.match(uri.strip())
    if match is None:
        return None, None
    return match["repo"], match["ref"]


def _commit(digest: Mapping[str, Any]) -> str | None:
    return _text(digest.get("gitCommit")) or _text(digest.get("sha1"))


def _from_v02(predicate: Mapping[str, Any]) -> BuildClaims:
    invocation = _mapping(predicate.get("invocation"))
    source = _mapping(invocation.get("configSource"))
    environment = _mapping(invocation.get("environment"))
    repository, ref = _split_git_uri(_text(source.get("uri")))
    metadata = _mapping(predicate.get("metadata"))
    return BuildClaims(
        source_repository=repository,
        commit=_commit(_mapping(source.get("digest"))) or _text(environment.get("GITHUB_SHA")),
        ref=ref or _text(environment.get("GITHUB_REF")),
        workflow=_text(source.get("entryPoint")),
        builder_id=_text(_mapping(predicate.get("builder")).get("id")),
        build_type=_text(predicate.get("buildType")),
        trigger=_text(environment.get("GITHUB_EVENT_NAME"))
        or _text(environment.get("CI_PIPELINE_SOURCE")),
        invocation=_text(metadata.get("buildInvocationId")),
    )


def _from_v1(predicate: Mapping[str, Any]) -> BuildClaims:
    definition = _mapping(predicate.get("buildDefinition"))
    external = _mapping(definition.get("externalParameters"))
    internal = _mapping(definition.get("internalParameters"))
    workflow = _mapping(external.get("workflow"))
    repository = _text(workflow.get("repository"))
    ref = _text(workflow.get("ref"))
    path = _text(workflow.get("path"))
    if repository is None:  # GitLab and other build types: a git source URI
        repository, ref_in_uri = _split_git_uri(_text(external.get("source")))
        ref = ref or ref_in_uri
        path = path or _text(external.get("entryPoint")) or _text(external.get("configPath"))
    commit = None
    for raw in definition.get("resolvedDependencies") or ():
        dependency = _mapping(raw)
        dep_repo, dep_ref = _split_git_uri(_text(dependency.get("uri")))
        if repository is None or dep_repo == repository:
            commit = _commit(_mapping(dependency.get("digest")))
            repository = repository or dep_repo
            ref = ref or dep_ref
            break
    run = _mapping(predicate.get("runDetails"))
    github = _mapping(internal.get("github"))
    return BuildClaims(
        source_repository=repository.removesuffix(".git") if repository else None,
        commit=commit,
        ref=ref,
        workflow=path,
        builder_id=_text(_mapping(run.get("builder")).get("id")),
        build_type=_text(definition.get("buildType")),
        trigger=_text(github.get("event_name")) or _text(internal.get("CI_PIPELINE_SOURCE")),
        invocation=_text(_mapping(run.get("metadata")).get("invocationId")),
    )


def claims_from_predicate(predicate_type: str, predicate: Mapping[str, Any]) -> BuildClaims:
    """The build claims of an SLSA v0.2 or v1 provenance predicate.

    Raises :class:`ValueError` for any other predicate type.
    """
    if predicate_type == SLSA_V02:
        return _from_v02(predicate)
    if predicate_type == SLSA_V1:
        return _from_v1(predicate)
    raise ValueError(f"not an SLSA provenance predicate: {predicate_type}")


def _extension(cert: x509.Certificate, oid: str) -> str | None:
    """A Fulcio extension's value: DER UTF8String (``.8`` onwards) or raw text (``.1``-``.6``)."""
    try:
        ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid))
    except x509.ExtensionNotFound:
        return None
    raw = ext.value.public_bytes() if isinstance(ext.value, x509.UnrecognizedExtension) else b""
    if len(raw) >= 2 and raw[0] == 0x0C:  # UTF8String: tag, length (short or long form)
        length = raw[1]
        start = 2 if length < 0x80 else 2 + (length & 0x7F)
        raw = raw[start:]
    try:
        return raw.decode("utf-8") or None
    except UnicodeDecodeError:
        return None


def workflow_path(build_config_uri: str | None, repository: str | None) -> str | None:
    """The workflow file named by a Build Config URI.

    ``https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1`` gives
    ``.github/workflows/release.yml``; GitLab's ``https://gitlab.com/g/p//.gitlab-ci.yml@ref``
    gives ``.gitlab-ci.yml``.
    """
    if not build_config_uri:
        return None
    uri = build_config_uri.split("@", 1)[0]
    if repository and uri.startswith(repository.rstrip("/") + "/"):
        return uri[len(repository.rstrip("/")) + 1 :].lstrip("/") or None
    return None


def claims_from_certificate(cert: x509.Certificate) -> BuildClaims:
    """The CI claims Fulcio wrote into a signing certificate (GitHub Actions, GitLab CI)."""
    repository = _extension(cert, _SOURCE_URI)
    return BuildClaims(
        source_repository=repository,
        commit=_extension(cert, _SOURCE_DIGEST),
        ref=_extension(cert, _SOURCE_REF),
        workflow=workflow_path(_extension(cert, _BUILD_CONFIG), repository),
        builder_id=_extension(cert, _BUILD_SIGNER),
        trigger=_extension(cert, _TRIGGER),
        invocation=_extension(cert, _INVOCATION),
        issuer=_extension(cert, _ISSUER),
    )


@dataclass(frozen=True, slots=True)
class SlsaPolicy:
    """What the provenance must say, as slsa-verifier's flags put it.

    ``source_repository`` is ``--source-uri`` (compared without scheme, ``.git`` or case),
    ``builders`` the allowed ``--builder-id`` values (``None``: not checked), ``tag`` and
    ``branch`` the ``--source-tag``/``--source-branch`` expectations (``None``: not checked).
    """

    source_repository: str | None = None
    builders: tuple[str, ...] | None = DEFAULT_BUILDERS
    tag: str | None = None
    branch: str | None = None


@dataclass(frozen=True, slots=True)
class SlsaCheck:
    """The outcome of :func:`check`: passed, or every reason it did not."""

    claims: BuildClaims
    reasons: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether every expectation held."""
        return not self.reasons


def _repo_key(url: str) -> str:
    key = re.sub(r"^(?:git\+)?[a-z]+://", "", url.strip().lower())
    return key.removesuffix("/").removesuffix(".git")


def same_repository(a: str, b: str) -> bool:
    """Whether two repository URLs name the same repository (scheme, case, ``.git`` aside)."""
    return _repo_key(a) == _repo_key(b)


def builder_allowed(builder_id: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``builder_id`` matches one of ``allowed``.

    An entry matches exactly, or up to the id's ``@version`` when the entry has none, or as a
    pattern where ``*`` stands for any characters.
    """
    bare = builder_id.split("@", 1)[0]
    for entry in allowed:
        if "*" in entry:
            pattern = ".*".join(re.escape(part) for part in entry.split("*"))
            if re.fullmatch(pattern, builder_id) or re.fullmatch(pattern, bare):
                return True
        elif builder_id == entry or ("@" not in entry and bare == entry):
            return True
    return False


def check(claims: BuildClaims, policy: SlsaPolicy) -> SlsaCheck:
    """Compare build claims with what the policy expects; every mismatch is a reason."""
    reasons: list[str] = []
    if policy.source_repository is not None:
        if claims.source_repository is None:
            reasons.append("the provenance names no source repository")
        elif not same_repository(claims.source_repository, policy.source_repository):
            reasons.append(
                f"built from {claims.source_repository}, expected {policy.source_repository}"
            )
    if policy.builders is None:
        pass
    elif claims.builder_id is None:
        reasons.append("the provenance names no builder")
    elif not builder_allowed(claims.builder_id, policy.builders):
        reasons.append(f"builder {claims.builder_id} is not an allowed builder")
    for kind, wanted in (("tags", policy.tag), ("heads", policy.branch)):
        if wanted is None:
            continue
        expected = wanted if wanted.startswith("refs/") else f"refs/{kind}/{wanted}"
        if claims.ref != expected:
            reasons.append(f"built from ref {claims.ref or 'unknown'}, expected {expected}")
    return SlsaCheck(claims=claims, reasons=tuple(reasons))
