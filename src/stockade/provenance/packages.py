"""Package provenance: PyPI PEP 740 attestations and npm provenance, verified and read.

- :func:`verify_pep740`: a PEP 740 provenance object (PyPI's Integrity API answer) against
  one distribution file: each attestation's Sigstore signature under the policy of its
  trusted publisher (GitHub repository + workflow, GitLab project + CI file, Google service
  account ...), its statement's single subject against the file's name and sha256, a known
  PyPI predicate type.
- :func:`verify_npm`: an npm attestations document (``dist.attestations.url``) against the
  tarball: the SLSA provenance bundle (DSSE, in-toto statement about
  ``pkg:npm/<name>@<version>`` and the tarball's sha512), signed by a CI identity (GitHub
  Actions, GitLab), its predicate (SLSA v0.2 or v1) read into :class:`BuildClaims`, checked
  against the certificate's claims and a :class:`~stockade.provenance.slsa.SlsaPolicy`.
- :func:`verify_provenance`: fetch and verify a package version's provenance references,
  returning the package with each ``ProvenanceRef.verified`` set (the trust score reads it).

Outcomes are three: *verified*, *failed* (the evidence is there and does not hold: a bad
signature, another identity, another digest, a disallowed builder) and *unsupported* (nothing
could be concluded: a document that cannot be read, a log entry kind the verifier cannot check,
no digest to compare with). Only *failed* counts against a package.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

import sigstore.errors
from cryptography import x509
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from pydantic import ValidationError
from pypi_attestations import Attestation, AttestationType, Provenance
from sigstore.models import Bundle
from sigstore.verify import policy as sigstore_policy

from stockade.ecosystems.interface import FileInfo, PackageInfo, ProvenanceRef, VersionInfo
from stockade.errors import StockadeError
from stockade.http import HttpClient
from stockade.provenance.attestations import (
    INTOTO_PAYLOAD_TYPE,
    MAX_DOCUMENT,
    DsseVerifier,
    StatementError,
    default_verifier,
    log_entry_kinds,
    matching_subject,
    parse_statement,
)
from stockade.provenance.slsa import (
    SLSA_TYPES,
    BuildClaims,
    SlsaPolicy,
    check,
    claims_from_certificate,
    claims_from_predicate,
    same_repository,
)

INTEGRITY_MEDIA_TYPE = "application/vnd.pypi.integrity.v1+json"
"""The media type of PyPI's Integrity API (PEP 740 provenance objects)."""
CI_ISSUERS = ("https://token.actions.githubusercontent.com", "https://gitlab.com")
"""OIDC issuers npm accepts provenance from: GitHub Actions and GitLab.com CI."""


class Outcome(StrEnum):
    """How a verification ended."""

    VERIFIED = "verified"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class AttestationResult:
    """The outcome of verifying one package file's provenance, with its reason and claims."""

    kind: str
    """``pep740`` or ``npm``."""
    outcome: Outcome
    reason: str
    """Why, in one line (for *verified*: what was checked)."""
    predicate_type: str | None = None
    claims: BuildClaims | None = None
    """What the verified evidence says of the build (only set when verified)."""
    identity: str | None = None
    """The signing certificate's identity (SAN), when the signature verified."""

    @property
    def verified(self) -> bool | None:
        """``True`` verified, ``False`` failed, ``None`` unsupported (nothing concluded)."""
        if self.outcome is Outcome.UNSUPPORTED:
            return None
        return self.outcome is Outcome.VERIFIED


def _load(document: Mapping[str, Any] | str | bytes) -> Any:
    if isinstance(document, str | bytes):
        if len(document) > MAX_DOCUMENT:
            raise ValueError(f"the document is larger than {MAX_DOCUMENT} bytes")
        return json.loads(document)
    return document


def _identity(cert: x509.Certificate) -> str | None:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for kind in (x509.UniformResourceIdentifier, x509.RFC822Name):
        names = san.get_values_for_type(kind)
        if names:
            return str(names[0])
    return None


def _dist_key(filename: str) -> tuple[str, str] | None:
    """(normalised name, version) of a wheel or sdist filename, ``None`` if it is neither."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        elif filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return str(name), str(version)


def _combine(kind: str, results: Sequence[AttestationResult], empty: str) -> AttestationResult:
    """One result for several attestations: any failure fails, else any success verifies."""
    for outcome in (Outcome.FAILED, Outcome.VERIFIED):
        for result in results:
            if result.outcome is outcome:
                return result
    if results:
        return results[0]
    return AttestationResult(kind, Outcome.UNSUPPORTED, empty)


def _ref_check(claims: BuildClaims, policy: SlsaPolicy | None) -> tuple[str, ...]:
    """The repository and tag/branch expectations of ``policy`` (builders not checked)."""
    if policy is None:
        return ()
    return check(claims, replace(policy, builders=None)).reasons


def verify_pep740(
    document: Mapping[str, Any] | str | bytes,
    filename: str,
    sha256: str,
    *,
    policy: SlsaPolicy | None = None,
    verifier: DsseVerifier | None = None,
) -> AttestationResult:
    """Verify a PEP 740 provenance object for the distribution ``filename`` with ``sha256``.

    Every attestation of every bundle is checked against its bundle's publisher; one that does
    not verify fails the whole (a file must not carry an attestation that lies). ``policy``
    optionally adds slsa-verifier-like expectations (repository, tag or branch) on the
    certificate's claims.
    """
    verify = verifier or default_verifier()
    try:
        provenance = Provenance.model_validate(_load(document))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        return AttestationResult("pep740", Outcome.UNSUPPORTED, f"not a provenance object: {first}")
    wanted = _dist_key(filename)
    if wanted is None:
        return AttestationResult(
            "pep740", Outcome.UNSUPPORTED, f"{filename} is not a distribution filename"
        )
    results: list[AttestationResult] = []
    for bundle in provenance.attestation_bundles:
        publisher_policy = bundle.publisher._as_policy()
        fallback = BuildClaims(
            source_repository=getattr(bundle.publisher, "repository", None),
            workflow=getattr(bundle.publisher, "workflow", None)
            or getattr(bundle.publisher, "workflow_filepath", None),
        )
        for attestation in bundle.attestations:
            results.append(
                _verify_attestation(
                    attestation, publisher_policy, wanted, sha256.lower(), verify, policy, fallback
                )
            )
    return _combine("pep740", results, "the provenance object holds no attestation")


def _verify_attestation(
    attestation: Attestation,
    publisher_policy: sigstore_policy.VerificationPolicy,
    wanted: tuple[str, str],
    sha256: str,
    verify: DsseVerifier,
    policy: SlsaPolicy | None,
    fallback: BuildClaims,
) -> AttestationResult:
    entries = attestation.verification_material.transparency_entries
    kinds = log_entry_kinds({"verificationMaterial": {"tlogEntries": entries}})
    if not kinds <= verify.log_kinds:
        return AttestationResult(
            "pep740",
            Outcome.UNSUPPORTED,
            f"Rekor entry kind {', '.join(sorted(kinds - verify.log_kinds))} cannot be checked",
        )
    try:
        bundle = attestation.to_bundle()
    except (ValueError, sigstore.errors.Error) as exc:
        return AttestationResult("pep740", Outcome.UNSUPPORTED, f"unreadable attestation: {exc}")
    try:
        payload_type, payload = verify(bundle, publisher_policy)
    except sigstore.errors.VerificationError as exc:
        return AttestationResult("pep740", Outcome.FAILED, f"signature does not verify: {exc}")
    identity = _identity(bundle.signing_certificate)
    if payload_type != INTOTO_PAYLOAD_TYPE:
        return AttestationResult("pep740", Outcome.FAILED, f"unexpected payload {payload_type}")
    try:
        statement = parse_statement(payload)
    except StatementError as exc:
        return AttestationResult("pep740", Outcome.FAILED, f"invalid statement: {exc}")
    if len(statement.subjects) != 1:
        return AttestationResult(
            "pep740", Outcome.FAILED, "the statement must have exactly one subject"
        )
    subject = statement.subjects[0]
    if _dist_key(subject.name) != wanted:
        return AttestationResult(
            "pep740", Outcome.FAILED, f"the statement is about {subject.name}, not this file"
        )
    if subject.digest.get("sha256") != sha256:
        return AttestationResult(
            "pep740", Outcome.FAILED, "the statement's sha256 is not the distribution's digest"
        )
    known = {t.value for t in AttestationType}
    if statement.predicate_type not in known:
        return AttestationResult(
            "pep740", Outcome.FAILED, f"unknown attestation type {statement.predicate_type}"
        )
    claims = claims_from_certificate(bundle.signing_certificate)
    if statement.predicate_type in SLSA_TYPES:  # PyPI's SLSA provenance attestations
        claims = _fill(claims_from_predicate(statement.predicate_type, statement.predicate), claims)
    if claims.source_repository is None and fallback.source_repository:
        repository = fallback.source_repository
        if "://" not in repository and claims.issuer == CI_ISSUERS[0]:
            repository = f"https://github.com/{repository}"
        claims = replace(claims, source_repository=repository)
    if claims.workflow is None and fallback.workflow:
        claims = replace(claims, workflow=fallback.workflow)
    reasons = _ref_check(claims, policy)
    if reasons:
        return AttestationResult(
            "pep740", Outcome.FAILED, "; ".join(reasons), statement.predicate_type, None, identity
        )
    return AttestationResult(
        "pep740",
        Outcome.VERIFIED,
        f"signed by {identity or 'the trusted publisher'}; subject and digest match",
        statement.predicate_type,
        claims,
        identity,
    )


def _ci_policy() -> sigstore_policy.VerificationPolicy:
    """Signed by a CI identity npm accepts (GitHub Actions or GitLab.com)."""
    choices: list[sigstore_policy.VerificationPolicy] = []
    for issuer in CI_ISSUERS:
        choices += [sigstore_policy.OIDCIssuerV2(issuer), sigstore_policy.OIDCIssuer(issuer)]
    return sigstore_policy.AnyOf(choices)


def npm_purl(name: str, version: str) -> str:
    """The package URL npm puts in provenance subjects (``pkg:npm/%40scope/name@1.0.0``)."""
    return f"pkg:npm/{name.replace('@', '%40', 1) if name.startswith('@') else name}@{version}"


def verify_npm(
    document: Mapping[str, Any] | str | bytes,
    name: str,
    version: str,
    digests: Mapping[str, str],
    *,
    policy: SlsaPolicy | None = None,
    verifier: DsseVerifier | None = None,
) -> AttestationResult:
    """Verify an npm attestations document for the tarball of ``name@version``.

    ``digests`` are the tarball's hex digests (``sha512`` from the packument's integrity).
    The subject must carry one of them; a subject named by a package URL must name this
    version. ``policy`` defaults to the allowed-builder check alone.
    """
    verify = verifier or default_verifier()
    try:
        data = _load(document)
    except ValueError as exc:
        return AttestationResult("npm", Outcome.UNSUPPORTED, f"not an attestations document: {exc}")
    entries = data.get("attestations") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        return AttestationResult("npm", Outcome.UNSUPPORTED, "not an attestations document")
    provenance = [
        e for e in entries if isinstance(e, Mapping) and e.get("predicateType") in SLSA_TYPES
    ]
    results = [
        _verify_npm_bundle(e.get("bundle"), name, version, digests, policy, verify)
        for e in provenance
    ]
    return _combine("npm", results, "the document holds no SLSA provenance attestation")


def _verify_npm_bundle(
    raw: object,
    name: str,
    version: str,
    digests: Mapping[str, str],
    policy: SlsaPolicy | None,
    verify: DsseVerifier,
) -> AttestationResult:
    if not isinstance(raw, Mapping):
        return AttestationResult("npm", Outcome.UNSUPPORTED, "the attestation has no bundle")
    kinds = log_entry_kinds(raw)
    if not kinds <= verify.log_kinds:
        return AttestationResult(
            "npm",
            Outcome.UNSUPPORTED,
            f"Rekor entry kind {', '.join(sorted(kinds - verify.log_kinds))} cannot be checked",
        )
    try:
        bundle = Bundle.from_json(json.dumps(raw))
    except (ValueError, sigstore.errors.Error) as exc:
        return AttestationResult("npm", Outcome.UNSUPPORTED, f"unreadable bundle: {exc}")
    try:
        payload_type, payload = verify(bundle, _ci_policy())
    except sigstore.errors.VerificationError as exc:
        return AttestationResult("npm", Outcome.FAILED, f"signature does not verify: {exc}")
    identity = _identity(bundle.signing_certificate)
    if payload_type != INTOTO_PAYLOAD_TYPE:
        return AttestationResult("npm", Outcome.FAILED, f"unexpected payload {payload_type}")
    try:
        statement = parse_statement(payload)
    except StatementError as exc:
        return AttestationResult("npm", Outcome.FAILED, f"invalid statement: {exc}")
    if statement.predicate_type not in SLSA_TYPES:
        return AttestationResult(
            "npm", Outcome.FAILED, f"not SLSA provenance: {statement.predicate_type}"
        )
    subject = matching_subject(statement, digests)
    if subject is None:
        return AttestationResult(
            "npm", Outcome.FAILED, "no statement subject carries the tarball's digest"
        )
    purl = npm_purl(name, version)
    if subject.name.startswith("pkg:") and unquote(subject.name) != unquote(purl):
        return AttestationResult(
            "npm", Outcome.FAILED, f"the statement is about {subject.name}, not {purl}"
        )
    claims = claims_from_predicate(statement.predicate_type, statement.predicate)
    signer = claims_from_certificate(bundle.signing_certificate)
    if (
        signer.source_repository
        and claims.source_repository
        and not same_repository(signer.source_repository, claims.source_repository)
    ):
        return AttestationResult(
            "npm",
            Outcome.FAILED,
            f"the provenance names {claims.source_repository} but was signed for "
            f"{signer.source_repository}",
        )
    claims = _fill(claims, signer)
    result = check(claims, policy or SlsaPolicy())
    if not result.ok:
        reason = "; ".join(result.reasons)
        return AttestationResult(
            "npm", Outcome.FAILED, reason, statement.predicate_type, None, identity
        )
    return AttestationResult(
        "npm",
        Outcome.VERIFIED,
        f"signed by {identity or 'a CI identity'}; subject, digest and builder check",
        statement.predicate_type,
        claims,
        identity,
    )


def _fill(claims: BuildClaims, signer: BuildClaims) -> BuildClaims:
    """The predicate's claims, completed where it is silent by the certificate's (which
    Fulcio attests): repository, commit, ref, workflow, trigger."""
    return replace(
        claims,
        source_repository=claims.source_repository or signer.source_repository,
        commit=claims.commit or signer.commit,
        ref=claims.ref or signer.ref,
        workflow=claims.workflow or signer.workflow,
        trigger=claims.trigger or signer.trigger,
        issuer=signer.issuer,
    )


def _file(info: VersionInfo, ref: ProvenanceRef) -> FileInfo | None:
    if ref.filename:
        return next((f for f in info.files if f.filename == ref.filename), None)
    tarballs = [f for f in info.files if f.kind == "tarball"] or list(info.files)
    return tarballs[0] if tarballs else None


async def verify_ref(
    package: PackageInfo,
    info: VersionInfo,
    ref: ProvenanceRef,
    http: HttpClient,
    *,
    policy: SlsaPolicy | None = None,
    verifier: DsseVerifier | None = None,
) -> AttestationResult:
    """Fetch and verify one provenance reference of a package version (``policy`` as in
    :func:`verify_pep740` and :func:`verify_npm`)."""
    kind = ref.kind
    if ref.url is None:
        return AttestationResult(kind, Outcome.UNSUPPORTED, "the registry gives no address")
    file = _file(info, ref)
    if file is None or not file.digests:
        return AttestationResult(kind, Outcome.UNSUPPORTED, "no file digest to compare with")
    if kind not in {"pep740", "npm"}:
        return AttestationResult(kind, Outcome.UNSUPPORTED, f"unknown provenance kind {kind}")
    headers = {"Accept": INTEGRITY_MEDIA_TYPE} if kind == "pep740" else None
    try:
        document = await http.get_json(ref.url, headers=headers)
    except StockadeError as exc:
        return AttestationResult(kind, Outcome.UNSUPPORTED, f"not fetched: {exc}")
    if document is None:
        return AttestationResult(kind, Outcome.UNSUPPORTED, "the registry has no such document")
    if kind == "pep740":
        sha256 = file.digests.get("sha256")
        if not sha256:
            return AttestationResult(kind, Outcome.UNSUPPORTED, "no sha256 digest of the file")
        return await asyncio.to_thread(
            verify_pep740, document, file.filename, sha256, policy=policy, verifier=verifier
        )
    return await asyncio.to_thread(
        verify_npm,
        document,
        package.name,
        info.version,
        file.digests,
        policy=policy,
        verifier=verifier,
    )


def _apply(ref: ProvenanceRef, result: AttestationResult) -> ProvenanceRef:
    claims = result.claims
    if claims is None:
        return replace(ref, verified=result.verified)
    return replace(
        ref,
        verified=result.verified,
        predicate_type=ref.predicate_type or result.predicate_type,
        source_repository=claims.source_repository or ref.source_repository,
        workflow=claims.workflow or ref.workflow,
    )


async def verify_provenance(
    package: PackageInfo,
    version: str,
    http: HttpClient,
    *,
    policy: SlsaPolicy | None = None,
    verifier: DsseVerifier | None = None,
) -> PackageInfo:
    """``package`` with the provenance references of ``version`` verified.

    Each reference's ``verified`` becomes ``True`` (verified), ``False`` (the evidence does
    not hold) or stays ``None`` (nothing concluded: not fetched, unreadable, not checkable);
    verified ones get ``source_repository`` and ``workflow`` from the verified claims. Other
    versions are left as they are. ``policy`` adds expectations (repository, builders, tag or
    branch); by default npm provenance must come from an allowed builder.
    """
    info = package.versions.get(version)
    if info is None or not info.provenance:
        return package
    results = await asyncio.gather(
        *(
            verify_ref(package, info, ref, http, policy=policy, verifier=verifier)
            for ref in info.provenance
        )
    )
    refs = tuple(_apply(ref, result) for ref, result in zip(info.provenance, results, strict=True))
    versions = {**package.versions, version: replace(info, provenance=refs)}
    return replace(package, versions=versions)
