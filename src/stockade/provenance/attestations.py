"""In-toto statements carried in Sigstore DSSE bundles: verify the bundle, read the statement,
match its subjects against an artifact's digests.

The Sigstore part is a :class:`DsseVerifier`; the default, :class:`SigstoreDsse`, is
sigstore-python's ``Verifier.verify_dsse`` over a pinned trusted root (offline). It states the
Rekor entry kinds it can check (``dsse`` and ``hashedrekord``; sigstore-python does not check
``intoto`` 0.0.2 entries, which npm's provenance bundles carry), so that an entry it cannot
check is reported as *unsupported* rather than as a bad signature.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from sigstore.models import Bundle, TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy

from stockade.provenance.engine import ConformantVerifier
from stockade.provenance.trust import shipped_root

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
"""The DSSE payload type of in-toto statements."""
STATEMENT_TYPES = frozenset(
    {"https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"}
)
"""The in-toto statement ``_type`` values accepted."""
MAX_DOCUMENT = 4 * 1024 * 1024
"""The largest attestation document (bytes of JSON) read; larger ones are refused."""


class StatementError(ValueError):
    """A DSSE payload that is not a well-formed in-toto statement."""


@dataclass(frozen=True, slots=True)
class Subject:
    """One subject of an in-toto statement: a name and its digests (hex, by algorithm)."""

    name: str
    digest: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Statement:
    """An in-toto statement: what it is about (subjects) and what it says (predicate)."""

    type: str
    subjects: tuple[Subject, ...]
    predicate_type: str
    predicate: Mapping[str, Any]


def parse_statement(payload: bytes) -> Statement:
    """An in-toto v0.1 or v1 statement from a DSSE payload; :class:`StatementError` if not."""
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise StatementError(f"the statement is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise StatementError("the statement is not a JSON object")
    kind = data.get("_type")
    if kind not in STATEMENT_TYPES:
        raise StatementError(f"unknown statement type {kind!r}")
    predicate_type = data.get("predicateType")
    if not isinstance(predicate_type, str) or not predicate_type:
        raise StatementError("the statement has no predicateType")
    subjects: list[Subject] = []
    for raw in data.get("subject") or ():
        if not isinstance(raw, dict) or not isinstance(raw.get("digest"), dict):
            raise StatementError("a statement subject has no digest set")
        digest = {str(k).lower(): str(v).lower() for k, v in raw["digest"].items()}
        subjects.append(Subject(name=str(raw.get("name") or ""), digest=digest))
    if not subjects:
        raise StatementError("the statement has no subject")
    predicate = data.get("predicate")
    return Statement(
        type=str(kind),
        subjects=tuple(subjects),
        predicate_type=predicate_type,
        predicate=predicate if isinstance(predicate, dict) else {},
    )


def matching_subject(statement: Statement, digests: Mapping[str, str]) -> Subject | None:
    """The subject whose digests agree with the artifact's on every algorithm both name
    (at least one), or ``None``."""
    wanted = {k.lower(): v.lower() for k, v in digests.items() if v}
    for subject in statement.subjects:
        common = wanted.keys() & subject.digest.keys()
        if common and all(subject.digest[k] == wanted[k] for k in common):
            return subject
    return None


def log_entry_kinds(bundle: Mapping[str, Any]) -> set[str]:
    """The Rekor entry kinds (``dsse``, ``intoto``, ``hashedrekord``) a bundle's JSON carries."""
    material = bundle.get("verificationMaterial")
    entries = material.get("tlogEntries") if isinstance(material, Mapping) else None
    kinds: set[str] = set()
    for entry in entries if isinstance(entries, list) else ():
        kind = entry.get("kindVersion", {}).get("kind") if isinstance(entry, Mapping) else None
        if isinstance(kind, str):
            kinds.add(kind)
    return kinds


class DsseVerifier(Protocol):
    """Verifies a DSSE bundle against a policy; returns (payload type, payload).

    Raises sigstore's ``VerificationError`` when the bundle does not verify.
    """

    log_kinds: frozenset[str]
    """The Rekor entry kinds it can check."""

    def __call__(self, bundle: Bundle, policy: VerificationPolicy) -> tuple[str, bytes]: ...


class SigstoreDsse:
    """:class:`DsseVerifier` through sigstore-python, offline, over one trusted root."""

    log_kinds = frozenset({"dsse", "hashedrekord"})

    def __init__(self, trusted_root: TrustedRoot) -> None:
        self._verifier = Verifier(trusted_root=trusted_root)

    def __call__(self, bundle: Bundle, policy: VerificationPolicy) -> tuple[str, bytes]:
        return self._verifier.verify_dsse(bundle, policy)


class ConformantDsse:
    """:class:`DsseVerifier` through :class:`~stockade.provenance.engine.ConformantVerifier`,
    which also reads Rekor ``intoto`` 0.0.2 entries (npm provenance is logged that way; Rekor
    keeps only the payload's hash in them, which binds the envelope).
    """

    log_kinds = frozenset({"dsse", "hashedrekord", "intoto"})

    def __init__(self, trusted_root: TrustedRoot) -> None:
        self._verifier = ConformantVerifier(trusted_root=trusted_root)

    def __call__(self, bundle: Bundle, policy: VerificationPolicy) -> tuple[str, bytes]:
        return self._verifier.verify_dsse(bundle, policy)


@cache
def production_root() -> TrustedRoot:
    """Sigstore's public-good production trusted root, the pinned copy Stockade ships."""
    return shipped_root("production")


@cache
def default_verifier() -> ConformantDsse:
    """The default :class:`DsseVerifier`: Stockade's engine (sigstore-python plus ``intoto``
    0.0.2 entries) over :func:`production_root`."""
    return ConformantDsse(production_root())
