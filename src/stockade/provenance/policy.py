"""Identity policies for keyless Sigstore signatures.

A Fulcio certificate names who signed (its subject alternative name: an e-mail address, a
workflow URI...), which OpenID Connect issuer vouched for it, and, for CI signers, the claims
of the build (GitHub workflow repository, ref, commit, trigger, workflow...), as X.509
extensions under OID 1.3.6.1.4.1.57264.1. An :class:`IdentityPolicy` states what they must be:
exact values, or regular expressions that must match the WHOLE value (``re.fullmatch``, so
``https://github\\.com/org/.*`` cannot be satisfied by ``https://evil.test/?https://github.com/org/``).
:class:`AnyOf` accepts a certificate that one of several policies accepts.

Policies implement sigstore-python's ``VerificationPolicy`` protocol (``verify(cert)`` raising
``sigstore.errors.VerificationError``), so the verifier checks them at the step where the
certificate is checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from cryptography.hazmat import asn1
from cryptography.x509 import (
    Certificate,
    ObjectIdentifier,
    OtherName,
    RFC822Name,
    SubjectAlternativeName,
    UniformResourceIdentifier,
)
from sigstore.errors import VerificationError

from stockade.errors import InputError

_ARC = "1.3.6.1.4.1.57264.1."
_SAN_OTHERNAME_OID = ObjectIdentifier(_ARC + "7")

LEGACY_CLAIMS: Mapping[str, str] = MappingProxyType(
    {
        "github_workflow_trigger": "2",
        "github_workflow_sha": "3",
        "github_workflow_name": "4",
        "github_workflow_repository": "5",
        "github_workflow_ref": "6",
    }
)
"""Fulcio's first claim extensions (raw string values), the ones cosign's
``--certificate-github-workflow-*`` flags check."""

CLAIMS: Mapping[str, str] = MappingProxyType(
    {
        "build_signer_uri": "9",
        "build_signer_digest": "10",
        "runner_environment": "11",
        "source_repository_uri": "12",
        "source_repository_digest": "13",
        "source_repository_ref": "14",
        "source_repository_identifier": "15",
        "source_repository_owner_uri": "16",
        "source_repository_owner_identifier": "17",
        "build_config_uri": "18",
        "build_config_digest": "19",
        "build_trigger": "20",
        "run_invocation_uri": "21",
        "source_repository_visibility": "22",
    }
)
"""Fulcio's current claim extensions (DER UTF8String values), by claim name."""

ALL_CLAIMS: frozenset[str] = frozenset(LEGACY_CLAIMS) | frozenset(CLAIMS)

_GITHUB_PREFIX = "https://github.com/"


@dataclass(frozen=True)
class CertificateFacts:
    """What a signing certificate says about its signer."""

    identities: tuple[str, ...]
    """Subject alternative names: e-mail addresses, URIs and Sigstore other-names."""
    issuer: str | None
    """The OIDC issuer (the current extension, else the legacy one)."""
    claims: Mapping[str, str]
    """Build claims by name (see :data:`CLAIMS` and :data:`LEGACY_CLAIMS`)."""


def certificate_facts(cert: Certificate) -> CertificateFacts:
    """Read the identities, the issuer and the build claims of a Fulcio certificate."""
    identities: list[str] = []
    raw: dict[str, bytes] = {}
    for extension in cert.extensions:
        value = extension.value
        if isinstance(value, SubjectAlternativeName):
            identities.extend(value.get_values_for_type(RFC822Name))
            identities.extend(value.get_values_for_type(UniformResourceIdentifier))
            for other in value.get_values_for_type(OtherName):
                if other.type_id == _SAN_OTHERNAME_OID:
                    text = _der_utf8(other.value)
                    identities.append(text or other.value.decode("utf-8", "replace"))
        elif extension.oid.dotted_string.startswith(_ARC):
            payload = getattr(value, "value", None)
            if isinstance(payload, bytes):
                raw[extension.oid.dotted_string.removeprefix(_ARC)] = payload
    claims: dict[str, str] = {}
    for name, suffix in LEGACY_CLAIMS.items():
        if suffix in raw:
            claims[name] = raw[suffix].decode("utf-8", "replace")
    for name, suffix in CLAIMS.items():
        text = _der_utf8(raw[suffix]) if suffix in raw else None
        if text is not None:
            claims[name] = text
    issuer = _der_utf8(raw["8"]) if "8" in raw else None
    if issuer is None and "1" in raw:
        issuer = raw["1"].decode("utf-8", "replace")
    return CertificateFacts(tuple(identities), issuer, MappingProxyType(claims))


def claim_value(facts: CertificateFacts, name: str) -> str | None:
    """The value of claim `name`, falling back from a legacy GitHub claim to its current
    equivalent when the certificate carries only the latter (newer Fulcio certificates)."""
    value = facts.claims.get(name)
    if value is not None or name not in LEGACY_CLAIMS:
        return value
    if name == "github_workflow_trigger":
        return facts.claims.get("build_trigger")
    if name == "github_workflow_sha":
        return facts.claims.get("source_repository_digest")
    if name == "github_workflow_ref":
        return facts.claims.get("source_repository_ref")
    if name == "github_workflow_repository":
        uri = facts.claims.get("source_repository_uri")
        if uri is not None and uri.startswith(_GITHUB_PREFIX):
            return uri.removeprefix(_GITHUB_PREFIX)
    return None


@dataclass(frozen=True)
class Match:
    """An expected value: exact text, or a regular expression matching the whole value."""

    value: str
    regexp: bool = False
    _compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.regexp:
            try:
                object.__setattr__(self, "_compiled", re.compile(self.value))
            except re.error as exc:
                raise InputError(f"invalid regular expression {self.value!r}: {exc}") from None

    def matches(self, actual: str) -> bool:
        """Whether `actual` is the value (or fully matches the expression)."""
        if self._compiled is not None:
            return self._compiled.fullmatch(actual) is not None
        return actual == self.value

    def __str__(self) -> str:
        return f"/{self.value}/" if self.regexp else self.value


@dataclass(frozen=True)
class IdentityPolicy:
    """Who must have signed: any of `identities` (SAN), any of `issuers`, and every claim in
    `claims` (claim name to expected value, names from :data:`ALL_CLAIMS`).

    An identity and an issuer are both required, as cosign requires them: a policy that
    accepted any signer would make keyless verification meaningless.
    """

    identities: tuple[Match, ...]
    issuers: tuple[Match, ...]
    claims: Mapping[str, Match] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not self.identities:
            raise InputError(
                "an identity is required (--certificate-identity or --certificate-identity-regexp)"
            )
        if not self.issuers:
            raise InputError(
                "an OIDC issuer is required "
                "(--certificate-oidc-issuer or --certificate-oidc-issuer-regexp)"
            )
        unknown = sorted(set(self.claims) - ALL_CLAIMS)
        if unknown:
            raise InputError(f"unknown certificate claim(s): {', '.join(unknown)}")

    @classmethod
    def of(
        cls,
        *,
        identity: str | Sequence[str] = (),
        identity_regexp: str | Sequence[str] = (),
        issuer: str | Sequence[str] = (),
        issuer_regexp: str | Sequence[str] = (),
        claims: Mapping[str, str] | None = None,
        claim_regexps: Mapping[str, str] | None = None,
    ) -> IdentityPolicy:
        """Build a policy from plain strings (a string or a sequence of alternatives each)."""
        expected: dict[str, Match] = {k: Match(v) for k, v in (claims or {}).items()}
        expected.update({k: Match(v, regexp=True) for k, v in (claim_regexps or {}).items()})
        return cls(
            identities=_matches(identity, False) + _matches(identity_regexp, True),
            issuers=_matches(issuer, False) + _matches(issuer_regexp, True),
            claims=MappingProxyType(expected),
        )

    def check(self, facts: CertificateFacts) -> None:
        """Raise ``VerificationError`` naming the first requirement `facts` do not meet."""
        if facts.issuer is None:
            raise VerificationError("certificate has no OIDC issuer extension")
        if not any(m.matches(facts.issuer) for m in self.issuers):
            raise VerificationError(
                f"certificate OIDC issuer {facts.issuer!r} does not match "
                + _alternatives(self.issuers)
            )
        if not any(m.matches(i) for m in self.identities for i in facts.identities):
            got = ", ".join(repr(i) for i in facts.identities) or "none"
            raise VerificationError(
                f"certificate identity {got} does not match {_alternatives(self.identities)}"
            )
        for name, match in sorted(self.claims.items()):
            actual = claim_value(facts, name)
            if actual is None:
                raise VerificationError(f"certificate has no {name} claim (expected {match})")
            if not match.matches(actual):
                raise VerificationError(f"certificate claim {name} is {actual!r}, expected {match}")

    def verify(self, cert: Certificate) -> None:
        """sigstore's ``VerificationPolicy`` protocol: check `cert`."""
        self.check(certificate_facts(cert))


@dataclass(frozen=True)
class AnyOf:
    """Accepts a certificate that at least one of `policies` accepts."""

    policies: tuple[IdentityPolicy, ...]

    def __post_init__(self) -> None:
        if not self.policies:
            raise InputError("an any-of policy needs at least one policy")

    def check(self, facts: CertificateFacts) -> None:
        """Raise ``VerificationError`` listing why each policy refused `facts`."""
        reasons: list[str] = []
        for policy in self.policies:
            try:
                policy.check(facts)
            except VerificationError as exc:
                reasons.append(str(exc))
            else:
                return
        raise VerificationError("no policy accepts the certificate: " + "; ".join(reasons))

    def verify(self, cert: Certificate) -> None:
        """sigstore's ``VerificationPolicy`` protocol: check `cert`."""
        self.check(certificate_facts(cert))


Policy = IdentityPolicy | AnyOf


def _matches(values: str | Sequence[str], regexp: bool) -> tuple[Match, ...]:
    items = [values] if isinstance(values, str) else list(values)
    return tuple(Match(v, regexp=regexp) for v in items if v)


def _alternatives(matches: tuple[Match, ...]) -> str:
    if len(matches) == 1:
        return str(matches[0])
    return "any of " + ", ".join(str(m) for m in matches)


def _der_utf8(raw: bytes) -> str | None:
    try:
        return asn1.decode_der(str, raw)
    except Exception:
        return None
