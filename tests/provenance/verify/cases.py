"""What the sigstore-conformance bundle-verify cases must give, beyond pass/fail.

``REASONS``: for representative failing cases, a fragment of the one-line reason, so the test
proves the case fails for the defect its README describes, not by failing early on something
else. ``EXIT_TWO``: failing cases that are unusable input (exit 2) rather than evidence that
does not verify (exit 1). ``CANNOT_PASS``: cases Stockade cannot give the expected outcome for
(none at present; sigstore-python alone misses four, see ``engine.py`` and ``keyverify.py``).
"""

from __future__ import annotations

DEFAULT_IDENTITY = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"

REASONS: dict[str, str] = {
    "bundle-malformed-json_fail": "not valid json",
    "bundle-unknown-version_fail": "unsupported bundle media type",
    "bundle-invalid-base64-signature_fail": "malformed bundle",
    "bundle-negative-log-index_fail": "malformed bundle",
    "bundle-empty-certificate-chain_fail": "non-empty certificate chain",
    "bundle-with-root-cert_fail": "root ca certificate",
    "bundle-from-wrong-instance_fail": "certificate chain",
    "signature-mismatch_fail": "signature is invalid for input",
    "wrong-material_fail": "digest mismatch",
    "message-digest-mismatch_fail": "digest mismatch",
    "checkpoint-wrong-roothash_fail": "root hash",
    "checkpoint-bad-keyhint_fail": "checkpoint",
    "invalid-checkpoint-signature_fail": "checkpoint: invalid signature",
    "set-invalid-signature_fail": "invalid inclusion promise",
    "inclusion-proof-corrupted-hash_fail": "inclusion proof",
    "invalid-ct-key_fail": "sct",
    "dsse-invalid-sig_fail": "dsse: invalid signature",
    "dsse-mismatch-envelope_fail": "payload hash",
    "dsse-mismatch-sig_fail": "signatures do not match",
    "intoto-log-entry-mismatch_fail": "log entry signatures do not match",
    "intoto-expired-certificate_fail": "not valid at validation time",
    "intoto-set-outside-signing-cert-validity_fail": "not valid at validation time",
    "intoto-tsa-timestamp-outside-cert-validity_fail": "not valid at validation time",
    "integrated-time-in-future_fail": "not valid at validation time",
    "managed-key-no-key_fail": "signed with a key",
    "rekor2-no-timestamp_fail": "inclusion promise or signed timestamp",
    "rekor2-timestamp-outside-trust-root-tsa-validity_fail": "sources of verified time",
    "rekor2-timestamp-payload-mismatch_fail": "sources of verified time",
    "rekor2-checkpoint-missing-origin_fail": "checkpoint",
    "rekor2-dsse-mismatch-sig_fail": "inconsistent with other materials",
    "wrong-hashedrekord-entry_fail": "inconsistent with other materials",
    "wrong-hashedrekord-artifact_fail": "inconsistent with other materials",
    "trust-root-tlog-missing-validity-start_fail": "trusted root",
    # The "wrong key" of this case is a mangled PEM that does not parse: unusable input.
    "managed-key-wrong-key_fail": "not a pem public key",
}

EXIT_TWO: frozenset[str] = frozenset(
    {
        "bundle-malformed-json_fail",
        "bundle-unknown-version_fail",
        "bundle-invalid-base64-signature_fail",
        "bundle-negative-log-index_fail",
        # A v0.2+ log entry without an inclusion proof breaks the bundle schema.
        "intoto-missing-inclusion-proof_fail",
        "rekor2-no-inclusion-proof_fail",
        "managed-key-wrong-key_fail",
        "trust-root-tlog-missing-validity-start_fail",
    }
)

CANNOT_PASS: dict[str, str] = {}
"""Case name to the reason it cannot give its expected outcome (none today)."""

REJECTED_AT_ANOTHER_STEP: dict[str, str] = {
    "incorrect-public-key_fail": (
        "the edited entry body no longer hashes to the logged leaf, so the inclusion proof "
        "fails before the body's key is compared (the entry is not in the log either way)"
    ),
    "invalid-inclusion-proof_fail": (
        "the stale proof carries no checkpoint, so the bundle is incomplete before the proof "
        "is checked"
    ),
    "intoto-missing-inclusion-proof_fail": "rejected by the bundle schema (exit 2), as intended",
    "managed-key-wrong-key_fail": (
        "the case's 'wrong key' is a mangled PEM that does not parse (exit 2); a valid other "
        "key is tested in test_keyverify.py"
    ),
}
"""Failing cases rejected for a neighbouring reason rather than the exact defect named in
their README, and why that is still the right outcome."""
