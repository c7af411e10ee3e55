"""Provenance: verify and create Sigstore signatures and in-toto/SLSA attestations, SBOMs, and
a tamper-evident log of decisions.

- ``verify``/``policy``/``trust``/``keyverify``/``engine``/``bundles``: Sigstore bundle
  verification with identity policies and key-based verification; ``conformance``: the
  sigstore-conformance CLI client.
- ``keys``/``sign``/``dsse``/``intoto``: signing, DSSE envelopes and in-toto statements.
- ``sbom``: CycloneDX and SPDX documents from a project's dependency graph.
- ``packages``/``attestations``/``slsa``: PyPI PEP 740 and npm provenance, checked like
  slsa-verifier.
- ``log``: an append-only RFC 9162 Merkle log with signed checkpoints (C2SP signed notes).
"""
