"""What verification reads and returns: the artifact (a file or ``sha256:HEX``), the bundle
document within its limits, the in-toto statement of a DSSE envelope, and the
:class:`Verification` result."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from stockade.errors import InputError, VerificationFailed
from stockade.provenance.policy import CertificateFacts

MAX_BUNDLE_BYTES = 16 * 1024 * 1024
"""A bundle larger than this is refused as unusable input (real bundles are a few kB)."""

BUNDLE_MEDIA_TYPES = (
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
)
"""The Sigstore bundle versions Stockade verifies (v0.1 to v0.3, both v0.3 spellings)."""

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
_STATEMENT_TYPES = ("https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1")
_DIGEST_RE = re.compile(r"sha256:([0-9a-fA-F]{64})")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Artifact:
    """The signed thing: its SHA-256 and, when given as a file, its path."""

    sha256: bytes
    path: Path | None = None

    @property
    def hexdigest(self) -> str:
        """The SHA-256 as lowercase hex."""
        return self.sha256.hex()

    @classmethod
    def of(cls, artifact: Path | str) -> Artifact:
        """An artifact from a path, or from a ``sha256:HEX`` digest string."""
        if isinstance(artifact, str):
            if artifact.startswith("sha256:"):
                found = _DIGEST_RE.fullmatch(artifact)
                if found is None:
                    raise InputError(f"{artifact!r} is not sha256: followed by 64 hex digits")
                return cls(bytes.fromhex(found.group(1)))
            if ":" in artifact.split("/", 1)[0] and not Path(artifact).exists():
                algorithm = artifact.split(":", 1)[0]
                raise InputError(f"unsupported digest algorithm {algorithm!r} (use sha256:HEX)")
            artifact = Path(artifact)
        digest = hashlib.sha256()
        try:
            with artifact.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            raise InputError("no such file", path=artifact) from None
        except IsADirectoryError:
            raise InputError("is a folder, not a file", path=artifact) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=artifact) from None
        return cls(digest.digest(), artifact)


def read_bundle_document(path: Path) -> tuple[str, dict[str, Any]]:
    """The text and parsed JSON of the bundle at `path`, with a known media type.

    Raises :class:`InputError` (unusable input) when it is missing, oversized, not JSON, not
    an object or not a Sigstore bundle version Stockade reads.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise InputError(
                f"bundle too large ({size} bytes, limit {MAX_BUNDLE_BYTES})", path=path
            )
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a bundle file", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not a Sigstore bundle (not UTF-8 text)", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    return raw, parse_bundle_document(raw, path)


def parse_bundle_document(raw: str | bytes, where: str | Path | None = None) -> dict[str, Any]:
    """The parsed JSON of a bundle given as text (`where` names it in errors).

    Raises :class:`InputError` when it is oversized, not JSON, not an object or not a Sigstore
    bundle version Stockade reads.
    """
    if len(raw) > MAX_BUNDLE_BYTES:
        raise InputError(
            f"bundle too large ({len(raw)} bytes, limit {MAX_BUNDLE_BYTES})", path=where
        )
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise InputError(f"malformed bundle: not valid JSON ({exc})", path=where) from None
    if not isinstance(document, dict):
        raise InputError("malformed bundle: expected a JSON object", path=where)
    media_type = document.get("mediaType")
    if media_type not in BUNDLE_MEDIA_TYPES:
        raise InputError(
            f"unsupported bundle media type {media_type!r} (Sigstore bundles v0.1 to v0.3)",
            path=where,
        )
    return document


CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a signed time may be before it is refused (clock differences)."""


def check_not_future(times: tuple[datetime, ...], now: datetime | None) -> None:
    """Refuse evidence whose signed time (log integration or RFC 3161 timestamp) lies in the
    future: a log or timestamp authority does not sign times that have not happened yet."""
    current = now if now is not None else datetime.now(UTC)
    for moment in times:
        if moment > current + CLOCK_SKEW:
            raise VerificationFailed(
                f"signed time {moment.isoformat()} is in the future (now {current.isoformat()})"
            )


@dataclass(frozen=True)
class Subject:
    """One subject of an in-toto statement: a name and its digests by algorithm."""

    name: str
    digests: Mapping[str, str]


@dataclass(frozen=True)
class Statement:
    """The in-toto statement carried by a verified DSSE envelope."""

    statement_type: str
    predicate_type: str | None
    subjects: tuple[Subject, ...]
    document: Mapping[str, Any] = field(repr=False)


def check_statement(payload_type: str, payload: bytes, artifact: Artifact) -> Statement:
    """Parse a verified DSSE payload as an in-toto statement naming `artifact` as a subject.

    Raises :class:`VerificationFailed` when the payload is not an in-toto statement or no
    subject has the artifact's SHA-256.
    """
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise VerificationFailed(
            f"DSSE payload type is {payload_type!r}, expected {IN_TOTO_PAYLOAD_TYPE!r}"
        )
    try:
        document = json.loads(payload)
    except ValueError:
        raise VerificationFailed("DSSE payload is not a JSON in-toto statement") from None
    if not isinstance(document, dict) or document.get("_type") not in _STATEMENT_TYPES:
        raise VerificationFailed("DSSE payload is not an in-toto statement (unknown _type)")
    raw_subjects = document.get("subject")
    if not isinstance(raw_subjects, list) or not raw_subjects:
        raise VerificationFailed("in-toto statement has no subject")
    subjects: list[Subject] = []
    for item in raw_subjects:
        if not isinstance(item, dict) or not isinstance(item.get("digest"), dict):
            raise VerificationFailed("in-toto statement has a malformed subject")
        digests = {str(k): str(v) for k, v in item["digest"].items()}
        subjects.append(Subject(str(item.get("name", "")), MappingProxyType(digests)))
    wanted = artifact.hexdigest
    if not any(s.digests.get("sha256", "").lower() == wanted for s in subjects):
        raise VerificationFailed(
            f"artifact sha256:{wanted} is not a subject of the in-toto statement"
        )
    predicate_type = document.get("predicateType")
    return Statement(
        statement_type=str(document["_type"]),
        predicate_type=predicate_type if isinstance(predicate_type, str) else None,
        subjects=tuple(subjects),
        document=MappingProxyType(document),
    )


@dataclass(frozen=True)
class Verification:
    """What was verified: the artifact, the signer (certificate facts or key), the log entry
    and the signed times, and for DSSE bundles the in-toto statement."""

    artifact_sha256: str
    kind: Literal["message-signature", "dsse"]
    bundle_media_type: str
    signer: CertificateFacts | None
    key_id: str | None
    log_index: int | None
    log_id: str | None
    integrated_time: datetime | None
    signed_times: tuple[datetime, ...]
    statement: Statement | None

    @property
    def identity(self) -> str | None:
        """The certificate's first identity (None for key-based verification)."""
        return self.signer.identities[0] if self.signer and self.signer.identities else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the ``--format json`` output)."""
        signer = self.signer
        statement = self.statement
        return {
            "verified": True,
            "artifact": f"sha256:{self.artifact_sha256}",
            "kind": self.kind,
            "bundle_media_type": self.bundle_media_type,
            "identity": self.identity,
            "identities": list(signer.identities) if signer else [],
            "issuer": signer.issuer if signer else None,
            "claims": dict(signer.claims) if signer else {},
            "key_id": self.key_id,
            "log_index": self.log_index,
            "log_id": self.log_id,
            "integrated_time": _iso(self.integrated_time),
            "signed_times": [_iso(t) for t in self.signed_times],
            "statement": None
            if statement is None
            else {
                "type": statement.statement_type,
                "predicate_type": statement.predicate_type,
                "subjects": [
                    {"name": s.name, "digest": dict(s.digests)} for s in statement.subjects
                ],
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
